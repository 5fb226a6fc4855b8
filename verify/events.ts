/**
 * Decodes `FailedMount` (and rotation failure) events into known causes with fixes.
 * Pure: takes `CoreV1Event` objects as the API returns them.
 *
 * Which events exist depends on the driver's rotation model (lib/csi-driver.ts): driver ≤ 1.5
 * records `MountRotationFailed`/`SecretRotationFailed` when a rotation fails; driver ≥ 1.6 has no
 * rotation events, and kubelet records `FailedMount` only for mounts the driver fails (first
 * mounts; v1.6.0 masks failed refreshes on republish).
 *
 * The messages come from the kubelet wrapping the driver wrapping the Azure provider wrapping
 * Entra ID or Key Vault, so each cause is recognised by the most specific marker it carries
 * (an AADSTS code, a Key Vault inner error code, a driver phrase).
 */
import type { CoreV1Event, V1Pod } from './api-types';
import { clip, fail, warn, type Finding } from './findings';
import { WORKLOAD_IDENTITY_AUDIENCE } from '../lib/azure';
import { FAILED_MOUNT_REASON, ROTATION_COMPLETE_REASONS, ROTATION_FAILED_REASONS, type RotationModel } from '../lib/csi-driver';

/** Event reasons that carry mount or rotation failures, on any driver. */
export const MOUNT_FAILURE_REASONS = [FAILED_MOUNT_REASON, ...ROTATION_FAILED_REASONS] as const;

/** The failure reasons a driver of this rotation model records; all of them when the model is unknown. */
export function failureReasonsOf(model: RotationModel | undefined): readonly string[] {
  return model === 'republish' ? [FAILED_MOUNT_REASON] : MOUNT_FAILURE_REASONS;
}

export type CauseCode =
  | 'federated-credential-mismatch'
  | 'no-federated-credentials'
  | 'client-not-found'
  | 'token-expired'
  | 'tenant-not-found'
  | 'forbidden-by-rbac'
  | 'access-policy-denied'
  | 'forbidden-by-firewall'
  | 'forbidden-by-connection'
  | 'forbidden'
  | 'object-not-found'
  | 'throttled'
  | 'readonly-not-true'
  | 'spc-not-found'
  | 'driver-not-registered'
  | 'provider-not-running'
  | 'vault-dns'
  | 'missing-parameter'
  | 'objects-unparseable'
  | 'timeout'
  | 'unknown';

export interface MountCause {
  readonly code: CauseCode;
  /** What went wrong, in terms of the setup (may quote values extracted from the message). */
  readonly summary: string;
  readonly fix: string;
}

/** Values that let a decoded cause say which side is wrong. */
export interface DecodeContext {
  /** `system:serviceaccount:<ns>:<sa>` the federated credential must name. */
  readonly expectedSubject?: string;
  /** The cluster's OIDC issuer URL (from the outputs). */
  readonly expectedIssuer?: string;
  readonly vaultName?: string;
}

const PROPAGATION =
  'if the role assignment or federated credential was created in the last few minutes, wait: Azure takes minutes to propagate them, and the driver retries';

/**
 * One known cause: the marker that recognises it in a mount failure message, what it means for
 * the setup (`cause` may quote values the message carries) and the fix.
 */
interface KnownCause {
  readonly code: Exclude<CauseCode, 'unknown'>;
  readonly pattern: RegExp;
  readonly cause: string | ((message: string, ctx: DecodeContext) => string);
  readonly fix: string;
}

/** The first group of `pattern` in `message`, or undefined. */
function quoted(pattern: RegExp, message: string): string | undefined {
  return pattern.exec(message)?.[1];
}

