/**
 * Variants of the examples built in code (spread the loaded config, change one field), and the
 * schema's documented defaults checked against synthesized output.
 */
import { parseEnvironment } from '../../lib/config/load';
import type { EnvironmentConfig, WorkloadConfig } from '../../lib/config/schema';
import { OUTPUT_NAME } from '../../lib/outputs/contract';
import { load, mainVaultOnly, minimalVariant } from '../support/config';
import { addressOf, addressOfOnly, blocks, exampleConfig, only, synthConfig, vaultGrants, workloadIdentities, type TfJson } from './support';

const ref = (address: string, attribute: string) => `\${${address}.${attribute}}`;

describe('schema defaults, as synthesized (minimal environment file)', () => {
  const MINIMAL = [
    'azure:',
    '  location: westeurope',
    '  resourceGroup:',
    '    name: rg-min',
    'cluster:',
    '  name: aks-min',
    'keyVault:',
    '  name: kv-min-example',
    'workloads:',
    '  - name: app',
    '    namespace: apps',
    '    objects:',
    '      - name: db-password',
    '        type: secret',
    '    deployment:',
    '      image: example.azurecr.io/app:1.0.0',
  ].join('\n');
  let json: TfJson;
  beforeAll(() => {
    json = synthConfig(parseEnvironment(MINIMAL, 'environments/min.yaml'), 'min').json;
  });

  test('secrets-provider rotation: on, every 2m', () => {
    expect(only(json, 'azurerm_kubernetes_cluster').key_vault_secrets_provider).toEqual({ secret_rotation_enabled: true, secret_rotation_interval: '2m' });
  });
  test('OIDC issuer and Workload Identity on', () => {
    expect(only(json, 'azurerm_kubernetes_cluster')).toMatchObject({ oidc_issuer_enabled: true, workload_identity_enabled: true });
  });
  test('system pool: 2 x Standard_D2s_v5; Azure CNI Overlay with Cilium; dns prefix = cluster name; no pinned version', () => {
    const c = only(json, 'azurerm_kubernetes_cluster');
    expect(c.default_node_pool).toMatchObject({ name: 'system', vm_size: 'Standard_D2s_v5', node_count: 2 });
    expect(c.network_profile).toEqual({ network_plugin: 'azure', network_plugin_mode: 'overlay', network_policy: 'cilium', network_data_plane: 'cilium' });
    expect(c.dns_prefix).toBe('aks-min');
    expect(c).not.toHaveProperty('kubernetes_version');
  });
  test('vault: standard sku, purge protection on, 90 days retention, public access on, ACL Allow/AzureServices, RBAC', () => {
    expect(only(json, 'azurerm_key_vault')).toMatchObject({
      sku_name: 'standard',
      purge_protection_enabled: true,
      soft_delete_retention_days: 90,
      public_network_access_enabled: true,
      rbac_authorization_enabled: true,
      network_acls: { default_action: 'Allow', bypass: 'AzureServices', ip_rules: [], virtual_network_subnet_ids: [] },
    });
  });
  test('resource group created; tags empty; public cloud; no subscription pinned', () => {
    expect(only(json, 'azurerm_resource_group')).toMatchObject({ name: 'rg-min', location: 'westeurope', tags: {} });
    expect(json.provider.azurerm[0].environment).toBe('public');
    expect(json.provider.azurerm[0]).not.toHaveProperty('subscription_id');
  });
  test('identity per workload, least privilege at vault scope, ServiceAccount = workload name, 30s wait', () => {
    expect(workloadIdentities(json).map((i) => i.name)).toEqual(['id-min-app']);
    const vault = ref(addressOfOnly(json, 'azurerm_key_vault'), 'id');
    expect(vaultGrants(json).map((a) => [a.role_definition_name, a.scope])).toEqual([['Key Vault Secrets User', vault]]);
    expect(only(json, 'azurerm_federated_identity_credential').subject).toBe('system:serviceaccount:apps:app');
    expect(only(json, 'time_sleep').create_duration).toBe('30s');
  });
  test('local state file terraform.<env>.tfstate in the project root, by a relative path', () => {
    expect(json.terraform.backend).toEqual({ local: { path: '../../../terraform.min.tfstate' } });
  });
});

/** The prod example with a third workload in its own namespace. */
function prodWithThreeWorkloads(): EnvironmentConfig {
  const prod = exampleConfig('prod');
  const extra: WorkloadConfig = { ...prod.workloads[1], name: 'reports', namespace: 'reports', serviceAccount: 'reports', secretObjects: [] };
  return { ...prod, workloads: [...prod.workloads, extra] };
}

