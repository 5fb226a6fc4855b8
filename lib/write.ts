/**
 * Writing output folders: the one place that stages and commits what a run produces.
 *
 * An output folder may be a user's GitOps checkout, with `.git`, a README, other apps and notes.
 * So a run replaces and deletes only what this tool owns there:
 * - a manifests folder records its files in an ownership record (`lib/ownership.ts`); a folder
 *   that is not empty and has no record is refused unless the caller adopts it (`adopt`);
 * - a folder only this tool writes (`cdktf.out/stacks/<env>`) is owned by its path.
 *
 * The order of a run: `open` locks every folder (`lib/lock.ts`) and finishes or undoes whatever
 * an interrupted run left there; `stage` plans each folder (what to write, replace, delete) and
 * writes the new files into a scratch folder inside it; `commit` moves them into place only when
 * every folder is staged; `close` discards what was not committed and releases the locks.
 *
 * What a commit guarantees (the README says the same):
 * - nothing in a folder changes until every file of every folder is staged;
 * - the commit moves files by renames within each folder (so the same file system): the files
 *   to replace or delete go aside into the scratch folder, then the new ones take their place.
 *   If a rename fails, every folder of the run is put back as it was, and the run exits 2;
 * - the scratch folder holds the plan and its state. If the process dies mid-commit, the next
 *   run that opens the folder puts it back (plan begun, not finished) or completes it (finished):
 *   each folder ends up entirely old or entirely new. A run killed between two folders' commits
 *   may leave one folder new and another old; re-running synth makes them agree;
 * - files are not fsync'ed: after a power cut the file system's own guarantees apply.
 */
import { randomBytes } from 'node:crypto';
import {
  linkSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmdirSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
  type Stats,
} from 'node:fs';
import * as path from 'node:path';
import type { BackgroundWriter } from './background-writer';
import { UserError, type InputProblem } from './errors';
import { displayPath, fileFault, isFileFault } from './file-faults';
import { acquireLock, LOCK_FILE, processIsAlive, type Lock, type LockHolder } from './lock';
import { isOwnedPath, OWNERSHIP_FILE, readRecord, serializeRecord, sha256, type OwnedFiles } from './ownership';
import { writeFilesInto } from './write-files';

/** One rendered file; `path` is relative to the output folder, with `/` separators. */
export interface OutputFile {
  readonly path: string;
  readonly content: string;
  /** The Kubernetes object whose YAML `content` is, when the file holds exactly one. */
  readonly object?: unknown;
}

/**
 * Which existing files of a folder are this tool's:
 * - `record`: those in the folder's ownership record, which each write updates;
 * - `paths`: everything at or below these relative paths (files or folders only this tool
 *   writes, e.g. `stacks/dev` in `cdktf.out`); they are replaced as a whole.
 */
export type Ownership = { readonly kind: 'record' } | { readonly kind: 'paths'; readonly paths: readonly string[] };

/** Folders a render must never be written into, because they hold the project. */
export interface ProjectLayout {
  /** The project folder. */
  readonly root: string;
  /** Where the environment files are. */
  readonly environmentsDir: string;
  /** The Terraform output folder (`cdktf.out`), written as `paths`-owned. */
  readonly terraformOut: string;
}

export interface OutputTarget {
  readonly dir: string;
  /** @default - the ownership record */
  readonly ownership?: Ownership;
}

export interface OutputOptions {
  /** What the run does, for the lock's holder record (`synth`, `diagram`). */
  readonly command: string;
  /**
   * Take ownership of the files this render writes in a folder without a record (or of files
   * that exist and are not in the record); other files stay untouched. @default false
   */
  readonly adopt?: boolean;
  /** How long to wait for another run holding a folder's lock. @default 60_000 */
  readonly lockTimeoutMs?: number;
  /** Refuse these as `record`-owned targets. @default - no folder is refused */
  readonly project?: ProjectLayout;
  /** Called when another run holds a lock and this one waits for it. */
  readonly onWait?: (file: string, holder: LockHolder | undefined) => void;
  /** Things worth saying that are not errors: a stale lock removed, an interrupted write undone. */
  readonly onNote?: (note: string) => void;
}

export interface StageOptions {
  /** `replace`: owned files not in this write are deleted (a render). `add`: only these files change (TRUST.md by `diagram`). @default replace */
  readonly mode?: 'replace' | 'add';
  /** Write the staged files on this writer's thread; `commit` waits for them. */
  readonly writer?: BackgroundWriter;
}

