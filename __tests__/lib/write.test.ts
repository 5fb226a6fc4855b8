/**
 * Output folders: only the files this tool owns change, a failed run changes nothing, an
 * interrupted commit is put back by the next run, and the project's own folders are refused.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import * as path from 'node:path';
import { LOCK_FILE } from '../../lib/lock';
import { OWNERSHIP_FILE, sha256 } from '../../lib/ownership';
import { OutputTransaction, writeOutputs, writeUserFile, type OutputFile, type OutputOptions } from '../../lib/write';
import { deadPid, fs, injectFault } from '../support/faults';
import { readTree, snapshotTree } from '../support/tree';
import { userErrorOf } from '../support/user-error';

let root: string;
beforeEach(() => {
  root = realpathSync(mkdtempSync(path.join(tmpdir(), 'akscsi-write-')));
});
afterEach(() => {
  jest.restoreAllMocks();
  rmSync(root, { recursive: true, force: true });
});

const OPTIONS: OutputOptions = { command: 'test', lockTimeoutMs: 0 };
const RENDER: OutputFile[] = [
  { path: 'a.yaml', content: 'a: 1\n' },
  { path: 'stale.yaml', content: 'stale: 1\n' },
  { path: 'bootstrap/app.yaml', content: 'app: 1\n' },
];
const NEXT: OutputFile[] = [
  { path: 'a.yaml', content: 'a: 2\n' },
  { path: 'b.yaml', content: 'b: 1\n' },
];
const write = (dir: string, files: readonly OutputFile[], options: Partial<OutputOptions> = {}) => writeOutputs([{ dir, files }], { ...OPTIONS, ...options });
const without = (tree: Record<string, string>, ...names: string[]) => Object.fromEntries(Object.entries(tree).filter(([k]) => !names.includes(k)));
/** A GitOps checkout: what a user keeps next to the rendered files. */
function checkout(dir: string): void {
  mkdirSync(path.join(dir, '.git', 'refs'), { recursive: true });
  writeFileSync(path.join(dir, '.git', 'HEAD'), 'ref: refs/heads/main\n');
  writeFileSync(path.join(dir, 'README.md'), '# clusters\n');
  mkdirSync(path.join(dir, 'other-app'));
  writeFileSync(path.join(dir, 'other-app', 'deployment.yaml'), 'kind: Deployment\n');
  writeFileSync(path.join(dir, 'notes.txt'), 'uncommitted notes\n');
}

describe('a new folder', () => {
  test('gets the files and an ownership record listing them with their SHA-256, nothing else', () => {
    const dir = path.join(root, 'dist', 'dev');
    write(dir, RENDER);
    const tree = readTree(dir);
    expect(without(tree, OWNERSHIP_FILE)).toEqual({ 'a.yaml': 'a: 1\n', 'stale.yaml': 'stale: 1\n', 'bootstrap/app.yaml': 'app: 1\n' });
    const record = JSON.parse(tree[OWNERSHIP_FILE]) as { version: number; files: Record<string, string> };
    expect(record.version).toBe(1);
    expect(record.files).toEqual({ 'a.yaml': sha256('a: 1\n'), 'bootstrap/app.yaml': sha256('app: 1\n'), 'stale.yaml': sha256('stale: 1\n') });
    expect(Object.keys(record.files)).toEqual(['a.yaml', 'bootstrap/app.yaml', 'stale.yaml']);
    // No lock, no scratch folder left.
    expect(readdirSync(dir).sort()).toEqual([OWNERSHIP_FILE, 'a.yaml', 'bootstrap', 'stale.yaml']);
  });

  test('the record is deterministic: the same render gives the same bytes in another folder', () => {
    write(path.join(root, 'one'), RENDER);
    write(path.join(root, 'two', 'deeper'), [...RENDER].reverse());
    expect(readFileSync(path.join(root, 'two', 'deeper', OWNERSHIP_FILE), 'utf8')).toBe(readFileSync(path.join(root, 'one', OWNERSHIP_FILE), 'utf8'));
  });
});

