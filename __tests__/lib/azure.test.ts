/**
 * lib/azure.ts: the Azure rules and the names derived to satisfy them. Each rule names its
 * upstream source; the tests below name it again so a reader can check the rule against it.
 */
import fc from 'fast-check';
import * as azure from '../../lib/azure';
import {
  AKS_DNS_PREFIX_RULE,
  AKS_NAME_RULE,
  AKS_NODE_RESOURCE_GROUP_RULE,
  aksDnsPrefixFor,
  brokenIpRule,
  defaultNodeResourceGroup,
  duplicateTagNames,
  FEDERATED_CREDENTIAL_NAME_RULE,
  ipv4RuleRange,
  KEY_VAULT_IP_RULE_FORMAT,
  KEY_VAULT_IP_RULE_PREFIX,
  KEY_VAULT_IP_RULE_PUBLIC,
  KEY_VAULT_NAME_RULE,
  keyVaultObjectKey,
  nodeResourceGroupFor,
  privateRangeOf,
  RESOURCE_GROUP_NAME_RULE,
  roleAssignmentKey,
  TAG_NAME_RULE,
  TAG_VALUE_RULE,
  TIME_SLEEP_DURATION_RULE,
  timeSleepDurationFix,
  USER_ASSIGNED_IDENTITY_NAME_RULE,
  VM_SIZE_RULE,
} from '../../lib/azure';
import type { Rule } from '../../lib/rule';

const clusterName = fc.stringMatching(/^[a-zA-Z0-9]([-_a-zA-Z0-9]{0,61}[a-zA-Z0-9])?$/);
const groupName = fc.stringMatching(/^[-\w.()]{0,89}[-\w()]$/);
const location = fc.stringMatching(/^[a-z][a-z0-9]{1,24}$/);

