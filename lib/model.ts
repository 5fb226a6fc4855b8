/**
 * Every name and identifier that both sides use, derived once from a validated environment.
 *
 * The Terraform stack (federated subjects, identities, role scopes) and the chart
 * (ServiceAccounts, SecretProviderClasses, mounted file names) both read this model, so the
 * values that classic setups type twice (and let drift) exist here exactly once.
 */
import { createHash } from 'node:crypto';
import { durationSeconds } from './config/duration';
import { deliveredKeys, mountedFileName, restartsOnRotation, sharedServiceAccountNamespaces } from './config/rules';
import { additionalVaultMountPath, vaultOfObject } from './config/vault-rules';
import {
  additionalSecretProviderClassName,
  additionalVaultVolumeName,
  deliveredSecretName,
  manifestFileName,
  secretProviderClassName,
  secretStoreName,
  SHARED_SECRETS_IDENTITY_KEY,
  SHARED_SECRETS_PROVIDER_CLASS,
  sharedExternalSecretName,
  sharedSecretStoreName,
} from './naming';

export { manifestFileName, secretProviderClassName };
import type { DeliveryConfig, EnvironmentConfig, KeyVaultObjectConfig, SecretObjectConfig, SharedSecretsConfig, WorkloadConfig } from './config/schema';
import type { SecretEngine } from './delivery';
import { SECRET_SYNC_API_VERSION, SECRET_SYNC_AUDIENCE_SETTING } from './secret-sync';
import {
  AKS_DNS_PREFIX_RULE,
  aksDnsPrefixFor,
  CLOUDS,
  defaultNodeResourceGroup,
  FEDERATED_CREDENTIAL_NAME_MAX,
  keyVaultObjectKey,
  leastPrivilegeRole,
  MAX_FEDERATED_CREDENTIALS_PER_IDENTITY,
  nodeResourceGroupFor,
  AKS_NODE_RESOURCE_GROUP_MAX,
  ROLES,
  serviceAccountSubject,
  WORKLOAD_IDENTITY_AUDIENCE,
  type CloudName,
  type NamedResourceKind,
  type RoleName,
} from './azure';
import type { ObjectType } from './csi-driver';
import { SYSTEM_NAMESPACES } from './kubernetes';
import { workloadPodSecurity } from './workload-security';
import { deriveVaultNetwork, networkWarnings, type NetworkWarning, type VaultNetworkModel } from './network-model';

export interface MountedObject {
  readonly name: string;
  readonly type: ObjectType;
  /** File (or, with versionHistory > 1, folder) name inside the mount. */
  readonly fileName: string;
  /** The vault the object is in, as declared: `keyVault.name`, or one of `additionalVaults[].name`. */
  readonly vault: string;
  readonly config: KeyVaultObjectConfig;
}

/**
 * A vault a workload reads besides the environment's own (`additionalVaults`): a
 * SecretProviderClass and a CSI volume of its own, at a mount path of its own.
 */
export interface VaultMountModel {
  /** The vault, as declared in `additionalVaults[].name`. */
  readonly vault: string;
  /** `<workload>-keyvault-<vault>`. */
  readonly secretProviderClass: string;
  /** `secrets-store-<vault>`. */
  readonly volumeName: string;
  readonly mountPath: string;
  /** The workload's objects in this vault, in file order. */
  readonly objects: readonly MountedObject[];
  /** The workload's `secretObjects` whose files are in this vault (a synced Secret comes from one SecretProviderClass). */
  readonly secretObjects: readonly SecretObjectConfig[];
}

/** One role assignment: a role at the vault, or at one object. */
export interface RoleGrant {
  readonly role: RoleName;
  /** `vault`, or the object (type and name) the role is scoped to. */
  readonly scope: 'vault' | { readonly type: ObjectType; readonly name: string };
  /**
   * The vault of the grant, when it is one of `additionalVaults` (its declared name).
   * @default - the environment's vault (`keyVault`)
   */
  readonly vault?: string;
}

/** One key of a Kubernetes Secret an engine writes: a whole object, or one JSON property of it. */
export interface DeliveredKey {
  /** Key in the Secret, and file name where the pods mount the Secret. */
  readonly key: string;
  readonly object: MountedObject;
  /** The JSON field (`remoteRef.property`), for engine `external-secrets`. */
  readonly property?: string;
}

