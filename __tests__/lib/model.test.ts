/**
 * lib/model.ts: identities, federated credentials, role grants and warnings derived from a
 * validated environment.
 */
import fc from 'fast-check';
import { deriveEnvironment, federatedCredentialName, identityName, sharedIdentityKeys, type WarningCode } from '../../lib/model';
import { leastPrivilegeRole, MAX_FEDERATED_CREDENTIALS_PER_IDENTITY, ROLES, keyVaultScopeSegment } from '../../lib/azure';
import { load, MINIMAL, minimalVariant, readExample, variant, type Doc } from '../support/config';

const derive = (source: string, name = 'dev') => deriveEnvironment(name, `environments/${name}.yaml`, load(source));
const codes = (source: string) => derive(source).warnings.map((w) => w.code);

describe('roles', () => {
  test('secret objects need Key Vault Secrets User; cert and key objects need Key Vault Certificate User', () => {
    expect(leastPrivilegeRole('secret')).toBe('Key Vault Secrets User');
    expect(leastPrivilegeRole('cert')).toBe('Key Vault Certificate User');
    expect(leastPrivilegeRole('key')).toBe('Key Vault Certificate User');
    expect([keyVaultScopeSegment('secret'), keyVaultScopeSegment('cert'), keyVaultScopeSegment('key')]).toStrictEqual(['secrets', 'certificates', 'keys']);
  });

  test('vault scope: one grant per role the objects need, at the vault', () => {
    const model = derive(
      minimalVariant((d) => d.workloads[0].objects.push({ name: 'tls', type: 'cert' }, { name: 'signing', type: 'key' }, { name: 'api-key', type: 'secret' })),
    );
    expect(model.identities[0].roles).toStrictEqual([
      { role: ROLES.certificateUser, scope: 'vault' },
      { role: ROLES.secretsUser, scope: 'vault' },
    ]);
  });

  test('vault scope with secrets only grants Secrets User only', () => {
    expect(derive(MINIMAL).identities[0].roles).toStrictEqual([{ role: 'Key Vault Secrets User', scope: 'vault' }]);
  });

  test('object scope: one grant per distinct object (type and name), in order', () => {
    const model = derive(readExample('prod'), 'prod');
    const byKey = Object.fromEntries(model.identities.map((i) => [i.key, i.roles]));
    expect(byKey).toStrictEqual({
      'payments-api': [
        { role: ROLES.secretsUser, scope: { type: 'secret', name: 'payments-db-password' } },
        { role: ROLES.secretsUser, scope: { type: 'secret', name: 'payments-stripe-key' } },
        { role: ROLES.secretsUser, scope: { type: 'secret', name: 'rotation-canary' } },
        // From the platform's shared vault (additionalVaults): scoped to that vault's object.
        { role: ROLES.secretsUser, scope: { type: 'secret', name: 'platform-telemetry-key' }, vault: 'kv-platform-shared' },
      ],
      'web-frontend': [
        { role: ROLES.certificateUser, scope: { type: 'cert', name: 'web-tls' } },
        { role: ROLES.secretsUser, scope: { type: 'secret', name: 'web-tls' } },
        { role: ROLES.secretsUser, scope: { type: 'secret', name: 'web-session-key' } },
      ],
    });
  });

  test('object scope grants an object mounted twice once', () => {
    const model = derive(
      minimalVariant((d) => {
        d.identity = { roleScope: 'object' };
        d.workloads[0].objects.push({ name: 'db-password', type: 'secret', alias: 'copy' }, { name: 'signing', type: 'key' });
      }),
    );
    expect(model.identities[0].roles).toStrictEqual([
      { role: ROLES.secretsUser, scope: { type: 'secret', name: 'db-password' } },
      { role: ROLES.certificateUser, scope: { type: 'key', name: 'signing' } },
    ]);
  });

  test('Key Vault Administrator only when asked, and then alone at the vault', () => {
    for (const source of [MINIMAL, readExample('dev'), readExample('prod')]) {
      const roles = derive(source).identities.flatMap((i) => i.roles.map((r) => r.role));
      expect(roles).not.toContain(ROLES.administrator);
    }
    const admin = derive(minimalVariant((d) => (d.identity = { role: 'administrator', roleScope: 'object' })));
    expect(admin.identities[0].roles).toStrictEqual([{ role: 'Key Vault Administrator', scope: 'vault' }]);
  });
});

