/**
 * The environment file schema: one YAML file per environment under `environments/`.
 *
 * This is the single source of truth for what a user may write. Every default is resolved
 * here (once, with zod `.default`), so the Terraform stack and the chart read resolved values
 * and never apply a default of their own. Every field carries its description here too
 * (`.meta(doc(...))`). Generated from this file: the JSON Schema
 * (`environments/environment.schema.json`, editor completion and hover), the reference
 * (`docs/CONFIGURATION.md`), the `init` template (`pipeline/scaffold.ts`), and the constructs'
 * fallbacks for library users (`DEPLOYMENT_DEFAULTS`, `GITOPS_DEFAULTS`).
 */
import { z } from 'zod';
import { durationSeconds, GO_DURATION } from './duration';
import { doc } from './field-doc';
import { environmentRules } from './rules';
import {
  AKS_AUTHORIZED_IP_RANGE_RULE,
  AKS_DNS_PREFIX_RULE,
  AKS_NAME_RULE,
  AKS_NETWORK_PLUGIN_NAMES,
  AKS_NETWORK_POLICY_NAMES,
  AKS_NODE_OS_UPGRADE_CHANNELS,
  AKS_SKU_TIERS,
  AKS_UPGRADE_CHANNELS,
  AVAILABILITY_ZONES,
  IPV4_CIDR_RULE,
  LOG_ANALYTICS_RETENTION_DAYS,
  LOG_ANALYTICS_WORKSPACE_ID_RULE,
  LOG_ANALYTICS_WORKSPACE_NAME_RULE,
  ACTION_GROUP_ID_RULE,
  MONITOR_WORKSPACE_ID_RULE,
  MONITOR_WORKSPACE_NAME_RULE,
  PRIVATE_DNS_ZONE_ID_RULE,
  SUBNET_SIZE_RULE,
  AKS_NODE_RESOURCE_GROUP_RULE,
  CLOUD_NAMES,
  duplicateTagNames,
  GUID,
  KEY_VAULT_IP_RULE_FORMAT,
  ipRuleProblem,
  KEY_VAULT_MAX_IP_RULES,
  KEY_VAULT_NAME_RULE,
  KEY_VAULT_OBJECT_NAME,
  MAX_FEDERATED_CREDENTIALS_PER_IDENTITY,
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
import {
  DEFAULT_ROTATION_INTERVAL,
  DRIVER_MANAGED_LABEL,
  MOUNT_FILE_NAME,
  MOUNT_FILE_NAME_RULES,
  OBJECT_TYPES,
  SYNCED_SECRET_TYPES,
  TLS_SECRET_KEY_RULE,
} from '../csi-driver';
import {
  ANNOTATION_KEY_RULE,
  ARGOCD_CLUSTER_RULE,
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
  HELM_CHART_VERSION_RULE,
  HTTP_PROBE_PATH_RULE,
  LABEL_KEY_RULE,
  LABEL_VALUE_RULE,
  MAX_UNIX_ID,
  MEMORY_QUANTITY_RULE,
  missingSecretKeys,
  NAME_LABEL,
  PORT_NAME_RULE,
  RELOADER_CHART,
  RELOADER_SECRET_ANNOTATION,
  RELOADER_SPC_ANNOTATION,
  REQUEST_WITHIN_LIMIT_RULE,
  SECRET_KEY_RULE,
  SECRET_TYPE_KEYS_RULE,
  PDB_MAX_UNAVAILABLE_RULE,
  PROMETHEUS_OPERATOR,
  TOPOLOGY_KEYS,
  TOPOLOGY_SPREAD,
} from '../kubernetes';
import { DELIVERY_ENGINES } from '../delivery';
import { ESO_DEFAULT_REFRESH_INTERVAL, ESO_PROPERTY_RULE, ESO_PROPERTY_TYPE_RULE } from '../external-secrets';
import { GENERATED_DIRS } from '../paths';
import { PROMETHEUS_DURATION_RULE } from '../monitoring';
import { SECRET_SYNC_DEFAULT_ROTATION_POLL_INTERVAL } from '../secret-sync';
import { firstBroken, type Rule } from '../rule';
import { BACKEND_LITERAL_RULE } from '../terraform';
import { STATE_PATH_RULES } from './state-path';

/** Environment names become stack names, folder names and parts of Azure resource names. */
export const ENVIRONMENT_NAME = /^[a-z][a-z0-9-]{0,22}[a-z0-9]$/;

const text = (what: string) => z.string({ error: `expected ${what} (a string)` }).min(1, `${what} must not be empty`);

const pattern = (re: RegExp, rule: string) => z.string({ error: `expected a string: ${rule}` }).regex(re, { error: rule });

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

/**
 * An object whose fields all have defaults may be left out: its default is what `{}` parses to,
 * so each default value is written once, on its field, and the JSON Schema still shows the
 * whole object as the default.
 */
function withFieldDefaults<T extends z.ZodObject>(schema: T) {
  return schema.default(() => schema.parse({}) as z.util.NoUndefined<z.output<T>>);
}

/** A duration that must be longer than zero (an interval). */
const positiveGoDuration = goDuration.refine((v) => !GO_DURATION.test(v) || durationSeconds(v) > 0, {
  error: 'use an interval longer than zero, such as "30s" or "2m"',
});

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
      ctx.addIssue({
        code: 'custom',
        path: [d.name],
        message: `Azure tag names are case-insensitive, so this is the tag "${d.first}" again: keep one of them`,
      });
    }
  });

const ResourceGroup = z.strictObject({
  name: ruled(RESOURCE_GROUP_NAME_RULE.subject, RESOURCE_GROUP_NAME_RULE).meta(doc('Resource group name.', { example: 'rg-my-app' })),
  create: z.boolean().default(true).meta(doc('Create the group (true) or use an existing group of this name (false).')),
});

