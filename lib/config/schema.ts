/**
 * The environment file schema: one YAML file per environment under `environments/`.
 *
 * This is the single source of truth for what a user may write. Every default is resolved
 * here (once, with zod `.default`), so the Terraform stack and the chart read resolved values
 * and never apply a default of their own. The committed JSON Schema
 * (`environments/environment.schema.json`) is generated from this file.
 */
import { z } from 'zod';
import { durationSeconds, GO_DURATION } from './duration';
import { environmentRules } from './rules';
import { AKS_NAME, CLOUD_NAMES, GUID, KEY_VAULT_NAME, KEY_VAULT_OBJECT_NAME, RESOURCE_GROUP_NAME } from '../azure';
import { BLOB_NAME_RULE, STORAGE_ACCOUNT_NAME_RULE, STORAGE_CONTAINER_NAME_RULE, SUBNET_ID_RULE } from '../azure';
import type { Rule } from '../rule';
import { BACKEND_LITERAL_RULE } from '../terraform';
import { STATE_PATH_RULES } from './state-path';
import { MOUNT_FILE_NAME, OBJECT_TYPES, SYNCED_SECRET_TYPES } from '../csi-driver';
import { DNS1123_LABEL, DNS1123_SUBDOMAIN, ENV_VAR_NAME } from '../kubernetes';

/** Environment names become stack names, folder names and parts of Azure resource names. */
export const ENVIRONMENT_NAME = /^[a-z][a-z0-9-]{0,22}[a-z0-9]$/;

const text = (what: string) => z.string({ error: `expected ${what} (a string)` }).min(1, `${what} must not be empty`);

const pattern = (re: RegExp, rule: string) =>
  z.string({ error: `expected a string: ${rule}` }).regex(re, { error: rule });

const goDuration = z
  .string({ error: 'expected a Go duration such as "30s", "2m" or "1h30m"' })
  .regex(GO_DURATION, { error: 'use a Go duration such as "30s", "2m" or "1h30m" (units ns, us, ms, s, m, h)' });

/** A duration that must be longer than zero (an interval). */
const positiveGoDuration = goDuration.refine((v) => !GO_DURATION.test(v) || durationSeconds(v) > 0, { error: 'use an interval longer than zero, such as "30s" or "2m"' });

const tags = z.record(z.string(), z.string({ error: 'tag values must be strings (quote numbers and booleans)' }));

const ResourceGroup = z.strictObject({
  /** Resource group name. */
  name: pattern(RESOURCE_GROUP_NAME, 'use 1-90 letters, digits, "_", "-", ".", "(" or ")", not ending in "."'),
  /** Create the group (true) or use an existing one by name (false). @default true */
  create: z.boolean().default(true),
});

const Azure = z.strictObject({
  /** Azure region, e.g. `westeurope`. */
  location: pattern(/^[a-z][a-z0-9]+$/, 'use an Azure region name in lower case without spaces, e.g. "westeurope"'),
  resourceGroup: ResourceGroup,
  /** Subscription to deploy to. @default - the subscription of the Azure CLI login */
  subscriptionId: pattern(GUID, 'use a GUID such as 00000000-0000-0000-0000-000000000000').optional(),
  /** Sovereign cloud. @default public */
  cloud: z.enum(CLOUD_NAMES).default('public'),
  /** Tags put on every Azure resource the stack creates. @default {} */
  tags: tags.default({}),
});

const Rotation = z.strictObject({
  /** Poll Key Vault for new versions and update mounted files. @default true */
  enabled: z.boolean().default(true),
  /** How often the driver polls (the add-on's `secret_rotation_interval`, a Go duration). @default 2m */
  interval: positiveGoDuration.default('2m'),
});

const SecretsProvider = z.strictObject({
  rotation: Rotation.default({ enabled: true, interval: '2m' }),
});

const NodePool = z.strictObject({
  /** @default Standard_D2s_v5 */
  vmSize: pattern(/^[A-Za-z0-9_]+$/, 'use an Azure VM size such as "Standard_D2s_v5"').default('Standard_D2s_v5'),
  /** @default 2 */
  nodeCount: z.number().int('use a whole number of nodes').min(1, 'use at least 1 node').max(1000, 'use at most 1000 nodes').default(2),
});

