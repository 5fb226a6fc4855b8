import { MonitorDiagnosticSetting } from '@cdktf/provider-azurerm/lib/monitor-diagnostic-setting';
import { Construct } from 'constructs';
import { KEY_VAULT_AUDIT_LOG_CATEGORY } from '../lib/azure';
import { pinAddress } from './terraform-address';

export interface KeyVaultAuditLogProps {
  /** Name of the diagnostic setting (one per vault and destination). */
  readonly name: string;
  /** The vault's resource id. */
  readonly keyVaultId: string;
  readonly workspaceId: string;
  /**
   * Terraform name of the diagnostic setting: one per vault.
   * @default key_vault_audit - the environment's vault
   */
  readonly terraformName?: string;
}

/**
 * The vault's AuditEvent log (every data-plane request: caller, object, result, source address)
 * sent to the workspace. Without it a 403 from the CSI driver, or a secret read by someone else,
 * leaves no trace a reviewer can query.
 * @see https://learn.microsoft.com/azure/key-vault/general/logging
 */
export class KeyVaultAuditLog extends Construct {
  readonly setting: MonitorDiagnosticSetting;

  constructor(scope: Construct, id: string, props: KeyVaultAuditLogProps) {
    super(scope, id);
    this.setting = pinAddress(
      new MonitorDiagnosticSetting(this, 'setting', {
        name: props.name,
        targetResourceId: props.keyVaultId,
        logAnalyticsWorkspaceId: props.workspaceId,
        enabledLog: [{ category: KEY_VAULT_AUDIT_LOG_CATEGORY }],
      }),
      props.terraformName ?? 'key_vault_audit',
    );
  }
}
