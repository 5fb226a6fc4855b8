/**
 * The pure half of the rotation test: which object to rotate, how long to wait, what counts as
 * "rotated", how fast it was, and why it did not happen. The IO half (Key Vault write, polling
 * the cluster) lives in command.ts and feeds these functions plain data.
 */
import { formatDuration } from '../lib/config/duration';
import { REPUBLISH_FAILURE_SIGNALS, REPUBLISH_PERIOD_SECONDS, refreshPeriodSeconds, type RotationModel } from '../lib/csi-driver';
import { UserError } from '../lib/errors';
import type { EnvironmentModel, MountedObject, WorkloadModel } from '../lib/model';
import { formatSeconds, type RotationFlags } from './addon';
import type { SecretProperties } from './api-types';
import { fail, pass, warn, type Finding, type Outcome } from './findings';
import type { SecretProviderClassPodStatus } from './types';
import { mountedVersion, podStatusFor } from './workload';

/** Slack on top of two refresh periods: pod scheduling, provider calls and status writes. */
export const TIMEOUT_SLACK_SECONDS = 60;

/**
 * The longest a driver may take to mount a version written at any moment: its refresh period
 * (lib/csi-driver.ts refreshPeriodSeconds). Driver ≤ 1.5 (`poll`): one interval. Driver ≥ 1.6
 * (`republish`): the first republish after the mount is older than the interval, 90 s at most
 * with an interval up to 60 s, else interval + 90 s. Unknown: the longer, ≥ 1.6.
 */
export function expectedLatencySeconds(intervalSeconds: number, model?: RotationModel): number {
  return refreshPeriodSeconds(model ?? 'republish', intervalSeconds).max;
}

/**
 * How long to wait for a new version to show up, unless overridden: two refresh periods plus
 * slack, where a period is the interval on driver ≤ 1.5 and max(interval, 90 s) on driver ≥ 1.6
 * (and when the version is unknown).
 */
export function rotationTimeoutSeconds(intervalSeconds: number, overrideSeconds?: number, model?: RotationModel): number {
  if (overrideSeconds !== undefined) return overrideSeconds;
  const period = model === 'poll' ? intervalSeconds : Math.max(intervalSeconds, REPUBLISH_PERIOD_SECONDS.max);
  return Math.ceil(2 * period + TIMEOUT_SLACK_SECONDS);
}

/** How the driver refreshes, in words, for messages. */
function refreshWords(intervalSeconds: number, model: RotationModel | undefined): string {
  const interval = formatDuration(intervalSeconds);
  if (model === 'poll') return `driver polls every ${interval}`;
  if (model === 'republish') return `driver refreshes at kubelet's republish once the mount is older than ${interval}`;
  return `driver version unknown, interval ${interval}`;
}

/** How often to poll the cluster while waiting: a sixth of the interval, between 2 and 10 seconds. */
export function pollEverySeconds(intervalSeconds: number): number {
  return Math.min(10, Math.max(2, Math.round(intervalSeconds / 6)));
}

/** Latency within interval + this is "as configured": the driver's poll plus the provider round trip. */
export function latencyGraceSeconds(intervalSeconds: number): number {
  return pollEverySeconds(intervalSeconds) + 15;
}

export interface RotationTarget {
  readonly workload: WorkloadModel;
  readonly object: MountedObject;
}

/**
 * The workload and object to rotate, validated before anything is written: the object must be
 * a secret of that workload (by Key Vault name or mounted file name), not pinned, and rotation
 * must be on. Throws UserError (exit 2) otherwise.
 */
