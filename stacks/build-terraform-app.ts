import { App } from 'cdktf';
import type { EnvironmentModel } from '../lib/model';
import { TERRAFORM_OUT } from '../lib/paths';
import { EnvironmentStack } from './environment-stack';

/** Where `cdktf synth` expects the app to write when nothing else is said. */
export const DEFAULT_TERRAFORM_OUTDIR = TERRAFORM_OUT;

export interface TerraformAppOptions {
  /**
   * Output folder (the stacks land in `<outdir>/stacks/<env>/cdk.tf.json`). Note that cdktf's
   * `App` creates the folder when it is constructed.
   * @default - `CDKTF_OUTDIR` when the cdktf CLI runs the app, else "cdktf.out"
   */
  readonly outdir?: string;
}

/**
 * The cdktf app with one `EnvironmentStack` per model. The caller synthesizes (`app.synth()`).
 */
export function buildTerraformApp(models: readonly EnvironmentModel[], options: TerraformAppOptions = {}): App {
  const names = new Set<string>();
  for (const m of models) {
    if (names.has(m.stackName)) {
      throw new Error(`two environments would synthesize to the same stack "${m.stackName}": give each environment file its own name`);
    }
    names.add(m.stackName);
  }
  // `cdktf synth --output DIR` tells the app where to write through CDKTF_OUTDIR.
  const app = new App({ outdir: options.outdir ?? process.env.CDKTF_OUTDIR ?? DEFAULT_TERRAFORM_OUTDIR, stackTraces: false });
  for (const model of models) {
    new EnvironmentStack(app, model.stackName, { model });
  }
  return app;
}
