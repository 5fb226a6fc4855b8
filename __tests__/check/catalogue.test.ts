/**
 * The rule catalogues (check/rules.ts, verify/rules.ts) and check/RULES.md, generated from them:
 * the committed file is current, every id is unique and tested, and no example prints
 * "undefined" (a missing value reads "(not set)").
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { RULES } from '../../check';
import { rulesReference, RULES_REFERENCE_FILE } from '../../check/rules-reference';
import type { RuleInfo } from '../../lib/finding';
import { VERIFY_RULES } from '../../verify/rules';

const ROOT = path.join(__dirname, '..', '..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');
const CATALOGUES: Record<string, Readonly<Record<string, RuleInfo>>> = { 'check/rules.ts': RULES, 'verify/rules.ts': VERIFY_RULES };

describe('check/RULES.md', () => {
  test('is up to date: run "npm run docs" after changing check/rules.ts or verify/rules.ts', () => {
    expect(read(RULES_REFERENCE_FILE)).toBe(rulesReference());
  });

  test('has one table row per rule of both catalogues, with its severity', () => {
    const rows = [...read(RULES_REFERENCE_FILE).matchAll(/^\| `([a-z0-9-]+)` \| (error|warning|error or warning) \|/gm)].map((m) => [m[1], m[2]] as const);
    const expected = Object.values(CATALOGUES).flatMap((c) => Object.entries(c).map(([id, r]) => [id, r.severity] as const));
    expect(rows).toEqual(expected);
  });

  test('is where the README sends readers for the rules of check and verify', () => {
    const readme = read('README.md');
    expect(readme).toContain('[`check/RULES.md`](check/RULES.md)');
    expect(readme).toContain('(check/RULES.md#the-live-checks-verify-rotation-test)');
    expect(rulesReference()).toContain('## The live checks (`verify`, `rotation-test`)');
  });
});

describe('the rule catalogues', () => {
  test('rule ids are stable kebab-case, and no id means two things', () => {
    const ids = Object.values(CATALOGUES).flatMap((c) => Object.keys(c));
    for (const id of ids) expect(id).toMatch(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/);
    expect(new Set(ids).size).toBe(ids.length);
  });

  test.each(Object.entries(CATALOGUES))('%s: every entry has a summary and an example, and never shows "undefined"', (_file, catalogue) => {
    for (const [id, r] of Object.entries(catalogue)) {
      expect({ id, summary: r.summary.length > 10, example: r.example.length > 10 }).toEqual({ id, summary: true, example: true });
      expect({ id, text: `${r.summary} ${r.example} ${r.notes ?? ''}` }).not.toEqual({ id, text: expect.stringContaining('undefined') });
    }
  });

  test('every check rule has a failing test (rules.test.ts; drift in pipeline/drift.test.ts)', () => {
    const tests = read('__tests__/check/rules.test.ts') + read('__tests__/pipeline/drift.test.ts');
    expect(Object.keys(RULES).filter((id) => !tests.includes(`'${id}'`))).toEqual([]);
  });

  test('every live check is asserted by a test of __tests__/verify', () => {
    const dir = path.join(ROOT, '__tests__', 'verify');
    const tests = readdirSync(dir)
      .filter((f) => f.endsWith('.test.ts'))
      .map((f) => readFileSync(path.join(dir, f), 'utf8'))
      .join('\n');
    expect(Object.keys(VERIFY_RULES).filter((id) => !tests.includes(`'${id}'`))).toEqual([]);
  });
});
