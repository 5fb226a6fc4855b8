import { ApiObject, App, Chart } from 'cdk8s';
import {
  ArgoCdApplication,
  DEPLOYMENT_DEFAULTS,
  EnvironmentChart,
  FluxKustomization,
  KeyVaultSecretProviderClass,
  ReloaderInstallation,
  SecretsStoreDeployment,
  WorkloadServiceAccount,
  type ArgoCdApplicationProps,
  type FluxKustomizationProps,
  type KeyVaultSecretProviderClassProps,
  type ReloaderInstallationProps,
  type SecretsStoreDeploymentProps,
  type WorkloadServiceAccountProps,
} from '../../charts';
import fc from 'fast-check';
import { podSecurityLabels } from '../../charts/environment-chart';
import { workloadPodSecurity } from '../../lib/workload-security';
import { minimalVariant } from '../support/config';
import { exampleModel, exampleOutputs, modelFromYaml, outputsFor } from './fixtures';

const GUID1 = '00000000-0000-0000-0000-000000000001';
const chart = () => new Chart(new App({ outdir: '.' }), 'test');

const spcProps: KeyVaultSecretProviderClassProps = {
  name: 'app-keyvault',
  namespace: 'apps',
  keyVaultName: 'kv-example',
  tenantId: GUID1,
  clientId: GUID1,
  objects: [
    { objectName: 'tls', objectType: 'cert', objectAlias: 'tls.crt' },
    { objectName: 'tls', objectType: 'secret', objectAlias: 'tls.key' },
    { objectName: 'db', objectType: 'secret' },
  ],
  secretObjects: [
    {
      secretName: 'tls',
      type: 'kubernetes.io/tls',
      data: [
        { objectName: 'tls.crt', key: 'tls.crt' },
        { objectName: 'tls.key', key: 'tls.key' },
      ],
    },
  ],
};
const spc = (over: Partial<KeyVaultSecretProviderClassProps> = {}) => new KeyVaultSecretProviderClass(chart(), 'Spc', { ...spcProps, ...over });

const saProps: WorkloadServiceAccountProps = { name: 'app', namespace: 'apps', clientId: GUID1 };

function deployment(over: Partial<SecretsStoreDeploymentProps> = {}, spcOver: Partial<KeyVaultSecretProviderClassProps> = {}) {
  const c = chart();
  const serviceAccount = new WorkloadServiceAccount(c, 'Sa', saProps);
  const secretProviderClass = new KeyVaultSecretProviderClass(c, 'Spc', { ...spcProps, ...spcOver });
  return new SecretsStoreDeployment(c, 'Deployment', { name: 'app', serviceAccount, secretProviderClass, image: 'app:1', ...over });
}

