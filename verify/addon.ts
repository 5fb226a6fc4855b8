/**
 * Checks of the AKS secrets-provider add-on: its two DaemonSets in kube-system and the
 * driver's rotation flags. Pure: takes `V1DaemonSet` objects as the API returns them.
 *
 * On AKS the add-on runs `aks-secrets-store-csi-driver` (label `app=secrets-store-csi-driver`)
 * and `aks-secrets-store-provider-azure` (label `app=secrets-store-provider-azure`), plus
 * `-windows` variants that schedule nothing without Windows node pools. A self-installed Helm
 * chart uses other names (`csi-secrets-store-provider-azure...`); we recognise those too, by
 * label, name or image, and say that the add-on's rotation settings do not apply to them.
 */
import { durationSeconds, formatDuration, isGoDuration } from '../lib/config/duration';
import { parseDriverVersion, refreshPeriodSeconds, rotationModelOf, ROTATION_MODEL_SUMMARY, type DriverVersion, type RotationModel } from '../lib/csi-driver';
import type { V1Container, V1DaemonSet } from './api-types';
import { fail, pass, warn, type Outcome } from './findings';

export const ADDON_NAMESPACE = 'kube-system';
export const ADDON_DRIVER_NAME = 'aks-secrets-store-csi-driver';
export const ADDON_PROVIDER_NAME = 'aks-secrets-store-provider-azure';
const DRIVER_LABEL = 'secrets-store-csi-driver';
const PROVIDER_LABEL = 'secrets-store-provider-azure';

/** Driver defaults when a flag is absent (secrets-store-csi-driver v1.x). */
export const DRIVER_DEFAULT_ROTATION_ENABLED = false;
export const DRIVER_DEFAULT_POLL_INTERVAL_SECONDS = 120;

export type AddonRole = 'driver' | 'provider';

function nameOf(ds: V1DaemonSet): string {
  return ds.metadata?.name ?? '';
}

function images(ds: V1DaemonSet): string[] {
  return (ds.spec?.template?.spec?.containers ?? []).map((c) => c.image ?? '');
}

/** Which add-on component a DaemonSet is, if any. The driver is tested first: Helm names the driver `...-secrets-store-provider-azure-secrets-store-csi-driver`. */
export function roleOf(ds: V1DaemonSet): AddonRole | undefined {
  const name = nameOf(ds);
  const app = ds.metadata?.labels?.['app'] ?? ds.spec?.selector?.matchLabels?.['app'];
  const imgs = images(ds);
  if (
    app === DRIVER_LABEL ||
    name.startsWith(ADDON_DRIVER_NAME) ||
    /secrets-store-csi-driver(-windows)?$/.test(name) ||
    imgs.some((i) => /secrets-store\/driver[:@]/.test(i))
  ) {
    return 'driver';
  }
  if (
    app === PROVIDER_LABEL ||
    name.startsWith(ADDON_PROVIDER_NAME) ||
    /secrets-store-provider-azure(-windows)?$/.test(name) ||
    imgs.some((i) => /provider-azure[:@]/.test(i))
  ) {
    return 'provider';
  }
  return undefined;
}

/** The DaemonSets of one role, AKS add-on names first. */
export function daemonSetsOf(all: readonly V1DaemonSet[], role: AddonRole): V1DaemonSet[] {
  const addonName = role === 'driver' ? ADDON_DRIVER_NAME : ADDON_PROVIDER_NAME;
  return all.filter((ds) => roleOf(ds) === role).sort((a, b) => rank(nameOf(a), addonName) - rank(nameOf(b), addonName) || nameOf(a).localeCompare(nameOf(b)));
}

function rank(name: string, addonName: string): number {
  if (name === addonName) return 0;
  if (name.startsWith(addonName)) return 1;
  return 2;
}

const ROLE_TITLE: Record<AddonRole, string> = { driver: 'Secrets Store CSI driver', provider: 'Azure Key Vault provider' };

