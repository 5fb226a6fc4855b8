/**
 * Hardened workloads (issue 14, item 5): per workload a NetworkPolicy (ingress to the declared
 * ports only, egress open), a PodDisruptionBudget above one replica, and topology spread over
 * zones and nodes above one replica. Each default, each switch and the replica cases.
 */
import { App, Chart } from 'cdk8s';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { stringify } from 'yaml';
import { renderEnvironment, SecretsStoreDeployment, WorkloadDisruptionBudget, WorkloadNetworkPolicy } from '../../charts';
import { KeyVaultSecretProviderClass } from '../../charts/key-vault-secret-provider-class';
import { WorkloadServiceAccount } from '../../charts/workload-service-account';
import { problemsOf } from '../support/config';
import { modelFromYaml, objectOf, objectsOf, outputsFor } from './fixtures';

/** One workload `app` in namespace `apps`, with an HTTP and a UDP port; `deployment` merged in. */
function envYaml(deployment: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): string {
  return stringify({
    azure: { location: 'westeurope', resourceGroup: { name: 'rg-app' } },
    cluster: { name: 'aks-app' },
    keyVault: { name: 'kv-app' },
    workloads: [
      {
        name: 'app',
        namespace: 'apps',
        objects: [{ name: 'db-password', type: 'secret' }],
        deployment: {
          image: 'ghcr.io/example/app:1.0.0',
          ports: [
            { containerPort: 8080, name: 'http' },
            { containerPort: 5353, name: 'dns', protocol: 'UDP' },
          ],
          ...deployment,
        },
      },
    ],
    ...extra,
  });
}

function render(deployment: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) {
  const model = modelFromYaml('hard', envYaml(deployment, extra));
  return renderEnvironment(model, outputsFor(model));
}

const SELECTOR = { 'app.kubernetes.io/name': 'app' };

describe('NetworkPolicy (https://kubernetes.io/docs/concepts/services-networking/network-policies/)', () => {
  test('on by default: selects the pods, denies all ingress but the declared ports from pods of the cluster, restricts no egress', () => {
    const np = objectOf(render(), 'networkpolicy-apps-app.yaml');
    expect(np.apiVersion).toBe('networking.k8s.io/v1');
    expect(np.metadata).toStrictEqual({ name: 'app', namespace: 'apps', labels: SELECTOR });
    expect(np.spec).toStrictEqual({
      podSelector: { matchLabels: SELECTOR },
      policyTypes: ['Ingress'],
      ingress: [
        {
          from: [{ namespaceSelector: {} }],
          ports: [
            { port: 8080, protocol: 'TCP' },
            { port: 5353, protocol: 'UDP' },
          ],
        },
      ],
    });
    expect(np.spec).not.toHaveProperty('egress');
  });

  test('no declared port: the pods accept no ingress at all', () => {
    expect(objectOf(render({ ports: [] }), 'networkpolicy-apps-app.yaml').spec.ingress).toStrictEqual([]);
  });

  test('allowFromNamespaces and allowFromPodLabels narrow the sources (one peer per namespace, both selectors in it)', () => {
    const np = objectOf(
      render({ networkPolicy: { allowFromNamespaces: ['web', 'ingress-nginx'], allowFromPodLabels: { 'app.kubernetes.io/name': 'ingress-nginx' } } }),
      'networkpolicy-apps-app.yaml',
    );
    const podSelector = { matchLabels: { 'app.kubernetes.io/name': 'ingress-nginx' } };
    expect(np.spec.ingress[0].from).toStrictEqual([
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } }, podSelector },
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'web' } }, podSelector },
    ]);
  });

  test('allowFromPodLabels alone: pods with those labels in any namespace', () => {
    const np = objectOf(render({ networkPolicy: { allowFromPodLabels: { role: 'frontend' } } }), 'networkpolicy-apps-app.yaml');
    expect(np.spec.ingress[0].from).toStrictEqual([{ namespaceSelector: {}, podSelector: { matchLabels: { role: 'frontend' } } }]);
  });

  test('enabled: false (with a reason) renders none', () => {
    const files = render({ networkPolicy: { enabled: false, reason: 'the service mesh authorizes every request' } });
    expect(files.map((f) => f.path)).not.toContain('networkpolicy-apps-app.yaml');
  });

  test('comes before the Deployment in the kustomization, and one Argo CD sync wave before it', () => {
    const files = render({}, { output: { gitops: { tool: 'argocd', repoURL: 'https://github.com/example/gitops.git' } } });
    const resources: string[] = objectOf(files, 'kustomization.yaml').resources;
    expect(resources.indexOf('networkpolicy-apps-app.yaml')).toBeLessThan(resources.indexOf('deployment-apps-app.yaml'));
    expect(objectOf(files, 'networkpolicy-apps-app.yaml').metadata.annotations).toStrictEqual({ 'argocd.argoproj.io/sync-wave': '-1' });
    expect(objectOf(files, 'poddisruptionbudget-apps-app.yaml').metadata.annotations).toStrictEqual({ 'argocd.argoproj.io/sync-wave': '0' });
  });

  test('validates against the Kubernetes API schema (kubernetes-models)', () => {
    for (const deployment of [{}, { ports: [] }, { networkPolicy: { allowFromNamespaces: ['web'], allowFromPodLabels: { role: 'frontend' } } }]) {
      const { file: _file, ...np } = objectsOf(render(deployment)).find((o) => o.kind === 'NetworkPolicy')!;
      expect(() => new NetworkPolicy(np as never).validate()).not.toThrow();
    }
  });

  test('fails a namespace that is not a DNS-1123 label', () => {
    expect(problemsOf(envYaml({ networkPolicy: { allowFromNamespaces: ['Web'] } })).map((p) => [p.path, p.message])).toStrictEqual([
      ['workloads[0].deployment.networkPolicy.allowFromNamespaces[0]', 'use a namespace name (a DNS-1123 label)'],
    ]);
  });
});