describe('identities and federated credentials', () => {
  test('dev.yaml: one identity per workload, named after the environment and workload', () => {
    const model = derive(readExample('dev'));
    expect(model.identities).toStrictEqual([
      {
        key: 'demo-app',
        name: 'id-dev-demo-app',
        workloads: ['demo-app'],
        credentials: [
          { name: 'fc_demo_demo-app', workload: 'demo-app', namespace: 'demo', serviceAccount: 'demo-app', subject: 'system:serviceaccount:demo:demo-app' },
        ],
        roles: [{ role: 'Key Vault Secrets User', scope: 'vault' }],
      },
    ]);
    expect(model.workloads[0]).toMatchObject({
      name: 'demo-app',
      namespace: 'demo',
      serviceAccount: 'demo-app',
      subject: 'system:serviceaccount:demo:demo-app',
      identityKey: 'demo-app',
      secretProviderClass: 'demo-app-keyvault',
      deployment: 'demo-app',
    });
    expect(model.workloads[0].objects.map((o) => [o.name, o.type, o.fileName])).toStrictEqual([['DB-Password', 'secret', 'DB_PASSWORD']]);
    expect(model).toMatchObject({
      name: 'dev',
      stackName: 'dev',
      file: 'environments/dev.yaml',
      csiCloudName: 'AzurePublicCloud',
      rotationIntervalSeconds: 30,
    });
  });

  test('an explicit ServiceAccount names the subject and credential', () => {
    const model = derive(minimalVariant((d) => (d.workloads[0].serviceAccount = 'app.reader')));
    expect(model.workloads[0].subject).toBe('system:serviceaccount:apps:app.reader');
    expect(model.identities[0].credentials[0].name).toBe('fc_apps_app_reader');
  });

  test("a shared identity holds one credential per workload, with each workload's subject", () => {
    const model = derive(
      variant((d) => (d.identity = { mode: 'shared' }), 'prod'),
      'prod',
    );
    expect(model.identities).toHaveLength(1);
    const [shared] = model.identities;
    expect(shared).toMatchObject({ key: 'shared', name: 'id-prod-shared', workloads: ['payments-api', 'web-frontend'] });
    expect(shared.credentials).toStrictEqual([
      {
        name: 'fc_payments_payments-api',
        workload: 'payments-api',
        namespace: 'payments',
        serviceAccount: 'payments-api',
        subject: 'system:serviceaccount:payments:payments-api',
      },
      {
        name: 'fc_web_web-frontend',
        workload: 'web-frontend',
        namespace: 'web',
        serviceAccount: 'web-frontend',
        subject: 'system:serviceaccount:web:web-frontend',
      },
    ]);
    expect(model.workloads.map((w) => w.identityKey)).toStrictEqual(['shared', 'shared']);
    expect(shared.roles).toStrictEqual([
      { role: ROLES.certificateUser, scope: 'vault' },
      { role: ROLES.secretsUser, scope: 'vault' },
      // payments-api reads the platform vault: the shared identity reads what any of its workloads mounts.
      { role: ROLES.secretsUser, scope: 'vault', vault: 'kv-platform-shared' },
    ]);
  });

  describe('a shared identity over the federated-credential limit', () => {
    /** MINIMAL with `n` workloads on a shared identity, each mounting one secret of its own; `extra` edits the document. */
    const sharedOf = (n: number, extra: (d: Doc) => void = () => undefined) =>
      minimalVariant((d) => {
        d.identity = { mode: 'shared', roleScope: 'object' };
        const template = d.workloads[0];
        d.workloads = Array.from({ length: n }, (_, i) => ({
          ...template,
          name: `app-${i + 1}`,
          objects: [{ name: `secret-${i + 1}`, type: 'secret' }],
        }));
        extra(d);
      });

    // Azure: at most 20 federated identity credentials per user-assigned identity
    // (https://learn.microsoft.com/entra/workload-id/workload-identity-federation-considerations).
    test('is split into the fewest identities of at most 20 credentials, filled in workload order', () => {
      const model = derive(sharedOf(41));
      expect(model.identities.map((i) => [i.key, i.name, i.credentials.length])).toStrictEqual([
        ['shared', 'id-dev-shared', 20],
        ['shared-2', 'id-dev-shared-2', 20],
        ['shared-3', 'id-dev-shared-3', 1],
      ]);
      expect(model.identities[1].workloads[0]).toBe('app-21');
      expect(model.workloads[40].identityKey).toBe('shared-3');
    });

    test('keeps one identity named id-<env>-shared up to 20 workloads, so existing deployments keep their identity', () => {
      const model = derive(sharedOf(MAX_FEDERATED_CREDENTIALS_PER_IDENTITY));
      expect(model.identities.map((i) => i.name)).toStrictEqual(['id-dev-shared']);
      expect(model.warnings.map((w) => w.code)).not.toContain('shared-identity-split');
    });

    test('gives every part the same roles: those of all the workloads', () => {
      const model = derive(sharedOf(21));
      const expected = Array.from({ length: 21 }, (_, i) => ({ role: ROLES.secretsUser, scope: { type: 'secret', name: `secret-${i + 1}` } }));
      for (const identity of model.identities) expect(identity.roles).toStrictEqual(expected);
    });

    test('warns that the identity was split, naming each part and its workloads', () => {
      const warning = derive(sharedOf(21)).warnings.find((w) => w.code === 'shared-identity-split');
      expect(warning).toStrictEqual({
        code: 'shared-identity-split',
        path: 'identity.mode',
        message:
          'the 21 workloads of environment dev need one federated credential each and an identity holds 20, so the shared identity is split into 2, each with the same roles: id-dev-shared (app-1 to app-20), id-dev-shared-2 (app-21); add workloads at the end of the list: removing or reordering one moves the workloads after it to another identity (a new client id, picked up at the next render)',
      });
    });

    test('appending workloads never moves an earlier workload to another identity (property)', () => {
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 120 }), fc.integer({ min: 0, max: 80 }), fc.integer({ min: 1, max: 25 }), (before, added, capacity) => {
          const earlier = sharedIdentityKeys(before, capacity);
          const later = sharedIdentityKeys(before + added, capacity);
          expect(later.slice(0, before)).toStrictEqual(earlier);
          // The fewest identities that fit, none over capacity.
          const counts = [...later.reduce((m, k) => m.set(k, (m.get(k) ?? 0) + 1), new Map<string, number>()).values()];
          expect(counts).toHaveLength(Math.ceil((before + added) / capacity));
          expect(Math.max(...counts)).toBeLessThanOrEqual(capacity);
        }),
        { numRuns: 300 },
      );
    });

    test('appending workloads to an environment file never reassigns earlier ones (property, through the loader)', () => {
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 45 }), fc.integer({ min: 1, max: 25 }), (before, added) => {
          const keysOf = (n: number) => derive(sharedOf(n)).workloads.map((w) => [w.name, w.identityKey]);
          expect(keysOf(before + added).slice(0, before)).toStrictEqual(keysOf(before));
        }),
        { numRuns: 15 },
      );
    });
  });

  // Regression (was a bug in lib/model.ts federatedCredentialName): "fc-<namespace>-<serviceAccount>" is ambiguous
  // because both parts may contain "-": namespace "team-a" + SA "api" and namespace "team" +
  // SA "a-api" both gave "fc-team-a-api". On a shared identity the second credential replaced
  // the first in Azure, and one workload's mount failed with AADSTS70021. (Such a pair is now
  // also rejected because its manifest file names collide; the names stay one-to-one anyway.)
  test('derives distinct federated credential names for distinct subjects', () => {
    expect(federatedCredentialName('team-a', 'api')).not.toBe(federatedCredentialName('team', 'a-api'));
    expect(federatedCredentialName('team', 'a.api')).not.toBe(federatedCredentialName('team', 'a-api'));
    const label = fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,10}[a-z0-9])?$/);
    const sa = fc.stringMatching(/^[a-z0-9]([-.a-z0-9]{0,10}[a-z0-9])?$/);
    fc.assert(
      fc.property(label, sa, label, sa, (ns1, sa1, ns2, sa2) => {
        fc.pre(ns1 !== ns2 || sa1 !== sa2);
        expect(federatedCredentialName(ns1, sa1)).not.toBe(federatedCredentialName(ns2, sa2));
      }),
      { numRuns: 300 },
    );
  });

  // Regression (was a bug in lib/model.ts federatedCredentialName): Azure takes 3-120 characters matching
  // ^[a-zA-Z0-9][a-zA-Z0-9-_]{2,119}$; a 63-character namespace and a long (valid, up to 253)
  // ServiceAccount name exceed it, and the failure shows only at apply time.
  test('derives federated credential names Azure accepts (3-120 characters)', () => {
    const ns = 'n'.repeat(63);
    const sa = `${'s'.repeat(60)}.${'a'.repeat(60)}`;
    expect(() => load(minimalVariant((d) => Object.assign(d.workloads[0], { namespace: ns, serviceAccount: sa })))).not.toThrow();
    const name = federatedCredentialName(ns, sa);
    expect(name).toMatch(/^[a-zA-Z0-9][a-zA-Z0-9_-]{2,119}$/);
  });

  test("identity names stay within Azure's 3-128 characters for the longest names allowed", () => {
    expect(identityName('e'.repeat(24), 'w'.repeat(40))).toMatch(/^[a-zA-Z0-9][a-zA-Z0-9_-]{2,127}$/);
  });

  test('the cloud picks the CSI cloudName', () => {
    const cloud = (c: string) => derive(minimalVariant((d) => (d.azure.cloud = c))).csiCloudName;
    expect([cloud('public'), cloud('usgovernment'), cloud('china')]).toStrictEqual(['AzurePublicCloud', 'AzureUSGovernmentCloud', 'AzureChinaCloud']);
  });
});

