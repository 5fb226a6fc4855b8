/**
 * The Key Vault request estimate against Key Vault's documented limits
 * (https://learn.microsoft.com/azure/key-vault/general/service-limits: secrets and vault
 * transactions 4,000 per 10 s per vault and region, keys by type, 5 × per subscription).
 */
import { KEY_VAULT_LIMITS, keyVaultLimit } from '../../lib/azure';
import type { EnvironmentModel } from '../../lib/model';
import {
  budgetTable,
  BUDGET_ERROR_SHARE,
  BUDGET_WARN_SHARE,
  ENGINE_LOAD_ASSUMPTION,
  environmentLoad,
  fetchCost,
  requestBudget,
  sharedLoads,
  TOP_CONTRIBUTORS,
} from '../../lib/request-budget';
import { minimalVariant, type Doc } from '../support/config';
import { modelFromYaml } from '../support/models';

/** An environment of `replicas` pods mounting `objects` at `interval`. */
function env(
  name: string,
  over: { replicas?: number; objects?: Doc[]; interval?: string; enabled?: boolean; vault?: Doc; subscriptionId?: string } = {},
): EnvironmentModel {
  const source = minimalVariant((d) => {
    d.cluster.secretsProvider = { rotation: { enabled: over.enabled ?? true, interval: over.interval ?? '10s' } };
    d.workloads[0].deployment.replicas = over.replicas ?? 1;
    if (over.objects) d.workloads[0].objects = over.objects;
    if (over.vault) d.keyVault = over.vault;
    if (over.subscriptionId) d.azure.subscriptionId = over.subscriptionId;
  });
  return modelFromYaml(name, source);
}

const secrets = (n: number): Doc[] => Array.from({ length: n }, (_, i) => ({ name: `s${i}`, type: 'secret' }));
const SUB = '00000000-0000-0000-0000-0000000000aa';

describe('Key Vault limits (learn.microsoft.com/azure/key-vault/general/service-limits)', () => {
  test('secrets and vault transactions: 4,000 per 10 s per vault and region, CREATE secret 300, 5 × per subscription', () => {
    expect(KEY_VAULT_LIMITS.windowSeconds).toBe(10);
    expect(KEY_VAULT_LIMITS.vaultTransactions).toBe(4000);
    expect(KEY_VAULT_LIMITS.secretCreate).toBe(300);
    expect(KEY_VAULT_LIMITS.subscriptionFactor).toBe(5);
  });

  test('keys: software RSA-2048/EC 4,000, HSM RSA-2048/EC 2,000; larger RSA keys less', () => {
    expect(KEY_VAULT_LIMITS.keyTransactions.software).toStrictEqual({ 'RSA-2048': 4000, 'RSA-3072': 1000, 'RSA-4096': 500, EC: 4000 });
    expect(KEY_VAULT_LIMITS.keyTransactions.hsm).toStrictEqual({ 'RSA-2048': 2000, 'RSA-3072': 500, 'RSA-4096': 250, EC: 2000 });
  });

  test('a key read counts against the key row: software in a standard vault, HSM otherwise; secrets and certs against the vault row', () => {
    expect(keyVaultLimit('keys', 'standard')).toBe(4000);
    expect(keyVaultLimit('keys', 'premium')).toBe(2000);
    expect(keyVaultLimit('keys', undefined)).toBe(2000);
    expect(keyVaultLimit('vault', 'premium')).toBe(4000);
  });
});

describe('fetchCost (Azure/secrets-store-csi-driver-provider-azure pkg/provider/provider.go resolveObjectVersions, getLatestNKeyVaultObjects)', () => {
  test('one GET per object', () => {
    expect(fetchCost({})).toBe(1);
    expect(fetchCost({ versionHistory: 1 })).toBe(1);
  });

  test('versionHistory n > 1: one version listing plus up to n + 1 GETs', () => {
    expect(fetchCost({ versionHistory: 2 })).toBe(4);
    expect(fetchCost({ versionHistory: 5 })).toBe(7);
  });
});

