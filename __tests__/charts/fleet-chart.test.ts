/**
 * The fleet objects: the Argo CD ApplicationSet and the Flux Kustomizations validate against the
 * vendored upstream CRDs (imports/crds/: argoproj/argo-cd manifests/crds/applicationset-crd.yaml
 * and application-crd.yaml, fluxcd/kustomize-controller config/crd/bases), and the
 * ApplicationSet's template, filled in as Argo CD's Git files generator fills it
 * (argoproj/argo-cd applicationset/generators/git.go `generateParamsFromGitFile`: the file's
 * keys, and `path.path` = the folder holding the file), yields exactly the Application each
 * environment's bootstrap renders.
 */
import { App, Chart, Testing } from 'cdk8s';
import { ARGOCD_FLEET_CONFIG_FILE, ArgoCdApplication, ArgoCdApplicationSet, FleetChart, FluxKustomization, renderEnvironment, renderFleet } from '../../charts';
import { ARGOCD_IN_CLUSTER_SERVER } from '../../lib/kubernetes';
import { fleetMemberFiles, renderFleetFolder } from '../../pipeline/fleet-folder';
import { fleetsOf } from '../../pipeline/fleet';
import { crdValidator } from '../support/crd';
import { fleetMember as member } from '../support/fleet';
import { exampleModel, exampleOutputs, objectOf, outputsFor } from './fixtures';

const APPLICATION_SET_CRD = ['imports/crds/argoproj.io_applicationsets.yaml', 'v1alpha1'] as const;
const APPLICATION_CRD = ['imports/crds/argoproj.io_applications.yaml', 'v1alpha1'] as const;
const KUSTOMIZATION_CRD = ['imports/crds/kustomize.toolkit.fluxcd.io_kustomizations.yaml', 'v1'] as const;

const strict = (crd: readonly [string, string]) => crdValidator(crd[0], crd[1], { strict: true });
const errorsOf = (validate: ReturnType<typeof crdValidator>, o: unknown) => (validate(o) ? [] : validate.errors);

/** Argo CD's Go template with `missingkey=error`, for the `{{.a.b}}` references the ApplicationSet uses. */
function fillTemplate(value: unknown, params: Record<string, unknown>): unknown {
  if (Array.isArray(value)) return value.map((v) => fillTemplate(v, params));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fillTemplate(v, params)]));
  if (typeof value !== 'string') return value;
  return value.replace(/\{\{\.([A-Za-z0-9_.]+)\}\}/g, (_, key: string) => {
    const found = key
      .split('.')
      .reduce<unknown>((o, k) => (o !== null && typeof o === 'object' && k in o ? (o as Record<string, unknown>)[k] : undefined), params);
    if (typeof found !== 'string') throw new Error(`map has no entry for key "${key}"`);
    return found;
  });
}

/** What Argo CD stores: `ApplicationDestination` fields are `omitempty`, so an empty one is absent. */
function withoutEmptyDestination(app: any): any {
  const destination = Object.fromEntries(Object.entries(app.spec.destination as Record<string, string>).filter(([, v]) => v !== ''));
  return { ...app, spec: { ...app.spec, destination } };
}

/** The Application the ApplicationSet generates for a config file committed at `file` in the repository. */
function generated(set: any, file: string, content: string): any {
  const params = { ...JSON.parse(content), path: { path: file.slice(0, file.lastIndexOf('/')) } };
  const template = fillTemplate(set.spec.template, params) as any;
  return withoutEmptyDestination({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { ...template.metadata, namespace: set.metadata.namespace },
    spec: template.spec,
  });
}