describe('a folder the tool owns', () => {
  test('replaces its files and deletes the ones the render no longer has, with the folders they emptied', () => {
    const dir = path.join(root, 'dev');
    write(dir, RENDER);
    const [report] = write(dir, NEXT);
    expect(without(readTree(dir), OWNERSHIP_FILE)).toEqual({ 'a.yaml': 'a: 2\n', 'b.yaml': 'b: 1\n' });
    expect(readdirSync(dir).sort()).toEqual([OWNERSHIP_FILE, 'a.yaml', 'b.yaml']);
    expect(report).toMatchObject({ written: ['a.yaml', 'b.yaml'], deleted: ['bootstrap/app.yaml', 'stale.yaml'], edited: [], adopted: [] });
  });

  test('never touches what it does not own: .git, README, other apps, notes, a YAML added by hand', () => {
    const dir = path.join(root, 'gitops');
    mkdirSync(dir);
    checkout(dir);
    write(dir, RENDER, { adopt: true });
    writeFileSync(path.join(dir, 'added-by-hand.yaml'), 'kind: ConfigMap\n');
    const foreign = without(snapshotTree(dir), ...[OWNERSHIP_FILE, 'a.yaml', 'stale.yaml', 'bootstrap/', 'bootstrap/app.yaml']);
    write(dir, NEXT);
    const after = snapshotTree(dir);
    for (const [k, v] of Object.entries(foreign)) expect({ k, v: after[k] }).toEqual({ k, v });
    expect(readFileSync(path.join(dir, 'a.yaml'), 'utf8')).toBe('a: 2\n');
    expect(after['stale.yaml']).toBeUndefined();
  });

  test('leaves unchanged files alone (same inode, nothing rewritten)', () => {
    const dir = path.join(root, 'dev');
    write(dir, RENDER);
    const before = statSync(path.join(dir, 'stale.yaml')).ino;
    const [report] = write(dir, [...RENDER.slice(1), { path: 'a.yaml', content: 'a: 9\n' }]);
    expect(statSync(path.join(dir, 'stale.yaml')).ino).toBe(before);
    expect(report).toMatchObject({ written: ['a.yaml'], unchanged: ['stale.yaml', 'bootstrap/app.yaml'] });
  });

  test('a run with nothing to change writes nothing (the record included)', () => {
    const dir = path.join(root, 'dev');
    write(dir, RENDER);
    const inodes = readdirSync(dir).map((n) => statSync(path.join(dir, n)).ino);
    const rename = jest.spyOn(fs, 'renameSync');
    write(dir, RENDER);
    expect(rename).not.toHaveBeenCalled();
    expect(readdirSync(dir).map((n) => statSync(path.join(dir, n)).ino)).toEqual(inodes);
  });

  test('an owned file edited by hand is replaced and reported; a deleted one is written again', () => {
    const dir = path.join(root, 'dev');
    write(dir, RENDER);
    writeFileSync(path.join(dir, 'a.yaml'), 'a: edited by hand\n');
    writeFileSync(path.join(dir, 'stale.yaml'), 'stale: edited\n');
    rmSync(path.join(dir, 'bootstrap', 'app.yaml'));
    const [report] = write(dir, [RENDER[0], RENDER[2]]);
    expect(report).toMatchObject({ edited: ['a.yaml', 'stale.yaml'], deleted: ['stale.yaml'], written: ['a.yaml', 'bootstrap/app.yaml'] });
    expect(without(readTree(dir), OWNERSHIP_FILE)).toEqual({ 'a.yaml': 'a: 1\n', 'bootstrap/app.yaml': 'app: 1\n' });
  });

  test('a file that is not in the record is refused where the render writes, and taken over with adopt', () => {
    const dir = path.join(root, 'dev');
    write(dir, RENDER);
    writeFileSync(path.join(dir, 'b.yaml'), 'mine\n');
    const before = snapshotTree(dir);
    const e = userErrorOf(() => write(dir, NEXT));
    expect(e.problems).toEqual([
      expect.objectContaining({
        file: path.join(dir, 'b.yaml'),
        message: `exists and is not one of the files this tool wrote here (not in ${OWNERSHIP_FILE}): move it away, or pass --adopt to let the render replace it`,
      }),
    ]);
    expect(snapshotTree(dir)).toEqual(before);
    const [report] = write(dir, NEXT, { adopt: true });
    expect(report.adopted).toEqual(['b.yaml']);
    expect(readFileSync(path.join(dir, 'b.yaml'), 'utf8')).toBe('b: 1\n');
  });

  test('a folder where the render writes a file is refused, and so is a file where it needs a folder', () => {
    const dir = path.join(root, 'dev');
    write(dir, [{ path: 'a.yaml', content: '1\n' }]);
    mkdirSync(path.join(dir, 'b.yaml'));
    writeFileSync(path.join(dir, 'bootstrap'), 'a file\n');
    const before = snapshotTree(dir);
    const e = userErrorOf(() =>
      write(
        dir,
        [
          { path: 'b.yaml', content: '1\n' },
          { path: 'bootstrap/app.yaml', content: '1\n' },
        ],
        { adopt: true },
      ),
    );
    expect(e.problems.map((p) => [path.basename(p.file), p.message.split(':')[0]])).toEqual([
      ['b.yaml', 'is a folder where the render writes a file'],
      ['bootstrap', 'is a file where the render needs a folder (for bootstrap/app.yaml)'],
    ]);
    expect(snapshotTree(dir)).toEqual(before);
  });

  test('add mode (diagram) writes its file and keeps every other owned file and record entry', () => {
    const dir = path.join(root, 'dev');
    write(dir, RENDER);
    writeOutputs([{ dir, files: [{ path: 'TRUST.md', content: '# trust\n' }], mode: 'add' }], OPTIONS);
    expect(Object.keys(without(readTree(dir), OWNERSHIP_FILE)).sort()).toEqual(['TRUST.md', 'a.yaml', 'bootstrap/app.yaml', 'stale.yaml']);
    expect(Object.keys((JSON.parse(readFileSync(path.join(dir, OWNERSHIP_FILE), 'utf8')) as { files: object }).files)).toEqual([
      'TRUST.md',
      'a.yaml',
      'bootstrap/app.yaml',
      'stale.yaml',
    ]);
  });

  test.each([
    ['a path outside the folder', { '../outside.txt': sha256('x') }],
    ['an absolute path', { '/etc/passwd': sha256('x') }],
    ['no hash', { 'a.yaml': 'not a hash' }],
  ])('a record with %s is refused before anything is deleted', (_, files) => {
    const dir = path.join(root, 'dev');
    write(dir, RENDER);
    writeFileSync(path.join(root, 'outside.txt'), 'x');
    writeFileSync(path.join(dir, OWNERSHIP_FILE), JSON.stringify({ version: 1, files }));
    const before = snapshotTree(root);
    const e = userErrorOf(() => write(dir, NEXT));
    expect(e.problems[0].message).toMatch(/^not an ownership record this tool writes \(.+\): restore it from version control, or delete it and pass --adopt/);
    expect(snapshotTree(root)).toEqual(before);
  });
});

