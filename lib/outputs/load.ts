/**
 * Loads the Terraform outputs the chart needs, validated once at the boundary.
 *
 * Two formats are accepted, because both are what people have at hand:
 * - `cdktf deploy <stack> --outputs-file FILE`: `{ "<stack>": { "<output>": <value> } }`
 *   (the output under `aks_keyvault_csi` or cdktf's camelCase `aksKeyvaultCsi`);
 * - `terraform output -json`: `{ "<output>": { "value": <value>, "type": ..., "sensitive": false } }`.
 */
import * as path from 'node:path';
import type { core } from 'zod';
import { display, formatPath, UserError, valueAt, type InputProblem } from '../errors';
import { cloudOfCsiName, keyVaultUri, KEY_VAULT_URI_RULE } from '../azure';
import { readInput } from '../read-input';
import type { EnvironmentModel } from '../model';
import { OutputsContractSchema, type OutputsContract } from './contract';
import { locateContract, OUTPUT_NAME_CAMEL, parseJson, positionIn, type Json } from './read';

export { OUTPUT_NAME_CAMEL };

/** Where an environment's sample (or exported) outputs live: `environments/<env>.outputs.json`. */
export function defaultOutputsFile(environment: string): string {
  return path.posix.join('environments', `${environment}.outputs.json`);
}

/** A disagreement between outputs and the environment model; `path` is relative to the contract. */
export interface OutputsMismatch {
  readonly path: readonly (string | number)[];
  readonly received?: unknown;
  readonly message: string;
}

/**
 * Reads `file` and returns the outputs contract for `model`. Throws `UserError` naming the file,
 * the field path (and line:column when known), the value and the fix.
 */
export function loadOutputs(file: string, model: EnvironmentModel): OutputsContract {
  const regenerate = `regenerate it with "cdktf deploy ${model.stackName} --outputs-file ${file}" (or "terraform output -json > ${file}")`;
  const source = readInput(file, {
    what: 'outputs file',
    fix: regenerate,
    missing: `no such outputs file: deploy the stack, then write it with "cdktf deploy ${model.stackName} --outputs-file ${file}" or "terraform output -json > ${file}"`,
    syntax: 'json',
  });

  const data = parseJson(source, file, regenerate, 'outputs file');
  const { value, at } = locateContract(data, file, { stackName: model.stackName, environmentFile: model.file });

  const parsed = OutputsContractSchema.safeParse(value);
  if (!parsed.success) {
    throw new UserError(parsed.error.issues.map((issue) => schemaProblem(issue, value, at, file, source, regenerate)));
  }
  const mismatches = checkOutputsAgainstModel(parsed.data, model);
  if (mismatches.length > 0) {
    throw new UserError(
      mismatches.map((m) => {
        const full = [...at, ...m.path];
        const position = positionIn(source, full);
        return {
          file,
          path: formatPath(full),
          ...(position ? { position } : {}),
          ...(m.received !== undefined ? { received: display(m.received) } : {}),
          message: m.message,
        };
      }),
    );
  }
  return parsed.data;
}

/**
 * What in a valid contract contradicts the environment: another environment's outputs, another
 * vault or cloud, a workload without outputs, or a ServiceAccount the identity was not federated
 * with. The chart runs the same check on contracts that arrive as code.
 */
export function checkOutputsAgainstModel(outputs: OutputsContract, model: EnvironmentModel): OutputsMismatch[] {
  const redeploy = `re-deploy with "cdktf deploy ${model.stackName}" and export its outputs again`;
  if (outputs.environment !== model.name) {
    return [
      {
        path: ['environment'],
        received: outputs.environment,
        message: `these outputs belong to environment "${outputs.environment}", not "${model.name}" (${model.file}): use the outputs of stack "${model.stackName}"`,
      },
    ];
  }
  const out: OutputsMismatch[] = [];
  if (outputs.cloudName !== model.csiCloudName) {
    out.push({ path: ['cloudName'], received: outputs.cloudName, message: `${model.file} sets cloud ${model.csiCloudName}: fix azure.cloud or ${redeploy}` });
  }
  const vault = model.config.keyVault.name;
  if (outputs.keyVault.name !== vault) {
    out.push({
      path: ['keyVault', 'name'],
      received: outputs.keyVault.name,
      message: `${model.file} names vault "${vault}": fix keyVault.name or ${redeploy}`,
    });
  }
  const expectedUri = mismatchedVaultUri(outputs);
  if (expectedUri !== undefined) {
    out.push({
      path: ['keyVault', 'uri'],
      received: outputs.keyVault.uri,
      message: `is not the URI of vault "${outputs.keyVault.name}" in ${outputs.cloudName} (${expectedUri}), so Key Vault clients would reach another vault: ${redeploy}`,
    });
  }
  for (const w of model.workloads) {
    const o = outputs.workloads[w.name];
    if (o === undefined) {
      out.push({
        path: ['workloads'],
        received: Object.keys(outputs.workloads),
        message: `no outputs for workload "${w.name}" of ${model.file} (its identity may not exist yet): ${redeploy}`,
      });
      continue;
    }
    if (o.namespace !== w.namespace) {
      out.push({
        path: ['workloads', w.name, 'namespace'],
        received: o.namespace,
        message: `${model.file} runs workload "${w.name}" in namespace "${w.namespace}", so the identity is federated with another ServiceAccount: ${redeploy}`,
      });
    }
    if (o.serviceAccount !== w.serviceAccount) {
      out.push({
        path: ['workloads', w.name, 'serviceAccount'],
        received: o.serviceAccount,
        message: `${model.file} runs workload "${w.name}" as ServiceAccount "${w.serviceAccount}", so the identity is federated with another one: ${redeploy}`,
      });
    }
  }
  out.push(...sharedSecretsMismatches(outputs, model, redeploy));
  out.push(...additionalVaultMismatches(outputs, model, redeploy));
  return out;
}

