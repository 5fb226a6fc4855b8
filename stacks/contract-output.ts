import { dependable, TerraformOutput, TerraformStack, type ITerraformDependable } from 'cdktf';
import type { Construct } from 'constructs';
import {
  CONTRACT_VERSION,
  OUTPUT_NAME,
  type OutputsContract,
  type SharedSecretsOutputs,
  type VaultOutputs,
  type WorkloadOutputs,
} from '../lib/outputs/contract';

export interface ContractOutputProps {
  /** Environment (and stack) name. */
  readonly environment: string;
  /** Tenant of the vault (a Terraform reference). */
  readonly tenantId: string;
  /** The CSI provider's `cloudName`. */
  readonly cloudName: OutputsContract['cloudName'];
  readonly keyVault: { readonly name: string; readonly uri: string };
  /** The cluster's OIDC issuer URL (a Terraform reference). */
  readonly oidcIssuerUrl: string;
  /** Per workload name: the identity's client id and name, and the ServiceAccount it federates. */
  readonly workloads: Readonly<Record<string, WorkloadOutputs>>;
  /**
   * The shared-secrets identity, when the environment has shared secrets.
   * @default - none
   */
  readonly sharedSecrets?: SharedSecretsOutputs;
  /**
   * The vaults besides `keyVault` (`additionalVaults`), in file order; written only when there are some.
   * @default []
   */
  readonly additionalVaults?: readonly VaultOutputs[];
  /**
   * What must have completed before the output is written, e.g. the propagation waits, so a
   * consumer reading outputs after a deploy knows Azure had time to propagate grants.
   * @default []
   */
  readonly dependsOn?: readonly ITerraformDependable[];
}

/**
 * The one Terraform output the Kubernetes side reads: named `OUTPUT_NAME`, shaped like
 * `OutputsContract` (lib/outputs/contract.ts). Nothing in it is secret.
 *
 * Its construct id and its Terraform name are both `OUTPUT_NAME`, and it must sit directly in
 * the stack: `cdktf deploy --outputs-file` keys values by construct path and `cdktf output` /
 * `terraform output -json` by Terraform name, and this keeps both at `<stack>.<OUTPUT_NAME>`.
 * Hence no `id` parameter.
 */
export class ContractOutput extends TerraformOutput {
  /** The value as synthesized (tokens for everything Azure assigns). */
  readonly contract: OutputsContract;

  constructor(scope: Construct, props: ContractOutputProps) {
    if (!TerraformStack.isStack(scope)) {
      throw new Error(
        `ContractOutput must be created directly in a TerraformStack (got "${scope.node.path}"), so outputs files key it as <stack>.${OUTPUT_NAME}`,
      );
    }
    const contract: OutputsContract = {
      contractVersion: CONTRACT_VERSION,
      environment: props.environment,
      tenantId: props.tenantId,
      cloudName: props.cloudName,
      keyVault: { name: props.keyVault.name, uri: props.keyVault.uri },
      oidcIssuerUrl: props.oidcIssuerUrl,
      workloads: Object.fromEntries(Object.entries(props.workloads).map(([name, w]) => [name, { ...w }])),
      ...(props.sharedSecrets !== undefined ? { sharedSecrets: { ...props.sharedSecrets, namespaces: [...props.sharedSecrets.namespaces] } } : {}),
      ...(props.additionalVaults !== undefined && props.additionalVaults.length > 0
        ? { additionalVaults: props.additionalVaults.map((v) => ({ name: v.name, uri: v.uri })) }
        : {}),
    };
    super(scope, OUTPUT_NAME, {
      value: contract,
      description: 'Outputs contract (lib/outputs/contract.ts) read by the Kubernetes side; no secrets.',
      sensitive: false,
      ...(props.dependsOn !== undefined && props.dependsOn.length > 0 ? { dependsOn: props.dependsOn.map(bareReference) } : {}),
    });
    this.overrideLogicalId(OUTPUT_NAME);
    this.contract = contract;
  }
}

/**
 * Terraform takes only bare addresses in `depends_on` (`time_sleep.x`, never `${time_sleep.x}`:
 * "A single static variable reference is required"). cdktf 0.21's `TerraformOutput` renders
 * each dependency's `fqn`, which is an interpolation; its resources wrap theirs in
 * `dependable()`, which resolves to the bare address. The output gets the same treatment.
 * @see https://developer.hashicorp.com/terraform/language/meta-arguments/depends_on
 */
function bareReference(element: ITerraformDependable): ITerraformDependable {
  return { fqn: dependable(element) };
}
