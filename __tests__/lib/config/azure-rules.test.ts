/**
 * The Azure rules of the environment file (lib/azure.ts, applied by lib/config/schema.ts and
 * lib/config/rules.ts): one `fails ...` test per rule, asserting path, received value, message
 * and line:col, with the rule's upstream source named beside it. What the model derives instead
 * of refusing (dns_prefix, node resource group, case-insensitive role grants) is tested here too.
 */
import { deriveEnvironment } from '../../../lib/model';
import { ROLES } from '../../../lib/azure';
import { expectFails, load, locate, minimalVariant, problemsOf, shown, variant, type Doc } from '../../support/config';

const derive = (source: string) => deriveEnvironment('dev', 'environments/dev.yaml', load(source));

describe('cluster.dnsPrefix and the derived dns_prefix (azurerm v4.55.0 containers/validate/kubernetes.go, KubernetesDNSPrefix)', () => {
  test('fails a DNS prefix longer than 54 characters', () => {
    const prefix = 'd'.repeat(55);
    const source = variant((d) => (d.cluster.dnsPrefix = prefix));
    expectFails(source, {
      path: 'cluster.dnsPrefix',
      received: shown(prefix),
      message: 'use 1-54 letters, digits or hyphens, starting and ending with a letter or digit',
      at: ['dnsPrefix:'],
    });
  });

  test('fails a DNS prefix with "_"', () => {
    const source = variant((d) => (d.cluster.dnsPrefix = 'aks_app'));
    expectFails(source, {
      path: 'cluster.dnsPrefix',
      received: '"aks_app"',
      message: 'use 1-54 letters, digits or hyphens, starting and ending with a letter or digit',
      at: ['dnsPrefix:'],
    });
  });

  test('derives dns_prefix from a cluster name with "_", and says so', () => {
    const model = derive(variant((d) => (d.cluster.name = 'aks_akscsi_dev')));
    expect(model.createdCluster?.dnsPrefix).toBe('aks-akscsi-dev');
    expect(model.warnings).toStrictEqual([
      {
        code: 'dns-prefix-derived',
        path: 'cluster.name',
        message:
          'cluster name "aks_akscsi_dev" is not a valid AKS DNS prefix (1-54 letters, digits or hyphens, starting and ending with a letter or digit), so the cluster gets dns_prefix "aks-akscsi-dev": set cluster.dnsPrefix to choose another',
      },
    ]);
  });

  test('derives a 54-character dns_prefix from a 63-character cluster name', () => {
    const name = `aks-${'n'.repeat(59)}`;
    const model = derive(variant((d) => (d.cluster.name = name)));
    expect(model.createdCluster?.dnsPrefix).toMatch(/^aks-n{41}-[0-9a-f]{8}$/);
    // MC_rg-akscsi-dev_<63 characters>_westeurope is 91 characters: the node resource group is derived too.
    expect(model.warnings.map((w) => w.code)).toStrictEqual(['dns-prefix-derived', 'node-resource-group-derived']);
  });

  test('an explicit dnsPrefix wins and nothing is derived; a valid cluster name is the prefix', () => {
    const explicit = derive(variant((d) => Object.assign(d.cluster, { name: 'aks_akscsi_dev', dnsPrefix: 'akscsi' })));
    expect([explicit.createdCluster?.dnsPrefix, explicit.warnings]).toStrictEqual(['akscsi', []]);
    expect(derive(variant(() => undefined)).createdCluster?.dnsPrefix).toBe('aks-akscsi-dev');
  });
});

