/**
 * The network path between the nodes and the vault, derived once from a validated environment:
 * the cluster's VNet and subnets, the vault's private endpoint and DNS zone, the firewall rule
 * for the node subnet, and the names of what the stack creates for them. The stack builds from
 * it, the trust diagram draws it, and the warnings about it are written here.
 */
import {
  fitName,
  KEY_VAULT_SERVICE_ENDPOINT,
  keyVaultPrivateDnsZone,
  PRIVATE_DNS_ZONE_LINK_NAME_MAX,
  privateDnsZoneIdParts,
  sameResourceId,
  subnetIdParts,
  VIRTUAL_NETWORK_NAME_MAX,
} from './azure';
import type { EnvironmentConfig } from './config/schema';

/** A subnet of the cluster's network: one the stack creates (prefix), or an existing one (id). */
export type SubnetModel =
  | { readonly mode: 'create'; readonly name: string; readonly prefix: string }
  | { readonly mode: 'existing'; readonly name: string; readonly id: string; readonly subscriptionId: string };

export interface ClusterNetworkModel {
  readonly mode: 'create' | 'existing';
  readonly virtualNetworkName: string;
  /** The address space of a created VNet. */
  readonly addressSpace?: string;
  /** The id of an existing VNet (derived from the node subnet's id). */
  readonly virtualNetworkId?: string;
  readonly nodeSubnet: SubnetModel;
  readonly privateEndpointSubnet: SubnetModel;
  /**
   * The node subnet carries the `Microsoft.KeyVault` service endpoint: the vault's firewall names
   * it. The stack adds the endpoint to a subnet it creates and checks an existing one at plan time.
   */
  readonly keyVaultServiceEndpoint: boolean;
  /** The user-assigned identity of the cluster's control plane, which gets a role on the node subnet (created clusters). */
  readonly controlPlaneIdentityName?: string;
}

export type PrivateDnsZoneModel =
  | { readonly mode: 'create'; readonly name: string }
  | {
      readonly mode: 'existing';
      readonly name: string;
      readonly id: string;
      readonly subscriptionId: string;
      readonly resourceGroup: string;
      /** Whether the stack links the zone to the cluster VNet. */
      readonly link: boolean;
    };

export interface PrivateEndpointModel {
  readonly name: string;
  readonly connectionName: string;
  /** Name of the endpoint's DNS zone group. */
  readonly zoneGroupName: string;
  /** An explicit subnet id; undefined: the private-endpoint subnet of the cluster network. */
  readonly subnetId?: string;
  readonly dnsZone: PrivateDnsZoneModel;
  /** Name of the zone's link to the cluster VNet (when the stack links it). */
  readonly linkName: string;
}

export interface VaultNetworkModel {
  /** The cluster's network, when the file states it. */
  readonly cluster?: ClusterNetworkModel;
  readonly privateEndpoint?: PrivateEndpointModel;
  /** The created vault's firewall lets the cluster's node subnet through (public vault, Deny, no private endpoint). */
  readonly firewallAllowsNodeSubnet: boolean;
  /**
   * The same for the created vaults of `additionalVaults`, by declared name (none has a private
   * endpoint); the node subnet then carries the Key Vault service endpoint too.
   * @default - none
   */
  readonly additionalFirewallsAllowNodeSubnet?: readonly string[];
}

/** Names of the subnets the stack creates. */
export const CREATED_SUBNET_NAMES = { nodes: 'snet-aks-nodes', privateEndpoints: 'snet-private-endpoints' } as const;

/**
 * The control-plane identity of a cluster: `id-<cluster>_control-plane`. Workload identities are
 * `id-<environment>-<workload>` and neither part holds "_", so the two can never collide.
 */
export function controlPlaneIdentityName(clusterName: string): string {
  return `id-${clusterName}_control-plane`;
}

/** Derives the network path of a validated environment. Pure. */
export function deriveVaultNetwork(config: EnvironmentConfig): VaultNetworkModel {
  const kv = config.keyVault;
  const privateEndpoint = kv.privateEndpoint !== undefined ? privateEndpointOf(config) : undefined;
  const firewallAllowsNodeSubnet =
    kv.mode === 'create' &&
    kv.publicNetworkAccess &&
    kv.networkAcls.defaultAction === 'Deny' &&
    privateEndpoint === undefined &&
    config.cluster.network !== undefined;
  const additional = (config.additionalVaults ?? [])
    .filter((v) => v.mode === 'create' && v.publicNetworkAccess && v.networkAcls.defaultAction === 'Deny' && config.cluster.network !== undefined)
    .map((v) => v.name);
  const cluster = clusterNetworkOf(config, firewallAllowsNodeSubnet || additional.length > 0);
  return {
    ...(cluster !== undefined ? { cluster } : {}),
    ...(privateEndpoint !== undefined ? { privateEndpoint } : {}),
    firewallAllowsNodeSubnet,
    ...(additional.length > 0 ? { additionalFirewallsAllowNodeSubnet: additional } : {}),
  };
}

