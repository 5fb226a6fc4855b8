import { DataAzurermKubernetesCluster } from '@cdktf/provider-azurerm/lib/data-azurerm-kubernetes-cluster';
import { KubernetesCluster } from '@cdktf/provider-azurerm/lib/kubernetes-cluster';
import { Token, type ITerraformDependable, type Postcondition } from 'cdktf';
import { Construct } from 'constructs';
import {
  AKS_AUTHORIZED_IP_RANGE_RULE,
  AKS_DNS_PREFIX_RULE,
  AKS_NAME_RULE,
  AKS_NETWORK_PLUGINS,
  AKS_NETWORK_POLICIES,
  AKS_NETWORK_POLICY_NAMES,
  AKS_NETWORK_POLICY_PLUGIN_RULE,
  AKS_NODE_IMAGE_CHANNEL_RULE,
  AKS_NODE_RESOURCE_GROUP_RULE,
  aksDnsPrefixFor,
  VM_SIZE_RULE,
  type AksNetworkPlugin,
  type AksNetworkPolicy,
  type AksNodeOsUpgradeChannel,
  type AksUpgradeChannel,
} from '../lib/azure';
import { CLUSTER_DEFAULTS } from '../lib/config/schema';
import { isGoDuration } from '../lib/config/duration';
import { assertRule } from '../lib/rule';
import { pinAddress } from './terraform-address';

/** Settings both modes share. */
interface AksClusterCommonProps {
  /** AKS cluster name. */
  readonly name: string;
  /** Resource group of the cluster (a Terraform reference or a literal name). */
  readonly resourceGroupName: string;
  /**
   * The secrets-provider add-on polls Key Vault and updates mounted files.
   * For an existing cluster this is asserted and checked at plan time.
   * @see https://learn.microsoft.com/azure/aks/csi-secrets-store-configuration-options#enable-and-disable-auto-rotation
   */
  readonly secretRotationEnabled: boolean;
  /**
   * Poll interval of the add-on (a Go duration, the driver's `--rotation-poll-interval`).
   * The schema resolves the default (`2m`).
   */
  readonly secretRotationInterval: string;
}

