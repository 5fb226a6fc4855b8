/**
 * Where things live, relative to the project folder (as the cdktf and cdk8s CLIs expect).
 * Only Node's own modules: the CLI reads these while building its help text.
 */
import * as path from 'node:path';

/** Environment files: `environments/<name>.yaml`, with `<name>.outputs.json` beside them. */
export const ENVIRONMENTS_DIR = 'environments';
/** Terraform output: `cdktf.out/stacks/<env>/cdk.tf.json`. */
export const TERRAFORM_OUT = 'cdktf.out';
/** Rendered manifests: `dist/<env>/`. */
export const MANIFESTS_OUT = 'dist';

/** `cdktf.out/stacks/<stack>/cdk.tf.json` under `terraformOut`. */
export function terraformFileOf(stack: string, terraformOut: string = TERRAFORM_OUT): string {
  return path.join(terraformOut, 'stacks', stack, 'cdk.tf.json');
}

/** `dist/<env>/`: where an environment's manifests are rendered. */
export function manifestsDirOf(environment: string): string {
  return path.join(MANIFESTS_OUT, environment);
}
