/**
 * The production-posture rules of the environment file (lib/config/posture-rules.ts, with the
 * facts of lib/azure.ts): the cluster network, the private vault, the hardening defaults and the
 * reasons every relaxation needs. One `fails ...` test per rule, asserting path, received value,
 * message and line:col, with the rule's upstream source named beside it; the warnings about the
 * network path (lib/network-model.ts) too.
 */
import { deriveEnvironment } from '../../../lib/model';
import { expectFails, load, minimalVariant, shown, type Doc } from '../../support/config';

const derive = (source: string) => deriveEnvironment('dev', 'environments/dev.yaml', load(source));
const subnet = (name: string) =>
  `/subscriptions/00000000-0000-0000-0000-00000000cafe/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet-a/subnets/${name}`;
const zone = (name: string) =>
  `/subscriptions/00000000-0000-0000-0000-0000000000b0/resourceGroups/rg-hub-dns/providers/Microsoft.Network/privateDnsZones/${name}`;
/** A private vault in a VNet the stack creates: valid, the base of the network variants. */
const privateVault = (edit: (d: Doc) => void = () => undefined) =>
  minimalVariant((d) => {
    d.cluster.network = { mode: 'create' };
    d.keyVault.publicNetworkAccess = false;
    d.keyVault.privateEndpoint = {};
    edit(d);
  });

describe('keyVault.privateEndpoint (https://learn.microsoft.com/azure/key-vault/general/private-link-service)', () => {
  test('a private vault in a created VNet loads', () => {
    expect(load(privateVault()).keyVault.privateEndpoint).toStrictEqual({ dnsZone: { mode: 'create' } });
  });

  // FACTS: "A Key Vault with public network access off is reachable only through a private endpoint".
  test('fails public network access off without a private endpoint', () => {
    const source = minimalVariant((d) => (d.keyVault.publicNetworkAccess = false));
    expectFails(source, {
      path: 'keyVault.publicNetworkAccess',
      received: 'false',
      message:
        'with public network access off the vault answers only through a private endpoint, and there is none, so no pod could read a secret: add keyVault.privateEndpoint (with cluster.network), or set publicNetworkAccess: true',
      at: ['publicNetworkAccess:'],
    });
  });

  test('fails a private endpoint without a subnet: no cluster.network and no subnetId', () => {
    const privateEndpoint = { dnsZone: { mode: 'existing', id: zone('privatelink.vaultcore.azure.net'), linkVirtualNetwork: false } };
    const source = minimalVariant((d) => (d.keyVault.privateEndpoint = privateEndpoint));
    expectFails(source, {
      path: 'keyVault.privateEndpoint',
      received: shown(privateEndpoint),
      message: 'a private endpoint needs a subnet: set cluster.network (its private-endpoint subnet is used) or keyVault.privateEndpoint.subnetId',
      at: ['privateEndpoint:'],
    });
  });

  // https://learn.microsoft.com/azure/private-link/private-endpoint-dns: the zone must be linked to the VNet the clients resolve in.
  test('fails a DNS zone the stack would link to a VNet it does not know', () => {
    const source = minimalVariant((d) => (d.keyVault.privateEndpoint = { subnetId: subnet('pe') }));
    expectFails(source, {
      path: 'keyVault.privateEndpoint.dnsZone',
      message:
        "the private DNS zone must be linked to the cluster's VNet, or the nodes resolve the vault's public address: set cluster.network (or, with an existing zone the hub links, linkVirtualNetwork: false)",
      at: ['privateEndpoint:'],
    });
  });

  // https://learn.microsoft.com/azure/private-link/private-endpoint-dns (Key Vault: privatelink.vaultcore.azure.net).
  test('fails an existing zone that is not the Key Vault zone of the cloud', () => {
    const id = zone('privatelink.blob.core.windows.net');
    const source = privateVault((d) => (d.keyVault.privateEndpoint = { dnsZone: { mode: 'existing', id } }));
    expectFails(source, {
      path: 'keyVault.privateEndpoint.dnsZone.id',
      received: shown(id),
      message:
        'names zone "privatelink.blob.core.windows.net", but Key Vault private endpoints in the public cloud register in "privatelink.vaultcore.azure.net": use that zone',
      at: ['id:'],
    });
  });
});

