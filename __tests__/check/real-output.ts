/**
 * Synthesizes an environment with the real builders (stacks/ and charts/) into a temporary folder
 * and loads it back the way the CLI does, so the check is tested against what synth really writes.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { renderEnvironment } from '../../charts/render';
import { loadSynthesized, type SynthesizedInput } from '../../check';
import type { EnvironmentModel } from '../../lib/model';
import { loadOutputs } from '../../lib/outputs/load';
import type { OutputsContract } from '../../lib/outputs/contract';
import { buildTerraformApp } from '../../stacks';
import { exampleModel } from '../support/models';

/**
 * Synthesizes `model` with `outputs` and loads the result with `loadSynthesized`; paths in the
 * input are made relative to the temporary root so messages stay machine-independent.
 */
export function synthesize(model: EnvironmentModel, outputs: { file: string; contract: OutputsContract } | OutputsContract): SynthesizedInput {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'check-'));
  const rel = (file: string) => path.relative(root, file).split(path.sep).join('/');
  try {
    const contract = 'contract' in outputs ? outputs.contract : outputs;
    let outputsFile = 'contract' in outputs ? path.resolve(outputs.file) : undefined;
    buildTerraformApp([model], { outdir: path.join(root, 'cdktf.out') }).synth();
    for (const f of renderEnvironment(model, contract)) {
      const p = path.join(root, 'dist', model.name, f.path);
      fs.mkdirSync(path.dirname(p), { recursive: true });
      fs.writeFileSync(p, f.content);
    }
    if (!outputsFile) {
      outputsFile = path.join(root, `${model.name}.outputs.json`);
      fs.writeFileSync(outputsFile, JSON.stringify({ [model.stackName]: { aks_keyvault_csi: contract } }));
    }
    const input = loadSynthesized({
      manifestsDir: path.join(root, 'dist', model.name),
      terraformFile: path.join(root, 'cdktf.out', 'stacks', model.stackName, 'cdk.tf.json'),
      outputsFile,
    });
    return {
      terraform: { ...input.terraform, file: rel(input.terraform.file) },
      manifests: input.manifests.map((m) => ({ ...m, file: rel(m.file) })),
      outputs: { file: rel(input.outputs!.file), contract: input.outputs!.contract },
    };
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

/** Synthesizes an example environment with its sample outputs file. */
export function synthesizeExample(env: string): SynthesizedInput {
  const model = exampleModel(env);
  const file = `environments/${env}.outputs.json`;
  const input = synthesize(model, { file, contract: loadOutputs(file, model) });
  // Keep the outputs file as the user would name it.
  return { ...input, outputs: { file, contract: input.outputs!.contract } };
}
