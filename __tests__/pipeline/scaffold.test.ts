/**
 * pipeline/scaffold.ts: the `init` template is generated from the schema. It loads and
 * synthesizes as written; uncommented line by line it is still valid, lists every field in the
 * schema's order and shows each field's schema default.
 */
import fc from 'fast-check';
import { parse } from 'yaml';
import { checkTrustChain } from '../../check';
import { firstSentence, parseDoc } from '../../lib/config/field-doc';
import { alternativesOf, environmentJsonSchemaDocument, fieldsOf, hasFields, type JsonSchema } from '../../lib/config/json-schema';
import { parseEnvironment } from '../../lib/config/load';
import { ENVIRONMENT_NAME } from '../../lib/config/schema';
import { deriveEnvironment } from '../../lib/model';
import { SCAFFOLD_LEFT_OUT, scaffoldEnvironment } from '../../pipeline/scaffold';
import { synthesize } from '../check/real-output';
import { outputsFor } from '../support/outputs';
import { synthModel } from '../stacks/support';
import { type Doc } from '../support/config';
import { fieldAt } from '../support/schema-fields';

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const SCHEMA = environmentJsonSchemaDocument();
const REF = './environment.schema.json';

function loadScaffold(name: string, source = scaffoldEnvironment(name, REF)) {
  const file = `environments/${name}.yaml`;
  return deriveEnvironment(name, file, parseEnvironment(source, file));
}

/** The template with every commented-out field line uncommented (the header stays a comment). */
function uncommentAll(template: string): string {
  const [header, body] = [template.slice(0, template.indexOf('\n\n')), template.slice(template.indexOf('\n\n'))];
  return header + body.replace(/^( *)# /gm, '$1');
}

/** Field names of each object in `doc` that are not in the schema's order, or missing, or extra. */
function orderProblems(node: JsonSchema, doc: Doc, at: string, path = ''): string[] {
  const shape = alternativesOf(node)[0];
  const pathOf = (name: string) => (path === '' ? name : `${path}.${name}`);
  const expected = fieldsOf(shape)
    .filter((f) => f.schema.deprecated !== true && !SCAFFOLD_LEFT_OUT.has(pathOf(f.name)))
    .map((f) => f.name);
  const problems =
    JSON.stringify(Object.keys(doc)) === JSON.stringify(expected) ? [] : [`${at || '(top)'}: ${Object.keys(doc).join(',')} instead of ${expected.join(',')}`];
  for (const f of fieldsOf(shape)) {
    const value = doc[f.name];
    if (value === undefined) continue;
    const inner = alternativesOf(f.schema)[0];
    if (hasFields(inner)) problems.push(...orderProblems(f.schema, value, `${at}.${f.name}`, pathOf(f.name)));
    else if (inner.items !== undefined && hasFields(inner.items) && value.length > 0)
      problems.push(...orderProblems(inner.items, value[0], `${at}.${f.name}[0]`, `${pathOf(f.name)}[]`));
  }
  return problems;
}

/** Fields whose shown value is not the schema default (objects are compared field by field). */
function defaultProblems(node: JsonSchema, doc: Doc, at: string, path = ''): string[] {
  const pathOf = (name: string) => (path === '' ? name : `${path}.${name}`);
  return fieldsOf(alternativesOf(node)[0]).flatMap((f) => {
    if (SCAFFOLD_LEFT_OUT.has(pathOf(f.name))) return [];
    const value = doc?.[f.name];
    const inner = alternativesOf(f.schema)[0];
    if (hasFields(inner)) return defaultProblems(f.schema, value, `${at}.${f.name}`, pathOf(f.name));
    if (inner.items !== undefined && hasFields(inner.items) && Array.isArray(value) && value.length > 0)
      return defaultProblems(inner.items, value[0], `${at}.${f.name}[0]`, `${pathOf(f.name)}[]`);
    if (f.schema.default === undefined || JSON.stringify(value) === JSON.stringify(f.schema.default)) return [];
    return [`${at}.${f.name}: ${JSON.stringify(value)} instead of ${JSON.stringify(f.schema.default)}`];
  });
}

describe('the init template', () => {
  const template = scaffoldEnvironment('staging', REF);

  test('starts with the schema modeline for editors', () => {
    expect(template.split('\n')[0]).toBe(`# yaml-language-server: $schema=${REF}`);
  });

  test('loads, synthesizes (Terraform checks the stack), renders and passes the trust-chain check', () => {
    const model = loadScaffold('staging');
    expect(model.config.keyVault.name).toBe('kv-staging-change-me');
    synthModel(model);
    const findings = checkTrustChain(synthesize(model, outputsFor(model)));
    expect(findings.filter((f) => f.severity === 'error')).toStrictEqual([]);
  });

  test('loads for any valid environment name (vault names stay 3-24 characters without "--")', () => {
    fc.assert(
      fc.property(fc.stringMatching(ENVIRONMENT_NAME), (name) => {
        expect(loadScaffold(name).name).toBe(name);
      }),
      { numRuns: 60 },
    );
  });

  test('required fields are written; everything else is commented out', () => {
    const written = parse(template);
    expect(Object.keys(written)).toStrictEqual(
      fieldsOf(SCHEMA)
        .filter((f) => f.required)
        .map((f) => f.name),
    );
    expect(Object.keys(written.cluster)).toStrictEqual(['name']);
    expect(Object.keys(written.workloads[0].deployment)).toStrictEqual(['image']);
  });

  describe('uncommented line by line', () => {
    const all = uncommentAll(template);

    test('is still a valid environment (every example and default shown is valid)', () => {
      expect(all).not.toBe(template);
      expect(() => loadScaffold('staging', all)).not.toThrow();
    });

    test("lists every field in the schema's order (the first alternative of a union; $schema is the modeline's job; SCAFFOLD_LEFT_OUT says why each other field left out is)", () => {
      expect(orderProblems(SCHEMA, parse(all), '')).toStrictEqual([]);
    });

    test('shows the schema default of every field that has one', () => {
      const problems = defaultProblems(SCHEMA, parse(all), '');
      expect(problems).toStrictEqual([]);
    });

    test('the check above can fail: an edited default is reported', () => {
      const edited = parse(all);
      edited.workloads[0].deployment.replicas = 3;
      expect(defaultProblems(SCHEMA, edited, '')).toStrictEqual([expect.stringMatching(/^\.workloads\[0\]\.deployment\.replicas: 3 instead of \d+$/)]);
    });
  });

  test("each line notes the first sentence of its field's description, and what happens when a field without a default value is unset", () => {
    const location = fieldAt(SCHEMA, 'azure.location').schema;
    expect(template.split('\n')).toContain(
      `  location: ${String(location.examples![0])}`.padEnd(39) + ` # ${firstSentence(parseDoc(location.description!).text)}`,
    );
    const serviceAccount = parseDoc(fieldAt(SCHEMA, 'workloads[].serviceAccount').schema.description!);
    expect(template).toMatch(
      new RegExp(`^ {4}# serviceAccount: \\S+ +# ${escape(firstSentence(serviceAccount.text))} Default: ${escape(serviceAccount.unset!)}\\.$`, 'm'),
    );
  });
});
