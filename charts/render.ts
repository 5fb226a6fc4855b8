/**
 * Renders one environment into files: one YAML file per Kubernetes object, named after the object,
 * and a kustomization.yaml listing them in apply order. Same input, same bytes.
 */
import { App } from 'cdk8s';
import type { EnvironmentModel } from '../lib/model';
import type { OutputsContract } from '../lib/outputs/contract';
import type { OutputFile } from '../lib/write';
import { EnvironmentChart } from './environment-chart';
import { FleetChart, FLUX_FLEET_MEMBERS_DIR, type FleetChartProps } from './fleet-chart';
import { manifestFileName } from '../lib/model';
import { toYaml } from '../lib/yaml-emit';

/** Folder (inside the rendered folder) of the GitOps object, which is applied once by hand. */
export const BOOTSTRAP_DIR = 'bootstrap';
export const KUSTOMIZATION_FILE = 'kustomization.yaml';

/**
 * Apply order by kind; anything else comes after, by kind name. Stores before what writes
 * Secrets through them, and those before the Deployments that mount the Secrets. A NetworkPolicy
 * before the Deployment it protects, so no pod runs without it.
 */
const KIND_ORDER = [
  'Namespace',
  'ServiceAccount',
  'SecretProviderClass',
  'SecretStore',
  'ClusterSecretStore',
  'SecretSync',
  'ExternalSecret',
  'ClusterExternalSecret',
  'NetworkPolicy',
  'Deployment',
  'PodDisruptionBudget',
];

interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string };
}

export interface RenderOptions {
  /** Path of the rendered folder in the GitOps repository. @default - see `EnvironmentChartProps.gitopsPath` */
  readonly gitopsPath?: string;
}

/**
 * The files of one environment, paths relative to its output folder (`dist/<env>/`):
 * `namespace-<ns>.yaml`, `serviceaccount-<ns>-<name>.yaml`, `secretproviderclass-<ns>-<name>.yaml`,
 * `deployment-<ns>-<name>.yaml`, `kustomization.yaml`, and `bootstrap/argocd-application.yaml` or
 * `bootstrap/flux-kustomization.yaml` when GitOps is configured (with `output.reloader`, also
 * Reloader's installation objects, `bootstrap/reloader-*.yaml`). The GitOps object points at
 * this folder, so it is not listed in kustomization.yaml (it would manage itself).
 */
export function renderEnvironment(model: EnvironmentModel, outputs: OutputsContract, options: RenderOptions = {}): OutputFile[] {
  // No outdir is written: objects are taken from the chart in memory.
  const app = new App({ outdir: '.' });
  const chart = new EnvironmentChart(app, model.name, { model, outputs, ...(options.gitopsPath !== undefined ? { gitopsPath: options.gitopsPath } : {}) });
  const bootstrap = chart.bootstrapObjects.map((b) => ({ file: b.file, object: canonical(b.apiObject.toJson()) as KubeObject }));
  const isBootstrap = (o: KubeObject) => bootstrap.some((b) => sameObject(b.object, o));
  const header = `# Rendered by aks-keyvault-csi for environment "${model.name}". Do not edit: change environments/${model.name}.yaml and render again.\n`;

  const objects = (chart.toJson() as KubeObject[]).map((o) => canonical(o) as KubeObject).filter((o) => !isBootstrap(o));
  objects.sort(compareObjects);

  const files: OutputFile[] = [];
  const seen = new Set<string>();
  for (const o of objects) {
    const file = fileNameOf(o);
    if (seen.has(file)) throw new Error(`two objects render to ${file}: ${o.kind} names must be unique per namespace`);
    seen.add(file);
    files.push({ path: file, content: header + toYaml(o), object: o });
  }
  const kustomization = {
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    // Keep the listed order (kustomize would otherwise sort custom resources such as the
    // SecretProviderClass after Deployments).
    sortOptions: { order: 'fifo' },
    resources: files.map((f) => f.path),
  };
  files.push({ path: KUSTOMIZATION_FILE, content: header + toYaml(kustomization) });
  for (const b of bootstrap) files.push({ path: `${BOOTSTRAP_DIR}/${b.file}`, content: header + toYaml(b.object), object: b.object });
  return files;
}

/**
 * The files of one fleet's folder (`dist/fleet/<tool>/`), paths relative to it: what `FleetChart`
 * renders, one object per file. No file names the members it does not hold, so a new environment
 * adds a file (Flux) or none (Argo CD) and changes no other.
 */
export function renderFleet(props: FleetChartProps): OutputFile[] {
  const app = new App({ outdir: '.' });
  const chart = new FleetChart(app, 'fleet', props);
  const about = chart.tool === 'argocd' ? 'the Argo CD fleet' : 'the Flux fleet';
  return chart.objects.map((o) => {
    const object = canonical(o.apiObject.toJson());
    const member = o.file.startsWith(`${FLUX_FLEET_MEMBERS_DIR}/`) ? `, environment "${o.file.slice(FLUX_FLEET_MEMBERS_DIR.length + 1, -'.yaml'.length)}"` : '';
    const header = `# Rendered by aks-keyvault-csi for ${about}${member}. Do not edit: change output.gitops in environments/<env>.yaml and render again.\n`;
    return { path: o.file, content: header + toYaml(object), object };
  });
}

/** The same Kubernetes object: apiVersion, kind, namespace and name. */
function sameObject(a: KubeObject, b: KubeObject): boolean {
  return a.apiVersion === b.apiVersion && a.kind === b.kind && a.metadata.name === b.metadata.name && a.metadata.namespace === b.metadata.namespace;
}

/** Our own key order, independent of `CDK8S_DISABLE_SORT`: apiVersion, kind, metadata, then sorted. */
function canonical(value: unknown, top = true): unknown {
  if (Array.isArray(value)) return value.map((v) => canonical(v, false));
  if (value === null || typeof value !== 'object') return value;
  const o = value as Record<string, unknown>;
  const keys = Object.keys(o).sort((a, b) => cmp(a, b));
  const first = top ? ['apiVersion', 'kind', 'metadata'].filter((k) => k in o) : [];
  const out: Record<string, unknown> = {};
  for (const k of [...first, ...keys.filter((k) => !first.includes(k))]) out[k] = canonical(o[k], false);
  return out;
}

function rank(kind: string): number {
  const i = KIND_ORDER.indexOf(kind);
  return i === -1 ? KIND_ORDER.length : i;
}

function compareObjects(a: KubeObject, b: KubeObject): number {
  return (
    rank(a.kind) - rank(b.kind) || cmp(a.kind, b.kind) || cmp(a.metadata.namespace ?? '', b.metadata.namespace ?? '') || cmp(a.metadata.name, b.metadata.name)
  );
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function fileNameOf(o: KubeObject): string {
  return manifestFileName(o.kind, o.metadata.namespace, o.metadata.name);
}