describe('KeyVaultSecretProviderClass fails', () => {
  test.each<[string, Partial<KeyVaultSecretProviderClassProps>, string]>([
    ['on a bad name', { name: 'App_KV' }, 'SecretProviderClass apps/App_KV: name "App_KV": use a DNS-1123 name'],
    ['on a bad namespace', { namespace: 'Apps' }, 'namespace "Apps": use a DNS-1123 label'],
    ['on a bad vault name', { keyVaultName: 'kv_x' }, 'keyVaultName "kv_x": use 3-24 letters, digits or hyphens'],
    ['on a non-GUID tenant', { tenantId: 'contoso.onmicrosoft.com' }, 'tenantId "contoso.onmicrosoft.com": use the tenant GUID'],
    ['on a non-GUID client id', { clientId: 'abc' }, 'clientId "abc": use the client id (a GUID)'],
    ['on an unknown cloud', { cloudName: 'AzureGermanCloud' as never }, 'cloudName "AzureGermanCloud": use one of AzurePublicCloud'],
    ['on no objects', { objects: [], secretObjects: [] }, 'objects []: list at least one Key Vault object to mount'],
    [
      'on a bad object name',
      { objects: [{ objectName: 'DB_PASSWORD', objectType: 'secret' }], secretObjects: [] },
      'objects[0].objectName "DB_PASSWORD": use 1-127 letters, digits or hyphens (map to another file name with objectAlias)',
    ],
    [
      'on an unknown object type',
      { objects: [{ objectName: 'db', objectType: 'Secret' as never }], secretObjects: [] },
      'objects[0].objectType "Secret": use "secret", "key" or "cert" (lower case)',
    ],
    [
      'on an alias with a slash',
      { objects: [{ objectName: 'db', objectType: 'secret', objectAlias: 'a/b' }], secretObjects: [] },
      'objects[0].objectAlias "a/b": must be one file name: no "/"',
    ],
    // Azure/secrets-store-csi-driver-provider-azure pkg/provider/validate.go (validateFileName): ".." anywhere.
    [
      'on an alias with ".." inside',
      { objects: [{ objectName: 'db', objectType: 'secret', objectAlias: 'db..password' }], secretObjects: [] },
      'objects[0].objectAlias "db..password": must not contain ".." anywhere',
    ],
    // kubernetes-sigs/secrets-store-csi-driver atomic_writer.go (validatePath): 255 bytes per element.
    [
      'on an alias over 255 bytes',
      { objects: [{ objectName: 'db', objectType: 'secret', objectAlias: 'é'.repeat(128) }], secretObjects: [] },
      'must have path elements of at most 255 bytes',
    ],
    [
      'on a bad version',
      { objects: [{ objectName: 'db', objectType: 'secret', objectVersion: 'v1' }], secretObjects: [] },
      'objects[0].objectVersion "v1": use a 32-character hexadecimal Key Vault version id',
    ],
    [
      'on pfx for a cert',
      { objects: [{ objectName: 'c', objectType: 'cert', objectFormat: 'pfx' }], secretObjects: [] },
      'objects[0].objectFormat "pfx": format "pfx" is only for objectType "secret"',
    ],
    [
      'on an encoding for a key',
      { objects: [{ objectName: 'k', objectType: 'key', objectEncoding: 'hex' }], secretObjects: [] },
      'objects[0].objectEncoding "hex": encoding applies only to objectType "secret"',
    ],
    [
      'on a non-octal file permission',
      { objects: [{ objectName: 'db', objectType: 'secret', filePermission: '0999' }], secretObjects: [] },
      'objects[0].filePermission "0999": use an octal mode such as "0440"',
    ],
    [
      'on a version history of 0',
      { objects: [{ objectName: 'db', objectType: 'secret', objectVersionHistory: 0 }], secretObjects: [] },
      'objects[0].objectVersionHistory 0: use a whole number of 1 or more',
    ],
    [
      'on two objects with one file name',
      {
        objects: [
          { objectName: 'db', objectType: 'secret' },
          { objectName: 'db2', objectType: 'secret', objectAlias: 'db' },
        ],
        secretObjects: [],
      },
      'objects[1].objectAlias "db": file name already mounted by objects[0]: set a distinct objectAlias',
    ],
    [
      'on a bad secretName',
      { secretObjects: [{ secretName: 'TLS', type: 'Opaque', data: [{ objectName: 'db', key: 'db' }] }] },
      'secretObjects[0].secretName "TLS": use a DNS-1123 name',
    ],
    [
      'on a Secret synced twice',
      {
        secretObjects: [
          { secretName: 's', type: 'Opaque', data: [{ objectName: 'db', key: 'a' }] },
          { secretName: 's', type: 'Opaque', data: [{ objectName: 'db', key: 'b' }] },
        ],
      },
      'secretObjects[1].secretName "s": Secret already synced by another entry',
    ],
    [
      'on a missing Secret type',
      { secretObjects: [{ secretName: 's', data: [{ objectName: 'db', key: 'db' }] } as never] },
      'secretObjects[0].type: use one of Opaque, kubernetes.io/tls',
    ],
    [
      'on a Secret without data',
      { secretObjects: [{ secretName: 's', type: 'Opaque', data: [] }] },
      'secretObjects[0].data []: list at least one { objectName, key }',
    ],
    [
      'on an objectName that is not a mounted file name',
      { secretObjects: [{ secretName: 's', type: 'Opaque', data: [{ objectName: 'tls', key: 'tls' }] }] },
      'secretObjects[0].data[0].objectName "tls": name a file the mount holds: the alias when one is set, else the object name; with a version history above 1, "<alias>/0" (the current version): one of "tls.crt", "tls.key", "db"',
    ],
    // Azure provider getLatestNKeyVaultObjects: a version history writes db/0 ..., no "db".
    [
      'on an objectName of an object with a version history',
      {
        objects: [{ objectName: 'db', objectType: 'secret', objectVersionHistory: 2 }],
        secretObjects: [{ secretName: 's', type: 'Opaque', data: [{ objectName: 'db', key: 'db' }] }],
      },
      'secretObjects[0].data[0].objectName "db": name a file the mount holds: the alias when one is set, else the object name; with a version history above 1, "<alias>/0" (the current version): one of "db/0", "db/1"',
    ],
    [
      'on a bad Secret key',
      { secretObjects: [{ secretName: 's', type: 'Opaque', data: [{ objectName: 'db', key: 'a/b' }] }] },
      'secretObjects[0].data[0].key "a/b": use at most 253 letters, digits',
    ],
    [
      'on a Secret key starting with ".."',
      { secretObjects: [{ secretName: 's', type: 'Opaque', data: [{ objectName: 'db', key: '..data' }] }] },
      'secretObjects[0].data[0].key "..data": use at most 253 letters, digits, "-", "_" or "." for a Secret key, not "." and not starting with ".."',
    ],
    // kubernetes pkg/apis/core/validation ValidateSecret: required keys per type.
    [
      'on a basic-auth Secret without username or password',
      { secretObjects: [{ secretName: 's', type: 'kubernetes.io/basic-auth', data: [{ objectName: 'db', key: 'token' }] }] },
      'secretObjects[0].data ["token"]: a kubernetes.io/basic-auth Secret needs the key "username" or "password"',
    ],
    [
      'on a driver-managed label',
      { secretObjects: [{ secretName: 's', type: 'Opaque', data: [{ objectName: 'db', key: 'db' }], labels: { 'secrets-store.csi.k8s.io/managed': 'x' } }] },
      'secretObjects[0].labels "secrets-store.csi.k8s.io/managed": the driver sets this label',
    ],
    [
      'on a bad label value',
      { secretObjects: [{ secretName: 's', type: 'Opaque', data: [{ objectName: 'db', key: 'db' }], labels: { team: 'a b' } }] },
      'secretObjects[0].labels.team "a b": use a label value',
    ],
    [
      'on a TLS Secret with another key',
      { secretObjects: [{ secretName: 's', type: 'kubernetes.io/tls', data: [{ objectName: 'tls.crt', key: 'cert.pem' }] }] },
      'secretObjects[0].data[0].key "cert.pem": a kubernetes.io/tls Secret takes only the keys "tls.crt" and "tls.key"',
    ],
    [
      'on a key used twice',
      {
        secretObjects: [
          {
            secretName: 's',
            type: 'Opaque',
            data: [
              { objectName: 'db', key: 'k' },
              { objectName: 'tls.key', key: 'k' },
            ],
          },
        ],
      },
      'secretObjects[0].data[1].key "k": key already used in this Secret',
    ],
    [
      'on a TLS Secret without its private key',
      { secretObjects: [{ secretName: 's', type: 'kubernetes.io/tls', data: [{ objectName: 'tls.crt', key: 'tls.crt' }] }] },
      'secretObjects[0].data ["tls.crt"]: a kubernetes.io/tls Secret needs the key "tls.key"',
    ],
  ])('%s', (_, over, message) => {
    expect(() => spc(over)).toThrow(message);
  });
});