describe('identity.mode shared', () => {
  let json: TfJson;
  beforeAll(() => {
    const base = prodWithThreeWorkloads();
    json = synthConfig({ ...base, identity: { ...base.identity, mode: 'shared' } }).json;
  });

  test('one identity, one credential per ServiceAccount', () => {
    expect(workloadIdentities(json).map((i) => i.name)).toEqual(['id-variant-shared']);
    expect(
      blocks(json, 'azurerm_federated_identity_credential')
        .map((c) => c.subject)
        .sort(),
    ).toEqual(['system:serviceaccount:payments:payments-api', 'system:serviceaccount:reports:reports', 'system:serviceaccount:web:web-frontend']);
  });

  test('credentials are serialized: each depends on the one before, the first on none', () => {
    const address = (subject: string) => {
      const [id] = Object.entries(json.resource.azurerm_federated_identity_credential as Record<string, TfJson>).find(([, c]) => c.subject === subject)!;
      return `azurerm_federated_identity_credential.${id}`;
    };
    const creds = json.resource.azurerm_federated_identity_credential as Record<string, TfJson>;
    const get = (subject: string) => creds[address(subject).split('.')[1]];
    const first = get('system:serviceaccount:payments:payments-api');
    const second = get('system:serviceaccount:web:web-frontend');
    const third = get('system:serviceaccount:reports:reports');
    expect(first).not.toHaveProperty('depends_on');
    expect(second.depends_on).toEqual([address('system:serviceaccount:payments:payments-api')]);
    expect(third.depends_on).toEqual([address('system:serviceaccount:web:web-frontend')]);
  });

  test('every workload in the output gets the shared client id', () => {
    const clientId = ref(addressOf(json, 'azurerm_user_assigned_identity', 'id-variant-shared'), 'client_id');
    const workloads = json.output[OUTPUT_NAME].value.workloads as Record<string, TfJson>;
    expect(Object.keys(workloads).sort()).toEqual(['payments-api', 'reports', 'web-frontend']);
    for (const w of Object.values(workloads)) expect(w).toMatchObject({ clientId, identityName: 'id-variant-shared' });
  });

  test('one wait after all grants and credentials of the identity', () => {
    const sleep = only(json, 'time_sleep');
    const n = vaultGrants(json).length + blocks(json, 'azurerm_federated_identity_credential').length;
    expect(sleep.depends_on).toHaveLength(n);
  });
});

describe('identity.mode shared over the federated-credential limit (split in workload order)', () => {
  let json: TfJson;
  beforeAll(() => {
    const base = exampleConfig('prod');
    const template = base.workloads[0];
    const workloads: WorkloadConfig[] = Array.from({ length: 41 }, (_, i) => ({
      ...template,
      name: `svc-${i + 1}`,
      namespace: 'team',
      serviceAccount: `svc-${i + 1}`,
      objects: [{ ...template.objects[0], name: `svc-${i + 1}-secret`, alias: 'secret' }],
    }));
    json = synthConfig({ ...base, identity: { ...base.identity, mode: 'shared' }, workloads }).json;
  });

  const identityOf = (credential: TfJson) => String(credential.parent_id).replace(/^\$\{(.*)\.id\}$/, '$1');

  test('three identities, at pinned addresses, holding 20, 20 and 1 credentials', () => {
    expect(workloadIdentities(json).map((i) => i.name)).toEqual(['id-variant-shared', 'id-variant-shared-2', 'id-variant-shared-3']);
    // Besides the control plane's identity (prod states cluster.network).
    expect(Object.keys(json.resource.azurerm_user_assigned_identity as object)).toEqual(['control_plane', 'shared', 'shared-2', 'shared-3']);
    const perIdentity = new Map<string, number>();
    for (const c of blocks(json, 'azurerm_federated_identity_credential')) perIdentity.set(identityOf(c), (perIdentity.get(identityOf(c)) ?? 0) + 1);
    expect(Object.fromEntries(perIdentity)).toEqual({
      'azurerm_user_assigned_identity.shared': 20,
      'azurerm_user_assigned_identity.shared-2': 20,
      'azurerm_user_assigned_identity.shared-3': 1,
    });
  });

  test('each identity serializes its own credentials only', () => {
    const creds = json.resource.azurerm_federated_identity_credential as Record<string, TfJson>;
    const first = creds['svc-21'];
    expect(identityOf(first)).toBe('azurerm_user_assigned_identity.shared-2');
    expect(first).not.toHaveProperty('depends_on');
    expect(creds['svc-22'].depends_on).toEqual(['azurerm_federated_identity_credential.svc-21']);
  });

  test('every identity gets the same role grants', () => {
    const grants = new Map<string, string[]>();
    for (const a of vaultGrants(json)) {
      const principal = String(a.principal_id);
      grants.set(principal, [...(grants.get(principal) ?? []), `${String(a.role_definition_name)} ${String(a.scope).replace(/^\$\{[^}]*\}/, '')}`]);
    }
    const sets = [...grants.values()].map((g) => g.sort());
    expect(sets).toHaveLength(3);
    expect(sets[0]).toHaveLength(41);
    expect(sets[1]).toEqual(sets[0]);
    expect(sets[2]).toEqual(sets[0]);
  });

  test("each workload's output carries its own identity's client id and name", () => {
    const workloads = json.output[OUTPUT_NAME].value.workloads as Record<string, TfJson>;
    expect(workloads['svc-20']).toMatchObject({ clientId: ref('azurerm_user_assigned_identity.shared', 'client_id'), identityName: 'id-variant-shared' });
    expect(workloads['svc-21']).toMatchObject({ clientId: ref('azurerm_user_assigned_identity.shared-2', 'client_id'), identityName: 'id-variant-shared-2' });
    expect(workloads['svc-41']).toMatchObject({ clientId: ref('azurerm_user_assigned_identity.shared-3', 'client_id'), identityName: 'id-variant-shared-3' });
  });
});

