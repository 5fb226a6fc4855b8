/**
 * Facts about Azure, Entra ID, Key Vault and Azure Workload Identity that the stacks, the
 * charts, the check and verify all rely on. Defined here once; every other module imports them.
 */
import { patternRule } from './rule';
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

export const KEY_VAULT_NAME_RULE = patternRule(
  'Key Vault name',
  /^(?!.*--)[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$/,
  'use 3-24 letters, digits or hyphens, starting with a letter, ending with a letter or digit, without "--"',
  'hashicorp/terraform-provider-azurerm internal/services/keyvault/validate/vault_name.go (VaultName); Azure naming rules for Microsoft.KeyVault/vaults',
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

export const RESOURCE_GROUP_NAME_RULE = patternRule(
  'resource group name',
  /^[-\w.()]{0,89}[-\w()]$/,
  'use 1-90 letters, digits, "_", "-", ".", "(" or ")", not ending in "."',
  'hashicorp/terraform-provider-azurerm internal/services/resource/validate/resource_group_name.go (ResourceGroupName)',
);
export const RESOURCE_GROUP_NAME = RESOURCE_GROUP_NAME_RULE.pattern;

export const AKS_NAME_RULE = patternRule(
  'AKS cluster name',
  /^[a-zA-Z0-9]([-_a-zA-Z0-9]{0,61}[a-zA-Z0-9])?$/,
  'use 1-63 letters, digits, "_" or "-", starting and ending with a letter or digit',
  'hashicorp/terraform-provider-azurerm internal/services/containers/validate/kubernetes_cluster_name.go (KubernetesClusterName)',
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
