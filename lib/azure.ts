/**
 * Facts about Azure, Entra ID, Key Vault and Azure Workload Identity that the stacks, the
 * charts, the check and verify all rely on. Defined here once; every other module imports them.
 */
import { anyCase, patternRule, predicateRule } from './rule';
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