const clusterCommon = {
  /** AKS cluster name. */
  name: pattern(AKS_NAME, 'use 1-63 letters, digits, "_" or "-", starting and ending with a letter or digit'),
  /** The secrets-provider add-on and its rotation. */
  secretsProvider: SecretsProvider.default({ rotation: { enabled: true, interval: '2m' } }),
};

const NewCluster = z.strictObject({
  /** Create a new AKS cluster (default) or reference an existing one. @default create */
  mode: z.literal('create').default('create'),
  ...clusterCommon,
  /** Kubernetes version. @default - the AKS default for the region */
  kubernetesVersion: pattern(/^\d+\.\d+(\.\d+)?$/, 'use a version such as "1.32" or "1.32.4"').optional(),
  /** DNS prefix of the API server. @default - the cluster name */
  dnsPrefix: pattern(/^[a-zA-Z][-a-zA-Z0-9]{0,52}[a-zA-Z0-9]$/, 'use 2-54 letters, digits or hyphens, starting with a letter').optional(),
  systemNodePool: NodePool.default({ vmSize: 'Standard_D2s_v5', nodeCount: 2 }),
  /** @default azure */
  networkPlugin: z.enum(['azure', 'kubenet', 'none']).default('azure'),
  /** OIDC issuer (needed by Workload Identity). @default true */
  oidcIssuer: z.boolean().default(true),
  /** Azure Workload Identity (needs the OIDC issuer). @default true */
  workloadIdentity: z.boolean().default(true),
});

const ExistingCluster = z.strictObject({
  mode: z.literal('existing'),
  ...clusterCommon,
  /** Resource group of the existing cluster. @default - azure.resourceGroup.name */
  resourceGroup: pattern(RESOURCE_GROUP_NAME, 'use an Azure resource group name').optional(),
  /**
   * What you assert about the existing cluster; Terraform re-checks it at plan time
   * (a postcondition on the data source). Must be true: Workload Identity needs it.
   */
  oidcIssuer: z.boolean({ error: 'state whether the existing cluster has the OIDC issuer on (true or false)' }),
  workloadIdentity: z.boolean({ error: 'state whether the existing cluster has Workload Identity on (true or false)' }),
});

/** A missing `mode` means "create", so the minimal file stays minimal. */
const Cluster = z.discriminatedUnion('mode', [NewCluster, ExistingCluster], { error: 'use mode "create" or "existing"' });

const NetworkAcls = z.strictObject({
  /** @default Allow */
  defaultAction: z.enum(['Allow', 'Deny']).default('Allow'),
  /** @default AzureServices */
  bypass: z.enum(['AzureServices', 'None']).default('AzureServices'),
  /** Public IPs or CIDR ranges allowed through. @default [] */
  ipRules: z.array(pattern(/^\d{1,3}(\.\d{1,3}){3}(\/\d{1,2})?$/, 'use an IPv4 address or CIDR such as "203.0.113.0/24"')).default([]),
  /** Subnet resource ids allowed through (the AKS node subnet when defaultAction is Deny). @default [] */
  virtualNetworkSubnetIds: z
    .array(pattern(SUBNET_ID_RULE.pattern, SUBNET_ID_RULE.fix))
    .default([]),
});

const keyVaultCommon = {
  /** Vault name: globally unique DNS name. */
  name: pattern(KEY_VAULT_NAME, 'use 3-24 letters, digits or hyphens, starting with a letter, ending with a letter or digit, without "--"'),
};

const NewKeyVault = z.strictObject({
  /** Create a new vault (default) or reference an existing one. @default create */
  mode: z.literal('create').default('create'),
  ...keyVaultCommon,
  /** @default standard */
  sku: z.enum(['standard', 'premium']).default('standard'),
  /** Purge protection; cannot be turned off once on. @default true */
  purgeProtection: z.boolean().default(true),
  /** Soft-delete retention, set once at creation. @default 90 */
  softDeleteRetentionDays: z.number().int('use a whole number of days').min(7, 'use 7 to 90 days').max(90, 'use 7 to 90 days').default(90),
  /** @default true */
  publicNetworkAccess: z.boolean().default(true),
  networkAcls: NetworkAcls.default({ defaultAction: 'Allow', bypass: 'AzureServices', ipRules: [], virtualNetworkSubnetIds: [] }),
});

