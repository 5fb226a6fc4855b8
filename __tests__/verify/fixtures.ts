/**
 * Fixtures shaped exactly like the API objects `@kubernetes/client-node` returns (timestamps as
 * Date, as its deserializer produces), the custom resources the driver writes, and Key Vault
 * SecretProperties. Values are illustrative, not captured from a live cluster.
 */
import { parseEnvironment } from '../../lib/config/load';
import { deriveEnvironment, type EnvironmentModel } from '../../lib/model';
import type { OutputsContract } from '../../lib/outputs/contract';
import type { CoreV1Event, SecretProperties, V1DaemonSet, V1Deployment, V1Namespace, V1Pod, V1PodCondition, V1ServiceAccount } from '../../verify/api-types';
import type { SecretProviderClass, SecretProviderClassPodStatus } from '../../verify/types';

export const ENV_YAML = `
azure:
  location: westeurope
  resourceGroup:
    name: rg-test
cluster:
  name: aks-test
  secretsProvider:
    rotation:
      enabled: true
      interval: 2m
keyVault:
  name: kv-test-example
workloads:
  - name: demo-app
    namespace: demo
    objects:
      - name: DB-Password
        type: secret
        alias: DB_PASSWORD
      - name: web-tls
        type: cert
    deployment:
      image: example.azurecr.io/demo:1.0.0
      replicas: 2
`;

export function model(yaml = ENV_YAML, name = 'test'): EnvironmentModel {
  return deriveEnvironment(name, `environments/${name}.yaml`, parseEnvironment(yaml, `environments/${name}.yaml`));
}

export const CLIENT_ID = '00000000-0000-0000-0000-00000000d001';
export const TENANT_ID = '00000000-0000-0000-0000-00000000aaaa';
export const ISSUER = 'https://westeurope.oic.prod-aks.azure.com/00000000-0000-0000-0000-000000000000/11111111-1111-1111-1111-111111111111/';

export function outputs(env = 'test'): OutputsContract {
  return {
    contractVersion: 1,
    environment: env,
    tenantId: TENANT_ID,
    cloudName: 'AzurePublicCloud',
    keyVault: { name: 'kv-test-example', uri: 'https://kv-test-example.vault.azure.net/' },
    oidcIssuerUrl: ISSUER,
    workloads: { 'demo-app': { clientId: CLIENT_ID, identityName: `id-${env}-demo-app`, namespace: 'demo', serviceAccount: 'demo-app' } },
  };
}

/**
 * Types a fixture as its subset in verify/api-types.ts without dropping the fields verify/ does
 * not read, so fixtures stay shaped like the whole object client-node returns. The compiler checks
 * the fields api-types.ts declares; the others (status counters, event source, Key Vault dates,
 * ...) are not type-checked: keep their names and value types exactly as client-node has them.
 */
const shaped =
  <T>() =>
  <U extends T>(object: U): T =>
    object;

export const T0 = new Date('2026-03-01T10:00:00Z');
export const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

/** The AKS add-on's driver DaemonSet, as `kubectl get ds -n kube-system aks-secrets-store-csi-driver -o yaml` shows it. */
export function driverDaemonSet(
  over: {
    name?: string;
    image?: string;
    args?: string[];
    desired?: number;
    ready?: number;
    updated?: number;
    unavailable?: number;
    labels?: Record<string, string>;
    env?: Array<{ name: string; value: string }>;
  } = {},
): V1DaemonSet {
  const desired = over.desired ?? 3;
  const ready = over.ready ?? desired;
  return shaped<V1DaemonSet>()({
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: {
      name: over.name ?? 'aks-secrets-store-csi-driver',
      namespace: 'kube-system',
      labels: over.labels ?? { app: 'secrets-store-csi-driver', 'kubernetes.azure.com/managedby': 'aks' },
      creationTimestamp: T0,
    },
    spec: {
      selector: { matchLabels: { app: 'secrets-store-csi-driver' } },
      template: {
        metadata: { labels: { app: 'secrets-store-csi-driver' } },
        spec: {
          containers: [
            {
              name: 'node-driver-registrar',
              image: 'mcr.microsoft.com/oss/kubernetes-csi/csi-node-driver-registrar:v2.13.0',
              args: ['--v=2', '--csi-address=/csi/csi.sock'],
            },
            {
              name: 'secrets-store',
              image: over.image ?? 'mcr.microsoft.com/oss/v2/kubernetes-csi/secrets-store/driver:v1.5.3',
              args: over.args ?? [
                '--endpoint=$(CSI_ENDPOINT)',
                '--nodeid=$(KUBE_NODE_NAME)',
                '--provider-volume=/var/run/secrets-store-csi-providers',
                '--enable-secret-rotation=true',
                '--rotation-poll-interval=2m',
                '--metrics-addr=:8095',
              ],
              env: over.env ?? [{ name: 'CSI_ENDPOINT', value: 'unix:///csi/csi.sock' }],
            },
            { name: 'liveness-probe', image: 'mcr.microsoft.com/oss/kubernetes-csi/livenessprobe:v2.15.0', args: ['--csi-address=/csi/csi.sock'] },
          ],
        },
      },
    },
    status: {
      currentNumberScheduled: desired,
      desiredNumberScheduled: desired,
      numberMisscheduled: 0,
      numberReady: ready,
      numberAvailable: ready,
      ...(ready < desired ? { numberUnavailable: desired - ready } : {}),
      ...(over.unavailable !== undefined ? { numberUnavailable: over.unavailable } : {}),
      updatedNumberScheduled: over.updated ?? desired,
      observedGeneration: 4,
    },
  });
}

