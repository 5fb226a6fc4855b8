import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import { Deployment } from 'kubernetes-models/apps/v1';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { Namespace, ServiceAccount } from 'kubernetes-models/v1';
import { parse, parseAllDocuments } from 'yaml';
import { renderEnvironment } from '../../charts';
import { writeOutputs } from '../../lib/write';
import { CERT_ENV_YAML, EXAMPLES, exampleModel, exampleOutputs, modelFromYaml, objectOf, objectsOf, outputsFor } from './fixtures';

const render = (env: string) => renderEnvironment(exampleModel(env), exampleOutputs(env));
const certModel = () => modelFromYaml('edge', CERT_ENV_YAML);
const renderCert = () => renderEnvironment(certModel(), outputsFor(certModel()));

describe('dev', () => {
  const files = render('dev');

  test('renders one file per object, the kustomization, and nothing else', () => {
    expect(files.map((f) => f.path)).toEqual([
      'namespace-demo.yaml',
      'serviceaccount-demo-demo-app.yaml',
      'secretproviderclass-demo-demo-app-keyvault.yaml',
      'networkpolicy-demo-demo-app.yaml',
      'deployment-demo-demo-app.yaml',
      'kustomization.yaml',
    ]);
  });

  test('ServiceAccount carries the client id from the outputs and keeps token automount off', () => {
    const sa = objectOf(files, 'serviceaccount-demo-demo-app.yaml');
    expect(sa.metadata).toEqual({
      name: 'demo-app',
      namespace: 'demo',
      annotations: { 'azure.workload.identity/client-id': '00000000-0000-0000-0000-00000000d001' },
    });
    expect(sa.automountServiceAccountToken).toBe(false);
  });

  test('SecretProviderClass: azure provider, workload identity, tenantID spelling, no cloudName on the public cloud', () => {
    const spc = objectOf(files, 'secretproviderclass-demo-demo-app-keyvault.yaml');
    expect(spc.apiVersion).toBe('secrets-store.csi.x-k8s.io/v1');
    expect(spc.metadata).toEqual({ name: 'demo-app-keyvault', namespace: 'demo' });
    expect(spc.spec.provider).toBe('azure');
    expect(spc.spec.parameters).toEqual({
      usePodIdentity: 'false',
      clientID: '00000000-0000-0000-0000-00000000d001',
      keyvaultName: 'kv-akscsi-dev-example',
      tenantID: '00000000-0000-0000-0000-00000000aaaa',
      objects: 'array:\n  - |\n    objectName: DB-Password\n    objectType: secret\n    objectAlias: DB_PASSWORD\n',
    });
    expect(spc.spec.parameters).not.toHaveProperty('tenantId');
    expect(spc.spec).not.toHaveProperty('secretObjects');
  });

  test('Deployment mounts the CSI volume read-only with secretProviderClass as its only attribute', () => {
    const d = objectOf(files, 'deployment-demo-demo-app.yaml');
    const pod = d.spec.template.spec;
    expect(pod.volumes).toEqual([
      { name: 'secrets-store', csi: { driver: 'secrets-store.csi.k8s.io', readOnly: true, volumeAttributes: { secretProviderClass: 'demo-app-keyvault' } } },
    ]);
    expect(pod.containers).toHaveLength(1);
    expect(pod.containers[0].volumeMounts).toEqual([{ name: 'secrets-store', mountPath: '/mnt/secrets-store', readOnly: true }]);
    expect(pod.containers[0].volumeMounts[0]).not.toHaveProperty('subPath');
    expect(pod.serviceAccountName).toBe('demo-app');
    expect(pod.automountServiceAccountToken).toBe(false);
  });

  test('Deployment: stable names and labels, image, replicas, ports, workload identity label', () => {
    const d = objectOf(files, 'deployment-demo-demo-app.yaml');
    expect(d.metadata).toEqual({ name: 'demo-app', namespace: 'demo', labels: { 'app.kubernetes.io/name': 'demo-app' } });
    expect(d.spec.replicas).toBe(1);
    expect(d.spec.selector).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'demo-app' } });
    expect(d.spec.template.metadata).toEqual({ labels: { 'app.kubernetes.io/name': 'demo-app', 'azure.workload.identity/use': 'true' } });
    const c = d.spec.template.spec.containers[0];
    expect(c.name).toBe('demo-app');
    expect(c.image).toBe('mcr.microsoft.com/azurelinux/base/nginx:1.25');
    expect(c.imagePullPolicy).toBe('IfNotPresent');
    expect(c.ports).toEqual([{ containerPort: 8080, name: 'http', protocol: 'TCP' }]);
    expect(c).not.toHaveProperty('env');
  });

  test('Deployment: resources are the config defaults, not cdk8s-plus defaults', () => {
    const c = objectOf(files, 'deployment-demo-demo-app.yaml').spec.template.spec.containers[0];
    expect(c.resources).toEqual({ requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '128Mi' } });
  });

  test('Deployment: restricted pod security at pod and container level', () => {
    const pod = objectOf(files, 'deployment-demo-demo-app.yaml').spec.template.spec;
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001 });
    expect(pod.containers[0].securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 10001,
      runAsGroup: 10001,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      privileged: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
  });

  test('no annotations without gitops or reloader', () => {
    for (const o of objectsOf(files)) {
      if (o.kind !== 'ServiceAccount') expect(o.metadata.annotations).toBeUndefined();
    }
  });

  test('kustomization lists the objects in apply order and keeps that order', () => {
    const k = objectOf(files, 'kustomization.yaml');
    expect(k.sortOptions).toEqual({ order: 'fifo' });
    expect(k.resources).toEqual(files.slice(0, -1).map((f) => f.path));
  });
});