const Azure = z.strictObject({
  location: pattern(/^[a-z][a-z0-9]+$/, 'use an Azure region name in lower case without spaces, e.g. "westeurope"').meta(
    doc('Azure region of every resource the stack creates, in lower case without spaces.', { example: 'westeurope' }),
  ),
  resourceGroup: ResourceGroup.meta(
    doc('The resource group that holds what the stack creates.', {
      see: 'https://learn.microsoft.com/azure/azure-resource-manager/management/manage-resource-groups-portal',
    }),
  ),
  subscriptionId: pattern(GUID, 'use a GUID such as 00000000-0000-0000-0000-000000000000')
    .optional()
    .meta(doc('Subscription to deploy to.', { unset: 'the subscription of the Azure CLI login', example: '00000000-0000-0000-0000-000000000000' })),
  cloud: z
    .enum(CLOUD_NAMES)
    .default('public')
    .meta(doc(`Azure cloud: ${CLOUD_NAMES.map((c) => `\`${c}\``).join(', ')}.`)),
  tags: tags.default({}).meta(doc(`Tags put on every Azure resource the stack creates (Azure allows ${MAX_TAGS_PER_RESOURCE} per resource).`)),
});

const Rotation = withFieldDefaults(
  z.strictObject({
    enabled: z.boolean().default(true).meta(doc('Refetch mounted objects from Key Vault so files change without a pod restart.')),
    interval: positiveGoDuration
      .default(DEFAULT_ROTATION_INTERVAL)
      .meta(
        doc(
          "How often the driver refetches, as a Go duration. It is the add-on's `secret_rotation_interval` (the driver's `--rotation-poll-interval`); drivers 1.6 and later refetch at most about once a minute.",
        ),
      ),
  }),
);

const SecretsProvider = withFieldDefaults(
  z.strictObject({
    rotation: Rotation.meta(
      doc('Rotation of mounted objects.', {
        see: 'https://learn.microsoft.com/azure/aks/csi-secrets-store-configuration-options#enable-and-disable-auto-rotation',
      }),
    ),
  }),
);

const NodePool = withFieldDefaults(
  z.strictObject({
    vmSize: ruled(VM_SIZE_RULE.subject, VM_SIZE_RULE).default('Standard_D2s_v5').meta(doc('VM size of the nodes.')),
    nodeCount: z
      .number()
      .int('use a whole number of nodes')
      .min(1, 'use at least 1 node')
      .max(1000, 'use at most 1000 nodes')
      .default(2)
      .meta(doc('Number of nodes (1 to 1000).')),
    zones: z
      .array(z.enum(AVAILABILITY_ZONES, { error: `use availability zones ${AVAILABILITY_ZONES.map((a) => `"${a}"`).join(', ')}` }))
      .min(1, { error: 'list at least one zone, or leave zones out' })
      .refine((zs) => new Set(zs).size === zs.length, { error: 'list each zone once' })
      .optional()
      .meta(
        doc('Availability zones the nodes are spread over; workloads spread their pods over the zones too.', {
          unset: 'no zones (regions without zones, or nodes placed where Azure chooses)',
          see: 'https://learn.microsoft.com/azure/aks/availability-zones',
          example: ['1', '2', '3'],
        }),
      ),
  }),
);

/**
 * Why a secure default is relaxed. Required wherever a control of the security posture is turned
 * off, so the environment file itself says why (and reviewers read it there).
 */
function relaxationReason(when: string) {
  return z
    .string({ error: 'expected a reason (a sentence saying why)' })
    .refine((v) => v.trim().length >= 10, { error: 'say why in a sentence (at least 10 characters)' })
    .optional()
    .meta(
      doc(`Why the secure default is relaxed; required when ${when}.`, {
        unset: 'none',
        example: 'the ingress controller in this cluster enforces the same rules',
      }),
    );
}

/** A virtual network the stack creates for the cluster. */
const CreatedNetwork = z.strictObject({
  mode: z
    .literal('create')
    .meta(doc('`create`: the stack creates a virtual network with a node subnet and a private-endpoint subnet, and gives the cluster what it needs on them.')),
  addressSpace: ruled('an IPv4 range', IPV4_CIDR_RULE)
    .default('10.224.0.0/16')
    .meta(doc("The VNet's address space. It must not overlap AKS's service range 10.0.0.0/16 or the overlay pod range 10.244.0.0/16.")),
  nodeSubnet: ruled('an IPv4 range', IPV4_CIDR_RULE, SUBNET_SIZE_RULE)
    .default('10.224.0.0/20')
    .meta(doc('Range of the node subnet, inside addressSpace (with Azure CNI Node Subnet the pods take addresses of it too).')),
  privateEndpointSubnet: ruled('an IPv4 range', IPV4_CIDR_RULE, SUBNET_SIZE_RULE)
    .default('10.224.16.0/28')
    .meta(doc("Range of the subnet that holds private endpoints (the vault's), inside addressSpace and apart from the node subnet.")),
});

/** Subnets that exist already (hub-and-spoke, a platform team's VNet). */
const ExistingNetwork = z.strictObject({
  mode: z.literal('existing').meta(doc('`existing`: subnets of a virtual network you manage, named by resource id.')),
  nodeSubnetId: pattern(SUBNET_ID_RULE.pattern, SUBNET_ID_RULE.fix).meta(
    doc("The cluster's node subnet (`default_node_pool.vnet_subnet_id`).", {
      example:
        '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-network/providers/Microsoft.Network/virtualNetworks/vnet-spoke/subnets/snet-aks-nodes',
    }),
  ),
  privateEndpointSubnetId: pattern(SUBNET_ID_RULE.pattern, SUBNET_ID_RULE.fix)
    .optional()
    .meta(
      doc("Subnet for private endpoints (the vault's), in the same VNet or one peered with it.", {
        unset: 'the node subnet',
        example:
          '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-network/providers/Microsoft.Network/virtualNetworks/vnet-spoke/subnets/snet-private-endpoints',
      }),
    ),
});

/** The cluster's virtual network: created, or existing subnets. */
const Network = z.discriminatedUnion('mode', [CreatedNetwork, ExistingNetwork], { error: 'use mode "create" or "existing"' });

const clusterCommon = {
  name: ruled(AKS_NAME_RULE.subject, AKS_NAME_RULE).meta(doc('AKS cluster name.', { example: 'aks-my-app' })),
  secretsProvider: SecretsProvider.meta(
    doc(
      'The Key Vault secrets-provider add-on (the CSI driver and its Azure provider). For an existing cluster, what you assert about it; Terraform checks it at plan time.',
    ),
  ),
};

const NewCluster = z.strictObject({
  mode: z
    .literal('create')
    .default('create')
    .meta(
      doc('`create` (the stack creates the cluster) or `existing`. A new cluster gets the OIDC issuer, Workload Identity and the secrets-provider add-on.'),
    ),
  ...clusterCommon,
  kubernetesVersion: pattern(/^\d+\.\d+(\.\d+)?$/, 'use a version such as "1.32" or "1.32.4"')
    .optional()
    .meta(doc('Kubernetes version.', { unset: 'the AKS default of the region', example: '1.32' })),
  dnsPrefix: ruled(AKS_DNS_PREFIX_RULE.subject, AKS_DNS_PREFIX_RULE)
    .optional()
    .meta(
      doc('DNS prefix of the API server: 1-54 letters, digits or hyphens.', {
        unset: 'the cluster name, or one derived from it when that is not a valid prefix (a warning says so)',
        example: 'aks-my-app',
      }),
    ),
  nodeResourceGroup: ruled(AKS_NODE_RESOURCE_GROUP_RULE.subject, AKS_NODE_RESOURCE_GROUP_RULE)
    .optional()
    .meta(
      doc("Resource group AKS creates for the cluster's VMs (a new group, at most 80 characters).", {
        unset: '`MC_<resource group>_<cluster>_<location>`, shortened with a hash beyond 80 characters (a warning says so)',
        see: 'https://learn.microsoft.com/azure/aks/faq#can-i-provide-my-own-name-for-the-aks-node-resource-group',
        example: 'rg-my-app-nodes',
      }),
    ),
  systemNodePool: NodePool.meta(doc('The `system` node pool.')),
  networkPlugin: z
    .enum(AKS_NETWORK_PLUGIN_NAMES, { error: `use one of ${AKS_NETWORK_PLUGIN_NAMES.map((n) => `"${n}"`).join(', ')}` })
    .default('azure-overlay')
    .meta(
      doc(
        'Network plugin: `azure-overlay` (Azure CNI Overlay: pods get addresses from a private range, nodes from the subnet), `azure` (Azure CNI Node Subnet: pods take subnet addresses), `kubenet` (retired by AKS on 31 March 2028) or `none` (bring your own CNI).',
        { see: 'https://learn.microsoft.com/azure/aks/concepts-network-cni-overview' },
      ),
    ),
  network: Network.optional().meta(
    doc(
      "The cluster's virtual network: created by the stack (`mode: create`) or existing subnets (`mode: existing`). Needed for a private Key Vault endpoint.",
      {
        unset: 'a VNet AKS creates and manages in the node resource group (no private endpoint possible)',
        see: 'https://learn.microsoft.com/azure/aks/configure-azure-cni',
      },
    ),
  ),
  networkPolicy: withFieldDefaults(
    z.strictObject({
      engine: z
        .enum(AKS_NETWORK_POLICY_NAMES, { error: `use one of ${AKS_NETWORK_POLICY_NAMES.map((n) => `"${n}"`).join(', ')}` })
        .default('cilium')
        .meta(
          doc(
            'Network policy engine that enforces the NetworkPolicies rendered for each workload: `cilium` (Azure CNI powered by Cilium; needs azure-overlay), `azure` (Azure Network Policy Manager, support on Linux ends 30 September 2028), `calico`, or `none` (with a reason).',
          ),
        ),
      reason: relaxationReason('engine is none'),
    }),
  ).meta(doc('The network policy engine.', { see: 'https://learn.microsoft.com/azure/aks/use-network-policies' })),
  entraId: withFieldDefaults(
    z.strictObject({
      azureRbac: z
        .boolean()
        .default(true)
        .meta(doc('Authorize Kubernetes requests with Azure RBAC (role assignments on the cluster) instead of Kubernetes RoleBindings of Entra ID groups.')),
      adminGroupObjectIds: z
        .array(pattern(GUID, 'use the object id (a GUID) of an Entra ID group'))
        .default([])
        .meta(
          doc(
            'Entra ID groups whose members are cluster admins. With local accounts disabled, these groups (or Azure RBAC role assignments on the cluster) are the only way in.',
            { example: ['00000000-0000-0000-0000-000000000000'] },
          ),
        ),
      reason: relaxationReason('azureRbac is false'),
    }),
  ).meta(
    doc('AKS-managed Entra ID integration: users sign in with Entra ID (kubelogin); always on for a created cluster.', {
      see: 'https://learn.microsoft.com/azure/aks/manage-azure-rbac',
    }),
  ),
  localAccounts: withFieldDefaults(
    z.strictObject({
      enabled: z
        .boolean()
        .default(false)
        .meta(doc("Keep AKS's local accounts (a static cluster-admin kubeconfig that bypasses Entra ID and is written into the Terraform state).")),
      reason: relaxationReason('enabled is true'),
    }),
  ).meta(doc('Local accounts.', { see: 'https://learn.microsoft.com/azure/aks/manage-local-accounts-managed-azure-ad' })),
  apiServer: withFieldDefaults(
    z.strictObject({
      authorizedIpRanges: z
        .array(ruled(AKS_AUTHORIZED_IP_RANGE_RULE.subject, AKS_AUTHORIZED_IP_RANGE_RULE))
        .default([])
        .meta(
          doc(
            "IPv4 addresses or ranges allowed to reach the public API server (empty: any address; sign-in still needs Entra ID). Add your CI runners' egress addresses.",
            {
              example: ['203.0.113.0/24'],
            },
          ),
        ),
      private: z
        .boolean()
        .default(false)
        .meta(
          doc(
            'Private cluster: the API server gets an address in the node VNet and no public endpoint. Deploying and `verify` then need a network path into that VNet.',
            { see: 'https://learn.microsoft.com/azure/aks/private-clusters' },
          ),
        ),
    }),
  ).meta(doc('Who can reach the API server.', { see: 'https://learn.microsoft.com/azure/aks/api-server-authorized-ip-ranges' })),
  upgrades: withFieldDefaults(
    z.strictObject({
      automatic: z
        .enum(AKS_UPGRADE_CHANNELS)
        .default('patch')
        .meta(doc('Cluster auto-upgrade channel: `patch` (latest patch of the minor version), `stable`, `rapid`, `node-image` or `none` (with a reason).')),
      nodeOs: z
        .enum(AKS_NODE_OS_UPGRADE_CHANNELS)
        .default('NodeImage')
        .meta(doc('Node OS upgrade channel: `NodeImage` (weekly patched images), `SecurityPatch`, `Unmanaged` or `None` (the last two with a reason).')),
      reason: relaxationReason('automatic is none or nodeOs is Unmanaged or None'),
    }),
  ).meta(doc('Automatic upgrades of Kubernetes and of the node OS.', { see: 'https://learn.microsoft.com/azure/aks/auto-upgrade-cluster' })),
  preventDestroy: z
    .boolean()
    .default(true)
    .meta(
      doc(
        'Terraform refuses any plan that would delete or replace the cluster (`lifecycle.prevent_destroy`): a changed setting that forces a new cluster (the network data plane, for one) fails the plan instead of recreating the cluster. Set `false` to tear the environment down or to accept a replacement you have read in the plan.',
        { see: 'https://developer.hashicorp.com/terraform/language/meta-arguments/lifecycle#prevent_destroy' },
      ),
    ),
  skuTier: z
    .enum(AKS_SKU_TIERS)
    .default('Free')
    .meta(
      doc('AKS pricing tier: `Free`, `Standard` (uptime SLA; for production) or `Premium`.', {
        see: 'https://learn.microsoft.com/azure/aks/free-standard-pricing-tiers',
      }),
    ),
  containerInsights: z
    .boolean()
    .default(true)
    .meta(doc('Container Insights (the monitoring add-on) sends container logs and metrics to the logAnalytics workspace, when one is set.')),
  defender: z
    .boolean()
    .default(false)
    .meta(
      doc(
        "Microsoft Defender for Containers' sensor, reporting to the logAnalytics workspace (needs one). Billed per vCore by the subscription's Defender plan.",
        {
          see: 'https://learn.microsoft.com/azure/defender-for-cloud/defender-for-containers-introduction',
        },
      ),
    ),
  oidcIssuer: z
    .boolean()
    .default(true)
    .meta(
      doc('OIDC issuer: Workload Identity federation trusts the tokens it signs, so it must be on.', {
        see: 'https://learn.microsoft.com/azure/aks/use-oidc-issuer',
      }),
    ),
  workloadIdentity: z
    .boolean()
    .default(true)
    .meta(
      doc('Azure Workload Identity (needs the OIDC issuer); it must be on: the pods reach Key Vault through it.', {
        see: 'https://learn.microsoft.com/azure/aks/workload-identity-overview',
      }),
    ),
});

const ExistingCluster = z.strictObject({
  mode: z.literal('existing').meta(doc('`existing`: a cluster the stack does not manage. Terraform checks at plan time that it has what this file states.')),
  ...clusterCommon,
  resourceGroup: ruled(RESOURCE_GROUP_NAME_RULE.subject, RESOURCE_GROUP_NAME_RULE)
    .optional()
    .meta(doc('Resource group of the existing cluster.', { unset: 'azure.resourceGroup.name', example: 'rg-shared' })),
  oidcIssuer: z
    .boolean({ error: 'state whether the existing cluster has the OIDC issuer on (true or false)' })
    .meta(
      doc(
        'Whether the existing cluster has the OIDC issuer on. Terraform re-checks it at plan time (a postcondition on the data source); it must be true: Workload Identity needs it.',
        { example: true },
      ),
    ),
  workloadIdentity: z
    .boolean({ error: 'state whether the existing cluster has Workload Identity on (true or false)' })
    .meta(doc('Whether the existing cluster has Workload Identity on. Terraform re-checks it at plan time; it must be true.', { example: true })),
  network: ExistingNetwork.optional().meta(
    doc("The existing cluster's subnets (`mode: existing`), for the vault's firewall rule and private endpoint.", {
      unset: 'unknown: no private endpoint, and no firewall rule for the node subnet',
    }),
  ),
});

/** A missing `mode` means "create", so the minimal file stays minimal. */
const Cluster = z.discriminatedUnion('mode', [NewCluster, ExistingCluster], { error: 'use mode "create" or "existing"' });

const NetworkAcls = z.strictObject({
  defaultAction: z.enum(['Allow', 'Deny']).default('Allow').meta(doc('What happens to traffic that no rule below lets through: `Allow` or `Deny`.')),
  bypass: z.enum(['AzureServices', 'None']).default('AzureServices').meta(doc('Let trusted Azure services through (`AzureServices`) or not (`None`).')),
  ipRules: z
    .array(
      // The format is the pattern (one issue, and the JSON Schema's); the other rules only after it.
      ruled(KEY_VAULT_IP_RULE_FORMAT.subject, KEY_VAULT_IP_RULE_FORMAT).superRefine((v, ctx) => {
        const problem = KEY_VAULT_IP_RULE_FORMAT.test(v) ? ipRuleProblem(v) : undefined;
        if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
      }),
    )
    .max(KEY_VAULT_MAX_IP_RULES, {
      error: `use at most ${KEY_VAULT_MAX_IP_RULES} IP rules (Key Vault's limit): allow wider ranges, or subnets through virtualNetworkSubnetIds`,
    })
    .default([])
    .meta(doc(`Public IPv4 addresses or CIDR ranges allowed through (at most ${KEY_VAULT_MAX_IP_RULES}; no private ranges).`)),
  virtualNetworkSubnetIds: z
    .array(pattern(SUBNET_ID_RULE.pattern, SUBNET_ID_RULE.fix))
    .default([])
    .meta(
      doc(
        'Subnet resource ids allowed through. With defaultAction Deny, the AKS node subnet (the driver fetches from the node), with the `Microsoft.KeyVault` service endpoint on it.',
      ),
    ),
});