export function providerDaemonSet(over: { name?: string; desired?: number; ready?: number; labels?: Record<string, string> } = {}): V1DaemonSet {
  const desired = over.desired ?? 3;
  const ready = over.ready ?? desired;
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: {
      name: over.name ?? 'aks-secrets-store-provider-azure',
      namespace: 'kube-system',
      labels: over.labels ?? { app: 'secrets-store-provider-azure' },
    },
    spec: {
      selector: { matchLabels: { app: 'secrets-store-provider-azure' } },
      template: {
        metadata: { labels: { app: 'secrets-store-provider-azure' } },
        spec: {
          containers: [
            {
              name: 'provider-azure-installer',
              image: 'mcr.microsoft.com/oss/azure/secrets-store/provider-azure:v1.7.0',
              args: ['--endpoint=unix:///provider/azure.sock'],
            },
          ],
        },
      },
    },
    status: {
      currentNumberScheduled: desired,
      desiredNumberScheduled: desired,
      numberMisscheduled: 0,
      numberReady: ready,
      numberAvailable: ready,
      updatedNumberScheduled: desired,
    },
  };
}

export function windowsVariant(ds: V1DaemonSet): V1DaemonSet {
  return {
    ...ds,
    metadata: { ...ds.metadata, name: `${ds.metadata!.name}-windows` },
    status: { currentNumberScheduled: 0, desiredNumberScheduled: 0, numberMisscheduled: 0, numberReady: 0, updatedNumberScheduled: 0 },
  };
}

export function namespace(name = 'demo', phase = 'Active'): V1Namespace {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'kubernetes.io/metadata.name': name } }, status: { phase } };
}

/** `null`: without the client-id annotation. */
export function serviceAccount(clientId: string | null = CLIENT_ID): V1ServiceAccount {
  return {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: 'demo-app', namespace: 'demo', ...(clientId !== null ? { annotations: { 'azure.workload.identity/client-id': clientId } } : {}) },
  };
}

const POD_LABELS = { 'app.kubernetes.io/name': 'demo-app' };

function podSpec(over: { serviceAccountName?: string; readOnly?: boolean; spc?: string; subPath?: string } = {}) {
  return {
    serviceAccountName: over.serviceAccountName ?? 'demo-app',
    containers: [
      {
        name: 'demo-app',
        image: 'example.azurecr.io/demo:1.0.0',
        volumeMounts: [{ name: 'secrets-store', mountPath: '/mnt/secrets-store', readOnly: true, ...(over.subPath ? { subPath: over.subPath } : {}) }],
      },
    ],
    volumes: [
      {
        name: 'secrets-store',
        csi: {
          driver: 'secrets-store.csi.k8s.io',
          ...(over.readOnly === false ? { readOnly: false } : { readOnly: true }),
          volumeAttributes: { secretProviderClass: over.spc ?? 'demo-app-keyvault' },
        },
      },
    ],
  };
}

export function deployment(
  over: {
    replicas?: number;
    ready?: number;
    available?: boolean;
    progressDeadline?: boolean;
    serviceAccountName?: string;
    readOnly?: boolean;
    spc?: string;
    subPath?: string;
  } = {},
): V1Deployment {
  const replicas = over.replicas ?? 2;
  const ready = over.ready ?? replicas;
  const available = over.available ?? ready >= replicas;
  return shaped<V1Deployment>()({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'demo-app', namespace: 'demo', generation: 3 },
    spec: {
      replicas,
      selector: { matchLabels: POD_LABELS },
      template: { metadata: { labels: POD_LABELS }, spec: podSpec(over) },
    },
    status: {
      observedGeneration: 3,
      replicas,
      readyReplicas: ready,
      availableReplicas: ready,
      updatedReplicas: replicas,
      conditions: [
        {
          type: 'Available',
          status: available ? 'True' : 'False',
          reason: available ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable',
          message: available ? 'Deployment has minimum availability.' : 'Deployment does not have minimum availability.',
        },
        over.progressDeadline
          ? { type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: 'ReplicaSet "demo-app-7c9d8f6b5" has timed out progressing.' }
          : { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', message: 'ReplicaSet "demo-app-7c9d8f6b5" has successfully progressed.' },
      ],
    },
  });
}

