/**
 * Rules that span several fields of an environment file. Each returns one violation with the
 * YAML path it concerns and one message saying what to do; the schema turns them into issues.
 */
import {
  deliveredSecretName,
  manifestFileName,
  secretProviderClassName,
  secretStoreName,
  SHARED_SECRETS_IDENTITY_KEY,
  SHARED_SECRETS_PROVIDER_CLASS,
} from '../naming';
import type { EnvironmentConfig, KeyVaultObjectConfig } from './schema';
import { keyVaultObjectKey, MAX_FEDERATED_CREDENTIALS_PER_IDENTITY } from '../azure';
import { filesWritten, SECRET_OBJECT_FILE_RULE } from '../csi-driver';
import { unsupportedField, type DeliveryEngine, type EngineField } from '../delivery';
import { SECRET_SYNC_KEY_RULE } from '../secret-sync';
import { POSTURE_RULES, probePortsDeclared } from './posture-rules';
import { additionalSecretProviderClasses, vaultOfObject, vaultRules } from './vault-rules';
import {
  annotationsSize,
  ANNOTATIONS_SIZE_RULE,
  ARGOCD_SYNC_WAVE_ANNOTATION,
  ENV_VAR_NAMES_UNIQUE_RULE,
  firstRepeat,
  PORT_NAMES_UNIQUE_RULE,
  PORT_NUMBERS_UNIQUE_RULE,
  RELOADER_SECRET_ANNOTATION,
  RELOADER_SPC_ANNOTATION,
  SECRET_KEY_RULE,
} from '../kubernetes';

export interface RuleViolation {
  readonly path: readonly (string | number)[];
  readonly message: string;
  readonly received?: unknown;
}

/** The mounted file name of an object: its alias, else its name. */
export function mountedFileName(o: { readonly name: string; readonly alias?: string | undefined }): string {
  return o.alias ?? o.name;
}

/**
 * The keys an object becomes in a Kubernetes Secret (engines `secret-sync` and
 * `external-secrets`): one per JSON property, else its mounted file name. The same names are the
 * files under the mount path, whichever engine delivers them.
 */
export function deliveredKeys(o: Pick<KeyVaultObjectConfig, 'name' | 'alias' | 'properties'>): string[] {
  return o.properties !== undefined ? o.properties.map((p) => p.key) : [mountedFileName(o)];
}

/** A rule over the whole environment. */
type EnvironmentRule = (env: EnvironmentConfig) => RuleViolation[];

/** One workload, and where the environment first uses what must be unique across workloads. */
interface WorkloadScope {
  readonly env: EnvironmentConfig;
  readonly w: WorkloadInput;
  /** The workload's index in `workloads`. */
  readonly i: number;
  readonly firstUse: FirstUses;
}

/** The YAML path of a field of the deployment of `workloads[i]`. */
function deploymentPath(i: number, ...rest: (string | number)[]): (string | number)[] {
  return ['workloads', i, 'deployment', ...rest];
}

/** A rule over one workload. */
type WorkloadRule = (scope: WorkloadScope) => RuleViolation[];

/** The rules run on each workload, in the order their violations are reported. */
const WORKLOAD_RULES: readonly WorkloadRule[] = [
  // Identity: one name and one ServiceAccount per workload
  workloadNameUnique,
  serviceAccountUnique,
  // Objects and files
  mountedFileNamesDistinct,
  noSubPathMount,
  // Delivery engine: what it can deliver, and under which keys
  engineSupportsObjects,
  deliveredKeysValid,
  // Synced Secrets
  syncedSecretsConsistent,
  // Environment variables
  environmentVariablesUnique,
  // Kubernetes
  portsUnique,
  annotationsFit,
  // Production posture (lib/config/posture-rules.ts)
  ({ w, i }) => probePortsDeclared(w, i),
];

/** Every rule that spans fields, in the order their violations are reported. */
const ENVIRONMENT_RULES: readonly EnvironmentRule[] = [
  clusterTrustsWorkloadIdentity,
  reloaderHasGitOpsTool,
  managedPrometheusOnCreatedCluster,
  fleetPathInFleet,
  eachWorkload(WORKLOAD_RULES),
  renderedFileNamesDistinct,
  // Shared secrets and the Secrets every engine writes
  sharedSecretsConsistent,
  secretNamesUnique,
  // Azure (the single-field rules are in the schema, from lib/azure.ts)
  caseOnlyObjectNames,
  nodeResourceGroupIsNew,
  // Several vaults (lib/config/vault-rules.ts)
  vaultRules,
  // Production posture: network, private vault, hardening and the reasons for relaxing it
  ...POSTURE_RULES,
];

/** Every violation of the rules that span fields; the schema turns each into an issue. */
export function environmentRules(env: EnvironmentConfig): RuleViolation[] {
  return ENVIRONMENT_RULES.flatMap((rule) => rule(env));
}

