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
import {
  AKS_DNS_PREFIX_RULE,
  AKS_NAME_RULE,
  AKS_NODE_RESOURCE_GROUP_RULE,
  CLOUD_NAMES,
  duplicateTagNames,
  GUID,
  KEY_VAULT_IP_RULE_FORMAT,
  ipRuleProblem,
  KEY_VAULT_MAX_IP_RULES,
  KEY_VAULT_NAME_RULE,
  KEY_VAULT_OBJECT_NAME,
  MAX_TAGS_PER_RESOURCE,
  RESOURCE_GROUP_NAME_RULE,
  STORAGE_ACCOUNT_NAME_RULE,
  STORAGE_CONTAINER_NAME_RULE,
  SUBNET_ID_RULE,
  BLOB_NAME_RULE,
  TAG_NAME_RULE,
  TAG_VALUE_RULE,
  TIME_SLEEP_DURATION_RULE,
  timeSleepDurationFix,
  VM_SIZE_RULE,
  WORKLOAD_IDENTITY_USE_LABEL,
} from '../azure';
import { DRIVER_MANAGED_LABEL, MOUNT_FILE_NAME, MOUNT_FILE_NAME_RULES, OBJECT_TYPES, SYNCED_SECRET_TYPES, TLS_SECRET_KEY_RULE } from '../csi-driver';
import {
  ANNOTATION_KEY_RULE,
  ARGOCD_PROJECT_RULE,
  ARGOCD_REPO_URL_RULE,
  CAPABILITY_RULE,
  CONTAINER_MOUNT_PATH_RULE,
  CPU_QUANTITY_RULE,
  DNS1123_LABEL,
  DNS1123_SUBDOMAIN,
  DNS1123_SUBDOMAIN_RULE,
  ENV_VAR_NAME,
  ENV_VAR_NAME_RULE,
  FLUX_DURATION_RULE,
  FORBIDDEN_WORKLOAD_NAMESPACES,
  GITOPS_PATH_RULE,
  LABEL_KEY_RULE,
  LABEL_VALUE_RULE,
  MAX_UNIX_ID,
  MEMORY_QUANTITY_RULE,
  missingSecretKeys,
  NAME_LABEL,
  PORT_NAME_RULE,
  RELOADER_SECRET_ANNOTATION,
  RELOADER_SPC_ANNOTATION,
  REQUEST_WITHIN_LIMIT_RULE,
  SECRET_KEY_RULE,
  SECRET_TYPE_KEYS_RULE,
} from '../kubernetes';
import { firstBroken, type Rule } from '../rule';
import { BACKEND_LITERAL_RULE } from '../terraform';
import { STATE_PATH_RULES } from './state-path';

/** Environment names become stack names, folder names and parts of Azure resource names. */
export const ENVIRONMENT_NAME = /^[a-z][a-z0-9-]{0,22}[a-z0-9]$/;

const text = (what: string) => z.string({ error: `expected ${what} (a string)` }).min(1, `${what} must not be empty`);

const pattern = (re: RegExp, rule: string) =>
  z.string({ error: `expected a string: ${rule}` }).regex(re, { error: rule });

const goDuration = z
  .string({ error: 'expected a Go duration such as "30s", "2m" or "1h30m"' })
  .regex(GO_DURATION, { error: 'use a Go duration such as "30s", "2m" or "1h30m" (units ns, us, ms, s, m, h)' });

/**
 * A string checked by upstream rules: the first rule it breaks gives the one message. JSON
 * Schema gets the pattern and length bound of the rules that have them (`meta`), so editors flag
 * what they can; the loader checks every rule.
 */
