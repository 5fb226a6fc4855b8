/**
 * The production posture as synthesized (azurerm 4.55 argument names): the cluster network and
 * the control plane's role on it, the vault's private endpoint and DNS zone, the hardened AKS
 * settings, the Log Analytics workspace with Container Insights and the vault's audit log.
 * environments/private.yaml has every option on; environments/prod.yaml uses existing subnets,
 * a public vault behind its firewall and an existing workspace.
 */
import { exampleConfig, exampleModel, only, blocks, synthConfig, synthModel, vaultGrants, CONTROL_PLANE_IDENTITY, type TfJson } from './support';
import { mainVaultOnly } from '../support/config';

const ref = (address: string, attribute: string) => `\${${address}.${attribute}}`;
const PROD_NODE_SUBNET =
  '/subscriptions/00000000-0000-0000-0000-00000000cafe/resourceGroups/rg-akscsi-prod-net/providers/Microsoft.Network/virtualNetworks/vnet-prod/subnets/aks-nodes';
const PROD_WORKSPACE =
  '/subscriptions/00000000-0000-0000-0000-0000000000b0/resourceGroups/rg-platform-monitoring/providers/Microsoft.OperationalInsights/workspaces/log-platform';
const HUB_ZONE =
  '/subscriptions/00000000-0000-0000-0000-0000000000b0/resourceGroups/rg-hub-dns/providers/Microsoft.Network/privateDnsZones/privatelink.vaultcore.azure.net';
const TENANT = ref('data.azurerm_client_config.current', 'tenant_id');