/** Readiness of the driver and provider DaemonSets: every scheduled node runs a ready pod. */
export function checkAddonDaemonSets(all: readonly V1DaemonSet[]): Outcome[] {
  const out: Outcome[] = [];
  for (const role of ['driver', 'provider'] as const) {
    const check = 'addon-daemonset';
    const found = daemonSetsOf(all, role);
    const addonName = role === 'driver' ? ADDON_DRIVER_NAME : ADDON_PROVIDER_NAME;
    if (found.length === 0) {
      out.push(
        fail(
          check,
          `${ADDON_NAMESPACE}/${addonName}`,
          `no ${ROLE_TITLE[role]} DaemonSet in ${ADDON_NAMESPACE}: the secrets-provider add-on is not enabled on this cluster`,
          'enable it: "az aks enable-addons --addons azure-keyvault-secrets-provider -g <resource group> -n <cluster>" (the stack sets key_vault_secrets_provider on clusters it creates)',
        ),
      );
      continue;
    }
    const scheduling = found.filter((ds) => (ds.status?.desiredNumberScheduled ?? 0) > 0);
    if (scheduling.length === 0) {
      out.push(
        fail(
          check,
          `${ADDON_NAMESPACE}/${nameOf(found[0])}`,
          `${ROLE_TITLE[role]} DaemonSet schedules no pods (desired 0)`,
          'check node selectors and taints of the node pools: every node that runs workloads needs a driver and a provider pod',
        ),
      );
      continue;
    }
    for (const ds of scheduling) {
      out.push(daemonSetReadiness(ds, role));
      if (!nameOf(ds).startsWith(addonName)) {
        out.push(
          warn(
            check,
            `${ADDON_NAMESPACE}/${nameOf(ds)}`,
            `${ROLE_TITLE[role]} is not the AKS add-on (expected ${addonName}): it was installed separately, so the cluster's secret_rotation_interval does not configure it`,
            'use the add-on (cluster.secretsProvider in the environment file), or set the rotation flags in your own installation to match the environment',
          ),
        );
      }
    }
  }
  return out;
}

function daemonSetReadiness(ds: V1DaemonSet, role: AddonRole): Outcome {
  const check = 'addon-daemonset';
  const subject = `${ds.metadata?.namespace ?? ADDON_NAMESPACE}/${nameOf(ds)}`;
  const s = ds.status;
  const desired = s?.desiredNumberScheduled ?? 0;
  const ready = s?.numberReady ?? 0;
  const updated = s?.updatedNumberScheduled ?? desired;
  const unavailable = s?.numberUnavailable ?? Math.max(0, desired - (s?.numberAvailable ?? ready));
  if (ready < desired) {
    return fail(
      check,
      subject,
      `${ROLE_TITLE[role]}: ${ready}/${desired} pods ready: pods on the other nodes cannot mount Key Vault objects`,
      `kubectl -n ${ADDON_NAMESPACE} get pods -l app=${role === 'driver' ? DRIVER_LABEL : PROVIDER_LABEL} -o wide, then kubectl describe the pods that are not ready`,
    );
  }
  if (updated < desired || unavailable > 0) {
    return warn(
      check,
      subject,
      `${ROLE_TITLE[role]}: ${ready}/${desired} ready, ${updated} updated, ${unavailable} unavailable: a rollout is in progress`,
      're-run verify when the rollout has finished',
    );
  }
  return pass(check, subject, `${ROLE_TITLE[role]}: ${ready}/${desired} pods ready (one per scheduled node)`);
}

/** The driver container of a driver DaemonSet: the one that takes the rotation flags. */
export function driverContainer(ds: V1DaemonSet): V1Container | undefined {
  const containers = ds.spec?.template?.spec?.containers ?? [];
  const argv = (c: V1Container) => [...(c.command ?? []), ...(c.args ?? [])];
  return (
    containers.find((c) => argv(c).some((a) => /^--?(enable-secret-rotation|rotation-poll-interval)\b/.test(a))) ??
    containers.find((c) => c.name === 'secrets-store') ??
    containers.find((c) => /secrets-store\/driver[:@]/.test(c.image ?? ''))
  );
}

/** The driver the add-on runs: its image, the version in the image tag, and the rotation model that version implies. */
export interface DriverInfo {
  /** `kube-system/aks-secrets-store-csi-driver`. */
  readonly subject: string;
  readonly image?: string;
  /** Undefined when the image has no version tag (a digest only, `latest`). */
  readonly version?: DriverVersion;
  /** Undefined when the version is unknown: verify then reads the signals of both models. */
  readonly model?: RotationModel;
}