function ruled(what: string, ...rules: readonly Rule<string>[]) {
  const pattern = rules.find((r) => r.pattern)?.pattern;
  const maxLength = rules.find((r) => r.maxLength !== undefined)?.maxLength;
  return z
    .string({ error: `expected ${what} (a string)` })
    .superRefine((v, ctx) => {
      const broken = firstBroken(v, rules);
      if (broken) ctx.addIssue({ code: 'custom', message: broken.fix });
    })
    .meta({ ...(pattern ? { pattern: pattern.source } : {}), ...(maxLength !== undefined ? { maxLength } : {}) });
}

/**
 * Labels as Kubernetes checks them: each key a qualified name, each value at most 63 of a small
 * alphabet. A problem points at the key; `reserved` keys are set by us or by the driver.
 */
function labelMap(reserved: Readonly<Record<string, string>> = {}) {
  return z.record(z.string(), z.string({ error: 'label values must be strings (quote numbers and booleans)' })).superRefine((labels, ctx) => {
    for (const [key, value] of Object.entries(labels)) {
      const why = reserved[key] ?? (!LABEL_KEY_RULE.test(key) ? LABEL_KEY_RULE.fix : !LABEL_VALUE_RULE.test(value) ? LABEL_VALUE_RULE.fix : undefined);
      if (why !== undefined) ctx.addIssue({ code: 'custom', path: [key], message: why });
    }
  });
}

/** Annotations: each key a qualified name (case-insensitive); their total size is a cross-field rule. */
function annotationMap(reserved: Readonly<Record<string, string>> = {}) {
  return z.record(z.string(), z.string({ error: 'annotation values must be strings (quote numbers and booleans)' })).superRefine((annotations, ctx) => {
    for (const key of Object.keys(annotations)) {
      const why = reserved[key] ?? (!ANNOTATION_KEY_RULE.test(key) ? ANNOTATION_KEY_RULE.fix : undefined);
      if (why !== undefined) ctx.addIssue({ code: 'custom', path: [key], message: why });
    }
  });
}

/** A duration that must be longer than zero (an interval). */
const positiveGoDuration = goDuration.refine((v) => !GO_DURATION.test(v) || durationSeconds(v) > 0, { error: 'use an interval longer than zero, such as "30s" or "2m"' });

/** Tags reach every resource the stack creates, so ARM's per-resource limits apply to the map as a whole. */
const tags = z
  .record(
    z.string(),
    z.string({ error: 'tag values must be strings (quote numbers and booleans)' }).refine((v) => TAG_VALUE_RULE.test(v), { error: TAG_VALUE_RULE.fix }),
  )
  .superRefine((t, ctx) => {
    const names = Object.keys(t);
    // Names are checked here, not by the record's key schema, so the message names the tag.
    for (const name of names.filter((n) => !TAG_NAME_RULE.test(n))) {
      ctx.addIssue({ code: 'custom', path: [name], message: `tag name ${JSON.stringify(name)}: ${TAG_NAME_RULE.fix}` });
    }
    if (names.length > MAX_TAGS_PER_RESOURCE) {
      ctx.addIssue({
        code: 'custom',
        message: `${names.length} tags: Azure allows ${MAX_TAGS_PER_RESOURCE} per resource and every resource the stack creates carries all of them: remove ${names.length - MAX_TAGS_PER_RESOURCE}`,
      });
    }
    for (const d of duplicateTagNames(names)) {
      ctx.addIssue({ code: 'custom', path: [d.name], message: `Azure tag names are case-insensitive, so this is the tag "${d.first}" again: keep one of them` });
    }
  });

const ResourceGroup = z.strictObject({
  /** Resource group name. */
  name: ruled(RESOURCE_GROUP_NAME_RULE.subject, RESOURCE_GROUP_NAME_RULE),
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
  vmSize: ruled(VM_SIZE_RULE.subject, VM_SIZE_RULE).default('Standard_D2s_v5'),
  /** @default 2 */
  nodeCount: z.number().int('use a whole number of nodes').min(1, 'use at least 1 node').max(1000, 'use at most 1000 nodes').default(2),
});

