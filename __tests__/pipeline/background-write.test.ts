/**
 * Files written on a second thread: the same bytes as the in-process path, errors with their
 * code, nothing left behind on failure or discard, and the pipeline's all-or-nothing guarantee
 * kept when many files go through the writer.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { generateLargeConfig } from '../../bench/generate';
import { BackgroundWriter, workerFile } from '../../lib/background-writer';
import { OWNERSHIP_FILE } from '../../lib/ownership';
import { OutputTransaction, writeOutputs, type OutputFile } from '../../lib/write';
import { loadEnvironments } from '../../pipeline/environments';
import { BACKGROUND_WRITE_MIN_FILES, synthEnvironments } from '../../pipeline/synth';
import { readTree as tree } from '../support/tree';
import { injectFault } from '../support/faults';
import { userErrorOf } from '../support/user-error';

let root: string;
let writer: BackgroundWriter;
beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'akscsi-bgwrite-'));
  // The compiled worker of the build jest's global setup made.
  const file = workerFile();
  if (file === undefined) throw new Error('no compiled write worker: run npm run build');
  writer = new BackgroundWriter(file);
});
afterEach(() => {
  writer.close();
  jest.restoreAllMocks();
  rmSync(root, { recursive: true, force: true });
});

const FILES: OutputFile[] = Array.from({ length: 60 }, (_, i) => ({
  path: `${i % 3 === 0 ? 'bootstrap/' : ''}file-${i}.yaml`,
  content: `n: ${i}\nunicode: "é ✓"\n`,
}));

test('writes every file, nested folders included, with the exact bytes', () => {
  const id = writer.write({ root, files: FILES });
  writer.wait(id);
  expect(tree(root)).toEqual(Object.fromEntries(FILES.map((f) => [f.path, f.content])));
});

test('jobs finish independently and in any waiting order', () => {
  const a = path.join(root, 'a');
  const b = path.join(root, 'b');
  mkdirSync(a);
  mkdirSync(b);
  const ja = writer.write({ root: a, files: FILES.slice(0, 30) });
  const jb = writer.write({ root: b, files: FILES.slice(30) });
  writer.wait(jb);
  writer.wait(ja);
  expect(Object.keys(tree(a))).toHaveLength(30);
  expect(Object.keys(tree(b))).toHaveLength(30);
});

test('a failed write throws from wait with the error code', () => {
  // "x" is a file, so the folder "x" for "x/y.yaml" cannot be created.
  const id = writer.write({
    root,
    files: [
      { path: 'x', content: 'file\n' },
      { path: 'x/y.yaml', content: 'nested\n' },
    ],
  });
  expect(() => writer.wait(id)).toThrow(expect.objectContaining({ code: 'EEXIST', message: expect.stringContaining('mkdir') as string }) as Error);
});

test('a root below a file fails with ENOTDIR', () => {
  writeFileSync(path.join(root, 'file'), 'not a folder');
  const id = writer.write({ root: path.join(root, 'file', 'sub'), files: [{ path: 'a.yaml', content: 'a\n' }] });
  expect(() => writer.wait(id)).toThrow(expect.objectContaining({ code: 'ENOTDIR' }) as Error);
});

test('waiting twice for a job fails at once (it would otherwise block until the time limit)', () => {
  writeFileSync(path.join(root, 'file'), 'not a folder');
  const failed = writer.write({ root: path.join(root, 'file', 'sub'), files: [{ path: 'a.yaml', content: 'a\n' }] });
  expect(() => writer.wait(failed)).toThrow(expect.objectContaining({ code: 'ENOTDIR' }) as Error);
  expect(() => writer.wait(failed)).toThrow(`job ${failed} was already waited for`);
  const ok = writer.write({ root, files: FILES });
  writer.wait(ok);
  expect(() => writer.wait(ok)).toThrow(`job ${ok} was already waited for`);
});

test('write after close is refused, and so is waiting for a job after close', () => {
  const id = writer.write({ root, files: FILES });
  writer.close();
  expect(() => writer.write({ root, files: FILES })).toThrow('write after close');
  expect(() => writer.wait(id)).toThrow('not waited for before close');
});

test('a writer thread that dies fails the wait at once instead of hanging', () => {
  // A message the worker cannot destructure throws outside its per-job error handling.
  (writer as unknown as { worker: { postMessage(m: unknown): void } }).worker.postMessage(null);
  const id = writer.write({ root, files: FILES });
  // Without the exit flag the wait would block for WAIT_LIMIT_MS (10 min): the test's timeout
  // catches that, with no wall-clock assertion of its own.
  expect(() => writer.wait(id)).toThrow('stopped unexpectedly');
});

describe('staging output folders with a background writer', () => {
  const options = { command: 'test', lockTimeoutMs: 0 };

  test('gives the same folder as writing in-process', () => {
    writeOutputs([{ dir: path.join(root, 'sync'), files: FILES }], options);
    writeOutputs([{ dir: path.join(root, 'background'), files: FILES, writer }], options);
    expect(tree(path.join(root, 'background'))).toEqual(tree(path.join(root, 'sync')));
    expect(readdirSync(root).sort()).toEqual(['background', 'sync']);
  });

  test('a write error surfaces at commit as bad input naming the folder; the folder stays as it was, no scratch or lock left', () => {
    const dir = path.join(root, 'dev');
    writeOutputs([{ dir, files: [{ path: 'old.yaml', content: 'old\n' }] }], options);
    const before = tree(dir);
    // A path that fits in the folder (4096 bytes on Linux) but not below the scratch folder: the
    // plan sees nothing wrong, and the worker's write fails with ENAMETOOLONG.
    const room = 4096 - Buffer.byteLength(dir) - 16;
    const deep = Array.from({ length: Math.floor(room / 201) }, (_, i) => `${i}`.padEnd(200, 'd')).join('/');
    const tx = OutputTransaction.open([{ dir }], options);
    try {
      tx.stage(dir, [{ path: `${deep}/x.yaml`, content: 'new\n' }], { writer });
      const e = userErrorOf(() => tx.commit());
      expect(e.problems).toEqual([
        {
          file: dir,
          path: '',
          message: `the path is too long (ENAMETOOLONG while writing the new files of ${dir}): use a shorter path (fewer or shorter folder names)`,
        },
      ]);
    } finally {
      tx.close();
    }
    expect(tree(dir)).toEqual(before);
    expect(readdirSync(dir).sort()).toEqual([OWNERSHIP_FILE, 'old.yaml']);
  });

  test('closing while files are still in flight leaves nothing behind', () => {
    const many: OutputFile[] = Array.from({ length: 400 }, (_, i) => ({ path: `f-${i}.yaml`, content: `${i}\n` }));
    const dir = path.join(root, 'dev');
    const tx = OutputTransaction.open([{ dir }], options);
    tx.stage(dir, many, { writer });
    tx.close();
    // The worker was finished with the folder before it was removed: nothing reappears.
    const probe = writer.write({ root: path.join(root, 'probe'), files: [] });
    writer.wait(probe);
    expect(readdirSync(root).filter((e) => e !== 'probe')).toEqual([]);
  });
});

describe('synth with enough files for the background writer', () => {
  // Two generated environments of 15 workloads each render well over the threshold (about six
  // files per workload: with its NetworkPolicy and PodDisruptionBudget), one alone stays under it.
  const files = generateLargeConfig({ environments: 2, workloadsPerEnvironment: 15 });

  function project(): string {
    const dir = path.join(root, 'project');
    for (const f of files) {
      mkdirSync(path.dirname(path.join(dir, f.path)), { recursive: true });
      writeFileSync(path.join(dir, f.path), f.content);
    }
    return dir;
  }

  test('writes exactly the rendered files through the writer', () => {
    const dir = project();
    const write = jest.spyOn(BackgroundWriter.prototype, 'write');
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      const run = synthEnvironments(loadEnvironments({}));
      expect(run.written).toBe(true);
      const total = run.environments.reduce((n, e) => n + (e.manifests?.length ?? 0), 0);
      expect(total).toBeGreaterThanOrEqual(BACKGROUND_WRITE_MIN_FILES);
      // The first environment alone stays under the threshold and is written in-process.
      expect(write).toHaveBeenCalledTimes(1);
      for (const e of run.environments) {
        const { [OWNERSHIP_FILE]: record, ...written } = tree(path.join(dir, e.manifestsDir!));
        expect(written).toEqual(Object.fromEntries(e.manifests!.map((f) => [f.path, f.content])));
        expect(Object.keys((JSON.parse(record) as { files: object }).files).sort()).toEqual(e.manifests!.map((f) => f.path).sort());
      }
      // No staging folders left next to the outputs.
      expect(readdirSync(path.join(dir, 'dist')).sort()).toEqual(['bench-01', 'bench-02']);
      expect(readdirSync(dir).filter((e) => e.startsWith('.'))).toEqual([]);
    } finally {
      process.chdir(cwd);
    }
  });

  test('a failure after staging discards the staged folders: existing output untouched, nothing left behind', () => {
    const dir = project();
    mkdirSync(path.join(dir, 'dist', 'bench-02'), { recursive: true });
    writeFileSync(path.join(dir, 'dist', 'bench-02', 'keep.yaml'), 'previous\n');
    writeFileSync(path.join(dir, 'dist', 'bench-02', OWNERSHIP_FILE), JSON.stringify({ version: 1, files: {} }));
    // The Terraform output cannot be staged (a full disk): this fails after every manifests
    // folder was handed to the writer, with files still in flight.
    injectFault('mkdirSync', 'ENOSPC', (_, args) => String(args[0]).includes(`cdktf.out${path.sep}.aks-keyvault-csi.tmp-`));
    const write = jest.spyOn(BackgroundWriter.prototype, 'write');
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      const e = userErrorOf(() => synthEnvironments(loadEnvironments({})));
      expect(e.problems[0].message).toBe('no space left on the device (ENOSPC while staging cdktf.out): free some space, or choose a folder on another disk');
      expect(write).toHaveBeenCalled();
      expect(tree(path.join(dir, 'dist'))).toEqual({
        'bench-02/keep.yaml': 'previous\n',
        [`bench-02/${OWNERSHIP_FILE}`]: JSON.stringify({ version: 1, files: {} }),
      });
      expect(readdirSync(path.join(dir, 'dist'))).toEqual(['bench-02']);
      expect(readdirSync(dir).filter((e) => e.startsWith('.') || e === 'cdktf.out')).toEqual([]);
    } finally {
      process.chdir(cwd);
    }
  });
});