describe('WorkloadServiceAccount', () => {
  test.each<[string, Partial<WorkloadServiceAccountProps>, string]>([
    ['fails on a bad name', { name: 'App' }, 'ServiceAccount apps/App: name "App": use a DNS-1123 name'],
    ['fails on a bad namespace', { namespace: 'a_b' }, 'namespace "a_b": use a DNS-1123 label'],
    [
      'fails on a non-GUID client id',
      { clientId: '${azurerm_user_assigned_identity.x.client_id}' },
      'clientId "${azurerm_user_assigned_identity.x.client_id}": use the client id (a GUID)',
    ],
  ])('%s', (_, over, message) => {
    expect(() => new WorkloadServiceAccount(chart(), 'Sa', { ...saProps, ...over })).toThrow(message);
  });

  test('derives the federated subject from its own name and namespace; automount off by default', () => {
    const sa = new WorkloadServiceAccount(chart(), 'Sa', saProps);
    expect(sa.subject).toBe('system:serviceaccount:apps:app');
    expect(sa.automountToken).toBe(false);
  });

  test('automountToken can be turned on', () => {
    const c = chart();
    new WorkloadServiceAccount(c, 'Sa', { ...saProps, automountToken: true });
    expect(c.toJson()[0].automountServiceAccountToken).toBe(true);
  });
});