/** Create a new cluster with OIDC issuer, Workload Identity and the Key Vault secrets-provider add-on. */
export interface NewAksClusterProps extends AksClusterCommonProps {
  readonly mode: 'create';
  /** Azure region. */
  readonly location: string;
  /**
   * Kubernetes version.
   * @default - the AKS default version of the region
   */
  readonly kubernetesVersion?: string;
  /**
   * DNS prefix of the API server: 1-54 letters, digits or hyphens (azurerm's `KubernetesDNSPrefix`).
   * @default - the cluster name when it is a valid prefix, else one derived from it (`aksDnsPrefixFor`)
   */
  readonly dnsPrefix?: string;
  /**
   * Node resource group AKS creates (a new group, at most 80 characters).
   * @default - AKS's `MC_<resource group>_<cluster>_<location>`; when that is over 80 characters
   * AKS refuses the cluster, so pass a name (`nodeResourceGroupFor` in lib/azure.ts derives one)
   * @see https://learn.microsoft.com/azure/aks/faq#can-i-provide-my-own-name-for-the-aks-node-resource-group
   */
  readonly nodeResourceGroup?: string;
  /** VM size of the `system` node pool (the schema resolves the default, `Standard_D2s_v5`). */
  readonly systemNodeVmSize: string;
  /** Node count of the `system` node pool (the schema resolves the default, 2). */
  readonly systemNodeCount: number;
  /**
   * `azure-overlay` (Azure CNI Overlay), `azure` (Azure CNI Node Subnet), `kubenet` or `none`.
   * @default azure-overlay
   * @see https://learn.microsoft.com/azure/aks/concepts-network-cni-overview
   */
  readonly networkPlugin?: AksNetworkPlugin;
  /**
   * Network policy engine: `cilium` (with `azure-overlay`), `azure`, `calico` or `none`.
   * @default - `cilium` where it runs with the plugin, else the first engine that does (`azure` on Azure CNI Node Subnet, `calico` on kubenet)
   * @see https://learn.microsoft.com/azure/aks/use-network-policies
   */
  readonly networkPolicy?: AksNetworkPolicy;
  /**
   * The node subnet (`default_node_pool.vnet_subnet_id`); give `controlPlaneIdentity` with it.
   * @default - a VNet AKS creates in the node resource group
   */
  readonly nodeSubnetId?: string;
  /**
   * A user-assigned control-plane identity that already holds its role on `nodeSubnetId`; the
   * cluster waits for `ready`.
   * @default - a system-assigned identity
   * @see https://learn.microsoft.com/azure/aks/use-managed-identity
   */
  readonly controlPlaneIdentity?: { readonly id: string; readonly ready: readonly ITerraformDependable[] };
  /**
   * Availability zones of the system pool.
   * @default - none
   * @see https://learn.microsoft.com/azure/aks/availability-zones
   */
  readonly zones?: readonly string[];
  /**
   * AKS-managed Entra ID integration (always on): Azure RBAC for Kubernetes authorization, the
   * admin groups, the tenant.
   * Give `tenantId` or at least one admin group (azurerm needs one of them).
   * @default - Azure RBAC on, no admin group (then tenantId is required)
   * @see https://learn.microsoft.com/azure/aks/manage-azure-rbac
   */
  readonly entraId?: { readonly azureRbac: boolean; readonly adminGroupObjectIds: readonly string[]; readonly tenantId?: string };
  /**
   * Keep AKS's local accounts (a static admin kubeconfig that bypasses Entra ID).
   * @default false
   * @see https://learn.microsoft.com/azure/aks/manage-local-accounts-managed-azure-ad
   */
  readonly localAccountsEnabled?: boolean;
  /**
   * API server access: authorized IPv4 ranges of the public endpoint, or a private cluster.
   * @default - public, any address (sign-in through Entra ID)
   * @see https://learn.microsoft.com/azure/aks/api-server-authorized-ip-ranges
   */
  readonly apiServer?: { readonly authorizedIpRanges: readonly string[]; readonly private: boolean };
  /**
   * Automatic upgrade channels of the cluster and of the node OS.
   * @default - `patch` and `NodeImage`
   * @see https://learn.microsoft.com/azure/aks/auto-upgrade-cluster
   */
  readonly upgrades?: { readonly automatic: AksUpgradeChannel; readonly nodeOs: AksNodeOsUpgradeChannel };
  /**
   * `Free`, `Standard` or `Premium`.
   * @default Free
   */
  readonly skuTier?: string;
  /**
   * Terraform refuses a plan that would delete or replace the cluster (`lifecycle.prevent_destroy`).
   * @default true
   */
  readonly preventDestroy?: boolean;
  /**
   * Container Insights (the monitoring add-on, with managed-identity auth) to this workspace.
   * @default - off
   */
  readonly containerInsightsWorkspaceId?: string;
  /**
   * Microsoft Defender for Containers' sensor, reporting to this workspace.
   * @default - off
   */
  readonly defenderWorkspaceId?: string;
  /**
   * Turn on the metrics profile of Azure Monitor managed Prometheus (`monitor_metrics {}`); the
   * data collection rule that sends to a workspace comes with it (stacks/managed-prometheus.ts).
   * @default false
   * @see https://learn.microsoft.com/azure/azure-monitor/containers/kubernetes-monitoring-enable
   */
  readonly monitorMetrics?: boolean;
  /**
   * OIDC issuer: Workload Identity federation trusts tokens it signs.
   * @see https://learn.microsoft.com/azure/aks/use-oidc-issuer
   */
  readonly oidcIssuerEnabled: boolean;
  /** @see https://learn.microsoft.com/azure/aks/workload-identity-overview */
  readonly workloadIdentityEnabled: boolean;
  /** @default {} */
  readonly tags?: Readonly<Record<string, string>>;
}

