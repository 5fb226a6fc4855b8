/**
 * The one YAML emitter for everything we write (manifests and the provider's `objects`).
 *
 * js-yaml's emitter: several times faster than `yaml`'s stringify. Every string that a YAML
 * reader could read as something else is quoted: js-yaml quotes what its own schema and YAML 1.1
 * would retype (`yes`, `on`, `0440`, `1_000`, `1:20`, dates, `~`), and on top of that whatever
 * any of `yaml`'s 1.1 or 1.2 core tags would resolve (its 1.1 float pattern, for one, reads `E0`
 * and `.` as numbers). Kubernetes tools and the Azure provider parse YAML with Go parsers of
 * YAML 1.1 heritage, so a string must read back as the same string under either version.
 * Double quotes; no anchors or aliases; no line folding; keys in the order given.
 */
import { DEFAULT_SCHEMA, dump, Type } from 'js-yaml';
import { Schema, stringify } from 'yaml';

let schema: typeof DEFAULT_SCHEMA | undefined;

function emitSchema(): typeof DEFAULT_SCHEMA {
  const patterns = [...new Schema({ schema: 'yaml-1.1' }).tags, ...new Schema({ schema: 'core' }).tags]
    .map((t) => (t as { test?: RegExp }).test)
    .filter((t): t is RegExp => t !== undefined);
  // One alternation of the (anchored) patterns: a single test per string.
  const any = new RegExp(patterns.map((p) => `(?:${p.source})`).join('|'));
  // Only ever asked "would this plain string resolve to something else?" by the emitter: it has
  // no predicate, so it never represents a value, and this schema is never used to read.
  const retyped = new Type('tag:aks-keyvault-csi,2026:retyped-plain-scalar', {
    kind: 'scalar',
    resolve: (data: unknown) => typeof data === 'string' && any.test(data),
  });
  return DEFAULT_SCHEMA.extend({ implicit: [retyped] });
}

/** `value` as a YAML document. */
export function toYaml(value: unknown): string {
  if (hasBlankLineText(value)) {
    // js-yaml writes such a string as a literal block (`|2` and a line of spaces) that readers
    // disagree on (`yaml` reads " \n" back as ""). Double quotes are read alike everywhere.
    return stringify(value, { version: '1.1', lineWidth: 0, blockQuote: false, aliasDuplicateObjects: false });
  }
  schema ??= emitSchema();
  return dump(value, { schema, lineWidth: -1, noRefs: true, quotingType: '"', sortKeys: false });
}

/** A multi-line string with a line of only spaces or tabs, anywhere in `value` (keys included). */
function hasBlankLineText(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\n') && BLANK_LINE.test(value);
  if (value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) {
    for (const v of value) if (hasBlankLineText(v)) return true;
    return false;
  }
  for (const [k, v] of Object.entries(value)) if (hasBlankLineText(k) || hasBlankLineText(v)) return true;
  return false;
}

const BLANK_LINE = /^[ \t]+$/m;