/** The parts of an id the schema checked; a value that reaches here unchecked (library use) is refused naming it. */
function checked<T>(parts: T | undefined, what: string, id: string): T {
  if (parts === undefined) throw new Error(`${what} ${JSON.stringify(id)} is not a ${what} (the environment schema refuses it)`);
  return parts;
}

function existingSubnet(id: string): SubnetModel {
  const parts = checked(subnetIdParts(id), 'subnet resource id', id);
  return { mode: 'existing', name: parts.subnet, id, subscriptionId: parts.subscriptionId };
}

function clusterNetworkOf(config: EnvironmentConfig, keyVaultServiceEndpoint: boolean): ClusterNetworkModel | undefined {
  const c = config.cluster;
  const n = c.network;
  if (n === undefined) return undefined;
  const controlPlane = c.mode === 'create' ? { controlPlaneIdentityName: controlPlaneIdentityName(c.name) } : {};
  if (n.mode === 'create') {
    return {
      mode: 'create',
      virtualNetworkName: fitName(`vnet-${c.name}`, VIRTUAL_NETWORK_NAME_MAX),
      addressSpace: n.addressSpace,
      nodeSubnet: { mode: 'create', name: CREATED_SUBNET_NAMES.nodes, prefix: n.nodeSubnet },
      privateEndpointSubnet: { mode: 'create', name: CREATED_SUBNET_NAMES.privateEndpoints, prefix: n.privateEndpointSubnet },
      keyVaultServiceEndpoint,
      ...controlPlane,
    };
  }
  const node = checked(subnetIdParts(n.nodeSubnetId), 'subnet resource id', n.nodeSubnetId);
  return {
    mode: 'existing',
    virtualNetworkName: node.virtualNetwork,
    virtualNetworkId: node.virtualNetworkId,
    nodeSubnet: existingSubnet(n.nodeSubnetId),
    privateEndpointSubnet: existingSubnet(n.privateEndpointSubnetId ?? n.nodeSubnetId),
    keyVaultServiceEndpoint,
    ...controlPlane,
  };
}

function privateEndpointOf(config: EnvironmentConfig): PrivateEndpointModel {
  const kv = config.keyVault;
  const pe = kv.privateEndpoint!;
  const zoneName = keyVaultPrivateDnsZone(config.azure.cloud);
  let dnsZone: PrivateDnsZoneModel;
  if (pe.dnsZone.mode === 'create') {
    dnsZone = { mode: 'create', name: zoneName };
  } else {
    const parts = checked(privateDnsZoneIdParts(pe.dnsZone.id), 'private DNS zone resource id', pe.dnsZone.id);
    dnsZone = {
      mode: 'existing',
      name: parts.name,
      id: pe.dnsZone.id,
      subscriptionId: parts.subscriptionId,
      resourceGroup: parts.resourceGroup,
      link: pe.dnsZone.linkVirtualNetwork,
    };
  }
  const n = config.cluster.network;
  const vnet =
    n === undefined
      ? kv.name
      : n.mode === 'create'
        ? fitName(`vnet-${config.cluster.name}`, VIRTUAL_NETWORK_NAME_MAX)
        : checked(subnetIdParts(n.nodeSubnetId), 'subnet resource id', n.nodeSubnetId).virtualNetwork;
  return {
    name: `pe-${kv.name}`,
    connectionName: `psc-${kv.name}`,
    zoneGroupName: 'default',
    ...(pe.subnetId !== undefined ? { subnetId: pe.subnetId } : {}),
    dnsZone,
    // Unique per zone: a hub zone holds the links of many spokes.
    linkName: fitName(`link-${vnet}`, PRIVATE_DNS_ZONE_LINK_NAME_MAX),
  };
}

/** A warning about the network path (lib/model.ts adds its code to `WarningCode`). */
export interface NetworkWarning {
  readonly code: 'vault-rules-ignored' | 'vault-subnet-not-cluster' | 'vault-firewall-deny';
  readonly path: string;
  readonly message: string;
}

/** What the network path leaves unreachable or ineffective, said before anything is deployed. */
export function networkWarnings(config: EnvironmentConfig, network: VaultNetworkModel): NetworkWarning[] {
  return vaultFirewallWarnings(config, network);
}

