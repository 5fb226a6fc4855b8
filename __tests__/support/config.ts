/**
 * Shared helpers of the tests that load environment files (lib/config, lib/model, pipeline, the
 * request budget): build environment YAML variants, run the loader, and assert one problem with
 * its exact path, received value, message and line:col.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse, stringify } from 'yaml';
import type { InputProblem } from '../../lib/errors';
import { parseEnvironment } from '../../lib/config/load';
import type { EnvironmentConfig } from '../../lib/config/schema';
import { userErrorOf } from './user-error';

export const ROOT = path.resolve(__dirname, '..', '..');
/** The file name used in messages (relative, as users pass it). */
export const FILE = 'environments/dev.yaml';

export function readExample(name: 'dev' | 'prod'): string {
  return readFileSync(path.join(ROOT, 'environments', `${name}.yaml`), 'utf8');
}

/** A plain, editable copy of an example file. */

export type Doc = any;

export function exampleDoc(name: 'dev' | 'prod' = 'dev'): Doc {
  return parse(readExample(name));
}

/** YAML text of a copy of environments/dev.yaml (or prod.yaml) after `edit`. */
export function variant(edit: (doc: Doc) => void, from: 'dev' | 'prod' = 'dev'): string {
  const doc = exampleDoc(from);
  edit(doc);
  return stringify(doc);
}

/** The smallest valid environment: only required fields. */
export const MINIMAL = `azure:
  location: westeurope
  resourceGroup:
    name: rg-app
cluster:
  name: aks-app
keyVault:
  name: kv-app
workloads:
  - name: app
    namespace: apps
    objects:
      - name: db-password
        type: secret
    deployment:
      image: ghcr.io/example/app:1.0.0
`;

export function minimalDoc(): Doc {
  return parse(MINIMAL);
}

export function minimalVariant(edit: (doc: Doc) => void): string {
  const doc = minimalDoc();
  edit(doc);
  return stringify(doc);
}

export function load(source: string, file = FILE): EnvironmentConfig {
  return parseEnvironment(source, file);
}

export { userErrorOf };

export function problemsOf(source: string, file = FILE): readonly InputProblem[] {
  return userErrorOf(() => load(source, file)).problems;
}

/**
 * `line:col` (1-based) where the last needle starts, each needle searched after the previous
 * one. Independent of the loader: it reads the text, not the YAML tree.
 */
export function locate(source: string, ...needles: string[]): string {
  let from = 0;
  let at = -1;
  for (const n of needles) {
    at = source.indexOf(n, from);
    if (at < 0) throw new Error(`needle ${JSON.stringify(n)} not found in:\n${source}`);
    from = at + n.length;
  }
  const before = source.slice(0, at);
  const line = before.split('\n').length;
  const col = at - before.lastIndexOf('\n');
  return `${line}:${col}`;
}

/** A received value as messages render it: JSON, cut to 80 characters. */
export function shown(value: unknown): string {
  const s = JSON.stringify(value);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

export interface Expected {
  readonly path: string;
  /** Rendered received value (JSON), or undefined when there is none. */
  readonly received?: string;
  readonly message: string;
  /** Needles for `locate`: where the problem must point. */
  readonly at: readonly string[];
}

/** Asserts that loading `source` fails with exactly this one problem, and its formatted line. */
export function expectFails(source: string, expected: Expected, file = FILE): void {
  const err = userErrorOf(() => load(source, file));
  const position = locate(source, ...expected.at);
  const problem: InputProblem = {
    file,
    path: expected.path,
    position,
    message: expected.message,
    ...(expected.received !== undefined ? { received: expected.received } : {}),
  };
  expect(err.problems).toStrictEqual([problem]);
  const subject = [expected.path, expected.received].filter((s) => s !== undefined && s !== '').join(' ');
  expect(err.message).toBe(`${file}:${position}: ${subject}: ${expected.message}`);
}

/**
 * An environment without its additionalVaults and the objects they hold: for tests of the
 * one-vault shape that start from an example (prod reads a platform vault besides its own).
 */
export function mainVaultOnly(config: EnvironmentConfig): EnvironmentConfig {
  const rest: EnvironmentConfig = { ...config, workloads: config.workloads.map((w) => ({ ...w, objects: w.objects.filter((o) => o.vault === undefined) })) };
  delete rest.additionalVaults;
  return rest;
}
