import type { AzureIdentityModule } from '../../verify/api-types';
import { describeConnectionError, resolveKubeconfig } from '../../verify/cluster';
import { describeAzureError, openVault } from '../../verify/keyvault';

// The real @azure/identity, typed by its narrow subset in api-types.ts: `require` (not `import`)
// so that tsc does not load the package's declarations (and msal's).
const { CredentialUnavailableError } = require('@azure/identity') as Pick<AzureIdentityModule, 'CredentialUnavailableError'>;

const SERVER = 'https://aks-test-abc123.hcp.westeurope.azmk8s.io:443';

describe('resolveKubeconfig', () => {
  const exists = (files: string[]) => (p: string) => files.includes(p);

  it('uses KUBECONFIG (all existing entries), else ~/.kube/config, else in-cluster', () => {
    expect(resolveKubeconfig({ KUBECONFIG: '/a:/b:/c' }, '/home/u', exists(['/a', '/c']))).toEqual({ files: ['/a', '/c'] });
    expect(resolveKubeconfig({}, '/home/u', exists(['/home/u/.kube/config']))).toEqual({ files: ['/home/u/.kube/config'] });
    expect(resolveKubeconfig({ KUBERNETES_SERVICE_HOST: '10.0.0.1' }, '/home/u', exists([]))).toEqual({ files: [] });
  });

  it('explains a missing kubeconfig', () => {
    expect(resolveKubeconfig({}, '/home/u', exists([]))).toEqual({ problem: 'no kubeconfig: KUBECONFIG is not set and ~/.kube/config does not exist' });
    expect(resolveKubeconfig({ KUBECONFIG: '/gone' }, '/home/u', exists([]))).toEqual({ problem: 'KUBECONFIG points at "/gone", which does not exist' });
  });
});

describe('describeConnectionError', () => {
  const sys = (code: string, message = `request to ${SERVER}/version failed, reason: ${code}`) =>
    Object.assign(new Error(message), { name: 'FetchError', type: 'system', code, errno: code });

  it.each(
    [
      [sys('ECONNREFUSED'), 'refused the connection'],
      [sys('ENOTFOUND'), 'cannot resolve the host'],
      [sys('EAI_AGAIN'), 'cannot resolve the host'],
      [Object.assign(new Error('The operation was aborted.'), { name: 'AbortError', type: 'aborted' }), 'did not answer within 8 s'],
      [sys('ETIMEDOUT'), 'did not answer within 8 s'],
      [sys('EHOSTUNREACH'), 'did not answer'],
      [sys('UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'unable to verify the first certificate'), 'TLS to'],
      [new Error('spawn kubelogin ENOENT'), 'kubelogin, which is not installed'],
      [Object.assign(new Error('HTTP-Code: 401 Message: Unauthorized'), { code: 401 }), 'rejected your credentials (401)'],
      [Object.assign(new Error('HTTP-Code: 403'), { code: 403 }), 'denied access (403)'],
      [Object.assign(new Error('HTTP-Code: 404 Message: Unknown API Status Code! Headers: {...}'), { code: 404 }), 'not as a Kubernetes API server'],
      [Object.assign(new Error('HTTP-Code: 503'), { code: 503 }), 'answered HTTP 503'],
      [new Error('something else'), 'cannot talk to the cluster API server'],
    ].map(([err, expected]) => [expected as string, err]),
  )('says "%s"', (expected, err) => {
    expect(describeConnectionError(err, SERVER)).toContain(expected);
  });

  it('follows the cause chain', () => {
    const wrapped = Object.assign(new Error('fetch failed'), { cause: sys('ECONNREFUSED') });
    expect(describeConnectionError(wrapped, SERVER)).toContain('refused');
  });
});

describe('describeAzureError', () => {
  it.each(
    [
      [new CredentialUnavailableError('EnvironmentCredential is unavailable.'), 'no Azure credentials available: sign in with "az login"'],
      [Object.assign(new Error('ChainedTokenCredential authentication failed.'), { name: 'AggregateAuthenticationError' }), 'no Azure credentials available'],
      [Object.assign(new Error('AADSTS7000215: Invalid client secret provided.'), { name: 'AuthenticationError', statusCode: 401 }), 'Azure sign-in failed'],
      [Object.assign(new Error('timeout'), { name: 'CredentialTimeout' }), 'no Azure token within 30 s'],
      [
        Object.assign(new Error('Caller is not authorized to perform action on resource.'), { name: 'RestError', statusCode: 403, code: 'Forbidden' }),
        'needs "Key Vault Secrets Officer"',
      ],
      [
        Object.assign(new Error('Client address is not authorized and caller is not a trusted service. ForbiddenByFirewall'), {
          name: 'RestError',
          statusCode: 403,
        }),
        'rejected your address (firewall)',
      ],
      [Object.assign(new Error('getaddrinfo ENOTFOUND kv-test-example.vault.azure.net'), { name: 'RestError', code: 'ENOTFOUND' }), 'cannot resolve vault'],
      [Object.assign(new Error('Vault not found'), { name: 'RestError', statusCode: 404 }), 'not found (404)'],
      [new Error('boom'), 'Key Vault call failed: Error boom'],
    ].map(([err, expected]) => [expected as string, err]),
  )('says "%s"', (expected, err) => {
    expect(describeAzureError(err, 'kv-test-example', 'DB-Password')).toContain(expected);
  });
});

describe('openVault', () => {
  it('aborts before writing when no credential yields a token', async () => {
    const credential = { getToken: async () => Promise.reject(new CredentialUnavailableError('no credential')) };
    await expect(
      openVault({
        vaultUri: 'https://kv-test-example.vault.azure.net/',
        vaultName: 'kv-test-example',
        tenantId: 't',
        cloudName: 'AzurePublicCloud',
        credential,
      }),
    ).rejects.toThrow(/^no Azure credentials available/);
  });

  it('asks for the Key Vault scope of the cloud', async () => {
    const scopes: unknown[] = [];
    const credential = { getToken: async (s: string | string[]) => (scopes.push(s), { token: 't', expiresOnTimestamp: Date.now() + 3_600_000 }) };
    await openVault({ vaultUri: 'https://kv.vault.usgovcloudapi.net/', vaultName: 'kv', tenantId: 't', cloudName: 'AzureUSGovernmentCloud', credential });
    expect(scopes).toEqual(['https://vault.usgovcloudapi.net/.default']);
  });

  it('treats a null token as missing credentials', async () => {
    const credential = { getToken: async () => null };
    await expect(
      openVault({ vaultUri: 'https://kv.vault.azure.net/', vaultName: 'kv', tenantId: 't', cloudName: 'AzurePublicCloud', credential }),
    ).rejects.toThrow(/no Azure credentials/);
  });
});