describe('cluster.nodeResourceGroup (AKS: at most 80 characters, a new group; aka.ms/aks-naming-rules, AKS FAQ)', () => {
  const RULE = 'use 1-80 letters, digits, "_", "-", ".", "(" or ")", not ending in "."';

  test('fails a node resource group over 80 characters', () => {
    const name = 'n'.repeat(81);
    const source = variant((d) => (d.cluster.nodeResourceGroup = name));
    expectFails(source, { path: 'cluster.nodeResourceGroup', received: shown(name), message: RULE, at: ['nodeResourceGroup:'] });
  });

  test('fails a node resource group ending in "."', () => {
    const source = variant((d) => (d.cluster.nodeResourceGroup = 'rg-nodes.'));
    expectFails(source, { path: 'cluster.nodeResourceGroup', received: '"rg-nodes."', message: RULE, at: ['nodeResourceGroup:'] });
  });

  test("fails a node resource group that is the environment's own group (any case)", () => {
    const source = variant((d) => (d.cluster.nodeResourceGroup = 'RG-AKSCSI-DEV'));
    expectFails(source, {
      path: 'cluster.nodeResourceGroup',
      received: '"RG-AKSCSI-DEV"',
      message: 'azure.resourceGroup.name names this group too; AKS creates the node resource group itself and refuses an existing one: use a name of its own',
      at: ['nodeResourceGroup:'],
    });
  });

  test('fails a node resource group that holds the state or an existing vault', () => {
    const state = problemsOf(variant((d) => (d.cluster.nodeResourceGroup = 'rg-akscsi-tfstate'), 'prod'));
    expect(state.map((p) => [p.path, p.message.split(';')[0]])).toStrictEqual([['cluster.nodeResourceGroup', 'state.resourceGroup names this group too']]);
    const vault = problemsOf(
      variant((d) =>
        Object.assign(d, {
          keyVault: { mode: 'existing', name: 'kv-shared', resourceGroup: 'rg-shared' },
          cluster: { ...d.cluster, nodeResourceGroup: 'rg-shared' },
        }),
      ),
    );
    expect(vault.map((p) => [p.path, p.message.split(';')[0]])).toStrictEqual([['cluster.nodeResourceGroup', 'keyVault.resourceGroup names this group too']]);
  });

  test("derives a shorter name when AKS's default would pass 80 characters, and says so", () => {
    const rg = `rg-${'r'.repeat(50)}`;
    const model = derive(variant((d) => Object.assign(d.azure.resourceGroup, { name: rg })));
    const aksDefault = `MC_${rg}_aks-akscsi-dev_westeurope`;
    expect(aksDefault).toHaveLength(82);
    expect(model.createdCluster).toMatchObject({ writesNodeResourceGroup: true });
    expect(model.createdCluster?.nodeResourceGroup).toMatch(new RegExp(`^MC_${rg}_aks-akscsi-dev_[0-9a-f]{8}$`));
    expect(model.warnings).toStrictEqual([
      {
        code: 'node-resource-group-derived',
        path: 'cluster.nodeResourceGroup',
        message: `AKS would name the node resource group "${aksDefault}" (82 characters) but refuses names over 80, so the cluster gets node_resource_group "${model.createdCluster?.nodeResourceGroup}": set cluster.nodeResourceGroup to choose another`,
      },
    ]);
  });

  test("leaves AKS's default alone while it fits, and takes an explicit name as given", () => {
    expect(derive(variant(() => undefined)).createdCluster).toStrictEqual({
      dnsPrefix: 'aks-akscsi-dev',
      nodeResourceGroup: 'MC_rg-akscsi-dev_aks-akscsi-dev_westeurope',
      writesNodeResourceGroup: false,
    });
    const explicit = derive(variant((d) => (d.cluster.nodeResourceGroup = 'rg-akscsi-dev-nodes')));
    expect([explicit.createdCluster?.nodeResourceGroup, explicit.createdCluster?.writesNodeResourceGroup, explicit.warnings]).toStrictEqual([
      'rg-akscsi-dev-nodes',
      true,
      [],
    ]);
  });

  test('an existing cluster derives nothing', () => {
    expect(
      derive(variant((d) => (d.cluster = { mode: 'existing', name: 'aks_legacy', oidcIssuer: true, workloadIdentity: true }))).createdCluster,
    ).toBeUndefined();
  });
});

describe('identity.propagationWait (hashicorp/terraform-provider-time resource_time_sleep.go: ^[0-9]+(\\.[0-9]+)?(ms|s|m|h)$)', () => {
  test('fails "1m30s", naming the same wait in one unit', () => {
    const source = variant((d) => (d.identity = { propagationWait: '1m30s' }));
    expectFails(source, {
      path: 'identity.propagationWait',
      received: '"1m30s"',
      message: 'write "90s": hashicorp/time\'s time_sleep takes one number and one unit (ms, s, m or h), such as "30s" or "90s"; "0s" disables the wait',
      at: ['propagationWait:'],
    });
  });

  test('fails a unit time_sleep does not take', () => {
    const source = variant((d) => (d.identity = { propagationWait: '100us' }));
    expectFails(source, {
      path: 'identity.propagationWait',
      received: '"100us"',
      message: 'hashicorp/time\'s time_sleep takes one number and one unit (ms, s, m or h), such as "30s" or "90s"; "0s" disables the wait',
      at: ['propagationWait:'],
    });
  });

  test('accepts "0s" (no wait), fractions and every unit time_sleep takes', () => {
    for (const wait of ['0s', '90s', '1.5m', '500ms', '1h'])
      expect(load(variant((d) => (d.identity = { propagationWait: wait }))).identity.propagationWait).toBe(wait);
  });
});

