/**
 * Facts about Azure, Entra ID, Key Vault and Azure Workload Identity that the stacks, the
 * charts, the check and verify all rely on. Defined here once; every other module imports them.
 */
import { createHash } from 'node:crypto';
import { durationSeconds, isGoDuration } from './config/duration';
import { anyCase, firstBroken, patternRule, predicateRule, utf8Length, type Rule } from './rule';
import type { ObjectType } from './csi-driver';

/**
 * Clouds, keyed by our short name (the environment file's `azure.cloud`):
 * - `csiCloudName`: the Azure provider for the CSI driver's `cloudName` parameter;
 * - `terraformEnvironment`: azurerm's `environment` (provider and backend);
 * - `keyVaultDnsSuffix`: vault URIs are `https://<name>.<suffix>/`;
 * - `keyVaultScope` and `authorityHost`: what a Key Vault client authenticates against.
 * @see https://github.com/Azure/secrets-store-csi-driver-provider-azure (pkg/provider: cloudName)
 * @see https://learn.microsoft.com/azure/key-vault/general/about-keys-secrets-certificates#dns-suffixes-for-object-identifiers
 */
export const CLOUDS = {
  public: {
    csiCloudName: 'AzurePublicCloud',
    terraformEnvironment: 'public',
    keyVaultDnsSuffix: 'vault.azure.net',
    keyVaultScope: 'https://vault.azure.net/.default',
    authorityHost: 'https://login.microsoftonline.com',
  },
  usgovernment: {
    csiCloudName: 'AzureUSGovernmentCloud',
    terraformEnvironment: 'usgovernment',
    keyVaultDnsSuffix: 'vault.usgovcloudapi.net',
    keyVaultScope: 'https://vault.usgovcloudapi.net/.default',
    authorityHost: 'https://login.microsoftonline.us',
  },
  china: {
    csiCloudName: 'AzureChinaCloud',
    terraformEnvironment: 'china',
    keyVaultDnsSuffix: 'vault.azure.cn',
    keyVaultScope: 'https://vault.azure.cn/.default',
    authorityHost: 'https://login.chinacloudapi.cn',
  },
} as const;
export type CloudName = keyof typeof CLOUDS;
/** The facts of one cloud. */
export type Cloud = (typeof CLOUDS)[CloudName];
export const CLOUD_NAMES = Object.keys(CLOUDS) as [CloudName, ...CloudName[]];
export type CsiCloudName = (typeof CLOUDS)[CloudName]['csiCloudName'];
export const CSI_CLOUD_NAMES = Object.values(CLOUDS).map((c) => c.csiCloudName) as [CsiCloudName, ...CsiCloudName[]];
/** The CSI provider's default `cloudName` (not written in a SecretProviderClass). */
export const DEFAULT_CSI_CLOUD_NAME: CsiCloudName = CLOUDS.public.csiCloudName;

/** The cloud whose CSI `cloudName` this is. */
export function cloudOfCsiName(csiCloudName: string): (typeof CLOUDS)[CloudName] | undefined {
  return Object.values(CLOUDS).find((c) => c.csiCloudName === csiCloudName);
}

/** `https://<vault>.<suffix>/`: the URI Azure gives a vault in a cloud. */
export function keyVaultUri(name: string, cloud: (typeof CLOUDS)[CloudName]): string {
  return `https://${name.toLowerCase()}.${cloud.keyVaultDnsSuffix}/`;
}

// ---------------------------------------------------------------------------------------------
// Workload Identity

/** The only audience Entra ID accepts for Workload Identity federation. */
export const WORKLOAD_IDENTITY_AUDIENCE = 'api://AzureADTokenExchange';
/**
 * ServiceAccount annotation read by the Azure Workload Identity webhook (and by humans tracing
 * the chain). The CSI provider does not read it: it uses the SecretProviderClass `clientID`.
 * @see https://azure.github.io/azure-workload-identity/docs/topics/service-account-labels-and-annotations.html
 */
export const CLIENT_ID_ANNOTATION = 'azure.workload.identity/client-id';
/** Pod label that makes the webhook inject the Azure token for the app's own use. */
export const WORKLOAD_IDENTITY_USE_LABEL = 'azure.workload.identity/use';
/**
 * Federated identity credentials one user-assigned identity can hold.
 * @see https://learn.microsoft.com/entra/workload-id/workload-identity-federation-considerations#general-federated-identity-credential-considerations
 */
export const MAX_FEDERATED_CREDENTIALS_PER_IDENTITY = 20;
/**
 * AKS identity bindings (preview), which lift the 20-credential limit: AKS federates one identity
 * with a whole cluster and pods get their token through the AKS token proxy, so no credential per
 * ServiceAccount is written. Not used yet: azurerm has no resource for the ARM type
 * (hashicorp/terraform-provider-azurerm#31507); see the README's design note.
 * @see https://learn.microsoft.com/azure/aks/identity-bindings-concepts
 */
export const AKS_IDENTITY_BINDING = {
  armType: 'Microsoft.ContainerService/managedClusters/identityBindings',
  apiVersion: '2025-10-02-preview',
  audience: 'api://AKSIdentityBinding',
  /** The SecretProviderClass parameter that makes the Azure provider use the token proxy (with `clientID`). */
  spcParameter: 'useAzureTokenProxy',
  terraformIssue: 'hashicorp/terraform-provider-azurerm#31507',
} as const;
/** Longest federated identity credential name Azure accepts. */
export const FEDERATED_CREDENTIAL_NAME_MAX = 120;

/** `system:serviceaccount:<namespace>:<name>`: the subject of a Kubernetes service-account token. */
export function serviceAccountSubject(namespace: string, serviceAccount: string): string {
  return `system:serviceaccount:${namespace}:${serviceAccount}`;
}
/** The subject prefix of every ServiceAccount of a namespace. */
export function serviceAccountSubjectPrefix(namespace: string): string {
  return `system:serviceaccount:${namespace}:`;
}

// ---------------------------------------------------------------------------------------------
// Key Vault data-plane roles (Azure RBAC)

/**
 * Built-in Key Vault roles, and the object types each lets the CSI provider read.
 * @see https://learn.microsoft.com/azure/key-vault/general/rbac-guide#azure-built-in-roles-for-key-vault-data-plane-operations
 */
export const KEY_VAULT_ROLES = {
  'Key Vault Secrets User': ['secret'],
  'Key Vault Secrets Officer': ['secret'],
  'Key Vault Certificate User': ['cert', 'key'],
  'Key Vault Certificates Officer': ['cert', 'key'],
  'Key Vault Crypto User': ['key'],
  'Key Vault Crypto Officer': ['key'],
  'Key Vault Administrator': ['secret', 'key', 'cert'],
} as const satisfies Record<string, readonly ObjectType[]>;
export type KeyVaultRoleName = keyof typeof KEY_VAULT_ROLES;

/** The roles this project grants. */
export const ROLES = {
  secretsUser: 'Key Vault Secrets User',
  certificateUser: 'Key Vault Certificate User',
  administrator: 'Key Vault Administrator',
} as const satisfies Record<string, KeyVaultRoleName>;
export type RoleName = (typeof ROLES)[keyof typeof ROLES];