/** What a commit did in one folder (paths relative to it). */
export interface FolderReport {
  readonly dir: string;
  /** Files written (new or changed). */
  readonly written: readonly string[];
  /** Files that already had exactly the new content: left untouched. */
  readonly unchanged: readonly string[];
  /** Owned files the render no longer has: deleted. */
  readonly deleted: readonly string[];
  /** Files that were not this tool's and were taken over (`adopt`). */
  readonly adopted: readonly string[];
  /** Owned files whose content was not what this tool wrote (edited by hand): replaced or deleted. */
  readonly edited: readonly string[];
}

/** A new scratch folder in an output folder: `.aks-keyvault-csi.tmp-<pid>-<random>`. */
const SCRATCH_PREFIX = '.aks-keyvault-csi.tmp-';
const STATE_FILE = 'state.json';

/** What a commit does in one folder, kept in the scratch folder so a later run can undo or finish it. */
interface Plan {
  /** Files moved from `<scratch>/new/` into the folder. */
  readonly place: readonly string[];
  /** Files or folders moved from the folder to `<scratch>/old/` (to replace or delete). */
  readonly aside: readonly string[];
  /** Folders the commit creates for `place`, parents first. */
  readonly createdDirs: readonly string[];
  /** Folders that may be left empty by `aside` (removed if empty after the commit), deepest first. */
  readonly emptiedDirs: readonly string[];
}

interface State {
  readonly state: 'committing' | 'committed';
  readonly plan: Plan;
}

interface Folder {
  readonly dir: string;
  readonly abs: string;
  readonly ownership: Ownership;
  /** The first folder `open` created for it (removed again if still empty at `close`). */
  created: string | undefined;
  lock: Lock | undefined;
  staged: Staged | undefined;
}

interface Staged {
  readonly scratch: string | undefined;
  readonly plan: Plan;
  readonly report: FolderReport;
  pending: (() => void) | undefined;
  status: 'staged' | 'applied' | 'committed' | 'discarded';
}

/**
 * Writes `folders` in one transaction: `open`, `stage` each, `commit`, `close`. Returns what
 * changed in each folder.
 */
export function writeOutputs(
  folders: readonly (OutputTarget & StageOptions & { readonly files: readonly OutputFile[] })[],
  options: OutputOptions,
): FolderReport[] {
  const tx = OutputTransaction.open(folders, options);
  try {
    for (const f of folders) tx.stage(f.dir, f.files, f);
    return tx.commit();
  } finally {
    tx.close();
  }
}

export class OutputTransaction {
  private readonly folders: Folder[];
  private readonly options: OutputOptions;
  private closed = false;

  /**
   * Checks and locks every folder (creating it if needed), and puts back or completes whatever
   * an interrupted run left in it. Throws `UserError` for a folder that must not be written.
   */
  static open(targets: readonly OutputTarget[], options: OutputOptions): OutputTransaction {
    const folders: Folder[] = [];
    for (const t of targets) {
      const ownership = t.ownership ?? { kind: 'record' };
      const abs = realTarget(t.dir);
      if (ownership.kind === 'record' && options.project !== undefined) refuseProjectFolder(t.dir, abs, options.project);
      const twin = folders.find((f) => f.abs === abs);
      if (twin !== undefined) {
        if (twin.ownership.kind === 'record' && ownership.kind === 'record') continue;
        throw UserError.of(t.dir, '', `is also where ${twin.dir} goes: give each output its own folder`);
      }
      folders.push({ dir: t.dir, abs, ownership, created: undefined, lock: undefined, staged: undefined });
    }
    // One order for every run, so two runs locking overlapping folders cannot deadlock.
    folders.sort((a, b) => (a.abs < b.abs ? -1 : a.abs > b.abs ? 1 : 0));
    const tx = new OutputTransaction(folders, options);
    try {
      for (const f of folders) tx.prepare(f);
    } catch (e) {
      tx.close();
      throw e;
    }
    return tx;
  }

  private constructor(folders: Folder[], options: OutputOptions) {
    this.folders = folders;
    this.options = options;
  }

  /** Recorded on `folder` step by step, so `close` undoes exactly what was done if a step fails. */
  private prepare(folder: Folder): void {
    removeLegacyLeftovers(folder, this.options.onNote);
    folder.created = ensureFolder(folder.dir, folder.abs);
    folder.lock = acquireLock(folder.abs, {
      command: this.options.command,
      ...(this.options.lockTimeoutMs !== undefined ? { timeoutMs: this.options.lockTimeoutMs } : {}),
      onWait: (file, holder) => this.options.onWait?.(displayPath(file), holder),
      onStale: (file, holder) =>
        this.options.onNote?.(
          `removed the stale lock ${displayPath(file)} of pid ${holder.pid} ("aks-keyvault-csi ${holder.command}"), which is no longer running`,
        ),
    });
    recoverInterrupted(folder, this.options.onNote);
  }

