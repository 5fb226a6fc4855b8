/**
 * Decoding what `kubectl apply --dry-run=server` prints. The refusal lines follow kubectl's
 * formats (`Error from server (<Reason>): error when creating "<file>": <message>`); the
 * unreachable-cluster lines were printed by the real kubectl 1.32 on this machine.
 */
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { decodeKubectlErrors, fieldPath, formatKubectlDiagnostic, kubectlServerDryRun, kubectlVersion, positionOf } from '../../lib/kubectl-cli';
import { tempFolders } from '../support/temp';

const tempFolder = tempFolders('akscsi-kubectl-');
let dir: string;
let deployment: string;

beforeAll(() => {
  dir = tempFolder();
  deployment = path.join(dir, 'deployment.yaml');
  writeFileSync(
    deployment,
    [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata:',
      '  name: demo-app',
      'spec:',
      '  template:',
      '    spec:',
      '      containers:',
      '        - name: app',
      '          image: ""',
      '',
    ].join('\n'),
  );
});

describe('decodeKubectlErrors', () => {
  test('a refused object: file, the position of the field the API server names, reason and message', () => {
    const line = `Error from server (Invalid): error when creating "${deployment}": Deployment.apps "demo-app" is invalid: spec.template.spec.containers[0].image: Required value`;
    const { diagnostics, unreachable } = decodeKubectlErrors(`${line}\n`, []);
    expect(unreachable).toBeUndefined();
    expect(diagnostics).toStrictEqual([
      {
        severity: 'error',
        file: deployment,
        position: '10:18',
        summary: 'rejected by the API server (Invalid)',
        detail: 'Deployment.apps "demo-app" is invalid: spec.template.spec.containers[0].image: Required value',
      },
    ]);
    expect(formatKubectlDiagnostic(diagnostics[0])).toBe(
      `${deployment}:10:18: rejected by the API server (Invalid): Deployment.apps "demo-app" is invalid: spec.template.spec.containers[0].image: Required value`,
    );
  });

  test('a field the file lacks points at the nearest field it has', () => {
    expect(positionOf(deployment, 'Deployment.apps "demo-app" is invalid: spec.selector: Required value')).toStrictEqual({ position: '6:3' });
    expect(positionOf(path.join(dir, 'missing.yaml'), 'X "y" is invalid: spec.a: Required value')).toStrictEqual({});
    expect(positionOf(deployment, 'admission webhook denied the request')).toStrictEqual({});
  });

  test('the multi-line answer of apply on an existing object names the file on its "for:" line', () => {
    const stderr = [
      'Error from server (Invalid): error when applying patch:',
      '{"spec":{"template":{"spec":{"containers":[{"image":"","name":"app"}]}}}}',
      'to:',
      'Resource: "apps/v1, Resource=deployments", GroupVersionKind: "apps/v1, Kind=Deployment"',
      'Name: "demo-app", Namespace: "demo"',
      `for: "${deployment}": error when patching "${deployment}": Deployment.apps "demo-app" is invalid: spec.template.spec.containers[0].image: Required value`,
    ].join('\n');
    const { diagnostics } = decodeKubectlErrors(stderr, []);
    expect(diagnostics.map((d) => [d.file, d.position, d.summary])).toStrictEqual([[deployment, '10:18', 'rejected by the API server (Invalid)']]);
  });

  test('admission and missing CRDs are rejections; server warnings are warnings', () => {
    const { diagnostics, unreachable } = decodeKubectlErrors(
      [
        'Warning: would violate PodSecurity "restricted:latest": allowPrivilegeEscalation != false',
        'Error from server (Forbidden): error when creating "a.yaml": pods "x" is forbidden: violates PodSecurity "restricted:latest": runAsNonRoot != true',
        'error: resource mapping not found for name: "demo-app-keyvault" namespace: "demo" from "spc.yaml": no matches for kind "SecretProviderClass" in version "secrets-store.csi.x-k8s.io/v1"',
        'ensure CRDs are installed first',
      ].join('\n'),
      [],
    );
    expect(unreachable).toBeUndefined();
    expect(diagnostics.map((d) => [d.severity, d.file, d.summary])).toStrictEqual([
      ['warning', undefined, 'API server warning'],
      ['error', 'a.yaml', 'rejected by the API server (Forbidden)'],
      ['error', 'spc.yaml', 'rejected by the API server (no such kind)'],
    ]);
    expect(diagnostics[2].detail).toContain('the cluster lacks this CRD');
  });

  test("kubectl's own schema check is a rejection; its failure to reach the server is not", () => {
    const invalid = decodeKubectlErrors(
      'error validating "d.yaml": error validating data: ValidationError(Deployment.spec): unknown field "foo" in io.k8s.api.apps.v1.DeploymentSpec; if you choose to ignore these errors, turn validation off with --validate=false\n',
      [],
    );
    expect(invalid.diagnostics).toStrictEqual([
      {
        severity: 'error',
        file: 'd.yaml',
        summary: 'rejected by the schema check',
        detail: 'ValidationError(Deployment.spec): unknown field "foo" in io.k8s.api.apps.v1.DeploymentSpec',
      },
    ]);
    const refused = decodeKubectlErrors(
      'error validating "dist/dev/namespace-demo.yaml": error validating data: failed to download openapi: Get "https://127.0.0.1:1/openapi/v2?timeout=32s": dial tcp 127.0.0.1:1: connect: connection refused; if you choose to ignore these errors, turn validation off with --validate=false\n',
      [],
    );
    expect(refused).toStrictEqual({
      diagnostics: [],
      unreachable: 'cannot reach the API server (dial tcp 127.0.0.1:1: connect: connection refused): is the cluster running, and the context the right one?',
    });
  });

  test.each([
    ['error: context "nope" does not exist', 'context "nope" is not in the kubeconfig: pass one that "kubectl config get-contexts" lists'],
    [
      'Unable to connect to the server: dial tcp: i/o timeout',
      'cannot reach the API server (dial tcp: i/o timeout): a private cluster needs your VPN or a jump host; an authorized-IP cluster needs your IP allowed',
    ],
    [
      'error: You must be logged in to the server (Unauthorized)',
      'the API server rejected your credentials: run "az aks get-credentials" again (and "kubelogin convert-kubeconfig -l azurecli" for Entra ID clusters)',
    ],
    [
      'Error from server (Forbidden): error when creating "a.yaml": deployments.apps is forbidden: User "dev@example.com" cannot create resource "deployments" in API group "apps" in the namespace "demo"',
      'your identity "dev@example.com" may not create deployments (Kubernetes RBAC): use a context allowed to create these objects (a dry run needs the same rights as an apply)',
    ],
    ['something new', 'kubectl failed: something new'],
  ])('the cluster could not judge: %s', (line, expected) => {
    expect(decodeKubectlErrors(`${line}\n`, [])).toStrictEqual({ diagnostics: [], unreachable: expected });
  });

  test('objects in a namespace these files create are "not checked" warnings', () => {
    const { diagnostics } = decodeKubectlErrors('Error from server (NotFound): error when creating "sa.yaml": namespaces "demo" not found\n', ['demo']);
    expect(diagnostics).toStrictEqual([
      {
        severity: 'warning',
        file: 'sa.yaml',
        summary: 'not checked',
        detail:
          'namespace "demo" is created by these manifests and does not exist yet (a server dry run persists nothing): validate again after the first apply',
      },
    ]);
    expect(
      decodeKubectlErrors('Error from server (NotFound): error when creating "sa.yaml": namespaces "other" not found\n', ['demo']).diagnostics[0].severity,
    ).toBe('error');
  });
});

