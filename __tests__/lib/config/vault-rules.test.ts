/**
 * Several vaults (lib/config/vault-rules.ts): `additionalVaults` and `objects[].vault`, refused at
 * load with the field's path and a fix. Vault names are case-insensitive global DNS names
 * (FACTS: Key Vault object and vault names are case-insensitive; azurerm key_vault name rule).
 */
import { createdNames, deriveEnvironment } from '../../../lib/model';
import { load, minimalVariant, problemsOf, type Doc } from '../../support/config';

const NODE_SUBNET =
  '/subscriptions/00000000-0000-0000-0000-00000000cafe/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet-a/subnets/aks-nodes';

/** MINIMAL (keyVault kv-app, workload app) with `additionalVaults` and one more object of `app` in `vault`. */
function withVaults(additionalVaults: Doc[], vault: string, edit: (d: Doc) => void = () => undefined): string {
  return minimalVariant((d) => {
    d.additionalVaults = additionalVaults;
    d.workloads[0].objects.push({ name: 'platform-key', type: 'secret', vault });
    edit(d);
  });
}

const problems = (source: string) => problemsOf(source).map((p) => ({ path: p.path, message: p.message }));

describe('accepted', () => {
  test('an existing and a created vault, referenced case-insensitively, resolve to their declared names', () => {
    const config = load(withVaults([{ mode: 'existing', name: 'kv-platform', resourceGroup: 'rg-platform' }, { name: 'kv-extra' }], 'KV-Platform'));
    const model = deriveEnvironment('dev', 'environments/dev.yaml', config);
    expect(model.workloads[0].objects.map((o) => o.vault)).toEqual(['kv-app', 'kv-platform']);
    expect(config.additionalVaults?.[1]).toMatchObject({ mode: 'create', purgeProtection: true, softDeleteRetentionDays: 90, sku: 'standard' });
  });

  test('an object may name the environment vault explicitly', () => {
    const config = load(withVaults([], 'kv-app'));
    expect(deriveEnvironment('dev', 'f', config).workloads[0].additionalMounts).toEqual([]);
  });
});

