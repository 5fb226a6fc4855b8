import { DataAzurermClientConfig } from '@cdktf/provider-azurerm/lib/data-azurerm-client-config';
import { TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import type { EnvironmentModel } from '../lib/model';
import type { WorkloadOutputs } from '../lib/outputs/contract';
import { AksCluster } from './aks-cluster';
import { AzureProviders } from './azure-providers';
import { ClusterNetwork } from './cluster-network';
import { ContainerInsights } from './container-insights';
import { ContractOutput } from './contract-output';
import { ControlPlaneIdentity } from './control-plane-identity';
import { EnvironmentResourceGroup } from './environment-resource-group';
import { KeyVaultAuditLog } from './key-vault-audit-log';
import { KeyVaultPrivateEndpoint } from './key-vault-private-endpoint';
import { KeyVaultStore } from './key-vault-store';
import { KeyVaultThrottlingAlert } from './key-vault-throttling-alert';
import { ManagedPrometheus } from './managed-prometheus';
import { LogAnalytics } from './log-analytics';
import { StateBackend } from './state-backend';
import { WorkloadIdentity } from './workload-identity';
import { pinAddress } from './terraform-address';
import { terraformLiterals } from './terraform-literal';

export interface EnvironmentStackProps {
  /** The derived environment (lib/model.ts): every name the stack uses comes from it. */
  readonly model: EnvironmentModel;
}

/**
 * Everything Azure-side for one environment: providers, state backend, resource group, AKS
 * cluster, Key Vault, one Workload Identity per identity of the model, and the outputs
 * contract. Its id should be `model.stackName`, so it synthesizes to
 * `cdktf.out/stacks/<stackName>/cdk.tf.json`.
 */
export class EnvironmentStack extends TerraformStack {
  readonly environment: string;
  readonly providers: AzureProviders;
  readonly state: StateBackend;
  readonly resourceGroup: EnvironmentResourceGroup;
  /** Tenant id of the credentials Terraform runs with (a Terraform reference). */
  readonly tenantId: string;
  /** The cluster's VNet and subnets, when the environment file states them. */
  readonly network?: ClusterNetwork;
  /** The control-plane identity of a created cluster in a VNet of ours. */
  readonly controlPlane?: ControlPlaneIdentity;
  /** The workspace of Container Insights, Defender and the vault's audit log. */
  readonly logAnalytics?: LogAnalytics;
  readonly cluster: AksCluster;
  /** The data collection rule Container Insights sends by. */
  readonly containerInsights?: ContainerInsights;
  readonly keyVault: KeyVaultStore;
  /** The vaults of `additionalVaults`, by declared name, in file order. */
  readonly additionalVaults: ReadonlyMap<string, KeyVaultStore>;
  readonly privateEndpoint?: KeyVaultPrivateEndpoint;
  readonly keyVaultAuditLog?: KeyVaultAuditLog;
  /** `monitoring.prometheus: azure-managed`: workspace, data collection and the alerts' rule group. */
  readonly managedPrometheus?: ManagedPrometheus;
  /** `monitoring.keyVaultThrottlingAlert`. */
  readonly keyVaultThrottlingAlert?: KeyVaultThrottlingAlert;
  /** `monitoring.keyVaultThrottlingAlert` on each of `additionalVaults`, by declared name. */
  readonly additionalVaultThrottlingAlerts: ReadonlyMap<string, KeyVaultThrottlingAlert>;
  /** By identity key (the workload name, or `shared`). */
  readonly identities: ReadonlyMap<string, WorkloadIdentity>;
  readonly output: ContractOutput;

  constructor(scope: Construct, id: string, props: EnvironmentStackProps) {
    super(scope, id);
    // The one way user text enters the stack: every string of the model (names, tags, subnet
    // ids, object keys) written as Terraform literal text, so Terraform never evaluates it.
    // Constructs below read only this copy; the backend alone reads the original, because
    // Terraform takes backend settings literally (StateBackend refuses template syntax).
    const model = terraformLiterals(props.model);
    const { azure } = model.config;
    this.environment = props.model.name;

    this.providers = new AzureProviders(this, 'providers', {
      cloud: azure.cloud,
      ...(azure.subscriptionId !== undefined ? { subscriptionId: azure.subscriptionId } : {}),
    });
    this.state = new StateBackend(this, 'state', { environment: props.model.name, state: props.model.config.state, cloud: props.model.config.azure.cloud });

    this.resourceGroup = new EnvironmentResourceGroup(this, 'resource-group', {
      name: azure.resourceGroup.name,
      create: azure.resourceGroup.create,
      location: azure.location,
      tags: azure.tags,
    });
    this.tenantId = pinAddress(new DataAzurermClientConfig(this, 'client-config', {}), 'current').tenantId;

    if (model.config.logAnalytics !== undefined) {
      this.logAnalytics = new LogAnalytics(this, 'log-analytics', {
        workspace: model.config.logAnalytics,
        resourceGroupName: this.resourceGroup.name,
        location: azure.location,
        tags: azure.tags,
      });
    }
    if (model.network.cluster !== undefined) {
      this.network = new ClusterNetwork(this, 'network', {
        network: model.network.cluster,
        resourceGroupName: this.resourceGroup.name,
        location: azure.location,
        providerFor: (subscription) => this.providers.forSubscription(subscription),
        tags: azure.tags,
      });
    }
    this.controlPlane = this.buildControlPlane(model);
    this.cluster = this.buildCluster(model);
    if (this.logAnalytics !== undefined && model.config.cluster.mode === 'create' && model.config.cluster.containerInsights) {
      this.containerInsights = new ContainerInsights(this, 'container-insights', {
        clusterName: model.config.cluster.name,
        clusterId: this.cluster.id,
        workspaceId: this.logAnalytics.workspaceId,
        resourceGroupName: this.resourceGroup.name,
        location: azure.location,
        tags: azure.tags,
      });
    }
    this.keyVault = this.buildKeyVault(model);
    this.additionalVaults = this.buildAdditionalVaults(model);
    this.privateEndpoint = this.buildPrivateEndpoint(model);
    if (this.logAnalytics !== undefined && model.config.keyVault.mode === 'create' && model.config.keyVault.auditLogs) {
      this.keyVaultAuditLog = new KeyVaultAuditLog(this, 'key-vault-audit-log', {
        name: `diag-${model.config.keyVault.name}-audit`,
        keyVaultId: this.keyVault.id,
        workspaceId: this.logAnalytics.workspaceId,
      });
    }
    const monitoring = this.buildMonitoring(model);
    if (monitoring.managedPrometheus !== undefined) this.managedPrometheus = monitoring.managedPrometheus;
    if (monitoring.keyVaultThrottlingAlert !== undefined) this.keyVaultThrottlingAlert = monitoring.keyVaultThrottlingAlert;
    this.additionalVaultThrottlingAlerts = this.buildAdditionalVaultThrottlingAlerts(model);
    for (const v of model.config.additionalVaults ?? []) {
      const vault = this.additionalVaults.get(v.name);
      if (this.logAnalytics === undefined || v.mode !== 'create' || !v.auditLogs || vault === undefined) continue;
      new KeyVaultAuditLog(this, `key-vault-audit-log-${v.name.toLowerCase()}`, {
        name: `diag-${v.name}-audit`,
        keyVaultId: vault.id,
        workspaceId: this.logAnalytics.workspaceId,
        terraformName: `key_vault_audit_${v.name.toLowerCase()}`,
      });
    }
    this.identities = this.buildIdentities(model);
    this.output = this.buildOutput(model);
  }

  /** The AKS cluster: created with Workload Identity and the secrets provider, or read. */
  private buildCluster(model: EnvironmentModel): AksCluster {
    const { azure, cluster } = model.config;
    const rotation = cluster.secretsProvider.rotation;
    if (cluster.mode !== 'create') {
      return new AksCluster(this, 'cluster', {
        mode: 'existing',
        name: cluster.name,
        resourceGroupName: cluster.resourceGroup ?? this.resourceGroup.name,
        secretRotationEnabled: rotation.enabled,
        secretRotationInterval: rotation.interval,
      });
    }
    return new AksCluster(this, 'cluster', {
      mode: 'create',
      name: cluster.name,
      resourceGroupName: this.resourceGroup.name,
      location: azure.location,
      ...(cluster.kubernetesVersion !== undefined ? { kubernetesVersion: cluster.kubernetesVersion } : {}),
      // Derived once in lib/model.ts: explicit, the cluster name, or derived from it.
      ...(model.createdCluster !== undefined ? { dnsPrefix: model.createdCluster.dnsPrefix } : {}),
      ...(model.createdCluster?.writesNodeResourceGroup === true ? { nodeResourceGroup: model.createdCluster.nodeResourceGroup } : {}),
      systemNodeVmSize: cluster.systemNodePool.vmSize,
      systemNodeCount: cluster.systemNodePool.nodeCount,
      ...(cluster.systemNodePool.zones !== undefined ? { zones: cluster.systemNodePool.zones } : {}),
      networkPlugin: cluster.networkPlugin,
      networkPolicy: cluster.networkPolicy.engine,
      ...(this.network !== undefined && this.controlPlane !== undefined
        ? { nodeSubnetId: this.network.nodeSubnetId, controlPlaneIdentity: { id: this.controlPlane.id, ready: [this.controlPlane.subnetRole] } }
        : {}),
      entraId: { ...cluster.entraId, tenantId: this.tenantId },
      localAccountsEnabled: cluster.localAccounts.enabled,
      apiServer: cluster.apiServer,
      upgrades: cluster.upgrades,
      skuTier: cluster.skuTier,
      preventDestroy: cluster.preventDestroy,
      ...(this.logAnalytics !== undefined && cluster.containerInsights ? { containerInsightsWorkspaceId: this.logAnalytics.workspaceId } : {}),
      ...(this.logAnalytics !== undefined && cluster.defender ? { defenderWorkspaceId: this.logAnalytics.workspaceId } : {}),
      ...(model.config.monitoring?.prometheus === 'azure-managed' ? { monitorMetrics: true } : {}),
      oidcIssuerEnabled: cluster.oidcIssuer,
      workloadIdentityEnabled: cluster.workloadIdentity,
      secretRotationEnabled: rotation.enabled,
      secretRotationInterval: rotation.interval,
      tags: azure.tags,
    });
  }

  /** `monitoring`: managed Prometheus (a created cluster only; the schema refuses it otherwise) and the vault's throttling alert. */
  private buildMonitoring(model: EnvironmentModel): { managedPrometheus?: ManagedPrometheus; keyVaultThrottlingAlert?: KeyVaultThrottlingAlert } {
    const monitoring = model.config.monitoring;
    const out: { managedPrometheus?: ManagedPrometheus; keyVaultThrottlingAlert?: KeyVaultThrottlingAlert } = {};
    if (monitoring === undefined) return out;
    const { azure, cluster, keyVault } = model.config;
    const actionGroup = monitoring.actionGroupId !== undefined ? { actionGroupId: monitoring.actionGroupId } : {};
    if (monitoring.prometheus === 'azure-managed' && cluster.mode === 'create') {
      out.managedPrometheus = new ManagedPrometheus(this, 'managed-prometheus', {
        clusterName: cluster.name,
        clusterId: this.cluster.id,
        workspace: monitoring.workspace,
        thresholds: { ...monitoring, rotationIntervalSeconds: model.rotationIntervalSeconds },
        resourceGroupName: this.resourceGroup.name,
        location: azure.location,
        tags: azure.tags,
        ...actionGroup,
      });
    }
    if (monitoring.keyVaultThrottlingAlert) {
      out.keyVaultThrottlingAlert = this.throttlingAlert(model, keyVault.name, this.keyVault.id);
    }
    return out;
  }

  /**
   * Every vault the workloads read shares the same failure mode under load: the throttling alert
   * covers `additionalVaults` too (an alert on an existing vault is a resource of this
   * environment's group and changes nothing on the vault).
   */
  private buildAdditionalVaultThrottlingAlerts(model: EnvironmentModel): ReadonlyMap<string, KeyVaultThrottlingAlert> {
    const alerts = new Map<string, KeyVaultThrottlingAlert>();
    const monitoring = model.config.monitoring;
    if (monitoring === undefined || !monitoring.keyVaultThrottlingAlert) return alerts;
    for (const [name, vault] of this.additionalVaults) {
      // The declared name (a literal; the store's name is a token for an existing vault).
      alerts.set(name, this.throttlingAlert(model, name, vault.id, name.toLowerCase()));
    }
    return alerts;
  }

  /** The throttling alert of one vault; `suffix` tells an additional vault's apart from the environment vault's. */
  private throttlingAlert(model: EnvironmentModel, vaultName: string, keyVaultId: string, suffix?: string): KeyVaultThrottlingAlert {
    const actionGroupId = model.config.monitoring?.actionGroupId;
    return new KeyVaultThrottlingAlert(this, suffix === undefined ? 'key-vault-throttling' : `key-vault-throttling-${suffix}`, {
      vaultName,
      keyVaultId,
      resourceGroupName: this.resourceGroup.name,
      tags: model.config.azure.tags,
      ...(suffix !== undefined ? { terraformName: `key_vault_throttled_${suffix}` } : {}),
      ...(actionGroupId !== undefined ? { actionGroupId } : {}),
    });
  }

  /** A created cluster in a VNet of ours gets a user-assigned identity with its role on the node subnet first. */
  private buildControlPlane(model: EnvironmentModel): ControlPlaneIdentity | undefined {
    const name = model.network.cluster?.controlPlaneIdentityName;
    if (this.network === undefined || name === undefined || model.config.cluster.mode !== 'create') return undefined;
    const node = model.network.cluster?.nodeSubnet;
    return new ControlPlaneIdentity(this, 'control-plane', {
      name,
      resourceGroupName: this.resourceGroup.name,
      location: model.config.azure.location,
      nodeSubnetId: this.network.nodeSubnetId,
      ...(node?.mode === 'existing' ? { subnetProvider: this.providers.forSubscription(node.subscriptionId) } : {}),
      tags: model.config.azure.tags,
    });
  }

  /** The vault's private endpoint, its DNS zone and the zone's link to the cluster VNet. */
  private buildPrivateEndpoint(model: EnvironmentModel): KeyVaultPrivateEndpoint | undefined {
    const endpoint = model.network.privateEndpoint;
    if (endpoint === undefined) return undefined;
    const subnetId = endpoint.subnetId ?? this.network?.privateEndpointSubnetId;
    if (subnetId === undefined) {
      throw new Error(
        `EnvironmentStack "${model.name}": the private endpoint has no subnet (the schema requires cluster.network or keyVault.privateEndpoint.subnetId; a bug)`,
      );
    }
    const zone = endpoint.dnsZone;
    return new KeyVaultPrivateEndpoint(this, 'key-vault-private-endpoint', {
      endpoint,
      keyVaultId: this.keyVault.id,
      subnetId,
      ...(this.network !== undefined ? { virtualNetworkId: this.network.virtualNetworkId } : {}),
      resourceGroupName: this.resourceGroup.name,
      location: model.config.azure.location,
      ...(zone.mode === 'existing' ? { zoneProvider: this.providers.forSubscription(zone.subscriptionId) } : {}),
      tags: model.config.azure.tags,
    });
  }

  /**
   * A vault's firewall rules: the file's subnets and, when the model says so, the cluster's node
   * subnet (`vault`: an additional vault's declared name; the environment's vault without it).
   */
  private vaultSubnetIds(model: EnvironmentModel, listed: readonly string[], vault?: string): string[] {
    const allows = vault === undefined ? model.network.firewallAllowsNodeSubnet : (model.network.additionalFirewallsAllowNodeSubnet ?? []).includes(vault);
    if (!allows || this.network === undefined) return [...listed];
    const node = this.network.nodeSubnetId;
    return listed.some((id) => id.toLowerCase() === node.toLowerCase()) ? [...listed] : [...listed, node];
  }

  /** The Key Vault: created in RBAC mode, or read. */
  private buildKeyVault(model: EnvironmentModel): KeyVaultStore {
    const { azure, keyVault } = model.config;
    if (keyVault.mode !== 'create') {
      return new KeyVaultStore(this, 'key-vault', {
        mode: 'existing',
        name: keyVault.name,
        resourceGroupName: keyVault.resourceGroup ?? this.resourceGroup.name,
        ...(keyVault.subscriptionId !== undefined ? { provider: this.providers.forSubscription(keyVault.subscriptionId) } : {}),
      });
    }
    return new KeyVaultStore(this, 'key-vault', {
      mode: 'create',
      name: keyVault.name,
      resourceGroupName: this.resourceGroup.name,
      location: azure.location,
      tenantId: this.tenantId,
      skuName: keyVault.sku,
      purgeProtectionEnabled: keyVault.purgeProtection,
      softDeleteRetentionDays: keyVault.softDeleteRetentionDays,
      publicNetworkAccessEnabled: keyVault.publicNetworkAccess,
      networkAcls: { ...keyVault.networkAcls, virtualNetworkSubnetIds: this.vaultSubnetIds(model, keyVault.networkAcls.virtualNetworkSubnetIds) },
      tags: azure.tags,
    });
  }

  /**
   * The vaults of `additionalVaults`: created with the environment vault's posture (RBAC, purge
   * protection, soft delete, a firewall that lets the node subnet in as the model says), or read.
   * Each at `azurerm_key_vault.<name>` (the name in lower case), so the environment's vault keeps
   * `azurerm_key_vault.this`.
   */
  private buildAdditionalVaults(model: EnvironmentModel): Map<string, KeyVaultStore> {
    const { azure } = model.config;
    const vaults = new Map<string, KeyVaultStore>();
    for (const v of model.config.additionalVaults ?? []) {
      const id = `key-vault-${v.name.toLowerCase()}`;
      const terraformName = v.name.toLowerCase();
      vaults.set(
        v.name,
        v.mode === 'existing'
          ? new KeyVaultStore(this, id, {
              mode: 'existing',
              terraformName,
              name: v.name,
              resourceGroupName: v.resourceGroup ?? this.resourceGroup.name,
              ...(v.subscriptionId !== undefined ? { provider: this.providers.forSubscription(v.subscriptionId) } : {}),
            })
          : new KeyVaultStore(this, id, {
              mode: 'create',
              terraformName,
              name: v.name,
              resourceGroupName: this.resourceGroup.name,
              location: azure.location,
              tenantId: this.tenantId,
              skuName: v.sku,
              purgeProtectionEnabled: v.purgeProtection,
              softDeleteRetentionDays: v.softDeleteRetentionDays,
              publicNetworkAccessEnabled: v.publicNetworkAccess,
              networkAcls: { ...v.networkAcls, virtualNetworkSubnetIds: this.vaultSubnetIds(model, v.networkAcls.virtualNetworkSubnetIds, v.name) },
              tags: azure.tags,
            }),
      );
    }
    return vaults;
  }

  /** One Workload Identity per identity of the model, by key. */
  private buildIdentities(model: EnvironmentModel): Map<string, WorkloadIdentity> {
    const identities = new Map<string, WorkloadIdentity>();
    for (const identity of model.identities) {
      identities.set(
        identity.key,
        new WorkloadIdentity(this, `identity-${identity.key}`, {
          identity,
          resourceGroupName: this.resourceGroup.name,
          location: model.config.azure.location,
          cluster: this.cluster,
          keyVault: this.keyVault,
          ...(this.additionalVaults.size > 0 ? { additionalVaults: this.additionalVaults } : {}),
          propagationWait: model.config.identity.propagationWait,
          tags: model.config.azure.tags,
        }),
      );
    }
    return identities;
  }

  /** The outputs contract: tenant, cloud, vault, issuer and each workload's identity, once the identities are ready. */
  private buildOutput(model: EnvironmentModel): ContractOutput {
    const workloads: Record<string, WorkloadOutputs> = {};
    for (const w of model.workloads) {
      const identity = this.identities.get(w.identityKey);
      if (identity === undefined) {
        throw new Error(
          `EnvironmentStack "${model.name}": workload "${w.name}" names identity "${w.identityKey}", which the model does not define (a bug in lib/model.ts)`,
        );
      }
      workloads[w.name] = { clientId: identity.clientId, identityName: identity.name, namespace: w.namespace, serviceAccount: w.serviceAccount };
    }
    const shared = model.sharedSecrets;
    const sharedIdentity = shared !== undefined ? this.identities.get(shared.identityKey) : undefined;
    return new ContractOutput(this, {
      environment: model.name,
      tenantId: this.tenantId,
      cloudName: model.csiCloudName,
      keyVault: { name: this.keyVault.name, uri: this.keyVault.uri },
      additionalVaults: [...this.additionalVaults.values()].map((v) => ({ name: v.name, uri: v.uri })),
      oidcIssuerUrl: this.cluster.oidcIssuerUrl,
      workloads,
      ...(shared !== undefined && sharedIdentity !== undefined
        ? {
            sharedSecrets: {
              clientId: sharedIdentity.clientId,
              identityName: sharedIdentity.name,
              serviceAccount: shared.serviceAccount,
              namespaces: [...shared.serviceAccountNamespaces],
            },
          }
        : {}),
      // A consumer reading the outputs after a deploy also finds the vault's private path in place.
      dependsOn: [...[...this.identities.values()].flatMap((i) => i.ready), ...(this.privateEndpoint?.ready ?? [])],
    });
  }

  /**
   * Escape hatch: cdktf's `prepareStack` resolves every element once before synthesis so that
   * cross-stack references can add outputs and remote-state data sources, then checks that a
   * backend exists. Our stacks never reference each other (one per environment, joined only
   * through the outputs contract) and always configure their backend (`StateBackend`), so
   * only the backend check is kept. That first resolve pass is ~45% of `App.synth` (0.5 s at
   * 20 environments × 25 workloads); tests prove the synthesized bytes are unchanged.
   */
  override prepareStack(): void {
    this.ensureBackendExists();
  }
}
