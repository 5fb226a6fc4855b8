/**
 * Everything we write must read back as exactly what we meant, whichever YAML version the reader
 * implements: Kubernetes tools and the Azure provider parse YAML 1.1-style, other tools 1.2.
 */
import fc from 'fast-check';
import { load } from 'js-yaml';
import { parse } from 'yaml';
import { toYaml } from '../../lib/yaml-emit';

function readsBackEverywhere(value: unknown): void {
  const text = toYaml(value);
  expect(parse(text, { version: '1.1' })).toEqual(value);
  expect(parse(text, { version: '1.2' })).toEqual(value);
  expect(load(text)).toEqual(value);
}

const UNITS = [
  ...'0123456789+-._:eExXoObBaAfFiInNtTrRuUlLsSyY~ #"\'|>[]{},?&*!%@`\n\té',
  '0x',
  '0o',
  '0b',
  '.inf',
  '.nan',
  'true',
  'null',
  'yes',
  'on',
  '<<',
  '2001-12-14',
];
const tricky = fc.string({ unit: fc.constantFrom(...UNITS), maxLength: 14 });

test.each(['E0', 'e5', '.', '1_0', '0b1', '+0x_1', '1:20', '190:20:30.15', 'Off', 'y', '~', '', '<<', '2001-12-14 21:59:43.10 -5', '0440'])(
  '%j is quoted and reads back as the same string',
  (s) => {
    expect(toYaml({ v: s })).toMatch(/^v: "/);
    readsBackEverywhere({ v: s });
  },
);

test('plain strings stay plain', () => {
  expect(toYaml({ image: 'ghcr.io/example/app:1.0.0', name: 'DB-Password', path: '/mnt/secrets-store' })).toBe(
    'image: ghcr.io/example/app:1.0.0\nname: DB-Password\npath: /mnt/secrets-store\n',
  );
});

test('property: any string value or key reads back the same in YAML 1.1, YAML 1.2 and js-yaml', () => {
  fc.assert(
    fc.property(tricky, fc.string(), (s, any) => {
      readsBackEverywhere({ v: s, [s]: any, list: [s, any] });
    }),
    { numRuns: 1500 },
  );
});

test.each([' \n', '\t\n', 'a\n \nb', '  \n  ', 'a\n\t'])('multi-line text with a blank line %j reads back the same (double-quoted)', (s) => {
  readsBackEverywhere({ v: s, [s]: 1 });
});

test('property: whitespace and line breaks in any arrangement read back the same', () => {
  fc.assert(
    fc.property(fc.string({ unit: fc.constantFrom(' ', '\n', '\t', 'a', '#', ':', '-'), maxLength: 10 }), (s) => {
      readsBackEverywhere({ v: s, list: [s] });
    }),
    { numRuns: 1500 },
  );
});

test('numbers, booleans and null keep their type', () => {
  readsBackEverywhere({ replicas: 2, ratio: 0.5, enabled: true, nothing: null, big: 12345678901 });
});