describe('environments/private.yaml: created VNet, private vault, every hardening option', () => {
  let json: TfJson;
  beforeAll(() => {
    json = synthModel(exampleModel('private')).json;
  });

  test("VNet and subnets: the file's ranges; no service endpoint (the vault is reached privately)", () => {
    expect(only(json, 'azurerm_virtual_network')).toMatchObject({
      name: 'vnet-aks-akscsi-private',
      address_space: ['10.224.0.0/16'],
      location: 'northeurope',
      resource_group_name: ref('azurerm_resource_group.this', 'name'),
    });
    const subnets = json.resource.azurerm_subnet as Record<string, TfJson>;
    expect(subnets.nodes).toEqual(
      expect.objectContaining({
        name: 'snet-aks-nodes',
        address_prefixes: ['10.224.0.0/20'],
        virtual_network_name: ref('azurerm_virtual_network.this', 'name'),
      }),
    );
    expect(subnets.nodes).not.toHaveProperty('service_endpoints');
    expect(subnets.private_endpoints).toEqual(expect.objectContaining({ name: 'snet-private-endpoints', address_prefixes: ['10.224.16.0/28'] }));
  });

  // https://learn.microsoft.com/azure/aks/use-managed-identity#add-role-assignment-for-control-plane-identity
  test('the control plane: a user-assigned identity with Network Contributor on the node subnet only, granted before the cluster', () => {
    const role = (json.resource.azurerm_role_assignment as Record<string, TfJson>).control_plane_node_subnet;
    expect(role).toMatchObject({
      role_definition_name: 'Network Contributor',
      scope: ref('azurerm_subnet.nodes', 'id'),
      principal_id: ref(CONTROL_PLANE_IDENTITY, 'principal_id'),
      principal_type: 'ServicePrincipal',
    });
    const c = only(json, 'azurerm_kubernetes_cluster');
    expect(c.identity).toEqual({ type: 'UserAssigned', identity_ids: [ref(CONTROL_PLANE_IDENTITY, 'id')] });
    expect(c.depends_on).toEqual(['azurerm_role_assignment.control_plane_node_subnet']);
    expect(c.default_node_pool).toMatchObject({ vnet_subnet_id: ref('azurerm_subnet.nodes', 'id'), zones: ['1', '2', '3'] });
  });

  test('AKS: Azure CNI Overlay with Cilium, Entra ID with Azure RBAC and admin groups, no local accounts', () => {
    const c = only(json, 'azurerm_kubernetes_cluster');
    expect(c.network_profile).toEqual({ network_plugin: 'azure', network_plugin_mode: 'overlay', network_policy: 'cilium', network_data_plane: 'cilium' });
    expect(c.azure_active_directory_role_based_access_control).toEqual({
      azure_rbac_enabled: true,
      admin_group_object_ids: ['00000000-0000-0000-0000-0000000ad001'],
      tenant_id: TENANT,
    });
    expect(c.local_account_disabled).toBe(true);
  });

  test('AKS: stable and SecurityPatch upgrade channels, Standard tier, private API server', () => {
    const c = only(json, 'azurerm_kubernetes_cluster');
    expect(c).toMatchObject({
      automatic_upgrade_channel: 'stable',
      node_os_upgrade_channel: 'SecurityPatch',
      sku_tier: 'Standard',
      private_cluster_enabled: true,
    });
    expect(c).not.toHaveProperty('api_server_access_profile');
  });

  test('Log Analytics: a PerGB2018 workspace; Container Insights (managed identity) and Defender report to it', () => {
    const workspace = ref('azurerm_log_analytics_workspace.this', 'id');
    expect(only(json, 'azurerm_log_analytics_workspace')).toMatchObject({ name: 'log-akscsi-private', sku: 'PerGB2018', retention_in_days: 90 });
    const c = only(json, 'azurerm_kubernetes_cluster');
    expect(c.oms_agent).toEqual({ log_analytics_workspace_id: workspace, msi_auth_for_monitoring_enabled: true });
    expect(c.microsoft_defender).toEqual({ log_analytics_workspace_id: workspace });
    const rule = only(json, 'azurerm_monitor_data_collection_rule');
    expect(rule.destinations.log_analytics).toEqual([{ name: 'workspace', workspace_resource_id: workspace }]);
    expect(rule.data_sources.extension[0]).toMatchObject({ extension_name: 'ContainerInsights', streams: ['Microsoft-ContainerInsights-Group-Default'] });
    expect(only(json, 'azurerm_monitor_data_collection_rule_association')).toMatchObject({
      target_resource_id: ref('azurerm_kubernetes_cluster.this', 'id'),
      data_collection_rule_id: ref('azurerm_monitor_data_collection_rule.container_insights', 'id'),
    });
  });

  test('the vault: public network access off', () => {
    expect(only(json, 'azurerm_key_vault').public_network_access_enabled).toBe(false);
  });

  // https://learn.microsoft.com/azure/private-link/private-endpoint-dns (Key Vault: sub-resource vault, zone privatelink.vaultcore.azure.net).
  test('private endpoint: sub-resource "vault" of the vault, in the private-endpoint subnet, registered in the zone', () => {
    const pe = only(json, 'azurerm_private_endpoint');
    expect(pe).toMatchObject({ name: 'pe-kv-akscsi-private-ex', subnet_id: ref('azurerm_subnet.private_endpoints', 'id'), location: 'northeurope' });
    expect(pe.private_service_connection).toEqual({
      name: 'psc-kv-akscsi-private-ex',
      private_connection_resource_id: ref('azurerm_key_vault.this', 'id'),
      subresource_names: ['vault'],
      is_manual_connection: false,
    });
    expect(pe.private_dns_zone_group).toEqual({ name: 'default', private_dns_zone_ids: [ref('azurerm_private_dns_zone.key_vault', 'id')] });
  });

  test('private DNS zone privatelink.vaultcore.azure.net, linked to the cluster VNet without auto-registration', () => {
    expect(only(json, 'azurerm_private_dns_zone').name).toBe('privatelink.vaultcore.azure.net');
    expect(only(json, 'azurerm_private_dns_zone_virtual_network_link')).toMatchObject({
      private_dns_zone_name: ref('azurerm_private_dns_zone.key_vault', 'name'),
      virtual_network_id: ref('azurerm_virtual_network.this', 'id'),
      registration_enabled: false,
    });
  });

  test('the output waits for the private endpoint and the zone link too', () => {
    const deps = json.output[Object.keys(json.output)[0]].depends_on as string[];
    expect(deps).toEqual(expect.arrayContaining(['azurerm_private_endpoint.key_vault', 'azurerm_private_dns_zone_virtual_network_link.key_vault']));
  });

  // https://learn.microsoft.com/azure/key-vault/general/logging
  test("the vault's AuditEvent log goes to the workspace", () => {
    expect(only(json, 'azurerm_monitor_diagnostic_setting')).toMatchObject({
      target_resource_id: ref('azurerm_key_vault.this', 'id'),
      log_analytics_workspace_id: ref('azurerm_log_analytics_workspace.this', 'id'),
      enabled_log: [{ category: 'AuditEvent' }],
    });
  });
});

