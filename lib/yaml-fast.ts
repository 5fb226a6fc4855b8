/**
 * A fast path for reading YAML that gives exactly what `yaml`'s `parse` gives, or declines.
 *
 * `yaml` is the reference reader of every YAML file we read (YAML 1.2, core schema; its document
 * API gives the line and column of every problem). It is also several times slower than js-yaml
 * when the code is cold, which is how a CLI run finds it: at full benchmark size, reading the
 * environment files and the check's `objects` parameters with `yaml` took about 0.8 s of a 5 s
 * run. So a document is first read with js-yaml, set up to resolve plain scalars with `yaml`'s
 * own core-schema tags (the same regular expressions and the same conversions), and only when
 * that is not certain to agree does the caller fall back to `yaml`:
 * - js-yaml rejects the text (syntax, duplicate keys, several documents): `yaml` then reports
 *   the error in its own words, or reads what js-yaml refused;
 * - the text has anchors, aliases, tags or directives (`&`, `*`, `!`, `%` anywhere): their
 *   handling differs between the two (and aliases need `yaml`'s expansion limit), so such text
 *   always takes `yaml`'s path;
 * - the document is not a mapping or a sequence (js-yaml mis-reads some top-level block
 *   scalars), or a mapping key could have been a null or a collection: js-yaml writes such keys
 *   as "null" and "a,b" where `yaml` writes "" and "[ a, b ]".
 * A differential property test checks agreement on generated scalars and documents, and on
 * every YAML file of the project's examples and test corpus.
 */
import { FAILSAFE_SCHEMA, load, Type } from 'js-yaml';
import { isScalar, parse, Schema, type DocumentOptions, type ParseOptions, type SchemaOptions, type ToJSOptions } from 'yaml';

/** Characters that introduce anchors, aliases, tags and directives. */
const NOT_FAST = /[&*!%]/;

interface YamlScalarTag {
  readonly tag: string;
  readonly test?: RegExp;
  readonly resolve: (value: string, onError: (message: string) => void, options: { intAsBigInt: boolean }) => unknown;
}

/** js-yaml types that resolve plain scalars with `yaml`'s core-schema tags (one type per tag). */
function coreTypes(): Type[] {
  const byTag = new Map<string, YamlScalarTag[]>();
  for (const t of new Schema({ schema: 'core' }).tags as unknown as YamlScalarTag[]) {
    if (t.test === undefined) continue;
    byTag.set(t.tag, [...(byTag.get(t.tag) ?? []), t]);
  }
  const fail = (message: string) => {
    throw new Error(message);
  };
  const options = { intAsBigInt: false };
  return [...byTag].map(
    ([tag, variants]) =>
      new Type(tag, {
        kind: 'scalar',
        resolve: (data: unknown) => typeof data === 'string' && variants.some((v) => v.test!.test(data)),
        construct: (data: string) => {
          const value = variants.find((v) => v.test!.test(data))!.resolve(data, fail, options);
          return isScalar(value) ? value.value : value;
        },
      }),
  );
}

let schema: ReturnType<typeof FAILSAFE_SCHEMA.extend> | undefined;

/**
 * The value `yaml`'s `parse(source)` would give, or undefined when this fast path cannot be sure
 * (the caller then uses `yaml`).
 */
export function parseYamlFast(source: string): { readonly value: unknown } | undefined {
  if (NOT_FAST.test(source)) return undefined;
  schema ??= FAILSAFE_SCHEMA.extend({ implicit: coreTypes() });
  let value: unknown;
  try {
    value = load(source, { schema });
  } catch {
    return undefined;
  }
  return value !== null && typeof value === 'object' && keysAreCertain(value) ? { value } : undefined;
}

function keysAreCertain(value: unknown): boolean {
  if (Array.isArray(value)) return value.every(keysAreCertain);
  if (value === null || typeof value !== 'object') return true;
  for (const [k, v] of Object.entries(value)) {
    if (k === 'null' || k.includes(',') || k.startsWith('[object ') || !keysAreCertain(v)) return false;
  }
  return true;
}

/** `yaml`'s `parse(source, options)`, through the fast path when it is sure to agree. */
export function parseYaml(source: string, options?: ParseOptions & DocumentOptions & SchemaOptions & ToJSOptions): unknown {
  const fast = parseYamlFast(source);
  return fast !== undefined ? fast.value : parse(source, options);
}
