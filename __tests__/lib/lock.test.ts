/**
 * The folder lock: one holder at a time, its holder named, stale locks of gone processes taken
 * over, and a release that never removes another run's lock.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import * as path from 'node:path';
import { acquireLock, LOCK_FILE, type LockHolder } from '../../lib/lock';
import { deadPid } from '../support/faults';
import { userErrorOf } from '../support/user-error';

let root: string;
beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'akscsi-lock-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const holderIn = (dir: string) => JSON.parse(readFileSync(path.join(dir, LOCK_FILE), 'utf8')) as LockHolder;

test('the lock file names this process, its host and command; release removes it', () => {
  const lock = acquireLock(root, { command: 'synth' });
  expect(holderIn(root)).toMatchObject({ pid: process.pid, host: hostname(), command: 'synth' });
  lock.release();
  lock.release();
  expect(existsSync(path.join(root, LOCK_FILE))).toBe(false);
});

test('a second acquisition in the same process waits like any other (no re-entry), then gives up', () => {
  const lock = acquireLock(root, { command: 'synth' });
  try {
    expect(userErrorOf(() => acquireLock(root, { command: 'diagram', timeoutMs: 0 })).problems[0].message).toMatch(
      new RegExp(`^another run is writing this folder: it is locked by pid ${process.pid} on this host \\("aks-keyvault-csi synth"`),
    );
  } finally {
    lock.release();
  }
});

test('a release does not remove a lock that another run holds now', () => {
  const lock = acquireLock(root, { command: 'synth' });
  // Someone deleted our lock by hand and another run took it.
  const other = { pid: process.ppid, host: hostname(), command: 'synth', since: 'now', token: 'theirs' };
  writeFileSync(path.join(root, LOCK_FILE), JSON.stringify(other));
  lock.release();
  expect(holderIn(root).token).toBe('theirs');
});

test('a lock whose process is gone is taken over, and onStale says so', () => {
  const dead = deadPid();
  writeFileSync(path.join(root, LOCK_FILE), JSON.stringify({ pid: dead, host: hostname(), command: 'synth', since: 'then', token: 'old' }));
  const stale: number[] = [];
  const lock = acquireLock(root, { command: 'synth', timeoutMs: 0, onStale: (_, h) => stale.push(h.pid) });
  expect(stale).toEqual([dead]);
  expect(holderIn(root).pid).toBe(process.pid);
  lock.release();
});

test('a lock whose pid now belongs to another process (a different start tick) is stale', () => {
  if (!existsSync('/proc/self/stat')) {
    console.log('no /proc here: process start ticks are not recorded, so a recycled pid is only caught by the process check');
    return;
  }
  // The parent of this test is alive, but it is not the process that took this lock.
  writeFileSync(
    path.join(root, LOCK_FILE),
    JSON.stringify({ pid: process.ppid, host: hostname(), command: 'synth', since: 'then', start: 'another-boot:1', token: 'old' }),
  );
  acquireLock(root, { command: 'synth', timeoutMs: 0 }).release();
});

test('a lock of another host is never taken over: the message names the host', () => {
  writeFileSync(path.join(root, LOCK_FILE), JSON.stringify({ pid: deadPid(), host: 'build-agent-7', command: 'synth', since: 'then', token: 'x' }));
  expect(userErrorOf(() => acquireLock(root, { command: 'synth', timeoutMs: 0 })).problems[0].message).toMatch(/locked by pid \d+ on host build-agent-7 /);
});

test('an unreadable lock is treated as held; the message says how to remove it', () => {
  writeFileSync(path.join(root, LOCK_FILE), 'not json');
  const message = userErrorOf(() => acquireLock(root, { command: 'synth', timeoutMs: 0 })).problems[0].message;
  expect(message).toBe(
    `another run is writing this folder: it is locked by an unreadable lock (not written by this tool, or cut short): wait for that run to finish (or pass a longer --lock-timeout); if no such run is going, delete ${path.join(root, LOCK_FILE)}`,
  );
});

test('a run waits for the holder to finish, then takes the lock', async () => {
  // A child holds the lock for a moment, then releases it.
  const child = spawn(process.execPath, [
    '-e',
    `const fs = require('fs'); const f = ${JSON.stringify(path.join(root, LOCK_FILE))};
     fs.writeFileSync(f, JSON.stringify({ pid: process.pid, host: require('os').hostname(), command: 'synth', since: 'now', token: 'child' }));
     console.log('locked'); setTimeout(() => fs.unlinkSync(f), 1500);`,
  ]);
  await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
  const waits: string[] = [];
  const lock = acquireLock(root, { command: 'synth', timeoutMs: 30_000, onWait: (_, h) => waits.push(h?.token ?? '?') });
  expect(waits).toEqual(['child']);
  expect(holderIn(root).pid).toBe(process.pid);
  lock.release();
  await new Promise((resolve) => child.once('exit', resolve));
});
