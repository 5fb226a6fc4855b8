/**
 * Facts about the Secrets Store CSI driver (kubernetes-sigs/secrets-store-csi-driver) and its
 * Azure provider (Azure/secrets-store-csi-driver-provider-azure) that the charts, the check and
 * verify share.
 */
import { firstBroken, predicateRule, utf8Length, type Rule } from './rule';

/** The CSI driver's registered name (the volume's `csi.driver`). */
export const CSI_DRIVER = 'secrets-store.csi.k8s.io';
/** API version of SecretProviderClass served by driver v1.x (v1alpha1 is deprecated). */
export const SPC_API_VERSION = 'secrets-store.csi.x-k8s.io/v1';
/** The only CSI volume attribute a user sets; every other attribute overrides an SPC parameter. */
export const SPC_VOLUME_ATTRIBUTE = 'secretProviderClass';
/** `spec.provider` of a SecretProviderClass for Key Vault. */
export const AZURE_PROVIDER = 'azure';

/** Object types of the Azure provider (case-sensitive). */
export const OBJECT_TYPES = ['secret', 'key', 'cert'] as const;
export type ObjectType = (typeof OBJECT_TYPES)[number];

const AZURE_VALIDATE_FILE_NAME = 'Azure/secrets-store-csi-driver-provider-azure pkg/provider/validate.go (validateFileName)';
const DRIVER_VALIDATE_PATH = 'kubernetes-sigs/secrets-store-csi-driver pkg/util/fileutil/atomic_writer.go (validatePath)';

/** The longest path element the driver writes (bytes), and the longest path. */
export const MAX_FILE_NAME_BYTES = 255;
export const MAX_PATH_BYTES = 4096;

/**
 * What the Azure provider and the driver accept as a path inside the mount (an objectAlias, or
 * the objectName when there is none), in the order they check. A hand-written SecretProviderClass
 * may use nested paths (`dir/file`).
 */
export const MOUNT_PATH_RULES: readonly Rule<string>[] = [
  predicateRule('mounted file name', (v) => v.trim() !== '', 'must not be empty', AZURE_VALIDATE_FILE_NAME),
  predicateRule('mounted file name', (v) => !v.startsWith('/'), 'must be a relative path (no leading "/")', AZURE_VALIDATE_FILE_NAME),
  predicateRule(
    'mounted file name',
    (v) => !v.includes('..'),
    'must not contain ".." anywhere (the provider refuses "db..password" too)',
    `${AZURE_VALIDATE_FILE_NAME}: strings.Contains(fileName, "..")`,
  ),
  predicateRule(
    'mounted file name',
    (v) => v.split('/').every((e) => utf8Length(e) <= MAX_FILE_NAME_BYTES),
    `must have path elements of at most ${MAX_FILE_NAME_BYTES} bytes (UTF-8; "é" counts 2)`,
    `${DRIVER_VALIDATE_PATH}: maxFileNameLength`,
  ),
  predicateRule(
    'mounted file name',
    (v) => utf8Length(v) <= MAX_PATH_BYTES,
    `must be at most ${MAX_PATH_BYTES} bytes long`,
    `${DRIVER_VALIDATE_PATH}: maxPathLength`,
  ),
];

/**
 * A file name this project mounts (`objects[].alias`): the rules above, and one path element
 * (nested names would meet the `<alias>/<n>` folders of a version history), not ".", and
 * written as the provider reads it (it trims surrounding whitespace).
 */
export const MOUNT_FILE_NAME_RULES: readonly Rule<string>[] = [
  ...MOUNT_PATH_RULES,
  predicateRule(
    'mounted file name',
    (v) => !v.includes('/') && v !== '.',
    'must be one file name: no "/" and not "."',
    `${DRIVER_VALIDATE_PATH} (a nested name is a folder); project rule`,
  ),
  predicateRule(
    'mounted file name',
    (v) => v === v.trim() && !v.includes('\0'),
    'must not start or end with whitespace (the provider trims it)',
    'Azure/secrets-store-csi-driver-provider-azure pkg/provider/provider.go (formatKeyVaultObject trims every field)',
  ),
];

/** The first rule a mounted path breaks, or undefined. */
export function mountPathProblem(path: string, rules: readonly Rule<string>[] = MOUNT_PATH_RULES): Rule<string> | undefined {
  return firstBroken(path, rules);
}

/** For JSON Schema: the shape of a mounted file name (the byte limit is checked by the rules). */
export const MOUNT_FILE_NAME = /^(?!\s)(?!.*\.\.)(?!.*\s$)(?!\.$)[^/\0]{1,255}$/;

/**
 * The files an object writes into the mount: its file name, or with a version history above 1,
 * `<file>/0` (the current version), `<file>/1`, ... `<file>/<n-1>`, and no `<file>` file. Fewer
 * exist while the object has fewer versions.
 */
