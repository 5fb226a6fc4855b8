/**
 * The bootstrap object's path (pipeline/gitops-path.ts): the folder's path in the GitOps
 * repository, from `output.gitops.path` or from where `--out` sits in a git checkout, and a
 * warning when it cannot be known. End to end: `synth --out` into a scratch git repository, and
 * `check --check-drift` on the same folder agrees with it.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';
import { gitopsPlacement, repositoryPathOf } from '../../pipeline/gitops-path';
import { modelFromYaml } from '../charts/fixtures';
import { variant } from '../support/config';
import { gitRepository, ROOT, runMain } from '../cli/helpers';

let base: string;
beforeEach(() => {
  base = realpathSync(mkdtempSync(path.join(tmpdir(), 'akscsi-gitops-path-')));
});
afterEach(() => rmSync(base, { recursive: true, force: true }));

const flux = (gitopsPath?: string) =>
  variant((d) => (d.output = { gitops: { tool: 'flux', sourceRef: 'gitops', ...(gitopsPath ? { path: gitopsPath } : {}) } }));
const argo = (gitopsPath?: string) =>
  variant((d) => (d.output = { gitops: { tool: 'argocd', repoURL: 'https://example.com/gitops.git', ...(gitopsPath ? { path: gitopsPath } : {}) } }));

describe('repositoryPathOf', () => {
  test('the path relative to the closest folder holding .git (a folder, or a file in worktrees), with "/"', () => {
    mkdirSync(path.join(base, 'repo', '.git'), { recursive: true });
    expect(repositoryPathOf(path.join(base, 'repo', 'clusters', 'dev', 'secrets'))).toEqual({ root: path.join(base, 'repo'), path: 'clusters/dev/secrets' });
  });

  test('a worktree or submodule (.git is a file) is a checkout root too', () => {
    mkdirSync(path.join(base, 'wt', 'apps'), { recursive: true });
    writeFileSync(path.join(base, 'wt', '.git'), 'gitdir: /elsewhere/.git/worktrees/wt\n');
    expect(repositoryPathOf(path.join(base, 'wt', 'apps', 'x'))).toEqual({ root: path.join(base, 'wt'), path: 'apps/x' });
  });

  test('outside any checkout: undefined', () => {
    expect(repositoryPathOf(path.join(base, 'plain', 'folder'))).toBeUndefined();
  });
});

describe('gitopsPlacement', () => {
  test('no GitOps object: nothing to place', () => {
    expect(
      gitopsPlacement(
        modelFromYaml(
          'dev',
          variant(() => undefined),
        ),
        path.join(base, 'x'),
      ),
    ).toEqual({});
  });

  test("--out in a git checkout, no output.gitops.path: the folder's path in that checkout", () => {
    mkdirSync(path.join(base, 'gitops', '.git'), { recursive: true });
    expect(gitopsPlacement(modelFromYaml('dev', flux()), path.join(base, 'gitops', 'clusters', 'dev'))).toEqual({ path: 'clusters/dev' });
  });

  test('output.gitops.path set and --out at that path: the path, no warning', () => {
    mkdirSync(path.join(base, 'gitops', '.git'), { recursive: true });
    expect(gitopsPlacement(modelFromYaml('dev', argo('clusters/dev/')), path.join(base, 'gitops', 'clusters', 'dev'))).toEqual({ path: 'clusters/dev/' });
  });

  test('warns when output.gitops.path names another folder than the one --out writes', () => {
    mkdirSync(path.join(base, 'gitops', '.git'), { recursive: true });
    const p = gitopsPlacement(modelFromYaml('dev', argo('clusters/dev/aks-keyvault-csi')), path.join(base, 'gitops', 'clusters', 'dev', 'secrets'));
    expect(p.path).toBe('clusters/dev/aks-keyvault-csi');
    expect(p.warning).toBe(
      `environments/dev.yaml: output.gitops.path is "clusters/dev/aks-keyvault-csi", but ${path.join(base, 'gitops', 'clusters', 'dev', 'secrets')} is "clusters/dev/secrets" in the git checkout ${path.join(base, 'gitops')}: the Argo CD Application syncs "clusters/dev/aks-keyvault-csi", not the folder written; set output.gitops.path to "clusters/dev/secrets", or render with --out into "clusters/dev/aks-keyvault-csi" of that checkout`,
    );
  });

  test('warns when the path cannot be known: --out outside a git checkout, or dist/<env>', () => {
    const outside = gitopsPlacement(modelFromYaml('dev', flux()), path.join(base, 'not-a-repo'));
    expect(outside.path).toBe('dist/dev');
    expect(outside.warning).toContain(
      `${path.join(base, 'not-a-repo')} is not inside a git checkout, so the path of the folder in the GitOps repository is unknown: the Flux Kustomization points at "dist/dev"; set output.gitops.path`,
    );
    const dist = gitopsPlacement(modelFromYaml('dev', flux()));
    expect(dist.warning).toContain('the manifests are rendered into dist/dev, so the path of the folder in the GitOps repository is unknown');
  });

  test('output.gitops.path set and no --out: the path, no warning (dist/<env> is a staging area)', () => {
    expect(gitopsPlacement(modelFromYaml('dev', flux('clusters/dev')))).toEqual({ path: 'clusters/dev' });
  });
});

describe('synth --out into a GitOps checkout (Flux, no output.gitops.path)', () => {
  test('the Kustomization points at the folder written, and check --check-drift on it finds no drift', async () => {
    const project = path.join(base, 'project');
    mkdirSync(path.join(project, 'elsewhere'), { recursive: true });
    cpSync(path.join(ROOT, 'environments'), path.join(project, 'environments'), { recursive: true });
    writeFileSync(path.join(project, 'elsewhere', 'dev.yaml'), flux());
    gitRepository(path.join(base, 'gitops'));
    const out = '../gitops/clusters/dev/secrets';
    const args = ['--config', 'elsewhere/dev.yaml', '--outputs', 'environments/dev.outputs.json'];
    const r = await runMain(['synth', ...args, '--out', out], project);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const k = parse(readFileSync(path.join(base, 'gitops', 'clusters', 'dev', 'secrets', 'bootstrap', 'flux-kustomization.yaml'), 'utf8')) as {
      spec: { path: string };
    };
    expect(k.spec.path).toBe('./clusters/dev/secrets');
    const check = await runMain(['check', ...args, '--dir', out, '--check-drift'], project);
    expect(check.stderr).toBe('');
    expect(check.code).toBe(0);
  });

  test('outside a git checkout: a warning, and the Kustomization points at dist/<env>', async () => {
    const project = path.join(base, 'project');
    mkdirSync(path.join(project, 'elsewhere'), { recursive: true });
    cpSync(path.join(ROOT, 'environments'), path.join(project, 'environments'), { recursive: true });
    writeFileSync(path.join(project, 'elsewhere', 'dev.yaml'), flux());
    const r = await runMain(['synth', '--config', 'elsewhere/dev.yaml', '--outputs', 'environments/dev.outputs.json', '--out', '../plain/dev'], project);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('warning elsewhere/dev.yaml: output.gitops.path is not set and ../plain/dev is not inside a git checkout');
    const k = parse(readFileSync(path.join(base, 'plain', 'dev', 'bootstrap', 'flux-kustomization.yaml'), 'utf8')) as { spec: { path: string } };
    expect(k.spec.path).toBe('./dist/dev');
  });
});
