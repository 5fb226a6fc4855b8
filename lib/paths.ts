/**
 * Where things live, relative to the project folder (as the cdktf and cdk8s CLIs expect).
 * No imports: the CLI reads these while building its help text.
 */

/** Environment files: `environments/<name>.yaml`, with `<name>.outputs.json` beside them. */
export const ENVIRONMENTS_DIR = 'environments';
/** Terraform output: `cdktf.out/stacks/<env>/cdk.tf.json`. */
export const TERRAFORM_OUT = 'cdktf.out';
/** Rendered manifests: `dist/<env>/`. */
export const MANIFESTS_OUT = 'dist';