export function resolveRotationTarget(model: EnvironmentModel, workloadName: string, objectName: string): RotationTarget {
  const file = model.file;
  const workload = model.workloads.find((w) => w.name === workloadName);
  if (!workload) {
    throw UserError.of(
      file,
      'workloads',
      `no workload named ${JSON.stringify(workloadName)}: use one of ${model.workloads.map((w) => JSON.stringify(w.name)).join(', ')}`,
    );
  }
  const i = model.workloads.indexOf(workload);
  const object = workload.objects.find((o) => o.name === objectName) ?? workload.objects.find((o) => o.fileName === objectName);
  if (!object) {
    throw UserError.of(
      file,
      `workloads[${i}].objects`,
      `workload "${workload.name}" mounts no object ${JSON.stringify(objectName)}: use one of ${workload.objects.map((o) => JSON.stringify(o.name)).join(', ')}`,
    );
  }
  const j = workload.objects.indexOf(object);
  if (object.type !== 'secret') {
    throw UserError.of(
      file,
      `workloads[${i}].objects[${j}].type`,
      `object "${object.name}" is a ${object.type}: the rotation test writes a new secret version, so pick an object of type secret (ideally a dedicated test secret)`,
    );
  }
  if (object.vault !== model.config.keyVault.name) {
    // It writes through the outputs' keyVault.uri: an object of another vault would be created there instead.
    throw UserError.of(
      file,
      `workloads[${i}].objects[${j}].vault`,
      `object "${object.name}" is in vault "${object.vault}" (additionalVaults): the rotation test writes to the environment's vault (keyVault) only, so pick an object of keyVault`,
    );
  }
  if (object.config.version !== undefined) {
    throw UserError.of(
      file,
      `workloads[${i}].objects[${j}].version`,
      `object "${object.name}" is pinned to a version and never rotates: pick an unpinned object`,
    );
  }
  if (!model.config.cluster.secretsProvider.rotation.enabled) {
    throw UserError.of(
      file,
      'cluster.secretsProvider.rotation.enabled',
      'rotation is off in this environment, so nothing would change: enable it before testing rotation',
    );
  }
  return { workload, object };
}

/** The version Key Vault assigned to the value we just wrote. */
export function newVersionOf(props: Pick<SecretProperties, 'version' | 'id' | 'name'>): string {
  const v = props.version ?? props.id?.split('/').filter(Boolean).pop();
  if (!v) throw new Error(`Key Vault returned no version for secret ${props.name}`);
  return v;
}

export type ChangeState = 'unchanged' | 'rotated' | 'changed-elsewhere';

/** Has a pod's mounted version moved to ours? A move to any other version means someone else wrote the secret meanwhile. */
export function detectChange(before: string | undefined, current: string | undefined, newVersion: string): ChangeState {
  if (current !== undefined && current.toLowerCase() === newVersion.toLowerCase()) return 'rotated';
  if (current === undefined || before === undefined || current === before) return 'unchanged';
  return 'changed-elsewhere';
}

export interface PodObservation {
  readonly pod: string;
  /** Version mounted when the test started. */
  readonly before: string | undefined;
  /** Version mounted at the last poll. */
  readonly current: string | undefined;
  readonly state: ChangeState;
  /** Milliseconds since the new version was written, at the first poll that saw it. */
  readonly latencyMs?: number;
  /** The pod disappeared (restarted, rescheduled) during the test. */
  readonly gone?: boolean;
}

/** Baseline: the versions the ready pods mount before the new version is written. */
export function baselineObservations(
  pods: readonly string[],
  statuses: readonly SecretProviderClassPodStatus[],
  spcName: string,
  object: Pick<MountedObject, 'type' | 'name'>,
): PodObservation[] {
  return [...pods].sort().map((pod) => {
    const v = mountedVersion(podStatusFor(statuses, pod, spcName), object);
    return { pod, before: v, current: v, state: 'unchanged' as const };
  });
}

/** One poll: updates every tracked pod from the current statuses. Pods started after the write are not tracked (they mount the latest version anyway). */
export function updateObservations(
  previous: readonly PodObservation[],
  args: {
    readonly statuses: readonly SecretProviderClassPodStatus[];
    readonly livePods: readonly string[];
    readonly spcName: string;
    readonly object: Pick<MountedObject, 'type' | 'name'>;
    readonly newVersion: string;
    readonly elapsedMs: number;
  },
): PodObservation[] {
  return previous.map((o) => {
    if (o.gone || o.state === 'rotated') return o;
    if (!args.livePods.includes(o.pod)) return { ...o, gone: true };
    const current = mountedVersion(podStatusFor(args.statuses, o.pod, args.spcName), args.object);
    const state = detectChange(o.before, current, args.newVersion);
    return state === 'rotated' ? { ...o, current, state, latencyMs: args.elapsedMs } : { ...o, current, state };
  });
}

