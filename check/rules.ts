/**
 * The rule catalogue of `check`: every rule id the trust-chain check and drift can report, with
 * its fixed severity, a one-line summary and an example message. check/RULES.md is generated
 * from it (check/rules-reference.ts, `npm run docs`); a test fails while the file is stale.
 */
import { KEY_VAULT_ROLES, ROLES, type KeyVaultRoleName } from '../lib/azure';
import { OBJECT_TYPES } from '../lib/csi-driver';
import type { RuleCatalogue, RuleInfo, Severity } from '../lib/finding';

/** A check rule has one severity: `Findings` takes it from here, so a rule cannot change it ad hoc. */
type CheckRules = Readonly<Record<string, RuleInfo & { readonly severity: Severity }>>;

function rule<S extends Severity>(severity: S, summary: string, example: string, notes?: string): RuleInfo & { readonly severity: S } {
  return { severity, summary, example, ...(notes !== undefined ? { notes } : {}) };
}

/** Inputs */
const INPUTS = {
  'outputs-contract-invalid': rule(
    'error',
    'the outputs file does not hold a valid outputs contract',
    'environments/dev.outputs.json: tenantId must be a GUID ...; client id, tenant and vault cannot be compared against it',
    '(or `environments/dev.outputs.json holds the outputs of environment "prod", but cdktf.out/stacks/dev/cdk.tf.json is environment "dev"; …`; nothing is then compared against the outputs)',
  ),
  'output-missing': rule(
    'error',
    'the Terraform JSON has no aks_keyvault_csi output',
    'cdktf.out/stacks/dev/cdk.tf.json has no output "aks_keyvault_csi": the chart cannot learn client ids, tenant or vault',
  ),
  'outputs-identity-stale': rule(
    'error',
    'the outputs file names another identity for a workload than the stack assigns it',
    'environments/prod.outputs.json: workloads.svc-21.identityName is "id-prod-shared" but cdktf.out/stacks/prod/cdk.tf.json assigns workload "svc-21" to identity "id-prod-shared-2": the rendered client id belongs to the old identity, whose federated credential the next apply removes',
    '(a shared identity is split into identities of at most 20 federated credentials in workload order: removing or reordering workloads moves the ones after the change)',
  ),
  'outputs-keyvault-uri': rule(
    'error',
    "the outputs' keyVault.uri is not the URI of keyVault.name in the outputs' cloud",
    'environments/dev.outputs.json: keyVault.uri "https://kv-other.vault.azure.net/" is not the URI of vault "kv-dev" in AzurePublicCloud (https://kv-dev.vault.azure.net/): Key Vault clients (the rotation test among them) would reach another vault',
    '(host compared in any case, trailing slash optional; the vault name is still compared)',
  ),
} as const satisfies CheckRules;

/** Workload and its Kubernetes objects */
const WORKLOAD = {
  'service-account-missing': rule(
    'error',
    "the workload's ServiceAccount is not among the manifests of its namespace",
    'Deployment web/web-frontend runs as ServiceAccount "web-frontend", which is not in namespace "web"; ServiceAccounts in "web": web-frontend-v2',
  ),
  'secret-provider-class-missing': rule(
    'error',
    'the SecretProviderClass a CSI volume names is missing from its namespace',
    'Deployment demo/app: SecretProviderClass "nope" is not in namespace "demo"; pods fail with FailedMount',
    '(also: the volume names no `secretProviderClass`; or the class is in another namespace)',
  ),
  'service-account-client-id-missing': rule(
    'warning',
    'the ServiceAccount has no azure.workload.identity/client-id annotation',
    "ServiceAccount demo/app has no azure.workload.identity/client-id annotation: the mount works (the provider uses the SPC clientID) but the app's own Azure SDK calls will not",
  ),
} as const satisfies CheckRules;

/** CSI volume and mount (rotation-safe shape) */
const CSI_VOLUME = {
  'csi-volume-not-read-only': rule(
    'error',
    'the CSI volume is not readOnly: true',
    'Deployment demo/app: CSI volume "secrets-store" has readOnly false; the driver rejects the mount ("Readonly is not true in request")',
  ),
  'csi-mount-not-read-only': rule(
    'error',
    'a volumeMount of the CSI volume is not readOnly: true',
    'Deployment demo/app: container "main" mounts CSI volume "secrets-store" without readOnly: true',
  ),
  'csi-mount-sub-path': rule(
    'error',
    'a volumeMount of the CSI volume uses subPath, which is never rotated',
    'Deployment demo/app: container "main" mounts CSI volume "secrets-store" with subPath; a subPath mount is never rotated',
    '(also `subPathExpr`)',
  ),
  'csi-volume-rotation-poll-interval': rule(
    'error',
    'rotationPollInterval in volumeAttributes does nothing',
    "Deployment demo/app: rotationPollInterval is not a volume attribute and does nothing; the poll interval is the add-on's setting",
  ),
  'csi-volume-extra-attribute': rule(
    'warning',
    'a volumeAttributes key other than secretProviderClass overrides an SPC parameter',
    'Deployment demo/app: volume attribute "keyvaultName" is forwarded to the provider and overrides the SecretProviderClass parameter of the same name',
  ),
  'csi-volume-not-mounted': rule('warning', 'no container mounts the CSI volume', 'Deployment demo/app: no container mounts CSI volume "secrets-store"'),
  'env-from-synced-secret': rule(
    'warning',
    'an environment variable reads a synced Secret and will not change on rotation',
    'Deployment demo/app: container "main" reads CERT from synced Secret "app-tls"; environment variables do not change on rotation until the pod restarts',
    '(not reported when the workload carries a Stakater Reloader `...reloader.stakater.com/reload` or `.../auto: "true"` annotation)',
  ),
} as const satisfies CheckRules;

