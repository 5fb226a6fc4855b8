import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { makeScratchDir, writeFolderAtomically, type OutputFile } from '../../lib/write';
import { readTree as snapshot } from '../support/tree';

// The module object itself (a namespace import would be an interop copy that spies cannot reach).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const fs = require('node:fs') as typeof import('node:fs');

let root: string;
beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'akscsi-write-'));
});
afterEach(() => {
  jest.restoreAllMocks();
  rmSync(root, { recursive: true, force: true });
});


const OLD: OutputFile[] = [
  { path: 'a.yaml', content: 'old a\n' },
  { path: 'stale.yaml', content: 'stale\n' },
  { path: 'bootstrap/app.yaml', content: 'old app\n' },
];

test('creates the folder (and its parents) with exactly the files', () => {
  const dir = path.join(root, 'dist', 'dev');
  writeFolderAtomically(dir, OLD);
  expect(snapshot(dir)).toEqual({ 'a.yaml': 'old a\n', 'stale.yaml': 'stale\n', 'bootstrap/app.yaml': 'old app\n' });
  expect(readdirSync(path.join(root, 'dist'))).toEqual(['dev']);
});

test('replaces the previous render and removes its stale files', () => {
  const dir = path.join(root, 'dev');
  writeFolderAtomically(dir, OLD);
  writeFolderAtomically(dir, [{ path: 'a.yaml', content: 'new a\n' }, { path: 'b.yaml', content: 'b\n' }]);
  expect(snapshot(dir)).toEqual({ 'a.yaml': 'new a\n', 'b.yaml': 'b\n' });
  expect(readdirSync(root)).toEqual(['dev']);
});

test('a failure mid-write leaves the previous folder byte-identical and no temporary folder behind', () => {
  const dir = path.join(root, 'dev');
  writeFolderAtomically(dir, OLD);
  const before = snapshot(dir);
  const real = fs.writeFileSync;
  let calls = 0;
  jest.spyOn(fs, 'writeFileSync').mockImplementation((...args: Parameters<typeof fs.writeFileSync>) => {
    if (++calls === 2) throw new Error('disk full');
    return real(...args);
  });
  expect(() => writeFolderAtomically(dir, [{ path: 'a.yaml', content: 'new\n' }, { path: 'b.yaml', content: 'new\n' }, { path: 'c.yaml', content: 'new\n' }])).toThrow('disk full');
  expect(snapshot(dir)).toEqual(before);
  expect(readdirSync(root)).toEqual(['dev']);
});

test('a file colliding with a folder fails without touching the previous folder', () => {
  const dir = path.join(root, 'dev');
  writeFolderAtomically(dir, OLD);
  const before = snapshot(dir);
  expect(() => writeFolderAtomically(dir, [{ path: 'x', content: 'file\n' }, { path: 'x/y.yaml', content: 'nested\n' }])).toThrow();
  expect(snapshot(dir)).toEqual(before);
  expect(readdirSync(root)).toEqual(['dev']);
});

test('a failed swap restores the previous folder', () => {
  const dir = path.join(root, 'dev');
  writeFolderAtomically(dir, OLD);
  const before = snapshot(dir);
  const real = fs.renameSync;
  let calls = 0;
  jest.spyOn(fs, 'renameSync').mockImplementation((from, to) => {
    // The first rename moves the old folder aside; the second (new into place) fails.
    if (++calls === 2) throw new Error('EXDEV');
    return real(from, to);
  });
  expect(() => writeFolderAtomically(dir, [{ path: 'new.yaml', content: 'new\n' }])).toThrow('EXDEV');
  expect(snapshot(dir)).toEqual(before);
  expect(readdirSync(root)).toEqual(['dev']);
});

test.each([
  ['an absolute path', '/etc/passwd'],
  ['a ".." element', '../x.yaml'],
  ['an empty element', 'a//b.yaml'],
  ['a backslash', 'a\\b.yaml'],
])('fails on %s without writing anything', (_, p) => {
  const dir = path.join(root, 'dev');
  expect(() => writeFolderAtomically(dir, [{ path: p, content: 'x' }])).toThrow('use a relative path with "/" separators');
  expect(readdirSync(root)).toEqual([]);
});

test('fails on a duplicate path', () => {
  expect(() => writeFolderAtomically(path.join(root, 'dev'), [{ path: 'a', content: '1' }, { path: 'a', content: '2' }])).toThrow('file paths must be unique');
});

test('fails when the target is a file', () => {
  const file = path.join(root, 'dev');
  fs.writeFileSync(file, 'not a folder');
  expect(() => writeFolderAtomically(file, [{ path: 'a', content: '1' }])).toThrow('exists and is not a folder');
  expect(readFileSync(file, 'utf8')).toBe('not a folder');
});

describe('staging folders left by killed runs', () => {
  /** A pid that no process has now: a child that has exited. */
  function deadPid(): number {
    const r = spawnSync(process.execPath, ['-e', '']);
    expect(r.status).toBe(0);
    return r.pid!;
  }

  test('are removed when their process is gone; folders of live processes and other names stay', () => {
    const dir = path.join(root, 'dev');
    writeFolderAtomically(dir, OLD);
    const dead = deadPid();
    for (const leftover of [`.dev.new-${dead}-abc123`, `.dev.old-${dead}-def456`]) {
      fs.mkdirSync(path.join(root, leftover, 'bootstrap'), { recursive: true });
      fs.writeFileSync(path.join(root, leftover, 'bootstrap', 'app.yaml'), 'half-written\n');
    }
    // Another run that is still going (this test's parent), an unrelated name, and a folder of
    // the older naming without a pid: none of them is ours to remove.
    const kept = [`.dev.new-${process.ppid}-ghi789`, '.dev.new-notapid', '.other.new-1-x'];
    for (const k of kept) fs.mkdirSync(path.join(root, k));

    writeFolderAtomically(dir, [{ path: 'a.yaml', content: 'new a\n' }]);

    expect(fs.readdirSync(root).sort()).toEqual([...kept, 'dev'].sort());
    expect(snapshot(dir)).toEqual({ 'a.yaml': 'new a\n' });
  });

  test('the synth staging folder of cdktf.out is cleaned up the same way', () => {
    const dead = deadPid();
    const leftover = path.join(root, `.cdktf.out-staging-${dead}-xyz`);
    fs.mkdirSync(path.join(leftover, 'stacks', 'dev'), { recursive: true });
    const made = makeScratchDir(root, '.cdktf.out-staging-');
    expect(path.basename(made)).toMatch(new RegExp(`^\\.cdktf\\.out-staging-${process.pid}-`));
    expect(fs.existsSync(leftover)).toBe(false);
  });
});
