/**
 * Shared test helper: file system faults on demand (a read-only or full disk, no permission)
 * without root tricks, and process ids of processes that are gone.
 *
 * The production modules call `fs` functions through named imports, which SWC compiles to
 * property reads on Node's `fs` module object at call time: a spy on that object (not on a
 * namespace import, which is an interop copy) reaches them.
 */
import { spawnSync } from 'node:child_process';

export const fs = require('node:fs') as typeof import('node:fs');

/** An error shaped as Node's fs raises it. */
export function fsError(code: string, syscall: string, file: string): NodeJS.ErrnoException {
  const messages: Record<string, string> = {
    EROFS: 'read-only file system',
    ENOSPC: 'no space left on device',
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EIO: 'i/o error',
    EBUSY: 'resource busy or locked',
  };
  return Object.assign(new Error(`${code}: ${messages[code] ?? 'error'}, ${syscall} '${file}'`), { code, syscall, path: file, errno: -1 });
}

type FsFunction = 'writeFileSync' | 'renameSync' | 'mkdirSync' | 'openSync' | 'linkSync' | 'readFileSync' | 'rmdirSync';

/**
 * Makes `fs[name]` throw `code` on the calls `when` picks (by default every call); the other
 * calls go through. Restored by `jest.restoreAllMocks()`.
 */
export function injectFault(name: FsFunction, code: string, when: (call: number, args: unknown[]) => boolean = () => true): jest.SpyInstance {
  const real = fs[name] as (...args: unknown[]) => unknown;
  let calls = 0;
  return jest.spyOn(fs, name).mockImplementation(((...args: unknown[]) => {
    calls++;
    if (when(calls, args)) throw fsError(code, name.replace(/Sync$/, ''), String(args[0]));
    return real.apply(fs, args);
  }) as never);
}

/** A process id that no process has now: a child that has exited. */
export function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', '']);
  if (r.status !== 0 || r.pid === undefined) throw new Error('could not run a child process');
  return r.pid;
}

/** True when this process can write where permissions say it may not (root, CAP_DAC_OVERRIDE). */
export function permissionsAreIgnored(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}