/** SecretProviderClass */
const SECRET_PROVIDER_CLASS = {
  'spc-api-version': rule(
    'warning',
    'the SecretProviderClass uses a deprecated apiVersion',
    'SecretProviderClass demo/app-keyvault uses apiVersion "secrets-store.csi.x-k8s.io/v1alpha1"; v1alpha1 is deprecated',
  ),
  'spc-provider': rule(
    'error',
    'spec.provider is not azure',
    'SecretProviderClass demo/app-keyvault has provider "vault": the Azure Key Vault provider only serves "azure"',
  ),
  'spc-keyvault-name': rule(
    'error',
    'keyvaultName is missing or is none of the vaults the stack declares (its vault and additionalVaults)',
    'SecretProviderClass demo/app-keyvault reads vault "kv-other" but the stack\'s vault is "kv-dev"',
    '(or `... but environments/dev.outputs.json says keyVault.name is "kv-dev"`, or names the vaults when the outputs list additionalVaults; or `has no keyvaultName`)',
  ),
  'spc-tenant-id': rule(
    'error',
    "tenantID is missing or is not the outputs' tenant",
    'SecretProviderClass demo/app-keyvault has tenantID "3333…" but environments/dev.outputs.json says tenantId is "2222…"',
    '(or `… but the stack\'s vault "kv-dev" is in tenant "4444…"` when the vault\'s `tenant_id` is a literal; or `has no tenantID`)',
  ),
  'spc-tenant-id-spelling': rule(
    'warning',
    'tenantId (deprecated spelling) is set',
    'SecretProviderClass demo/app-keyvault uses the deprecated spelling tenantId (read only while tenantID is absent)',
    '/ `sets both tenantID and the deprecated tenantId; tenantId is ignored`',
  ),
  'spc-client-id-missing': rule(
    'error',
    'the SecretProviderClass has no clientID',
    'SecretProviderClass demo/app-keyvault has no clientID: with workload identity the provider uses the SPC clientID, not the ServiceAccount annotation',
  ),
  'spc-identity-mode': rule(
    'error',
    'a pod-identity or VM-identity mode is on, so the workload identity is not used',
    'SecretProviderClass demo/app-keyvault sets useVMManagedIdentity: "true", so the provider ignores the workload identity (clientID) and the federated credential',
    '(also `usePodIdentity`)',
  ),
  'spc-cloud-name': rule(
    'error',
    "cloudName differs from the outputs' cloud",
    'SecretProviderClass demo/app-keyvault targets cloud "AzureChinaCloud" but environments/dev.outputs.json says cloudName is "AzurePublicCloud"',
  ),
  'spc-objects-malformed': rule(
    'error',
    'parameters.objects cannot be parsed',
    'SecretProviderClass demo/app-keyvault: objects is not valid YAML (...)',
    '(or: missing, no `array:` list, an element that is not a `- |` block string or not a mapping)',
  ),
  'spc-object-unknown-key': rule(
    'error',
    'an objects element has a key the provider silently ignores',
    'SecretProviderClass demo/app-keyvault: object key "objectAliass" is unknown; the provider silently ignores it',
    '— known keys: objectName, objectType, objectAlias, objectVersion, objectVersionHistory, objectFormat, objectEncoding, filePermission',
  ),
  'spc-object-type': rule(
    'error',
    'objectType is not secret, key or cert (case-sensitive)',
    'SecretProviderClass demo/app-keyvault: array[0] has objectType "Secret"; the provider accepts only secret, key or cert (case-sensitive)',
  ),
  'spc-object-name-missing': rule('error', 'an objects element has no objectName', 'SecretProviderClass demo/app-keyvault: array[0] has no objectName'),
  'spc-object-version-pinned': rule(
    'warning',
    'objectVersion pins a version, which is never rotated',
    'SecretProviderClass demo/app-keyvault: object "db-password" is pinned to version "abc123" and is never rotated',
  ),
  'spc-file-name-invalid': rule(
    'error',
    'a mounted file name is empty or absolute, contains ".." anywhere, has an element over 255 bytes, or is over 4096 bytes',
    'SecretProviderClass demo/app-keyvault: mounted file name "db..password" must not contain ".." anywhere (the provider refuses "db..password" too); the provider fails the mount',
    "(or `must be a relative path`, `must have path elements of at most 255 bytes`, `must be at most 4096 bytes long`, `must not be empty`: the Azure provider's `validateFileName` and the driver's `validatePath`)",
  ),
  'spc-file-name-duplicate': rule(
    'error',
    'two objects mount the same file name',
    'SecretProviderClass demo/app-keyvault: array[2] mounts file "DB_PASSWORD", already mounted by array[0]; one overwrites the other',
  ),
  'secret-object-malformed': rule(
    'error',
    'a secretObjects entry lacks secretName or data, or a data item lacks objectName or key',
    'SecretProviderClass demo/app-keyvault: secretObjects[0] has no secretName',
    '(or no `data`, or a data item without `objectName` or `key`)',
  ),
  'secret-object-type-missing': rule(
    'error',
    'a secretObjects entry has no type and is silently skipped',
    'SecretProviderClass demo/app-keyvault: secretObjects "app-tls" has no type; the driver silently skips it and no Secret is created',
  ),
  'secret-object-unknown-file': rule(
    'error',
    'a secretObjects data objectName is not a mounted file name',
    'SecretProviderClass demo/app-keyvault: secretObjects "app-tls" data[0] syncs "web-tls", which is not a mounted file name (mounted: DB_PASSWORD, tls.crt)',
  ),
  'secret-object-tls-keys': rule(
    'error',
    'a kubernetes.io/tls secretObjects entry does not have exactly the keys tls.crt and tls.key',
    'SecretProviderClass demo/app-keyvault: secretObjects "app-tls" is kubernetes.io/tls with keys [cert]; a TLS Secret needs exactly tls.crt and tls.key',
  ),
  'secret-object-versioned-file': rule(
    'error',
    'a secretObjects data objectName names an object whose objectVersionHistory > 1 writes only <name>/0, <name>/1, ...',
    'SecretProviderClass demo/app-keyvault: secretObjects "app-secrets" data[0] syncs "DB_PASSWORD", but objectVersionHistory 3 makes the provider write "DB_PASSWORD/0" to "DB_PASSWORD/2" and no "DB_PASSWORD" file; the Secret never syncs',
    '(fix: `objectName: DB_PASSWORD/0`, which the driver syncs: it walks the mount recursively)',
  ),
  'secret-object-key-invalid': rule(
    'error',
    'a secretObjects data key is not a valid Secret key',
    'SecretProviderClass demo/app-keyvault: secretObjects "app-secrets" data[0] has key "db password", which the API server refuses in a Secret',
    '(`IsConfigMapKey`: letters, digits, `-`, `_`, `.`, at most 253, not `.` and not starting with `..`)',
  ),
  'secret-object-required-keys': rule(
    'error',
    'a basic-auth, ssh-auth or dockerconfigjson secretObjects entry lacks the key its type requires',
    'SecretProviderClass demo/app-keyvault: secretObjects "registry" is kubernetes.io/dockerconfigjson with keys [config]; the API server refuses it without the key ".dockerconfigjson" (holding the JSON of a Docker config), so the sync fails',
    '(also `kubernetes.io/basic-auth` without `username` or `password`, `kubernetes.io/ssh-auth` without `ssh-privatekey`)',
  ),
} as const satisfies CheckRules;

