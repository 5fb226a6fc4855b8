/**
 * Temporary working folders for the benchmark, so nothing is written into the repository's
 * `cdktf.out/` or `dist/`:
 * - an examples folder: a copy of `environments/` (our bin runs there; it resolves its own
 *   modules from the repository);
 * - a project copy for the standard CLIs: the sources and configuration copied, `node_modules`
 *   symlinked to the repository's;
 * - one folder per generated large configuration.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { GeneratedFile } from './generate';

/** The repository root (this file is `bench/workspace.ts`). */
export const REPO = path.resolve(__dirname, '..');
/** Our command, run with `node` directly (no npm in between). */
export const BIN = path.join(REPO, 'bin', 'aks-keyvault-csi.cjs');

/** Top-level entries never copied into the project copy: outputs, caches, VCS, tests. */
const NOT_COPIED = new Set(['node_modules', '.git', 'cdktf.out', 'dist', '.bench', 'coverage', '.gen', '.terraform', '__tests__']);

/** Environment for every command: no phoning home, no spinners, no upgrade checks. */
export const QUIET_ENV: Readonly<Record<string, string>> = {
  CHECKPOINT_DISABLE: '1',
  CI: 'true',
  CDK8S_CHECK_UPGRADE: 'false',
  FORCE_COLOR: '0',
  NO_COLOR: '1',
};

export class Workspace {
  readonly root = mkdtempSync(path.join(os.tmpdir(), 'aks-keyvault-csi-bench-'));

  /** A folder holding a copy of the repository's `environments/`. */
  examples(): string {
    const dir = path.join(this.root, 'examples');
    cpSync(path.join(REPO, 'environments'), path.join(dir, 'environments'), { recursive: true });
    return dir;
  }

  /** A copy of the project (sources, cdktf.json, cdk8s.yaml) with `node_modules` symlinked. */
  project(): string {
    const dir = path.join(this.root, 'project');
    mkdirSync(dir, { recursive: true });
    for (const entry of readdirSync(REPO)) {
      if (NOT_COPIED.has(entry) || entry.startsWith('.cdktf.out') || entry.startsWith('.bench')) continue;
      cpSync(path.join(REPO, entry), path.join(dir, entry), { recursive: true });
    }
    symlinkSync(path.join(REPO, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
    return dir;
  }

  /** A folder holding the given generated files. */
  generated(name: string, files: readonly GeneratedFile[]): string {
    const dir = path.join(this.root, name);
    for (const f of files) {
      mkdirSync(path.dirname(path.join(dir, f.path)), { recursive: true });
      writeFileSync(path.join(dir, f.path), f.content);
    }
    return dir;
  }

  dispose(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

/** Removes what a synth wrote into `dir`, so every run starts from the same state. */
export function cleanOutputs(dir: string): void {
  for (const entry of existsSync(dir) ? readdirSync(dir) : []) {
    if (entry === 'cdktf.out' || entry === 'dist' || entry.startsWith('.cdktf.out')) rmSync(path.join(dir, entry), { recursive: true, force: true });
  }
}