/**
 * The least-privileged role that lets the CSI provider read an object of this type: secrets
 * with Secrets User; certificates (public part) and keys with Certificate User.
 */
export function leastPrivilegeRole(type: ObjectType): RoleName {
  return type === 'secret' ? ROLES.secretsUser : ROLES.certificateUser;
}

/** Whether `role` lets its holder read objects of `type`. */
export function roleReads(role: string, type: ObjectType): boolean {
  return (KEY_VAULT_ROLES[role as KeyVaultRoleName] as readonly ObjectType[] | undefined)?.includes(type) ?? false;
}

/** Key Vault RBAC scope segment of an object type: `<vault id>/<segment>/<name>`. */
export function keyVaultScopeSegment(type: ObjectType): 'secrets' | 'keys' | 'certificates' {
  return type === 'secret' ? 'secrets' : type === 'key' ? 'keys' : 'certificates';
}

// ---------------------------------------------------------------------------------------------
// Names Azure enforces

/** A GUID such as a subscription, tenant or client id. */
export const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/**
 * Key Vault name as Azure enforces it. azurerm 4.55's `VaultName` checks only 3-24 characters of
 * `[a-zA-Z0-9-]`; the first-letter, last-character and "--" rules reach azurerm only in 4.68, so
 * with 4.55 such a name passes the plan and fails the apply.
 */
export const KEY_VAULT_NAME_RULE = patternRule(
  'Key Vault name',
  /^(?!.*--)[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$/,
  'use 3-24 letters, digits or hyphens, starting with a letter, ending with a letter or digit, without "--"',
  'https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules#microsoftkeyvault (vaults, global); hashicorp/terraform-provider-azurerm internal/services/keyvault/validate/vault_name.go (VaultName: 3-24 of [a-zA-Z0-9-] in v4.55.0, the whole rule from v4.68.0)',
);
/** Key Vault name as Azure enforces it. */
export const KEY_VAULT_NAME = KEY_VAULT_NAME_RULE.pattern;

export const KEY_VAULT_OBJECT_NAME_RULE = patternRule(
  'Key Vault object name',
  /^[a-zA-Z0-9-]{1,127}$/,
  'use 1-127 letters, digits or hyphens (map to another file name with alias)',
  'https://learn.microsoft.com/azure/key-vault/general/about-keys-secrets-certificates#objects-identifiers-and-versioning',
);
export const KEY_VAULT_OBJECT_NAME = KEY_VAULT_OBJECT_NAME_RULE.pattern;

/** `/<segment>/<name>`: what follows the vault id in an object's RBAC scope. */
export function keyVaultObjectScopePath(o: { readonly type: ObjectType; readonly name: string }): string {
  return `/${keyVaultScopeSegment(o.type)}/${o.name}`;
}

/**
 * Key Vault object names are case-insensitive (`DB-Password` and `db-password` are one secret);
 * secrets, keys and certificates are separate collections. Equal keys mean one object.
 */
export function keyVaultObjectKey(o: { readonly type: ObjectType; readonly name: string }): string {
  return `${keyVaultScopeSegment(o.type)}/${o.name.toLowerCase()}`;
}

export const RESOURCE_GROUP_NAME_RULE = patternRule(
  'resource group name',
  /^[-\w.()]{0,89}[-\w()]$/,
  'use 1-90 letters, digits, "_", "-", ".", "(" or ")", not ending in "."',
  'hashicorp/go-azure-helpers resourcemanager/resourcegroups/validate.go (ValidateName), which hashicorp/terraform-provider-azurerm v4.55.0 vendors and applies through commonschema.ResourceGroupName',
);
export const RESOURCE_GROUP_NAME = RESOURCE_GROUP_NAME_RULE.pattern;

export const AKS_NAME_RULE = patternRule(
  'AKS cluster name',
  /^[a-zA-Z0-9]([-_a-zA-Z0-9]{0,61}[a-zA-Z0-9])?$/,
  'use 1-63 letters, digits, "_" or "-", starting and ending with a letter or digit',
  'https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules#microsoftcontainerservice (managedClusters, resource group); azurerm v4.55.0 checks only that the name is not empty (internal/services/containers/kubernetes_cluster_resource.go), the same rule as KubernetesClusterName in internal/services/containers/validate/kubernetes.go from v4.81.0',
);
export const AKS_NAME = AKS_NAME_RULE.pattern;

// ---------------------------------------------------------------------------------------------
// Key Vault throttling limits

/**
 * Key Vault's documented transaction limits, per vault and region, per 10-second window. Beyond
 * them Key Vault answers HTTP 429 (a CSI mount or rotation fails). The subscription-wide limit for
 * every transaction type is five times the per-vault one.
 * - Secrets, managed storage account keys and vault transactions: CREATE secret 300, all other
 *   transactions (secret GET, version listing) 4,000. Certificates have no row of their own: a
 *   certificate GET is counted here.
 * - Keys: by key type, HSM-backed or software; the weights add up within the window.
 * @see https://learn.microsoft.com/azure/key-vault/general/service-limits (Resource type: vault)
 * @see https://learn.microsoft.com/azure/key-vault/general/overview-throttling
 */
export const KEY_VAULT_LIMITS = {
  windowSeconds: 10,
  vaultTransactions: 4000,
  secretCreate: 300,
  keyTransactions: {
    software: { 'RSA-2048': 4000, 'RSA-3072': 1000, 'RSA-4096': 500, EC: 4000 },
    hsm: { 'RSA-2048': 2000, 'RSA-3072': 500, 'RSA-4096': 250, EC: 2000 },
  },
  subscriptionFactor: 5,
  source: 'https://learn.microsoft.com/azure/key-vault/general/service-limits',
} as const;

/** Which of Key Vault's throttling budgets a read of an object type draws on. */
export type KeyVaultBudget = 'vault' | 'keys';
export function keyVaultBudgetOf(type: ObjectType): KeyVaultBudget {
  return type === 'key' ? 'keys' : 'vault';
}

/**
 * The per-vault limit (transactions per 10 s) of a budget. Key types are not in the environment
 * file: keys are assumed RSA 2048-bit or EC, software-backed in a standard vault this project
 * creates and HSM-backed otherwise (premium, or an existing vault of unknown SKU). RSA 3072- and
 * 4096-bit keys cost 2 to 8 times more.
 */
export function keyVaultLimit(budget: KeyVaultBudget, sku: 'standard' | 'premium' | undefined): number {
  if (budget === 'vault') return KEY_VAULT_LIMITS.vaultTransactions;
  return sku === 'standard' ? KEY_VAULT_LIMITS.keyTransactions.software['RSA-2048'] : KEY_VAULT_LIMITS.keyTransactions.hsm['RSA-2048'];
}

// AKS: DNS prefix, node resource group, node pools

/** Longest `dns_prefix` azurerm accepts. */
export const AKS_DNS_PREFIX_MAX = 54;

export const AKS_DNS_PREFIX_RULE = patternRule(
  'AKS DNS prefix',
  /^[a-zA-Z0-9]([-a-zA-Z0-9]{0,52}[a-zA-Z0-9])?$/,
  'use 1-54 letters, digits or hyphens, starting and ending with a letter or digit',
  'hashicorp/terraform-provider-azurerm v4.55.0 internal/services/containers/validate/kubernetes.go (KubernetesDNSPrefix)',
);

/** First hex digits of the SHA-256 of `text`: a deterministic suffix that keeps shortened names apart. */
function shortHash(text: string, length = 8): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}