const PrivateDnsZone = z.discriminatedUnion(
  'mode',
  [
    z.strictObject({
      mode: z
        .literal('create')
        .meta(
          doc(
            "`create`: the stack creates the cloud's Key Vault zone (`privatelink.vaultcore.azure.net` on the public cloud) and links it to the cluster VNet.",
          ),
        ),
    }),
    z.strictObject({
      mode: z.literal('existing').meta(doc('`existing`: a zone you manage, e.g. in a hub subscription (hub-and-spoke).')),
      id: ruled(PRIVATE_DNS_ZONE_ID_RULE.subject, PRIVATE_DNS_ZONE_ID_RULE).meta(
        doc("The zone's resource id; its name must be the cloud's Key Vault zone.", {
          example:
            '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-hub-dns/providers/Microsoft.Network/privateDnsZones/privatelink.vaultcore.azure.net',
        }),
      ),
      linkVirtualNetwork: z
        .boolean()
        .default(true)
        .meta(
          doc(
            "Link the zone to the cluster VNet (in the zone's subscription, through a provider of its own). Set false where the hub links spokes itself or a DNS resolver forwards to it.",
          ),
        ),
    }),
  ],
  { error: 'use mode "create" or "existing"' },
);

const PrivateEndpoint = z.strictObject({
  subnetId: pattern(SUBNET_ID_RULE.pattern, SUBNET_ID_RULE.fix)
    .optional()
    .meta(
      doc('Subnet of the private endpoint.', {
        unset: 'the private-endpoint subnet of cluster.network (the node subnet of an existing network without one)',
        example:
          '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-network/providers/Microsoft.Network/virtualNetworks/vnet-spoke/subnets/snet-private-endpoints',
      }),
    ),
  dnsZone: PrivateDnsZone.default({ mode: 'create' }).meta(
    doc('The private DNS zone that makes the vault name resolve to the endpoint inside the VNet.', {
      see: 'https://learn.microsoft.com/azure/private-link/private-endpoint-dns',
    }),
  ),
});

const keyVaultCommon = {
  name: ruled(KEY_VAULT_NAME_RULE.subject, KEY_VAULT_NAME_RULE).meta(
    doc('Vault name: a globally unique DNS name of 3-24 letters, digits and hyphens.', { example: 'kv-my-app' }),
  ),
  privateEndpoint: PrivateEndpoint.optional().meta(
    doc(
      "A private endpoint for the vault (sub-resource `vault`) in the cluster's VNet, with its private DNS zone. The CSI driver fetches from the nodes, which then reach the vault over a private address.",
      { unset: 'none: the vault is reached over its public endpoint', see: 'https://learn.microsoft.com/azure/key-vault/general/private-link-service' },
    ),
  ),
};

const NewKeyVault = z.strictObject({
  mode: z
    .literal('create')
    .default('create')
    .meta(
      doc('`create` (the stack creates the vault, in Azure RBAC mode) or `existing`.', {
        see: 'https://learn.microsoft.com/azure/key-vault/general/rbac-guide',
      }),
    ),
  ...keyVaultCommon,
  sku: z.enum(['standard', 'premium']).default('standard').meta(doc('Pricing tier: `standard` or `premium` (HSM-protected keys).')),
  purgeProtection: z
    .boolean()
    .default(true)
    .meta(
      doc('Purge protection: deleted objects cannot be purged before the retention period ends. Cannot be turned off once on.', {
        see: 'https://learn.microsoft.com/azure/key-vault/general/soft-delete-overview#purge-protection',
      }),
    ),
  softDeleteRetentionDays: z
    .number()
    .int('use a whole number of days')
    .min(7, 'use 7 to 90 days')
    .max(90, 'use 7 to 90 days')
    .default(90)
    .meta(doc('Days deleted objects are kept (7 to 90), set once at creation.')),
  publicNetworkAccess: z
    .boolean()
    .default(true)
    .meta(
      doc('Public network access; when false the vault is reachable only through a private endpoint.', {
        see: 'https://learn.microsoft.com/azure/key-vault/general/network-security',
      }),
    ),
  networkAcls: withFieldDefaults(NetworkAcls).meta(
    doc("Network rules of the vault's public endpoint.", { see: 'https://learn.microsoft.com/azure/key-vault/general/network-security' }),
  ),
  auditLogs: z
    .boolean()
    .default(true)
    .meta(
      doc("Send the vault's AuditEvent log (every data-plane request: who read which secret, from where) to the logAnalytics workspace, when one is set.", {
        see: 'https://learn.microsoft.com/azure/key-vault/general/logging',
      }),
    ),
});

const ExistingKeyVault = z.strictObject({
  mode: z.literal('existing').meta(doc('`existing`: a vault the stack does not manage. Terraform checks at plan time that it uses Azure RBAC.')),
  ...keyVaultCommon,
  resourceGroup: ruled(RESOURCE_GROUP_NAME_RULE.subject, RESOURCE_GROUP_NAME_RULE)
    .optional()
    .meta(doc('Resource group of the existing vault.', { unset: 'azure.resourceGroup.name', example: 'rg-shared' })),
  subscriptionId: pattern(GUID, 'use a GUID such as 00000000-0000-0000-0000-000000000000')
    .optional()
    .meta(
      doc(
        'Subscription of the existing vault, when it is not azure.subscriptionId: the vault is read, and roles are granted on it, through a provider of that subscription.',
        {
          unset: "the environment's subscription",
          example: '00000000-0000-0000-0000-000000000000',
        },
      ),
    ),
});

const KeyVault = z.discriminatedUnion('mode', [NewKeyVault, ExistingKeyVault], { error: 'use mode "create" or "existing"' });

/** What an additional vault adds to the environment's vault: where the workloads mount it. */
const additionalVaultMount = {
  mountPath: ruled('an absolute path', CONTAINER_MOUNT_PATH_RULE)
    .meta({ pattern: '^/' })
    .optional()
    .meta(
      doc(
        "Where each workload that reads this vault mounts its objects (read-only, a CSI volume of its own): apart from the workload's deployment.mountPath and from every other vault's, neither inside the other.",
        { unset: '`/mnt/secrets-store-<name>` (the vault name in lower case)', example: '/mnt/secrets-store-platform' },
      ),
    ),
};

/**
 * A vault besides the environment's own (`additionalVaults[]`): created with the same posture
 * (RBAC, purge protection, soft delete, its own firewall), or an existing one we only grant
 * roles on. No private endpoint yet: only the environment's vault has one.
 */
const AdditionalKeyVault = z.discriminatedUnion(
  'mode',
  [
    NewKeyVault.omit({ privateEndpoint: true }).extend(additionalVaultMount),
    ExistingKeyVault.omit({ privateEndpoint: true })
      .extend(additionalVaultMount)
      .extend({
        mode: z
          .literal('existing')
          .meta(
            doc(
              "`existing`: a vault the stack does not manage (a platform team's shared vault): it only grants the workloads' identities their roles on it. Its firewall and permission model are its owner's: it must use Azure RBAC (Terraform checks at plan time) and let the cluster's nodes in.",
            ),
          ),
      }),
  ],
  { error: 'use mode "create" or "existing"' },
);

