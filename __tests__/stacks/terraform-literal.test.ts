/**
 * stacks/terraform-literal.ts: the one way user text reaches Terraform JSON. Judged by Terraform
 * itself: strings written with `terraformLiteral`, synthesized by cdktf into outputs (values and
 * object keys), are read back by `terraform apply` exactly as they were written.
 */
import path from 'node:path';
import fc from 'fast-check';
import { LocalBackend, TerraformOutput, TerraformStack, Testing } from 'cdktf';
import { terraformLiteral, terraformLiterals } from '../../stacks/terraform-literal';
import { TERRAFORM, TERRAFORM_SKIP_REASON, terraformOutputValues } from '../support/terraform';
import { testingApp } from '../support/cdktf';

describe('terraformLiteral', () => {
  test.each([
    ['plain text', 'plain text'],
    ['${file("/etc/hostname")}', '$${file("/etc/hostname")}'],
    ['%{ if true }x%{ endif }', '%%{ if true }x%%{ endif }'],
    ['$${already}', '$$${already}'],
    ['%%{already}', '%%%{already}'],
    // cdktf would read these as its own tokens (a reference to one of our resources, or a crash).
    ['${TfToken[TOKEN.0]}', '$${Tf${"T"}oken[TOKEN.0]}'],
    ['#{TfToken[TOKEN.1]}', '#{Tf${"T"}oken[TOKEN.1]}'],
    ['&{TfToken[TOKEN.2]}', '&{Tf${"T"}oken[TOKEN.2]}'],
    ['TfToken[ alone is text', 'TfToken[ alone is text'],
  ])('%j is written %j', (text, written) => {
    expect(terraformLiteral(text)).toBe(written);
  });
});

describe('terraformLiterals', () => {
  test('escapes every string and object key of plain data, keeps numbers, booleans and null', () => {
    const data = { name: '${a}', tags: { '%{k}': '${v}' }, list: ['${x}', 1, true, null], n: 2 };
    expect(terraformLiterals(data)).toEqual({ name: '$${a}', tags: { '%%{k}': '$${v}' }, list: ['$${x}', 1, true, null], n: 2 });
    expect(data.name).toBe('${a}');
  });

  test('fails on a class instance, whose text could escape the copy', () => {
    expect(() => terraformLiterals({ model: { when: new Date(0) } })).toThrow('terraformLiterals: model.when is not plain data (a Date)');
  });
});

const run = TERRAFORM.available ? describe : describe.skip;
if (!TERRAFORM.available) console.log(`skipping the Terraform part of ${path.basename(__filename)}: ${TERRAFORM_SKIP_REASON}`);

/** Pieces that mean something to Terraform or cdktf, to be combined in any order. */
const UNITS = ['$', '%', '{', '}', '${', '%{', '$${', '%%{', '$$', 'TfToken[', 'TOKEN.0]', ']}', '#', '&', '"', '\\', '\n', '"T"', ' ', 'a', 'é', '日'];
const text = fc.oneof(fc.string({ unit: fc.constantFrom(...UNITS), maxLength: 12 }), fc.string({ unit: 'grapheme', maxLength: 12 }));

/** Outputs-only stack: `value` holds each text as a value, `keys` each text as an object key. */
function outputsStack(texts: readonly string[]): string {
  const stack = new TerraformStack(testingApp(), 'literals');
  new LocalBackend(stack, { path: 'terraform.tfstate' });
  texts.forEach((t, i) => new TerraformOutput(stack, `v${i}`, { value: terraformLiteral(t) }));
  new TerraformOutput(stack, 'keys', { value: Object.fromEntries(texts.map((t, i) => [terraformLiteral(t), String(i)])) });
  return Testing.synth(stack);
}

run(`Terraform reads back exactly the text (${TERRAFORM.detail})`, () => {
  test('known hard cases, as output values and as object keys', () => {
    const texts = [
      '${x}',
      '$${x}',
      '$$${x}',
      '%{x}',
      '%%{x}',
      '$',
      '$$',
      '${',
      '%{',
      'a$',
      '${TfToken[TOKEN.0]}',
      '#{TfToken[TOKEN.1]}',
      '&{TfToken[TOKEN.2]}',
      '${ if }',
      '%{ endif }',
      '\n"\\',
    ];
    const values = terraformOutputValues(outputsStack(texts));
    expect(texts.map((_, i) => values[`v${i}`])).toEqual(texts);
    expect(values['keys']).toEqual(Object.fromEntries(texts.map((t, i) => [t, String(i)])));
  });

  test('property: any text, written with terraformLiteral and synthesized by cdktf, is what Terraform reads', () => {
    fc.assert(
      fc.property(fc.uniqueArray(text, { minLength: 60, maxLength: 120 }), (texts) => {
        const values = terraformOutputValues(outputsStack(texts));
        // Terraform keeps strings in Unicode normal form C (go-cty normalizes every string).
        const expected = texts.map((t) => t.normalize('NFC'));
        expect(texts.map((_, i) => values[`v${i}`])).toEqual(expected);
        expect(Object.keys(values['keys'] as object).sort()).toEqual([...new Set(expected)].sort());
      }),
      // No shrinking: each step is a Terraform run; the failing batch is reported as it is.
      { numRuns: 3, endOnFailure: true },
    );
  });
});
