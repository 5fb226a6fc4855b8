/**
 * Runs the CLI as a user would: a child process of the package's bin, in a temporary project
 * folder holding a copy of the example environments.
 */
import { spawn, spawnSync, type SpawnOptions } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..');
export const BIN = path.join(ROOT, 'bin', 'aks-keyvault-csi.cjs');

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A temporary project folder with a copy of environments/; removed by `cleanup`. */
export function tempProject(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'akscsi-cli-'));
  cpSync(path.join(ROOT, 'environments'), path.join(dir, 'environments'), { recursive: true });
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Everything the commands run through these helpers printed, for assertions over all messages. */
export const PRINTED: string[] = [];

const CLI_ENV = { NO_COLOR: '1', CHECKPOINT_DISABLE: '1', CI: 'true', CDK8S_CHECK_UPGRADE: 'false' };

export function runCli(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, ...CLI_ENV, ...env },
    timeout: 60_000,
  });
  PRINTED.push(r.stdout, r.stderr);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A temporary git checkout (the GitOps repository of a journey); git is needed. */
export function gitRepository(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const r = spawnSync('git', ['init', '--quiet', dir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git init failed: ${r.error?.message ?? r.stderr}`);
  return dir;
}

/** Top-level entries never copied into a project copy: outputs, caches, VCS, tests. */
const NOT_COPIED = new Set(['node_modules', '.git', 'cdktf.out', 'dist', '.bench', 'coverage', '.gen', '.terraform', '__tests__']);

/** A copy of the whole project (sources, cdktf.json, cdk8s.yaml, package.json) with node_modules linked, for the standard CLIs. */
export function projectCopy(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'akscsi-project-'));
  for (const entry of readdirSync(ROOT)) {
    if (NOT_COPIED.has(entry) || entry.startsWith('.build') || entry.startsWith('.cdktf.out')) continue;
    cpSync(path.join(ROOT, entry), path.join(dir, entry), { recursive: true });
  }
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * The bin as a child process that runs alongside others (concurrency tests). `command` runs
 * instead of node when given (e.g. `unshare`), with the node command line after `prefix`.
 */
export function runCliAsync(
  args: readonly string[],
  cwd: string,
  options: { env?: NodeJS.ProcessEnv; prefix?: readonly string[]; spawn?: SpawnOptions } = {},
): Promise<CliResult> {
  const [command, ...prefix] = [...(options.prefix ?? []), process.execPath];
  const child = spawn(command, [...prefix, BIN, ...args], { cwd, env: { ...process.env, ...CLI_ENV, ...options.env }, ...options.spawn });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => void (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => void (stderr += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
  return new Promise((resolve) =>
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    }),
  );
}

/**
 * Runs the CLI's `main` in this process (same code path as the bin after argument parsing),
 * with the working directory set to `cwd`. Much faster than a child process: use it for the
 * many option combinations, and child processes for one run per command and exit code.
 */
export async function runMain(
  args: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv = {},
  terminal: { isTTY?: boolean; now?: () => number } = {},
): Promise<CliResult> {
  // Loaded lazily so files that only spawn the bin do not pay for the CLI's modules.
  const { main } = require('../../cli/main') as typeof import('../../cli/main');
  let stdout = '';
  let stderr = '';
  const previous = process.cwd();
  process.chdir(cwd);
  try {
    const code = await main(args, {
      out: (t) => void (stdout += t),
      err: (t) => void (stderr += t),
      isTTY: terminal.isTTY ?? false,
      env: { ...process.env, NO_COLOR: '1', ...env },
      ...(terminal.now ? { now: terminal.now } : {}),
    });
    PRINTED.push(stdout, stderr);
    return { code, stdout, stderr };
  } finally {
    process.chdir(previous);
  }
}

/** Every file below `dir` with its bytes, for "nothing changed" assertions. */
export { readTree as snapshotTree } from '../support/tree';