/** Kubernetes Secrets the engines write (SecretSync, ExternalSecret, ClusterExternalSecret) */
const TARGET_SECRET = {
  'target-secret-key-invalid': rule(
    'error',
    'a key of a Secret an engine writes is not a valid Secret key (or, for a SecretSync, not what its CRD accepts)',
    'SecretSync ledger/ledger-keyvault: spec.secretObject.data[0].targetKey "db password" is not a valid Secret key; the API server refuses the Secret',
    "(`IsConfigMapKey`; a SecretSync's `sourcePath` and `targetKey` also follow the CRD's pattern, which refuses `a_b`)",
  ),
  'target-secret-type-keys': rule(
    'error',
    'a Secret an engine writes lacks a key its type requires, or a kubernetes.io/tls Secret has keys other than tls.crt and tls.key',
    'ExternalSecret payouts/payouts-mtls writes a kubernetes.io/tls Secret with keys [tls.crt]; the API server refuses it without the key "tls.key"',
  ),
} as const satisfies CheckRules;

/** Secrets Store Sync Controller (SecretSync) */
const SECRET_SYNC = {
  'secret-sync-api-version': rule(
    'error',
    'a SecretSync is not secret-sync.x-k8s.io/v1alpha1, the only version the controller serves',
    'SecretSync ledger/ledger-keyvault uses apiVersion "secret-sync.x-k8s.io/v1"; the Secrets Store Sync Controller serves only secret-sync.x-k8s.io/v1alpha1',
  ),
  'secret-sync-source-path': rule(
    'error',
    'a SecretSync sourcePath is not a file of its SecretProviderClass',
    'SecretSync ledger/ledger-keyvault: spec.secretObject.data[0].sourcePath "db-pass" is not a file of SecretProviderClass ledger/ledger-keyvault (files: api-token, db-password); the sync fails',
  ),
  'secret-sync-reserved-metadata': rule(
    'error',
    'a SecretSync sets a label or annotation with the prefix the controller reserves',
    'SecretSync ledger/ledger-keyvault: spec.secretObject.labels has "secrets-store.sync.x-k8s.io/owner", a prefix the controller reserves; it refuses to sync',
  ),
} as const satisfies CheckRules;

