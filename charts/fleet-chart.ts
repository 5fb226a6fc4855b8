/**
 * The objects of one fleet (`output.gitops.fleet`): the environments of one GitOps tool that one
 * object deploys, each to its own cluster.
 */
import { Chart, type ApiObject } from 'cdk8s';
import type { Construct } from 'constructs';
import type { GitOpsConfig } from '../lib/config/schema';
import { ArgoCdApplicationSet } from './argo-cd-application-set';
import { defaultGitopsPath, gitopsName } from './environment-chart';
import { FluxKustomization } from './flux-kustomization';

/** Name of a fleet's root object (the ApplicationSet, or Flux's root Kustomization). */
export const FLEET_OBJECT_NAME = 'aks-keyvault-csi-fleet';
/** Folder of the Flux fleet that holds one Kustomization per member. */
export const FLUX_FLEET_MEMBERS_DIR = 'members';

/** One environment of the fleet. */
export interface FleetMember {
  readonly environment: string;
  readonly gitops: GitOpsConfig;
  /** Path of the environment's rendered folder in the GitOps repository. @default - `output.gitops.path`, else `dist/<env>` */
  readonly path?: string;
}

export interface FleetChartProps {
  /** The members, all of one tool and sharing its fleet settings (pipeline/fleet.ts checks that). */
  readonly members: readonly FleetMember[];
  /** Flux: path of the fleet folder in the GitOps repository. */
  readonly fleetPath: string;
}

/** A file of the fleet folder, relative to it, and its object. */
export interface FleetObject {
  readonly file: string;
  readonly apiObject: ApiObject;
}

/**
 * Argo CD: one ApplicationSet (`bootstrap/argocd-applicationset.yaml`); it needs no member list,
 * because each member's folder carries its config file.
 *
 * Flux has no generator that reads files from Git, so the idiomatic equivalent is a folder of
 * Kustomizations: `members/<env>.yaml`, each exactly the environment's bootstrap Kustomization
 * (with `kubeConfig.secretRef` for a remote cluster), and one root Kustomization
 * (`bootstrap/flux-kustomization.yaml`) that applies `members/`. `members/` has no
 * kustomization.yaml: kustomize-controller generates one from every manifest in the folder, so a
 * new environment adds one file and changes none.
 * @see https://fluxcd.io/flux/components/kustomize/kustomizations/#generating-a-kustomizationyaml-file
 */
export class FleetChart extends Chart {
  readonly tool: 'argocd' | 'flux';
  readonly objects: readonly FleetObject[];

  constructor(scope: Construct, id: string, props: FleetChartProps) {
    super(scope, id, { disableResourceNameHashes: true });
    const first = props.members[0];
    if (first === undefined) throw new Error('a fleet needs at least one member');
    this.tool = first.gitops.tool;
    const gitops = first.gitops;
    if (gitops.tool === 'argocd') {
      const set = new ArgoCdApplicationSet(this, 'ApplicationSet', {
        name: FLEET_OBJECT_NAME,
        namespace: gitops.namespace,
        project: gitops.project,
        repoURL: gitops.repoURL,
        targetRevision: gitops.targetRevision,
        applicationName: gitopsName,
      });
      this.objects = [{ file: 'bootstrap/argocd-applicationset.yaml', apiObject: set.apiObject }];
      return;
    }
    const root = new FluxKustomization(this, 'Root', {
      name: FLEET_OBJECT_NAME,
      namespace: gitops.namespace,
      sourceRef: gitops.sourceRef,
      path: `${props.fleetPath.replace(/\/+$/, '')}/${FLUX_FLEET_MEMBERS_DIR}`,
      interval: gitops.interval,
    });
    const members = props.members.map((m) => {
      if (m.gitops.tool !== 'flux') throw new Error(`fleet member ${m.environment} uses ${m.gitops.tool}, not flux`);
      const k = new FluxKustomization(this, `Member-${m.environment}`, {
        name: gitopsName(m.environment),
        namespace: m.gitops.namespace,
        sourceRef: m.gitops.sourceRef,
        path: m.path ?? m.gitops.path ?? defaultGitopsPath(m.environment),
        interval: m.gitops.interval,
        ...(m.gitops.cluster !== undefined ? { kubeConfigSecret: m.gitops.cluster } : {}),
      });
      return { file: `${FLUX_FLEET_MEMBERS_DIR}/${m.environment}.yaml`, apiObject: k.apiObject };
    });
    this.objects = [{ file: 'bootstrap/flux-kustomization.yaml', apiObject: root.apiObject }, ...members];
  }
}