export interface HashObservation {
  readonly pod: string;
  readonly before?: string;
  readonly current?: string;
  readonly latencyMs?: number;
  /** Why hashing in the pod failed (no sha256sum in the image, exec forbidden...). */
  readonly error?: string;
}

/** Next hash observation after one poll. */
export function updateHash(previous: HashObservation, current: string | undefined, elapsedMs: number): HashObservation {
  if (previous.latencyMs !== undefined || previous.error !== undefined || current === undefined) return previous;
  if (previous.before !== undefined && current !== previous.before) return { ...previous, current, latencyMs: elapsedMs };
  return { ...previous, current };
}

/** `sha256sum` output: the 64-hex digest of its first line. */
export function parseSha256sum(stdout: string): string | undefined {
  return /^([0-9a-f]{64})\b/i.exec(stdout.trim())?.[1]?.toLowerCase();
}

/** Done when every tracked pod still present has mounted our version (and the file hash changed, when hashing). */
export function rotationComplete(observations: readonly PodObservation[], hash?: HashObservation): boolean {
  const live = observations.filter((o) => !o.gone);
  if (live.length === 0) return false;
  if (!live.every((o) => o.state === 'rotated')) return false;
  return hash === undefined || hash.error !== undefined || hash.latencyMs !== undefined;
}

/** Findings of a completed rotation: latency per pod against what the driver's rotation model leads to expect. */
export function evaluateRotation(args: {
  readonly namespace: string;
  readonly observations: readonly PodObservation[];
  readonly hash?: HashObservation;
  readonly intervalSeconds: number;
  readonly fileName: string;
  /** The driver's rotation model; unknown: the slower (driver ≥ 1.6). */
  readonly model?: RotationModel;
}): Outcome[] {
  const out: Outcome[] = [];
  const grace = latencyGraceSeconds(args.intervalSeconds);
  const bound = expectedLatencySeconds(args.intervalSeconds, args.model) + grace;
  for (const o of args.observations) {
    const subject = `${args.namespace}/${o.pod}`;
    if (o.gone && o.state !== 'rotated') {
      out.push(
        warn(
          'rotation',
          subject,
          'the pod went away during the test (restart or reschedule): its latency was not observed',
          're-run when the Deployment is stable',
        ),
      );
      continue;
    }
    if (o.latencyMs === undefined) continue;
    const s = o.latencyMs / 1000;
    const text = `new version ${(o.current ?? 'unknown').slice(0, 8)} mounted after ${s.toFixed(0)} s (${refreshWords(args.intervalSeconds, args.model)}; expected within ${formatSeconds(bound)})`;
    out.push(
      s <= bound
        ? pass('rotation', subject, text)
        : warn(
            'rotation',
            subject,
            `${text}: slower than the configured interval`,
            'the driver may be busy (many pods × objects per node) or Key Vault throttled: check kubectl -n kube-system logs -l app=secrets-store-csi-driver -c secrets-store',
          ),
    );
  }
  if (args.hash) {
    const subject = `${args.namespace}/${args.hash.pod}:${args.fileName}`;
    if (args.hash.error !== undefined) {
      out.push(
        warn(
          'rotation-file',
          subject,
          `could not hash the mounted file in the pod: ${args.hash.error}; relied on SecretProviderClassPodStatus only`,
          'use an image with sha256sum, or run without --exec',
        ),
      );
    } else if (args.hash.latencyMs !== undefined) {
      out.push(pass('rotation-file', subject, `file content changed after ${(args.hash.latencyMs / 1000).toFixed(0)} s (compared by SHA-256 inside the pod)`));
    }
  }
  return out;
}