/** Monitoring of secret delivery (PodMonitor, PrometheusRule) */
const MONITORING = {
  'pod-monitor-port': rule(
    'error',
    "a PodMonitor that selects the add-on's driver (`app=secrets-store-csi-driver`) or provider (`app=secrets-store-provider-azure`) pods scrapes another port than their metrics port (8095, 8898)",
    'PodMonitor kube-system/secrets-store-csi-driver-metrics scrapes port 8898 of the Secrets Store CSI driver pods (app=secrets-store-csi-driver), which serve metrics on 8095',
    'Either API group (monitoring.coreos.com, azmonitoring.coreos.com); `portNumber` or the deprecated `targetPort`. Ports: kubernetes-sigs/secrets-store-csi-driver cmd/secrets-store-csi-driver/main.go (`--metrics-addr` :8095), Azure/secrets-store-csi-driver-provider-azure cmd/main.go (`--prometheus-port` 8898).',
  ),
  'prometheus-rule-series': rule(
    'error',
    "a PrometheusRule reads a series the driver or the provider does not export: an old-docs `total_*` name anywhere, or any unknown name under the add-on's scrape jobs",
    'PrometheusRule monitoring/csi: "total_node_publish_error" is not a series the Secrets Store CSI driver or its Azure provider exports: the rule never fires',
    "The OpenTelemetry exporter appends `_total` to counters; the driver's docs table (docs/book/src/topics/metrics.md) still shows `total_*` and `sync_k8s_secret_duration_sec`. Sources: kubernetes-sigs/secrets-store-csi-driver pkg/secrets-store/stats_reporter.go (NewStatsReporter), Azure/secrets-store-csi-driver-provider-azure pkg/metrics/stats_reporter.go.",
  ),
} as const satisfies CheckRules;

/** External Secrets Operator (SecretStore, ClusterSecretStore, ExternalSecret, ClusterExternalSecret) */
const EXTERNAL_SECRETS = {
  'external-secrets-api-version': rule(
    'error',
    'an External Secrets object is not external-secrets.io/v1 (v1beta1 is no longer served since v0.17)',
    'ExternalSecret payouts/payouts-keyvault uses apiVersion "external-secrets.io/v1beta1"; External Secrets Operator v0.17 and later serve only external-secrets.io/v1',
  ),
  'secret-store-missing': rule(
    'error',
    'the store an ExternalSecret reads through is not among the manifests (a SecretStore of its namespace, or a ClusterSecretStore)',
    'ExternalSecret payouts/payouts-keyvault reads through SecretStore "payouts-kv", which is not in namespace "payouts"; the ExternalSecret never syncs',
  ),
  'secret-store-provider': rule(
    'error',
    'a store an ExternalSecret uses has no Azure Key Vault provider (spec.provider.azurekv)',
    'SecretStore payouts/payouts-keyvault has no spec.provider.azurekv: it does not read Azure Key Vault',
  ),
  'secret-store-auth-type': rule(
    'error',
    'the store does not authenticate with authType WorkloadIdentity (the CRD default is ServicePrincipal)',
    'SecretStore payouts/payouts-keyvault has authType (not set), which the CRD defaults to ServicePrincipal: it needs a client secret and ignores the federated ServiceAccount',
  ),
  'secret-store-service-account-ref': rule(
    'error',
    'the store names no serviceAccountRef, so it would authenticate as the operator itself',
    "SecretStore payouts/payouts-keyvault has no serviceAccountRef: with WorkloadIdentity the provider then uses the operator pod's own AZURE_CLIENT_ID, not the workload's identity",
  ),
  'secret-store-vault-url': rule(
    'error',
    "the store's vaultUrl is missing, or is not the URI of the stack's vault",
    'SecretStore payouts/payouts-keyvault has vaultUrl "https://kv-other.vault.azure.net/", but the stack\'s vault is "kv-engines" (https://kv-engines.vault.azure.net/)',
    '(or `… but environments/engines.outputs.json says keyVault.uri is …`)',
  ),
  'secret-store-tenant-id': rule(
    'error',
    "the store's tenant is missing, not the outputs' tenant, or set twice (store tenantId and the ServiceAccount's tenant-id annotation)",
    'SecretStore payouts/payouts-keyvault has tenantId "3333…" but environments/engines.outputs.json says tenantId is "2222…"',
    '(or `sets tenantId and ServiceAccount payouts/payouts carries azure.workload.identity/tenant-id: the provider refuses both ("multiple tenantID found")`; or neither, when the provider falls back to the operator pod\'s AZURE_TENANT_ID)',
  ),
  'secret-store-client-id-missing': rule(
    'error',
    "the store's ServiceAccount has no azure.workload.identity/client-id annotation, which the provider requires",
    'ServiceAccount payouts/payouts has no azure.workload.identity/client-id annotation: SecretStore payouts/payouts-keyvault fails with "missing clientID"',
  ),
  'external-secret-remote-key': rule(
    'error',
    'a remoteRef.key has a prefix other than secret/, key/ or cert/, or names no valid Key Vault object',
    'ExternalSecret payouts/payouts-keyvault: spec.data[0].remoteRef.key "secrets/payouts-db" has the prefix "secrets", which the Azure provider does not know (secret, key, cert); the sync fails',
  ),
  'external-secret-property-cert': rule(
    'error',
    'remoteRef.property on a cert/ key, which the provider ignores (it returns the DER certificate)',
    'ExternalSecret payouts/payouts-keyvault: spec.data[0] reads property "subject" of cert/payouts-mtls; the provider ignores property for certificates and returns the whole DER certificate',
  ),
  'external-secret-tls-der': rule(
    'error',
    'a kubernetes.io/tls Secret key is filled from a cert/ key, which holds DER, not PEM (a filterPEM template finds no PEM in it either)',
    'ExternalSecret payouts/payouts-mtls fills tls.crt of its kubernetes.io/tls Secret from cert/payouts-mtls, which the provider returns as DER; TLS Secrets hold PEM',
  ),
  'external-secret-refresh-invalid': rule(
    'error',
    'refreshInterval is not a Go duration',
    'ExternalSecret payouts/payouts-keyvault has refreshInterval "15 minutes", which is not a Go duration; the operator cannot read the ExternalSecret',
  ),
  'external-secret-refresh-disabled': rule(
    'warning',
    'refreshInterval is 0: the Secret is written once and never refreshed',
    'ExternalSecret payouts/payouts-keyvault has refreshInterval "0s": the Secret keeps the values read at creation; a new version in Key Vault never arrives',
  ),
  'cluster-secret-store-conditions': rule(
    'error',
    "a ClusterExternalSecret targets a namespace the ClusterSecretStore's conditions do not admit",
    'ClusterExternalSecret engines-wildcard-tls delivers into namespace "web", but ClusterSecretStore engines-shared-secrets admits only checkout, ledger, payouts; the ExternalSecret in "web" never syncs',
  ),
} as const satisfies CheckRules;

