/**
 * Per-workload checks: namespace, ServiceAccount, Deployment, pods, and what the driver
 * mounted for each pod (SecretProviderClassPodStatus). Pure: takes the API objects.
 */
import type { MountedObject, WorkloadModel } from '../lib/model';
import { CSI_DRIVER, REPUBLISH_FAILURE_SIGNALS, refreshPeriodSeconds, type RotationModel } from '../lib/csi-driver';
import { formatDuration } from '../lib/config/duration';
import { CLIENT_ID_ANNOTATION } from '../lib/azure';
import type { V1Deployment, V1Namespace, V1Pod, V1ServiceAccount } from './api-types';
import { clip, fail, pass, warn, type Finding, type Outcome } from './findings';
import type { SecretProviderClassPodStatus } from './types';

export function checkNamespace(namespace: string, ns: V1Namespace | undefined): Outcome {
  if (!ns) {
    return fail(
      'namespace',
      namespace,
      'namespace does not exist',
      'apply the rendered manifests (they include the Namespace unless output.namespaces is false), or create it',
    );
  }
  if (ns.status?.phase === 'Terminating' || ns.metadata?.deletionTimestamp) {
    return fail('namespace', namespace, 'namespace is being deleted (Terminating)', 'wait for the deletion to finish, then apply the rendered manifests again');
  }
  return pass('namespace', namespace, 'namespace exists');
}

export function checkServiceAccount(w: WorkloadModel, expectedClientId: string | undefined, sa: V1ServiceAccount | undefined): Outcome {
  const subject = `${w.namespace}/${w.serviceAccount}`;
  if (!sa) {
    return fail(
      'service-account',
      subject,
      'ServiceAccount does not exist: the pods cannot start, and the federated credential names it',
      'apply the rendered manifests',
    );
  }
  const found = sa.metadata?.annotations?.[CLIENT_ID_ANNOTATION];
  if (expectedClientId === undefined) {
    return warn(
      'service-account',
      subject,
      `ServiceAccount exists; no client id for workload "${w.name}" in the outputs to compare its ${CLIENT_ID_ANNOTATION} annotation with`,
      'deploy the stack and pass its outputs file with --outputs',
    );
  }
  if (found === undefined) {
    return fail(
      'service-account',
      subject,
      `annotation ${CLIENT_ID_ANNOTATION} is missing (expected ${expectedClientId})`,
      'apply the rendered manifests (the chart sets it from the outputs)',
    );
  }
  if (found.trim().toLowerCase() !== expectedClientId.toLowerCase()) {
    return fail(
      'service-account',
      subject,
      `annotation ${CLIENT_ID_ANNOTATION} is ${found} but the outputs say the identity's client id is ${expectedClientId}`,
      'render the manifests again from the current outputs and apply them: an identity re-created by Terraform gets a new client id',
    );
  }
  return pass('service-account', subject, `ServiceAccount exists with ${CLIENT_ID_ANNOTATION}=${found}`);
}

function condition(d: V1Deployment, type: string) {
  return (d.status?.conditions ?? []).find((c) => c.type === type);
}