describe('prod', () => {
  const files = render('prod');

  test('renders namespaces, objects per workload, the kustomization and the Argo CD bootstrap file', () => {
    expect(files.map((f) => f.path)).toEqual([
      'namespace-payments.yaml',
      'namespace-web.yaml',
      'serviceaccount-payments-payments-api.yaml',
      'serviceaccount-web-web-frontend.yaml',
      'secretproviderclass-payments-payments-api-keyvault.yaml',
      'secretproviderclass-web-web-frontend-keyvault.yaml',
      'networkpolicy-payments-payments-api.yaml',
      'networkpolicy-web-web-frontend.yaml',
      'deployment-payments-payments-api.yaml',
      'deployment-web-web-frontend.yaml',
      'poddisruptionbudget-payments-payments-api.yaml',
      'poddisruptionbudget-web-web-frontend.yaml',
      'kustomization.yaml',
      'bootstrap/argocd-application.yaml',
      'bootstrap/reloader-argocd-application.yaml',
    ]);
    expect(objectOf(files, 'kustomization.yaml').resources).not.toContain('bootstrap/argocd-application.yaml');
    expect(objectOf(files, 'kustomization.yaml').resources).not.toContain('bootstrap/reloader-argocd-application.yaml');
  });

  // stakater/Reloader deployments/kubernetes/chart/reloader: Chart.yaml (reloader 2.2.16), values.yaml
  // (reloader.enableCSIIntegration, default false); README (repository https://stakater.github.io/stakater-charts).
  test('output.reloader: an Argo CD Application of the pinned upstream Reloader chart with its CSI integration on, beside the bootstrap Application', () => {
    expect(objectOf(files, 'bootstrap/reloader-argocd-application.yaml')).toEqual({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: 'aks-keyvault-csi-prod-reloader', namespace: 'argocd' },
      spec: {
        project: 'default',
        source: {
          repoURL: 'https://stakater.github.io/stakater-charts',
          chart: 'reloader',
          targetRevision: '2.2.16',
          helm: { releaseName: 'reloader', valuesObject: { reloader: { enableCSIIntegration: true } } },
        },
        destination: { server: 'https://kubernetes.default.svc', namespace: 'reloader' },
        syncPolicy: { automated: { prune: true, selfHeal: true }, syncOptions: ['CreateNamespace=true'] },
      },
    });
  });

  test('restartOnRotation annotates each Deployment with its own SecretProviderClass for Reloader', () => {
    for (const [ns, name] of [
      ['payments', 'payments-api'],
      ['web', 'web-frontend'],
    ]) {
      expect(objectOf(files, `deployment-${ns}-${name}.yaml`).metadata.annotations).toMatchObject({
        'secretproviderclass.reloader.stakater.com/reload': `${name}-keyvault`,
      });
    }
  });

  test('namespaces enforce the restricted Pod Security Standard (every workload keeps the restricted settings)', () => {
    for (const ns of ['payments', 'web']) {
      expect(objectOf(files, `namespace-${ns}.yaml`).metadata.labels).toEqual({
        'pod-security.kubernetes.io/enforce': 'restricted',
        'pod-security.kubernetes.io/warn': 'restricted',
        'pod-security.kubernetes.io/audit': 'restricted',
      });
    }
  });

  // kubernetes/pod-security-admission policy/check_allowPrivilegeEscalation.go is a restricted check:
  // the pods meet baseline, so the namespace enforces baseline (never a level its pods fail).
  test('a namespace with a relaxed workload enforces the level its pods meet (baseline) and still warns and audits restricted', () => {
    const source = readFileSync('environments/prod.yaml', 'utf8').replace(
      '      restartOnRotation: true\n      resources:',
      '      restartOnRotation: true\n      securityContext:\n        allowPrivilegeEscalation: true\n      resources:',
    );
    expect(source).toContain('allowPrivilegeEscalation: true');
    const model = modelFromYaml('prod', source);
    const relaxed = renderEnvironment(model, exampleOutputs('prod'));
    expect(objectOf(relaxed, 'namespace-payments.yaml').metadata.labels).toEqual({
      'pod-security.kubernetes.io/enforce': 'baseline',
      'pod-security.kubernetes.io/warn': 'restricted',
      'pod-security.kubernetes.io/audit': 'restricted',
    });
    expect(objectOf(relaxed, 'namespace-web.yaml').metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
    expect(model.warnings.filter((w) => w.code === 'pod-security')).toStrictEqual([
      {
        code: 'pod-security',
        path: 'workloads[0].deployment.securityContext',
        message:
          'the pods of "payments-api" meet only the baseline Pod Security Standard (set allowPrivilegeEscalation: false): namespace "payments" enforces baseline and warns at restricted; restore the defaults to run restricted',
      },
    ]);
  });

  // Issue 12: kube-system, kube-public, kube-node-lease and default are never rendered or labelled
  // (an Argo CD Application with prune: true would otherwise own kube-system).
  test('a workload in kube-system gets no Namespace object, and a warning', () => {
    const source = readFileSync('environments/prod.yaml', 'utf8').replace('    namespace: payments\n', '    namespace: kube-system\n');
    expect(source).toContain('namespace: kube-system');
    const model = modelFromYaml('prod', source);
    const files = renderEnvironment(model, outputsFor(model));
    expect(files.filter((f) => f.path.startsWith('namespace-')).map((f) => f.path)).toEqual(['namespace-web.yaml']);
    expect(
      objectsOf(files)
        .filter((o) => o.kind === 'Deployment')
        .map((o) => o.metadata.namespace),
    ).toEqual(['kube-system', 'web']);
    expect(model.warnings.filter((w) => w.code === 'system-namespace')).toStrictEqual([
      {
        code: 'system-namespace',
        path: 'workloads[0].namespace',
        message:
          'workload "payments-api" runs in kube-system, which AKS manages and many controllers trust: no Namespace object or Pod Security labels are rendered for it; prefer a namespace of its own',
      },
    ]);
  });

  test('each workload gets its own client id in SA and SPC', () => {
    expect(objectOf(files, 'serviceaccount-payments-payments-api.yaml').metadata.annotations['azure.workload.identity/client-id']).toBe(
      '00000000-0000-0000-0000-00000000f001',
    );
    expect(objectOf(files, 'secretproviderclass-payments-payments-api-keyvault.yaml').spec.parameters.clientID).toBe('00000000-0000-0000-0000-00000000f001');
    expect(objectOf(files, 'serviceaccount-web-web-frontend.yaml').metadata.annotations['azure.workload.identity/client-id']).toBe(
      '00000000-0000-0000-0000-00000000f002',
    );
    expect(objectOf(files, 'secretproviderclass-web-web-frontend-keyvault.yaml').spec.parameters.clientID).toBe('00000000-0000-0000-0000-00000000f002');
  });

  test('Argo CD sync waves order namespace, then SA and SPC, then Deployment', () => {
    const wave = (file: string) => Number(objectOf(files, file).metadata.annotations['argocd.argoproj.io/sync-wave']);
    expect(wave('namespace-web.yaml')).toBeLessThan(wave('serviceaccount-web-web-frontend.yaml'));
    expect(wave('serviceaccount-web-web-frontend.yaml')).toBeLessThanOrEqual(wave('secretproviderclass-web-web-frontend-keyvault.yaml'));
    expect(wave('secretproviderclass-web-web-frontend-keyvault.yaml')).toBeLessThan(wave('deployment-web-web-frontend.yaml'));
    expect(objectOf(files, 'deployment-web-web-frontend.yaml').spec.template.metadata.annotations).toBeUndefined();
  });

  test('Argo CD Application points at the configured repository path', () => {
    const app = objectOf(files, 'bootstrap/argocd-application.yaml');
    expect(app).toEqual({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: 'aks-keyvault-csi-prod', namespace: 'argocd' },
      spec: {
        project: 'default',
        source: { repoURL: 'https://github.com/example/gitops.git', path: 'clusters/prod/aks-keyvault-csi', targetRevision: 'HEAD' },
        destination: { server: 'https://kubernetes.default.svc' },
        syncPolicy: { automated: { prune: true, selfHeal: true } },
      },
    });
  });

  test('TLS certificate synced to a kubernetes.io/tls Secret from the cert and its private key', () => {
    const spc = objectOf(files, 'secretproviderclass-web-web-frontend-keyvault.yaml');
    expect(spc.spec.secretObjects).toEqual([
      {
        secretName: 'web-tls',
        type: 'kubernetes.io/tls',
        data: [
          { objectName: 'tls.crt', key: 'tls.crt' },
          { objectName: 'tls.key', key: 'tls.key' },
        ],
      },
    ]);
    expect(spc.spec.parameters.objects).toContain('objectName: web-tls\n    objectType: cert\n    objectAlias: tls.crt\n');
    expect(spc.spec.parameters.objects).toContain('objectName: web-tls\n    objectType: secret\n    objectAlias: tls.key\n');
  });

  test('Reloader annotation names the SPC; no Secret annotation without env from a synced Secret', () => {
    const d = objectOf(files, 'deployment-web-web-frontend.yaml');
    expect(d.metadata.annotations['secretproviderclass.reloader.stakater.com/reload']).toBe('web-frontend-keyvault');
    expect(d.metadata.annotations).not.toHaveProperty('secret.reloader.stakater.com/reload');
    expect(d.spec.template.spec.containers[0].env).toBeUndefined();
  });

  test('filePermission is a quoted octal string; resources as configured', () => {
    expect(objectOf(files, 'secretproviderclass-payments-payments-api-keyvault.yaml').spec.parameters.objects).toContain('filePermission: "0440"\n');
    const c = objectOf(files, 'deployment-payments-payments-api.yaml').spec.template.spec.containers[0];
    expect(c.resources).toEqual({ requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '1', memory: '256Mi' } });
    expect(c.env).toEqual([{ name: 'SECRETS_DIR', value: '/mnt/secrets-store' }]);
  });
});