/** Federated credentials (Terraform JSON) */
const FEDERATED_CREDENTIALS = {
  'federated-credential-missing': rule(
    'error',
    "no federated credential has the workload's subject",
    'no federated credential in cdktf.out/stacks/dev/cdk.tf.json has subject "system:serviceaccount:demo:app", so Deployment demo/app cannot get an Azure token (AADSTS70021); credentials for namespace "demo": "system:serviceaccount:demo:app2"',
  ),
  'federated-credential-issuer': rule(
    'error',
    "the credential's issuer is not a reference to the cluster's oidc_issuer_url",
    '<address> has the literal issuer "https://…"; a literal drifts from the cluster\'s issuer (a missing trailing slash is enough to fail every token exchange with AADSTS70021)',
    "(or: `… which is not a reference to a cluster's oidc_issuer_url`). Accepted: `${azurerm_kubernetes_cluster.<id>.oidc_issuer_url}` and `${data.azurerm_kubernetes_cluster.<id>.oidc_issuer_url}`",
  ),
  'federated-credential-audience': rule(
    'error',
    'the credential\'s audience is not exactly ["api://AzureADTokenExchange"]',
    '<address> has audience ["api://AKSIdentityBinding"]; workload identity tokens carry exactly "api://AzureADTokenExchange"',
  ),
  'federated-credential-parent': rule(
    'error',
    "the credential's parent_id is not a reference to a user-assigned identity's id",
    '<address> has parent_id "/subscriptions/…", not a reference to a user-assigned identity\'s id; the check cannot tell which client id it trusts',
  ),
  'federated-credential-unused': rule(
    'warning',
    'a federated credential matches no workload in the manifests',
    'federated credential <address> trusts "system:serviceaccount:demo:old", but no workload in the manifests mounts a secrets-store volume as that ServiceAccount',
  ),
  'federated-credential-limit': rule(
    'error',
    'an identity holds more than 20 federated credentials',
    'azurerm_user_assigned_identity.<id> holds 21 federated credentials; Azure allows at most 20 per identity',
  ),
  'federated-credentials-not-serialized': rule(
    'warning',
    'credentials of one identity are not serialized with depends_on (Azure answers 409)',
    'azurerm_user_assigned_identity.<id> has 2 federated credentials that Terraform may create in parallel (e.g. … and …); Azure rejects concurrent credential writes on one identity with 409',
  ),
} as const satisfies CheckRules;

