/** Everything written into an environment's manifests folder: the rendered objects, TRUST.md and, for an Argo CD fleet member, its fleet config file. */
import { renderEnvironment, type RenderOptions } from '../charts/render';
import type { EnvironmentModel } from '../lib/model';
import type { OutputsContract } from '../lib/outputs/contract';
import type { OutputFile } from '../lib/write';
import { trustDiagram, TRUST_FILE } from './diagram';
import { fleetMemberFiles } from './fleet-folder';

/** The files of `dist/<env>/`, as `synth` writes them and `check --check-drift` compares them. */
export function renderManifests(model: EnvironmentModel, outputs: OutputsContract, options: RenderOptions = {}): OutputFile[] {
  return [...renderEnvironment(model, outputs, options), { path: TRUST_FILE, content: trustDiagram(model, outputs) }, ...fleetMemberFiles(model)];
}
