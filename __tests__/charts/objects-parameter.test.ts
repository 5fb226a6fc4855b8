import fc from 'fast-check';
import { parse } from 'yaml';
import { renderObjectsParameter, type CsiObject } from '../../charts';

/**
 * The provider's two steps, done independently of the code under test: the whole string into
 * `{ array: string[] }`, then each element into an object.
 */
function parseLikeTheProvider(objects: string, version: '1.1' | '1.2' = '1.2'): Record<string, unknown>[] {
  const outer = parse(objects, { version }) as { array: unknown };
  expect(Array.isArray(outer.array)).toBe(true);
  return (outer.array as unknown[]).map((doc) => {
    expect(typeof doc).toBe('string');
    return parse(doc as string, { version }) as Record<string, unknown>;
  });
}

test('renders `array:` of `- |` blocks with only the fields that are set', () => {
  const s = renderObjectsParameter([
    { objectName: 'db', objectType: 'secret' },
    {
      objectName: 'tls',
      objectType: 'secret',
      objectAlias: 'tls.key',
      objectFormat: 'pem',
      objectEncoding: 'base64',
      filePermission: '0400',
      objectVersionHistory: 2,
      objectVersion: 'a'.repeat(32),
    },
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

/** Strings that YAML 1.1 (the Go parsers' heritage) or 1.2 would read as something else unquoted. */
const RETYPED = [
  'yes',
  'No',
  'ON',
  'off',
  'y',
  'N',
  'true',
  'False',
  'null',
  '~',
  '',
  '0440',
  '0o17',
  '0x1F',
  '0b101',
  '1_000',
  '1:20',
  '-1:30:00.5',
  '1e3',
  '.5',
  '+.inf',
  '.NaN',
  '2001-12-14',
  '2001-12-14t21:59:43.10-05:00',
  '<<',
  '12',
  '-0',
];

test.each(RETYPED)('file name %j reads back as the same string in YAML 1.1 and 1.2', (alias) => {
  const objects = [{ objectName: 'x', objectType: 'secret' as const, objectAlias: alias, filePermission: '0400' }];
  const s = renderObjectsParameter(objects);
  expect(parseLikeTheProvider(s, '1.1')).toEqual(objects);
  expect(parseLikeTheProvider(s, '1.2')).toEqual(objects);
});

const kvName = fc.stringMatching(/^[a-zA-Z0-9-]{1,40}$/);
/** Mount file names: anything but "/" and NUL, not "." or "..", with YAML-hostile characters in the mix. */
const fileName = fc
  .string({
    unit: fc.constantFrom(
      'a',
      'Z',
      '0',
      '.',
      '-',
      '_',
      ' ',
      ':',
      '#',
      '"',
      "'",
      '|',
      '>',
      '&',
      '*',
      '!',
      '%',
      '@',
      '`',
      '{',
      '}',
      '[',
      ']',
      ',',
      '?',
      'é',
      '\t',
      '\n',
    ),
    minLength: 1,
    maxLength: 30,
  })
  .filter((s) => s !== '.' && s !== '..');
const csiObject: fc.Arbitrary<CsiObject> = fc.record(
  {
    objectName: kvName,
    objectType: fc.constantFrom('secret' as const, 'key' as const, 'cert' as const),
    objectAlias: fc.oneof(
      fileName,
      fc.constantFrom('yes', 'no', 'on', 'null', '~', '0440', '1e3', 'true', '- a', '---', '1_000', '1:20', '0b101', '2001-12-14', '<<'),
    ),
    objectVersion: fc.stringMatching(/^[0-9a-f]{32}$/),
    objectFormat: fc.constantFrom('pem' as const, 'pfx' as const),
    objectEncoding: fc.constantFrom('utf-8' as const, 'hex' as const, 'base64' as const),
    filePermission: fc.stringMatching(/^0?[0-7]{3}$/),
    objectVersionHistory: fc.integer({ min: 1, max: 100 }),
  },
  { requiredKeys: ['objectName', 'objectType'] },
);

test("property: any object list parses back, in the provider's two steps, into the same typed list", () => {
  fc.assert(
    fc.property(fc.array(csiObject, { minLength: 1, maxLength: 8 }), (objects) => {
      const rendered = renderObjectsParameter(objects);
      const back = parseLikeTheProvider(rendered);
      expect(back).toEqual(objects.map((o) => ({ ...o })));
      expect(parseLikeTheProvider(rendered, '1.1')).toEqual(back);
      for (const doc of back) {
        expect(
          Object.keys(doc).every((k) =>
            ['objectName', 'objectType', 'objectAlias', 'objectVersion', 'objectFormat', 'objectEncoding', 'filePermission', 'objectVersionHistory'].includes(
              k,
            ),
          ),
        ).toBe(true);
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
