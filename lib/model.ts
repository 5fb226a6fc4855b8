/**
 * Every name and identifier that both sides use, derived once from a validated environment.
 *
 * The Terraform stack (federated subjects, identities, role scopes) and the chart
 * (ServiceAccounts, SecretProviderClasses, mounted file names) both read this model, so the
 * values that classic setups type twice (and let drift) exist here exactly once.
 */
import { createHash } from 'node:crypto';
import { durationSeconds } from './config/duration';
import { mountedFileName } from './config/rules';
import { manifestFileName, secretProviderClassName } from './naming';

export { manifestFileName, secretProviderClassName };
import type { EnvironmentConfig, KeyVaultObjectConfig, WorkloadConfig } from './config/schema';
import { CLOUDS, FEDERATED_CREDENTIAL_NAME_MAX, leastPrivilegeRole, ROLES, serviceAccountSubject, type RoleName } from './azure';
import type { ObjectType } from './csi-driver';
import { SYSTEM_NAMESPACES } from './kubernetes';
import { workloadPodSecurity } from './workload-security';

export interface MountedObject {
  readonly name: string;
  readonly type: ObjectType;
  /** File (or, with versionHistory > 1, folder) name inside the mount. */
  readonly fileName: string;
  readonly config: KeyVaultObjectConfig;
}

/** One role assignment: a role at the vault, or at one object. */
export interface RoleGrant {
  readonly role: RoleName;
  /** `vault`, or the object (type and name) the role is scoped to. */
  readonly scope: 'vault' | { readonly type: ObjectType; readonly name: string };
}

export interface WorkloadModel {
  readonly name: string;
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly subject: string;
  /** Key of the identity this workload uses (see `EnvironmentModel.identities`). */
  readonly identityKey: string;
  readonly secretProviderClass: string;
  readonly deployment: string;
  readonly objects: readonly MountedObject[];
  readonly config: WorkloadConfig;
}

export interface FederatedCredentialModel {
  /** Azure name of the credential: unique per identity. */
  readonly name: string;
  readonly workload: string;
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly subject: string;
}

export interface IdentityModel {
  /** Stable key: the workload name, or `shared`. Used for construct ids and output keys. */
  readonly key: string;
  /** Azure resource name of the user-assigned identity. */
  readonly name: string;
  readonly workloads: readonly string[];
  readonly credentials: readonly FederatedCredentialModel[];
  readonly roles: readonly RoleGrant[];
}

export type WarningCode =
  | 'administrator-role'
  | 'rotation-disabled'
  | 'pinned-version'
  | 'env-from-synced-secret'
  | 'vault-firewall-deny'
  | 'polling-load'
  | 'pod-security'
  | 'system-namespace'
  | 'version-may-be-missing';

export interface ConfigWarning {
  readonly code: WarningCode;
  /** YAML path the warning is about. */
  readonly path: string;
  readonly message: string;
}

export interface EnvironmentModel {
  readonly name: string;
  /** cdktf stack name: `cdktf.out/stacks/<stackName>`. */
  readonly stackName: string;
  /** The environment file the model came from (as given). */
  readonly file: string;
  readonly config: EnvironmentConfig;
  /** `AzurePublicCloud` etc., as the CSI provider's `cloudName` takes it. */
  readonly csiCloudName: (typeof CLOUDS)[keyof typeof CLOUDS]['csiCloudName'];
  readonly rotationIntervalSeconds: number;
  readonly workloads: readonly WorkloadModel[];
  readonly identities: readonly IdentityModel[];
  readonly warnings: readonly ConfigWarning[];
}

/** Identity names: 3-128 letters, digits, `-` and `_`. */
export function identityName(environment: string, key: string): string {
  return `id-${environment}-${key}`;
}


/**
 * Federated credential name: `fc_<namespace>_<serviceAccount>` with `.` written as `_`.
 * Azure allows letters, digits, `-` and `_`; Kubernetes names never contain `_`, so the
 * mapping is one-to-one and two subjects never share a name (a `-` separator would let
 * `team-a`/`api` and `team`/`a-api` collide). Names over Azure's 120 characters are cut and
 * suffixed with a hash of the subject.
 */
