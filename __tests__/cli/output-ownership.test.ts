/**
 * End to end in a temporary project: a run never loses a user's files and never runs half-way.
 * Most cases run the CLI's `main` in this process (the same code as the bin after argument
 * parsing); the cases about processes (two runs at once, a run as another user, a private mount
 * namespace, FIFOs that could hang a reader) run the built bin as child processes. `--out` into a GitOps checkout keeps everything that is not the tool's; the
 * project's own folders are refused; two runs at once do not tear the output; faults of the
 * machine (read-only or full disk, permissions, FIFOs, devices, absurd nesting) exit 2 with the
 * path and a fix, and change nothing.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import * as path from 'node:path';
import { parse, parseDocument } from 'yaml';
import { LOCK_FILE } from '../../lib/lock';
import { OWNERSHIP_FILE } from '../../lib/ownership';
import { deadPid, injectFault, permissionsAreIgnored } from '../support/faults';
import { snapshotTree } from '../support/tree';
import { BIN, ROOT, runCli, runCliAsync, runMain, tempProject } from './helpers';

const LONG = 180_000;

/**
 * As root, permissions do not stop writes, so the EACCES case runs the bin as "nobody" (uid
 * 65534). That user must be able to reach the project's bin and packages: a clone inside a
 * private folder (mktemp -d makes 0700 folders) is out of its reach, and the case cannot run.
 */
const OTHER_USER = { uid: 65534, gid: 65534 };
const otherUserCannotRunBin = (): string | undefined => {
  if (!permissionsAreIgnored()) return undefined;
  const probe = spawnSync(
    process.execPath,
    [
      '-e',
      'for (const f of process.argv.slice(1)) require("fs").accessSync(f, require("fs").constants.R_OK)',
      BIN,
      path.join(ROOT, 'node_modules', 'cdktf', 'package.json'),
    ],
    OTHER_USER,
  );
  return probe.status === 0 ? undefined : `uid ${OTHER_USER.uid} cannot read the project at ${ROOT} (a folder above it is private)`;
};
const EACCES_SKIP_REASON = otherUserCannotRunBin();
if (EACCES_SKIP_REASON !== undefined) console.log(`skipped: the real permission refusal (EACCES) case: running as root, and ${EACCES_SKIP_REASON}`);
let project: ReturnType<typeof tempProject>;
let cwd: string;
beforeEach(() => {
  project = tempProject();
  cwd = project.dir;
});
afterEach(() => {
  jest.restoreAllMocks();
  project.cleanup();
});

