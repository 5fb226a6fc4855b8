/** Where the main job writes, relative to the project folder (as the cdktf and cdk8s CLIs do). */

/** Terraform output: `cdktf.out/stacks/<env>/cdk.tf.json`. */
export const TERRAFORM_OUT = 'cdktf.out';
/** Rendered manifests: `dist/<env>/`. */
export const MANIFESTS_OUT = 'dist';
