/**
 * Entry point for the standard CLIs, wiring only:
 * - `npx cdktf synth|deploy` runs `main.ts terraform` (cdktf.json): one stack per environment;
 * - `npx cdk8s synth` runs `main.ts kubernetes` (cdk8s.yaml): manifests into dist/<env>/.
 * Our own CLI (`aks-keyvault-csi`, cli/) calls the same builders in one process.
 */
import * as path from 'node:path';
import { EXIT_BAD_INPUT, formatProblem, UserError } from './lib/errors';
import { fileFault } from './lib/file-faults';
import { defaultOutputsFile, loadOutputs } from './lib/outputs/load';
import { ENVIRONMENTS_DIR, FLEET_NAME, TERRAFORM_OUT } from './lib/paths';
import { writeOutputs } from './lib/write';
import { loadEnvironments } from './pipeline/environments';

function run(mode: string | undefined): void {
  const models = loadEnvironments();
  for (const m of models) {
    for (const w of m.warnings) process.stderr.write(`warning ${m.file}: ${w.path}: ${w.message}\n`);
  }
  // Each mode loads only its own toolkit: cdktf and the provider for Terraform, cdk8s and
  // cdk8s-plus for the manifests.
  if (mode === 'terraform') {
    const { synthTerraform } = require('./stacks') as typeof import('./stacks');
    synthTerraform(models);
  } else if (mode === 'kubernetes') {
    const { renderManifests } = require('./pipeline/manifests') as typeof import('./pipeline/manifests');
    const root = process.env.CDK8S_OUTDIR ?? 'dist';
    // Load every outputs file before writing anything.
    const { fleetsOf } = require('./pipeline/fleet') as typeof import('./pipeline/fleet');
    const { renderFleetFolder } = require('./pipeline/fleet-folder') as typeof import('./pipeline/fleet-folder');
    const rendered = models.map((m) => {
      const outputs = loadOutputs(defaultOutputsFile(m.name), m);
      return { dir: path.join(root, m.name), files: renderManifests(m, outputs) };
    });
    // Every environment is loaded: each fleet's folder is replaced as a whole (dist/fleet/<tool>/).
    for (const f of fleetsOf(models)) rendered.push({ dir: path.join(root, FLEET_NAME, f.tool), files: renderFleetFolder(f) });
    // Only the files this tool owns in each folder change, all folders at once, under their locks.
    const folders = writeOutputs(rendered, {
      command: 'cdk8s synth',
      project: { root: '.', environmentsDir: ENVIRONMENTS_DIR, terraformOut: TERRAFORM_OUT },
      onNote: (note) => process.stderr.write(`note: ${note}\n`),
    });
    for (const f of folders) {
      for (const rel of f.edited)
        process.stderr.write(
          `warning ${path.join(f.dir, rel)}: edited by hand since the last render: replaced by the render (edit the environment file instead)\n`,
        );
    }
  } else {
    throw UserError.of('main.ts', 'argv', 'usage: main.ts terraform | kubernetes (the cdktf and cdk8s CLIs pass it; use "npm run synth" for both)', mode ?? '');
  }
}

try {
  run(process.argv[2]);
} catch (e) {
  // A fault of the machine (read-only or full disk, permissions) is bad input, not a bug.
  const error = e instanceof UserError ? e : fileFault(e, '.');
  if (error === undefined) throw e;
  for (const p of error.problems) process.stderr.write(`error ${formatProblem(p)}\n`);
  process.exitCode = EXIT_BAD_INPUT;
}
