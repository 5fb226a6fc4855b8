/**
 * Facts about the Secrets Store Sync Controller (kubernetes-sigs/secrets-store-sync-controller,
 * v0.0.4, experimental, not an AKS add-on) that the charts, the check and the request budget
 * share. The controller runs the same providers as the CSI driver (the Azure provider as a
 * sidecar), reads the same SecretProviderClass, and writes a Kubernetes Secret named after each
 * `SecretSync`, with no pod mount involved.
 */
import { patternRule } from './rule';

/** API version and kind the controller serves (its only version). */
export const SECRET_SYNC_API_VERSION = 'secret-sync.x-k8s.io/v1alpha1';
export const SECRET_SYNC_KIND = 'SecretSync';

/**
 * The controller's `--rotation-poll-interval` (Helm value `rotationPollInterval`): every
 * interval it re-reconciles every SecretSync, fetching every object of its SecretProviderClass
 * from the provider. `0s` turns polling off: the Secret then changes only when the SecretSync
 * or its SecretProviderClass changes (or `spec.forceSynchronization` is edited).
 * @see kubernetes-sigs/secrets-store-sync-controller v0.0.4 cmd/main.go (rotationPollInterval, default 12*time.Hour)
 * @see kubernetes-sigs/secrets-store-sync-controller internal/controller/secretsync_controller.go (providerPollingFunc, SetupWithManager)
 */
export const SECRET_SYNC_DEFAULT_ROTATION_POLL_INTERVAL = '12h';

/**
 * Label and annotation prefix the controller reserves on the Secrets it writes: a SecretSync
 * whose `secretObject.labels` or `.annotations` use it is refused (CRD validation and
 * `validateLabelsAnnotations`).
 */
export const SECRET_SYNC_RESERVED_PREFIX = 'secrets-store.sync.x-k8s.io';

/**
 * `secretObject.data[].sourcePath` and `.targetKey` as the CRD validates them: stricter than a
 * Secret key (the second character cannot be `_` or `.`, so `a_b` is refused). A targetKey must
 * also be a valid Secret key (`SECRET_KEY_RULE`: no `/`), which this pattern alone allows.
 * @see kubernetes-sigs/secrets-store-sync-controller api/v1alpha1/secretsync_types.go (SecretObjectData, +kubebuilder:validation:Pattern)
 */
export const SECRET_SYNC_KEY_RULE = patternRule(
  'SecretSync sourcePath or targetKey',
  /^[A-Za-z0-9.]([-A-Za-z0-9]+([-._a-zA-Z0-9]?[A-Za-z0-9])*)?(\/([0-9]+))*$/,
  'use letters, digits, "-", "_" and "." that start and end with a letter or digit (a leading "." allowed), with a letter, digit or "-" second (the SecretSync CRD refuses "a_b" and "a.b")',
  'kubernetes-sigs/secrets-store-sync-controller api/v1alpha1/secretsync_types.go (SecretObjectData sourcePath/targetKey pattern)',
);

/**
 * The token the controller requests for `spec.serviceAccountName` carries the audiences of its
 * `--token-request-audience` flag (Helm `tokenRequestAudience`); for the Azure provider that must
 * be `api://AzureADTokenExchange`. Nothing in the SecretSync says so: it is the installer's part.
 * @see kubernetes-sigs/secrets-store-sync-controller v0.0.4 cmd/main.go (tokenRequestAudiences)
 */
export const SECRET_SYNC_AUDIENCE_SETTING = 'tokenRequestAudience';
