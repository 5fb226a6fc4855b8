/**
 * One run at a time per output folder: a lock file in the folder, naming its holder.
 *
 * The lock is a file created atomically with its content (written aside, then hard-linked into
 * place, which fails if the lock exists). It names the holder: process id, host, command, start
 * time, and the process's start tick on Linux, so a recycled process id is not taken for the
 * holder. A lock whose holder is gone (same host, process not running) is stale and taken over;
 * a live holder is waited for up to a timeout, then the run stops with exit 2, naming the lock
 * and its holder.
 *
 * Why not proper-lockfile: it decides staleness by the lock's age, refreshed on a timer. A synth
 * holds the event loop for seconds (cdktf synthesizes synchronously), so the timer would not
 * run and a second run would take a live lock; and it does not record who holds a lock, which
 * the message needs. A process id check has neither problem.
 */
import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { UserError } from './errors';
import { displayPath, fileFault } from './file-faults';

/** The lock file's name in a locked folder. */
export const LOCK_FILE = '.aks-keyvault-csi.lock';

/** Who holds a lock. */
export interface LockHolder {
  readonly pid: number;
  readonly host: string;
  /** What the holder runs, e.g. `synth`. */
  readonly command: string;
  /** When it took the lock (ISO 8601). */
  readonly since: string;
  /** Linux: boot id and start tick of the process, so a recycled pid does not pass for the holder. */
  readonly start?: string;
  /** Unique per acquisition: a release never removes another run's lock. */
  readonly token: string;
}

export interface LockOptions {
  /** What this run does, for the holder record and messages (e.g. `synth`). */
  readonly command: string;
  /** How long to wait for a live holder. @default 60_000 */
  readonly timeoutMs?: number;
  /** Called once when the lock is held by a live run and this one starts waiting. */
  readonly onWait?: (file: string, holder: LockHolder | undefined) => void;
  /** Called when a stale lock (its holder gone) was removed. */
  readonly onStale?: (file: string, holder: LockHolder) => void;
}

export interface Lock {
  readonly file: string;
  /** Removes the lock if it is still this run's. Idempotent. */
  release(): void;
}

/** Tokens of the locks this process holds: a lock file with this pid and another token is stale. */
const held = new Set<string>();

/** Takes the lock of `dir` (which exists), waiting for a live holder up to the timeout. */
export function acquireLock(dir: string, options: LockOptions): Lock {
  const file = path.join(dir, LOCK_FILE);
  const timeoutMs = options.timeoutMs ?? 60_000;
  const deadline = Date.now() + timeoutMs;
  const holder: LockHolder = {
    pid: process.pid,
    host: os.hostname(),
    command: options.command,
    since: new Date().toISOString(),
    ...startOf(process.pid),
    token: randomBytes(12).toString('hex'),
  };
  removeAbandonedDrafts(dir);
  let waited = false;
  for (;;) {
    if (tryCreate(file, holder)) {
      held.add(holder.token);
      return lockHandle(file, holder.token);
    }
    const current = readHolder(file);
    if (current === 'gone') continue;
    if (current !== undefined && isStale(current)) {
      if (takeOver(file, current)) options.onStale?.(file, current);
      continue;
    }
    if (Date.now() >= deadline) throw lockedError(file, current, timeoutMs);
    if (!waited) {
      waited = true;
      options.onWait?.(file, current);
    }
    sleep(Math.min(200, Math.max(1, deadline - Date.now())));
  }
}

function lockHandle(file: string, token: string): Lock {
  let released = false;
  return {
    file,
    release() {
      if (released) return;
      released = true;
      held.delete(token);
      const current = readHolder(file);
      if (typeof current === 'object' && current.token === token) {
        try {
          unlinkSync(file);
        } catch {
          // Gone already: nothing to release.
        }
      }
    },
  };
}

/** Creates the lock with its content in one step; false when a lock exists. */
function tryCreate(file: string, holder: LockHolder): boolean {
  const content = `${JSON.stringify(holder, null, 2)}\n`;
  const draft = `${file}.${process.pid}-${randomBytes(6).toString('hex')}`;
  try {
    writeFileSync(draft, content, { flag: 'wx' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      // The folder went away (a run that created it removed it again, empty): make it again.
      mkdirSync(path.dirname(file), { recursive: true });
      return false;
    }
    throw fileFault(e, path.dirname(file), 'taking the lock', { atFolder: true }) ?? e;
  }
  try {
    linkSync(draft, file);
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    // File systems without hard links: an exclusive create (content follows at once).
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'ENOSYS') return createExclusive(file, content);
    throw fileFault(e, path.dirname(file), 'taking the lock', { atFolder: true }) ?? e;
  } finally {
    rmSync(draft, { force: true });
  }
}

