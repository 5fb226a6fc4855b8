import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { TimeProvider } from '@cdktf/provider-time/lib/provider';
import { Construct } from 'constructs';
import { CLOUDS, type CloudName } from '../lib/azure';

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

  constructor(scope: Construct, id: string, props: AzureProvidersProps) {
    super(scope, id);
    this.environment = CLOUDS[props.cloud].terraformEnvironment;
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
}