describe('environmentLoad', () => {
  test('replicas × objects × 10 s / interval, per budget', () => {
    const m = env('dev', {
      replicas: 3,
      interval: '2m',
      objects: [
        { name: 'a', type: 'secret' },
        { name: 'c', type: 'cert' },
        { name: 'k', type: 'key' },
      ],
    });
    expect(environmentLoad(m.config)).toStrictEqual({ vault: (3 * 2 * 10) / 120, keys: (3 * 10) / 120 });
  });

  test('counts version history and pinned objects (the provider fetches them on every refresh)', () => {
    const m = env('dev', {
      replicas: 2,
      objects: [
        { name: 'h', type: 'secret', versionHistory: 3 },
        { name: 'p', type: 'secret', version: '0123456789abcdef0123456789abcdef' },
      ],
    });
    expect(environmentLoad(m.config).vault).toBe(2 * (5 + 1));
  });

  test('nothing periodic with rotation off', () => {
    expect(environmentLoad(env('dev', { enabled: false, replicas: 1000 }).config)).toStrictEqual({ vault: 0, keys: 0 });
  });
});

/** The minimal environment (rotation 10 s) edited by `edit`: an engine, secretObjects, shared secrets. */
function engineEnv(name: string, edit: (d: Doc) => void): EnvironmentModel {
  return modelFromYaml(
    name,
    minimalVariant((d) => {
      d.cluster.secretsProvider = { rotation: { enabled: true, interval: '10s' } };
      edit(d);
    }),
  );
}

// secret-sync: kubernetes-sigs/secrets-store-sync-controller internal/controller/secretsync_controller.go
// (one provider fetch of the whole SecretProviderClass per SecretSync and poll);
// external-secrets: external-secrets/external-secrets pkg/controllers/externalsecret (one GetSecret per spec.data entry).
describe('environmentLoad by delivery engine', () => {
  const twoObjects: Doc[] = [
    { name: 'a', type: 'secret' },
    { name: 'k', type: 'key' },
  ];

  test('secret-sync: every SecretSync (the delivered Secret and one per secretObjects entry) fetches every object once per rotationPollInterval, whatever the replicas', () => {
    const m = engineEnv('dev', (d) => {
      d.workloads[0].delivery = { engine: 'secret-sync' };
      d.workloads[0].deployment.replicas = 50;
      d.workloads[0].objects = twoObjects;
      d.workloads[0].secretObjects = [{ secretName: 'extra', type: 'Opaque', data: [{ objectName: 'a', key: 'a' }] }];
      d.engines = { secretSync: { rotationPollInterval: '20s' } };
    });
    expect(environmentLoad(m.config)).toStrictEqual({ vault: (2 * 10) / 20, keys: (2 * 10) / 20 });
  });

  test('secret-sync: rotationPollInterval 0s polls never, and the CSI rotation interval plays no part', () => {
    const m = engineEnv('dev', (d) => {
      d.workloads[0].delivery = { engine: 'secret-sync' };
      d.workloads[0].deployment.replicas = 50;
      d.engines = { secretSync: { rotationPollInterval: '0s' } };
    });
    expect(environmentLoad(m.config)).toStrictEqual({ vault: 0, keys: 0 });
  });

  test('external-secrets: one read per delivered key (each JSON property its own) and per secretObjects data entry, once per refreshInterval, whatever the replicas', () => {
    const m = engineEnv('dev', (d) => {
      d.workloads[0].delivery = { engine: 'external-secrets', refreshInterval: '1m' };
      d.workloads[0].deployment.replicas = 50;
      d.workloads[0].objects = [
        {
          name: 'db',
          type: 'secret',
          properties: [
            { property: 'username', key: 'db-username' },
            { property: 'password', key: 'db-password' },
          ],
        },
        { name: 'k', type: 'key' },
      ];
      d.workloads[0].secretObjects = [{ secretName: 'extra', type: 'Opaque', data: [{ objectName: 'k', key: 'k' }] }];
    });
    expect(environmentLoad(m.config)).toStrictEqual({ vault: (2 * 10) / 60, keys: (2 * 10) / 60 });
  });

  test('external-secrets: refreshInterval 0s reads once and adds nothing periodic', () => {
    const m = engineEnv('dev', (d) => {
      d.workloads[0].delivery = { engine: 'external-secrets', refreshInterval: '0s' };
    });
    expect(environmentLoad(m.config)).toStrictEqual({ vault: 0, keys: 0 });
  });

  test('shared secrets with external-secrets: each target namespace reads each key once per refreshInterval', () => {
    const m = engineEnv('dev', (d) => {
      d.cluster.secretsProvider = { rotation: { enabled: false } };
      d.sharedSecrets = {
        engine: 'external-secrets',
        refreshInterval: '10s',
        secrets: [{ secretName: 'shared', type: 'Opaque', namespaces: ['apps', 'web', 'api'], objects: [{ name: 'token', type: 'secret' }] }],
      };
    });
    expect(environmentLoad(m.config)).toStrictEqual({ vault: 3, keys: 0 });
  });

  test("the warning names the engines' assumption and their intervals as a fix when an environment uses them", () => {
    const m = engineEnv('dev', (d) => {
      d.workloads[0].delivery = { engine: 'external-secrets', refreshInterval: '10s' };
      d.workloads[0].objects = secrets(2500);
    });
    const message = requestBudget([m]).warnings.get('dev')?.[0]?.message;
    expect(message).toContain(ENGINE_LOAD_ASSUMPTION);
    expect(message).toContain('or lengthen the refreshInterval of the external-secrets engine and engines.secretSync.rotationPollInterval');
    expect(requestBudget([env('dev', { replicas: 1000, objects: secrets(2) })]).warnings.get('dev')?.[0]?.message).not.toContain(ENGINE_LOAD_ASSUMPTION);
  });
});