describe('SecretsStoreDeployment fails', () => {
  test.each<[string, Partial<SecretsStoreDeploymentProps>, string]>([
    ['on a bad name', { name: 'App' }, 'Deployment apps/App: name "App": use a DNS-1123 label'],
    [
      'on a subPath mount (never rotated)',
      { subPath: 'db' },
      'subPath "db": a subPath mount of a CSI secrets volume is never rotated: remove subPath and read the file under mountPath',
    ],
    ['on a relative mountPath', { mountPath: 'secrets' }, 'mountPath "secrets": use an absolute path'],
    ['on negative replicas', { replicas: -1 }, 'replicas -1: use a whole number of 0 or more'],
    ['on a bad env name', { env: [{ name: '1X', value: 'v' }] }, 'env[0].name "1X": use letters, digits, "_", "-" and "."'],
    [
      'on a bad env-from-Secret name',
      { envFromSyncedSecret: [{ name: 'A B', secretName: 'tls', key: 'tls.crt' }] },
      'envFromSyncedSecret[0].name "A B": use letters, digits, "_", "-" and "."',
    ],
    [
      'on a Secret the SPC does not sync',
      { envFromSyncedSecret: [{ name: 'X', secretName: 'other', key: 'k' }] },
      'envFromSyncedSecret[0].secretName "other": not a Secret synced by SecretProviderClass app-keyvault: use one of "tls"',
    ],
    [
      'on a key the synced Secret lacks',
      { envFromSyncedSecret: [{ name: 'X', secretName: 'tls', key: 'ca.crt' }] },
      'envFromSyncedSecret[0].key "ca.crt": Secret "tls" has no such key: use one of "tls.crt", "tls.key"',
    ],
    [
      'on a variable set twice',
      { env: [{ name: 'X', value: 'v' }], envFromSyncedSecret: [{ name: 'X', secretName: 'tls', key: 'tls.crt' }] },
      'env "X": set each environment variable once',
    ],
    // kubernetes validateContainerPorts (Duplicate name); cdk8s-plus threw its own stack trace before.
    [
      'on two ports with one name',
      {
        ports: [
          { containerPort: 80, name: 'http' },
          { containerPort: 81, name: 'http' },
        ],
      },
      'ports "http": give each port of the container its own name',
    ],
    [
      'on two ports with one number and protocol',
      { ports: [{ containerPort: 80 }, { containerPort: 80, protocol: 'TCP' }] },
      'ports 80: list each containerPort and protocol once',
    ],
    ['on a bad port name', { ports: [{ containerPort: 80, name: '80' }] }, 'ports[0].name "80": use an IANA service name'],
    ['on a label we set', { labels: { 'app.kubernetes.io/name': 'x' } }, 'labels.app.kubernetes.io/name "app.kubernetes.io/name": we set this label'],
    ['on a bad label key', { labels: { 'a b': 'x' } }, 'labels.a b "a b": use a label key'],
    ['on a bad annotation key', { annotations: { '/x': 'y' } }, 'annotations./x "/x": use an annotation key'],
    [
      'on annotations over 256 KiB',
      { podAnnotations: { big: 'x'.repeat(256 * 1024) } },
      `podAnnotations "${256 * 1024 + 3} bytes": keep the annotations of one object (keys and values together) within 262144 bytes`,
    ],
    [
      'on a memory request above the limit',
      { resources: { memoryRequest: '1Gi', memoryLimit: '1000Mi' } },
      'resources.memoryRequest "1Gi": set the request at or below the limit',
    ],
    [
      'on a CPU request above the limit',
      { resources: { cpuRequest: '2', cpuLimit: '1500m' } },
      'resources.cpuRequest "2": set the request at or below the limit',
    ],
    ['on a bad CPU request', { resources: { cpuRequest: '1 core' } }, 'resources.cpuRequest "1 core": use CPU units'],
    ['on a bad CPU limit', { resources: { cpuLimit: '2cpu' } }, 'resources.cpuLimit "2cpu": use CPU units'],
    ['on a bad memory request', { resources: { memoryRequest: '64MB' } }, 'resources.memoryRequest "64MB": use whole bytes with a unit such as "64Mi"'],
    [
      'on a bad memory limit',
      { resources: { memoryLimit: '128m' } },
      'resources.memoryLimit "128m": use whole bytes with a unit such as "64Mi" or "1Gi" ("128m" means 0.128 bytes, not 128 MiB)',
    ],
    [
      'on an unknown capability',
      { securityContext: { dropCapabilities: ['CAP_NET_RAW'] } },
      'securityContext.dropCapabilities[0] "CAP_NET_RAW": use a Linux capability name in upper case without "CAP_"',
    ],
    ['on a bad user id', { securityContext: { runAsUser: -1 } }, 'securityContext.runAsUser -1: use a numeric user id'],
    ['on a bad group id', { securityContext: { runAsGroup: 1.5 } }, 'securityContext.runAsGroup 1.5: use a numeric group id'],
    ['on user 0 with runAsNonRoot', { securityContext: { runAsUser: 0 } }, 'securityContext.runAsUser 0: runAsNonRoot is true'],
  ])('%s', (_, over, message) => {
    expect(() => deployment(over)).toThrow(message);
  });

  test('on a SecretProviderClass of another namespace', () => {
    expect(() => deployment({}, { namespace: 'other' })).toThrow(
      'Deployment apps/app: secretProviderClass "other/app-keyvault": a pod can mount only a SecretProviderClass of its own namespace "apps"',
    );
  });
});

