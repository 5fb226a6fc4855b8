/**
 * Cross-field rules of the production posture: the cluster network, the private vault, the
 * hardening defaults and the reasons that must accompany every relaxation. Each returns the
 * violations with the YAML path they concern; lib/config/rules.ts runs them with the others.
 */
import {
  AKS_DEFAULT_CIDRS,
  AKS_NETWORK_POLICY_PLUGIN_RULE,
  AKS_NODE_IMAGE_CHANNEL_RULE,
  AKS_NODE_SUBNET_PODS_PER_NODE,
  cidrContains,
  cidrsOverlap,
  IPV4_CIDR_RULE,
  keyVaultPrivateDnsZone,
  privateDnsZoneIdParts,
  subnetUsableAddresses,
} from '../azure';
import type { EnvironmentConfig } from './schema';
import type { RuleViolation } from './rules';

type Path = readonly (string | number)[];

/** A relaxed control and the path of the reason it needs. */
interface Relaxation {
  readonly relaxed: boolean;
  readonly reason: string | undefined;
  readonly path: Path;
  /** What is relaxed, for the message: `local accounts are on`. */
  readonly what: string;
}

/** Every control of the posture that may be relaxed only with a reason. */
function relaxations(env: EnvironmentConfig): Relaxation[] {
  const out: Relaxation[] = [];
  const c = env.cluster;
  if (c.mode === 'create') {
    out.push(
      {
        relaxed: c.networkPolicy.engine === 'none',
        reason: c.networkPolicy.reason,
        path: ['cluster', 'networkPolicy', 'reason'],
        what: 'no network policy engine enforces the NetworkPolicies',
      },
      {
        relaxed: c.localAccounts.enabled,
        reason: c.localAccounts.reason,
        path: ['cluster', 'localAccounts', 'reason'],
        what: 'local accounts give a static cluster-admin kubeconfig that bypasses Entra ID',
      },
      {
        relaxed: !c.entraId.azureRbac,
        reason: c.entraId.reason,
        path: ['cluster', 'entraId', 'reason'],
        what: 'Kubernetes requests are not authorized with Azure RBAC',
      },
      {
        relaxed: c.upgrades.automatic === 'none' || c.upgrades.nodeOs === 'None' || c.upgrades.nodeOs === 'Unmanaged',
        reason: c.upgrades.reason,
        path: ['cluster', 'upgrades', 'reason'],
        what: `upgrades are not managed (automatic: ${c.upgrades.automatic}, nodeOs: ${c.upgrades.nodeOs})`,
      },
    );
  }
  env.workloads.forEach((w, i) => {
    const np = w.deployment.networkPolicy;
    out.push({
      relaxed: !np.enabled,
      reason: np.reason,
      path: ['workloads', i, 'deployment', 'networkPolicy', 'reason'],
      what: `the pods of "${w.name}" get no NetworkPolicy (any pod may reach every port they listen on)`,
    });
  });
  return out;
}

/** A relaxed control without a reason. */
function relaxationsExplained(env: EnvironmentConfig): RuleViolation[] {
  return relaxations(env)
    .filter((r) => r.relaxed && r.reason === undefined)
    .map((r) => ({ path: r.path, message: `${r.what}: say why in ${r.path.join('.')}, or restore the secure default` }));
}

/** The network policy engine runs with the network plugin. */
function networkPolicyFitsPlugin(env: EnvironmentConfig): RuleViolation[] {
  const c = env.cluster;
  if (c.mode !== 'create') return [];
  const value = { policy: c.networkPolicy.engine, plugin: c.networkPlugin };
  if (AKS_NETWORK_POLICY_PLUGIN_RULE.test(value)) return [];
  return [
    {
      path: ['cluster', 'networkPolicy', 'engine'],
      received: c.networkPolicy.engine,
      message: `does not run with networkPlugin "${c.networkPlugin}": ${AKS_NETWORK_POLICY_PLUGIN_RULE.fix}`,
    },
  ];
}

