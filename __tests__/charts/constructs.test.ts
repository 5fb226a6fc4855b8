import { ApiObject, App, Chart } from 'cdk8s';
import {
  ArgoCdApplication,
  DEPLOYMENT_DEFAULTS,
  EnvironmentChart,
  FluxKustomization,
  KeyVaultSecretProviderClass,
  SecretsStoreDeployment,
  WorkloadServiceAccount,
  type ArgoCdApplicationProps,
  type FluxKustomizationProps,
  type KeyVaultSecretProviderClassProps,
  type SecretsStoreDeploymentProps,
  type WorkloadServiceAccountProps,
} from '../../charts';
import { exampleModel, exampleOutputs, modelFromYaml } from './fixtures';

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
  secretObjects: [{ secretName: 'tls', type: 'kubernetes.io/tls', data: [{ objectName: 'tls.crt', key: 'tls.crt' }, { objectName: 'tls.key', key: 'tls.key' }] }],
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
    ['on a bad object name', { objects: [{ objectName: 'DB_PASSWORD', objectType: 'secret' }], secretObjects: [] }, 'objects[0].objectName "DB_PASSWORD": use 1-127 letters, digits or hyphens (map to another file name with objectAlias)'],
    ['on an unknown object type', { objects: [{ objectName: 'db', objectType: 'Secret' as never }], secretObjects: [] }, 'objects[0].objectType "Secret": use "secret", "key" or "cert" (lower case)'],
    ['on an alias with a slash', { objects: [{ objectName: 'db', objectType: 'secret', objectAlias: 'a/b' }], secretObjects: [] }, 'objects[0].objectAlias "a/b": use a file name: no "/"'],
    ['on a bad version', { objects: [{ objectName: 'db', objectType: 'secret', objectVersion: 'v1' }], secretObjects: [] }, 'objects[0].objectVersion "v1": use a 32-character hexadecimal Key Vault version id'],
    ['on pfx for a cert', { objects: [{ objectName: 'c', objectType: 'cert', objectFormat: 'pfx' }], secretObjects: [] }, 'objects[0].objectFormat "pfx": format "pfx" is only for objectType "secret"'],
    ['on an encoding for a key', { objects: [{ objectName: 'k', objectType: 'key', objectEncoding: 'hex' }], secretObjects: [] }, 'objects[0].objectEncoding "hex": encoding applies only to objectType "secret"'],
    ['on a non-octal file permission', { objects: [{ objectName: 'db', objectType: 'secret', filePermission: '0999' }], secretObjects: [] }, 'objects[0].filePermission "0999": use an octal mode such as "0440"'],
    ['on a version history of 0', { objects: [{ objectName: 'db', objectType: 'secret', objectVersionHistory: 0 }], secretObjects: [] }, 'objects[0].objectVersionHistory 0: use a whole number of 1 or more'],
    ['on two objects with one file name', { objects: [{ objectName: 'db', objectType: 'secret' }, { objectName: 'db2', objectType: 'secret', objectAlias: 'db' }], secretObjects: [] }, 'objects[1].objectAlias "db": file name already mounted by objects[0]: set a distinct objectAlias'],
    ['on a bad secretName', { secretObjects: [{ secretName: 'TLS', type: 'Opaque', data: [{ objectName: 'db', key: 'db' }] }] }, 'secretObjects[0].secretName "TLS": use a DNS-1123 name'],
    ['on a Secret synced twice', { secretObjects: [{ secretName: 's', type: 'Opaque', data: [{ objectName: 'db', key: 'a' }] }, { secretName: 's', type: 'Opaque', data: [{ objectName: 'db', key: 'b' }] }] }, 'secretObjects[1].secretName "s": Secret already synced by another entry'],
    ['on a missing Secret type', { secretObjects: [{ secretName: 's', data: [{ objectName: 'db', key: 'db' }] } as never] }, 'secretObjects[0].type: use one of Opaque, kubernetes.io/tls'],
    ['on a Secret without data', { secretObjects: [{ secretName: 's', type: 'Opaque', data: [] }] }, 'secretObjects[0].data []: list at least one { objectName, key }'],
    ['on an objectName that is not a mounted file name', { secretObjects: [{ secretName: 's', type: 'Opaque', data: [{ objectName: 'tls', key: 'tls' }] }] }, 'secretObjects[0].data[0].objectName "tls": must be a mounted file name (the objectAlias when one is set): one of "tls.crt", "tls.key", "db"'],
    ['on a bad Secret key', { secretObjects: [{ secretName: 's', type: 'Opaque', data: [{ objectName: 'db', key: 'a/b' }] }] }, 'secretObjects[0].data[0].key "a/b": use letters, digits'],
    ['on a TLS Secret with another key', { secretObjects: [{ secretName: 's', type: 'kubernetes.io/tls', data: [{ objectName: 'tls.crt', key: 'cert.pem' }] }] }, 'secretObjects[0].data[0].key "cert.pem": a kubernetes.io/tls Secret takes only the keys "tls.crt" and "tls.key"'],
    ['on a key used twice', { secretObjects: [{ secretName: 's', type: 'Opaque', data: [{ objectName: 'db', key: 'k' }, { objectName: 'tls.key', key: 'k' }] }] }, 'secretObjects[0].data[1].key "k": key already used in this Secret'],
    ['on a TLS Secret without its private key', { secretObjects: [{ secretName: 's', type: 'kubernetes.io/tls', data: [{ objectName: 'tls.crt', key: 'tls.crt' }] }] }, 'secretObjects[0].data ["tls.crt"]: a kubernetes.io/tls Secret needs both "tls.crt" and "tls.key"'],
  ])('%s', (_, over, message) => {
    expect(() => spc(over)).toThrow(message);
  });
});

