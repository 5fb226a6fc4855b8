/**
 * Facts about the External Secrets Operator (external-secrets/external-secrets) and its Azure Key
 * Vault provider that the charts, the check and the request budget share.
 *
 * The provider source read: providers/v1/azure/keyvault/keyvault.go (getObjType,
 * getSecretWithLegacySDK, getProperty, authorizerForWorkloadIdentity); the controller:
 * pkg/controllers/externalsecret/externalsecret_controller_secret.go (getProviderSecretData).
 */
import type { CsiCloudName } from './azure';
import type { ObjectType } from './csi-driver';
import { predicateRule } from './rule';

/** The API version ESO serves; `v1beta1` is no longer served since v0.17 (the vendored CRDs mark it `served: false`). */
export const ESO_API_VERSION = 'external-secrets.io/v1';
export const ESO_KINDS = {
  secretStore: 'SecretStore',
  clusterSecretStore: 'ClusterSecretStore',
  externalSecret: 'ExternalSecret',
  clusterExternalSecret: 'ClusterExternalSecret',
} as const;

/**
 * `spec.provider.azurekv.authType` for a Kubernetes ServiceAccount federated with Entra ID. The
 * CRD default is `ServicePrincipal`, so leaving it out breaks the chain.
 */
export const ESO_WORKLOAD_IDENTITY_AUTH = 'WorkloadIdentity';

/**
 * With `serviceAccountRef`, the provider reads the client id from the ServiceAccount's
 * `azure.workload.identity/client-id` annotation (required: "missing clientID") and the tenant
 * from `spec.provider.azurekv.tenantId`, else from this ServiceAccount annotation, else from the
 * operator pod's own `AZURE_TENANT_ID`. Both the store's tenantId and this annotation set is an
 * error ("multiple tenantID found").
 * @see external-secrets/external-secrets providers/v1/azure/keyvault/keyvault.go (authorizerForWorkloadIdentity, errMultipleTenantID)
 */
export const ESO_TENANT_ID_ANNOTATION = 'azure.workload.identity/tenant-id';

/** `refreshInterval` of an ExternalSecret when unset (the CRD default `1h0m0s`). */
export const ESO_DEFAULT_REFRESH_INTERVAL = '1h';

/**
 * `spec.provider.azurekv.environmentType` for each cloud (the CRD default is `PublicCloud`).
 * @see external-secrets/external-secrets providers/v1/azure/keyvault/keyvault.go (AadEndpointForType, kvResourceForProviderConfig)
 */
export const ESO_ENVIRONMENT_TYPES: Readonly<Record<CsiCloudName, string>> = {
  AzurePublicCloud: 'PublicCloud',
  AzureUSGovernmentCloud: 'USGovernmentCloud',
  AzureChinaCloud: 'ChinaCloud',
};

/**
 * The remote key of a Key Vault object: `<type>/<name>`. The provider splits the key at "/": a
 * key without a prefix is a secret; `secret`, `key` and `cert` are the prefixes it knows, and any
 * other fails ("unknown Azure Keyvault object Type").
 * @see external-secrets/external-secrets providers/v1/azure/keyvault/keyvault.go (getObjType)
 */
export function remoteKeyOf(o: { readonly type: ObjectType; readonly name: string }): string {
  return `${o.type}/${o.name}`;
}

/** A remote key taken apart as the provider does; `type` is undefined for a prefix it does not know. */
export function parseRemoteKey(key: string): { readonly type: ObjectType | undefined; readonly prefix: string | undefined; readonly name: string } {
  const parts = key.split('/');
  if (parts.length < 2) return { type: 'secret', prefix: undefined, name: key };
  const prefix = parts[0];
  const type = prefix === 'secret' || prefix === 'key' || prefix === 'cert' ? prefix : undefined;
  return { type, prefix, name: parts[1] };
}

