/**
 * The outputs contract: the one bridge between the Terraform side and the Kubernetes side.
 *
 * The stack writes exactly one Terraform output, named `OUTPUT_NAME`, whose value has this
 * shape; the chart reads exactly this shape (from `cdktf deploy --outputs-file` or
 * `terraform output -json`). Nothing secret belongs here: ids are identifiers, not credentials.
 */
import { z } from 'zod';
import { CSI_CLOUD_NAMES, GUID, KEY_VAULT_NAME } from '../azure';
import { DNS1123_LABEL, DNS1123_SUBDOMAIN } from '../kubernetes';

/** Terraform output name (and logical id) of the contract. */
export const OUTPUT_NAME = 'aks_keyvault_csi';
/** Bumped on any incompatible change to the contract's shape. */
export const CONTRACT_VERSION = 1;

const guid = (what: string) =>
  z.string({ error: `expected ${what} (a GUID)` }).regex(GUID, { error: `${what} must be a GUID such as 00000000-0000-0000-0000-000000000000` });

export const WorkloadOutputsSchema = z.strictObject({
  /** Client id of the workload's user-assigned identity: the SPC `clientID` and the ServiceAccount annotation. */
  clientId: guid('clientId'),
  /** Azure name of that identity (for humans and the check). */
  identityName: z.string().min(1),
  namespace: z.string().regex(DNS1123_LABEL, { error: 'namespace must be a DNS-1123 label' }),
  serviceAccount: z.string().regex(DNS1123_SUBDOMAIN, { error: 'serviceAccount must be a DNS-1123 name' }),
});

/**
 * The identity of the shared secrets (`sharedSecrets` of the environment file), when the
 * environment has them: added in contract version 1 as an optional field, so outputs written
 * before it stay valid.
 */
export const SharedSecretsOutputsSchema = z.strictObject({
  /** Client id of the shared-secrets identity: the annotation of its ServiceAccount(s), the SecretProviderClass `clientID` (secret-sync). */
  clientId: guid('sharedSecrets.clientId'),
  identityName: z.string().min(1),
  serviceAccount: z.string().regex(DNS1123_SUBDOMAIN, { error: 'sharedSecrets.serviceAccount must be a DNS-1123 name' }),
  /** The namespaces the identity is federated in: the store's (external-secrets), or every target namespace (secret-sync). */
  namespaces: z.array(z.string().regex(DNS1123_LABEL, { error: 'sharedSecrets.namespaces must be DNS-1123 labels' })).min(1),
});

/** A vault: its name and `https://<name>.<cloud's vault suffix>/` URI. */
const VaultOutputsSchema = z.strictObject({
  name: z.string().regex(KEY_VAULT_NAME, { error: 'keyVault.name is not a valid vault name' }),
  uri: z.string().regex(/^https:\/\/[^/]+\/?$/, { error: 'keyVault.uri must be the https vault URI' }),
});

export const OutputsContractSchema = z.strictObject({
  contractVersion: z.literal(CONTRACT_VERSION, {
    error: `contractVersion must be ${CONTRACT_VERSION}: re-run "cdktf deploy" with this version of the project`,
  }),
  /** Environment (and stack) the outputs were produced for. */
  environment: z.string().min(1),
  tenantId: guid('tenantId'),
  /** `AzurePublicCloud`, `AzureUSGovernmentCloud` or `AzureChinaCloud`. */
  cloudName: z.enum(CSI_CLOUD_NAMES),
  keyVault: VaultOutputsSchema,
  /** The cluster's OIDC issuer URL, exactly as Azure reports it (trailing slash included). */
  oidcIssuerUrl: z.string().regex(/^https:\/\//, { error: 'oidcIssuerUrl must be an https URL' }),
  workloads: z.record(z.string(), WorkloadOutputsSchema),
  sharedSecrets: SharedSecretsOutputsSchema.optional(),
  /**
   * The vaults besides `keyVault` that workloads read (`additionalVaults` of the environment
   * file), in file order: added in contract version 1 as an optional field, so outputs written
   * before it stay valid.
   */
  additionalVaults: z.array(VaultOutputsSchema).optional(),
});

export type OutputsContract = z.output<typeof OutputsContractSchema>;
export type WorkloadOutputs = z.output<typeof WorkloadOutputsSchema>;
export type SharedSecretsOutputs = z.output<typeof SharedSecretsOutputsSchema>;
export type VaultOutputs = z.output<typeof VaultOutputsSchema>;
