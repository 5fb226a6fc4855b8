/**
 * Every Kubernetes object of one environment: Namespaces, and per workload a ServiceAccount, a
 * SecretProviderClass and a Deployment; optionally the GitOps object that syncs them.
 */
import { Chart, type ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import type { Construct } from 'constructs';
import type { EnvironmentModel, WorkloadModel } from '../lib/model';
import type { OutputsContract } from '../lib/outputs/contract';
import { checkOutputsAgainstModel } from '../lib/outputs/load';
import { ARGOCD_SYNC_WAVE_ANNOTATION, podSecurityLabelsFor, SYSTEM_NAMESPACES, weakestLevel, type PodSecurityLevel } from '../lib/kubernetes';
import { ArgoCdApplication } from './argo-cd-application';
import { FluxKustomization } from './flux-kustomization';
import { KeyVaultSecretProviderClass } from './key-vault-secret-provider-class';
import { ReloaderInstallation } from './reloader-installation';
import { csiObjectOf } from './objects-parameter';
import { SecretsStoreDeployment } from './secrets-store-deployment';
import { WorkloadServiceAccount } from './workload-service-account';

/**
 * Argo CD sync waves: the Namespace first, then the ServiceAccount and the SecretProviderClass,
 * then the Deployment, so no pod starts before the class it mounts exists (else `FailedMount
 * ... not found` on first deploy). Within one wave Argo CD orders known kinds before custom
 * resources, which would put the SecretProviderClass after the Deployment.
 */
export const SYNC_WAVES = { namespace: '-2', serviceAccount: '-1', secretProviderClass: '-1', deployment: '0' } as const;

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
  readonly secretProviderClass: KeyVaultSecretProviderClass;
  readonly deployment: SecretsStoreDeployment;
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
  readonly gitops?: ArgoCdApplication | FluxKustomization;
  /** Stakater Reloader's installation through the GitOps tool (`output.reloader`). */
  readonly reloader?: ReloaderInstallation;

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

    // Labelled after the workloads are built: each namespace enforces the level its rendered pods meet.
    const system = SYSTEM_NAMESPACES as readonly string[];
    const namespaceNames = model.config.output.namespaces
      ? [...new Set(model.workloads.map((w) => w.namespace))].filter((n) => !system.includes(n)).sort()
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
      });
    } else if (gitops?.tool === 'flux') {
      this.gitops = new FluxKustomization(this, 'FluxKustomization', {
        name: gitopsName(model.name),
        namespace: gitops.namespace,
        sourceRef: gitops.sourceRef,
        path: props.gitopsPath ?? gitops.path ?? defaultGitopsPath(model.name),
        interval: gitops.interval,
      });
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
    const secretProviderClass = new KeyVaultSecretProviderClass(this, `${w.name}-SecretProviderClass`, {
      name: w.secretProviderClass,
      namespace: w.namespace,
      keyVaultName: outputs.keyVault.name,
      tenantId: outputs.tenantId,
      clientId: out.clientId,
      cloudName: model.csiCloudName,
      objects: w.objects.map(csiObjectOf),
      secretObjects: w.config.secretObjects,
      annotations: wave(SYNC_WAVES.secretProviderClass),
    });
    const deployment = new SecretsStoreDeployment(this, `${w.name}-Deployment`, {
      name: w.deployment,
      serviceAccount,
      secretProviderClass,
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
      annotations: { ...d.annotations, ...wave(SYNC_WAVES.deployment) },
      podAnnotations: d.annotations,
    });
    return { serviceAccount, secretProviderClass, deployment };
  }
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