/** Each additional vault the environment declares: in the outputs, with its own URI. Names compare case-insensitively. */
function additionalVaultMismatches(outputs: OutputsContract, model: EnvironmentModel, redeploy: string): OutputsMismatch[] {
  const listed = outputs.additionalVaults ?? [];
  const out: OutputsMismatch[] = [];
  for (const v of model.config.additionalVaults ?? []) {
    const k = listed.findIndex((o) => o.name.toLowerCase() === v.name.toLowerCase());
    if (k < 0) {
      out.push({
        path: ['additionalVaults'],
        received: listed.map((o) => o.name),
        message: `no outputs for vault "${v.name}" of ${model.file} (additionalVaults): ${redeploy}`,
      });
      continue;
    }
    const expected = mismatchedVaultUri({ ...outputs, keyVault: listed[k] });
    if (expected !== undefined) {
      out.push({
        path: ['additionalVaults', k, 'uri'],
        received: listed[k].uri,
        message: `is not the URI of vault "${listed[k].name}" in ${outputs.cloudName} (${expected}), so the check and Key Vault clients would reach another vault: ${redeploy}`,
      });
    }
  }
  return out;
}

/** The shared-secrets identity: present when the environment has shared secrets, federated with their ServiceAccount. */
function sharedSecretsMismatches(outputs: OutputsContract, model: EnvironmentModel, redeploy: string): OutputsMismatch[] {
  const shared = model.sharedSecrets;
  if (shared === undefined) return [];
  const o = outputs.sharedSecrets;
  if (o === undefined) {
    return [{ path: [], message: `no outputs for the sharedSecrets of ${model.file} (their identity may not exist yet): ${redeploy}` }];
  }
  const out: OutputsMismatch[] = [];
  if (o.serviceAccount !== shared.serviceAccount) {
    out.push({
      path: ['sharedSecrets', 'serviceAccount'],
      received: o.serviceAccount,
      message: `${model.file} delivers the shared secrets as ServiceAccount "${shared.serviceAccount}", so the identity is federated with another one: ${redeploy}`,
    });
  }
  if ([...o.namespaces].sort().join(',') !== shared.serviceAccountNamespaces.join(',')) {
    out.push({
      path: ['sharedSecrets', 'namespaces'],
      received: o.namespaces,
      message: `${model.file} needs the shared-secrets identity federated in ${shared.serviceAccountNamespaces.map((n) => `"${n}"`).join(', ')}: ${redeploy}`,
    });
  }
  return out;
}

/**
 * The URI the contract's `keyVault.uri` should be, when it is not the URI of vault
 * `keyVault.name` in the contract's own cloud; undefined when they agree. Every Key Vault
 * client (the rotation test's writes included) follows the URI, so such outputs would send it
 * to another vault.
 */
export function mismatchedVaultUri(outputs: OutputsContract): string | undefined {
  const cloud = cloudOfCsiName(outputs.cloudName);
  const { name, uri } = outputs.keyVault;
  if (cloud === undefined || KEY_VAULT_URI_RULE.test({ uri, name, cloud })) return undefined;
  return keyVaultUri(name, cloud);
}

function schemaProblem(issue: core.$ZodIssue, value: Json, at: readonly (string | number)[], file: string, source: string, regenerate: string): InputProblem {
  let rel = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
  let message = issue.message;
  if (issue.code === 'unrecognized_keys') {
    rel = [...rel, issue.keys[0]];
    message = `unknown field in the outputs contract: ${regenerate} with this version of the project`;
  } else if (issue.code === 'invalid_type' && valueAt(value, rel) === undefined) {
    message = `required field is missing: ${regenerate} with this version of the project`;
  } else {
    message = `${message.replace(/^Invalid input: /, '')}: ${regenerate}`;
  }
  const full = [...at, ...rel];
  const received = issue.code === 'unrecognized_keys' ? undefined : valueAt(value, rel);
  const position = positionIn(source, full);
  return {
    file,
    path: formatPath(full),
    ...(position ? { position } : {}),
    ...(received !== undefined ? { received: display(received) } : {}),
    message,
  };
}
