/**
 * The alerts on secret delivery (issue 15): one definition per alert (name, PromQL, `for`,
 * severity, summary naming the metric and the fix), rendered as a PrometheusRule for the
 * Prometheus operator (charts/secret-delivery-prometheus-rule.ts) and as an Azure Monitor
 * Prometheus rule group for managed Prometheus (stacks/managed-prometheus.ts). The PromQL is
 * written here only.
 *
 * Every expression reads the series the driver and the provider really export
 * (`ADDON_METRICS` in lib/csi-driver.ts) through the scrape jobs the PodMonitors name
 * (`scrapeJob`), plus Prometheus's own `up`.
 */
import { ADDON_METRICS, exportedSeriesNames, KUBELET_VOLUME_RETRY_MAX_SECONDS, REPUBLISH_PERIOD_SECONDS, type AddonComponent } from './csi-driver';
import { durationSeconds } from './config/duration';
import { patternRule } from './rule';

export type AlertSeverity = 'critical' | 'warning';

export interface SecretDeliveryAlert {
  /** Alert name (PascalCase, as Prometheus alerts are named). */
  readonly alert: string;
  readonly expr: string;
  /** How long the expression must hold before the alert fires: a Prometheus duration (`5m`). */
  readonly for: string;
  readonly severity: AlertSeverity;
  /** One line: what is wrong, naming the metric. */
  readonly summary: string;
  /** What to look at and how to fix it. */
  readonly description: string;
}

/** A Prometheus duration with one unit (`30s`, `5m`, `1h`): what both alert flavours can carry. */
export const PROMETHEUS_DURATION_RULE = patternRule(
  'Prometheus duration',
  /^[1-9][0-9]{0,3}(s|m|h)$/,
  'use a whole number and one unit of s, m or h, such as "30s", "5m" or "1h"',
  'prometheus/common model/time.go (ParseDuration); Azure Monitor prometheusRuleGroups take ISO 8601 (PT5M), converted from it by isoDuration',
);

/** The thresholds of the alerts; the environment schema holds their defaults and descriptions. */
export interface AlertThresholds {
  /** How long a condition must hold (Prometheus duration with one unit). */
  readonly alertFor: string;
  /** Key Vault request latency (99th percentile, seconds) above which the provider is slow. */
  readonly keyVaultLatencySeconds: number;
  /**
   * The add-on's rotation interval (`cluster.secretsProvider.rotation.interval`): a failing fetch
   * fails again once per interval, so the error alerts look back over at least two of them.
   * @default - only kubelet's own retry periods count
   */
  readonly rotationIntervalSeconds?: number;
}

/**
 * How far back the error alerts count errors: at least `alertFor`, and at least twice the longest
 * period at which a persistent failure recurs (kubelet's republish and volume retry, the rotation
 * interval), so that `increase` stays above 0 for as long as the failure lasts and `for` can
 * elapse. A window shorter than the period would see each error only part of the time, and an
 * alert with `for` equal to the window would never fire.
 */
export function errorWindow(t: AlertThresholds): string {
  const period = Math.max(REPUBLISH_PERIOD_SECONDS.max, KUBELET_VOLUME_RETRY_MAX_SECONDS, t.rotationIntervalSeconds ?? 0);
  // A one-unit Prometheus duration is also a Go duration (lib/config/duration.ts).
  const alertFor = durationSeconds(t.alertFor);
  return 2 * period <= alertFor ? t.alertFor : `${Math.ceil((2 * period) / 60)}m`;
}

/** The group name the alerts share, in both flavours. */
export const ALERT_GROUP = 'secrets-store-csi';

/** Prometheus's own series, one per target: 1 when the last scrape worked. */
export const SCRAPE_UP_SERIES = 'up';

/** The `job` label of a component's series: the PodMonitor sets it to the pods' `app` label. */
export function scrapeJob(component: AddonComponent): string {
  return ADDON_METRICS[component].appLabel;
}

const sel = (series: string, component: AddonComponent, extra = ''): string => `${series}{job="${scrapeJob(component)}"${extra}}`;

/**
 * Errors counted over `window`, including a counter's first appearance: the driver creates an
 * error series only at its first error, and `increase` needs two samples, so a pod's first
 * error would otherwise never alert (the series was absent before). `unless ... offset` keeps
 * the series that did not exist `window` ago, at their value.
 */
function newErrors(selector: string, by: string, window: string): string {
  return `sum by (${by}) (increase(${selector}[${window}]) or (${selector} unless ${selector} offset ${window})) > 0`;
}

const drv = ADDON_METRICS.driver;
const prov = ADDON_METRICS.provider;