/** A Kubernetes Secret an engine writes from Key Vault objects. */
export interface DeliveredSecretModel {
  readonly name: string;
  readonly type: string;
  readonly keys: readonly DeliveredKey[];
}

export interface WorkloadModel {
  readonly name: string;
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly subject: string;
  /** Key of the identity this workload uses (see `EnvironmentModel.identities`). */
  readonly identityKey: string;
  /** The SecretProviderClass (engines `csi` and `secret-sync`; its name is derived for every engine). */
  readonly secretProviderClass: string;
  readonly deployment: string;
  /** Every object the workload reads, in every vault. */
  readonly objects: readonly MountedObject[];
  /** The objects of the environment's vault: what `secretProviderClass` mounts at `deployment.mountPath`. */
  readonly mainObjects: readonly MountedObject[];
  /** The `secretObjects` synced by `secretProviderClass`: all of them unless some come from another vault. */
  readonly mainSecretObjects: readonly SecretObjectConfig[];
  /** The other vaults the workload reads (`objects[].vault`), in `additionalVaults` order; empty for most. */
  readonly additionalMounts: readonly VaultMountModel[];
  /** Pods restart when the mounted versions change (Stakater Reloader): `restartOnRotation`, or its former name `reloaderAnnotation`. */
  readonly restartOnRotation: boolean;
  /** How the objects reach the pods (`workloads[].delivery`). */
  readonly delivery: DeliveryConfig;
  /** The Secret the engine writes with every object (engines `secret-sync` and `external-secrets`). */
  readonly deliveredSecret?: DeliveredSecretModel;
  /** The SecretStore of engine `external-secrets`. */
  readonly secretStore?: string;
  readonly config: WorkloadConfig;
}

/** One Secret delivered into several namespaces (`sharedSecrets.secrets[]`). */
export interface SharedSecretModel extends DeliveredSecretModel {
  readonly namespaces: readonly string[];
  /** The ClusterExternalSecret (engine `external-secrets`). */
  readonly clusterExternalSecret: string;
}

