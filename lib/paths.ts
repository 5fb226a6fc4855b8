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

/**
 * The fleets (`output.gitops.fleet`): `dist/fleet/<tool>/`. No environment may be named `fleet`
 * while a fleet is rendered (pipeline/fleet.ts refuses it).
 */
export const FLEET_NAME = 'fleet';

/** `dist/fleet/<tool>/`: where the fleet of one GitOps tool is rendered. */
export function fleetDirOf(tool: 'argocd' | 'flux'): string {
  return path.join(MANIFESTS_OUT, FLEET_NAME, tool);
}

/**
 * Folders this tool writes and replaces as a whole: nothing of the user's may live inside,
 * least of all Terraform state, which holds the cluster's admin credentials (cdktf recreates
 * `cdktf.out/`; `dist/<env>/` is what gets committed to a GitOps repository).
 */
export const GENERATED_DIRS = [TERRAFORM_OUT, MANIFESTS_OUT] as const;

/** Whether `file` lies in folder `dir` (or is it), both resolved from the working folder; letter case compared loosely, as case-insensitive file systems do. */
export function isInside(file: string, dir: string): boolean {
  const f = path.resolve(file).toLowerCase();
  const d = path.resolve(dir).toLowerCase();
  return f === d || f.startsWith(d.endsWith(path.sep) ? d : `${d}${path.sep}`);
}
