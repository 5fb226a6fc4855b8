/**
 * Arbitrary text in every string field the schema accepts it in (tags, env values, command and
 * args, labels, annotations, the mount path, GitOps settings, ...) never changes the structure
 * of the rendered YAML: every file reads back, in YAML 1.1, YAML 1.2 and js-yaml, as exactly
 * the object that was rendered.
 */
import fc from 'fast-check';
import { load } from 'js-yaml';
import { parse } from 'yaml';
import { renderEnvironment } from '../../charts/render';
import { EnvironmentSchema } from '../../lib/config/schema';
import { deriveEnvironment } from '../../lib/model';
import { baseDocuments, environmentStringFields, formatSteps, hasParent, hostileText, setAt, valueAtPath, type StringField } from '../support/free-text';
import { outputsFor } from './fixtures';

const FIELDS = environmentStringFields();
const text = fc.oneof(
  hostileText,
  fc.string({ unit: 'binary', maxLength: 12 }),
  hostileText.map((s) => `/${s}`),
);

/**
 * `base` with `texts` put into the fields, one field at a time, keeping each text only where the
 * schema still accepts the whole document (a cross-field rule may refuse a text in another field's
 * name, so refused texts are not found by the issue paths).
 */
function acceptedDocument(
  base: Record<string, unknown>,
  fields: readonly StringField[],
  texts: readonly string[],
): { doc: Record<string, unknown>; accepted: string[] } {
  const doc = structuredClone(base);
  const accepted: string[] = [];
  fields.forEach((field, i) => {
    const trial = structuredClone(doc);
    setAt(trial, field.path, texts[i]);
    if (!EnvironmentSchema.safeParse(trial).success) return;
    setAt(doc, field.path, texts[i]);
    accepted.push(formatSteps(field.path));
  });
  return { doc, accepted };
}

test('property: every rendered file reads back as exactly the rendered object', () => {
  const accepted = new Set<string>();
  for (const [b, base] of baseDocuments().entries()) {
    const fields = FIELDS.filter((f) => hasParent(base, f.path) && Object.entries(f.branch).every(([p, v]) => valueAtPath(base, p) === v));
    fc.assert(
      fc.property(fc.array(text, { minLength: fields.length, maxLength: fields.length }), (texts) => {
        const { doc, accepted: fieldsWithText } = acceptedDocument(base, fields, texts);
        for (const f of fieldsWithText) accepted.add(f);
        const model = deriveEnvironment(`free${b}`, `environments/free${b}.yaml`, EnvironmentSchema.parse(doc));
        for (const file of renderEnvironment(model, outputsFor(model))) {
          const expected = file.object ?? parse(file.content);
          expect(parse(file.content, { version: '1.1' })).toEqual(expected);
          expect(parse(file.content, { version: '1.2' })).toEqual(expected);
          expect(load(file.content)).toEqual(expected);
        }
      }),
      { numRuns: 40 },
    );
  }
  // Arbitrary text did go into many fields (so the property is not vacuous).
  expect(accepted.size).toBeGreaterThanOrEqual(15);
});
