/**
 * Loads the Terraform outputs the chart needs, validated once at the boundary.
 *
 * Two formats are accepted, because both are what people have at hand:
 * - `cdktf deploy <stack> --outputs-file FILE`: `{ "<stack>": { "<output>": <value> } }`
 *   (the output under `aks_keyvault_csi` or cdktf's camelCase `aksKeyvaultCsi`);
 * - `terraform output -json`: `{ "<output>": { "value": <value>, "type": ..., "sensitive": false } }`.
 */
import * as path from 'node:path';
import { isNode, LineCounter, parseDocument } from 'yaml';
import type { core } from 'zod';
import { display, formatPath, UserError, valueAt, type InputProblem } from '../errors';
import { cloudOfCsiName, keyVaultUri, KEY_VAULT_URI_RULE } from '../azure';
import { readInput } from '../read-input';
import type { EnvironmentModel } from '../model';
import { OUTPUT_NAME, OutputsContractSchema, type OutputsContract } from './contract';

/** cdktf's spelling of the output name in an outputs file. */
export const OUTPUT_NAME_CAMEL = OUTPUT_NAME.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

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

  const data = parseJson(source, file, regenerate);
  const { value, at } = locateContract(data, file, model);

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

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isObject(v: unknown): v is Record<string, Json> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function parseJson(source: string, file: string, regenerate: string): Json {
  if (source.trim() === '') throw UserError.of(file, '', `the outputs file is empty: ${regenerate}`);
  try {
    return JSON.parse(source) as Json;
  } catch (e) {
    const err = jsonSyntaxError(source);
    const detail = err?.message ?? (e as Error).message.split('\n')[0];
    throw new UserError([
      { file, path: '', ...(err ? { position: lineCol(source, err.offset) } : {}), message: `invalid JSON (${detail}): fix the syntax or ${regenerate}` },
    ]);
  }
}

/** Finds the contract in either format; `at` is its path in the file. */
function locateContract(data: Json, file: string, model: EnvironmentModel): { value: Json; at: (string | number)[] } {
  const expected = `expected the file "cdktf deploy ${model.stackName} --outputs-file ${file}" writes ({ "${model.stackName}": { "${OUTPUT_NAME}": {...} } }) or "terraform output -json" ({ "${OUTPUT_NAME}": { "value": {...} } })`;
  if (!isObject(data)) throw UserError.of(file, '', expected, data);

  const direct = outputKeyIn(data);
  if (direct !== undefined) {
    const v = data[direct];
    // `terraform output -json` wraps each output as { value, type, sensitive }.
    if (isObject(v) && 'value' in v && ('type' in v || 'sensitive' in v)) return { value: v.value, at: [direct, 'value'] };
    return { value: v, at: [direct] };
  }

  const stack = data[model.stackName];
  if (stack === undefined) {
    const others = Object.keys(data)
      .filter((k) => isObject(data[k]) && findOutput(data[k], 3) !== undefined)
      .sort();
    if (others.length > 0) {
      throw UserError.of(
        file,
        '',
        `holds the outputs of stack ${others.map((s) => `"${s}"`).join(', ')}, not of stack "${model.stackName}" (${model.file}): write the outputs of this environment with "cdktf deploy ${model.stackName} --outputs-file ${file}"`,
        others,
      );
    }
    throw UserError.of(file, '', `no outputs of stack "${model.stackName}" and no "${OUTPUT_NAME}" output: ${expected}`, Object.keys(data));
  }
  if (!isObject(stack)) throw UserError.of(file, model.stackName, `expected the outputs of stack "${model.stackName}" (an object): ${expected}`, stack);
  const found = findOutput(stack, 3);
  if (found === undefined) {
    throw UserError.of(
      file,
      model.stackName,
      `stack "${model.stackName}" has no "${OUTPUT_NAME}" (or "${OUTPUT_NAME_CAMEL}") output (outputs here: ${Object.keys(stack).join(', ') || 'none'}): deploy this project's stack, which writes it`,
    );
  }
  const v = found.value;
  if (isObject(v) && 'value' in v && ('type' in v || 'sensitive' in v)) return { value: v.value, at: [model.stackName, ...found.at, 'value'] };
  return { value: v, at: [model.stackName, ...found.at] };
}