describe('refused', () => {
  test('fails an unknown vault, listing the declared ones', () => {
    expect(problems(withVaults([{ mode: 'existing', name: 'kv-platform' }], 'kv-nope'))).toEqual([
      {
        path: 'workloads[0].objects[1].vault',
        message: 'no vault "kv-nope" is declared: use one of "kv-app", "kv-platform" (keyVault.name or additionalVaults[].name), or add it to additionalVaults',
      },
    ]);
  });

  test('fails a vault declared twice, case-insensitively, against keyVault and against another additional vault', () => {
    expect(problems(withVaults([{ mode: 'existing', name: 'KV-APP' }, { name: 'kv-x' }, { mode: 'existing', name: 'Kv-X' }], 'kv-x'))).toEqual([
      {
        path: 'additionalVaults[0].name',
        message:
          'vault "KV-APP" is already declared by keyVault.name (vault names are case-insensitive): declare each vault once and point objects at it with objects[].vault',
      },
      {
        path: 'additionalVaults[2].name',
        message:
          'vault "Kv-X" is already declared by additionalVaults[1].name (vault names are case-insensitive): declare each vault once and point objects at it with objects[].vault',
      },
    ]);
  });

  // azurerm 4.55 key_vault name rule (lib/azure.ts KEY_VAULT_NAME_RULE): the same rule as keyVault.name.
  test('fails an additional vault name Azure refuses, and an object vault reference of the same form', () => {
    const found = problems(withVaults([{ mode: 'existing', name: 'kv--bad' }], 'kv_bad'));
    expect(found.map((p) => p.path)).toEqual(expect.arrayContaining(['additionalVaults[0].name', 'workloads[0].objects[1].vault']));
  });

  test('fails objects[].vault on an engine that writes a Secret: several vaults are CSI-only for now', () => {
    const source = withVaults([{ mode: 'existing', name: 'kv-platform' }], 'kv-platform', (d) => (d.workloads[0].delivery = { engine: 'secret-sync' }));
    expect(problems(source)).toContainEqual({
      path: 'workloads[0].objects[1].vault',
      message:
        'objects[].vault is for delivery engine "csi" only for now (one SecretProviderClass and CSI volume per vault); engine "secret-sync" reads keyVault "kv-app" only: remove vault, or set delivery.engine: csi',
    });
  });

  test('fails objects[].vault on a shared secret', () => {
    const source = minimalVariant((d) => {
      d.additionalVaults = [{ mode: 'existing', name: 'kv-platform' }];
      d.sharedSecrets = {
        engine: 'external-secrets',
        secrets: [{ secretName: 'wildcard', namespaces: ['apps'], objects: [{ name: 'token', type: 'secret', vault: 'kv-platform' }] }],
      };
    });
    expect(problems(source)).toContainEqual({
      path: 'sharedSecrets.secrets[0].objects[0].vault',
      message: 'shared secrets read keyVault "kv-app" only for now (objects[].vault is for workloads with delivery engine "csi"): remove vault',
    });
  });

  test("fails a workload that reads no object of the environment's vault", () => {
    const source = withVaults([{ mode: 'existing', name: 'kv-platform' }], 'kv-platform', (d) => d.workloads[0].objects.shift());
    expect(problems(source)).toEqual([
      {
        path: 'workloads[0].objects',
        message:
          'workload "app" reads no object of keyVault "kv-app": a workload mounts the environment\'s vault at deployment.mountPath and other vaults beside it; move one object to keyVault (remove its vault), or make the vault it reads the environment\'s keyVault',
      },
    ]);
  });

  // kubernetes/kubernetes pkg/apis/core/validation/validation.go (ValidateVolumeMounts: "must be unique");
  // a mount inside the read-only CSI volume has no mount point (lib/kubernetes.ts MOUNT_PATHS_APART_RULE).
  test.each([
    ['the same path as deployment.mountPath', '/mnt/secrets-store', 'the path of deployment.mountPath /mnt/secrets-store'],
    ['inside deployment.mountPath', '/mnt/secrets-store/platform', 'nested with deployment.mountPath /mnt/secrets-store'],
    ['around deployment.mountPath', '/mnt', 'nested with deployment.mountPath /mnt/secrets-store'],
  ])('fails an additional vault mounted at %s', (_what, mountPath, clash) => {
    expect(problems(withVaults([{ mode: 'existing', name: 'kv-platform', mountPath }], 'kv-platform'))).toEqual([
      {
        path: 'additionalVaults[0].mountPath',
        message: `workload "app" would mount this vault at ${mountPath}, ${clash}: give each volume a mount path of its own, neither inside the other`,
      },
    ]);
  });

  test('accepts a sibling path that only shares a prefix (/mnt/secrets-store-x is not inside /mnt/secrets-store)', () => {
    expect(() => load(withVaults([{ mode: 'existing', name: 'kv-platform', mountPath: '/mnt/secrets-store-x' }], 'kv-platform'))).not.toThrow();
  });

  test('fails two additional vaults of one workload at nested paths', () => {
    const source = withVaults(
      [
        { mode: 'existing', name: 'kv-a', mountPath: '/mnt/a' },
        { mode: 'existing', name: 'kv-b', mountPath: '/mnt/a/b' },
      ],
      'kv-a',
      (d) => d.workloads[0].objects.push({ name: 'b-key', type: 'secret', vault: 'kv-b' }),
    );
    expect(problems(source)).toEqual([
      {
        path: 'additionalVaults[1].mountPath',
        message:
          'workload "app" would mount this vault at /mnt/a/b, nested with the mount of vault "kv-a" /mnt/a: give each volume a mount path of its own, neither inside the other',
      },
    ]);
  });

  // secrets-store-csi-driver: a secretObjects entry syncs files of its own SecretProviderClass (one vault).
  test('fails a synced Secret whose keys come from two vaults', () => {
    const source = withVaults([{ mode: 'existing', name: 'kv-platform' }], 'kv-platform', (d) => {
      d.workloads[0].secretObjects = [
        {
          secretName: 'mixed',
          type: 'Opaque',
          data: [
            { objectName: 'db-password', key: 'a' },
            { objectName: 'platform-key', key: 'b' },
          ],
        },
      ];
    });
    expect(problems(source)).toEqual([
      {
        path: 'workloads[0].secretObjects[0].data[1].objectName',
        message:
          '"platform-key" is in vault "kv-platform" but this Secret\'s first key comes from vault "kv-app": a synced Secret comes from one SecretProviderClass (one vault); split it into one secretObjects entry per vault',
      },
    ]);
  });

  test('fails a created additional vault without public network access (no private endpoint for it yet)', () => {
    expect(problems(withVaults([{ name: 'kv-extra', publicNetworkAccess: false }], 'kv-extra'))).toEqual([
      {
        path: 'additionalVaults[0].publicNetworkAccess',
        message:
          'vault "kv-extra" would have no way in: additional vaults get no private endpoint yet (only keyVault.privateEndpoint), so keep publicNetworkAccess: true and close the firewall with networkAcls (defaultAction: Deny; the node subnet is let in)',
      },
    ]);
  });

  test('fails a private endpoint on an additional vault (unknown field there)', () => {
    const found = problems(withVaults([{ name: 'kv-extra', privateEndpoint: { subnetId: NODE_SUBNET } }], 'kv-extra'));
    expect(found.map((p) => p.path)).toEqual(['additionalVaults[0].privateEndpoint']);
  });
});

describe('names across environments (pipeline/environments.ts)', () => {
  test('a created additional vault claims its global name; an existing one does not', () => {
    const config = load(withVaults([{ name: 'kv-extra' }, { mode: 'existing', name: 'kv-platform' }], 'kv-extra'));
    const claims = createdNames(deriveEnvironment('dev', 'environments/dev.yaml', config)).filter((c) => c.kind === 'Key Vault');
    expect(claims.map((c) => [c.name, c.path.join('.')])).toEqual([
      ['kv-app', 'keyVault.name'],
      ['kv-extra', 'additionalVaults.0.name'],
    ]);
  });
});