/** Runs `rules` on each workload in turn. */
function eachWorkload(rules: readonly WorkloadRule[]): EnvironmentRule {
  return (env) => {
    const firstUse = firstUses(env);
    return env.workloads.flatMap((w, i) => rules.flatMap((rule) => rule({ env, w, i, firstUse })));
  };
}

// ---------------------------------------------------------------------------------------------
// Identity: the cluster issues tokens, each workload has its own name and ServiceAccount

/** Workload Identity and the OIDC issuer: set on a new cluster, promised for an existing one. */
function clusterTrustsWorkloadIdentity(env: EnvironmentConfig): RuleViolation[] {
  const out: RuleViolation[] = [];
  const c = env.cluster;
  if (c.mode === 'create') {
    if (!c.workloadIdentity) {
      out.push({
        path: ['cluster', 'workloadIdentity'],
        received: false,
        message: 'secrets are delivered through Workload Identity: set cluster.workloadIdentity: true',
      });
    } else if (!c.oidcIssuer) {
      out.push({
        path: ['cluster', 'oidcIssuer'],
        received: false,
        message: 'Workload Identity needs the OIDC issuer (Azure rejects it only at apply time): set cluster.oidcIssuer: true',
      });
    }
  } else {
    const rg = c.resourceGroup ?? env.azure.resourceGroup.name;
    const fix = `run "az aks update -g ${rg} -n ${c.name} --enable-oidc-issuer --enable-workload-identity", then set`;
    if (!c.oidcIssuer) {
      out.push({
        path: ['cluster', 'oidcIssuer'],
        received: false,
        message: `existing cluster "${c.name}" cannot be trusted to have the OIDC issuer: ${fix} cluster.oidcIssuer: true`,
      });
    }
    if (!c.workloadIdentity) {
      out.push({
        path: ['cluster', 'workloadIdentity'],
        received: false,
        message: `existing cluster "${c.name}" cannot be trusted to have Workload Identity: ${fix} cluster.workloadIdentity: true`,
      });
    }
  }
  return out;
}

/** Reloader is installed through the GitOps tool of output.gitops: without one there is nothing to render it for. */
function reloaderHasGitOpsTool(env: EnvironmentConfig): RuleViolation[] {
  if (env.output.reloader === undefined || env.output.gitops !== undefined) return [];
  return [
    {
      path: ['output', 'reloader'],
      message:
        'Reloader is installed through the GitOps tool of output.gitops (an Argo CD Application or a Flux HelmRelease): set output.gitops, or remove output.reloader and install Reloader with its CSI integration another way',
    },
  ];
}

/**
 * Azure Monitor managed Prometheus is switched on in the cluster resource (`monitor_metrics`) and
 * bound to it by a data collection rule association: only a cluster this stack creates.
 */
function managedPrometheusOnCreatedCluster(env: EnvironmentConfig): RuleViolation[] {
  if (env.monitoring?.prometheus !== 'azure-managed' || env.cluster.mode === 'create') return [];
  return [
    {
      path: ['monitoring', 'prometheus'],
      received: 'azure-managed',
      message: `managed Prometheus is turned on in the cluster resource, and existing cluster "${env.cluster.name}" is not managed by this stack: enable it where the cluster is managed (az aks update --enable-azure-monitor-metrics) and use prometheus "operator" for a Prometheus in the cluster, or remove monitoring`,
    },
  ];
}

/** output.gitops.fleetPath places the Flux fleet folder: it means nothing for an environment outside the fleet. */
function fleetPathInFleet(env: EnvironmentConfig): RuleViolation[] {
  const gitops = env.output.gitops;
  if (gitops?.tool !== 'flux' || gitops.fleetPath === undefined || gitops.fleet) return [];
  return [
    {
      path: ['output', 'gitops', 'fleetPath'],
      message: 'fleetPath places the fleet folder, and this environment is not in the fleet: set output.gitops.fleet: true, or remove fleetPath',
      received: gitops.fleetPath,
    },
  ];
}

/** Where the environment first uses each workload name, ServiceAccount and synced Secret. */
interface FirstUses {
  /** Index of the first workload with a name. */
  readonly names: ReadonlyMap<string, number>;
  /** Index of the first workload of a ServiceAccount (`namespace/name`). */
  readonly serviceAccounts: ReadonlyMap<string, number>;
  /** First workload and `secretObjects` entry that syncs a Secret (`namespace/secretName`). */
  readonly syncedSecrets: ReadonlyMap<string, { readonly i: number; readonly j: number }>;
}

function firstUses(env: EnvironmentConfig): FirstUses {
  const syncedSecrets = new Map<string, { i: number; j: number }>();
  env.workloads.forEach((w, i) =>
    w.secretObjects.forEach((s, j) => {
      const key = syncedSecretKey(w, s.secretName);
      if (!syncedSecrets.has(key)) syncedSecrets.set(key, { i, j });
    }),
  );
  return { names: firstIndexBy(env.workloads, (w) => w.name), serviceAccounts: firstIndexBy(env.workloads, serviceAccountKey), syncedSecrets };
}

