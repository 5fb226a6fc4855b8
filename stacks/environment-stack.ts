import { DataAzurermClientConfig } from '@cdktf/provider-azurerm/lib/data-azurerm-client-config';
import { TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import type { EnvironmentModel } from '../lib/model';
import type { WorkloadOutputs } from '../lib/outputs/contract';
import { AksCluster } from './aks-cluster';
import { AzureProviders } from './azure-providers';
import { ContractOutput } from './contract-output';
import { EnvironmentResourceGroup } from './environment-resource-group';
import { KeyVaultStore } from './key-vault-store';
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
  readonly cluster: AksCluster;
  readonly keyVault: KeyVaultStore;
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

    this.cluster = this.buildCluster(model);
    this.keyVault = this.buildKeyVault(model);
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
      networkPlugin: cluster.networkPlugin,
      oidcIssuerEnabled: cluster.oidcIssuer,
      workloadIdentityEnabled: cluster.workloadIdentity,
      secretRotationEnabled: rotation.enabled,
      secretRotationInterval: rotation.interval,
      tags: azure.tags,
    });
  }

  /** The Key Vault: created in RBAC mode, or read. */
  private buildKeyVault(model: EnvironmentModel): KeyVaultStore {
    const { azure, keyVault } = model.config;
    if (keyVault.mode !== 'create') {
      return new KeyVaultStore(this, 'key-vault', {
        mode: 'existing',
        name: keyVault.name,
        resourceGroupName: keyVault.resourceGroup ?? this.resourceGroup.name,
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
      networkAcls: keyVault.networkAcls,
      tags: azure.tags,
    });
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
      dependsOn: [...this.identities.values()].flatMap((i) => i.ready),
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