/** What the command gathered after a rotation timed out (see diagnoseRotationTimeout). */
export interface RotationTimeout {
  readonly namespace: string;
  readonly timeoutSeconds: number;
  readonly expectedIntervalSeconds: number;
  readonly flags: RotationFlags | undefined;
  readonly observations: readonly PodObservation[];
  readonly hash?: HashObservation;
  readonly secret: Pick<SecretProperties, 'enabled' | 'notBefore' | 'expiresOn'>;
  readonly eventFindings: readonly Outcome[];
  readonly fileName: string;
  readonly nowMs: number;
  /** The driver's rotation model; unknown: both are considered. */
  readonly model?: RotationModel;
}

/** A timeout with what every cause reports against: the pods still there, those still waiting, the subject and the headline. */
interface TimedOut extends RotationTimeout {
  readonly live: readonly PodObservation[];
  readonly waiting: readonly PodObservation[];
  readonly subject: string;
  readonly headline: string;
}

const ROTATION = 'rotation';

/** Every pod present at the start went away. */
function podsGone(t: TimedOut): Finding[] {
  if (t.live.length > 0) return [];
  return [
    fail(ROTATION, t.namespace, 'every pod present at the start went away during the test: nothing left to observe', 're-run when the Deployment is stable'),
  ];
}

/** The driver's flags: unreadable, rotation off, or a refresh period longer than the wait. */
function driverFlags(t: TimedOut): Finding[] {
  if (t.flags === undefined)
    return [fail(ROTATION, t.subject, `${t.headline}; the driver's rotation flags could not be read`, 'see the rotation-flags finding')];
  if (!t.flags.enabled)
    return [
      fail(ROTATION, t.subject, `${t.headline}: the driver runs with rotation disabled`, 'enable rotation on the add-on (see the rotation-flags finding)'),
    ];
  if (minimumWaitSeconds(t.flags.intervalSeconds, t.model) > t.timeoutSeconds) {
    return [
      fail(
        ROTATION,
        t.subject,
        `${t.headline}: the ${refreshWords(t.flags.intervalSeconds, t.model)}, too long for this wait`,
        `re-run with a timeout of at least ${rotationTimeoutSeconds(t.flags.intervalSeconds, undefined, t.model)} s, or align the add-on's interval with the environment (${formatSeconds(t.expectedIntervalSeconds)})`,
      ),
    ];
  }
  return [];
}

function versionDisabled(t: TimedOut): Finding[] {
  if (t.secret.enabled !== false) return [];
  return [
    fail(
      ROTATION,
      t.subject,
      `${t.headline}: the new secret version is disabled in Key Vault`,
      'enable the version (az keyvault secret set-attributes --enabled true)',
    ),
  ];
}

function versionNotYetValid(t: TimedOut): Finding[] {
  if (t.secret.notBefore !== undefined && new Date(t.secret.notBefore).getTime() > t.nowMs) {
    return [
      fail(
        ROTATION,
        t.subject,
        `${t.headline}: the new version is not valid before ${new Date(t.secret.notBefore).toISOString()}`,
        'remove the not-before date of the secret',
      ),
    ];
  }
  return [];
}

/** Pods that moved to a version other than ours: someone else wrote the secret. */
function changedElsewhere(t: TimedOut): Finding[] {
  const elsewhere = t.live.filter((o) => o.state === 'changed-elsewhere');
  if (elsewhere.length === 0) return [];
  return [
    warn(
      ROTATION,
      t.subject,
      `pods ${elsewhere.map((o) => o.pod).join(', ')} moved to another version (${(elsewhere[0].current ?? 'unknown').slice(0, 8)}): someone else wrote the secret during the test`,
      'use a dedicated test secret and re-run',
    ),
  ];
}

/** The decoded rotation-failure events since the write, one failure each. */
function driverReported(t: TimedOut): Finding[] {
  return t.eventFindings
    .filter((f): f is Finding => f.severity !== 'ok')
    .map((f) => fail(ROTATION, f.where, `${t.headline}: the driver reported: ${f.message}`, f.fix));
}

