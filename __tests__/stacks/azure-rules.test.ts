/**
 * What the stack writes where Azure's rules would refuse the defaults: a derived dns_prefix and
 * node_resource_group, one role assignment per object whatever its case, a single-unit
 * time_sleep. Every stack here is also checked by `terraform init -backend=false` offline.
 */
import { loadEnvironment } from '../../lib/config/load';
import { AKS_DNS_PREFIX_RULE, AKS_NODE_RESOURCE_GROUP_RULE, TIME_SLEEP_DURATION_RULE } from '../../lib/azure';
import { blocks, exampleConfig, only, synthConfig, type ExampleName } from './support';

const dev = () => exampleConfig('dev');

// azurerm v4.55.0 containers/validate/kubernetes.go (KubernetesDNSPrefix) refuses "_".
test('a cluster name with "_" gets a derived dns_prefix', () => {
  const config = dev();
  const cluster = only(synthConfig({ ...config, cluster: { ...config.cluster, name: 'aks_akscsi_dev' } }).json, 'azurerm_kubernetes_cluster');
  expect([cluster.name, cluster.dns_prefix]).toEqual(['aks_akscsi_dev', 'aks-akscsi-dev']);
  expect(AKS_DNS_PREFIX_RULE.test(cluster.dns_prefix as string)).toBe(true);
});

// AKS refuses a node resource group name over 80 characters (aka.ms/aks-naming-rules).
test("node_resource_group is written only when AKS's default would be too long, or when the file sets it", () => {
  const config = dev();
  expect(only(synthConfig(config).json, 'azurerm_kubernetes_cluster')).not.toHaveProperty('node_resource_group');

  const rg = `rg-${'r'.repeat(50)}`;
  const long = only(
    synthConfig({ ...config, azure: { ...config.azure, resourceGroup: { ...config.azure.resourceGroup, name: rg } } }).json,
    'azurerm_kubernetes_cluster',
  );
  expect(long.node_resource_group).toMatch(new RegExp(`^MC_${rg}_aks-akscsi-dev_[0-9a-f]{8}$`));
  expect(AKS_NODE_RESOURCE_GROUP_RULE.test(long.node_resource_group as string)).toBe(true);

  if (config.cluster.mode !== 'create') throw new Error('dev.yaml creates its cluster');
  const explicit = only(
    synthConfig({ ...config, cluster: { ...config.cluster, nodeResourceGroup: 'rg-akscsi-dev-nodes' } }).json,
    'azurerm_kubernetes_cluster',
  );
  expect(explicit.node_resource_group).toBe('rg-akscsi-dev-nodes');
});

// 409 RoleAssignmentExists: <vault>/secrets/DB-Password and <vault>/secrets/db-password are one scope.
test('object-scoped grants: one role assignment per object, whatever the case its workloads write it in', () => {
  const config = dev();
  const workload = config.workloads[0];
  const other = { ...workload, name: 'other-app', namespace: 'other', objects: [{ name: 'db-password', type: 'secret' as const }] };
  const json = synthConfig({ ...config, identity: { ...config.identity, mode: 'shared', roleScope: 'object' }, workloads: [workload, other] }).json;
  expect(blocks(json, 'azurerm_role_assignment').map((r) => [r.role_definition_name, r.scope])).toEqual([
    ['Key Vault Secrets User', '${azurerm_key_vault.this.id}/secrets/DB-Password'],
  ]);
});

// hashicorp/terraform-provider-time resource_time_sleep.go: create_duration is one number and one unit.
test('the example environments write a create_duration time_sleep accepts', () => {
  for (const name of ['dev', 'prod'] as ExampleName[]) {
    const sleeps = blocks(synthConfig(loadEnvironment(`environments/${name}.yaml`).config, name).json, 'time_sleep');
    expect(sleeps.length).toBeGreaterThan(0);
    for (const s of sleeps) expect([name, TIME_SLEEP_DURATION_RULE.test(s.create_duration as string)]).toEqual([name, true]);
  }
});
