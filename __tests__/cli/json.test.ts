/**
 * `--json` prints exactly one JSON document on stdout however the run ends, in one shape across
 * commands: `{ ok, exitCode, problems: [{ file, path, position?, received?, message }], ... }`
 * (lib/errors.ts resultDocument, cli/output.ts Reporter.emit).
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { loadEnvironments } from '../../pipeline/environments';
import { runCli, runMain, tempProject } from './helpers';

// A stand-in for a bug: the real loader, which a test can make throw something that is not a UserError.
jest.mock('../../pipeline/environments', () => {
  const actual = jest.requireActual<typeof import('../../pipeline/environments')>('../../pipeline/environments');
  return { ...actual, loadEnvironments: jest.fn(actual.loadEnvironments) };
});
const simulateBug = () =>
  (loadEnvironments as jest.MockedFunction<typeof loadEnvironments>).mockImplementationOnce(() => {
    throw new TypeError('simulated bug');
  });

const PROJECT = tempProject();
const CWD = PROJECT.dir;
afterAll(() => PROJECT.cleanup());

interface Problem {
  readonly file: string;
  readonly path: string;
  readonly position?: string;
  readonly received?: string;
  readonly message: string;
}

/** Parses stdout as exactly one JSON document and checks the shape every document shares. */
function oneDocument(stdout: string): { ok: boolean; exitCode: number; problems: Problem[]; [k: string]: unknown } {
  const doc = JSON.parse(stdout) as { ok: boolean; exitCode: number; problems: Problem[] };
  expect(Object.keys(doc).slice(0, 3)).toEqual(['ok', 'exitCode', 'problems']);
  expect(doc.ok).toBe(doc.exitCode === 0);
  for (const p of doc.problems) {
    expect(typeof p.file).toBe('string');
    expect(typeof p.path).toBe('string');
    expect(typeof p.message).toBe('string');
    for (const k of Object.keys(p)) expect(['file', 'path', 'position', 'received', 'message']).toContain(k);
  }
  return doc;
}

describe('usage errors (commander) with --json', () => {
  test.each([
    [['--json', 'synht'], "unknown command 'synht' (Did you mean synth?)"],
    [['synth', '--json', '--bogus'], "unknown option '--bogus'"],
    [['--json', 'rotation-test', 'dev'], "required option '-w, --workload <name>' not specified"],
    [['--json', 'init'], "missing required argument 'name'"],
  ])('%j: exit 2, one JSON document naming the problem, nothing on stderr', async (argv, message) => {
    const r = await runMain(argv, CWD);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('');
    const doc = oneDocument(r.stdout);
    expect(doc.exitCode).toBe(2);
    expect(doc.problems).toEqual([{ file: 'command line', path: '', message: expect.stringContaining(message) as string }]);
  });

  test('the real bin: an unknown option with --json prints the JSON document and exits 2', () => {
    const r = runCli(['--json', 'check', '--bogus'], CWD);
    expect(r.code).toBe(2);
    expect(oneDocument(r.stdout).problems[0]?.message).toContain("unknown option '--bogus'");
  });

  test('without --json, a usage error is printed once, by commander, on stderr', async () => {
    const r = await runMain(['synth', '--bogus'], CWD);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe("error: unknown option '--bogus'\n");
  });

  test('--help and --version with --json are one document too', async () => {
    const version = await runMain(['--json', '--version'], CWD);
    expect(version.code).toBe(0);
    expect(oneDocument(version.stdout).output).toBe(
      `${(JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version}\n`,
    );
    const help = await runMain(['--json', 'check', '--help'], CWD);
    expect(help.code).toBe(0);
    expect(oneDocument(help.stdout).output).toContain('--check-drift');
  });
});

describe('every way a run ends has the same shape', () => {
  test('bad input (an invalid environment name): exit 2 with file, path, received and message', async () => {
    const r = await runMain(['--json', 'init', '../evil'], CWD);
    expect(r.code).toBe(2);
    expect(oneDocument(r.stdout).problems).toEqual([
      { file: 'command line', path: '<name>', received: '"../evil"', message: expect.stringContaining('is not an environment name') as string },
    ]);
  });

  test('findings: exit 1, the errors as problems beside the full findings', async () => {
    expect((await runMain(['synth', '--env', 'dev'], CWD)).code).toBe(0);
    const dir = path.join(CWD, 'edited');
    cpSync(path.join(CWD, 'dist', 'dev'), dir, { recursive: true });
    const file = path.join(dir, 'deployment-demo-demo-app.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('readOnly: true', 'readOnly: false'));
    const r = await runMain(
      ['--json', 'check', '--dir', dir, '--terraform', 'cdktf.out/stacks/dev/cdk.tf.json', '--outputs', 'environments/dev.outputs.json'],
      CWD,
    );
    expect(r.code).toBe(1);
    const doc = oneDocument(r.stdout);
    expect(doc.problems.length).toBeGreaterThan(0);
    expect(doc.problems[0]).toEqual({
      file,
      path: expect.stringMatching(/^spec\.template\.spec\.(volumes\[0\]\.csi|containers\[0\]\.volumeMounts\[0\])\.readOnly$/) as string,
      message: expect.stringMatching(/^\[csi-(volume|mount)-not-read-only\] .+; fix: set /) as string,
    });
    // The full findings stay beside the problems.
    expect(doc['environments']).toEqual([
      expect.objectContaining({ findings: [expect.objectContaining({ severity: 'error', rule: 'csi-mount-not-read-only' })] }),
    ]);
  });

  test('success: exit 0 and no problems', async () => {
    const r = await runMain(['--json', 'check', '--env', 'dev'], CWD);
    expect(r.code).toBe(0);
    expect(oneDocument(r.stdout).problems).toEqual([]);
  });

  test('a bug: exit 70, a generic message in the document, the stack trace on stderr only', async () => {
    simulateBug();
    const r = await runMain(['--json', 'check', '--env', 'dev'], CWD);
    expect(r.code).toBe(70);
    const doc = oneDocument(r.stdout);
    expect(doc.problems).toEqual([
      { file: 'aks-keyvault-csi', path: '', message: expect.stringContaining('internal error (a bug, not your input)') as string },
    ]);
    expect(r.stdout).not.toContain('simulated bug');
    expect(r.stderr).toContain('TypeError: simulated bug');
    expect(r.stderr).toMatch(/^\s+at /m);
  });

  test('a bug without --json: exit 70, the message and the stack trace on stderr', async () => {
    simulateBug();
    const r = await runMain(['check', '--env', 'dev'], CWD);
    expect(r.code).toBe(70);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^error internal error \(a bug, not your input\)/);
    expect(r.stderr).toContain('TypeError: simulated bug');
  });
});
