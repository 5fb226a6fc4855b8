/**
 * The rule catalogue of the live checks (`verify`, `rotation-test`): every check id they report,
 * whether it may fail the run, warn, or both (by case), what it verifies and an example message.
 * The format is check's (lib/finding.ts RuleInfo); check/RULES.md is generated from both
 * (check/rules-reference.ts, `npm run docs`).
 */
import type { RuleCatalogue, RuleInfo, RuleSeverity } from '../lib/finding';

function check<S extends RuleSeverity>(severity: S, summary: string, example: string, notes?: string): RuleInfo & { readonly severity: S } {
  return { severity, summary, example, ...(notes !== undefined ? { notes } : {}) };
}

/** `verify`: read-only, in the order it runs them. */
const VERIFY = {
  'addon-daemonset': check(
    'error or warning',
    'the Secrets Store CSI driver and the Azure provider DaemonSets in `kube-system` have a ready pod on every node they schedule to (`desiredNumberScheduled == numberReady`)',
    'kube-system/aks-secrets-store-provider-azure: Azure Key Vault provider: 2/3 pods ready: pods on the other nodes cannot mount Key Vault objects',
    "Found by name (`aks-secrets-store-csi-driver`, `aks-secrets-store-provider-azure`), `app` label or image, so a Helm install is found too, with a warning (the add-on's rotation settings do not configure it); a rollout in progress is a warning; `-windows` variants that schedule nothing are skipped. A missing DaemonSet means the add-on is not enabled.",
  ),
  'driver-version': check(
    'warning',
    "the driver's version, read from the image tag of the `secrets-store` container (`mcr.microsoft.com/oss/v2/kubernetes-csi/secrets-store/driver:v1.5.3`), and the rotation model the other checks apply",
    'kube-system/aks-secrets-store-csi-driver: the driver image "mcr.microsoft.com/oss/v2/kubernetes-csi/secrets-store/driver@sha256:…" names no version: the rotation model is unknown, so both are checked (rotation events of driver ≤ 1.5, mount errors and SecretProviderClassPodStatus of driver ≥ 1.6)',
    'An image without a version tag (a digest only) is a warning: the model is unknown and the signals of both are read. `--json` carries it as `driver: { image, version, rotationModel }`. See the README\'s "Rotation, correctly".',
  ),
  'rotation-flags': check(
    'error or warning',
    'the driver container runs with `--enable-secret-rotation` and `--rotation-poll-interval` equal to `cluster.secretsProvider.rotation` in the environment file',
    'kube-system/aks-secrets-store-csi-driver: --rotation-poll-interval is 5m (5m) but environments/prod.yaml sets rotation.interval: 2m (2m)',
    "Durations are compared by value (`2m` equals `120s`), and an absent flag counts as the driver default (`false`, `2m`). The pass says how this driver refreshes: every interval (≤ 1.5), or at kubelet's republish once a mount is older than the interval (≥ 1.6). A driver container without rotation flags is a warning.",
  ),
  reloader: check(
    'error',
    'when a workload sets `deployment.restartOnRotation`: a Stakater Reloader Deployment (any namespace; found by its `app.kubernetes.io/name: reloader` label or its `stakater/reloader` image) has a ready pod and runs with `--enable-csi-integration=true`',
    'cluster: workload payments/payments-api sets restartOnRotation, but no Stakater Reloader Deployment runs in the cluster: their pods never restart when mounted versions change',
    'Without the CSI integration Reloader ignores SecretProviderClassPodStatus, so mounted versions changing restart nothing. `output.reloader` renders its installation (chart `reloader`, `reloader.enableCSIIntegration: true`). Not run when no workload sets restartOnRotation.',
  ),
  'pod-monitor': check(
    'error',
    'when the environment sets `monitoring`: each rendered PodMonitor (driver and provider) exists in `kube-system` in its API group, and selects running add-on pods that declare the scraped container port',
    "kube-system/secrets-store-csi-driver-metrics: PodMonitor (monitoring.coreos.com/v1) not found: the add-on's secrets-store-csi-driver pods are not scraped and the alerts on them never fire",
    "A PodMonitor's `portNumber` matches declared container ports only: a pod that listens without declaring the port is not scraped. An unknown kind (the CRD is not installed) reads as not found.",
  ),
  'scrape-targets': check(
    'error or warning',
    "with `--prometheus-url`: Prometheus has an `up{job=...}` series for the PodMonitor's job, every one 1, and as many as running pods",
    'kube-system/secrets-store-provider-azure-metrics: Prometheus at http://localhost:9090 has no up{job="secrets-store-provider-azure"} series: the PodMonitor is not picked up',
    'Fewer targets than pods is a warning (a new node, or a sharded Prometheus). The URL is queried without credentials (`/api/v1/query`): port-forward the Prometheus service, or use a proxy that adds them.',
  ),
  namespace: check('error', 'the workload namespace exists and is not terminating', 'demo: namespace does not exist'),
  'service-account': check(
    'error or warning',
    "the ServiceAccount exists, with `azure.workload.identity/client-id` equal to the identity's client id in the Terraform outputs",
    "demo/demo-app: annotation azure.workload.identity/client-id is 9999… but the outputs say the identity's client id is 1111…",
    'A warning when the outputs have no client id for the workload to compare with.',
  ),
  spc: check(
    'error',
    'the SecretProviderClass exists (and passes when it matches the rendered manifest: see `spc-drift`)',
    'demo/demo-app-keyvault: SecretProviderClass not found: pods that mount it fail with FailedMount "not found"',
  ),
  'spc-drift': check(
    'error',
    "the live SecretProviderClass's `spec` matches the manifest the chart renders from the same environment and outputs, one finding per differing field",
    'demo/demo-app-keyvault: spec.parameters.objects[0].objectAlias: rendered "DB_PASSWORD", live "db-password"',
    'Values are compared the way the provider reads them: whitespace is trimmed and `objects` is parsed.',
  ),
  deployment: check(
    'error or warning',
    'the Deployment exists, runs as the federated ServiceAccount, mounts the SecretProviderClass through a `readOnly` CSI volume without `subPath`, and is Available',
    'demo/demo-app: pods run as ServiceAccount "default" but the federated credential is for "demo-app": token exchange fails with AADSTS70021',
    'A Deployment scaled to 0 replicas is a warning: nothing mounts the secrets, so mounts cannot be verified.',
  ),
  pods: check(
    'error',
    'every pod of the Deployment is Running and Ready',
    'demo/demo-app-7c9d8f6b5-x2k4p: Pending, ContainerCreating',
    'A pod stuck in `ContainerCreating` is shown as waiting for its mount (see `mount-event`).',
  ),
  'mounted-objects': check(
    'error or warning',
    "for each ready pod, the driver's `SecretProviderClassPodStatus` says `mounted` and lists every configured object (`<type>/<name>`) with a version, or the pinned version for pinned objects",
    'demo/demo-app-7c9d8f6b5-q8w2n: mounted, but without cert/web-tls: the pod runs with an older SecretProviderClass or the objects list drifted',
    "A warning when pods mount different versions of the same object, saying how long that is normal for the driver's model. On driver ≥ 1.6 a version that stays behind Key Vault's is the only sign of a failed refresh the cluster keeps (no event).",
  ),
  'mount-event': check(
    'error or warning',
    'recent events of the reasons the driver records (`FailedMount` always; `MountRotationFailed` and `SecretRotationFailed` on driver ≤ 1.5 only), each mapped to a known cause with its fix',
    'demo/demo-app-7c9d8f6b5-x2k4p: FailedMount (3 times): Entra ID found no federated credential matching the pod\'s service-account token (AADSTS70021): token issuer "https://…"; the pod\'s token subject is "system:serviceaccount:demo:default" but the environment expects "system:serviceaccount:demo:demo-app" (the pod runs under another ServiceAccount or namespace)',
    'Known causes (verify/events.ts): AADSTS70021/700213 (no matching federated credential; the message shows which issuer or subject differs from the environment), AADSTS70025, AADSTS700016, AADSTS700024, AADSTS90002, `ForbiddenByRbac`, an access-policy "does not have secrets get permission", `ForbiddenByFirewall`, `ForbiddenByConnection`, other 403s, 404 / `SecretNotFound`, 429 throttling, "Readonly is not true in request", SecretProviderClass "not found", driver not registered on the node, provider not reachable, DNS "no such host", missing SPC parameters, an unparseable `objects`, and timeouts; any other message is shown clipped, with a pointer to the logs. An error when the affected pod is not ready now, when a rotation failed and no later rotation completed (≤ 1.5), or when a `FailedMount` came after the pod became ready (a failed refresh on republish, ≥ 1.6; v1.6.0 masks those, so expect none from it); past failures of pods that are ready now, or of pods that no longer exist, are warnings.',
  ),
  'mounted-files': check(
    'error or warning',
    "with `--exec`: `ls -1A` in one ready pod's mount path shows every expected file name. Only file names are read, never file contents",
    'demo/demo-app-7c9d8f6b5-q8w2n:/mnt/secrets-store: missing "DB_PASSWORD" (found "web-tls")',
    'A warning for unexpected extra files (objects removed from the SecretProviderClass stay mounted until the pod restarts), or when the mount cannot be listed (no `ls` in the image, or exec not allowed).',
  ),
} as const satisfies Readonly<Record<string, RuleInfo>>;