/** Shared secrets: one identity, one ServiceAccount name, the Secrets and where they go. */
export interface SharedSecretsModel {
  readonly engine: SecretEngine;
  /** Key of their identity in `EnvironmentModel.identities`. */
  readonly identityKey: string;
  readonly serviceAccount: string;
  /** Namespaces holding that ServiceAccount: the store's (ESO), or every target namespace (secret-sync). */
  readonly serviceAccountNamespaces: readonly string[];
  /** Every namespace a shared Secret goes to, sorted. */
  readonly namespaces: readonly string[];
  /** The ClusterSecretStore (ESO). */
  readonly clusterSecretStore: string;
  /** The SecretProviderClass in each namespace (secret-sync). */
  readonly secretProviderClass: string;
  readonly secrets: readonly SharedSecretModel[];
  readonly config: SharedSecretsConfig;
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
  /** Stable key: the workload name, or `shared`, `shared-2`, ... (see `sharedIdentityKeys`). Used for construct ids and output keys. */
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
  /** Key Vault request load at half a limit or more: added by lib/request-budget.ts across environments. */
  | 'polling-load'
  | 'dns-prefix-derived'
  | 'node-resource-group-derived'
  | 'pod-security'
  | 'system-namespace'
  | 'version-may-be-missing'
  /** A shared identity split because its workloads need more federated credentials than one identity holds. */
  | 'shared-identity-split'
  /** A field set by a name it no longer has (still read). */
  | 'former-name'
  /** An ExternalSecret (or the Sync Controller) that never refreshes: the Secret keeps its first value. */
  | 'refresh-disabled'
  /** The Secrets Store Sync Controller is experimental. */
  | 'experimental-engine'
  /** The network path between nodes and vault (lib/network-model.ts). */
  | NetworkWarning['code'];

export interface ConfigWarning {
  readonly code: WarningCode;
  /** YAML path the warning is about. */
  readonly path: string;
  readonly message: string;
}

/** The names of a cluster the stack creates, as written to `azurerm_kubernetes_cluster`. */
export interface CreatedClusterModel {
  /** `dns_prefix`: `cluster.dnsPrefix`, else the cluster name when valid, else derived from it. */
  readonly dnsPrefix: string;
  /** The node resource group AKS creates: explicit, AKS's default name, or a shortened one. */
  readonly nodeResourceGroup: string;
  /** Whether `node_resource_group` is written: when the name is not AKS's default (set in the file, or derived because the default is too long for AKS). */
  readonly writesNodeResourceGroup: boolean;
}

/** A name an environment creates in Azure, and where Azure needs it to be unique. */
export interface NameClaim {
  readonly kind: NamedResourceKind;
  readonly name: string;
  readonly cloud: CloudName;
  /** The subscription; undefined when the file leaves it to the Azure CLI login. */
  readonly subscriptionId?: string;
  /** The resource group the resource lives in (for kinds unique per resource group). */
  readonly resourceGroup?: string;
  /** YAML path of the field the name comes from. */
  readonly path: readonly (string | number)[];
  /** How to resolve a collision from this environment's file. */
  readonly fix: string;
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
  /** Objects delivered into several namespaces (`sharedSecrets`), with an identity of their own. */
  readonly sharedSecrets?: SharedSecretsModel;
  /** Names of the cluster the stack creates (mode create only). */
  readonly createdCluster?: CreatedClusterModel;
  /** The network path between the nodes and the vault (lib/network-model.ts). */
  readonly network: VaultNetworkModel;
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

/** Key of the first shared identity: `id-<env>-shared`, as before shared identities were split. */
export const SHARED_IDENTITY_KEY = 'shared';

/**
 * The shared identity of each of `count` workloads, in file order: the first
 * `MAX_FEDERATED_CREDENTIALS_PER_IDENTITY` (20) workloads use `shared`, the next 20 `shared-2`,
 * and so on, so the identities are the fewest that hold one federated credential per workload
 * (each workload has its own ServiceAccount: a schema rule).
 *
 * Stable under appending: the key of workload `i` depends on `i` alone, so a workload added at
 * the end never moves an existing one to another identity (which would change its client id and
 * replace its federated credential). Removing or reordering workloads does move the ones after
 * the change; the `shared-identity-split` warning says so.
 */
export function sharedIdentityKeys(count: number, capacity: number = MAX_FEDERATED_CREDENTIALS_PER_IDENTITY): string[] {
  return Array.from({ length: count }, (_, i) => {
    const n = Math.floor(i / capacity) + 1;
    return n === 1 ? SHARED_IDENTITY_KEY : `${SHARED_IDENTITY_KEY}-${n}`;
  });
}

/** Derives the model of a validated environment. Pure: same input, same output. */
export function deriveEnvironment(name: string, file: string, config: EnvironmentConfig): EnvironmentModel {
  const shared = config.identity.mode === 'shared';
  const sharedKeys = sharedIdentityKeys(config.workloads.length);
  const workloads: WorkloadModel[] = config.workloads.map((w, i) => {
    const serviceAccount = w.serviceAccount ?? w.name;
    const objects = w.objects.map((o) => mountedObjectOf(o, vaultOfObject(config, o) ?? config.keyVault.name));
    const engine = w.delivery.engine;
    return {
      name: w.name,
      namespace: w.namespace,
      serviceAccount,
      subject: serviceAccountSubject(w.namespace, serviceAccount),
      identityKey: shared ? sharedKeys[i] : w.name,
      secretProviderClass: secretProviderClassName(w.name),
      deployment: w.name,
      objects,
      mainObjects: objects.filter((o) => o.vault === config.keyVault.name),
      mainSecretObjects: w.secretObjects.filter((x) => (secretObjectVault(x, objects) ?? config.keyVault.name) === config.keyVault.name),
      additionalMounts: additionalMountsOf(config, w, objects),
      restartOnRotation: restartsOnRotation(w.deployment),
      delivery: w.delivery,
      ...(engine !== 'csi' ? { deliveredSecret: { name: deliveredSecretName(w.name), type: 'Opaque', keys: keysOf(objects) } } : {}),
      ...(engine === 'external-secrets' ? { secretStore: secretStoreName(w.name) } : {}),
      config: w,
    };
  });
  const sharedSecrets = config.sharedSecrets !== undefined ? sharedSecretsOf(name, config.sharedSecrets, config.keyVault.name) : undefined;

  const keys = [...new Set(workloads.map((w) => w.identityKey))];
  // Every identity a shared identity is split into gets the roles of all its workloads: "shared"
  // keeps meaning that each workload may read what any of them mounts.
  const sharedRoles = shared
    ? rolesFor(
        config,
        workloads.flatMap((w) => w.objects),
      )
    : undefined;
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
      roles:
        sharedRoles ??
        rolesFor(
          config,
          members.flatMap((w) => w.objects),
        ),
    };
  });
  if (sharedSecrets !== undefined) identities.push(sharedSecretsIdentity(name, config, sharedSecrets));

  const createdCluster = createdClusterOf(config);
  const network = deriveVaultNetwork(config);
  return {
    name,
    stackName: name,
    file,
    config,
    csiCloudName: CLOUDS[config.azure.cloud].csiCloudName,
    rotationIntervalSeconds: durationSeconds(config.cluster.secretsProvider.rotation.interval),
    workloads,
    identities,
    ...(sharedSecrets !== undefined ? { sharedSecrets } : {}),
    ...(createdCluster !== undefined ? { createdCluster } : {}),
    network,
    warnings: [
      ...warningsFor(config),
      ...clusterNameWarnings(config, createdCluster),
      ...sharedSplitWarnings(
        name,
        identities.filter((i) => i.key !== SHARED_SECRETS_IDENTITY_KEY),
        shared,
      ),
      ...networkWarnings(config, network),
    ],
  };
}