describe('requestBudget', () => {
  test('no warning below half the limit (1,998 of 4,000 per 10 s)', () => {
    const verdict = requestBudget([env('dev', { replicas: 999, objects: secrets(2) })]);
    expect(verdict.problems).toStrictEqual([]);
    expect(verdict.warnings.size).toBe(0);
  });

  test(`warns at ${BUDGET_WARN_SHARE * 100}% of the per-vault limit, naming the load, the limit, the assumption and the fix`, () => {
    const verdict = requestBudget([env('dev', { replicas: 1000, objects: secrets(2) })]);
    expect(verdict.problems).toStrictEqual([]);
    expect(verdict.warnings.get('dev')).toStrictEqual([
      {
        code: 'polling-load',
        path: 'cluster.secretsProvider.rotation.interval',
        message:
          'the pods of environment dev would make about 2,000 secret and certificate reads per 10 s from Key Vault "kv-app": 50% of the 4,000 Key Vault allows per vault and region ' +
          '(assuming every pod fetches every object once per rotation interval, as driver ≤ 1.5 does; driver ≥ 1.6 fetches at most once per max(interval, 60 s)): ' +
          'lengthen cluster.secretsProvider.rotation.interval to 11s or more, or mount fewer objects or replicas, or spread the objects over more vaults (Key Vault answers HTTP 429 beyond its limit: mounts and rotations fail)',
      },
    ]);
  });

  test(`fails at ${BUDGET_ERROR_SHARE * 100}% of the limit: a problem naming the file, the interval and a longer interval`, () => {
    const verdict = requestBudget([env('dev', { replicas: 1000, objects: secrets(4) })]);
    expect(verdict.warnings.size).toBe(0);
    expect(verdict.problems).toHaveLength(1);
    const [p] = verdict.problems;
    expect(p).toMatchObject({ file: 'environments/dev.yaml', path: 'cluster.secretsProvider.rotation.interval', received: '"10s"' });
    expect(p.message).toMatch(
      /^the pods of environment dev would make about 4,000 secret and certificate reads per 10 s from Key Vault "kv-app": 100% of the 4,000 /,
    );
    expect(p.message).toContain('lengthen cluster.secretsProvider.rotation.interval to 21s or more');
  });

  test('environments naming one vault (case-insensitively) share its budget, and each is warned', () => {
    const dev = env('dev', { replicas: 600, objects: secrets(2), vault: { mode: 'existing', name: 'kv-shared' } });
    const test = env('test', { replicas: 600, objects: secrets(2), vault: { mode: 'existing', name: 'KV-Shared' } });
    expect(requestBudget([dev]).warnings.size).toBe(0);
    const verdict = requestBudget([test, dev]);
    expect(verdict.problems).toStrictEqual([]);
    for (const name of ['dev', 'test']) {
      expect(verdict.warnings.get(name)?.[0]?.message).toMatch(
        /^the pods of environments dev, test together would make about 2,400 secret and certificate reads per 10 s from Key Vault "kv-shared": 60% of the 4,000 /,
      );
    }
  });

  test('fails when the environments sharing a vault together reach its limit: the fix names each environment, or separate vaults', () => {
    const dev = env('dev', { replicas: 1000, objects: secrets(2), vault: { mode: 'existing', name: 'kv-shared' } });
    const prod = (objects: number) =>
      env('prod', { replicas: 1000, objects: secrets(objects), interval: '20s', vault: { mode: 'existing', name: 'kv-shared' } });
    const below = requestBudget([dev, prod(3)]);
    expect(below.problems).toStrictEqual([]);
    expect(below.warnings.get('prod')?.[0]?.message).toMatch(/^the pods of environments dev, prod together would make about 3,500 .*: 87\.5% /);
    const verdict = requestBudget([dev, prod(5)]);
    expect(verdict.problems).toHaveLength(1);
    const [p] = verdict.problems;
    expect(p.file).toBe('environments/dev.yaml, environments/prod.yaml');
    expect(p.received).toBeUndefined();
    expect(p.message).toMatch(/^the pods of environments dev, prod together would make about 4,500 .*: 112\.5% of the 4,000 /);
    expect(p.message).toContain(
      'lengthen cluster.secretsProvider.rotation.interval to dev 23s, prod 46s or more, or mount fewer objects or replicas, or give each environment its own vault',
    );
  });

  test('key reads draw on the key budget: HSM RSA-2048 (2,000) unless this project creates a standard vault', () => {
    const keys = [{ name: 'k', type: 'key' }];
    expect(requestBudget([env('dev', { replicas: 1000, objects: keys, vault: { mode: 'existing', name: 'kv-x' } })]).warnings.get('dev')?.[0]?.message).toMatch(
      /about 1,000 key reads per 10 s from Key Vault "kv-x": 50% of the 2,000 /,
    );
    expect(requestBudget([env('dev', { replicas: 1000, objects: keys })]).warnings.size).toBe(0);
  });

  test(`all vaults of one subscription share ${KEY_VAULT_LIMITS.subscriptionFactor} × the per-vault limit`, () => {
    const envs = Array.from({ length: 7 }, (_, i) =>
      env(`e${i}`, { replicas: 800, objects: secrets(2), vault: { mode: 'existing', name: `kv-${i}` }, subscriptionId: SUB }),
    );
    const loads = sharedLoads(envs).filter((l) => l.scope === 'subscription');
    expect(loads.map((l) => [l.name, l.shares.find((s) => s.budget === 'vault')?.share])).toStrictEqual([[`subscription ${SUB}`, (7 * 1600) / 20000]]);
    const verdict = requestBudget(envs);
    expect(verdict.warnings.get('e0')?.[0]?.message).toMatch(
      /^the pods of environments e0, e1, e2, e3, e4, e5, e6 together would make about 11,200 .* from the vaults of subscription 00000000-0000-0000-0000-0000000000aa: 56% of the 20,000 Key Vault allows per subscription \(5 × the per-vault limit\)/,
    );
    expect(requestBudget(envs.slice(0, 6)).warnings.size).toBe(0);
  });

  test('rotation off adds nothing to a shared vault', () => {
    const dev = env('dev', { replicas: 1000, objects: secrets(3), vault: { mode: 'existing', name: 'kv-shared' } });
    const off = env('prod', { enabled: false, replicas: 1000, objects: secrets(3), vault: { mode: 'existing', name: 'kv-shared' } });
    expect(requestBudget([dev, off]).warnings.get('prod')?.[0]?.message).toMatch(/environments dev, prod together would make about 3,000 /);
    expect(requestBudget([dev, off]).warnings.get('prod')?.[0]?.message).toContain('to dev 16s or more');
  });
});

