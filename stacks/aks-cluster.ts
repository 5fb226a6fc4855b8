import { DataAzurermKubernetesCluster } from '@cdktf/provider-azurerm/lib/data-azurerm-kubernetes-cluster';
import { KubernetesCluster } from '@cdktf/provider-azurerm/lib/kubernetes-cluster';
import { Token, type Postcondition } from 'cdktf';
import { Construct } from 'constructs';
import { AKS_DNS_PREFIX_RULE, AKS_NAME_RULE, AKS_NODE_RESOURCE_GROUP_RULE, aksDnsPrefixFor, VM_SIZE_RULE } from '../lib/azure';
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
   * `azure`, `kubenet` or `none` (the schema resolves the default, `azure`).
   * @see https://learn.microsoft.com/azure/aks/concepts-network
   */
  readonly networkPlugin: string;
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
        },
        identity: { type: 'SystemAssigned' },
        networkProfile: { networkPlugin: props.networkPlugin },
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
