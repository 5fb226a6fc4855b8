/**
 * The ownership record: which files of an output folder this tool wrote, with the SHA-256 of
 * each. It lives in the folder (`.aks-keyvault-csi`) and is committed with the YAML, so every
 * checkout knows what a render may replace or delete: those files and nothing else.
 *
 * Its content is deterministic (file names and hashes, sorted; no dates, paths or process ids):
 * the same render gives the same bytes.
 *
 * The name has no `.json` extension on purpose: `kubectl apply -f DIR` and Argo CD's plain
 * directory sources read every `*.json`, hidden files included, as a Kubernetes object and would
 * fail on it (argoproj/argo-cd reposerver/repository/repository.go, `findManifests`: the
 * `manifestFile` pattern `^.*\.(yaml|yml|json|jsonnet)$`, no hidden-file filter).
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from './errors';
import { fileFault } from './file-faults';
import { readInput } from './read-input';

/** The record's file name in an owned folder. */
export const OWNERSHIP_FILE = '.aks-keyvault-csi';

const VERSION = 1;
const ABOUT =
  'Files aks-keyvault-csi wrote into this folder, with their SHA-256. A render replaces or deletes only these files; everything else here is left alone. Commit this file with them.';

/** Relative path (with `/`) → SHA-256 (hex) of the content this tool wrote there. */
export type OwnedFiles = ReadonlyMap<string, string>;

export function sha256(content: string | Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

/** The record's bytes for `files`. */
export function serializeRecord(files: OwnedFiles): string {
  const sorted = Object.fromEntries([...files.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return `${JSON.stringify({ about: ABOUT, version: VERSION, files: sorted }, null, 2)}\n`;
}

/**
 * The record of `dir`, or undefined when there is none. A record that is not one this tool
 * writes is refused: guessing would risk deleting the user's files.
 */
export function readRecord(dir: string): OwnedFiles | undefined {
  const file = path.join(dir, OWNERSHIP_FILE);
  try {
    fs.lstatSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw fileFault(e, file, 'reading the ownership record') ?? e;
  }
  const text = readInput(file, { what: 'ownership record', fix: 'restore it from version control, or delete it and pass --adopt' });
  const broken = (why: string) =>
    UserError.of(
      file,
      '',
      `not an ownership record this tool writes (${why}): restore it from version control, or delete it and pass --adopt to take over the files the render writes`,
    );
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw broken('invalid JSON');
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) throw broken('not a JSON object');
  const { version, files } = data as { version?: unknown; files?: unknown };
  if (version !== VERSION) throw broken(`version ${JSON.stringify(version)}, expected ${VERSION}`);
  if (files === null || typeof files !== 'object' || Array.isArray(files)) throw broken('no "files" object');
  const out = new Map<string, string>();
  for (const [rel, hash] of Object.entries(files as Record<string, unknown>)) {
    // A record pointing outside its folder ("../x") must never make a render delete that file.
    if (!isOwnedPath(rel)) throw broken(`file name ${JSON.stringify(rel)} is not a plain relative path`);
    if (typeof hash !== 'string' || !/^[0-9a-f]{64}$/.test(hash)) throw broken(`"${rel}" has no SHA-256`);
    out.set(rel, hash);
  }
  return out;
}

/** A relative path with `/` separators and no empty, `.` or `..` element, not the record itself. */
export function isOwnedPath(rel: string): boolean {
  if (rel === '' || rel === OWNERSHIP_FILE || path.isAbsolute(rel) || rel.includes('\\') || rel.includes('\0')) return false;
  return rel.split('/').every((p) => p !== '' && p !== '.' && p !== '..');
}
