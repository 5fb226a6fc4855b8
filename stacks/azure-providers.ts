import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { TimeProvider } from '@cdktf/provider-time/lib/provider';
import { Construct } from 'constructs';
import { CLOUDS, GUID, type CloudName } from '../lib/azure';

export interface AzureProvidersProps {
  /**
   * Sovereign cloud; sets the azurerm provider's `environment`.
   * @see https://registry.terraform.io/providers/hashicorp/azurerm/4.55.0/docs#environment-1
   */
  readonly cloud: CloudName;
  /**
   * Subscription to deploy to.
   * @default - the subscription of the Azure CLI login (or `ARM_SUBSCRIPTION_ID`)
   * @see https://registry.terraform.io/providers/hashicorp/azurerm/4.55.0/docs#subscription_id-1
   */
  readonly subscriptionId?: string;
}

/**
 * The providers every environment stack needs: azurerm (pinned by `@cdktf/provider-azurerm`)
 * and time (for `time_sleep` after role assignments and federated credentials).
 */
export class AzureProviders extends Construct {
  readonly azurerm: AzurermProvider;
  readonly time: TimeProvider;
  /** The azurerm `environment` in use (`public`, `usgovernment` or `china`). */
  readonly environment: string;
  /** The subscription of the default provider, when the environment file names it. */
  readonly subscriptionId?: string;
  private readonly bySubscription = new Map<string, AzurermProvider>();

  constructor(scope: Construct, id: string, props: AzureProvidersProps) {
    super(scope, id);
    this.environment = CLOUDS[props.cloud].terraformEnvironment;
    if (props.subscriptionId !== undefined) this.subscriptionId = props.subscriptionId;
    this.azurerm = new AzurermProvider(this, 'azurerm', {
      // Never purge a vault (or its objects) on destroy: soft-deleted data stays recoverable for
      // the retention period, and a recreated vault of the same name recovers it.
      features: [
        {
          keyVault: [
            {
              purgeSoftDeleteOnDestroy: false,
              purgeSoftDeletedSecretsOnDestroy: false,
              purgeSoftDeletedCertificatesOnDestroy: false,
              purgeSoftDeletedKeysOnDestroy: false,
              recoverSoftDeletedKeyVaults: true,
            },
          ],
        },
      ],
      environment: this.environment,
      ...(props.subscriptionId !== undefined ? { subscriptionId: props.subscriptionId } : {}),
    });
    this.time = new TimeProvider(this, 'time', {});
  }

  /**
   * The azurerm provider for resources of another subscription (an existing vault, a hub's DNS
   * zone, a shared VNet): the default provider when `subscriptionId` is the environment's own,
   * else one aliased provider per subscription, `azurerm.subscription_<id>`, made on first use.
   * Without azure.subscriptionId the default subscription is unknown, so any named one gets its
   * alias (pointing at the same subscription is harmless).
   * @see https://developer.hashicorp.com/terraform/language/providers/configuration#alias-multiple-provider-configurations
   */
  forSubscription(subscriptionId: string): AzurermProvider {
    if (!GUID.test(subscriptionId)) throw new Error(`AzureProviders: subscription id ${JSON.stringify(subscriptionId)}: use a GUID`);
    const key = subscriptionId.toLowerCase();
    if (this.subscriptionId?.toLowerCase() === key) return this.azurerm;
    let provider = this.bySubscription.get(key);
    if (provider === undefined) {
      const alias = `subscription_${key.replace(/-/g, '_')}`;
      provider = new AzurermProvider(this, alias, {
        alias,
        // Only the default provider purges or recovers vaults; this one reads and grants.
        features: [{}],
        environment: this.environment,
        subscriptionId: key,
      });
      this.bySubscription.set(key, provider);
    }
    return provider;
  }
}
