/** One `fails ...` test per eager constructor check of the stack's constructs. */
import { TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import type { IdentityModel } from '../../lib/model';
import { AKS_AGENT_POOL_NAME_RULE } from '../../lib/azure';
import { AksCluster, SYSTEM_NODE_POOL, SYSTEM_NODE_POOL_ROTATION, type NewAksClusterProps } from '../../stacks/aks-cluster';
import { ContractOutput } from '../../stacks/contract-output';
import { KeyVaultStore, type NewKeyVaultStoreProps } from '../../stacks/key-vault-store';
import { StateBackend } from '../../stacks/state-backend';
import { WorkloadIdentity, type WorkloadIdentityProps } from '../../stacks/workload-identity';
import { testingApp } from '../support/cdktf';

function stack(): TerraformStack {
  return new TerraformStack(testingApp(), 'test');
}

const credential = (i: number) => ({
  name: `fc-ns-sa${i}`,
  workload: `w${i}`,
  namespace: 'ns',
  serviceAccount: `sa${i}`,
  subject: `system:serviceaccount:ns:sa${i}`,
});

const identity = (over: Partial<IdentityModel> = {}): IdentityModel => ({
  key: 'shared',
  name: 'id-test-shared',
  workloads: ['w0'],
  credentials: [credential(0)],
  roles: [{ role: 'Key Vault Secrets User', scope: 'vault' }],
  ...over,
});

const identityProps = (over: Partial<WorkloadIdentityProps> = {}): WorkloadIdentityProps => ({
  identity: identity(),
  resourceGroupName: 'rg',
  location: 'westeurope',
  cluster: { oidcIssuerUrl: 'https://issuer.example/' },
  keyVault: { id: '/subscriptions/x/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv' },
  propagationWait: '30s',
  ...over,
});

describe('WorkloadIdentity', () => {
  test('builds with valid input (control for the failures below)', () => {
    expect(() => new WorkloadIdentity(stack(), 'id', identityProps())).not.toThrow();
  });
  test('fails above 20 federated credentials per identity', () => {
    const many = identity({ credentials: Array.from({ length: 21 }, (_, i) => credential(i)) });
    expect(() => new WorkloadIdentity(stack(), 'id', identityProps({ identity: many }))).toThrow(
      'WorkloadIdentity "id-test-shared": 21 federated credentials; Azure allows 20 per identity: use identity mode "per-workload" or split the environment',
    );
  });
  test('accepts exactly 20 federated credentials', () => {
    const twenty = identity({ credentials: Array.from({ length: 20 }, (_, i) => credential(i)) });
    expect(() => new WorkloadIdentity(stack(), 'id', identityProps({ identity: twenty }))).not.toThrow();
  });
  test('fails without a federated credential', () => {
    expect(() => new WorkloadIdentity(stack(), 'id', identityProps({ identity: identity({ credentials: [] }) }))).toThrow('no federated credential');
  });
  test('fails on a duplicate credential name', () => {
    const dup = identity({ credentials: [credential(1), credential(1)] });
    expect(() => new WorkloadIdentity(stack(), 'id', identityProps({ identity: dup }))).toThrow('federated credential name "fc-ns-sa1" is used twice');
  });
  test('fails without a role grant', () => {
    expect(() => new WorkloadIdentity(stack(), 'id', identityProps({ identity: identity({ roles: [] }) }))).toThrow('no role grant');
  });
  // hashicorp/terraform-provider-time internal/provider/resource_time_sleep.go: create_duration is one number and one unit.
  test('fails on a propagation wait time_sleep refuses', () => {
    expect(() => new WorkloadIdentity(stack(), 'id', identityProps({ propagationWait: '30 seconds' }))).toThrow(
      'propagationWait "30 seconds": write one number and one unit (ms, s, m or h), such as "30s" or "90s"; "0s" disables the wait',
    );
    expect(() => new WorkloadIdentity(stack(), 'id', identityProps({ propagationWait: '1m30s' }))).toThrow('propagationWait "1m30s": write "90s": ');
  });
  // resource-name-rules#microsoftmanagedidentity; Entra federated credential names (3-120, alphanumeric start).
  test('fails on an identity or credential name Azure refuses', () => {
    expect(() => new WorkloadIdentity(stack(), 'id', identityProps({ identity: identity({ name: 'id.test' }) }))).toThrow(
      'WorkloadIdentity "id.test": user-assigned identity name "id.test": use 3-128 letters, digits, "-" or "_", starting with a letter or digit',
    );
    const bad = identity({ credentials: [{ ...credential(0), name: 'fc.ns.sa0' }] });
    expect(() => new WorkloadIdentity(stack(), 'id', identityProps({ identity: bad }))).toThrow(
      'federated identity credential name "fc.ns.sa0": use 3-120 letters, digits, "-" or "_"',
    );
  });
  // 409 RoleAssignmentExists: Key Vault object names in a scope compare case-insensitively.
  test('fails on one role granted twice at one object scope, in two cases', () => {
    const roles = [
      { role: 'Key Vault Secrets User' as const, scope: { type: 'secret' as const, name: 'DB-Password' } },
      { role: 'Key Vault Secrets User' as const, scope: { type: 'secret' as const, name: 'db-password' } },
    ];
    expect(() => new WorkloadIdentity(stack(), 'id', identityProps({ identity: identity({ roles }) }))).toThrow(
      'WorkloadIdentity "id-test-shared": "Key Vault Secrets User" is granted twice at /secrets/db-password (Key Vault object names are case-insensitive); Azure refuses the second with 409 RoleAssignmentExists: grant it once',
    );
    const distinct = [roles[0], { role: 'Key Vault Certificate User' as const, scope: { type: 'key' as const, name: 'DB-Password' } }];
    expect(() => new WorkloadIdentity(stack(), 'id', identityProps({ identity: identity({ roles: distinct }) }))).not.toThrow();
  });
  test('exposes references, not literals', () => {
    const w = new WorkloadIdentity(stack(), 'id', identityProps());
    for (const v of [w.clientId, w.principalId, w.id]) expect(v).toMatch(/^\$\{TfToken\[/);
    expect(w.name).toBe('id-test-shared');
    expect(w.ready).toEqual([w.propagation]);
  });
});

const vaultProps = (over: Partial<NewKeyVaultStoreProps> = {}): NewKeyVaultStoreProps => ({
  mode: 'create',
  name: 'kv-test-example',
  resourceGroupName: 'rg',
  location: 'westeurope',
  tenantId: '00000000-0000-0000-0000-000000000000',
  skuName: 'standard',
  purgeProtectionEnabled: true,
  softDeleteRetentionDays: 90,
  publicNetworkAccessEnabled: true,
  networkAcls: { defaultAction: 'Allow', bypass: 'AzureServices', ipRules: [], virtualNetworkSubnetIds: [] },
  ...over,
});

describe('KeyVaultStore', () => {
  test('fails on an invalid vault name', () => {
    expect(() => new KeyVaultStore(stack(), 'kv', vaultProps({ name: 'kv--bad' }))).toThrow(
      'KeyVaultStore: name "kv--bad": use 3-24 letters, digits or hyphens',
    );
  });
  test('fails on a retention outside 7-90 days', () => {
    expect(() => new KeyVaultStore(stack(), 'kv', vaultProps({ softDeleteRetentionDays: 6 }))).toThrow('softDeleteRetentionDays 6: use 7 to 90 days');
    expect(() => new KeyVaultStore(stack(), 'kv', vaultProps({ softDeleteRetentionDays: 91 }))).toThrow('softDeleteRetentionDays 91: use 7 to 90 days');
  });
  // learn.microsoft.com/azure/key-vault/general/network-security: public IPv4 only, no RFC 1918.
  test('fails on an IP rule Key Vault refuses', () => {
    const acls = (ipRules: string[]) => ({
      networkAcls: { defaultAction: 'Deny' as const, bypass: 'AzureServices' as const, ipRules, virtualNetworkSubnetIds: [] },
    });
    expect(() => new KeyVaultStore(stack(), 'kv', vaultProps(acls(['203.0.113.0/24', '10.0.0.0/16'])))).toThrow(
      'KeyVaultStore "kv-test-example": IP rule "10.0.0.0/16": it includes the private range 10.0.0.0/8: Key Vault IP rules take public addresses only',
    );
    expect(() => new KeyVaultStore(stack(), 'kv', vaultProps(acls(['300.0.0.1'])))).toThrow('IP rule "300.0.0.1": use a public IPv4 address or CIDR range');
    expect(() => new KeyVaultStore(stack(), 'kv', vaultProps(acls(['203.0.113.7/32'])))).toThrow(
      'IP rule "203.0.113.7/32": write a single address without a prefix',
    );
  });
  test('exposes id, name and uri as references', () => {
    const kv = new KeyVaultStore(stack(), 'kv', vaultProps());
    for (const v of [kv.id, kv.name, kv.uri]) expect(v).toMatch(/^\$\{TfToken\[/);
  });
});

const clusterProps = (over: Partial<NewAksClusterProps> = {}): NewAksClusterProps => ({
  mode: 'create',
  name: 'aks-test',
  resourceGroupName: 'rg',
  location: 'westeurope',
  systemNodeVmSize: 'Standard_D2s_v5',
  systemNodeCount: 2,
  networkPlugin: 'azure',
  entraId: { azureRbac: true, adminGroupObjectIds: [], tenantId: '00000000-0000-0000-0000-0000000000aa' },
  oidcIssuerEnabled: true,
  workloadIdentityEnabled: true,
  secretRotationEnabled: true,
  secretRotationInterval: '2m',
  ...over,
});

describe('AksCluster', () => {
  test('fails on a rotation interval that is not a Go duration', () => {
    expect(() => new AksCluster(stack(), 'c', clusterProps({ secretRotationInterval: '2 minutes' }))).toThrow(
      'secretRotationInterval "2 minutes" is not a Go duration',
    );
  });
  // azurerm v4.55.0 containers/validate/kubernetes.go (KubernetesDNSPrefix).
  test('fails on a DNS prefix azurerm refuses, and derives one from a cluster name that is not a prefix', () => {
    expect(() => new AksCluster(stack(), 'c', clusterProps({ dnsPrefix: 'aks_test' }))).toThrow(
      'AksCluster "aks-test": AKS DNS prefix "aks_test": use 1-54 letters, digits or hyphens, starting and ending with a letter or digit',
    );
    expect(new AksCluster(stack(), 'c', clusterProps({ name: 'aks_test' })).resource?.dnsPrefixInput).toBe('aks-test');
  });
  // AKS: "The maximum length is 80" (aka.ms/aks-naming-rules).
  test('fails on a node resource group over 80 characters', () => {
    expect(() => new AksCluster(stack(), 'c', clusterProps({ nodeResourceGroup: 'n'.repeat(81) }))).toThrow(
      'AksCluster "aks-test": AKS node resource group name "nnnn',
    );
    expect(new AksCluster(stack(), 'c', clusterProps({ nodeResourceGroup: 'rg-nodes' })).resource?.nodeResourceGroupInput).toBe('rg-nodes');
  });
  test('fails on a cluster name or VM size Azure refuses', () => {
    expect(() => new AksCluster(stack(), 'c', clusterProps({ name: 'aks.test' }))).toThrow(
      'AksCluster "aks.test": AKS cluster name "aks.test": use 1-63 letters',
    );
    expect(() => new AksCluster(stack(), 'c', clusterProps({ systemNodeVmSize: 'Standard D2s' }))).toThrow('VM size "Standard D2s": use an Azure VM size');
  });
  // azurerm v4.55.0 containers/validate/kubernetes.go (KubernetesAgentPoolName): default_node_pool.name, temporary_name_for_rotation.
  test('its node pool names pass KubernetesAgentPoolName', () => {
    expect([AKS_AGENT_POOL_NAME_RULE.test(SYSTEM_NODE_POOL), AKS_AGENT_POOL_NAME_RULE.test(SYSTEM_NODE_POOL_ROTATION)]).toEqual([true, true]);
    expect(AKS_AGENT_POOL_NAME_RULE.test('system-pool')).toBe(false);
  });
  test('fails on Workload Identity without the OIDC issuer', () => {
    expect(() => new AksCluster(stack(), 'c', clusterProps({ oidcIssuerEnabled: false }))).toThrow('Workload Identity needs the OIDC issuer');
  });
  test('oidcIssuerUrl is a reference, never a literal', () => {
    expect(new AksCluster(stack(), 'c', clusterProps()).oidcIssuerUrl).toMatch(/^\$\{TfToken\[/);
  });
  // hashicorp/terraform-provider-azurerm v4.55.0 website/docs/r/kubernetes_cluster.html.markdown (network_profile: network_policy cilium needs network_data_plane cilium, which needs overlay).
  test('fails on a network policy engine that does not run with the plugin; derives one that does when none is given', () => {
    expect(() => new AksCluster(stack(), 'c', clusterProps({ networkPlugin: 'kubenet', networkPolicy: 'cilium' }))).toThrow(
      'AksCluster "aks-test": network policy "cilium" with network plugin "kubenet": Cilium runs on Azure CNI Overlay',
    );
    const profile = (over: Partial<NewAksClusterProps>) => new AksCluster(stack(), 'c', clusterProps(over)).resource?.networkProfileInput;
    expect(profile({})).toMatchObject({ networkPlugin: 'azure', networkPolicy: 'azure' });
    expect(profile({ networkPlugin: 'kubenet' })).toMatchObject({ networkPlugin: 'kubenet', networkPolicy: 'calico' });
    expect(profile({ networkPlugin: 'azure-overlay' })).toMatchObject({
      networkPlugin: 'azure',
      networkPluginMode: 'overlay',
      networkPolicy: 'cilium',
      networkDataPlane: 'cilium',
    });
  });
  // azurerm v4.55.0 internal/services/containers/kubernetes_cluster_resource.go (azure_active_directory_role_based_access_control: tenant_id AtLeastOneOf admin_group_object_ids).
  test('fails on Entra ID integration without a tenant or an admin group', () => {
    expect(() => new AksCluster(stack(), 'c', clusterProps({ entraId: { azureRbac: true, adminGroupObjectIds: [] } }))).toThrow(
      'AksCluster "aks-test": Entra ID integration needs the tenant (entraId.tenantId',
    );
  });
  // azurerm v4.55.0 kubernetes_cluster_resource.go: "`node_os_upgrade_channel` cannot be set to a value other than `NodeImage` if `automatic_upgrade_channel` is set to `node-image`".
  test('fails on the node-image channel with another node OS channel', () => {
    expect(() => new AksCluster(stack(), 'c', clusterProps({ upgrades: { automatic: 'node-image', nodeOs: 'SecurityPatch' } }))).toThrow(
      'with the automatic channel node-image the node OS channel is NodeImage',
    );
  });
  // https://learn.microsoft.com/azure/aks/api-server-authorized-ip-ranges (not available with a private cluster).
  test('fails on authorized ranges for a private API server, and on a range that is no IPv4 range', () => {
    expect(() => new AksCluster(stack(), 'c', clusterProps({ apiServer: { authorizedIpRanges: ['203.0.113.0/24'], private: true } }))).toThrow(
      'a private API server has no public endpoint for authorized ranges to restrict',
    );
    expect(() => new AksCluster(stack(), 'c', clusterProps({ apiServer: { authorizedIpRanges: ['203.0.113.0/33'], private: false } }))).toThrow(
      'use an IPv4 address or CIDR range such as "203.0.113.0/24"',
    );
  });
  // https://learn.microsoft.com/azure/aks/use-managed-identity#add-role-assignment-for-control-plane-identity
  test('fails on a node subnet without a control-plane identity that holds its role', () => {
    expect(() => new AksCluster(stack(), 'c', clusterProps({ nodeSubnetId: '/subscriptions/x/subnets/y' }))).toThrow(
      'a node subnet of yours needs a control-plane identity that holds its role on it before the cluster exists',
    );
  });
});

describe('StateBackend', () => {
  const local = (p: string) => () => new StateBackend(stack(), 'state', { environment: 'dev', state: { backend: 'local', path: p } });
  const azurerm = (over: Record<string, string>) => () =>
    new StateBackend(stack(), 'state', {
      environment: 'dev',
      state: { backend: 'azurerm', resourceGroup: 'rg-tf', storageAccount: 'sttf', container: 'tfstate', key: 'dev.tfstate', ...over },
    });

  test('fails on an absolute local state path', () => {
    expect(local('/var/tf/dev.tfstate')).toThrow(
      'StateBackend: state.path: local state path "/var/tf/dev.tfstate": use a relative path (no machine-specific absolute paths)',
    );
    expect(local('C:\\tf\\dev.tfstate')).toThrow('use a relative path');
  });

  test.each(['../outside.tfstate', 'state/../../outside.tfstate', './dev.tfstate', 'state//dev.tfstate', 'state\\dev.tfstate', 'state/'])(
    'fails on a local state path that is not normalised or leaves the project: %j',
    (p) => {
      expect(local(p)).toThrow(`StateBackend: state.path: local state path ${JSON.stringify(p)}: use "/" between folders and no "." or ".." element`);
    },
  );

  test.each(['dist/dev/terraform.tfstate', 'cdktf.out/dev.tfstate', 'Dist/x.tfstate', 'dist'])(
    'fails on a local state path inside a generated folder: %j',
    (p) => {
      expect(local(p)).toThrow(`StateBackend: state.path: local state path ${JSON.stringify(p)}: keep the state out of cdktf.out/ and dist/`);
    },
  );

  test('fails on Terraform template syntax in a backend setting (read literally by Terraform: hashicorp/hcl json/structure.go expression.Value)', () => {
    expect(local('state/${path.module}.tfstate')).toThrow(
      'StateBackend: state.path: Terraform backend setting "state/${path.module}.tfstate": remove "${" and "%{"',
    );
    expect(azurerm({ key: 'dev-%{ if true }x%{ endif }.tfstate' })).toThrow('StateBackend: state.key: Terraform backend setting');
  });

  test('fails on azurerm backend names Azure refuses (Azure naming rules for storage accounts, containers and blobs)', () => {
    expect(azurerm({ storageAccount: 'St_Tf' })).toThrow(
      'StateBackend: state.storageAccount: storage account name "St_Tf": use 3-24 lower-case letters or digits',
    );
    expect(azurerm({ container: 'tf--state' })).toThrow(
      'StateBackend: state.container: blob container name "tf--state": use 3-63 lower-case letters, digits or "-"',
    );
    expect(azurerm({ key: 'states/dev/' })).toThrow('StateBackend: state.key: blob name "states/dev/": use 1-1024 characters');
    expect(azurerm({ resourceGroup: 'rg.' })).toThrow('StateBackend: state.resourceGroup: resource group name "rg.":');
  });

  test('accepts a normalised path in a folder of its own, and valid azurerm settings', () => {
    expect(local('state/dev.tfstate')().location).toBe('state/dev.tfstate');
    expect(local('distant/dev.tfstate')().location).toBe('distant/dev.tfstate');
    expect(azurerm({})().location).toBe('dev.tfstate');
  });
});

describe('ContractOutput', () => {
  test('fails outside the stack root (the outputs file would nest it)', () => {
    const nested = new Construct(stack(), 'nested');
    expect(
      () =>
        new ContractOutput(nested, {
          environment: 'dev',
          tenantId: 't',
          cloudName: 'AzurePublicCloud',
          keyVault: { name: 'kv', uri: 'u' },
          oidcIssuerUrl: 'i',
          workloads: {},
        }),
    ).toThrow('ContractOutput must be created directly in a TerraformStack (got "test/nested")');
  });
});