/** Reference an existing cluster; Terraform checks at plan time that it can do the job. */
export interface ExistingAksClusterProps extends AksClusterCommonProps {
  readonly mode: 'existing';
}

export type AksClusterProps = NewAksClusterProps | ExistingAksClusterProps;

/** Name of the default node pool. */
export const SYSTEM_NODE_POOL = 'system';
/** Name AKS uses for the temporary pool while it rotates the system pool (vm size changes). Both names pass `AKS_AGENT_POOL_NAME_RULE` (tested). */
export const SYSTEM_NODE_POOL_ROTATION = 'systemtmp';

/**
 * The AKS cluster the workloads run on: a new `azurerm_kubernetes_cluster`, or a data source
 * over an existing one whose postconditions fail the plan when the OIDC issuer or the
 * secrets-provider add-on is off.
 */
export class AksCluster extends Construct {
  /** The cluster's OIDC issuer URL (a Terraform reference, trailing slash as Azure reports it). */
  readonly oidcIssuerUrl: string;
  readonly id: string;
  readonly name: string;
  readonly created: boolean;
  /** The resource (mode create). */
  readonly resource?: KubernetesCluster;
  /** The data source (mode existing). */
  readonly dataSource?: DataAzurermKubernetesCluster;

  constructor(scope: Construct, id: string, props: AksClusterProps) {
    super(scope, id);
    if (!isGoDuration(props.secretRotationInterval)) {
      throw new Error(`AksCluster "${props.name}": secretRotationInterval "${props.secretRotationInterval}" is not a Go duration such as "2m"`);
    }
    const where = `AksCluster "${props.name}"`;
    if (!Token.isUnresolved(props.name)) assertRule(AKS_NAME_RULE, props.name, where);
    this.name = props.name;
    this.created = props.mode === 'create';
    if (props.mode === 'create') {
      if (props.workloadIdentityEnabled && !props.oidcIssuerEnabled) {
        throw new Error(`AksCluster "${props.name}": Workload Identity needs the OIDC issuer: set oidcIssuerEnabled`);
      }
      const dnsPrefix = props.dnsPrefix ?? aksDnsPrefixFor(props.name);
      assertRule(AKS_DNS_PREFIX_RULE, dnsPrefix, where);
      if (props.nodeResourceGroup !== undefined) assertRule(AKS_NODE_RESOURCE_GROUP_RULE, props.nodeResourceGroup, where);
      assertRule(VM_SIZE_RULE, props.systemNodeVmSize, where);
      const posture = resolvePosture(props, where);
      const cluster = new KubernetesCluster(this, 'cluster', {
        name: props.name,
        location: props.location,
        resourceGroupName: props.resourceGroupName,
        dnsPrefix,
        ...(props.nodeResourceGroup !== undefined ? { nodeResourceGroup: props.nodeResourceGroup } : {}),
        ...(props.kubernetesVersion !== undefined ? { kubernetesVersion: props.kubernetesVersion } : {}),
        oidcIssuerEnabled: props.oidcIssuerEnabled,
        workloadIdentityEnabled: props.workloadIdentityEnabled,
        // Kubernetes RBAC on (the azurerm default, stated so a change is visible in review).
        roleBasedAccessControlEnabled: true,
        keyVaultSecretsProvider: {
          secretRotationEnabled: props.secretRotationEnabled,
          secretRotationInterval: props.secretRotationInterval,
        },
        defaultNodePool: {
          name: SYSTEM_NODE_POOL,
          vmSize: props.systemNodeVmSize,
          nodeCount: props.systemNodeCount,
          // Lets azurerm change the VM size by rotating the pool instead of replacing the cluster.
          temporaryNameForRotation: SYSTEM_NODE_POOL_ROTATION,
          ...(props.nodeSubnetId !== undefined ? { vnetSubnetId: props.nodeSubnetId } : {}),
          ...(props.zones !== undefined && props.zones.length > 0 ? { zones: [...props.zones] } : {}),
        },
        identity:
          props.controlPlaneIdentity !== undefined ? { type: 'UserAssigned', identityIds: [props.controlPlaneIdentity.id] } : { type: 'SystemAssigned' },
        networkProfile: posture.networkProfile,
        // Entra ID sign-in, and no static admin kubeconfig (azurerm refuses local_account_disabled without it).
        azureActiveDirectoryRoleBasedAccessControl: posture.entraId,
        localAccountDisabled: posture.localAccountDisabled,
        // azurerm takes no "none": the channel is left out (hashicorp/terraform-provider-azurerm v4.55.0
        // internal/services/containers/kubernetes_cluster_resource.go, automatic_upgrade_channel).
        ...(posture.upgrades.automatic !== 'none' ? { automaticUpgradeChannel: posture.upgrades.automatic } : {}),
        nodeOsUpgradeChannel: posture.upgrades.nodeOs,
        skuTier: posture.skuTier,
        ...(posture.apiServer.private ? { privateClusterEnabled: true } : {}),
        ...(posture.apiServer.authorizedIpRanges.length > 0
          ? { apiServerAccessProfile: { authorizedIpRanges: [...posture.apiServer.authorizedIpRanges] } }
          : {}),
        ...(props.containerInsightsWorkspaceId !== undefined
          ? { omsAgent: { logAnalyticsWorkspaceId: props.containerInsightsWorkspaceId, msiAuthForMonitoringEnabled: true } }
          : {}),
        ...(props.defenderWorkspaceId !== undefined ? { microsoftDefender: { logAnalyticsWorkspaceId: props.defenderWorkspaceId } } : {}),
        ...(props.monitorMetrics === true ? { monitorMetrics: {} } : {}),
        ...(props.controlPlaneIdentity !== undefined ? { dependsOn: [...props.controlPlaneIdentity.ready] } : {}),
        // A setting that forces a new cluster fails the plan instead of recreating the cluster.
        ...((props.preventDestroy ?? true) ? { lifecycle: { preventDestroy: true } } : {}),
        tags: { ...(props.tags ?? {}) },
      });
      this.resource = pinAddress(cluster, 'this');
      this.oidcIssuerUrl = cluster.oidcIssuerUrl;
      this.id = cluster.id;
    } else {
      const cluster = new DataAzurermKubernetesCluster(this, 'cluster', {
        name: props.name,
        resourceGroupName: props.resourceGroupName,
        lifecycle: { postcondition: existingClusterChecks(props) },
      });
      this.dataSource = pinAddress(cluster, 'this');
      this.oidcIssuerUrl = cluster.oidcIssuerUrl;
      this.id = cluster.id;
    }
  }
}