describe('environments/prod.yaml: existing subnets, a public vault behind its firewall, an existing workspace', () => {
  let json: TfJson;
  beforeAll(() => {
    json = synthModel(exampleModel('prod')).json;
  });

  test('the node subnet is the existing one; the control plane gets Network Contributor on it', () => {
    expect(blocks(json, 'azurerm_virtual_network')).toHaveLength(0);
    expect(only(json, 'azurerm_kubernetes_cluster').default_node_pool.vnet_subnet_id).toBe(PROD_NODE_SUBNET);
    const grant = blocks(json, 'azurerm_role_assignment').filter((a) => a.role_definition_name === 'Network Contributor');
    expect(grant).toEqual([expect.objectContaining({ scope: PROD_NODE_SUBNET, principal_id: ref(CONTROL_PLANE_IDENTITY, 'principal_id') })]);
  });

  test('the firewall names the node subnet once, and a plan-time check wants its Microsoft.KeyVault service endpoint', () => {
    expect(only(json, 'azurerm_key_vault').network_acls.virtual_network_subnet_ids).toEqual([PROD_NODE_SUBNET]);
    const subnet = only(json, 'azurerm_subnet', true);
    expect(subnet).toMatchObject({ name: 'aks-nodes', virtual_network_name: 'vnet-prod', resource_group_name: 'rg-akscsi-prod-net' });
    expect(subnet.lifecycle.postcondition[0].condition).toBe('${contains(self.service_endpoints, "Microsoft.KeyVault")}');
  });

  test('AKS: authorized API server ranges, Entra admin group, no local accounts, patch and NodeImage channels, Standard tier', () => {
    const c = only(json, 'azurerm_kubernetes_cluster');
    expect(c.api_server_access_profile).toEqual({ authorized_ip_ranges: ['203.0.113.0/24'] });
    expect(c.azure_active_directory_role_based_access_control).toEqual({
      azure_rbac_enabled: true,
      admin_group_object_ids: ['00000000-0000-0000-0000-0000000ad002'],
      tenant_id: TENANT,
    });
    expect(c).toMatchObject({ local_account_disabled: true, automatic_upgrade_channel: 'patch', node_os_upgrade_channel: 'NodeImage', sku_tier: 'Standard' });
    expect(c).not.toHaveProperty('private_cluster_enabled');
  });

  test('Container Insights and the audit log go to the existing workspace; no workspace is created', () => {
    expect(blocks(json, 'azurerm_log_analytics_workspace')).toHaveLength(0);
    expect(only(json, 'azurerm_kubernetes_cluster').oms_agent).toEqual({ log_analytics_workspace_id: PROD_WORKSPACE, msi_auth_for_monitoring_enabled: true });
    expect(only(json, 'azurerm_monitor_diagnostic_setting').log_analytics_workspace_id).toBe(PROD_WORKSPACE);
  });
});

describe('cluster.preventDestroy: a plan that would delete or replace the cluster fails (Terraform lifecycle.prevent_destroy)', () => {
  test('on by default: the created cluster carries lifecycle.prevent_destroy', () => {
    for (const env of ['dev', 'prod', 'private']) {
      expect({ env, lifecycle: only(synthModel(exampleModel(env)).json, 'azurerm_kubernetes_cluster').lifecycle }).toEqual({
        env,
        lifecycle: { prevent_destroy: true },
      });
    }
  });

  test('false: no lifecycle block, so the environment can be torn down', () => {
    const dev = exampleConfig('dev');
    if (dev.cluster.mode !== 'create') throw new Error('dev creates its cluster');
    const json = synthConfig({ ...dev, cluster: { ...dev.cluster, preventDestroy: false } }).json;
    expect(only(json, 'azurerm_kubernetes_cluster')).not.toHaveProperty('lifecycle');
  });
});

