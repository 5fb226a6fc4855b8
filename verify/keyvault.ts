/**
 * The thin Key Vault client of the rotation test: writes one new version of one secret with a
 * random value generated here. The value is never printed, logged, returned or hashed here.
 *
 * `@azure/identity` and `@azure/keyvault-secrets` are imported lazily so `--help` stays fast.
 */
import { randomBytes } from 'node:crypto';
import type { AzureIdentityModule, KeyVaultSecretsModule, SecretProperties, TokenCredential } from './api-types';
import { VerifyAbort } from './cluster';
import { CLOUDS, cloudOfCsiName, keyVaultUri, KEY_VAULT_URI_RULE } from '../lib/azure';

/** Bound on acquiring the first token: DefaultAzureCredential tries several sources in turn. */
export const CREDENTIAL_TIMEOUT_MS = 30000;

/** Tag put on the versions the test writes, so they can be told apart in the vault's history. */
export const ROTATION_TEST_TAG = 'aks-keyvault-csi-rotation-test';

const CREDENTIAL_FIX =
  'sign in with "az login" (and "az account set --subscription ..."), or set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET (or AZURE_FEDERATED_TOKEN_FILE) for a service principal';

/** A user-facing sentence for a failed credential or Key Vault call. Pure. */
export function describeAzureError(err: unknown, vault: string, secretName?: string): string {
  const e = (err ?? {}) as { name?: string; message?: string; statusCode?: number; code?: string; errors?: unknown[] };
  const text = `${e.name ?? ''} ${e.message ?? ''}`;
  if (
    e.name === 'CredentialUnavailableError' ||
    e.name === 'AggregateAuthenticationError' ||
    /CredentialUnavailable|no credential|Please run 'az login'|az login/i.test(text)
  ) {
    return `no Azure credentials available: ${CREDENTIAL_FIX}`;
  }
  if (e.name === 'AuthenticationRequiredError' || e.name === 'AuthenticationError' || e.statusCode === 401) {
    return `Azure sign-in failed (${firstLine(e.message ?? '')}): ${CREDENTIAL_FIX}`;
  }
  if (e.name === 'CredentialTimeout') return `no Azure token within ${CREDENTIAL_TIMEOUT_MS / 1000} s: ${CREDENTIAL_FIX}`;
  if (e.statusCode === 403 || /Forbidden/i.test(e.code ?? '')) {
    const firewall = /ForbiddenByFirewall|Client address is not authorized/i.test(text);
    return firewall
      ? `vault "${vault}" rejected your address (firewall): add your IP to keyVault.networkAcls.ipRules or run from an allowed network`
      : `you may not write secrets in vault "${vault}" (403): the test needs "Key Vault Secrets Officer" on the vault${secretName ? ` or on secret "${secretName}"` : ''} for your identity (the pods only ever need Secrets User)`;
  }
  if (/ENOTFOUND|EAI_AGAIN/.test(`${e.code ?? ''} ${text}`))
    return `cannot resolve vault "${vault}": check keyVault.name and the outputs, or your DNS for private endpoints`;
  if (e.statusCode === 404) return `secret "${secretName ?? ''}" or vault "${vault}" not found (404)`;
  return `Key Vault call failed: ${firstLine(text)}`;
}

function firstLine(s: string): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > 200 ? `${t.slice(0, 197)}...` : t;
}

export interface SecretWriter {
  /** Writes a new version with a random value and returns its properties (never the value). */
  writeRandomVersion(secretName: string): Promise<SecretProperties>;
}

/**
 * Package names in variables: a literal `import('@azure/identity')` makes `tsc` load its
 * declarations and msal's. The types used are declared narrowly in api-types.ts instead.
 */
const AZURE_IDENTITY_PACKAGE: string = '@azure/identity';
const KEYVAULT_SECRETS_PACKAGE: string = '@azure/keyvault-secrets';

export interface OpenVaultOptions {
  readonly vaultUri: string;
  readonly vaultName: string;
  readonly tenantId: string;
  readonly cloudName: string;
  /** For tests: a credential instead of DefaultAzureCredential (any @azure/core-auth TokenCredential). */
  readonly credential?: TokenCredential;
}

/**
 * Acquires a Key Vault token first (so missing credentials abort before anything else), then
 * returns the writer. Refuses, before anything else, a `vaultUri` that is not the URI of
 * `vaultName` in the cloud: the writes would land in another vault than the one named.
 */
export async function openVault(opts: OpenVaultOptions): Promise<SecretWriter> {
  const cloud = cloudOfCsiName(opts.cloudName);
  if (cloud === undefined || !KEY_VAULT_URI_RULE.test({ uri: opts.vaultUri, name: opts.vaultName, cloud })) {
    const expected = keyVaultUri(opts.vaultName, cloud ?? CLOUDS.public);
    throw new VerifyAbort(
      `refusing to write: vault URI ${JSON.stringify(opts.vaultUri)} is not the URI of vault "${opts.vaultName}" in ${opts.cloudName} (${expected}); nothing was written: fix keyVault.uri or keyVault.name in the outputs file, or export it again from the stack`,
    );
  }
  let credential = opts.credential;
  if (!credential) {
    // The one place @azure/identity meets its narrow type (api-types.ts: AzureIdentityModule).
    const { DefaultAzureCredential } = (await import(AZURE_IDENTITY_PACKAGE)) as AzureIdentityModule;
    credential = new DefaultAzureCredential({ tenantId: opts.tenantId, authorityHost: cloud.authorityHost });
  }
  let timer: NodeJS.Timeout | undefined;
  try {
    const token = await Promise.race([
      credential.getToken(cloud.keyVaultScope),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(Object.assign(new Error('timeout'), { name: 'CredentialTimeout' })), CREDENTIAL_TIMEOUT_MS);
        timer.unref();
      }),
    ]);
    if (!token) throw Object.assign(new Error('no token'), { name: 'CredentialUnavailableError' });
  } catch (e) {
    throw new VerifyAbort(describeAzureError(e, opts.vaultName), 'Key Vault');
  } finally {
    if (timer) clearTimeout(timer);
  }
  // The one place @azure/keyvault-secrets meets its narrow type (api-types.ts: KeyVaultSecretsModule).
  const { SecretClient } = (await import(KEYVAULT_SECRETS_PACKAGE)) as KeyVaultSecretsModule;
  const client = new SecretClient(opts.vaultUri, credential);
  return {
    async writeRandomVersion(secretName: string): Promise<SecretProperties> {
      try {
        const written = await client.setSecret(secretName, randomBytes(32).toString('base64url'), { tags: { [ROTATION_TEST_TAG]: 'true' } });
        return written.properties;
      } catch (e) {
        throw new VerifyAbort(describeAzureError(e, opts.vaultName, secretName), 'Key Vault');
      }
    },
  };
}
