/**
 * The one reader of Terraform outputs files (and of the JSON the check reads): the file read as
 * input (lib/read-input.ts: regular files only, size and nesting limits), JSON parsed with a
 * line:column for syntax errors, and the outputs contract found in whichever shape the file has.
 * `loadOutputs` (lib/outputs/load.ts) validates the contract against the environment; the check
 * (check/load.ts) hands it to the trust-chain rules as it is.
 */
import { isNode, LineCounter, parseDocument } from 'yaml';
import { UserError } from '../errors';
import { OUTPUT_NAME } from './contract';

/** A parsed JSON value. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** cdktf's spelling of the output name in an outputs file. */
export const OUTPUT_NAME_CAMEL = OUTPUT_NAME.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

function isObject(v: unknown): v is Record<string, Json> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Parses JSON text; a syntax error names its line:column (Node 20's `JSON.parse` does not) and `fix`. */
export function parseJson(source: string, file: string, fix: string, what = 'file'): Json {
  if (source.trim() === '') throw UserError.of(file, '', `the ${what} is empty: ${fix}`);
  try {
    return JSON.parse(source) as Json;
  } catch (e) {
    const err = jsonSyntaxError(source);
    const detail = err?.message ?? (e as Error).message.split('\n')[0];
    throw new UserError([
      { file, path: '', ...(err ? { position: lineCol(source, err.offset) } : {}), message: `invalid JSON (${detail}): fix the syntax or ${fix}` },
    ]);
  }
}

/** Whose outputs a file should hold. */
export interface OutputsTarget {
  /** The cdktf stack (environment) name. */
  readonly stackName: string;
  /** The environment file, for messages. @default - not named */
  readonly environmentFile?: string;
  /**
   * Accept the outputs of a single other stack (the check of a GitOps folder, whose Terraform
   * file need not sit in `stacks/<env>/`; the check then compares the ids themselves).
   * @default false
   */
  readonly anyOneStack?: boolean;
}

/**
 * Finds the contract in an outputs file; `at` is its path in the file. Accepted shapes:
 * - `cdktf deploy --outputs-file`: `{ "<stack>": { "aks_keyvault_csi": {...} } }` (or cdktf's camelCase);
 * - `terraform output -json`: `{ "aks_keyvault_csi": { "value": {...}, "type": ..., "sensitive": false } }`;
 * - the bare contract `{ "contractVersion": 1, ... }` (written by hand or by another pipeline).
 */
export function locateContract(data: Json, file: string, target: OutputsTarget): { value: Json; at: (string | number)[] } {
  const model = { stackName: target.stackName, file: target.environmentFile ?? `environment "${target.stackName}"` };
  const expected = `expected the file "cdktf deploy ${model.stackName} --outputs-file ${file}" writes ({ "${model.stackName}": { "${OUTPUT_NAME}": {...} } }) or "terraform output -json" ({ "${OUTPUT_NAME}": { "value": {...} } })`;
  if (!isObject(data)) throw UserError.of(file, '', expected, data);
  if ('contractVersion' in data) return { value: data, at: [] };

  const direct = outputKeyIn(data);
  if (direct !== undefined) {
    const v = data[direct];
    // `terraform output -json` wraps each output as { value, type, sensitive }.
    if (isObject(v) && 'value' in v && ('type' in v || 'sensitive' in v)) return { value: v.value, at: [direct, 'value'] };
    return { value: v, at: [direct] };
  }

  let stackName = model.stackName;
  if (data[stackName] === undefined && target.anyOneStack === true) {
    const stacks = Object.keys(data).filter((k) => isObject(data[k]) && findOutput(data[k], 3) !== undefined);
    if (stacks.length === 1) stackName = stacks[0]!;
  }
  const stack = data[stackName];
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
  if (!isObject(stack)) throw UserError.of(file, stackName, `expected the outputs of stack "${model.stackName}" (an object): ${expected}`, stack);
  const found = findOutput(stack, 3);
  if (found === undefined) {
    throw UserError.of(
      file,
      stackName,
      `stack "${stackName}" has no "${OUTPUT_NAME}" (or "${OUTPUT_NAME_CAMEL}") output (outputs here: ${Object.keys(stack).join(', ') || 'none'}): deploy this project's stack, which writes it`,
    );
  }
  const v = found.value;
  if (isObject(v) && 'value' in v && ('type' in v || 'sensitive' in v)) return { value: v.value, at: [stackName, ...found.at, 'value'] };
  return { value: v, at: [stackName, ...found.at] };
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

/** `line:col` of the deepest existing node on `at` (JSON is YAML, so the yaml parser finds it). */
export function positionIn(source: string, at: readonly (string | number)[]): string | undefined {
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
