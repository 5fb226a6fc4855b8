/**
 * The committed JSON Schema: regenerated (equal to what lib/config/json-schema.ts produces),
 * accepting the examples, and rejecting what the loader rejects field by field.
 */
import Ajv2020 from 'ajv/dist/2020';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { environmentJsonSchema, JSON_SCHEMA_FILE } from '../../../lib/config/json-schema';
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
});