describe('cluster.network, created (https://learn.microsoft.com/azure/aks/azure-cni-overlay#ip-address-planning)', () => {
  test('fails a node subnet outside the address space', () => {
    const source = minimalVariant((d) => (d.cluster.network = { mode: 'create', nodeSubnet: '10.225.0.0/20' }));
    expectFails(source, {
      path: 'cluster.network.nodeSubnet',
      received: '"10.225.0.0/20"',
      message: 'is not inside addressSpace 10.224.0.0/16: use a range of the VNet',
      at: ['nodeSubnet:'],
    });
  });

  test('fails overlapping subnets', () => {
    const source = minimalVariant((d) => (d.cluster.network = { mode: 'create', privateEndpointSubnet: '10.224.15.0/28' }));
    expectFails(source, {
      path: 'cluster.network.privateEndpointSubnet',
      received: '"10.224.15.0/28"',
      message: 'overlaps nodeSubnet 10.224.0.0/20: give each subnet its own range',
      at: ['privateEndpointSubnet:'],
    });
  });

  test("fails an address space that overlaps AKS's service range 10.0.0.0/16", () => {
    const source = minimalVariant(
      (d) => (d.cluster.network = { mode: 'create', addressSpace: '10.0.0.0/8', nodeSubnet: '10.1.0.0/20', privateEndpointSubnet: '10.1.16.0/28' }),
    );
    const problems = userProblems(source);
    expect(problems.map((p) => [p.path, p.message])).toStrictEqual([
      [
        'cluster.network.addressSpace',
        'overlaps the AKS service range 10.0.0.0/16, which AKS uses inside the cluster and refuses to share with the VNet: use another range, such as 10.224.0.0/16',
      ],
      [
        'cluster.network.addressSpace',
        'overlaps the overlay pod range 10.244.0.0/16, which AKS uses inside the cluster and refuses to share with the VNet: use another range, such as 10.224.0.0/16',
      ],
    ]);
  });

  test('fails a node subnet too small for the nodes and one surge node', () => {
    const source = minimalVariant((d) => {
      d.cluster.systemNodePool = { nodeCount: 5 };
      d.cluster.network = { mode: 'create', nodeSubnet: '10.224.0.0/29' };
    });
    expectFails(source, {
      path: 'cluster.network.nodeSubnet',
      received: '"10.224.0.0/29"',
      message: 'holds 3 usable addresses, but 6 nodes (nodeCount + 1 during upgrades) need 6: use a larger range',
      at: ['nodeSubnet:'],
    });
  });

  // ARM InvalidCIDRNotation: "For the given prefix length, the address prefix should be ...".
  test('fails a range not written with its first address', () => {
    const source = minimalVariant((d) => (d.cluster.network = { mode: 'create', addressSpace: '10.224.3.0/16' }));
    expectFails(source, {
      path: 'cluster.network.addressSpace',
      received: '"10.224.3.0/16"',
      message: 'use an IPv4 range in CIDR notation, written with its first address, such as "10.224.0.0/16"',
      at: ['addressSpace:'],
    });
  });

  // https://learn.microsoft.com/azure/virtual-network/virtual-networks-faq ("The smallest supported IPv4 subnet is /29").
  test('fails a subnet smaller than /29', () => {
    const source = minimalVariant((d) => (d.cluster.network = { mode: 'create', privateEndpointSubnet: '10.224.16.0/30' }));
    expectFails(source, {
      path: 'cluster.network.privateEndpointSubnet',
      received: '"10.224.16.0/30"',
      message: 'use a /29 or larger range: Azure keeps 5 addresses of every subnet and supports nothing smaller',
      at: ['privateEndpointSubnet:'],
    });
  });
});