describe('Argo CD fleet (prod and engines, the examples)', () => {
  const members = ['prod', 'engines'].map(exampleModel);
  const [fleet] = fleetsOf(members);
  const files = renderFleetFolder(fleet);
  const set = objectOf(files, 'bootstrap/argocd-applicationset.yaml');

  test('one file: the ApplicationSet, applied once by hand', () => {
    expect(files.map((f) => f.path)).toEqual(['bootstrap/argocd-applicationset.yaml']);
    expect(set.kind).toBe('ApplicationSet');
    expect(set.metadata).toEqual({ name: 'aks-keyvault-csi-fleet', namespace: 'argocd' });
  });

  test('validates against the vendored ApplicationSet CRD, unknown fields refused', () => {
    expect(errorsOf(strict(APPLICATION_SET_CRD), set)).toEqual([]);
  });

  test('the validator can fail: a misspelt field and a wrong-typed one are refused', () => {
    const validate = strict(APPLICATION_SET_CRD);
    expect(validate({ ...set, spec: { ...set.spec, goTemplates: true } })).toBe(false);
    expect(validate({ ...set, spec: { ...set.spec, generators: [{ git: { ...set.spec.generators[0].git, files: 'x.json' } }] } })).toBe(false);
  });

  test('a Git files generator over every aks-keyvault-csi-fleet.json of repoURL, at the members revision, with Go templates that refuse a missing key', () => {
    expect(set.spec.generators).toEqual([
      { git: { repoURL: 'https://github.com/example/gitops.git', revision: 'HEAD', files: [{ path: `**/${ARGOCD_FLEET_CONFIG_FILE}` }] } },
    ]);
    expect(set.spec.goTemplate).toBe(true);
    expect(set.spec.goTemplateOptions).toEqual(['missingkey=error']);
  });

  // argoproj/argo-cd util/git/client.go LsFiles: by default `git ls-files -- <pattern>` (a git
  // pathspec: `*` also matches "/"), with --enable-new-git-file-globbing doublestar's FilepathGlob.
  test.each([
    ['git pathspec (the default)', (p: string) => new RegExp(`^${p.split('*').map(escape).join('.*')}$`)],
    [
      'doublestar (new globbing)',
      (p: string) =>
        new RegExp(
          `^${p
            .split('**/')
            .map((s) => s.split('*').map(escape).join('[^/]*'))
            .join('(?:.*/)?')}$`,
        ),
    ],
  ])('the pattern finds each member file at any depth and nothing else, with %s', (_, glob) => {
    const re = glob(set.spec.generators[0].git.files[0].path);
    for (const found of ['clusters/prod/aks-keyvault-csi/aks-keyvault-csi-fleet.json', 'a/aks-keyvault-csi-fleet.json', 'x/y/z/w/aks-keyvault-csi-fleet.json'])
      expect(found).toMatch(re);
    for (const other of [
      'clusters/prod/aks-keyvault-csi/fleet.json',
      'clusters/prod/my-aks-keyvault-csi-fleet.json',
      'clusters/prod/aks-keyvault-csi-fleet.json.bak',
    ])
      expect(other).not.toMatch(re);
  });

  test.each(['prod', 'engines'])('%s: the template yields exactly its bootstrap Application (name, project, source, destination, sync policy)', (env) => {
    const model = exampleModel(env);
    const bootstrap = objectOf(renderEnvironment(model, exampleOutputs(env)), 'bootstrap/argocd-application.yaml');
    const [config] = fleetMemberFiles(model);
    const { file: _file, ...expected } = bootstrap;
    expect(generated(set, `${model.config.output.gitops!.path!}/${config.path}`, config.content)).toEqual(expected);
  });

  test('prod deploys to its own cluster, engines to the one Argo CD runs in', () => {
    expect(objectOf(renderEnvironment(exampleModel('prod'), exampleOutputs('prod')), 'bootstrap/argocd-application.yaml').spec.destination).toEqual({
      server: 'https://aks-akscsi-prod-dns.hcp.westeurope.azmk8s.io:443',
    });
    expect(JSON.parse(fleetMemberFiles(exampleModel('engines'))[0].content)).toEqual({
      environment: 'engines',
      destinationServer: ARGOCD_IN_CLUSTER_SERVER,
      destinationName: '',
    });
  });

  test('each generated Application validates against the vendored Application CRD, as does each bootstrap Application', () => {
    const validate = strict(APPLICATION_CRD);
    for (const env of ['prod', 'engines']) {
      const model = exampleModel(env);
      const [config] = fleetMemberFiles(model);
      expect(errorsOf(validate, generated(set, `clusters/${env}/${config.path}`, config.content))).toEqual([]);
      for (const f of renderEnvironment(model, exampleOutputs(env)).filter((x) => x.path.startsWith('bootstrap/')))
        expect(errorsOf(validate, f.object)).toEqual([]);
    }
  });

  test('a config file missing a key fails the template (missingkey=error), never an empty destination', () => {
    expect(() => generated(set, 'clusters/x/aks-keyvault-csi-fleet.json', JSON.stringify({ environment: 'x', destinationServer: 'https://k' }))).toThrow(
      'map has no entry for key "destinationName"',
    );
  });
});

