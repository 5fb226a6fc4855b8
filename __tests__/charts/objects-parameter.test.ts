import fc from 'fast-check';
import { parse } from 'yaml';
import { renderObjectsParameter, type CsiObject } from '../../charts';

/**
 * The provider's two steps, done independently of the code under test: the whole string into
 * `{ array: string[] }`, then each element into an object.
 */
function parseLikeTheProvider(objects: string): Record<string, unknown>[] {
  const outer = parse(objects) as { array: unknown };
  expect(Array.isArray(outer.array)).toBe(true);
  return (outer.array as unknown[]).map((doc) => {
    expect(typeof doc).toBe('string');
    return parse(doc as string) as Record<string, unknown>;
  });
}

test('renders `array:` of `- |` blocks with only the fields that are set', () => {
  const s = renderObjectsParameter([
    { objectName: 'db', objectType: 'secret' },
    { objectName: 'tls', objectType: 'secret', objectAlias: 'tls.key', objectFormat: 'pem', objectEncoding: 'base64', filePermission: '0400', objectVersionHistory: 2, objectVersion: 'a'.repeat(32) },
  ]);
  expect(s).toBe(
    [
      'array:',
      '  - |',
      '    objectName: db',
      '    objectType: secret',
      '  - |',
      '    objectName: tls',
      '    objectType: secret',
      '    objectAlias: tls.key',
      `    objectVersion: ${'a'.repeat(32)}`,
      '    objectFormat: pem',
      '    objectEncoding: base64',
      '    filePermission: "0400"',
      '    objectVersionHistory: 2',
      '',
    ].join('\n'),
  );
});

test('values a YAML 1.1 reader would retype are quoted', () => {
  const s = renderObjectsParameter([{ objectName: 'x', objectType: 'secret', objectAlias: 'yes', filePermission: '0644' }]);
  expect(s).toContain('objectAlias: "yes"');
  expect(s).toContain('filePermission: "0644"');
});

const kvName = fc.stringMatching(/^[a-zA-Z0-9-]{1,40}$/);
/** Mount file names: anything but "/" and NUL, not "." or "..", with YAML-hostile characters in the mix. */
const fileName = fc
  .string({ unit: fc.constantFrom('a', 'Z', '0', '.', '-', '_', ' ', ':', '#', '"', "'", '|', '>', '&', '*', '!', '%', '@', '`', '{', '}', '[', ']', ',', '?', 'é', '\t', '\n'), minLength: 1, maxLength: 30 })
  .filter((s) => s !== '.' && s !== '..');
const csiObject: fc.Arbitrary<CsiObject> = fc.record(
  {
    objectName: kvName,
    objectType: fc.constantFrom('secret' as const, 'key' as const, 'cert' as const),
    objectAlias: fc.oneof(fileName, fc.constantFrom('yes', 'no', 'on', 'null', '~', '0440', '1e3', 'true', '- a', '---')),
    objectVersion: fc.stringMatching(/^[0-9a-f]{32}$/),
    objectFormat: fc.constantFrom('pem' as const, 'pfx' as const),
    objectEncoding: fc.constantFrom('utf-8' as const, 'hex' as const, 'base64' as const),
    filePermission: fc.stringMatching(/^0?[0-7]{3}$/),
    objectVersionHistory: fc.integer({ min: 1, max: 100 }),
  },
  { requiredKeys: ['objectName', 'objectType'] },
);

test('property: any object list parses back, in the provider\'s two steps, into the same typed list', () => {
  fc.assert(
    fc.property(fc.array(csiObject, { minLength: 1, maxLength: 8 }), (objects) => {
      const back = parseLikeTheProvider(renderObjectsParameter(objects));
      expect(back).toEqual(objects.map((o) => ({ ...o })));
      for (const doc of back) {
        expect(Object.keys(doc).every((k) => ['objectName', 'objectType', 'objectAlias', 'objectVersion', 'objectFormat', 'objectEncoding', 'filePermission', 'objectVersionHistory'].includes(k))).toBe(true);
        if ('filePermission' in doc) expect(typeof doc.filePermission).toBe('string');
        if ('objectVersionHistory' in doc) expect(typeof doc.objectVersionHistory).toBe('number');
      }
    }),
    { numRuns: 300 },
  );
});

test('property: every element is written as a literal block (`- |`)', () => {
  fc.assert(
    fc.property(fc.array(csiObject, { minLength: 1, maxLength: 5 }), (objects) => {
      const s = renderObjectsParameter(objects);
      expect(s.startsWith('array:\n')).toBe(true);
      expect(s.match(/^ {2}- \|/gm)?.length).toBe(objects.length);
    }),
    { numRuns: 200 },
  );
});