describe('keyVault.networkAcls.ipRules (learn.microsoft.com/azure/key-vault/general/network-security)', () => {
  const withRule = (rule: string) => variant((d) => (d.keyVault.networkAcls.ipRules = [rule]), 'prod');
  const PUBLIC =
    'Key Vault IP rules take public addresses only, no part of 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 (RFC 1918): let a private network in through virtualNetworkSubnetIds or a private endpoint';

  test.each([
    ['10.20.0.0/16', '10.0.0.0/8'],
    ['172.20.1.5', '172.16.0.0/12'],
    ['192.168.0.0/24', '192.168.0.0/16'],
    ['172.0.0.0/8', '172.16.0.0/12'],
  ])('fails %s, which reaches into the private range %s', (rule, range) => {
    expectFails(withRule(rule), {
      path: 'keyVault.networkAcls.ipRules[0]',
      received: JSON.stringify(rule),
      message: `it includes the private range ${range}: ${PUBLIC}`,
      at: ['ipRules:', rule],
    });
  });

  // azurerm v4.55.0 helpers/validate/network.go (CIDR) lets octets over 255 through; Azure fails the apply.
  test.each(['256.0.0.0/24', '203.0.113.300', '203.0.113.07', '203.0.113.0/33'])('fails %s, which is no IPv4 address or CIDR', (rule) => {
    expectFails(withRule(rule), {
      path: 'keyVault.networkAcls.ipRules[0]',
      received: JSON.stringify(rule),
      message: 'use a public IPv4 address or CIDR range such as "203.0.113.0/24" (octets 0-255 without leading zeros, prefix 0-32; Key Vault takes no IPv6)',
      at: ['ipRules:', rule],
    });
  });

  test.each(['203.0.113.7/32', '203.0.113.6/31'])('fails the small range %s', (rule) => {
    expectFails(withRule(rule), {
      path: 'keyVault.networkAcls.ipRules[0]',
      received: JSON.stringify(rule),
      message: 'write a single address without a prefix ("203.0.113.7"), and the two addresses of a /31 one by one',
      at: ['ipRules:', rule],
    });
  });

  test('fails more than 1000 rules', () => {
    const rules = Array.from({ length: 1001 }, (_, i) => `198.${51 + Math.floor(i / 256)}.${i % 256}.1`);
    const problems = problemsOf(variant((d) => (d.keyVault.networkAcls.ipRules = rules), 'prod'));
    expect(problems.map((p) => [p.path, p.message])).toStrictEqual([
      ['keyVault.networkAcls.ipRules', "use at most 1000 IP rules (Key Vault's limit): allow wider ranges, or subnets through virtualNetworkSubnetIds"],
    ]);
  });

  test('accepts public addresses and ranges', () => {
    expect(load(withRule('203.0.113.7')).keyVault).toMatchObject({ networkAcls: { ipRules: ['203.0.113.7'] } });
    expect(load(withRule('64.0.0.0/3')).keyVault).toMatchObject({ networkAcls: { ipRules: ['64.0.0.0/3'] } });
  });
});