/**
 * The `dns_prefix` for a cluster name: the name itself when it is a valid prefix; otherwise the
 * name with every run of other characters (`_`) written as `-`, and, when that is longer than
 * 54, its first characters and a hash of the whole name. Deterministic. (The API server's FQDN
 * adds a random part to the prefix, so two clusters may share one.)
 */
export function aksDnsPrefixFor(clusterName: string): string {
  if (AKS_DNS_PREFIX_RULE.test(clusterName)) return clusterName;
  const hyphenated = clusterName.replace(/[^a-zA-Z0-9-]+/g, '-').replace(/^-+|-+$/g, '');
  if (AKS_DNS_PREFIX_RULE.test(hyphenated)) return hyphenated;
  const hash = shortHash(clusterName);
  const head = hyphenated.slice(0, AKS_DNS_PREFIX_MAX - hash.length - 1).replace(/-+$/, '');
  return head === '' ? hash : `${head}-${hash}`;
}

/** Longest node resource group name AKS accepts (ARM allows 90 for other groups). */
export const AKS_NODE_RESOURCE_GROUP_MAX = 80;

export const AKS_NODE_RESOURCE_GROUP_RULE = predicateRule<string>(
  'AKS node resource group name',
  (v) => RESOURCE_GROUP_NAME_RULE.test(v) && v.length <= AKS_NODE_RESOURCE_GROUP_MAX,
  `use 1-${AKS_NODE_RESOURCE_GROUP_MAX} letters, digits, "_", "-", ".", "(" or ")", not ending in "."`,
  'AKS resource provider, 400 InvalidParameter "The length of the node resource group name is too long. The maximum length is 80" (https://aka.ms/aks-naming-rules); https://learn.microsoft.com/azure/aks/faq#can-i-provide-my-own-name-for-the-aks-node-resource-group',
);

/** The node resource group AKS creates when `node_resource_group` is not set. */
export function defaultNodeResourceGroup(resourceGroup: string, cluster: string, location: string): string {
  return `MC_${resourceGroup}_${cluster}_${location}`;
}

/**
 * A node resource group name AKS accepts: the default `MC_<rg>_<cluster>_<location>` when it
 * fits in 80 characters, else its first 71 characters, `_` and a hash of the whole default name.
 * Deterministic, so the plan stays stable. (The node resource group is a new group: AKS refuses
 * an existing one.)
 */
export function nodeResourceGroupFor(resourceGroup: string, cluster: string, location: string): string {
  const name = defaultNodeResourceGroup(resourceGroup, cluster, location);
  if (AKS_NODE_RESOURCE_GROUP_RULE.test(name)) return name;
  const hash = shortHash(name);
  return `${name.slice(0, AKS_NODE_RESOURCE_GROUP_MAX - hash.length - 1)}_${hash}`;
}

export const AKS_AGENT_POOL_NAME_RULE = patternRule(
  'AKS node pool name',
  /^[a-z][a-z0-9]{0,11}$/,
  'use 1-12 lower-case letters or digits, starting with a letter',
  'hashicorp/terraform-provider-azurerm v4.55.0 internal/services/containers/validate/kubernetes.go (KubernetesAgentPoolName), for default_node_pool.name and temporary_name_for_rotation',
);

export const VM_SIZE_RULE = patternRule(
  'VM size',
  /^[A-Za-z][A-Za-z0-9_-]*$/,
  'use an Azure VM size such as "Standard_D2s_v5" (constrained-vCPU sizes such as "Standard_E4-2ds_v5" included)',
  'azurerm v4.55.0 checks only that default_node_pool.vm_size is not empty (internal/services/containers/kubernetes_nodepool.go); size names: https://learn.microsoft.com/azure/virtual-machines/vm-naming-conventions, https://learn.microsoft.com/azure/virtual-machines/constrained-vcpu',
);

// ---------------------------------------------------------------------------------------------
// Managed identities and federated credentials

export const USER_ASSIGNED_IDENTITY_NAME_RULE = patternRule(
  'user-assigned identity name',
  /^[a-zA-Z0-9][a-zA-Z0-9_-]{2,127}$/,
  'use 3-128 letters, digits, "-" or "_", starting with a letter or digit',
  'https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules#microsoftmanagedidentity (userAssignedIdentities, resource group); azurerm v4.55.0 does not check it (internal/services/managedidentity/user_assigned_identity_resource.go)',
);

export const FEDERATED_CREDENTIAL_NAME_RULE = patternRule(
  'federated identity credential name',
  new RegExp(`^[a-zA-Z0-9][a-zA-Z0-9_-]{2,${FEDERATED_CREDENTIAL_NAME_MAX - 1}}$`),
  `use 3-${FEDERATED_CREDENTIAL_NAME_MAX} letters, digits, "-" or "_", starting with a letter or digit`,
  'https://learn.microsoft.com/entra/workload-id/workload-identity-federation-create-trust-user-assigned-managed-identity (name: 3-120 characters, alphanumeric, dash or underscore, the first alphanumeric); azurerm v4.55.0 does not check it (internal/services/managedidentity/federated_identity_credential_resource.go)',
);

// ---------------------------------------------------------------------------------------------
// Role assignments

/**
 * What makes two role assignments one for Azure: the same principal, role and scope. Azure
 * answers the second with 409 `RoleAssignmentExists`. The scope's path below the vault (Key
 * Vault object names) and the role name compare case-insensitively; `principal` and
 * `scopeBase` (an id or a Terraform reference) are compared as given.
 * @see https://learn.microsoft.com/azure/role-based-access-control/troubleshooting#symptom---role-assignment-creation-fails-with-roleassignmentexists
 */
export function roleAssignmentKey(a: { readonly principal: string; readonly role: string; readonly scopeBase: string; readonly scopePath: string }): string {
  return [a.principal, a.role.toLowerCase(), a.scopeBase, a.scopePath.toLowerCase()].join('\u0000');
}

// ---------------------------------------------------------------------------------------------
// Where names must be unique

/**
 * Where Azure requires the names of what we create to be unique. Resource names compare
 * case-insensitively.
 * @see https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules
 */
export const NAME_SCOPES = {
  /** A vault's name is a DNS name under the cloud's vault suffix. */
  'Key Vault': 'cloud',
  'resource group': 'subscription',
  'AKS cluster': 'resource group',
  'user-assigned identity': 'resource group',
  'virtual network': 'resource group',
  'private DNS zone': 'resource group',
  'Log Analytics workspace': 'resource group',
} as const;
export type NamedResourceKind = keyof typeof NAME_SCOPES;

// ---------------------------------------------------------------------------------------------
// Tags

/** Tags one resource can carry. */
export const MAX_TAGS_PER_RESOURCE = 50;
const TAG_SOURCE =
  'https://learn.microsoft.com/azure/azure-resource-manager/management/tag-resources#limitations; hashicorp/go-azure-helpers resourcemanager/tags/validate.go (Validate: 50 tags, name 512 and value 256 counted in bytes), which azurerm v4.55.0 applies through commonschema.Tags';