/** Deployment exists, runs under the expected ServiceAccount, mounts the SPC read-only without subPath, and is available. */
export function checkDeployment(w: WorkloadModel, d: V1Deployment | undefined): Outcome[] {
  const subject = `${w.namespace}/${w.deployment}`;
  if (!d) return [fail('deployment', subject, 'Deployment does not exist', 'apply the rendered manifests')];
  const out: Outcome[] = [];
  const podSpec = d.spec?.template?.spec;
  const sa = podSpec?.serviceAccountName ?? 'default';
  if (sa !== w.serviceAccount) {
    out.push(
      fail(
        'deployment',
        subject,
        `pods run as ServiceAccount "${sa}" but the federated credential is for "${w.serviceAccount}": token exchange fails with AADSTS70021`,
        'apply the rendered manifests; do not change serviceAccountName by hand',
      ),
    );
  }
  const csi = (podSpec?.volumes ?? []).filter((v) => v.csi?.driver === CSI_DRIVER);
  const mine = csi.filter((v) => v.csi?.volumeAttributes?.['secretProviderClass'] === w.secretProviderClass);
  if (mine.length === 0) {
    out.push(
      fail(
        'deployment',
        subject,
        `no ${CSI_DRIVER} volume with secretProviderClass "${w.secretProviderClass}"${csi.length ? ` (found ${csi.map((v) => `"${v.csi?.volumeAttributes?.['secretProviderClass'] ?? ''}"`).join(', ')})` : ''}`,
        'apply the rendered manifests',
      ),
    );
  }
  for (const v of mine) {
    if (v.csi?.readOnly !== true) {
      out.push(
        fail(
          'deployment',
          subject,
          `CSI volume "${v.name}" is not readOnly: the driver rejects the mount ("Readonly is not true in request")`,
          'set readOnly: true on the volume (the rendered chart does)',
        ),
      );
    }
    for (const c of [...(podSpec?.containers ?? []), ...(podSpec?.initContainers ?? [])]) {
      for (const m of c.volumeMounts ?? []) {
        if (m.name === v.name && (m.subPath || m.subPathExpr)) {
          out.push(
            fail(
              'deployment',
              subject,
              `container "${c.name}" mounts volume "${v.name}" with subPath "${m.subPath || m.subPathExpr}": a subPath mount is never rotated`,
              'mount the whole volume and read the file under the mount path',
            ),
          );
        }
      }
    }
  }
  const want = d.spec?.replicas ?? 1;
  if (want === 0) {
    out.push(
      warn('deployment', subject, 'scaled to 0 replicas: nothing mounts the secrets, so mounts cannot be verified', 'scale the Deployment up to verify mounts'),
    );
    return out;
  }
  const available = condition(d, 'Available');
  const progressing = condition(d, 'Progressing');
  const ready = d.status?.readyReplicas ?? 0;
  if (available?.status === 'True' && ready >= want) {
    out.push(pass('deployment', subject, `Deployment available: ${ready}/${want} replicas ready`));
  } else if (progressing?.reason === 'ProgressDeadlineExceeded') {
    out.push(
      fail(
        'deployment',
        subject,
        `rollout stuck (ProgressDeadlineExceeded): ${ready}/${want} replicas ready${progressing.message ? `: ${clip(progressing.message)}` : ''}`,
        'see the pod and mount-event findings for the cause',
      ),
    );
  } else {
    out.push(
      fail(
        'deployment',
        subject,
        `not available: ${ready}/${want} replicas ready${available?.message ? ` (${clip(available.message)})` : ''}`,
        'see the pod and mount-event findings for the cause',
      ),
    );
  }
  return out;
}

/** Pods that belong to the Deployment (by its selector), excluding pods being deleted. */
export function podsOf(d: V1Deployment | undefined, pods: readonly V1Pod[]): V1Pod[] {
  const match = d?.spec?.selector?.matchLabels ?? {};
  const keys = Object.entries(match);
  if (keys.length === 0) return [];
  return pods.filter((p) => !p.metadata?.deletionTimestamp && keys.every(([k, v]) => p.metadata?.labels?.[k] === v));
}

