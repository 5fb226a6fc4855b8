/** Shared test helper: validators for vendored CRDs (imports/crds/), from their openAPIV3Schema. */
import { readFileSync } from 'node:fs';
import Ajv, { type ValidateFunction } from 'ajv';
import { parseAllDocuments } from 'yaml';

type Schema = Record<string, unknown>;

/**
 * CRD patterns are Go RE2 (the API server evaluates them): the Prometheus operator's use a leading
 * `(?i)` flag group (after `^`), which JavaScript has no syntax for; it becomes the `i` flag.
 */
const goRegExp = Object.assign(
  (pattern: string, flags: string) => {
    const caseless = /^(\^?)\(\?i\)/;
    return caseless.test(pattern) ? new RegExp(pattern.replace(caseless, '$1'), `${flags}i`) : new RegExp(pattern, flags);
  },
  { code: 'goRegExp' },
);

/**
 * Closes every object schema that lists its properties and neither allows more nor preserves
 * unknown fields: what the API server's strict field validation does (kubectl's default since
 * 1.25), which refuses an unknown field instead of dropping it. Without this, a misspelt field
 * would pass, as JSON Schema allows extra properties.
 */
function strictFields(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(strictFields);
  if (schema === null || typeof schema !== 'object') return schema;
  const s = Object.fromEntries(Object.entries(schema as Schema).map(([k, v]) => [k, k === 'properties' ? mapValues(v as Schema) : strictFields(v)]));
  if (s.properties !== undefined && s.additionalProperties === undefined && s['x-kubernetes-preserve-unknown-fields'] !== true) s.additionalProperties = false;
  return s;
}

function mapValues(o: Schema): Schema {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, strictFields(v)]));
}

/**
 * A validator for `version` of the vendored CRD in `file`; `strict`: unknown fields are refused,
 * as the API server's strict field validation refuses them.
 */
export function crdValidator(file: string, version: string, options: { strict?: boolean } = {}) {
  const key = `${file}\u0000${version}\u0000${options.strict === true}`;
  const cached = compiled.get(key);
  if (cached !== undefined) return cached;
  const docs = parseAllDocuments(readFileSync(file, 'utf8'));
  const crd = docs
    .map((d) => d.toJS() as { kind?: string; spec: { versions: { name: string; schema: { openAPIV3Schema: unknown } }[] } })
    .find((d) => d?.kind === 'CustomResourceDefinition');
  if (crd === undefined) throw new Error(`${file}: no CustomResourceDefinition`);
  const found = crd.spec.versions.find((v) => v.name === version);
  if (found === undefined) throw new Error(`${file}: no version ${version}`);
  const schema = options.strict === true ? strictFields(found.schema.openAPIV3Schema) : found.schema.openAPIV3Schema;
  const validate = new Ajv({ strict: false, allErrors: true, validateFormats: false, code: { regExp: goRegExp } }).compile(schema as Schema);
  compiled.set(key, validate);
  return validate;
}

/** Compiling a large CRD takes seconds: once per test file. */
const compiled = new Map<string, ValidateFunction>();
