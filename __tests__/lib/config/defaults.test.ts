/**
 * Every documented `@default` of lib/config/schema.ts, checked against what the loader resolves
 * for the minimal file, so the doc comments cannot drift from the values.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { load, MINIMAL, minimalVariant, ROOT } from '../../support/config';

const config = load(MINIMAL);
const workload = config.workloads[0]!;

describe('defaults of the minimal file', () => {
  test('azure: public cloud, resource group created, no tags, no subscription', () => {
    expect(config.azure).toStrictEqual({ location: 'westeurope', resourceGroup: { name: 'rg-app', create: true }, cloud: 'public', tags: {} });
  });

  test('cluster: created, OIDC issuer and Workload Identity on, rotation on every 2m, 2 x Standard_D2s_v5, azure CNI', () => {
    expect(config.cluster).toStrictEqual({
      mode: 'create',
      name: 'aks-app',
      secretsProvider: { rotation: { enabled: true, interval: '2m' } },
      systemNodePool: { vmSize: 'Standard_D2s_v5', nodeCount: 2 },
      networkPlugin: 'azure',
      oidcIssuer: true,
      workloadIdentity: true,
    });
  });

  test('keyVault: created, standard, purge protection on, 90 days retention, public access with Allow and AzureServices bypass', () => {
    expect(config.keyVault).toStrictEqual({
      mode: 'create',
      name: 'kv-app',
      sku: 'standard',
      purgeProtection: true,
      softDeleteRetentionDays: 90,
      publicNetworkAccess: true,
      networkAcls: { defaultAction: 'Allow', bypass: 'AzureServices', ipRules: [], virtualNetworkSubnetIds: [] },
    });
  });

  test('identity: per-workload, vault scope, least privilege, 30s propagation wait', () => {
    expect(config.identity).toStrictEqual({ mode: 'per-workload', roleScope: 'vault', role: 'least-privilege', propagationWait: '30s' });
  });

  test('state: local backend with the default path; output: namespaces on, no gitops', () => {
    expect(config.state).toStrictEqual({ backend: 'local' });
    expect(config.output).toStrictEqual({ namespaces: true });
  });

  test('workload: ServiceAccount left to the workload name, no synced Secrets, object options left to the provider', () => {
    expect(workload.serviceAccount).toBeUndefined();
    expect(workload.secretObjects).toStrictEqual([]);
    expect(workload.objects).toStrictEqual([{ name: 'db-password', type: 'secret' }]);
  });

  test('deployment: 2 replicas, /mnt/secrets-store, Workload Identity label, no Reloader, no env from Secrets', () => {
    expect(workload.deployment).toStrictEqual({
      image: 'ghcr.io/example/app:1.0.0',
      ports: [],
      env: [],
      envFromSyncedSecret: [],
      reloaderAnnotation: false,
      replicas: 2,
      mountPath: '/mnt/secrets-store',
      workloadIdentityLabel: true,
      resources: { cpuRequest: '50m', memoryRequest: '64Mi', memoryLimit: '128Mi' },
      securityContext: {
        runAsNonRoot: true,
        runAsUser: 10001,
        runAsGroup: 10001,
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        dropCapabilities: ['ALL'],
        seccompProfile: 'RuntimeDefault',
      },
      labels: {},
      annotations: {},
    });
  });

  test('defaults fill in around partial sections', () => {
    const partial = load(
      minimalVariant((d) => {
        d.cluster.secretsProvider = { rotation: { interval: '5m' } };
        d.keyVault.networkAcls = { defaultAction: 'Deny' };
        d.identity = { roleScope: 'object' };
        d.workloads[0].deployment.resources = { cpuLimit: '1' };
        d.workloads[0].deployment.securityContext = { runAsUser: 1000 };
        d.workloads[0].deployment.ports = [{ containerPort: 53 }];
        d.output = { gitops: { tool: 'argocd', repoURL: 'https://example.com/r.git' } };
      }),
    );
    expect(partial.cluster.secretsProvider.rotation).toStrictEqual({ enabled: true, interval: '5m' });
    expect(partial.keyVault.mode === 'create' && partial.keyVault.networkAcls).toStrictEqual({ defaultAction: 'Deny', bypass: 'AzureServices', ipRules: [], virtualNetworkSubnetIds: [] });
    expect(partial.identity).toStrictEqual({ mode: 'per-workload', roleScope: 'object', role: 'least-privilege', propagationWait: '30s' });
    const dep = partial.workloads[0]!.deployment;
    expect(dep.resources).toStrictEqual({ cpuRequest: '50m', cpuLimit: '1', memoryRequest: '64Mi', memoryLimit: '128Mi' });
    expect(dep.securityContext).toMatchObject({ runAsUser: 1000, runAsGroup: 10001, runAsNonRoot: true, readOnlyRootFilesystem: true });
    expect(dep.ports).toStrictEqual([{ containerPort: 53, protocol: 'TCP' }]);
    expect(partial.output).toStrictEqual({ namespaces: true, gitops: { tool: 'argocd', repoURL: 'https://example.com/r.git', targetRevision: 'HEAD', namespace: 'argocd', project: 'default' } });
  });

  test('flux defaults: namespace flux-system, interval 10m', () => {
    const flux = load(minimalVariant((d) => (d.output = { gitops: { tool: 'flux', sourceRef: 'flux-system' } })));
    expect(flux.output.gitops).toStrictEqual({ tool: 'flux', sourceRef: 'flux-system', namespace: 'flux-system', interval: '10m' });
  });

  test('every default can be overridden, including the secure ones', () => {
    const open = load(
      minimalVariant((d) => {
        d.keyVault.purgeProtection = false;
        d.keyVault.publicNetworkAccess = false;
        d.cluster.secretsProvider = { rotation: { enabled: false } };
        d.identity = { propagationWait: '0s' };
        d.workloads[0].deployment.workloadIdentityLabel = false;
        d.workloads[0].deployment.replicas = 0;
      }),
    );
    expect(open.keyVault).toMatchObject({ purgeProtection: false, publicNetworkAccess: false });
    expect(open.cluster.secretsProvider.rotation).toStrictEqual({ enabled: false, interval: '2m' });
    expect(open.identity.propagationWait).toBe('0s');
    expect(open.workloads[0]!.deployment).toMatchObject({ workloadIdentityLabel: false, replicas: 0 });
  });

  test('the documented @default values are the ones this file checks (change detector)', () => {
    // A new documented default must be added here: count them so the list cannot silently lag.
    const source = readFileSync(path.join(ROOT, 'lib', 'config', 'schema.ts'), 'utf8');
    const documented = [...source.matchAll(/@default ([^*\n]+?)\s*\*\//g)].map((m) => m[1]!.trim());
    expect(documented.filter((d) => !d.startsWith('-'))).toStrictEqual([
      'true',
      'public',
      '{}',
      'true',
      '2m',
      'Standard_D2s_v5',
      '2',
      'create',
      'azure',
      'true',
      'true',
      'Allow',
      'AzureServices',
      '[]',
      '[]',
      'create',
      'standard',
      'true',
      '90',
      'true',
      '50m',
      '64Mi',
      '128Mi',
      'true',
      '10001',
      '10001',
      'true',
      'false',
      '["ALL"]',
      'RuntimeDefault',
      '[]',
      'false',
      '2',
      '/mnt/secrets-store',
      'true',
      '{}',
      '{}',
      '[]',
      'per-workload',
      'vault',
      'least-privilege',
      '30s',
      'HEAD',
      'argocd',
      'default',
      'flux-system',
      '10m',
      'true',
    ]);
  });
});