function upgradeChannelsAgree(env: EnvironmentConfig): RuleViolation[] {
  const c = env.cluster;
  if (c.mode !== 'create' || AKS_NODE_IMAGE_CHANNEL_RULE.test(c.upgrades)) return [];
  return [{ path: ['cluster', 'upgrades', 'nodeOs'], received: c.upgrades.nodeOs, message: AKS_NODE_IMAGE_CHANNEL_RULE.fix }];
}

/** A private API server has no public endpoint for authorized ranges to restrict. */
function apiServerAccessConsistent(env: EnvironmentConfig): RuleViolation[] {
  const c = env.cluster;
  if (c.mode !== 'create' || !c.apiServer.private || c.apiServer.authorizedIpRanges.length === 0) return [];
  return [
    {
      path: ['cluster', 'apiServer', 'authorizedIpRanges'],
      message: 'a private API server has no public endpoint for authorized ranges to restrict: remove authorizedIpRanges, or set private: false',
    },
  ];
}

/**
 * A created VNet: both subnets inside the address space and apart, no overlap with the ranges
 * AKS uses inside the cluster, and room in the node subnet for the nodes (and, with Azure CNI
 * Node Subnet, their pods) plus one surge node during upgrades.
 */
function createdNetworkFits(env: EnvironmentConfig): RuleViolation[] {
  const c = env.cluster;
  if (c.mode !== 'create' || c.network?.mode !== 'create') return [];
  const n = c.network;
  const at = (field: string): Path => ['cluster', 'network', field];
  // A range that breaks its own rule has its message already.
  if (![n.addressSpace, n.nodeSubnet, n.privateEndpointSubnet].every((r) => IPV4_CIDR_RULE.test(r))) return [];
  const out: RuleViolation[] = [];
  for (const field of ['nodeSubnet', 'privateEndpointSubnet'] as const) {
    if (!cidrContains(n.addressSpace, n[field])) {
      out.push({ path: at(field), received: n[field], message: `is not inside addressSpace ${n.addressSpace}: use a range of the VNet` });
    }
  }
  if (cidrsOverlap(n.nodeSubnet, n.privateEndpointSubnet)) {
    out.push({
      path: at('privateEndpointSubnet'),
      received: n.privateEndpointSubnet,
      message: `overlaps nodeSubnet ${n.nodeSubnet}: give each subnet its own range`,
    });
  }
  const reserved = [
    ['the AKS service range', AKS_DEFAULT_CIDRS.service],
    ...(c.networkPlugin === 'azure-overlay' ? [['the overlay pod range', AKS_DEFAULT_CIDRS.overlayPod]] : []),
  ];
  for (const [what, range] of reserved) {
    if (cidrsOverlap(n.addressSpace, range)) {
      out.push({
        path: at('addressSpace'),
        received: n.addressSpace,
        message: `overlaps ${what} ${range}, which AKS uses inside the cluster and refuses to share with the VNet: use another range, such as 10.224.0.0/16`,
      });
    }
  }
  const podsPerNode = c.networkPlugin === 'azure' ? AKS_NODE_SUBNET_PODS_PER_NODE : 0;
  const nodes = c.systemNodePool.nodeCount + 1;
  const needed = nodes * (1 + podsPerNode);
  if (subnetUsableAddresses(n.nodeSubnet) < needed) {
    out.push({
      path: at('nodeSubnet'),
      received: n.nodeSubnet,
      message: `holds ${subnetUsableAddresses(n.nodeSubnet)} usable addresses, but ${nodes} nodes (nodeCount + 1 during upgrades)${podsPerNode > 0 ? ` with ${podsPerNode} pods each (Azure CNI Node Subnet)` : ''} need ${needed}: use a larger range`,
    });
  }
  return out;
}

/** The cluster's network as the file states it (created, existing, or unknown). */
function clusterNetwork(env: EnvironmentConfig) {
  return env.cluster.network;
}