describe('azure.tags (ARM tag-resources#limitations; go-azure-helpers resourcemanager/tags/validate.go)', () => {
  test('fails a tag name with "/"', () => {
    const source = variant((d) => (d.azure.tags['team/owner'] = 'platform'));
    expectFails(source, {
      path: 'azure.tags.team/owner',
      received: '"platform"',
      message: 'tag name "team/owner": use 1-512 characters (UTF-8 bytes) without <, >, %, &, \\, ? or /',
      at: ['team/owner:'],
    });
  });

  test('fails a tag name over 512 bytes', () => {
    const name = 'k'.repeat(513);
    const problems = problemsOf(variant((d) => (d.azure.tags[name] = 'v')));
    expect(problems.map((p) => [p.path.length, p.message.endsWith(': use 1-512 characters (UTF-8 bytes) without <, >, %, &, \\, ? or /')])).toStrictEqual([
      [`azure.tags.${name}`.length, true],
    ]);
  });

  test('fails a tag value over 256 bytes', () => {
    const value = 'ü'.repeat(129);
    const source = variant((d) => (d.azure.tags.owner = value));
    expectFails(source, { path: 'azure.tags.owner', received: shown(value), message: 'use at most 256 characters (UTF-8 bytes)', at: ['owner:'] });
  });

  test('fails more than 50 tags', () => {
    const source = variant((d) => {
      for (let i = 0; i < 49; i++) d.azure.tags[`t${i}`] = 'v';
    });
    const problems = problemsOf(source);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({
      path: 'azure.tags',
      position: locate(source, 'tags:'),
      message: '51 tags: Azure allows 50 per resource and every resource the stack creates carries all of them: remove 1',
    });
  });

  test('fails two tag names that differ only in case', () => {
    const source = variant((d) => (d.azure.tags.Owner = 'someone'));
    expectFails(source, {
      path: 'azure.tags.Owner',
      received: '"someone"',
      message: 'Azure tag names are case-insensitive, so this is the tag "owner" again: keep one of them',
      at: ['Owner:'],
    });
  });

  test('accepts 50 tags at the length limits', () => {
    expect(() =>
      load(
        variant((d) => {
          d.azure.tags = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`${i}`.padEnd(512, 'k'), 'v'.repeat(256)]));
        }),
      ),
    ).not.toThrow();
  });
});

describe('Key Vault object names are case-insensitive (learn.microsoft.com/azure/key-vault/general/about-keys-secrets-certificates)', () => {
  const obj = (d: Doc) => d.workloads[0].objects;

  test('fails two objects of one workload whose names differ only in case', () => {
    const source = minimalVariant((d) => obj(d).push({ name: 'DB-Password', type: 'secret', alias: 'db-password-2' }));
    expectFails(source, {
      path: 'workloads[0].objects[1].name',
      received: '"DB-Password"',
      message:
        'Key Vault object names are case-insensitive, so this is secret "db-password" of objects[0] again: write its name the same way to mount it twice, or name another object',
      at: ['name: DB-Password'],
    });
  });

  test('accepts one object mounted twice under one spelling, and a cert and a secret of one name', () => {
    expect(() => load(minimalVariant((d) => obj(d).push({ name: 'db-password', type: 'secret', alias: 'again' })))).not.toThrow();
    expect(() =>
      load(minimalVariant((d) => obj(d).push({ name: 'TLS', type: 'cert', alias: 'tls.crt' }, { name: 'tls', type: 'secret', alias: 'tls.key' }))),
    ).not.toThrow();
  });

  // 409 RoleAssignmentExists: two assignments at .../secrets/DB-Password and .../secrets/db-password are one.
  test('grants an object once per identity whatever the case its workloads write it in', () => {
    const model = derive(
      minimalVariant((d) => {
        d.identity = { mode: 'shared', roleScope: 'object' };
        d.workloads.push({
          name: 'other',
          namespace: 'apps',
          objects: [
            { name: 'DB-PASSWORD', type: 'secret' },
            { name: 'db-password', type: 'key' },
          ],
          deployment: { image: 'nginx:1.27' },
        });
      }),
    );
    expect(model.identities[0].roles).toStrictEqual([
      { role: ROLES.secretsUser, scope: { type: 'secret', name: 'db-password' } },
      { role: ROLES.certificateUser, scope: { type: 'key', name: 'db-password' } },
    ]);
  });
});

describe('VM size (azurerm v4.55.0 kubernetes_nodepool.go checks only that vm_size is not empty)', () => {
  test('accepts constrained-vCPU sizes, which carry a "-"', () => {
    expect(load(variant((d) => (d.cluster.systemNodePool.vmSize = 'Standard_E4-2ds_v5'))).cluster).toMatchObject({
      systemNodePool: { vmSize: 'Standard_E4-2ds_v5' },
    });
  });
});