describe('GitOps objects fail', () => {
  const argo: ArgoCdApplicationProps = { name: 'x', repoURL: 'https://example.com/r.git', path: 'dist/x' };
  test.each<[string, Partial<ArgoCdApplicationProps>, string]>([
    ['Application on a bad name', { name: 'X' }, 'Application argocd/X: name "X": use a DNS-1123 name'],
    ['Application on a bad namespace', { namespace: 'Argo' }, 'namespace "Argo": use a DNS-1123 label'],
    ['Application on an empty repoURL', { repoURL: ' ' }, 'repoURL " ": use the URL of the GitOps repository'],
    ['Application on a path escaping the repository', { path: '../x' }, 'path "../x": use a path relative to the repository root'],
    ['Application on a project no AppProject can be named', { project: 'My Project' }, 'project "My Project": use the name of an Argo CD AppProject'],
  ])('%s', (_, over, message) => {
    expect(() => new ArgoCdApplication(chart(), 'A', { ...argo, ...over })).toThrow(message);
  });

  const flux: FluxKustomizationProps = { name: 'x', sourceRef: 'repo', path: 'dist/x' };
  test.each<[string, Partial<FluxKustomizationProps>, string]>([
    ['Kustomization on a bad name', { name: 'X' }, 'Kustomization flux-system/X: name "X": use a DNS-1123 name'],
    ['Kustomization on a bad namespace', { namespace: 'Flux' }, 'namespace "Flux": use a DNS-1123 label'],
    ['Kustomization on a bad sourceRef', { sourceRef: 'My Repo' }, 'sourceRef "My Repo": use the name of a Flux GitRepository'],
    ['Kustomization on a bad interval', { interval: '10 minutes' }, 'interval "10 minutes": use a duration Flux accepts'],
    // fluxcd/kustomize-controller api/v1 Interval pattern: Go accepts "500us", the CRD does not.
    [
      'Kustomization on an interval the CRD refuses',
      { interval: '500us' },
      'interval "500us": use a duration Flux accepts, such as "10m", "1h" or "1m30s" (units ms, s, m, h)',
    ],
    ['Kustomization on an absolute path', { path: '/dist' }, 'path "/dist": use a path relative to the repository root'],
  ])('%s', (_, over, message) => {
    expect(() => new FluxKustomization(chart(), 'F', { ...flux, ...over })).toThrow(message);
  });
});

describe('ReloaderInstallation fails', () => {
  const props: ReloaderInstallationProps = { tool: 'argocd', name: 'reloader' };
  test.each<[string, Partial<ReloaderInstallationProps>, string]>([
    ['on a bad name', { name: 'Reloader' }, 'Reloader installation argocd/Reloader: name "Reloader": use a DNS-1123 name'],
    ['on a bad namespace', { namespace: 'Argo' }, 'namespace "Argo": use a DNS-1123 label'],
    ['on a bad targetNamespace', { targetNamespace: 'Tools' }, 'targetNamespace "Tools": use a DNS-1123 label'],
    // helm/helm pkg/chart/metadata.go (Validate: SemVer 2); a range is not a pin.
    [
      'on a chart version range',
      { chartVersion: '^2.2.0' },
      'chartVersion "^2.2.0": use an exact chart version such as "2.2.16" (a pinned release, not a range)',
    ],
    ['on a project no AppProject can be named', { project: 'My Project' }, 'project "My Project": use the name of an Argo CD AppProject'],
    ['on a bad Flux interval', { tool: 'flux', interval: '10 minutes' }, 'interval "10 minutes": use a duration Flux accepts'],
  ])('%s', (_, over, message) => {
    expect(() => new ReloaderInstallation(chart(), 'R', { ...props, ...over })).toThrow(message);
  });
});

describe('ReloaderInstallation', () => {
  test('Argo CD: one Application; Flux: a HelmRepository and a HelmRelease, each with its bootstrap file name', () => {
    expect(new ReloaderInstallation(chart(), 'R', { tool: 'argocd', name: 'r' }).objects.map((o) => [o.file, o.apiObject.kind])).toStrictEqual([
      ['reloader-argocd-application.yaml', 'Application'],
    ]);
    expect(new ReloaderInstallation(chart(), 'R', { tool: 'flux', name: 'r' }).objects.map((o) => [o.file, o.apiObject.kind])).toStrictEqual([
      ['reloader-flux-helmrepository.yaml', 'HelmRepository'],
      ['reloader-flux-helmrelease.yaml', 'HelmRelease'],
    ]);
  });

  test('a chosen chart version and namespace are what Argo CD and Flux install', () => {
    const argo = new ReloaderInstallation(chart(), 'R', {
      tool: 'argocd',
      name: 'r',
      chartVersion: '2.1.0',
      targetNamespace: 'tools',
    }).objects[0].apiObject.toJson();
    expect([argo.spec.source.targetRevision, argo.spec.destination.namespace]).toStrictEqual(['2.1.0', 'tools']);
    const flux = new ReloaderInstallation(chart(), 'R', {
      tool: 'flux',
      name: 'r',
      chartVersion: '2.1.0',
      targetNamespace: 'tools',
    }).objects[1].apiObject.toJson();
    expect([flux.spec.chart.spec.version, flux.spec.targetNamespace]).toStrictEqual(['2.1.0', 'tools']);
  });
});

