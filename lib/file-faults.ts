/**
 * Faults of the machine rather than of this program: a read-only or full disk, a permission, a
 * path that is too long or runs through a file. They are bad input (exit 2, with the path and a
 * fix), never a bug (exit 70 with a stack trace). One table decodes them for every reader and
 * writer, so each fault reads the same wherever it happens.
 */
import * as path from 'node:path';
import { UserError, type InputProblem } from './errors';

interface Fault {
  /** What happened, in the user's words. */
  readonly what: string;
  /** How to get past it. */
  readonly fix: string;
}

const FREE_SPACE = 'free some space, or choose a folder on another disk';
const PERMISSIONS = 'check the permissions of the file and of the folders above it (running as another user?), or choose another path';

/** errno code → what happened and the fix. A code not listed here escapes as a bug. */
const FAULTS: Readonly<Record<string, Fault>> = {
  EROFS: { what: 'the file system is read-only', fix: 'choose a folder on a writable file system, or remount it read-write' },
  ENOSPC: { what: 'no space left on the device', fix: FREE_SPACE },
  EDQUOT: { what: 'the disk quota is used up', fix: FREE_SPACE },
  EFBIG: { what: 'the file is larger than the file system allows', fix: FREE_SPACE },
  EACCES: { what: 'permission denied', fix: PERMISSIONS },
  EPERM: { what: 'operation not permitted', fix: PERMISSIONS },
  ENAMETOOLONG: { what: 'the path is too long', fix: 'use a shorter path (fewer or shorter folder names)' },
  EEXIST: { what: 'something is already there', fix: 'move it away, or choose another path' },
  ENOTDIR: { what: 'a part of the path is a file, not a folder', fix: 'move that file away, or choose another path' },
  EISDIR: { what: 'is a folder, not a file', fix: 'pass the file itself' },
  ENOTEMPTY: { what: 'a folder is in the way and is not empty', fix: 'move it away, or choose another path' },
  ELOOP: { what: 'too many levels of symbolic links', fix: 'fix the symbolic link loop, or pass the real path' },
  ENXIO: { what: 'a socket or a device with nothing behind it, not a regular file', fix: 'pass a regular file' },
  EMFILE: { what: 'too many open files', fix: 'raise the limit ("ulimit -n"), or close other programs' },
  ENFILE: { what: 'too many open files on the system', fix: 'close other programs and try again' },
  EBUSY: { what: 'the file or folder is busy', fix: 'close the program that holds it and try again' },
  EIO: { what: 'the device reported an input/output error', fix: 'check the disk (dmesg), or choose a folder on another disk' },
  EXDEV: { what: 'the path crosses file systems where a rename cannot', fix: 'choose a folder that is not a mount point of another file system' },
};

/** True for an error from the file system whose cause lies outside this program. */
export function isFileFault(e: unknown): e is NodeJS.ErrnoException & { code: string } {
  // Not `instanceof Error`: errors made by Node's own modules may come from another realm (a
  // vm context, a worker), where that is false.
  const code = typeof e === 'object' && e !== null ? (e as { code?: unknown }).code : undefined;
  return typeof code === 'string' && Object.prototype.hasOwnProperty.call(FAULTS, code);
}

/**
 * A path for messages: relative to the working folder when it lies inside it (no machine paths
 * in messages), as given otherwise.
 */
export function displayPath(p: string): string {
  if (!path.isAbsolute(p)) return p;
  const rel = path.relative(process.cwd(), p);
  return rel === '' ? '.' : rel.startsWith('..') || path.isAbsolute(rel) ? p : rel;
}

export interface FaultOptions {
  /** Name `file` rather than the path the system reports (a scratch file the user never sees). */
  readonly atFolder?: boolean;
}

/**
 * The problem for a file fault: the path (the one the system names, else `file`), what happened
 * and the fix. `doing` says what this program was doing ("writing dist/dev").
 */
export function faultProblem(e: NodeJS.ErrnoException & { code: string }, file: string, doing?: string, options: FaultOptions = {}): InputProblem {
  const fault = FAULTS[e.code];
  const where = displayPath(options.atFolder === true ? file : (e.path ?? file));
  const context = doing !== undefined ? ` while ${doing}` : '';
  return { file: where, path: '', message: `${fault.what} (${e.code}${context}): ${fault.fix}` };
}

/** The `UserError` for a file fault, or undefined when `e` is something else (a bug). */
export function fileFault(e: unknown, file: string, doing?: string, options: FaultOptions = {}): UserError | undefined {
  return isFileFault(e) ? new UserError([faultProblem(e, file, doing, options)]) : undefined;
}