describe('workload with a cert, synced Secrets used in env, US Gov cloud and Flux', () => {
  const files = renderCert();

  test('SPC writes cloudName for a sovereign cloud and syncs both Secrets', () => {
    const spc = objectOf(files, 'secretproviderclass-edge-ingress-keyvault.yaml');
    expect(spc.spec.parameters.cloudName).toBe('AzureUSGovernmentCloud');
    expect(spc.spec.secretObjects.map((s: { secretName: string; type: string }) => [s.secretName, s.type])).toEqual([
      ['edge-tls', 'kubernetes.io/tls'],
      ['api', 'Opaque'],
    ]);
    expect(spc.spec.parameters.objects).toContain('objectVersionHistory: 3\n');
    expect(spc.spec.parameters.objects).toContain('objectVersion: 0123456789abcdef0123456789abcdef\n');
  });

  test('env from the synced Secret only as configured, with Reloader annotations for SPC and Secret', () => {
    const d = objectOf(files, 'deployment-edge-ingress.yaml');
    expect(d.spec.template.spec.containers[0].env).toEqual([
      { name: 'MODE', value: 'strict' },
      { name: 'API_TOKEN', valueFrom: { secretKeyRef: { name: 'api', key: 'token' } } },
    ]);
    expect(d.metadata.annotations).toEqual({
      'prometheus.io/scrape': 'true',
      'secretproviderclass.reloader.stakater.com/reload': 'ingress-keyvault',
      'secret.reloader.stakater.com/reload': 'api',
    });
    expect(d.spec.template.metadata.annotations).toEqual({ 'prometheus.io/scrape': 'true' });
  });

  test('command, args, mountPath, labels, overridden security and exact resource quantities', () => {
    const d = objectOf(files, 'deployment-edge-ingress.yaml');
    const pod = d.spec.template.spec;
    const c = pod.containers[0];
    expect(c.command).toEqual(['/bin/ingress']);
    expect(c.args).toEqual(['--tls-dir', '/etc/tls']);
    expect(c.volumeMounts).toEqual([{ name: 'secrets-store', mountPath: '/etc/tls', readOnly: true }]);
    expect(c.resources).toEqual({ requests: { cpu: '0.25', memory: '1Gi' }, limits: { cpu: '1', memory: '1536Mi' } });
    expect(c.securityContext).toMatchObject({ runAsUser: 20000, runAsGroup: 20001 });
    expect(pod.securityContext).toMatchObject({ runAsUser: 20000, runAsGroup: 20001 });
    expect(pod.serviceAccountName).toBe('ingress-sa');
    expect(d.metadata.labels).toEqual({ team: 'edge', 'app.kubernetes.io/name': 'ingress' });
    expect(d.spec.template.metadata.labels).toEqual({ team: 'edge', 'app.kubernetes.io/name': 'ingress' });
    expect(d.spec.replicas).toBe(3);
  });

  test('Flux Kustomization bootstrap file, no Argo CD sync waves', () => {
    expect(objectOf(files, 'bootstrap/flux-kustomization.yaml')).toEqual({
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      metadata: { name: 'aks-keyvault-csi-edge', namespace: 'flux-system' },
      spec: { interval: '10m', path: './dist/edge', prune: true, sourceRef: { kind: 'GitRepository', name: 'platform' } },
    });
    for (const f of files) expect(f.content).not.toContain('argocd.argoproj.io');
  });

  test('output.reloader with Flux: a HelmRepository and a HelmRelease of the pinned upstream Reloader chart with its CSI integration on', () => {
    expect(files.filter((f) => f.path.startsWith('bootstrap/')).map((f) => f.path)).toEqual([
      'bootstrap/flux-kustomization.yaml',
      'bootstrap/reloader-flux-helmrepository.yaml',
      'bootstrap/reloader-flux-helmrelease.yaml',
    ]);
    expect(objectOf(files, 'bootstrap/reloader-flux-helmrepository.yaml')).toEqual({
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'HelmRepository',
      metadata: { name: 'stakater', namespace: 'flux-system' },
      spec: { interval: '10m', url: 'https://stakater.github.io/stakater-charts' },
    });
    expect(objectOf(files, 'bootstrap/reloader-flux-helmrelease.yaml')).toEqual({
      apiVersion: 'helm.toolkit.fluxcd.io/v2',
      kind: 'HelmRelease',
      metadata: { name: 'aks-keyvault-csi-edge-reloader', namespace: 'flux-system' },
      spec: {
        interval: '10m',
        releaseName: 'reloader',
        targetNamespace: 'reloader',
        install: { createNamespace: true },
        chart: { spec: { chart: 'reloader', version: '2.2.16', sourceRef: { kind: 'HelmRepository', name: 'stakater' } } },
        values: { reloader: { enableCSIIntegration: true } },
      },
    });
    expect(objectOf(files, 'kustomization.yaml').resources.filter((r: string) => r.includes('reloader'))).toEqual([]);
  });

  test('no Namespace objects when output.namespaces is false', () => {
    const model = modelFromYaml('edge', `${CERT_ENV_YAML.replace('output:\n', 'output:\n  namespaces: false\n')}`);
    expect(renderEnvironment(model, outputsFor(model)).some((f) => f.path.startsWith('namespace-'))).toBe(false);
  });
});