describe('a folder the tool does not own', () => {
  test('a non-empty folder without a record is refused, nothing changed, no lock or scratch left', () => {
    const dir = path.join(root, 'gitops');
    mkdirSync(dir);
    checkout(dir);
    const before = snapshotTree(dir);
    const e = userErrorOf(() => write(dir, RENDER));
    expect(e.problems).toEqual([
      {
        file: dir,
        path: '',
        message: `is not empty (.git, README.md, notes.txt, ...) and has no ownership record (${OWNERSHIP_FILE}), so it is not this tool's folder: choose an empty or new folder, or pass --adopt to take ownership of the 3 files this render writes here (files with the same names are replaced; all other files stay untouched)`,
      },
    ]);
    expect(snapshotTree(dir)).toEqual(before);
  });

  test('with adopt, the rendered files are written and owned; everything else stays byte-identical', () => {
    const dir = path.join(root, 'gitops');
    mkdirSync(dir);
    checkout(dir);
    writeFileSync(path.join(dir, 'a.yaml'), 'a file of the same name\n');
    const before = snapshotTree(dir);
    const [report] = write(dir, RENDER, { adopt: true });
    const after = snapshotTree(dir);
    for (const k of Object.keys(before).filter((k) => k !== 'a.yaml')) expect({ k, v: after[k] }).toEqual({ k, v: before[k] });
    expect(report).toMatchObject({ adopted: ['a.yaml'], written: ['a.yaml', 'stale.yaml', 'bootstrap/app.yaml'] });
    expect(Object.keys((JSON.parse(readFileSync(path.join(dir, OWNERSHIP_FILE), 'utf8')) as { files: object }).files)).toEqual([
      'a.yaml',
      'bootstrap/app.yaml',
      'stale.yaml',
    ]);
  });

  test('an empty folder needs no adopt', () => {
    const dir = path.join(root, 'empty');
    mkdirSync(dir);
    write(dir, RENDER);
    expect(readFileSync(path.join(dir, 'a.yaml'), 'utf8')).toBe('a: 1\n');
  });

  test('a file where the folder should be is refused', () => {
    const file = path.join(root, 'dev');
    writeFileSync(file, 'not a folder');
    expect(userErrorOf(() => write(file, RENDER)).problems[0].message).toBe('exists and is not a folder: move it away or choose another output folder');
    expect(readFileSync(file, 'utf8')).toBe('not a folder');
  });
});

