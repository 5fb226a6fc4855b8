/**
 * The bad-input corpus: every file under corpus/ is something a user could hand the CLI, each
 * with a sidecar expectation (exit code, and the file, field path, value and fix the message
 * must name). Each case asserts: the exit code, the message, no stack trace, and that the
 * project's output folders are byte-identical before and after the run.
 *
 * - corpus/env/<case>.yaml (+ <case>.expect.json): `synth --config <file>`
 * - corpus/outputs/<case>.json (+ <case>.expect.json): `synth --config environments/dev.yaml --outputs <file>`
 * - corpus/manifests/<case>/ (expect.json + the hand-edited files): a fresh render of
 *   `expect.base` with those files laid over it, then `check --dir ... --terraform ... --outputs ...`
 *
 * The CLI runs in-process (`main(argv, io)`) in a temporary project folder; two cases also run
 * the real bin as a child process, to see what a user's terminal sees.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { blocks, CORPUS, type CliRun, QUIET_ENV, ROOT, runMain, snapshotTree, STACK_LINE, tempProject } from './support';

interface Expectation {
  /** What is wrong with the input, for the reader of the corpus. */
  readonly why: string;
  readonly exit: number;
  /** Severity of the block that must carry the message. @default error */
  readonly severity?: 'error' | 'warning';
  /** Check rule id (manifest cases with findings). */
  readonly rule?: string;
  /** The file the message names (with `:line:col` when known); for manifest cases relative to the case folder. */
  readonly file: string;
  /** Field path the message names; '' when the problem concerns the whole file. */
  readonly path: string;
  /** The received value as the message shows it; null when there is none (a missing field). */
  readonly value: string | null;
  /** A substring of the fix. */
  readonly fix: string;
  /** Text that must not appear anywhere in the output (e.g. a pasted secret). */
  readonly absent?: string;
  /** Outputs cases: the environment file to synthesize. */
  readonly config?: string;
  /** Manifest cases: the example environment whose render the edit starts from. */
  readonly base?: 'dev' | 'prod';
}

interface Case {
  readonly name: string;
  readonly expect: Expectation;
}

function readExpect(file: string): Expectation {
  return JSON.parse(readFileSync(file, 'utf8')) as Expectation;
}

function casesIn(dir: string, ext: string): Case[] {
  return readdirSync(path.join(CORPUS, dir))
    .filter((f) => f.endsWith(ext) && !f.endsWith('.expect.json'))
    .sort()
    .map((f) => {
      const name = f.slice(0, -ext.length);
      return { name, expect: readExpect(path.join(CORPUS, dir, `${name}.expect.json`)) };
    });
}

const ENV_CASES = casesIn('env', '.yaml');
const OUTPUTS_CASES = casesIn('outputs', '.json');
const MANIFEST_CASES: Case[] = readdirSync(path.join(CORPUS, 'manifests'))
  .sort()
  .map((name) => ({ name, expect: readExpect(path.join(CORPUS, 'manifests', name, 'expect.json')) }));

// Created in beforeAll (not at collection time) so a filtered run leaves no temp folder behind.
let PROJECT: ReturnType<typeof tempProject>;
const HOME = process.cwd();

beforeAll(async () => {
  PROJECT = tempProject('akscsi-hardening-corpus-');
  process.chdir(PROJECT.dir);
  // A previous good render, so "unchanged" means something: a failed run must not touch it.
  const r = await runMain(['synth']);
  expect(r.crash).toBeUndefined();
  expect(r.code).toBe(0);
}, 60_000);

afterAll(() => {
  process.chdir(HOME);
  PROJECT?.cleanup();
});

/** The corpus copy is only read; skipping its files keeps the snapshots cheap (the folder entry itself still counts). */
const READ_ONLY_INPUTS = (rel: string) => rel.startsWith('corpus/');

/** Runs argv and asserts it left every file of the project folder as it was. */
async function runUnchanged(argv: readonly string[]): Promise<CliRun> {
  const before = snapshotTree(PROJECT.dir, READ_ONLY_INPUTS);
  expect(Object.keys(before)).toEqual(expect.arrayContaining(['cdktf.out/stacks/dev/cdk.tf.json', 'dist/dev/kustomization.yaml']));
  const run = await runMain(argv);
  expect(snapshotTree(PROJECT.dir, READ_ONLY_INPUTS)).toEqual(before);
  return run;
}

