/**
 * Facts and rules of Kubernetes itself (apimachinery validation, Pod Security Standards) that
 * the schema, the charts, the check and verify share.
 */
import { patternRule } from './rule';

export const DNS1123_LABEL_RULE = patternRule(
  'DNS-1123 label',
  /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/,
  'use a DNS-1123 label: lower-case letters, digits and "-", at most 63, starting and ending alphanumeric',
  'kubernetes/apimachinery pkg/util/validation/validation.go (IsDNS1123Label)',
);
/** DNS-1123 label: namespaces and most object names. */
export const DNS1123_LABEL = DNS1123_LABEL_RULE.pattern;

export const DNS1123_SUBDOMAIN_RULE = patternRule(
  'DNS-1123 subdomain',
  /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/,
  'use a DNS-1123 name: lower-case letters, digits, "-" and ".", at most 253',
  'kubernetes/apimachinery pkg/util/validation/validation.go (IsDNS1123Subdomain)',
);
/** DNS-1123 subdomain: ServiceAccount, Deployment, Secret names. */
export const DNS1123_SUBDOMAIN = DNS1123_SUBDOMAIN_RULE.pattern;

/** An environment variable name as this project writes them (a C identifier). */
export const ENV_VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Namespaces Kubernetes and AKS own: never rendered as Namespace objects or labelled. */
export const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'] as const;

/** Pod Security Admission namespace labels. @see https://kubernetes.io/docs/concepts/security/pod-security-admission/ */
export const POD_SECURITY_LABELS = {
  enforce: 'pod-security.kubernetes.io/enforce',
  warn: 'pod-security.kubernetes.io/warn',
  audit: 'pod-security.kubernetes.io/audit',
} as const;
export type PodSecurityLevel = 'privileged' | 'baseline' | 'restricted';

/**
 * Linux capability names as a container's `securityContext.capabilities` takes them (without
 * `CAP_`), plus `ALL`. The API server accepts any string, but a misspelt name drops nothing.
 * @see https://github.com/torvalds/linux/blob/master/include/uapi/linux/capability.h
 */
export const LINUX_CAPABILITIES = [
  'ALL', 'AUDIT_CONTROL', 'AUDIT_READ', 'AUDIT_WRITE', 'BLOCK_SUSPEND', 'BPF', 'CHECKPOINT_RESTORE', 'CHOWN', 'DAC_OVERRIDE',
  'DAC_READ_SEARCH', 'FOWNER', 'FSETID', 'IPC_LOCK', 'IPC_OWNER', 'KILL', 'LEASE', 'LINUX_IMMUTABLE', 'MAC_ADMIN', 'MAC_OVERRIDE',
  'MKNOD', 'NET_ADMIN', 'NET_BIND_SERVICE', 'NET_BROADCAST', 'NET_RAW', 'PERFMON', 'SETGID', 'SETFCAP', 'SETPCAP', 'SETUID',
  'SYS_ADMIN', 'SYS_BOOT', 'SYS_CHROOT', 'SYS_MODULE', 'SYS_NICE', 'SYS_PACCT', 'SYS_PTRACE', 'SYS_RAWIO', 'SYS_RESOURCE',
  'SYS_TIME', 'SYS_TTY_CONFIG', 'SYSLOG', 'WAKE_ALARM',
] as const;
export type LinuxCapability = (typeof LINUX_CAPABILITIES)[number];