/** One field of a secret holding JSON, delivered under a key of its own. */
const JsonProperty = z.strictObject({
  property: ruled('a JSON field', ESO_PROPERTY_RULE).meta(
    doc('The JSON field: a gjson path into the secret value, such as `username` or `db.password`.', {
      example: 'username',
      see: 'https://github.com/tidwall/gjson/blob/master/SYNTAX.md',
    }),
  ),
  key: ruled('a Secret key', SECRET_KEY_RULE).meta(doc('Key in the Kubernetes Secret, and file name in the mount.', { example: 'db-username' })),
});

const KeyVaultObject = z
  .strictObject({
    name: pattern(KEY_VAULT_OBJECT_NAME, 'use 1-127 letters, digits or hyphens (map to another file name with alias)').meta(
      doc('Name of the secret, key or certificate in Key Vault. 1-127 letters, digits or hyphens (map it to another file name with alias).', {
        example: 'my-secret',
      }),
    ),
    type: z
      .enum(OBJECT_TYPES, { error: 'use "secret", "key" or "cert" (lower case)' })
      .meta(doc("`secret`, `key` or `cert`. A `cert` gives the public certificate only: for the private key, mount the certificate's name as a `secret`.")),
    alias: ruled('a file name', ...MOUNT_FILE_NAME_RULES)
      .meta({ pattern: MOUNT_FILE_NAME.source })
      .optional()
      .meta(doc('File name in the mount.', { unset: 'the object name', example: 'MY_SECRET' })),
    version: pattern(/^[0-9a-fA-F]{32}$/, 'use a 32-character hexadecimal Key Vault version id')
      .optional()
      .meta(
        doc('Pin a version (a 32-character hexadecimal id). A pinned version is never rotated.', {
          unset: 'the latest version, rotated',
          example: '0123456789abcdef0123456789abcdef',
        }),
      ),
    format: z
      .enum(['pem', 'pfx'])
      .optional()
      .meta(doc('`pem` or `pfx` (`pfx` only for type `secret`).', { unset: "the provider's (pem)", example: 'pem' })),
    encoding: z
      .enum(['utf-8', 'hex', 'base64'])
      .optional()
      .meta(doc('`utf-8`, `hex` or `base64` (only for type `secret`).', { unset: "the provider's (utf-8)", example: 'utf-8' })),
    filePermission: pattern(/^0?[0-7]{3}$/, 'use an octal mode such as "0440"')
      .optional()
      .meta(doc('Octal file mode of the mounted file.', { unset: "the provider's (0644)", example: '0440' })),
    vault: ruled(KEY_VAULT_NAME_RULE.subject, KEY_VAULT_NAME_RULE)
      .optional()
      .meta(
        doc(
          'The vault holding the object: keyVault.name or the name of one of additionalVaults (case-insensitive). Each vault a workload reads gets a SecretProviderClass and a CSI volume of its own (delivery engine `csi` only).',
          { unset: "keyVault (the environment's vault)", example: 'kv-platform-shared' },
        ),
      ),
    versionHistory: z
      .number()
      .int('use a whole number')
      .min(1, 'use 1 or more')
      .max(100, 'use at most 100')
      .optional()
      .meta(
        doc('Number of versions to mount (1 to 100). They are written as `<alias>/0`, `<alias>/1`, ... files, and no `<alias>` file.', {
          unset: 'the current version only, as `<alias>`',
          example: 2,
        }),
      ),
    properties: z
      .array(JsonProperty)
      .min(1, 'list at least one { property, key }, or remove properties')
      .optional()
      .meta(
        doc(
          'Split a secret holding JSON into several keys, one per JSON field (delivery engine `external-secrets` only: `remoteRef.property`). The whole value is then not delivered.',
          {
            unset: 'the whole value, as one key or file (alias or name)',
            example: [{ property: 'username', key: 'db-username' }],
            see: 'https://external-secrets.io/latest/provider/azure-key-vault/',
          },
        ),
      ),
  })
  .superRefine((o, ctx) => {
    if (o.properties !== undefined && !ESO_PROPERTY_TYPE_RULE.test(o.type)) {
      ctx.addIssue({ code: 'custom', path: ['properties'], message: ESO_PROPERTY_TYPE_RULE.fix });
    }
    if (o.properties !== undefined && o.alias !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['alias'],
        message: 'properties deliver the JSON fields under their own keys, not the whole value: remove alias (or properties)',
      });
    }
    if (o.format === 'pfx' && o.type !== 'secret') {
      ctx.addIssue({ code: 'custom', path: ['format'], message: 'format "pfx" is only for type "secret" (the certificate with its private key)' });
    }
    if (o.encoding !== undefined && o.type !== 'secret') {
      ctx.addIssue({ code: 'custom', path: ['encoding'], message: 'encoding applies only to type "secret"; remove it' });
    }
  });

const SecretObjectData = z.strictObject({
  objectName: text('objectName').meta(
    doc("The mounted file name: the object's alias when set, else its name (`<alias>/0` with a version history).", { example: 'my-secret' }),
  ),
  key: ruled('a Secret key', SECRET_KEY_RULE).meta(doc('Key in the Kubernetes Secret.', { example: 'password' })),
});

const SecretObject = z
  .strictObject({
    secretName: ruled('a Secret name', DNS1123_SUBDOMAIN_RULE).meta(doc('Name of the Kubernetes Secret.', { example: 'my-app-db' })),
    type: z
      .enum(SYNCED_SECRET_TYPES, {
        error: 'use a Secret type such as "Opaque" or "kubernetes.io/tls" (required: the driver skips entries without it)',
      })
      .meta(doc('Secret type; required, because the driver silently skips an entry without one.')),
    data: z
      .array(SecretObjectData)
      .min(1, 'list at least one { objectName, key }')
      .meta(doc('The keys of the Secret and the mounted files they hold (at least one).')),
    labels: labelMap({ [DRIVER_MANAGED_LABEL]: 'the driver sets this label on every Secret it syncs: remove it' })
      .optional()
      .meta(doc('Labels on the synced Secret.', { unset: 'none', example: { 'app.kubernetes.io/part-of': 'my-app' } })),
    annotations: annotationMap()
      .optional()
      .meta(doc('Annotations on the synced Secret.', { unset: 'none', example: { 'example.com/owner': 'team-a' } })),
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
        ctx.addIssue({
          code: 'custom',
          path: ['data'],
          message: `a ${s.type} Secret needs the key ${needs}: add { objectName, key } for it (the API server refuses the Secret, so the sync fails at mount time)`,
        });
      }
    }
  });

const EnvVar = z.strictObject({
  name: ruled('an environment variable name', ENV_VAR_NAME_RULE)
    .meta({ pattern: ENV_VAR_NAME.source })
    .meta(doc('Variable name.', { example: 'LOG_LEVEL' })),
  value: z
    .string({ error: 'expected a string value (quote numbers and booleans)' })
    .meta(doc('Literal value (quote numbers and booleans); never a secret: mount those.', { example: 'info' })),
});

const EnvFromSyncedSecret = z.strictObject({
  name: ruled('an environment variable name', ENV_VAR_NAME_RULE)
    .meta({ pattern: ENV_VAR_NAME.source })
    .meta(doc('Variable name.', { example: 'DB_PASSWORD' })),
  secretName: pattern(DNS1123_SUBDOMAIN, "use the secretName of one of this workload's secretObjects").meta(
    doc('A `secretObjects[].secretName` of this workload.', { example: 'my-app-db' }),
  ),
  key: text('key').meta(doc('Key in that Secret.', { example: 'password' })),
});

