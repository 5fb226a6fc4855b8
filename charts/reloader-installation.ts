/**
 * Stakater Reloader installed through GitOps, with its CSI integration on: the objects that make
 * Argo CD or Flux install the upstream Helm chart, pinned.
 */
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { GITOPS_DEFAULTS, RELOADER_DEFAULTS } from '../lib/config/schema';
import {
  argoCdDestination,
  ARGOCD_CLUSTER_RULE,
  ARGOCD_PROJECT_RULE,
  DNS1123_LABEL,
  DNS1123_SUBDOMAIN,
  DNS1123_SUBDOMAIN_RULE,
  FLUX_DURATION_RULE,
  HELM_CHART_VERSION_RULE,
  RELOADER_CHART,
} from '../lib/kubernetes';
import { constructError } from './construct-error';

export interface ReloaderInstallationProps {
  /** The GitOps tool that installs the chart: an Argo CD Application, or a Flux HelmRepository and HelmRelease. */
  readonly tool: 'argocd' | 'flux';
  /** Name of the Application (Argo CD) or HelmRelease (Flux). */
  readonly name: string;
  /** Namespace Reloader runs in; the GitOps tool creates it. @default - `RELOADER_DEFAULTS.namespace`, the environment schema's default */
  readonly targetNamespace?: string;
  /** Exact version of the upstream chart. @default - `RELOADER_DEFAULTS.chartVersion`, the environment schema's default (`RELOADER_CHART.version`) */
  readonly chartVersion?: string;
  /** Namespace of the GitOps objects (Argo CD's, or Flux's). @default - `GITOPS_DEFAULTS.<tool>.namespace`, the environment schema's default */
  readonly namespace?: string;
  /** Argo CD AppProject. @default - `GITOPS_DEFAULTS.argocd.project`, the environment schema's default */
  readonly project?: string;
  /** Flux reconcile interval. @default - `GITOPS_DEFAULTS.flux.interval`, the environment schema's default */
  readonly interval?: string;
  /**
   * Cluster to install into, as `output.gitops.cluster` names it: for Argo CD a registered
   * cluster's URL or name, for Flux the Secret holding its kubeconfig.
   * @default - the cluster the GitOps tool runs in
   */
  readonly cluster?: string;
}

/**
 * The chart `reloader` from https://stakater.github.io/stakater-charts with
 * `reloader.enableCSIIntegration: true`, so Reloader watches SecretProviderClassPodStatus and
 * restarts a workload annotated `secretproviderclass.reloader.stakater.com/reload` when its mounted
 * versions change. Helm release name `reloader`: the Deployment is `reloader-reloader`.
 * @see https://github.com/stakater/Reloader#8--csi-secret-provider-support
 * @see https://argo-cd.readthedocs.io/en/stable/user-guide/helm/
 * @see https://fluxcd.io/flux/components/helm/helmreleases/
 */
export class ReloaderInstallation extends Construct {
  readonly tool: 'argocd' | 'flux';
  readonly chartVersion: string;
  /** Namespace Reloader runs in. */
  readonly targetNamespace: string;
  /** The objects to apply, with the file name each gets under `bootstrap/`. */
  readonly objects: readonly { readonly file: string; readonly apiObject: ApiObject }[];

  constructor(scope: Construct, id: string, props: ReloaderInstallationProps) {
    super(scope, id);
    this.tool = props.tool;
    this.chartVersion = props.chartVersion ?? RELOADER_DEFAULTS.chartVersion;
    this.targetNamespace = props.targetNamespace ?? RELOADER_DEFAULTS.namespace;
    const namespace = props.namespace ?? GITOPS_DEFAULTS[props.tool].namespace;
    const subject = `Reloader installation ${namespace}/${props.name}`;
    if (!DNS1123_SUBDOMAIN.test(props.name)) throw constructError(subject, 'name', props.name, 'use a DNS-1123 name');
    if (!DNS1123_LABEL.test(namespace)) throw constructError(subject, 'namespace', namespace, 'use a DNS-1123 label');
    if (!DNS1123_LABEL.test(this.targetNamespace)) throw constructError(subject, 'targetNamespace', this.targetNamespace, 'use a DNS-1123 label');
    if (!HELM_CHART_VERSION_RULE.test(this.chartVersion)) throw constructError(subject, 'chartVersion', this.chartVersion, HELM_CHART_VERSION_RULE.fix);
    if (props.cluster !== undefined) {
      const rule = props.tool === 'argocd' ? ARGOCD_CLUSTER_RULE : DNS1123_SUBDOMAIN_RULE;
      if (!rule.test(props.cluster)) throw constructError(subject, 'cluster', props.cluster, rule.fix);
    }
    this.objects = props.tool === 'argocd' ? this.argoCd(props, namespace, subject) : this.flux(props, namespace, subject);
  }

  private argoCd(props: ReloaderInstallationProps, namespace: string, subject: string): { file: string; apiObject: ApiObject }[] {
    const project = props.project ?? GITOPS_DEFAULTS.argocd.project;
    if (!ARGOCD_PROJECT_RULE.test(project)) throw constructError(subject, 'project', project, ARGOCD_PROJECT_RULE.fix);
    const application = new ApiObject(this, 'Application', {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: props.name, namespace },
      spec: {
        project,
        source: {
          repoURL: RELOADER_CHART.repoURL,
          chart: RELOADER_CHART.chart,
          targetRevision: this.chartVersion,
          helm: { releaseName: RELOADER_CHART.chart, valuesObject: RELOADER_CHART.csiIntegrationValue },
        },
        destination: { ...argoCdDestination(props.cluster), namespace: this.targetNamespace },
        syncPolicy: { automated: { prune: true, selfHeal: true }, syncOptions: ['CreateNamespace=true'] },
      },
    });
    return [{ file: 'reloader-argocd-application.yaml', apiObject: application }];
  }

  private flux(props: ReloaderInstallationProps, namespace: string, subject: string): { file: string; apiObject: ApiObject }[] {
    const interval = props.interval ?? GITOPS_DEFAULTS.flux.interval;
    if (!FLUX_DURATION_RULE.test(interval)) throw constructError(subject, 'interval', interval, FLUX_DURATION_RULE.fix);
    const repository = new ApiObject(this, 'HelmRepository', {
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'HelmRepository',
      metadata: { name: 'stakater', namespace },
      spec: { interval, url: RELOADER_CHART.repoURL },
    });
    const release = new ApiObject(this, 'HelmRelease', {
      apiVersion: 'helm.toolkit.fluxcd.io/v2',
      kind: 'HelmRelease',
      metadata: { name: props.name, namespace },
      spec: {
        interval,
        releaseName: RELOADER_CHART.chart,
        targetNamespace: this.targetNamespace,
        install: { createNamespace: true },
        chart: {
          spec: { chart: RELOADER_CHART.chart, version: this.chartVersion, sourceRef: { kind: 'HelmRepository', name: 'stakater' } },
        },
        values: RELOADER_CHART.csiIntegrationValue,
        ...(props.cluster !== undefined ? { kubeConfig: { secretRef: { name: props.cluster } } } : {}),
      },
    });
    return [
      { file: 'reloader-flux-helmrepository.yaml', apiObject: repository },
      { file: 'reloader-flux-helmrelease.yaml', apiObject: release },
    ];
  }
}