/** AADSTS70021: which of issuer, subject and audience differ from what the environment expects. */
function federatedMismatch(m: string, ctx: DecodeContext): string {
  const issuer = quoted(/Assertion Issuer:\s*'([^']*)'/i, m);
  const subject = quoted(/Assertion Subject:\s*'([^']*)'/i, m);
  const audience = quoted(/Assertion Audience:\s*'([^']*)'/i, m);
  const parts: string[] = [];
  if (issuer !== undefined) {
    parts.push(
      ctx.expectedIssuer !== undefined && issuer !== ctx.expectedIssuer
        ? `the pod's token issuer is "${issuer}" but the outputs say the cluster issuer is "${ctx.expectedIssuer}"`
        : `token issuer "${issuer}"`,
    );
  }
  if (subject !== undefined) {
    parts.push(
      ctx.expectedSubject !== undefined && subject !== ctx.expectedSubject
        ? `the pod's token subject is "${subject}" but the environment expects "${ctx.expectedSubject}" (the pod runs under another ServiceAccount or namespace)`
        : `token subject "${subject}"`,
    );
  }
  if (audience !== undefined && audience !== WORKLOAD_IDENTITY_AUDIENCE) parts.push(`audience "${audience}" is not ${WORKLOAD_IDENTITY_AUDIENCE}`);
  return `Entra ID found no federated credential matching the pod's service-account token (AADSTS70021)${parts.length ? `: ${parts.join('; ')}` : ''}`;
}

/**
 * The known causes, most specific marker first: an AADSTS code, a Key Vault inner error code,
 * then the generic status codes and driver phrases that wrap them.
 */
