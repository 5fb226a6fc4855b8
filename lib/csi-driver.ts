/**
 * Facts about the Secrets Store CSI driver (kubernetes-sigs/secrets-store-csi-driver) and its
 * Azure provider (Azure/secrets-store-csi-driver-provider-azure) that the charts, the check and
 * verify share.
 */

/** The CSI driver's registered name (the volume's `csi.driver`). */
export const CSI_DRIVER = 'secrets-store.csi.k8s.io';
/** API version of SecretProviderClass served by driver v1.x (v1alpha1 is deprecated). */
export const SPC_API_VERSION = 'secrets-store.csi.x-k8s.io/v1';
/** The only CSI volume attribute a user sets; every other attribute overrides an SPC parameter. */
export const SPC_VOLUME_ATTRIBUTE = 'secretProviderClass';
/** `spec.provider` of a SecretProviderClass for Key Vault. */
export const AZURE_PROVIDER = 'azure';

/** Object types of the Azure provider (case-sensitive). */
export const OBJECT_TYPES = ['secret', 'key', 'cert'] as const;
export type ObjectType = (typeof OBJECT_TYPES)[number];

/** A file name inside the CSI mount: one path element, no `/`, not `.` or `..`, at most 255 chars. */
export const MOUNT_FILE_NAME = /^(?!\.\.?$)[^/\0]{1,255}$/;

/** Keys the Azure provider reads in an `objects` element; anything else is silently ignored. */
export const KNOWN_OBJECT_KEYS = ['objectName', 'objectType', 'objectAlias', 'objectVersion', 'objectVersionHistory', 'objectFormat', 'objectEncoding', 'filePermission'] as const;

/** Secret types the driver can sync to (`secretObjects[].type`). */
export const SYNCED_SECRET_TYPES = ['Opaque', 'kubernetes.io/tls', 'kubernetes.io/dockerconfigjson', 'kubernetes.io/basic-auth', 'kubernetes.io/ssh-auth'] as const;
export type SyncedSecretType = (typeof SYNCED_SECRET_TYPES)[number];

/** The driver's default `--rotation-poll-interval` (the AKS add-on's `secret_rotation_interval`). */
export const DEFAULT_ROTATION_INTERVAL = '2m';