function policyFits(policy: AksNetworkPolicy, plugin: AksNetworkPlugin): boolean {
  return AKS_NETWORK_POLICY_PLUGIN_RULE.test({ policy, plugin });
}

/** The hardening settings of a new cluster, each resolved from its prop or the schema's default, and checked. */
function resolvePosture(props: NewAksClusterProps, where: string) {
  const d = CLUSTER_DEFAULTS;
  const plugin = props.networkPlugin ?? d.networkPlugin;
  // Without a stated engine: the schema's default where it runs with the plugin, else the first engine that does.
  const policy =
    props.networkPolicy ?? (policyFits(d.networkPolicy.engine, plugin) ? d.networkPolicy.engine : AKS_NETWORK_POLICY_NAMES.find((p) => policyFits(p, plugin))!);
  if (!AKS_NETWORK_POLICY_PLUGIN_RULE.test({ policy, plugin })) {
    throw new Error(`${where}: network policy "${policy}" with network plugin "${plugin}": ${AKS_NETWORK_POLICY_PLUGIN_RULE.fix}`);
  }
  const upgrades = props.upgrades ?? d.upgrades;
  if (!AKS_NODE_IMAGE_CHANNEL_RULE.test(upgrades)) throw new Error(`${where}: upgrades ${JSON.stringify(upgrades)}: ${AKS_NODE_IMAGE_CHANNEL_RULE.fix}`);
  const apiServer = props.apiServer ?? d.apiServer;
  for (const range of apiServer.authorizedIpRanges) {
    if (!Token.isUnresolved(range)) assertRule(AKS_AUTHORIZED_IP_RANGE_RULE, range, where);
  }
  if (apiServer.private && apiServer.authorizedIpRanges.length > 0) {
    throw new Error(`${where}: a private API server has no public endpoint for authorized ranges to restrict: give one or the other`);
  }
  if ((props.nodeSubnetId === undefined) !== (props.controlPlaneIdentity === undefined)) {
    throw new Error(
      `${where}: a node subnet of yours needs a control-plane identity that holds its role on it before the cluster exists: give nodeSubnetId and controlPlaneIdentity together`,
    );
  }
  const entra: NonNullable<NewAksClusterProps['entraId']> = props.entraId ?? d.entraId;
  // azurerm wants tenant_id or admin_group_object_ids in the block (AtLeastOneOf, checked at plan time).
  if (entra.tenantId === undefined && entra.adminGroupObjectIds.length === 0) {
    throw new Error(
      `${where}: Entra ID integration needs the tenant (entraId.tenantId, e.g. data.azurerm_client_config's tenant_id) or at least one admin group (entraId.adminGroupObjectIds)`,
    );
  }
  const dataPlane = AKS_NETWORK_POLICIES[policy].dataPlane;
  return {
    networkProfile: {
      ...AKS_NETWORK_PLUGINS[plugin],
      ...(policy !== 'none' ? { networkPolicy: policy } : {}),
      // Stated only where it differs from azurerm's default (`azure`): Cilium needs its own data plane.
      ...(dataPlane !== 'azure' ? { networkDataPlane: dataPlane } : {}),
    },
    entraId: {
      azureRbacEnabled: entra.azureRbac,
      adminGroupObjectIds: [...entra.adminGroupObjectIds],
      ...(entra.tenantId !== undefined ? { tenantId: entra.tenantId } : {}),
    },
    localAccountDisabled: !(props.localAccountsEnabled ?? d.localAccounts.enabled),
    upgrades,
    apiServer,
    skuTier: props.skuTier ?? d.skuTier,
  };
}