const ExistingKeyVault = z.strictObject({
  mode: z.literal('existing'),
  ...keyVaultCommon,
  /** Resource group of the existing vault. @default - azure.resourceGroup.name */
  resourceGroup: pattern(RESOURCE_GROUP_NAME, 'use an Azure resource group name').optional(),
});

const KeyVault = z.discriminatedUnion('mode', [NewKeyVault, ExistingKeyVault], { error: 'use mode "create" or "existing"' });

const KeyVaultObject = z
  .strictObject({
    /** Name of the secret, key or certificate in Key Vault. */
    name: pattern(KEY_VAULT_OBJECT_NAME, 'use 1-127 letters, digits or hyphens (map to another file name with alias)'),
    /** `secret`, `key` or `cert` (cert gives the public certificate only; use secret for the private key). */
    type: z.enum(OBJECT_TYPES, { error: 'use "secret", "key" or "cert" (lower case)' }),
    /** File name in the mount. @default - the object name */
    alias: pattern(MOUNT_FILE_NAME, 'use a file name: no "/", not "." or "..", at most 255 characters').optional(),
    /** Pin a version (never rotated). @default - latest, rotated */
    version: pattern(/^[0-9a-fA-F]{32}$/, 'use a 32-character hexadecimal Key Vault version id').optional(),
    /** `pem` or `pfx` (pfx only for type secret). @default - provider default (pem) */
    format: z.enum(['pem', 'pfx']).optional(),
    /** `utf-8`, `hex` or `base64` (only for type secret). @default - provider default (utf-8) */
    encoding: z.enum(['utf-8', 'hex', 'base64']).optional(),
    /** Octal file mode. @default - provider default (0644) */
    filePermission: pattern(/^0?[0-7]{3}$/, 'use an octal mode such as "0440"').optional(),
    /** Versions to mount as `<alias>/<n>` files. @default - 1 (current version only) */
    versionHistory: z.number().int('use a whole number').min(1, 'use 1 or more').max(100, 'use at most 100').optional(),
  })
  .superRefine((o, ctx) => {
    if (o.format === 'pfx' && o.type !== 'secret') {
      ctx.addIssue({ code: 'custom', path: ['format'], message: 'format "pfx" is only for type "secret" (the certificate with its private key)' });
    }
    if (o.encoding !== undefined && o.type !== 'secret') {
      ctx.addIssue({ code: 'custom', path: ['encoding'], message: 'encoding applies only to type "secret"; remove it' });
    }
  });

const SecretObjectData = z.strictObject({
  /** The mounted file name (the object's alias when set, else its name). */
  objectName: text('objectName'),
  /** Key in the Kubernetes Secret. */
  key: pattern(/^[-._a-zA-Z0-9]+$/, 'use letters, digits, "-", "_" or "." for a Secret key'),
});

const SecretObject = z
  .strictObject({
    secretName: pattern(DNS1123_SUBDOMAIN, 'use a DNS-1123 name: lower-case letters, digits, "-" and "."'),
    /** Secret type; required (the driver silently skips an entry without one). */
    type: z.enum(SYNCED_SECRET_TYPES, {
      error: 'use a Secret type such as "Opaque" or "kubernetes.io/tls" (required: the driver skips entries without it)',
    }),
    data: z.array(SecretObjectData).min(1, 'list at least one { objectName, key }'),
    labels: z.record(z.string(), z.string()).optional(),
    annotations: z.record(z.string(), z.string()).optional(),
  })
  .superRefine((s, ctx) => {
    if (s.type === 'kubernetes.io/tls') {
      s.data.forEach((d, i) => {
        if (d.key !== 'tls.crt' && d.key !== 'tls.key') {
          ctx.addIssue({ code: 'custom', path: ['data', i, 'key'], message: 'a kubernetes.io/tls Secret takes only the keys "tls.crt" and "tls.key"' });
        }
      });
      for (const key of ['tls.crt', 'tls.key']) {
        if (!s.data.some((d) => d.key === key)) {
          ctx.addIssue({ code: 'custom', path: ['data'], message: `a kubernetes.io/tls Secret needs both "tls.crt" and "tls.key": add { objectName, key: "${key}" } (Kubernetes rejects it otherwise and the sync fails at mount time)` });
        }
      }
    }
  });