/** Client id (ServiceAccount ↔ SPC ↔ identity) */
const CLIENT_ID = {
  'output-client-id': rule(
    'error',
    "the Terraform output has no workload entry whose clientId references the identity's client_id",
    'output workload "app" (demo/app) has clientId "${azurerm_user_assigned_identity.other.client_id}", but the identity trusted for that ServiceAccount is azurerm_user_assigned_identity.<id>',
    '(or: `no workload entry of output "aks_keyvault_csi" has a clientId referencing …client_id`)',
  ),
  'client-id-mismatch': rule(
    'error',
    'the ServiceAccount annotation, the SPC clientID and the identity client id disagree',
    "SecretProviderClass demo/app-keyvault has clientID 9999…, but the identity's client id is 1111… per environments/dev.outputs.json (workloads.app.clientId); the token exchange fails",
    "(with an outputs file; the same for the ServiceAccount annotation; or `… has no workload entry for demo/app`); without outputs: `SecretProviderClass demo/app-keyvault has clientID 9999…, but ServiceAccount demo/app is annotated with 1111…; the provider uses the SPC's`",
  ),
} as const satisfies CheckRules;

/** Role assignments */
const ROLE_ASSIGNMENTS = {
  'role-assignment-client-id': rule(
    'error',
    'a role assignment uses client_id as principal_id',
    "<address> assigns the role to azurerm_user_assigned_identity.<id>.client_id; principal_id must be the identity's principal_id (object id), so this grants nothing to the identity and mounts fail with 403",
  ),
  'role-assignment-missing': rule(
    'error',
    'no role assignment lets the identity read a mounted object',
    'azurerm_user_assigned_identity.<id> has no role assignment in <file> that lets it read cert "web-tls" (mounted by SecretProviderClass demo/app-keyvault); the mount fails with 403',
  ),
  'role-assignment-principal-type': rule(
    'warning',
    'principal_type is not ServicePrincipal',
    '<address> has principal_type (not set); a managed identity is a ServicePrincipal, and without it a fresh identity can fail with PrincipalNotFound',
  ),
  'role-administrator': rule(
    'warning',
    'Key Vault Administrator grants more than read',
    '<address> grants Key Vault Administrator: every data-plane operation (write, delete, purge), where the CSI mount needs only read',
  ),
  'role-assignment-duplicate': rule(
    'error',
    'two role assignments give one principal one role at one scope (Azure answers 409 RoleAssignmentExists)',
    'azurerm_role_assignment.b assigns "Key Vault Secrets User" to the same principal at the same scope as azurerm_role_assignment.a (Key Vault object names compare case-insensitively); Azure refuses the second with 409 RoleAssignmentExists and the apply stops',
  ),
} as const satisfies CheckRules;

/** Cluster identity */
const CLUSTER_IDENTITY = {
  'cluster-oidc-issuer-disabled': rule(
    'error',
    'a created cluster has oidc_issuer_enabled other than true',
    'azurerm_kubernetes_cluster.<id> has oidc_issuer_enabled false: the OIDC issuer is off, so the cluster publishes no issuer that Entra ID can verify service-account tokens against; every token exchange fails (AADSTS70021) and no mount gets a secret',
  ),
  'cluster-workload-identity-disabled': rule(
    'error',
    'a created cluster has workload_identity_enabled other than true',
    'azurerm_kubernetes_cluster.<id> has workload_identity_enabled false: Workload Identity is off, so pods get no projected token for Entra ID; every token exchange fails (AADSTS70021) and no mount gets a secret',
  ),
} as const satisfies CheckRules;

/** Rotation */
const ROTATION = {
  'secrets-provider-addon-missing': rule(
    'error',
    'the cluster has no key_vault_secrets_provider block',
    'azurerm_kubernetes_cluster.<id> has no key_vault_secrets_provider block: the Secrets Store CSI driver is not installed and every mount fails',
  ),
  'rotation-disabled': rule(
    'warning',
    'secret rotation is off on the add-on',
    'azurerm_kubernetes_cluster.<id> has secret_rotation_enabled false: mounted files keep the version read at pod start until the pod restarts',
  ),
  'rotation-unverifiable': rule(
    'warning',
    'the cluster is a data source: rotation cannot be verified offline',
    'data.azurerm_kubernetes_cluster.<id> is an existing cluster read from a data source: whether its Key Vault secrets provider rotates cannot be verified offline',
  ),
} as const satisfies CheckRules;

