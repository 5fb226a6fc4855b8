/**
 * Fleets across environments: who belongs to which fleet, the refusals of inconsistent fleets
 * (one per rule, message asserted), what adding an environment changes, and the fleet folder's
 * ownership when synth writes it.
 */
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { InputProblem } from '../../lib/errors';
import type { EnvironmentModel } from '../../lib/model';
import { OWNERSHIP_FILE } from '../../lib/ownership';
import { loadEnvironments } from '../../pipeline/environments';
import { fleetProblems, fleetsOf } from '../../pipeline/fleet';
import { renderFleetFolder } from '../../pipeline/fleet-folder';
import { renderManifests } from '../../pipeline/manifests';
import { synthEnvironments } from '../../pipeline/synth';
import { fleetMember as member } from '../support/fleet';
import { exampleModel } from '../support/models';
import { outputsFor } from '../support/outputs';
import { tempFolders } from '../support/temp';
import { readTree } from '../support/tree';
import { userErrorOf } from '../support/user-error';

const only = (problems: readonly InputProblem[]): InputProblem => {
  expect(problems).toHaveLength(1);
  return problems[0];
};

describe('fleetsOf', () => {
  test('the examples: engines and prod form the Argo CD fleet, private the Flux one; dev joins none', () => {
    const fleets = fleetsOf(['dev', 'engines', 'private', 'prod'].map(exampleModel));
    expect(fleets.map((f) => [f.tool, f.members.map((m) => m.name), f.dir])).toEqual([
      ['argocd', ['engines', 'prod'], path.join('dist', 'fleet', 'argocd')],
      ['flux', ['private'], path.join('dist', 'fleet', 'flux')],
    ]);
  });

  test('an environment with output.gitops but without fleet: true joins no fleet', () => {
    expect(fleetsOf([exampleModel('dev')])).toEqual([]);
  });
});

