/** Shared helpers of the Terraform-side tests: build variants, synthesize (the examples come from ../support/models). */
import { Testing } from 'cdktf';
import type { EnvironmentConfig } from '../../lib/config/schema';
import { deriveEnvironment, type EnvironmentModel } from '../../lib/model';
import { EnvironmentStack } from '../../stacks/environment-stack';
import { recordStack } from '../support/terraform';
import { testingApp } from '../support/cdktf';

export { EXAMPLES, exampleConfig, exampleModel, type ExampleName } from '../support/models';

/** A model of a config built in code (a variant of an example). */
export function modelOf(config: EnvironmentConfig, name = 'variant'): EnvironmentModel {
  return deriveEnvironment(name, `environments/${name}.yaml`, config);
}

/** Synthesized Terraform JSON as a loose tree for field asserts. */

export type TfJson = Record<string, any>;

export interface Synthesized {
  readonly stack: EnvironmentStack;
  /** `Testing.synth` output (validations on). */
  readonly raw: string;
  readonly json: TfJson;
}

export function synthModel(model: EnvironmentModel): Synthesized {
  const app = testingApp();
  const stack = new EnvironmentStack(app, model.stackName, { model });
  const raw = Testing.synth(stack, true);
  // Terraform checks it after the file's tests (__tests__/setup-after-env.ts).
  recordStack(raw);
  return { stack, raw, json: JSON.parse(raw) as TfJson };
}

export function synthConfig(config: EnvironmentConfig, name = 'variant'): Synthesized {
  return synthModel(modelOf(config, name));
}

/** All blocks of one resource type (or data source type with `data: true`). */
export function blocks(json: TfJson, type: string, data = false): TfJson[] {
  const section = data ? json.data : json.resource;
  return Object.values((section?.[type] ?? {}) as Record<string, TfJson>);
}

/** The one block of a type; fails when there is not exactly one. */
export function only(json: TfJson, type: string, data = false): TfJson {
  const all = blocks(json, type, data);
  if (all.length !== 1) throw new Error(`expected exactly one ${data ? 'data.' : ''}${type}, found ${all.length}`);
  return all[0];
}

/** Logical id (`<type>.<id>`) of the block whose `name` is given. */
export function addressOf(json: TfJson, type: string, name: string): string {
  const entry = Object.entries((json.resource?.[type] ?? {}) as Record<string, TfJson>).find(([, b]) => b.name === name);
  if (!entry) throw new Error(`no ${type} named ${name}`);
  return `${type}.${entry[0]}`;
}

/** The logical id of the single block of a type. */
export function addressOfOnly(json: TfJson, type: string, data = false): string {
  const section = data ? json.data : json.resource;
  const ids = Object.keys(section?.[type] ?? {});
  if (ids.length !== 1) throw new Error(`expected exactly one ${type}, found ${ids.length}`);
  return `${data ? 'data.' : ''}${type}.${ids[0]}`;
}

/** Terraform address of the control-plane identity of a created cluster in a stated network (stacks/control-plane-identity.ts). */
export const CONTROL_PLANE_IDENTITY = 'azurerm_user_assigned_identity.control_plane';

/** The workloads' role assignments on the vault: every one but the control plane's role on the node subnet. */
export function vaultGrants(json: TfJson): TfJson[] {
  return blocks(json, 'azurerm_role_assignment').filter((a) => a.principal_id !== `\${${CONTROL_PLANE_IDENTITY}.principal_id}`);
}

/** The workloads' user-assigned identities: every one but the control plane's. */
export function workloadIdentities(json: TfJson): TfJson[] {
  return Object.entries((json.resource?.azurerm_user_assigned_identity ?? {}) as Record<string, TfJson>)
    .filter(([id]) => `azurerm_user_assigned_identity.${id}` !== CONTROL_PLANE_IDENTITY)
    .map(([, b]) => b);
}