describe('variants', () => {
  test('a created VNet with a public vault that denies by default: the node subnet gets the service endpoint and the firewall names it', () => {
    const dev = exampleConfig('dev');
    if (dev.cluster.mode !== 'create' || dev.keyVault.mode !== 'create') throw new Error('dev creates its cluster and vault');
    const json = synthConfig({
      ...dev,
      cluster: {
        ...dev.cluster,
        network: { mode: 'create', addressSpace: '10.224.0.0/16', nodeSubnet: '10.224.0.0/20', privateEndpointSubnet: '10.224.16.0/28' },
      },
      keyVault: { ...dev.keyVault, networkAcls: { ...dev.keyVault.networkAcls, defaultAction: 'Deny' } },
    }).json;
    expect((json.resource.azurerm_subnet as Record<string, TfJson>).nodes.service_endpoints).toEqual(['Microsoft.KeyVault']);
    expect(only(json, 'azurerm_key_vault').network_acls.virtual_network_subnet_ids).toEqual([ref('azurerm_subnet.nodes', 'id')]);
    expect(blocks(json, 'azurerm_private_endpoint')).toHaveLength(0);
  });

  test("an existing hub zone in another subscription: no zone created; the link goes through that subscription's provider", () => {
    const priv = exampleModel('private').config;
    if (priv.keyVault.mode !== 'create') throw new Error('private creates its vault');
    const json = synthConfig({
      ...priv,
      keyVault: { ...priv.keyVault, privateEndpoint: { dnsZone: { mode: 'existing', id: HUB_ZONE, linkVirtualNetwork: true } } },
    }).json;
    expect(blocks(json, 'azurerm_private_dns_zone')).toHaveLength(0);
    expect(only(json, 'azurerm_private_endpoint').private_dns_zone_group.private_dns_zone_ids).toEqual([HUB_ZONE]);
    const alias = 'subscription_00000000_0000_0000_0000_0000000000b0';
    expect(only(json, 'azurerm_private_dns_zone_virtual_network_link')).toMatchObject({
      resource_group_name: 'rg-hub-dns',
      private_dns_zone_name: 'privatelink.vaultcore.azure.net',
      provider: `azurerm.${alias}`,
    });
    expect((json.provider.azurerm as TfJson[]).map((p) => p.alias)).toEqual([undefined, alias]);
  });

  test("an existing vault in another subscription: read, and granted on, through that subscription's provider", () => {
    const prod = mainVaultOnly(exampleConfig('prod'));
    const json = synthConfig({
      ...prod,
      keyVault: { mode: 'existing', name: 'kv-platform', resourceGroup: 'rg-platform', subscriptionId: '00000000-0000-0000-0000-0000000000c0' },
    }).json;
    const provider = 'azurerm.subscription_00000000_0000_0000_0000_0000000000c0';
    expect(only(json, 'azurerm_key_vault', true).provider).toBe(provider);
    const grants = vaultGrants(json);
    expect(grants.length).toBeGreaterThan(0);
    for (const g of grants) expect(g.provider).toBe(provider);
  });

  test('relaxed with reasons: local accounts on, no upgrade channel, no network policy engine', () => {
    const dev = exampleConfig('dev');
    if (dev.cluster.mode !== 'create') throw new Error('dev creates its cluster');
    const reason = 'a lab cluster, rebuilt every week';
    const c = only(
      synthConfig({
        ...dev,
        cluster: {
          ...dev.cluster,
          localAccounts: { enabled: true, reason },
          upgrades: { automatic: 'none', nodeOs: 'None', reason },
          networkPolicy: { engine: 'none', reason },
        },
      }).json,
      'azurerm_kubernetes_cluster',
    );
    expect(c.local_account_disabled).toBe(false);
    // azurerm takes no "none": the channel is left out.
    expect(c).not.toHaveProperty('automatic_upgrade_channel');
    expect(c.node_os_upgrade_channel).toBe('None');
    expect(c.network_profile).toEqual({ network_plugin: 'azure', network_plugin_mode: 'overlay' });
  });
});