/**
 * What the provider returns for each object type, which differs from the CSI provider's files:
 * a `secret` is its value; a `key` is the JSON Web Key as JSON (the CSI provider writes the
 * public key as PEM); a `cert` is the DER certificate (the CSI provider writes PEM). The private
 * key of a certificate comes, as for CSI, with type `secret` on the certificate's name (PEM or
 * PKCS#12, by the certificate's content type).
 * @see external-secrets/external-secrets providers/v1/azure/keyvault/keyvault.go (getSecretWithLegacySDK: *certResp.Cer, json.Marshal(keyResp.Key))
 */
export const ESO_VALUE_OF_TYPE: Readonly<Record<ObjectType, string>> = {
  secret: 'the secret value',
  key: 'the JSON Web Key (JSON)',
  cert: 'the DER-encoded certificate',
};

/**
 * `remoteRef.property` names a JSON field (a gjson path): an empty one returns the whole value,
 * and one of only blanks finds no field, so the sync fails with "property not found".
 * @see external-secrets/external-secrets providers/v1/azure/keyvault/keyvault.go (getProperty: gjson.Get, "property %s not found")
 */
export const ESO_PROPERTY_RULE = predicateRule<string>(
  'JSON property',
  (p) => p.trim() !== '',
  'name a JSON field such as "username", or remove property',
  'external-secrets/external-secrets providers/v1/azure/keyvault/keyvault.go (getProperty)',
);

/**
 * `remoteRef.property` selects a JSON field (a gjson path) of a secret's value or of a key's JWK;
 * for a cert the provider returns the DER certificate and ignores it.
 * @see external-secrets/external-secrets providers/v1/azure/keyvault/keyvault.go (getProperty; the objectTypeCert case never reads ref.Property)
 */
export const ESO_PROPERTY_TYPE_RULE = predicateRule<ObjectType>(
  'object type with a JSON property',
  (t) => t !== 'cert',
  'the External Secrets Operator ignores property on a cert (it returns the DER certificate): split a secret holding JSON instead',
  'external-secrets/external-secrets providers/v1/azure/keyvault/keyvault.go (getSecretWithLegacySDK: the cert case returns *certResp.Cer)',
);

/** The remote key's prefix is one the provider knows. */
export const ESO_REMOTE_KEY_RULE = predicateRule<string>(
  'remoteRef.key',
  (key) => parseRemoteKey(key).type !== undefined,
  'prefix the Key Vault object name with "secret/", "key/" or "cert/" (or none, for a secret)',
  'external-secrets/external-secrets providers/v1/azure/keyvault/keyvault.go (getObjType; GetSecret: errUnknownObjectType)',
);

/**
 * `remoteRef.decodingStrategy` for the CSI provider's `objectEncoding`: both decode a value stored
 * encoded. The CSI provider's `hex` has no counterpart.
 * @see external-secrets/external-secrets apis/externalsecrets/v1 (ExternalSecretDecodingStrategy: Auto, Base64, Base64URL, None)
 */
export const ESO_DECODING_OF_ENCODING: Readonly<Record<'utf-8' | 'base64', string | undefined>> = { 'utf-8': undefined, base64: 'Base64' };

/**
 * Template functions (engine v2) that cut a PEM bundle to its parts: a Key Vault certificate's
 * secret holds the private key and the chain, and a `kubernetes.io/tls` Secret wants them apart
 * (the CSI driver and the Sync Controller split them by key name; ESO needs a template).
 * @see external-secrets/external-secrets runtime/template/v2/template.go (tplFuncs: filterPEM)
 */
export const ESO_TLS_TEMPLATE: Readonly<Record<'tls.crt' | 'tls.key', string>> = {
  'tls.crt': 'CERTIFICATE',
  'tls.key': 'PRIVATE KEY',
};

/**
 * Each refresh of an ExternalSecret calls the provider once per `spec.data` entry (one Key Vault
 * GET each: two entries reading two properties of one secret are two GETs).
 * @see external-secrets/external-secrets pkg/controllers/externalsecret/externalsecret_controller_secret.go (getProviderSecretData: handleSecretData per entry, client.GetSecret)
 */
export const ESO_GETS_PER_DATA_ENTRY = 1;