describe('a member named by its cluster name in Argo CD', () => {
  const model = member('staging', { cluster: 'aks-staging' });
  const [fleet] = fleetsOf([model]);
  const set = objectOf(renderFleetFolder(fleet), 'bootstrap/argocd-applicationset.yaml');

  test('its config file carries the name, and the generated Application is its bootstrap Application (destination.name)', () => {
    const [config] = fleetMemberFiles(model);
    expect(JSON.parse(config.content)).toEqual({ environment: 'staging', destinationServer: '', destinationName: 'aks-staging' });
    const { file: _file, ...bootstrap } = objectOf(renderEnvironment(model, outputsFor(model)), 'bootstrap/argocd-application.yaml');
    expect(bootstrap.spec.destination).toEqual({ name: 'aks-staging' });
    expect(generated(set, `clusters/staging/secrets/${config.path}`, config.content)).toEqual(bootstrap);
  });
});

describe('Flux fleet (private, the example, and a second member)', () => {
  const members = [exampleModel('private'), member('staging', { tool: 'flux', cluster: 'aks-staging-kubeconfig' })];
  const [fleet] = fleetsOf(members);
  const files = renderFleetFolder(fleet);

  test('the root Kustomization in bootstrap/ and one Kustomization per member in members/, nothing else (no kustomization.yaml)', () => {
    expect(files.map((f) => f.path)).toEqual(['bootstrap/flux-kustomization.yaml', 'members/private.yaml', 'members/staging.yaml']);
    expect(objectOf(files, 'bootstrap/flux-kustomization.yaml').spec).toEqual({
      interval: '10m',
      path: './clusters/fleet/members',
      prune: true,
      sourceRef: { kind: 'GitRepository', name: 'flux-system' },
    });
  });

  test('each member is exactly its environment bootstrap Kustomization', () => {
    const { file: _f, ...bootstrap } = objectOf(renderEnvironment(members[0], exampleOutputs('private')), 'bootstrap/flux-kustomization.yaml');
    const { file: _g, ...inFleet } = objectOf(files, 'members/private.yaml');
    expect(inFleet).toEqual(bootstrap);
  });

  // fluxcd/kustomize-controller docs/spec/v1/kustomizations.md "KubeConfig (Remote clusters)": secretRef in the Kustomization's namespace.
  test('a member with output.gitops.cluster applies to that cluster through kubeConfig.secretRef', () => {
    expect(objectOf(files, 'members/staging.yaml').spec.kubeConfig).toEqual({ secretRef: { name: 'aks-staging-kubeconfig' } });
    expect(objectOf(files, 'members/private.yaml').spec).not.toHaveProperty('kubeConfig');
  });

  test('every object validates against the vendored Kustomization CRD, unknown fields refused; the validator can fail', () => {
    const validate = strict(KUSTOMIZATION_CRD);
    for (const f of files) expect(errorsOf(validate, f.object)).toEqual([]);
    const root = objectOf(files, 'bootstrap/flux-kustomization.yaml');
    expect(validate({ ...root, spec: { ...root.spec, kubeConfig: { secretRef: 'x' } } })).toBe(false);
    expect(validate({ ...root, spec: { ...root.spec, kubeconfig: {} } })).toBe(false);
  });

  test('each member and the environment bootstraps validate too (Flux members of the examples)', () => {
    const validate = strict(KUSTOMIZATION_CRD);
    const bootstrap = renderEnvironment(members[0], exampleOutputs('private')).find((f) => f.path === 'bootstrap/flux-kustomization.yaml');
    expect(errorsOf(validate, bootstrap!.object)).toEqual([]);
  });
});