/** Network path (Terraform JSON): how the nodes reach the vault */
const NETWORK_PATH = {
  'keyvault-private-endpoint-subresource': rule(
    'error',
    'a private endpoint of the vault does not use exactly sub-resource vault',
    'azurerm_private_endpoint.<id> connects to azurerm_key_vault.<id> with subresource_names ["vaults"]; a Key Vault private endpoint serves only sub-resource "vault", so Azure refuses the connection and the nodes never reach the vault privately',
  ),
  'keyvault-private-dns-zone': rule(
    'error',
    "a private endpoint of the vault registers it in no zone, or not in the cloud's Key Vault Private Link zone",
    'azurerm_private_endpoint.<id> registers the vault in zone(s) "privatelink.blob.core.windows.net", not in privatelink.vaultcore.azure.net, so the vault\'s name keeps resolving to its public address inside the VNet and the nodes never use the endpoint',
    "(or `has no private_dns_zone_group: no A record for the vault is written in …`). The zone is the cloud's of the default azurerm provider's `environment`: `privatelink.vaultcore.azure.net`, `privatelink.vaultcore.usgovcloudapi.net`, `privatelink.vaultcore.azure.cn` (lib/azure.ts `KEY_VAULT_PRIVATE_LINK`, from Azure Private Endpoint DNS configuration); a zone given by a reference the check cannot follow is accepted.",
  ),
  'keyvault-private-dns-zone-link': rule(
    'error',
    "a private DNS zone the stack creates for the vault's endpoint is linked to no VNet",
    "azurerm_private_dns_zone.<id>, the zone azurerm_private_endpoint.<id> registers the vault in, has no azurerm_private_dns_zone_virtual_network_link: no VNet resolves through it, so the nodes keep resolving the vault's public address and never use the endpoint",
    '(an existing zone, given by its literal id, is linked by its owner and not checked)',
  ),
  'keyvault-public-access-without-path': rule(
    'error',
    'a created vault has public network access off and no private endpoint connects to it',
    'azurerm_key_vault.<id> has public_network_access_enabled false and no private endpoint in <file> connects to it: Key Vault refuses every request that does not come through a private endpoint, so no mount gets a secret',
    '(an endpoint another stack creates is not seen: the check reads this stack only)',
  ),
} as const satisfies CheckRules;

/** Drift (`check --check-drift`, pipeline/drift.ts) */
const DRIFT = {
  drift: rule(
    'error',
    'a file this tool owns in the manifests folder is missing, differs from a fresh render of the environment, or is no longer part of it',
    'dist/dev/serviceaccount-demo-demo-app.yaml:5: differs from the fresh render from line 5 (- committed, + fresh render)',
    'followed by the unified diff, `-` committed and `+` fresh render; also `missing: the fresh render has this file`, `written by this tool (listed in .aks-keyvault-csi) and no longer part of the fresh render: synth would delete it` and `the manifests folder does not exist`. The fix names the synth command that renders the folder again.',
  ),
  'drift-unowned-file': rule(
    'warning',
    'a YAML file in the manifests folder was not written by this tool, so it is not compared',
    "dist/dev/other-app.yaml: not written by this tool (not in .aks-keyvault-csi), so not compared: another app's manifest, or a stale or hand-added file",
    "A shared folder (a GitOps checkout) may hold other apps' manifests: nothing to do if it belongs to something else; otherwise delete it.",
  ),
} as const satisfies CheckRules;

export const RULES = {
  ...INPUTS,
  ...WORKLOAD,
  ...CSI_VOLUME,
  ...SECRET_PROVIDER_CLASS,
  ...TARGET_SECRET,
  ...SECRET_SYNC,
  ...MONITORING,
  ...EXTERNAL_SECRETS,
  ...FEDERATED_CREDENTIALS,
  ...CLIENT_ID,
  ...ROLE_ASSIGNMENTS,
  ...CLUSTER_IDENTITY,
  ...ROTATION,
  ...NETWORK_PATH,
  ...DRIFT,
} as const satisfies CheckRules;

export type RuleId = keyof typeof RULES;

/** Which object types each Key Vault role reads (lib/azure.ts KEY_VAULT_ROLES), as a Markdown table. */
function rolesTable(): string {
  const mark = (role: KeyVaultRoleName) =>
    role === ROLES.administrator ? ' (warning)' : role === ROLES.secretsUser || role === ROLES.certificateUser ? ' (least privilege)' : '';
  const rows = (Object.keys(KEY_VAULT_ROLES) as KeyVaultRoleName[]).map(
    (role) => `| ${role}${mark(role)} | ${OBJECT_TYPES.map((t) => ((KEY_VAULT_ROLES[role] as readonly string[]).includes(t) ? '✓' : '')).join(' | ')} |`,
  );
  return [`| role | ${OBJECT_TYPES.join(' | ')} |`, `|---|${OBJECT_TYPES.map(() => '---|').join('')}`, ...rows].join('\n');
}

