/**
 * Facts and rules of Kubernetes itself (apimachinery validation, the API server's checks of pods
 * and Secrets, Pod Security Standards) and of the Kubernetes tools we render objects for (Argo CD,
 * Flux, Stakater Reloader), shared by the schema, the charts, the check and verify.
 *
 * Each rule names the upstream function it restates, so a reader can hold one against the other.
 */
import { boundedPatternRule, patternRule, predicateRule, utf8Length, type Rule } from './rule';

const APIMACHINERY_VALIDATION = 'kubernetes/apimachinery pkg/util/validation/validation.go';
const APIMACHINERY_CONTENT = 'kubernetes/apimachinery pkg/api/validate/content/kube.go';
const CORE_VALIDATION = 'kubernetes/kubernetes pkg/apis/core/validation/validation.go';
const PSA_POLICY = 'kubernetes/pod-security-admission policy';

// ---------------------------------------------------------------------------------------------
// Names

export const DNS1123_LABEL_RULE = boundedPatternRule(
  'DNS-1123 label',
  /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/,
  63,
  'use a DNS-1123 label: lower-case letters, digits and "-", at most 63, starting and ending alphanumeric',
  `${APIMACHINERY_VALIDATION} (IsDNS1123Label)`,
);
/** DNS-1123 label: namespaces and most object names. */
export const DNS1123_LABEL = DNS1123_LABEL_RULE.pattern;

export const DNS1123_SUBDOMAIN_RULE = boundedPatternRule(
  'DNS-1123 subdomain',
  /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/,
  253,
  'use a DNS-1123 name: lower-case letters, digits, "-" and ".", at most 253',
  `${APIMACHINERY_VALIDATION} (IsDNS1123Subdomain)`,
);
/** DNS-1123 subdomain: ServiceAccount, Deployment, Secret names. */
export const DNS1123_SUBDOMAIN = DNS1123_SUBDOMAIN_RULE.pattern;

// ---------------------------------------------------------------------------------------------
// Labels and annotations

/** The name part of a qualified name (label key, annotation key). */
const QUALIFIED_NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

/** Kubernetes' "qualified name": an optional DNS-1123 subdomain prefix and "/", then a name of at most 63. */
function isQualifiedName(value: string): boolean {
  const parts = value.split('/');
  if (parts.length > 2) return false;
  const name = parts[parts.length - 1];
  if (parts.length === 2 && !DNS1123_SUBDOMAIN_RULE.test(parts[0])) return false;
  return name.length <= 63 && QUALIFIED_NAME_PART.test(name);
}

export const LABEL_KEY_RULE = predicateRule(
  'label key',
  isQualifiedName,
  'use a label key: an optional DNS-1123 prefix and "/" (e.g. "example.com/"), then a name of at most 63 letters, digits, "-", "_" or ".", starting and ending alphanumeric',
  `${APIMACHINERY_CONTENT} (IsLabelKey, called by IsQualifiedName)`,
);

export const LABEL_VALUE_RULE = boundedPatternRule(
  'label value',
  /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/,
  63,
  'use a label value of at most 63 letters, digits, "-", "_" or ".", starting and ending alphanumeric (or empty); quote numbers and booleans',
  `${APIMACHINERY_CONTENT} (IsLabelValue)`,
);

/** Annotation keys are qualified names compared in lower case (an upper-case prefix is allowed). */
export const ANNOTATION_KEY_RULE = predicateRule(
  'annotation key',
  (v: string) => isQualifiedName(v.toLowerCase()),
  'use an annotation key: an optional DNS prefix and "/" (e.g. "example.com/"), then a name of at most 63 letters, digits, "-", "_" or ".", starting and ending alphanumeric',
  'kubernetes/apimachinery pkg/api/validation/objectmeta.go (ValidateAnnotations)',
);

/** `TotalAnnotationSizeLimitB`: keys plus values of one object's annotations, in bytes. */
export const TOTAL_ANNOTATION_SIZE_LIMIT_BYTES = 256 * 1024;

/** Bytes the API server counts for a set of annotations (Go `len` of each key and value). */
export function annotationsSize(annotations: Readonly<Record<string, string>>): number {
  return Object.entries(annotations).reduce((n, [k, v]) => n + utf8Length(k) + utf8Length(v), 0);
}

export const ANNOTATIONS_SIZE_RULE = predicateRule<Readonly<Record<string, string>>>(
  'annotations',
  (a) => annotationsSize(a) <= TOTAL_ANNOTATION_SIZE_LIMIT_BYTES,
  `keep the annotations of one object (keys and values together) within ${TOTAL_ANNOTATION_SIZE_LIMIT_BYTES} bytes (256 KiB): move large values into a ConfigMap or a mounted file`,
  'kubernetes/apimachinery pkg/api/validation/objectmeta.go (ValidateAnnotationsSize, TotalAnnotationSizeLimitB)',
);