describe('SecretsStoreDeployment probes (https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/#Probe)', () => {
  const container = (d: SecretsStoreDeployment) =>
    (ApiObject.of(d.resource).toJson() as { spec: { template: { spec: { containers: Record<string, unknown>[] } } } }).spec.template.spec.containers[0];

  test('none unless asked for', () => {
    const c = container(deployment());
    expect(c).not.toHaveProperty('livenessProbe');
    expect(c).not.toHaveProperty('readinessProbe');
  });

  test('an HTTP GET on a named port, and a TCP connect on a numbered one, with the defaults written out', () => {
    const c = container(
      deployment({
        ports: [{ containerPort: 8080, name: 'http' }],
        livenessProbe: { port: 'http', path: '/healthz' },
        readinessProbe: { port: 8080, periodSeconds: 5, failureThreshold: 2 },
      }),
    );
    expect(c.livenessProbe).toEqual({
      httpGet: { path: '/healthz', port: 'http' },
      initialDelaySeconds: 0,
      periodSeconds: 10,
      timeoutSeconds: 1,
      failureThreshold: 3,
    });
    expect(c.readinessProbe).toEqual({ tcpSocket: { port: 8080 }, initialDelaySeconds: 0, periodSeconds: 5, timeoutSeconds: 1, failureThreshold: 2 });
  });

  test('fails on a port name the container does not declare', () => {
    expect(() => deployment({ livenessProbe: { port: 'http' } })).toThrow(
      'Deployment apps/app: livenessProbe.port "http": names no port of ports (the kubelet cannot resolve it and the probe fails)',
    );
  });

  test('fails on a relative probe path', () => {
    expect(() => deployment({ readinessProbe: { port: 8080, path: 'ready' } })).toThrow(
      'Deployment apps/app: readinessProbe.path "ready": use an absolute HTTP path without spaces, such as "/healthz"',
    );
  });
});

describe('EnvironmentChart', () => {
  test('fails on outputs of another environment', () => {
    expect(() => new EnvironmentChart(new App({ outdir: '.' }), 'dev', { model: exampleModel('dev'), outputs: exampleOutputs('prod') })).toThrow(
      'outputs do not match environment "dev":\n  environment: these outputs belong to environment "prod", not "dev"',
    );
  });

  test('fails on outputs without one of its workloads', () => {
    const outputs = exampleOutputs('prod');
    const { ['web-frontend']: _dropped, ...rest } = outputs.workloads;
    expect(() => new EnvironmentChart(new App({ outdir: '.' }), 'prod', { model: exampleModel('prod'), outputs: { ...outputs, workloads: rest } })).toThrow(
      'no outputs for workload "web-frontend"',
    );
  });
});

test('construct defaults equal the config schema defaults (docs cannot drift)', () => {
  const model = modelFromYaml(
    'mini',
    'azure: { location: westeurope, resourceGroup: { name: rg } }\ncluster: { name: aks }\nkeyVault: { name: kv-mini }\nworkloads: [{ name: app, namespace: apps, objects: [{ name: db, type: secret }], deployment: { image: app:1 } }]\n',
  );
  const d = model.workloads[0].config.deployment;
  expect({
    replicas: d.replicas,
    mountPath: d.mountPath,
    workloadIdentityLabel: d.workloadIdentityLabel,
    restartOnRotation: d.restartOnRotation,
    resources: d.resources,
    securityContext: d.securityContext,
    networkPolicy: d.networkPolicy,
    podDisruptionBudget: d.podDisruptionBudget,
    spreadAcrossZones: d.spreadAcrossZones,
  }).toEqual(DEPLOYMENT_DEFAULTS);
});

test('a Deployment with every default renders the documented defaults', () => {
  const d = deployment();
  const json = ApiObject.of(d.resource).toJson();
  const pod = json.spec.template.spec;
  expect(json.spec.replicas).toBe(2);
  expect(pod.containers[0].volumeMounts[0].mountPath).toBe('/mnt/secrets-store');
  expect(pod.containers[0].resources).toEqual({ requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '128Mi' } });
  expect(json.spec.template.metadata.labels['azure.workload.identity/use']).toBe('true');
  expect(json.metadata.annotations).toBeUndefined();
  expect(pod.containers[0].securityContext).toMatchObject({
    runAsNonRoot: true,
    runAsUser: 10001,
    runAsGroup: 10001,
    readOnlyRootFilesystem: true,
    allowPrivilegeEscalation: false,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  });
});