/** Kubernetes quantities, compared by value (`1Gi` is above `1000Mi`), each request at or below its limit. */
const Resources = z
  .strictObject({
    cpuRequest: ruled('a CPU quantity', CPU_QUANTITY_RULE).default('50m').meta(doc('CPU request.')),
    cpuLimit: ruled('a CPU quantity', CPU_QUANTITY_RULE)
      .optional()
      .meta(doc('CPU limit (at or above cpuRequest).', { unset: 'none: a CPU limit throttles the container', example: '500m' })),
    memoryRequest: ruled('a memory quantity', MEMORY_QUANTITY_RULE).default('64Mi').meta(doc('Memory request.')),
    memoryLimit: ruled('a memory quantity', MEMORY_QUANTITY_RULE).default('128Mi').meta(doc('Memory limit (at or above memoryRequest).')),
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

const SecurityContext = z
  .strictObject({
    runAsNonRoot: z.boolean().default(true).meta(doc('The kubelet refuses to start the container as root (user 0).')),
    runAsUser: z
      .number({ error: 'use a numeric user id (0 or more; non-zero with runAsNonRoot)' })
      .int({ error: 'use a whole-number user id' })
      .min(0, { error: 'use a user id of 0 or more' })
      .max(MAX_UNIX_ID, { error: `use a user id of at most ${MAX_UNIX_ID}` })
      .default(10001)
      .meta(doc('User id of the container process (non-zero with runAsNonRoot).')),
    runAsGroup: z
      .number({ error: 'use a numeric group id (0 or more)' })
      .int({ error: 'use a whole-number group id' })
      .min(0, { error: 'use a group id of 0 or more' })
      .max(MAX_UNIX_ID, { error: `use a group id of at most ${MAX_UNIX_ID}` })
      .default(10001)
      .meta(doc('Group id of the container process.')),
    readOnlyRootFilesystem: z.boolean().default(true).meta(doc("Mount the container's root filesystem read-only.")),
    allowPrivilegeEscalation: z.boolean().default(false).meta(doc('Let a process gain more privileges than its parent (setuid binaries).')),
    dropCapabilities: z.array(ruled('a capability name', CAPABILITY_RULE)).default(['ALL']).meta(doc('Linux capabilities dropped.')),
    seccompProfile: z
      .enum(['RuntimeDefault'], {
        error: (issue) =>
          issue.input === 'Unconfined'
            ? 'use "RuntimeDefault": Unconfined fails even the baseline Pod Security Standard (kubernetes/pod-security-admission policy/check_seccompProfile_baseline.go), so no namespace we label would admit the pods'
            : 'use "RuntimeDefault"',
      })
      .default('RuntimeDefault')
      .meta(
        doc(
          "`RuntimeDefault` only. `Unconfined` fails even the baseline Pod Security Standard, and a secrets-delivery tool offers no switch to turn the container's syscall filter off.",
        ),
      ),
  })
  .superRefine((sc, ctx) => {
    if (sc.runAsNonRoot && sc.runAsUser === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['runAsUser'],
        message:
          'runAsNonRoot is true, so the kubelet refuses to start a container as user 0: use a non-zero user id (or, against the restricted Pod Security Standard, runAsNonRoot: false)',
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
  [RELOADER_SPC_ANNOTATION]: "set by deployment.restartOnRotation (to this workload's SecretProviderClass): use that switch instead",
  [RELOADER_SECRET_ANNOTATION]: 'set by deployment.restartOnRotation (to the Secrets envFromSyncedSecret reads): use that switch instead',
};

const Port = z.strictObject({
  containerPort: z
    .number()
    .int()
    .min(1, 'use a port from 1 to 65535')
    .max(65535, 'use a port from 1 to 65535')
    .meta(doc('Port number (1 to 65535).', { example: 8080 })),
  name: ruled('a port name', PORT_NAME_RULE)
    .meta({ pattern: '^(?=.*[a-z])(?!-)(?!.*--)[-a-z0-9]{0,14}[a-z0-9]$' })
    .optional()
    .meta(doc('Port name: at most 15 lower-case letters, digits and hyphens, with at least one letter.', { unset: 'none', example: 'http' })),
  protocol: z.enum(['TCP', 'UDP']).default('TCP').meta(doc('`TCP` or `UDP`.')),
});

/** A liveness or readiness probe: an HTTP GET when `path` is set, else a TCP connect. */
const Probe = z.strictObject({
  port: z
    .union([z.number().int().min(1).max(65535), ruled('a port name', PORT_NAME_RULE)], { error: 'use a port number (1 to 65535) or the name of one of ports' })
    .meta(doc('Port probed: a number, or the name of one of `ports`.', { example: 8080 })),
  path: ruled('an absolute HTTP path', HTTP_PROBE_PATH_RULE)
    .optional()
    .meta(doc('HTTP path to GET (a 2xx or 3xx answer passes).', { unset: 'a TCP connect to the port', example: '/healthz' })),
  initialDelaySeconds: z.number().int().min(0).default(0).meta(doc('Seconds after the container starts before the first probe.')),
  periodSeconds: z.number().int().min(1).default(10).meta(doc('Seconds between probes.')),
  timeoutSeconds: z.number().int().min(1).default(1).meta(doc('Seconds a probe may take.')),
  failureThreshold: z.number().int().min(1).default(3).meta(doc('Failures in a row before the probe fails.')),
});

/** The NetworkPolicy of a workload's pods: ingress to the declared ports only, egress untouched. */
const WorkloadNetworkPolicy = z.strictObject({
  enabled: z
    .boolean()
    .default(true)
    .meta(
      doc(
        "Render a NetworkPolicy that denies all ingress to the pods except to the declared ports (deployment.ports; none declared: no ingress at all), from pods of the cluster: traffic from outside it (a LoadBalancer Service straight to the pods) is not let in, so route it through an ingress controller. The kubelet's probes from the node are always allowed. Egress is never restricted: the CSI driver's provider fetches the objects on the node, so the pods need no egress to Key Vault, and an egress policy would cut the app's own traffic (its database, DNS, Entra ID). It takes effect only where the cluster runs a network policy engine (cluster.networkPolicy).",
        { see: 'https://kubernetes.io/docs/concepts/services-networking/network-policies/' },
      ),
    ),
  reason: relaxationReason('enabled is false'),
  allowFromNamespaces: z
    .array(pattern(DNS1123_LABEL, 'use a namespace name (a DNS-1123 label)'))
    .default([])
    .meta(doc('Namespaces whose pods may reach the declared ports; empty: pods of every namespace of the cluster.', { example: ['ingress-nginx'] })),
  allowFromPodLabels: labelMap()
    .default({})
    .meta(
      doc('Labels the pods that may reach the declared ports must carry (in allowFromNamespaces, else in any namespace); empty: any pod.', {
        example: { 'app.kubernetes.io/name': 'ingress-nginx' },
      }),
    ),
});

const Deployment = z.strictObject({
  image: pattern(/^[^\s]+$/, 'use an image reference such as "ghcr.io/org/app:1.2.3" (no spaces)').meta(
    doc('Container image reference, such as `ghcr.io/org/app:1.2.3`.', { example: 'ghcr.io/example/my-app:1.0.0' }),
  ),
  command: z
    .array(z.string())
    .optional()
    .meta(doc("The container's entrypoint.", { unset: "the image's ENTRYPOINT", example: ['/app/server'] })),
  args: z
    .array(z.string())
    .optional()
    .meta(doc("The container's arguments.", { unset: "the image's CMD", example: ['--port', '8080'] })),
  ports: z.array(Port).default([]).meta(doc('Ports the container listens on.')),
  env: z.array(EnvVar).default([]).meta(doc('Environment variables with literal values.')),
  envFromSyncedSecret: z
    .array(EnvFromSyncedSecret)
    .default([])
    .meta(
      doc('Environment variables from a synced Kubernetes Secret. Opt-in only: they never change without a pod restart (files in the mount do).', {
        see: 'https://secrets-store-csi-driver.sigs.k8s.io/known-limitations#mounted-content-and-kubernetes-secret-not-updated-after-secret-is-updated-in-external-secrets-store',
      }),
    ),
  restartOnRotation: z
    .boolean()
    .default(false)
    .meta(
      doc(
        'Restart the pods when the mounted versions change (and when a Secret read by envFromSyncedSecret changes): the Deployment gets the Stakater Reloader annotations. Reloader must run with its CSI integration on: `output.reloader` renders its installation, `verify` checks it. An app that reads the files on each use needs no restart.',
        { see: 'https://github.com/stakater/Reloader#8--csi-secret-provider-support' },
      ),
    ),
  reloaderAnnotation: z
    .boolean()
    .optional()
    .meta({
      ...doc('The former name of restartOnRotation, still read (with a warning): true turns restartOnRotation on. Use restartOnRotation.', {
        unset: 'restartOnRotation alone decides',
      }),
      deprecated: true,
    }),
  replicas: z
    .number({ error: 'use a whole number of replicas from 0 to 1000' })
    .int({ error: 'use a whole number of replicas from 0 to 1000' })
    .min(0, { error: 'use a whole number of replicas from 0 to 1000' })
    .max(1000, { error: 'use a whole number of replicas from 0 to 1000' })
    .default(2)
    .meta(doc('Number of pods (0 to 1000).')),
  mountPath: ruled('an absolute path', CONTAINER_MOUNT_PATH_RULE)
    .meta({ pattern: '^/' })
    .default('/mnt/secrets-store')
    .meta(doc('Absolute path where the objects are mounted as files, read-only; the files change there on rotation.')),
  subPath: z
    .string()
    .optional()
    .meta({ ...doc('Never allowed: a subPath mount of a CSI secrets volume is never rotated. Read the file under mountPath instead.'), deprecated: true }),
  workloadIdentityLabel: z
    .boolean()
    .default(true)
    .meta(
      doc(
        `Pod label \`${WORKLOAD_IDENTITY_USE_LABEL}: "true"\`. The webhook then injects the token, for an app that uses the identity itself; the mount does not need it.`,
        {
          see: 'https://azure.github.io/azure-workload-identity/docs/topics/service-account-labels-and-annotations.html',
        },
      ),
    ),
  resources: withFieldDefaults(Resources).meta(
    doc("The container's requests and limits. Small (not cdk8s-plus's 1000m/512Mi), and no CPU limit (it throttles).", {
      see: 'https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/',
    }),
  ),
  securityContext: withFieldDefaults(SecurityContext).meta(
    doc("The container's security context: the restricted Pod Security Standard.", {
      see: 'https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted',
    }),
  ),
  labels: labelMap(RESERVED_POD_LABELS).default({}).meta(doc('Labels on the Deployment and its pods.')),
  annotations: annotationMap(RESERVED_DEPLOYMENT_ANNOTATIONS).default({}).meta(doc('Annotations on the Deployment and its pods.')),
  livenessProbe: Probe.optional().meta(
    doc('Restart the container when this probe fails.', {
      unset: 'none',
      see: 'https://kubernetes.io/docs/concepts/configuration/liveness-readiness-startup-probes/',
      example: { port: 8080, path: '/healthz' },
    }),
  ),
  readinessProbe: Probe.optional().meta(
    doc('Send traffic to the pod only while this probe passes.', {
      unset: 'none',
      see: 'https://kubernetes.io/docs/concepts/configuration/liveness-readiness-startup-probes/',
      example: { port: 8080, path: '/ready' },
    }),
  ),
  networkPolicy: withFieldDefaults(WorkloadNetworkPolicy).meta(doc("The pods' NetworkPolicy: ingress denied except to the declared ports; egress open.")),
  podDisruptionBudget: withFieldDefaults(
    z.strictObject({
      maxUnavailable: z
        .number({ error: PDB_MAX_UNAVAILABLE_RULE.fix })
        .int({ error: PDB_MAX_UNAVAILABLE_RULE.fix })
        .min(1, { error: PDB_MAX_UNAVAILABLE_RULE.fix })
        .default(1)
        .meta(doc('Pods that may be down at once during a voluntary disruption (node drain, upgrade).')),
    }),
  ).meta(
    doc('The PodDisruptionBudget of the pods, rendered when replicas is above 1 (with 0 or 1 replica a budget would only block node drains).', {
      see: 'https://kubernetes.io/docs/concepts/workloads/pods/disruptions/',
    }),
  ),
  spreadAcrossZones: z
    .boolean()
    .default(true)
    .meta(
      doc(
        `Spread the pods over zones (\`${TOPOLOGY_KEYS.zone}\`) and nodes (\`${TOPOLOGY_KEYS.node}\`) when replicas is above 1: topologySpreadConstraints with maxSkew ${TOPOLOGY_SPREAD.maxSkew} and ${TOPOLOGY_SPREAD.whenUnsatisfiable}, so pods still schedule where a zone or node is short.`,
        { see: 'https://kubernetes.io/docs/concepts/scheduling-eviction/topology-spread-constraints/' },
      ),
    ),
});

/** A namespace we put objects in: a DNS-1123 label, never kube-public or kube-node-lease. */
const namespaceName = pattern(DNS1123_LABEL, 'use a DNS-1123 label: lower-case letters, digits and "-", at most 63')
  .max(63, 'use at most 63 characters')
  .refine((v) => !(FORBIDDEN_WORKLOAD_NAMESPACES as readonly string[]).includes(v), {
    error: 'kube-public is readable by every client and kube-node-lease holds node heartbeats: put the workload in a namespace of its own',
  });

/** How often an ExternalSecret reads its keys again; `0s` reads them once. */
const refreshInterval = goDuration
  .default(ESO_DEFAULT_REFRESH_INTERVAL)
  .meta(
    doc(
      "How often the External Secrets Operator reads every key again (the ExternalSecret's `refreshInterval`, a Go duration; `0s` reads once and never rotates). Each read of each key is one Key Vault request.",
      { see: 'https://external-secrets.io/latest/api/externalsecret/' },
    ),
  );

const Delivery = z.discriminatedUnion(
  'engine',
  [
    z.strictObject({
      engine: z
        .literal('csi')
        .meta(
          doc(
            '`csi`: the Secrets Store CSI driver (the AKS add-on) mounts the objects as files, rotated in place. `secret-sync` and `external-secrets` write a Kubernetes Secret instead, which the pods mount at the same path.',
          ),
        ),
    }),
    z.strictObject({
      engine: z
        .literal('secret-sync')
        .meta(
          doc(
            '`secret-sync`: the Secrets Store Sync Controller (experimental, installed separately) writes a Kubernetes Secret from the SecretProviderClass through a `SecretSync`, with no CSI mount.',
            { see: 'https://secrets-store-sync-controller.sigs.k8s.io/' },
          ),
        ),
    }),
    z.strictObject({
      engine: z
        .literal('external-secrets')
        .meta(
          doc(
            '`external-secrets`: the External Secrets Operator (installed separately) writes a Kubernetes Secret through a SecretStore of its Azure Key Vault provider (Workload Identity, this ServiceAccount) and an ExternalSecret.',
            { see: 'https://external-secrets.io/latest/provider/azure-key-vault/' },
          ),
        ),
      refreshInterval,
    }),
  ],
  { error: 'use engine "csi", "secret-sync" or "external-secrets"' },
);

const Workload = z.strictObject({
  name: pattern(DNS1123_LABEL, 'use a DNS-1123 label: lower-case letters, digits and "-", at most 63, starting and ending alphanumeric')
    .max(40, 'use at most 40 characters (it prefixes other names)')
    .meta(doc('Workload name, at most 40 characters. It names the identity, ServiceAccount, SecretProviderClass and Deployment.', { example: 'my-app' })),
  namespace: namespaceName.meta(doc(`Kubernetes namespace of the workload (not ${FORBIDDEN_WORKLOAD_NAMESPACES.join(' or ')}).`, { example: 'my-app' })),
  serviceAccount: pattern(DNS1123_SUBDOMAIN, 'use a DNS-1123 name: lower-case letters, digits, "-" and "."')
    .max(253, { error: 'use at most 253 characters' })
    .optional()
    .meta(doc("ServiceAccount the pods run as; the federated credential's subject names it.", { unset: 'the workload name', example: 'my-app' })),
  delivery: Delivery.default({ engine: 'csi' }).meta(
    doc(
      `How the objects reach the pods: ${DELIVERY_ENGINES.map((e) => `\`${e}\``).join(', ')}. The objects, the identity and its roles stay the same whichever engine delivers them; files appear under deployment.mountPath with the same names.`,
    ),
  ),
  objects: z
    .array(KeyVaultObject)
    .min(1, 'list at least one Key Vault object to mount')
    .meta(
      doc('Key Vault objects mounted as files (at least one).', {
        see: 'https://azure.github.io/secrets-store-csi-driver-provider-azure/docs/getting-started/usage/',
      }),
    ),
  secretObjects: z
    .array(SecretObject)
    .default([])
    .meta(
      doc('Sync mounted objects to Kubernetes Secrets. Opt-in: a synced Secret exists only while a pod mounts the volume.', {
        see: 'https://secrets-store-csi-driver.sigs.k8s.io/topics/sync-as-kubernetes-secret',
      }),
    ),
  deployment: Deployment.meta(doc("The Deployment that runs the workload's pods and mounts its objects read-only at mountPath.")),
});

const Identity = z.strictObject({
  mode: z
    .enum(['per-workload', 'shared'])
    .default('per-workload')
    .meta(
      doc(
        `One identity per workload (\`per-workload\`) or one for all (\`shared\`). An identity holds at most ${MAX_FEDERATED_CREDENTIALS_PER_IDENTITY} federated credentials (one per ServiceAccount), so a shared identity of more workloads is split into the fewest that fit, filled in workload order (\`id-<env>-shared\`, \`id-<env>-shared-2\`, ...), each with the same roles: add workloads at the end of the list.`,
      ),
    ),
  roleScope: z
    .enum(['vault', 'object'])
    .default('vault')
    .meta(doc('Scope of the role assignments: the vault (`vault`) or each object (`object`, `<vault id>/secrets/<name>`).')),
  role: z
    .enum(['least-privilege', 'administrator'])
    .default('least-privilege')
    .meta(
      doc(
        '`least-privilege` (Key Vault Secrets User or Certificate User, by object type) or `administrator`. Key Vault Administrator grants every data-plane operation, and a warning says so.',
      ),
    ),
  propagationWait: z
    .string({ error: `expected a duration such as "30s": ${TIME_SLEEP_DURATION_RULE.fix}` })
    .regex(TIME_SLEEP_DURATION_RULE.pattern, { error: (issue) => timeSleepDurationFix(String(issue.input)) })
    .default('30s')
    .meta(
      doc(
        "Wait after role assignments and federated credentials, for Azure to propagate them. One number and one unit (ms, s, m or h), as hashicorp/time's time_sleep takes it; `0s` disables.",
        {
          see: 'https://learn.microsoft.com/azure/role-based-access-control/troubleshooting#symptom---role-assignment-changes-are-not-being-detected',
        },
      ),
    ),
});

const State = z.discriminatedUnion(
  'backend',
  [
    z.strictObject({
      backend: z.literal('local').meta(doc('`local`: a state file in the project folder.')),
      path: ruled('a relative path', ...STATE_PATH_RULES, BACKEND_LITERAL_RULE)
        .optional()
        .meta(
          doc(
            `State file path, relative to the project root. "/" between folders, never outside the project or inside ${GENERATED_DIRS.map((d) => `${d}/`).join(' or ')}.`,
            {
              unset: '`terraform.<env>.tfstate`',
              example: 'state/my-app.tfstate',
            },
          ),
        ),
    }),
    z.strictObject({
      backend: z
        .literal('azurerm')
        .meta(doc('`azurerm`: a blob in an Azure Storage container.', { see: 'https://developer.hashicorp.com/terraform/language/backend/azurerm' })),
      resourceGroup: ruled(RESOURCE_GROUP_NAME_RULE.subject, RESOURCE_GROUP_NAME_RULE).meta(
        doc('Resource group of the storage account.', { example: 'rg-tfstate' }),
      ),
      storageAccount: ruled('a storage account name', STORAGE_ACCOUNT_NAME_RULE).meta(doc('Storage account name.', { example: 'sttfstate' })),
      container: ruled('a blob container name', STORAGE_CONTAINER_NAME_RULE).meta(doc('Blob container name.', { example: 'tfstate' })),
      key: ruled('a blob name', BLOB_NAME_RULE, BACKEND_LITERAL_RULE)
        .optional()
        .meta(doc('Blob name of the state.', { unset: '`<env>.tfstate`', example: 'my-app.tfstate' })),
    }),
  ],
  { error: 'use backend "local" or "azurerm"' },
);

const gitOpsPath = () =>
  ruled('a repository path', GITOPS_PATH_RULE)
    .meta({ minLength: 1 })
    .optional()
    .meta(doc('Path of the rendered folder inside the GitOps repository.', { unset: '`dist/<env>`', example: 'clusters/my-app' }));

const ArgoCdGitOps = z.strictObject({
  tool: z
    .literal('argocd')
    .meta(doc('`argocd`: render an Argo CD Application.', { see: 'https://argo-cd.readthedocs.io/en/stable/operator-manual/declarative-setup/#applications' })),
  repoURL: ruled('a repository URL', ARGOCD_REPO_URL_RULE).meta(
    doc('URL of the Git repository holding the rendered folder.', { example: 'https://github.com/example/gitops.git' }),
  ),
  path: gitOpsPath(),
  targetRevision: text('targetRevision').default('HEAD').meta(doc('Git revision Argo CD syncs.')),
  namespace: pattern(DNS1123_LABEL, 'use a DNS-1123 label').default('argocd').meta(doc('Namespace Argo CD watches for Applications.')),
  project: ruled('an Argo CD project name', ARGOCD_PROJECT_RULE).default('default').meta(doc('Argo CD AppProject of the Application.')),
  cluster: ruled('an Argo CD cluster', ARGOCD_CLUSTER_RULE)
    .optional()
    .meta(
      doc('Cluster the Application deploys to: the API server URL of a cluster registered in Argo CD, or its name there.', {
        unset: 'the cluster Argo CD runs in (`https://kubernetes.default.svc`)',
        example: 'https://aks-prod.hcp.westeurope.azmk8s.io:443',
        see: 'https://argo-cd.readthedocs.io/en/stable/operator-manual/declarative-setup/#clusters',
      }),
    ),
  fleet: z
    .boolean()
    .default(false)
    .meta(
      doc(
        'Join the Argo CD fleet: the folder gets `aks-keyvault-csi-fleet.json` (environment and cluster), and one ApplicationSet (`dist/fleet/argocd/`) makes the Application of every such folder in repoURL. Members share repoURL, targetRevision, namespace and project.',
        { see: 'https://argo-cd.readthedocs.io/en/stable/operator-manual/applicationset/Generators-Git/#git-generator-files' },
      ),
    ),
});

const FluxGitOps = z.strictObject({
  tool: z.literal('flux').meta(doc('`flux`: render a Flux Kustomization.', { see: 'https://fluxcd.io/flux/components/kustomize/kustomizations/' })),
  sourceRef: pattern(DNS1123_SUBDOMAIN, 'use the name of a Flux GitRepository').meta(
    doc('Name of the Flux GitRepository source, in the namespace of the Kustomization.', { example: 'flux-system' }),
  ),
  path: gitOpsPath(),
  namespace: pattern(DNS1123_LABEL, 'use a DNS-1123 label').default('flux-system').meta(doc('Namespace of the Kustomization.')),
  interval: ruled('a Flux interval such as "10m"', FLUX_DURATION_RULE)
    .refine((v) => !FLUX_DURATION_RULE.test(v) || durationSeconds(v) > 0, { error: 'use an interval longer than zero, such as "10m"' })
    .default('10m')
    .meta(doc('Reconcile interval, in the syntax the Kustomization CRD accepts (`10m`, `1h`, `1m30s`).')),
  cluster: ruled('a Secret name', DNS1123_SUBDOMAIN_RULE)
    .optional()
    .meta(
      doc("Cluster the Kustomization applies to: the name of the Secret (in the Kustomization's namespace) holding its kubeconfig, under the key `value`.", {
        unset: 'the cluster Flux runs in',
        example: 'aks-prod-kubeconfig',
        see: 'https://fluxcd.io/flux/components/kustomize/kustomizations/#kubeconfig-remote-clusters',
      }),
    ),
  fleet: z
    .boolean()
    .default(false)
    .meta(
      doc(
        "Join the Flux fleet: `dist/fleet/flux/members/` gets this environment's Kustomization, and one root Kustomization (`dist/fleet/flux/bootstrap/`) applies every member. Members share sourceRef, namespace and fleetPath.",
      ),
    ),
  fleetPath: ruled('a repository path', GITOPS_PATH_RULE)
    .meta({ minLength: 1 })
    .optional()
    .meta(
      doc('Path of the fleet folder (`dist/fleet/flux`) inside the GitOps repository: the root Kustomization applies its `members/`.', {
        unset: '`dist/fleet/flux`',
        example: 'clusters/fleet',
      }),
    ),
});

const GitOps = z.discriminatedUnion('tool', [ArgoCdGitOps, FluxGitOps], { error: 'use tool "argocd" or "flux"' });

const Reloader = z.strictObject({
  namespace: pattern(DNS1123_LABEL, 'use a DNS-1123 label').default('reloader').meta(doc('Namespace Reloader is installed in (created by the GitOps tool).')),
  chartVersion: ruled('a Helm chart version', HELM_CHART_VERSION_RULE)
    .default(RELOADER_CHART.version)
    .meta(doc(`Version of the upstream \`${RELOADER_CHART.chart}\` chart (${RELOADER_CHART.repoURL}), pinned.`)),
});

const SharedSecret = z
  .strictObject({
    secretName: ruled('a Secret name', DNS1123_SUBDOMAIN_RULE).meta(doc('Name of the Kubernetes Secret in each namespace.', { example: 'wildcard-tls' })),
    type: z
      .enum(SYNCED_SECRET_TYPES, { error: 'use a Secret type such as "Opaque" or "kubernetes.io/tls"' })
      .default('Opaque')
      .meta(doc('Secret type. `kubernetes.io/tls` takes the keys `tls.crt` and `tls.key` (the aliases of its objects).')),
    namespaces: z
      .array(namespaceName)
      .min(1, 'list at least one namespace')
      .meta(doc('Namespaces that get the Secret (each must exist, or be one this environment renders).', { example: ['payments', 'web'] })),
    objects: z
      .array(KeyVaultObject)
      .min(1, 'list at least one Key Vault object')
      .meta(doc('Key Vault objects of the Secret: each becomes the key named by its alias (else its name), or one key per JSON property.')),
  })
  .superRefine((s, ctx) => {
    const keys = s.objects.flatMap((o) => (o.properties !== undefined ? o.properties.map((p) => p.key) : [o.alias ?? o.name]));
    if (s.type === 'kubernetes.io/tls') {
      keys.forEach((k) => {
        if (!TLS_SECRET_KEY_RULE.test(k))
          ctx.addIssue({ code: 'custom', path: ['objects'], message: `key "${k}": ${TLS_SECRET_KEY_RULE.fix} (set each object's alias)` });
      });
    }
    for (const needs of missingSecretKeys(s.type, keys)) {
      ctx.addIssue({
        code: 'custom',
        path: ['objects'],
        message: `a ${s.type} Secret needs the key ${needs}: add an object with that alias (the API server refuses the Secret otherwise)`,
      });
    }
  });

const sharedSecretsCommon = {
  serviceAccount: pattern(DNS1123_SUBDOMAIN, 'use a DNS-1123 name: lower-case letters, digits, "-" and "."')
    .max(253, { error: 'use at most 253 characters' })
    .default('keyvault-shared-secrets')
    .meta(doc("ServiceAccount the engine reads Key Vault as: the shared-secrets identity's federated credential names it.")),
  secrets: z.array(SharedSecret).min(1, 'list at least one shared secret').meta(doc('The Secrets to deliver, each into several namespaces.')),
};

const SharedSecrets = z.discriminatedUnion(
  'engine',
  [
    z.strictObject({
      engine: z
        .literal('external-secrets')
        .meta(
          doc(
            '`external-secrets`: one ClusterSecretStore (limited to the target namespaces by its conditions) and one ClusterExternalSecret per Secret. The store reads Key Vault as one ServiceAccount, in `namespace`.',
            { see: 'https://external-secrets.io/latest/api/clusterexternalsecret/' },
          ),
        ),
      namespace: namespaceName
        .default('keyvault-shared-secrets')
        .meta(
          doc(
            "Namespace of the store's ServiceAccount (rendered when output.namespaces is on): whoever can create pods or tokens there can read the shared objects.",
          ),
        ),
      refreshInterval,
      ...sharedSecretsCommon,
    }),
    z.strictObject({
      engine: z
        .literal('secret-sync')
        .meta(
          doc(
            "`secret-sync`: in each target namespace a ServiceAccount, a SecretProviderClass and one SecretSync per Secret (the Secrets Store Sync Controller reads a SecretProviderClass of the SecretSync's own namespace). One federated credential per namespace.",
            { see: 'https://secrets-store-sync-controller.sigs.k8s.io/' },
          ),
        ),
      ...sharedSecretsCommon,
    }),
  ],
  { error: 'use engine "external-secrets" or "secret-sync"' },
);

const Engines = z.strictObject({
  secretSync: withFieldDefaults(
    z.strictObject({
      rotationPollInterval: goDuration
        .default(SECRET_SYNC_DEFAULT_ROTATION_POLL_INTERVAL)
        .meta(
          doc(
            "What the installed Secrets Store Sync Controller's `--rotation-poll-interval` (Helm `rotationPollInterval`) is set to: how often it refetches every SecretSync's objects. `0s` means never (only on change). Used for the request budget and TRUST.md; this project does not install the controller.",
            { see: 'https://github.com/kubernetes-sigs/secrets-store-sync-controller/tree/main/charts/secrets-store-sync-controller' },
          ),
        ),
    }),
  ).meta(doc('The Secrets Store Sync Controller, as installed in the cluster.')),
});

const Output = z.strictObject({
  namespaces: z.boolean().default(true).meta(doc('Render a Namespace object for each workload namespace other than `default`.')),
  gitops: GitOps.optional().meta(
    doc('What a GitOps tool needs to apply the rendered folder: an Argo CD Application or a Flux Kustomization.', { unset: 'none' }),
  ),
  reloader: Reloader.optional().meta(
    doc(
      "Install Stakater Reloader with its CSI integration on, through output.gitops's tool: an Argo CD Application, or a Flux HelmRepository and HelmRelease, of the upstream chart, in `bootstrap/` beside the GitOps object. Workloads with deployment.restartOnRotation need Reloader running.",
      { unset: 'none (Reloader is installed some other way, or not needed)', see: 'https://github.com/stakater/Reloader' },
    ),
  ),
});

const LogAnalytics = z.discriminatedUnion(
  'mode',
  [
    z.strictObject({
      mode: z.literal('create').meta(doc('`create`: the stack creates a workspace (PerGB2018) in azure.resourceGroup.')),
      name: ruled(LOG_ANALYTICS_WORKSPACE_NAME_RULE.subject, LOG_ANALYTICS_WORKSPACE_NAME_RULE).meta(
        doc('Workspace name: 4-63 letters, digits or hyphens.', { example: 'log-my-app' }),
      ),
      retentionDays: z
        .number()
        .int('use a whole number of days')
        .min(LOG_ANALYTICS_RETENTION_DAYS.min, `use ${LOG_ANALYTICS_RETENTION_DAYS.min} to ${LOG_ANALYTICS_RETENTION_DAYS.max} days`)
        .max(LOG_ANALYTICS_RETENTION_DAYS.max, `use ${LOG_ANALYTICS_RETENTION_DAYS.min} to ${LOG_ANALYTICS_RETENTION_DAYS.max} days`)
        .default(30)
        .meta(doc(`Days the workspace keeps data (${LOG_ANALYTICS_RETENTION_DAYS.min} to ${LOG_ANALYTICS_RETENTION_DAYS.max}).`)),
    }),
    z.strictObject({
      mode: z.literal('existing').meta(doc('`existing`: a workspace you manage (a central one, often in another subscription).')),
      id: ruled(LOG_ANALYTICS_WORKSPACE_ID_RULE.subject, LOG_ANALYTICS_WORKSPACE_ID_RULE).meta(
        doc("The workspace's resource id.", {
          example:
            '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-monitoring/providers/Microsoft.OperationalInsights/workspaces/log-platform',
        }),
      ),
    }),
  ],
  { error: 'use mode "create" or "existing"' },
);

const monitoringCommon = {
  scrapeInterval: ruled('a Prometheus duration such as "30s"', PROMETHEUS_DURATION_RULE)
    .default('30s')
    .meta(doc("How often the add-on's driver and provider pods are scraped (the PodMonitors' `interval`).")),
  alertFor: ruled('a Prometheus duration such as "5m"', PROMETHEUS_DURATION_RULE)
    .default('5m')
    .meta(
      doc(
        "How long a condition must hold before an alert fires (each alert's `for`), and the shortest window error counts are taken over: the error alerts look back at least twice the period a persistent failure recurs at (kubelet's 2m volume retry, the rotation interval), so that a failure every 10m still fires.",
      ),
    ),
  keyVaultLatencySeconds: z
    .number({ error: 'expected a number of seconds' })
    .positive('use a number of seconds above 0')
    .max(300, 'use at most 300 seconds')
    .default(2)
    .meta(
      doc(
        "The `KeyVaultRequestLatencyHigh` alert fires when the 99th percentile of the Azure provider's Key Vault requests (`keyvault_request`) is above this many seconds.",
      ),
    ),
  keyVaultThrottlingAlert: z
    .boolean()
    .default(true)
    .meta(
      doc(
        'An Azure Monitor metric alert on the vault: any call answered HTTP 429 (metric `ServiceApiResult`, dimension `StatusCode`), from every client of the vault, in 5 minutes. Created by the Terraform stack in azure.resourceGroup, whichever Prometheus you use.',
        { see: 'https://learn.microsoft.com/azure/key-vault/general/service-limits' },
      ),
    ),
  actionGroupId: ruled(ACTION_GROUP_ID_RULE.subject, ACTION_GROUP_ID_RULE)
    .optional()
    .meta(
      doc(
        "An existing action group the Azure-side alerts notify (the Key Vault throttling alert, and with `azure-managed` the Prometheus rule group's alerts).",
        {
          unset: 'none: the alerts fire in Azure Monitor without notifying anyone',
          example: '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-monitoring/providers/Microsoft.Insights/actionGroups/ag-platform',
        },
      ),
    ),
};

const MonitorWorkspace = z.discriminatedUnion(
  'mode',
  [
    z.strictObject({
      mode: z.literal('create').meta(doc('`create`: the stack creates an Azure Monitor workspace in azure.resourceGroup.')),
      name: ruled(MONITOR_WORKSPACE_NAME_RULE.subject, MONITOR_WORKSPACE_NAME_RULE).meta(doc('Workspace name.', { example: 'amw-my-app' })),
    }),
    z.strictObject({
      mode: z.literal('existing').meta(doc('`existing`: a workspace you manage (a central one).')),
      id: ruled(MONITOR_WORKSPACE_ID_RULE.subject, MONITOR_WORKSPACE_ID_RULE).meta(
        doc("The workspace's resource id.", {
          example: '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-monitoring/providers/Microsoft.Monitor/accounts/amw-platform',
        }),
      ),
    }),
  ],
  { error: 'use mode "create" or "existing"' },
);

const Monitoring = z.discriminatedUnion(
  'prometheus',
  [
    z.strictObject({
      prometheus: z
        .literal('operator')
        .meta(
          doc(
            '`operator`: a Prometheus run by the Prometheus operator (kube-prometheus-stack). The rendered folder gets two `monitoring.coreos.com/v1` PodMonitors in `kube-system` (driver and provider pods) and a PrometheusRule with the alerts. Your Prometheus must select kube-system (its `podMonitorNamespaceSelector` and `ruleNamespaceSelector`) and the labels below; with Argo CD, the project must allow the kube-system destination.',
            { see: 'https://prometheus-operator.dev/docs/api-reference/api/#monitoring.coreos.com/v1.PodMonitor' },
          ),
        ),
      selectorLabels: labelMap()
        .default({ ...PROMETHEUS_OPERATOR.defaultSelectorLabels })
        .meta(doc("Labels on the PodMonitors and the PrometheusRule, so your Prometheus's `podMonitorSelector` and `ruleSelector` pick them up.")),
      ...monitoringCommon,
    }),
    z.strictObject({
      prometheus: z
        .literal('azure-managed')
        .meta(
          doc(
            "`azure-managed`: Azure Monitor managed Prometheus. The stack turns on the cluster's metrics profile (`monitor_metrics`), sends it to an Azure Monitor workspace through a data collection endpoint and rule, and creates a Prometheus rule group with the alerts, scoped to the cluster; the rendered folder gets two `azmonitoring.coreos.com/v1` PodMonitors in `kube-system` (the managed agent reads that group, and any namespace). Needs `cluster.mode: create`.",
            { see: 'https://learn.microsoft.com/azure/azure-monitor/containers/prometheus-metrics-scrape-crd' },
          ),
        ),
      workspace: MonitorWorkspace.meta(doc('The Azure Monitor workspace the metrics go to and the rule group reads.')),
      ...monitoringCommon,
    }),
  ],
  { error: 'use prometheus "operator" or "azure-managed"' },
);

/** The shape of an environment file, without the rules that span several fields. */
export const EnvironmentShape = z.strictObject({
  $schema: z
    .string()
    .optional()
    .meta(doc('Path or URL of this JSON Schema, for editors; the loader ignores it.', { unset: 'none', example: './environment.schema.json' })),
  azure: Azure.meta(doc('Where the Azure resources go: region, resource group, subscription, cloud and tags.')),
  cluster: Cluster.meta(doc('The AKS cluster. The stack creates it (`mode: create`, the default) or references an existing one (`mode: existing`).')),
  keyVault: KeyVault.meta(
    doc(
      'The Key Vault holding the objects the workloads mount. The stack creates it (`mode: create`, the default) or references an existing one (`mode: existing`).',
    ),
  ),
  additionalVaults: z
    .array(AdditionalKeyVault)
    .optional()
    .meta(
      doc(
        "Vaults besides keyVault that workloads read objects from (`objects[].vault`): created by the stack (`mode: create`, the default, with keyVault's secure defaults) or existing ones (`mode: existing`, such as a platform-wide vault). Each workload's identity gets roles only on the vaults it reads.",
        {
          unset: 'none: every object is in keyVault',
          example: [{ name: 'kv-platform-shared', mode: 'existing', resourceGroup: 'rg-platform' }],
          see: 'https://learn.microsoft.com/azure/key-vault/general/best-practices#use-separate-key-vaults',
        },
      ),
    ),
  identity: withFieldDefaults(Identity).meta(
    doc('How workloads authenticate to Key Vault. Each uses a user-assigned identity federated with its ServiceAccount, with a role on the vault.', {
      see: 'https://learn.microsoft.com/azure/aks/workload-identity-deploy-cluster',
    }),
  ),
  workloads: z
    .array(Workload)
    .min(1, 'list at least one workload')
    .meta(doc('The applications that mount Key Vault objects. Each gets an identity, a ServiceAccount, a SecretProviderClass and a Deployment.')),
  sharedSecrets: SharedSecrets.optional().meta(
    doc(
      'Key Vault objects delivered as the same Kubernetes Secret into several namespaces (a wildcard TLS certificate), without a pod mount. They get an identity of their own, `id-<env>-shared-secrets`, that reads only these objects.',
      { unset: 'none' },
    ),
  ),
  engines: withFieldDefaults(Engines).meta(doc('Settings of the delivery engines installed in the cluster, as they are (this project does not install them).')),
  logAnalytics: LogAnalytics.optional().meta(
    doc(
      "A Log Analytics workspace for the cluster's Container Insights and Defender and the vault's audit log (cluster.containerInsights, cluster.defender, keyVault.auditLogs).",
      {
        unset: 'none: no Container Insights, Defender or vault audit log',
        see: 'https://learn.microsoft.com/azure/azure-monitor/logs/log-analytics-workspace-overview',
      },
    ),
  ),
  monitoring: Monitoring.optional().meta(
    doc(
      "Metrics and alerts of secret delivery: PodMonitors for the add-on's driver and provider pods in kube-system, alerts on mount, rotation and Key Vault request errors, Key Vault latency and add-on pods down, and a Key Vault throttling (HTTP 429) alert.",
      { unset: 'none' },
    ),
  ),
  state: State.default({ backend: 'local' }).meta(doc("Where Terraform keeps this environment's state, which holds the cluster's admin credentials.")),
  output: withFieldDefaults(Output).meta(doc('What is rendered besides the workloads.')),
});

/**
 * What the Deployment construct falls back to when it is used as a library, without an
 * environment file: the schema's own defaults, parsed once (so each value is written once, in
 * the schema) and frozen.
 */
export const DEPLOYMENT_DEFAULTS = deepFreeze(
  Deployment.pick({
    replicas: true,
    mountPath: true,
    workloadIdentityLabel: true,
    restartOnRotation: true,
    resources: true,
    securityContext: true,
    networkPolicy: true,
    podDisruptionBudget: true,
    spreadAcrossZones: true,
  }).parse({}),
);

/**
 * What the AKS cluster construct falls back to when it is used as a library, without an
 * environment file: the schema's hardening defaults, parsed once and frozen.
 */
export const CLUSTER_DEFAULTS = deepFreeze(
  NewCluster.pick({ networkPlugin: true, networkPolicy: true, entraId: true, localAccounts: true, apiServer: true, upgrades: true, skuTier: true }).parse({}),
);

/** What the Argo CD and Flux constructs fall back to without an environment file: the schema's defaults. */
export const GITOPS_DEFAULTS = deepFreeze({
  argocd: ArgoCdGitOps.pick({ targetRevision: true, namespace: true, project: true }).parse({}),
  flux: FluxGitOps.pick({ namespace: true, interval: true }).parse({}),
});

/** What the Reloader installation construct falls back to without an environment file: the schema's defaults. */
export const RELOADER_DEFAULTS = deepFreeze(Reloader.parse({}));

type DeepReadonly<T> = T extends readonly (infer E)[] ? readonly DeepReadonly<E>[] : T extends object ? { readonly [K in keyof T]: DeepReadonly<T[K]> } : T;

function deepFreeze<T>(value: T): DeepReadonly<T> {
  if (value !== null && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value as DeepReadonly<T>;
}

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
export type AdditionalVaultConfig = NonNullable<EnvironmentConfig['additionalVaults']>[number];
export type StateConfig = EnvironmentConfig['state'];
export type GitOpsConfig = NonNullable<EnvironmentConfig['output']['gitops']>;
export type ReloaderConfig = NonNullable<EnvironmentConfig['output']['reloader']>;
export type DeliveryConfig = WorkloadConfig['delivery'];
export type SharedSecretsConfig = NonNullable<EnvironmentConfig['sharedSecrets']>;
export type SharedSecretConfig = SharedSecretsConfig['secrets'][number];
export type NetworkConfig = NonNullable<Extract<ClusterConfig, { mode: 'create' }>['network']>;
export type PrivateEndpointConfig = NonNullable<KeyVaultConfig['privateEndpoint']>;
export type LogAnalyticsConfig = NonNullable<EnvironmentConfig['logAnalytics']>;
export type MonitoringConfig = NonNullable<EnvironmentConfig['monitoring']>;
export type ProbeConfig = NonNullable<DeploymentConfig['livenessProbe']>;