describe('the project', () => {
  const project = () => {
    const dir = path.join(root, 'project');
    for (const d of ['environments', 'cdktf.out/stacks/dev']) mkdirSync(path.join(dir, d), { recursive: true });
    writeFileSync(path.join(dir, 'environments', 'dev.yaml'), 'x: 1\n');
    return { root: dir, environmentsDir: path.join(dir, 'environments'), terraformOut: path.join(dir, 'cdktf.out') };
  };
  test.each([
    ['the project folder', '.', 'is the project folder'],
    ['its parent', '..', 'holds the project folder'],
    ['the environments folder', 'environments', 'is the environments folder'],
    ['cdktf.out', 'cdktf.out', 'is in'],
    ['a folder in cdktf.out', 'cdktf.out/stacks/dev', 'is in'],
  ])('%s is refused as a manifests folder, even with adopt, and nothing changes', (_, rel, why) => {
    const layout = project();
    const before = snapshotTree(root);
    const e = userErrorOf(() => write(path.join(layout.root, rel), RENDER, { adopt: true, project: layout }));
    expect(e.problems[0].message).toMatch(new RegExp(`^${why}.*: a render must not be written among the project's own files`));
    expect(snapshotTree(root)).toEqual(before);
  });

  test('a symbolic link to the project folder is refused too', () => {
    const layout = project();
    fs.symlinkSync(layout.root, path.join(root, 'link'));
    expect(userErrorOf(() => write(path.join(root, 'link'), RENDER, { adopt: true, project: layout })).problems[0].message).toMatch(/^is the project folder/);
  });
});

describe('folders owned by path (cdktf.out)', () => {
  test('replaces the owned stack folder as a whole and leaves the other stacks and files alone', () => {
    const out = path.join(root, 'cdktf.out');
    mkdirSync(path.join(out, 'stacks', 'dev', '.terraform'), { recursive: true });
    mkdirSync(path.join(out, 'stacks', 'prod'), { recursive: true });
    writeFileSync(path.join(out, 'stacks', 'dev', 'cdk.tf.json'), 'old dev');
    writeFileSync(path.join(out, 'stacks', 'dev', '.terraform', 'x'), 'old init');
    writeFileSync(path.join(out, 'stacks', 'prod', 'cdk.tf.json'), 'prod');
    writeFileSync(path.join(out, 'manifest.json'), 'old manifest');
    writeOutputs(
      [
        {
          dir: out,
          ownership: { kind: 'paths', paths: ['manifest.json', 'stacks/dev'] },
          files: [
            { path: 'stacks/dev/cdk.tf.json', content: 'new dev' },
            { path: 'manifest.json', content: 'new manifest' },
          ],
        },
      ],
      OPTIONS,
    );
    expect(readTree(out)).toEqual({ 'manifest.json': 'new manifest', 'stacks/dev/cdk.tf.json': 'new dev', 'stacks/prod/cdk.tf.json': 'prod' });
    expect(readdirSync(out).sort()).toEqual(['manifest.json', 'stacks']);
  });
});

