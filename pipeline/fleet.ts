/**
 * Fleets: the environments with `output.gitops.fleet: true` of one GitOps tool, deployed from one
 * object (an Argo CD ApplicationSet, or Flux's root Kustomization) each to its own cluster. A
 * fleet spans environments, so it is checked across them here, when they are loaded together,
 * and rendered into its own folder, `dist/fleet/<tool>/` (pipeline/fleet-folder.ts). This module
 * loads no cdk8s: environments are checked before the toolkits load.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import type { GitOpsConfig } from '../lib/config/schema';
import { positionInFile } from '../lib/config/load';
import { display, type InputProblem } from '../lib/errors';
import { argoCdDestination, SYSTEM_NAMESPACES } from '../lib/kubernetes';
import type { EnvironmentModel } from '../lib/model';
import { OWNERSHIP_FILE } from '../lib/ownership';
import { FLEET_NAME, fleetDirOf, MANIFESTS_OUT, manifestsDirOf } from '../lib/paths';

export type FleetTool = GitOpsConfig['tool'];

const TOOL_NAMES: Record<FleetTool, string> = { argocd: 'Argo CD', flux: 'Flux' };

/** The settings every member of a tool's fleet shares: the fleet's root object is built from them. */
const SHARED_FIELDS: Record<FleetTool, readonly string[]> = {
  argocd: ['repoURL', 'targetRevision', 'namespace', 'project'],
  flux: ['sourceRef', 'namespace', 'fleetPath'],
};

export interface Fleet {
  readonly tool: FleetTool;
  /** Members, in the order they were loaded (environment files sorted by name). */
  readonly members: readonly EnvironmentModel[];
  /** `dist/fleet/<tool>` */
  readonly dir: string;
}

/** Each tool's fleet among `models`, Argo CD first; none when no environment joins one. */
export function fleetsOf(models: readonly EnvironmentModel[]): Fleet[] {
  return (['argocd', 'flux'] as const)
    .map((tool) => ({ tool, members: models.filter((m) => m.config.output.gitops?.tool === tool && m.config.output.gitops.fleet), dir: fleetDirOf(tool) }))
    .filter((f) => f.members.length > 0);
}

/**
 * The folders of fleets that no environment among `models` joins any more but an earlier render
 * wrote (an ownership record is there): when `models` are every environment, their files go.
 */
export function retiredFleetDirs(models: readonly EnvironmentModel[]): string[] {
  const live = new Set(fleetsOf(models).map((f) => f.tool));
  return (['argocd', 'flux'] as const).filter((t) => !live.has(t) && existsSync(path.join(fleetDirOf(t), OWNERSHIP_FILE))).map(fleetDirOf);
}

/** Path of the Flux fleet folder in the GitOps repository when `fleetPath` is not set. */
export function defaultFleetPath(tool: FleetTool): string {
  return [MANIFESTS_OUT, FLEET_NAME, tool].join('/');
}

/** A member's value of a fleet setting, defaults resolved (an unset `fleetPath` is the default folder). */
export function sharedValue(gitops: GitOpsConfig, field: string): string {
  if (field === 'fleetPath') return trim((gitops.tool === 'flux' ? gitops.fleetPath : undefined) ?? defaultFleetPath(gitops.tool));
  return String((gitops as unknown as Record<string, unknown>)[field]);
}

/** The path of a member's folder in the GitOps repository, as its bootstrap object points at it. */
function memberPath(m: EnvironmentModel): string {
  // `dist/<env>` (charts/environment-chart.ts `defaultGitopsPath`), without loading cdk8s here.
  return trim(m.config.output.gitops?.path ?? manifestsDirOf(m.name).split(path.sep).join('/'));
}

/** The cluster a member deploys to, as a key: same key, same cluster (as far as the files tell). */
function clusterKey(gitops: GitOpsConfig): string {
  if (gitops.tool === 'flux') return gitops.cluster === undefined ? 'the cluster Flux runs in' : `the cluster of kubeconfig Secret "${gitops.cluster}"`;
  const d = argoCdDestination(gitops.cluster);
  return 'server' in d ? `cluster ${d.server.replace(/\/+$/, '')}` : `cluster "${d.name}"`;
}

/**
 * Objects a member renders that another member in the same cluster could render too, as far as
 * the model tells without rendering: the Namespaces (`output.namespaces`), and per workload the
 * objects named after it (Deployment, SecretProviderClass, ...) and its ServiceAccount.
 */