describe.each([...EXAMPLES, 'edge'])('%s: every rendered object', (env) => {
  const files = env === 'edge' ? renderCert() : render(env);

  test('is deterministic: a second render is byte-identical', () => {
    const again = env === 'edge' ? renderCert() : render(env);
    expect(again.map((f) => [f.path, f.content])).toEqual(files.map((f) => [f.path, f.content]));
  });

  test('each object file parses back to exactly the object handed to the check', () => {
    const objectFiles = files.filter((f) => f.path !== 'kustomization.yaml');
    expect(objectFiles.length).toBeGreaterThan(0);
    for (const f of objectFiles) {
      expect(f.object).toBeDefined();
      expect(parse(f.content)).toStrictEqual(f.object);
    }
  });

  test('has no cdk8s hashes, machine paths or timestamps', () => {
    for (const f of files) {
      expect(f.content).not.toMatch(/cdk8s\.io|-c8[0-9a-f]{6}\b/);
      expect(f.content).not.toContain(process.cwd());
      expect(f.content).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:/);
    }
  });

  test('never puts rotationPollInterval or any other attribute on the CSI volume', () => {
    for (const o of objectsOf(files).filter((x) => x.kind === 'Deployment')) {
      for (const v of (o as any).spec.template.spec.volumes.filter((x: any) => x.csi !== undefined))
        expect(Object.keys(v.csi.volumeAttributes)).toEqual(['secretProviderClass']);
    }
  });

  test('validates against the Kubernetes API schemas (kubernetes-models)', () => {
    const models: Record<string, new (o: any) => { validate(): void }> = { Namespace, ServiceAccount, Deployment, NetworkPolicy, PodDisruptionBudget };
    let validated = 0;
    for (const o of objectsOf(files)) {
      const Model = models[o.kind];
      if (!Model) continue;
      const { file: _file, ...obj } = o;
      expect(() => new Model(obj).validate()).not.toThrow();
      validated++;
    }
    expect(validated).toBeGreaterThanOrEqual(4);
  });

  test('each SecretProviderClass validates against the vendored CRD schema', () => {
    const validate = spcValidator();
    const spcs = objectsOf(files).filter((o) => o.kind === 'SecretProviderClass');
    expect(spcs.length).toBeGreaterThan(0);
    for (const { file: _file, ...spc } of spcs) {
      expect(validate(spc) ? [] : validate.errors).toEqual([]);
    }
  });
});

