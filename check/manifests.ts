/**
 * An index of rendered Kubernetes objects: by kind, namespace and name, each remembering the file
 * it came from so findings can name it.
 */
import { at } from './finding';
import { isRecord, rec, str, type Json } from './values';

export interface K8sObject {
  readonly file: string;
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  /** The object's namespace (a Kustomization `namespace` applies when it has none), `default` otherwise. */
  readonly namespace: string;
  readonly body: Json;
  /** `file: path`, with the object named when its file holds several. */
  where(path: string): string;
  /** `Kind namespace/name` for messages. */
  readonly ref: string;
}

/** Kinds without a namespace: they never match a namespaced lookup. */
const CLUSTER_SCOPED = new Set([
  'Namespace',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'StorageClass',
  'PersistentVolume',
  // External Secrets Operator
  'ClusterSecretStore',
  'ClusterExternalSecret',
]);

export class ManifestIndex {
  readonly objects: readonly K8sObject[];

  constructor(manifests: readonly { readonly file: string; readonly objects: readonly unknown[] }[]) {
    // A Kustomization's `namespace:` is applied to every object without one by `kubectl kustomize`.
    let defaultNamespace = 'default';
    for (const m of manifests) {
      for (const o of m.objects) {
        const r = rec(o);
        if (r['kind'] === 'Kustomization' && str(r['namespace'])) defaultNamespace = str(r['namespace'])!;
      }
    }
    const objects: K8sObject[] = [];
    for (const m of manifests) {
      const inFile = m.objects.filter(isRecord);
      for (const body of inFile) {
        const kind = str(body['kind']) ?? '';
        const meta = rec(body['metadata']);
        const name = str(meta['name']) ?? '';
        const namespace = CLUSTER_SCOPED.has(kind) ? '' : (str(meta['namespace']) ?? defaultNamespace);
        const ref = `${kind} ${namespace ? `${namespace}/` : ''}${name}`;
        const file = m.file;
        const several = inFile.length > 1;
        objects.push({
          file,
          apiVersion: str(body['apiVersion']) ?? '',
          kind,
          name,
          namespace,
          body,
          ref,
          where: (path: string) => at(several ? `${file} (${ref})` : file, path),
        });
      }
    }
    this.objects = objects;
  }

  find(kind: string, namespace: string, name: string): K8sObject | undefined {
    return this.objects.find((o) => o.kind === kind && o.namespace === namespace && o.name === name);
  }

  ofKind(kind: string): K8sObject[] {
    return this.objects.filter((o) => o.kind === kind);
  }
}

/** Where a kind keeps its pod template. */
const POD_TEMPLATE_PATHS: Record<string, readonly string[]> = {
  Deployment: ['spec', 'template'],
  StatefulSet: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  ReplicaSet: ['spec', 'template'],
  Job: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
};

/** The pod spec of a workload object and its dotted path, or undefined for other kinds. */
export function podSpecOf(o: K8sObject): { spec: Json; path: string } | undefined {
  if (o.kind === 'Pod') return { spec: rec(o.body['spec']), path: 'spec' };
  const segments = POD_TEMPLATE_PATHS[o.kind];
  if (!segments) return undefined;
  let cur: unknown = o.body;
  for (const s of segments) cur = rec(cur)[s];
  return { spec: rec(rec(cur)['spec']), path: `${segments.join('.')}.spec` };
}