describe('hardened AKS: each relaxation needs a reason', () => {
  const cases: [string, (d: Doc) => void, string, string][] = [
    [
      'local accounts on',
      (d) => (d.cluster.localAccounts = { enabled: true }),
      'cluster.localAccounts.reason',
      'local accounts give a static cluster-admin kubeconfig that bypasses Entra ID: say why in cluster.localAccounts.reason, or restore the secure default',
    ],
    [
      'Azure RBAC off',
      (d) => (d.cluster.entraId = { azureRbac: false }),
      'cluster.entraId.reason',
      'Kubernetes requests are not authorized with Azure RBAC: say why in cluster.entraId.reason, or restore the secure default',
    ],
    [
      'no network policy engine',
      (d) => (d.cluster.networkPolicy = { engine: 'none' }),
      'cluster.networkPolicy.reason',
      'no network policy engine enforces the NetworkPolicies: say why in cluster.networkPolicy.reason, or restore the secure default',
    ],
    [
      'no automatic upgrades',
      (d) => (d.cluster.upgrades = { automatic: 'none' }),
      'cluster.upgrades.reason',
      'upgrades are not managed (automatic: none, nodeOs: NodeImage): say why in cluster.upgrades.reason, or restore the secure default',
    ],
    [
      'unmanaged node OS',
      (d) => (d.cluster.upgrades = { nodeOs: 'Unmanaged' }),
      'cluster.upgrades.reason',
      'upgrades are not managed (automatic: patch, nodeOs: Unmanaged): say why in cluster.upgrades.reason, or restore the secure default',
    ],
  ];

  test.each(cases)('fails %s without a reason', (_what, edit, path, message) => {
    expect(userProblems(minimalVariant(edit)).map((p) => [p.path, p.message])).toStrictEqual([[path, message]]);
  });

  test.each(cases)('%s loads with a reason', (_what, edit) => {
    const source = minimalVariant((d) => {
      edit(d);
      const section = path0(d, cases.find((c) => c[1] === edit)![2]);
      section.reason = 'the platform team decided so, see ADR 12';
    });
    expect(() => load(source)).not.toThrow();
  });

  test('fails a reason shorter than a sentence', () => {
    const source = minimalVariant((d) => (d.cluster.localAccounts = { enabled: true, reason: 'ok' }));
    expectFails(source, {
      path: 'cluster.localAccounts.reason',
      received: '"ok"',
      message: 'say why in a sentence (at least 10 characters)',
      at: ['reason:'],
    });
  });
});

describe('hardened workloads: turning the NetworkPolicy off needs a reason', () => {
  // https://kubernetes.io/docs/concepts/services-networking/network-policies/ (pods not selected by any policy are non-isolated).
  test('fails networkPolicy.enabled false without a reason', () => {
    const source = minimalVariant((d) => (d.workloads[0].deployment.networkPolicy = { enabled: false }));
    expect(userProblems(source).map((p) => [p.path, p.message])).toStrictEqual([
      [
        'workloads[0].deployment.networkPolicy.reason',
        'the pods of "app" get no NetworkPolicy (any pod may reach every port they listen on): say why in workloads.0.deployment.networkPolicy.reason, or restore the secure default',
      ],
    ]);
  });

  test('networkPolicy.enabled false loads with a reason', () => {
    const source = minimalVariant((d) => (d.workloads[0].deployment.networkPolicy = { enabled: false, reason: 'the service mesh authorizes every request' }));
    expect(load(source).workloads[0].deployment.networkPolicy).toStrictEqual({
      enabled: false,
      reason: 'the service mesh authorizes every request',
      allowFromNamespaces: [],
      allowFromPodLabels: {},
    });
  });
});

describe('hardened AKS: choices that do not fit together', () => {
  // azurerm v4.55.0 website/docs/r/kubernetes_cluster.html.markdown (network_policy cilium needs network_data_plane cilium, which needs overlay or a pod subnet).
  test('fails Cilium on kubenet', () => {
    const source = minimalVariant((d) => (d.cluster.networkPlugin = 'kubenet'));
    expect(userProblems(source).map((p) => [p.path, p.received, p.message])).toStrictEqual([
      [
        'cluster.networkPolicy.engine',
        // The engine is the default, so no value is shown as received.
        undefined,
        'does not run with networkPlugin "kubenet": Cilium runs on Azure CNI Overlay (networkPlugin: azure-overlay), Azure Network Policy Manager on Azure CNI (azure-overlay or azure), Calico also on kubenet; with networkPlugin none, the CNI you install enforces policies (engine: none)',
      ],
    ]);
  });

  // azurerm v4.55.0 internal/services/containers/kubernetes_cluster_resource.go: node_os_upgrade_channel must be NodeImage with automatic_upgrade_channel node-image.
  test('fails the node-image channel with the SecurityPatch node OS channel', () => {
    const source = minimalVariant((d) => (d.cluster.upgrades = { automatic: 'node-image', nodeOs: 'SecurityPatch' }));
    expectFails(source, {
      path: 'cluster.upgrades.nodeOs',
      received: '"SecurityPatch"',
      message: 'with the automatic channel node-image the node OS channel is NodeImage: set nodeOs: NodeImage, or another automatic channel',
      at: ['nodeOs:'],
    });
  });

  // https://learn.microsoft.com/azure/aks/api-server-authorized-ip-ranges (not for private clusters).
  test('fails authorized ranges on a private API server', () => {
    const source = minimalVariant((d) => (d.cluster.apiServer = { private: true, authorizedIpRanges: ['203.0.113.0/24'] }));
    expectFails(source, {
      path: 'cluster.apiServer.authorizedIpRanges',
      received: '["203.0.113.0/24"]',
      message: 'a private API server has no public endpoint for authorized ranges to restrict: remove authorizedIpRanges, or set private: false',
      at: ['authorizedIpRanges:'],
    });
  });

  test('fails Defender without a Log Analytics workspace', () => {
    const source = minimalVariant((d) => (d.cluster.defender = true));
    expectFails(source, {
      path: 'cluster.defender',
      received: 'true',
      message: "Defender's sensor reports to a Log Analytics workspace: set logAnalytics, or defender: false",
      at: ['defender:'],
    });
  });
});