function expectNoCrash(run: CliRun): void {
  // An exception escaping main is printed with its stack trace by the bin: always a bug.
  expect(run.crash?.stack).toBeUndefined();
  expect(run.out + run.err).not.toMatch(STACK_LINE);
  // A message names the value and the fix; an interpolated missing value reads "(not set)".
  expect(run.out + run.err).not.toMatch(/\bundefined\b/);
}

/** One block of the output names file, path, value and fix (and the rule); reports what is missing otherwise. */
function expectMessage(run: CliRun, e: Expectation, file: string): void {
  const needles = [file, e.path, e.value ?? '', e.fix, e.rule ? `[${e.rule}]` : ''].filter((n) => n !== '');
  const candidates = blocks(run.err).filter((b) => b.severity === (e.severity ?? 'error'));
  const best = candidates
    .map((b) => ({ block: b.text, missing: needles.filter((n) => !b.text.includes(n)) }))
    .sort((a, b) => a.missing.length - b.missing.length)[0];
  expect({ stderr: run.err, missing: best?.missing ?? needles }).toEqual({ stderr: run.err, missing: [] });
  if (e.absent !== undefined) expect(run.out + run.err).not.toContain(e.absent);
}

describe('environment files (synth --config)', () => {
  test('the corpus holds at least 40 environment files, each with an expectation', () => {
    expect(ENV_CASES.length).toBeGreaterThanOrEqual(40);
  });

  test.each(ENV_CASES)('fails $name with exit 2, a message naming where, what and the fix, and writes nothing', async ({ name, expect: e }) => {
    const run = await runUnchanged(['synth', '--config', `corpus/env/${name}.yaml`]);
    expectNoCrash(run);
    expect(run.code).toBe(e.exit);
    expectMessage(run, e, e.file);
    expect(run.out).toBe('');
  });

  test.each(ENV_CASES)('fails $name with --json: one JSON document with the structured problem', async ({ name, expect: e }) => {
    // "Writes nothing" is asserted by the human-mode test of the same file.
    const run = await runMain(['--json', 'synth', '--config', `corpus/env/${name}.yaml`]);
    expectNoCrash(run);
    expect(run.code).toBe(e.exit);
    expect(run.err).toBe('');
    const doc = JSON.parse(run.out) as {
      ok: boolean;
      exitCode: number;
      problems: { file: string; position?: string; path: string; received?: string; message: string }[];
    };
    expect(doc).toMatchObject({ ok: false, exitCode: 2 });
    const match = doc.problems.find((p) => `${p.file}${p.position ? `:${p.position}` : ''}`.startsWith(e.file) && p.path.startsWith(e.path));
    expect(match).toBeDefined();
    if (e.value !== null) expect(match?.received ?? match?.path).toContain(e.value);
    expect(match?.message).toContain(e.fix);
  });
});

describe('outputs files (synth --config environments/dev.yaml --outputs)', () => {
  test('the corpus holds at least 15 outputs files', () => {
    expect(OUTPUTS_CASES.length).toBeGreaterThanOrEqual(15);
  });

  test.each(OUTPUTS_CASES)('fails $name with exit 2, a message naming where, what and the fix, and writes nothing', async ({ name, expect: e }) => {
    const run = await runUnchanged(['synth', '--config', e.config ?? 'environments/dev.yaml', '--outputs', `corpus/outputs/${name}.json`]);
    expectNoCrash(run);
    expect(run.code).toBe(e.exit);
    expectMessage(run, e, e.file);
  });
});