describe('PodDisruptionBudget (https://kubernetes.io/docs/concepts/workloads/pods/disruptions/)', () => {
  test.each([0, 1])('none for %i replica(s)', (replicas) => {
    expect(render({ replicas }).some((f) => f.path.startsWith('poddisruptionbudget-'))).toBe(false);
  });

  test('2 replicas (the default): maxUnavailable 1 over the Deployment selector', () => {
    const pdb = objectOf(render(), 'poddisruptionbudget-apps-app.yaml');
    expect(pdb.apiVersion).toBe('policy/v1');
    expect(pdb.metadata).toStrictEqual({ name: 'app', namespace: 'apps', labels: SELECTOR });
    expect(pdb.spec).toStrictEqual({ maxUnavailable: 1, selector: { matchLabels: SELECTOR } });
    const { file: _file, ...obj } = objectsOf(render()).find((o) => o.kind === 'PodDisruptionBudget')!;
    expect(() => new PodDisruptionBudget(obj as never).validate()).not.toThrow();
  });

  test('maxUnavailable is taken as written', () => {
    expect(objectOf(render({ replicas: 5, podDisruptionBudget: { maxUnavailable: 2 } }), 'poddisruptionbudget-apps-app.yaml').spec.maxUnavailable).toBe(2);
  });

  // https://kubernetes.io/docs/tasks/run-application/configure-pdb/: a budget of 0 refuses every eviction, so drains never finish.
  test('fails maxUnavailable 0', () => {
    expect(problemsOf(envYaml({ podDisruptionBudget: { maxUnavailable: 0 } })).map((p) => [p.path, p.message])).toStrictEqual([
      [
        'workloads[0].deployment.podDisruptionBudget.maxUnavailable',
        'use a whole number of pods, 1 or more: a budget that allows no disruption blocks every node drain, and cluster upgrades stall on it',
      ],
    ]);
  });
});

describe('topologySpreadConstraints (https://kubernetes.io/docs/concepts/scheduling-eviction/topology-spread-constraints/)', () => {
  const spreadOf = (deployment: Record<string, unknown>) =>
    objectOf(render(deployment), 'deployment-apps-app.yaml').spec.template.spec.topologySpreadConstraints;

  test('2 replicas: zones then nodes, maxSkew 1, ScheduleAnyway, over the Deployment selector', () => {
    expect(spreadOf({ replicas: 2 })).toStrictEqual([
      { topologyKey: 'topology.kubernetes.io/zone', maxSkew: 1, whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: SELECTOR } },
      { topologyKey: 'kubernetes.io/hostname', maxSkew: 1, whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: SELECTOR } },
    ]);
  });

  test.each([0, 1])('none for %i replica(s)', (replicas) => {
    expect(spreadOf({ replicas })).toBeUndefined();
  });

  test('spreadAcrossZones: false renders none', () => {
    expect(spreadOf({ replicas: 3, spreadAcrossZones: false })).toBeUndefined();
  });
});

describe('the constructs fail on values that arrive as code', () => {
  const deployment = (replicas: number) => {
    const chart = new Chart(new App({ outdir: '.' }), 'test');
    const serviceAccount = new WorkloadServiceAccount(chart, 'Sa', { name: 'app', namespace: 'apps', clientId: '00000000-0000-0000-0000-00000000d001' });
    const secretProviderClass = new KeyVaultSecretProviderClass(chart, 'Spc', {
      name: 'app-keyvault',
      namespace: 'apps',
      keyVaultName: 'kv-app',
      tenantId: '00000000-0000-0000-0000-00000000aaaa',
      clientId: '00000000-0000-0000-0000-00000000d001',
      objects: [{ objectName: 'db', objectType: 'secret' }],
    });
    return { chart, d: new SecretsStoreDeployment(chart, 'D', { name: 'app', serviceAccount, secretProviderClass, image: 'app:1', replicas }) };
  };

  test('WorkloadDisruptionBudget on one replica', () => {
    const { chart, d } = deployment(1);
    expect(() => new WorkloadDisruptionBudget(chart, 'Pdb', { deployment: d })).toThrow(
      'PodDisruptionBudget apps/app: deployment "1 replicas": render a budget only for more than one replica: with one it blocks node drains or protects nothing',
    );
  });

  test('WorkloadDisruptionBudget with maxUnavailable 0', () => {
    const { chart, d } = deployment(2);
    expect(() => new WorkloadDisruptionBudget(chart, 'Pdb', { deployment: d, maxUnavailable: 0 })).toThrow(
      'PodDisruptionBudget apps/app: maxUnavailable 0: use a whole number of pods, 1 or more',
    );
  });

  test('WorkloadNetworkPolicy with a bad namespace', () => {
    const { chart, d } = deployment(2);
    expect(() => new WorkloadNetworkPolicy(chart, 'Np', { deployment: d, allowFromNamespaces: ['Web'] })).toThrow(
      'NetworkPolicy apps/app: allowFromNamespaces[0] "Web":',
    );
  });
});
