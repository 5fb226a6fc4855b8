/**
 * Facts about the Secrets Store CSI driver (kubernetes-sigs/secrets-store-csi-driver) and its
 * Azure provider (Azure/secrets-store-csi-driver-provider-azure) that the charts, the check and
 * verify share.
 */

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

/** A file name inside the CSI mount: one path element, no `/`, not `.` or `..`, at most 255 chars. */
export const MOUNT_FILE_NAME = /^(?!\.\.?$)[^/\0]{1,255}$/;

/** Keys the Azure provider reads in an `objects` element; anything else is silently ignored. */
export const KNOWN_OBJECT_KEYS = ['objectName', 'objectType', 'objectAlias', 'objectVersion', 'objectVersionHistory', 'objectFormat', 'objectEncoding', 'filePermission'] as const;

/** Secret types the driver can sync to (`secretObjects[].type`). */
export const SYNCED_SECRET_TYPES = ['Opaque', 'kubernetes.io/tls', 'kubernetes.io/dockerconfigjson', 'kubernetes.io/basic-auth', 'kubernetes.io/ssh-auth'] as const;
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
export const REPUBLISH_PERIOD_SECONDS = { min: KUBELET_SYNC_FREQUENCY_SECONDS, max: KUBELET_SYNC_FREQUENCY_SECONDS * (1 + KUBELET_RESYNC_JITTER_FACTOR) } as const;

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
