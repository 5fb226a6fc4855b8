/**
 * What a fleet writes: its own folder (`dist/fleet/<tool>/`), and the config file each Argo CD
 * member's folder carries.
 */
import { ARGOCD_FLEET_CONFIG_FILE, argoCdFleetConfig } from '../charts/argo-cd-application-set';
import { renderFleet } from '../charts/render';
import type { EnvironmentModel } from '../lib/model';
import type { OutputFile } from '../lib/write';
import { sharedValue, type Fleet } from './fleet';

/**
 * The files an environment's own folder gets for its fleet: for an Argo CD member, the config
 * file the ApplicationSet's generator reads (`aks-keyvault-csi-fleet.json`). Its content is the
 * environment's and its cluster's only: nothing about the other members.
 */
export function fleetMemberFiles(model: EnvironmentModel): OutputFile[] {
  const gitops = model.config.output.gitops;
  if (gitops?.tool !== 'argocd' || !gitops.fleet) return [];
  return [{ path: ARGOCD_FLEET_CONFIG_FILE, content: `${JSON.stringify(argoCdFleetConfig(model.name, gitops.cluster), null, 2)}\n` }];
}

/**
 * The files of `fleet`'s folder. `paths` gives a member's folder in the GitOps repository where
 * it is not `output.gitops.path` (a single environment rendered with `--out` into a checkout).
 */
export function renderFleetFolder(fleet: Fleet, paths: ReadonlyMap<string, string> = new Map()): OutputFile[] {
  const first = fleet.members[0].config.output.gitops!;
  return renderFleet({
    members: fleet.members.map((m) => {
      const p = paths.get(m.name);
      return { environment: m.name, gitops: m.config.output.gitops!, ...(p !== undefined ? { path: p } : {}) };
    }),
    fleetPath: sharedValue(first, 'fleetPath'),
  });
}