const KNOWN_CAUSES: readonly KnownCause[] = [
  {
    code: 'federated-credential-mismatch',
    pattern: /AADSTS70021\b|AADSTS700213\b|No matching federated identity record/i,
    cause: federatedMismatch,
    fix: `the identity's federated credential must have issuer = the cluster's OIDC issuer URL exactly (trailing slash included), subject = system:serviceaccount:<namespace>:<serviceaccount> of the pod, audience ${WORKLOAD_IDENTITY_AUDIENCE}; apply the stack so both come from the same model; ${PROPAGATION}`,
  },
  {
    code: 'no-federated-credentials',
    pattern: /AADSTS70025\b|has no configured federated identity credentials/i,
    cause: 'the identity named by the SecretProviderClass clientID has no federated credentials (AADSTS70025)',
    fix: `apply the stack (it creates one federated credential per ServiceAccount), and check that the SecretProviderClass clientID is the client id of that identity; ${PROPAGATION}`,
  },
  {
    code: 'client-not-found',
    pattern: /AADSTS700016\b|Application with identifier .* was not found/i,
    cause: 'Entra ID does not know the clientID in the SecretProviderClass in this tenant (AADSTS700016)',
    fix: 'the SecretProviderClass clientID must be the client id (not the principal id) of the user-assigned identity, and tenantID its tenant: re-render the manifests from current Terraform outputs',
  },
  {
    code: 'token-expired',
    pattern: /AADSTS700024\b|not within its valid time range/i,
    cause: "the pod's service-account token was outside its validity window when exchanged (AADSTS700024)",
    fix: 'restart the pod to get a fresh projected token; if it keeps happening, check the node clocks and that the CSIDriver requests tokens (the add-on does this)',
  },
  {
    code: 'tenant-not-found',
    pattern: /AADSTS90002\b|AADSTS900023\b|Tenant '[^']*' not found/i,
    cause: 'the tenantID in the SecretProviderClass is not a tenant Entra ID knows (AADSTS90002)',
    fix: 'set tenantID to the tenant of the vault and identity: re-render the manifests from current Terraform outputs (tenantId)',
  },
  {
    code: 'forbidden-by-rbac',
    pattern: /ForbiddenByRbac|Caller is not authorized to perform action/i,
    cause: (m) => {
      const action = quoted(/Action:\s*'([^']+)'/i, m);
      return `Key Vault denied the identity by RBAC (ForbiddenByRbac)${action ? ` for ${action}` : ''}`;
    },
    fix: `grant the identity's principal id (not its client id) "Key Vault Secrets User" for secrets or "Key Vault Certificate User" for certs and keys, at the vault or the object: apply the stack; ${PROPAGATION}`,
  },
  {
    code: 'access-policy-denied',
    pattern: /does not have (secrets|keys|certificates) (get|list) permission/i,
    cause: 'the vault uses access policies and none grants the identity get permission',
    fix: 'switch the vault to RBAC authorization (rbac_authorization_enabled = true, what the stack creates) and grant the least-privilege role, or add an access policy with get permission for the identity',
  },
  {
    code: 'forbidden-by-firewall',
    pattern: /ForbiddenByFirewall|Client address is not authorized/i,
    cause: (m) => {
      const ip = quoted(/Client address:\s*([0-9a-fA-F.:]+)/i, m);
      return `the vault firewall rejected the request${ip ? ` from ${ip}` : ''} (ForbiddenByFirewall)`;
    },
    fix: 'allow the AKS node subnet in keyVault.networkAcls.virtualNetworkSubnetIds (with the Microsoft.KeyVault service endpoint on it), or reach the vault through a private endpoint',
  },
  {
    code: 'forbidden-by-connection',
    pattern: /ForbiddenByConnection|Public network access is disabled/i,
    cause: 'public network access to the vault is disabled and the request did not come through a private endpoint (ForbiddenByConnection)',
    fix: 'create a private endpoint for the vault in a network the nodes reach, with the privatelink.vaultcore.azure.net DNS zone linked, or set keyVault.publicNetworkAccess: true with a firewall rule',
  },
  {
    code: 'forbidden',
    pattern: /StatusCode=403|Status=403|\b403 Forbidden\b/i,
    cause: 'Key Vault answered 403 Forbidden',
    fix: `check the identity's role assignments on the vault and the vault firewall; ${PROPAGATION}`,
  },
  {
    code: 'object-not-found',
    pattern: /(Secret|Key|Certificate)NotFound|was not found in this key vault|StatusCode=404/i,
    cause: (m, ctx) => {
      const what = quoted(/objectName:\s*([^,\s]+)/i, m) ?? quoted(/A (?:secret|key|certificate) with \(name\/id\) (\S+)/i, m);
      return `an object the SecretProviderClass lists does not exist in ${ctx.vaultName ? `vault "${ctx.vaultName}"` : 'the vault'}${what ? `: ${what}` : ''} (404)`;
    },
    fix: 'create the object, or fix its name and type in the environment file (a certificate is type cert, or type secret for its private key); a disabled or deleted object also answers 404',
  },
  {
    code: 'throttled',
    pattern: /StatusCode=429|Too Many Requests|\bThrottled\b/i,
    cause: 'Key Vault throttled the requests (429)',
    fix: "every pod fetches every object at each refresh (every rotation interval on driver ≤ 1.5, at most every max(interval, 60 s) on driver ≥ 1.6): lengthen cluster.secretsProvider.rotation.interval or reduce replicas × objects per vault (synth warns at half of Key Vault's limit)",
  },
  {
    code: 'readonly-not-true',
    pattern: /Readonly is not true in request/i,
    cause: 'the CSI volume is not read-only, and the driver rejects it',
    fix: 'set readOnly: true on the csi volume (the rendered chart does): re-apply the rendered manifests',
  },
  {
    code: 'spc-not-found',
    pattern: /SecretProviderClass[^"]*"[^"]*" not found|failed to get secretproviderclass/i,
    cause: (m) => {
      const name = quoted(/SecretProviderClass[^"]*"([^"]*)" not found/i, m);
      return `the SecretProviderClass${name ? ` "${name}"` : ''} the pod mounts does not exist in the pod's namespace`;
    },
    fix: 'apply the SecretProviderClass before the Deployment (e.g. an earlier Argo CD sync wave) in the same namespace; the kubelet retries the mount on its own',
  },
  {
    code: 'driver-not-registered',
    pattern: /not found in the list of registered CSI drivers/i,
    cause: 'the Secrets Store CSI driver is not registered on the node that runs the pod',
    fix: 'the driver DaemonSet pod on that node is missing or not ready: see the addon-daemonset finding; on a new node, wait for the DaemonSet pod to start',
  },
  {
    code: 'provider-not-running',
    pattern: /provider not found|failed to (?:connect|dial).*provider|azure\.sock/i,
    cause: 'the driver could not reach the Azure provider on the node',
    fix: 'the provider DaemonSet pod on that node is missing or not ready: see the addon-daemonset finding',
  },
  {
    code: 'vault-dns',
    pattern: /no such host/i,
    cause: (m) => `the node could not resolve ${quoted(/lookup ([^\s:]+)/i, m) ?? 'the vault host name'}`,
    fix: 'check keyvaultName in the SecretProviderClass and, with a private endpoint, that the privatelink.vaultcore.azure.net zone is linked to the cluster network',
  },
  {
    code: 'missing-parameter',
    pattern: /\b(keyvaultName|tenantI[dD]|objects) is not set\b/,
    cause: (m) => `the SecretProviderClass lacks the parameter ${quoted(/\b(keyvaultName|tenantI[dD]|objects) is not set\b/, m)!}`,
    fix: 're-apply the rendered SecretProviderClass (the chart sets keyvaultName, tenantID, clientID and objects)',
  },
  {
    code: 'objects-unparseable',
    pattern: /unmarshal (failed|objects)|failed to yaml unmarshal/i,
    cause: 'the provider could not parse the objects parameter of the SecretProviderClass',
    fix: 'generate objects from the environment file only (the chart does); do not edit the SecretProviderClass by hand',
  },
  {
    code: 'timeout',
    pattern: /context deadline exceeded|i\/o timeout|TLS handshake timeout/i,
    cause: 'the provider timed out reaching Entra ID or Key Vault',
    fix: 'check egress from the nodes to login.microsoftonline.com and <vault>.vault.azure.net (firewall, proxy, NSG, private DNS)',
  },
];

/** The known cause of one mount failure message: the first entry of KNOWN_CAUSES whose marker it carries. */
export function decodeMountFailure(message: string, ctx: DecodeContext = {}): MountCause {
  const known = KNOWN_CAUSES.find((k) => k.pattern.test(message));
  if (known === undefined) {
    return {
      code: 'unknown',
      summary: `unrecognised mount failure: ${clip(message, 200)}`,
      fix: 'kubectl describe pod <pod> and kubectl -n kube-system logs -l app=secrets-store-provider-azure for the full error',
    };
  }
  return { code: known.code, summary: typeof known.cause === 'string' ? known.cause : known.cause(message, ctx), fix: known.fix };
}

/** The time an event last happened: lastTimestamp, series, eventTime, firstTimestamp, creation. */
export function eventTime(e: CoreV1Event): number | undefined {
  const candidates = [e.lastTimestamp, e.series?.lastObservedTime, e.eventTime, e.firstTimestamp, e.metadata?.creationTimestamp];
  for (const c of candidates) {
    if (c === undefined || c === null) continue;
    const t = new Date(c).getTime();
    if (!Number.isNaN(t)) return t;
  }
  return undefined;
}

/** Default look-back for "recent" events: Kubernetes keeps events for one hour by default. */
export const RECENT_EVENTS_MS = 30 * 60 * 1000;

export interface EventScope {
  readonly namespace: string;
  /** Deployment name: events of pods named `<deployment>-...` that no longer exist are reported too. */
  readonly deployment: string;
  readonly pods: readonly V1Pod[];
  readonly now: number;
  /** Only events at or after this time. @default now - RECENT_EVENTS_MS */
  readonly since?: number;
  readonly context?: DecodeContext;
  /** The driver's rotation model (verify/addon.ts driverInfo). @default - unknown: events of both models */
  readonly model?: RotationModel;
}

function podReady(p: V1Pod): boolean {
  return p.status?.phase === 'Running' && (p.status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

/** When a ready pod became ready, when the API says. */
function readySince(p: V1Pod): number | undefined {
  const t = (p.status?.conditions ?? []).find((c) => c.type === 'Ready' && c.status === 'True')?.lastTransitionTime;
  if (t === undefined) return undefined;
  const ms = new Date(t).getTime();
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * One finding per pod and cause among recent mount-failure events of the reasons the driver's
 * rotation model records. A failure on a pod that is not ready now fails the check, and so does
 * a failure that keeps a running pod on old content: on driver ≤ 1.5 a rotation failure with no
 * later rotation-complete event; on driver ≥ 1.6 a `FailedMount` after the pod became ready (a
 * refresh on republish). A mount failure on a pod that has since become ready (transient,
 * typically propagation) or that no longer exists is a warning.
 */
export function checkMountEvents(events: readonly CoreV1Event[], scope: EventScope): Finding[] {
  const since = scope.since ?? scope.now - RECENT_EVENTS_MS;
  const reasons = failureReasonsOf(scope.model);
  const pods = new Map(scope.pods.map((p) => [p.metadata?.name ?? '', p]));
  const groups = new Map<string, { pod: string; cause: MountCause; count: number; last: number; reason: string }>();
  for (const e of events) {
    if (!reasons.includes(e.reason ?? '')) continue;
    if (e.involvedObject?.kind !== 'Pod') continue;
    const pod = e.involvedObject.name ?? '';
    if (!pods.has(pod) && !pod.startsWith(`${scope.deployment}-`)) continue;
    if ((e.involvedObject.namespace ?? e.metadata?.namespace) !== scope.namespace) continue;
    const t = eventTime(e);
    if (t !== undefined && t < since) continue;
    const cause = decodeMountFailure(e.message ?? '', scope.context);
    const key = `${pod}\u0000${cause.code}`;
    const g = groups.get(key);
    const count = e.count ?? e.series?.count ?? 1;
    if (g) {
      g.count += count;
      g.last = Math.max(g.last, t ?? 0);
    } else {
      groups.set(key, { pod, cause, count, last: t ?? 0, reason: e.reason ?? '' });
    }
  }
  const completed = new Map<string, number>();
  for (const e of events) {
    if (!(ROTATION_COMPLETE_REASONS as readonly string[]).includes(e.reason ?? '')) continue;
    const pod = e.involvedObject?.name ?? '';
    completed.set(pod, Math.max(completed.get(pod) ?? 0, eventTime(e) ?? 0));
  }
  const out: Finding[] = [];
  for (const g of [...groups.values()].sort((a, b) => a.pod.localeCompare(b.pod) || a.cause.code.localeCompare(b.cause.code))) {
    const subject = `${scope.namespace}/${g.pod}`;
    const p = pods.get(g.pod);
    const times = g.count > 1 ? ` (${g.count} times)` : '';
    const rotation = g.reason !== FAILED_MOUNT_REASON;
    const ready = p ? readySince(p) : undefined;
    if (p && !podReady(p)) {
      out.push(fail('mount-event', subject, `${g.reason}${times}: ${g.cause.summary}`, g.cause.fix));
    } else if (p && rotation && (completed.get(g.pod) ?? -1) < g.last) {
      out.push(fail('mount-event', subject, `${g.reason}${times}: the pod runs but keeps the old content: ${g.cause.summary}`, g.cause.fix));
    } else if (p && !rotation && scope.model !== 'poll' && ready !== undefined && g.last > ready) {
      out.push(
        fail(
          'mount-event',
          subject,
          `${g.reason}${times} after the pod became ready: a refresh on kubelet's republish failed and the pod keeps the old content: ${g.cause.summary}`,
          g.cause.fix,
        ),
      );
    } else {
      const now = p ? 'the pod is ready now' : 'the pod no longer exists';
      out.push(warn('mount-event', subject, `${g.reason}${times} earlier, ${now}: ${g.cause.summary}`, g.cause.fix));
    }
  }
  return out;
}