/** A GitOps checkout beside the project: what a user keeps there. */
function gitopsCheckout(): string {
  const dir = path.join(cwd, 'gitops');
  mkdirSync(path.join(dir, '.git', 'refs', 'heads'), { recursive: true });
  writeFileSync(path.join(dir, '.git', 'HEAD'), 'ref: refs/heads/main\n');
  writeFileSync(path.join(dir, '.git', 'refs', 'heads', 'main'), '0123456789abcdef0123456789abcdef01234567\n');
  writeFileSync(path.join(dir, 'README.md'), '# clusters\n');
  writeFileSync(path.join(dir, 'NOTES.md'), 'uncommitted notes\n');
  mkdirSync(path.join(dir, 'billing-app'));
  writeFileSync(path.join(dir, 'billing-app', 'deployment.yaml'), 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: billing\n');
  return dir;
}
const USER_FILES = [
  '.git/',
  '.git/HEAD',
  '.git/refs/',
  '.git/refs/heads/',
  '.git/refs/heads/main',
  'README.md',
  'NOTES.md',
  'billing-app/',
  'billing-app/deployment.yaml',
];
const pick = (tree: Record<string, string>, keys: readonly string[]) => Object.fromEntries(keys.map((k) => [k, tree[k]]));
/** The project, byte for byte (environments included), for "nothing changed". */
const everything = () => snapshotTree(cwd);

describe('--out into a GitOps checkout', () => {
  test(
    'without --adopt: exit 2 naming the folder and the flag; the checkout and the project are unchanged',
    async () => {
      gitopsCheckout();
      const before = everything();
      const r = await runMain(['synth', '--env', 'dev', '--out', 'gitops'], cwd);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(
        `error gitops: is not empty (.git, NOTES.md, README.md, ...) and has no ownership record (${OWNERSHIP_FILE}), so it is not this tool's folder: choose an empty or new folder, or pass --adopt`,
      );
      expect(r.stderr).not.toMatch(/^\s+at /m);
      expect(everything()).toEqual(before);
    },
    LONG,
  );

  test(
    'with --adopt, and again without: .git, README, notes and the other app stay byte-identical',
    async () => {
      const dir = gitopsCheckout();
      const before = pick(snapshotTree(dir), USER_FILES);
      const adopt = await runMain(['synth', '--env', 'dev', '--out', 'gitops', '--adopt'], cwd);
      expect(adopt.stderr).not.toMatch(/^error/m);
      expect(adopt.code).toBe(0);
      const again = await runMain(['synth', '--env', 'dev', '--out', 'gitops'], cwd);
      expect(again.code).toBe(0);
      const after = snapshotTree(dir);
      expect(pick(after, USER_FILES)).toEqual(before);
      const owned = Object.keys((JSON.parse(readFileSync(path.join(dir, OWNERSHIP_FILE), 'utf8')) as { files: object }).files);
      expect(owned).toEqual(expect.arrayContaining(['kustomization.yaml', 'TRUST.md', 'deployment-demo-demo-app.yaml']));
      // Exactly the user's files, the rendered files and the record: nothing else, nothing less.
      expect(Object.keys(after).sort()).toEqual([...USER_FILES, ...owned, OWNERSHIP_FILE].sort());
    },
    LONG,
  );

  test(
    'a file the render no longer writes is deleted only if the tool owns it',
    async () => {
      const dir = path.join(cwd, 'gitops');
      expect((await runMain(['synth', '--env', 'prod', '--out', 'gitops'], cwd)).code).toBe(0);
      writeFileSync(path.join(dir, 'added-by-hand.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: mine\n');
      // Drop the web-frontend workload from prod.
      const file = path.join(cwd, 'environments', 'prod.yaml');
      const doc = parseDocument(readFileSync(file, 'utf8'));
      const workloads = doc.get('workloads') as { items: { get(k: string): unknown }[] };
      workloads.items = workloads.items.filter((w) => w.get('name') !== 'web-frontend');
      writeFileSync(file, doc.toString());
      const before = readdirSync(dir);
      expect(before).toContain('deployment-web-web-frontend.yaml');
      const r = await runMain(['synth', '--env', 'prod', '--out', 'gitops'], cwd);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^gitops: deleted \d+ file\(s\) the render no longer has: .*deployment-web-web-frontend\.yaml/m);
      const after = readdirSync(dir);
      expect(after.filter((f) => f.includes('web-frontend'))).toEqual([]);
      expect(readFileSync(path.join(dir, 'added-by-hand.yaml'), 'utf8')).toContain('name: mine');
      expect(after).toContain('deployment-payments-payments-api.yaml');
    },
    LONG,
  );
});

describe("the project's own folders are refused", () => {
  test.each([
    ['environments', 'environments', 'is the environments folder'],
    ['.', '.', 'is the project folder'],
    ['..', '..', 'holds the project folder'],
    ['cdktf.out', 'cdktf.out', 'is in cdktf.out'],
  ])(
    '--out %s: exit 2 and nothing changed, with or without --adopt',
    async (_, out, why) => {
      const before = everything();
      for (const adopt of [[], ['--adopt']]) {
        const r = await runMain(['synth', '--env', 'dev', '--out', out, ...adopt], cwd);
        expect(r.code).toBe(2);
        expect(r.stderr).toContain(`error ${out}: ${why}`);
        expect(r.stderr).toContain("a render must not be written among the project's own files");
        expect(everything()).toEqual(before);
      }
      // Nothing of a render beside the project either (the temporary folder is shared: only our names are looked for).
      expect(readdirSync(path.dirname(cwd)).filter((n) => n.startsWith('.aks-keyvault-csi') || n === 'kustomization.yaml' || n === 'TRUST.md')).toEqual([]);
    },
    LONG,
  );
});

describe('one run at a time', () => {
  /** A copy of dev whose vault is named `kv-akscsi-dev-<tag>`, with matching outputs. */
  function variant(tag: string): string[] {
    const dir = path.join(cwd, `variant-${tag}`);
    mkdirSync(dir);
    for (const f of ['dev.yaml', 'dev.outputs.json']) {
      writeFileSync(path.join(dir, f), readFileSync(path.join(cwd, 'environments', f), 'utf8').replace(/kv-akscsi-dev-example/g, `kv-akscsi-dev-${tag}`));
    }
    return ['synth', '--config', path.join(dir, 'dev.yaml'), '--outputs', path.join(dir, 'dev.outputs.json')];
  }

  test(
    'two runs at once into the same project: each exits 0 (one waited) or 2 (locked); Terraform and manifests come from the same run',
    async () => {
      const [a, b] = await Promise.all([runCliAsync(variant('aaa'), cwd), runCliAsync(variant('bbb'), cwd)]);
      for (const r of [a, b]) {
        expect([0, 2]).toContain(r.code);
        if (r.code === 2) expect(r.stderr).toMatch(/another run is writing this folder: it is locked by pid \d+/);
        expect(r.stderr).not.toMatch(/ENOTEMPTY|^\s+at /m);
      }
      expect([a.code, b.code]).toContain(0);
      const tf = JSON.parse(readFileSync(path.join(cwd, 'cdktf.out', 'stacks', 'dev', 'cdk.tf.json'), 'utf8')) as {
        resource: { azurerm_key_vault: Record<string, { name: string }> };
      };
      const vault = Object.values(tf.resource.azurerm_key_vault)[0].name;
      const spc = parse(readFileSync(path.join(cwd, 'dist', 'dev', 'secretproviderclass-demo-demo-app-keyvault.yaml'), 'utf8')) as {
        spec: { parameters: { keyvaultName: string } };
      };
      expect(spc.spec.parameters.keyvaultName).toBe(vault);
      expect(readFileSync(path.join(cwd, 'dist', 'dev', 'TRUST.md'), 'utf8')).toContain(vault);
      // No lock, scratch or staging folder left anywhere.
      const leftovers = Object.keys(everything()).filter((k) => /(^|\/)\.(aks-keyvault-csi\.(lock|tmp)|cdktf\.out-staging|dev\.(new|old))/.test(k));
      expect(leftovers).toEqual([]);
    },
    LONG,
  );

  describe('a lock held by a live run', () => {
    let holder: ChildProcess | undefined;
    afterEach(() => holder?.kill());

    test(
      'exit 2 naming the lock file and its holder; nothing changed',
      async () => {
        expect((await runMain(['synth', '--env', 'dev'], cwd)).code).toBe(0);
        holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 120000)'], { stdio: 'ignore' });
        writeFileSync(
          path.join(cwd, 'cdktf.out', LOCK_FILE),
          JSON.stringify({ pid: holder.pid, host: hostname(), command: 'synth', since: '2030-01-01T00:00:00.000Z', token: 'holder' }),
        );
        const before = everything();
        const r = await runMain(['synth', '--env', 'dev', '--lock-timeout', '1'], cwd);
        expect(r.code).toBe(2);
        expect(r.stderr).toContain(
          `error cdktf.out/${LOCK_FILE}: another run is writing this folder: it is locked by pid ${holder.pid} on this host ("aks-keyvault-csi synth", since 2030-01-01T00:00:00.000Z) (waited 1 s): wait for that run to finish (or pass a longer --lock-timeout); if no such run is going, delete cdktf.out/${LOCK_FILE}`,
        );
        expect(r.stdout).toContain(`waiting for cdktf.out/${LOCK_FILE}: another run holds it (pid ${holder.pid}, "aks-keyvault-csi synth")`);
        expect(everything()).toEqual(before);
      },
      LONG,
    );
  });

  test(
    'stale locks, and the staging and moved-aside folders of runs that are gone, are cleaned up',
    async () => {
      expect((await runMain(['synth', '--env', 'dev'], cwd)).code).toBe(0);
      const dead = deadPid();
      const lock = JSON.stringify({ pid: dead, host: hostname(), command: 'synth', since: 'then', token: 'gone' });
      writeFileSync(path.join(cwd, 'cdktf.out', LOCK_FILE), lock);
      writeFileSync(path.join(cwd, 'dist', 'dev', LOCK_FILE), lock);
      const leftovers = [
        `dist/.dev.old-${dead}-abc123`,
        `dist/.dev.new-${dead}-def456`,
        `.cdktf.out-staging-${dead}-ghi789`,
        `cdktf.out/stacks/dev.old-${dead}`,
        `dist/dev/.aks-keyvault-csi.tmp-${dead}-0a1b2c/new`,
      ];
      for (const l of leftovers) {
        mkdirSync(path.join(cwd, l), { recursive: true });
        writeFileSync(path.join(cwd, l, 'half-written.yaml'), 'x: 1\n');
      }
      const r = await runMain(['synth', '--env', 'dev'], cwd);
      expect(r.code).toBe(0);
      expect(r.stderr).toContain(`warning removed the stale lock cdktf.out/${LOCK_FILE} of pid ${dead} ("aks-keyvault-csi synth"), which is no longer running`);
      for (const l of leftovers) expect({ l, exists: existsSync(path.join(cwd, l)) }).toEqual({ l, exists: false });
      expect(existsSync(path.join(cwd, 'cdktf.out', LOCK_FILE))).toBe(false);
      expect(existsSync(path.join(cwd, 'dist', 'dev', LOCK_FILE))).toBe(false);
      expect(readdirSync(path.join(cwd, 'dist'))).toEqual(['dev']);
    },
    LONG,
  );
});