describe('role grants', () => {
  test('identity.role administrator: only Key Vault Administrator, at vault scope, per identity', () => {
    const prod = exampleConfig('prod');
    const json = synthConfig({ ...prod, identity: { ...prod.identity, role: 'administrator' } }).json;
    const vault = ref(addressOfOnly(json, 'azurerm_key_vault'), 'id');
    const platform = ref('data.azurerm_key_vault.kv-platform-shared', 'id');
    const grants = vaultGrants(json).map((a) => [a.role_definition_name, a.scope]);
    // payments-api reads prod's platform vault too (additionalVaults): Administrator there as well, web-frontend not.
    expect(grants).toEqual([
      ['Key Vault Administrator', vault],
      ['Key Vault Administrator', platform],
      ['Key Vault Administrator', vault],
    ]);
  });

  test('roleScope vault: one grant per needed role at the vault (Secrets User, Certificate User), no object scopes', () => {
    const prod = exampleConfig('prod');
    const json = synthConfig({ ...prod, identity: { ...prod.identity, roleScope: 'vault' } }).json;
    const vault = ref(addressOfOnly(json, 'azurerm_key_vault'), 'id');
    const byIdentity = (name: string) =>
      vaultGrants(json)
        .filter((a) => a.principal_id === ref(addressOf(json, 'azurerm_user_assigned_identity', name), 'principal_id'))
        .map((a) => [a.role_definition_name, a.scope])
        .sort();
    // And on prod's platform vault (additionalVaults), which payments-api alone reads.
    expect(byIdentity('id-variant-payments-api')).toEqual([
      ['Key Vault Secrets User', vault],
      ['Key Vault Secrets User', ref('data.azurerm_key_vault.kv-platform-shared', 'id')],
    ]);
    expect(byIdentity('id-variant-web-frontend')).toEqual([
      ['Key Vault Certificate User', vault],
      ['Key Vault Secrets User', vault],
    ]);
  });

  test('a key object gets Key Vault Certificate User scoped to <vault>/keys/<name>', () => {
    const prod = exampleConfig('prod');
    const payments = prod.workloads[0];
    const withKey: WorkloadConfig = { ...payments, objects: [{ name: 'signing-key', type: 'key' }] };
    const json = synthConfig({ ...prod, workloads: [withKey] }).json;
    const vault = ref(addressOfOnly(json, 'azurerm_key_vault'), 'id');
    expect(vaultGrants(json).map((a) => [a.role_definition_name, a.scope])).toEqual([['Key Vault Certificate User', `${vault}/keys/signing-key`]]);
  });
});