/** Says that a shared identity was split, which workloads each part holds, and what moves them. */
function sharedSplitWarnings(environment: string, identities: readonly IdentityModel[], shared: boolean): ConfigWarning[] {
  if (!shared || identities.length < 2) return [];
  const parts = identities.map((i) => `${i.name} (${i.workloads[0]}${i.workloads.length > 1 ? ` to ${i.workloads[i.workloads.length - 1]}` : ''})`);
  return [
    {
      code: 'shared-identity-split',
      path: 'identity.mode',
      message: `the ${identities.reduce((n, i) => n + i.credentials.length, 0)} workloads of environment ${environment} need one federated credential each and an identity holds ${MAX_FEDERATED_CREDENTIALS_PER_IDENTITY}, so the shared identity is split into ${identities.length}, each with the same roles: ${parts.join(', ')}; add workloads at the end of the list: removing or reordering one moves the workloads after it to another identity (a new client id, picked up at the next render)`,
    },
  ];
}

function mountedObjectOf(o: KeyVaultObjectConfig, vault: string): MountedObject {
  return { name: o.name, type: o.type, fileName: mountedFileName(o), vault, config: o };
}

/** One mount per additional vault the workload reads, in `additionalVaults` order. */
function additionalMountsOf(config: EnvironmentConfig, w: WorkloadConfig, objects: readonly MountedObject[]): VaultMountModel[] {
  return (config.additionalVaults ?? []).flatMap((v) => {
    const here = objects.filter((o) => o.vault === v.name);
    if (here.length === 0) return [];
    return [
      {
        vault: v.name,
        secretProviderClass: additionalSecretProviderClassName(w.name, v.name),
        volumeName: additionalVaultVolumeName(v.name),
        mountPath: additionalVaultMountPath(v),
        objects: here,
        secretObjects: w.secretObjects.filter((x) => secretObjectVault(x, objects) === v.name),
      },
    ];
  });
}

/**
 * The vault a synced Secret's files come from: that of the object mounted as its first key's
 * file (`<file>` or `<file>/<n>`); the schema keeps every key of one Secret in one vault. A key
 * naming no mounted file (refused by the schema) falls to the environment's vault.
 */
function secretObjectVault(x: SecretObjectConfig, objects: readonly MountedObject[]): string | undefined {
  const file = x.data[0]?.objectName.replace(/\/[0-9]+$/, '');
  return objects.find((o) => o.fileName === file)?.vault;
}

/** The keys objects become in a Secret: one per JSON property, else the file name. */
function keysOf(objects: readonly MountedObject[]): DeliveredKey[] {
  return objects.flatMap((object) =>
    object.config.properties !== undefined
      ? object.config.properties.map((p) => ({ key: p.key, object, property: p.property }))
      : deliveredKeys(object.config).map((key) => ({ key, object })),
  );
}

