/**
 * The constructs used as a library, without an environment file, fall back to the environment
 * schema's defaults (`DEPLOYMENT_DEFAULTS`, `GITOPS_DEFAULTS`, parsed from the schema): what
 * they render equals the defaults the JSON Schema publishes.
 */
import { ApiObject, App, Chart } from 'cdk8s';
import {
  ArgoCdApplication,
  FluxKustomization,
  KeyVaultSecretProviderClass,
  ReloaderInstallation,
  SecretsStoreDeployment,
  WorkloadServiceAccount,
} from '../../charts';
import { environmentJsonSchemaDocument } from '../../lib/config/json-schema';
import { DEPLOYMENT_DEFAULTS, GITOPS_DEFAULTS, RELOADER_DEFAULTS } from '../../lib/config/schema';
import { fieldAt } from '../support/schema-fields';

const SCHEMA = environmentJsonSchemaDocument();
const schemaDefault = (path: string): unknown => fieldAt(SCHEMA, path).schema.default;
const GUID1 = '00000000-0000-0000-0000-000000000001';
const chart = () => new Chart(new App({ outdir: '.' }), 'test');

describe('fallbacks are the schema defaults', () => {
  test.each(Object.keys(DEPLOYMENT_DEFAULTS))('DEPLOYMENT_DEFAULTS.%s is the default of workloads[].deployment.%s', (key) => {
    expect(DEPLOYMENT_DEFAULTS[key as keyof typeof DEPLOYMENT_DEFAULTS]).toStrictEqual(schemaDefault(`workloads[].deployment.${key}`));
  });

  test.each([...Object.keys(GITOPS_DEFAULTS.argocd).map((k) => ['argocd', k] as const), ...Object.keys(GITOPS_DEFAULTS.flux).map((k) => ['flux', k] as const)])(
    'GITOPS_DEFAULTS.%s.%s is the default of output.gitops for that tool',
    (tool, key) => {
      expect((GITOPS_DEFAULTS[tool] as Record<string, unknown>)[key]).toBe(schemaDefault(`output.gitops{tool=${tool}}.${key}`));
    },
  );

  test.each(Object.keys(RELOADER_DEFAULTS))('RELOADER_DEFAULTS.%s is the default of output.reloader.%s', (key) => {
    expect(RELOADER_DEFAULTS[key as keyof typeof RELOADER_DEFAULTS]).toBe(schemaDefault(`output.reloader.${key}`));
  });

  test("they are frozen: a library user cannot change the next construct's defaults", () => {
    expect(Object.isFrozen(DEPLOYMENT_DEFAULTS.securityContext.dropCapabilities)).toBe(true);
    expect(Object.isFrozen(DEPLOYMENT_DEFAULTS.resources)).toBe(true);
    expect(Object.isFrozen(GITOPS_DEFAULTS.flux)).toBe(true);
  });
});

describe('constructs without the optional props render the schema defaults', () => {
  test('SecretsStoreDeployment', () => {
    const c = chart();
    const serviceAccount = new WorkloadServiceAccount(c, 'Sa', { name: 'app', namespace: 'apps', clientId: GUID1 });
    const secretProviderClass = new KeyVaultSecretProviderClass(c, 'Spc', {
      name: 'app-keyvault',
      namespace: 'apps',
      keyVaultName: 'kv-example',
      tenantId: GUID1,
      clientId: GUID1,
      objects: [{ objectName: 'db', objectType: 'secret' }],
    });
    const json = ApiObject.of(
      new SecretsStoreDeployment(c, 'Deployment', { name: 'app', serviceAccount, secretProviderClass, image: 'app:1' }).resource,
    ).toJson();
    const container = json.spec.template.spec.containers[0];
    const d = (key: string) => schemaDefault(`workloads[].deployment.${key}`) as never;
    const resources = d('resources') as Record<string, string>;
    const security = d('securityContext') as Record<string, unknown>;
    expect(json.spec.replicas).toBe(d('replicas'));
    expect(container.volumeMounts[0].mountPath).toBe(d('mountPath'));
    expect(container.resources).toStrictEqual({
      requests: { cpu: resources.cpuRequest, memory: resources.memoryRequest },
      limits: { memory: resources.memoryLimit },
    });
    expect(container.securityContext).toMatchObject({
      runAsNonRoot: security.runAsNonRoot,
      runAsUser: security.runAsUser,
      runAsGroup: security.runAsGroup,
      readOnlyRootFilesystem: security.readOnlyRootFilesystem,
      allowPrivilegeEscalation: security.allowPrivilegeEscalation,
      capabilities: { drop: security.dropCapabilities },
      seccompProfile: { type: security.seccompProfile },
    });
    expect('azure.workload.identity/use' in json.spec.template.metadata.labels).toBe(d('workloadIdentityLabel'));
    expect(json.metadata.annotations === undefined).toBe(!d('restartOnRotation'));
  });

  test('ArgoCdApplication', () => {
    const app = new ArgoCdApplication(chart(), 'A', { name: 'x', repoURL: 'https://example.com/r.git', path: 'dist/x' }).apiObject.toJson();
    const d = (key: string) => schemaDefault(`output.gitops{tool=argocd}.${key}`);
    expect([app.metadata.namespace, app.spec.project, app.spec.source.targetRevision]).toStrictEqual([d('namespace'), d('project'), d('targetRevision')]);
  });

  test('ReloaderInstallation', () => {
    const [argo] = new ReloaderInstallation(chart(), 'R', { tool: 'argocd', name: 'r' }).objects.map((o) => o.apiObject.toJson());
    const [repository, release] = new ReloaderInstallation(chart(), 'F', { tool: 'flux', name: 'r' }).objects.map((o) => o.apiObject.toJson());
    const d = (key: string) => schemaDefault(`output.reloader.${key}`);
    expect([argo.spec.source.targetRevision, argo.spec.destination.namespace]).toStrictEqual([d('chartVersion'), d('namespace')]);
    expect([argo.metadata.namespace, argo.spec.project]).toStrictEqual([
      schemaDefault('output.gitops{tool=argocd}.namespace'),
      schemaDefault('output.gitops{tool=argocd}.project'),
    ]);
    expect([release.spec.chart.spec.version, release.spec.targetNamespace]).toStrictEqual([d('chartVersion'), d('namespace')]);
    expect([repository.metadata.namespace, release.metadata.namespace, release.spec.interval]).toStrictEqual([
      schemaDefault('output.gitops{tool=flux}.namespace'),
      schemaDefault('output.gitops{tool=flux}.namespace'),
      schemaDefault('output.gitops{tool=flux}.interval'),
    ]);
  });

  test('FluxKustomization', () => {
    const k = new FluxKustomization(chart(), 'F', { name: 'x', sourceRef: 'repo', path: 'dist/x' }).apiObject.toJson();
    const d = (key: string) => schemaDefault(`output.gitops{tool=flux}.${key}`);
    expect([k.metadata.namespace, k.spec.interval]).toStrictEqual([d('namespace'), d('interval')]);
  });
});