export type PodState = 'ready' | 'creating' | 'crashloop' | 'running-unready' | 'pending';

export function pod(name: string, state: PodState = 'ready', over: { deleting?: boolean; labels?: Record<string, string>; readyAt?: Date } = {}): V1Pod {
  const base: V1Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'demo',
      labels: over.labels ?? { ...POD_LABELS, 'pod-template-hash': '7c9d8f6b5' },
      ...(over.deleting ? { deletionTimestamp: at(30) } : {}),
    },
    spec: podSpec(),
  };
  const cond = (ready: boolean) => [
    { type: 'PodScheduled', status: 'True' },
    { type: 'Initialized', status: 'True' },
    { type: 'ContainersReady', status: ready ? 'True' : 'False' },
    { type: 'Ready', status: ready ? 'True' : 'False', ...(over.readyAt ? { lastTransitionTime: over.readyAt } : {}) },
  ];
  const cs = (state: NonNullable<V1Pod['status']>['containerStatuses']) => state;
  switch (state) {
    case 'ready':
      return {
        ...base,
        status: {
          phase: 'Running',
          conditions: cond(true),
          containerStatuses: cs([{ name: 'demo-app', image: 'x', imageID: 'x', ready: true, restartCount: 0, state: { running: { startedAt: T0 } } }]),
        },
      };
    case 'creating':
      return {
        ...base,
        status: {
          phase: 'Pending',
          conditions: cond(false),
          containerStatuses: cs([
            { name: 'demo-app', image: 'x', imageID: '', ready: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } },
          ]),
        },
      };
    case 'crashloop':
      return {
        ...base,
        status: {
          phase: 'Running',
          conditions: cond(false),
          containerStatuses: cs([
            {
              name: 'demo-app',
              image: 'x',
              imageID: 'x',
              ready: false,
              restartCount: 7,
              state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 5m0s restarting failed container=demo-app' } },
            },
          ]),
        },
      };
    case 'running-unready':
      return {
        ...base,
        status: {
          phase: 'Running',
          conditions: cond(false),
          containerStatuses: cs([{ name: 'demo-app', image: 'x', imageID: 'x', ready: false, restartCount: 0, state: { running: { startedAt: T0 } } }]),
        },
      };
    case 'pending':
      return {
        ...base,
        status: { phase: 'Pending', conditions: shaped<V1PodCondition[]>()([{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }]) },
      };
  }
}

export const V1 = '0a1b2c3d4e5f60718293a4b5c6d7e8f9';
export const V2 = 'f9e8d7c6b5a4938271605f4e3d2c1b0a';
export const CERT_V = '1111aaaa2222bbbb3333cccc4444dddd';

/** What the driver writes for one pod mount: `<pod>-<namespace>-<spc>`. */
export function podStatus(
  podName: string,
  over: { mounted?: boolean; objects?: Array<{ id: string; version: string }>; spc?: string } = {},
): SecretProviderClassPodStatus {
  const spc = over.spc ?? 'demo-app-keyvault';
  return {
    apiVersion: 'secrets-store.csi.x-k8s.io/v1',
    kind: 'SecretProviderClassPodStatus',
    metadata: {
      name: `${podName}-demo-${spc}`,
      namespace: 'demo',
      labels: { 'internal.secrets-store.csi.k8s.io/node-name': 'aks-nodepool1-12345678-vmss000000' },
    },
    status: {
      mounted: over.mounted ?? true,
      podName,
      secretProviderClassName: spc,
      targetPath: `/var/lib/kubelet/pods/3f1c/volumes/kubernetes.io~csi/secrets-store/mount`,
      objects: over.objects ?? [
        { id: 'secret/DB-Password', version: V1 },
        { id: 'cert/web-tls', version: CERT_V },
      ],
    },
  };
}