function sharedSecretsOf(environment: string, config: SharedSecretsConfig, mainVault: string): SharedSecretsModel {
  return {
    engine: config.engine,
    identityKey: SHARED_SECRETS_IDENTITY_KEY,
    serviceAccount: config.serviceAccount,
    serviceAccountNamespaces: sharedServiceAccountNamespaces(config),
    namespaces: [...new Set(config.secrets.flatMap((x) => x.namespaces))].sort(),
    clusterSecretStore: sharedSecretStoreName(environment),
    secretProviderClass: SHARED_SECRETS_PROVIDER_CLASS,
    secrets: config.secrets.map((x) => ({
      name: x.secretName,
      type: x.type,
      keys: keysOf(x.objects.map((o) => mountedObjectOf(o, mainVault))),
      namespaces: [...x.namespaces],
      clusterExternalSecret: sharedExternalSecretName(environment, x.secretName),
    })),
    config,
  };
}

/**
 * The identity of the shared secrets: federated with their ServiceAccount in each namespace it
 * is in, granted read on exactly their objects.
 */
function sharedSecretsIdentity(environment: string, config: EnvironmentConfig, shared: SharedSecretsModel): IdentityModel {
  return {
    key: shared.identityKey,
    name: identityName(environment, shared.identityKey),
    workloads: [],
    credentials: shared.serviceAccountNamespaces.map((ns) => ({
      name: federatedCredentialName(ns, shared.serviceAccount),
      workload: `${shared.identityKey}-${ns}`,
      namespace: ns,
      serviceAccount: shared.serviceAccount,
      subject: serviceAccountSubject(ns, shared.serviceAccount),
    })),
    roles: rolesFor(
      config,
      shared.secrets.flatMap((x) => x.keys.map((k) => k.object)),
    ),
  };
}

function createdClusterOf(config: EnvironmentConfig): CreatedClusterModel | undefined {
  const c = config.cluster;
  if (c.mode !== 'create') return undefined;
  const nodeResourceGroup = c.nodeResourceGroup ?? nodeResourceGroupFor(config.azure.resourceGroup.name, c.name, config.azure.location);
  return {
    dnsPrefix: c.dnsPrefix ?? aksDnsPrefixFor(c.name),
    nodeResourceGroup,
    writesNodeResourceGroup: nodeResourceGroup !== defaultNodeResourceGroup(config.azure.resourceGroup.name, c.name, config.azure.location),
  };
}

/** Says which cluster names the stack derived because Azure would refuse the defaults. */
function clusterNameWarnings(config: EnvironmentConfig, cluster: CreatedClusterModel | undefined): ConfigWarning[] {
  const c = config.cluster;
  if (cluster === undefined || c.mode !== 'create') return [];
  const out: ConfigWarning[] = [];
  if (c.dnsPrefix === undefined && cluster.dnsPrefix !== c.name) {
    out.push({
      code: 'dns-prefix-derived',
      path: 'cluster.name',
      message: `cluster name "${c.name}" is not a valid AKS DNS prefix (${AKS_DNS_PREFIX_RULE.fix.replace(/^use /, '')}), so the cluster gets dns_prefix "${cluster.dnsPrefix}": set cluster.dnsPrefix to choose another`,
    });
  }
  const aksDefault = defaultNodeResourceGroup(config.azure.resourceGroup.name, c.name, config.azure.location);
  if (c.nodeResourceGroup === undefined && cluster.nodeResourceGroup !== aksDefault) {
    out.push({
      code: 'node-resource-group-derived',
      path: 'cluster.nodeResourceGroup',
      message: `AKS would name the node resource group "${aksDefault}" (${aksDefault.length} characters) but refuses names over ${AKS_NODE_RESOURCE_GROUP_MAX}, so the cluster gets node_resource_group "${cluster.nodeResourceGroup}": set cluster.nodeResourceGroup to choose another`,
    });
  }
  return out;
}

/**
 * The names an environment creates in Azure, each with where Azure needs it to be unique. Names
 * of what the environment only reads (an existing vault, cluster or resource group) are not
 * claims: environments may share those.
 */