describe('a failed run changes nothing', () => {
  const twoFolders = () => {
    const a = path.join(root, 'a');
    const b = path.join(root, 'b');
    write(a, RENDER);
    write(b, RENDER);
    return { a, b, before: snapshotTree(root) };
  };
  const render = (a: string, b: string) =>
    writeOutputs(
      [
        { dir: a, files: NEXT },
        { dir: b, files: NEXT },
      ],
      OPTIONS,
    );

  test.each([
    ['ENOSPC', 'no space left on the device (ENOSPC while writing the new files of'],
    ['EROFS', 'the file system is read-only (EROFS while writing the new files of'],
  ])('%s while staging: a UserError naming the folder and the fix; both folders byte-identical', (code, message) => {
    const { a, b, before } = twoFolders();
    injectFault('writeFileSync', code, (_, args) => String(args[0]).includes(`${path.sep}b${path.sep}.aks-keyvault-csi.tmp-`));
    const e = userErrorOf(() => render(a, b));
    expect(e.problems).toHaveLength(1);
    expect(e.problems[0].file).toBe(b);
    expect(e.problems[0].message).toContain(message);
    expect(e.problems[0].message).toMatch(/: (free some space|choose a folder on a writable file system)/);
    expect(snapshotTree(root)).toEqual(before);
  });

  test.each(['EROFS', 'EIO', 'EACCES'])("%s mid-commit (the second folder's renames fail): the first folder is put back too", (code) => {
    const { a, b, before } = twoFolders();
    // The folders commit in path order (a, then b): fail once b's first file moves aside.
    injectFault('renameSync', code, (_, args) => String(args[0]) === path.join(b, 'a.yaml'));
    const e = userErrorOf(() => render(a, b));
    expect(e.problems[0].message).toContain(`(${code} while moving the new files into place)`);
    expect(snapshotTree(root)).toEqual(before);
  });

  test('a bug (not a file fault) mid-commit is rethrown as it is, after putting the folders back', () => {
    const { a, b, before } = twoFolders();
    const real = fs.renameSync;
    jest.spyOn(fs, 'renameSync').mockImplementation((from, to) => {
      if (String(from) === path.join(b, 'a.yaml')) throw new TypeError('a bug');
      return real(from, to);
    });
    expect(() => render(a, b)).toThrow(TypeError);
    expect(snapshotTree(root)).toEqual(before);
  });
});

describe('an interrupted run', () => {
  /**
   * Makes every rename in `dir` fail after `n` succeeded, so the undo fails too: what a killed
   * process leaves. This commit makes 9 renames (the state, 4 files aside, 3 into place, the
   * state again); after 1 nothing has moved yet, so the undo needs no rename.
   */
  function interruptAfter(dir: string, n: number): void {
    const real = fs.renameSync;
    let calls = 0;
    jest.spyOn(fs, 'renameSync').mockImplementation((from, to) => {
      const mine = String(from).startsWith(dir) || String(to).startsWith(dir);
      if (mine && ++calls > n) throw Object.assign(new Error('EIO: i/o error, rename'), { code: 'EIO' });
      return real(from, to);
    });
  }

  test.each([2, 3, 5, 7, 8])('stopped after %i renames: the folder stays mid-way, and the next run puts it back first', (n) => {
    const dir = path.join(root, 'dev');
    write(dir, RENDER);
    const before = snapshotTree(dir);
    interruptAfter(dir, n);
    const e = userErrorOf(() => write(dir, NEXT));
    expect(e.problems.map((p) => p.message)).toContain(
      'could not be put back completely: the next run (synth or diagram) into this folder puts it back before writing',
    );
    jest.restoreAllMocks();
    expect(readdirSync(dir).some((name) => name.startsWith('.aks-keyvault-csi.tmp-'))).toBe(true);

    const notes: string[] = [];
    const tx = OutputTransaction.open([{ dir }], { ...OPTIONS, onNote: (note) => notes.push(note) });
    tx.close();
    expect(notes).toEqual([`${dir}: an earlier run stopped while moving its files into place; put the folder back as it was before that run`]);
    expect(snapshotTree(dir)).toEqual(before);
  });

  test('a scratch folder of a run that finished its commit is removed and the new files kept', () => {
    const dir = path.join(root, 'dev');
    write(dir, RENDER);
    // Fail only the removal after the commit: the scratch folder stays with its "committed" state.
    injectFault('rmdirSync', 'EBUSY', (_, args) => path.basename(String(args[0])).startsWith('.aks-keyvault-csi.tmp-'));
    const notes: string[] = [];
    write(dir, NEXT, { onNote: (n) => notes.push(n) });
    jest.restoreAllMocks();
    expect(notes[0]).toMatch(/^could not remove .*\.aks-keyvault-csi\.tmp-.* after the commit \(EBUSY\): the next run removes it$/);
    const after = without(readTree(dir), OWNERSHIP_FILE);
    expect(Object.keys(after).filter((k) => !k.startsWith('.aks-keyvault-csi.tmp-'))).toEqual(['a.yaml', 'b.yaml']);
    OutputTransaction.open([{ dir }], OPTIONS).close();
    expect(readdirSync(dir).sort()).toEqual([OWNERSHIP_FILE, 'a.yaml', 'b.yaml']);
    expect(readTree(dir)['a.yaml']).toBe('a: 2\n');
  });

  test('a scratch folder of a run that stopped while staging is removed; the folder is untouched', () => {
    const dir = path.join(root, 'dev');
    write(dir, RENDER);
    const scratch = path.join(dir, `.aks-keyvault-csi.tmp-${deadPid()}-abcdef`);
    mkdirSync(path.join(scratch, 'new'), { recursive: true });
    writeFileSync(path.join(scratch, 'new', 'a.yaml'), 'half-written');
    const before = snapshotTree(dir, (rel) => rel.startsWith('.aks-keyvault-csi.tmp-'));
    OutputTransaction.open([{ dir }], OPTIONS).close();
    expect(snapshotTree(dir)).toEqual(before);
  });
});

