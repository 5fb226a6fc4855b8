import { DataAzurermSubnet } from '@cdktf/provider-azurerm/lib/data-azurerm-subnet';
import type { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { Subnet } from '@cdktf/provider-azurerm/lib/subnet';
import { VirtualNetwork } from '@cdktf/provider-azurerm/lib/virtual-network';
import { Token } from 'cdktf';
import { Construct } from 'constructs';
import {
  IPV4_CIDR_RULE,
  KEY_VAULT_SERVICE_ENDPOINT,
  SUBNET_ID_RULE,
  SUBNET_NAME_RULE,
  subnetIdParts,
  SUBNET_SIZE_RULE,
  VIRTUAL_NETWORK_NAME_RULE,
} from '../lib/azure';
import type { ClusterNetworkModel } from '../lib/network-model';
import { assertRule } from '../lib/rule';
import { pinAddress } from './terraform-address';

export interface ClusterNetworkProps {
  /** The network as lib/network-model.ts derived it: created (names and prefixes) or existing (subnet ids). */
  readonly network: ClusterNetworkModel;
  /** Resource group of a created VNet (a Terraform reference, so the group exists first). */
  readonly resourceGroupName: string;
  readonly location: string;
  /**
   * The provider for an existing subnet's subscription (`AzureProviders.forSubscription`), used
   * to read the node subnet when the vault's firewall names it.
   * @default - the default provider
   */
  readonly providerFor?: (subscriptionId: string) => AzurermProvider;
  /** @default {} */
  readonly tags?: Readonly<Record<string, string>>;
}

/**
 * The cluster's virtual network: a VNet with a node subnet and a private-endpoint subnet, or the
 * existing subnets named by id. When the vault's firewall lets the node subnet in, a created
 * node subnet gets the `Microsoft.KeyVault` service endpoint, and an existing one is read with a
 * plan-time check that it has it (without it Azure refuses the firewall rule).
 * @see https://learn.microsoft.com/azure/aks/configure-azure-cni
 * @see https://learn.microsoft.com/azure/key-vault/general/network-security
 */
export class ClusterNetwork extends Construct {
  /** The node subnet's id (a Terraform reference for a created subnet, the literal id otherwise). */
  readonly nodeSubnetId: string;
  /** The private-endpoint subnet's id. */
  readonly privateEndpointSubnetId: string;
  /** The VNet's id: what a private DNS zone links to. */
  readonly virtualNetworkId: string;
  readonly virtualNetworkName: string;
  readonly created: boolean;
  readonly virtualNetwork?: VirtualNetwork;
  readonly nodeSubnet?: Subnet;
  readonly privateEndpointSubnet?: Subnet;
  /** The existing node subnet, read for its plan-time check (when the vault firewall names it). */
  readonly nodeSubnetData?: DataAzurermSubnet;

  constructor(scope: Construct, id: string, props: ClusterNetworkProps) {
    super(scope, id);
    const n = props.network;
    this.created = n.mode === 'create';
    this.virtualNetworkName = n.virtualNetworkName;
    if (n.nodeSubnet.mode === 'create' && n.privateEndpointSubnet.mode === 'create') {
      validateCreated(n);
      const vnet = pinAddress(
        new VirtualNetwork(this, 'vnet', {
          name: n.virtualNetworkName,
          resourceGroupName: props.resourceGroupName,
          location: props.location,
          addressSpace: [n.addressSpace!],
          tags: { ...(props.tags ?? {}) },
        }),
        'this',
      );
      const subnet = (cid: string, address: string, name: string, prefix: string, serviceEndpoints: string[]) =>
        pinAddress(
          new Subnet(this, cid, {
            name,
            resourceGroupName: props.resourceGroupName,
            virtualNetworkName: vnet.name,
            addressPrefixes: [prefix],
            ...(serviceEndpoints.length > 0 ? { serviceEndpoints } : {}),
          }),
          address,
        );
      this.virtualNetwork = vnet;
      this.nodeSubnet = subnet('nodes', 'nodes', n.nodeSubnet.name, n.nodeSubnet.prefix, n.keyVaultServiceEndpoint ? [KEY_VAULT_SERVICE_ENDPOINT] : []);
      this.privateEndpointSubnet = subnet('private-endpoints', 'private_endpoints', n.privateEndpointSubnet.name, n.privateEndpointSubnet.prefix, []);
      this.nodeSubnetId = this.nodeSubnet.id;
      this.privateEndpointSubnetId = this.privateEndpointSubnet.id;
      this.virtualNetworkId = vnet.id;
      return;
    }
    if (n.nodeSubnet.mode !== 'existing' || n.privateEndpointSubnet.mode !== 'existing' || n.virtualNetworkId === undefined) {
      throw new Error(`ClusterNetwork "${n.virtualNetworkName}": a network is created or existing as a whole (a bug in lib/network-model.ts)`);
    }
    for (const subnetId of [n.nodeSubnet.id, n.privateEndpointSubnet.id]) {
      if (!Token.isUnresolved(subnetId)) assertRule(SUBNET_ID_RULE, subnetId, `ClusterNetwork "${n.virtualNetworkName}"`);
    }
    this.nodeSubnetId = n.nodeSubnet.id;
    this.privateEndpointSubnetId = n.privateEndpointSubnet.id;
    this.virtualNetworkId = n.virtualNetworkId;
    if (n.keyVaultServiceEndpoint) this.nodeSubnetData = readNodeSubnet(this, n.nodeSubnet.id, props);
  }
}

/** The existing node subnet, with a plan-time check that it has the Key Vault service endpoint. */
function readNodeSubnet(scope: Construct, subnetId: string, props: ClusterNetworkProps): DataAzurermSubnet {
  const parts = subnetIdParts(subnetId)!;
  const provider = props.providerFor?.(parts.subscriptionId);
  return pinAddress(
    new DataAzurermSubnet(scope, 'node-subnet', {
      name: parts.subnet,
      virtualNetworkName: parts.virtualNetwork,
      resourceGroupName: parts.resourceGroup,
      ...(provider !== undefined ? { provider } : {}),
      lifecycle: {
        postcondition: [
          {
            // Raw HCL on `self`: cdktf has no typed reference to it inside lifecycle blocks.
            condition: `\${contains(self.service_endpoints, "${KEY_VAULT_SERVICE_ENDPOINT}")}`,
            errorMessage: `The node subnet "${parts.subnet}" (VNet "${parts.virtualNetwork}") has no ${KEY_VAULT_SERVICE_ENDPOINT} service endpoint, so Azure refuses the vault's firewall rule for it: run "az network vnet subnet update -g ${parts.resourceGroup} --vnet-name ${parts.virtualNetwork} -n ${parts.subnet} --service-endpoints ${KEY_VAULT_SERVICE_ENDPOINT}".`,
          },
        ],
      },
    }),
    'nodes',
  );
}

function validateCreated(n: ClusterNetworkModel): void {
  const where = `ClusterNetwork "${n.virtualNetworkName}"`;
  assertRule(VIRTUAL_NETWORK_NAME_RULE, n.virtualNetworkName, where);
  assertRule(IPV4_CIDR_RULE, n.addressSpace!, where);
  for (const s of [n.nodeSubnet, n.privateEndpointSubnet]) {
    if (s.mode !== 'create') continue;
    assertRule(SUBNET_NAME_RULE, s.name, where);
    assertRule(IPV4_CIDR_RULE, s.prefix, where);
    assertRule(SUBNET_SIZE_RULE, s.prefix, where);
  }
}