describe('propagationWait "0s"', () => {
  test('no time_sleep; the output waits for the grants and credentials instead', () => {
    const dev = exampleConfig('dev');
    const json = synthConfig({ ...dev, identity: { ...dev.identity, propagationWait: '0s' } }).json;
    expect(json.resource.time_sleep).toBeUndefined();
    const deps = [
      ...Object.keys(json.resource.azurerm_role_assignment).map((id) => `azurerm_role_assignment.${id}`),
      ...Object.keys(json.resource.azurerm_federated_identity_credential).map((id) => `azurerm_federated_identity_credential.${id}`),
    ];
    expect([...json.output[OUTPUT_NAME].depends_on].sort()).toEqual(deps.sort());
  });

  test('another duration is passed through as create_duration', () => {
    const dev = exampleConfig('dev');
    const json = synthConfig({ ...dev, identity: { ...dev.identity, propagationWait: '90s' } }).json;
    expect(only(json, 'time_sleep').create_duration).toBe('90s');
  });
});

describe('existing cluster', () => {
  const existing = (rotation: boolean, resourceGroup?: string): EnvironmentConfig => {
    const dev = exampleConfig('dev');
    return {
      ...dev,
      cluster: {
        mode: 'existing',
        name: 'aks-shared',
        secretsProvider: { rotation: { enabled: rotation, interval: '2m' } },
        oidcIssuer: true,
        workloadIdentity: true,
        ...(resourceGroup !== undefined ? { resourceGroup } : {}),
      },
    };
  };
  let json: TfJson;
  beforeAll(() => {
    json = synthConfig(existing(true, 'rg-platform')).json;
  });

  test('is read with a data source, not created', () => {
    expect(blocks(json, 'azurerm_kubernetes_cluster')).toHaveLength(0);
    expect(only(json, 'azurerm_kubernetes_cluster', true)).toMatchObject({ name: 'aks-shared', resource_group_name: 'rg-platform' });
  });

  test('postconditions fail the plan without OIDC issuer, add-on or rotation', () => {
    const conditions = only(json, 'azurerm_kubernetes_cluster', true).lifecycle.postcondition as TfJson[];
    expect(conditions.map((c) => c.condition)).toEqual([
      '${self.oidc_issuer_enabled && self.oidc_issuer_url != ""}',
      '${length(self.key_vault_secrets_provider) > 0}',
      '${try(self.key_vault_secrets_provider[0].secret_rotation_enabled, false)}',
    ]);
    expect(conditions[0].error_message).toContain('has no OIDC issuer');
    expect(conditions[0].error_message).toContain('az aks update -g rg-platform -n aks-shared --enable-oidc-issuer --enable-workload-identity');
    expect(conditions[1].error_message).toContain('--addons azure-keyvault-secrets-provider');
    expect(conditions[2].error_message).toContain('--enable-secret-rotation --rotation-poll-interval 2m');
  });

  test('issuer of credentials and output reference the data source', () => {
    const issuer = ref(addressOfOnly(json, 'azurerm_kubernetes_cluster', true), 'oidc_issuer_url');
    expect(only(json, 'azurerm_federated_identity_credential').issuer).toBe(issuer);
    expect(json.output[OUTPUT_NAME].value.oidcIssuerUrl).toBe(issuer);
  });

  test('without rotation in the file there is no rotation postcondition; the resource group defaults to the environment group', () => {
    const other = synthConfig(existing(false)).json;
    const ds = only(other, 'azurerm_kubernetes_cluster', true);
    expect(ds.lifecycle.postcondition).toHaveLength(2);
    expect(ds.resource_group_name).toBe(ref(addressOfOnly(other, 'azurerm_resource_group'), 'name'));
  });
});

describe('existing Key Vault', () => {
  let json: TfJson;
  beforeAll(() => {
    const prod = mainVaultOnly(exampleConfig('prod'));
    json = synthConfig({ ...prod, keyVault: { mode: 'existing', name: 'kv-platform', resourceGroup: 'rg-platform' } }).json;
  });

  test('is read with a data source that must be in RBAC mode', () => {
    expect(blocks(json, 'azurerm_key_vault')).toHaveLength(0);
    const ds = only(json, 'azurerm_key_vault', true);
    expect(ds).toMatchObject({ name: 'kv-platform', resource_group_name: 'rg-platform' });
    expect(ds.lifecycle.postcondition).toEqual([
      expect.objectContaining({ condition: '${self.rbac_authorization_enabled}', error_message: expect.stringContaining('--enable-rbac-authorization true') }),
    ]);
  });

  test('role scopes and the output reference the data source', () => {
    const vault = addressOfOnly(json, 'azurerm_key_vault', true);
    for (const a of vaultGrants(json)) expect(a.scope.startsWith(ref(vault, 'id'))).toBe(true);
    expect(json.output[OUTPUT_NAME].value.keyVault).toEqual({ name: ref(vault, 'name'), uri: ref(vault, 'vault_uri') });
  });
});