describe('locks', () => {
  let sleeper: ChildProcess | undefined;
  afterEach(() => {
    sleeper?.kill();
    sleeper = undefined;
  });

  test('a folder locked by a live run is refused after the timeout, naming the lock and its holder; nothing changes', () => {
    const dir = path.join(root, 'dev');
    write(dir, RENDER);
    sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    const lock = { pid: sleeper.pid, host: hostname(), command: 'synth', since: '2020-01-01T00:00:00.000Z', token: 'other' };
    writeFileSync(path.join(dir, LOCK_FILE), JSON.stringify(lock));
    const before = snapshotTree(dir);
    const e = userErrorOf(() => write(dir, NEXT));
    expect(e.problems).toEqual([
      {
        file: path.join(dir, LOCK_FILE),
        path: '',
        message: `another run is writing this folder: it is locked by pid ${sleeper.pid} on this host ("aks-keyvault-csi synth", since 2020-01-01T00:00:00.000Z): wait for that run to finish (or pass a longer --lock-timeout); if no such run is going, delete ${path.join(dir, LOCK_FILE)}`,
      },
    ]);
    expect(snapshotTree(dir)).toEqual(before);
  });

  test('the lock of a run that is gone is removed, and so are its lock drafts', () => {
    const dir = path.join(root, 'dev');
    write(dir, RENDER);
    const dead = deadPid();
    writeFileSync(path.join(dir, LOCK_FILE), JSON.stringify({ pid: dead, host: hostname(), command: 'synth', since: 'x', token: 't' }));
    writeFileSync(path.join(dir, `${LOCK_FILE}.${dead}-abc123`), 'draft');
    const notes: string[] = [];
    write(dir, NEXT, { onNote: (n) => notes.push(n) });
    expect(notes).toEqual([`removed the stale lock ${path.join(dir, LOCK_FILE)} of pid ${dead} ("aks-keyvault-csi synth"), which is no longer running`]);
    expect(readdirSync(dir).sort()).toEqual([OWNERSHIP_FILE, 'a.yaml', 'b.yaml']);
  });

  test('locks are taken in one order whatever order the folders are given in', () => {
    const order: string[] = [];
    const real = fs.linkSync;
    jest.spyOn(fs, 'linkSync').mockImplementation((from, to) => {
      order.push(path.basename(path.dirname(String(to))));
      return real(from, to);
    });
    writeOutputs(
      ['c', 'a', 'b'].map((d) => ({ dir: path.join(root, d), files: RENDER })),
      OPTIONS,
    );
    expect(order).toEqual(['a', 'b', 'c']);
  });
});

