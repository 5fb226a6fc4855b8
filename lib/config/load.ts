/**
 * Loads and validates an environment file once, at the boundary. Everything downstream takes
 * the typed, defaulted `EnvironmentConfig` and never re-validates user input.
 */
import * as path from 'node:path';
import { isMap, isNode, LineCounter, parseDocument, type Document } from 'yaml';
import { parseYaml } from '../yaml-fast';
import type { core } from 'zod';
import { display, formatPath, UserError, valueAt, type InputProblem } from '../errors';
import { readInput } from '../read-input';
import { ENVIRONMENTS_DIR } from '../paths';

export { ENVIRONMENTS_DIR };
import { ENVIRONMENT_NAME, EnvironmentSchema, type EnvironmentConfig } from './schema';

export interface LoadedEnvironment {
  /** Environment name: the file's base name (`environments/dev.yaml` → `dev`). */
  readonly name: string;
  /** The file as given (relative paths stay relative: no machine paths in messages or output). */
  readonly file: string;
  readonly config: EnvironmentConfig;
}

/** Alias expansions allowed in one file: plenty for real use, too few for an alias bomb. */
export const MAX_YAML_ALIASES = 100;

/** The environment name a file stands for, validated. */
export function environmentNameOf(file: string): string {
  const name = path.basename(file).replace(/\.ya?ml$/i, '');
  if (!ENVIRONMENT_NAME.test(name)) {
    throw UserError.of(
      file,
      '',
      'the file name is the environment name: use 2-24 lower-case letters, digits or hyphens, starting with a letter (e.g. environments/dev.yaml)',
      name,
    );
  }
  return name;
}

/** Reads, parses and validates one environment file. Throws `UserError` listing every problem. */
export function loadEnvironment(file: string): LoadedEnvironment {
  const name = environmentNameOf(file);
  const source = readInput(file, {
    what: 'environment file',
    fix: 'pass an environment YAML file (start from "aks-keyvault-csi init NAME")',
    missing: 'no such file: check the path or create it with "aks-keyvault-csi init NAME"',
    syntax: 'yaml',
  });
  return { name, file, config: parseEnvironment(source, file) };
}

/** Parses and validates environment YAML text; `file` is used in messages only. */
export function parseEnvironment(source: string, file: string): EnvironmentConfig {
  // Fast path: plain parse (js-yaml where it is sure to agree with yaml, see yaml-fast.ts) and
  // validate. Only a file that fails pays for the document API, which tracks positions for the
  // messages.
  let data: unknown;
  try {
    data = parseYaml(source, { maxAliasCount: MAX_YAML_ALIASES, uniqueKeys: true });
  } catch {
    data = undefined;
  }
  if (data !== null && typeof data === 'object' && !Array.isArray(data)) {
    const result = EnvironmentSchema.safeParse(data);
    if (result.success) return result.data;
  }
  return explainEnvironment(source, file);
}

/** The slow path: the same parse and validation with positions, turned into `UserError` problems. */
function explainEnvironment(source: string, file: string): never {
  const lines = new LineCounter();
  const doc = parseDocument(source, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new UserError(
      doc.errors.map((e) => {
        const pos = lines.linePos(e.pos[0]);
        const message =
          e.code === 'MULTIPLE_DOCS' ? 'more than one YAML document ("---"): put one environment per file' : `invalid YAML: ${e.message.split('\n')[0]}`;
        return { file, path: '', position: `${pos.line}:${pos.col}`, message };
      }),
    );
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_YAML_ALIASES });
  } catch (e) {
    // The yaml library refuses documents whose aliases expand exponentially ("billion laughs").
    throw UserError.of(
      file,
      '',
      `too many YAML alias references (${e instanceof Error ? e.message.split('\n')[0] : String(e)}): write the values out instead of using anchors and aliases`,
    );
  }
  if (data === null || data === undefined) {
    throw UserError.of(file, '', 'the file is empty: start from "aks-keyvault-csi init NAME" or environments/dev.yaml');
  }
  if (typeof data !== 'object' || Array.isArray(data)) {
    const start = lines.linePos(doc.contents?.range?.[0] ?? 0);
    throw new UserError([
      {
        file,
        path: '',
        position: `${start.line}:${start.col}`,
        received: display(data),
        message: `the file must be a YAML mapping of sections (azure, cluster, keyVault, workloads, ...), not ${Array.isArray(data) ? 'a list' : 'a single value'}: start from "aks-keyvault-csi init NAME" or environments/dev.yaml`,
      },
    ]);
  }
  const result = EnvironmentSchema.safeParse(data);
  if (result.success) {
    // The fast path said otherwise: a difference between the two parses is a bug.
    throw new Error(`${file}: the plain YAML parse and the document parse disagree`);
  }
  throw new UserError(result.error.issues.flatMap((issue) => toProblems(issue, doc, lines, file, data)));
}