test.each(EXAMPLES)('%s: YAML snapshot (change detector)', (env) => {
  expect(
    render(env)
      .map((f) => `--- # ${f.path}\n${f.content}`)
      .join('\n'),
  ).toMatchSnapshot();
});

test('the CRD validator rejects a malformed SecretProviderClass (it can fail)', () => {
  const validate = spcValidator();
  expect(
    validate({
      apiVersion: 'secrets-store.csi.x-k8s.io/v1',
      kind: 'SecretProviderClass',
      metadata: {},
      spec: { provider: 'azure', parameters: { objects: 1 } },
    }),
  ).toBe(false);
});

test('kubernetes-models rejects a malformed Deployment (it can fail)', () => {
  expect(() => new Deployment({ metadata: { name: 'x' }, spec: { replicas: 'two' } } as any).validate()).toThrow();
});

function spcValidator() {
  return crdValidator('imports/crds/secrets-store.csi.x-k8s.io_secretproviderclasses.yaml', 'v1');
}

const CRD_VALIDATORS = new Map<string, ValidateFunction>();

/**
 * A validator for `version` of the vendored CRD in `file` (its openAPIV3Schema), compiled once per
 * file and version (Ajv's compile is most of this file's run time; a validator keeps no state
 * between calls but `errors`, which each call sets).
 */
