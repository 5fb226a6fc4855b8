/**
 * Every Kubernetes object of one environment: Namespaces, and per workload a ServiceAccount, a
 * SecretProviderClass, a Deployment, its NetworkPolicy and (above one replica) its
 * PodDisruptionBudget; optionally the GitOps object that syncs them.
 */
import { Chart, type ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import type { Construct } from 'constructs';
import type { SyncedSecretType } from '../lib/csi-driver';
import { ESO_DECODING_OF_ENCODING, ESO_DEFAULT_REFRESH_INTERVAL } from '../lib/external-secrets';
import type { DeliveredKey, EnvironmentModel, WorkloadModel } from '../lib/model';
import type { OutputsContract, VaultOutputs } from '../lib/outputs/contract';
import { checkOutputsAgainstModel } from '../lib/outputs/load';
import {
  argoCdDestination,
  ARGOCD_SYNC_WAVE_ANNOTATION,
  podSecurityLabelsFor,
  SYSTEM_NAMESPACES,
  weakestLevel,
  type PodSecurityLevel,
} from '../lib/kubernetes';
import { ArgoCdApplication } from './argo-cd-application';
import { FluxKustomization } from './flux-kustomization';
import { KeyVaultSecretProviderClass } from './key-vault-secret-provider-class';
import { ReloaderInstallation } from './reloader-installation';
import { AddOnPodMonitor } from './add-on-pod-monitor';
import { SecretDeliveryPrometheusRule } from './secret-delivery-prometheus-rule';
import { csiObjectOf } from './objects-parameter';
import type { ExternalSecretKey } from './external-secret-data';
import { KeyVaultClusterExternalSecret } from './key-vault-cluster-external-secret';
import { KeyVaultExternalSecret } from './key-vault-external-secret';
import { KeyVaultSecretStore } from './key-vault-secret-store';
import { KeyVaultSecretSync } from './key-vault-secret-sync';
import { SecretsStoreDeployment, type DeliveredSecretVolume } from './secrets-store-deployment';
import { WorkloadDisruptionBudget } from './workload-disruption-budget';
import { WorkloadNetworkPolicy } from './workload-network-policy';
import { WorkloadServiceAccount } from './workload-service-account';

/**
 * Argo CD sync waves: the Namespace first, then the ServiceAccount and the SecretProviderClass,
 * then the Deployment, so no pod starts before the class it mounts exists (else `FailedMount
 * ... not found` on first deploy). Within one wave Argo CD orders known kinds before custom
 * resources, which would put the SecretProviderClass after the Deployment.
 *
 * The engines that write a Secret add a step: stores (SecretStore, ClusterSecretStore) with the
 * ServiceAccounts, then what writes the Secret (SecretSync, ExternalSecret,
 * ClusterExternalSecret), then the Deployment that mounts it (`deliveredDeployment`), so pods
 * never wait on a Secret that nothing has asked for yet. Waves are whole numbers, so that
 * Deployment comes one wave after a CSI one.
 *
 * A workload's NetworkPolicy comes with its ServiceAccount, before any of its pods exists, so no
 * pod ever runs unprotected; its PodDisruptionBudget comes with its Deployment.
 */
export const SYNC_WAVES = {
  namespace: '-2',
  serviceAccount: '-1',
  secretProviderClass: '-1',
  secretStore: '-1',
  networkPolicy: '-1',
  secretWriter: '0',
  deployment: '0',
  deliveredDeployment: '1',
} as const;

/** Name of the GitOps object of an environment. */
export function gitopsName(environment: string): string {
  return `aks-keyvault-csi-${environment}`;
}

/** Default path of the rendered folder in the GitOps repository. */
export function defaultGitopsPath(environment: string): string {
  return `dist/${environment}`;
}

export interface EnvironmentChartProps {
  readonly model: EnvironmentModel;
  /** The validated outputs contract of the same environment (see `loadOutputs`). */
  readonly outputs: OutputsContract;
  /**
   * Path of the rendered folder in the GitOps repository, for the bootstrap object.
   * @default - `output.gitops.path`, else `dist/<env>` (see `gitopsPlacement` in pipeline/gitops-path.ts)
   */
  readonly gitopsPath?: string;
}

/** The objects rendered for one workload. */
export interface WorkloadObjects {
  readonly serviceAccount: WorkloadServiceAccount;
  /** Engines `csi` and `secret-sync`. */
  readonly secretProviderClass?: KeyVaultSecretProviderClass;
  /** One per other vault the workload reads (`objects[].vault`), in `additionalVaults` order (engine `csi`). */
  readonly additionalSecretProviderClasses?: readonly KeyVaultSecretProviderClass[];
  /** Engine `external-secrets`. */
  readonly secretStore?: KeyVaultSecretStore;
  /** Engine `secret-sync`: the delivered Secret's, then one per `secretObjects` entry. */
  readonly secretSyncs?: readonly KeyVaultSecretSync[];
  /** Engine `external-secrets`: the delivered Secret's, then one per `secretObjects` entry. */
  readonly externalSecrets?: readonly KeyVaultExternalSecret[];
  readonly deployment: SecretsStoreDeployment;
  /** Unless `deployment.networkPolicy.enabled` is false. */
  readonly networkPolicy?: WorkloadNetworkPolicy;
  /** When the Deployment has more than one replica. */
  readonly podDisruptionBudget?: WorkloadDisruptionBudget;
}

/** The objects rendered for the shared secrets. */
export interface SharedSecretsObjects {
  /** By namespace. */
  readonly serviceAccounts: ReadonlyMap<string, WorkloadServiceAccount>;
  /** external-secrets */
  readonly clusterSecretStore?: KeyVaultSecretStore;
  readonly clusterExternalSecrets?: readonly KeyVaultClusterExternalSecret[];
  /** secret-sync: by namespace */
  readonly secretProviderClasses?: ReadonlyMap<string, KeyVaultSecretProviderClass>;
  readonly secretSyncs?: readonly KeyVaultSecretSync[];
}

export class EnvironmentChart extends Chart {
  readonly environment: string;
  /**
   * Namespaces rendered, labelled with the Pod Security level their pods meet (none when
   * `output.namespaces` is false; never a system namespace such as `default` or `kube-system`).
   */
  readonly namespaces: readonly kplus.Namespace[];
  /** Rendered objects by workload name. */
  readonly workloads: ReadonlyMap<string, WorkloadObjects>;
  /** The shared secrets' objects, when the environment has shared secrets. */
  readonly sharedSecrets?: SharedSecretsObjects;
  readonly gitops?: ArgoCdApplication | FluxKustomization;
  /** Stakater Reloader's installation through the GitOps tool (`output.reloader`). */
  readonly reloader?: ReloaderInstallation;
  /** `monitoring`: the PodMonitors of the add-on's driver and provider pods, and (Prometheus operator) the alerts. */
  readonly monitoring?: { readonly podMonitors: readonly AddOnPodMonitor[]; readonly prometheusRule?: SecretDeliveryPrometheusRule };

  constructor(scope: Construct, id: string, props: EnvironmentChartProps) {
    // Every object sets metadata.name; no hashes even where cdk8s would pick a name.
    super(scope, id, { disableResourceNameHashes: true });
    const { model, outputs } = props;
    const mismatches = checkOutputsAgainstModel(outputs, model);
    if (mismatches.length > 0) {
      throw new Error(`outputs do not match environment "${model.name}":\n${mismatches.map((m) => `  ${m.path.join('.')}: ${m.message}`).join('\n')}`);
    }
    this.environment = model.name;
    const gitops = model.config.output.gitops;
    const argo = gitops?.tool === 'argocd';
    const wave = (w: string): Record<string, string> | undefined => (argo ? { [ARGOCD_SYNC_WAVE_ANNOTATION]: w } : undefined);

    const workloads = new Map<string, WorkloadObjects>();
    for (const w of model.workloads) {
      workloads.set(w.name, this.addWorkload(w, model, outputs, wave));
    }
    this.workloads = workloads;
    if (model.sharedSecrets !== undefined) this.sharedSecrets = this.addSharedSecrets(model, outputs, wave);

    // Labelled after the workloads are built: each namespace enforces the level its rendered pods meet.
    // The shared secrets' store namespace is ours too; the namespaces they are delivered into are
    // someone else's unless a workload lives there.
    const system = SYSTEM_NAMESPACES as readonly string[];
    const storeNamespaces = model.sharedSecrets?.engine === 'external-secrets' ? model.sharedSecrets.serviceAccountNamespaces : [];
    const namespaceNames = model.config.output.namespaces
      ? [...new Set([...model.workloads.map((w) => w.namespace), ...storeNamespaces])].filter((n) => !system.includes(n)).sort()
      : [];
    this.namespaces = namespaceNames.map(
      (name) =>
        new kplus.Namespace(this, `Namespace-${name}`, {
          metadata: {
            name,
            labels: podSecurityLabels([...workloads.values()].filter((o) => o.deployment.namespace === name).map((o) => o.deployment.podSecurity.level)),
            ...(argo ? { annotations: wave(SYNC_WAVES.namespace) } : {}),
          },
        }),
    );

    if (gitops?.tool === 'argocd') {
      this.gitops = new ArgoCdApplication(this, 'ArgoCdApplication', {
        name: gitopsName(model.name),
        namespace: gitops.namespace,
        project: gitops.project,
        repoURL: gitops.repoURL,
        path: props.gitopsPath ?? gitops.path ?? defaultGitopsPath(model.name),
        targetRevision: gitops.targetRevision,
        ...(gitops.cluster === undefined
          ? {}
          : 'name' in argoCdDestination(gitops.cluster)
            ? { destinationName: gitops.cluster }
            : { destinationServer: gitops.cluster }),
      });
    } else if (gitops?.tool === 'flux') {
      this.gitops = new FluxKustomization(this, 'FluxKustomization', {
        name: gitopsName(model.name),
        namespace: gitops.namespace,
        sourceRef: gitops.sourceRef,
        path: props.gitopsPath ?? gitops.path ?? defaultGitopsPath(model.name),
        interval: gitops.interval,
        ...(gitops.cluster !== undefined ? { kubeConfigSecret: gitops.cluster } : {}),
      });
    }

    const monitoring = model.config.monitoring;
    if (monitoring !== undefined) {
      const labels = monitoring.prometheus === 'operator' ? monitoring.selectorLabels : undefined;
      const podMonitors = (['driver', 'provider'] as const).map(
        (component) =>
          new AddOnPodMonitor(this, `PodMonitor-${component}`, {
            component,
            flavour: monitoring.prometheus,
            interval: monitoring.scrapeInterval,
            ...(labels !== undefined ? { labels } : {}),
          }),
      );
      // Managed Prometheus evaluates the same alerts in Azure (stacks/managed-prometheus.ts).
      this.monitoring = {
        podMonitors,
        ...(monitoring.prometheus === 'operator'
          ? {
              prometheusRule: new SecretDeliveryPrometheusRule(this, 'PrometheusRule', {
                thresholds: { ...monitoring, rotationIntervalSeconds: model.rotationIntervalSeconds },
                ...(labels !== undefined ? { labels } : {}),
              }),
            }
          : {}),
      };
    }

    const reloader = model.config.output.reloader;
    if (reloader !== undefined && gitops !== undefined) {
      this.reloader = new ReloaderInstallation(this, 'Reloader', {
        tool: gitops.tool,
        name: `${gitopsName(model.name)}-reloader`,
        targetNamespace: reloader.namespace,
        chartVersion: reloader.chartVersion,
        namespace: gitops.namespace,
        ...(gitops.tool === 'argocd' ? { project: gitops.project } : { interval: gitops.interval }),
        ...(gitops.cluster !== undefined ? { cluster: gitops.cluster } : {}),
      });
    }
  }

  /**
   * The objects applied once by hand (`kubectl apply -f bootstrap/`), each with its file name
   * under `bootstrap/`: the GitOps object that syncs this folder (it would manage itself if it
   * were in the folder), and what the GitOps tool installs beside it.
   */
  get bootstrapObjects(): readonly { readonly file: string; readonly apiObject: ApiObject }[] {
    const out: { file: string; apiObject: ApiObject }[] = [];
    if (this.gitops !== undefined) {
      out.push({ file: this.gitops instanceof ArgoCdApplication ? 'argocd-application.yaml' : 'flux-kustomization.yaml', apiObject: this.gitops.apiObject });
    }
    out.push(...(this.reloader?.objects ?? []));
    return out;
  }

  private addWorkload(
    w: WorkloadModel,
    model: EnvironmentModel,
    outputs: OutputsContract,
    wave: (w: string) => Record<string, string> | undefined,
  ): WorkloadObjects {
    const out = outputs.workloads[w.name];
    const d = w.config.deployment;
    const serviceAccount = new WorkloadServiceAccount(this, `${w.name}-ServiceAccount`, {
      name: w.serviceAccount,
      namespace: w.namespace,
      clientId: out.clientId,
      annotations: wave(SYNC_WAVES.serviceAccount),
    });
    const engine = w.delivery.engine;
    const secretProviderClass =
      engine === 'external-secrets'
        ? undefined
        : new KeyVaultSecretProviderClass(this, `${w.name}-SecretProviderClass`, {
            name: w.secretProviderClass,
            namespace: w.namespace,
            keyVaultName: outputs.keyVault.name,
            tenantId: outputs.tenantId,
            clientId: out.clientId,
            cloudName: model.csiCloudName,
            objects: w.mainObjects.map(csiObjectOf),
            // With secret-sync the SecretSyncs write the Secrets: the driver's own sync needs a pod mount.
            secretObjects: engine === 'csi' ? w.mainSecretObjects : [],
            annotations: wave(SYNC_WAVES.secretProviderClass),
          });
    const additional = w.additionalMounts.map((m) => ({
      volumeName: m.volumeName,
      mountPath: m.mountPath,
      secretProviderClass: new KeyVaultSecretProviderClass(this, `${w.name}-SecretProviderClass-${m.vault.toLowerCase()}`, {
        name: m.secretProviderClass,
        namespace: w.namespace,
        keyVaultName: additionalVaultOutputs(outputs, m.vault).name,
        tenantId: outputs.tenantId,
        clientId: out.clientId,
        cloudName: model.csiCloudName,
        objects: m.objects.map(csiObjectOf),
        secretObjects: m.secretObjects,
        annotations: wave(SYNC_WAVES.secretProviderClass),
      }),
    }));
    const writers = this.addSecretWriters(w, { model, outputs, serviceAccount, secretProviderClass, wave });
    const delivered = writers.delivered;
    const deploymentWave = engine === 'csi' ? SYNC_WAVES.deployment : SYNC_WAVES.deliveredDeployment;
    const deployment = new SecretsStoreDeployment(this, `${w.name}-Deployment`, {
      name: w.deployment,
      serviceAccount,
      ...(secretProviderClass !== undefined && engine === 'csi' ? { secretProviderClass } : {}),
      ...(delivered !== undefined ? { deliveredSecret: delivered } : {}),
      ...(additional.length > 0 ? { additionalSecretProviderClasses: additional } : {}),
      image: d.image,
      command: d.command,
      args: d.args,
      ports: d.ports,
      env: d.env,
      envFromSyncedSecret: d.envFromSyncedSecret,
      replicas: d.replicas,
      mountPath: d.mountPath,
      subPath: d.subPath,
      workloadIdentityLabel: d.workloadIdentityLabel,
      reloaderAnnotation: w.restartOnRotation,
      resources: d.resources,
      securityContext: d.securityContext,
      labels: d.labels,
      annotations: { ...d.annotations, ...wave(deploymentWave) },
      podAnnotations: d.annotations,
      ...(d.livenessProbe !== undefined ? { livenessProbe: d.livenessProbe } : {}),
      ...(d.readinessProbe !== undefined ? { readinessProbe: d.readinessProbe } : {}),
      spreadAcrossZones: d.spreadAcrossZones,
    });
    const networkPolicy = d.networkPolicy.enabled
      ? new WorkloadNetworkPolicy(this, `${w.name}-NetworkPolicy`, {
          deployment,
          allowFromNamespaces: d.networkPolicy.allowFromNamespaces,
          allowFromPodLabels: d.networkPolicy.allowFromPodLabels,
          annotations: wave(SYNC_WAVES.networkPolicy),
        })
      : undefined;
    const podDisruptionBudget = WorkloadDisruptionBudget.appliesTo(deployment)
      ? new WorkloadDisruptionBudget(this, `${w.name}-PodDisruptionBudget`, {
          deployment,
          maxUnavailable: d.podDisruptionBudget.maxUnavailable,
          annotations: wave(deploymentWave),
        })
      : undefined;
    return {
      serviceAccount,
      ...(secretProviderClass !== undefined ? { secretProviderClass } : {}),
      ...(additional.length > 0 ? { additionalSecretProviderClasses: additional.map((m) => m.secretProviderClass) } : {}),
      ...(writers.secretStore !== undefined ? { secretStore: writers.secretStore } : {}),
      ...(writers.secretSyncs !== undefined ? { secretSyncs: writers.secretSyncs } : {}),
      ...(writers.externalSecrets !== undefined ? { externalSecrets: writers.externalSecrets } : {}),
      deployment,
      ...(networkPolicy !== undefined ? { networkPolicy } : {}),
      ...(podDisruptionBudget !== undefined ? { podDisruptionBudget } : {}),
    };
  }

  /**
   * What writes the workload's Secrets when its engine is not the CSI mount: one SecretSync or
   * ExternalSecret for the Secret holding every object (mounted by the Deployment), and one per
   * `secretObjects` entry.
   */
  private addSecretWriters(
    w: WorkloadModel,
    ctx: {
      model: EnvironmentModel;
      outputs: OutputsContract;
      serviceAccount: WorkloadServiceAccount;
      secretProviderClass: KeyVaultSecretProviderClass | undefined;
      wave: (w: string) => Record<string, string> | undefined;
    },
  ): { delivered?: DeliveredSecretVolume; secretStore?: KeyVaultSecretStore; secretSyncs?: KeyVaultSecretSync[]; externalSecrets?: KeyVaultExternalSecret[] } {
    const main = w.deliveredSecret;
    if (main === undefined) return {};
    const secrets = [
      { secretName: main.name, type: 'Opaque' as const, data: main.keys.map((k) => ({ objectName: k.key, key: k.key })) },
      ...w.config.secretObjects.map((x) => ({
        secretName: x.secretName,
        type: x.type,
        data: x.data,
        ...(x.labels !== undefined ? { labels: x.labels } : {}),
        ...(x.annotations !== undefined ? { annotations: x.annotations } : {}),
      })),
    ];
    const delivered: DeliveredSecretVolume = {
      secretName: main.name,
      namespace: w.namespace,
      keys: main.keys.map((k) => ({ key: k.key, ...(k.object.config.filePermission !== undefined ? { filePermission: k.object.config.filePermission } : {}) })),
      syncedSecrets: new Map(secrets.map((x) => [x.secretName, new Set(x.data.map((d) => d.key))])),
    };
    const annotations = ctx.wave(SYNC_WAVES.secretWriter);
    if (w.delivery.engine === 'secret-sync') {
      const spc = ctx.secretProviderClass!;
      const secretSyncs = secrets.map(
        (x) =>
          new KeyVaultSecretSync(this, `${w.name}-SecretSync-${x.secretName}`, {
            secretName: x.secretName,
            serviceAccount: ctx.serviceAccount,
            secretProviderClass: spc,
            type: x.type,
            data: x.data.map((d) => ({ sourcePath: d.objectName, targetKey: d.key })),
            ...('labels' in x ? { secretLabels: x.labels } : {}),
            ...('annotations' in x ? { secretAnnotations: x.annotations } : {}),
            ...(annotations ? { annotations } : {}),
          }),
      );
      return { delivered, secretSyncs };
    }
    const refreshInterval = w.delivery.engine === 'external-secrets' ? w.delivery.refreshInterval : ESO_DEFAULT_REFRESH_INTERVAL;
    const secretStore = new KeyVaultSecretStore(this, `${w.name}-SecretStore`, {
      name: w.secretStore!,
      serviceAccount: ctx.serviceAccount,
      vaultUri: ctx.outputs.keyVault.uri,
      tenantId: ctx.outputs.tenantId,
      cloudName: ctx.model.csiCloudName,
      annotations: ctx.wave(SYNC_WAVES.secretStore),
    });
    const byKey = new Map(main.keys.map((k) => [k.key, k]));
    const externalSecrets = secrets.map(
      (x) =>
        new KeyVaultExternalSecret(this, `${w.name}-ExternalSecret-${x.secretName}`, {
          secretName: x.secretName,
          namespace: w.namespace,
          store: secretStore,
          type: x.type,
          refreshInterval,
          keys: x.data.map((d) => externalSecretKeyOf(d.key, byKey.get(d.objectName)!)),
          ...('labels' in x ? { secretLabels: x.labels } : {}),
          ...('annotations' in x ? { secretAnnotations: x.annotations } : {}),
          ...(annotations ? { annotations } : {}),
        }),
    );
    return { delivered, secretStore, externalSecrets };
  }

  /** The shared secrets: a ClusterSecretStore and ClusterExternalSecrets, or per namespace a ServiceAccount, a SecretProviderClass and SecretSyncs. */
  private addSharedSecrets(model: EnvironmentModel, outputs: OutputsContract, wave: (w: string) => Record<string, string> | undefined): SharedSecretsObjects {
    const shared = model.sharedSecrets!;
    const out = outputs.sharedSecrets!;
    const serviceAccounts = new Map(
      shared.serviceAccountNamespaces.map((ns) => [
        ns,
        new WorkloadServiceAccount(this, `shared-secrets-ServiceAccount-${ns}`, {
          name: shared.serviceAccount,
          namespace: ns,
          clientId: out.clientId,
          annotations: wave(SYNC_WAVES.serviceAccount),
        }),
      ]),
    );
    if (shared.engine === 'external-secrets') {
      const config = shared.config.engine === 'external-secrets' ? shared.config : undefined;
      const clusterSecretStore = new KeyVaultSecretStore(this, 'shared-secrets-ClusterSecretStore', {
        name: shared.clusterSecretStore,
        serviceAccount: serviceAccounts.get(shared.serviceAccountNamespaces[0])!,
        vaultUri: outputs.keyVault.uri,
        tenantId: outputs.tenantId,
        cloudName: model.csiCloudName,
        clusterWide: { namespaces: shared.namespaces },
        annotations: wave(SYNC_WAVES.secretStore),
      });
      const clusterExternalSecrets = shared.secrets.map(
        (x) =>
          new KeyVaultClusterExternalSecret(this, `shared-secrets-ClusterExternalSecret-${x.name}`, {
            name: x.clusterExternalSecret,
            secretName: x.name,
            type: x.type as SyncedSecretType,
            namespaces: x.namespaces,
            store: clusterSecretStore,
            refreshInterval: config?.refreshInterval ?? ESO_DEFAULT_REFRESH_INTERVAL,
            keys: x.keys.map((k) => externalSecretKeyOf(k.key, k)),
            annotations: wave(SYNC_WAVES.secretWriter),
          }),
      );
      return { serviceAccounts, clusterSecretStore, clusterExternalSecrets };
    }
    const secretProviderClasses = new Map<string, KeyVaultSecretProviderClass>();
    const secretSyncs: KeyVaultSecretSync[] = [];
    for (const ns of shared.namespaces) {
      const here = shared.secrets.filter((x) => x.namespaces.includes(ns));
      const objects = uniqueBy(
        here.flatMap((x) => x.keys.map((k) => k.object)),
        (o) => o.fileName,
      );
      const spc = new KeyVaultSecretProviderClass(this, `shared-secrets-SecretProviderClass-${ns}`, {
        name: shared.secretProviderClass,
        namespace: ns,
        keyVaultName: outputs.keyVault.name,
        tenantId: outputs.tenantId,
        clientId: out.clientId,
        cloudName: model.csiCloudName,
        objects: objects.map(csiObjectOf),
        annotations: wave(SYNC_WAVES.secretProviderClass),
      });
      secretProviderClasses.set(ns, spc);
      for (const x of here) {
        secretSyncs.push(
          new KeyVaultSecretSync(this, `shared-secrets-SecretSync-${ns}-${x.name}`, {
            secretName: x.name,
            serviceAccount: serviceAccounts.get(ns)!,
            secretProviderClass: spc,
            type: x.type as SyncedSecretType,
            data: x.keys.map((k) => ({ sourcePath: k.object.fileName, targetKey: k.key })),
            ...(wave(SYNC_WAVES.secretWriter) ? { annotations: wave(SYNC_WAVES.secretWriter) } : {}),
          }),
        );
      }
    }
    return { serviceAccounts, secretProviderClasses, secretSyncs };
  }
}

/**
 * The outputs of one of `additionalVaults`: the chart reads vault names from the contract only.
 * `checkOutputsAgainstModel` has already refused outputs without it.
 */
function additionalVaultOutputs(outputs: OutputsContract, vault: string): VaultOutputs {
  const found = (outputs.additionalVaults ?? []).find((v) => v.name.toLowerCase() === vault.toLowerCase());
  if (found === undefined)
    throw new Error(`outputs have no additionalVaults entry for vault "${vault}" (checkOutputsAgainstModel should have refused them; a bug)`);
  return found;
}

/** One key of an ExternalSecret from a delivered key of the model: the object, its JSON property, version and encoding. */
function externalSecretKeyOf(secretKey: string, k: DeliveredKey): ExternalSecretKey {
  const c = k.object.config;
  const decoding = c.encoding === 'base64' ? ESO_DECODING_OF_ENCODING.base64 : undefined;
  return {
    secretKey,
    objectType: k.object.type,
    objectName: k.object.name,
    ...(k.property !== undefined ? { property: k.property } : {}),
    ...(c.version !== undefined ? { version: c.version } : {}),
    ...(decoding !== undefined ? { decodingStrategy: decoding as 'Base64' } : {}),
  };
}

function uniqueBy<T>(items: readonly T[], key: (item: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const k = key(item);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/**
 * Pod Security Admission labels for a namespace we render: enforce the weakest level its pods meet
 * (`restricted` with the default settings), so no namespace is labelled with a level its pods
 * fail, and keep warning and auditing at `restricted` so a relaxation stays visible.
 * @see https://kubernetes.io/docs/concepts/security/pod-security-standards/
 */
export function podSecurityLabels(levels: readonly PodSecurityLevel[]): Record<string, string> {
  return podSecurityLabelsFor(weakestLevel(levels));
}