describe('budgetTable', () => {
  /** An environment of several workloads, each `replicas[i]` pods mounting one secret every 10 s. */
  function team(name: string, replicas: readonly number[], vault: Doc = { name: 'kv-app' }): EnvironmentModel {
    const source = minimalVariant((d) => {
      d.cluster.secretsProvider = { rotation: { interval: '10s' } };
      d.keyVault = vault;
      const template = d.workloads[0];
      d.workloads = replicas.map((r, i) => ({ ...template, name: `w${i}`, deployment: { ...template.deployment, replicas: r } }));
    });
    return modelFromYaml(name, source);
  }

  test('one row per vault and per subscription: requests per second, the limit per second, the share and the level', () => {
    const rows = budgetTable([team('dev', [1000, 500])]);
    expect(rows.map((r) => [r.scope, r.name, r.budget, r.requestsPerSecond, r.limitPerSecond, r.share, r.level])).toEqual([
      ['vault', 'kv-app', 'vault', 150, 400, 0.375, 'ok'],
      ['subscription', "the Azure CLI's current subscription", 'vault', 150, 2000, 0.075, 'ok'],
    ]);
  });

  test(`names the ${TOP_CONTRIBUTORS} largest contributors, largest first, with their share of the load`, () => {
    const [row] = budgetTable([team('dev', [100, 400, 300, 200])]);
    expect(row.top).toEqual([
      { environment: 'dev', workload: 'w1', requestsPerSecond: 40, shareOfLoad: 0.4 },
      { environment: 'dev', workload: 'w2', requestsPerSecond: 30, shareOfLoad: 0.3 },
      { environment: 'dev', workload: 'w3', requestsPerSecond: 20, shareOfLoad: 0.2 },
    ]);
  });

  test('environments that name one vault (in any case) share its row; the level follows the warn and error shares', () => {
    const rows = budgetTable([team('dev', [1000]), team('test', [1000], { mode: 'existing', name: 'KV-APP' })]);
    const vault = rows.find((r) => r.scope === 'vault')!;
    expect(vault).toMatchObject({ name: 'kv-app', environments: ['dev', 'test'], requestsPerSecond: 200, share: 0.5, level: 'warning' });
    expect(vault.top.map((c) => c.environment)).toEqual(['dev', 'test']);
    expect(budgetTable([team('dev', [1000, 1000, 1000, 1000])])[0].level).toBe('error');
    expect(BUDGET_WARN_SHARE).toBe(0.5);
  });

  test('no key row without keys; rotation off leaves the row at 0 with no contributors', () => {
    const rows = budgetTable([env('dev', { enabled: false, replicas: 5 })]);
    expect(rows.map((r) => [r.budget, r.requestsPerSecond, r.top])).toEqual([
      ['vault', 0, []],
      ['vault', 0, []],
    ]);
  });
});