describe('constructs', () => {
  const chart = () => new Chart(Testing.app(), 'test');

  test.each<[string, Partial<ConstructorParameters<typeof ArgoCdApplicationSet>[2]>, string]>([
    ['a bad name', { name: 'Fleet' }, 'ApplicationSet argocd/Fleet: name "Fleet": use a DNS-1123 name'],
    ['a bad namespace', { namespace: 'Argo' }, 'namespace "Argo": use a DNS-1123 label'],
    ['a blank repoURL', { repoURL: ' ' }, 'repoURL " ": use the URL of the GitOps repository'],
    ['a project no AppProject can be named', { project: 'My Project' }, 'project "My Project": use the name of an Argo CD AppProject'],
  ])('fails an ApplicationSet with %s', (_, over, message) => {
    const props = { name: 'fleet', repoURL: 'https://example.com/r.git', applicationName: (e: string) => `app-${e}` };
    expect(() => new ArgoCdApplicationSet(chart(), 'S', { ...props, ...over })).toThrow(message);
  });

  // argoproj/argo-cd util/argo/argo.go GetDestinationServer: "application destination can't have both name and server defined".
  test('fails an Application with both a destination server and name', () => {
    expect(
      () =>
        new ArgoCdApplication(chart(), 'A', {
          name: 'x',
          repoURL: 'https://example.com/r.git',
          path: 'dist/x',
          destinationServer: 'https://k',
          destinationName: 'k',
        }),
    ).toThrow('Application argocd/x: destinationName "k": set destinationServer or destinationName, not both (Argo CD refuses both)');
  });

  test('fails an Application destination with spaces, and a Kustomization kubeconfig Secret that no Secret can be named', () => {
    expect(
      () => new ArgoCdApplication(chart(), 'A', { name: 'x', repoURL: 'https://example.com/r.git', path: 'dist/x', destinationName: 'my cluster' }),
    ).toThrow('destination "my cluster": use the API server URL of a cluster registered in Argo CD');
    expect(() => new FluxKustomization(chart(), 'F', { name: 'x', sourceRef: 'repo', path: 'dist/x', kubeConfigSecret: 'My_Kubeconfig' })).toThrow(
      'Kustomization flux-system/x: kubeConfigSecret "My_Kubeconfig": use the name of a Secret (a DNS-1123 name)',
    );
  });

  test('a fleet needs a member', () => {
    expect(() => new FleetChart(new App(), 'fleet', { members: [], fleetPath: 'x' })).toThrow('a fleet needs at least one member');
  });

  test('renderFleet names no member in the Argo CD file, and each Flux member only in its own file', () => {
    const argo = renderFleet({ members: [{ environment: 'a', gitops: member('a').config.output.gitops! }], fleetPath: 'unused' });
    expect(argo[0].content).not.toContain('"a"');
    const flux = renderFleet({
      members: ['a', 'b'].map((e) => ({ environment: e, gitops: member(e, { tool: 'flux' }).config.output.gitops! })),
      fleetPath: 'clusters/fleet',
    });
    expect(flux.map((f) => f.content.split('\n')[0])).toEqual([
      '# Rendered by aks-keyvault-csi for the Flux fleet. Do not edit: change output.gitops in environments/<env>.yaml and render again.',
      '# Rendered by aks-keyvault-csi for the Flux fleet, environment "a". Do not edit: change output.gitops in environments/<env>.yaml and render again.',
      '# Rendered by aks-keyvault-csi for the Flux fleet, environment "b". Do not edit: change output.gitops in environments/<env>.yaml and render again.',
    ]);
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