/** check/RULES.md's first part: the check's rules, by link of the trust chain. */
export const CHECK_CATALOGUE: RuleCatalogue = {
  title: 'The trust-chain check (`check`, and `synth` before it writes)',
  column: 'rule',
  intro: `The check reads only synthesized files: the Terraform JSON (\`cdktf.out/stacks/<env>/cdk.tf.json\`),
the rendered manifests (\`dist/<env>/\`, any \`*.yaml\` with \`apiVersion\` and \`kind\`, multi-document
files and \`kind: List\` included) and, optionally, the outputs file (\`cdktf deploy --outputs-file\`,
\`terraform output -json\`, or the bare contract). It never reads the environment file, so a GitOps
repository can run it on hand-edited manifests.

A workload is any Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob or Pod with a CSI
volume of driver \`secrets-store.csi.k8s.io\`. Every finding names where (\`file: field path\`; the
object is named when the file holds several), what is wrong, and a fix. **Errors fail the run
(exit 1); warnings are printed.** Findings are sorted: errors first, then by place, rule, message.

Placeholders in the messages: \`<ns>/<name>\` is the Kubernetes object, \`<address>\` the Terraform
address (\`azurerm_federated_identity_credential.<id>\`), \`<file>\` the file.`,
  sections: [
    { title: 'Inputs', rules: INPUTS },
    { title: 'Workload and its Kubernetes objects', rules: WORKLOAD },
    { title: 'CSI volume and mount (rotation-safe shape)', rules: CSI_VOLUME },
    { title: 'SecretProviderClass', rules: SECRET_PROVIDER_CLASS },
    {
      title: 'Secrets the engines write',
      intro: `With delivery engine \`secret-sync\` or \`external-secrets\`, the chain starts at the object that reads Key
Vault (a SecretSync, or an ExternalSecret through its store) instead of a pod with a CSI volume,
and runs through the same links below: ServiceAccount → federated credential → identity → client
id → roles. The Secret it writes must be one the API server accepts.`,
      rules: TARGET_SECRET,
    },
    {
      title: 'Secrets Store Sync Controller',
      intro: `A SecretSync names a ServiceAccount (the token the controller requests: the federated subject) and a
SecretProviderClass of its namespace (checked as above: vault, tenant, \`clientID\`, objects); every
object of that class must be readable by the identity, since the controller fetches them all.`,
      rules: SECRET_SYNC,
    },
    { title: 'Monitoring of secret delivery', rules: MONITORING },
    {
      title: 'External Secrets Operator',
      intro: `An ExternalSecret reads through a SecretStore of its namespace or a ClusterSecretStore; a
ClusterExternalSecret stamps one ExternalSecret into each namespace it selects (by
\`kubernetes.io/metadata.name\`). The store's \`serviceAccountRef\` is the federated subject (its namespace
is the store's, a ClusterSecretStore's \`serviceAccountRef.namespace\`, or else each consumer's); the
provider reads the client id from that ServiceAccount's \`azure.workload.identity/client-id\` annotation,
which must match the identity. Remote keys are \`secret/<name>\`, \`key/<name>\` or \`cert/<name>\`, and a role
must let the identity read each.`,
      rules: EXTERNAL_SECRETS,
    },
    {
      title: 'Federated credentials (Terraform JSON)',
      rules: FEDERATED_CREDENTIALS,
      notes: `\`federated-credential-unused\` is a warning, not an error: a stale credential is a dormant trust
path (anyone who can create that ServiceAccount in that namespace gets the identity's token), so it
is worth cleaning up, but it does not break any delivery; the drift that does break delivery (a
renamed ServiceAccount) is already an error on the workload side (\`federated-credential-missing\`).
It also keeps the check usable on a GitOps folder that holds only some of the workloads an
identity serves, or workloads that use the identity without a CSI mount.`,
    },
    {
      title: 'Client id (ServiceAccount ↔ SPC ↔ identity)',
      intro: `The identity is traced from the credential whose subject matches the workload (\`parent_id\`) to the
\`aks_keyvault_csi\` output entry whose \`clientId\` references that identity's \`client_id\`, then to
the same entry in the outputs file.`,
      rules: CLIENT_ID,
    },
    {
      title: 'Role assignments',
      rules: ROLE_ASSIGNMENTS,
      notes: `A role assignment counts for a mounted object when its \`principal_id\` references the identity's
\`.principal_id\`, its \`scope\` is \`\${azurerm_key_vault.<id>.id}\` (or the data source's) of the vault
the SPC names, or that id followed by \`/secrets/<name>\`, \`/keys/<name>\` or \`/certificates/<name>\`
(by object type), and its role reads the type:

${rolesTable()}`,
    },
    {
      title: 'Cluster identity',
      rules: CLUSTER_IDENTITY,
      notes: `Only \`true\` passes: azurerm 4.55 defaults \`workload_identity_enabled\` to false and leaves
\`oidc_issuer_enabled\` unset, so a missing attribute is reported too. Existing clusters (data
sources) are checked at plan time by the stack's postconditions instead.`,
    },
    { title: 'Rotation', rules: ROTATION, notes: "The clusters checked are those whose `oidc_issuer_url` the workloads' credentials reference." },
    {
      title: 'Network path (Terraform JSON)',
      intro: `The CSI driver's Azure provider and the delivery engines fetch from the nodes, so the vault must be reachable from the
node subnet: through a private endpoint of sub-resource \`vault\` whose DNS zone group writes the vault's A record into the
cloud's Key Vault Private Link zone (linked to the cluster VNet), or over the public endpoint. TRUST.md draws the path.`,
      rules: NETWORK_PATH,
    },
    {
      title: 'Drift (`check --check-drift`)',
      intro:
        'The manifests folder against a fresh render of the environment (its file, its outputs), for GitOps CI: a hand edit or a forgotten re-render fails the build.',
      rules: DRIFT,
    },
  ],
};