describe('several vaults (additionalVaults): each pod fetches each object from its own vault', () => {
  /** 10 pods every 10 s: 2 secrets in kv-app, 1 secret and 1 key in kv-platform (premium when created). */
  function twoVaults(name: string, platform: Doc): EnvironmentModel {
    return modelFromYaml(
      name,
      minimalVariant((d) => {
        d.cluster.secretsProvider = { rotation: { interval: '10s' } };
        d.workloads[0].deployment.replicas = 10;
        d.additionalVaults = [platform];
        d.workloads[0].objects.push(
          { name: 'extra', type: 'secret' },
          { name: 'platform-secret', type: 'secret', vault: platform.name },
          { name: 'platform-key', type: 'key', vault: platform.name },
        );
      }),
    );
  }

  test('one row per vault and budget, each vault with its own load; the subscription row sums them', () => {
    const rows = budgetTable([twoVaults('dev', { mode: 'existing', name: 'kv-platform' })]);
    expect(rows.map((r) => [r.scope, r.name, r.budget, r.requestsPerSecond, r.top.map((c) => c.workload)])).toEqual([
      ['vault', 'kv-app', 'vault', 2, ['app']],
      ['vault', 'kv-platform', 'vault', 1, ['app']],
      ['vault', 'kv-platform', 'keys', 1, ['app']],
      ['subscription', "the Azure CLI's current subscription", 'vault', 3, ['app']],
      ['subscription', "the Azure CLI's current subscription", 'keys', 1, ['app']],
    ]);
  });

  test("a created additional vault's SKU sets its limits; environments sharing an existing one share its row", () => {
    const created = budgetTable([twoVaults('dev', { name: 'kv-platform', sku: 'premium' })]).find((r) => r.name === 'kv-platform' && r.budget === 'keys')!;
    expect(created.limitPerSecond).toBe(keyVaultLimit('keys', 'premium') / KEY_VAULT_LIMITS.windowSeconds);
    const shared = budgetTable([twoVaults('dev', { mode: 'existing', name: 'kv-platform' }), twoVaults('test', { mode: 'existing', name: 'KV-Platform' })]);
    expect(shared.find((r) => r.name === 'kv-platform' && r.budget === 'vault')).toMatchObject({ environments: ['dev', 'test'], requestsPerSecond: 2 });
  });
});