  /**
   * Plans `dir` (opened before) and writes the files to place into its scratch folder (on the
   * writer's thread when given). Throws `UserError` before writing anything when the plan would
   * touch a file that is not this tool's.
   */
  stage(dir: string, files: readonly OutputFile[], options: StageOptions = {}): void {
    const folder = this.folderOf(dir);
    if (folder.staged !== undefined) throw new Error(`${dir} was staged twice in one transaction`);
    checkPaths(dir, files);
    let planned: Planned;
    try {
      planned =
        folder.ownership.kind === 'record'
          ? planRecordFolder(folder, files, options.mode ?? 'replace', this.options.adopt === true)
          : planPathsFolder(folder, files, folder.ownership.paths);
    } catch (e) {
      throw fileFault(e, dir, `reading ${dir}`) ?? e;
    }
    folder.staged = stageFiles(folder, planned, options.writer);
  }

  /**
   * Waits for every staged file, then moves them into place folder by folder. On a failure,
   * every folder is put back as it was and the error is thrown (a file fault as `UserError`).
   */
  commit(): FolderReport[] {
    const staged = this.folders.filter((f): f is Folder & { staged: Staged } => f.staged !== undefined);
    for (const f of staged) {
      // Waited for once only: the writer reports each job a single time.
      const pending = f.staged.pending;
      f.staged.pending = undefined;
      try {
        pending?.();
      } catch (e) {
        throw fileFault(e, f.dir, `writing the new files of ${f.dir}`, { atFolder: true }) ?? e;
      }
    }
    const applied: (Folder & { staged: Staged })[] = [];
    let current: Folder | undefined;
    try {
      for (const f of staged) {
        if (f.staged.scratch === undefined) continue;
        applied.push((current = f));
        apply(f.abs, f.staged.scratch, f.staged.plan);
        f.staged.status = 'applied';
      }
      for (const f of applied) writeState(f.staged.scratch!, { state: 'committed', plan: (current = f).staged.plan });
    } catch (e) {
      const unrecovered = applied.reverse().filter((f) => !undoSafely(f.abs, f.staged.scratch!, f.staged.plan));
      for (const f of applied) f.staged.status = 'discarded';
      const fault = fileFault(e, current?.dir ?? '.', 'moving the new files into place', { atFolder: true });
      if (fault === undefined) throw e;
      const left = unrecovered.map((f): InputProblem => ({
        file: f.dir,
        path: '',
        message: 'could not be put back completely: the next run (synth or diagram) into this folder puts it back before writing',
      }));
      throw new UserError([...fault.problems, ...left]);
    }
    for (const f of applied) {
      f.staged.status = 'committed';
      finish(f.abs, f.staged.scratch!, f.staged.plan, this.options.onNote);
    }
    for (const f of staged) if (f.staged.scratch === undefined) f.staged.status = 'committed';
    return staged.map((f) => f.staged.report);
  }

