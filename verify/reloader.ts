/**
 * Stakater Reloader, for workloads with `deployment.restartOnRotation`: it must run, with its CSI
 * integration on, or their pods never restart when mounted versions change. Pure: takes the
 * cluster's Deployments as plain data.
 */
import { RELOADER_CHART } from '../lib/kubernetes';
import { flagValue, parseGoBool } from './addon';
import type { V1Container, V1Deployment } from './api-types';
import { fail, pass, type Outcome } from './findings';

/** Where the findings point: Reloader may run in any namespace. */
const SUBJECT = 'cluster';

/** Reloader's Deployments: the chart's name label, or its image in any registry. */
export function reloaderDeployments(deployments: readonly V1Deployment[]): V1Deployment[] {
  return deployments.filter((d) => {
    const labels = d.metadata?.labels ?? {};
    const containers = d.spec?.template.spec?.containers ?? [];
    return labels['app.kubernetes.io/name'] === RELOADER_CHART.nameLabel || containers.some((c) => imageName(c.image ?? '') === RELOADER_CHART.image);
  });
}

/** `ghcr.io/stakater/reloader:v1.4.21@sha256:…` → `stakater/reloader`. */
function imageName(image: string): string {
  const path = image.split('@')[0].replace(/:[^/:]*$/, '');
  const parts = path.split('/');
  return parts.slice(-2).join('/');
}

/**
 * The value of the CSI integration flag in a container's command and args: `true` for
 * `--enable-csi-integration` or `--enable-csi-integration=true` (or another value Go reads as
 * true), `false` for a false value, undefined when absent or unparseable (Reloader's default: off;
 * Reloader would not start on an unparseable value). The last occurrence wins, as in pflag.
 * @see stakater/Reloader internal/pkg/util/util.go (ConfigureReloaderFlags: BoolVar "enable-csi-integration", default false)
 * @see stakater/Reloader deployments/kubernetes/chart/reloader/templates/deployment.yaml ("--enable-csi-integration=true")
 */
export function csiIntegration(container: V1Container): boolean | undefined {
  const value = flagValue([...(container.command ?? []), ...(container.args ?? [])], RELOADER_CHART.csiIntegrationFlag, true);
  return value === undefined ? undefined : parseGoBool(value);
}

/** The `reloader` check: Reloader runs (a ready pod) with `--enable-csi-integration=true`, when `relying` workloads need it. */
export function checkReloader(deployments: readonly V1Deployment[], relying: readonly string[]): Outcome[] {
  if (relying.length === 0) return [];
  const who = `${relying.length === 1 ? 'workload' : 'workloads'} ${relying.join(', ')} ${relying.length === 1 ? 'sets' : 'set'} restartOnRotation`;
  const install = `install Reloader with reloader.enableCSIIntegration: true (output.reloader renders its Argo CD Application or Flux HelmRelease, chart ${RELOADER_CHART.chart} ${RELOADER_CHART.version})`;
  const found = reloaderDeployments(deployments);
  if (found.length === 0) {
    return [
      fail(
        'reloader',
        SUBJECT,
        `${who}, but no Stakater Reloader Deployment runs in the cluster: their pods never restart when mounted versions change`,
        install,
      ),
    ];
  }
  const withCsi = found.filter((d) => (d.spec?.template.spec?.containers ?? []).some((c) => csiIntegration(c) === true));
  const name = (d: V1Deployment) => `${d.metadata?.namespace ?? ''}/${d.metadata?.name ?? ''}`;
  if (withCsi.length === 0) {
    return [
      fail(
        'reloader',
        name(found[0]),
        `${who}, but Reloader runs without --${RELOADER_CHART.csiIntegrationFlag}=true: it does not watch SecretProviderClassPodStatus, so mounted versions changing restart nothing`,
        'set reloader.enableCSIIntegration: true in its Helm values (the chart then passes the flag and grants read access to SecretProviderClassPodStatuses)',
      ),
    ];
  }
  const ready = withCsi.find((d) => (d.status?.readyReplicas ?? 0) > 0);
  if (ready === undefined) {
    return [
      fail(
        'reloader',
        name(withCsi[0]),
        `${who}, but Reloader has no ready pod: restarts on rotation are not happening`,
        `look at its pods: kubectl -n ${withCsi[0].metadata?.namespace ?? '<namespace>'} describe deployment ${withCsi[0].metadata?.name ?? 'reloader-reloader'}`,
      ),
    ];
  }
  return [pass('reloader', name(ready), `Reloader runs with its CSI integration on, for ${relying.join(', ')}`)];
}
