/**
 * The two example environments, synthesized with validations on, asserted field by field.
 * Expected values are written out (not read back from the config) so a drift in the loader,
 * the model or the stack shows up here.
 */
import { tmpdir } from 'node:os';
import { OUTPUT_NAME, OutputsContractSchema, SharedSecretsOutputsSchema, WorkloadOutputsSchema } from '../../lib/outputs/contract';
import { WORKLOAD_IDENTITY_AUDIENCE } from '../../lib/azure';
import { addressOf, addressOfOnly, blocks, exampleModel, only, synthModel, type ExampleName, type Synthesized, type TfJson } from './support';

interface Expected {
  readonly location: string;
  readonly resourceGroup: string;
  readonly tags: Record<string, string>;
  readonly subscriptionId?: string;
  readonly cluster: { name: string; version: string; vmSize: string; nodeCount: number; rotationInterval: string; networkProfile: TfJson; identity: TfJson };
  /** The cluster's control-plane identity (a created cluster in a stated network). */
  readonly controlPlaneIdentity?: string;
  readonly vault: { name: string; sku: string; acls: { default_action: string; bypass: string; ip_rules: string[]; virtual_network_subnet_ids: string[] } };
  /** identity name → workloads (namespace:serviceAccount subjects) */
  readonly identities: Record<string, string[]>;
  /** identity name → [role, scope suffix ('' = vault)] */
  readonly roles: Record<string, [string, string][]>;
  readonly workloads: Record<string, { identityName: string; namespace: string; serviceAccount: string }>;
  readonly backend: TfJson;
}

// The engines example is asserted on its own (issue 16), below.
const EXPECTED: Record<Exclude<ExampleName, 'engines'>, Expected> = {
  dev: {
    location: 'westeurope',
    resourceGroup: 'rg-akscsi-dev',
    tags: { environment: 'dev', owner: 'platform-team' },
    cluster: {
      name: 'aks-akscsi-dev',
      version: '1.32',
      vmSize: 'Standard_D2s_v5',
      nodeCount: 2,
      rotationInterval: '30s',
      networkProfile: { network_plugin: 'azure', network_plugin_mode: 'overlay', network_policy: 'cilium', network_data_plane: 'cilium' },
      identity: { type: 'SystemAssigned' },
    },
    vault: {
      name: 'kv-akscsi-dev-example',
      sku: 'standard',
      acls: { default_action: 'Allow', bypass: 'AzureServices', ip_rules: [], virtual_network_subnet_ids: [] },
    },
    identities: { 'id-dev-demo-app': ['system:serviceaccount:demo:demo-app'] },
    roles: { 'id-dev-demo-app': [['Key Vault Secrets User', '']] },
    workloads: { 'demo-app': { identityName: 'id-dev-demo-app', namespace: 'demo', serviceAccount: 'demo-app' } },
    backend: { local: { path: '../../../terraform.dev.tfstate' } },
  },
  prod: {
    location: 'northeurope',
    resourceGroup: 'rg-akscsi-prod',
    tags: { environment: 'prod', owner: 'platform-team', 'cost-center': '4711' },
    subscriptionId: '00000000-0000-0000-0000-00000000cafe',
    cluster: {
      name: 'aks-akscsi-prod',
      version: '1.32',
      vmSize: 'Standard_D4s_v5',
      nodeCount: 3,
      rotationInterval: '2m',
      networkProfile: { network_plugin: 'azure', network_plugin_mode: 'overlay', network_policy: 'cilium', network_data_plane: 'cilium' },
      identity: { type: 'UserAssigned', identity_ids: ['${azurerm_user_assigned_identity.control_plane.id}'] },
    },
    controlPlaneIdentity: 'id-aks-akscsi-prod_control-plane',
    vault: {
      name: 'kv-akscsi-prod-example',
      sku: 'premium',
      acls: {
        default_action: 'Deny',
        bypass: 'AzureServices',
        ip_rules: ['203.0.113.0/24'],
        virtual_network_subnet_ids: [
          '/subscriptions/00000000-0000-0000-0000-00000000cafe/resourceGroups/rg-akscsi-prod-net/providers/Microsoft.Network/virtualNetworks/vnet-prod/subnets/aks-nodes',
        ],
      },
    },
    identities: {
      'id-prod-payments-api': ['system:serviceaccount:payments:payments-api'],
      'id-prod-web-frontend': ['system:serviceaccount:web:web-frontend'],
    },
    roles: {
      'id-prod-payments-api': [
        ['Key Vault Secrets User', '/secrets/payments-db-password'],
        ['Key Vault Secrets User', '/secrets/payments-stripe-key'],
        ['Key Vault Secrets User', '/secrets/rotation-canary'],
        // The platform's shared vault (additionalVaults, existing): only the one object payments-api reads.
        ['Key Vault Secrets User', 'data.azurerm_key_vault.kv-platform-shared:/secrets/platform-telemetry-key'],
      ],
      'id-prod-web-frontend': [
        ['Key Vault Certificate User', '/certificates/web-tls'],
        ['Key Vault Secrets User', '/secrets/web-tls'],
        ['Key Vault Secrets User', '/secrets/web-session-key'],
      ],
    },
    workloads: {
      'payments-api': { identityName: 'id-prod-payments-api', namespace: 'payments', serviceAccount: 'payments-api' },
      'web-frontend': { identityName: 'id-prod-web-frontend', namespace: 'web', serviceAccount: 'web-frontend' },
    },
    backend: {
      azurerm: {
        resource_group_name: 'rg-akscsi-tfstate',
        storage_account_name: 'stakscsitfstate',
        container_name: 'tfstate',
        key: 'prod.tfstate',
        environment: 'public',
        use_azuread_auth: true,
      },
    },
  },
};