test('existing resource group: data source, and resources use its name', () => {
  const dev = exampleConfig('dev');
  const json = synthConfig({ ...dev, azure: { ...dev.azure, resourceGroup: { name: 'rg-given', create: false } } }).json;
  expect(blocks(json, 'azurerm_resource_group')).toHaveLength(0);
  const rg = addressOfOnly(json, 'azurerm_resource_group', true);
  expect(only(json, 'azurerm_resource_group', true).name).toBe('rg-given');
  expect(only(json, 'azurerm_kubernetes_cluster').resource_group_name).toBe(ref(rg, 'name'));
  expect(only(json, 'azurerm_key_vault').resource_group_name).toBe(ref(rg, 'name'));
  expect(only(json, 'azurerm_user_assigned_identity').resource_group_name).toBe(ref(rg, 'name'));
});

describe('backends', () => {
  test('local backend with a relative state.path', () => {
    const dev = exampleConfig('dev');
    const json = synthConfig({ ...dev, state: { backend: 'local', path: 'state/dev.tfstate' } }).json;
    expect(json.terraform.backend).toEqual({ local: { path: '../../../state/dev.tfstate' } });
  });

  test('azurerm backend: key defaults to <env>.tfstate, Azure AD auth', () => {
    const dev = exampleConfig('dev');
    const json = synthConfig({ ...dev, state: { backend: 'azurerm', resourceGroup: 'rg-tf', storageAccount: 'sttf', container: 'tfstate' } }, 'staging').json;
    expect(json.terraform.backend).toEqual({
      azurerm: {
        resource_group_name: 'rg-tf',
        storage_account_name: 'sttf',
        container_name: 'tfstate',
        key: 'staging.tfstate',
        environment: 'public',
        use_azuread_auth: true,
      },
    });
  });
});

test('sovereign cloud: provider and backend environment, CSI cloudName in the output', () => {
  const prod = exampleConfig('prod');
  const json = synthConfig({ ...prod, azure: { ...prod.azure, cloud: 'usgovernment' } }).json;
  expect(json.provider.azurerm[0].environment).toBe('usgovernment');
  expect(json.terraform.backend.azurerm.environment).toBe('usgovernment');
  expect(json.output[OUTPUT_NAME].value.cloudName).toBe('AzureUSGovernmentCloud');
});

test('cluster variants: rotation off, dns prefix, kubenet with Calico, no version', () => {
  const dev = exampleConfig('dev');
  if (dev.cluster.mode !== 'create') throw new Error('dev example creates its cluster');
  const { kubernetesVersion: _omit, ...rest } = dev.cluster;
  void _omit;
  const cluster = {
    ...rest,
    dnsPrefix: 'akscsi',
    networkPlugin: 'kubenet' as const,
    networkPolicy: { engine: 'calico' as const },
    secretsProvider: { rotation: { enabled: false, interval: '2m' } },
  };
  const c = only(synthConfig({ ...dev, cluster }).json, 'azurerm_kubernetes_cluster');
  expect(c.key_vault_secrets_provider).toEqual({ secret_rotation_enabled: false, secret_rotation_interval: '2m' });
  expect(c.dns_prefix).toBe('akscsi');
  expect(c.network_profile).toEqual({ network_plugin: 'kubenet', network_policy: 'calico' });
  expect(c).not.toHaveProperty('kubernetes_version');
});

test('tag keys and values are written as literal text: Terraform template syntax is escaped, never evaluated', () => {
  const dev = exampleConfig('dev');
  const tags = { owner: '${file("/etc/hostname")}', '%{ if true }x%{ endif }': 'plain' };
  const json = synthConfig({ ...dev, azure: { ...dev.azure, tags } }).json;
  const escaped = { owner: '$${file("/etc/hostname")}', '%%{ if true }x%%{ endif }': 'plain' };
  for (const type of ['azurerm_resource_group', 'azurerm_kubernetes_cluster', 'azurerm_key_vault', 'azurerm_user_assigned_identity']) {
    expect(only(json, type).tags).toEqual(escaped);
  }
});