  /** Discards what was staged and not committed, releases the locks, removes folders `open` created if still empty. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const f of this.folders) {
      const s = f.staged;
      if (s !== undefined && s.status === 'staged') {
        const pending = s.pending;
        s.pending = undefined;
        try {
          pending?.();
        } catch {
          // Discarded anyway; the writer must only be done with the folder before it goes.
        }
        if (s.scratch !== undefined) rmSync(s.scratch, { recursive: true, force: true });
        s.status = 'discarded';
      }
      f.lock?.release();
      if (f.created !== undefined) removeEmptyUpTo(f.abs, path.dirname(f.created));
    }
  }

  private folderOf(dir: string): Folder {
    const abs = realTarget(dir);
    const folder = this.folders.find((f) => f.abs === abs);
    if (folder === undefined || this.closed) throw new Error(`${dir} was not opened in this transaction`);
    return folder;
  }
}

// ---------------------------------------------------------------------------------------------
// Which folders may be written

/** The absolute path of `dir` with symbolic links resolved as far as it exists. */
function realTarget(dir: string): string {
  const abs = path.resolve(dir);
  const rest: string[] = [];
  let at = abs;
  for (;;) {
    try {
      return path.join(realpathOf(at), ...rest.reverse());
    } catch {
      const parent = path.dirname(at);
      if (parent === at) return abs;
      rest.push(path.basename(at));
      at = parent;
    }
  }
}

function realpathOf(p: string): string {
  return realpathSync.native(p);
}

function isSameOrInside(inner: string, outer: string): boolean {
  const rel = path.relative(outer, inner);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** Refuses the project folder, its ancestors, the environments folder and cdktf.out as a render's folder. */
function refuseProjectFolder(dir: string, abs: string, project: ProjectLayout): void {
  const root = realTarget(project.root);
  const environments = realTarget(project.environmentsDir);
  const terraform = realTarget(project.terraformOut);
  const choose = 'choose a folder of its own, e.g. dist/<env> or a folder in your GitOps checkout';
  let why: string | undefined;
  if (isSameOrInside(root, abs)) why = abs === root ? 'is the project folder' : 'holds the project folder';
  else if (isSameOrInside(environments, abs)) why = abs === environments ? 'is the environments folder' : 'holds the environments folder';
  else if (isSameOrInside(abs, terraform)) why = `is in ${project.terraformOut}, which holds the Terraform output`;
  else if (isSameOrInside(terraform, abs)) why = `holds ${project.terraformOut}, the Terraform output`;
  if (why !== undefined) throw UserError.of(dir, '', `${why}: a render must not be written among the project's own files; ${choose}`);
}

/** Creates the folder (and parents) if needed; returns the first folder created, if any. */
function ensureFolder(dir: string, abs: string): string | undefined {
  let stat: Stats | undefined;
  try {
    stat = statSync(abs);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') throw fileFault(e, dir, `opening ${dir}`) ?? e;
  }
  if (stat !== undefined) {
    if (!stat.isDirectory()) throw UserError.of(dir, '', 'exists and is not a folder: move it away or choose another output folder');
    return undefined;
  }
  try {
    return makeFolders(abs);
  } catch (e) {
    throw fileFault(e, dir, `creating ${dir}`) ?? e;
  }
}

/**
 * `mkdir -p` one level at a time; returns the first folder created. Node's recursive mkdir
 * reports ENOENT where the file system is read-only; one level at a time gives the real error.
 */
function makeFolders(abs: string): string | undefined {
  const missing: string[] = [];
  for (let at = abs; lstatOf(at) === undefined; at = path.dirname(at)) {
    missing.unshift(at);
    if (path.dirname(at) === at) break;
  }
  for (const folder of missing) mkdirSync(folder);
  return missing[0];
}

/** Removes `dir` and its parents up to (not including) `stop` while they are empty. */
function removeEmptyUpTo(dir: string, stop: string): void {
  for (let at = dir; isSameOrInside(at, stop) && at !== stop; at = path.dirname(at)) {
    try {
      rmdirSync(at);
    } catch {
      return;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Planning

interface Planned {
  readonly place: readonly OutputFile[];
  readonly aside: readonly string[];
  readonly createdDirs: readonly string[];
  readonly emptiedDirs: readonly string[];
  readonly report: FolderReport;
}

function lstatOf(file: string): Stats | undefined {
  try {
    return lstatSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw e;
  }
}

/** A folder with an ownership record: replace and delete only recorded files. */
function planRecordFolder(folder: Folder, files: readonly OutputFile[], mode: 'replace' | 'add', adopt: boolean): Planned {
  const { dir, abs } = folder;
  const record = readRecord(abs);
  if (record === undefined && !adopt) refuseUnowned(dir, abs, files.length);
  const owned: OwnedFiles = record ?? new Map<string, string>();

  const fresh = new Set(files.map((f) => f.path));
  const leaving = mode === 'replace' ? [...owned.keys()].filter((p) => !fresh.has(p)).sort() : [];
  const leavingSet = new Set(leaving);
  const problems: InputProblem[] = [];
  const report = { dir, written: [] as string[], unchanged: [] as string[], deleted: [] as string[], adopted: [] as string[], edited: [] as string[] };
  const place: OutputFile[] = [];
  const aside: string[] = [];

  const listing = new Listing(abs);
  for (const f of files) {
    const target = path.join(abs, ...f.path.split('/'));
    const kind = listing.kindOf(f.path);
    if (kind === undefined) {
      const blocker = blockingFile(listing, f.path);
      if (blocker !== undefined && !leavingSet.has(blocker)) {
        problems.push({
          file: displayPath(path.join(abs, blocker)),
          path: '',
          message: `is a file where the render needs a folder (for ${f.path}): move it away, or choose another output folder`,
        });
        continue;
      }
      place.push(f);
      report.written.push(f.path);
      continue;
    }
    if (kind === 'dir') {
      problems.push({
        file: displayPath(target),
        path: '',
        message: 'is a folder where the render writes a file: move it away, or choose another output folder',
      });
      continue;
    }
    const mine = owned.has(f.path);
    if (!mine && !adopt) {
      problems.push({
        file: displayPath(target),
        path: '',
        message: `exists and is not one of the files this tool wrote here (not in ${OWNERSHIP_FILE}): move it away, or pass --adopt to let the render replace it`,
      });
      continue;
    }
    const current = kind === 'file' ? readFileSync(target) : undefined;
    if (current !== undefined && current.equals(Buffer.from(f.content, 'utf8'))) {
      report.unchanged.push(f.path);
      continue;
    }
    if (!mine) report.adopted.push(f.path);
    else if (current === undefined || sha256(current) !== owned.get(f.path)) report.edited.push(f.path);
    place.push(f);
    aside.push(f.path);
    report.written.push(f.path);
  }
  if (problems.length > 0) throw new UserError(problems);

  for (const rel of leaving) {
    const kind = listing.kindOf(rel);
    // Gone already, or replaced by a folder of the user's: nothing of ours to delete.
    if (kind === undefined || kind === 'dir') continue;
    if (kind !== 'file' || sha256(readFileSync(path.join(abs, ...rel.split('/')))) !== owned.get(rel)) report.edited.push(rel);
    aside.push(rel);
    report.deleted.push(rel);
  }

  const next = new Map<string, string>(mode === 'add' ? owned : []);
  for (const f of files) next.set(f.path, sha256(f.content));
  const recordText = serializeRecord(next);
  const recordKind = listing.kindOf(OWNERSHIP_FILE);
  if (recordKind !== 'file' || readFileSync(path.join(abs, OWNERSHIP_FILE), 'utf8') !== recordText) {
    if (recordKind !== undefined) aside.push(OWNERSHIP_FILE);
    place.push({ path: OWNERSHIP_FILE, content: recordText });
  }
  report.edited.sort();
  return { place, aside, createdDirs: missingDirs(listing, place, aside), emptiedDirs: parentsOf(report.deleted), report };
}

/** A folder (or files) only this tool writes: the owned paths are replaced as a whole. */
function planPathsFolder(folder: Folder, files: readonly OutputFile[], owned: readonly string[]): Planned {
  const { dir, abs } = folder;
  for (const p of owned) if (!isOwnedPath(p)) throw new Error(`owned path ${JSON.stringify(p)} of ${dir} is not a plain relative path`);
  const under = (rel: string) => owned.some((p) => rel === p || rel.startsWith(`${p}/`));
  const stray = files.find((f) => !under(f.path));
  if (stray !== undefined) throw new Error(`${stray.path} is outside the owned paths of ${dir}`);
  const listing = new Listing(abs);
  const aside = owned.filter((p) => listing.kindOf(p) !== undefined).sort();
  const problems = files.flatMap((f): InputProblem[] => {
    const blocker = blockingFile(listing, f.path);
    return blocker !== undefined && !under(blocker)
      ? [{ file: displayPath(path.join(abs, blocker)), path: '', message: `is a file where ${dir} needs a folder: move it away` }]
      : [];
  });
  if (problems.length > 0) throw new UserError(problems);
  const report: FolderReport = { dir, written: files.map((f) => f.path), unchanged: [], deleted: [], adopted: [], edited: [] };
  return { place: files, aside, createdDirs: missingDirs(listing, files, aside), emptiedDirs: parentsOf(aside), report };
}

function refuseUnowned(dir: string, abs: string, count: number): void {
  const entries = readdirSync(abs)
    .filter((name) => !isOurs(name))
    .sort();
  if (entries.length === 0) return;
  const sample = entries.slice(0, 3).join(', ') + (entries.length > 3 ? ', ...' : '');
  throw UserError.of(
    dir,
    '',
    `is not empty (${sample}) and has no ownership record (${OWNERSHIP_FILE}), so it is not this tool's folder: choose an empty or new folder, or pass --adopt to take ownership of the ${count} files this render writes here (files with the same names are replaced; all other files stay untouched)`,
  );
}

/** Names this tool creates while it works in a folder (the lock, its drafts, scratch folders). */
function isOurs(name: string): boolean {
  return name === LOCK_FILE || name.startsWith(`${LOCK_FILE}.`) || name.startsWith(SCRATCH_PREFIX);
}

type Kind = 'file' | 'dir' | 'other';

/**
 * What a folder holds, read with one `readdir` per subfolder the plan looks at rather than one
 * `lstat` per file (a full-size synth plans some 1,700 files).
 */
class Listing {
  private readonly folders = new Map<string, ReadonlyMap<string, Kind> | undefined>();
  constructor(private readonly abs: string) {}

  /** The kind of `rel`, or undefined when nothing is there (or a file is where a folder above it should be). */
  kindOf(rel: string): Kind | undefined {
    const cut = rel.lastIndexOf('/');
    return this.entries(cut === -1 ? '' : rel.slice(0, cut))?.get(rel.slice(cut + 1));
  }

  private entries(folder: string): ReadonlyMap<string, Kind> | undefined {
    if (!this.folders.has(folder)) {
      let entries: Map<string, Kind> | undefined;
      if (folder === '' || this.kindOf(folder) === 'dir') {
        entries = new Map(
          readdirSync(path.join(this.abs, ...(folder === '' ? [] : folder.split('/'))), { withFileTypes: true }).map((d): [string, Kind] => [
            d.name,
            d.isDirectory() ? 'dir' : d.isFile() ? 'file' : 'other',
          ]),
        );
      }
      this.folders.set(folder, entries);
    }
    return this.folders.get(folder);
  }
}

/** The first ancestor of `rel` that exists and is not a folder. */
function blockingFile(listing: Listing, rel: string): string | undefined {
  const parts = rel.split('/');
  for (let i = 1; i < parts.length; i++) {
    const prefix = parts.slice(0, i).join('/');
    const kind = listing.kindOf(prefix);
    if (kind === undefined) return undefined;
    if (kind !== 'dir') return prefix;
  }
  return undefined;
}

/** Folders the placed files need that do not exist (or are moved aside), parents first. */
function missingDirs(listing: Listing, place: readonly OutputFile[], aside: readonly string[]): string[] {
  const out = new Set<string>();
  for (const f of place) {
    const parts = f.path.split('/');
    for (let i = 1; i < parts.length; i++) {
      const rel = parts.slice(0, i).join('/');
      if (out.has(rel)) continue;
      // Missing, or moved aside (itself or a folder above it): the commit creates it anew.
      if (listing.kindOf(rel) === undefined || aside.some((a) => rel === a || rel.startsWith(`${a}/`))) out.add(rel);
    }
  }
  return [...out].sort((a, b) => a.split('/').length - b.split('/').length || (a < b ? -1 : 1));
}

/** Every parent folder of the paths, deepest first. */
function parentsOf(paths: readonly string[]): string[] {
  const out = new Set<string>();
  for (const p of paths) {
    const parts = p.split('/');
    for (let i = parts.length - 1; i >= 1; i--) out.add(parts.slice(0, i).join('/'));
  }
  return [...out].sort((a, b) => b.split('/').length - a.split('/').length || (a < b ? -1 : 1));
}

/** The files a caller passes are the program's own output: a bad path is a bug, not bad input. */
function checkPaths(dir: string, files: readonly OutputFile[]): void {
  const seen = new Set<string>();
  const folders = new Set<string>();
  for (const f of files) {
    if (f.path === OWNERSHIP_FILE || isOurs(f.path.split('/')[0]))
      throw new Error(`cannot write ${JSON.stringify(f.path)} into ${dir}: the name is this tool's own`);
    if (!isOwnedPath(f.path))
      throw new Error(`cannot write ${JSON.stringify(f.path)} into ${dir}: use a relative path with "/" separators and no "", "." or ".." elements`);
    if (seen.has(f.path)) throw new Error(`cannot write ${JSON.stringify(f.path)} into ${dir} twice: file paths must be unique`);
    seen.add(f.path);
    const parts = f.path.split('/');
    for (let i = 1; i < parts.length; i++) folders.add(parts.slice(0, i).join('/'));
  }
  const clash = [...seen].find((p) => folders.has(p));
  if (clash !== undefined) throw new Error(`cannot write ${JSON.stringify(clash)} into ${dir} as a file and as a folder`);
}

// ---------------------------------------------------------------------------------------------
// Staging and committing

function stageFiles(folder: Folder, planned: Planned, writer: BackgroundWriter | undefined): Staged {
  const plan: Plan = { place: planned.place.map((f) => f.path), aside: planned.aside, createdDirs: planned.createdDirs, emptiedDirs: planned.emptiedDirs };
  if (plan.place.length === 0 && plan.aside.length === 0) {
    return { scratch: undefined, plan, report: planned.report, pending: undefined, status: 'staged' };
  }
  let scratch: string;
  try {
    scratch = makeScratch(folder.abs);
    mkdirSync(path.join(scratch, 'new'));
  } catch (e) {
    throw fileFault(e, folder.dir, `staging ${folder.dir}`, { atFolder: true }) ?? e;
  }
  const root = path.join(scratch, 'new');
  if (writer !== undefined) {
    const job = writer.write({ root, files: planned.place });
    return { scratch, plan, report: planned.report, pending: () => writer.wait(job), status: 'staged' };
  }
  try {
    writeFilesInto({ fs: { mkdirSync, writeFileSync }, path }, root, planned.place);
  } catch (e) {
    rmSync(scratch, { recursive: true, force: true });
    throw fileFault(e, folder.dir, `writing the new files of ${folder.dir}`, { atFolder: true }) ?? e;
  }
  return { scratch, plan, report: planned.report, pending: undefined, status: 'staged' };
}

function makeScratch(abs: string): string {
  for (;;) {
    const scratch = path.join(abs, `${SCRATCH_PREFIX}${process.pid}-${randomBytes(6).toString('hex')}`);
    try {
      mkdirSync(scratch);
      return scratch;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
}

/** Writes the state file in one step (a draft renamed over it). */
function writeState(scratch: string, state: State): void {
  const file = path.join(scratch, STATE_FILE);
  writeFileSync(`${file}.draft`, JSON.stringify(state));
  renameSync(`${file}.draft`, file);
}

function readState(scratch: string): State | undefined {
  try {
    const state = JSON.parse(readFileSync(path.join(scratch, STATE_FILE), 'utf8')) as State;
    const plan = state.plan;
    const valid = (list: unknown) => Array.isArray(list) && list.every((p) => typeof p === 'string' && (isOwnedPath(p) || p === OWNERSHIP_FILE));
    if (
      (state.state === 'committing' || state.state === 'committed') &&
      valid(plan.place) &&
      valid(plan.aside) &&
      valid(plan.createdDirs) &&
      valid(plan.emptiedDirs)
    )
      return state;
  } catch {
    // No state yet: the run stopped before its commit began.
  }
  return undefined;
}

const at = (root: string, rel: string) => path.join(root, ...rel.split('/'));

/** Moves the old files aside and the new ones into place. */
function apply(abs: string, scratch: string, plan: Plan): void {
  writeState(scratch, { state: 'committing', plan });
  const old = path.join(scratch, 'old');
  for (const rel of plan.aside) {
    mkdirSync(path.dirname(at(old, rel)), { recursive: true });
    renameSync(at(abs, rel), at(old, rel));
  }
  for (const rel of plan.createdDirs) mkdirSync(at(abs, rel));
  for (const rel of plan.place) renameSync(at(path.join(scratch, 'new'), rel), at(abs, rel));
}

/** Puts the folder back as it was before `apply` (however far it got); true when it succeeded. */
function undo(abs: string, scratch: string, plan: Plan): void {
  const fresh = path.join(scratch, 'new');
  const old = path.join(scratch, 'old');
  for (const rel of [...plan.place].reverse()) {
    if (lstatOf(at(fresh, rel)) === undefined && lstatOf(at(abs, rel)) !== undefined) {
      mkdirSync(path.dirname(at(fresh, rel)), { recursive: true });
      renameSync(at(abs, rel), at(fresh, rel));
    }
  }
  for (const rel of [...plan.createdDirs].reverse()) {
    try {
      rmdirSync(at(abs, rel));
    } catch {
      // Not created yet, or not empty (then something else is there: leave it).
    }
  }
  for (const rel of plan.aside) {
    if (lstatOf(at(old, rel)) !== undefined) {
      mkdirSync(path.dirname(at(abs, rel)), { recursive: true });
      renameSync(at(old, rel), at(abs, rel));
    }
  }
  rmSync(scratch, { recursive: true, force: true });
}

function undoSafely(abs: string, scratch: string, plan: Plan): boolean {
  try {
    undo(abs, scratch, plan);
    return true;
  } catch {
    return false;
  }
}

/**
 * After a commit: removes the old files and the folders the deletions emptied, then the scratch
 * folder, its state last (a run that stops on the way leaves a state that still says what to finish).
 */
function finish(abs: string, scratch: string, plan: Plan, onNote: ((note: string) => void) | undefined): void {
  try {
    for (const part of ['old', 'new']) if (lstatOf(path.join(scratch, part)) !== undefined) removeTree(path.join(scratch, part));
    for (const rel of plan.emptiedDirs) {
      try {
        rmdirSync(at(abs, rel));
      } catch {
        // Not empty: other files live there.
      }
    }
    removeTree(scratch);
  } catch (e) {
    if (!isFileFault(e)) throw e;
    onNote?.(`could not remove ${displayPath(scratch)} after the commit (${e.code}): the next run removes it`);
  }
}

/** `rm -r` by the entries' types (no `lstat` per entry): after a commit a scratch folder holds few. */
function removeTree(dir: string): void {
  const entries = readdirSync(dir, { withFileTypes: true });
  // The state file goes last.
  entries.sort((a, b) => Number(a.name === STATE_FILE) - Number(b.name === STATE_FILE));
  for (const entry of entries) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) removeTree(p);
    else unlinkSync(p);
  }
  rmdirSync(dir);
}

/**
 * Scratch folders in a locked folder belong to runs that are gone (a live run would hold the
 * lock): undo a commit that had begun, complete one that had finished, drop the rest.
 */
function recoverInterrupted(folder: Folder, onNote: ((note: string) => void) | undefined): void {
  let names: string[];
  try {
    names = readdirSync(folder.abs);
  } catch (e) {
    throw fileFault(e, folder.dir, `reading ${folder.dir}`) ?? e;
  }
  for (const name of names.filter((n) => n.startsWith(SCRATCH_PREFIX)).sort()) {
    const scratch = path.join(folder.abs, name);
    const state = readState(scratch);
    try {
      if (state?.state === 'committing') {
        undo(folder.abs, scratch, state.plan);
        onNote?.(`${folder.dir}: an earlier run stopped while moving its files into place; put the folder back as it was before that run`);
      } else if (state?.state === 'committed') {
        finish(folder.abs, scratch, state.plan, onNote);
      } else {
        rmSync(scratch, { recursive: true, force: true });
      }
    } catch (e) {
      throw fileFault(e, folder.dir, `putting back ${folder.dir} after an interrupted run`) ?? e;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Leftovers of earlier versions, which staged next to the folder and swapped whole folders

/**
 * Earlier versions staged beside the folder (`.<name>.new-<pid>-*`), moved the previous folder
 * aside (`.<name>.old-<pid>-*`, `cdktf.out/stacks/<env>.old-<pid>`), staged Terraform output in
 * `.cdktf.out-staging-<pid>-*` and wrote `<file>.tmp-<pid>`. Those of processes that are gone
 * are removed; a folder moved aside is moved back when its place is empty, and is kept (with a
 * note) when it holds anything but rendered files, such as a `.git` an earlier version moved.
 */
function removeLegacyLeftovers(folder: Folder, onNote: ((note: string) => void) | undefined): void {
  const parent = path.dirname(folder.abs);
  const base = path.basename(folder.abs);
  const escaped = base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  type Leftover = { readonly dir: string; readonly re: RegExp; readonly restore?: (name: string) => string };
  const patterns: Leftover[] =
    folder.ownership.kind === 'record'
      ? [
          { dir: parent, re: new RegExp(`^\\.${escaped}\\.new-(\\d+)-`) },
          { dir: parent, re: new RegExp(`^\\.${escaped}\\.old-(\\d+)-`), restore: () => folder.abs },
          { dir: folder.abs, re: /^TRUST\.md\.tmp-(\d+)$/ },
        ]
      : [
          { dir: parent, re: new RegExp(`^\\.${escaped}-staging-(\\d+)-`) },
          { dir: folder.abs, re: /^manifest\.json\.tmp-(\d+)$/ },
          {
            dir: path.join(folder.abs, 'stacks'),
            re: /^(?!\.).+\.old-(\d+)$/,
            restore: (name) => path.join(folder.abs, 'stacks', name.replace(/\.old-\d+$/, '')),
          },
        ];
  for (const { dir, re, restore } of patterns) {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names.sort()) {
      const pid = Number(re.exec(name)?.[1]);
      if (!Number.isSafeInteger(pid) || pid === process.pid || processIsAlive(pid)) continue;
      const leftover = path.join(dir, name);
      try {
        const place = restore?.(name);
        if (place !== undefined && lstatOf(place) === undefined) {
          renameSync(leftover, place);
          onNote?.(`moved ${displayPath(leftover)} back to ${displayPath(place)}: an earlier version stopped while replacing it`);
        } else if (place !== undefined && !onlyRenderedFiles(leftover)) {
          onNote?.(
            `left ${displayPath(leftover)} in place: an earlier version moved it aside and it holds files this tool does not write (such as .git); move them back by hand`,
          );
        } else {
          rmSync(leftover, { recursive: true, force: true });
        }
      } catch (e) {
        // Another run cleaned it up first.
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw fileFault(e, leftover, 'removing what an earlier run left behind') ?? e;
      }
    }
  }
}

/** True when a folder holds nothing but files a render writes (YAML, TRUST.md, cdk.tf.json). */
function onlyRenderedFiles(dir: string): boolean {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      if (entry.name.startsWith('.') || !onlyRenderedFiles(path.join(dir, entry.name))) return false;
    } else if (!/^[^.].*\.(ya?ml|md|json)$/.test(entry.name)) {
      return false;
    }
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Single user files

/**
 * Writes one file that belongs to the user (e.g. a new environment file) in one step: the
 * content goes to a draft beside it, then takes its place. Without `overwrite`, an existing
 * file is never replaced. File faults become `UserError`.
 */
export function writeUserFile(file: string, content: string, options: { readonly overwrite: boolean }): void {
  const draft = path.join(path.dirname(file), `.${path.basename(file)}.tmp-${process.pid}`);
  try {
    makeFolders(path.resolve(path.dirname(file)));
    writeFileSync(draft, content, { flag: 'w' });
    if (options.overwrite) {
      renameSync(draft, file);
    } else {
      // link() fails if the file exists: no check-then-write race with another run.
      linkSync(draft, file);
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST' && !options.overwrite)
      throw UserError.of(file, '', 'already exists and is never overwritten: edit it, choose another name, or delete it first to start over');
    throw fileFault(e, file, `writing ${file}`, { atFolder: true }) ?? e;
  } finally {
    try {
      rmSync(draft, { force: true });
    } catch {
      // The draft could not be made either (the error above says why).
    }
  }
}