export function isPodReady(p: V1Pod): boolean {
  return p.status?.phase === 'Running' && (p.status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

/** Every pod Running and Ready; a pod waiting in ContainerCreating usually waits for its CSI mount. */
export function checkPods(w: WorkloadModel, expectedReplicas: number, pods: readonly V1Pod[]): Outcome[] {
  if (pods.length === 0) {
    return expectedReplicas > 0
      ? [
          fail(
            'pods',
            `${w.namespace}/${w.deployment}`,
            'no pods found for the Deployment',
            'kubectl describe deployment and its ReplicaSet for quota or admission errors',
          ),
        ]
      : [];
  }
  return [...pods]
    .sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''))
    .map((p) => {
      const subject = `${w.namespace}/${p.metadata?.name ?? '?'}`;
      if (isPodReady(p)) return pass('pods', subject, 'Running and Ready');
      const waiting = (p.status?.containerStatuses ?? []).map((c) => c.state?.waiting).find((s) => s !== undefined);
      const terminated = (p.status?.containerStatuses ?? []).map((c) => c.state?.terminated).find((s) => s !== undefined);
      const phase = p.status?.phase ?? 'Unknown';
      let detail = phase;
      let fix = 'kubectl describe pod for details';
      if (waiting?.reason === 'ContainerCreating' || (phase === 'Pending' && !waiting)) {
        detail = `${phase}, ${waiting?.reason ?? 'not started'}`;
        fix = 'a pod stuck creating usually waits for its CSI mount: see the mount-event findings';
      } else if (waiting?.reason) {
        detail = `${phase}, ${waiting.reason}${waiting.message ? `: ${clip(waiting.message, 160)}` : ''}`;
        if (waiting.reason === 'CrashLoopBackOff') fix = 'the application exits: kubectl logs --previous; check that it reads the files under the mount path';
      } else if (terminated?.reason) {
        detail = `${phase}, ${terminated.reason}`;
      } else if (phase === 'Running') {
        detail = 'Running but not Ready';
        fix = 'the readiness probe fails: kubectl describe pod and kubectl logs';
      }
      return fail('pods', subject, detail, fix);
    });
}

/** The Azure provider's object id in SecretProviderClassPodStatus: `<objectType>/<objectName>` (with history, `<type>/<name>/<n>`). */
export function objectId(o: Pick<MountedObject, 'type' | 'name'>): string {
  return `${o.type}/${o.name}`;
}

/** The status object of a pod's mount of a SecretProviderClass. */
export function podStatusFor(statuses: readonly SecretProviderClassPodStatus[], podName: string, spcName: string): SecretProviderClassPodStatus | undefined {
  return statuses.find((s) => s.status?.podName === podName && s.status?.secretProviderClassName === spcName);
}

/** The version the driver recorded for an object in one status, or undefined when not recorded. */
export function mountedVersion(status: SecretProviderClassPodStatus | undefined, o: Pick<MountedObject, 'type' | 'name'>): string | undefined {
  const id = objectId(o);
  const entries = (status?.status?.objects ?? []).filter((x) => x.id === id || x.id?.startsWith(`${id}/`));
  const exact = entries.find((x) => x.id === id) ?? entries[0];
  return exact?.version || undefined;
}

/** The driver's rotation model (unknown when its version is) and `--rotation-poll-interval`. */
export interface RotationContext {
  readonly model?: RotationModel;
  readonly intervalSeconds: number;
}

/** What to do when pods mount different versions: wait one refresh, then look where the model reports failures. */
export function versionSpreadFix(rotation: RotationContext | undefined): string {
  if (rotation?.model === 'poll') {
    return `normal for up to one rotation interval (${formatDuration(rotation.intervalSeconds)}) after a new version; if it persists, a pod fails to rotate: see mount-event findings (MountRotationFailed)`;
  }
  if (rotation?.model === 'republish') {
    return `normal for up to ${formatDuration(refreshPeriodSeconds('republish', rotation.intervalSeconds).max)} after a new version (driver ≥ 1.6 refreshes at kubelet's republish once a mount is older than ${formatDuration(rotation.intervalSeconds)}); if it persists, a pod fails to refresh, which driver ≥ 1.6 records in no event: ${REPUBLISH_FAILURE_SIGNALS}`;
  }
  return `normal for up to one refresh after a new version; if it persists, a pod fails to rotate: see mount-event findings (MountRotationFailed on driver ≤ 1.5); driver ≥ 1.6 records no event: ${REPUBLISH_FAILURE_SIGNALS}`;
}