/** The driver of the first scheduling driver DaemonSet (the add-on's first), or undefined when there is none. */
export function driverInfo(all: readonly V1DaemonSet[]): DriverInfo | undefined {
  const drivers = daemonSetsOf(all, 'driver');
  const ds = drivers.find((d) => (d.status?.desiredNumberScheduled ?? 0) > 0) ?? drivers[0];
  if (!ds) return undefined;
  const subject = `${ds.metadata?.namespace ?? ADDON_NAMESPACE}/${nameOf(ds)}`;
  const image = driverContainer(ds)?.image;
  const version = image !== undefined ? parseDriverVersion(image) : undefined;
  return { subject, ...(image !== undefined ? { image } : {}), ...(version ? { version, model: rotationModelOf(version) } : {}) };
}

/** The driver version and the rotation model verify applies; a warning when the image tag names no version. */
export function checkDriverVersion(all: readonly V1DaemonSet[]): Outcome[] {
  const info = driverInfo(all);
  if (!info) return []; // reported by checkAddonDaemonSets
  if (!info.version || !info.model) {
    return [
      warn(
        'driver-version',
        info.subject,
        `the driver image ${info.image !== undefined ? `"${info.image}"` : '(no driver container found)'} names no version: the rotation model is unknown, so both are checked (rotation events of driver ≤ 1.5, mount errors and SecretProviderClassPodStatus of driver ≥ 1.6)`,
        `kubectl -n ${ADDON_NAMESPACE} get pods -l app=${DRIVER_LABEL} -o jsonpath='{..imageID}' shows the digest; the AKS add-on release notes map it to a version`,
      ),
    ];
  }
  return [pass('driver-version', info.subject, `Secrets Store CSI driver ${info.version.tag}: ${ROTATION_MODEL_SUMMARY[info.model]}`)];
}

/** A Go flag as the driver parses it: `--name=value`, `-name=value`, `--name value`, or a bare boolean `--name`. */
export function flagValue(argv: readonly string[], name: string, boolean = false): string | undefined {
  let value: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const m = /^--?([^=]+)(?:=(.*))?$/.exec(argv[i]);
    if (!m || m[1] !== name) continue;
    if (m[2] !== undefined) value = m[2];
    else if (boolean) value = 'true';
    else if (i + 1 < argv.length) value = argv[++i];
  }
  return value;
}

/** `$(VAR)` references in container args, resolved from the container's literal env values (as the kubelet does). */
export function expandEnv(arg: string, container: V1Container): string {
  const env = new Map((container.env ?? []).filter((e) => e.value !== undefined).map((e) => [e.name, e.value!]));
  return arg.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (whole, name: string) => env.get(name) ?? whole);
}

/** Go `strconv.ParseBool`. */
export function parseGoBool(value: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) return false;
  return undefined;
}

/** Seconds in a Go duration flag value (`2m`, `120s`, `2m0s`, `0`), or undefined when unparseable. */
export function goDurationSeconds(value: string): number | undefined {
  if (value === '0') return 0;
  return isGoDuration(value) ? durationSeconds(value) : undefined;
}

/** Formats seconds as the shortest Go-style duration: 120 → `2m`, 90 → `1m30s`. */
export const formatSeconds = formatDuration;

export interface RotationFlags {
  readonly enabled: boolean;
  readonly intervalSeconds: number;
  /** Flag values as written in the DaemonSet (undefined: flag absent, driver default applies). */
  readonly rawEnabled?: string;
  readonly rawInterval?: string;
}

/** The rotation settings a driver DaemonSet runs with, or undefined when no driver container is found. */
export function rotationFlagsOf(ds: V1DaemonSet): RotationFlags | { readonly error: string } | undefined {
  const c = driverContainer(ds);
  if (!c) return undefined;
  const argv = [...(c.command ?? []), ...(c.args ?? [])].map((a) => expandEnv(a, c));
  const rawEnabled = flagValue(argv, 'enable-secret-rotation', true);
  const rawInterval = flagValue(argv, 'rotation-poll-interval');
  const enabled = rawEnabled === undefined ? DRIVER_DEFAULT_ROTATION_ENABLED : parseGoBool(rawEnabled);
  if (enabled === undefined) return { error: `--enable-secret-rotation=${rawEnabled} is not a boolean` };
  const intervalSeconds = rawInterval === undefined ? DRIVER_DEFAULT_POLL_INTERVAL_SECONDS : goDurationSeconds(rawInterval);
  if (intervalSeconds === undefined) return { error: `--rotation-poll-interval=${rawInterval} is not a Go duration` };
  return {
    enabled,
    intervalSeconds,
    ...(rawEnabled !== undefined ? { rawEnabled } : {}),
    ...(rawInterval !== undefined ? { rawInterval } : {}),
  };
}

