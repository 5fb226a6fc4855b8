/**
 * `monitoring`: the PodMonitors the environment renders exist in the cluster, select running
 * add-on pods that declare the scraped port (a PodMonitor's `portNumber` matches declared
 * container ports only), and, given Prometheus's URL, their targets are up. Pure: takes what
 * the command read as plain data.
 */
import { ADDON_APP_LABEL } from '../lib/csi-driver';
import type { V1Pod } from './api-types';
import { fail, pass, warn, type Outcome } from './findings';
import { renderedObjects } from './spc-drift';
import type { RenderedFile } from './types';

/** A PodMonitor as the environment renders it. */
export interface ExpectedPodMonitor {
  readonly apiVersion: string;
  readonly namespace: string;
  readonly name: string;
  /** `spec.selector.matchLabels`. */
  readonly selector: Readonly<Record<string, string>>;
  readonly port: number;
  /** The `job` label its relabeling sets. */
  readonly job: string;
}

interface RenderedPodMonitor {
  apiVersion: string;
  metadata: { name: string; namespace: string };
  spec: {
    selector: { matchLabels: Record<string, string> };
    podMetricsEndpoints: { portNumber: number; relabelings?: { targetLabel?: string; replacement?: string }[] }[];
  };
}

/** The PodMonitors among the rendered files. */
export function expectedPodMonitors(files: readonly RenderedFile[]): ExpectedPodMonitor[] {
  return renderedObjects(files)
    .filter(({ object }) => object['kind'] === 'PodMonitor')
    .map(({ object }) => {
      const o = object as unknown as RenderedPodMonitor;
      const endpoint = o.spec.podMetricsEndpoints[0];
      return {
        apiVersion: o.apiVersion,
        namespace: o.metadata.namespace,
        name: o.metadata.name,
        selector: o.spec.selector.matchLabels,
        port: endpoint.portNumber,
        job: endpoint.relabelings?.find((r) => r.targetLabel === 'job')?.replacement ?? `${o.metadata.namespace}/${o.metadata.name}`,
      };
    });
}

/** `app=secrets-store-csi-driver` */
export function labelSelector(selector: Readonly<Record<string, string>>): string {
  return Object.entries(selector)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

const declaresPort = (p: V1Pod, port: number) => (p.spec?.containers ?? []).some((c) => (c.ports ?? []).some((cp) => cp.containerPort === port));
const isRunning = (p: V1Pod) => p.status?.phase === 'Running' && p.metadata?.deletionTimestamp === undefined;

/** The `pod-monitor` check of one PodMonitor: it exists, and selects running pods that declare its port. */
export function checkPodMonitor(m: ExpectedPodMonitor, live: Record<string, unknown> | undefined, pods: readonly V1Pod[]): Outcome[] {
  const where = `${m.namespace}/${m.name}`;
  if (live === undefined) {
    return [
      fail(
        'pod-monitor',
        where,
        `PodMonitor (${m.apiVersion}) not found: the add-on's ${m.selector[ADDON_APP_LABEL] ?? labelSelector(m.selector)} pods are not scraped and the alerts on them never fire`,
        `apply the rendered folder (its GitOps tool must be allowed to write to ${m.namespace}); if the kind is unknown, the ${m.apiVersion.split('/')[0]} CRD is not installed: install the Prometheus operator, or turn on managed Prometheus`,
      ),
    ];
  }
  const running = pods.filter(isRunning);
  if (running.length === 0) {
    return [
      fail(
        'pod-monitor',
        where,
        `no running pod in ${m.namespace} matches ${labelSelector(m.selector)}: nothing is scraped`,
        'enable the secrets-store add-on on the cluster (cluster.secretsProvider), or check the labels of its pods: kubectl -n kube-system get pods --show-labels | grep secrets-store',
      ),
    ];
  }
  const without = running.filter((p) => !declaresPort(p, m.port));
  if (without.length > 0) {
    return [
      fail(
        'pod-monitor',
        where,
        `${without.length}/${running.length} pods matching ${labelSelector(m.selector)} declare no container port ${m.port} (e.g. ${without[0].metadata?.name ?? '?'}): portNumber selects declared ports only, so they are not scraped`,
        `look at the pods' ports (kubectl -n ${m.namespace} get pod ${without[0].metadata?.name ?? '<pod>'} -o jsonpath='{.spec.containers[*].ports}') and report the add-on's metrics port`,
      ),
    ];
  }
  return [pass('pod-monitor', where, `exists and selects ${running.length} running pods that declare port ${m.port}`)];
}

/** One `up` series: its pod label (when the scrape config sets it) and its value. */
export interface UpSample {
  readonly pod?: string;
  readonly value: number;
}

/** The `scrape-targets` check: Prometheus has an `up` series for every running pod of the PodMonitor, each 1. */
export function checkScrapeTargets(m: ExpectedPodMonitor, pods: readonly V1Pod[], up: readonly UpSample[], url: string): Outcome[] {
  const where = `${m.namespace}/${m.name}`;
  const running = pods.filter(isRunning).length;
  if (up.length === 0) {
    return [
      fail(
        'scrape-targets',
        where,
        `Prometheus at ${url} has no up{job="${m.job}"} series: the PodMonitor is not picked up`,
        `make the Prometheus select it: its podMonitorNamespaceSelector must include ${m.namespace} and its podMonitorSelector the PodMonitor's labels (monitoring.selectorLabels)`,
      ),
    ];
  }
  const down = up.filter((s) => s.value !== 1);
  if (down.length > 0) {
    return [
      fail(
        'scrape-targets',
        where,
        `${down.length}/${up.length} targets of job ${m.job} are down (${down
          .map((s) => s.pod ?? '?')
          .slice(0, 3)
          .join(', ')}): their scrapes fail`,
        `look at Prometheus's targets page for job ${m.job}, and at the pods: kubectl -n ${m.namespace} get pods -l ${labelSelector(m.selector)} -o wide`,
      ),
    ];
  }
  if (up.length < running) {
    return [
      warn(
        'scrape-targets',
        where,
        `${up.length} targets up for job ${m.job}, but ${running} pods run: some pods are not scraped yet (new nodes), or Prometheus shards the targets`,
        'wait a scrape interval and run verify again',
      ),
    ];
  }
  return [pass('scrape-targets', where, `${up.length} targets of job ${m.job} are up in Prometheus at ${url}`)];
}

/** Runs `up{...}` against Prometheus's HTTP API (`GET <url>/api/v1/query`), without credentials. */
export async function queryUp(url: string, query: string): Promise<UpSample[]> {
  const res = await fetch(`${url.replace(/\/+$/, '')}/api/v1/query?query=${encodeURIComponent(query)}`, { signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  const body = (await res.json()) as { status?: string; data?: { result?: { metric?: Record<string, string>; value?: [number, string] }[] } };
  if (body.status !== 'success') throw new Error(`status ${String(body.status)}`);
  return (body.data?.result ?? []).map((r) => ({ ...(r.metric?.['pod'] !== undefined ? { pod: r.metric['pod'] } : {}), value: Number(r.value?.[1]) }));
}