export function filesWritten(file: string, versionHistory: number | undefined): string[] {
  const n = versionHistory ?? 1;
  return n > 1 ? Array.from({ length: n }, (_, i) => `${file}/${i}`) : [file];
}

/**
 * `secretObjects[].data[].objectName` must name a file the mount holds. The driver walks the
 * mount recursively, so `<alias>/0` of a version history syncs; `<alias>` itself never exists.
 */
export const SECRET_OBJECT_FILE_RULE = predicateRule<{ readonly objectName: string; readonly files: ReadonlySet<string> }>(
  'secretObjects objectName',
  ({ objectName, files }) => files.has(objectName),
  'name a file the mount holds: the alias when one is set, else the object name; with a version history above 1, "<alias>/0" (the current version)',
  'kubernetes-sigs/secrets-store-csi-driver pkg/util/secretutil/secret.go (GetSecretData: "file matching objectName ... not found"), pkg/util/fileutil/filesystem.go (GetMountedFiles); Azure/secrets-store-csi-driver-provider-azure pkg/provider/provider.go (getLatestNKeyVaultObjects writes <alias>/<n>)',
);

/**
 * A `kubernetes.io/tls` Secret takes only `tls.crt` and `tls.key`: the driver extracts the
 * certificate or the key from the PEM file by key and fails the sync for any other key.
 */
export const TLS_SECRET_KEYS = ['tls.crt', 'tls.key'] as const;
export const TLS_SECRET_KEY_RULE = predicateRule(
  'kubernetes.io/tls key',
  (v: string) => (TLS_SECRET_KEYS as readonly string[]).includes(v),
  'a kubernetes.io/tls Secret takes only the keys "tls.crt" and "tls.key"',
  "kubernetes-sigs/secrets-store-csi-driver pkg/util/secretutil/secret.go (GetCertPart: \"Only 'tls.key' and 'tls.crt' are supported\")",
);

/** The label the driver sets on every Secret it syncs (and overwrites if given). */
export const DRIVER_MANAGED_LABEL = 'secrets-store.csi.k8s.io/managed';

/** Keys the Azure provider reads in an `objects` element; anything else is silently ignored. */
export const KNOWN_OBJECT_KEYS = [
  'objectName',
  'objectType',
  'objectAlias',
  'objectVersion',
  'objectVersionHistory',
  'objectFormat',
  'objectEncoding',
  'filePermission',
] as const;

/** Secret types the driver can sync to (`secretObjects[].type`). */
export const SYNCED_SECRET_TYPES = [
  'Opaque',
  'kubernetes.io/tls',
  'kubernetes.io/dockerconfigjson',
  'kubernetes.io/basic-auth',
  'kubernetes.io/ssh-auth',
] as const;
export type SyncedSecretType = (typeof SYNCED_SECRET_TYPES)[number];

/** The driver's default `--rotation-poll-interval` (the AKS add-on's `secret_rotation_interval`). */
export const DEFAULT_ROTATION_INTERVAL = '2m';

// ---------------------------------------------------------------------------------------------
// Rotation: two models, told apart by the driver's version (its image tag)

/**
 * How the driver refreshes mounted content.
 * - `poll` (driver ≤ 1.5): a rotation reconciler on each node refetches every mounted object of
 *   every pod every `--rotation-poll-interval`, and records failures as pod events
 *   (`MountRotationFailed`, `SecretRotationFailed`).
 * - `republish` (driver ≥ 1.6): the CSIDriver sets `requiresRepublish: true`; kubelet calls
 *   NodePublishVolume for every mounted pod at each pod resync, and the driver refetches only when
 *   the mount is older than `--rotation-poll-interval` (now a minimum age, not a period). The
 *   reconciler and its events are gone; a failed refetch on republish is masked (the driver
 *   answers success, so kubelet records no event) and leaves SecretProviderClassPodStatus at the
 *   old versions.
 * @see kubernetes-sigs/secrets-store-csi-driver v1.5.6 pkg/rotation/reconciler.go (Run: time.NewTicker(rotationPollInterval); generateEvent)
 * @see kubernetes-sigs/secrets-store-csi-driver v1.6.0 pkg/secrets-store/nodeserver.go (NodePublishVolume: rotationCacheDuration, isErrorMasked "until fix available for kubernetes/kubernetes#121271")
 * @see kubernetes-sigs/secrets-store-csi-driver v1.6.0 docs/book/src/topics/secret-auto-rotation.md
 */
export type RotationModel = 'poll' | 'republish';

/** The first driver release that rotates through kubelet's republish (commit cb42789f, #1622). */
export const REPUBLISH_ROTATION_SINCE = { major: 1, minor: 6 } as const;