const EnvVar = z.strictObject({
  name: pattern(ENV_VAR_NAME, 'use letters, digits and "_", not starting with a digit'),
  value: z.string({ error: 'expected a string value (quote numbers and booleans)' }),
});

const EnvFromSyncedSecret = z.strictObject({
  name: pattern(ENV_VAR_NAME, 'use letters, digits and "_", not starting with a digit'),
  /** A `secretObjects[].secretName` of this workload. */
  secretName: pattern(DNS1123_SUBDOMAIN, 'use the secretName of one of this workload\'s secretObjects'),
  key: text('key'),
});

/**
 * The Deployment defaults, in one place: the schema applies them, and the chart's constructs
 * fall back to the same values when used as a library without a config file.
 */
export const DEPLOYMENT_DEFAULTS = {
  replicas: 2,
  mountPath: '/mnt/secrets-store',
  workloadIdentityLabel: true,
  reloaderAnnotation: false,
  /** Small requests and limits (not cdk8s-plus's 1000m/512Mi); no CPU limit (throttling) by default. */
  resources: { cpuRequest: '50m', memoryRequest: '64Mi', memoryLimit: '128Mi' },
  /** The restricted Pod Security Standard. */
  securityContext: {
    runAsNonRoot: true,
    runAsUser: 10001,
    runAsGroup: 10001,
    readOnlyRootFilesystem: true,
    allowPrivilegeEscalation: false,
    dropCapabilities: ['ALL'],
    seccompProfile: 'RuntimeDefault',
  },
} as const;

const Resources = z.strictObject({
  cpuRequest: pattern(/^\d+(\.\d+)?m?$/, 'use CPU units such as "50m" or "0.5"').default(DEPLOYMENT_DEFAULTS.resources.cpuRequest),
  cpuLimit: pattern(/^\d+(\.\d+)?m?$/, 'use CPU units such as "500m" or "1"').optional(),
  memoryRequest: pattern(/^\d+(Ki|Mi|Gi)$/, 'use memory such as "64Mi"').default(DEPLOYMENT_DEFAULTS.resources.memoryRequest),
  memoryLimit: pattern(/^\d+(Ki|Mi|Gi)$/, 'use memory such as "128Mi"').default(DEPLOYMENT_DEFAULTS.resources.memoryLimit),
});

const SecurityContext = z.strictObject({
  /** @default true */
  runAsNonRoot: z.boolean().default(true),
  /** @default 10001 */
  runAsUser: z.number({ error: 'use a numeric user id (0 or more; non-zero with runAsNonRoot)' }).int({ error: 'use a whole-number user id' }).min(0, { error: 'use a user id of 0 or more' }).default(DEPLOYMENT_DEFAULTS.securityContext.runAsUser),
  /** @default 10001 */
  runAsGroup: z.number({ error: 'use a numeric group id (0 or more)' }).int({ error: 'use a whole-number group id' }).min(0, { error: 'use a group id of 0 or more' }).default(DEPLOYMENT_DEFAULTS.securityContext.runAsGroup),
  /** @default true */
  readOnlyRootFilesystem: z.boolean().default(true),
  /** @default false */
  allowPrivilegeEscalation: z.boolean().default(false),
  /** Capabilities dropped. @default ["ALL"] */
  dropCapabilities: z.array(z.string()).default(['ALL']),
  /** @default RuntimeDefault */
  seccompProfile: z.enum(['RuntimeDefault', 'Unconfined']).default('RuntimeDefault'),
});

const Port = z.strictObject({
  containerPort: z.number().int().min(1, 'use a port from 1 to 65535').max(65535, 'use a port from 1 to 65535'),
  name: pattern(/^[a-z0-9]([-a-z0-9]{0,13}[a-z0-9])?$/, 'use at most 15 lower-case letters, digits or "-"').optional(),
  protocol: z.enum(['TCP', 'UDP']).default('TCP'),
});

