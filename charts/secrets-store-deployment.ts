/**
 * A Deployment that mounts a SecretProviderClass through the Secrets Store CSI driver.
 */
import { ApiObject, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { DEPLOYMENT_DEFAULTS } from '../lib/config/schema';
import {
  ANNOTATION_KEY_RULE,
  annotationsSize,
  ANNOTATIONS_SIZE_RULE,
  CAPABILITY_RULE,
  CONTAINER_MOUNT_PATH_RULE,
  CPU_QUANTITY_RULE,
  DNS1123_LABEL_RULE,
  DNS1123_SUBDOMAIN_RULE,
  ENV_VAR_NAME_RULE,
  ENV_VAR_NAMES_UNIQUE_RULE,
  firstRepeat,
  HTTP_PROBE_PATH_RULE,
  LABEL_KEY_RULE,
  LABEL_VALUE_RULE,
  MAX_UNIX_ID,
  MEMORY_QUANTITY_RULE,
  MOUNT_PATHS_APART_RULE,
  NAME_LABEL,
  podSecurityOf,
  PORT_NAME_RULE,
  PORT_NAMES_UNIQUE_RULE,
  PORT_NUMBERS_UNIQUE_RULE,
  RELOADER_SECRET_ANNOTATION,
  RELOADER_SPC_ANNOTATION,
  REQUEST_WITHIN_LIMIT_RULE,
  SECRET_KEY_RULE,
  TOPOLOGY_KEYS,
  TOPOLOGY_SPREAD,
  type PodSecurityResult,
  type PodSpecView,
} from '../lib/kubernetes';
import { CSI_DRIVER } from '../lib/csi-driver';
import { WORKLOAD_IDENTITY_USE_LABEL } from '../lib/azure';
import type { Rule } from '../lib/rule';
import { constructError } from './construct-error';
import type { KeyVaultSecretProviderClass } from './key-vault-secret-provider-class';
import type { WorkloadServiceAccount } from './workload-service-account';

export { NAME_LABEL, RELOADER_SECRET_ANNOTATION, RELOADER_SPC_ANNOTATION };
/** Name of the CSI volume in the pod. */
export const SECRETS_VOLUME_NAME = 'secrets-store';

/**
 * A SecretProviderClass of another vault (the environment file's `additionalVaults`), mounted
 * read-only through the CSI driver as a volume of its own, beside the main one.
 */
export interface AdditionalSecretsMount {
  /** In the Deployment's namespace. */
  readonly secretProviderClass: KeyVaultSecretProviderClass;
  /** Pod volume name (a DNS-1123 label), not `secrets-store`. */
  readonly volumeName: string;
  /** Absolute path, apart from `mountPath` and every other mount, neither inside the other. */
  readonly mountPath: string;
}

export interface DeploymentPort {
  readonly containerPort: number;
  /** @default - unnamed */
  readonly name?: string;
  /** @default TCP */
  readonly protocol?: 'TCP' | 'UDP';
}

export interface EnvFromSyncedSecret {
  /** Environment variable name. */
  readonly name: string;
  /** A Secret synced by the mounted SecretProviderClass (`secretObjects[].secretName`). */
  readonly secretName: string;
  readonly key: string;
}

/**
 * Requests and limits, rendered exactly as written (Kubernetes quantities).
 * @see https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/
 */
export interface DeploymentResources {
  /** @default 50m */
  readonly cpuRequest?: string;
  /** @default - no CPU limit (throttling hurts latency more than it protects neighbours) */
  readonly cpuLimit?: string;
  /** @default 64Mi */
  readonly memoryRequest?: string;
  /** @default 128Mi */
  readonly memoryLimit?: string;
}

/**
 * Security settings that satisfy the `restricted` Pod Security Standard by default.
 * @see https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
 */
export interface DeploymentSecurity {
  /** @default true */
  readonly runAsNonRoot?: boolean;
  /** @default 10001 */
  readonly runAsUser?: number;
  /** @default 10001 */
  readonly runAsGroup?: number;
  /** @default true */
  readonly readOnlyRootFilesystem?: boolean;
  /** @default false */
  readonly allowPrivilegeEscalation?: boolean;
  /** Capabilities dropped. @default ["ALL"] */
  readonly dropCapabilities?: readonly string[];
  /**
   * `Unconfined` fails even the baseline Pod Security Standard: the namespace chart then enforces
   * `privileged` for the pods to start (the environment schema refuses it).
   * @default RuntimeDefault
   */
  readonly seccompProfile?: 'RuntimeDefault' | 'Unconfined';
}

/**
 * A Kubernetes Secret that an engine writes from Key Vault objects (the Secrets Store Sync
 * Controller or the External Secrets Operator), mounted read-only where the CSI volume would be:
 * the files have the same names. Files of a Secret volume are updated in place by the kubelet
 * (its sync period plus its cache TTL) unless mounted with subPath.
 * @see https://kubernetes.io/docs/concepts/configuration/secret/#mounted-secrets-are-updated-automatically
 */
export interface DeliveredSecretVolume {
  /** The Secret's name. */
  readonly secretName: string;
  /** Namespace of the Secret: the Deployment's. */
  readonly namespace: string;
  /** Its keys (file names), each with an optional octal file mode (`"0440"`). */
  readonly keys: readonly { readonly key: string; readonly filePermission?: string }[];
  /** Secrets the container may read variables from (`envFromSyncedSecret`), by name, with their keys; this Secret among them. */
  readonly syncedSecrets: ReadonlyMap<string, ReadonlySet<string>>;
}

export interface SecretsStoreDeploymentProps {
  /** Deployment name, also the container name and the pods' `app.kubernetes.io/name`. */
  readonly name: string;
  /** The ServiceAccount the pods run as; its namespace is the Deployment's. */
  readonly serviceAccount: WorkloadServiceAccount;
  /**
   * The SecretProviderClass mounted through the CSI driver; must be in the same namespace.
   * Exactly one of `secretProviderClass` and `deliveredSecret`.
   * @default - none: `deliveredSecret` is mounted instead
   */
  readonly secretProviderClass?: KeyVaultSecretProviderClass;
  /**
   * The Secret an engine writes (secret-sync, external-secrets), mounted as a Secret volume.
   * @default - none: `secretProviderClass` is mounted through the CSI driver
   */
  readonly deliveredSecret?: DeliveredSecretVolume;
  /**
   * SecretProviderClasses of other vaults, each mounted read-only at a path of its own (CSI only:
   * needs `secretProviderClass`).
   * @default [] - one vault
   */
  readonly additionalSecretProviderClasses?: readonly AdditionalSecretsMount[];
  readonly image: string;
  /** @default - the image's entrypoint */
  readonly command?: readonly string[];
  /** @default - the image's command */
  readonly args?: readonly string[];
  /** @default [] */
  readonly ports?: readonly DeploymentPort[];
  /** Plain environment variables. @default [] */
  readonly env?: readonly { readonly name: string; readonly value: string }[];
  /**
   * Variables read from a synced Secret. Opt-in only: they never change without a pod restart.
   * @default []
   */
  readonly envFromSyncedSecret?: readonly EnvFromSyncedSecret[];
  /** @default 2 */
  readonly replicas?: number;
  /**
   * Where the secrets are mounted (read-only).
   * @default /mnt/secrets-store
   */
  readonly mountPath?: string;
  /**
   * Never allowed: a subPath mount of a CSI secrets volume is never rotated. Accepted as a prop
   * only to reject it with a message rather than silently.
   * @see https://secrets-store-csi-driver.sigs.k8s.io/known-limitations#mounted-content-and-kubernetes-secret-not-updated-after-secret-is-updated-in-external-secrets-store
   */
  readonly subPath?: string;
  /**
   * Label pods `azure.workload.identity/use: "true"` so the webhook injects the Azure token for
   * the app's own use. The CSI mount does not need it.
   * @default true
   */
  readonly workloadIdentityLabel?: boolean;
  /**
   * Annotate for Stakater Reloader (with `enableCSIIntegration`), so pods restart when mounted
   * versions change, and when a synced Secret used in `envFromSyncedSecret` changes (the
   * environment file's `deployment.restartOnRotation`).
   * @default - `DEPLOYMENT_DEFAULTS.restartOnRotation` (false)
   * @see https://github.com/stakater/Reloader#8--csi-secret-provider-support
   */
  readonly reloaderAnnotation?: boolean;
  /** @default - see `DeploymentResources` */
  readonly resources?: DeploymentResources;
  /** @default - see `DeploymentSecurity` */
  readonly securityContext?: DeploymentSecurity;
  /** @default IfNotPresent - the Kubernetes default for a tagged image */
  readonly imagePullPolicy?: kplus.ImagePullPolicy;
  /** Labels on the Deployment and its pods. @default - none */
  readonly labels?: Readonly<Record<string, string>>;
  /** Annotations on the Deployment. @default - none */
  readonly annotations?: Readonly<Record<string, string>>;
  /** Annotations on the pods. @default - none */
  readonly podAnnotations?: Readonly<Record<string, string>>;
  /**
   * Restart the container when this probe fails.
   * @default - none
   * @see https://kubernetes.io/docs/concepts/configuration/liveness-readiness-startup-probes/
   */
  readonly livenessProbe?: DeploymentProbe;
  /**
   * Send traffic to the pod only while this probe passes.
   * @default - none
   */
  readonly readinessProbe?: DeploymentProbe;
  /**
   * Spread the pods over zones and then nodes (`topologySpreadConstraints`, maxSkew 1,
   * ScheduleAnyway) when there is more than one replica.
   * @default - `DEPLOYMENT_DEFAULTS.spreadAcrossZones` (true)
   * @see https://kubernetes.io/docs/concepts/scheduling-eviction/topology-spread-constraints/
   */
  readonly spreadAcrossZones?: boolean;
}

/** A probe: an HTTP GET of `path` when set, else a TCP connect to `port` (a number, or the name of one of `ports`). */
export interface DeploymentProbe {
  readonly port: number | string;
  /** @default - a TCP connect */
  readonly path?: string;
  /** @default 0 */
  readonly initialDelaySeconds?: number;
  /** @default 10 */
  readonly periodSeconds?: number;
  /** @default 1 */
  readonly timeoutSeconds?: number;
  /** @default 3 */
  readonly failureThreshold?: number;
}

/** The documented defaults: the same values the environment schema applies. */
export { DEPLOYMENT_DEFAULTS };

/**
 * A Deployment whose pods run as the workload's ServiceAccount and mount its SecretProviderClass
 * read-only through the CSI driver. The volume's only attribute is `secretProviderClass`: every
 * attribute overrides an SPC parameter, and `rotationPollInterval` is a driver flag, not an
 * attribute. Names are stable: no cdk8s hashes in names or labels.
 *
 * @see https://learn.microsoft.com/azure/aks/csi-secrets-store-identity-access#configure-workload-identity
 */
export class SecretsStoreDeployment extends Construct {
  readonly name: string;
  readonly namespace: string;
  readonly mountPath: string;
  readonly replicas: number;
  /** The container's ports, as declared. */
  readonly ports: readonly DeploymentPort[];
  /** Pod labels the Deployment selects on. */
  readonly selector: Readonly<Record<string, string>>;
  /** The Pod Security level the rendered pods meet, and the checks they fail. */
  readonly podSecurity: PodSecurityResult;
  readonly resource: kplus.Deployment;

  constructor(scope: Construct, id: string, props: SecretsStoreDeploymentProps) {
    super(scope, id);
    const sa = props.serviceAccount;
    const spc = props.secretProviderClass;
    const delivered = props.deliveredSecret;
    const { fail, check } = validators(`Deployment ${sa.namespace}/${props.name}`);

    check(DNS1123_LABEL_RULE, props.name, 'name');
    if ((spc === undefined) === (delivered === undefined)) {
      throw fail('secretProviderClass', spc?.name, 'give exactly one of secretProviderClass (a CSI mount) and deliveredSecret (a Secret an engine writes)');
    }
    const source = spc ?? delivered!;
    if (source.namespace !== sa.namespace) {
      const [what, ref] = spc
        ? ['secretProviderClass', `${spc.namespace}/${spc.name}`]
        : ['deliveredSecret', `${delivered!.namespace}/${delivered!.secretName}`];
      throw fail(what, ref, `a pod can mount only a ${spc ? 'SecretProviderClass' : 'Secret'} of its own namespace "${sa.namespace}"`);
    }
    if (props.subPath !== undefined) {
      throw fail('subPath', props.subPath, 'a subPath mount of a CSI secrets volume is never rotated: remove subPath and read the file under mountPath');
    }
    const mountPath = props.mountPath ?? DEPLOYMENT_DEFAULTS.mountPath;
    check(CONTAINER_MOUNT_PATH_RULE, mountPath, 'mountPath');
    const replicas = props.replicas ?? DEPLOYMENT_DEFAULTS.replicas;
    if (!Number.isInteger(replicas) || replicas < 0) throw fail('replicas', replicas, 'use a whole number of 0 or more');
    const envFromSecret = props.envFromSyncedSecret ?? [];
    const extra = validateAdditionalMounts(props, mountPath, { fail, check });
    const syncedSecrets = new Map([...source.syncedSecrets, ...extra.flatMap((m) => [...m.secretProviderClass.syncedSecrets])]);
    validateEnv(
      props,
      { name: [spc?.name ?? delivered!.secretName, ...extra.map((m) => m.secretProviderClass.name)].join(', '), syncedSecrets },
      { fail, check },
    );
    validatePorts(props.ports ?? [], check);
    validateMetadata(props, check);
    const resources = resolveResources(props.resources, check);
    const security = resolveSecurity(props.securityContext, fail, check);

    this.name = props.name;
    this.namespace = sa.namespace;
    this.mountPath = mountPath;
    this.replicas = replicas;
    this.ports = [...(props.ports ?? [])];
    this.selector = { [NAME_LABEL]: props.name };

    const podLabels: Record<string, string> = { ...props.labels, ...this.selector };
    if (props.workloadIdentityLabel ?? DEPLOYMENT_DEFAULTS.workloadIdentityLabel) podLabels[WORKLOAD_IDENTITY_USE_LABEL] = 'true';

    const annotations: Record<string, string> = { ...props.annotations };
    if (props.reloaderAnnotation ?? DEPLOYMENT_DEFAULTS.restartOnRotation) {
      // Several vaults: Reloader splits the value on "," (stakater/Reloader internal/pkg/handler/upgrade.go, PerformAction).
      if (spc) annotations[RELOADER_SPC_ANNOTATION] = [spc.name, ...extra.map((m) => m.secretProviderClass.name)].join(',');
      const secrets = [...new Set([...(delivered ? [delivered.secretName] : []), ...envFromSecret.map((e) => e.secretName)])].sort();
      if (secrets.length > 0) annotations[RELOADER_SECRET_ANNOTATION] = secrets.join(',');
    }
    check(ANNOTATIONS_SIZE_RULE, annotations, 'annotations', `${annotationsSize(annotations)} bytes`);

    this.resource = this.buildDeployment(props, { replicas, podLabels, annotations, security });
    const volume = spc
      ? kplus.Volume.fromCsi(this, 'SecretsStore', CSI_DRIVER, {
          name: SECRETS_VOLUME_NAME,
          readOnly: true,
          attributes: { secretProviderClass: spc.name },
        })
      : deliveredSecretVolume(this, delivered!, fail);
    const container = this.addAppContainer(props, security);
    container.mount(mountPath, volume, { readOnly: true });
    for (const m of extra) {
      const csi = kplus.Volume.fromCsi(this, `SecretsStore-${m.volumeName}`, CSI_DRIVER, {
        name: m.volumeName,
        readOnly: true,
        attributes: { secretProviderClass: m.secretProviderClass.name },
      });
      container.mount(m.mountPath, csi, { readOnly: true });
    }
    this.podSecurity = this.patchRendered(resources);
    this.addProbes(props, check, fail);
    if (replicas > 1 && (props.spreadAcrossZones ?? DEPLOYMENT_DEFAULTS.spreadAcrossZones)) {
      ApiObject.of(this.resource).addJsonPatch(JsonPatch.add('/spec/template/spec/topologySpreadConstraints', topologySpread(this.selector)));
    }
  }

  /** The Deployment: metadata, pod metadata, our own selector, the ServiceAccount and pod security context. */
  private buildDeployment(
    props: SecretsStoreDeploymentProps,
    resolved: { replicas: number; podLabels: Record<string, string>; annotations: Record<string, string>; security: ResolvedSecurity },
  ): kplus.Deployment {
    const { replicas, podLabels, annotations, security } = resolved;
    const sa = props.serviceAccount;
    const deployment = new kplus.Deployment(this, 'Resource', {
      metadata: {
        name: props.name,
        namespace: this.namespace,
        labels: { ...props.labels, ...this.selector },
        ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
      },
      podMetadata: {
        labels: podLabels,
        ...(props.podAnnotations && Object.keys(props.podAnnotations).length > 0 ? { annotations: { ...props.podAnnotations } } : {}),
      },
      // Our own selector instead of cdk8s-plus's hashed `cdk8s.io/metadata.addr`.
      select: false,
      replicas,
      serviceAccount: sa.resource,
      automountServiceAccountToken: sa.automountToken,
      securityContext: { ensureNonRoot: security.runAsNonRoot, user: security.runAsUser, group: security.runAsGroup },
    });
    deployment.select(kplus.LabelSelector.of({ labels: { ...this.selector } }));
    return deployment;
  }

  /** The one container: image, command, ports, security context, and its environment variables. */
  private addAppContainer(props: SecretsStoreDeploymentProps, security: ResolvedSecurity): kplus.Container {
    const container = this.resource.addContainer({
      name: props.name,
      image: props.image,
      imagePullPolicy: props.imagePullPolicy ?? kplus.ImagePullPolicy.IF_NOT_PRESENT,
      ...(props.command ? { command: [...props.command] } : {}),
      ...(props.args ? { args: [...props.args] } : {}),
      ports: (props.ports ?? []).map((p) => ({
        number: p.containerPort,
        ...(p.name !== undefined ? { name: p.name } : {}),
        protocol: p.protocol === 'UDP' ? kplus.Protocol.UDP : kplus.Protocol.TCP,
      })),
      // Empty on purpose: cdk8s-plus would otherwise apply 1000m/512Mi requests; the quantities
      // from config are patched in below, exactly as written.
      resources: {},
      securityContext: {
        ensureNonRoot: security.runAsNonRoot,
        user: security.runAsUser,
        group: security.runAsGroup,
        readOnlyRootFilesystem: security.readOnlyRootFilesystem,
        allowPrivilegeEscalation: security.allowPrivilegeEscalation,
        privileged: false,
        capabilities: { drop: security.dropCapabilities },
        seccompProfile: { type: security.seccompProfile === 'Unconfined' ? kplus.SeccompProfileType.UNCONFINED : kplus.SeccompProfileType.RUNTIME_DEFAULT },
      },
    });
    for (const e of props.env ?? []) container.env.addVariable(e.name, kplus.EnvValue.fromValue(e.value));
    (props.envFromSyncedSecret ?? []).forEach((e, i) => {
      const secret = kplus.Secret.fromSecretName(this, `SyncedSecret${i}`, e.secretName);
      container.env.addVariable(e.name, kplus.EnvValue.fromSecretValue({ secret, key: e.key }));
    });
    return container;
  }

  /** Liveness and readiness probes, patched in as written (a named port must be one of `ports`). */
  private addProbes(props: SecretsStoreDeploymentProps, check: Check, fail: Fail): void {
    const names = (props.ports ?? []).map((p) => p.name).filter((n): n is string => n !== undefined);
    for (const field of ['livenessProbe', 'readinessProbe'] as const) {
      const probe = props[field];
      if (probe === undefined) continue;
      if (typeof probe.port === 'string' && !names.includes(probe.port)) {
        throw fail(
          `${field}.port`,
          probe.port,
          'names no port of ports (the kubelet cannot resolve it and the probe fails): use a declared port name or a number',
        );
      }
      if (probe.path !== undefined) check(HTTP_PROBE_PATH_RULE, probe.path, `${field}.path`);
      ApiObject.of(this.resource).addJsonPatch(JsonPatch.add(`/spec/template/spec/containers/0/${field}`, probeSpec(probe)));
    }
  }

  /** Patches what cdk8s-plus renders its own way, then judges the pod as rendered. */
  private patchRendered(resources: { requests: Record<string, string>; limits: Record<string, string> }): PodSecurityResult {
    const apiObject = ApiObject.of(this.resource);
    // Escape hatch 1: cdk8s-plus always adds the hashed `cdk8s.io/metadata.addr` pod label, even
    // with `select: false`; it would make pod labels depend on the construct path.
    apiObject.addJsonPatch(JsonPatch.remove('/spec/template/metadata/labels/cdk8s.io~1metadata.addr'));
    // Escape hatch 2: cdk8s-plus renders memory only in Mi (1Gi becomes 1024Mi, 100Ki fails);
    // render the configured quantities verbatim. Patches apply to the KubeDeployment props, where
    // a quantity is a `k8s.Quantity`.
    const quantities = (q: Readonly<Record<string, string>>) => Object.fromEntries(Object.entries(q).map(([k, v]) => [k, kplus.k8s.Quantity.fromString(v)]));
    apiObject.addJsonPatch(
      JsonPatch.add('/spec/template/spec/containers/0/resources', { requests: quantities(resources.requests), limits: quantities(resources.limits) }),
    );

    // Judge the pod as rendered, so namespace labels never promise more than the pods meet.
    const rendered = apiObject.toJson() as { spec: { template: { spec: PodSpecView } } };
    return podSecurityOf(rendered.spec.template.spec);
  }
}

/**
 * Zones first, then nodes: each prefers an even spread (maxSkew 1) but never keeps a pod from
 * scheduling (ScheduleAnyway), so a cluster in one zone, or short of nodes, still runs every pod.
 */
function topologySpread(selector: Readonly<Record<string, string>>): Record<string, unknown>[] {
  return [TOPOLOGY_KEYS.zone, TOPOLOGY_KEYS.node].map((topologyKey) => ({
    topologyKey,
    maxSkew: TOPOLOGY_SPREAD.maxSkew,
    whenUnsatisfiable: TOPOLOGY_SPREAD.whenUnsatisfiable,
    labelSelector: { matchLabels: { ...selector } },
  }));
}

/** A probe as the Kubernetes API takes it (a port name resolves against the container's ports). */
function probeSpec(probe: DeploymentProbe): Record<string, unknown> {
  const port = typeof probe.port === 'number' ? kplus.k8s.IntOrString.fromNumber(probe.port) : kplus.k8s.IntOrString.fromString(probe.port);
  return {
    ...(probe.path !== undefined ? { httpGet: { path: probe.path, port } } : { tcpSocket: { port } }),
    initialDelaySeconds: probe.initialDelaySeconds ?? 0,
    periodSeconds: probe.periodSeconds ?? 10,
    timeoutSeconds: probe.timeoutSeconds ?? 1,
    failureThreshold: probe.failureThreshold ?? 3,
  };
}

interface ResolvedSecurity {
  readonly runAsNonRoot: boolean;
  readonly runAsUser: number;
  readonly runAsGroup: number;
  readonly readOnlyRootFilesystem: boolean;
  readonly allowPrivilegeEscalation: boolean;
  readonly dropCapabilities: kplus.Capability[];
  readonly seccompProfile: 'RuntimeDefault' | 'Unconfined';
}

type Fail = (path: string, received: unknown, message: string) => Error;
type Check = <T>(rule: Rule<T>, value: T, path: string, received?: unknown) => void;

/** Errors that name the Deployment, the prop, the value and the fix; `check` throws when a rule is broken. */
function validators(subject: string): { fail: Fail; check: Check } {
  const fail: Fail = (path, received, message) => constructError(subject, path, received, message);
  const check: Check = (rule, value, path, received = value) => {
    if (!rule.test(value)) throw fail(path, received, rule.fix);
  };
  return { fail, check };
}

/**
 * The Secret volume of a delivered Secret: every key as a file, with its mode when one is set
 * (`items` then lists every key, since only listed keys are projected).
 */
function deliveredSecretVolume(scope: Construct, delivered: DeliveredSecretVolume, fail: Fail): kplus.Volume {
  if (!DNS1123_SUBDOMAIN_RULE.test(delivered.secretName)) throw fail('deliveredSecret.secretName', delivered.secretName, DNS1123_SUBDOMAIN_RULE.fix);
  if (delivered.keys.length === 0) throw fail('deliveredSecret.keys', [], 'list at least one key');
  delivered.keys.forEach((k, i) => {
    if (!SECRET_KEY_RULE.test(k.key)) throw fail(`deliveredSecret.keys[${i}].key`, k.key, SECRET_KEY_RULE.fix);
    if (k.filePermission !== undefined && !/^0?[0-7]{3}$/.test(k.filePermission))
      throw fail(`deliveredSecret.keys[${i}].filePermission`, k.filePermission, 'use an octal mode such as "0440"');
  });
  const secret = kplus.Secret.fromSecretName(scope, 'DeliveredSecret', delivered.secretName);
  const modes = delivered.keys.some((k) => k.filePermission !== undefined);
  return kplus.Volume.fromSecret(scope, 'SecretsStore', secret, {
    name: SECRETS_VOLUME_NAME,
    ...(modes
      ? {
          items: Object.fromEntries(
            delivered.keys.map((k) => [k.key, { path: k.key, ...(k.filePermission !== undefined ? { mode: parseInt(k.filePermission, 8) } : {}) }]),
          ),
        }
      : {}),
  });
}

/** The additional mounts: CSI beside a CSI mount, in the namespace, each volume name and path its own. */
function validateAdditionalMounts(
  props: SecretsStoreDeploymentProps,
  mountPath: string,
  { fail, check }: { fail: Fail; check: Check },
): readonly AdditionalSecretsMount[] {
  const extra = props.additionalSecretProviderClasses ?? [];
  if (extra.length > 0 && props.secretProviderClass === undefined) {
    throw fail('additionalSecretProviderClasses', extra.length, 'mount other vaults only beside a SecretProviderClass (a CSI mount), not a delivered Secret');
  }
  const names = new Set([SECRETS_VOLUME_NAME]);
  const paths = [{ path: mountPath, what: 'mountPath' }];
  extra.forEach((m, i) => {
    const at = `additionalSecretProviderClasses[${i}]`;
    const spc = m.secretProviderClass;
    if (spc.namespace !== props.serviceAccount.namespace) {
      throw fail(
        `${at}.secretProviderClass`,
        `${spc.namespace}/${spc.name}`,
        `a pod can mount only a SecretProviderClass of its own namespace "${props.serviceAccount.namespace}"`,
      );
    }
    check(DNS1123_LABEL_RULE, m.volumeName, `${at}.volumeName`);
    if (names.has(m.volumeName)) throw fail(`${at}.volumeName`, m.volumeName, 'volume name already used in this pod: give each volume its own name');
    names.add(m.volumeName);
    check(CONTAINER_MOUNT_PATH_RULE, m.mountPath, `${at}.mountPath`);
    const clash = paths.find((p) => !MOUNT_PATHS_APART_RULE.test({ a: p.path, b: m.mountPath }));
    if (clash !== undefined) throw fail(`${at}.mountPath`, m.mountPath, `${MOUNT_PATHS_APART_RULE.fix} (${clash.what} is ${clash.path})`);
    paths.push({ path: m.mountPath, what: `${at}.mountPath` });
  });
  return extra;
}

/** Where environment variables may come from: the SecretProviderClass's synced Secrets, or the engine's Secrets. */
interface EnvSource {
  /** The SecretProviderClass or delivered Secret, for messages. */
  readonly name: string;
  readonly syncedSecrets: ReadonlyMap<string, ReadonlySet<string>>;
}

/** Variable names, each set once, and each synced Secret and key one the source syncs. */
function validateEnv(props: SecretsStoreDeploymentProps, spc: EnvSource, { fail, check }: { fail: Fail; check: Check }): void {
  (props.env ?? []).forEach((e, i) => check(ENV_VAR_NAME_RULE, e.name, `env[${i}].name`));
  const envFromSecret = props.envFromSyncedSecret ?? [];
  envFromSecret.forEach((e, i) => {
    check(ENV_VAR_NAME_RULE, e.name, `envFromSyncedSecret[${i}].name`);
    const keys = spc.syncedSecrets.get(e.secretName);
    if (keys === undefined) {
      const known = [...spc.syncedSecrets.keys()].map((s) => JSON.stringify(s)).join(', ');
      throw fail(
        `envFromSyncedSecret[${i}].secretName`,
        e.secretName,
        `not a Secret synced by ${props.secretProviderClass ? 'SecretProviderClass ' : 'the engine of '}${spc.name}: ${known ? `use one of ${known}` : 'add it to secretObjects first'}`,
      );
    }
    if (!keys.has(e.key))
      throw fail(
        `envFromSyncedSecret[${i}].key`,
        e.key,
        `Secret "${e.secretName}" has no such key: use one of ${[...keys].map((k) => JSON.stringify(k)).join(', ')}`,
      );
  });
  const allEnv = [...(props.env ?? []), ...envFromSecret];
  check(ENV_VAR_NAMES_UNIQUE_RULE, allEnv, 'env', allEnv[firstRepeat(allEnv, (e) => e.name)?.index ?? 0]?.name);
}

/** Port names, and each name and containerPort with protocol listed once. */
function validatePorts(ports: readonly DeploymentPort[], check: Check): void {
  ports.forEach((p, i) => {
    if (p.name !== undefined) check(PORT_NAME_RULE, p.name, `ports[${i}].name`);
  });
  check(PORT_NAMES_UNIQUE_RULE, ports, 'ports', ports[firstRepeat(ports, (p) => p.name)?.index ?? 0]?.name);
  check(PORT_NUMBERS_UNIQUE_RULE, ports, 'ports', ports[firstRepeat(ports, (p) => `${p.containerPort}/${p.protocol ?? 'TCP'}`)?.index ?? 0]?.containerPort);
}

/** Labels and annotations as the API server checks them, and none of the keys we set. */
function validateMetadata(props: SecretsStoreDeploymentProps, check: Check): void {
  const reservedLabels = [NAME_LABEL, WORKLOAD_IDENTITY_USE_LABEL];
  for (const [key, value] of Object.entries(props.labels ?? {})) {
    check(LABEL_KEY_RULE, key, `labels.${key}`);
    check(LABEL_VALUE_RULE, value, `labels.${key}`);
    check(notReserved(reservedLabels, 'we set this label (the selector, or workloadIdentityLabel): remove it'), key, `labels.${key}`);
  }
  const reservedAnnotations = [RELOADER_SPC_ANNOTATION, RELOADER_SECRET_ANNOTATION];
  for (const [where, map] of [
    ['annotations', props.annotations],
    ['podAnnotations', props.podAnnotations],
  ] as const) {
    for (const key of Object.keys(map ?? {})) {
      check(ANNOTATION_KEY_RULE, key, `${where}.${key}`);
      check(notReserved(reservedAnnotations, 'set by reloaderAnnotation: use that switch instead'), key, `${where}.${key}`);
    }
    check(ANNOTATIONS_SIZE_RULE, map ?? {}, where, `${annotationsSize(map ?? {})} bytes`);
  }
}

/** A rule that a key is none of `keys`. */
function notReserved(keys: readonly string[], fix: string): Rule<string> {
  return { subject: 'key', fix, source: 'this project (keys the Deployment sets itself)', test: (k) => !keys.includes(k) };
}

function resolveResources(r: DeploymentResources | undefined, check: Check): { requests: Record<string, string>; limits: Record<string, string> } {
  const d = DEPLOYMENT_DEFAULTS.resources;
  const cpuRequest = r?.cpuRequest ?? d.cpuRequest;
  const memoryRequest = r?.memoryRequest ?? d.memoryRequest;
  const memoryLimit = r?.memoryLimit ?? d.memoryLimit;
  const cpuLimit = r?.cpuLimit;
  check(CPU_QUANTITY_RULE, cpuRequest, 'resources.cpuRequest');
  if (cpuLimit !== undefined) check(CPU_QUANTITY_RULE, cpuLimit, 'resources.cpuLimit');
  check(MEMORY_QUANTITY_RULE, memoryRequest, 'resources.memoryRequest');
  check(MEMORY_QUANTITY_RULE, memoryLimit, 'resources.memoryLimit');
  if (cpuLimit !== undefined) check(REQUEST_WITHIN_LIMIT_RULE, { request: cpuRequest, limit: cpuLimit }, 'resources.cpuRequest', cpuRequest);
  check(REQUEST_WITHIN_LIMIT_RULE, { request: memoryRequest, limit: memoryLimit }, 'resources.memoryRequest', memoryRequest);
  const limits: Record<string, string> = { ...(cpuLimit !== undefined ? { cpu: cpuLimit } : {}), memory: memoryLimit };
  return { requests: { cpu: cpuRequest, memory: memoryRequest }, limits };
}

function resolveSecurity(s: DeploymentSecurity | undefined, fail: Fail, check: Check): ResolvedSecurity {
  const d = DEPLOYMENT_DEFAULTS.securityContext;
  const drop = s?.dropCapabilities ?? d.dropCapabilities;
  drop.forEach((c, i) => check(CAPABILITY_RULE, c, `securityContext.dropCapabilities[${i}]`));
  const runAsUser = s?.runAsUser ?? d.runAsUser;
  const runAsGroup = s?.runAsGroup ?? d.runAsGroup;
  const runAsNonRoot = s?.runAsNonRoot ?? d.runAsNonRoot;
  const unixId = (v: number) => Number.isInteger(v) && v >= 0 && v <= MAX_UNIX_ID;
  if (!unixId(runAsUser)) throw fail('securityContext.runAsUser', runAsUser, `use a numeric user id from 0 to ${MAX_UNIX_ID}`);
  if (!unixId(runAsGroup)) throw fail('securityContext.runAsGroup', runAsGroup, `use a numeric group id from 0 to ${MAX_UNIX_ID}`);
  if (runAsNonRoot && runAsUser === 0)
    throw fail('securityContext.runAsUser', runAsUser, 'runAsNonRoot is true, so the kubelet refuses to start a container as user 0: use a non-zero user id');
  return {
    runAsNonRoot,
    runAsUser,
    runAsGroup,
    readOnlyRootFilesystem: s?.readOnlyRootFilesystem ?? d.readOnlyRootFilesystem,
    allowPrivilegeEscalation: s?.allowPrivilegeEscalation ?? d.allowPrivilegeEscalation,
    dropCapabilities: drop as kplus.Capability[],
    seccompProfile: s?.seccompProfile ?? d.seccompProfile,
  };
}