/**
 * Plan-time checks of an existing cluster. Conditions are raw HCL expressions on `self`:
 * cdktf has no typed reference to `self` inside a lifecycle block.
 *
 * The azurerm 4.55 data source does not export `workload_identity_enabled`, so Workload
 * Identity itself cannot be checked here; the CSI mount needs only the OIDC issuer and the
 * add-on (the provider exchanges the ServiceAccount token itself), which are checked.
 */
function existingClusterChecks(props: ExistingAksClusterProps): Postcondition[] {
  const where = `existing AKS cluster "${props.name}"`;
  const rg = Token.isUnresolved(props.resourceGroupName) ? '<resource group>' : props.resourceGroupName;
  const update = `az aks update -g ${rg} -n ${props.name}`;
  const checks: Postcondition[] = [
    {
      condition: '${self.oidc_issuer_enabled && self.oidc_issuer_url != ""}',
      errorMessage: `The ${where} has no OIDC issuer, which Workload Identity federation needs: run "${update} --enable-oidc-issuer --enable-workload-identity".`,
    },
    {
      condition: '${length(self.key_vault_secrets_provider) > 0}',
      errorMessage: `The ${where} does not run the Key Vault secrets-provider add-on: run "az aks enable-addons --addons azure-keyvault-secrets-provider -g ${rg} -n ${props.name}".`,
    },
  ];
  if (props.secretRotationEnabled) {
    checks.push({
      // try(): the list may be empty, and && does not short-circuit in Terraform.
      condition: '${try(self.key_vault_secrets_provider[0].secret_rotation_enabled, false)}',
      errorMessage: `The ${where} has secret rotation off, but the environment file says it is on: run "${update} --enable-secret-rotation --rotation-poll-interval ${props.secretRotationInterval}", or set cluster.secretsProvider.rotation.enabled: false.`,
    });
  }
  return checks;
}