/** Event reasons the driver ≤ 1.5 records on a pod for rotation failures and successes (pkg/rotation/reconciler.go). */
export const ROTATION_FAILED_REASONS = ['MountRotationFailed', 'SecretRotationFailed'] as const;
export const ROTATION_COMPLETE_REASONS = ['MountRotationComplete', 'SecretRotationComplete'] as const;
/** The kubelet's event reason for a failed NodePublishVolume (every driver version, first mounts). */
export const FAILED_MOUNT_REASON = 'FailedMount';

/**
 * kubelet resyncs each pod every `--sync-frequency` (default 1m) plus a random jitter of up to
 * half of it, and each resync republishes the pod's `requiresRepublish` volumes: 60-90 s apart.
 * @see kubernetes/kubernetes pkg/kubelet/pod_workers.go (workerResyncIntervalJitterFactor = 0.5)
 * @see https://kubernetes.io/docs/reference/config-api/kubelet-config.v1beta1/ (syncFrequency, default 1m)
 */
export const KUBELET_SYNC_FREQUENCY_SECONDS = 60;
export const KUBELET_RESYNC_JITTER_FACTOR = 0.5;
export const REPUBLISH_PERIOD_SECONDS = {
  min: KUBELET_SYNC_FREQUENCY_SECONDS,
  max: KUBELET_SYNC_FREQUENCY_SECONDS * (1 + KUBELET_RESYNC_JITTER_FACTOR),
} as const;

/**
 * kubelet retries a failed volume operation (a mount that the driver fails) with exponential
 * backoff from 500 ms, doubling up to this cap: a mount that keeps failing fails again at least
 * this often.
 * @see kubernetes/kubernetes pkg/util/goroutinemap/exponentialbackoff/exponential_backoff.go (maxDurationBeforeRetry = 2 * time.Minute)
 */
export const KUBELET_VOLUME_RETRY_MAX_SECONDS = 120;

/** A driver release as its image tag names it (`v1.5.3`, `v1.6.0-rc.1`). */
export interface DriverVersion {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  /** The tag as written in the image reference. */
  readonly tag: string;
}

/**
 * The version in a driver image reference (`mcr.microsoft.com/oss/v2/kubernetes-csi/secrets-store/driver:v1.5.3`,
 * `...:v1.6.0-rc.1`, `...:v1.5.3@sha256:...`), or undefined when the tag is absent or not a
 * version (a digest only, `latest`). A missing patch counts as 0.
 */
export function parseDriverVersion(image: string): DriverVersion | undefined {
  const withoutDigest = image.split('@')[0] ?? '';
  const lastSlash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.indexOf(':', lastSlash + 1);
  if (colon < 0) return undefined;
  const tag = withoutDigest.slice(colon + 1);
  const m = /^v?(\d{1,4})\.(\d{1,4})(?:\.(\d{1,6}))?(?:[-+][0-9A-Za-z.+-]*)?$/.exec(tag);
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3] ?? 0), tag };
}

/** The rotation model of a driver release. Pre-releases of 1.6 (`v1.6.0-rc.1`) count as 1.6. */
export function rotationModelOf(version: Pick<DriverVersion, 'major' | 'minor'>): RotationModel {
  const { major, minor } = REPUBLISH_ROTATION_SINCE;
  return version.major > major || (version.major === major && version.minor >= minor) ? 'republish' : 'poll';
}

/**
 * Seconds between two refetches of a mount under each model, given `--rotation-poll-interval`:
 * `poll` refetches every interval; `republish` at the first republish (60-90 s apart) after the
 * mount became older than the interval, so never sooner than max(interval, 60 s) and at most
 * 90 s (interval ≤ 60 s) or interval + 90 s later.
 */
export function refreshPeriodSeconds(model: RotationModel, intervalSeconds: number): { readonly min: number; readonly max: number } {
  if (model === 'poll') return { min: intervalSeconds, max: intervalSeconds };
  const { min, max } = REPUBLISH_PERIOD_SECONDS;
  return { min: Math.max(intervalSeconds, min), max: intervalSeconds <= min ? max : intervalSeconds + max };
}

/** One sentence per model, for messages. */
export const ROTATION_MODEL_SUMMARY: Record<RotationModel, string> = {
  poll: 'rotation polls Key Vault every --rotation-poll-interval and failures are MountRotationFailed/SecretRotationFailed events (driver ≤ 1.5)',
  republish: `rotation rides on kubelet's republish every ${REPUBLISH_PERIOD_SECONDS.min}-${REPUBLISH_PERIOD_SECONDS.max} s and --rotation-poll-interval is a minimum age; a failed refetch raises no event and leaves SecretProviderClassPodStatus at the old version (driver ≥ 1.6)`,
};