describe('warnings', () => {
  test('the example files and the minimal file carry no warning', () => {
    expect(derive(readExample('dev')).warnings).toStrictEqual([]);
    // prod reads an existing platform vault: TRUST.md says its firewall and RBAC mode are its owner's, no warning.
    expect(derive(readExample('prod'), 'prod').warnings).toStrictEqual([]);
    expect(derive(MINIMAL).warnings).toStrictEqual([]);
  });

  const cases: [WarningCode, (d: Doc) => void, string, RegExp][] = [
    [
      'administrator-role',
      (d) => (d.identity = { role: 'administrator' }),
      'identity.role',
      /^Key Vault Administrator grants every data-plane operation .*prefer role "least-privilege"$/,
    ],
    [
      'rotation-disabled',
      (d) => (d.cluster.secretsProvider = { rotation: { enabled: false } }),
      'cluster.secretsProvider.rotation.enabled',
      /^rotation is off: mounted files keep the version read at pod start/,
    ],
    [
      'pinned-version',
      (d) => (d.workloads[0].objects[0].version = '0123456789abcdef0123456789ABCDEF'),
      'workloads[0].objects[0].version',
      /^object "db-password" is pinned to a version and is never rotated: remove version/,
    ],
    [
      'env-from-synced-secret',
      (d) => {
        d.workloads[0].secretObjects = [{ secretName: 's', type: 'Opaque', data: [{ objectName: 'db-password', key: 'p' }] }];
        d.workloads[0].deployment.envFromSyncedSecret = [{ name: 'P', secretName: 's', key: 'p' }];
      },
      'workloads[0].deployment.envFromSyncedSecret[0]',
      /^environment variable P comes from synced Secret "s" and will not change on rotation without a pod restart: set deployment.restartOnRotation: true or read the mounted file$/,
    ],
    [
      'vault-firewall-deny',
      (d) => (d.keyVault.networkAcls = { defaultAction: 'Deny' }),
      'keyVault.networkAcls.defaultAction',
      /^the vault firewall denies by default and lets no subnet in: pods will get 403 ForbiddenByFirewall/,
    ],
    // kubernetes/pod-security-admission policy/check_runAsNonRoot.go, check_runAsUser.go (restricted).
    [
      'pod-security',
      (d) => (d.workloads[0].deployment.securityContext = { runAsNonRoot: false, runAsUser: 0 }),
      'workloads[0].deployment.securityContext',
      /^the pods of "app" meet only the baseline Pod Security Standard \(set runAsNonRoot: true; run as a non-zero user id\): namespace "apps" enforces baseline and warns at restricted; restore the defaults to run restricted$/,
    ],
    [
      'system-namespace',
      (d) => (d.workloads[0].namespace = 'kube-system'),
      'workloads[0].namespace',
      /^workload "app" runs in kube-system, which AKS manages .*no Namespace object or Pod Security labels are rendered for it/,
    ],
    [
      'version-may-be-missing',
      (d) => {
        d.workloads[0].objects[0].versionHistory = 2;
        d.workloads[0].secretObjects = [{ secretName: 's', type: 'Opaque', data: [{ objectName: 'db-password/1', key: 'previous' }] }];
      },
      'workloads[0].secretObjects[0].data[0].objectName',
      /^"db-password\/1" exists only once "db-password" has 2 versions; until then the driver fails to sync Secret "s": use "db-password\/0"/,
    ],
    [
      'former-name',
      (d) => (d.workloads[0].deployment.reloaderAnnotation = true),
      'workloads[0].deployment.reloaderAnnotation',
      /^reloaderAnnotation is the former name of restartOnRotation \(still read\): rename it to restartOnRotation$/,
    ],
  ];

  test.each(cases)('warns %s', (code, edit, path, message) => {
    const warnings = derive(minimalVariant(edit)).warnings;
    expect(warnings.map((w) => w.code)).toStrictEqual([code]);
    expect(warnings[0].path).toBe(path);
    expect(warnings[0].message).toMatch(message);
  });

  test.each(['restartOnRotation', 'reloaderAnnotation'])('env-from-synced-secret says when Reloader restarts the pods (%s, its former name)', (field) => {
    const model = derive(
      minimalVariant((d) => {
        cases[3][1](d);
        d.workloads[0].deployment[field] = true;
      }),
    );
    expect(model.warnings[0].message).toMatch(/without a pod restart \(restartOnRotation set: Reloader restarts the pods on change\)$/);
    expect(model.workloads[0].restartOnRotation).toBe(true);
  });

  test('pod-security in a namespace we do not label says nothing about its labels', () => {
    const model = derive(
      minimalVariant((d) => ((d.workloads[0].namespace = 'default'), (d.workloads[0].deployment.securityContext = { allowPrivilegeEscalation: true }))),
    );
    expect(model.warnings.map((w) => w.message)).toStrictEqual([
      'the pods of "app" meet only the baseline Pod Security Standard (set allowPrivilegeEscalation: false); restore the defaults to run restricted',
    ]);
  });

  test('no firewall warning when a subnet is allowed or the vault exists already', () => {
    expect(codes(variant(() => undefined, 'prod'))).not.toContain('vault-firewall-deny');
    // prod states cluster.network: its node subnet is let in by itself, without a listed rule.
    expect(codes(variant((d) => (d.keyVault.networkAcls.virtualNetworkSubnetIds = []), 'prod'))).not.toContain('vault-firewall-deny');
    expect(
      codes(
        variant((d) => {
          d.keyVault.networkAcls.virtualNetworkSubnetIds = [];
          delete d.cluster.network;
        }, 'prod'),
      ),
    ).toContain('vault-firewall-deny');
    expect(codes(minimalVariant((d) => (d.keyVault = { mode: 'existing', name: 'kv-app' })))).toStrictEqual([]);
  });

  // The Key Vault request load (polling-load) is judged across environments loaded together:
  // __tests__/lib/request-budget.test.ts.
});