/** The index where each key first occurs in `items`. */
function firstIndexBy<T>(items: readonly T[], key: (item: T) => string): Map<string, number> {
  const first = new Map<string, number>();
  items.forEach((item, index) => {
    const k = key(item);
    if (!first.has(k)) first.set(k, index);
  });
  return first;
}

/** `namespace/name` of the ServiceAccount a workload runs as. */
function serviceAccountKey(w: WorkloadInput): string {
  return `${w.namespace}/${w.serviceAccount ?? w.name}`;
}

function syncedSecretKey(w: WorkloadInput, secretName: string): string {
  return `${w.namespace}/${secretName}`;
}

function workloadNameUnique({ w, i, firstUse }: WorkloadScope): RuleViolation[] {
  const first = firstUse.names.get(w.name)!;
  if (first === i) return [];
  return [{ path: ['workloads', i, 'name'], received: w.name, message: `workload name already used by workloads[${first}]: give each workload its own name` }];
}

function serviceAccountUnique({ w, i, firstUse }: WorkloadScope): RuleViolation[] {
  const sa = serviceAccountKey(w);
  const first = firstUse.serviceAccounts.get(sa)!;
  if (first === i) return [];
  return [
    {
      path: ['workloads', i, 'serviceAccount'],
      received: w.serviceAccount ?? w.name,
      message: `ServiceAccount ${sa} is already used by workloads[${first}]; one ServiceAccount can carry only one client id: give this workload its own serviceAccount`,
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// Objects and the files they are mounted as

/** Mounted file name → index of the first object mounted as it. */
function mountedFiles(objects: WorkloadInput['objects']): Map<string, number> {
  return firstIndexBy(objects, mountedFileName);
}

function mountedFileNamesDistinct({ w, i }: WorkloadScope): RuleViolation[] {
  return keysDistinct(w.objects, ['workloads', i, 'objects'], (seen) => `file name already mounted by objects[${seen}]: set a distinct alias`);
}

/** The YAML path (below the object) of the field that names delivered key `k` of an object. */
function keyField(o: KeyVaultObjectConfig, k: number): (string | number)[] {
  return o.properties !== undefined ? ['properties', k, 'key'] : [o.alias !== undefined ? 'alias' : 'name'];
}

/** Each delivered key (file name, or JSON property key) once among `objects`. */
function keysDistinct(objects: readonly KeyVaultObjectConfig[], at: readonly (string | number)[], message: (seen: number) => string): RuleViolation[] {
  const first = new Map<string, number>();
  const out: RuleViolation[] = [];
  objects.forEach((o, j) =>
    deliveredKeys(o).forEach((key, k) => {
      const seen = first.get(key);
      if (seen === undefined) first.set(key, j);
      else out.push({ path: [...at, j, ...keyField(o, k)], received: key, message: message(seen) });
    }),
  );
  return out;
}

function noSubPathMount({ w, i }: WorkloadScope): RuleViolation[] {
  if (w.deployment.subPath === undefined) return [];
  const volume = w.delivery.engine === 'csi' ? 'CSI secrets volume' : 'Secret volume (the kubelet never updates it)';
  return [
    {
      path: deploymentPath(i, 'subPath'),
      received: w.deployment.subPath,
      message: `a subPath mount of a ${volume} is never rotated: remove subPath and read the file under mountPath`,
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// Delivery engines: what each can deliver, and the keys of the Secrets they write

/** Fields of `objects` the engine would ignore or reject (lib/delivery.ts). */
function objectEngineProblems(engine: DeliveryEngine, objects: readonly KeyVaultObjectConfig[], at: readonly (string | number)[]): RuleViolation[] {
  const out: RuleViolation[] = [];
  objects.forEach((o, j) => {
    const fields: [EngineField, unknown][] = [
      ['versionHistory', o.versionHistory],
      ['format', o.format],
      ['encoding', o.encoding],
      ['properties', o.properties],
    ];
    for (const [field, value] of fields) {
      const why = value === undefined ? undefined : unsupportedField(engine, field, value);
      if (why !== undefined) out.push({ path: [...at, j, field], received: value, message: why });
    }
  });
  return out;
}

function engineSupportsObjects({ w, i }: WorkloadScope): RuleViolation[] {
  return objectEngineProblems(w.delivery.engine, w.objects, ['workloads', i, 'objects']);
}

/**
 * Keys of a Secret an engine writes: valid Secret keys (the API server refuses the Secret
 * otherwise), and for the Sync Controller what its CRD accepts as a sourcePath and targetKey.
 */
function secretKeyProblems(engine: DeliveryEngine, objects: readonly KeyVaultObjectConfig[], at: readonly (string | number)[]): RuleViolation[] {
  if (engine === 'csi') return [];
  const rules = engine === 'secret-sync' ? [SECRET_KEY_RULE, SECRET_SYNC_KEY_RULE] : [SECRET_KEY_RULE];
  const out: RuleViolation[] = [];
  objects.forEach((o, j) =>
    deliveredKeys(o).forEach((key, k) => {
      const broken = rules.find((r) => !r.test(key));
      if (broken !== undefined)
        out.push({
          path: [...at, j, ...keyField(o, k)],
          received: key,
          message: `${broken.fix} (it is a key of the Kubernetes Secret the ${engine} engine writes)`,
        });
    }),
  );
  return out;
}

function deliveredKeysValid({ w, i }: WorkloadScope): RuleViolation[] {
  return secretKeyProblems(w.delivery.engine, w.objects, ['workloads', i, 'objects']);
}

/**
 * A `kubernetes.io/tls` Secret written by ESO from a `cert` object would hold the DER
 * certificate (lib/external-secrets.ts ESO_VALUE_OF_TYPE): the PEM parts come from the
 * certificate's secret.
 */
function esoTlsObjectProblem(engine: DeliveryEngine, type: string, o: KeyVaultObjectConfig | undefined): string | undefined {
  if (engine !== 'external-secrets' || type !== 'kubernetes.io/tls' || o?.type !== 'cert') return undefined;
  return `the External Secrets Operator reads cert "${o.name}" as the DER certificate, and a TLS Secret holds PEM: deliver the certificate's secret instead (type "secret", same name: its PEM holds the chain and the key, which the ExternalSecret's template splits into tls.crt and tls.key)`;
}

// ---------------------------------------------------------------------------------------------
// Shared secrets

function sharedSecretsConsistent(env: EnvironmentConfig): RuleViolation[] {
  const shared = env.sharedSecrets;
  if (shared === undefined) return [];
  const out: RuleViolation[] = [];
  env.workloads.forEach((w, i) => {
    if (w.name === SHARED_SECRETS_IDENTITY_KEY) {
      out.push({
        path: ['workloads', i, 'name'],
        received: w.name,
        message: `the shared secrets' identity is id-<environment>-${SHARED_SECRETS_IDENTITY_KEY}, which this workload's identity would be too: rename the workload`,
      });
    }
  });
  const names = firstIndexBy(shared.secrets, (x) => x.secretName);
  shared.secrets.forEach((x, j) => {
    const at = ['sharedSecrets', 'secrets', j];
    if (names.get(x.secretName) !== j) {
      out.push({
        path: [...at, 'secretName'],
        received: x.secretName,
        message: `already a shared secret of sharedSecrets.secrets[${names.get(x.secretName)!}]: give each its own secretName`,
      });
    }
    const namespaces = firstIndexBy(x.namespaces, (n) => n);
    x.namespaces.forEach((n, k) => {
      if (namespaces.get(n) !== k) out.push({ path: [...at, 'namespaces', k], received: n, message: 'namespace listed twice: list it once' });
    });
    out.push(...objectEngineProblems(shared.engine, x.objects, [...at, 'objects']));
    out.push(...secretKeyProblems(shared.engine, x.objects, [...at, 'objects']));
    out.push(...keysDistinct(x.objects, [...at, 'objects'], (seen) => `key already delivered by objects[${seen}]: set a distinct alias`));
    x.objects.forEach((o, k) => {
      if (o.filePermission !== undefined) {
        out.push({
          path: [...at, 'objects', k, 'filePermission'],
          received: o.filePermission,
          message: 'shared secrets are Kubernetes Secrets that this project does not mount: remove filePermission (set the mode where a pod mounts the Secret)',
        });
      }
      const tls = esoTlsObjectProblem(shared.engine, x.type, o);
      if (tls !== undefined) out.push({ path: [...at, 'objects', k, 'type'], received: o.type, message: tls });
    });
  });
  out.push(...sharedServiceAccountProblems(env, shared));
  return out;
}

/** The namespaces that hold the shared secrets' ServiceAccount: the store's (ESO), or every target namespace (secret-sync). */
export function sharedServiceAccountNamespaces(shared: NonNullable<EnvironmentConfig['sharedSecrets']>): string[] {
  return shared.engine === 'external-secrets' ? [shared.namespace] : [...new Set(shared.secrets.flatMap((x) => x.namespaces))].sort();
}

/** The shared ServiceAccount is no workload's, and one identity can federate every namespace it is in. */
function sharedServiceAccountProblems(env: EnvironmentConfig, shared: NonNullable<EnvironmentConfig['sharedSecrets']>): RuleViolation[] {
  const out: RuleViolation[] = [];
  const namespaces = sharedServiceAccountNamespaces(shared);
  const workloadSas = firstIndexBy(env.workloads, serviceAccountKey);
  for (const ns of namespaces) {
    const i = workloadSas.get(`${ns}/${shared.serviceAccount}`);
    if (i !== undefined) {
      out.push({
        path: ['sharedSecrets', 'serviceAccount'],
        received: shared.serviceAccount,
        message: `ServiceAccount ${ns}/${shared.serviceAccount} is workloads[${i}]'s; one ServiceAccount can carry only one client id: give the shared secrets another serviceAccount`,
      });
    }
  }
  if (namespaces.length > MAX_FEDERATED_CREDENTIALS_PER_IDENTITY) {
    out.push({
      path: ['sharedSecrets', 'engine'],
      received: shared.engine,
      message: `the secret-sync engine needs a federated credential in each of the ${namespaces.length} namespaces; Azure allows ${MAX_FEDERATED_CREDENTIALS_PER_IDENTITY} per identity: use engine "external-secrets" (one ServiceAccount) or fewer namespaces`,
    });
  }
  return out;
}

/** A Secret to be written, and what writes it. */
interface WrittenSecret {
  readonly namespace: string;
  readonly name: string;
  readonly path: readonly (string | number)[];
  readonly by: string;
  readonly fromSecretObjects: boolean;
}

/**
 * Each Kubernetes Secret written once per namespace: the engines would otherwise overwrite each
 * other's Secret (or refuse to adopt it). Two `secretObjects` of one name are reported by
 * `syncedSecretsConsistent`.
 */
function secretNamesUnique(env: EnvironmentConfig): RuleViolation[] {
  const written: WrittenSecret[] = [];
  env.workloads.forEach((w, i) => {
    w.secretObjects.forEach((x, j) =>
      written.push({
        namespace: w.namespace,
        name: x.secretName,
        path: ['workloads', i, 'secretObjects', j, 'secretName'],
        by: `workload "${w.name}" (secretObjects)`,
        fromSecretObjects: true,
      }),
    );
    if (w.delivery.engine !== 'csi') {
      written.push({
        namespace: w.namespace,
        name: deliveredSecretName(w.name),
        path: ['workloads', i, 'name'],
        by: `workload "${w.name}" (its ${w.delivery.engine} Secret)`,
        fromSecretObjects: false,
      });
    }
  });
  env.sharedSecrets?.secrets.forEach((x, j) =>
    x.namespaces.forEach((ns) =>
      written.push({ namespace: ns, name: x.secretName, path: ['sharedSecrets', 'secrets', j, 'secretName'], by: 'sharedSecrets', fromSecretObjects: false }),
    ),
  );
  const first = new Map<string, WrittenSecret>();
  const out: RuleViolation[] = [];
  for (const s of written) {
    const key = `${s.namespace}/${s.name}`;
    const seen = first.get(key);
    if (seen === undefined) {
      first.set(key, s);
    } else if (!(seen.fromSecretObjects && s.fromSecretObjects) && seen.path.join('.') !== s.path.join('.')) {
      out.push({ path: s.path, received: s.name, message: `Secret ${key} is already written by ${seen.by}: use another name` });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Synced Secrets

/** Each Secret synced once in its namespace, from files the mount holds, under distinct keys. */
function syncedSecretsConsistent({ env, w, i, firstUse }: WorkloadScope): RuleViolation[] {
  const out: RuleViolation[] = [];
  const files = mountedFiles(w.objects);
  w.secretObjects.forEach((s, j) => {
    const first = firstUse.syncedSecrets.get(syncedSecretKey(w, s.secretName))!;
    if (first.i !== i || first.j !== j) {
      out.push({
        path: ['workloads', i, 'secretObjects', j, 'secretName'],
        received: s.secretName,
        message: `Secret ${w.namespace}/${s.secretName} is already synced by workload "${env.workloads[first.i].name}": use another secretName`,
      });
    }
    const keys = new Set<string>();
    s.data.forEach((d, k) => {
      const problem = w.delivery.engine === 'csi' ? syncedFileProblem(d.objectName, w.objects, files) : deliveredKeyProblem(d.objectName, w);
      if (problem !== undefined) {
        out.push({ path: ['workloads', i, 'secretObjects', j, 'data', k, 'objectName'], received: d.objectName, message: problem });
      }
      const tls = esoTlsObjectProblem(
        w.delivery.engine,
        s.type,
        w.objects.find((o) => deliveredKeys(o).includes(d.objectName)),
      );
      if (tls !== undefined) out.push({ path: ['workloads', i, 'secretObjects', j, 'data', k, 'objectName'], received: d.objectName, message: tls });
      if (keys.has(d.key)) {
        out.push({
          path: ['workloads', i, 'secretObjects', j, 'data', k, 'key'],
          received: d.key,
          message: 'key already used in this Secret: use distinct keys',
        });
      }
      keys.add(d.key);
    });
  });
  return out;
}

// ---------------------------------------------------------------------------------------------
// Environment variables

/**
 * The keys of each Secret the workload syncs (the last `secretObjects` entry of a name wins), and
 * of the Secret its engine delivers the objects in (`secret-sync`, `external-secrets`).
 */
export function syncedSecretKeys(w: WorkloadInput): Map<string, Set<string>> {
  const out = new Map(w.secretObjects.map((s) => [s.secretName, new Set(s.data.map((d) => d.key))]));
  if (w.delivery.engine !== 'csi') out.set(deliveredSecretName(w.name), new Set(w.objects.flatMap(deliveredKeys)));
  return out;
}

/** For the engines that write a Secret: why `objectName` of a `secretObjects` entry names no delivered key, or undefined. */
function deliveredKeyProblem(objectName: string, w: WorkloadInput): string | undefined {
  const keys = w.objects.flatMap(deliveredKeys);
  if (keys.includes(objectName)) return undefined;
  return `objectName must be a key the ${w.delivery.engine} engine delivers (an object's alias, else its name, or a JSON property's key): one of ${keys.map((k) => JSON.stringify(k)).join(', ')}`;
}

/** Each variable set once, and read from a Secret and key the workload syncs. */
function environmentVariablesUnique({ w, i }: WorkloadScope): RuleViolation[] {
  const out: RuleViolation[] = [];
  const envNames = new Map<string, string>();
  w.deployment.env.forEach((e, j) => {
    const first = envNames.get(e.name);
    if (first !== undefined) {
      out.push({
        path: deploymentPath(i, 'env', j, 'name'),
        received: e.name,
        message: `environment variable already set by ${first}: ${ENV_VAR_NAMES_UNIQUE_RULE.fix}`,
      });
    } else {
      envNames.set(e.name, `deployment.env[${j}]`);
    }
  });
  const secretKeys = syncedSecretKeys(w);
  w.deployment.envFromSyncedSecret.forEach((e, j) => {
    const keys = secretKeys.get(e.secretName);
    if (keys === undefined) {
      out.push({
        path: deploymentPath(i, 'envFromSyncedSecret', j, 'secretName'),
        received: e.secretName,
        message:
          w.delivery.engine === 'csi'
            ? 'not a Secret this workload syncs: add it under secretObjects, or use a secretName listed there'
            : `not a Secret this workload's engine writes: use "${deliveredSecretName(w.name)}" (every object) or a secretName under secretObjects`,
      });
    } else if (!keys.has(e.key)) {
      out.push({
        path: deploymentPath(i, 'envFromSyncedSecret', j, 'key'),
        received: e.key,
        message: `Secret "${e.secretName}" has no such key: use one of ${[...keys].map((k) => JSON.stringify(k)).join(', ')}`,
      });
    }
    const first = envNames.get(e.name);
    if (first !== undefined) {
      out.push({
        path: deploymentPath(i, 'envFromSyncedSecret', j, 'name'),
        received: e.name,
        message: `environment variable already set by ${first}: use one or the other`,
      });
    } else {
      envNames.set(e.name, `deployment.envFromSyncedSecret[${j}]`);
    }
  });
  return out;
}

// ---------------------------------------------------------------------------------------------
// Rendered file names

/**
 * Rendered file names join kind, namespace and name with "-", so two different objects can
 * meet at one name (namespace a + workload b-c, namespace a-b + workload c).
 */
function renderedFileNamesDistinct(env: EnvironmentConfig): RuleViolation[] {
  const out: RuleViolation[] = [];
  const files = new Map<string, { where: string; object: string }>();
  const add = (kind: string, namespace: string, name: string, where: string, path: readonly (string | number)[], received: string, fix: string) => {
    const file = manifestFileName(kind, namespace, name);
    const object = `${kind} ${namespace}/${name}`;
    const first = files.get(file);
    if (first !== undefined && first.object !== object) {
      out.push({ path, received, message: `${object} would be rendered to ${file}, as ${first.object} of ${first.where} is: ${fix}` });
    } else if (first === undefined) {
      files.set(file, { where, object });
    }
  };
  env.workloads.forEach((w, i) => {
    for (const [kind, name] of [...workloadObjects(w), ...additionalSecretProviderClasses(env, w).map((n): [string, string] => ['SecretProviderClass', n])]) {
      add(kind, w.namespace, name, `workloads[${i}]`, ['workloads', i, 'name'], w.name, 'rename this workload or its namespace');
    }
  });
  const shared = env.sharedSecrets;
  if (shared !== undefined) {
    for (const ns of sharedServiceAccountNamespaces(shared)) {
      add(
        'ServiceAccount',
        ns,
        shared.serviceAccount,
        'sharedSecrets',
        ['sharedSecrets', 'serviceAccount'],
        shared.serviceAccount,
        'rename sharedSecrets.serviceAccount',
      );
    }
    if (shared.engine === 'secret-sync') {
      shared.secrets.forEach((x, j) =>
        x.namespaces.forEach((ns) => {
          const path = ['sharedSecrets', 'secrets', j, 'secretName'];
          add('SecretProviderClass', ns, SHARED_SECRETS_PROVIDER_CLASS, 'sharedSecrets', path, x.secretName, 'rename the shared secret or the namespace');
          add('SecretSync', ns, x.secretName, 'sharedSecrets', path, x.secretName, 'rename the shared secret');
        }),
      );
    }
  }
  return out;
}

/** The namespaced objects rendered for a workload, by kind and name (charts/environment-chart.ts). */
function workloadObjects(w: WorkloadInput): [string, string][] {
  const sa = w.serviceAccount ?? w.name;
  const base: [string, string][] = [
    ['ServiceAccount', sa],
    ['Deployment', w.name],
  ];
  const secrets = [deliveredSecretName(w.name), ...w.secretObjects.map((x) => x.secretName)];
  switch (w.delivery.engine) {
    case 'csi':
      return [...base, ['SecretProviderClass', secretProviderClassName(w.name)]];
    case 'secret-sync':
      return [...base, ['SecretProviderClass', secretProviderClassName(w.name)], ...secrets.map((n): [string, string] => ['SecretSync', n])];
    case 'external-secrets':
      return [...base, ['SecretStore', secretStoreName(w.name)], ...secrets.map((n): [string, string] => ['ExternalSecret', n])];
  }
}

// ---------------------------------------------------------------------------------------------
// Azure rules that span fields (the single-field ones are in the schema, from lib/azure.ts)

/**
 * Key Vault object names are case-insensitive: two objects of one workload whose names differ
 * only in case are one object. Mounting one object twice is fine when written the same way;
 * written two ways it reads as two secrets that will hold the same value.
 */
function caseOnlyObjectNames(env: EnvironmentConfig): RuleViolation[] {
  const out: RuleViolation[] = [];
  env.workloads.forEach((w, i) => {
    const first = new Map<string, number>();
    w.objects.forEach((o, j) => {
      // One object per vault: the same name in two vaults is two objects.
      const key = `${vaultOfObject(env, o)?.toLowerCase() ?? ''}/${keyVaultObjectKey(o)}`;
      const k = first.get(key);
      if (k === undefined) {
        first.set(key, j);
      } else if (w.objects[k].name !== o.name) {
        out.push({
          path: ['workloads', i, 'objects', j, 'name'],
          received: o.name,
          message: `Key Vault object names are case-insensitive, so this is ${o.type} "${w.objects[k].name}" of objects[${k}] again: write its name the same way to mount it twice, or name another object`,
        });
      }
    });
  });
  return out;
}

/**
 * AKS creates the node resource group itself and refuses one that exists.
 * @see https://learn.microsoft.com/azure/aks/faq#can-i-provide-my-own-name-for-the-aks-node-resource-group
 */
function nodeResourceGroupIsNew(env: EnvironmentConfig): RuleViolation[] {
  const c = env.cluster;
  if (c.mode !== 'create' || c.nodeResourceGroup === undefined) return [];
  const others: [string, string | undefined][] = [
    ['azure.resourceGroup.name', env.azure.resourceGroup.name],
    ['keyVault.resourceGroup', env.keyVault.mode === 'existing' ? env.keyVault.resourceGroup : undefined],
    ['state.resourceGroup', env.state.backend === 'azurerm' ? env.state.resourceGroup : undefined],
  ];
  const taken = others.find(([, name]) => name !== undefined && name.toLowerCase() === c.nodeResourceGroup!.toLowerCase());
  if (taken === undefined) return [];
  return [
    {
      path: ['cluster', 'nodeResourceGroup'],
      received: c.nodeResourceGroup,
      message: `${taken[0]} names this group too; AKS creates the node resource group itself and refuses an existing one: use a name of its own`,
    },
  ];
}

type WorkloadInput = EnvironmentConfig['workloads'][number];

/**
 * Why `objectName` of a synced Secret names no file the mount holds, or undefined. With a version
 * history above 1 the provider writes `<alias>/0` ... `<alias>/<n-1>` and no `<alias>`.
 */
function syncedFileProblem(objectName: string, objects: WorkloadInput['objects'], files: ReadonlyMap<string, number>): string | undefined {
  const written = new Set(objects.flatMap((o) => filesWritten(mountedFileName(o), o.versionHistory)));
  if (SECRET_OBJECT_FILE_RULE.test({ objectName, files: written })) return undefined;
  const j = files.get(objectName) ?? files.get(objectName.replace(/\/[^/]*$/, ''));
  const versioned = j !== undefined ? objects[j] : undefined;
  if (versioned?.versionHistory !== undefined && versioned.versionHistory > 1) {
    const file = mountedFileName(versioned);
    return `objects[${j}] keeps versionHistory ${versioned.versionHistory}, so the provider writes "${file}/0" to "${file}/${versioned.versionHistory - 1}" and no "${file}" file: use "${file}/0" (the current version)`;
  }
  return `objectName must be a file the mount holds (the alias when one is set): one of ${[...written].map((f) => JSON.stringify(f)).join(', ')}`;
}

/** Whether the workload's pods restart on rotation: `restartOnRotation`, or its former name `reloaderAnnotation`. */
export function restartsOnRotation(d: Pick<WorkloadInput['deployment'], 'restartOnRotation' | 'reloaderAnnotation'>): boolean {
  return d.restartOnRotation || d.reloaderAnnotation === true;
}

/**
 * The annotations a workload's Deployment carries: the user's, and those we add (Reloader, the
 * Argo CD sync wave). Kept in step with charts/secrets-store-deployment.ts and
 * charts/environment-chart.ts by the rendered-object tests.
 */
export function deploymentAnnotations(env: EnvironmentConfig, w: WorkloadInput, spcName: string): Record<string, string> {
  const out: Record<string, string> = { ...w.deployment.annotations };
  if (restartsOnRotation(w.deployment)) {
    // Without a CSI mount there is no SecretProviderClass to watch: the pods read the delivered Secret.
    const csi = w.delivery.engine === 'csi';
    if (csi) out[RELOADER_SPC_ANNOTATION] = spcName;
    const secrets = [...new Set([...(csi ? [] : [deliveredSecretName(w.name)]), ...w.deployment.envFromSyncedSecret.map((e) => e.secretName)])].sort();
    if (secrets.length > 0) out[RELOADER_SECRET_ANNOTATION] = secrets.join(',');
  }
  // charts/environment-chart.ts SYNC_WAVES: a Deployment mounting a delivered Secret comes after what writes it.
  if (env.output.gitops?.tool === 'argocd') out[ARGOCD_SYNC_WAVE_ANNOTATION] = w.delivery.engine === 'csi' ? '0' : '1';
  return out;
}

// ---------------------------------------------------------------------------------------------
// Kubernetes rules on one workload that span fields

/** Port names, and containerPort with protocol, each listed once. */
function portsUnique({ w, i }: WorkloadScope): RuleViolation[] {
  const out: RuleViolation[] = [];
  const d = w.deployment;
  if (!PORT_NAMES_UNIQUE_RULE.test(d.ports)) {
    const r = firstRepeat(d.ports, (p) => p.name)!;
    out.push({
      path: deploymentPath(i, 'ports', r.index, 'name'),
      received: d.ports[r.index].name,
      message: `port name already used by ports[${r.first}]: ${PORT_NAMES_UNIQUE_RULE.fix}`,
    });
  }
  if (!PORT_NUMBERS_UNIQUE_RULE.test(d.ports)) {
    const r = firstRepeat(d.ports, (p) => `${p.containerPort}/${p.protocol}`)!;
    const p = d.ports[r.index];
    out.push({
      path: deploymentPath(i, 'ports', r.index, 'containerPort'),
      received: p.containerPort,
      message: `${p.containerPort}/${p.protocol} is already listed by ports[${r.first}]: ${PORT_NUMBERS_UNIQUE_RULE.fix} (server-side apply refuses a repeated containerPort and protocol)`,
    });
  }
  return out;
}

/** Annotations within the API server's size limit, and none of the keys we set. */
function annotationsFit({ env, w, i }: WorkloadScope): RuleViolation[] {
  const out: RuleViolation[] = [];
  const d = w.deployment;
  if (env.output.gitops?.tool === 'argocd' && ARGOCD_SYNC_WAVE_ANNOTATION in d.annotations) {
    out.push({
      path: deploymentPath(i, 'annotations', ARGOCD_SYNC_WAVE_ANNOTATION),
      received: d.annotations[ARGOCD_SYNC_WAVE_ANNOTATION],
      message: 'the Argo CD sync waves are ours (the Deployment syncs after its SecretProviderClass): remove this annotation',
    });
  }
  const annotations = deploymentAnnotations(env, w, [secretProviderClassName(w.name), ...additionalSecretProviderClasses(env, w)].join(','));
  if (!ANNOTATIONS_SIZE_RULE.test(annotations)) {
    out.push({
      path: deploymentPath(i, 'annotations'),
      message: `the Deployment's annotations come to ${annotationsSize(annotations)} bytes: ${ANNOTATIONS_SIZE_RULE.fix}`,
    });
  }
  w.secretObjects.forEach((s, j) => {
    if (s.annotations !== undefined && !ANNOTATIONS_SIZE_RULE.test(s.annotations)) {
      out.push({
        path: ['workloads', i, 'secretObjects', j, 'annotations'],
        message: `the Secret's annotations come to ${annotationsSize(s.annotations)} bytes: ${ANNOTATIONS_SIZE_RULE.fix}`,
      });
    }
  });
  return out;
}