describe('leftovers of earlier versions (which swapped whole folders)', () => {
  test('staging and moved-aside folders of runs that are gone are removed; those of live runs and other names stay', () => {
    const dir = path.join(root, 'dev');
    write(dir, RENDER);
    const dead = deadPid();
    for (const leftover of [`.dev.new-${dead}-abc123`, `.dev.old-${dead}-def456`]) {
      mkdirSync(path.join(root, leftover, 'bootstrap'), { recursive: true });
      writeFileSync(path.join(root, leftover, 'bootstrap', 'app.yaml'), 'half-written\n');
    }
    writeFileSync(path.join(dir, `TRUST.md.tmp-${dead}`), 'x');
    const kept = [`.dev.new-${process.ppid}-ghi789`, '.dev.new-notapid', '.other.new-1-x'];
    for (const k of kept) mkdirSync(path.join(root, k));
    write(dir, NEXT);
    expect(readdirSync(root).sort()).toEqual([...kept, 'dev'].sort());
    expect(readdirSync(dir).sort()).toEqual([OWNERSHIP_FILE, 'a.yaml', 'b.yaml']);
  });

  test('a folder moved aside is moved back when its place is empty', () => {
    const dir = path.join(root, 'dev');
    const leftover = path.join(root, `.dev.old-${deadPid()}-abc`);
    mkdirSync(path.join(leftover, '.git'), { recursive: true });
    writeFileSync(path.join(leftover, 'README.md'), 'mine\n');
    const notes: string[] = [];
    userErrorOf(() => write(dir, RENDER, { onNote: (n) => notes.push(n) }));
    // Moved back, and since it is not empty and has no record, it is then refused without adopt.
    expect(readTree(dir)).toEqual({ 'README.md': 'mine\n' });
    expect(notes[0]).toMatch(/^moved .*\.dev\.old-\d+-abc back to .*dev: an earlier version stopped while replacing it$/);
  });

  test('a folder moved aside that holds more than rendered files (a .git) is kept, with a note', () => {
    const dir = path.join(root, 'dev');
    write(dir, RENDER);
    const leftover = path.join(root, `.dev.old-${deadPid()}-abc`);
    mkdirSync(path.join(leftover, '.git'), { recursive: true });
    const notes: string[] = [];
    write(dir, NEXT, { onNote: (n) => notes.push(n) });
    expect(statSync(path.join(leftover, '.git')).isDirectory()).toBe(true);
    expect(notes).toEqual([
      `left ${leftover} in place: an earlier version moved it aside and it holds files this tool does not write (such as .git); move them back by hand`,
    ]);
  });

  test('cdktf.out: the staging folder beside it and stacks/<env>.old-<pid> of dead runs are removed', () => {
    const out = path.join(root, 'cdktf.out');
    const dead = deadPid();
    mkdirSync(path.join(root, `.cdktf.out-staging-${dead}-xyz`, 'stacks', 'dev'), { recursive: true });
    mkdirSync(path.join(out, 'stacks', `dev.old-${dead}`), { recursive: true });
    mkdirSync(path.join(out, 'stacks', 'dev'), { recursive: true });
    writeFileSync(path.join(out, `manifest.json.tmp-${dead}`), '{}');
    writeOutputs([{ dir: out, ownership: { kind: 'paths', paths: ['stacks/dev'] }, files: [{ path: 'stacks/dev/cdk.tf.json', content: '{}' }] }], OPTIONS);
    expect(readdirSync(root)).toEqual(['cdktf.out']);
    expect(readTree(out)).toEqual({ 'stacks/dev/cdk.tf.json': '{}' });
  });
});

describe('writeUserFile', () => {
  test('creates the file and its folder; refuses to replace an existing file without overwrite', () => {
    const file = path.join(root, 'sub', 'dev.yaml');
    writeUserFile(file, 'one\n', { overwrite: false });
    expect(userErrorOf(() => writeUserFile(file, 'two\n', { overwrite: false })).problems[0].message).toBe(
      'already exists and is never overwritten: edit it, choose another name, or delete it first to start over',
    );
    writeUserFile(file, 'three\n', { overwrite: true });
    expect(readdirSync(path.dirname(file))).toEqual(['dev.yaml']);
    expect(readFileSync(file, 'utf8')).toBe('three\n');
  });

  test('ENOSPC is a UserError naming the file and the fix, and leaves no draft', () => {
    const file = path.join(root, 'dev.yaml');
    injectFault('writeFileSync', 'ENOSPC');
    expect(userErrorOf(() => writeUserFile(file, 'x', { overwrite: false })).problems[0].message).toMatch(
      /^no space left on the device \(ENOSPC while writing .*dev\.yaml\): free some space/,
    );
    expect(readdirSync(root)).toEqual([]);
  });
});