/**
 * The recommended name label, which our Deployments select their pods by.
 * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/common-labels/
 */
export const NAME_LABEL = 'app.kubernetes.io/name';

// ---------------------------------------------------------------------------------------------
// Containers

export const PORT_NAME_RULE = predicateRule(
  'port name',
  (v: string) => v.length >= 1 && v.length <= 15 && /^[-a-z0-9]+$/.test(v) && /[a-z]/.test(v) && !v.includes('--') && !v.startsWith('-') && !v.endsWith('-'),
  'use an IANA service name: at most 15 lower-case letters, digits and "-", with at least one letter, no "-" at either end and no "--"',
  `${APIMACHINERY_VALIDATION} (IsValidPortName)`,
);

/** One container's ports, as far as the uniqueness rules look at them. */
export interface PortLike {
  readonly containerPort: number;
  readonly name?: string | undefined;
  readonly protocol?: string | undefined;
}

/** Index of the first port that repeats an earlier one by `key`, and that earlier index. */
export function firstRepeat<T>(items: readonly T[], key: (item: T) => string | undefined): { readonly index: number; readonly first: number } | undefined {
  const seen = new Map<string, number>();
  for (const [index, item] of items.entries()) {
    const k = key(item);
    if (k === undefined) continue;
    const first = seen.get(k);
    if (first !== undefined) return { index, first };
    seen.set(k, index);
  }
  return undefined;
}

export const PORT_NAMES_UNIQUE_RULE = predicateRule<readonly PortLike[]>(
  'port names',
  (ports) => firstRepeat(ports, (p) => p.name) === undefined,
  'give each port of the container its own name',
  `${CORE_VALIDATION} (validateContainerPorts: field.Duplicate on ports[].name)`,
);

/**
 * Two ports with one containerPort and protocol: the API server only warns, but the ports list is
 * a map keyed by containerPort and protocol, so server-side apply (Flux, Argo CD with
 * ServerSideApply) rejects the object, and a Service cannot tell the two apart.
 */
export const PORT_NUMBERS_UNIQUE_RULE = predicateRule<readonly PortLike[]>(
  'ports',
  (ports) => firstRepeat(ports, (p) => `${p.containerPort}/${p.protocol ?? 'TCP'}`) === undefined,
  'list each containerPort and protocol once',
  'kubernetes/kubernetes pkg/api/pod/warnings.go (warningsForPodSpecAndMeta: "duplicate port definition"); kubernetes/api core/v1 types.go (Container.Ports +listMapKey=containerPort,protocol)',
);

export const ENV_VAR_NAME_RULE = predicateRule(
  'environment variable name',
  (v: string) => /^[-._a-zA-Z][-._a-zA-Z0-9]*$/.test(v) && v !== '.' && !v.startsWith('..'),
  'use letters, digits, "_", "-" and ".", not starting with a digit, not "." and not starting with ".."',
  `${APIMACHINERY_VALIDATION} (IsEnvVarName; Kubernetes 1.32+ relaxes it to printable ASCII without "=" behind RelaxedEnvironmentVariableValidation, GA in 1.34: we keep the rule every version accepts)`,
);
/** The shape of an environment variable name every supported Kubernetes version accepts (JSON Schema). */
export const ENV_VAR_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

export const ENV_VAR_NAMES_UNIQUE_RULE = predicateRule<readonly { readonly name: string }[]>(
  'environment variables',
  (vars) => firstRepeat(vars, (e) => e.name) === undefined,
  'set each environment variable once (a later entry silently wins)',
  'kubernetes/kubernetes pkg/api/pod/warnings.go (warningsForPodSpecAndMeta: "hides previous definition")',
);

/**
 * Absolute mount path without "..": where the container sees the CSI volume. Kubernetes only
 * requires a non-empty, unique path; a relative path or ".." lands somewhere other than the
 * value says, depending on the runtime.
 */
export const CONTAINER_MOUNT_PATH_RULE = predicateRule(
  'mount path',
  (v: string) => v.startsWith('/') && !v.split('/').includes('..') && !v.includes('\0') && !v.includes(':'),
  'use an absolute path without ".." or ":" such as "/mnt/secrets-store"',
  `${CORE_VALIDATION} (ValidateVolumeMounts; ":" is refused by validateVolumeMounts of the Windows-compatible API), project rule for absolute paths`,
);

/**
 * Linux capability names as the container runtime takes them (without `CAP_`), and `ALL`.
 * @see https://man7.org/linux/man-pages/man7/capabilities.7.html
 */