function outputKeyIn(o: Record<string, Json>): string | undefined {
  return [OUTPUT_NAME, OUTPUT_NAME_CAMEL].find((k) => Object.prototype.hasOwnProperty.call(o, k));
}

/** The output by name, directly or nested (cdktf nests outputs of nested constructs), breadth-first. */
function findOutput(o: Json, depth: number): { value: Json; at: string[] } | undefined {
  if (!isObject(o) || depth === 0) return undefined;
  const key = outputKeyIn(o);
  if (key !== undefined) return { value: o[key]!, at: [key] };
  for (const k of Object.keys(o).sort()) {
    const inner = findOutput(o[k], depth - 1);
    if (inner) return { value: inner.value, at: [k, ...inner.at] };
  }
  return undefined;
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

/** `line:col` of the deepest existing node on `at` (JSON is YAML, so the yaml parser finds it). */
function positionIn(source: string, at: readonly (string | number)[]): string | undefined {
  const lines = new LineCounter();
  const doc = parseDocument(source, { lineCounter: lines, prettyErrors: false });
  for (let n = at.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(at.slice(0, n), true);
    if (isNode(node) && node.range) {
      const pos = lines.linePos(node.range[0]);
      return `${pos.line}:${pos.col}`;
    }
  }
  return undefined;
}

function lineCol(source: string, offset: number): string {
  const before = source.slice(0, offset);
  const line = before.split('\n').length;
  const col = offset - (before.lastIndexOf('\n') + 1) + 1;
  return `${line}:${col}`;
}

/**
 * Where strict JSON first goes wrong (Node 20's `JSON.parse` does not say). Runs only after
 * `JSON.parse` failed; returns undefined if it finds nothing.
 */
function jsonSyntaxError(s: string): { offset: number; message: string } | undefined {
  let i = 0;
  class Stop extends Error {
    constructor(
      readonly offset: number,
      message: string,
    ) {
      super(message);
    }
  }
  const ws = () => {
    while (i < s.length && ' \t\n\r'.includes(s[i])) i++;
  };
  const unexpected = (what: string): Stop =>
    new Stop(i, i >= s.length ? `unexpected end of file, expected ${what}` : `unexpected ${JSON.stringify(s[i])}, expected ${what}`);
  const string = () => {
    i++;
    while (i < s.length && s[i] !== '"') {
      if (s.charCodeAt(i) < 0x20) throw new Stop(i, 'control character in a string (escape it)');
      if (s[i] === '\\') {
        i++;
        if (s[i] === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(s.slice(i + 1, i + 5))) throw new Stop(i, 'invalid \\u escape');
          i += 4;
        } else if (i >= s.length || !'"\\/bfnrt'.includes(s[i])) throw new Stop(i, 'invalid escape in a string');
      }
      i++;
    }
    if (i >= s.length) throw new Stop(i, 'unterminated string');
    i++;
  };
  const value = (): void => {
    ws();
    const c = s[i];
    if (c === '{') {
      i++;
      ws();
      if (s[i] === '}') return void i++;
      for (;;) {
        ws();
        if (s[i] !== '"') throw unexpected('a property name in double quotes (a trailing comma?)');
        string();
        ws();
        if (s[i] !== ':') throw unexpected('":"');
        i++;
        value();
        ws();
        if (s[i] === ',') i++;
        else if (s[i] === '}') return void i++;
        else throw unexpected('"," or "}"');
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (s[i] === ']') return void i++;
      for (;;) {
        value();
        ws();
        if (s[i] === ',') i++;
        else if (s[i] === ']') return void i++;
        else throw unexpected('"," or "]"');
      }
    }
    if (c === '"') return string();
    const literal = /true|false|null|-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
    literal.lastIndex = i;
    const m = literal.exec(s);
    if (m) {
      i += m[0].length;
      return;
    }
    throw unexpected('a value');
  };
  try {
    value();
    ws();
    if (i < s.length) throw unexpected('the end of the file');
    return undefined;
  } catch (e) {
    if (e instanceof Stop) return { offset: e.offset, message: e.message };
    throw e;
  }
}