export const TAG_NAME_RULE = predicateRule<string>(
  'tag name',
  (v) => v.length > 0 && utf8Length(v) <= 512 && !/[<>%&\\?/]/.test(v),
  'use 1-512 characters (UTF-8 bytes) without <, >, %, &, \\, ? or /',
  TAG_SOURCE,
);

export const TAG_VALUE_RULE = predicateRule<string>('tag value', (v) => utf8Length(v) <= 256, 'use at most 256 characters (UTF-8 bytes)', TAG_SOURCE);

/** Tag names Azure treats as one (names are case-insensitive): each later name with the first it repeats. */
export function duplicateTagNames(names: readonly string[]): { readonly name: string; readonly first: string }[] {
  const seen = new Map<string, string>();
  const out: { name: string; first: string }[] = [];
  for (const name of names) {
    const first = seen.get(name.toLowerCase());
    if (first !== undefined) out.push({ name, first });
    else seen.set(name.toLowerCase(), name);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Key Vault firewall

/** IPv4 rules one vault takes. */
export const KEY_VAULT_MAX_IP_RULES = 1000;
const KEY_VAULT_NETWORK_DOC = 'https://learn.microsoft.com/azure/key-vault/general/network-security';

const OCTET = '(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])';
export const KEY_VAULT_IP_RULE_FORMAT = patternRule(
  'Key Vault IP rule',
  new RegExp(`^${OCTET}(\\.${OCTET}){3}(/(3[0-2]|[12]?[0-9]))?$`),
  'use a public IPv4 address or CIDR range such as "203.0.113.0/24" (octets 0-255 without leading zeros, prefix 0-32; Key Vault takes no IPv6)',
  `hashicorp/terraform-provider-azurerm v4.55.0 helpers/validate/network.go (IPv4Address; CIDR, whose pattern lets octets over 255 through to the apply); ${KEY_VAULT_NETWORK_DOC} ("Only IPv4 addresses are supported")`,
);

/** The addresses an IPv4 rule covers, or undefined when it is not one. */
export function ipv4RuleRange(rule: string): { readonly first: number; readonly last: number; readonly prefix?: number } | undefined {
  if (!KEY_VAULT_IP_RULE_FORMAT.test(rule)) return undefined;
  const [address, bits] = rule.split('/') as [string, string | undefined];
  const value = address.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
  const prefix = bits === undefined ? 32 : Number(bits);
  const size = 2 ** (32 - prefix);
  const first = Math.floor(value / size) * size;
  return { first, last: first + size - 1, ...(bits !== undefined ? { prefix } : {}) };
}

export const KEY_VAULT_IP_RULE_PREFIX = predicateRule<string>(
  'Key Vault IP rule',
  (v) => {
    const prefix = ipv4RuleRange(v)?.prefix;
    return prefix !== 31 && prefix !== 32;
  },
  'write a single address without a prefix ("203.0.113.7"), and the two addresses of a /31 one by one',
  `${KEY_VAULT_NETWORK_DOC} (earlier revisions: "Small address ranges that use the /31 or /32 prefix sizes are not supported. Instead, configure these ranges by using individual IP address rules."; the current revision no longer says so, and single addresses work under every revision)`,
);

/** RFC 1918 private ranges, which Key Vault IP rules refuse. */
export const PRIVATE_IPV4_RANGES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'] as const;

/** The private range an IPv4 rule overlaps, if any. */
export function privateRangeOf(rule: string): string | undefined {
  const r = ipv4RuleRange(rule);
  if (r === undefined) return undefined;
  return PRIVATE_IPV4_RANGES.find((p) => {
    const q = ipv4RuleRange(p)!;
    return r.first <= q.last && q.first <= r.last;
  });
}

export const KEY_VAULT_IP_RULE_PUBLIC = predicateRule<string>(
  'Key Vault IP rule',
  (v) => privateRangeOf(v) === undefined,
  `Key Vault IP rules take public addresses only, no part of ${PRIVATE_IPV4_RANGES.join(', ')} (RFC 1918): let a private network in through virtualNetworkSubnetIds or a private endpoint`,
  `${KEY_VAULT_NETWORK_DOC} ("IP network rules are only allowed for public IP addresses. IP address ranges reserved for private networks (as defined in RFC 1918) are not allowed in IP rules.")`,
);

/** Every rule a Key Vault IP rule must pass, in the order a message reports them. */
export const KEY_VAULT_IP_RULES: readonly Rule<string>[] = [KEY_VAULT_IP_RULE_FORMAT, KEY_VAULT_IP_RULE_PREFIX, KEY_VAULT_IP_RULE_PUBLIC];

/** The first Key Vault IP rule `value` breaks, or undefined. */
export function brokenIpRule(value: string): Rule<string> | undefined {
  return firstBroken(value, KEY_VAULT_IP_RULES);
}

/** What is wrong with a Key Vault IP rule and how to fix it (naming the private range it reaches into), or undefined. */
export function ipRuleProblem(value: string): string | undefined {
  const broken = brokenIpRule(value);
  if (broken === undefined) return undefined;
  const range = broken === KEY_VAULT_IP_RULE_PUBLIC ? privateRangeOf(value) : undefined;
  return range !== undefined ? `it includes the private range ${range}: ${broken.fix}` : broken.fix;
}

// ---------------------------------------------------------------------------------------------
// Terraform time provider (the propagation wait)

export const TIME_SLEEP_DURATION_RULE = patternRule(
  'time_sleep duration',
  /^[0-9]+(\.[0-9]+)?(ms|s|m|h)$/,
  'write one number and one unit (ms, s, m or h), such as "30s" or "90s"; "0s" disables the wait',
  'hashicorp/terraform-provider-time internal/provider/resource_time_sleep.go (timeSleepResource.Schema: create_duration RegexMatches)',
);

/**
 * How to fix a wait that `time_sleep` refuses: the same duration in one unit when it is a Go
 * duration such as "1m30s" ("90s"), else the rule's fix.
 */
export function timeSleepDurationFix(value: string): string {
  if (!isGoDuration(value)) return TIME_SLEEP_DURATION_RULE.fix;
  const seconds = durationSeconds(value);
  const ms = Math.round(seconds * 1000);
  const equivalent = Number.isInteger(seconds) ? `${seconds}s` : Math.abs(seconds * 1000 - ms) < 1e-6 ? `${ms}ms` : undefined;
  const write = equivalent !== undefined && TIME_SLEEP_DURATION_RULE.test(equivalent) ? `write "${equivalent}": ` : '';
  return `${write}hashicorp/time's time_sleep takes one number and one unit (ms, s, m or h), such as "30s" or "90s"; "0s" disables the wait`;
}

/** A GUID's pattern source, without anchors, for composing resource ids. */
const GUID_SOURCE = GUID.source.replace(/^\^|\$$/g, '');

/**
 * An ARM subnet resource id (segment names compared case-insensitively, as ARM does; see the
 * doc's note on case) with each name held to Azure's naming rules: subscription a
 * GUID; resource group as `RESOURCE_GROUP_NAME_RULE`; virtual network 2-64 and subnet 1-80
 * letters, digits, "_", "." or "-", starting with a letter or digit and ending with a letter,
 * digit or "_". Nothing else (no "$", "%", "{", spaces) can appear in one.
 */
export const SUBNET_ID_RULE = patternRule(
  'subnet resource id',
  new RegExp(
    `^/${anyCase('subscriptions')}/${GUID_SOURCE}/${anyCase('resourceGroups')}/${RESOURCE_GROUP_NAME_RULE.pattern.source.replace(/^\^|\$$/g, '')}` +
      `/${anyCase('providers')}/${anyCase('Microsoft.Network')}/${anyCase('virtualNetworks')}/[a-zA-Z0-9](?:[-\\w.]{0,62}\\w)` +
      `/${anyCase('subnets')}/[a-zA-Z0-9](?:[-\\w.]{0,78}\\w)?$`,
  ),
  'use a subnet resource id: /subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.Network/virtualNetworks/<vnet>/subnets/<subnet>',
  'https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules#microsoftnetwork (virtualNetworks, virtualNetworks/subnets)',
);

// ---------------------------------------------------------------------------------------------
// Storage (the azurerm state backend)

export const STORAGE_ACCOUNT_NAME_RULE = patternRule(
  'storage account name',
  /^[a-z0-9]{3,24}$/,
  'use 3-24 lower-case letters or digits',
  'https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules#microsoftstorage (storageAccounts)',
);

export const STORAGE_CONTAINER_NAME_RULE = patternRule(
  'blob container name',
  /^[a-z0-9](?!.*--)[-a-z0-9]{1,61}[a-z0-9]$/,
  'use 3-63 lower-case letters, digits or "-"',
  'https://learn.microsoft.com/rest/api/storageservices/naming-and-referencing-containers--blobs--and-metadata#container-names',
);

/**
 * A blob name (the azurerm backend's `key`): 1-1024 characters, at most 254 path segments
 * ("/"-separated), no control characters (Azure rejects 0x00-0x1F and C1 controls), and not
 * ending in "." or "/" (the doc's advice: such names clash with directory semantics).
 */
export const BLOB_NAME_RULE = patternRule(
  'blob name',
  /^(?!(?:[^/]*\/){254})(?![\s\S]*[./]$)[^\u0000-\u001f\u007f-\u009f]{1,1024}$/,
  'use 1-1024 characters without control characters, at most 254 "/"-separated segments, not ending in "." or "/"',
  'https://learn.microsoft.com/rest/api/storageservices/naming-and-referencing-containers--blobs--and-metadata#blob-names',
);

// ---------------------------------------------------------------------------------------------
// Vault URI

/**
 * Whether `uri` is the URI Azure gives vault `name` in `cloud`: `https://<name>.<suffix>/`, the
 * host compared without regard to case (DNS), the trailing slash optional, nothing else (no
 * port, user, path, query or fragment).
 */
export function isKeyVaultUriOf(uri: string, name: string, cloud: Cloud): boolean {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return false;
  }
  return (
    url.protocol === 'https:' &&
    url.username === '' &&
    url.password === '' &&
    url.port === '' &&
    url.pathname === '/' &&
    url.search === '' &&
    url.hash === '' &&
    /^https:\/\/[^/?#]+\/?$/i.test(uri) &&
    url.hostname === `${name.toLowerCase()}.${cloud.keyVaultDnsSuffix}`
  );
}

/** A vault URI and the vault and cloud it should belong to (what the outputs contract holds). */
export interface VaultUriClaim {
  readonly uri: string;
  readonly name: string;
  readonly cloud: Cloud;
}

export const KEY_VAULT_URI_RULE = predicateRule<VaultUriClaim>(
  'Key Vault URI',
  (c) => isKeyVaultUriOf(c.uri, c.name, c.cloud),
  "use the vault's own URI, https://<keyVault.name>.<the cloud's Key Vault DNS suffix>/ (e.g. https://kv-dev.vault.azure.net/): re-export the outputs of the stack that created the vault",
  'https://learn.microsoft.com/azure/key-vault/general/about-keys-secrets-certificates#dns-suffixes-for-object-identifiers',
);

// ---------------------------------------------------------------------------------------------
// Networking: IPv4 ranges, virtual networks, subnets, private endpoints

/** Where the ARM resource-name rules of Microsoft.Network live. */
const NETWORK_NAME_RULES = 'https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules#microsoftnetwork';
const VNET_FAQ = 'https://learn.microsoft.com/azure/virtual-network/virtual-networks-faq';

/**
 * An IPv4 range in CIDR notation written with its network address, as ARM takes VNet address
 * spaces and subnet prefixes: `10.224.0.0/16`, never `10.224.3.0/16` (ARM answers
 * InvalidCIDRNotation: "For the given prefix length, the address prefix should be ...").
 */
export const IPV4_CIDR_RULE = predicateRule<string>(
  'IPv4 range',
  (v) => {
    if (!/\//.test(v)) return false;
    const r = ipv4RuleRange(v);
    return r !== undefined && ipv4ToNumber(v.split('/')[0]) === r.first;
  },
  'use an IPv4 range in CIDR notation, written with its first address, such as "10.224.0.0/16"',
  `hashicorp/terraform-provider-azurerm v4.55.0 internal/services/network/subnet_resource.go (address_prefixes: validation.StringIsNotEmpty; the form is checked by ARM, InvalidCIDRNotation); ${VNET_FAQ}`,
);

function ipv4ToNumber(address: string): number {
  return address.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
}

/** The network address a CIDR should be written with (`10.224.3.0/16` → `10.224.0.0/16`), or undefined when it is no IPv4 range. */
export function canonicalCidr(cidr: string): string | undefined {
  const r = ipv4RuleRange(cidr);
  if (r === undefined || !cidr.includes('/')) return undefined;
  const octets = [24, 16, 8, 0].map((shift) => Math.floor(r.first / 2 ** shift) % 256);
  return `${octets.join('.')}/${r.prefix ?? 32}`;
}

/** Whether two IPv4 ranges share an address. */
export function cidrsOverlap(a: string, b: string): boolean {
  const x = ipv4RuleRange(a);
  const y = ipv4RuleRange(b);
  return x !== undefined && y !== undefined && x.first <= y.last && y.first <= x.last;
}

/** Whether `inner` lies wholly inside `outer`. */
export function cidrContains(outer: string, inner: string): boolean {
  const o = ipv4RuleRange(outer);
  const i = ipv4RuleRange(inner);
  return o !== undefined && i !== undefined && o.first <= i.first && i.last <= o.last;
}

/** Addresses Azure keeps in every subnet (network, gateway, two for DNS, broadcast). */
export const SUBNET_RESERVED_ADDRESSES = 5;
/** The smallest IPv4 subnet Azure supports: /29 (3 usable addresses). */
export const SUBNET_SMALLEST_PREFIX = 29;

export const SUBNET_SIZE_RULE = predicateRule<string>(
  'subnet prefix',
  (v) => (ipv4RuleRange(v)?.prefix ?? 0) <= SUBNET_SMALLEST_PREFIX,
  `use a /${SUBNET_SMALLEST_PREFIX} or larger range: Azure keeps ${SUBNET_RESERVED_ADDRESSES} addresses of every subnet and supports nothing smaller`,
  `${VNET_FAQ} ("The smallest supported IPv4 subnet is /29"; "Azure reserves the first four addresses and the last address")`,
);

/** Usable addresses of a subnet: its size less the addresses Azure keeps. */
export function subnetUsableAddresses(cidr: string): number {
  const r = ipv4RuleRange(cidr);
  return r === undefined ? 0 : Math.max(0, r.last - r.first + 1 - SUBNET_RESERVED_ADDRESSES);
}

/**
 * Ranges AKS uses inside the cluster unless told otherwise: the service CIDR (kube-dns at
 * 10.0.0.10) and, with Azure CNI Overlay, the pod CIDR. A VNet that overlaps them makes AKS
 * refuse the cluster (the stack never sets `service_cidr` or `pod_cidr`, so the defaults apply).
 * @see https://learn.microsoft.com/azure/aks/configure-azure-cni#configure-networking---cli
 * @see https://learn.microsoft.com/azure/aks/azure-cni-overlay#ip-address-planning
 */
export const AKS_DEFAULT_CIDRS = {
  service: '10.0.0.0/16',
  overlayPod: '10.244.0.0/16',
  source:
    'https://learn.microsoft.com/azure/aks/azure-cni-overlay#ip-address-planning (pod CIDR 10.244.0.0/16; service CIDR 10.0.0.0/16, which must not overlap the cluster subnet or the pod CIDR)',
} as const;

/**
 * Pods per node AKS configures with Azure CNI Node Subnet, where every pod takes an address
 * of the node subnet (Overlay and kubenet take one address per node).
 * @see https://learn.microsoft.com/azure/aks/azure-cni-overview (maximum pods per node: 30 by default with Azure CNI)
 */
export const AKS_NODE_SUBNET_PODS_PER_NODE = 30;

export const VIRTUAL_NETWORK_NAME_RULE = patternRule(
  'virtual network name',
  /^[a-zA-Z0-9](?:[-\w.]{0,62}\w)$/,
  'use 2-64 letters, digits, "_", "." or "-", starting with a letter or digit and ending with a letter, digit or "_"',
  `${NETWORK_NAME_RULES} (virtualNetworks)`,
);

export const SUBNET_NAME_RULE = patternRule(
  'subnet name',
  /^[a-zA-Z0-9](?:[-\w.]{0,78}\w)?$/,
  'use 1-80 letters, digits, "_", "." or "-", starting with a letter or digit and ending with a letter, digit or "_"',
  `${NETWORK_NAME_RULES} (virtualNetworks/subnets)`,
);

/** The parts of a subnet resource id (`SUBNET_ID_RULE`). */
export interface SubnetIdParts {
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly virtualNetwork: string;
  readonly subnet: string;
  /** The virtual network's id: the subnet id without `/subnets/<name>`. */
  readonly virtualNetworkId: string;
}

/** Takes a subnet resource id apart, or undefined when it breaks `SUBNET_ID_RULE`. */
export function subnetIdParts(id: string): SubnetIdParts | undefined {
  if (!SUBNET_ID_RULE.test(id)) return undefined;
  const parts = id.split('/');
  // ['', 'subscriptions', sub, 'resourceGroups', rg, 'providers', 'Microsoft.Network', 'virtualNetworks', vnet, 'subnets', subnet]
  return {
    subscriptionId: parts[2],
    resourceGroup: parts[4],
    virtualNetwork: parts[8],
    subnet: parts[10],
    virtualNetworkId: parts.slice(0, 9).join('/'),
  };
}

/** Resource ids compare case-insensitively in ARM. */
export function sameResourceId(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/**
 * A name shortened to `max` characters with a hash of the whole, so two long names stay apart;
 * the name itself when it fits. Deterministic.
 */
export function fitName(name: string, max: number): string {
  if (name.length <= max) return name;
  const hash = shortHash(name);
  return `${name.slice(0, max - hash.length - 1).replace(/[-_.]+$/, '')}-${hash}`;
}

/**
 * Key Vault behind Private Link: the private endpoint's sub-resource, and the private DNS zone
 * per cloud whose A record makes `<vault>.<vault suffix>` resolve to the endpoint's address.
 * The zone must be linked to the virtual network the clients (for the CSI driver: the nodes)
 * resolve names in.
 */
export const KEY_VAULT_PRIVATE_LINK = {
  subresource: 'vault',
  dnsZones: {
    public: 'privatelink.vaultcore.azure.net',
    usgovernment: 'privatelink.vaultcore.usgovcloudapi.net',
    china: 'privatelink.vaultcore.azure.cn',
  },
  source:
    'https://learn.microsoft.com/azure/private-link/private-endpoint-dns (Azure Key Vault, Microsoft.KeyVault/vaults: sub-resource "vault"; the Government and China tables)',
} as const satisfies { subresource: string; dnsZones: Record<CloudName, string>; source: string };

/** The ARM resource type of a vault: its resource id holds `/providers/Microsoft.KeyVault/vaults/<name>`. */
export const KEY_VAULT_RESOURCE_TYPE = 'Microsoft.KeyVault/vaults';

/** The private DNS zone of Key Vault private endpoints in `cloud`. */
export function keyVaultPrivateDnsZone(cloud: CloudName): string {
  return KEY_VAULT_PRIVATE_LINK.dnsZones[cloud];
}

/**
 * The service endpoint a subnet needs before a Key Vault firewall rule can name it; without it
 * Azure refuses the rule. The rule helps the CSI driver only on the cluster's node subnet: the
 * driver's Azure provider fetches from the node, not from the pod.
 * @see https://learn.microsoft.com/azure/key-vault/general/network-security#key-vault-firewall-enabled-virtual-networks---dynamic-ips
 */
export const KEY_VAULT_SERVICE_ENDPOINT = 'Microsoft.KeyVault';

const RESOURCE_GROUP_SOURCE = RESOURCE_GROUP_NAME_RULE.pattern.source.replace(/^\^|\$$/g, '');

/** A private DNS zone resource id (the zone's name is checked against the cloud by a cross-field rule). */
export const PRIVATE_DNS_ZONE_ID_RULE = patternRule(
  'private DNS zone resource id',
  new RegExp(
    `^/${anyCase('subscriptions')}/${GUID_SOURCE}/${anyCase('resourceGroups')}/${RESOURCE_GROUP_SOURCE}/${anyCase('providers')}/${anyCase('Microsoft.Network')}/${anyCase('privateDnsZones')}/[a-zA-Z0-9][-a-zA-Z0-9.]{0,252}[a-zA-Z0-9]$`,
  ),
  'use a private DNS zone resource id: /subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.Network/privateDnsZones/privatelink.vaultcore.azure.net',
  `${NETWORK_NAME_RULES} (privateDnsZones)`,
);

/** The parts of a private DNS zone id, or undefined when it breaks `PRIVATE_DNS_ZONE_ID_RULE`. */
export function privateDnsZoneIdParts(id: string): { readonly subscriptionId: string; readonly resourceGroup: string; readonly name: string } | undefined {
  if (!PRIVATE_DNS_ZONE_ID_RULE.test(id)) return undefined;
  const parts = id.split('/');
  return { subscriptionId: parts[2], resourceGroup: parts[4], name: parts[8] };
}

/** Private endpoint names: 2-64 characters. */
export const PRIVATE_ENDPOINT_NAME_MAX = 64;
/** Virtual network link names of a private DNS zone: 1-80 characters. */
export const PRIVATE_DNS_ZONE_LINK_NAME_MAX = 80;
/** Virtual network names: 2-64 characters. */
export const VIRTUAL_NETWORK_NAME_MAX = 64;

// ---------------------------------------------------------------------------------------------
// Roles on the network (the cluster's control-plane identity)

/**
 * The role the cluster's control-plane identity needs on a subnet it did not create (the node
 * subnet of a VNet you bring): AKS joins the node NICs (and load balancer frontends) to it.
 * Network Contributor scoped to the subnet alone; the narrower alternative is a custom role
 * with `Microsoft.Network/virtualNetworks/subnets/join/action` and `.../subnets/read`, which
 * this project does not create.
 * @see https://learn.microsoft.com/azure/aks/use-managed-identity#add-role-assignment-for-control-plane-identity
 * @see https://learn.microsoft.com/azure/aks/configure-azure-cni#prerequisites
 */
export const AKS_SUBNET_ROLE = 'Network Contributor';

// ---------------------------------------------------------------------------------------------
// AKS hardening: networking choices, access, upgrades, SKU

/**
 * Network plugins the environment file offers, and what each becomes in azurerm's
 * `network_profile`: Azure CNI Overlay (`azure` + `network_plugin_mode = "overlay"`), Azure CNI
 * Node Subnet (`azure`), kubenet (retired by AKS on 31 March 2028) and none (bring your own CNI).
 * @see https://learn.microsoft.com/azure/aks/concepts-network-cni-overview
 */
export const AKS_NETWORK_PLUGINS = {
  'azure-overlay': { networkPlugin: 'azure', networkPluginMode: 'overlay' },
  azure: { networkPlugin: 'azure' },
  kubenet: { networkPlugin: 'kubenet' },
  none: { networkPlugin: 'none' },
} as const satisfies Record<string, { networkPlugin: string; networkPluginMode?: string }>;
export type AksNetworkPlugin = keyof typeof AKS_NETWORK_PLUGINS;
export const AKS_NETWORK_PLUGIN_NAMES = Object.keys(AKS_NETWORK_PLUGINS) as [AksNetworkPlugin, ...AksNetworkPlugin[]];

/**
 * Network policy engines, and the plugins each runs with. Cilium is Azure CNI powered by Cilium
 * (`network_data_plane = "cilium"`), which needs Azure CNI Overlay here (the other way is a pod
 * subnet, which this project does not create); Azure Network Policy Manager needs Azure CNI and
 * loses support on Linux on 30 September 2028; Calico also runs on kubenet.
 * @see https://learn.microsoft.com/azure/aks/use-network-policies
 */
export const AKS_NETWORK_POLICIES = {
  cilium: { plugins: ['azure-overlay'], dataPlane: 'cilium' },
  azure: { plugins: ['azure-overlay', 'azure'], dataPlane: 'azure' },
  calico: { plugins: ['azure-overlay', 'azure', 'kubenet'], dataPlane: 'azure' },
  none: { plugins: ['azure-overlay', 'azure', 'kubenet', 'none'], dataPlane: 'azure' },
} as const satisfies Record<string, { plugins: readonly AksNetworkPlugin[]; dataPlane: string }>;
export type AksNetworkPolicy = keyof typeof AKS_NETWORK_POLICIES;
export const AKS_NETWORK_POLICY_NAMES = Object.keys(AKS_NETWORK_POLICIES) as [AksNetworkPolicy, ...AksNetworkPolicy[]];

export const AKS_NETWORK_POLICY_PLUGIN_RULE = predicateRule<{ readonly policy: AksNetworkPolicy; readonly plugin: AksNetworkPlugin }>(
  'network policy engine',
  ({ policy, plugin }) => (AKS_NETWORK_POLICIES[policy].plugins as readonly string[]).includes(plugin),
  'Cilium runs on Azure CNI Overlay (networkPlugin: azure-overlay), Azure Network Policy Manager on Azure CNI (azure-overlay or azure), Calico also on kubenet; with networkPlugin none, the CNI you install enforces policies (engine: none)',
  'hashicorp/terraform-provider-azurerm v4.55.0 website/docs/r/kubernetes_cluster.html.markdown (network_profile: "When network_policy is set to azure, the network_plugin field can only be set to azure"; "When network_policy is set to cilium, the network_data_plane field must be set to cilium"; "When network_data_plane is set to cilium, one of either network_plugin_mode = "overlay" or pod_subnet_id must be specified"); https://learn.microsoft.com/azure/aks/use-network-policies',
);

/**
 * Cluster auto-upgrade channels (azurerm `automatic_upgrade_channel`) and node OS upgrade
 * channels (`node_os_upgrade_channel`). With the `node-image` auto-upgrade channel AKS keeps
 * the node OS channel at NodeImage.
 * @see https://learn.microsoft.com/azure/aks/auto-upgrade-cluster
 * @see https://learn.microsoft.com/azure/aks/auto-upgrade-node-os-image
 */
export const AKS_UPGRADE_CHANNELS = ['patch', 'stable', 'rapid', 'node-image', 'none'] as const;
export type AksUpgradeChannel = (typeof AKS_UPGRADE_CHANNELS)[number];
export const AKS_NODE_OS_UPGRADE_CHANNELS = ['NodeImage', 'SecurityPatch', 'Unmanaged', 'None'] as const;
export type AksNodeOsUpgradeChannel = (typeof AKS_NODE_OS_UPGRADE_CHANNELS)[number];

export const AKS_NODE_IMAGE_CHANNEL_RULE = predicateRule<{ readonly automatic: AksUpgradeChannel; readonly nodeOs: AksNodeOsUpgradeChannel }>(
  'node OS upgrade channel',
  ({ automatic, nodeOs }) => automatic !== 'node-image' || nodeOs === 'NodeImage',
  'with the automatic channel node-image the node OS channel is NodeImage: set nodeOs: NodeImage, or another automatic channel',
  'https://learn.microsoft.com/azure/aks/auto-upgrade-node-os-image (interactions between the cluster auto-upgrade channel node-image and the node OS channel)',
);

/** AKS pricing tiers (azurerm `sku_tier`); Standard and Premium carry the uptime SLA. @see https://learn.microsoft.com/azure/aks/free-standard-pricing-tiers */
export const AKS_SKU_TIERS = ['Free', 'Standard', 'Premium'] as const;

/** Availability zones a node pool can span (azurerm `default_node_pool.zones`). @see https://learn.microsoft.com/azure/aks/availability-zones */
export const AVAILABILITY_ZONES = ['1', '2', '3'] as const;

/**
 * Authorized IP ranges of the API server: IPv4 addresses or CIDR ranges (AKS takes a single
 * address as /32).
 * @see https://learn.microsoft.com/azure/aks/api-server-authorized-ip-ranges
 */
export const AKS_AUTHORIZED_IP_RANGE_RULE = predicateRule<string>(
  'authorized IP range',
  (v) => KEY_VAULT_IP_RULE_FORMAT.test(v),
  'use an IPv4 address or CIDR range such as "203.0.113.0/24"',
  'https://learn.microsoft.com/azure/aks/api-server-authorized-ip-ranges; hashicorp/terraform-provider-azurerm v4.55.0 internal/services/containers/kubernetes_cluster_resource.go (api_server_access_profile.authorized_ip_ranges: validate.CIDR of helpers/validate/network.go)',
);

// ---------------------------------------------------------------------------------------------
// Log Analytics (Container Insights, Defender, Key Vault audit logs)

export const LOG_ANALYTICS_WORKSPACE_NAME_RULE = patternRule(
  'Log Analytics workspace name',
  /^[a-zA-Z0-9][a-zA-Z0-9-]{2,61}[a-zA-Z0-9]$/,
  'use 4-63 letters, digits or hyphens, starting and ending with a letter or digit',
  'https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules#microsoftoperationalinsights (workspaces); hashicorp/terraform-provider-azurerm v4.55.0 internal/services/loganalytics/validate/log_analytics_workspace_name.go (LogAnalyticsWorkspaceName)',
);

export const LOG_ANALYTICS_WORKSPACE_ID_RULE = patternRule(
  'Log Analytics workspace resource id',
  new RegExp(
    `^/${anyCase('subscriptions')}/${GUID_SOURCE}/${anyCase('resourceGroups')}/${RESOURCE_GROUP_SOURCE}/${anyCase('providers')}/${anyCase('Microsoft.OperationalInsights')}/${anyCase('workspaces')}/[a-zA-Z0-9][a-zA-Z0-9-]{2,61}[a-zA-Z0-9]$`,
  ),
  'use a workspace resource id: /subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.OperationalInsights/workspaces/<name>',
  'https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules#microsoftoperationalinsights',
);

/** Days a PerGB2018 workspace keeps data: 30 to 730. @see https://learn.microsoft.com/azure/azure-monitor/logs/data-retention-configure */
export const LOG_ANALYTICS_RETENTION_DAYS = { min: 30, max: 730 } as const;

/**
 * The Key Vault diagnostic log category that records every data-plane request (who read which
 * secret, from where, and whether it was allowed).
 * @see https://learn.microsoft.com/azure/key-vault/general/logging
 */
export const KEY_VAULT_AUDIT_LOG_CATEGORY = 'AuditEvent';

/**
 * Container Insights with managed-identity auth (`oms_agent.msi_auth_for_monitoring_enabled`):
 * the agent sends what a data collection rule, associated with the cluster, tells it to. The
 * portal and the CLI create that rule; a Terraform deployment must create it itself (the
 * ContainerInsights extension with the default stream group, to the workspace).
 * @see https://learn.microsoft.com/azure/azure-monitor/containers/kubernetes-monitoring-enable
 */
export const CONTAINER_INSIGHTS = {
  extensionName: 'ContainerInsights',
  stream: 'Microsoft-ContainerInsights-Group-Default',
  /** Name AKS gives the association of the rule with the cluster. */
  associationName: 'ContainerInsightsExtension',
  /** Data collection rule names: at most 64 characters. */
  ruleNameMax: 64,
  source:
    'https://learn.microsoft.com/azure/azure-monitor/containers/kubernetes-monitoring-enable (Terraform tab: azurerm_monitor_data_collection_rule with the ContainerInsights extension and the Microsoft-ContainerInsights-Group-Default stream, and its association with the cluster)',
} as const;

/**
 * Azure Monitor managed Prometheus on AKS: the cluster's metrics profile (azurerm
 * `monitor_metrics {}`), an Azure Monitor workspace, a data collection endpoint and rule
 * (`prometheus_forwarder` → `monitor_account`), associated with the cluster, and Prometheus rule
 * groups evaluated in Azure. Its agent (ama-metrics) reads its own PodMonitor API group, not the
 * Prometheus operator's.
 * @see Azure/prometheus-collector AddonTerraformTemplate/main.tf (MSProm-<location>-<cluster> names, Microsoft-PrometheusMetrics stream, Linux kind)
 * @see Azure/prometheus-collector otelcollector/deploy/addon-chart/azure-monitor-metrics-addon/templates/ama-metrics-podmonitor-crd.yaml (podmonitors.azmonitoring.coreos.com v1)
 * @see https://learn.microsoft.com/azure/azure-monitor/containers/prometheus-metrics-scrape-crd
 */
export const MANAGED_PROMETHEUS = {
  podMonitorApiVersion: 'azmonitoring.coreos.com/v1',
  stream: 'Microsoft-PrometheusMetrics',
  dataSourceName: 'PrometheusDataSource',
  destinationName: 'MonitoringAccount1',
  kind: 'Linux',
  /** The only name azurerm accepts for a data collection endpoint's association. */
  endpointAssociationName: 'configurationAccessEndpoint',
  /** Data collection rule and endpoint names: at most 64 characters. */
  nameMax: 64,
  /** Rule group severities (0 critical … 4 verbose). */
  severity: { critical: 0, warning: 2 },
} as const;

/** An Azure Monitor workspace's resource id. */
export const MONITOR_WORKSPACE_ID_RULE = patternRule(
  'Azure Monitor workspace id',
  /^\/subscriptions\/[0-9a-fA-F-]{36}\/resourceGroups\/[-\w._()]+\/providers\/Microsoft\.Monitor\/accounts\/[A-Za-z0-9][A-Za-z0-9-]{2,42}[A-Za-z0-9]$/,
  'use the id of an Azure Monitor workspace: /subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.Monitor/accounts/<name>',
  'https://learn.microsoft.com/azure/azure-monitor/metrics/azure-monitor-workspace-overview (resource type Microsoft.Monitor/accounts)',
);

/** An Azure Monitor workspace name. */
export const MONITOR_WORKSPACE_NAME_RULE = patternRule(
  'Azure Monitor workspace name',
  /^[A-Za-z0-9][A-Za-z0-9-]{2,42}[A-Za-z0-9]$/,
  'use 4-44 letters, digits or hyphens, starting and ending with a letter or digit',
  'https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules#microsoftmonitor (accounts: 4-44, alphanumerics and hyphens, start and end with alphanumeric)',
);

/** An action group's resource id (where alerts notify). */
export const ACTION_GROUP_ID_RULE = patternRule(
  'action group id',
  /^\/subscriptions\/[0-9a-fA-F-]{36}\/resourceGroups\/[-\w._()]+\/providers\/[Mm]icrosoft\.[Ii]nsights\/action[Gg]roups\/[^/]+$/,
  'use the id of an action group: /subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.Insights/actionGroups/<name>',
  'https://learn.microsoft.com/azure/azure-monitor/alerts/action-groups (resource type Microsoft.Insights/actionGroups)',
);

/**
 * Key Vault's platform metric of every data-plane call, with its result: throttled calls answer
 * HTTP 429. A metric alert on it sees throttling of every client of the vault, not only the CSI
 * provider.
 * @see https://learn.microsoft.com/azure/key-vault/general/monitor-key-vault-reference (ServiceApiResult, dimensions ActivityType, ActivityName, StatusCode, StatusCodeClass)
 * @see https://learn.microsoft.com/azure/key-vault/general/service-limits (beyond the limits: HTTP 429)
 */
export const KEY_VAULT_THROTTLING_METRIC = {
  namespace: 'Microsoft.KeyVault/vaults',
  name: 'ServiceApiResult',
  aggregation: 'Count',
  dimension: 'StatusCode',
  throttled: '429',
} as const;
