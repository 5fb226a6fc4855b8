import * as fs from 'node:fs';
import * as path from 'node:path';
import { RULES } from '../../check';

const doc = fs.readFileSync(path.join(__dirname, '../../check/RULES.md'), 'utf8');
const rows = [...doc.matchAll(/^\| `([a-z0-9-]+)` \| (error|warning) \|/gm)].map((m) => [m[1]!, m[2]!] as const);

describe('check/RULES.md', () => {
  test('documents every rule once, with its severity', () => {
    expect(Object.fromEntries(rows)).toEqual(Object.fromEntries(Object.entries(RULES).map(([id, r]) => [id, r.severity])));
    expect(rows).toHaveLength(Object.keys(RULES).length);
  });

  test('rule ids are stable kebab-case', () => {
    for (const id of Object.keys(RULES)) expect(id).toMatch(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/);
  });
});

test('every rule has a failing test in rules.test.ts', () => {
  const tests = fs.readFileSync(path.join(__dirname, 'rules.test.ts'), 'utf8');
  const untested = Object.keys(RULES).filter((id) => !tests.includes(`'${id}'`));
  expect(untested).toEqual([]);
});