const ref = (address: string, attribute: string) => `\${${address}.${attribute}}`;

/** Replaces the Terraform references of the output with values Azure would return. */
function resolveForTest(value: unknown, vaultName: string): unknown {
  if (typeof value === 'string') {
    const m = /^\$\{(.+)\}$/.exec(value);
    if (!m) return value;
    const expr = m[1];
    if (expr.endsWith('.tenant_id')) return '11111111-1111-1111-1111-111111111111';
    if (expr.endsWith('.client_id')) return '22222222-2222-2222-2222-222222222222';
    if (expr.endsWith('.vault_uri')) return `https://${vaultName}.vault.azure.net/`;
    if (expr.endsWith('.oidc_issuer_url'))
      return 'https://westeurope.oic.prod-aks.azure.com/33333333-3333-3333-3333-333333333333/44444444-4444-4444-4444-444444444444/';
    if (expr.endsWith('.name')) return vaultName;
    throw new Error(`unexpected reference in the output: ${value}`);
  }
  if (Array.isArray(value)) return value.map((v) => resolveForTest(v, vaultName));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveForTest(v, vaultName)]));
  }
  return value;
}

describe('example environment engines (issue 16)', () => {
  test('the output holds sharedSecrets: the shared identity by reference, its ServiceAccount and the namespace it is federated in', () => {
    const { json } = synthModel(exampleModel('engines'));
    const v = json.output[OUTPUT_NAME].value;
    // additionalVaults is optional: engines reads one vault.
    expect(Object.keys(v).sort()).toEqual(
      Object.keys(OutputsContractSchema.shape)
        .filter((k) => k !== 'additionalVaults')
        .sort(),
    );
    expect(Object.keys(v.sharedSecrets).sort()).toEqual(Object.keys(SharedSecretsOutputsSchema.shape).sort());
    expect(v.sharedSecrets).toEqual({
      clientId: ref(addressOf(json, 'azurerm_user_assigned_identity', 'id-engines-shared-secrets'), 'client_id'),
      identityName: 'id-engines-shared-secrets',
      serviceAccount: 'keyvault-shared-secrets',
      namespaces: ['keyvault-shared-secrets'],
    });
    expect(Object.keys(v.workloads).sort()).toEqual(['checkout', 'ledger', 'payouts']);
  });
});