describe('WorkloadServiceAccount', () => {
  test.each<[string, Partial<WorkloadServiceAccountProps>, string]>([
    ['fails on a bad name', { name: 'App' }, 'ServiceAccount apps/App: name "App": use a DNS-1123 name'],
    ['fails on a bad namespace', { namespace: 'a_b' }, 'namespace "a_b": use a DNS-1123 label'],
    ['fails on a non-GUID client id', { clientId: '${azurerm_user_assigned_identity.x.client_id}' }, 'clientId "${azurerm_user_assigned_identity.x.client_id}": use the client id (a GUID)'],
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
    ['on a subPath mount (never rotated)', { subPath: 'db' }, 'subPath "db": a subPath mount of a CSI secrets volume is never rotated: remove subPath and read the file under mountPath'],
    ['on a relative mountPath', { mountPath: 'secrets' }, 'mountPath "secrets": use an absolute path'],
    ['on negative replicas', { replicas: -1 }, 'replicas -1: use a whole number of 0 or more'],
    ['on a bad env name', { env: [{ name: '1X', value: 'v' }] }, 'env[0].name "1X": use letters, digits and "_"'],
    ['on a bad env-from-Secret name', { envFromSyncedSecret: [{ name: 'A-B', secretName: 'tls', key: 'tls.crt' }] }, 'envFromSyncedSecret[0].name "A-B": use letters, digits and "_"'],
    ['on a Secret the SPC does not sync', { envFromSyncedSecret: [{ name: 'X', secretName: 'other', key: 'k' }] }, 'envFromSyncedSecret[0].secretName "other": not a Secret synced by SecretProviderClass app-keyvault: use one of "tls"'],
    ['on a key the synced Secret lacks', { envFromSyncedSecret: [{ name: 'X', secretName: 'tls', key: 'ca.crt' }] }, 'envFromSyncedSecret[0].key "ca.crt": Secret "tls" has no such key: use one of "tls.crt", "tls.key"'],
    ['on a variable set twice', { env: [{ name: 'X', value: 'v' }], envFromSyncedSecret: [{ name: 'X', secretName: 'tls', key: 'tls.crt' }] }, 'env "X": environment variable set twice'],
    ['on a bad CPU request', { resources: { cpuRequest: '1 core' } }, 'resources.cpuRequest "1 core": use CPU units'],
    ['on a bad CPU limit', { resources: { cpuLimit: '2cpu' } }, 'resources.cpuLimit "2cpu": use CPU units'],
    ['on a bad memory request', { resources: { memoryRequest: '64MB' } }, 'resources.memoryRequest "64MB": use memory such as "64Mi"'],
    ['on a bad memory limit', { resources: { memoryLimit: 'lots' } }, 'resources.memoryLimit "lots": use memory such as "128Mi"'],
    ['on an unknown capability', { securityContext: { dropCapabilities: ['CAP_NET_RAW'] } }, 'securityContext.dropCapabilities[0] "CAP_NET_RAW": use a Linux capability name in upper case without "CAP_"'],
    ['on a bad user id', { securityContext: { runAsUser: -1 } }, 'securityContext.runAsUser -1: use a numeric user id'],
    ['on a bad group id', { securityContext: { runAsGroup: 1.5 } }, 'securityContext.runAsGroup 1.5: use a numeric group id'],
    ['on user 0 with runAsNonRoot', { securityContext: { runAsUser: 0 } }, 'securityContext.runAsUser 0: runAsNonRoot is true'],
  ])('%s', (_, over, message) => {
    expect(() => deployment(over)).toThrow(message);
  });

  test('on a SecretProviderClass of another namespace', () => {
    expect(() => deployment({}, { namespace: 'other' })).toThrow('Deployment apps/app: secretProviderClass "other/app-keyvault": a pod can mount only a SecretProviderClass of its own namespace "apps"');
  });
});