const Deployment = z.strictObject({
  image: pattern(/^[^\s]+$/, 'use an image reference such as "ghcr.io/org/app:1.2.3" (no spaces)'),
  command: z.array(z.string()).optional(),
  args: z.array(z.string()).optional(),
  ports: z.array(Port).default([]),
  env: z.array(EnvVar).default([]),
  /**
   * Environment variables from a synced Kubernetes Secret. Opt-in only: they never change
   * without a pod restart (files in the mount do).
   * @default []
   */
  envFromSyncedSecret: z.array(EnvFromSyncedSecret).default([]),
  /** Annotate for Stakater Reloader so pods restart when mounted versions change. @default false */
  reloaderAnnotation: z.boolean().default(DEPLOYMENT_DEFAULTS.reloaderAnnotation),
  /** @default 2 */
  replicas: z
    .number({ error: 'use a whole number of replicas from 0 to 1000' })
    .int({ error: 'use a whole number of replicas from 0 to 1000' })
    .min(0, { error: 'use a whole number of replicas from 0 to 1000' })
    .max(1000, { error: 'use a whole number of replicas from 0 to 1000' })
    .default(DEPLOYMENT_DEFAULTS.replicas),
  /** Where the secrets are mounted. @default /mnt/secrets-store */
  mountPath: pattern(/^\/[^\0]*$/, 'use an absolute path such as "/mnt/secrets-store"').default(DEPLOYMENT_DEFAULTS.mountPath),
  /** Never allowed: a subPath mount of a CSI secrets volume is never rotated. */
  subPath: z.string().optional(),
  /** Pod label `azure.workload.identity/use: "true"` (the app uses the identity itself). @default true */
  workloadIdentityLabel: z.boolean().default(DEPLOYMENT_DEFAULTS.workloadIdentityLabel),
  resources: Resources.default(() => ({ ...DEPLOYMENT_DEFAULTS.resources })),
  securityContext: SecurityContext.default(() => ({ ...DEPLOYMENT_DEFAULTS.securityContext, dropCapabilities: [...DEPLOYMENT_DEFAULTS.securityContext.dropCapabilities] })),
  labels: z.record(z.string(), z.string()).default({}),
  annotations: z.record(z.string(), z.string()).default({}),
});

const Workload = z.strictObject({
  /** Workload name: names the identity, ServiceAccount, SecretProviderClass and Deployment. */
  name: pattern(DNS1123_LABEL, 'use a DNS-1123 label: lower-case letters, digits and "-", at most 63, starting and ending alphanumeric').max(40, 'use at most 40 characters (it prefixes other names)'),
  /** Kubernetes namespace. */
  namespace: pattern(DNS1123_LABEL, 'use a DNS-1123 label: lower-case letters, digits and "-", at most 63').max(63, 'use at most 63 characters'),
  /** ServiceAccount the pods run as; the federated credential's subject names it. @default - the workload name */
  serviceAccount: pattern(DNS1123_SUBDOMAIN, 'use a DNS-1123 name: lower-case letters, digits, "-" and "."').max(253, { error: 'use at most 253 characters' }).optional(),
  objects: z.array(KeyVaultObject).min(1, 'list at least one Key Vault object to mount'),
  /** Sync mounted objects to a Kubernetes Secret (opt-in; the Secret exists only while a pod mounts the volume). @default [] */
  secretObjects: z.array(SecretObject).default([]),
  deployment: Deployment,
});

const Identity = z.strictObject({
  /** One identity per workload (default) or one shared by all workloads. @default per-workload */
  mode: z.enum(['per-workload', 'shared']).default('per-workload'),
  /** Role scope: the whole vault (default) or each object (`<vault id>/secrets/<name>`). @default vault */
  roleScope: z.enum(['vault', 'object']).default('vault'),
  /**
   * `least-privilege` grants Key Vault Secrets User / Certificate User by object type.
   * `administrator` grants Key Vault Administrator (every data-plane operation): a warning is printed.
   * @default least-privilege
   */
  role: z.enum(['least-privilege', 'administrator']).default('least-privilege'),
  /** Wait after role assignments and federated credentials for Azure to propagate them ("0s" disables). @default 30s */
  propagationWait: goDuration.default('30s'),
});

/** A string held to `rules`: the first one broken is reported, with its fix (patterns reach the JSON Schema). */
const ruled = (what: string, ...rules: readonly Rule<string>[]) =>
  rules.reduce(
    (schema, rule) => (rule.pattern ? schema.regex(rule.pattern, { error: rule.fix, abort: true }) : schema.refine(rule.test, { error: rule.fix, abort: true })),
    z.string({ error: `expected ${what} (a string)` }),
  );