export function createdNames(model: EnvironmentModel): NameClaim[] {
  const { azure, cluster, keyVault } = model.config;
  const where = { cloud: azure.cloud, ...(azure.subscriptionId !== undefined ? { subscriptionId: azure.subscriptionId } : {}) };
  const group = azure.resourceGroup.name;
  const out: NameClaim[] = [];
  if (azure.resourceGroup.create) {
    out.push({
      kind: 'resource group',
      name: group,
      ...where,
      path: ['azure', 'resourceGroup', 'name'],
      fix: 'give each environment its own group, or set azure.resourceGroup.create: false in one of them to share it',
    });
  }
  if (cluster.mode === 'create' && model.createdCluster !== undefined) {
    out.push({
      kind: 'AKS cluster',
      name: cluster.name,
      ...where,
      resourceGroup: group,
      path: ['cluster', 'name'],
      fix: 'give each environment its own cluster name, or set cluster.mode: existing in one of them to share the cluster',
    });
    // The node resource group: AKS creates it, so it is never shared.
    out.push({
      kind: 'resource group',
      name: model.createdCluster.nodeResourceGroup,
      ...where,
      path: cluster.nodeResourceGroup !== undefined ? ['cluster', 'nodeResourceGroup'] : ['cluster', 'name'],
      fix: 'set cluster.nodeResourceGroup to a name of its own (AKS creates the node resource group and refuses an existing one)',
    });
  }
  if (keyVault.mode === 'create') {
    out.push({
      kind: 'Key Vault',
      name: keyVault.name,
      ...where,
      path: ['keyVault', 'name'],
      fix: 'give each environment its own vault name, or set keyVault.mode: existing in one of them to share the vault',
    });
  }
  (model.config.additionalVaults ?? []).forEach((v, k) => {
    if (v.mode !== 'create') return;
    out.push({
      kind: 'Key Vault',
      name: v.name,
      ...where,
      path: ['additionalVaults', k, 'name'],
      fix: 'give each environment its own vault name, or set mode: existing in all but one of them to share the vault',
    });
  });
  out.push(...networkNames(model, where));
  for (const identity of model.identities) {
    const index = model.config.workloads.findIndex((w) => w.name === identity.key);
    const shared = identity.key === model.sharedSecrets?.identityKey;
    out.push({
      kind: 'user-assigned identity',
      name: identity.name,
      ...where,
      resourceGroup: group,
      path: index >= 0 ? ['workloads', index, 'name'] : shared ? ['sharedSecrets'] : ['identity', 'mode'],
      fix: 'rename the workload (identities are named id-<environment>-<workload>), or give each environment its own resource group',
    });
  }
  return out;
}

/** What the network path and the monitoring create in the environment's resource group. */
function networkNames(model: EnvironmentModel, where: Pick<NameClaim, 'cloud' | 'subscriptionId'>): NameClaim[] {
  const group = model.config.azure.resourceGroup.name;
  const out: NameClaim[] = [];
  const cluster = model.network.cluster;
  if (cluster?.controlPlaneIdentityName !== undefined) {
    out.push({
      kind: 'user-assigned identity',
      name: cluster.controlPlaneIdentityName,
      ...where,
      resourceGroup: group,
      path: ['cluster', 'name'],
      fix: 'give each environment its own cluster name (the control-plane identity is named after it), or its own resource group',
    });
  }
  if (cluster?.mode === 'create') {
    out.push({
      kind: 'virtual network',
      name: cluster.virtualNetworkName,
      ...where,
      resourceGroup: group,
      path: ['cluster', 'network'],
      fix: 'give each environment its own cluster name (the VNet is named after it), or its own resource group',
    });
  }
  if (model.network.privateEndpoint?.dnsZone.mode === 'create') {
    out.push({
      kind: 'private DNS zone',
      name: model.network.privateEndpoint.dnsZone.name,
      ...where,
      resourceGroup: group,
      path: ['keyVault', 'privateEndpoint', 'dnsZone'],
      fix: 'create the zone in one environment and use it from the others (dnsZone: { mode: existing, id }), or give each environment its own resource group',
    });
  }
  const la = model.config.logAnalytics;
  if (la?.mode === 'create') {
    out.push({
      kind: 'Log Analytics workspace',
      name: la.name,
      ...where,
      resourceGroup: group,
      path: ['logAnalytics', 'name'],
      fix: 'give each environment its own workspace name, or use one workspace from the others (logAnalytics: { mode: existing, id })',
    });
  }
  return out;
}

/**
 * The grants that let an identity read `objects`: per vault it reads (the environment's first,
 * then `additionalVaults` in file order), and nothing on a vault it does not read.
 */
