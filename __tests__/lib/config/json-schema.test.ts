/**
 * The committed JSON Schema: regenerated (equal to what lib/config/json-schema.ts produces),
 * accepting the examples, and rejecting what the loader rejects field by field.
 */
import Ajv2020 from 'ajv/dist/2020';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseDoc } from '../../../lib/config/field-doc';
import { environmentJsonSchema, environmentJsonSchemaDocument, JSON_SCHEMA_FILE, type JsonSchema } from '../../../lib/config/json-schema';
import { schemaFields } from '../../support/schema-fields';
import { exampleDoc, minimalDoc, readExample, ROOT, type Doc } from '../../support/config';
import { parse } from 'yaml';

const committed = readFileSync(path.join(ROOT, JSON_SCHEMA_FILE), 'utf8');
const validate = new Ajv2020({ allErrors: true, strict: true }).compile(JSON.parse(committed));

function errorsOf(doc: Doc): string[] {
  return validate(doc) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`);
}

describe('environments/environment.schema.json', () => {
  test('is up to date: run "npx tsx scripts/generate-schema.ts" after changing lib/config/schema.ts', () => {
    expect(committed).toBe(environmentJsonSchema());
  });

  test('is a draft 2020-12 schema that ajv compiles in strict mode', () => {
    expect(JSON.parse(committed).$schema).toBe('https://json-schema.org/draft/2020-12/schema');
  });

  test.each(['dev', 'prod'] as const)('accepts environments/%s.yaml', (name) => {
    expect(readExample(name)).toMatch(/^# yaml-language-server: \$schema=\.\/environment\.schema\.json$/m);
    expect(errorsOf(parse(readExample(name)))).toStrictEqual([]);
  });

  test('accepts the minimal file', () => {
    expect(errorsOf(minimalDoc())).toStrictEqual([]);
  });

  const bad: [string, (d: Doc) => void, string][] = [
    ['a vault name with "_"', (d) => (d.keyVault.name = 'my_vault'), '/keyVault'],
    ['an unknown top-level field', (d) => (d.keyvault = {}), ''],
    ['a typo inside an object entry', (d) => (d.workloads[0].objects[0].aliass = 'x'), '/workloads/0/objects/0'],
    ['an object type in the wrong case', (d) => (d.workloads[0].objects[0].type = 'Secret'), '/workloads/0/objects/0/type'],
    ['no workloads', (d) => delete d.workloads, ''],
    ['softDeleteRetentionDays 6', (d) => (d.keyVault.softDeleteRetentionDays = 6), '/keyVault'],
    ['a workload name with capitals', (d) => (d.workloads[0].name = 'Demo'), '/workloads/0/name'],
    ['an alias with "/"', (d) => (d.workloads[0].objects[0].alias = 'a/b'), '/workloads/0/objects/0/alias'],
    ['an absolute local state path', (d) => (d.state = { backend: 'local', path: '/tmp/x' }), '/state'],
  ];

  test.each(bad)('rejects %s', (_why, edit, where) => {
    const doc = exampleDoc('dev');
    edit(doc);
    const errors = errorsOf(doc);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.some((e) => e.startsWith(`${where}`))).toBe(true);
  });

  // Regression (was a bug in lib/config/schema.ts goDuration): the duration rule is a zod `.refine`, which
  // z.toJSONSchema drops, so editors accept "2 minutes" although the rule concerns one field only.
  // Express it as `.regex(GO_DURATION, ...)` (export the regex from duration.ts) so it reaches the JSON Schema.
  test('rejects a rotation interval that is not a Go duration', () => {
    const doc = exampleDoc('dev');
    doc.cluster.secretsProvider.rotation.interval = '2 minutes';
    expect(errorsOf(doc)).not.toStrictEqual([]);
  });

  // Editors show the description on hover: lib/config/schema.ts is its only home (`.meta(doc(...))`).
  describe('descriptions', () => {
    const fields = schemaFields(JSON.parse(committed) as JsonSchema);

    /** Paths of the fields without a description. */
    function undocumented(schema: JsonSchema): string[] {
      return schemaFields(schema)
        .filter((f) => (f.schema.description ?? '').trim() === '')
        .map((f) => f.path);
    }

    test('every field has a description', () => {
      expect(fields.length).toBeGreaterThan(100);
      expect(undocumented(JSON.parse(committed) as JsonSchema)).toStrictEqual([]);
    });

    test('fails for a field without one, however deep (the check above can fail)', () => {
      const schema = environmentJsonSchemaDocument() as Doc;
      delete schema.properties.workloads.items.properties.deployment.properties.securityContext.properties.runAsUser.description;
      delete schema.properties.cluster.oneOf[1].properties.resourceGroup.description;
      expect(undocumented(schema)).toStrictEqual(['cluster{mode=existing}.resourceGroup', 'workloads[].deployment.securityContext.runAsUser']);
    });

    test.each(fields.map((f) => [f.path, f] as const))('%s: sentences, and an https doc link if any', (_path, f) => {
      const { text, see } = parseDoc(f.schema.description ?? '');
      expect(text).toMatch(/^[A-Z`"]/);
      expect(text).toMatch(/[.)]$/);
      if (see !== undefined) expect(see).toMatch(/^https:\/\/[^\s]+[^.\s]$/);
    });

    test('every optional field without a default value says what happens when it is unset', () => {
      const silent = fields.filter(
        (f) => !f.required && f.schema.default === undefined && f.schema.deprecated !== true && parseDoc(f.schema.description ?? '').unset === undefined,
      );
      expect(silent.map((f) => f.path)).toStrictEqual([]);
    });

    test('a field with a default value does not also describe one in words', () => {
      const both = fields.filter((f) => f.schema.default !== undefined && parseDoc(f.schema.description ?? '').unset !== undefined);
      expect(both.map((f) => f.path)).toStrictEqual([]);
    });
  });

  test('every example is valid for its field (editors show them; the init template uses them)', () => {
    const ajv = new Ajv2020({ allErrors: true, strict: true });
    const withExamples = schemaFields(JSON.parse(committed) as JsonSchema).filter((f) => f.schema.examples !== undefined);
    expect(withExamples.length).toBeGreaterThan(20);
    const invalid = withExamples.flatMap((f) => {
      const check = ajv.compile({ ...f.schema, examples: undefined, default: undefined });
      return f.schema.examples!.filter((e) => !check(e)).map((e) => `${f.path}: ${JSON.stringify(e)}`);
    });
    expect(invalid).toStrictEqual([]);
  });

  test('every default is valid for its field', () => {
    const ajv = new Ajv2020({ allErrors: true, strict: true });
    const invalid = schemaFields(JSON.parse(committed) as JsonSchema)
      .filter((f) => f.schema.default !== undefined)
      .filter((f) => !ajv.compile({ ...f.schema, examples: undefined, default: undefined })(f.schema.default))
      .map((f) => f.path);
    expect(invalid).toStrictEqual([]);
  });

  test('subPath (refused with a message: a subPath mount is never rotated) and reloaderAnnotation (the former name of restartOnRotation) are marked deprecated', () => {
    const deprecated = schemaFields(JSON.parse(committed) as JsonSchema).filter((f) => f.schema.deprecated === true);
    expect(deprecated.map((f) => f.path)).toStrictEqual(['workloads[].deployment.reloaderAnnotation', 'workloads[].deployment.subPath']);
  });
});
