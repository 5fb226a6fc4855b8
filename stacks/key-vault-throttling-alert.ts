import { MonitorMetricAlert } from '@cdktf/provider-azurerm/lib/monitor-metric-alert';
import { Construct } from 'constructs';
import { KEY_VAULT_THROTTLING_METRIC } from '../lib/azure';
import { pinAddress } from './terraform-address';

export interface KeyVaultThrottlingAlertProps {
  readonly vaultName: string;
  /** The vault's resource id (created or read by the stack). */
  readonly keyVaultId: string;
  readonly resourceGroupName: string;
  /** @default - the alert notifies nobody */
  readonly actionGroupId?: string;
  /** @default {} */
  readonly tags?: Readonly<Record<string, string>>;
  /** Terraform resource name. @default 'key_vault_throttled' (the environment's vault) */
  readonly terraformName?: string;
}

/**
 * A metric alert on the vault: any data-plane call answered HTTP 429 in the last 5 minutes
 * (`ServiceApiResult` counted with `StatusCode` 429). Throttled calls fail mounts and rotation of
 * every pod that reads the vault; environments sharing a vault share its budget.
 * @see https://learn.microsoft.com/azure/key-vault/general/monitor-key-vault-reference
 * @see https://learn.microsoft.com/azure/key-vault/general/service-limits
 */
export class KeyVaultThrottlingAlert extends Construct {
  readonly resource: MonitorMetricAlert;

  constructor(scope: Construct, id: string, props: KeyVaultThrottlingAlertProps) {
    super(scope, id);
    const m = KEY_VAULT_THROTTLING_METRIC;
    this.resource = pinAddress(
      new MonitorMetricAlert(this, 'alert', {
        name: `${props.vaultName}-throttled`,
        resourceGroupName: props.resourceGroupName,
        scopes: [props.keyVaultId],
        description: `Key Vault ${props.vaultName} answers HTTP 429 (throttling): mounts and rotation of the pods that read it fail. Spread reads (fewer objects per pod, a longer rotation interval) or split the vault.`,
        severity: 2,
        frequency: 'PT1M',
        windowSize: 'PT5M',
        autoMitigate: true,
        criteria: [
          {
            metricNamespace: m.namespace,
            metricName: m.name,
            aggregation: m.aggregation,
            operator: 'GreaterThan',
            threshold: 0,
            dimension: [{ name: m.dimension, operator: 'Include', values: [m.throttled] }],
          },
        ],
        ...(props.actionGroupId !== undefined ? { action: [{ actionGroupId: props.actionGroupId }] } : {}),
        tags: { ...(props.tags ?? {}) },
      }),
      props.terraformName ?? 'key_vault_throttled',
    );
  }
}