function rolesFor(config: EnvironmentConfig, objects: readonly MountedObject[]): RoleGrant[] {
  const main = config.keyVault.name;
  const vaults = [main, ...(config.additionalVaults ?? []).map((v) => v.name)];
  return vaults.flatMap((vault) => {
    const here = objects.filter((o) => o.vault === vault);
    // The environment's vault keeps its grants even without objects (as before several vaults).
    if (here.length === 0 && (vault !== main || objects.length > 0)) return [];
    const grants = rolesInVault(config, here);
    return vault === main ? grants : grants.map((g) => ({ ...g, vault }));
  });
}

function rolesInVault(config: EnvironmentConfig, objects: readonly MountedObject[]): RoleGrant[] {
  if (config.identity.role === 'administrator') {
    return [{ role: ROLES.administrator, scope: 'vault' }];
  }
  if (config.identity.roleScope === 'vault') {
    const roles = [...new Set(objects.map((o) => leastPrivilegeRole(o.type)))].sort();
    return roles.map((role) => ({ role, scope: 'vault' as const }));
  }
  // Key Vault object names are case-insensitive: `DB-Password` and `db-password` are one scope,
  // and a second assignment there would fail with 409 RoleAssignmentExists.
  const seen = new Set<string>();
  const grants: RoleGrant[] = [];
  for (const o of objects) {
    const id = keyVaultObjectKey(o);
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
      message:
        'Key Vault Administrator grants every data-plane operation (read, write, delete, purge); the CSI mount needs only read: prefer role "least-privilege"',
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
        message: `environment variable ${e.name} comes from synced Secret "${e.secretName}" and will not change on rotation without a pod restart${restartsOnRotation(w.deployment) ? ' (restartOnRotation set: Reloader restarts the pods on change)' : ': set deployment.restartOnRotation: true or read the mounted file'}`,
      });
    });
    if (w.deployment.reloaderAnnotation !== undefined) {
      out.push({
        code: 'former-name',
        path: `workloads[${i}].deployment.reloaderAnnotation`,
        message: 'reloaderAnnotation is the former name of restartOnRotation (still read): rename it to restartOnRotation',
      });
    }
  });
  out.push(...engineWarnings(config));
  return out;
}

/** Engines that never refresh, and the experimental one. */
function engineWarnings(config: EnvironmentConfig): ConfigWarning[] {
  const out: ConfigWarning[] = [];
  const never = (path: string, what: string): ConfigWarning => ({
    code: 'refresh-disabled',
    path,
    message: `${what} is read once and never refreshed: a new version in Key Vault never reaches the Secret; set a refreshInterval such as "1h"`,
  });
  config.workloads.forEach((w, i) => {
    if (w.delivery.engine === 'external-secrets' && durationSeconds(w.delivery.refreshInterval) === 0) {
      out.push(never(`workloads[${i}].delivery.refreshInterval`, `the ExternalSecret of "${w.name}"`));
    }
  });
  const shared = config.sharedSecrets;
  if (shared?.engine === 'external-secrets' && durationSeconds(shared.refreshInterval) === 0) {
    out.push(never('sharedSecrets.refreshInterval', 'every shared secret'));
  }
  const syncUsers = [
    ...config.workloads.flatMap((w, i) => (w.delivery.engine === 'secret-sync' ? [`workloads[${i}].delivery.engine`] : [])),
    ...(shared?.engine === 'secret-sync' ? ['sharedSecrets.engine'] : []),
  ];
  if (syncUsers.length > 0) {
    out.push({
      code: 'experimental-engine',
      path: syncUsers[0],
      message: `the Secrets Store Sync Controller (${SECRET_SYNC_API_VERSION}, v0.0.4) is experimental and not an AKS add-on: install it yourself, with ${SECRET_SYNC_AUDIENCE_SETTING} ${WORKLOAD_IDENTITY_AUDIENCE} and the Azure provider as its provider container`,
    });
    if (durationSeconds(config.engines.secretSync.rotationPollInterval) === 0) {
      out.push({
        code: 'refresh-disabled',
        path: 'engines.secretSync.rotationPollInterval',
        message:
          'the Secrets Store Sync Controller polls never ("0s"): its Secrets change only when a SecretSync or SecretProviderClass changes, so a new version in Key Vault never arrives on its own',
      });
    }
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