/** `rotation-test`: its preflight also reports `driver-version`, `rotation-flags` and a missing driver (`addon-daemonset`). */
const ROTATION_TEST = {
  rotation: check(
    'error or warning',
    "each pod's mounted version (`SecretProviderClassPodStatus`) moves to the version the test wrote, within what the driver's model leads to expect",
    'demo: no new version observed within 300 s in 2/2 pods (demo-app-7c9d8f6b5-q8w2n, demo-app-7c9d8f6b5-x2k4p): the driver runs with rotation disabled',
    'Before anything is written, no ready pod or no recorded mounted version is an error (nothing written). After a timeout, the error names the cause: rotation off or slower on the driver, a disabled or not-yet-valid version, decoded rotation-failure events (≤ 1.5), or a pointer to the driver log and its `rotation_reconcile_error_total{rotated="true"}` metric (≥ 1.6, which records no event). A pod that went away during the test, a latency above the expected bound, or another writer of the secret are warnings.',
  ),
  'rotation-file': check(
    'error or warning',
    'with `--exec`: the SHA-256 of the mounted file, computed inside the pod (the content never leaves it), changes after the write',
    "demo/demo-app-7c9d8f6b5-q8w2n:DB_PASSWORD: the driver reports the new version but the file's SHA-256 did not change within 300 s",
    'A warning when the file cannot be hashed (no `sha256sum` in the image, a version-history folder, exec not allowed): the test then relies on `SecretProviderClassPodStatus` alone.',
  ),
} as const satisfies Readonly<Record<string, RuleInfo>>;

export const VERIFY_RULES = { ...VERIFY, ...ROTATION_TEST } as const;

/** check/RULES.md's second part: the live checks. */
export const VERIFY_CATALOGUE: RuleCatalogue = {
  title: 'The live checks (`verify`, `rotation-test`)',
  column: 'check',
  intro: `\`verify\` only reads: it compares a live cluster with what the environment file and the Terraform
outputs expect. \`rotation-test\` writes one new version of one secret and watches the pods mount it.
Every check reports \`ok\` when it holds, so the report lists what was covered; an error fails the
run (exit 1), a warning is printed. A read the cluster refuses (403) is an error of the check that
needed it, and the run goes on. Exit code 2 is for bad input, no kubeconfig, an unreachable cluster or
missing Azure credentials.`,
  sections: [
    { title: '`verify`', rules: VERIFY },
    {
      title: '`rotation-test`',
      intro:
        'Its preflight also reports `driver-version`, `rotation-flags` and a missing driver (`addon-daemonset`); nothing is written when rotation cannot be observed.',
      rules: ROTATION_TEST,
    },
  ],
};
