/**
 * Entry point for the standard CLIs, wiring only:
 * - `npx cdktf synth|deploy` runs `main.ts terraform` (cdktf.json): one stack per environment;
 * - `npx cdk8s synth` runs `main.ts kubernetes` (cdk8s.yaml): manifests into dist/<env>/.
 * Our own CLI (`aks-keyvault-csi`, cli/) calls the same builders in one process.
 */
import * as path from 'node:path';
import { EXIT_BAD_INPUT, formatProblem, UserError } from './lib/errors';
import { defaultOutputsFile, loadOutputs } from './lib/outputs/load';
import { writeFolderAtomically } from './lib/write';
import { renderManifests } from './pipeline/manifests';
import { loadEnvironments } from './pipeline/environments';
import { synthTerraform } from './stacks';

function run(mode: string | undefined): void {
  const models = loadEnvironments();
  for (const m of models) {
    for (const w of m.warnings) process.stderr.write(`warning ${m.file}: ${w.path}: ${w.message}\n`);
  }
  if (mode === 'terraform') {
    synthTerraform(models);
  } else if (mode === 'kubernetes') {
    const root = process.env.CDK8S_OUTDIR ?? 'dist';
    // Load every outputs file before writing anything.
    const rendered = models.map((m) => {
      const outputs = loadOutputs(defaultOutputsFile(m.name), m);
      return { dir: path.join(root, m.name), files: renderManifests(m, outputs) };
    });
    for (const r of rendered) writeFolderAtomically(r.dir, r.files);
  } else {
    throw UserError.of('main.ts', 'argv', 'usage: main.ts terraform | kubernetes (the cdktf and cdk8s CLIs pass it; use "npm run synth" for both)', mode ?? '');
  }
}

try {
  run(process.argv[2]);
} catch (e) {
  if (!(e instanceof UserError)) throw e;
  for (const p of e.problems) process.stderr.write(`error ${formatProblem(p)}\n`);
  process.exitCode = EXIT_BAD_INPUT;
}