describe('workload probes (https://kubernetes.io/docs/concepts/configuration/liveness-readiness-startup-probes/)', () => {
  test('fails a probe on a port name the container does not declare', () => {
    const source = minimalVariant((d) => {
      d.workloads[0].deployment.ports = [{ containerPort: 8080, name: 'http' }];
      d.workloads[0].deployment.readinessProbe = { port: 'metrics', path: '/ready' };
    });
    expectFails(source, {
      path: 'workloads[0].deployment.readinessProbe.port',
      received: '"metrics"',
      message: 'names no port of deployment.ports (the kubelet cannot resolve it and the probe fails): use one of "http" or a port number',
      at: ['port: metrics'],
    });
  });

  test('fails a relative probe path', () => {
    const source = minimalVariant((d) => (d.workloads[0].deployment.livenessProbe = { port: 8080, path: 'healthz' }));
    expectFails(source, {
      path: 'workloads[0].deployment.livenessProbe.path',
      received: '"healthz"',
      message: 'use an absolute HTTP path without spaces, such as "/healthz"',
      at: ['path: healthz'],
    });
  });
});

describe('warnings about the network path (lib/network-model.ts)', () => {
  test('vault-rules-ignored: public access off, so Azure ignores the firewall rules', () => {
    const model = derive(
      privateVault((d) => (d.keyVault.networkAcls = { defaultAction: 'Deny', ipRules: ['203.0.113.0/24'], virtualNetworkSubnetIds: [subnet('aks')] })),
    );
    expect(model.warnings.map((w) => [w.code, w.path, w.message])).toStrictEqual([
      [
        'vault-rules-ignored',
        'keyVault.networkAcls',
        "publicNetworkAccess is false, so Azure ignores the firewall's 1 IP rule(s) and 1 subnet rule(s): only the private endpoint answers; remove them, or turn public access on",
      ],
    ]);
  });

  test("vault-subnet-not-cluster: a subnet rule that is not the cluster's node subnet does not help the CSI driver", () => {
    const model = derive(
      minimalVariant((d) => {
        d.cluster.network = { mode: 'existing', nodeSubnetId: subnet('aks-nodes') };
        d.keyVault.networkAcls = { defaultAction: 'Deny', virtualNetworkSubnetIds: [subnet('aks-nodes'), subnet('build-agents')] };
      }),
    );
    expect(model.warnings.map((w) => [w.code, w.path, w.message])).toStrictEqual([
      [
        'vault-subnet-not-cluster',
        'keyVault.networkAcls.virtualNetworkSubnetIds[1]',
        'subnet "build-agents" is not the cluster\'s node subnet (the cluster\'s node subnet is "aks-nodes"); the CSI driver fetches from the nodes, so this rule lets other clients in but not the driver: set cluster.network to the cluster\'s subnets, or remove the rule',
      ],
    ]);
  });

  test('the firewall lets the node subnet of cluster.network in by itself: no vault-firewall-deny', () => {
    const model = derive(
      minimalVariant((d) => {
        d.cluster.network = { mode: 'create' };
        d.keyVault.networkAcls = { defaultAction: 'Deny' };
      }),
    );
    expect(model.network.firewallAllowsNodeSubnet).toBe(true);
    expect(model.warnings).toStrictEqual([]);
  });
});

function userProblems(source: string) {
  try {
    load(source);
  } catch (e) {
    return (e as { problems: readonly { path: string; message: string; received?: string }[] }).problems;
  }
  throw new Error('expected the file to be refused');
}

/** The object holding the field at a dotted path such as `cluster.localAccounts.reason`. */
function path0(d: Doc, dotted: string): Doc {
  return dotted
    .split('.')
    .slice(0, -1)
    .reduce((o: Doc, k) => o[k], d);
}