function createExclusive(file: string, content: string): boolean {
  try {
    writeFileSync(file, content, { flag: 'wx' });
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw fileFault(e, path.dirname(file), 'taking the lock', { atFolder: true }) ?? e;
  }
}

/** The holder named in a lock file; 'gone' when the file vanished; undefined when it is unreadable. */
function readHolder(file: string): LockHolder | 'gone' | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    throw fileFault(e, file, 'reading the lock', { atFolder: true }) ?? e;
  }
  try {
    const h = JSON.parse(text) as Partial<LockHolder>;
    if (typeof h.pid === 'number' && typeof h.host === 'string' && typeof h.token === 'string') {
      return {
        pid: h.pid,
        host: h.host,
        command: String(h.command ?? '?'),
        since: String(h.since ?? '?'),
        token: h.token,
        ...(typeof h.start === 'string' ? { start: h.start } : {}),
      };
    }
  } catch {
    // Not ours, or cut short: treated as held, and the message says how to remove it.
  }
  return undefined;
}

/** A holder on this host whose process is gone (or is another process with a recycled pid). */
function isStale(holder: LockHolder): boolean {
  if (holder.host !== os.hostname()) return false;
  if (holder.pid === process.pid) return !held.has(holder.token);
  if (!processIsAlive(holder.pid)) return true;
  const now = startOf(holder.pid).start;
  return holder.start !== undefined && now !== undefined && now !== holder.start;
}

/**
 * Removes a stale lock without removing a live one that replaced it in the meantime: the lock is
 * renamed to a private name first and only deleted if it still names the stale holder.
 */
function takeOver(file: string, stale: LockHolder): boolean {
  const claim = `${file}.stale-${process.pid}-${randomBytes(6).toString('hex')}`;
  try {
    renameSync(file, claim);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw fileFault(e, file, 'removing a stale lock', { atFolder: true }) ?? e;
  }
  const claimed = readHolder(claim);
  if (typeof claimed === 'object' && claimed.token !== stale.token) {
    // A live lock slipped in between the read and the rename: put it back.
    try {
      linkSync(claim, file);
    } catch {
      // Another run holds the lock now; the one moved aside will find its lock gone at release.
    }
  }
  rmSync(claim, { force: true });
  return typeof claimed === 'object' && claimed.token === stale.token;
}

const DRAFT = new RegExp(`^${LOCK_FILE.replace(/\./g, '\\.')}\\.(?:stale-)?(\\d+)-[0-9a-f]+$`);

/** Drafts and claims (`<lock>.<pid>-...`, `<lock>.stale-<pid>-...`) of processes that died mid-way. */
function removeAbandonedDrafts(dir: string): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const m = DRAFT.exec(name);
    if (m === null) continue;
    const pid = Number(m[1]);
    if (pid !== process.pid && !processIsAlive(pid)) rmSync(path.join(dir, name), { force: true });
  }
}

function lockedError(file: string, holder: LockHolder | undefined, timeoutMs: number): UserError {
  const who =
    holder === undefined
      ? 'an unreadable lock (not written by this tool, or cut short)'
      : `pid ${holder.pid} on ${holder.host === os.hostname() ? 'this host' : `host ${holder.host}`} ("aks-keyvault-csi ${holder.command}", since ${holder.since})`;
  const waited = timeoutMs > 0 ? ` (waited ${Math.round(timeoutMs / 1000)} s)` : '';
  return UserError.of(
    displayPath(file),
    '',
    `another run is writing this folder: it is locked by ${who}${waited}: wait for that run to finish (or pass a longer --lock-timeout); if no such run is going, delete ${displayPath(file)}`,
  );
}

/** Signal 0 only checks: EPERM means the process exists but belongs to someone else. */
export function processIsAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Linux: `<boot id>:<start tick>` of a process; {} where /proc is not there. */
function startOf(pid: number): { start?: string } {
  try {
    const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22 (starttime); fields are counted after the command name, which may hold spaces.
    const tick = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
    return tick !== undefined && /^\d+$/.test(tick) ? { start: `${boot}:${tick}` } : {};
  } catch {
    return {};
  }
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));
function sleep(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}