describe('fleetProblems: inconsistent fleets are refused, naming both files', () => {
  const folder = tempFolders('akscsi-fleet-load-');

  test('the examples are consistent', () => {
    expect(fleetProblems(['dev', 'engines', 'private', 'prod'].map(exampleModel))).toEqual([]);
  });

  test('fails members of one Argo CD fleet with different repoURLs', () => {
    const problem = only(fleetProblems([member('alpha'), member('beta', { gitops: 'tool: argocd, repoURL: https://github.com/example/other.git' })]));
    expect(problem).toEqual({
      file: 'environments/beta.yaml',
      path: 'output.gitops.repoURL',
      received: '"https://github.com/example/other.git"',
      message:
        'the Argo CD fleet\'s members share repoURL, and environment "alpha" (environments/alpha.yaml) has "https://github.com/example/gitops.git": use the same value, or leave the fleet (output.gitops.fleet: false)',
    });
  });

  test.each([
    ['project', 'project: payments', '"payments"'],
    ['targetRevision', 'targetRevision: main', '"main"'],
    ['namespace', 'namespace: argo', '"argo"'],
  ])('fails members of one Argo CD fleet with different %s (the ApplicationSet has one)', (field, entry, received) => {
    const problem = only(
      fleetProblems([member('alpha'), member('beta', { gitops: `tool: argocd, repoURL: https://github.com/example/gitops.git, ${entry}` })]),
    );
    expect(problem.path).toBe(`output.gitops.${field}`);
    expect(problem.received).toBe(received);
    expect(problem.message).toMatch(new RegExp(`^the Argo CD fleet's members share ${field}, and environment "alpha" \\(environments/alpha.yaml\\) has "`));
  });

  test('fails members of the Flux fleet with different fleetPaths (the root Kustomization applies one folder)', () => {
    const problem = only(fleetProblems([member('alpha', { tool: 'flux' }), member('beta', { gitops: 'tool: flux, sourceRef: flux-system' })]));
    expect(problem).toEqual({
      file: 'environments/beta.yaml',
      path: 'output.gitops.fleetPath',
      received: '"dist/fleet/flux"',
      message:
        'the Flux fleet\'s members share fleetPath, and environment "alpha" (environments/alpha.yaml) has "clusters/fleet": use the same value, or leave the fleet (output.gitops.fleet: false)',
    });
  });

  test('fails two members in one folder of the repository (one config file, one Application)', () => {
    const problem = only(fleetProblems([member('alpha', { path: 'clusters/shared' }), member('beta', { path: 'clusters/shared/', namespace: 'other' })]));
    expect(problem).toEqual({
      file: 'environments/beta.yaml',
      path: 'output.gitops.path',
      received: '"clusters/shared"',
      message:
        '"clusters/shared" is also the folder of environment "alpha" (environments/alpha.yaml, "clusters/shared"): give each member of the Argo CD fleet a folder of its own',
    });
  });

  test('fails a member folder inside another member folder', () => {
    const problem = only(fleetProblems([member('alpha', { path: 'clusters/a' }), member('beta', { path: 'clusters/a/b' })]));
    expect(problem.message).toBe(
      '"clusters/a/b" lies inside the folder of environment "alpha" (environments/alpha.yaml, "clusters/a"): give each member of the Argo CD fleet a folder of its own',
    );
  });

  test('fails two members that render the same objects into the same cluster (two owners, each prunes them from the other)', () => {
    const problem = only(fleetProblems([member('alpha', { namespace: 'shared' }), member('beta', { namespace: 'shared' })]));
    expect(problem).toEqual({
      file: 'environments/beta.yaml',
      path: 'output.gitops.cluster',
      received: '(not set)',
      message:
        'environment "alpha" (environments/alpha.yaml) deploys to cluster https://kubernetes.default.svc too, and both render Namespace "shared", ServiceAccount "shared/app", workload "shared/app": one object would belong to two Applications, and pruning in either deletes it from the other; set output.gitops.cluster to this environment\'s own cluster, or use other namespaces',
    });
  });

  test('one namespace of one cluster is fine when the members share no object (no Namespace objects, other workloads)', () => {
    expect(
      fleetProblems([
        member('alpha', { namespace: 'shared', namespaces: false }),
        member('beta', { namespace: 'shared', namespaces: false, workload: 'other' }),
      ]),
    ).toEqual([]);
    expect(only(fleetProblems([member('alpha', { namespace: 'shared' }), member('beta', { namespace: 'shared', workload: 'other' })])).message).toMatch(
      /both render Namespace "shared": one object would belong to two Applications/,
    );
  });

  test('a server URL with and without its trailing slash is one cluster', () => {
    const problems = fleetProblems([
      member('alpha', { namespace: 'shared', cluster: 'https://aks.example:443/' }),
      member('beta', { namespace: 'shared', cluster: 'https://aks.example:443' }),
    ]);
    expect(only(problems).message).toMatch(/^environment "alpha" \(environments\/alpha.yaml\) deploys to cluster https:\/\/aks.example:443 too/);
  });

  test('the same namespace in different clusters, or different namespaces in one cluster, is fine', () => {
    expect(fleetProblems([member('alpha', { namespace: 'shared', cluster: 'aks-a' }), member('beta', { namespace: 'shared', cluster: 'aks-b' })])).toEqual([]);
    expect(fleetProblems([member('alpha'), member('beta')])).toEqual([]);
    expect(
      fleetProblems([member('alpha', { tool: 'flux', namespace: 'shared', cluster: 'a-kubeconfig' }), member('beta', { tool: 'flux', namespace: 'shared' })]),
    ).toEqual([]);
  });

  test('fails a Flux member folder that overlaps the fleet folder', () => {
    const problem = only(fleetProblems([member('alpha', { tool: 'flux', path: 'clusters/fleet/alpha' })]));
    expect(problem.message).toBe(
      '"clusters/fleet/alpha" overlaps the Flux fleet\'s folder "clusters/fleet" (output.gitops.fleetPath): keep the fleet folder and the environments\' folders apart',
    );
  });

  test('fails an environment named "fleet" while a fleet is rendered (dist/fleet is the fleets\' folder)', () => {
    const named = { ...member('alpha'), name: 'fleet', file: 'environments/fleet.yaml' } as EnvironmentModel;
    expect(only(fleetProblems([member('beta'), named]))).toEqual({
      file: 'environments/fleet.yaml',
      path: '',
      received: '"fleet"',
      message: `environment "fleet" would render into ${path.join('dist', 'fleet')}, the fleets' folder: rename the file (e.g. environments/fleet-1.yaml)`,
    });
  });

  test('loading refuses the fleet with file:line:col, as every bad input (exit 2)', () => {
    const dir = folder();
    for (const [name, repo] of [
      ['alpha', 'gitops'],
      ['beta', 'other'],
    ]) {
      const source = readFileSync('environments/engines.yaml', 'utf8')
        .replace('kv-akscsi-engines-example', `kv-akscsi-${name}-example`)
        .replace(/rg-akscsi-engines/g, `rg-akscsi-${name}`)
        .replace(/aks-akscsi-engines/g, `aks-akscsi-${name}`)
        .replace('https://github.com/example/gitops.git', `https://github.com/example/${repo}.git`);
      writeFileSync(path.join(dir, `${name}.yaml`), source);
    }
    const error = userErrorOf(() => loadEnvironments({ dir }));
    const repoURL = error.problems.find((p) => p.path === 'output.gitops.repoURL');
    expect(repoURL).toBeDefined();
    expect(repoURL!.position).toMatch(/^\d+:\d+$/);
    expect(error.message).toContain(
      `${path.join(dir, 'beta.yaml')}:${repoURL!.position}: output.gitops.repoURL "https://github.com/example/other.git": the Argo CD fleet's members share repoURL`,
    );
  });
});

/** Every file of the environments' folders and the fleet folders, by path from dist/. */
function renderAll(models: readonly EnvironmentModel[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of models) for (const f of renderManifests(m, outputsFor(m))) out.set(`${m.name}/${f.path}`, f.content);
  for (const fleet of fleetsOf(models)) for (const f of renderFleetFolder(fleet)) out.set(`fleet/${fleet.tool}/${f.path}`, f.content);
  return out;
}

