/**
 * Names that both the environment rules and the derived model need. Kept free of imports so
 * the config rules can use them without a cycle through the model.
 */

/**
 * File name of a rendered Kubernetes object: `<kind>-<namespace>-<name>.yaml` (lower-case
 * kind; no namespace for cluster-scoped objects). Two objects can join to the same name
 * (`a`/`b-c` and `a-b`/`c`); the environment rules reject such a pair.
 */
export function manifestFileName(kind: string, namespace: string | undefined, name: string): string {
  return `${[kind.toLowerCase(), namespace, name].filter((p): p is string => p !== undefined).join('-')}.yaml`;
}

export function secretProviderClassName(workload: string): string {
  return `${workload}-keyvault`;
}

/**
 * The SecretProviderClass of a workload for one of `additionalVaults`: `<workload>-keyvault-<vault>`
 * (the vault name in lower case; vault names are case-insensitive DNS labels). The class of the
 * environment's own vault keeps `secretProviderClassName`, so adding a vault changes no name.
 */
export function additionalSecretProviderClassName(workload: string, vault: string): string {
  return `${secretProviderClassName(workload)}-${vault.toLowerCase()}`;
}

/** The CSI volume of one of `additionalVaults` in a pod: `secrets-store-<vault>` (the main one is `secrets-store`). */
export function additionalVaultVolumeName(vault: string): string {
  return `secrets-store-${vault.toLowerCase()}`;
}

/** Where a workload mounts one of `additionalVaults` unless the vault's `mountPath` says otherwise. */
export function defaultAdditionalVaultMountPath(vault: string): string {
  return `/mnt/secrets-store-${vault.toLowerCase()}`;
}

/**
 * The Kubernetes Secret a workload's objects are delivered in when its engine writes one
 * (`secret-sync`, `external-secrets`); the SecretStore of an `external-secrets` workload has the
 * same name. Kinds differ, so the names never clash with the SecretProviderClass.
 */
export function deliveredSecretName(workload: string): string {
  return `${workload}-keyvault`;
}

/** The SecretStore (namespaced) of an `external-secrets` workload. */
export function secretStoreName(workload: string): string {
  return `${workload}-keyvault`;
}

/** Shared secrets: the SecretProviderClass in each namespace (`secret-sync`). */
export const SHARED_SECRETS_PROVIDER_CLASS = 'shared-secrets-keyvault';

/** Shared secrets: the ClusterSecretStore (`external-secrets`): cluster-scoped, so named after the environment. */
export function sharedSecretStoreName(environment: string): string {
  return `${environment}-shared-secrets`;
}

/** Shared secrets: the ClusterExternalSecret of one Secret (`external-secrets`): cluster-scoped, so named after the environment. */
export function sharedExternalSecretName(environment: string, secretName: string): string {
  return `${environment}-${secretName}`;
}

/** Key of the shared-secrets identity (`id-<env>-shared-secrets`): no workload may take this name. */
export const SHARED_SECRETS_IDENTITY_KEY = 'shared-secrets';