describe('faults of the machine are bad input: exit 2 with the path and a fix, nothing changed', () => {
  const mkfifo = (file: string) => execFileSync('mkfifo', [file]);

  test(
    'a FIFO as --config or as an environment file, /dev/zero as --outputs, a FIFO as --terraform: no hang',
    async () => {
      mkdirSync(path.join(cwd, 'pipes'));
      mkfifo(path.join(cwd, 'pipes', 'dev.yaml'));
      mkfifo(path.join(cwd, 'pipes', 'cdk.tf.json'));
      const before = everything();
      const cases: [string[], string][] = [
        [['synth', '--config', 'pipes/dev.yaml'], 'error pipes/dev.yaml: is a named pipe (FIFO), not a regular file: pass an environment YAML file'],
        [['synth', '--env', 'dev', '--outputs', '/dev/zero'], 'error /dev/zero: is a character device, not a regular file: regenerate it with'],
        [
          ['check', '--dir', 'environments', '--terraform', 'pipes/cdk.tf.json'],
          'error pipes/cdk.tf.json: is a named pipe (FIFO), not a regular file: run synth first',
        ],
      ];
      const runs = await Promise.all(cases.map(([args]) => runCliAsync(args, cwd)));
      runs.forEach((r, i) => {
        expect({ args: cases[i][0], code: r.code }).toEqual({ args: cases[i][0], code: 2 });
        expect(r.stderr).toContain(cases[i][1]);
      });
      expect(everything()).toEqual(before);
      // A FIFO among the environment files: loading all of them stops there too.
      mkfifo(path.join(cwd, 'environments', 'qa.yaml'));
      const all = runCli(['synth'], cwd);
      expect(all.code).toBe(2);
      expect(all.stderr).toContain('error environments/qa.yaml: is a named pipe (FIFO), not a regular file');
    },
    LONG,
  );

  test(
    'a 100,000-deep outputs file and an 11 MB one: exit 2 (the deep one used to crash with RangeError)',
    async () => {
      writeFileSync(path.join(cwd, 'deep.json'), `${'['.repeat(100_000)}${']'.repeat(100_000)}`);
      writeFileSync(path.join(cwd, 'huge.json'), Buffer.alloc(11 * 1024 * 1024, 0x20));
      const before = everything();
      const deep = await runMain(['synth', '--env', 'dev', '--outputs', 'deep.json'], cwd);
      expect(deep.code).toBe(2);
      expect(deep.stderr).toContain('error deep.json:1:1001: nested more than 1000 levels deep');
      const huge = await runMain(['synth', '--env', 'dev', '--outputs', 'huge.json'], cwd);
      expect(huge.code).toBe(2);
      expect(huge.stderr).toContain('error huge.json: is larger than 10 MB, the limit for an input file');
      expect(everything()).toEqual(before);
    },
    LONG,
  );

  test.each([
    [
      'ENOSPC',
      'writeFileSync',
      'no space left on the device (ENOSPC while writing the new files of dist/dev): free some space, or choose a folder on another disk',
    ],
    ['EROFS', 'mkdirSync', 'the file system is read-only (EROFS while staging dist/dev): choose a folder on a writable file system, or remount it read-write'],
    ['EACCES', 'renameSync', 'permission denied (EACCES while moving the new files into place): check the permissions'],
  ])(
    '%s injected into %s (in-process): exit 2 naming the folder; the previous output is byte-identical',
    async (code, fn, message) => {
      expect((await runMain(['synth', '--env', 'dev'], cwd)).code).toBe(0);
      writeFileSync(
        path.join(cwd, 'environments', 'dev.yaml'),
        readFileSync(path.join(cwd, 'environments', 'dev.yaml'), 'utf8').replace('replicas: 1', 'replicas: 2'),
      );
      const before = everything();
      injectFault(
        fn as 'writeFileSync',
        code,
        (_, args) =>
          String(args[0]).includes(`${path.sep}dist${path.sep}dev${path.sep}`) &&
          !String(args[0]).endsWith(LOCK_FILE) &&
          !String(args[0]).includes(`${LOCK_FILE}.`),
      );
      const r = await runMain(['synth', '--env', 'dev'], cwd);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(message);
      expect(everything()).toEqual(before);
    },
    LONG,
  );

  /** Runs the bin in a private mount namespace with a small tmpfs at `mount` (root only). */
  function tmpfsAvailable(): boolean {
    const r = spawnSync('unshare', ['-m', 'sh', '-c', 'd=$(mktemp -d) && mount -t tmpfs -o size=64k tmpfs "$d" && umount "$d" && rmdir "$d"']);
    if (r.status !== 0) {
      console.log(
        `a real read-only or full file system needs "unshare -m" and mount rights (${(r.stderr ?? '').toString().trim() || r.error?.message}): the in-process fault injection above covers EROFS and ENOSPC here`,
      );
      return false;
    }
    return true;
  }

  test.each([
    ['read-only', 'size=1m,ro', 'the file system is read-only (EROFS'],
    ['full', 'size=12k', 'no space left on the device (ENOSPC'],
  ])(
    'a real %s file system as --out: exit 2, nothing of ours left on it, the project unchanged',
    async (_, mountOptions, message) => {
      if (!tmpfsAvailable()) return;
      const mount = path.join(cwd, 'mnt');
      mkdirSync(mount);
      const before = everything();
      const r = await runCliAsync(['synth', '--env', 'prod', '--out', 'mnt/prod'], cwd, {
        prefix: ['unshare', '-m', 'sh', '-c', `mount -t tmpfs -o ${mountOptions} tmpfs mnt && exec "$0" "$@"`],
      });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(message);
      expect(r.stderr).not.toMatch(/^\s+at /m);
      expect(everything()).toEqual(before);
    },
    LONG,
  );

  (EACCES_SKIP_REASON === undefined ? test : test.skip)(
    'a real permission refusal (EACCES) on the output folder',
    async () => {
      const out = path.join(cwd, 'locked-out');
      mkdirSync(out);
      chmodSync(out, 0o555);
      const before = everything();
      // As root, permissions do not stop writes: run the bin as "nobody" (uid 65534) instead.
      const asOther = permissionsAreIgnored();
      if (asOther) {
        // Another user may create cdktf.out here and read the environments, but not write locked-out.
        chmodSync(cwd, 0o777);
        chmodSync(path.join(cwd, 'environments'), 0o755);
        for (const f of readdirSync(path.join(cwd, 'environments'))) chmodSync(path.join(cwd, 'environments', f), 0o644);
        console.log('running as root, where chmod does not stop writes: the bin runs as uid 65534 for this case');
      }
      // The other user's home (tsx and npm caches) lives outside the project.
      const home = mkdtempSync(path.join(tmpdir(), 'akscsi-home-'));
      chmodSync(home, 0o777);
      const r = await runCliAsync(['synth', '--env', 'dev', '--out', 'locked-out'], cwd, asOther ? { spawn: OTHER_USER, env: { HOME: home } } : {}).finally(
        () => rmSync(home, { recursive: true, force: true }),
      );
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(
        'error locked-out: permission denied (EACCES while taking the lock): check the permissions of the file and of the folders above it',
      );
      expect(r.stderr).not.toMatch(/^\s+at /m);
      chmodSync(out, 0o755);
      expect(everything()).toEqual({ ...before, 'locked-out/': 'dir' });
    },
    LONG,
  );

  test(
    'diagram when dist/<env> is a file: exit 2, the file untouched',
    async () => {
      mkdirSync(path.join(cwd, 'dist'));
      writeFileSync(path.join(cwd, 'dist', 'dev'), 'not a folder\n');
      const r = await runMain(['diagram', '--env', 'dev'], cwd);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('error dist/dev: exists and is not a folder: move it away or choose another output folder');
      expect(readFileSync(path.join(cwd, 'dist', 'dev'), 'utf8')).toBe('not a folder\n');
    },
    LONG,
  );

  test('diagram adds TRUST.md to an owned folder and refuses an unowned one without --adopt', async () => {
    expect((await runMain(['synth', '--env', 'dev'], cwd)).code).toBe(0);
    writeFileSync(path.join(cwd, 'dist', 'dev', 'TRUST.md'), 'edited by hand\n');
    const r = await runMain(['diagram', '--env', 'dev'], cwd);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('warning dist/dev/TRUST.md: edited since this tool wrote it: replaced by the render');
    mkdirSync(path.join(cwd, 'dist', 'prod'));
    writeFileSync(path.join(cwd, 'dist', 'prod', 'notes.md'), 'mine\n');
    const refused = await runMain(['diagram', '--env', 'prod'], cwd);
    expect(refused.code).toBe(2);
    expect(readdirSync(path.join(cwd, 'dist', 'prod'))).toEqual(['notes.md']);
    expect((await runMain(['diagram', '--env', 'prod', '--adopt'], cwd)).code).toBe(0);
    expect(readdirSync(path.join(cwd, 'dist', 'prod')).sort()).toEqual([OWNERSHIP_FILE, 'TRUST.md', 'notes.md']);
  });

  test('init sub/dir: exit 2 (a name, not a path), nothing written', async () => {
    const before = everything();
    const r = await runMain(['init', 'sub/dir'], cwd);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      'error command line: <name> "sub/dir": is not an environment name: use 2-24 lower-case letters, digits or hyphens, starting with a letter and not ending with a hyphen (e.g. "staging"); it names environments/<name>.yaml, and --dir DIR chooses another folder',
    );
    expect(everything()).toEqual(before);
  });

  test('init --dir through a file: exit 2 with the fault, not a crash', async () => {
    writeFileSync(path.join(cwd, 'afile'), 'x');
    const r = await runMain(['init', 'qa', '--dir', 'afile/envs'], cwd);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error afile\/envs\/qa\.yaml: a part of the path is a file, not a folder \(ENOTDIR while writing afile\/envs\/qa\.yaml\)/m);
  });
});