/** Where a failed refetch shows on driver ≥ 1.6, which records no event for it (nodeserver.go, stats_reporter.go). */
export const REPUBLISH_FAILURE_SIGNALS =
  'the driver logs "failed to mount secrets store object content" with isRemountRequest=true (kubectl -n kube-system logs -l app=secrets-store-csi-driver -c secrets-store), and its metric rotation_reconcile_error_total{rotated="true"} (port 8095) grows';

// --- Metrics of the add-on's pods (issue 15: observability of secret delivery) ---

const DRIVER_STATS = 'kubernetes-sigs/secrets-store-csi-driver v1.6.0 pkg/secrets-store/stats_reporter.go (NewStatsReporter)';
const DRIVER_EXPORTER =
  'kubernetes-sigs/secrets-store-csi-driver v1.6.0 pkg/metrics/prometheus_exporter.go (initPrometheusExporter: the OpenTelemetry Prometheus exporter appends _total to counters; the histograms carry no unit, so no unit suffix)';
const PROVIDER_STATS =
  'Azure/secrets-store-csi-driver-provider-azure pkg/metrics/stats_reporter.go (NewStatsReporter; ReportKeyvaultRequest: error="" on success)';

/**
 * A pod of the add-on that serves Prometheus metrics: the label its DaemonSet's pods carry in
 * `kube-system` (no Service fronts them: scrape with a PodMonitor), the port and path, and the
 * series names on the wire. The upstream manifests name the port `metrics`; the AKS add-on's
 * manifests are not public, so scrape configs name the port by number.
 */
export interface AddonMetricsEndpoint {
  readonly component: string;
  /** Value of the pods' `app` label in the AKS add-on. */
  readonly appLabel: string;
  readonly port: number;
  readonly path: string;
  /** Counters, as exported (with `_total`). */
  readonly counters: readonly string[];
  /** Histograms, base names (`<name>_bucket`, `_sum` and `_count` on the wire). */
  readonly histograms: readonly string[];
  readonly source: string;
}

/** Label key that tells the add-on's pods apart. */
export const ADDON_APP_LABEL = 'app';

/** The two scraped components. A driver pod exports a series only after it has done that work (the first mount, the first error). */
export const ADDON_METRICS = {
  driver: {
    component: 'Secrets Store CSI driver',
    appLabel: 'secrets-store-csi-driver',
    port: 8095,
    path: '/metrics',
    counters: [
      'node_publish_total',
      'node_publish_error_total',
      'node_unpublish_total',
      'node_unpublish_error_total',
      'rotation_reconcile_total',
      'rotation_reconcile_error_total',
      'sync_k8s_secret_total',
    ],
    histograms: ['rotation_reconcile_duration_sec', 'k8s_secret_duration_sec'],
    source: `${DRIVER_STATS}; ${DRIVER_EXPORTER}; cmd/secrets-store-csi-driver/main.go (--metrics-addr default ":8095")`,
  },
  provider: {
    component: 'Azure Key Vault provider',
    appLabel: 'secrets-store-provider-azure',
    port: 8898,
    path: '/metrics',
    counters: [],
    histograms: ['keyvault_request', 'grpc_request'],
    source: `${PROVIDER_STATS}; cmd/main.go (--prometheus-port default 8898)`,
  },
} as const satisfies Record<string, AddonMetricsEndpoint>;

export type AddonComponent = keyof typeof ADDON_METRICS;

/** Every series name the driver and the provider put on the wire (histograms with their three suffixes). */
export function exportedSeriesNames(): ReadonlySet<string> {
  const names = new Set<string>();
  for (const e of Object.values(ADDON_METRICS) as AddonMetricsEndpoint[]) {
    for (const c of e.counters) names.add(c);
    for (const h of e.histograms) for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${h}${suffix}`);
  }
  return names;
}

/**
 * Names the driver's old docs give that never reach the wire (the OpenTelemetry exporter puts
 * `_total` at the end), with what to use instead: a hand-written rule on the old name never fires.
 * @see kubernetes-sigs/secrets-store-csi-driver docs/book/src/topics/metrics.md (the `total_*` table), issue #1937
 */
export const OLD_DOC_SERIES: Readonly<Record<string, string>> = {
  total_node_publish: 'node_publish_total',
  total_node_unpublish: 'node_unpublish_total',
  total_node_publish_error: 'node_publish_error_total',
  total_node_unpublish_error: 'node_unpublish_error_total',
  total_sync_k8s_secret: 'sync_k8s_secret_total',
  total_rotation_reconcile: 'rotation_reconcile_total',
  total_rotation_reconcile_error: 'rotation_reconcile_error_total',
  sync_k8s_secret_duration_sec_bucket: 'k8s_secret_duration_sec_bucket',
  sync_k8s_secret_duration_sec_sum: 'k8s_secret_duration_sec_sum',
  sync_k8s_secret_duration_sec_count: 'k8s_secret_duration_sec_count',
};