function vaultFirewallWarnings(config: EnvironmentConfig, network: VaultNetworkModel): NetworkWarning[] {
  const kv = config.keyVault;
  if (kv.mode !== 'create') return [];
  const acls = kv.networkAcls;
  const out: NetworkWarning[] = [];
  if (!kv.publicNetworkAccess) {
    if (acls.ipRules.length > 0 || acls.virtualNetworkSubnetIds.length > 0) {
      out.push({
        code: 'vault-rules-ignored',
        path: 'keyVault.networkAcls',
        message: `publicNetworkAccess is false, so Azure ignores the firewall's ${[acls.ipRules.length > 0 ? `${acls.ipRules.length} IP rule(s)` : '', acls.virtualNetworkSubnetIds.length > 0 ? `${acls.virtualNetworkSubnetIds.length} subnet rule(s)` : ''].filter((s) => s !== '').join(' and ')}: only the private endpoint answers; remove them, or turn public access on`,
      });
    }
    return out;
  }
  const node = network.cluster?.nodeSubnet;
  acls.virtualNetworkSubnetIds.forEach((id, j) => {
    if (node?.mode === 'existing' && sameResourceId(node.id, id)) return;
    const parts = subnetIdParts(id);
    const why =
      network.cluster === undefined
        ? "cluster.network is not set, so it cannot be the node subnet the stack knows (AKS manages the cluster's VNet)"
        : node?.mode === 'create'
          ? 'the cluster runs in the VNet the stack creates, whose node subnet the firewall lets in by itself'
          : `the cluster's node subnet is "${node?.name ?? ''}"`;
    out.push({
      code: 'vault-subnet-not-cluster',
      path: `keyVault.networkAcls.virtualNetworkSubnetIds[${j}]`,
      message: `subnet "${parts?.subnet ?? id}" is not the cluster's node subnet (${why}); the CSI driver fetches from the nodes, so this rule lets other clients in but not the driver: set cluster.network to the cluster's subnets, or remove the rule`,
    });
  });
  const anySubnet = acls.virtualNetworkSubnetIds.length > 0 || network.firewallAllowsNodeSubnet;
  if (acls.defaultAction === 'Deny' && !anySubnet && network.privateEndpoint === undefined) {
    out.push({
      code: 'vault-firewall-deny',
      path: 'keyVault.networkAcls.defaultAction',
      message: `the vault firewall denies by default and lets no subnet in: pods will get 403 ForbiddenByFirewall unless the node subnet is allowed (set cluster.network; the firewall then lets its node subnet in, with the ${KEY_VAULT_SERVICE_ENDPOINT} service endpoint) or a private endpoint exists (keyVault.privateEndpoint)`,
    });
  }
  return out;
}

/**
 * How the nodes' Key Vault requests reach the vault (the CSI driver's Azure provider and the
 * delivery engines fetch from the cluster, so requests leave from the node subnet): through the
 * private endpoint, over the public endpoint behind the vault's firewall, over the public endpoint
 * open to all networks, or through an existing vault's settings the stack does not manage.
 */
export type VaultNetworkPath =
  | {
      readonly kind: 'private-endpoint';
      readonly endpoint: PrivateEndpointModel;
      /** Name of the endpoint's subnet. */
      readonly endpointSubnet: string;
      /** Whether the created vault keeps its public endpoint too; undefined for an existing vault. */
      readonly publicNetworkAccess: boolean | undefined;
    }
  | {
      readonly kind: 'public-firewall';
      readonly bypass: 'AzureServices' | 'None';
      /** Subnet rules, the node subnet the stack adds included. */
      readonly subnetRules: number;
      readonly ipRules: number;
      /** Whether a subnet rule names the cluster's node subnet. */
      readonly nodeSubnetAllowed: boolean;
    }
  | { readonly kind: 'public-open' }
  | { readonly kind: 'unmanaged' };

/** The path of a validated environment's Key Vault requests, as the stack builds it. Pure. */
export function vaultNetworkPath(config: EnvironmentConfig, network: VaultNetworkModel): VaultNetworkPath {
  const kv = config.keyVault;
  if (network.privateEndpoint !== undefined) {
    const e = network.privateEndpoint;
    const endpointSubnet =
      e.subnetId !== undefined ? (subnetIdParts(e.subnetId)?.subnet ?? e.subnetId) : (network.cluster?.privateEndpointSubnet.name ?? 'the node subnet');
    return { kind: 'private-endpoint', endpoint: e, endpointSubnet, publicNetworkAccess: kv.mode === 'create' ? kv.publicNetworkAccess : undefined };
  }
  if (kv.mode !== 'create') return { kind: 'unmanaged' };
  const acls = kv.networkAcls;
  if (acls.defaultAction === 'Allow') return { kind: 'public-open' };
  const node = network.cluster?.nodeSubnet;
  const listedNode = node?.mode === 'existing' && acls.virtualNetworkSubnetIds.some((id) => sameResourceId(id, node.id));
  const added = network.firewallAllowsNodeSubnet && !listedNode;
  return {
    kind: 'public-firewall',
    bypass: acls.bypass,
    subnetRules: acls.virtualNetworkSubnetIds.length + (added ? 1 : 0),
    ipRules: acls.ipRules.length,
    nodeSubnetAllowed: network.firewallAllowsNodeSubnet || listedNode,
  };
}