describe.each(['dev', 'prod'] as const)('example environment %s', (name) => {
  const want = EXPECTED[name];
  let s: Synthesized;
  let json: TfJson;
  let clusterAddress: string;
  let vaultAddress: string;
  let rgAddress: string;

  beforeAll(() => {
    s = synthModel(exampleModel(name));
    json = s.json;
    clusterAddress = addressOfOnly(json, 'azurerm_kubernetes_cluster');
    vaultAddress = addressOfOnly(json, 'azurerm_key_vault');
    rgAddress = addressOfOnly(json, 'azurerm_resource_group');
  });

  test('Terraform addresses are pinned to names from the environment, not construct paths', () => {
    const addresses = Object.entries(json.resource as Record<string, Record<string, unknown>>)
      .flatMap(([type, byName]) => Object.keys(byName).map((n) => `${type}.${n}`))
      .sort();
    const workloads = Object.keys(want.workloads).sort();
    expect(clusterAddress).toBe('azurerm_kubernetes_cluster.this');
    expect(vaultAddress).toBe('azurerm_key_vault.this');
    expect(rgAddress).toBe('azurerm_resource_group.this');
    for (const w of workloads) {
      expect(addresses).toContain(`azurerm_user_assigned_identity.${w}`);
      expect(addresses).toContain(`azurerm_federated_identity_credential.${w}`);
      expect(addresses).toContain(`time_sleep.${w}`);
    }
    for (const a of addresses) expect(a).not.toMatch(/_[0-9A-F]{8}$/);
  });

  test('the stack is named after the environment', () => {
    expect(s.stack.node.id).toBe(name);
    expect(s.stack.environment).toBe(name);
  });

  test('azurerm provider: never purges soft-deleted vaults or objects on destroy, public cloud, subscription only when set', () => {
    const [provider, ...more] = json.provider.azurerm as TfJson[];
    expect(more).toHaveLength(0);
    expect(provider.features).toEqual([
      {
        key_vault: [
          {
            purge_soft_delete_on_destroy: false,
            purge_soft_deleted_certificates_on_destroy: false,
            purge_soft_deleted_keys_on_destroy: false,
            purge_soft_deleted_secrets_on_destroy: false,
            recover_soft_deleted_key_vaults: true,
          },
        ],
      },
    ]);
    expect(provider.environment).toBe('public');
    if (want.subscriptionId !== undefined) expect(provider.subscription_id).toBe(want.subscriptionId);
    else expect(provider).not.toHaveProperty('subscription_id');
    expect(json.provider.time).toEqual([{}]);
    expect(json.terraform.required_providers.azurerm.version).toBe('4.55.0');
    expect(json.terraform.required_providers.time.source).toBe('hashicorp/time');
  });

  test('resource group is created with location and tags', () => {
    expect(only(json, 'azurerm_resource_group')).toMatchObject({ name: want.resourceGroup, location: want.location, tags: want.tags });
    expect(blocks(json, 'azurerm_resource_group', true)).toHaveLength(0);
  });

  test('tenant comes from data azurerm_client_config', () => {
    expect(blocks(json, 'azurerm_client_config', true)).toHaveLength(1);
  });

  test('AKS cluster: OIDC issuer, Workload Identity, secrets-provider add-on with rotation', () => {
    const c = only(json, 'azurerm_kubernetes_cluster');
    expect(c.oidc_issuer_enabled).toBe(true);
    expect(c.workload_identity_enabled).toBe(true);
    expect(c.key_vault_secrets_provider).toEqual({ secret_rotation_enabled: true, secret_rotation_interval: want.cluster.rotationInterval });
  });

  test('AKS cluster: system pool, identity, network, version, dns prefix, RBAC, tags', () => {
    const c = only(json, 'azurerm_kubernetes_cluster');
    expect(c.name).toBe(want.cluster.name);
    expect(c.location).toBe(want.location);
    expect(c.resource_group_name).toBe(ref(rgAddress, 'name'));
    expect(c.default_node_pool).toMatchObject({ name: 'system', vm_size: want.cluster.vmSize, node_count: want.cluster.nodeCount });
    expect(c.identity).toEqual(want.cluster.identity);
    expect(c.network_profile).toEqual(want.cluster.networkProfile);
    expect(c.kubernetes_version).toBe(want.cluster.version);
    expect(c.dns_prefix).toBe(want.cluster.name);
    expect(c.role_based_access_control_enabled).toBe(true);
    expect(c.tags).toEqual(want.tags);
  });

  test('Key Vault: RBAC mode (new argument name), purge protection, retention, network ACLs', () => {
    const v = only(json, 'azurerm_key_vault');
    expect(v.name).toBe(want.vault.name);
    expect(v.rbac_authorization_enabled).toBe(true);
    expect(v).not.toHaveProperty('enable_rbac_authorization');
    expect(v.purge_protection_enabled).toBe(true);
    expect(v.soft_delete_retention_days).toBe(90);
    expect(v.public_network_access_enabled).toBe(true);
    expect(v.sku_name).toBe(want.vault.sku);
    expect(v.network_acls).toEqual(want.vault.acls);
    expect(v.tenant_id).toBe(ref(addressOfOnly(json, 'azurerm_client_config', true), 'tenant_id'));
    expect(v.tags).toEqual(want.tags);
  });

  test("one user-assigned identity per workload, named by the model (and the control plane's, with a stated network)", () => {
    const ids = blocks(json, 'azurerm_user_assigned_identity');
    expect(ids.map((i) => i.name).sort()).toEqual(
      [...Object.keys(want.identities), ...(want.controlPlaneIdentity !== undefined ? [want.controlPlaneIdentity] : [])].sort(),
    );
    for (const i of ids) {
      expect(i).toMatchObject({ location: want.location, resource_group_name: ref(rgAddress, 'name'), tags: want.tags });
    }
  });

  test('federated credentials: exact audience, issuer references the cluster, subject of the ServiceAccount', () => {
    const creds = blocks(json, 'azurerm_federated_identity_credential');
    const bySubject = Object.fromEntries(creds.map((c) => [c.subject, c]));
    for (const [identity, subjects] of Object.entries(want.identities)) {
      for (const subject of subjects) {
        const c = bySubject[subject];
        expect(c).toBeDefined();
        expect(c.audience).toEqual([WORKLOAD_IDENTITY_AUDIENCE]);
        expect(c.audience).toEqual(['api://AzureADTokenExchange']);
        expect(c.issuer).toBe(ref(clusterAddress, 'oidc_issuer_url'));
        expect(c.parent_id).toBe(ref(addressOf(json, 'azurerm_user_assigned_identity', identity), 'id'));
        expect(c.resource_group_name).toBe(ref(rgAddress, 'name'));
      }
    }
    expect(creds).toHaveLength(Object.values(want.identities).flat().length);
  });

  test('role assignments: least privilege by object type, principal_id (never client_id), ServicePrincipal', () => {
    // The control plane's Network Contributor on the node subnet is asserted in posture.test.ts.
    const assignments = blocks(json, 'azurerm_role_assignment').filter(
      (a) => a.principal_id !== '${azurerm_user_assigned_identity.control_plane.principal_id}',
    );
    const actual: Record<string, [string, string][]> = {};
    for (const a of assignments) {
      const identity = Object.keys(want.identities).find((n) => a.principal_id === ref(addressOf(json, 'azurerm_user_assigned_identity', n), 'principal_id'));
      expect(identity).toBeDefined();
      expect(a.principal_id).toMatch(/\.principal_id\}$/);
      expect(a.principal_id).not.toMatch(/client_id/);
      expect(a.principal_type).toBe('ServicePrincipal');
      const vaultId = ref(vaultAddress, 'id');
      // On the environment's vault: the path below it; on another vault (additionalVaults): `<its address>:<path>`.
      const other = /^\$\{(data\.azurerm_key_vault\.[^.]+|azurerm_key_vault\.[^.]+)\.id\}(.*)$/.exec(a.scope);
      expect(a.scope.startsWith(vaultId) || other !== null).toBe(true);
      const scope = a.scope.startsWith(vaultId) ? a.scope.slice(vaultId.length) : `${other![1]}:${other![2]}`;
      (actual[identity!] ??= []).push([a.role_definition_name, scope]);
    }
    const sorted = (r: Record<string, [string, string][]>) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, [...v].sort()]));
    expect(sorted(actual)).toEqual(sorted(want.roles));
    expect(assignments.map((a) => a.role_definition_name)).not.toContain('Key Vault Administrator');
  });

  test('a 30s time_sleep per identity waits for its role assignments and credentials', () => {
    const sleeps = Object.entries(json.resource.time_sleep as Record<string, TfJson>);
    expect(sleeps).toHaveLength(Object.keys(want.identities).length);
    for (const identity of Object.keys(want.identities)) {
      const identityAddress = addressOf(json, 'azurerm_user_assigned_identity', identity);
      const mine = (type: string, attr: string) =>
        Object.entries((json.resource[type] ?? {}) as Record<string, TfJson>)
          .filter(([, b]) => b[attr] === ref(identityAddress, attr === 'parent_id' ? 'id' : 'principal_id'))
          .map(([id]) => `${type}.${id}`);
      const expectedDeps = [...mine('azurerm_role_assignment', 'principal_id'), ...mine('azurerm_federated_identity_credential', 'parent_id')];
      const sleep = sleeps.find(([, b]) => expectedDeps.every((d) => (b.depends_on as string[]).includes(d)));
      expect(sleep).toBeDefined();
      expect(sleep![1].create_duration).toBe('30s');
      expect([...(sleep![1].depends_on as string[])].sort()).toEqual([...expectedDeps].sort());
    }
  });

  test('exactly one output, named by the contract, not sensitive, after the propagation waits', () => {
    expect(Object.keys(json.output)).toEqual([OUTPUT_NAME]);
    const out = json.output[OUTPUT_NAME];
    expect(out.sensitive).toBe(false);
    // Bare addresses: Terraform rejects an interpolation in depends_on.
    const sleeps = Object.keys(json.resource.time_sleep).map((id) => `time_sleep.${id}`);
    expect([...out.depends_on].sort()).toEqual(sleeps.sort());
  });

  test('the output value has exactly the OutputsContract shape and references, not literals', () => {
    const v = json.output[OUTPUT_NAME].value;
    // sharedSecrets and additionalVaults are optional: only an environment with shared secrets (the
    // engines example below) or other vaults (prod) has them.
    const optional = ['sharedSecrets', ...(name === 'prod' ? [] : ['additionalVaults'])];
    expect(Object.keys(v).sort()).toEqual(
      Object.keys(OutputsContractSchema.shape)
        .filter((k) => !optional.includes(k))
        .sort(),
    );
    expect(Object.keys(OutputsContractSchema.shape.keyVault.shape).sort()).toEqual(Object.keys(v.keyVault).sort());
    for (const w of Object.values<TfJson>(v.workloads)) {
      expect(Object.keys(w).sort()).toEqual(Object.keys(WorkloadOutputsSchema.shape).sort());
    }
    expect(v.contractVersion).toBe(1);
    expect(v.environment).toBe(name);
    expect(v.cloudName).toBe('AzurePublicCloud');
    expect(v.tenantId).toBe(ref(addressOfOnly(json, 'azurerm_client_config', true), 'tenant_id'));
    expect(v.oidcIssuerUrl).toBe(ref(clusterAddress, 'oidc_issuer_url'));
    expect(v.keyVault).toEqual({ name: ref(vaultAddress, 'name'), uri: ref(vaultAddress, 'vault_uri') });
    const workloads = Object.fromEntries(
      Object.entries(v.workloads as Record<string, TfJson>).map(([k, w]) => [
        k,
        { identityName: w.identityName, namespace: w.namespace, serviceAccount: w.serviceAccount },
      ]),
    );
    expect(workloads).toEqual(want.workloads);
    for (const w of Object.values<TfJson>(v.workloads)) {
      expect(w.clientId).toBe(ref(addressOf(json, 'azurerm_user_assigned_identity', w.identityName), 'client_id'));
    }
    expect(() => OutputsContractSchema.parse(resolveForTest(v, want.vault.name))).not.toThrow();
  });

  test('backend', () => {
    expect(json.terraform.backend).toEqual(want.backend);
  });

  test('no machine-specific paths in the synthesized JSON', () => {
    expect(s.raw).not.toContain(process.cwd());
    expect(s.raw).not.toContain(tmpdir());
  });
});