test('fieldPath splits an API field path', () => {
  expect(fieldPath('spec.template.spec.containers[0].image')).toStrictEqual(['spec', 'template', 'spec', 'containers', 0, 'image']);
});

describe('the real kubectl', () => {
  const KUBECTL = kubectlVersion();
  const real = KUBECTL.available ? test : test.skip;
  if (!KUBECTL.available) console.log(`kubectl is not installed or not runnable here (${KUBECTL.detail}): its real-tool tests are skipped`);

  real('a context the kubeconfig lacks, and an API server that refuses the connection, are "cannot judge"', () => {
    const kubeconfig = path.join(dir, 'kubeconfig');
    writeFileSync(
      kubeconfig,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters: [{name: dead, cluster: {server: "https://127.0.0.1:1"}}]',
        'users: [{name: u, user: {token: not-a-token}}]',
        'contexts: [{name: dead, context: {cluster: dead, user: u}}]',
        'current-context: dead',
        '',
      ].join('\n'),
    );
    const env = { PATH: process.env['PATH'] ?? '', HOME: dir, KUBECONFIG: kubeconfig };
    const missing = kubectlServerDryRun({ files: [deployment], context: 'nope', env });
    expect(missing.unreachable).toBe('context "nope" is not in the kubeconfig: pass one that "kubectl config get-contexts" lists');
    const refused = kubectlServerDryRun({ files: [deployment], context: 'dead', env });
    expect(refused.unreachable).toMatch(/^cannot reach the API server \(.*127\.0\.0\.1:1.*connection refused\)/);
    expect(refused.exitCode).toBe(1);
  });
});