describe('GitOps objects fail', () => {
  const argo: ArgoCdApplicationProps = { name: 'x', repoURL: 'https://example.com/r.git', path: 'dist/x' };
  test.each<[string, Partial<ArgoCdApplicationProps>, string]>([
    ['Application on a bad name', { name: 'X' }, 'Application argocd/X: name "X": use a DNS-1123 name'],
    ['Application on a bad namespace', { namespace: 'Argo' }, 'namespace "Argo": use a DNS-1123 label'],
    ['Application on an empty repoURL', { repoURL: ' ' }, 'repoURL " ": use the URL of the GitOps repository'],
    ['Application on a path escaping the repository', { path: '../x' }, 'path "../x": use a path relative to the repository root'],
  ])('%s', (_, over, message) => {
    expect(() => new ArgoCdApplication(chart(), 'A', { ...argo, ...over })).toThrow(message);
  });

  const flux: FluxKustomizationProps = { name: 'x', sourceRef: 'repo', path: 'dist/x' };
  test.each<[string, Partial<FluxKustomizationProps>, string]>([
    ['Kustomization on a bad name', { name: 'X' }, 'Kustomization flux-system/X: name "X": use a DNS-1123 name'],
    ['Kustomization on a bad namespace', { namespace: 'Flux' }, 'namespace "Flux": use a DNS-1123 label'],
    ['Kustomization on a bad sourceRef', { sourceRef: 'My Repo' }, 'sourceRef "My Repo": use the name of a Flux GitRepository'],
    ['Kustomization on a bad interval', { interval: '10 minutes' }, 'interval "10 minutes": use a Go duration'],
    ['Kustomization on an absolute path', { path: '/dist' }, 'path "/dist": use a path relative to the repository root'],
  ])('%s', (_, over, message) => {
    expect(() => new FluxKustomization(chart(), 'F', { ...flux, ...over })).toThrow(message);
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
    expect(() => new EnvironmentChart(new App({ outdir: '.' }), 'prod', { model: exampleModel('prod'), outputs: { ...outputs, workloads: rest } })).toThrow('no outputs for workload "web-frontend"');
  });
});

test('construct defaults equal the config schema defaults (docs cannot drift)', () => {
  const model = modelFromYaml('mini', 'azure: { location: westeurope, resourceGroup: { name: rg } }\ncluster: { name: aks }\nkeyVault: { name: kv-mini }\nworkloads: [{ name: app, namespace: apps, objects: [{ name: db, type: secret }], deployment: { image: app:1 } }]\n');
  const d = model.workloads[0]!.config.deployment;
  expect({
    replicas: d.replicas,
    mountPath: d.mountPath,
    workloadIdentityLabel: d.workloadIdentityLabel,
    reloaderAnnotation: d.reloaderAnnotation,
    resources: d.resources,
    securityContext: d.securityContext,
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
  expect(pod.containers[0].securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } });
});