describe('every rule names its upstream source', () => {
  const rules = Object.entries(azure).filter(
    (e): e is [string, Rule<string>] => typeof e[1] === 'object' && e[1] !== null && 'fix' in e[1] && 'subject' in e[1],
  );

  test('a repository path with its function, or a documentation URL', () => {
    expect(rules.length).toBeGreaterThanOrEqual(15);
    for (const [name, rule] of rules) {
      expect([name, rule.source]).toEqual([name, expect.stringMatching(/(\/[\w.-]+\.go \(\w+|https:\/\/)/)]);
      expect(rule.fix).toMatch(/^[a-zA-Z]/);
      expect(rule.fix).not.toMatch(/undefined/);
    }
  });
});

// https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules#microsoftkeyvault;
// azurerm internal/services/keyvault/validate/vault_name.go (VaultName) checks the same only from v4.68.0.
test('fails Key Vault names Azure refuses, though azurerm 4.55 lets some of them through', () => {
  const azurerm455 = /^[a-zA-Z0-9-]{3,24}$/;
  for (const name of ['1vault', 'vault-', 'my--vault']) {
    expect([name, azurerm455.test(name), KEY_VAULT_NAME_RULE.test(name)]).toEqual([name, true, false]);
  }
  expect(KEY_VAULT_NAME_RULE.test('kv-akscsi-dev-example')).toBe(true);
});

// hashicorp/go-azure-helpers resourcemanager/resourcegroups/validate.go (ValidateName): 1-90 of [-\w._()], no trailing ".".
test('fails resource group names ValidateName refuses', () => {
  expect(['rg.', '', 'r'.repeat(91), 'rg app', 'rg/app'].map((n) => RESOURCE_GROUP_NAME_RULE.test(n))).toEqual([false, false, false, false, false]);
  expect(['rg-app_(1).x', 'r'.repeat(90)].map((n) => RESOURCE_GROUP_NAME_RULE.test(n))).toEqual([true, true]);
});

// resource-name-rules#microsoftcontainerservice (managedClusters); azurerm v4.81.0+ KubernetesClusterName.
test('fails AKS cluster names the resource-name rules refuse', () => {
  expect(['-aks', 'aks-', 'aks.app', 'a'.repeat(64)].map((n) => AKS_NAME_RULE.test(n))).toEqual([false, false, false, false]);
  expect(['a', 'aks_app-1', 'a'.repeat(63)].map((n) => AKS_NAME_RULE.test(n))).toEqual([true, true, true]);
});

describe('AKS dns_prefix (azurerm v4.55.0 internal/services/containers/validate/kubernetes.go, KubernetesDNSPrefix)', () => {
  test('fails what KubernetesDNSPrefix refuses: "_", a hyphen at either end, more than 54', () => {
    expect(['aks_app', '-aks', 'aks-', 'a'.repeat(55), ''].map((p) => AKS_DNS_PREFIX_RULE.test(p))).toEqual([false, false, false, false, false]);
    expect(['a', '1', '1aks', 'aks--app', 'a'.repeat(54)].map((p) => AKS_DNS_PREFIX_RULE.test(p))).toEqual([true, true, true, true, true]);
  });

  test('keeps a cluster name that is a valid prefix', () => {
    expect(aksDnsPrefixFor('aks-akscsi-dev')).toBe('aks-akscsi-dev');
  });

  test('writes "_" as "-"', () => {
    expect(aksDnsPrefixFor('aks_team__app')).toBe('aks-team-app');
  });

  test('shortens a name over 54 characters to 45 characters, "-" and a hash of the whole name', () => {
    const long = `aks-${'x'.repeat(59)}`;
    const prefix = aksDnsPrefixFor(long);
    expect(prefix).toMatch(/^aks-x{41}-[0-9a-f]{8}$/);
    expect(prefix).toHaveLength(54);
    expect(aksDnsPrefixFor(`aks-${'x'.repeat(58)}y`)).not.toBe(prefix);
  });

  test('derives a valid, deterministic prefix from every valid cluster name', () => {
    fc.assert(
      fc.property(clusterName, (name) => {
        const prefix = aksDnsPrefixFor(name);
        expect(AKS_DNS_PREFIX_RULE.test(prefix)).toBe(true);
        expect(aksDnsPrefixFor(name)).toBe(prefix);
        if (AKS_DNS_PREFIX_RULE.test(name)) expect(prefix).toBe(name);
      }),
      { numRuns: 500 },
    );
  });
});

describe('AKS node resource group (AKS: "The maximum length is 80", aka.ms/aks-naming-rules; AKS FAQ)', () => {
  test('fails a name over 80 characters, or one ValidateName refuses', () => {
    expect(AKS_NODE_RESOURCE_GROUP_RULE.test('n'.repeat(81))).toBe(false);
    expect(AKS_NODE_RESOURCE_GROUP_RULE.test('n'.repeat(80))).toBe(true);
    expect(AKS_NODE_RESOURCE_GROUP_RULE.test('nodes.')).toBe(false);
  });

  test("keeps AKS's default MC_<rg>_<cluster>_<location> while it fits", () => {
    expect(nodeResourceGroupFor('rg-akscsi-prod', 'aks-akscsi-prod', 'northeurope')).toBe('MC_rg-akscsi-prod_aks-akscsi-prod_northeurope');
  });

  test('shortens a default over 80 characters to its first 71, "_" and a hash', () => {
    const rg = `rg-${'r'.repeat(40)}`;
    const name = nodeResourceGroupFor(rg, `aks-${'c'.repeat(30)}`, 'westeurope');
    expect(defaultNodeResourceGroup(rg, `aks-${'c'.repeat(30)}`, 'westeurope')).toHaveLength(92);
    expect(name).toHaveLength(80);
    expect(name).toMatch(new RegExp(`^MC_${rg}_aks-c{20}_[0-9a-f]{8}$`));
  });

  test('derives a name AKS accepts from every valid resource group, cluster and location', () => {
    fc.assert(
      fc.property(groupName, clusterName, location, (rg, cluster, loc) => {
        const name = nodeResourceGroupFor(rg, cluster, loc);
        expect(AKS_NODE_RESOURCE_GROUP_RULE.test(name)).toBe(true);
        const aksDefault = defaultNodeResourceGroup(rg, cluster, loc);
        expect(name === aksDefault).toBe(aksDefault.length <= 80);
      }),
      { numRuns: 500 },
    );
  });
});

describe('time_sleep create_duration (hashicorp/terraform-provider-time resource_time_sleep.go, RegexMatches)', () => {
  test('fails more than one unit, units below ms, and no unit', () => {
    expect(['1m30s', '1h30m', '100us', '5ns', '30', '-30s', '.5s', '1.s'].map((d) => TIME_SLEEP_DURATION_RULE.test(d))).toEqual(Array(8).fill(false));
    expect(['0s', '30s', '90s', '1.5m', '500ms', '1h'].map((d) => TIME_SLEEP_DURATION_RULE.test(d))).toEqual(Array(6).fill(true));
  });

  test('the fix names the same wait in one unit when there is one', () => {
    expect(timeSleepDurationFix('1m30s')).toBe(
      'write "90s": hashicorp/time\'s time_sleep takes one number and one unit (ms, s, m or h), such as "30s" or "90s"; "0s" disables the wait',
    );
    expect(timeSleepDurationFix('1s500ms')).toMatch(/^write "1500ms": /);
    expect(timeSleepDurationFix('100us')).toMatch(/^hashicorp\/time's time_sleep takes one number/);
    expect(timeSleepDurationFix('thirty')).toBe(TIME_SLEEP_DURATION_RULE.fix);
  });
});

describe('Key Vault IP rules (learn.microsoft.com/azure/key-vault/general/network-security; azurerm helpers/validate/network.go)', () => {
  test("fails what is not an IPv4 address or CIDR: octets over 255 (azurerm's CIDR pattern lets them through), leading zeros, prefix over 32, IPv6", () => {
    for (const v of ['256.1.1.1', '999.0.0.0/24', '203.0.113.01', '203.0.113.0/33', '203.0.113.0/024', '2001:db8::/32', '203.0.113', ' 203.0.113.7']) {
      expect([v, brokenIpRule(v)]).toEqual([v, KEY_VAULT_IP_RULE_FORMAT]);
    }
  });

  test('fails the /31 and /32 prefixes earlier revisions of the page refuse; single addresses pass', () => {
    expect(brokenIpRule('203.0.113.7/32')).toBe(KEY_VAULT_IP_RULE_PREFIX);
    expect(brokenIpRule('203.0.113.6/31')).toBe(KEY_VAULT_IP_RULE_PREFIX);
    expect(brokenIpRule('203.0.113.7')).toBeUndefined();
  });

  test('fails every range that reaches into RFC 1918 space, naming it', () => {
    const cases: [string, string][] = [
      ['10.1.2.3', '10.0.0.0/8'],
      ['172.16.0.0/12', '172.16.0.0/12'],
      ['172.31.255.255', '172.16.0.0/12'],
      ['172.0.0.0/8', '172.16.0.0/12'],
      ['192.168.1.0/24', '192.168.0.0/16'],
      ['0.0.0.0/0', '10.0.0.0/8'],
    ];
    for (const [v, range] of cases) {
      expect([v, brokenIpRule(v), privateRangeOf(v)]).toEqual([v, KEY_VAULT_IP_RULE_PUBLIC, range]);
    }
    for (const v of ['172.15.255.255', '172.32.0.0', '11.0.0.0/8', '192.169.0.0/16', '203.0.113.0/24']) expect([v, brokenIpRule(v)]).toEqual([v, undefined]);
  });

  test('ranges are aligned to their prefix', () => {
    expect(ipv4RuleRange('203.0.113.77/24')).toEqual({ first: 0xcb007100, last: 0xcb0071ff, prefix: 24 });
    expect(ipv4RuleRange('203.0.113.7')).toEqual({ first: 0xcb007107, last: 0xcb007107 });
  });
});

describe('tags (ARM tag-resources#limitations; go-azure-helpers resourcemanager/tags/validate.go)', () => {
  test('fails names with < > % & \\ ? /, empty names, names over 512 bytes', () => {
    for (const c of ['<', '>', '%', '&', '\\', '?', '/']) expect([c, TAG_NAME_RULE.test(`cost${c}center`)]).toEqual([c, false]);
    expect(TAG_NAME_RULE.test('')).toBe(false);
    expect(TAG_NAME_RULE.test('k'.repeat(512))).toBe(true);
    expect(TAG_NAME_RULE.test('k'.repeat(513))).toBe(false);
    // azurerm counts bytes (Go len): 256 two-byte characters are 512 bytes, 257 are too many.
    expect(TAG_NAME_RULE.test('é'.repeat(256))).toBe(true);
    expect(TAG_NAME_RULE.test('é'.repeat(257))).toBe(false);
  });

  test('fails values over 256 bytes', () => {
    expect([TAG_VALUE_RULE.test(''), TAG_VALUE_RULE.test('v'.repeat(256)), TAG_VALUE_RULE.test('v'.repeat(257)), TAG_VALUE_RULE.test('€'.repeat(86))]).toEqual([
      true,
      true,
      false,
      false,
    ]);
  });

  test('names compare case-insensitively', () => {
    expect(duplicateTagNames(['Owner', 'env', 'owner', 'ENV', 'x'])).toEqual([
      { name: 'owner', first: 'Owner' },
      { name: 'ENV', first: 'env' },
    ]);
  });
});

// resource-name-rules#microsoftmanagedidentity; learn.microsoft.com/entra/workload-id (federated credential name).
test('fails identity and federated credential names Azure refuses', () => {
  expect(['id', '-id-app', 'id.app', 'i'.repeat(129)].map((n) => USER_ASSIGNED_IDENTITY_NAME_RULE.test(n))).toEqual([false, false, false, false]);
  expect(['id-dev-app', 'i'.repeat(128)].map((n) => USER_ASSIGNED_IDENTITY_NAME_RULE.test(n))).toEqual([true, true]);
  expect(['fc', '_fc', 'fc.app', 'f'.repeat(121)].map((n) => FEDERATED_CREDENTIAL_NAME_RULE.test(n))).toEqual([false, false, false, false]);
  expect(['fc_demo_app', 'f'.repeat(120)].map((n) => FEDERATED_CREDENTIAL_NAME_RULE.test(n))).toEqual([true, true]);
});

test('VM sizes: constrained-vCPU sizes with "-" pass, spaces do not', () => {
  expect(['Standard_D2s_v5', 'Standard_E4-2ds_v5', 'Standard_M8-2ms'].map((v) => VM_SIZE_RULE.test(v))).toEqual([true, true, true]);
  expect(['Standard D2s v5', '', '_x'].map((v) => VM_SIZE_RULE.test(v))).toEqual([false, false, false]);
});

describe('role assignments (409 RoleAssignmentExists)', () => {
  test('Key Vault object names are one object whatever their case; types are separate collections', () => {
    expect(keyVaultObjectKey({ type: 'secret', name: 'DB-Password' })).toBe(keyVaultObjectKey({ type: 'secret', name: 'db-password' }));
    expect(keyVaultObjectKey({ type: 'cert', name: 'web-tls' })).not.toBe(keyVaultObjectKey({ type: 'key', name: 'web-tls' }));
  });

  test('one principal, role and scope make one assignment; the scope path and role compare case-insensitively', () => {
    const a = { principal: 'p', role: 'Key Vault Secrets User', scopeBase: '${azurerm_key_vault.kv.id}', scopePath: '/secrets/DB-Password' };
    expect(roleAssignmentKey({ ...a, scopePath: '/secrets/db-password', role: 'key vault secrets user' })).toBe(roleAssignmentKey(a));
    expect(roleAssignmentKey({ ...a, principal: 'q' })).not.toBe(roleAssignmentKey(a));
    expect(roleAssignmentKey({ ...a, scopeBase: '${azurerm_key_vault.other.id}' })).not.toBe(roleAssignmentKey(a));
  });
});