export const LINUX_CAPABILITIES = [
  'ALL',
  'AUDIT_CONTROL',
  'AUDIT_READ',
  'AUDIT_WRITE',
  'BLOCK_SUSPEND',
  'BPF',
  'CHECKPOINT_RESTORE',
  'CHOWN',
  'DAC_OVERRIDE',
  'DAC_READ_SEARCH',
  'FOWNER',
  'FSETID',
  'IPC_LOCK',
  'IPC_OWNER',
  'KILL',
  'LEASE',
  'LINUX_IMMUTABLE',
  'MAC_ADMIN',
  'MAC_OVERRIDE',
  'MKNOD',
  'NET_ADMIN',
  'NET_BIND_SERVICE',
  'NET_BROADCAST',
  'NET_RAW',
  'PERFMON',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYSLOG',
  'SYS_ADMIN',
  'SYS_BOOT',
  'SYS_CHROOT',
  'SYS_MODULE',
  'SYS_NICE',
  'SYS_PACCT',
  'SYS_PTRACE',
  'SYS_RAWIO',
  'SYS_RESOURCE',
  'SYS_TIME',
  'SYS_TTY_CONFIG',
  'WAKE_ALARM',
] as const;
export type LinuxCapability = (typeof LINUX_CAPABILITIES)[number];

export const CAPABILITY_RULE = predicateRule(
  'capability',
  (v: string) => (LINUX_CAPABILITIES as readonly string[]).includes(v),
  'use a Linux capability name in upper case without "CAP_", such as "ALL" or "NET_RAW" (Pod Security checks compare "ALL" exactly)',
  'man7 capabilities(7); kubernetes/pod-security-admission policy/check_capabilities_restricted.go (drop must include "ALL")',
);

/** `runAsUser` / `runAsGroup`: a Unix id. */
export const MAX_UNIX_ID = 0xffffffff;

// ---------------------------------------------------------------------------------------------
// Quantities (resources.requests / limits)

/**
 * The quantity grammar of `resource.ParseQuantity`: a signed decimal number, then a binary suffix
 * (Ki ... Ei), a decimal suffix (n u m "" k M G T P E) or an exponent (e3, E-2). Exponents are
 * limited to three digits here: larger ones are meaningless for CPU or memory.
 */