/** Every pod mounts the new version but the hashed file did not change: the container reads a copy. */
function fileUnchanged(t: TimedOut): Finding[] {
  if (!t.hash || t.hash.error !== undefined || t.hash.latencyMs !== undefined || t.live.length === 0 || t.waiting.length > 0) return [];
  return [
    fail(
      'rotation-file',
      `${t.namespace}/${t.hash.pod}:${t.fileName}`,
      `the driver reports the new version but the file's SHA-256 did not change within ${t.timeoutSeconds} s`,
      'the container may see a copy (subPath mount, or an init container that copied the file): mount the volume itself and read the file under the mount path',
    ),
  ];
}

/** The causes a timeout can have, in the order they are reported. */
const TIMEOUT_CAUSES: readonly ((t: TimedOut) => Finding[])[] = [
  podsGone,
  driverFlags,
  versionDisabled,
  versionNotYetValid,
  changedElsewhere,
  driverReported,
  fileUnchanged,
];

/**
 * Why no new version showed up in time. Takes what the command gathered after the timeout:
 * the driver's rotation flags, the observations, the hash, the new version's properties, and
 * the decoded rotation-failure findings since the write.
 */
export function diagnoseRotationTimeout(args: RotationTimeout): Outcome[] {
  const live = args.observations.filter((o) => !o.gone);
  const waiting = live.filter((o) => o.state !== 'rotated');
  const subject = waiting.length === 1 ? `${args.namespace}/${waiting[0].pod}` : args.namespace;
  const headline = `no new version observed within ${args.timeoutSeconds} s in ${waiting.length}/${live.length} pods${waiting.length ? ` (${waiting.map((o) => o.pod).join(', ')})` : ''}`;
  const timedOut: TimedOut = { ...args, live, waiting, subject, headline };
  const causes = TIMEOUT_CAUSES.flatMap((cause) => cause(timedOut));
  if (causes.length === 0) causes.push(unexplained(timedOut));
  // Pods that did rotate are still worth reporting.
  const rotated = args.observations.filter((o) => o.state === 'rotated' && o.latencyMs !== undefined);
  return [
    ...rotated.map((o) => pass(ROTATION, `${args.namespace}/${o.pod}`, `new version mounted after ${((o.latencyMs ?? 0) / 1000).toFixed(0)} s`)),
    ...causes,
  ];
}

/** The wait below which a timeout says nothing: two polls (driver ≤ 1.5), or the worst first refresh (driver ≥ 1.6). */
function minimumWaitSeconds(intervalSeconds: number, model: RotationModel | undefined): number {
  return model === 'poll' ? 2 * intervalSeconds : expectedLatencySeconds(intervalSeconds, model);
}

/** The last cause: nothing seen explains the timeout; where to look depends on the driver. */
function unexplained(t: TimedOut): Finding {
  const intervalSeconds = t.flags?.intervalSeconds ?? t.expectedIntervalSeconds;
  const logs = 'kubectl -n kube-system logs -l app=secrets-store-csi-driver -c secrets-store --since=15m, and -l app=secrets-store-provider-azure';
  if (t.model === 'republish') {
    return fail(
      ROTATION,
      t.subject,
      `${t.headline}: driver ≥ 1.6 records no event when a refresh fails (it refreshes at kubelet's republish once a mount is older than ${formatSeconds(intervalSeconds)})`,
      `read the driver and provider logs on the pod's node: ${REPUBLISH_FAILURE_SIGNALS}`,
    );
  }
  if (t.model === 'poll') {
    return fail(
      ROTATION,
      t.subject,
      `${t.headline}, with rotation enabled every ${formatSeconds(intervalSeconds)} and no rotation-failure event`,
      `read the driver and provider logs on the pod's node: ${logs}`,
    );
  }
  return fail(
    ROTATION,
    t.subject,
    `${t.headline}, with rotation enabled (interval ${formatSeconds(intervalSeconds)}), no rotation-failure event, and an unknown driver version (driver ≥ 1.6 records none)`,
    `read the driver and provider logs on the pod's node: ${logs}`,
  );
}
