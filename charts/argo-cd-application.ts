/**
 * An Argo CD Application that syncs one rendered environment folder.
 */
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { GITOPS_DEFAULTS } from '../lib/config/schema';
import { ARGOCD_PROJECT_RULE, ARGOCD_REPO_URL_RULE, ARGOCD_SYNC_WAVE_ANNOTATION, DNS1123_LABEL, DNS1123_SUBDOMAIN, GITOPS_PATH_RULE } from '../lib/kubernetes';
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

    this.apiObject = new ApiObject(this, 'Resource', {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: this.name, namespace: this.namespace },
      spec: {
        project,
        source: { repoURL: props.repoURL, path: props.path, targetRevision: props.targetRevision ?? GITOPS_DEFAULTS.argocd.targetRevision },
        destination: { server: props.destinationServer ?? 'https://kubernetes.default.svc' },
        ...((props.automated ?? true) ? { syncPolicy: { automated: { prune: true, selfHeal: true } } } : {}),
      },
    });
  }
}