describe('several vaults (additionalVaults)', () => {
  const NODE_SUBNET =
    '/subscriptions/00000000-0000-0000-0000-00000000cafe/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet-a/subnets/aks-nodes';
  let json: TfJson;
  beforeAll(() => {
    const config = load(
      minimalVariant((d) => {
        d.cluster.network = { mode: 'existing', nodeSubnetId: NODE_SUBNET };
        d.identity = { roleScope: 'object' };
        d.logAnalytics = { mode: 'create', name: 'log-app' };
        d.additionalVaults = [
          { name: 'kv-extra', networkAcls: { defaultAction: 'Deny' } },
          { mode: 'existing', name: 'kv-platform', resourceGroup: 'rg-platform', subscriptionId: '00000000-0000-0000-0000-0000000000c1' },
        ];
        d.workloads[0].objects.push({ name: 'extra-cert', type: 'cert', vault: 'kv-extra' }, { name: 'platform-key', type: 'secret', vault: 'kv-platform' });
        d.workloads.push({ name: 'other', namespace: 'others', objects: [{ name: 'other-key', type: 'secret' }], deployment: { image: 'x:1' } });
      }),
    );
    json = synthConfig(config).json;
  });
  const ref = (address: string, attribute: string) => `\${${address}.${attribute}}`;

  test("a created one has the environment vault's posture at an address of its own; the environment's stays azurerm_key_vault.this", () => {
    expect(Object.keys(json.resource.azurerm_key_vault).sort()).toEqual(['kv-extra', 'this']);
    expect(json.resource.azurerm_key_vault['kv-extra']).toMatchObject({
      name: 'kv-extra',
      rbac_authorization_enabled: true,
      purge_protection_enabled: true,
      soft_delete_retention_days: 90,
      public_network_access_enabled: true,
      // The node subnet is let through a Deny firewall, as for the environment's vault (lib/network-model.ts).
      network_acls: { default_action: 'Deny', bypass: 'AzureServices', virtual_network_subnet_ids: [NODE_SUBNET] },
    });
    expect(json.resource.azurerm_monitor_diagnostic_setting['key_vault_audit_kv-extra']).toMatchObject({
      target_resource_id: ref('azurerm_key_vault.kv-extra', 'id'),
    });
  });

  test('an existing one is read (RBAC mode checked at plan time) through the provider of its subscription', () => {
    expect(json.data.azurerm_key_vault['kv-platform']).toMatchObject({
      name: 'kv-platform',
      resource_group_name: 'rg-platform',
      provider: 'azurerm.subscription_00000000_0000_0000_0000_0000000000c1',
      lifecycle: { postcondition: [expect.objectContaining({ condition: '${self.rbac_authorization_enabled}' })] },
    });
  });

  test('role assignments per vault and object type, on the vaults each identity reads only', () => {
    const grants = (identity: string) =>
      vaultGrants(json)
        .filter((a) => a.principal_id === ref(addressOf(json, 'azurerm_user_assigned_identity', identity), 'principal_id'))
        .map((a) => [a.role_definition_name, a.scope, a.provider])
        .sort();
    expect(grants('id-variant-app')).toEqual([
      ['Key Vault Certificate User', `${ref('azurerm_key_vault.kv-extra', 'id')}/certificates/extra-cert`, undefined],
      ['Key Vault Secrets User', `${ref('azurerm_key_vault.this', 'id')}/secrets/db-password`, undefined],
      [
        'Key Vault Secrets User',
        `${ref('data.azurerm_key_vault.kv-platform', 'id')}/secrets/platform-key`,
        'azurerm.subscription_00000000_0000_0000_0000_0000000000c1',
      ],
    ]);
    expect(grants('id-variant-other')).toEqual([['Key Vault Secrets User', `${ref('azurerm_key_vault.this', 'id')}/secrets/other-key`, undefined]]);
    expect(Object.keys(json.resource.azurerm_role_assignment)).toEqual(
      expect.arrayContaining(['app_kv-extra_cert-extra-cert', 'app_kv-platform_secret-platform-key', 'app_secret-db-password']),
    );
  });

  test('the outputs contract lists them, in file order, by reference', () => {
    expect(json.output[OUTPUT_NAME].value.additionalVaults).toEqual([
      { name: ref('azurerm_key_vault.kv-extra', 'name'), uri: ref('azurerm_key_vault.kv-extra', 'vault_uri') },
      { name: ref('data.azurerm_key_vault.kv-platform', 'name'), uri: ref('data.azurerm_key_vault.kv-platform', 'vault_uri') },
    ]);
  });
});
