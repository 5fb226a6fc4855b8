/**
 * Writes a rendered folder all at once: a failed run leaves the previous folder exactly as it was.
 */
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { BackgroundWriter } from './background-writer';
import { UserError } from './errors';

/** One rendered file; `path` is relative to the output folder, with `/` separators. */
export interface OutputFile {
  readonly path: string;
  readonly content: string;
  /** The Kubernetes object whose YAML `content` is, when the file holds exactly one. */
  readonly object?: unknown;
}

/** A folder written next to its target, not yet in place. */
export interface StagedFolder {
  /**
   * Returns once every file is written; throws the write error otherwise (the staged folder is
   * then removed). Files handed to a background writer may still be in flight before this.
   */
  ready(): void;
  /** Swaps the staged folder into place (the previous one is removed); calls `ready` first. */
  commit(): void;
  /** Removes the staged folder; the target is untouched. */
  discard(): void;
}

/**
 * Replaces `dir` with exactly `files`: writes them into a temporary sibling folder, then swaps
 * it into place with renames (the previous folder is moved aside first and restored if the swap
 * fails). Files of a previous render that are not in `files` are gone afterwards. On any error,
 * `dir` is left as it was and the temporary folders are removed.
 *
 * Renames are atomic per folder on one file system; between the two renames `dir` is briefly
 * absent, never partial.
 */
export function writeFolderAtomically(dir: string, files: readonly OutputFile[]): void {
  stageFolder(dir, files).commit();
}

/**
 * Writes `files` into a temporary sibling of `dir` and returns the handle to swap it into
 * place. Everything that can fail on bad input (paths, a file where the folder should be, no
 * permission) fails here or in `ready`, before anything is replaced, so a caller that writes
 * several outputs stages them all, waits for all of them, and only then commits.
 *
 * With a `writer`, the files are written on its thread and this returns at once; without, they
 * are written before this returns.
 */
export function stageFolder(dir: string, files: readonly OutputFile[], writer?: BackgroundWriter): StagedFolder {
  checkPaths(dir, files);
  const target = path.resolve(dir);
  if (existsSync(target) && !lstatSync(target).isDirectory()) {
    throw UserError.of(dir, '', 'exists and is not a folder: move it away or choose another output folder');
  }
  const parent = path.dirname(target);
  const base = path.basename(target);
  try {
    mkdirSync(parent, { recursive: true });
  } catch (e) {
    throw UserError.of(dir, '', `cannot create the parent folder (${(e as NodeJS.ErrnoException).code ?? String(e)}): choose another output folder`);
  }

  const staging = makeScratchDir(parent, `.${base}.new-`);
  let job: number | undefined;
  if (writer !== undefined) {
    job = writer.write({ root: staging, files });
  } else {
    try {
      writeFiles(staging, files);
    } catch (e) {
      rmSync(staging, { recursive: true, force: true });
      throw e;
    }
  }

  let done = false;
  const awaitWrites = () => {
    if (job === undefined) return;
    const id = job;
    job = undefined;
    try {
      writer!.wait(id);
    } catch (e) {
      done = true;
      rmSync(staging, { recursive: true, force: true });
      throw e;
    }
  };
  return {
    ready() {
      if (done) throw new Error(`staged folder for ${dir} was already committed or discarded`);
      awaitWrites();
    },
    discard() {
      if (done) return;
      done = true;
      // The writer must be finished with the folder before it goes, or files would reappear.
      try {
        awaitWrites();
      } catch {
        // Discarded anyway.
      }
      rmSync(staging, { recursive: true, force: true });
    },
    commit() {
      if (done) throw new Error(`staged folder for ${dir} was already committed or discarded`);
      awaitWrites();
      done = true;
      swapIntoPlace(staging, target, parent, base);
    },
  };
}

/** The in-process twin of the background writer's loop (`lib/background-writer.ts`). */
function writeFiles(root: string, files: readonly OutputFile[]): void {
  const made = new Set<string>();
  for (const f of files) {
    const file = path.join(root, ...f.path.split('/'));
    const folder = path.dirname(file);
    if (!made.has(folder)) {
      mkdirSync(folder, { recursive: true });
      made.add(folder);
    }
    writeFileSync(file, f.content, 'utf8');
  }
}

function swapIntoPlace(staging: string, target: string, parent: string, base: string): void {
  if (!existsSync(target)) {
    try {
      renameSync(staging, target);
    } catch (e) {
      rmSync(staging, { recursive: true, force: true });
      throw e;
    }
    return;
  }

  // mkdtemp reserves a unique name; the folder itself must not exist for the rename onto it.
  const previous = makeScratchDir(parent, `.${base}.old-`);
  rmSync(previous, { recursive: true, force: true });
  try {
    renameSync(target, previous);
  } catch (e) {
    rmSync(staging, { recursive: true, force: true });
    throw e;
  }
  try {
    renameSync(staging, target);
  } catch (e) {
    renameSync(previous, target);
    rmSync(staging, { recursive: true, force: true });
    throw e;
  }
  rmSync(previous, { recursive: true, force: true });
}

/**
 * A new temporary folder in `parent` named `<prefix><pid>-<random>`. Those that runs killed
 * mid-way left behind (same prefix, their process gone) are removed first, so an interrupted
 * synth does not leave hidden folders in a GitOps checkout for ever.
 */
export function makeScratchDir(parent: string, prefix: string): string {
  removeAbandoned(parent, prefix);
  return mkdtempSync(path.join(parent, `${prefix}${process.pid}-`));
}

function removeAbandoned(parent: string, prefix: string): void {
  let names: string[];
  try {
    names = readdirSync(parent);
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(/^(\d+)-/.exec(name.slice(prefix.length))?.[1]);
    if (!Number.isSafeInteger(pid) || pid <= 0 || pid === process.pid || processIsAlive(pid)) continue;
    rmSync(path.join(parent, name), { recursive: true, force: true });
  }
}

/** Signal 0 only checks: EPERM means the process exists but belongs to someone else. */
function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function checkPaths(dir: string, files: readonly OutputFile[]): void {
  const seen = new Set<string>();
  for (const f of files) {
    const parts = f.path.split('/');
    if (f.path === '' || path.isAbsolute(f.path) || f.path.includes('\\') || parts.some((p) => p === '' || p === '.' || p === '..')) {
      throw new Error(`cannot write ${JSON.stringify(f.path)} into ${dir}: use a relative path with "/" separators and no "", "." or ".." elements`);
    }
    if (seen.has(f.path)) throw new Error(`cannot write ${JSON.stringify(f.path)} into ${dir} twice: file paths must be unique`);
    seen.add(f.path);
  }
}
