/**
 * An Argo CD Application that syncs one rendered environment folder.
 */
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { GITOPS_DEFAULTS } from '../lib/config/schema';
import {
  ARGOCD_CLUSTER_RULE,
  ARGOCD_IN_CLUSTER_SERVER,
  ARGOCD_PROJECT_RULE,
  ARGOCD_REPO_URL_RULE,
  ARGOCD_SYNC_WAVE_ANNOTATION,
  DNS1123_LABEL,
  DNS1123_SUBDOMAIN,
  GITOPS_PATH_RULE,
} from '../lib/kubernetes';
import { constructError } from './construct-error';

export { ARGOCD_SYNC_WAVE_ANNOTATION };

export interface ArgoCdApplicationProps {
  /** Application name. */
  readonly name: string;
  /** Namespace Argo CD watches for Applications. @default - `GITOPS_DEFAULTS.argocd.namespace`, the environment schema's default */
  readonly namespace?: string;
  /** Argo CD AppProject. @default - `GITOPS_DEFAULTS.argocd.project`, the environment schema's default */
  readonly project?: string;
  /** Git repository holding the rendered folder. */
  readonly repoURL: string;
  /** Path of the rendered folder inside the repository. */
  readonly path: string;
  /** @default - `GITOPS_DEFAULTS.argocd.targetRevision`, the environment schema's default */
  readonly targetRevision?: string;
  /**
   * Cluster to deploy to.
   * @default https://kubernetes.default.svc - the cluster Argo CD runs in
   */
  readonly destinationServer?: string;
  /**
   * Cluster to deploy to, by its name in Argo CD (instead of `destinationServer`).
   * @default - none: `destinationServer`
   */
  readonly destinationName?: string;
  /**
   * Sync automatically, pruning removed objects and reverting drift.
   * @default true
   * @see https://argo-cd.readthedocs.io/en/stable/user-guide/auto_sync/
   */
  readonly automated?: boolean;
}

/**
 * `argoproj.io/v1alpha1` Application. The objects it syncs carry sync-wave annotations, so the
 * SecretProviderClass exists before the pods that mount it.
 * @see https://argo-cd.readthedocs.io/en/stable/operator-manual/declarative-setup/#applications
 */
export class ArgoCdApplication extends Construct {
  readonly name: string;
  readonly namespace: string;
  readonly apiObject: ApiObject;

  constructor(scope: Construct, id: string, props: ArgoCdApplicationProps) {
    super(scope, id);
    this.name = props.name;
    this.namespace = props.namespace ?? GITOPS_DEFAULTS.argocd.namespace;
    const subject = `Application ${this.namespace}/${this.name}`;
    if (!DNS1123_SUBDOMAIN.test(this.name)) throw constructError(subject, 'name', this.name, 'use a DNS-1123 name');
    if (!DNS1123_LABEL.test(this.namespace)) throw constructError(subject, 'namespace', this.namespace, 'use a DNS-1123 label');
    if (!ARGOCD_REPO_URL_RULE.test(props.repoURL)) throw constructError(subject, 'repoURL', props.repoURL, ARGOCD_REPO_URL_RULE.fix);
    if (!GITOPS_PATH_RULE.test(props.path)) throw constructError(subject, 'path', props.path, GITOPS_PATH_RULE.fix);
    const project = props.project ?? GITOPS_DEFAULTS.argocd.project;
    if (!ARGOCD_PROJECT_RULE.test(project)) throw constructError(subject, 'project', project, ARGOCD_PROJECT_RULE.fix);

    if (props.destinationServer !== undefined && props.destinationName !== undefined) {
      throw constructError(subject, 'destinationName', props.destinationName, 'set destinationServer or destinationName, not both (Argo CD refuses both)');
    }
    for (const cluster of [props.destinationServer, props.destinationName]) {
      if (cluster !== undefined && !ARGOCD_CLUSTER_RULE.test(cluster)) throw constructError(subject, 'destination', cluster, ARGOCD_CLUSTER_RULE.fix);
    }

    this.apiObject = new ApiObject(this, 'Resource', {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: this.name, namespace: this.namespace },
      spec: argoCdApplicationSpec({
        project,
        repoURL: props.repoURL,
        path: props.path,
        targetRevision: props.targetRevision ?? GITOPS_DEFAULTS.argocd.targetRevision,
        destination: props.destinationName !== undefined ? { name: props.destinationName } : { server: props.destinationServer ?? ARGOCD_IN_CLUSTER_SERVER },
        automated: props.automated ?? true,
      }),
    });
  }
}

/** What `argoCdApplicationSpec` is built from: resolved values, or template placeholders (the ApplicationSet's). */
export interface ArgoCdApplicationSpecValues {
  readonly project: string;
  readonly repoURL: string;
  readonly path: string;
  readonly targetRevision: string;
  readonly destination: { readonly server?: string; readonly name?: string };
  readonly automated: boolean;
}

/**
 * The `spec` of the Application that syncs one rendered folder: the one place it is written, so
 * the per-environment Application and the fleet's ApplicationSet template cannot drift apart.
 */
export function argoCdApplicationSpec(v: ArgoCdApplicationSpecValues): Record<string, unknown> {
  return {
    project: v.project,
    source: { repoURL: v.repoURL, path: v.path, targetRevision: v.targetRevision },
    destination: { ...v.destination },
    ...(v.automated ? { syncPolicy: { automated: { prune: true, selfHeal: true } } } : {}),
  };
}
