/**
 * Drift and ownership: only the files this tool owns are compared as its own; other files of a
 * shared folder (a GitOps checkout) are not drift, and other YAML is reported as a warning.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { OWNERSHIP_FILE } from '../../lib/ownership';
import { writeOutputs, type OutputFile } from '../../lib/write';
import { manifestDrift } from '../../pipeline/drift';

let dir: string;
beforeEach(() => {
  dir = path.join(mkdtempSync(path.join(tmpdir(), 'akscsi-drift-')), 'gitops');
});
afterEach(() => rmSync(path.dirname(dir), { recursive: true, force: true }));

const RENDER: OutputFile[] = [
  { path: 'a.yaml', content: 'a: 1\n' },
  { path: 'gone.yaml', content: 'gone: 1\n' },
];
const FRESH: OutputFile[] = [{ path: 'a.yaml', content: 'a: 1\n' }];
const summary = (findings: ReturnType<typeof manifestDrift>) => findings.map((f) => `${f.severity} ${path.relative(dir, f.where)}: ${f.message}`);

test('a folder matching the fresh render, with a .git, README and another app beside it, has no drift errors', () => {
  mkdirSync(path.join(dir, '.git'), { recursive: true });
  writeFileSync(path.join(dir, '.git', 'HEAD'), 'ref\n');
  writeFileSync(path.join(dir, 'README.md'), 'x\n');
  writeOutputs([{ dir, files: FRESH }], { command: 'test', adopt: true });
  mkdirSync(path.join(dir, 'other-app'));
  writeFileSync(path.join(dir, 'other-app', 'deployment.yaml'), 'kind: Deployment\n');
  expect(summary(manifestDrift(dir, FRESH))).toEqual([
    `warning other-app/deployment.yaml: not written by this tool (not in ${OWNERSHIP_FILE}), so not compared: another app's manifest, or a stale or hand-added file`,
  ]);
});

test('an owned file the fresh render no longer has is an error (synth would delete it); an unowned one is a warning', () => {
  writeOutputs([{ dir, files: RENDER }], { command: 'test' });
  writeFileSync(path.join(dir, 'hand-added.yaml'), 'kind: ConfigMap\n');
  writeFileSync(path.join(dir, 'notes.txt'), 'not YAML: not reported\n');
  expect(summary(manifestDrift(dir, FRESH))).toEqual([
    `error gone.yaml: written by this tool (listed in ${OWNERSHIP_FILE}) and no longer part of the fresh render: synth would delete it`,
    `warning hand-added.yaml: not written by this tool (not in ${OWNERSHIP_FILE}), so not compared: another app's manifest, or a stale or hand-added file`,
  ]);
});

test('a hand edit and a missing file are errors, as before', () => {
  writeOutputs([{ dir, files: RENDER }], { command: 'test' });
  writeFileSync(path.join(dir, 'a.yaml'), 'a: 2\n');
  rmSync(path.join(dir, 'gone.yaml'));
  expect(summary(manifestDrift(dir, [...FRESH, { path: 'b.yaml', content: 'b\n' }]))).toEqual([
    'error a.yaml:1: differs from the fresh render from line 1 (- committed, + fresh render)',
    'error b.yaml: missing: the fresh render has this file',
  ]);
});

test('a folder without a record: fresh files are compared, every other YAML is a warning', () => {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'a.yaml'), 'a: 1\n');
  writeFileSync(path.join(dir, 'gone.yaml'), 'gone: 1\n');
  expect(summary(manifestDrift(dir, FRESH))).toEqual([
    `warning gone.yaml: not written by this tool (not in ${OWNERSHIP_FILE}), so not compared: another app's manifest, or a stale or hand-added file`,
  ]);
});