/**
 * A vault without public access is reachable only through a private endpoint, and a private
 * endpoint needs a subnet and a VNet its DNS zone is linked to.
 */
function privateVaultReachable(env: EnvironmentConfig): RuleViolation[] {
  const kv = env.keyVault;
  const out: RuleViolation[] = [];
  if (kv.mode === 'create' && !kv.publicNetworkAccess && kv.privateEndpoint === undefined) {
    out.push({
      path: ['keyVault', 'publicNetworkAccess'],
      received: false,
      message:
        'with public network access off the vault answers only through a private endpoint, and there is none, so no pod could read a secret: add keyVault.privateEndpoint (with cluster.network), or set publicNetworkAccess: true',
    });
  }
  const pe = kv.privateEndpoint;
  if (pe === undefined) return out;
  const network = clusterNetwork(env);
  if (pe.subnetId === undefined && network === undefined) {
    out.push({
      path: ['keyVault', 'privateEndpoint'],
      message: 'a private endpoint needs a subnet: set cluster.network (its private-endpoint subnet is used) or keyVault.privateEndpoint.subnetId',
    });
  }
  const links = pe.dnsZone.mode === 'create' || pe.dnsZone.linkVirtualNetwork;
  if (links && network === undefined) {
    out.push({
      path: ['keyVault', 'privateEndpoint', 'dnsZone'],
      message:
        "the private DNS zone must be linked to the cluster's VNet, or the nodes resolve the vault's public address: set cluster.network (or, with an existing zone the hub links, linkVirtualNetwork: false)",
    });
  }
  if (pe.dnsZone.mode === 'existing') {
    const zone = privateDnsZoneIdParts(pe.dnsZone.id);
    const expected = keyVaultPrivateDnsZone(env.azure.cloud);
    if (zone !== undefined && zone.name.toLowerCase() !== expected) {
      out.push({
        path: ['keyVault', 'privateEndpoint', 'dnsZone', 'id'],
        received: pe.dnsZone.id,
        message: `names zone "${zone.name}", but Key Vault private endpoints in the ${env.azure.cloud} cloud register in "${expected}": use that zone`,
      });
    }
  }
  return out;
}

/** Defender reports to a workspace. */
function defenderHasWorkspace(env: EnvironmentConfig): RuleViolation[] {
  const c = env.cluster;
  if (c.mode !== 'create' || !c.defender || env.logAnalytics !== undefined) return [];
  return [
    { path: ['cluster', 'defender'], received: true, message: "Defender's sensor reports to a Log Analytics workspace: set logAnalytics, or defender: false" },
  ];
}

/** The posture rules over the whole environment, in the order their violations are reported. */
export const POSTURE_RULES: readonly ((env: EnvironmentConfig) => RuleViolation[])[] = [
  relaxationsExplained,
  networkPolicyFitsPlugin,
  upgradeChannelsAgree,
  apiServerAccessConsistent,
  createdNetworkFits,
  privateVaultReachable,
  defenderHasWorkspace,
];

type Workload = EnvironmentConfig['workloads'][number];

/** Probes that name a port name one of the container's ports: the kubelet cannot resolve another name. */
export function probePortsDeclared(w: Workload, i: number): RuleViolation[] {
  const d = w.deployment;
  const names = d.ports.map((p) => p.name).filter((n): n is string => n !== undefined);
  return (['livenessProbe', 'readinessProbe'] as const).flatMap((probe) => {
    const port = d[probe]?.port;
    if (typeof port !== 'string' || names.includes(port)) return [];
    return [
      {
        path: ['workloads', i, 'deployment', probe, 'port'],
        received: port,
        message: `names no port of deployment.ports (the kubelet cannot resolve it and the probe fails): use ${names.length > 0 ? `one of ${names.map((n) => `"${n}"`).join(', ')} or ` : ''}a port number`,
      },
    ];
  });
}