function sharedObjectsOf(m: EnvironmentModel): Set<string> {
  const out = new Set<string>();
  const namespaces = [...m.workloads.map((w) => w.namespace), ...(m.sharedSecrets?.namespaces ?? []), ...(m.sharedSecrets?.serviceAccountNamespaces ?? [])];
  if (m.config.output.namespaces) for (const n of namespaces) if (!(SYSTEM_NAMESPACES as readonly string[]).includes(n)) out.add(`Namespace "${n}"`);
  for (const w of m.workloads) {
    out.add(`workload "${w.namespace}/${w.name}"`);
    out.add(`ServiceAccount "${w.namespace}/${w.serviceAccount}"`);
  }
  return out;
}

/**
 * Why the fleets among `models` cannot be rendered, one problem per offending field, naming the
 * other environment and its file: members that disagree on a shared setting, two members in one
 * folder (or one inside another's), two members that render the same object into the same
 * cluster (two Applications or Kustomizations would own it, and prune it from each other), and an
 * environment named like the fleets' folder.
 */
export function fleetProblems(models: readonly EnvironmentModel[]): InputProblem[] {
  const fleets = fleetsOf(models);
  if (fleets.length === 0) return [];
  const problems: InputProblem[] = [];
  const at = (m: EnvironmentModel, field: readonly (string | number)[], received: unknown, message: string): InputProblem => {
    const position = positionInFile(m.file, field);
    return { file: m.file, path: field.join('.'), ...(position !== undefined ? { position } : {}), received: display(received), message };
  };
  for (const m of models.filter((x) => x.name === FLEET_NAME)) {
    problems.push(
      at(
        m,
        [],
        m.name,
        `environment "${FLEET_NAME}" would render into ${path.join(MANIFESTS_OUT, FLEET_NAME)}, the fleets' folder: rename the file (e.g. environments/${FLEET_NAME}-1.yaml)`,
      ),
    );
  }
  for (const fleet of fleets) {
    const tool = TOOL_NAMES[fleet.tool];
    const [first, ...rest] = fleet.members;
    const firstGitops = first.config.output.gitops!;
    for (const m of rest) {
      const gitops = m.config.output.gitops!;
      for (const field of SHARED_FIELDS[fleet.tool]) {
        const mine = sharedValue(gitops, field);
        const theirs = sharedValue(firstGitops, field);
        if (mine === theirs) continue;
        problems.push(
          at(
            m,
            ['output', 'gitops', field],
            mine,
            `the ${tool} fleet's members share ${field}, and environment "${first.name}" (${first.file}) has "${theirs}": use the same value, or leave the fleet (output.gitops.fleet: false)`,
          ),
        );
      }
    }
    fleet.members.forEach((m, i) => {
      for (const other of fleet.members.slice(0, i)) {
        const mine = memberPath(m);
        const theirs = memberPath(other);
        if (mine === theirs || isBelow(mine, theirs) || isBelow(theirs, mine)) {
          const how = mine === theirs ? 'is also the folder of' : isBelow(mine, theirs) ? 'lies inside the folder of' : 'holds the folder of';
          problems.push(
            at(
              m,
              ['output', 'gitops', 'path'],
              mine,
              `"${mine}" ${how} environment "${other.name}" (${other.file}, "${theirs}"): give each member of the ${tool} fleet a folder of its own`,
            ),
          );
        }
        const cluster = clusterKey(m.config.output.gitops!);
        if (cluster !== clusterKey(other.config.output.gitops!)) continue;
        const theirObjects = sharedObjectsOf(other);
        const shared = [...sharedObjectsOf(m)].filter((o) => theirObjects.has(o)).sort();
        if (shared.length > 0) {
          problems.push(
            at(
              m,
              ['output', 'gitops', 'cluster'],
              m.config.output.gitops!.cluster,
              `environment "${other.name}" (${other.file}) deploys to ${cluster} too, and both render ${shared.join(', ')}: one object would belong to two ${fleet.tool === 'argocd' ? 'Applications' : 'Kustomizations'}, and pruning in either deletes it from the other; set output.gitops.cluster to this environment's own cluster, or use other namespaces`,
            ),
          );
        }
      }
      if (fleet.tool === 'flux') {
        const fleetPath = sharedValue(m.config.output.gitops!, 'fleetPath');
        const mine = memberPath(m);
        if (mine === fleetPath || isBelow(mine, fleetPath) || isBelow(fleetPath, mine)) {
          problems.push(
            at(
              m,
              ['output', 'gitops', 'path'],
              mine,
              `"${mine}" overlaps the Flux fleet's folder "${fleetPath}" (output.gitops.fleetPath): keep the fleet folder and the environments' folders apart`,
            ),
          );
        }
      }
    });
  }
  return problems;
}

/** Whether repository path `inner` lies strictly below `outer`. */
function isBelow(inner: string, outer: string): boolean {
  return outer === '.' ? inner !== '.' : inner.startsWith(`${outer}/`);
}

function trim(p: string): string {
  const t = p.replace(/^\.\//, '').replace(/\/+$/, '');
  return t === '' ? '.' : t;
}