export function federatedCredentialName(namespace: string, serviceAccount: string): string {
  const name = `fc_${namespace}_${serviceAccount.replace(/\./g, '_')}`;
  if (name.length <= FEDERATED_CREDENTIAL_NAME_MAX) return name;
  const hash = createHash('sha256').update(serviceAccountSubject(namespace, serviceAccount)).digest('hex').slice(0, 10);
  return `${name.slice(0, FEDERATED_CREDENTIAL_NAME_MAX - hash.length - 1)}-${hash}`;
}


/** Key Vault requests per second the pods of an environment cause: Σ(replicas × objects) / interval. */
export function pollingRequestsPerSecond(config: EnvironmentConfig): number {
  const r = config.cluster.secretsProvider.rotation;
  if (!r.enabled) return 0;
  const polls = config.workloads.reduce((n, w) => n + w.deployment.replicas * w.objects.length, 0);
  return polls / durationSeconds(r.interval);
}

/** Requests per second above which we warn (Key Vault throttles a vault at a few hundred per 10 s per operation type). */
export const POLLING_WARN_RPS = 10;

/** Derives the model of a validated environment. Pure: same input, same output. */
export function deriveEnvironment(name: string, file: string, config: EnvironmentConfig): EnvironmentModel {
  const shared = config.identity.mode === 'shared';
  const workloads: WorkloadModel[] = config.workloads.map((w) => {
    const serviceAccount = w.serviceAccount ?? w.name;
    return {
      name: w.name,
      namespace: w.namespace,
      serviceAccount,
      subject: serviceAccountSubject(w.namespace, serviceAccount),
      identityKey: shared ? 'shared' : w.name,
      secretProviderClass: secretProviderClassName(w.name),
      deployment: w.name,
      objects: w.objects.map((o) => ({ name: o.name, type: o.type, fileName: mountedFileName(o), config: o })),
      config: w,
    };
  });

  const keys = [...new Set(workloads.map((w) => w.identityKey))];
  const identities: IdentityModel[] = keys.map((key) => {
    const members = workloads.filter((w) => w.identityKey === key);
    return {
      key,
      name: identityName(name, key),
      workloads: members.map((w) => w.name),
      credentials: members.map((w) => ({
        name: federatedCredentialName(w.namespace, w.serviceAccount),
        workload: w.name,
        namespace: w.namespace,
        serviceAccount: w.serviceAccount,
        subject: w.subject,
      })),
      roles: rolesFor(config, members),
    };
  });

  return {
    name,
    stackName: name,
    file,
    config,
    csiCloudName: CLOUDS[config.azure.cloud].csiCloudName,
    rotationIntervalSeconds: durationSeconds(config.cluster.secretsProvider.rotation.interval),
    workloads,
    identities,
    warnings: warningsFor(config),
  };
}

function rolesFor(config: EnvironmentConfig, members: readonly WorkloadModel[]): RoleGrant[] {
  if (config.identity.role === 'administrator') {
    return [{ role: ROLES.administrator, scope: 'vault' }];
  }
  const objects = members.flatMap((w) => w.objects);
  if (config.identity.roleScope === 'vault') {
    const roles = [...new Set(objects.map((o) => leastPrivilegeRole(o.type)))].sort();
    return roles.map((role) => ({ role, scope: 'vault' as const }));
  }
  const seen = new Set<string>();
  const grants: RoleGrant[] = [];
  for (const o of objects) {
    const id = `${o.type}/${o.name}`;
    if (seen.has(id)) continue;
    seen.add(id);
    grants.push({ role: leastPrivilegeRole(o.type), scope: { type: o.type, name: o.name } });
  }
  return grants;
}