/** What one pod's status records for the workload's objects: versions by object id, and what is missing or off its pin. */
interface MountedVersions {
  /** `[<type>/<name>, version]` of each configured object the status records, in the workload's order. */
  readonly byObject: readonly (readonly [string, string])[];
  readonly missing: readonly string[];
  readonly wrongPin: readonly string[];
  /** `<file>@<version prefix>`, for the pass message. */
  readonly shown: readonly string[];
}

function mountedVersions(w: WorkloadModel, st: SecretProviderClassPodStatus): MountedVersions {
  const byObject: [string, string][] = [];
  const missing: string[] = [];
  const wrongPin: string[] = [];
  const shown: string[] = [];
  // The main class's objects: another vault's are mounted through a class of their own (additionalVaults).
  for (const o of w.mainObjects) {
    const v = mountedVersion(st, o);
    if (v === undefined) {
      missing.push(objectId(o));
      continue;
    }
    shown.push(`${o.fileName}@${v.slice(0, 8)}`);
    const pin = o.config.version;
    if (pin !== undefined && pin.toLowerCase() !== v.toLowerCase()) wrongPin.push(`${objectId(o)} is at ${v}, pinned ${pin}`);
    byObject.push([objectId(o), v]);
  }
  return { byObject, missing, wrongPin, shown };
}

/** The mounted-objects outcome of one ready pod, and the versions it mounts (undefined when it mounts none). */
function podMountOutcome(
  w: WorkloadModel,
  pod: string,
  st: SecretProviderClassPodStatus | undefined,
): { readonly outcome: Outcome; readonly versions?: MountedVersions } {
  const subject = `${w.namespace}/${pod}`;
  if (!st) {
    return {
      outcome: fail(
        'mounted-objects',
        subject,
        `no SecretProviderClassPodStatus for SecretProviderClass "${w.secretProviderClass}": the driver has no record of mounting it for this pod`,
        'check that the pod mounts the rendered CSI volume; on an old driver, upgrade the add-on (AKS keeps it current)',
      ),
    };
  }
  if (st.status?.mounted !== true) {
    return {
      outcome: fail('mounted-objects', subject, 'SecretProviderClassPodStatus says the volume is not mounted', 'see the mount-event findings for the cause'),
    };
  }
  const versions = mountedVersions(w, st);
  if (versions.missing.length > 0) {
    const finding = fail(
      'mounted-objects',
      subject,
      `mounted, but without ${versions.missing.join(', ')}: the pod runs with an older SecretProviderClass or the objects list drifted`,
      'apply the rendered SecretProviderClass and restart the pods (a changed SecretProviderClass applies at the next mount)',
    );
    return { outcome: finding, versions };
  }
  if (versions.wrongPin.length > 0) {
    return { outcome: fail('mounted-objects', subject, versions.wrongPin.join('; '), 'apply the rendered SecretProviderClass and restart the pods'), versions };
  }
  return { outcome: pass('mounted-objects', subject, `all ${w.mainObjects.length} objects mounted: ${versions.shown.join(', ')}`), versions };
}

