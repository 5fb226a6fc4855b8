/**
 * Drift (pipeline/drift.ts): a changed file is reported with a unified diff (committed → fresh
 * render) and the command that renders the folder again.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { manifestDrift, unifiedDiff } from '../../pipeline/drift';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'akscsi-drift-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const RENDERED = [
  'apiVersion: v1',
  'kind: ServiceAccount',
  'metadata:',
  '  annotations:',
  '    azure.workload.identity/client-id: 11111111-1111-1111-1111-111111111111',
  '  name: demo-app',
  '  namespace: demo',
  '',
].join('\n');
const FRESH = [{ path: 'serviceaccount-demo-demo-app.yaml', content: RENDERED }];

test('a changed file: the finding shows the unified diff, - committed and + fresh render', () => {
  writeFileSync(
    path.join(dir, 'serviceaccount-demo-demo-app.yaml'),
    RENDERED.replace('11111111-1111-1111-1111-111111111111', '22222222-2222-2222-2222-222222222222'),
  );
  const [f, ...rest] = manifestDrift(dir, FRESH, { synthCommand: 'aks-keyvault-csi synth --env dev --out gitops/dev' });
  expect(rest).toEqual([]);
  expect(f).toMatchObject({ severity: 'error', rule: 'drift', where: `${path.join(dir, 'serviceaccount-demo-demo-app.yaml')}:5` });
  expect(f.message).toBe('differs from the fresh render from line 5 (- committed, + fresh render)');
  expect(f.detail!.split('\n')).toEqual([
    '--- serviceaccount-demo-demo-app.yaml (committed)',
    '+++ serviceaccount-demo-demo-app.yaml (fresh render)',
    '@@ -2,6 +2,6 @@',
    ' kind: ServiceAccount',
    ' metadata:',
    '   annotations:',
    '-    azure.workload.identity/client-id: 22222222-2222-2222-2222-222222222222',
    '+    azure.workload.identity/client-id: 11111111-1111-1111-1111-111111111111',
    '   name: demo-app',
    '   namespace: demo',
  ]);
  expect(f.fix).toBe('run "aks-keyvault-csi synth --env dev --out gitops/dev" and commit the result; edit the environment file, not the rendered YAML');
});

test('without a command, the fix names plain synth (the signature stays manifestDrift(dir, fresh))', () => {
  writeFileSync(path.join(dir, 'serviceaccount-demo-demo-app.yaml'), `${RENDERED}# hand edit\n`);
  const [f] = manifestDrift(dir, FRESH);
  expect(f.fix).toBe('run "aks-keyvault-csi synth" and commit the result; edit the environment file, not the rendered YAML');
  expect(f.detail).toContain('+++ serviceaccount-demo-demo-app.yaml (fresh render)');
  expect(f.detail).toContain('-# hand edit');
});

test('missing and extra files keep their one-line findings (an extra file the tool does not own is a warning)', () => {
  mkdirSync(path.join(dir, 'bootstrap'));
  writeFileSync(path.join(dir, 'bootstrap', 'stale.yaml'), 'x: 1\n');
  expect(manifestDrift(dir, FRESH).map((f) => [f.severity, f.rule, f.where, f.message])).toEqual([
    ['error', 'drift', path.join(dir, 'serviceaccount-demo-demo-app.yaml'), 'missing: the fresh render has this file'],
    [
      'warning',
      'drift-unowned-file',
      path.join(dir, 'bootstrap/stale.yaml'),
      "not written by this tool (not in .aks-keyvault-csi), so not compared: another app's manifest, or a stale or hand-added file",
    ],
  ]);
});

test('a long diff is cut, saying how many lines were left out', () => {
  const before = Array.from({ length: 200 }, (_, i) => `line ${i}`).join('\n');
  const after = Array.from({ length: 200 }, (_, i) => `LINE ${i}`).join('\n');
  const lines = unifiedDiff('x.yaml', before, after).split('\n');
  expect(lines).toHaveLength(81);
  expect(lines[80]).toMatch(/^\.\.\. \d+ more diff lines: render the folder again and compare with git diff$/);
});
