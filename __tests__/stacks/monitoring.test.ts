/**
 * The Terraform side of `monitoring` (issue 15): managed Prometheus (workspace, collection
 * endpoint and rule, associations, the alerts' rule group) and the Key Vault throttling alert.
 * Every stack synthesized here is also parsed by `terraform init` (setup-after-env).
 */
import type { EnvironmentConfig } from '../../lib/config/schema';
import { secretDeliveryAlerts } from '../../lib/monitoring';
import { blocks, exampleConfig, only, synthConfig, type TfJson } from './support';

const WORKSPACE = '/subscriptions/00000000-0000-0000-0000-0000000000b0/resourceGroups/rg-mon/providers/Microsoft.Monitor/accounts/amw-platform';
const ACTION_GROUP = '/subscriptions/00000000-0000-0000-0000-0000000000b0/resourceGroups/rg-mon/providers/Microsoft.Insights/actionGroups/ag-platform';

function devWith(monitoring: EnvironmentConfig['monitoring']): TfJson {
  return synthConfig({ ...exampleConfig('dev'), monitoring }, 'monitoring').json;
}

const common = { scrapeInterval: '30s', alertFor: '5m', keyVaultLatencySeconds: 2, keyVaultThrottlingAlert: true } as const;

describe('azure-managed with a workspace of its own (dev + monitoring)', () => {
  const json = devWith({ prometheus: 'azure-managed', workspace: { mode: 'create', name: 'amw-akscsi-dev' }, ...common });

  test("the cluster's metrics profile is on (monitor_metrics {})", () => {
    expect(only(json, 'azurerm_kubernetes_cluster').monitor_metrics).toEqual({});
  });

  test('an Azure Monitor workspace in the environment resource group', () => {
    expect(only(json, 'azurerm_monitor_workspace')).toMatchObject({
      name: 'amw-akscsi-dev',
      location: 'westeurope',
      resource_group_name: '${azurerm_resource_group.this.name}',
    });
  });

  test('a Linux data collection endpoint and rule (MSProm-<location>-<cluster>) forwarding Microsoft-PrometheusMetrics to the workspace (Azure/prometheus-collector AddonTerraformTemplate/main.tf)', () => {
    expect(only(json, 'azurerm_monitor_data_collection_endpoint')).toMatchObject({ name: 'MSProm-westeurope-aks-akscsi-dev', kind: 'Linux' });
    expect(only(json, 'azurerm_monitor_data_collection_rule')).toMatchObject({
      name: 'MSProm-westeurope-aks-akscsi-dev',
      kind: 'Linux',
      data_collection_endpoint_id: '${azurerm_monitor_data_collection_endpoint.managed_prometheus.id}',
      data_sources: { prometheus_forwarder: [{ name: 'PrometheusDataSource', streams: ['Microsoft-PrometheusMetrics'] }] },
      destinations: { monitor_account: [{ name: 'MonitoringAccount1', monitor_account_id: '${azurerm_monitor_workspace.managed_prometheus.id}' }] },
      data_flow: [{ streams: ['Microsoft-PrometheusMetrics'], destinations: ['MonitoringAccount1'] }],
    });
  });

  test('the rule and the endpoint are associated with the cluster (the endpoint under the name azurerm requires, configurationAccessEndpoint)', () => {
    const associations = blocks(json, 'azurerm_monitor_data_collection_rule_association');
    expect(associations.map((a) => [a.name, a.target_resource_id, a.data_collection_rule_id, a.data_collection_endpoint_id])).toEqual([
      ['configurationAccessEndpoint', '${azurerm_kubernetes_cluster.this.id}', undefined, '${azurerm_monitor_data_collection_endpoint.managed_prometheus.id}'],
      ['MSProm-westeurope-aks-akscsi-dev', '${azurerm_kubernetes_cluster.this.id}', '${azurerm_monitor_data_collection_rule.managed_prometheus.id}', undefined],
    ]);
  });

  test('one Prometheus rule group scoped to the workspace and the cluster, with every alert of lib/monitoring.ts in ISO 8601 durations and Azure severities', () => {
    const group = only(json, 'azurerm_monitor_alert_prometheus_rule_group');
    expect(group).toMatchObject({
      cluster_name: 'aks-akscsi-dev',
      scopes: ['${azurerm_monitor_workspace.managed_prometheus.id}'],
      interval: 'PT1M',
      rule_group_enabled: true,
    });
    const alerts = secretDeliveryAlerts(common);
    expect(group.rule.map((r: TfJson) => [r.alert, r.expression, r.for, r.severity])).toEqual(
      alerts.map((a) => [a.alert, a.expr, 'PT5M', a.severity === 'critical' ? 0 : 2]),
    );
    for (const r of group.rule) expect(r.action).toBeUndefined();
  });

  test('the throttling alert counts ServiceApiResult calls with StatusCode 429 on the vault (learn.microsoft.com monitor-key-vault-reference)', () => {
    expect(only(json, 'azurerm_monitor_metric_alert')).toMatchObject({
      name: 'kv-akscsi-dev-example-throttled',
      scopes: ['${azurerm_key_vault.this.id}'],
      window_size: 'PT5M',
      criteria: [
        {
          metric_namespace: 'Microsoft.KeyVault/vaults',
          metric_name: 'ServiceApiResult',
          aggregation: 'Count',
          operator: 'GreaterThan',
          threshold: 0,
          dimension: [{ name: 'StatusCode', operator: 'Include', values: ['429'] }],
        },
      ],
    });
  });
});