/** One warning per object that the pods mount in different versions, by object id. */
function versionSpread(w: WorkloadModel, mounted: readonly (readonly [string, MountedVersions])[], rotation: RotationContext | undefined): Finding[] {
  const seen = new Map<string, Map<string, string[]>>(); // object id → version → pods
  for (const [pod, versions] of mounted) {
    for (const [id, v] of versions.byObject) {
      const byVersion = seen.get(id) ?? new Map<string, string[]>();
      byVersion.set(v, [...(byVersion.get(v) ?? []), pod]);
      seen.set(id, byVersion);
    }
  }
  return [...seen.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .filter(([, byVersion]) => byVersion.size > 1)
    .map(([id, byVersion]) => {
      const detail = [...byVersion.entries()].map(([v, ps]) => `${v.slice(0, 8)} in ${ps.join(', ')}`).join('; ');
      return warn('mounted-objects', `${w.namespace}/${w.secretProviderClass}`, `pods see different versions of ${id}: ${detail}`, versionSpreadFix(rotation));
    });
}

/**
 * For every ready pod: the driver's SecretProviderClassPodStatus says mounted, and lists every
 * configured object with a version (the pinned one, for pinned objects). Pods that see
 * different versions of one object are reported: rotation in progress, or a pod that fails to rotate.
 */
export function checkPodStatuses(
  w: WorkloadModel,
  pods: readonly V1Pod[],
  statuses: readonly SecretProviderClassPodStatus[],
  rotation?: RotationContext,
): Outcome[] {
  const out: Outcome[] = [];
  const mounted: [string, MountedVersions][] = []; // [pod, versions], in pod-name order
  for (const p of [...pods].filter(isPodReady).sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''))) {
    const pod = p.metadata?.name ?? '?';
    const { outcome, versions } = podMountOutcome(w, pod, podStatusFor(statuses, pod, w.secretProviderClass));
    out.push(outcome);
    if (versions) mounted.push([pod, versions]);
  }
  return [...out, ...versionSpread(w, mounted, rotation)];
}

/** File names `ls -1A` printed, without the driver's atomic-writer entries (`..data`, `..2024_...`). */
export function parseLsOutput(stdout: string): string[] {
  return stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('..'))
    .sort();
}

/** The names in one pod's mount path against the configured file names (names only, never contents). */
export function checkMountedFiles(w: WorkloadModel, pod: string, names: readonly string[]): Outcome {
  const subject = `${w.namespace}/${pod}:${w.config.deployment.mountPath}`;
  // Under deployment.mountPath: the environment vault's objects (another vault's are at its own mountPath).
  const expected = w.mainObjects.map((o) => o.fileName);
  const missing = expected.filter((f) => !names.includes(f));
  const extra = names.filter((n) => !expected.includes(n));
  if (missing.length > 0) {
    return fail(
      'mounted-files',
      subject,
      `missing ${missing.map((f) => JSON.stringify(f)).join(', ')} (found ${names.length ? names.map((f) => JSON.stringify(f)).join(', ') : 'nothing'})`,
      'the mount is stale or from another SecretProviderClass: apply the rendered manifests and restart the pod',
    );
  }
  if (extra.length > 0) {
    return warn(
      'mounted-files',
      subject,
      `all ${expected.length} files present, plus unexpected ${extra.map((f) => JSON.stringify(f)).join(', ')}`,
      'objects removed from the SecretProviderClass stay mounted until the pod restarts',
    );
  }
  return pass('mounted-files', subject, `files present: ${expected.map((f) => JSON.stringify(f)).join(', ')}`);
}

/** The container and path where a pod mounts the workload's SecretProviderClass volume. */
export function mountTarget(pod: V1Pod, spcName: string): { readonly container: string; readonly mountPath: string } | undefined {
  const spec = pod.spec;
  const volume = (spec?.volumes ?? []).find((v) => v.csi?.driver === CSI_DRIVER && v.csi.volumeAttributes?.['secretProviderClass'] === spcName);
  if (!volume) return undefined;
  for (const c of spec?.containers ?? []) {
    const m = (c.volumeMounts ?? []).find((vm) => vm.name === volume.name && !vm.subPath && !vm.subPathExpr);
    if (m) return { container: c.name, mountPath: m.mountPath };
  }
  return undefined;
}

/** `k=v,k2=v2` label selector of a Deployment's matchLabels, or undefined without any. */
export function labelSelectorOf(d: V1Deployment | undefined): string | undefined {
  const entries = Object.entries(d?.spec?.selector?.matchLabels ?? {}).sort(([a], [b]) => a.localeCompare(b));
  return entries.length ? entries.map(([k, v]) => `${k}=${v}`).join(',') : undefined;
}