/** The alerts, in a fixed order. */
export function secretDeliveryAlerts(t: AlertThresholds): SecretDeliveryAlert[] {
  const w = t.alertFor;
  const errors = errorWindow(t);
  const jobs = `${scrapeJob('driver')}|${scrapeJob('provider')}`;
  return [
    {
      alert: 'SecretsStoreMountErrors',
      expr: newErrors(sel('node_publish_error_total', 'driver'), 'provider, error_type', errors),
      for: w,
      severity: 'critical',
      summary: 'Secrets Store CSI mounts fail (node_publish_error_total rises, error_type {{ $labels.error_type }})',
      description:
        'Pods that mount a SecretProviderClass stay in ContainerCreating (FailedMount); on driver 1.6 a failed republish (rotation) counts here too. Fix: kubectl get events -A --field-selector reason=FailedMount, then kubectl -n kube-system logs -l app=secrets-store-provider-azure; run `aks-keyvault-csi verify <env>`.',
    },
    {
      alert: 'SecretsStoreRotationErrors',
      expr: newErrors(sel('rotation_reconcile_error_total', 'driver'), 'provider, error_type', errors),
      for: w,
      severity: 'warning',
      summary: 'Secret rotation fails (rotation_reconcile_error_total rises, error_type {{ $labels.error_type }})',
      description:
        'Mounted files keep old versions while Key Vault has new ones. Fix: read the driver logs (kubectl -n kube-system logs -l app=secrets-store-csi-driver -c secrets-store) for the object and the Key Vault answer (403: role or federated credential; 404: object name or version).',
    },
    {
      alert: 'KeyVaultRequestErrors',
      expr: newErrors(sel(`${prov.histograms[0]}_count`, 'provider', ', error!=""'), 'object_type, object_name', errors),
      for: w,
      severity: 'critical',
      summary: 'The Azure provider gets errors from Key Vault for {{ $labels.object_type }} {{ $labels.object_name }} (keyvault_request_count with error set)',
      description:
        'Fetches of this object fail: mounts and rotation of every pod that reads it fail too. Fix: kubectl -n kube-system logs -l app=secrets-store-provider-azure shows the error (403 Forbidden: the role assignment or the vault firewall; 404: the object name; 429: throttling, see the Key Vault throttling alert).',
    },
    {
      alert: 'KeyVaultRequestLatencyHigh',
      expr: `histogram_quantile(0.99, sum by (le) (rate(${sel(`${prov.histograms[0]}_bucket`, 'provider')}[${w}]))) > ${t.keyVaultLatencySeconds}`,
      for: w,
      severity: 'warning',
      summary: `Key Vault requests of the Azure provider are slow (keyvault_request 99th percentile above ${t.keyVaultLatencySeconds}s)`,
      description:
        'Slow fetches delay pod starts (each mount waits for every object) and can time out. Fix: look for throttling (HTTP 429) on the vault, the network path to it (private endpoint, DNS), and the number of objects per pod.',
    },
    {
      alert: 'SecretsStoreAddonPodDown',
      expr: `${SCRAPE_UP_SERIES}{job=~"${jobs}"} == 0`,
      for: w,
      severity: 'critical',
      summary: 'An add-on pod does not answer its metrics scrape (up == 0 for job {{ $labels.job }}, pod {{ $labels.pod }})',
      description:
        'The Secrets Store CSI driver or the Azure provider on that node is not running or not ready: pods on the node cannot mount Key Vault objects. Fix: kubectl -n kube-system get pods -l app={{ $labels.job }} -o wide, then describe the pod.',
    },
    {
      alert: 'SecretsStoreMetricsAbsent',
      expr: `absent(${SCRAPE_UP_SERIES}{job="${scrapeJob('driver')}"}) or absent(${SCRAPE_UP_SERIES}{job="${scrapeJob('provider')}"})`,
      for: w,
      severity: 'warning',
      summary: 'No add-on pod is scraped (no up series for the Secrets Store CSI driver or the Azure provider)',
      description: `The other alerts are blind. Fix: the PodMonitors in kube-system must be selected by your Prometheus (its podMonitorNamespaceSelector must include kube-system, its podMonitorSelector their labels), and the add-on must be enabled (pods labelled app=${drv.appLabel} and app=${prov.appLabel}); run \`aks-keyvault-csi verify <env>\`.`,
    },
  ];
}

/** The series names an expression selects (every selector in these expressions has braces). */
export function seriesIn(expr: string): string[] {
  return [...new Set([...expr.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\{/g)].map((m) => m[1]))];
}

/** Series an alert reads that neither the driver nor the provider exports (nor Prometheus itself): empty for a correct alert. */
export function unknownSeries(expr: string): string[] {
  const known = exportedSeriesNames();
  return seriesIn(expr).filter((s) => s !== SCRAPE_UP_SERIES && !known.has(s));
}

/** `5m` → `PT5M`: the ISO 8601 duration Azure Monitor rule groups take. */
export function isoDuration(prometheus: string): string {
  const m = /^([0-9]+)(s|m|h)$/.exec(prometheus);
  if (m === null)
    throw new Error(`isoDuration: "${prometheus}" is not a one-unit Prometheus duration (the schema's PROMETHEUS_DURATION_RULE lets none through; a bug)`);
  return `PT${m[1]}${m[2].toUpperCase()}`;
}