function crdValidator(file: string, version: string): ValidateFunction {
  const key = `${file}#${version}`;
  const known = CRD_VALIDATORS.get(key);
  if (known !== undefined) return known;
  const validate = compileCrdValidator(file, version);
  CRD_VALIDATORS.set(key, validate);
  return validate;
}

function compileCrdValidator(file: string, version: string): ValidateFunction {
  const docs = parseAllDocuments(readFileSync(file, 'utf8'));
  const crd = docs.map((d) => d.toJS()).find((d) => d?.kind === 'CustomResourceDefinition');
  const schema = crd.spec.versions.find((v: { name: string }) => v.name === version).schema.openAPIV3Schema;
  return new Ajv({ strict: false, allErrors: true, validateFormats: false }).compile(schema);
}

/** The kinds the delivery engines render, each with its vendored CRD (issue 16). */
const ENGINE_CRDS = [
  ['SecretSync', 'imports/crds/secret-sync.x-k8s.io_secretsyncs.yaml', 'v1alpha1'],
  ['SecretStore', 'imports/crds/external-secrets.io_secretstores.yaml', 'v1'],
  ['ClusterSecretStore', 'imports/crds/external-secrets.io_clustersecretstores.yaml', 'v1'],
  ['ExternalSecret', 'imports/crds/external-secrets.io_externalsecrets.yaml', 'v1'],
  ['ClusterExternalSecret', 'imports/crds/external-secrets.io_clusterexternalsecrets.yaml', 'v1'],
] as const;

