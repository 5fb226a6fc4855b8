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
import { baseDocuments, environmentStringFields, formatSteps, hostileText, setAt, type StringField } from '../support/free-text';
import { outputsFor } from './fixtures';

const FIELDS = environmentStringFields();
const text = fc.oneof(hostileText, fc.string({ unit: 'binary', maxLength: 12 }), hostileText.map((s) => `/${s}`));

/** `base` with `texts` put into the fields, keeping the base value wherever the schema refuses the text. */
function acceptedDocument(base: Record<string, unknown>, fields: readonly StringField[], texts: readonly string[]): { doc: Record<string, unknown>; accepted: number } {
  let kept = fields.map((_, i) => i);
  for (let round = 0; round < 5; round++) {
    const doc = structuredClone(base);
    for (const i of kept) setAt(doc, fields[i]!.path, texts[i]!);
    const parsed = EnvironmentSchema.safeParse(doc);
    if (parsed.success) return { doc, accepted: kept.length };
    const refused = new Set(parsed.error.issues.map((issue) => issue.path.slice(0, 8).map((p) => (typeof p === 'number' ? 0 : p)).join('.')));
    kept = kept.filter((i) => ![...refused].some((r) => r.startsWith(formatSteps(fields[i]!.path).replace(/\[0\]/g, '.0').replace(/<(key|value)>.*$/, ''))));
  }
  return { doc: structuredClone(base), accepted: 0 };
}

test('property: every rendered file reads back as exactly the rendered object', () => {
  let accepted = 0;
  for (const [b, base] of baseDocuments().entries()) {
    const fields = FIELDS.filter((f) => Object.entries(f.branch).every(([p, v]) => p.split('.').reduce<unknown>((c, k) => (c as Record<string, unknown>)?.[k], base) === v));
    fc.assert(
      fc.property(fc.array(text, { minLength: fields.length, maxLength: fields.length }), (texts) => {
        const { doc, accepted: n } = acceptedDocument(base, fields, texts);
        accepted = Math.max(accepted, n);
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
  // Arbitrary text did go into many fields (so the property is not vacuous): tag names and
  // values, env values, command and args, label and annotation values, GitOps settings, ...
  expect(accepted).toBeGreaterThanOrEqual(10);
});