export function event(over: {
  pod: string;
  reason?: string;
  message: string;
  seconds?: number;
  count?: number;
  type?: string;
  namespace?: string;
}): CoreV1Event {
  const when = at(over.seconds ?? 0);
  return shaped<CoreV1Event>()({
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: `${over.pod}.17a2b3c4d5e6f708`, namespace: over.namespace ?? 'demo', creationTimestamp: when },
    involvedObject: { kind: 'Pod', name: over.pod, namespace: over.namespace ?? 'demo', apiVersion: 'v1', uid: '3f1c' },
    reason: over.reason ?? 'FailedMount',
    message: over.message,
    type: over.type ?? 'Warning',
    source: { component: 'kubelet', host: 'aks-nodepool1-12345678-vmss000000' },
    firstTimestamp: when,
    lastTimestamp: when,
    count: over.count ?? 1,
    reportingComponent: 'kubelet',
    reportingInstance: 'aks-nodepool1-12345678-vmss000000',
  });
}

/** The prefix the kubelet and driver put in front of every provider error. */
export const MOUNT_PREFIX =
  'MountVolume.SetUp failed for volume "secrets-store" : rpc error: code = Unknown desc = failed to mount secrets store objects for pod demo/demo-app-7c9d8f6b5-x2k4p, err: rpc error: code = Unknown desc = failed to mount objects, error: failed to get objectType:secret, objectName:DB-Password, objectVersion:: ';

export function secretProperties(over: Partial<SecretProperties> = {}): SecretProperties {
  return shaped<SecretProperties>()({
    vaultUrl: 'https://kv-test-example.vault.azure.net',
    name: 'DB-Password',
    version: V2,
    id: `https://kv-test-example.vault.azure.net/secrets/DB-Password/${V2}`,
    enabled: true,
    createdOn: at(0),
    updatedOn: at(0),
    recoverableDays: 90,
    recoveryLevel: 'Recoverable',
    tags: { 'aks-keyvault-csi-rotation-test': 'true' },
    ...over,
  });
}

/** A live SecretProviderClass as the API returns it (server-set metadata included). */
export function liveSpc(rendered: SecretProviderClass, patch: (spec: Record<string, unknown>) => void = () => {}): SecretProviderClass {
  const copy = JSON.parse(JSON.stringify(rendered)) as { metadata: Record<string, unknown>; spec: Record<string, unknown> };
  copy.metadata = { ...copy.metadata, uid: '9b2e', resourceVersion: '123456', generation: 1, creationTimestamp: '2026-03-01T09:00:00Z' };
  patch(copy.spec);
  return copy;
}

/**
 * Stakater Reloader's Deployment as chart `reloader` 2.2.16 renders it (release `reloader` in
 * namespace `reloader`; `reloader.enableCSIIntegration: true` adds the flag), as
 * `kubectl get deploy -n reloader reloader-reloader -o yaml` shows it.
 * @see stakater/Reloader deployments/kubernetes/chart/reloader/templates/deployment.yaml, templates/_helpers.tpl (reloader-labels.chart)
 */
export function reloaderDeployment(
  over: { args?: string[]; ready?: number; labels?: Record<string, string>; image?: string; name?: string; namespace?: string } = {},
): V1Deployment {
  const labels = over.labels ?? {
    app: 'reloader-reloader',
    release: 'reloader',
    'app.kubernetes.io/name': 'reloader',
    'app.kubernetes.io/instance': 'reloader',
    'app.kubernetes.io/version': 'v1.4.21',
  };
  const ready = over.ready ?? 1;
  return shaped<V1Deployment>()({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: over.name ?? 'reloader-reloader', namespace: over.namespace ?? 'reloader', labels, generation: 1 },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: 'reloader-reloader', release: 'reloader' } },
      template: {
        metadata: { labels },
        spec: {
          serviceAccountName: 'reloader-reloader',
          containers: [
            {
              name: 'reloader-reloader',
              image: over.image ?? 'ghcr.io/stakater/reloader:v1.4.21',
              args: over.args ?? ['--enable-csi-integration=true'],
            },
          ],
        },
      },
    },
    status: { observedGeneration: 1, replicas: 1, readyReplicas: ready, availableReplicas: ready, updatedReplicas: 1 },
  });
}

/** ENV_YAML with `monitoring` on the Prometheus operator. */
export const MONITORED_ENV_YAML = `${ENV_YAML}monitoring:\n  prometheus: operator\n`;

/** A running pod of the add-on in kube-system, labelled `app=<appLabel>`, declaring `port` (or no port). */
export function addonPod(name: string, appLabel: string, port?: number, phase = 'Running'): V1Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'kube-system', labels: { app: appLabel } },
    spec: { containers: [{ name: 'main', ...(port !== undefined ? { ports: [{ containerPort: port, name: 'metrics' }] } : {}) }] },
    status: { phase },
  };
}