const clusterCommon = {
  /** AKS cluster name. */
  name: ruled(AKS_NAME_RULE.subject, AKS_NAME_RULE),
  /** The secrets-provider add-on and its rotation. */
  secretsProvider: SecretsProvider.default({ rotation: { enabled: true, interval: '2m' } }),
};

const NewCluster = z.strictObject({
  /** Create a new AKS cluster (default) or reference an existing one. @default create */
  mode: z.literal('create').default('create'),
  ...clusterCommon,
  /** Kubernetes version. @default - the AKS default for the region */
  kubernetesVersion: pattern(/^\d+\.\d+(\.\d+)?$/, 'use a version such as "1.32" or "1.32.4"').optional(),
  /**
   * DNS prefix of the API server: 1-54 letters, digits or hyphens.
   * @default - the cluster name when it is a valid DNS prefix, else one derived from it (a warning says so)
   */
  dnsPrefix: ruled(AKS_DNS_PREFIX_RULE.subject, AKS_DNS_PREFIX_RULE).optional(),
  /**
   * Node resource group AKS creates for the cluster's VMs (a new group, at most 80 characters).
   * @default - MC_<resource group>_<cluster>_<location> when that fits in 80 characters, else a shortened name with a hash (a warning says so)
   */
  nodeResourceGroup: ruled(AKS_NODE_RESOURCE_GROUP_RULE.subject, AKS_NODE_RESOURCE_GROUP_RULE).optional(),
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
  resourceGroup: ruled(RESOURCE_GROUP_NAME_RULE.subject, RESOURCE_GROUP_NAME_RULE).optional(),
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
  ipRules: z
    .array(
      // The format is the pattern (one issue, and the JSON Schema's); the other rules only after it.
      ruled(KEY_VAULT_IP_RULE_FORMAT.subject, KEY_VAULT_IP_RULE_FORMAT).superRefine((v, ctx) => {
        const problem = KEY_VAULT_IP_RULE_FORMAT.test(v) ? ipRuleProblem(v) : undefined;
        if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
      }),
    )
    .max(KEY_VAULT_MAX_IP_RULES, { error: `use at most ${KEY_VAULT_MAX_IP_RULES} IP rules (Key Vault's limit): allow wider ranges, or subnets through virtualNetworkSubnetIds` })
    .default([]),
  /** Subnet resource ids allowed through (the AKS node subnet when defaultAction is Deny). @default [] */
  virtualNetworkSubnetIds: z
    .array(pattern(SUBNET_ID_RULE.pattern, SUBNET_ID_RULE.fix))
    .default([]),
});

const keyVaultCommon = {
  /** Vault name: globally unique DNS name. */
  name: ruled(KEY_VAULT_NAME_RULE.subject, KEY_VAULT_NAME_RULE),
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
  resourceGroup: ruled(RESOURCE_GROUP_NAME_RULE.subject, RESOURCE_GROUP_NAME_RULE).optional(),
});

const KeyVault = z.discriminatedUnion('mode', [NewKeyVault, ExistingKeyVault], { error: 'use mode "create" or "existing"' });

const KeyVaultObject = z
  .strictObject({
    /** Name of the secret, key or certificate in Key Vault. */
    name: pattern(KEY_VAULT_OBJECT_NAME, 'use 1-127 letters, digits or hyphens (map to another file name with alias)'),
    /** `secret`, `key` or `cert` (cert gives the public certificate only; use secret for the private key). */
    type: z.enum(OBJECT_TYPES, { error: 'use "secret", "key" or "cert" (lower case)' }),
    /** File name in the mount. @default - the object name */
    alias: ruled('a file name', ...MOUNT_FILE_NAME_RULES).meta({ pattern: MOUNT_FILE_NAME.source }).optional(),
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
  /** The mounted file name (the object's alias when set, else its name; `<alias>/0` with a version history). */
  objectName: text('objectName'),
  /** Key in the Kubernetes Secret. */
  key: ruled('a Secret key', SECRET_KEY_RULE),
});

