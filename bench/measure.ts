/**
 * Runs a command several times and measures wall time (Node's monotonic clock around the child
 * process) and peak memory (maximum resident set size).
 *
 * Peak memory comes from GNU time (`/usr/bin/time -f %M`): the kernel's `ru_maxrss` of the
 * children, i.e. the largest single process of the command's process tree (not the sum). Without
 * GNU time, a `--require` probe in NODE_OPTIONS makes every Node process of the tree append its
 * own `process.resourceUsage().maxRSS` at exit, and we take the largest: the same quantity for
 * the Node processes (all of ours are Node), nothing for other programs.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface Step {
  /** Short label for per-step numbers (e.g. `cdktf synth`). */
  readonly label: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env?: Readonly<Record<string, string>>;
  /** Keep timing a run that exits non-zero (e.g. a test suite with failing tests); the exit code is recorded. */
  readonly tolerateFailure?: boolean;
}

export interface Sample {
  /** Wall seconds of the whole case (all steps). */
  readonly wall: number;
  /** Largest max RSS (KiB) of any process of any step; undefined when unknown. */
  readonly maxRssKiB: number | undefined;
  /** Wall seconds per step. */
  readonly steps: readonly number[];
  /** Exit code of each step (non-zero only for steps that tolerate failure). */
  readonly exitCodes: readonly (number | null)[];
}

export interface Failure {
  readonly step: string;
  readonly exitCode: number | null;
  readonly signal: string | null;
  /** Last lines of stderr and stdout, for the report. */
  readonly tail: string;
}

export type MemoryMethod = 'gnu-time' | 'node-probe';

const GNU_TIME = '/usr/bin/time';

/** GNU time when present and working (`-f` and `-o` are GNU options), else the Node probe. */
export function memoryMethod(): MemoryMethod {
  if (!existsSync(GNU_TIME)) return 'node-probe';
  const probe = spawnSync(GNU_TIME, ['-f', '%M', 'true'], { encoding: 'utf8' });
  return probe.status === 0 && /^\d+\s*$/m.test(probe.stderr) ? 'gnu-time' : 'node-probe';
}

const PROBE_SOURCE = `'use strict';
process.on('exit', () => {
  try { require('node:fs').appendFileSync(process.env.BENCH_RSS_FILE, process.resourceUsage().maxRSS + '\\n'); } catch {}
});
`;

export class Runner {
  private readonly scratch = mkdtempSync(path.join(os.tmpdir(), 'bench-measure-'));
  private readonly probe = path.join(this.scratch, 'maxrss-probe.cjs');

  constructor(readonly method: MemoryMethod = memoryMethod()) {
    writeFileSync(this.probe, PROBE_SOURCE);
  }

  dispose(): void {
    rmSync(this.scratch, { recursive: true, force: true });
  }

  /** One run of the steps in order; stops at the first failing step. */
  runOnce(steps: readonly Step[]): { sample?: Sample; failure?: Failure } {
    const times: number[] = [];
    const codes: (number | null)[] = [];
    let rss: number | undefined;
    for (const step of steps) {
      const rssFile = path.join(this.scratch, 'rss.txt');
      rmSync(rssFile, { force: true });
      const env: NodeJS.ProcessEnv = { ...process.env, ...step.env };
      let command = step.command;
      let args = [...step.args];
      if (this.method === 'gnu-time') {
        args = ['-f', '%e %M', '-o', rssFile, command, ...args];
        command = GNU_TIME;
      } else {
        env['BENCH_RSS_FILE'] = rssFile;
        env['NODE_OPTIONS'] = `${env['NODE_OPTIONS'] ?? ''} --require ${this.probe}`.trim();
      }
      const started = performance.now();
      const result = spawnSync(command, args, { cwd: step.cwd, env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
      const wall = (performance.now() - started) / 1000;
      if (result.error || (result.status !== 0 && !step.tolerateFailure)) {
        const out = `${result.stderr ?? ''}\n${result.stdout ?? ''}${result.error ? `\n${String(result.error)}` : ''}`;
        return { failure: { step: step.label, exitCode: result.status, signal: result.signal, tail: out.trim().split('\n').slice(-15).join('\n') } };
      }
      times.push(wall);
      codes.push(result.status);
      const stepRss = readRss(rssFile, this.method);
      if (stepRss !== undefined) rss = Math.max(rss ?? 0, stepRss);
    }
    return { sample: { wall: times.reduce((a, b) => a + b, 0), maxRssKiB: rss, steps: times, exitCodes: codes } };
  }
}

function readRss(file: string, method: MemoryMethod): number | undefined {
  if (!existsSync(file)) return undefined;
  const lines = readFileSync(file, 'utf8').trim().split('\n').filter(Boolean);
  if (method === 'gnu-time') {
    // GNU time may put "Command exited with non-zero status N" first; the format line is last.
    const kib = Number(lines[lines.length - 1]?.split(' ')[1]);
    return Number.isFinite(kib) ? kib : undefined;
  }
  const values = lines.map(Number).filter(Number.isFinite);
  // Node reports maxRSS in KiB.
  return values.length > 0 ? Math.max(...values) : undefined;
}

export interface Stats {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

export function stats(values: readonly number[]): Stats {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1] };
}
