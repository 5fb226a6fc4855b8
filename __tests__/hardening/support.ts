/**
 * Shared pieces of the hardening suite: a temporary project folder, the CLI run in-process with
 * captured output, and byte-exact snapshots of folders for "a failed run changes nothing".
 */
import { cpSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { main } from '../../cli/main';

export const ROOT = path.resolve(__dirname, '..', '..');
export const CORPUS = path.join(__dirname, 'corpus');

/** What one CLI run did. `crash` is an exception that escaped `main` (always a bug: it prints a stack trace). */
export interface CliRun {
  readonly code: number | undefined;
  readonly out: string;
  readonly err: string;
  readonly crash?: Error;
}

/** Environment the CLI sees: no colours, no phoning home. */
export const QUIET_ENV: NodeJS.ProcessEnv = { NO_COLOR: '1', CHECKPOINT_DISABLE: '1', CI: 'true', CDK8S_CHECK_UPGRADE: 'false' };

/** Runs `main(argv)` in this process with captured stdout/stderr; never throws. */
export async function runMain(argv: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  let out = '';
  let err = '';
  const io = { out: (t: string) => void (out += t), err: (t: string) => void (err += t), isTTY: false, env: { ...QUIET_ENV, ...env } };
  try {
    const code = await main(argv, io);
    return { code, out, err };
  } catch (e) {
    return { code: undefined, out, err, crash: e instanceof Error ? e : new Error(String(e)) };
  }
}

/** A line of a V8 stack trace, as Node prints it for an uncaught error. */
export const STACK_LINE = /^\s+at .+(\(.+:\d+:\d+\)|:\d+:\d+)$/m;

/** A temporary project: a copy of environments/ and of the corpus, under a real (symlink-free) path. */
export function tempProject(prefix: string): { dir: string; cleanup: () => void } {
  const dir = realpathSync(mkdtempSync(path.join(tmpdir(), prefix)));
  cpSync(path.join(ROOT, 'environments'), path.join(dir, 'environments'), { recursive: true });
  cpSync(CORPUS, path.join(dir, 'corpus'), { recursive: true });
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * The error and warning blocks of human CLI output: a block starts with `error ` or `warning `
 * and takes the indented lines after it (a finding's `fix:` line).
 */
export function blocks(text: string): { severity: 'error' | 'warning'; text: string }[] {
  const out: { severity: 'error' | 'warning'; text: string }[] = [];
  for (const line of text.split('\n')) {
    const m = /^(error|warning) /.exec(line);
    if (m) out.push({ severity: m[1] as 'error' | 'warning', text: line });
    else if (/^\s+\S/.test(line) && out.length > 0) out[out.length - 1].text += `\n${line}`;
  }
  return out;
}

/** Runs `fn` with the working directory set to `dir`, restoring it afterwards. */
export async function inDir<T>(dir: string, fn: () => Promise<T> | T): Promise<T> {
  const before = process.cwd();
  process.chdir(dir);
  try {
    return await fn();
  } finally {
    process.chdir(before);
  }
}

export { readTree, snapshotTree } from '../support/tree';
