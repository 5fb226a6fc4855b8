import { AzurermBackend, LocalBackend, type TerraformBackend } from 'cdktf';
import { Construct } from 'constructs';
import { type EnvironmentConfig } from '../lib/config/schema';
import { BLOB_NAME_RULE, CLOUDS, RESOURCE_GROUP_NAME_RULE, STORAGE_ACCOUNT_NAME_RULE, STORAGE_CONTAINER_NAME_RULE, type CloudName } from '../lib/azure';
import { STATE_PATH_RULES } from '../lib/config/state-path';
import { assertRule, type Rule } from '../lib/rule';
import { BACKEND_LITERAL_RULE } from '../lib/terraform';

export interface StateBackendProps {
  /** Environment name: names the default state file and state key. */
  readonly environment: string;
  /**
   * Where Terraform keeps the state.
   * Values are checked eagerly against the rules the schema applies: a local path stays
   * relative, normalised and out of `cdktf.out/` and `dist/`; azurerm names follow Azure's
   * rules; no setting holds `${` or `%{` (Terraform reads backend settings literally, so they
   * cannot be escaped).
   * @default - a local state file `terraform.<env>.tfstate` in the project root
   * @see https://developer.hashicorp.com/terraform/language/backend/azurerm
   */
  readonly state: EnvironmentConfig['state'];
  /**
   * Cloud of the state storage account (the azurerm backend's `environment`).
   * @default public
   */
  readonly cloud?: CloudName;
}

/**
 * The stack's Terraform backend: a local file with a RELATIVE path (cdktf's own default is an
 * absolute path of the machine that synthesized, which would land in `cdk.tf.json`), or an
 * Azure storage account reached with Azure AD auth (no storage account keys).
 */
export class StateBackend extends Construct {
  readonly backend: TerraformBackend;
  /** `local` or `azurerm`. */
  readonly kind: 'local' | 'azurerm';
  /** Local: the state file path relative to the project root. Azurerm: the blob key. */
  readonly location: string;

  constructor(scope: Construct, id: string, props: StateBackendProps) {
    super(scope, id);
    const state = props.state;
    this.kind = state.backend;
    if (state.backend === 'local') {
      this.location = state.path ?? `terraform.${props.environment}.tfstate`;
      for (const rule of [...STATE_PATH_RULES, BACKEND_LITERAL_RULE]) assertRule(rule, this.location, 'StateBackend: state.path');
      // Terraform runs in cdktf.out/stacks/<env>/, a folder cdktf deletes and recreates: keep the
      // state in the project root instead, still by a relative path.
      this.backend = new LocalBackend(this, { path: `${STACK_DIR_TO_ROOT}/${this.location}` });
    } else {
      this.location = state.key ?? `${props.environment}.tfstate`;
      const checks: [Rule<string>, string, string][] = [
        [RESOURCE_GROUP_NAME_RULE, state.resourceGroup, 'state.resourceGroup'],
        [STORAGE_ACCOUNT_NAME_RULE, state.storageAccount, 'state.storageAccount'],
        [STORAGE_CONTAINER_NAME_RULE, state.container, 'state.container'],
        [BLOB_NAME_RULE, this.location, 'state.key'],
      ];
      for (const [rule, value, where] of checks) {
        assertRule(rule, value, `StateBackend: ${where}`);
        // Terraform takes backend settings literally: text cannot be escaped here, only refused.
        assertRule(BACKEND_LITERAL_RULE, value, `StateBackend: ${where}`);
      }
      this.backend = new AzurermBackend(this, {
        resourceGroupName: state.resourceGroup,
        storageAccountName: state.storageAccount,
        containerName: state.container,
        key: this.location,
        environment: CLOUDS[props.cloud ?? 'public'].terraformEnvironment,
        // Data-plane access with the caller's Azure AD identity (Storage Blob Data Contributor)
        // instead of fetching the account's access key.
        useAzureadAuth: true,
      });
    }
  }
}

/** From `cdktf.out/stacks/<env>/`, where Terraform runs, back to the project root. */
export const STACK_DIR_TO_ROOT = '../../..';