describe('SecretsStoreDeployment Pod Security (kubernetes/pod-security-admission policy checks)', () => {
  const settings = fc.record({
    runAsNonRoot: fc.boolean(),
    runAsUser: fc.constantFrom(0, 1000, 10001),
    runAsGroup: fc.constantFrom(0, 10001),
    readOnlyRootFilesystem: fc.boolean(),
    allowPrivilegeEscalation: fc.boolean(),
    dropCapabilities: fc.subarray(['ALL', 'NET_RAW', 'SYS_ADMIN']),
    seccompProfile: fc.constantFrom('RuntimeDefault' as const, 'Unconfined' as const),
  });

  test('the level of the rendered pod is the level the config warnings compute, for any settings', () => {
    fc.assert(
      fc.property(
        settings.filter((s) => !(s.runAsNonRoot && s.runAsUser === 0)),
        (s) => {
          const d = deployment({ securityContext: s });
          const expected = workloadPodSecurity('app', s);
          expect(d.podSecurity.level).toBe(expected.level);
          expect(d.podSecurity.failed.map((c) => c.subject)).toStrictEqual(expected.failed.map((c) => c.subject));
        },
      ),
    );
  });

  test('the defaults meet restricted', () => {
    expect(deployment().podSecurity).toStrictEqual({ level: 'restricted', failed: [] });
  });

  // check_seccompProfile_baseline.go: Unconfined fails baseline; the schema refuses it, a library
  // caller gets pods of the privileged level and namespace labels that admit them.
  test('seccomp Unconfined (library use) meets only privileged, and the namespace label follows the weakest pod', () => {
    const d = deployment({ securityContext: { seccompProfile: 'Unconfined' } });
    expect(d.podSecurity.level).toBe('privileged');
    expect(d.podSecurity.failed.map((c) => c.subject)).toStrictEqual([
      'Pod Security check seccompProfile_baseline',
      'Pod Security check seccompProfile_restricted',
    ]);
    expect(podSecurityLabels(['restricted', d.podSecurity.level, 'baseline'])['pod-security.kubernetes.io/enforce']).toBe('privileged');
    expect(podSecurityLabels([])['pod-security.kubernetes.io/enforce']).toBe('restricted');
  });
});

describe('SecretsStoreDeployment with several vaults (additionalSecretProviderClasses)', () => {
  /** The default deployment plus a second vault's class, at `mountPath`, named `volumeName`. */
  function withSecond(mount: { mountPath?: string; volumeName?: string; namespace?: string } = {}, over: Partial<SecretsStoreDeploymentProps> = {}) {
    const c = chart();
    const serviceAccount = new WorkloadServiceAccount(c, 'Sa', saProps);
    const secretProviderClass = new KeyVaultSecretProviderClass(c, 'Spc', spcProps);
    const second = new KeyVaultSecretProviderClass(c, 'Spc2', {
      ...spcProps,
      name: 'app-keyvault-kv-platform',
      namespace: mount.namespace ?? 'apps',
      keyVaultName: 'kv-platform',
      objects: [{ objectName: 'platform-key', objectType: 'secret' }],
      secretObjects: [{ secretName: 'platform', type: 'Opaque', data: [{ objectName: 'platform-key', key: 'key' }] }],
    });
    return new SecretsStoreDeployment(c, 'Deployment', {
      name: 'app',
      serviceAccount,
      secretProviderClass,
      additionalSecretProviderClasses: [
        {
          secretProviderClass: second,
          volumeName: mount.volumeName ?? 'secrets-store-kv-platform',
          mountPath: mount.mountPath ?? '/mnt/secrets-store-platform',
        },
      ],
      image: 'app:1',
      reloaderAnnotation: true,
      ...over,
    });
  }

  test("one read-only CSI volume per class, each at its own path; Reloader watches both classes; env may read either class's Secrets", () => {
    const d = withSecond({}, { envFromSyncedSecret: [{ name: 'PLATFORM_KEY', secretName: 'platform', key: 'key' }] });
    const json = ApiObject.of(d.resource).toJson();
    const spec = json.spec.template.spec;
    expect(spec.volumes).toEqual([
      { name: 'secrets-store', csi: { driver: 'secrets-store.csi.k8s.io', readOnly: true, volumeAttributes: { secretProviderClass: 'app-keyvault' } } },
      {
        name: 'secrets-store-kv-platform',
        csi: { driver: 'secrets-store.csi.k8s.io', readOnly: true, volumeAttributes: { secretProviderClass: 'app-keyvault-kv-platform' } },
      },
    ]);
    expect(spec.containers[0].volumeMounts).toEqual([
      { mountPath: '/mnt/secrets-store', name: 'secrets-store', readOnly: true },
      { mountPath: '/mnt/secrets-store-platform', name: 'secrets-store-kv-platform', readOnly: true },
    ]);
    expect(json.metadata.annotations['secretproviderclass.reloader.stakater.com/reload']).toBe('app-keyvault,app-keyvault-kv-platform');
  });

  // kubernetes/kubernetes pkg/apis/core/validation/validation.go (ValidateVolumeMounts) and the read-only CSI volume.
  test.each<[string, { mountPath?: string; volumeName?: string; namespace?: string }, string]>([
    [
      'on the main mount path',
      { mountPath: '/mnt/secrets-store' },
      'additionalSecretProviderClasses[0].mountPath "/mnt/secrets-store": give each volume a mount path of its own, neither inside the other (mountPath is /mnt/secrets-store)',
    ],
    [
      'inside the main mount',
      { mountPath: '/mnt/secrets-store/platform' },
      'additionalSecretProviderClasses[0].mountPath "/mnt/secrets-store/platform": give each volume a mount path of its own, neither inside the other (mountPath is /mnt/secrets-store)',
    ],
    ['on the main volume name', { volumeName: 'secrets-store' }, 'volume name already used in this pod: give each volume its own name'],
    ['on a volume name that is no DNS label', { volumeName: 'Secrets' }, 'additionalSecretProviderClasses[0].volumeName "Secrets"'],
    ['on a class of another namespace', { namespace: 'other' }, 'a pod can mount only a SecretProviderClass of its own namespace "apps"'],
  ])('fails %s', (_what, mount, message) => {
    expect(() => withSecond(mount)).toThrow(message);
  });

  test('fails beside a delivered Secret (other vaults are CSI-only)', () => {
    const c = chart();
    const serviceAccount = new WorkloadServiceAccount(c, 'Sa', saProps);
    const second = new KeyVaultSecretProviderClass(c, 'Spc2', { ...spcProps, name: 'app-keyvault-kv-platform' });
    expect(
      () =>
        new SecretsStoreDeployment(c, 'Deployment', {
          name: 'app',
          serviceAccount,
          deliveredSecret: { secretName: 'app-keyvault', namespace: 'apps', keys: [{ key: 'db' }], syncedSecrets: new Map() },
          additionalSecretProviderClasses: [{ secretProviderClass: second, volumeName: 'secrets-store-x', mountPath: '/mnt/x' }],
          image: 'app:1',
        }),
    ).toThrow('mount other vaults only beside a SecretProviderClass (a CSI mount), not a delivered Secret');
  });
});

