/**
 * The Argo CD fleet: one ApplicationSet that makes, for every rendered environment folder in the
 * GitOps repository that holds a fleet config file, the Application that syncs it.
 */
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { GITOPS_DEFAULTS } from '../lib/config/schema';
import { argoCdDestination, ARGOCD_PROJECT_RULE, ARGOCD_REPO_URL_RULE, DNS1123_LABEL, DNS1123_SUBDOMAIN } from '../lib/kubernetes';
import { argoCdApplicationSpec } from './argo-cd-application';
import { constructError } from './construct-error';

/**
 * The file each fleet member's folder carries. Its name is this tool's, so the generator's
 * `**` pattern finds no other file of a shared GitOps repository.
 */
export const ARGOCD_FLEET_CONFIG_FILE = 'aks-keyvault-csi-fleet.json';

/**
 * What a member's config file holds: the generator's parameters. Both destination keys are always
 * present (the template uses both, and `missingkey=error` refuses a missing one); the unused one
 * is empty, which Argo CD reads as unset (`ApplicationDestination` fields are `omitempty`, and
 * util/argo/argo.go `GetDestinationServer` refuses only both non-empty).
 */
export interface ArgoCdFleetConfig {
  /** The environment: the Application is `aks-keyvault-csi-<environment>`. */
  readonly environment: string;
  readonly destinationServer: string;
  readonly destinationName: string;
}

/** The config file of one member: `cluster` as `output.gitops.cluster` gives it. */
export function argoCdFleetConfig(environment: string, cluster: string | undefined): ArgoCdFleetConfig {
  const destination = argoCdDestination(cluster);
  return {
    environment,
    destinationServer: 'server' in destination ? destination.server : '',
    destinationName: 'name' in destination ? destination.name : '',
  };
}

/** A Go template reference to a generator parameter (`goTemplate: true`). */
function param(key: keyof ArgoCdFleetConfig | 'path.path'): string {
  return `{{.${key}}}`;
}

export interface ArgoCdApplicationSetProps {
  /** ApplicationSet name. */
  readonly name: string;
  /** Namespace Argo CD watches (the members' `output.gitops.namespace`). @default - `GITOPS_DEFAULTS.argocd.namespace` */
  readonly namespace?: string;
  /** AppProject of every generated Application. @default - `GITOPS_DEFAULTS.argocd.project` */
  readonly project?: string;
  /** The Git repository holding the members' folders. */
  readonly repoURL: string;
  /** Revision the generator reads and the Applications sync. @default - `GITOPS_DEFAULTS.argocd.targetRevision` */
  readonly targetRevision?: string;
  /** The Application name of an environment, built from the template parameter. */
  readonly applicationName: (environment: string) => string;
}

/**
 * `argoproj.io/v1alpha1` ApplicationSet with a Git files generator over
 * `**\/aks-keyvault-csi-fleet.json` in `repoURL`. Each match yields the Application the
 * per-environment bootstrap renders (same name, project, source, destination and sync policy;
 * the source path is the folder holding the file). The pattern matches at any depth with Argo
 * CD's default globbing and with the new (doublestar) globbing alike, so adding an environment
 * needs no edit here. Go templates with `missingkey=error`: a config file missing a key fails
 * the ApplicationSet instead of rendering an empty value.
 * @see https://argo-cd.readthedocs.io/en/stable/operator-manual/applicationset/Generators-Git/#git-generator-files
 * @see https://argo-cd.readthedocs.io/en/stable/operator-manual/applicationset/Generators-Git-File-Globbing/
 * @see https://argo-cd.readthedocs.io/en/stable/operator-manual/applicationset/GoTemplate/
 */
export class ArgoCdApplicationSet extends Construct {
  readonly name: string;
  readonly namespace: string;
  /** The generator's file pattern, relative to the repository root. */
  readonly filesPattern: string;
  readonly apiObject: ApiObject;

  constructor(scope: Construct, id: string, props: ArgoCdApplicationSetProps) {
    super(scope, id);
    this.name = props.name;
    this.namespace = props.namespace ?? GITOPS_DEFAULTS.argocd.namespace;
    this.filesPattern = `**/${ARGOCD_FLEET_CONFIG_FILE}`;
    const subject = `ApplicationSet ${this.namespace}/${this.name}`;
    const project = props.project ?? GITOPS_DEFAULTS.argocd.project;
    const targetRevision = props.targetRevision ?? GITOPS_DEFAULTS.argocd.targetRevision;
    if (!DNS1123_SUBDOMAIN.test(this.name)) throw constructError(subject, 'name', this.name, 'use a DNS-1123 name');
    if (!DNS1123_LABEL.test(this.namespace)) throw constructError(subject, 'namespace', this.namespace, 'use a DNS-1123 label');
    if (!ARGOCD_REPO_URL_RULE.test(props.repoURL)) throw constructError(subject, 'repoURL', props.repoURL, ARGOCD_REPO_URL_RULE.fix);
    if (!ARGOCD_PROJECT_RULE.test(project)) throw constructError(subject, 'project', project, ARGOCD_PROJECT_RULE.fix);

    this.apiObject = new ApiObject(this, 'Resource', {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'ApplicationSet',
      metadata: { name: this.name, namespace: this.namespace },
      spec: {
        goTemplate: true,
        goTemplateOptions: ['missingkey=error'],
        generators: [{ git: { repoURL: props.repoURL, revision: targetRevision, files: [{ path: this.filesPattern }] } }],
        template: {
          metadata: { name: props.applicationName(param('environment')) },
          spec: argoCdApplicationSpec({
            project,
            repoURL: props.repoURL,
            path: param('path.path'),
            targetRevision,
            destination: { server: param('destinationServer'), name: param('destinationName') },
            automated: true,
          }),
        },
      },
    });
  }
}