describe('hand-edited manifests (check --dir --terraform --outputs)', () => {
  test('the corpus holds at least 15 hand-edited folders', () => {
    expect(MANIFEST_CASES.length).toBeGreaterThanOrEqual(15);
  });

  test.each(MANIFEST_CASES)('$name: exit code, finding (rule, file, field, value, fix), nothing written', async ({ name, expect: e }) => {
    const base = e.base ?? 'dev';
    const edits = readdirSync(path.join('corpus', 'manifests', name)).filter((f) => f !== 'expect.json');
    expect(edits.length).toBeGreaterThan(0);
    const dir = `cases/${name}`;
    cpSync(path.join('dist', base), dir, { recursive: true });
    try {
      for (const f of edits) {
        // A stale corpus file (one the renderer no longer writes, or identical to it) would test nothing.
        expect(existsSync(path.join(dir, f))).toBe(true);
        expect(readFileSync(path.join('corpus', 'manifests', name, f), 'utf8')).not.toBe(readFileSync(path.join(dir, f), 'utf8'));
        cpSync(path.join('corpus', 'manifests', name, f), path.join(dir, f));
      }
      const run = await runUnchanged([
        'check',
        '--dir',
        dir,
        '--terraform',
        `cdktf.out/stacks/${base}/cdk.tf.json`,
        '--outputs',
        `environments/${base}.outputs.json`,
      ]);
      expectNoCrash(run);
      expect(run.code).toBe(e.exit);
      expectMessage(run, e, `${dir}/${e.file}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the unedited renders pass the same check (exit 0), so each case fails for its edit alone', async () => {
    for (const base of ['dev', 'prod']) {
      const run = await runUnchanged([
        'check',
        '--dir',
        `dist/${base}`,
        '--terraform',
        `cdktf.out/stacks/${base}/cdk.tf.json`,
        '--outputs',
        `environments/${base}.outputs.json`,
      ]);
      expectNoCrash(run);
      expect(blocks(run.err)).toEqual([]);
      expect(run.code).toBe(0);
    }
  });
});

describe('file names of rendered objects', () => {
  // Workload "b-c" in namespace "a" and workload "c" in namespace "a-b" are both valid, but
  // `<kind>-<namespace>-<name>.yaml` names both ServiceAccounts serviceaccount-a-b-c.yaml.
  test('two workloads whose namespace and name join to the same file name never crash synth', async () => {
    const run = await runUnchanged([
      'synth',
      '--config',
      'corpus/collision/render-collision.yaml',
      '--outputs',
      'corpus/collision/render-collision.outputs.json',
      '--out',
      'collision-out',
    ]);
    expectNoCrash(run);
    // Either both render (distinct files) or the config is refused as bad input, naming the file.
    expect([0, 2]).toContain(run.code);
    if (run.code === 2) expect(run.err).toContain('corpus/collision/render-collision.yaml');
  });
});

describe('output folder problems', () => {
  // The Terraform JSON must differ from the previous render, or "unchanged" could not tell
  // whether synth wrote it: the same environment with one more tag.
  test('--out naming an existing file: exit 2, a message naming it, and neither cdktf.out nor dist touched', async () => {
    mkdirSync('in', { recursive: true });
    writeFileSync(
      'in/dev.yaml',
      readFileSync('environments/dev.yaml', 'utf8').replace('    owner: platform-team\n', '    owner: platform-team\n    changed: "yes"\n'),
    );
    writeFileSync('not-a-folder', 'a file where the GitOps checkout should be\n');
    const run = await runUnchanged(['synth', '--config', 'in/dev.yaml', '--outputs', 'environments/dev.outputs.json', '--out', 'not-a-folder']);
    expectNoCrash(run);
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/^error .*not-a-folder.*: .*(move it away|choose another)/m);
  });
});

describe('the real bin (child process)', () => {
  const bin = path.join(ROOT, 'bin', 'aks-keyvault-csi.cjs');
  const spawn = (args: string[]) =>
    spawnSync(process.execPath, [bin, ...args], { cwd: PROJECT.dir, encoding: 'utf8', env: { ...process.env, ...QUIET_ENV }, timeout: 60_000 });

  test('a bad environment file: exit 2, one error line, no stack trace, nothing written', () => {
    const before = snapshotTree(PROJECT.dir);
    const r = spawn(['synth', '--config', 'corpus/env/object-type-case.yaml']);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('error corpus/env/object-type-case.yaml:14:9: workloads[0].objects[0].type "Secret": use "secret", "key" or "cert" (lower case)\n');
    expect(snapshotTree(PROJECT.dir)).toEqual(before);
  });

  test('a hand-edited manifest with findings: exit 1, the finding and its fix, no stack trace', () => {
    const dir = 'cases/bin-sub-path';
    cpSync(path.join(PROJECT.dir, 'dist', 'dev'), path.join(PROJECT.dir, dir), { recursive: true });
    cpSync(
      path.join(PROJECT.dir, 'corpus', 'manifests', 'sub-path', 'deployment-demo-demo-app.yaml'),
      path.join(PROJECT.dir, dir, 'deployment-demo-demo-app.yaml'),
    );
    const before = snapshotTree(PROJECT.dir);
    const r = spawn(['check', '--dir', dir, '--terraform', 'cdktf.out/stacks/dev/cdk.tf.json', '--outputs', 'environments/dev.outputs.json']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`error [csi-mount-sub-path] ${dir}/deployment-demo-demo-app.yaml: spec.template.spec.containers[0].volumeMounts[0].subPath:`);
    expect(r.stderr).toContain('fix: remove subPath');
    expect(r.stdout + r.stderr).not.toMatch(STACK_LINE);
    expect(snapshotTree(PROJECT.dir)).toEqual(before);
  });
});