function warningsFor(config: EnvironmentConfig): ConfigWarning[] {
  const out: ConfigWarning[] = [];
  if (config.identity.role === 'administrator') {
    out.push({
      code: 'administrator-role',
      path: 'identity.role',
      message: 'Key Vault Administrator grants every data-plane operation (read, write, delete, purge); the CSI mount needs only read: prefer role "least-privilege"',
    });
  }
  const rotation = config.cluster.secretsProvider.rotation;
  if (!rotation.enabled) {
    out.push({
      code: 'rotation-disabled',
      path: 'cluster.secretsProvider.rotation.enabled',
      message: 'rotation is off: mounted files keep the version read at pod start until the pod is restarted',
    });
  }
  config.workloads.forEach((w, i) => {
    w.objects.forEach((o, j) => {
      if (o.version !== undefined) {
        out.push({
          code: 'pinned-version',
          path: `workloads[${i}].objects[${j}].version`,
          message: `object "${o.name}" is pinned to a version and is never rotated: remove version to follow the latest`,
        });
      }
    });
    out.push(...kubernetesWarnings(config, w, i));
    w.deployment.envFromSyncedSecret.forEach((e, j) => {
      out.push({
        code: 'env-from-synced-secret',
        path: `workloads[${i}].deployment.envFromSyncedSecret[${j}]`,
        message: `environment variable ${e.name} comes from synced Secret "${e.secretName}" and will not change on rotation without a pod restart${w.deployment.reloaderAnnotation ? ' (Reloader annotation set: pods restart on change)' : ': set deployment.reloaderAnnotation: true or read the mounted file'}`,
      });
    });
  });
  if (config.keyVault.mode === 'create') {
    const acls = config.keyVault.networkAcls;
    if (acls.defaultAction === 'Deny' && acls.virtualNetworkSubnetIds.length === 0) {
      out.push({
        code: 'vault-firewall-deny',
        path: 'keyVault.networkAcls.defaultAction',
        message: 'the vault firewall denies by default and no subnet is allowed: pods will get 403 ForbiddenByFirewall unless the AKS node subnet is in virtualNetworkSubnetIds or a private endpoint exists',
      });
    }
  }
  const rps = pollingRequestsPerSecond(config);
  if (rps > POLLING_WARN_RPS) {
    out.push({
      code: 'polling-load',
      path: 'cluster.secretsProvider.rotation.interval',
      message: `pods will poll the vault about ${rps.toFixed(1)} times per second (replicas × objects / interval); Key Vault throttles with HTTP 429 beyond its limits: lengthen the interval`,
    });
  }
  return out;
}

/**
 * Warnings about what Kubernetes will do with a workload: pods below the restricted Pod Security
 * level (the namespace we render enforces what they meet), a workload in kube-system, and a synced
 * Secret that reads an older version which may not exist yet.
 */
function kubernetesWarnings(config: EnvironmentConfig, w: WorkloadConfig, i: number): ConfigWarning[] {
  const out: ConfigWarning[] = [];
  const security = workloadPodSecurity(w.name, w.deployment.securityContext);
  if (security.level !== 'restricted') {
    const labelled = config.output.namespaces && !(SYSTEM_NAMESPACES as readonly string[]).includes(w.namespace);
    out.push({
      code: 'pod-security',
      path: `workloads[${i}].deployment.securityContext`,
      message: `the pods of "${w.name}" meet only the ${security.level} Pod Security Standard (${security.failed.map((c) => c.fix).join('; ')})${labelled ? `: namespace "${w.namespace}" enforces ${security.level} and warns at restricted` : ''}; restore the defaults to run restricted`,
    });
  }
  if (w.namespace === 'kube-system') {
    out.push({
      code: 'system-namespace',
      path: `workloads[${i}].namespace`,
      message: `workload "${w.name}" runs in kube-system, which AKS manages and many controllers trust: no Namespace object or Pod Security labels are rendered for it; prefer a namespace of its own`,
    });
  }
  w.secretObjects.forEach((s, j) => {
    s.data.forEach((d, k) => {
      const m = /^(.*)\/([1-9][0-9]*)$/.exec(d.objectName);
      const o = m ? w.objects.find((x) => mountedFileName(x) === m[1] && (x.versionHistory ?? 1) > Number(m[2])) : undefined;
      if (m && o) {
        out.push({
          code: 'version-may-be-missing',
          path: `workloads[${i}].secretObjects[${j}].data[${k}].objectName`,
          message: `"${d.objectName}" exists only once "${o.name}" has ${Number(m[2]) + 1} versions; until then the driver fails to sync Secret "${s.secretName}": use "${m[1]}/0" unless the older version is certain to exist`,
        });
      }
    });
  });
  return out;
}
