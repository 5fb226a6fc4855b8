import { readFileSync } from 'node:fs';
import Ajv from 'ajv';
import { parseAllDocuments } from 'yaml';

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

/** A validator for `version` of the vendored CRD in `file` (its openAPIV3Schema). */
export function crdValidator(file: string, version: string) {
  const docs = parseAllDocuments(readFileSync(file, 'utf8'));
  const crd = docs.map((d) => d.toJS()).find((d) => d?.kind === 'CustomResourceDefinition');
  const schema = crd.spec.versions.find((v: { name: string }) => v.name === version).schema.openAPIV3Schema;
  return new Ajv({ strict: false, allErrors: true, validateFormats: false, code: { regExp: goRegExp } }).compile(schema);
}