const SecretObject = z
  .strictObject({
    secretName: ruled('a Secret name', DNS1123_SUBDOMAIN_RULE),
    /** Secret type; required (the driver silently skips an entry without one). */
    type: z.enum(SYNCED_SECRET_TYPES, {
      error: 'use a Secret type such as "Opaque" or "kubernetes.io/tls" (required: the driver skips entries without it)',
    }),
    data: z.array(SecretObjectData).min(1, 'list at least one { objectName, key }'),
    /** Labels on the synced Secret. @default - none */
    labels: labelMap({ [DRIVER_MANAGED_LABEL]: 'the driver sets this label on every Secret it syncs: remove it' }).optional(),
    /** Annotations on the synced Secret. @default - none */
    annotations: annotationMap().optional(),
  })
  .superRefine((s, ctx) => {
    if (s.type === 'kubernetes.io/tls') {
      s.data.forEach((d, i) => {
        if (!TLS_SECRET_KEY_RULE.test(d.key)) ctx.addIssue({ code: 'custom', path: ['data', i, 'key'], message: TLS_SECRET_KEY_RULE.fix });
      });
    }
    const keys = s.data.map((d) => d.key);
    if (!SECRET_TYPE_KEYS_RULE.test({ type: s.type, keys })) {
      for (const needs of missingSecretKeys(s.type, keys)) {
        ctx.addIssue({ code: 'custom', path: ['data'], message: `a ${s.type} Secret needs the key ${needs}: add { objectName, key } for it (the API server refuses the Secret, so the sync fails at mount time)` });
      }
    }
  });

const EnvVar = z.strictObject({
  name: ruled('an environment variable name', ENV_VAR_NAME_RULE).meta({ pattern: ENV_VAR_NAME.source }),
  value: z.string({ error: 'expected a string value (quote numbers and booleans)' }),
});