describe('adding an environment to a fleet', () => {
  test.each([
    ['argocd', 'gamma/aks-keyvault-csi-fleet.json'],
    ['flux', 'fleet/flux/members/gamma.yaml'],
  ] as const)('%s: adds its folder and exactly one fleet file (%s), and changes no existing file', (tool, fleetFile) => {
    const before = renderAll([member('alpha', { tool }), member('beta', { tool })]);
    const after = renderAll([member('alpha', { tool }), member('beta', { tool }), member('gamma', { tool })]);
    for (const [file, content] of before) expect([file, after.get(file)]).toEqual([file, content]);
    const added = [...after.keys()].filter((f) => !before.has(f));
    const fleetFiles = added.filter((f) => f.startsWith('fleet/') || f.endsWith('aks-keyvault-csi-fleet.json'));
    expect(fleetFiles).toEqual([fleetFile]);
    // Everything else added is the new environment's own folder.
    expect(added.filter((f) => !fleetFiles.includes(f)).every((f) => f.startsWith('gamma/'))).toBe(true);
  });
});

describe('synth writes the fleet folders under the ownership rules', () => {
  const folder = tempFolders('akscsi-fleet-synth-');

  /** A project with the examples in a fleet (engines, private, prod), the working folder while `run` runs. */
  function inProject<T>(run: (dir: string) => T, names: readonly string[] = ['engines', 'private', 'prod']): T {
    const dir = folder();
    mkdirSync(path.join(dir, 'environments'));
    for (const n of names) for (const f of [`${n}.yaml`, `${n}.outputs.json`]) cpSync(path.join('environments', f), path.join(dir, 'environments', f));
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      return run(dir);
    } finally {
      process.chdir(cwd);
    }
  }

  test('records the fleet files, keeps the user files beside them, removes a member only on a synth of every environment', () => {
    inProject((dir) => {
      const fleetDir = path.join(dir, 'dist', 'fleet');
      const first = synthEnvironments(loadEnvironments({}), { allEnvironments: true });
      expect(first.written).toBe(true);
      expect(readTree(fleetDir)).toEqual({
        [`argocd/${OWNERSHIP_FILE}`]: expect.any(String),
        'argocd/bootstrap/argocd-applicationset.yaml': expect.stringContaining('kind: ApplicationSet'),
        [`flux/${OWNERSHIP_FILE}`]: expect.any(String),
        'flux/bootstrap/flux-kustomization.yaml': expect.stringContaining('path: ./clusters/fleet/members'),
        'flux/members/private.yaml': expect.stringContaining('name: aks-keyvault-csi-private'),
      });
      expect(Object.keys(JSON.parse(readFileSync(path.join(fleetDir, 'flux', OWNERSHIP_FILE), 'utf8')).files)).toEqual([
        'bootstrap/flux-kustomization.yaml',
        'members/private.yaml',
      ]);
      writeFileSync(path.join(fleetDir, 'flux', 'members', 'NOTES.md'), 'mine\n');

      // One environment: the others' members stay.
      synthEnvironments(loadEnvironments({ names: ['prod'] }));
      expect(existsSync(path.join(fleetDir, 'flux', 'members', 'private.yaml'))).toBe(true);

      // Every environment, private no longer in the fleet: its member goes, the user's file stays.
      const file = path.join(dir, 'environments', 'private.yaml');
      writeFileSync(file, readFileSync(file, 'utf8').replace('    fleet: true\n    fleetPath: clusters/fleet\n', ''));
      synthEnvironments(loadEnvironments({}), { allEnvironments: true });
      expect(readTree(path.join(fleetDir, 'flux'))).toEqual({ 'members/NOTES.md': 'mine\n', [OWNERSHIP_FILE]: expect.any(String) });
    });
  });

  test('refuses a fleet folder holding files it did not write (exit 2, nothing changed), and adopts it with adopt', () => {
    inProject(
      (dir) => {
        const fleetDir = path.join(dir, 'dist', 'fleet', 'argocd');
        mkdirSync(fleetDir, { recursive: true });
        writeFileSync(path.join(fleetDir, 'applicationset.yaml'), 'hand-written\n');
        const error = userErrorOf(() => synthEnvironments(loadEnvironments({}), { allEnvironments: true }));
        expect(error.problems[0].file).toBe(path.join('dist', 'fleet', 'argocd'));
        expect(readTree(fleetDir)).toEqual({ 'applicationset.yaml': 'hand-written\n' });
        expect(existsSync(path.join(dir, 'dist', 'prod'))).toBe(false);
        synthEnvironments(loadEnvironments({}), { allEnvironments: true, adopt: true });
        expect(Object.keys(readTree(fleetDir)).sort()).toEqual([OWNERSHIP_FILE, 'applicationset.yaml', 'bootstrap/argocd-applicationset.yaml']);
      },
      ['prod'],
    );
  });
});