const State = z.discriminatedUnion(
  'backend',
  [
    z.strictObject({
      backend: z.literal('local'),
      /**
       * State file path, relative to the project root, "/" between folders, never outside the
       * project or inside cdktf.out/ or dist/ (the state holds the cluster's admin credentials).
       * @default - terraform.<env>.tfstate
       */
      path: ruled('a relative path', ...STATE_PATH_RULES, BACKEND_LITERAL_RULE).optional(),
    }),
    z.strictObject({
      backend: z.literal('azurerm'),
      resourceGroup: pattern(RESOURCE_GROUP_NAME, 'use an Azure resource group name'),
      storageAccount: ruled('a storage account name', STORAGE_ACCOUNT_NAME_RULE),
      container: ruled('a blob container name', STORAGE_CONTAINER_NAME_RULE),
      /** Blob name of the state. @default - <env>.tfstate */
      key: ruled('a blob name', BLOB_NAME_RULE, BACKEND_LITERAL_RULE).optional(),
    }),
  ],
  { error: 'use backend "local" or "azurerm"' },
);

const GitOps = z.discriminatedUnion(
  'tool',
  [
    z.strictObject({
      tool: z.literal('argocd'),
      repoURL: text('repoURL'),
      /** Path of the rendered folder inside the GitOps repository. @default - dist/<env> */
      path: text('path').optional(),
      /** @default HEAD */
      targetRevision: text('targetRevision').default('HEAD'),
      /** @default argocd */
      namespace: pattern(DNS1123_LABEL, 'use a DNS-1123 label').default('argocd'),
      /** @default default */
      project: text('project').default('default'),
    }),
    z.strictObject({
      tool: z.literal('flux'),
      /** Name of the Flux GitRepository source. */
      sourceRef: pattern(DNS1123_SUBDOMAIN, 'use the name of a Flux GitRepository'),
      path: text('path').optional(),
      /** @default flux-system */
      namespace: pattern(DNS1123_LABEL, 'use a DNS-1123 label').default('flux-system'),
      /** @default 10m */
      interval: positiveGoDuration.default('10m'),
    }),
  ],
  { error: 'use tool "argocd" or "flux"' },
);

const Output = z.strictObject({
  /** Render a Namespace object for each workload namespace other than "default". @default true */
  namespaces: z.boolean().default(true),
  gitops: GitOps.optional(),
});

/** The shape of an environment file, without the rules that span several fields. */
export const EnvironmentShape = z.strictObject({
  /** The JSON Schema reference for editors; ignored. */
  $schema: z.string().optional(),
  azure: Azure,
  cluster: Cluster,
  keyVault: KeyVault,
  identity: Identity.default({ mode: 'per-workload', roleScope: 'vault', role: 'least-privilege', propagationWait: '30s' }),
  workloads: z.array(Workload).min(1, 'list at least one workload'),
  state: State.default({ backend: 'local' }),
  output: Output.default({ namespaces: true }),
});

/** The environment file schema: shape, defaults, and the rules that span several fields. */
export const EnvironmentSchema = EnvironmentShape.superRefine((env, ctx) => {
  for (const v of environmentRules(env)) {
    ctx.addIssue({ code: 'custom', path: [...v.path], message: v.message, input: v.received });
  }
});

/** An environment file as written (defaults not applied). */
export type EnvironmentInput = z.input<typeof EnvironmentShape>;
/** An environment file with every default resolved. */
export type EnvironmentConfig = z.output<typeof EnvironmentShape>;
export type WorkloadConfig = EnvironmentConfig['workloads'][number];
export type KeyVaultObjectConfig = WorkloadConfig['objects'][number];
export type SecretObjectConfig = WorkloadConfig['secretObjects'][number];
export type DeploymentConfig = WorkloadConfig['deployment'];
export type ClusterConfig = EnvironmentConfig['cluster'];
export type KeyVaultConfig = EnvironmentConfig['keyVault'];
export type StateConfig = EnvironmentConfig['state'];
export type GitOpsConfig = NonNullable<EnvironmentConfig['output']['gitops']>;
