import { DataAzurermKeyVault } from '@cdktf/provider-azurerm/lib/data-azurerm-key-vault';
import { KeyVault } from '@cdktf/provider-azurerm/lib/key-vault';
import type { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { Token } from 'cdktf';
import { Construct } from 'constructs';
import { ipRuleProblem, KEY_VAULT_MAX_IP_RULES, KEY_VAULT_NAME_RULE } from '../lib/azure';
import { pinAddress } from './terraform-address';

/** Firewall of a new vault. */
export interface KeyVaultNetworkAclsProps {
  /** `Allow` or `Deny` traffic that no rule matches. */
  readonly defaultAction: 'Allow' | 'Deny';
  /** `AzureServices` lets trusted Azure services through; `None` does not. */
  readonly bypass: 'AzureServices' | 'None';
  /** Public IPv4 addresses or CIDR ranges allowed through. */
  readonly ipRules: readonly string[];
  /** Subnet resource ids allowed through (the AKS node subnet when defaultAction is Deny). */
  readonly virtualNetworkSubnetIds: readonly string[];
}

/** Create a new vault in RBAC mode. */
export interface NewKeyVaultStoreProps {
  readonly mode: 'create';
  /** Vault name: a globally unique DNS name. */
  readonly name: string;
  readonly resourceGroupName: string;
  readonly location: string;
  /** Entra tenant that authenticates requests to the vault. */
  readonly tenantId: string;
  /** `standard` or `premium` (HSM-backed keys); the schema resolves the default, `standard`. */
  readonly skuName: string;
  /**
   * Purge protection; Azure never lets it be turned off again. The schema's default is on.
   * @see https://learn.microsoft.com/azure/key-vault/general/soft-delete-overview#purge-protection
   */
  readonly purgeProtectionEnabled: boolean;
  /** Soft-delete retention, 7-90 days, set once at creation; the schema's default is 90. */
  readonly softDeleteRetentionDays: number;
  /** @see https://learn.microsoft.com/azure/key-vault/general/network-security */
  readonly publicNetworkAccessEnabled: boolean;
  readonly networkAcls: KeyVaultNetworkAclsProps;
  /** @default {} */
  readonly tags?: Readonly<Record<string, string>>;
}

/** Reference an existing vault; Terraform checks at plan time that it is in RBAC mode. */
export interface ExistingKeyVaultStoreProps {
  readonly mode: 'existing';
  readonly name: string;
  readonly resourceGroupName: string;
  /**
   * The provider of the vault's subscription, when it is not the environment's: the vault is
   * read, and roles are granted on it, through it.
   * @default - the default provider
   */
  readonly provider?: AzurermProvider;
}

/** What every vault takes: its Terraform name. */
interface KeyVaultStoreCommonProps {
  /**
   * Terraform name of the vault resource or data source. Several vaults in one stack need one
   * each; an address that changes would make Terraform replace the vault.
   * @default this - `azurerm_key_vault.this`, the environment's vault
   */
  readonly terraformName?: string;
}

export type KeyVaultStoreProps = (NewKeyVaultStoreProps | ExistingKeyVaultStoreProps) & KeyVaultStoreCommonProps;

/**
 * The Key Vault the workloads read from. Always in Azure RBAC mode: the role assignments of
 * `WorkloadIdentity` are ignored by a vault that uses access policies.
 *
 * Named `KeyVaultStore` so it does not shadow the provider's `KeyVault` resource class.
 * @see https://learn.microsoft.com/azure/key-vault/general/rbac-guide
 */
export class KeyVaultStore extends Construct {
  /** Vault resource id (a Terraform reference); role assignment scopes start with it. */
  readonly id: string;
  readonly name: string;
  /** `https://<name>.vault.azure.net/` (a Terraform reference). */
  readonly uri: string;
  readonly created: boolean;
  readonly resource?: KeyVault;
  readonly dataSource?: DataAzurermKeyVault;
  /** The provider of an existing vault in another subscription: role assignments on it use it too. */
  readonly provider?: AzurermProvider;

  constructor(scope: Construct, id: string, props: KeyVaultStoreProps) {
    super(scope, id);
    if (!Token.isUnresolved(props.name) && !KEY_VAULT_NAME_RULE.test(props.name)) {
      throw new Error(`KeyVaultStore: name "${props.name}": ${KEY_VAULT_NAME_RULE.fix}`);
    }
    this.created = props.mode === 'create';
    if (props.mode === 'create') {
      validateNewVault(props);
      const vault = this.createVault(props);
      this.resource = pinAddress(vault, props.terraformName ?? 'this');
      this.id = vault.id;
      this.name = vault.name;
      this.uri = vault.vaultUri;
    } else {
      const vault = this.readVault(props);
      this.dataSource = pinAddress(vault, props.terraformName ?? 'this');
      if (props.provider !== undefined) this.provider = props.provider;
      this.id = vault.id;
      this.name = vault.name;
      this.uri = vault.vaultUri;
    }
  }

  /** A new vault in RBAC mode. */
  private createVault(props: NewKeyVaultStoreProps): KeyVault {
    return new KeyVault(this, 'vault', {
      name: props.name,
      location: props.location,
      resourceGroupName: props.resourceGroupName,
      tenantId: props.tenantId,
      skuName: props.skuName,
      // Set explicitly: `enable_rbac_authorization` is deprecated in azurerm 4.x.
      rbacAuthorizationEnabled: true,
      purgeProtectionEnabled: props.purgeProtectionEnabled,
      softDeleteRetentionDays: props.softDeleteRetentionDays,
      publicNetworkAccessEnabled: props.publicNetworkAccessEnabled,
      networkAcls: {
        defaultAction: props.networkAcls.defaultAction,
        bypass: props.networkAcls.bypass,
        ipRules: [...props.networkAcls.ipRules],
        virtualNetworkSubnetIds: [...props.networkAcls.virtualNetworkSubnetIds],
      },
      tags: { ...(props.tags ?? {}) },
    });
  }

  /** An existing vault, with a postcondition that it uses Azure RBAC. */
  private readVault(props: ExistingKeyVaultStoreProps): DataAzurermKeyVault {
    return new DataAzurermKeyVault(this, 'vault', {
      name: props.name,
      resourceGroupName: props.resourceGroupName,
      ...(props.provider !== undefined ? { provider: props.provider } : {}),
      lifecycle: {
        postcondition: [
          {
            // Raw HCL on `self`: cdktf has no typed reference to it inside lifecycle blocks.
            condition: '${self.rbac_authorization_enabled}',
            errorMessage: `The existing Key Vault "${props.name}" uses access policies, so role assignments do not apply to it: switch it to the Azure RBAC permission model ("az keyvault update -n ${props.name} --enable-rbac-authorization true") after granting equivalent roles.`,
          },
        ],
      },
    });
  }
}

/** What Azure refuses on a new vault: the soft-delete retention, the number and form of IP rules. */
function validateNewVault(props: NewKeyVaultStoreProps): void {
  const days = props.softDeleteRetentionDays;
  if (!Number.isInteger(days) || days < 7 || days > 90) {
    throw new Error(`KeyVaultStore "${props.name}": softDeleteRetentionDays ${days}: use 7 to 90 days`);
  }
  const ipRules = props.networkAcls.ipRules;
  if (ipRules.length > KEY_VAULT_MAX_IP_RULES) {
    throw new Error(`KeyVaultStore "${props.name}": ${ipRules.length} IP rules: use at most ${KEY_VAULT_MAX_IP_RULES}`);
  }
  for (const rule of ipRules) {
    const problem = Token.isUnresolved(rule) ? undefined : ipRuleProblem(rule);
    if (problem !== undefined) throw new Error(`KeyVaultStore "${props.name}": IP rule "${rule}": ${problem}`);
  }
}
