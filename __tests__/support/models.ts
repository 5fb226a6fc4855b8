/** Shared test helper: the example environments and models from inline YAML, as the loader builds them. */
import { loadEnvironment, parseEnvironment } from '../../lib/config/load';
import type { EnvironmentConfig } from '../../lib/config/schema';
import { deriveEnvironment, type EnvironmentModel } from '../../lib/model';
import type { OutputsContract } from '../../lib/outputs/contract';
import { defaultOutputsFile, loadOutputs } from '../../lib/outputs/load';

export const EXAMPLES = ['dev', 'prod', 'engines'] as const;
export type ExampleName = (typeof EXAMPLES)[number];

/** Config of an example environment, loaded through the lib loader (validated, defaulted). */
export function exampleConfig(name: ExampleName): EnvironmentConfig {
  return loadEnvironment(`environments/${name}.yaml`).config;
}

export function exampleModel(name: string): EnvironmentModel {
  const loaded = loadEnvironment(`environments/${name}.yaml`);
  return deriveEnvironment(loaded.name, loaded.file, loaded.config);
}

/** The sample outputs file of an example environment (`environments/<name>.outputs.json`). */
export function exampleOutputs(name: string): OutputsContract {
  return loadOutputs(defaultOutputsFile(name), exampleModel(name));
}

/** A model from inline YAML (as if it were environments/<name>.yaml). */
export function modelFromYaml(name: string, source: string): EnvironmentModel {
  const file = `environments/${name}.yaml`;
  return deriveEnvironment(name, file, parseEnvironment(source, file));
}
