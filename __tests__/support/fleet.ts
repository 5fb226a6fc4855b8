/** Shared test helper: small environments that join a fleet (`output.gitops.fleet`). */
import type { EnvironmentModel } from '../../lib/model';
import { modelFromYaml } from './models';

export interface FleetMemberOptions {
  readonly tool?: 'argocd' | 'flux';
  /** `output.gitops.cluster` @default - unset */
  readonly cluster?: string;
  /** The workload's namespace. @default - the environment name */
  readonly namespace?: string;
  /** The workload's name. @default app */
  readonly workload?: string;
  /** `output.namespaces` @default true */
  readonly namespaces?: boolean;
  /** `output.gitops.path` @default clusters/<name>/secrets */
  readonly path?: string;
  /** The tool's `output.gitops` fields, as YAML flow entries. @default - the example repository (Argo CD), or sourceRef flux-system and fleetPath clusters/fleet (Flux) */
  readonly gitops?: string;
}

/** An environment of `tool` in the fleet, deploying to `cluster`, with one workload in `namespace`. */
export function fleetMember(name: string, options: FleetMemberOptions = {}): EnvironmentModel {
  const tool = options.tool ?? 'argocd';
  const source =
    options.gitops ??
    (tool === 'argocd' ? 'tool: argocd, repoURL: https://github.com/example/gitops.git' : 'tool: flux, sourceRef: flux-system, fleetPath: clusters/fleet');
  return modelFromYaml(
    name,
    `
azure: { location: westeurope, resourceGroup: { name: rg-${name} } }
cluster: { name: aks-${name} }
keyVault: { name: kv-${name}-fleet }
workloads:
  - name: ${options.workload ?? 'app'}
    namespace: ${options.namespace ?? name}
    objects: [{ name: db, type: secret }]
    deployment: { image: app:1 }
output:
  namespaces: ${options.namespaces ?? true}
  gitops: { ${source}, path: ${options.path ?? `clusters/${name}/secrets`}, fleet: true${options.cluster !== undefined ? `, cluster: "${options.cluster}"` : ''} }
`,
  );
}