const QUANTITY = /^([+-]?)([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:(Ki|Mi|Gi|Ti|Pi|Ei)|[eE]([+-]?[0-9]{1,3})|([numkMGTPE]))?$/;
const BINARY_POWER: Record<string, number> = { Ki: 1, Mi: 2, Gi: 3, Ti: 4, Pi: 5, Ei: 6 };
const DECIMAL_EXPONENT: Record<string, number> = { n: -9, u: -6, m: -3, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const NANO = 1_000_000_000n;

/**
 * A quantity in nano-units, rounded up as the API server rounds (`Quantity` keeps nine decimal
 * places and rounds a non-zero remainder up), or undefined when `value` is not a quantity.
 */
export function quantityNanos(value: string): bigint | undefined {
  const m = QUANTITY.exec(value);
  if (!m) return undefined;
  const [, sign, number, binary, exponent, decimal] = m;
  const [whole, fraction = ''] = number.split('.');
  let num = BigInt(`${whole || '0'}${fraction}`) * NANO;
  let den = 10n ** BigInt(fraction.length);
  if (binary !== undefined) num *= 1024n ** BigInt(BINARY_POWER[binary]);
  const e = exponent !== undefined ? Number(exponent) : decimal !== undefined ? DECIMAL_EXPONENT[decimal] : 0;
  if (e >= 0) num *= 10n ** BigInt(e);
  else den *= 10n ** BigInt(-e);
  const nanos = (num + den - 1n) / den;
  return sign === '-' ? -nanos : nanos;
}

export const QUANTITY_RULE = patternRule(
  'quantity',
  QUANTITY,
  'use a Kubernetes quantity such as "250m", "0.5", "64Mi" or "1Gi"',
  'kubernetes/apimachinery pkg/api/resource/quantity.go (ParseQuantity)',
);

export const CPU_QUANTITY_RULE: Rule<string> = {
  ...QUANTITY_RULE,
  subject: 'CPU quantity',
  fix: 'use CPU units such as "50m", "0.5" or "2" (not negative)',
  source: `${QUANTITY_RULE.source}; ${CORE_VALIDATION} (ValidateResourceQuantityValue: not negative)`,
  test: (v) => (quantityNanos(v) ?? -1n) >= 0n,
};

export const MEMORY_QUANTITY_RULE: Rule<string> = {
  ...QUANTITY_RULE,
  subject: 'memory quantity',
  fix: 'use whole bytes with a unit such as "64Mi" or "1Gi" ("128m" means 0.128 bytes, not 128 MiB)',
  source: `${QUANTITY_RULE.source}; kubernetes/kubernetes pkg/api/pod/warnings.go (warningsForPodSpecAndMeta: "fractional byte value ... must be an integer")`,
  test: (v) => {
    const n = quantityNanos(v);
    return n !== undefined && n >= 0n && n % NANO === 0n;
  },
};

export const REQUEST_WITHIN_LIMIT_RULE = predicateRule<{ readonly request: string; readonly limit: string }>(
  'resource request',
  ({ request, limit }) => {
    const r = quantityNanos(request);
    const l = quantityNanos(limit);
    return r === undefined || l === undefined || r <= l;
  },
  'set the request at or below the limit (the API server refuses a request above its limit)',
  `${CORE_VALIDATION} (ValidateResourceRequirements: "must be less than or equal to ... limit")`,
);

// ---------------------------------------------------------------------------------------------
// Secrets (synced by the CSI driver through secretObjects)

export const SECRET_KEY_RULE = boundedPatternRule(
  'Secret key',
  /^(?!\.\.)(?!\.$)[-._a-zA-Z0-9]+$/,
  253,
  'use at most 253 letters, digits, "-", "_" or "." for a Secret key, not "." and not starting with ".."',
  `${APIMACHINERY_VALIDATION} (IsConfigMapKey, called by ValidateSecret)`,
);

/** Keys a Secret type must hold (any one of `anyOf`), as the API server checks them. */
export interface SecretTypeKeys {
  readonly anyOf: readonly string[];
  /** How the rule reads in a message. */
  readonly needs: string;
}

/** Per Secret type, the keys `ValidateSecret` requires; types not listed require none. */
export const SECRET_TYPE_REQUIRED_KEYS: Readonly<Record<string, readonly SecretTypeKeys[]>> = {
  'kubernetes.io/tls': [
    { anyOf: ['tls.crt'], needs: '"tls.crt"' },
    { anyOf: ['tls.key'], needs: '"tls.key"' },
  ],
  'kubernetes.io/basic-auth': [{ anyOf: ['username', 'password'], needs: '"username" or "password"' }],
  'kubernetes.io/ssh-auth': [{ anyOf: ['ssh-privatekey'], needs: '"ssh-privatekey"' }],
  'kubernetes.io/dockerconfigjson': [{ anyOf: ['.dockerconfigjson'], needs: '".dockerconfigjson" (holding the JSON of a Docker config)' }],
};

/** The required keys a Secret of `type` with `keys` lacks, as `needs` texts. */
export function missingSecretKeys(type: string, keys: Iterable<string>): string[] {
  const have = new Set(keys);
  return (SECRET_TYPE_REQUIRED_KEYS[type] ?? []).filter((r) => !r.anyOf.some((k) => have.has(k))).map((r) => r.needs);
}

export const SECRET_TYPE_KEYS_RULE = predicateRule<{ readonly type: string; readonly keys: readonly string[] }>(
  'Secret keys',
  ({ type, keys }) => missingSecretKeys(type, keys).length === 0,
  'add the keys the Secret type requires',
  `${CORE_VALIDATION} (ValidateSecret)`,
);

// ---------------------------------------------------------------------------------------------
// Namespaces and Pod Security

/**
 * The label the API server sets on every namespace, with the namespace's own name (Kubernetes ≥
 * 1.21): what a namespace selector names one namespace by.
 * @see https://kubernetes.io/docs/reference/labels-annotations-taints/#kubernetes-io-metadata-name
 */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/** Namespaces Kubernetes and AKS own: never rendered as Namespace objects or labelled. */
export const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'] as const;

/**
 * System namespaces no workload of ours may live in: `kube-public` is readable by every client
 * (cluster-info), `kube-node-lease` holds only node heartbeats.
 */
export const FORBIDDEN_WORKLOAD_NAMESPACES = ['kube-public', 'kube-node-lease'] as const;

/** Pod Security Admission namespace labels. @see https://kubernetes.io/docs/concepts/security/pod-security-admission/ */
export const POD_SECURITY_LABELS = {
  enforce: 'pod-security.kubernetes.io/enforce',
  warn: 'pod-security.kubernetes.io/warn',
  audit: 'pod-security.kubernetes.io/audit',
} as const;
export type PodSecurityLevel = 'privileged' | 'baseline' | 'restricted';
/** Levels from the most to the least permissive. */
export const POD_SECURITY_LEVELS: readonly PodSecurityLevel[] = ['privileged', 'baseline', 'restricted'];

/** The least permissive level that every one of `levels` meets (restricted for none). */
export function weakestLevel(levels: Iterable<PodSecurityLevel>): PodSecurityLevel {
  let min = POD_SECURITY_LEVELS.length - 1;
  for (const l of levels) min = Math.min(min, POD_SECURITY_LEVELS.indexOf(l));
  return POD_SECURITY_LEVELS[min];
}

/** The parts of a pod spec (as the API serves it) that the Pod Security checks read. */
export interface SecurityContextView {
  readonly runAsNonRoot?: boolean;
  readonly runAsUser?: number;
  readonly privileged?: boolean;
  readonly allowPrivilegeEscalation?: boolean;
  readonly capabilities?: { readonly add?: readonly string[]; readonly drop?: readonly string[] };
  readonly seccompProfile?: { readonly type?: string };
}
export interface ContainerView {
  readonly name: string;
  readonly securityContext?: SecurityContextView;
  readonly ports?: readonly { readonly hostPort?: number }[];
}
export interface PodSpecView {
  readonly hostNetwork?: boolean;
  readonly hostPID?: boolean;
  readonly hostIPC?: boolean;
  readonly securityContext?: SecurityContextView;
  readonly containers: readonly ContainerView[];
  readonly initContainers?: readonly ContainerView[];
  readonly volumes?: readonly Readonly<Record<string, unknown>>[];
}

/** One Pod Security Standards check: the pod passes when `test` holds. */
export interface PodSecurityCheck extends Rule<PodSpecView> {
  /** The level the check belongs to: a pod failing it meets only the level below. */
  readonly level: 'baseline' | 'restricted';
}

const containersOf = (pod: PodSpecView): readonly ContainerView[] => [...(pod.initContainers ?? []), ...pod.containers];
const BASELINE_CAPABILITIES = [
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
];
const RESTRICTED_VOLUME_SOURCES = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret'];
const seccompOk = (type: string | undefined) => type === 'RuntimeDefault' || type === 'Localhost';

const check = (id: string, level: PodSecurityCheck['level'], test: (pod: PodSpecView) => boolean, fix: string): PodSecurityCheck => ({
  subject: `Pod Security check ${id}`,
  level,
  test,
  fix,
  source: `${PSA_POLICY}/check_${id}.go`,
});

/**
 * The Pod Security Standards checks that apply to pod specs on Linux, as pod-security-admission
 * evaluates them (latest version of each check). Checks of fields we never render (AppArmor,
 * SELinux, procMount, sysctls, Windows host process) are left out.
 */
export const POD_SECURITY_CHECKS: readonly PodSecurityCheck[] = [
  check('privileged', 'baseline', (p) => !containersOf(p).some((c) => c.securityContext?.privileged === true), 'do not run privileged containers'),
  check('hostNamespaces', 'baseline', (p) => !p.hostNetwork && !p.hostPID && !p.hostIPC, 'do not share the host network, PID or IPC namespace'),
  check('hostPorts', 'baseline', (p) => !containersOf(p).some((c) => (c.ports ?? []).some((port) => (port.hostPort ?? 0) !== 0)), 'do not use hostPort'),
  check('hostPathVolumes', 'baseline', (p) => !(p.volumes ?? []).some((v) => 'hostPath' in v), 'do not mount hostPath volumes'),
  check(
    'capabilities_baseline',
    'baseline',
    (p) => containersOf(p).every((c) => (c.securityContext?.capabilities?.add ?? []).every((cap) => BASELINE_CAPABILITIES.includes(cap))),
    `add no capabilities beyond ${BASELINE_CAPABILITIES.join(', ')}`,
  ),
  check(
    'seccompProfile_baseline',
    'baseline',
    (p) => p.securityContext?.seccompProfile?.type !== 'Unconfined' && containersOf(p).every((c) => c.securityContext?.seccompProfile?.type !== 'Unconfined'),
    'use seccomp profile RuntimeDefault (Unconfined fails even the baseline level)',
  ),
  check(
    'restrictedVolumes',
    'restricted',
    (p) => (p.volumes ?? []).every((v) => Object.keys(v).some((k) => RESTRICTED_VOLUME_SOURCES.includes(k))),
    `mount only ${RESTRICTED_VOLUME_SOURCES.join(', ')} volumes`,
  ),
  check(
    'allowPrivilegeEscalation',
    'restricted',
    (p) => containersOf(p).every((c) => c.securityContext?.allowPrivilegeEscalation === false),
    'set allowPrivilegeEscalation: false',
  ),
  check(
    'runAsNonRoot',
    'restricted',
    (p) => {
      if (p.securityContext?.runAsNonRoot === false) return false;
      const podNonRoot = p.securityContext?.runAsNonRoot === true;
      return containersOf(p).every((c) => (c.securityContext?.runAsNonRoot ?? podNonRoot) === true);
    },
    'set runAsNonRoot: true',
  ),
  check(
    'runAsUser',
    'restricted',
    (p) => p.securityContext?.runAsUser !== 0 && containersOf(p).every((c) => c.securityContext?.runAsUser !== 0),
    'run as a non-zero user id',
  ),
  check(
    'seccompProfile_restricted',
    'restricted',
    (p) => {
      const podOk = seccompOk(p.securityContext?.seccompProfile?.type);
      return containersOf(p).every((c) => {
        const type = c.securityContext?.seccompProfile?.type;
        return type === undefined ? podOk : seccompOk(type);
      });
    },
    'set seccomp profile RuntimeDefault (or Localhost)',
  ),
  check(
    'capabilities_restricted',
    'restricted',
    (p) =>
      containersOf(p).every(
        (c) =>
          (c.securityContext?.capabilities?.drop ?? []).includes('ALL') &&
          (c.securityContext?.capabilities?.add ?? []).every((cap) => cap === 'NET_BIND_SERVICE'),
      ),
    'drop ALL capabilities (add back at most NET_BIND_SERVICE)',
  ),
];

export interface PodSecurityResult {
  /** The most restrictive level the pod meets. */
  readonly level: PodSecurityLevel;
  /** The checks it fails, in table order. */
  readonly failed: readonly PodSecurityCheck[];
}

/** Evaluates a pod spec against the Pod Security Standards. */
export function podSecurityOf(pod: PodSpecView): PodSecurityResult {
  const failed = POD_SECURITY_CHECKS.filter((c) => !c.test(pod));
  const level = failed.some((c) => c.level === 'baseline') ? 'privileged' : failed.length > 0 ? 'baseline' : 'restricted';
  return { level, failed };
}

/**
 * Namespace labels for pods of `level`: enforce the level they meet, and keep warning and
 * auditing at `restricted` so a relaxation stays visible.
 */
export function podSecurityLabelsFor(level: PodSecurityLevel): Record<string, string> {
  return { [POD_SECURITY_LABELS.enforce]: level, [POD_SECURITY_LABELS.warn]: 'restricted', [POD_SECURITY_LABELS.audit]: 'restricted' };
}

// ---------------------------------------------------------------------------------------------
// Tools we render objects for: Argo CD, Flux, Stakater Reloader

/** Argo CD applies lower waves first and waits for them to be healthy. */
export const ARGOCD_SYNC_WAVE_ANNOTATION = 'argocd.argoproj.io/sync-wave';
/** Stakater Reloader: restart when the mounted versions of this SecretProviderClass change. */
export const RELOADER_SPC_ANNOTATION = 'secretproviderclass.reloader.stakater.com/reload';
/** Stakater Reloader: restart when these (synced) Secrets change. */
export const RELOADER_SECRET_ANNOTATION = 'secret.reloader.stakater.com/reload';

/**
 * Stakater Reloader's Helm chart, pinned: with `reloader.enableCSIIntegration: true` the chart
 * passes `--enable-csi-integration=true` to the controller and grants it list/get/watch on
 * SecretProviderClasses and SecretProviderClassPodStatuses, whose mounted versions it watches.
 * @see stakater/Reloader deployments/kubernetes/chart/reloader/Chart.yaml (version 2.2.16, appVersion v1.4.21)
 * @see stakater/Reloader deployments/kubernetes/chart/reloader/values.yaml (reloader.enableCSIIntegration, image ghcr.io/stakater/reloader)
 * @see stakater/Reloader deployments/kubernetes/chart/reloader/templates/deployment.yaml ("--enable-csi-integration=true") and templates/clusterrole.yaml
 * @see stakater/Reloader README.md (helm repo add stakater https://stakater.github.io/stakater-charts)
 */
export const RELOADER_CHART = {
  repoURL: 'https://stakater.github.io/stakater-charts',
  chart: 'reloader',
  version: '2.2.16',
  /** The Helm value that turns the CSI integration on. */
  csiIntegrationValue: { reloader: { enableCSIIntegration: true } },
  /** The controller's boolean flag the chart renders from it (`--enable-csi-integration=true`; default false). */
  csiIntegrationFlag: 'enable-csi-integration',
  /** `app.kubernetes.io/name` on the chart's Deployment and pods (`reloader-name`: the chart name). */
  nameLabel: 'reloader',
  /** The image name, in any registry (`ghcr.io/stakater/reloader`, `stakater/reloader`). */
  image: 'stakater/reloader',
} as const;

/** A Helm chart version as Helm takes it: SemVer 2, an optional `v`. */
export const HELM_CHART_VERSION_RULE = patternRule(
  'Helm chart version',
  /^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/,
  'use an exact chart version such as "2.2.16" (a pinned release, not a range)',
  'helm/helm pkg/chart/metadata.go (Validate: version must be SemVer 2); pinned so a chart release never changes the cluster unreviewed',
);

/** The repository an Argo CD Application syncs from: required, and nothing Argo CD could not clone. */
export const ARGOCD_REPO_URL_RULE = predicateRule(
  'Argo CD repoURL',
  (v: string) => v.trim() !== '' && v.trim() === v && !/[\u0000-\u001f\u007f\s]/.test(v),
  'use the URL of the GitOps repository, without spaces (e.g. "https://github.com/org/gitops.git")',
  'argoproj/argo-cd pkg/apis/application/v1alpha1/types.go (ApplicationSource.RepoURL, required); a repository URL has no whitespace',
);

/** An Argo CD project is an AppProject object: a name no AppProject can have is never found. */
export const ARGOCD_PROJECT_RULE: Rule<string> = {
  ...DNS1123_SUBDOMAIN_RULE,
  subject: 'Argo CD project',
  fix: 'use the name of an Argo CD AppProject (a DNS-1123 name: lower-case letters, digits, "-" and ".", at most 253), e.g. "default"',
  source:
    'argoproj/argo-cd pkg/apis/application/v1alpha1/types.go (ApplicationSpec.Project names an AppProject); kubernetes/apiextensions-apiserver (custom resource names are DNS-1123 subdomains)',
};

/** A folder inside the GitOps repository: relative, never above its root. */
export const GITOPS_PATH_RULE = predicateRule(
  'repository path',
  (v: string) => v.trim() !== '' && !v.startsWith('/') && !v.split('/').includes('..') && !/[\0\n\r]/.test(v),
  'use a path relative to the repository root, without ".." (e.g. "dist/prod")',
  'argoproj/argo-cd util/app/path/path.go (Path: "app path is absolute", "app path outside root"); fluxcd/kustomize-controller (spec.path is joined under the source root)',
);

/** The cluster Argo CD runs in, as every Argo CD installation registers it. */
export const ARGOCD_IN_CLUSTER_SERVER = 'https://kubernetes.default.svc';

/**
 * An Argo CD destination cluster: its API server URL (`https://...`), or the name of a cluster
 * registered in Argo CD. Whatever contains `://` is a URL and must be `http(s)://`.
 */
export const ARGOCD_CLUSTER_RULE = predicateRule(
  'Argo CD cluster',
  (v: string) => v !== '' && !/[\s\u0000-\u001f\u007f]/.test(v) && (!v.includes('://') || /^https?:\/\/[^/]+/.test(v)),
  'use the API server URL of a cluster registered in Argo CD (e.g. "https://aks-prod.hcp.westeurope.azmk8s.io:443") or its name in Argo CD (e.g. "aks-prod"), without spaces',
  'argoproj/argo-cd pkg/apis/application/v1alpha1/types.go (ApplicationDestination: Server is the URL of the API server, Name the symbolic name of a registered cluster); util/argo/argo.go (GetDestinationServer: one of them, not both)',
);

/**
 * An Argo CD Application's `spec.destination` for a cluster given by URL or by name (the
 * cluster Argo CD runs in when none is given). Argo CD refuses a destination with both set
 * (util/argo/argo.go `GetDestinationServer`), and reads an empty one as unset (`omitempty`).
 */
export function argoCdDestination(cluster: string | undefined): { readonly server: string } | { readonly name: string } {
  if (cluster === undefined) return { server: ARGOCD_IN_CLUSTER_SERVER };
  return cluster.includes('://') ? { server: cluster } : { name: cluster };
}

/** Flux's duration pattern for `spec.interval` (and retryInterval, timeout): no ns/us, no bare fraction. */
export const FLUX_DURATION_RULE = patternRule(
  'Flux interval',
  /^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$/,
  'use a duration Flux accepts, such as "10m", "1h" or "1m30s" (units ms, s, m, h)',
  'fluxcd/kustomize-controller api/v1/kustomization_types.go (KustomizationSpec.Interval +kubebuilder:validation:Pattern)',
);

/**
 * The path of an HTTP probe: absolute, without whitespace or control characters (the kubelet
 * sends it as the request target).
 */
export const HTTP_PROBE_PATH_RULE = predicateRule(
  'probe path',
  (v: string) => v.startsWith('/') && !/[\s\u0000-\u001f\u007f]/.test(v),
  'use an absolute HTTP path without spaces, such as "/healthz"',
  'kubernetes/kubernetes pkg/apis/core/validation/validation.go (validateHTTPGetAction: path required); absolute by this project\'s convention (the kubelet would add the leading "/"); RFC 9112 section 3.2 (request-target, no whitespace)',
);

// ---------------------------------------------------------------------------------------------
// NetworkPolicy, PodDisruptionBudget, topology spread

/**
 * Well-known node labels pods spread over: the zone (set by the cloud provider; on AKS only in
 * zone-spread node pools, else the region's fault domain number) and the node.
 * @see https://kubernetes.io/docs/reference/labels-annotations-taints/#topologykubernetesiozone
 * @see https://kubernetes.io/docs/reference/labels-annotations-taints/#kubernetesiohostname
 * (kubernetes/api core/v1 well_known_labels.go: LabelTopologyZone, LabelHostname)
 */
export const TOPOLOGY_KEYS = { zone: 'topology.kubernetes.io/zone', node: 'kubernetes.io/hostname' } as const;

/**
 * A topology spread constraint that prefers, never requires, an even spread: `ScheduleAnyway`
 * still schedules the pods when a zone or node is short, so a single-zone cluster keeps working.
 * @see https://kubernetes.io/docs/concepts/scheduling-eviction/topology-spread-constraints/
 * (kubernetes/api core/v1 types.go: UnsatisfiableConstraintAction)
 */
export const TOPOLOGY_SPREAD = { maxSkew: 1, whenUnsatisfiable: 'ScheduleAnyway' } as const;

/**
 * A PodDisruptionBudget's `maxUnavailable` as we render it: a whole number of pods, at least 1. A
 * budget of 0 refuses every eviction, so `kubectl drain` never finishes and AKS upgrades stop on
 * the drain.
 * @see https://kubernetes.io/docs/tasks/run-application/configure-pdb/#think-about-how-your-application-reacts-to-disruptions
 * @see https://learn.microsoft.com/azure/aks/upgrade-cluster (PodDrainFailure)
 */
export const PDB_MAX_UNAVAILABLE_RULE = predicateRule(
  'PodDisruptionBudget maxUnavailable',
  (v: number) => Number.isInteger(v) && v >= 1,
  'use a whole number of pods, 1 or more: a budget that allows no disruption blocks every node drain, and cluster upgrades stall on it',
  'kubernetes/api policy/v1/types.go (PodDisruptionBudgetSpec.MaxUnavailable: "one can prevent all voluntary evictions by specifying 0"); https://learn.microsoft.com/azure/aks/upgrade-cluster (PodDrainFailure)',
);

/**
 * The Prometheus operator's API (kube-prometheus-stack and the like): PodMonitor and
 * PrometheusRule. A Prometheus picks them up only when its `podMonitorSelector` /
 * `ruleSelector` match their labels and its `podMonitorNamespaceSelector` /
 * `ruleNamespaceSelector` match their namespace (kube-prometheus-stack's defaults select the
 * label `release: <helm release>`).
 * @see prometheus-operator/prometheus-operator Documentation/api-reference/api.md (PodMonitor, PrometheusRule, PrometheusSpec.podMonitorSelector)
 */
export const PROMETHEUS_OPERATOR = {
  apiVersion: 'monitoring.coreos.com/v1',
  /** kube-prometheus-stack's selector label and its usual release name. */
  defaultSelectorLabels: { release: 'kube-prometheus-stack' },
} as const;

/** Whether one absolute path is the other or inside it (`/a` and `/a/b`; not `/a` and `/ab`); trailing slashes ignored. */
export function pathsNest(a: string, b: string): boolean {
  const trim = (p: string) => p.replace(/\/+$/, '') || '/';
  const [x, y] = [trim(a), trim(b)];
  const inside = (outer: string, inner: string) => inner === outer || inner.startsWith(outer === '/' ? '/' : `${outer}/`);
  return inside(x, y) || inside(y, x);
}

/**
 * Two volume mounts of one container apart: never the same path (the API server refuses a
 * repeated mountPath), and neither inside the other: the runtime would have to create the inner
 * mount point in the outer volume, and a CSI secrets volume is mounted read-only.
 */
export const MOUNT_PATHS_APART_RULE = predicateRule<{ readonly a: string; readonly b: string }>(
  'mount paths',
  ({ a, b }) => !pathsNest(a, b),
  'give each volume a mount path of its own, neither inside the other',
  `${CORE_VALIDATION} (ValidateVolumeMounts: "must be unique"), and the read-only CSI volume (FACTS: the driver rejects a mount that is not read-only) that cannot hold another mount point`,
);