describe('azure-managed with an existing workspace and an action group', () => {
  const json = devWith({ prometheus: 'azure-managed', workspace: { mode: 'existing', id: WORKSPACE }, actionGroupId: ACTION_GROUP, ...common });

  test('no workspace is created; the rule and the rule group point at the given id', () => {
    expect(blocks(json, 'azurerm_monitor_workspace')).toEqual([]);
    expect(only(json, 'azurerm_monitor_data_collection_rule').destinations.monitor_account[0].monitor_account_id).toBe(WORKSPACE);
    expect(only(json, 'azurerm_monitor_alert_prometheus_rule_group').scopes).toEqual([WORKSPACE]);
  });

  test('every alert and the throttling alert notify the action group', () => {
    for (const r of only(json, 'azurerm_monitor_alert_prometheus_rule_group').rule) expect(r.action).toEqual([{ action_group_id: ACTION_GROUP }]);
    expect(only(json, 'azurerm_monitor_metric_alert').action).toEqual([{ action_group_id: ACTION_GROUP }]);
  });
});

describe('operator flavour', () => {
  test('nothing of managed Prometheus in Azure; the throttling alert still (it is Azure-side whatever Prometheus runs)', () => {
    const json = devWith({ prometheus: 'operator', selectorLabels: { release: 'kube-prometheus-stack' }, ...common });
    expect(only(json, 'azurerm_kubernetes_cluster').monitor_metrics).toBeUndefined();
    for (const type of [
      'azurerm_monitor_workspace',
      'azurerm_monitor_data_collection_endpoint',
      'azurerm_monitor_data_collection_rule',
      'azurerm_monitor_alert_prometheus_rule_group',
    ])
      expect([type, blocks(json, type)]).toEqual([type, []]);
    expect(blocks(json, 'azurerm_monitor_metric_alert')).toHaveLength(1);
  });

  test('keyVaultThrottlingAlert: false leaves the metric alert out', () => {
    const json = devWith({ prometheus: 'operator', selectorLabels: {}, ...common, keyVaultThrottlingAlert: false });
    expect(blocks(json, 'azurerm_monitor_metric_alert')).toEqual([]);
  });
});

test('without monitoring: no monitoring resource at all (dev)', () => {
  const json = synthConfig(exampleConfig('dev'), 'plain').json;
  for (const type of ['azurerm_monitor_workspace', 'azurerm_monitor_alert_prometheus_rule_group', 'azurerm_monitor_metric_alert'])
    expect([type, blocks(json, type)]).toEqual([type, []]);
  expect(only(json, 'azurerm_kubernetes_cluster').monitor_metrics).toBeUndefined();
});

describe('several vaults (prod: the environment vault and the existing kv-platform-shared)', () => {
  const json = synthConfig(exampleConfig('prod'), 'monitoring-vaults').json;

  test('every vault the workloads read gets its own throttling alert, the existing one read through its data source', () => {
    const alerts = json.resource?.azurerm_monitor_metric_alert ?? {};
    expect(Object.keys(alerts).sort()).toEqual(['key_vault_throttled', 'key_vault_throttled_kv-platform-shared']);
    expect(alerts.key_vault_throttled).toMatchObject({ name: 'kv-akscsi-prod-example-throttled', scopes: ['${azurerm_key_vault.this.id}'] });
    expect(alerts['key_vault_throttled_kv-platform-shared']).toMatchObject({
      name: 'kv-platform-shared-throttled',
      scopes: ['${data.azurerm_key_vault.kv-platform-shared.id}'],
      criteria: [{ metric_name: 'ServiceApiResult', dimension: [{ name: 'StatusCode', values: ['429'] }] }],
    });
  });

  test('keyVaultThrottlingAlert: false leaves every vault without one', () => {
    const prod = exampleConfig('prod');
    const off = synthConfig({ ...prod, monitoring: { ...prod.monitoring!, keyVaultThrottlingAlert: false } }, 'monitoring-vaults-off').json;
    expect(blocks(off, 'azurerm_monitor_metric_alert')).toEqual([]);
  });
});

test("managed Prometheus: the rule group's error windows follow the rotation interval (10m: 20m)", () => {
  const dev = exampleConfig('dev');
  const config = {
    ...dev,
    cluster: { ...dev.cluster, secretsProvider: { ...dev.cluster.secretsProvider, rotation: { ...dev.cluster.secretsProvider.rotation, interval: '10m' } } },
    monitoring: { prometheus: 'azure-managed', workspace: { mode: 'create', name: 'amw-akscsi-dev' }, ...common },
  } as EnvironmentConfig;
  const rules = only(synthConfig(config, 'monitoring-rotation').json, 'azurerm_monitor_alert_prometheus_rule_group').rule as {
    alert: string;
    expression: string;
  }[];
  expect(rules.find((r) => r.alert === 'SecretsStoreMountErrors')?.expression).toContain('node_publish_error_total{job="secrets-store-csi-driver"}[20m]');
});