describe('EnvironmentChart with several vaults', () => {
  const model = modelFromYaml(
    'dev',
    minimalVariant((d) => {
      d.additionalVaults = [{ mode: 'existing', name: 'kv-platform' }, { name: 'kv-unread' }];
      d.workloads[0].objects.push({ name: 'platform-key', type: 'secret', alias: 'platform_key', vault: 'kv-platform' });
      d.workloads[0].secretObjects = [
        { secretName: 'main', type: 'Opaque', data: [{ objectName: 'db-password', key: 'a' }] },
        { secretName: 'platform', type: 'Opaque', data: [{ objectName: 'platform_key', key: 'b' }] },
      ];
    }),
  );
  const outputs = outputsFor(model);
  const chartOf = () => new EnvironmentChart(new App({ outdir: '.' }), 'env', { model, outputs });

  test("one SecretProviderClass per vault read, each with its vault's name from the outputs, its objects and its synced Secrets", () => {
    const objects = chartOf().workloads.get('app')!;
    const main = objects.secretProviderClass!.apiObject.toJson();
    const [extra] = objects.additionalSecretProviderClasses!.map((s) => s.apiObject.toJson());
    expect(objects.additionalSecretProviderClasses).toHaveLength(1);
    expect(main.metadata.name).toBe('app-keyvault');
    expect(main.spec.parameters.keyvaultName).toBe('kv-app');
    expect(main.spec.parameters.objects).not.toContain('platform-key');
    expect(main.spec.secretObjects.map((s: { secretName: string }) => s.secretName)).toEqual(['main']);
    expect(extra.metadata.name).toBe('app-keyvault-kv-platform');
    expect(extra.spec.parameters.keyvaultName).toBe('kv-platform');
    expect(extra.spec.parameters.clientID).toBe(main.spec.parameters.clientID);
    expect(extra.spec.parameters.objects).toContain('objectName: platform-key');
    expect(extra.spec.secretObjects.map((s: { secretName: string }) => s.secretName)).toEqual(['platform']);
  });

  test('refuses outputs without the additional vault (the chart reads vault names from the contract only)', () => {
    const { additionalVaults: _omitted, ...old } = outputs;
    expect(() => new EnvironmentChart(new App({ outdir: '.' }), 'env', { model, outputs: old })).toThrow(
      'additionalVaults: no outputs for vault "kv-platform" of environments/dev.yaml (additionalVaults)',
    );
  });
});
