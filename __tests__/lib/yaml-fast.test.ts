/**
 * The fast YAML path must give exactly what `yaml`'s `parse` gives, or decline. Differential
 * tests against `yaml` itself: generated plain scalars, generated documents in many emitters'
 * styles, and every YAML file of the project (examples, hardening corpus, fixtures).
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { CORE_SCHEMA, dump, load } from 'js-yaml';
import { parse, stringify } from 'yaml';
import { parseYamlFast } from '../../lib/yaml-fast';

const ROOT = path.resolve(__dirname, '..', '..');

/** `yaml`'s reading, or the error it throws. */
function reference(source: string): { value: unknown } | { error: string } {
  try {
    return { value: parse(source, { uniqueKeys: true }) as unknown };
  } catch (e) {
    return { error: String(e) };
  }
}

/** The property: when the fast path answers, `yaml` reads the same value (and does not fail). */
function agrees(source: string): boolean {
  const fast = parseYamlFast(source);
  if (fast === undefined) return true;
  const ref = reference(source);
  expect(ref).toEqual({ value: fast.value });
  return true;
}

const SCALAR_UNITS = [...'0123456789+-._:eExXoObBaAfFiInNtTrRuUlLsSyY~ \t#', '0x', '0o', '.inf', '.nan', 'true', 'null', 'yes'];

test("property: plain scalars resolve as in yaml's core schema", () => {
  fc.assert(
    fc.property(fc.string({ unit: fc.constantFrom(...SCALAR_UNITS), maxLength: 12 }), (scalar) => {
      agrees(`v: ${scalar}\n`);
      agrees(`- ${scalar}\n`);
      agrees(`${scalar}: v\n`);
    }),
    { numRuns: 1500 },
  );
});

test.each([
  ['0b101', '0b101'],
  ['1_000', '1_000'],
  ['0o17', 15],
  ['0x1F', 31],
  ['012', 12],
  ['+12', 12],
  ['1e3', 1000],
  ['.5', 0.5],
  ['-.inf', -Infinity],
  ['~', null],
  ['', null],
  ['Yes', 'Yes'],
  ['on', 'on'],
  ['TRUE', true],
  ['2001-12-14', '2001-12-14'],
  ['1:20', '1:20'],
])("scalar %j reads as %j (js-yaml's own core schema would differ on some)", (scalar, expected) => {
  const fast = parseYamlFast(`v: ${scalar}\n`);
  expect(fast).toEqual({ value: { v: expected } });
  expect(parse(`v: ${scalar}\n`)).toEqual({ v: expected });
});

test("js-yaml's own core schema does differ, which is why the fast path brings its own", () => {
  expect(load('v: 0b101\n', { schema: CORE_SCHEMA })).toEqual({ v: 5 });
  expect(parse('v: 0b101\n')).toEqual({ v: '0b101' });
});

const key = fc.string({ unit: fc.constantFrom(...'abz019 -_.:#"\'é', 'true', 'null', '~', '0x1', '1e2'), minLength: 0, maxLength: 8 });
const leaf = fc.oneof(
  fc.string({ unit: fc.constantFrom(...SCALAR_UNITS, '\n', '"', "'", '|', '>', '[', '{', ',', '?', '@', '`', 'é'), maxLength: 16 }),
  fc.integer(),
  fc.double({ noNaN: true }),
  fc.boolean(),
  fc.constant(null),
);
const value = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('node'), { maxLength: 4 }), fc.dictionary(key, tie('node'), { maxKeys: 4 })),
})).node;

const EMITTERS: Record<string, (v: unknown) => string> = {
  'yaml block': (v) => stringify(v),
  'yaml flow': (v) => stringify(v, { collectionStyle: 'flow' }),
  'yaml narrow, folded': (v) => stringify(v, { lineWidth: 20, minContentWidth: 0 }),
  'yaml single quotes': (v) => stringify(v, { singleQuote: true }),
  'yaml 1.1': (v) => stringify(v, { version: '1.1' }),
  'js-yaml': (v) => dump(v),
  'js-yaml flow': (v) => dump(v, { flowLevel: 0 }),
  'js-yaml no compat': (v) => dump(v, { noCompatMode: true, lineWidth: 10 }),
  JSON: (v) => JSON.stringify(v, null, 2),
};

test.each(Object.keys(EMITTERS))('property: documents written by %s read the same through the fast path', (emitter) => {
  const write = EMITTERS[emitter];
  fc.assert(
    fc.property(value, (v) => {
      let text: string;
      try {
        text = write(v);
      } catch {
        return true;
      }
      return agrees(text);
    }),
    { numRuns: 200 },
  );
});

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' || e.name.startsWith('.') ? [] : yamlFiles(p);
    return /\.ya?ml$/.test(e.name) ? [p] : [];
  });
}

test("every YAML file of the project reads the same through the fast path, or takes yaml's path", () => {
  const files = [...yamlFiles(path.join(ROOT, 'environments')), ...yamlFiles(path.join(ROOT, '__tests__'))];
  expect(files.length).toBeGreaterThan(50);
  let fast = 0;
  for (const file of files) {
    const source = readFileSync(file, 'utf8');
    if (parseYamlFast(source) !== undefined) fast++;
    try {
      agrees(source);
    } catch (e) {
      throw new Error(`${path.relative(ROOT, file)}: ${String(e)}`);
    }
  }
  // Not vacuous: most files take the fast path.
  expect(fast).toBeGreaterThan(files.length / 2);
  for (const example of ['dev', 'prod']) expect(parseYamlFast(readFileSync(path.join(ROOT, 'environments', `${example}.yaml`), 'utf8'))).toBeDefined();
});

test.each([
  ['anchors and aliases', 'a: &x 1\nb: *x\n'],
  ['a tag', 'a: !!str 1\n'],
  ['a directive', '%YAML 1.2\n---\na: 1\n'],
  ['duplicate keys', 'a: 1\na: 2\n'],
  ['two documents', 'a: 1\n---\nb: 2\n'],
  ['a syntax error', 'a: [1, 2\n'],
  ['a null key', '~: 1\n'],
  ['a sequence as a key', '[a, b]: 1\n'],
  ['a mapping as a key', '{a: 1}: 2\n'],
  ['an explicit complex key', '? - a\n  - b\n: 1\n'],
  ['a top-level scalar', 'just text\n'],
  ['an empty document', ''],
  ['a comment-only document', '# only a comment\n'],
])('declines %s (yaml decides)', (_, source) => {
  expect(parseYamlFast(source)).toBeUndefined();
});
