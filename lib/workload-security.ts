/**
 * The security-relevant part of the pod a workload's settings render to, and the Pod Security
 * level it meets. The config warnings read it before anything is rendered; the chart evaluates the
 * pod it actually renders with the same checks, and a test holds the two together.
 */
import { podSecurityOf, type PodSecurityResult, type PodSpecView } from './kubernetes';

/** The settings of `deployment.securityContext` that reach the pod spec. */
export interface WorkloadSecuritySettings {
  readonly runAsNonRoot: boolean;
  readonly runAsUser: number;
  readonly runAsGroup: number;
  readonly readOnlyRootFilesystem: boolean;
  readonly allowPrivilegeEscalation: boolean;
  readonly dropCapabilities: readonly string[];
  readonly seccompProfile: string;
}

/**
 * The pod spec a SecretsStoreDeployment renders for `settings`, as far as Pod Security looks:
 * pod-level user and non-root, one container with the full security context, never privileged,
 * no added capabilities, no host namespaces or ports, and only the CSI volume.
 */
export function renderedPodSpecView(name: string, s: WorkloadSecuritySettings): PodSpecView {
  return {
    securityContext: { runAsNonRoot: s.runAsNonRoot, runAsUser: s.runAsUser },
    containers: [
      {
        name,
        securityContext: {
          runAsNonRoot: s.runAsNonRoot,
          runAsUser: s.runAsUser,
          privileged: false,
          allowPrivilegeEscalation: s.allowPrivilegeEscalation,
          capabilities: { drop: [...s.dropCapabilities] },
          seccompProfile: { type: s.seccompProfile },
        },
      },
    ],
    volumes: [{ name: 'secrets-store', csi: {} }],
  };
}

/** The Pod Security level a workload's pods meet, and the checks they fail. */
export function workloadPodSecurity(name: string, s: WorkloadSecuritySettings): PodSecurityResult {
  return podSecurityOf(renderedPodSpecView(name, s));
}
