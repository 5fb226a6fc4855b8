/**
 * Writes a rendered folder all at once: a failed run leaves the previous folder exactly as it was.
 */
import { existsSync, lstatSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
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
  /** Swaps the staged folder into place (the previous one is removed). */
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
 * permission) fails here, before anything is replaced, so a caller that writes several
 * outputs stages them all first.
 */
export function stageFolder(dir: string, files: readonly OutputFile[]): StagedFolder {
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

  const staging = mkdtempSync(path.join(parent, `.${base}.new-`));
  try {
    for (const f of files) {
      const file = path.join(staging, ...f.path.split('/'));
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, f.content, 'utf8');
    }
  } catch (e) {
    rmSync(staging, { recursive: true, force: true });
    throw e;
  }

  let done = false;
  return {
    discard() {
      if (!done) rmSync(staging, { recursive: true, force: true });
      done = true;
    },
    commit() {
      if (done) throw new Error(`staged folder for ${dir} was already committed or discarded`);
      done = true;
      swapIntoPlace(staging, target, parent, base);
    },
  };
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
  const previous = mkdtempSync(path.join(parent, `.${base}.old-`));
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