describe('engines: each kind of the delivery engines validates against its vendored CRD', () => {
  const objects = objectsOf(render('engines'));

  test.each(ENGINE_CRDS)('%s (%s, %s)', (kind, file, version) => {
    const validate = crdValidator(file, version);
    const ofKind = objects.filter((o) => o.kind === kind);
    expect(ofKind.length).toBeGreaterThan(0);
    for (const { file: _file, ...o } of ofKind) expect(validate(o) ? [] : validate.errors).toEqual([]);
  });

  test.each(ENGINE_CRDS)('the %s validator can fail: a wrong-typed spec field is refused', (kind, file, version) => {
    const validate = crdValidator(file, version);
    const { file: _file, ...o } = structuredClone(objects.find((x) => x.kind === kind)!) as any;
    if (kind === 'SecretSync') o.spec.secretObject.data = 'db-password';
    else if (kind === 'SecretStore' || kind === 'ClusterSecretStore') o.spec.provider.azurekv.authType = 'Password';
    else if (kind === 'ExternalSecret') o.spec.data[0].remoteRef = 'secret/payouts-db';
    else o.spec.externalSecretSpec.data[0].remoteRef = 'secret/wildcard-example-com';
    expect(validate(o)).toBe(false);
  });
});

describe('kubectl kustomize', () => {
  const kubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' });
  const available = kubectl.status === 0;
  if (!available) {
    console.log(`skipping kubectl kustomize tests: kubectl is not installed or not runnable (${kubectl.error?.message ?? kubectl.stderr})`);
  }
  const maybe = available ? test.each : test.skip.each;

  maybe([...EXAMPLES])('%s: the rendered folder builds, in apply order', (env) => {
    const root = mkdtempSync(path.join(tmpdir(), 'akscsi-kustomize-'));
    try {
      const dir = path.join(root, env);
      const files = render(env);
      writeOutputs([{ dir, files }], { command: 'test' });
      const out = execFileSync('kubectl', ['kustomize', dir], { encoding: 'utf8' });
      const built = parseAllDocuments(out).map((d) => d.toJS());
      expect(built.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(
        objectsOf(files)
          .filter((o) => !o.file.startsWith('bootstrap/'))
          .map((o) => `${o.kind}/${o.metadata.name}`),
      );
      expect(built.find((o) => o.kind === 'SecretProviderClass').spec.parameters.objects).toBe(
        parse(files.find((f) => f.path.startsWith('secretproviderclass-'))!.content).spec.parameters.objects,
      );
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

test('strings that YAML 1.1 would read as booleans or dates are quoted (Kubernetes tools parse YAML 1.1)', () => {
  const source = `
azure: { location: westeurope, resourceGroup: { name: rg } }
cluster: { name: aks }
keyVault: { name: kv-quoting }
workloads:
  - name: app
    namespace: apps
    objects: [{ name: db, type: secret }]
    deployment:
      image: app:1
      env: [{ name: FEATURE, value: "on" }, { name: LEGACY, value: "yes" }, { name: DEBUG, value: "NO" }]
      labels: { tier: "y" }
      annotations: { released: "2024-01-01" }
`;
  const model = modelFromYaml('quoting', source);
  const deployment = renderEnvironment(model, outputsFor(model)).find((f) => f.path.startsWith('deployment-'))!;
  for (const text of ['value: "on"', 'value: "yes"', 'value: "NO"', 'tier: "y"', 'released: "2024-01-01"']) expect(deployment.content).toContain(text);
  const asYaml11 = parse(deployment.content, { version: '1.1' }) as { spec: { template: { spec: { containers: { env: { value: unknown }[] }[] } } } };
  expect(asYaml11.spec.template.spec.containers[0].env.map((e) => e.value)).toEqual(['on', 'yes', 'NO']);
});