function toProblems(issue: core.$ZodIssue, doc: Document, lines: LineCounter, file: string, data: unknown): InputProblem[] {
  const at = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
  if (issue.code === 'unrecognized_keys') {
    // One problem per unknown key, so every typo shows in one run.
    const known = knownKeysAt(at, data);
    const message = `unknown field: remove it or fix its spelling${known ? ` (fields here: ${known})` : ''}`;
    return issue.keys.map((key) => withPosition({ file, path: formatPath([...at, key]), message }, doc, lines, [...at, key]));
  }
  const received = valueAt(data, at);
  let message = issue.message;
  const isDefault = /^Invalid (input|option)/.test(message);
  if (received === undefined && (issue.code === 'invalid_type' || issue.code === 'invalid_value' || issue.code === 'invalid_union')) {
    const expected = issue.code === 'invalid_type' ? ` (${String(issue.expected)})` : '';
    const generic = `required field is missing: add ${JSON.stringify(String(at[at.length - 1] ?? ''))}${expected}`;
    // Keep a schema's own explanation (e.g. what to assert about an existing cluster); replace zod's wording.
    const section = issue.code === 'invalid_union' || (issue.code === 'invalid_type' && (issue.expected === 'object' || issue.expected === 'array'));
    message = isDefault || section || message.startsWith('expected ') ? generic : `required field is missing: ${message}`;
  } else if (issue.code === 'invalid_type') {
    message = message.replace(/^Invalid input: /, '');
  } else if (issue.code === 'invalid_value' && isDefault) {
    message = `use one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
  }
  const problem: InputProblem = { file, path: formatPath(at), message, ...(received !== undefined ? { received: display(received) } : {}) };
  return [withPosition(problem, doc, lines, at)];
}

function withPosition(problem: InputProblem, doc: Document, lines: LineCounter, at: readonly (string | number)[]): InputProblem {
  const position = positionOf(doc, lines, at);
  return position ? { ...problem, position } : problem;
}

const KNOWN_KEYS_LIMIT = 12;

function knownKeysAt(at: readonly (string | number)[], data: unknown): string | undefined {
  // The schema's own keys are what help here; we read them from the schema shape lazily.
  const shape = shapeAt(at, data);
  if (!shape) return undefined;
  const keys = Object.keys(shape).filter((k) => k !== '$schema');
  return keys.length <= KNOWN_KEYS_LIMIT ? keys.join(', ') : `${keys.slice(0, KNOWN_KEYS_LIMIT).join(', ')}, ...`;
}

function shapeAt(at: readonly (string | number)[], data: unknown): Record<string, unknown> | undefined {
  // Walk the zod schema alongside the data so discriminated unions pick the right branch.
  let schema: unknown = EnvironmentSchema;
  let value: unknown = data;
  for (const seg of [...at, undefined]) {
    schema = unwrap(schema, value);
    if (seg === undefined) break;
    const def = (schema as { def?: { type?: string; shape?: Record<string, unknown>; element?: unknown } }).def;
    if (def?.type === 'object' && typeof seg === 'string') schema = def.shape?.[seg];
    else if (def?.type === 'array' && typeof seg === 'number') schema = def.element;
    else return undefined;
    value = value !== null && typeof value === 'object' ? (value as Record<string | number, unknown>)[seg] : undefined;
  }
  const def = (schema as { def?: { type?: string; shape?: Record<string, unknown> } }).def;
  return def?.type === 'object' ? def.shape : undefined;
}

function unwrap(schema: unknown, value: unknown): unknown {
  for (let i = 0; i < 10; i++) {
    const def = (schema as { def?: { type?: string; innerType?: unknown; in?: unknown; options?: unknown[]; discriminator?: string } }).def;
    if (!def) return schema;
    if (def.type === 'default' || def.type === 'optional' || def.type === 'nullable') schema = def.innerType;
    else if (def.type === 'pipe') schema = def.in;
    else if (def.type === 'union' && def.options) {
      const disc = def.discriminator;
      const want = disc && value && typeof value === 'object' ? (value as Record<string, unknown>)[disc] : undefined;
      schema =
        def.options.find((o) => {
          const lit = (o as { def?: { shape?: Record<string, { def?: { type?: string; innerType?: { def?: { values?: unknown[] } }; values?: unknown[] } }> } })
            .def?.shape?.[disc ?? ''];
          const values = lit?.def?.values ?? lit?.def?.innerType?.def?.values ?? [];
          return want === undefined ? lit?.def?.type === 'default' : values.includes(want);
        }) ?? def.options[0];
    } else return schema;
  }
  return schema;
}

/** `line:col` of a YAML path in a file already loaded, for messages about it; undefined when unknown. */
export function positionInFile(file: string, at: readonly (string | number)[]): string | undefined {
  try {
    const lines = new LineCounter();
    const doc = parseDocument(readInput(file, { what: 'environment file', fix: 'pass an environment YAML file' }), { lineCounter: lines, prettyErrors: false });
    return positionOf(doc, lines, at);
  } catch {
    return undefined;
  }
}

function positionOf(doc: Document, lines: LineCounter, at: readonly (string | number)[]): string | undefined {
  // Point at the deepest node that exists (a missing field points at its parent).
  for (let n = at.length; n >= 0; n--) {
    const prefix = at.slice(0, n);
    const node = n === 0 ? doc.contents : doc.getIn(prefix, true);
    if (isNode(node) && node.range) {
      // For a key of a map, point at the key rather than the value.
      let offset = node.range[0];
      if (n > 0) {
        const parent = n === 1 ? doc.contents : doc.getIn(at.slice(0, n - 1), true);
        if (isMap(parent)) {
          const pair = parent.items.find((p) => isNode(p.key) && (p.key as { value?: unknown }).value === at[n - 1]);
          if (pair && isNode(pair.key) && pair.key.range) offset = pair.key.range[0];
        }
      }
      const pos = lines.linePos(offset);
      return `${pos.line}:${pos.col}`;
    }
  }
  return undefined;
}