export interface ExpectedRotation {
  readonly enabled: boolean;
  /** As written in the environment file (e.g. `2m`), for messages. */
  readonly interval: string;
  readonly intervalSeconds: number;
}

/** How often a driver with these flags refreshes mounts, in words. */
function refreshText(model: RotationModel | undefined, flags: RotationFlags): string {
  const interval = flags.rawInterval ?? '2m (default)';
  if (model === 'poll') return `polling every ${interval}`;
  const period = refreshPeriodSeconds('republish', flags.intervalSeconds);
  const republish = `refreshing at kubelet's republish once a mount is older than ${interval} (every ${formatDuration(period.min)}-${formatDuration(period.max)})`;
  return model === 'republish' ? republish : `polling every ${interval}, or ${republish} on driver ≥ 1.6`;
}

/** The driver's `--enable-secret-rotation` and `--rotation-poll-interval` against the environment. Durations compare by value: `2m` equals `120s`. */
export function checkRotationFlags(all: readonly V1DaemonSet[], expected: ExpectedRotation, environmentFile: string): Outcome[] {
  const check = 'rotation-flags';
  const drivers = daemonSetsOf(all, 'driver').filter((ds) => (ds.status?.desiredNumberScheduled ?? 0) > 0);
  const candidates = drivers.length > 0 ? drivers : daemonSetsOf(all, 'driver').slice(0, 1);
  if (candidates.length === 0) return []; // reported by checkAddonDaemonSets
  const fixAddon = `"az aks addon update --addon azure-keyvault-secrets-provider --enable-secret-rotation --rotation-poll-interval ${expected.interval} -g <resource group> -n <cluster>", or apply the stack again (it sets secret_rotation_enabled and secret_rotation_interval from ${environmentFile})`;
  const out: Outcome[] = [];
  for (const ds of candidates) {
    const subject = `${ds.metadata?.namespace ?? ADDON_NAMESPACE}/${nameOf(ds)}`;
    const flags = rotationFlagsOf(ds);
    if (flags === undefined) {
      out.push(
        warn(
          check,
          subject,
          'no driver container with rotation flags found in the DaemonSet: rotation settings not verified',
          'kubectl -n kube-system get ds -o yaml and look for --enable-secret-rotation',
        ),
      );
      continue;
    }
    if ('error' in flags) {
      out.push(fail(check, subject, flags.error, fixAddon));
      continue;
    }
    const shown = (raw: string | undefined, dflt: string) => (raw === undefined ? `absent (driver default ${dflt})` : raw);
    if (flags.enabled !== expected.enabled) {
      out.push(
        fail(
          check,
          subject,
          `--enable-secret-rotation is ${shown(flags.rawEnabled, 'false')} but ${environmentFile} sets rotation.enabled: ${expected.enabled}${expected.enabled ? ': mounted files never change until pods restart' : ''}`,
          expected.enabled ? fixAddon : 'set cluster.secretsProvider.rotation.enabled to match the cluster, or disable rotation on the add-on',
        ),
      );
      continue;
    }
    if (!expected.enabled) {
      out.push(pass(check, subject, 'rotation is off, as the environment says'));
      continue;
    }
    if (flags.intervalSeconds !== expected.intervalSeconds) {
      out.push(
        fail(
          check,
          subject,
          `--rotation-poll-interval is ${shown(flags.rawInterval, '2m')} (${formatSeconds(flags.intervalSeconds)}) but ${environmentFile} sets rotation.interval: ${expected.interval} (${formatSeconds(expected.intervalSeconds)})`,
          fixAddon,
        ),
      );
      continue;
    }
    out.push(pass(check, subject, `rotation enabled, ${refreshText(driverInfo([ds])?.model, flags)} as configured (${expected.interval})`));
  }
  return out;
}