const EnvFromSyncedSecret = z.strictObject({
  name: ruled('an environment variable name', ENV_VAR_NAME_RULE).meta({ pattern: ENV_VAR_NAME.source }),
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

/** Kubernetes quantities, compared by value (`1Gi` is above `1000Mi`), each request at or below its limit. */
const Resources = z
  .strictObject({
    /** @default 50m */
    cpuRequest: ruled('a CPU quantity', CPU_QUANTITY_RULE).default(DEPLOYMENT_DEFAULTS.resources.cpuRequest),
    /** @default - no CPU limit */
    cpuLimit: ruled('a CPU quantity', CPU_QUANTITY_RULE).optional(),
    /** @default 64Mi */
    memoryRequest: ruled('a memory quantity', MEMORY_QUANTITY_RULE).default(DEPLOYMENT_DEFAULTS.resources.memoryRequest),
    /** @default 128Mi */
    memoryLimit: ruled('a memory quantity', MEMORY_QUANTITY_RULE).default(DEPLOYMENT_DEFAULTS.resources.memoryLimit),
  })
  .superRefine((r, ctx) => {
    const pairs = [
      ['cpu', r.cpuRequest, r.cpuLimit, CPU_QUANTITY_RULE],
      ['memory', r.memoryRequest, r.memoryLimit, MEMORY_QUANTITY_RULE],
    ] as const;
    for (const [what, request, limit, rule] of pairs) {
      // A quantity that breaks its own rule has its message already.
      if (limit === undefined || !rule.test(request) || !rule.test(limit)) continue;
      if (!REQUEST_WITHIN_LIMIT_RULE.test({ request, limit })) {
        ctx.addIssue({
          code: 'custom',
          path: [`${what}Request`],
          message: `${what}Request ${request} is above ${what}Limit ${limit}: ${REQUEST_WITHIN_LIMIT_RULE.fix}`,
        });
      }
    }
  });

const SecurityContext = z.strictObject({
  /** @default true */
  runAsNonRoot: z.boolean().default(true),
  /** @default 10001 */
  runAsUser: z
    .number({ error: 'use a numeric user id (0 or more; non-zero with runAsNonRoot)' })
    .int({ error: 'use a whole-number user id' })
    .min(0, { error: 'use a user id of 0 or more' })
    .max(MAX_UNIX_ID, { error: `use a user id of at most ${MAX_UNIX_ID}` })
    .default(DEPLOYMENT_DEFAULTS.securityContext.runAsUser),
  /** @default 10001 */
  runAsGroup: z
    .number({ error: 'use a numeric group id (0 or more)' })
    .int({ error: 'use a whole-number group id' })
    .min(0, { error: 'use a group id of 0 or more' })
    .max(MAX_UNIX_ID, { error: `use a group id of at most ${MAX_UNIX_ID}` })
    .default(DEPLOYMENT_DEFAULTS.securityContext.runAsGroup),
  /** @default true */
  readOnlyRootFilesystem: z.boolean().default(true),
  /** @default false */
  allowPrivilegeEscalation: z.boolean().default(false),
  /** Capabilities dropped. @default ["ALL"] */
  dropCapabilities: z.array(ruled('a capability name', CAPABILITY_RULE)).default(['ALL']),
  /**
   * `RuntimeDefault` only: `Unconfined` fails even the baseline Pod Security Standard, and a
   * secrets-delivery tool offers no switch to turn the container's syscall filter off.
   * @default RuntimeDefault
   */
  seccompProfile: z
    .enum(['RuntimeDefault'], {
      error: (issue) =>
        issue.input === 'Unconfined'
          ? 'use "RuntimeDefault": Unconfined fails even the baseline Pod Security Standard (kubernetes/pod-security-admission policy/check_seccompProfile_baseline.go), so no namespace we label would admit the pods'
          : 'use "RuntimeDefault"',
    })
    .default('RuntimeDefault'),
}).superRefine((sc, ctx) => {
  if (sc.runAsNonRoot && sc.runAsUser === 0) {
    ctx.addIssue({
      code: 'custom',
      path: ['runAsUser'],
      message: 'runAsNonRoot is true, so the kubelet refuses to start a container as user 0: use a non-zero user id (or, against the restricted Pod Security Standard, runAsNonRoot: false)',
    });
  }
});

/** Pod labels we set: the selector, and the workload identity label (its own switch). */
const RESERVED_POD_LABELS: Readonly<Record<string, string>> = {
  [NAME_LABEL]: 'the Deployment selects its pods by this label and sets it to the workload name: remove it',
  [WORKLOAD_IDENTITY_USE_LABEL]: 'set by deployment.workloadIdentityLabel: use that switch instead',
};

/** Annotations we set: the Reloader ones have their own switch. */
const RESERVED_DEPLOYMENT_ANNOTATIONS: Readonly<Record<string, string>> = {
  [RELOADER_SPC_ANNOTATION]: 'set by deployment.reloaderAnnotation (to this workload\'s SecretProviderClass): use that switch instead',
  [RELOADER_SECRET_ANNOTATION]: 'set by deployment.reloaderAnnotation (to the Secrets envFromSyncedSecret reads): use that switch instead',
};

const Port = z.strictObject({
  containerPort: z.number().int().min(1, 'use a port from 1 to 65535').max(65535, 'use a port from 1 to 65535'),
  name: ruled('a port name', PORT_NAME_RULE).meta({ pattern: '^(?=.*[a-z])(?!-)(?!.*--)[-a-z0-9]{0,14}[a-z0-9]$' }).optional(),
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
  mountPath: ruled('an absolute path', CONTAINER_MOUNT_PATH_RULE).meta({ pattern: '^/' }).default(DEPLOYMENT_DEFAULTS.mountPath),
  /** Never allowed: a subPath mount of a CSI secrets volume is never rotated. */
  subPath: z.string().optional(),
  /** Pod label `azure.workload.identity/use: "true"` (the app uses the identity itself). @default true */
  workloadIdentityLabel: z.boolean().default(DEPLOYMENT_DEFAULTS.workloadIdentityLabel),
  resources: Resources.default(() => ({ ...DEPLOYMENT_DEFAULTS.resources })),
  securityContext: SecurityContext.default(() => ({ ...DEPLOYMENT_DEFAULTS.securityContext, dropCapabilities: [...DEPLOYMENT_DEFAULTS.securityContext.dropCapabilities] })),
  /** Labels on the Deployment and its pods. @default {} */
  labels: labelMap(RESERVED_POD_LABELS).default({}),
  /** Annotations on the Deployment and its pods. @default {} */
  annotations: annotationMap(RESERVED_DEPLOYMENT_ANNOTATIONS).default({}),
});

const Workload = z.strictObject({
  /** Workload name: names the identity, ServiceAccount, SecretProviderClass and Deployment. */
  name: pattern(DNS1123_LABEL, 'use a DNS-1123 label: lower-case letters, digits and "-", at most 63, starting and ending alphanumeric').max(40, 'use at most 40 characters (it prefixes other names)'),
  /** Kubernetes namespace. */
  namespace: pattern(DNS1123_LABEL, 'use a DNS-1123 label: lower-case letters, digits and "-", at most 63')
    .max(63, 'use at most 63 characters')
    .refine((v) => !(FORBIDDEN_WORKLOAD_NAMESPACES as readonly string[]).includes(v), {
      error: 'kube-public is readable by every client and kube-node-lease holds node heartbeats: put the workload in a namespace of its own',
    }),
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
  /**
   * Wait after role assignments and federated credentials for Azure to propagate them: one
   * number and one unit (ms, s, m or h), as hashicorp/time's time_sleep takes it ("0s" disables).
   * @default 30s
   */
  propagationWait: z
    .string({ error: `expected a duration such as "30s": ${TIME_SLEEP_DURATION_RULE.fix}` })
    .regex(TIME_SLEEP_DURATION_RULE.pattern, { error: (issue) => timeSleepDurationFix(String(issue.input)) })
    .default('30s'),
});

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
      resourceGroup: ruled(RESOURCE_GROUP_NAME_RULE.subject, RESOURCE_GROUP_NAME_RULE),
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
      repoURL: ruled('a repository URL', ARGOCD_REPO_URL_RULE),
      /** Path of the rendered folder inside the GitOps repository. @default - dist/<env> */
      path: ruled('a repository path', GITOPS_PATH_RULE).meta({ minLength: 1 }).optional(),
      /** @default HEAD */
      targetRevision: text('targetRevision').default('HEAD'),
      /** @default argocd */
      namespace: pattern(DNS1123_LABEL, 'use a DNS-1123 label').default('argocd'),
      /** Argo CD AppProject of the Application. @default default */
      project: ruled('an Argo CD project name', ARGOCD_PROJECT_RULE).default('default'),
    }),
    z.strictObject({
      tool: z.literal('flux'),
      /** Name of the Flux GitRepository source. */
      sourceRef: pattern(DNS1123_SUBDOMAIN, 'use the name of a Flux GitRepository'),
      /** Path of the rendered folder inside the GitOps repository. @default - dist/<env> */
      path: ruled('a repository path', GITOPS_PATH_RULE).meta({ minLength: 1 }).optional(),
      /** @default flux-system */
      namespace: pattern(DNS1123_LABEL, 'use a DNS-1123 label').default('flux-system'),
      /** Reconcile interval, in the syntax the Kustomization CRD accepts. @default 10m */
      interval: ruled('a Flux interval such as "10m"', FLUX_DURATION_RULE)
        .refine((v) => !FLUX_DURATION_RULE.test(v) || durationSeconds(v) > 0, { error: 'use an interval longer than zero, such as "10m"' })
        .default('10m'),
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
