/**
 * The rule catalogue: every rule id the check can report, with its fixed severity and a one-line
 * summary. `check/RULES.md` documents the same ids; a test keeps the two in step.
 */
import type { Severity } from './finding';

interface RuleInfo {
  readonly severity: Severity;
  readonly summary: string;
}

const rule = (severity: Severity, summary: string): RuleInfo => ({ severity, summary });

export const RULES = {
  // Inputs
  'outputs-contract-invalid': rule('error', 'the outputs file does not hold a valid outputs contract'),
  'output-missing': rule('error', 'the Terraform JSON has no aks_keyvault_csi output'),
  'outputs-keyvault-uri': rule('error', "the outputs' keyVault.uri is not the URI of keyVault.name in the outputs' cloud"),

  // Workload ↔ Kubernetes objects
  'service-account-missing': rule('error', "the workload's ServiceAccount is not among the manifests of its namespace"),
  'secret-provider-class-missing': rule('error', 'the SecretProviderClass a CSI volume names is missing from its namespace'),
  'service-account-client-id-missing': rule('warning', 'the ServiceAccount has no azure.workload.identity/client-id annotation'),

  // CSI volume and mount
  'csi-volume-not-read-only': rule('error', 'the CSI volume is not readOnly: true'),
  'csi-mount-not-read-only': rule('error', 'a volumeMount of the CSI volume is not readOnly: true'),
  'csi-mount-sub-path': rule('error', 'a volumeMount of the CSI volume uses subPath, which is never rotated'),
  'csi-volume-rotation-poll-interval': rule('error', 'rotationPollInterval in volumeAttributes does nothing'),
  'csi-volume-extra-attribute': rule('warning', 'a volumeAttributes key other than secretProviderClass overrides an SPC parameter'),
  'csi-volume-not-mounted': rule('warning', 'no container mounts the CSI volume'),
  'env-from-synced-secret': rule('warning', 'an environment variable reads a synced Secret and will not change on rotation'),

  // SecretProviderClass
  'spc-api-version': rule('warning', 'the SecretProviderClass uses a deprecated apiVersion'),
  'spc-provider': rule('error', 'spec.provider is not azure'),
  'spc-keyvault-name': rule('error', "keyvaultName is missing or is not the stack's vault"),
  'spc-tenant-id': rule('error', "tenantID is missing or is not the outputs' tenant"),
  'spc-tenant-id-spelling': rule('warning', 'tenantId (deprecated spelling) is set'),
  'spc-client-id-missing': rule('error', 'the SecretProviderClass has no clientID'),
  'spc-identity-mode': rule('error', 'a pod-identity or VM-identity mode is on, so the workload identity is not used'),
  'spc-cloud-name': rule('error', "cloudName differs from the outputs' cloud"),
  'spc-objects-malformed': rule('error', 'parameters.objects cannot be parsed'),
  'spc-object-unknown-key': rule('error', 'an objects element has a key the provider silently ignores'),
  'spc-object-type': rule('error', 'objectType is not secret, key or cert (case-sensitive)'),
  'spc-object-name-missing': rule('error', 'an objects element has no objectName'),
  'spc-object-version-pinned': rule('warning', 'objectVersion pins a version, which is never rotated'),
  'spc-file-name-invalid': rule('error', 'a mounted file name is empty or absolute, contains ".." anywhere, has an element over 255 bytes, or is over 4096 bytes'),
  'spc-file-name-duplicate': rule('error', 'two objects mount the same file name'),
  'secret-object-malformed': rule('error', 'a secretObjects entry lacks secretName or data, or a data item lacks objectName or key'),
  'secret-object-type-missing': rule('error', 'a secretObjects entry has no type and is silently skipped'),
  'secret-object-unknown-file': rule('error', 'a secretObjects data objectName is not a mounted file name'),
  'secret-object-tls-keys': rule('error', 'a kubernetes.io/tls secretObjects entry does not have exactly the keys tls.crt and tls.key'),
  'secret-object-versioned-file': rule('error', 'a secretObjects data objectName names an object whose objectVersionHistory > 1 writes only <name>/0, <name>/1, ...'),
  'secret-object-key-invalid': rule('error', 'a secretObjects data key is not a valid Secret key'),
  'secret-object-required-keys': rule('error', 'a basic-auth, ssh-auth or dockerconfigjson secretObjects entry lacks the key its type requires'),

  // Federated credentials
  'federated-credential-missing': rule('error', "no federated credential has the workload's subject"),
  'federated-credential-issuer': rule('error', "the credential's issuer is not a reference to the cluster's oidc_issuer_url"),
  'federated-credential-audience': rule('error', 'the credential\'s audience is not exactly ["api://AzureADTokenExchange"]'),
  'federated-credential-parent': rule('error', "the credential's parent_id is not a reference to a user-assigned identity's id"),
  'federated-credential-unused': rule('warning', 'a federated credential matches no workload in the manifests'),
  'federated-credential-limit': rule('error', 'an identity holds more than 20 federated credentials'),
  'federated-credentials-not-serialized': rule('warning', "credentials of one identity are not serialized with depends_on (Azure answers 409)"),

  // Client id
  'output-client-id': rule('error', "the Terraform output has no workload entry whose clientId references the identity's client_id"),
  'client-id-mismatch': rule('error', 'the ServiceAccount annotation, the SPC clientID and the identity client id disagree'),

  // Role assignments
  'role-assignment-client-id': rule('error', 'a role assignment uses client_id as principal_id'),
  'role-assignment-missing': rule('error', 'no role assignment lets the identity read a mounted object'),
  'role-assignment-principal-type': rule('warning', 'principal_type is not ServicePrincipal'),
  'role-administrator': rule('warning', 'Key Vault Administrator grants more than read'),
  'role-assignment-duplicate': rule('error', 'two role assignments give one principal one role at one scope (Azure answers 409 RoleAssignmentExists)'),

  // Cluster identity
  'cluster-oidc-issuer-disabled': rule('error', 'a created cluster has oidc_issuer_enabled other than true'),
  'cluster-workload-identity-disabled': rule('error', 'a created cluster has workload_identity_enabled other than true'),

  // Rotation
  'secrets-provider-addon-missing': rule('error', 'the cluster has no key_vault_secrets_provider block'),
  'rotation-disabled': rule('warning', 'secret rotation is off on the add-on'),
  'rotation-unverifiable': rule('warning', 'the cluster is a data source: rotation cannot be verified offline'),
} as const satisfies Record<string, RuleInfo>;

export type RuleId = keyof typeof RULES;
