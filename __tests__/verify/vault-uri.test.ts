/**
 * The rotation test writes a secret: it must write into the vault the outputs name, never into
 * another one their `keyVault.uri` points at. And what verify prints from the cluster (event
 * messages, names) reaches the terminal as text, never as control sequences.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TokenCredential } from '../../verify/api-types';
import { rotationTestCommand, verifyCommand } from '../../verify/command';
import type { ClusterReader } from '../../verify/cluster';
import { fail } from '../../verify/findings';
import { formatFinding } from '../../lib/finding';
import { captureReporter } from '../support/reporter';
import { openVault } from '../../verify/keyvault';
import { deployment, driverDaemonSet, ENV_YAML, event, namespace, outputs, pod, podStatus, providerDaemonSet, serviceAccount, T0 } from './fixtures';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'verify-vault-uri-'));
  writeFileSync(path.join(dir, 'test.yaml'), ENV_YAML);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function outputsFile(over: (o: ReturnType<typeof outputs>) => void = () => undefined): string {
  const o = outputs();
  over(o);
  const f = path.join(dir, `outputs-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(f, JSON.stringify({ aks_keyvault_csi: { value: o, type: ['object', {}], sensitive: false } }));
  return f;
}

const P1 = 'demo-app-7c9d8f6b5-q8w2n';

function cluster(over: Partial<ClusterReader> = {}): ClusterReader {
  return {
    server: 'https://aks-test.hcp.westeurope.azmk8s.io:443',
    context: 'aks-test',
    listDaemonSets: async () => [driverDaemonSet(), providerDaemonSet()],
    readNamespace: async () => namespace(),
    readServiceAccount: async () => serviceAccount(),
    readDeployment: async () => deployment(),
    listDeployments: async () => [],
    listPods: async () => [pod(P1)],
    listEvents: async () => [],
    readSecretProviderClass: async () => undefined,
    listPodStatuses: async () => [podStatus(P1)],
    exec: async () => ({ stdout: '', stderr: '', ok: true }),
    readCustomObject: async () => undefined,
    ...over,
  };
}

describe('rotation-test never writes into a vault other than the one named (Key Vault DNS suffixes: learn.microsoft.com/azure/key-vault/general/about-keys-secrets-certificates)', () => {
  test("fails with exit 2, before connecting, when the outputs' keyVault.uri names another vault", async () => {
    const c = captureReporter();
    const connect = jest.fn(async () => cluster());
    const open = jest.fn();
    const file = outputsFile((o) => (o.keyVault.uri = 'https://kv-attacker.vault.azure.net/'));
    const code = await rotationTestCommand(
      { env: 'test', config: path.join(dir, 'test.yaml'), outputs: file, exec: false, workload: 'demo-app', object: 'DB-Password' },
      c.reporter,
      { connect, openVault: open },
    );
    expect(code).toBe(2);
    expect(open).not.toHaveBeenCalled();
    expect(connect).not.toHaveBeenCalled();
    expect(c.err()).toContain(
      'keyVault.uri "https://kv-attacker.vault.azure.net/": is not the URI of vault "kv-test-example" in AzurePublicCloud (https://kv-test-example.vault.azure.net/)',
    );
  });

  test("openVault refuses a URI that is not the named vault's, before asking for a token", async () => {
    const getToken = jest.fn();
    const credential = { getToken } as unknown as TokenCredential;
    await expect(
      openVault({ vaultUri: 'https://kv-attacker.vault.azure.net/', vaultName: 'kv-test-example', tenantId: 't', cloudName: 'AzurePublicCloud', credential }),
    ).rejects.toThrow(
      'refusing to write: vault URI "https://kv-attacker.vault.azure.net/" is not the URI of vault "kv-test-example" in AzurePublicCloud (https://kv-test-example.vault.azure.net/); nothing was written',
    );
    await expect(
      openVault({
        vaultUri: 'https://kv-test-example.vault.azure.net/',
        vaultName: 'kv-test-example',
        tenantId: 't',
        cloudName: 'AzureChinaCloud',
        credential,
      }),
    ).rejects.toThrow('refusing to write');
    await expect(
      openVault({
        vaultUri: 'https://kv-test-example.vault.azure.net/x',
        vaultName: 'kv-test-example',
        tenantId: 't',
        cloudName: 'AzurePublicCloud',
        credential,
      }),
    ).rejects.toThrow('refusing to write');
    expect(getToken).not.toHaveBeenCalled();
  });
});

describe('what verify prints from the cluster is shown, not acted upon', () => {
  const ESC_AND_BIDI = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

  test('formatFinding keeps the message on one line, with control characters escaped', () => {
    const text = formatFinding(
      fail('mount-event', 'demo/pod\u001b[2J', 'FailedMount: \u001b]8;;https://evil.example\u0007click\u001b]8;;\u0007\nok [everything] fine', 'fix \u202eit'),
    );
    expect(text.split('\n')).toEqual([
      '[mount-event] demo/pod\\x1b[2J: FailedMount: \\x1b]8;;https://evil.example\\x07click\\x1b]8;;\\x07\\nok [everything] fine',
      '        fix: fix \\u202eit',
    ]);
  });

  test('verify prints an event message and a kubeconfig context with escape sequences as text, in text and in JSON', async () => {
    const message = 'MountVolume.SetUp failed: \u001b[2J\u001b[1;1Hall good\u202e';
    const reader = cluster({ context: 'ctx\u001b]0;title\u0007', listEvents: async () => [event({ pod: P1, reason: 'FailedMount', message, seconds: 10 })] });
    const opts = { env: 'test', config: path.join(dir, 'test.yaml'), outputs: outputsFile(), exec: false };
    for (const json of [false, true]) {
      const c = captureReporter({ json });
      await verifyCommand(opts, c.reporter, { connect: async () => reader, now: () => T0.getTime() + 60_000 });
      // The message did reach the output (so the check below is not vacuous) ...
      expect(c.out() + c.err()).toContain('all good');
      // ... and no line holds a control character, an escape sequence or a bidi override.
      for (const line of (c.out() + c.err()).split('\n')) expect(line).not.toMatch(ESC_AND_BIDI);
      if (json) expect(JSON.parse(c.out()).context).toBe('ctx\u001b]0;title\u0007');
      else expect(c.out()).toContain('ctx\\x1b]0;title\\x07');
    }
  });
});