describe('several vaults (additionalVaults, objects[].vault)', () => {
  /** Two workloads: `app` reads the platform vault too, `other` reads only kv-app. */
  const twoWorkloads = (roleScope: 'vault' | 'object', mode: 'per-workload' | 'shared' = 'per-workload') =>
    derive(
      minimalVariant((d) => {
        d.identity = { roleScope, mode };
        d.additionalVaults = [{ mode: 'existing', name: 'kv-platform', mountPath: '/mnt/platform' }, { name: 'kv-unread' }];
        d.workloads[0].objects.push(
          { name: 'platform-key', type: 'secret', vault: 'kv-platform' },
          { name: 'platform-cert', type: 'cert', vault: 'kv-platform' },
        );
        d.workloads.push({ name: 'other', namespace: 'others', objects: [{ name: 'other-key', type: 'secret' }], deployment: { image: 'x:1' } });
      }),
    );

  test("one mount per other vault read, with its SecretProviderClass, volume and path; the environment's vault keeps its names", () => {
    const [app, other] = twoWorkloads('object').workloads;
    expect(app.secretProviderClass).toBe('app-keyvault');
    expect(app.mainObjects.map((o) => o.name)).toEqual(['db-password']);
    expect(app.additionalMounts).toMatchObject([
      {
        vault: 'kv-platform',
        secretProviderClass: 'app-keyvault-kv-platform',
        volumeName: 'secrets-store-kv-platform',
        mountPath: '/mnt/platform',
        objects: [{ name: 'platform-key' }, { name: 'platform-cert' }],
      },
    ]);
    expect(other.additionalMounts).toEqual([]);
  });

  test('object scope: grants on each vault the workload reads, by object type; nothing on a vault it does not read', () => {
    const byKey = Object.fromEntries(twoWorkloads('object').identities.map((i) => [i.key, i.roles]));
    expect(byKey).toStrictEqual({
      app: [
        { role: ROLES.secretsUser, scope: { type: 'secret', name: 'db-password' } },
        { role: ROLES.secretsUser, scope: { type: 'secret', name: 'platform-key' }, vault: 'kv-platform' },
        { role: ROLES.certificateUser, scope: { type: 'cert', name: 'platform-cert' }, vault: 'kv-platform' },
      ],
      other: [{ role: ROLES.secretsUser, scope: { type: 'secret', name: 'other-key' } }],
    });
  });

  test('vault scope: one grant per role and vault read; a shared identity reads what any of its workloads reads', () => {
    expect(twoWorkloads('vault').identities.find((i) => i.key === 'app')?.roles).toStrictEqual([
      { role: ROLES.secretsUser, scope: 'vault' },
      { role: ROLES.certificateUser, scope: 'vault', vault: 'kv-platform' },
      { role: ROLES.secretsUser, scope: 'vault', vault: 'kv-platform' },
    ]);
    expect(twoWorkloads('vault', 'shared').identities[0].roles).toStrictEqual([
      { role: ROLES.secretsUser, scope: 'vault' },
      { role: ROLES.certificateUser, scope: 'vault', vault: 'kv-platform' },
      { role: ROLES.secretsUser, scope: 'vault', vault: 'kv-platform' },
    ]);
  });

  test('the same object name in two vaults is two objects (two grants, no case-only warning)', () => {
    const model = derive(
      minimalVariant((d) => {
        d.identity = { roleScope: 'object' };
        d.additionalVaults = [{ mode: 'existing', name: 'kv-platform' }];
        d.workloads[0].objects.push({ name: 'DB-Password', type: 'secret', alias: 'platform-db', vault: 'kv-platform' });
      }),
    );
    expect(model.identities[0].roles).toStrictEqual([
      { role: ROLES.secretsUser, scope: { type: 'secret', name: 'db-password' } },
      { role: ROLES.secretsUser, scope: { type: 'secret', name: 'DB-Password' }, vault: 'kv-platform' },
    ]);
  });

  test('synced Secrets go with the vault of their files', () => {
    const [app] = derive(
      minimalVariant((d) => {
        d.additionalVaults = [{ mode: 'existing', name: 'kv-platform' }];
        d.workloads[0].objects.push({ name: 'platform-key', type: 'secret', vault: 'kv-platform' });
        d.workloads[0].secretObjects = [
          { secretName: 'main', type: 'Opaque', data: [{ objectName: 'db-password', key: 'a' }] },
          { secretName: 'platform', type: 'Opaque', data: [{ objectName: 'platform-key', key: 'b' }] },
        ];
      }),
    ).workloads;
    expect(app.mainSecretObjects.map((x) => x.secretName)).toEqual(['main']);
    expect(app.additionalMounts[0].secretObjects.map((x) => x.secretName)).toEqual(['platform']);
  });
});
