/**
 * One `fails ...` test per validation rule of lib/config/schema.ts and lib/config/rules.ts:
 * each asserts the YAML path, the received value, the message (with its fix) and the line:col.
 */
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { environmentNameOf, loadEnvironment } from '../../../lib/config/load';
import { MAX_FEDERATED_CREDENTIALS_PER_IDENTITY } from '../../../lib/azure';
import { deriveEnvironment } from '../../../lib/model';
import { expectFails, FILE, load, locate, MINIMAL, minimalVariant, problemsOf, ROOT, shown, userErrorOf, variant, type Doc } from '../../support/config';
import { tempFolders } from '../../support/temp';

const VAULT = 'use 3-24 letters, digits or hyphens, starting with a letter, ending with a letter or digit, without "--"';
const DURATION = 'use a Go duration such as "30s", "2m" or "1h30m" (units ns, us, ms, s, m, h)';
const DNS_LABEL = 'use a DNS-1123 label: lower-case letters, digits and "-", at most 63, starting and ending alphanumeric';
const DNS_NAME = 'use a DNS-1123 name: lower-case letters, digits, "-" and "."';
const ENV_NAME = 'use letters, digits, "_", "-" and ".", not starting with a digit, not "." and not starting with ".."';

const w0 = (d: Doc) => d.workloads[0];
const obj0 = (d: Doc) => d.workloads[0].objects[0];
const dep0 = (d: Doc) => d.workloads[0].deployment;

/** dev.yaml with a synced Opaque Secret "app-secrets" holding DB_PASSWORD under key "password". */
function withSyncedSecret(d: Doc): void {
  w0(d).secretObjects = [{ secretName: 'app-secrets', type: 'Opaque', data: [{ objectName: 'DB_PASSWORD', key: 'password' }] }];
}

function secondWorkload(d: Doc, extra: Record<string, unknown> = {}): Doc {
  const w = { name: 'other-app', namespace: 'other', objects: [{ name: 'other-secret', type: 'secret' }], deployment: { image: 'nginx:1.27' }, ...extra };
  d.workloads.push(w);
  return w;
}

describe('the example files', () => {
  test('dev.yaml and prod.yaml load', () => {
    for (const name of ['dev', 'prod']) {
      const file = path.relative(process.cwd(), path.join(ROOT, 'environments', `${name}.yaml`));
      expect(loadEnvironment(file).name).toBe(name);
    }
    expect(() => load(MINIMAL)).not.toThrow();
  });
});

describe('file-level failures', () => {
  const dir = tempFolders('env-test-')();

  test('fails an empty file', () => {
    for (const source of ['', '\n', '# only a comment\n']) {
      const err = userErrorOf(() => load(source));
      expect(err.problems).toStrictEqual([
        { file: FILE, path: '', message: 'the file is empty: start from "aks-keyvault-csi init NAME" or environments/dev.yaml' },
      ]);
      expect(err.message).toBe(`${FILE}: the file is empty: start from "aks-keyvault-csi init NAME" or environments/dev.yaml`);
    }
  });

  test('fails malformed YAML with its position', () => {
    const err = userErrorOf(() => load('azure:\n\tlocation: westeurope\n'));
    expect(err.problems).toStrictEqual([{ file: FILE, path: '', position: '2:1', message: 'invalid YAML: Tabs are not allowed as indentation' }]);
    expect(err.message).toBe(`${FILE}:2:1: invalid YAML: Tabs are not allowed as indentation`);
  });

  test('fails an unterminated flow sequence', () => {
    const err = userErrorOf(() => load('azure:\n  location: [westeurope\n'));
    expect(err.problems).toHaveLength(1);
    expect(err.problems[0]).toMatchObject({ path: '', position: '3:1' });
    expect(err.problems[0].message).toMatch(/^invalid YAML: Flow sequence/);
  });

  test('fails duplicate YAML keys', () => {
    const source = variant((d) => d).replace('keyVault:\n', 'keyVault:\n  name: kv-first\n');
    const err = userErrorOf(() => load(source));
    const position = locate(source, 'keyVault:', 'name:', 'name:');
    expect(err.problems).toStrictEqual([{ file: FILE, path: '', position, message: 'invalid YAML: Map keys must be unique' }]);
  });

  test('fails a top level that is not a mapping', () => {
    const err = userErrorOf(() => load('- a\n- b\n'));
    expect(err.problems).toStrictEqual([
      {
        file: FILE,
        path: '',
        position: '1:1',
        received: '["a","b"]',
        message:
          'the file must be a YAML mapping of sections (azure, cluster, keyVault, workloads, ...), not a list: start from "aks-keyvault-csi init NAME" or environments/dev.yaml',
      },
    ]);
  });

  test('fails a missing file', () => {
    const file = path.relative(process.cwd(), path.join(dir, 'absent.yaml'));
    const err = userErrorOf(() => loadEnvironment(file));
    expect(err.problems).toStrictEqual([{ file, path: '', message: 'no such file: check the path or create it with "aks-keyvault-csi init NAME"' }]);
  });

  test('fails a file name that is not an environment name, before reading it', () => {
    const message =
      'the file name is the environment name: use 2-24 lower-case letters, digits or hyphens, starting with a letter (e.g. environments/dev.yaml)';
    for (const [file, name] of [
      ['environments/Dev.yaml', 'Dev'],
      ['environments/d.yaml', 'd'],
      ['environments/1dev.yaml', '1dev'],
      ['environments/dev_eu.yaml', 'dev_eu'],
      ['environments/dev-.yaml', 'dev-'],
      ['environments/a-very-long-environment-name.yaml', 'a-very-long-environment-name'],
    ] as const) {
      const err = userErrorOf(() => loadEnvironment(file));
      expect(err.problems).toStrictEqual([{ file, path: '', received: JSON.stringify(name), message }]);
      expect(err.message).toBe(`${file}: ${JSON.stringify(name)}: ${message}`);
    }
  });

  test('takes the environment name from the file name', () => {
    expect(environmentNameOf('environments/dev.yaml')).toBe('dev');
    expect(environmentNameOf('x/prod-eu.yml')).toBe('prod-eu');
    const file = path.join(dir, 'staging.yaml');
    writeFileSync(file, MINIMAL);
    expect(loadEnvironment(file).name).toBe('staging');
  });
});

describe('required fields', () => {
  test('fails a missing top-level section', () => {
    const source = variant((d) => delete d.cluster);
    expectFails(source, { path: 'cluster', message: 'required field is missing: add "cluster" (object)', at: ['azure:'] });
  });

  test('fails a missing nested field, pointing at its parent', () => {
    const source = variant((d) => delete d.azure.location);
    expectFails(source, { path: 'azure.location', message: 'required field is missing: add "location" (string)', at: ['azure:'] });
  });

  test('fails a missing deployment image', () => {
    const source = variant((d) => delete dep0(d).image);
    expectFails(source, { path: 'workloads[0].deployment.image', message: 'required field is missing: add "image" (string)', at: ['deployment:'] });
  });

  test('fails a missing object name', () => {
    const source = variant((d) => delete obj0(d).name);
    expectFails(source, { path: 'workloads[0].objects[0].name', message: 'required field is missing: add "name" (string)', at: ['objects:', 'type: secret'] });
  });

  test('fails an object type that is missing', () => {
    const source = variant((d) => delete obj0(d).type);
    expectFails(source, {
      path: 'workloads[0].objects[0].type',
      message: 'required field is missing: use "secret", "key" or "cert" (lower case)',
      at: ['objects:', 'name: DB-Password'],
    });
  });

  test('fails an empty workloads list', () => {
    const source = variant((d) => (d.workloads = []));
    expectFails(source, { path: 'workloads', received: '[]', message: 'list at least one workload', at: ['workloads:'] });
  });

  test('fails a workload without objects', () => {
    const source = variant((d) => (w0(d).objects = []));
    expectFails(source, { path: 'workloads[0].objects', received: '[]', message: 'list at least one Key Vault object to mount', at: ['objects:'] });
  });

  test('fails an existing cluster without its asserted flags', () => {
    const source = variant((d) => (d.cluster = { mode: 'existing', name: 'aks-legacy' }));
    const err = userErrorOf(() => load(source));
    const position = locate(source, 'cluster:');
    expect(err.problems).toStrictEqual([
      {
        file: FILE,
        path: 'cluster.oidcIssuer',
        position,
        message: 'required field is missing: state whether the existing cluster has the OIDC issuer on (true or false)',
      },
      {
        file: FILE,
        path: 'cluster.workloadIdentity',
        position,
        message: 'required field is missing: state whether the existing cluster has Workload Identity on (true or false)',
      },
    ]);
  });
});

describe('azure', () => {
  test('fails a location with spaces or capitals', () => {
    const source = variant((d) => (d.azure.location = 'West Europe'));
    expectFails(source, {
      path: 'azure.location',
      received: '"West Europe"',
      message: 'use an Azure region name in lower case without spaces, e.g. "westeurope"',
      at: ['location:'],
    });
  });

  test('fails a resource group name ending in "."', () => {
    const source = variant((d) => (d.azure.resourceGroup.name = 'rg-app.'));
    expectFails(source, {
      path: 'azure.resourceGroup.name',
      received: '"rg-app."',
      message: 'use 1-90 letters, digits, "_", "-", ".", "(" or ")", not ending in "."',
      at: ['resourceGroup:', 'name:'],
    });
  });

  test('fails a resource group name longer than 90', () => {
    const name = 'r'.repeat(91);
    const source = variant((d) => (d.azure.resourceGroup.name = name));
    expectFails(source, {
      path: 'azure.resourceGroup.name',
      received: shown(name),
      message: 'use 1-90 letters, digits, "_", "-", ".", "(" or ")", not ending in "."',
      at: ['resourceGroup:', 'name:'],
    });
    expect(() => load(variant((d) => (d.azure.resourceGroup.name = 'r'.repeat(90))))).not.toThrow();
  });

  test('fails a subscription id that is not a GUID', () => {
    const source = variant((d) => (d.azure.subscriptionId = '0000-cafe'));
    expectFails(source, {
      path: 'azure.subscriptionId',
      received: '"0000-cafe"',
      message: 'use a GUID such as 00000000-0000-0000-0000-000000000000',
      at: ['subscriptionId:'],
    });
  });

  test('fails an unknown cloud', () => {
    const source = variant((d) => (d.azure.cloud = 'AzurePublicCloud'));
    expectFails(source, { path: 'azure.cloud', received: '"AzurePublicCloud"', message: 'use one of "public", "usgovernment", "china"', at: ['cloud:'] });
  });

  test('fails a tag value that is not a string', () => {
    const source = variant((d) => (d.azure.tags['cost-center'] = 4711));
    expectFails(source, {
      path: 'azure.tags.cost-center',
      received: '4711',
      message: 'tag values must be strings (quote numbers and booleans)',
      at: ['cost-center:'],
    });
  });
});

describe('cluster', () => {
  test('fails an AKS name starting with a hyphen', () => {
    const source = variant((d) => (d.cluster.name = '-aks'));
    expectFails(source, {
      path: 'cluster.name',
      received: '"-aks"',
      message: 'use 1-63 letters, digits, "_" or "-", starting and ending with a letter or digit',
      at: ['cluster:', 'name:'],
    });
  });

  test('fails an AKS name longer than 63', () => {
    const name = `a${'b'.repeat(63)}`;
    const source = variant((d) => (d.cluster.name = name));
    expectFails(source, {
      path: 'cluster.name',
      received: JSON.stringify(name),
      message: 'use 1-63 letters, digits, "_" or "-", starting and ending with a letter or digit',
      at: ['cluster:', 'name:'],
    });
  });

  test('fails a cluster mode other than create or existing', () => {
    const source = variant((d) => (d.cluster.mode = 'import'));
    expectFails(source, { path: 'cluster.mode', received: '"import"', message: 'use mode "create" or "existing"', at: ['mode:'] });
  });

  test('fails a Kubernetes version with a "v"', () => {
    const source = variant((d) => (d.cluster.kubernetesVersion = 'v1.32'));
    expectFails(source, {
      path: 'cluster.kubernetesVersion',
      received: '"v1.32"',
      message: 'use a version such as "1.32" or "1.32.4"',
      at: ['kubernetesVersion:'],
    });
  });

  // hashicorp/terraform-provider-azurerm v4.55.0 internal/services/containers/validate/kubernetes.go (KubernetesDNSPrefix):
  // a digit may start the prefix (this schema refused it before); a hyphen may not.
  test('fails a DNS prefix starting with a hyphen', () => {
    const source = variant((d) => (d.cluster.dnsPrefix = '-aks'));
    expectFails(source, {
      path: 'cluster.dnsPrefix',
      received: '"-aks"',
      message: 'use 1-54 letters, digits or hyphens, starting and ending with a letter or digit',
      at: ['dnsPrefix:'],
    });
    expect(load(variant((d) => (d.cluster.dnsPrefix = '1aks'))).cluster).toMatchObject({ dnsPrefix: '1aks' });
  });

  test('fails a VM size with spaces', () => {
    const source = variant((d) => (d.cluster.systemNodePool.vmSize = 'Standard D2s v5'));
    expectFails(source, {
      path: 'cluster.systemNodePool.vmSize',
      received: '"Standard D2s v5"',
      message: 'use an Azure VM size such as "Standard_D2s_v5" (constrained-vCPU sizes such as "Standard_E4-2ds_v5" included)',
      at: ['vmSize:'],
    });
  });

  test('fails nodeCount 0', () => {
    const source = variant((d) => (d.cluster.systemNodePool.nodeCount = 0));
    expectFails(source, { path: 'cluster.systemNodePool.nodeCount', received: '0', message: 'use at least 1 node', at: ['nodeCount:'] });
  });

  test('fails nodeCount 1001 and 1.5', () => {
    expectFails(
      variant((d) => (d.cluster.systemNodePool.nodeCount = 1001)),
      { path: 'cluster.systemNodePool.nodeCount', received: '1001', message: 'use at most 1000 nodes', at: ['nodeCount:'] },
    );
    expectFails(
      variant((d) => (d.cluster.systemNodePool.nodeCount = 1.5)),
      { path: 'cluster.systemNodePool.nodeCount', received: '1.5', message: 'use a whole number of nodes', at: ['nodeCount:'] },
    );
  });

  test('fails a network plugin outside the enum', () => {
    const source = variant((d) => (d.cluster.networkPlugin = 'cilium'));
    expectFails(source, {
      path: 'cluster.networkPlugin',
      received: '"cilium"',
      message: 'use one of "azure-overlay", "azure", "kubenet", "none"',
      at: ['networkPlugin:'],
    });
  });

  test('fails a rotation interval that is not a Go duration', () => {
    const source = variant((d) => (d.cluster.secretsProvider.rotation.interval = '2 minutes'));
    expectFails(source, { path: 'cluster.secretsProvider.rotation.interval', received: '"2 minutes"', message: DURATION, at: ['interval:'] });
  });

  test('fails a rotation interval given as a number', () => {
    const source = variant((d) => (d.cluster.secretsProvider.rotation.interval = 120));
    expectFails(source, {
      path: 'cluster.secretsProvider.rotation.interval',
      received: '120',
      message: 'expected a Go duration such as "30s", "2m" or "1h30m"',
      at: ['interval:'],
    });
  });

  test('fails a negative rotation interval', () => {
    const source = variant((d) => (d.cluster.secretsProvider.rotation.interval = '-2m'));
    expectFails(source, { path: 'cluster.secretsProvider.rotation.interval', received: '"-2m"', message: DURATION, at: ['interval:'] });
  });

  // Regression (was a bug in lib/config/schema.ts): "0s" is a Go duration, so it passes; a zero poll interval is
  // meaningless for the add-on and makes the request estimate (lib/request-budget.ts) divide by zero (Infinity/NaN).
  test('fails a rotation interval of 0s', () => {
    const source = variant((d) => (d.cluster.secretsProvider.rotation.interval = '0s'));
    const problems = problemsOf(source);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ path: 'cluster.secretsProvider.rotation.interval', received: '"0s"', position: locate(source, 'interval:') });
  });

  test('fails Workload Identity off on a new cluster', () => {
    const source = variant((d) => (d.cluster.workloadIdentity = false));
    expectFails(source, {
      path: 'cluster.workloadIdentity',
      received: 'false',
      message: 'secrets are delivered through Workload Identity: set cluster.workloadIdentity: true',
      at: ['workloadIdentity:'],
    });
  });

  test('fails the OIDC issuer off with Workload Identity on', () => {
    const source = variant((d) => (d.cluster.oidcIssuer = false));
    expectFails(source, {
      path: 'cluster.oidcIssuer',
      received: 'false',
      message: 'Workload Identity needs the OIDC issuer (Azure rejects it only at apply time): set cluster.oidcIssuer: true',
      at: ['oidcIssuer:'],
    });
  });

  test('fails an existing cluster asserted without the OIDC issuer', () => {
    const source = variant((d) => (d.cluster = { mode: 'existing', name: 'aks-legacy', oidcIssuer: false, workloadIdentity: true }));
    expectFails(source, {
      path: 'cluster.oidcIssuer',
      received: 'false',
      message:
        'existing cluster "aks-legacy" cannot be trusted to have the OIDC issuer: run "az aks update -g rg-akscsi-dev -n aks-legacy --enable-oidc-issuer --enable-workload-identity", then set cluster.oidcIssuer: true',
      at: ['oidcIssuer:'],
    });
  });

  test('fails an existing cluster asserted without Workload Identity, naming its own resource group', () => {
    const source = variant(
      (d) => (d.cluster = { mode: 'existing', name: 'aks-legacy', resourceGroup: 'rg-legacy', oidcIssuer: true, workloadIdentity: false }),
    );
    expectFails(source, {
      path: 'cluster.workloadIdentity',
      received: 'false',
      message:
        'existing cluster "aks-legacy" cannot be trusted to have Workload Identity: run "az aks update -g rg-legacy -n aks-legacy --enable-oidc-issuer --enable-workload-identity", then set cluster.workloadIdentity: true',
      at: ['workloadIdentity:'],
    });
  });

  test('accepts an existing cluster asserted with both on', () => {
    const config = load(variant((d) => (d.cluster = { mode: 'existing', name: 'aks-legacy', oidcIssuer: true, workloadIdentity: true })));
    expect(config.cluster).toStrictEqual({
      mode: 'existing',
      name: 'aks-legacy',
      oidcIssuer: true,
      workloadIdentity: true,
      secretsProvider: { rotation: { enabled: true, interval: '2m' } },
    });
  });
});

describe('keyVault', () => {
  test.each([
    ['too short', 'kv'],
    ['too long', `kv-${'a'.repeat(22)}`],
    ['starting with a digit', '1vault'],
    ['ending with a hyphen', 'my-vault-'],
    ['containing "--"', 'my--vault'],
    ['containing "_"', 'my_vault'],
    ['containing a dot', 'my.vault'],
  ])('fails a vault name %s', (_why, name) => {
    const source = variant((d) => (d.keyVault.name = name));
    expectFails(source, { path: 'keyVault.name', received: JSON.stringify(name), message: VAULT, at: ['keyVault:', 'name:'] });
  });

  test('accepts vault names at the limits', () => {
    for (const name of ['kv1', `k${'v'.repeat(23)}`, 'My-Vault-01']) {
      expect(load(variant((d) => (d.keyVault.name = name))).keyVault.name).toBe(name);
    }
  });

  test('fails a vault name on an existing vault too', () => {
    const source = variant((d) => (d.keyVault = { mode: 'existing', name: 'my_vault' }));
    expectFails(source, { path: 'keyVault.name', received: '"my_vault"', message: VAULT, at: ['keyVault:', 'name:'] });
  });

  test('fails softDeleteRetentionDays 6', () => {
    const source = variant((d) => (d.keyVault.softDeleteRetentionDays = 6));
    expectFails(source, { path: 'keyVault.softDeleteRetentionDays', received: '6', message: 'use 7 to 90 days', at: ['softDeleteRetentionDays:'] });
  });

  test('fails softDeleteRetentionDays 91', () => {
    const source = variant((d) => (d.keyVault.softDeleteRetentionDays = 91));
    expectFails(source, { path: 'keyVault.softDeleteRetentionDays', received: '91', message: 'use 7 to 90 days', at: ['softDeleteRetentionDays:'] });
  });

  test('fails an unknown sku', () => {
    const source = variant((d) => (d.keyVault.sku = 'Premium'));
    expectFails(source, { path: 'keyVault.sku', received: '"Premium"', message: 'use one of "standard", "premium"', at: ['sku:'] });
  });

  test('fails an IP rule that is not IPv4 or CIDR', () => {
    const source = variant((d) => (d.keyVault.networkAcls.ipRules[0] = '2001:db8::/32'), 'prod');
    expectFails(source, {
      path: 'keyVault.networkAcls.ipRules[0]',
      received: '"2001:db8::/32"',
      message: 'use a public IPv4 address or CIDR range such as "203.0.113.0/24" (octets 0-255 without leading zeros, prefix 0-32; Key Vault takes no IPv6)',
      at: ['ipRules:', '2001'],
    });
  });

  test('fails a subnet id that is not a subnet resource id', () => {
    const source = variant((d) => (d.keyVault.networkAcls.virtualNetworkSubnetIds[0] = 'aks-nodes'), 'prod');
    expectFails(source, {
      path: 'keyVault.networkAcls.virtualNetworkSubnetIds[0]',
      received: '"aks-nodes"',
      message: 'use a subnet resource id: /subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.Network/virtualNetworks/<vnet>/subnets/<subnet>',
      at: ['virtualNetworkSubnetIds:', 'aks-nodes'],
    });
  });

  test('fails a default action outside Allow/Deny', () => {
    const source = variant((d) => (d.keyVault.networkAcls.defaultAction = 'deny'), 'prod');
    expectFails(source, { path: 'keyVault.networkAcls.defaultAction', received: '"deny"', message: 'use one of "Allow", "Deny"', at: ['defaultAction:'] });
  });
});

describe('unknown fields', () => {
  test('fails an unknown top-level field, listing the known ones', () => {
    const source = variant((d) => (d.keyvault = { name: 'x' }));
    expectFails(source, {
      path: 'keyvault',
      message:
        'unknown field: remove it or fix its spelling (fields here: azure, cluster, keyVault, additionalVaults, identity, workloads, sharedSecrets, engines, logAnalytics, monitoring, state, output)',
      at: ['keyvault:'],
    });
  });

  test('fails a typo inside an object entry', () => {
    const source = variant((d) => (obj0(d).aliass = 'x'));
    expectFails(source, {
      path: 'workloads[0].objects[0].aliass',
      message:
        'unknown field: remove it or fix its spelling (fields here: name, type, alias, version, format, encoding, filePermission, vault, versionHistory, properties)',
      at: ['aliass:'],
    });
  });

  test('fails a typo three levels deep', () => {
    const source = variant((d) => (dep0(d).resources = { cpu: '1' }));
    expectFails(source, {
      path: 'workloads[0].deployment.resources.cpu',
      message: 'unknown field: remove it or fix its spelling (fields here: cpuRequest, cpuLimit, memoryRequest, memoryLimit)',
      at: ['cpu:'],
    });
  });

  test('fails a field of the other union branch, listing the fields of the chosen one', () => {
    const source = variant((d) => (d.keyVault = { mode: 'existing', name: 'kv-shared', sku: 'standard' }));
    expectFails(source, {
      path: 'keyVault.sku',
      message: 'unknown field: remove it or fix its spelling (fields here: mode, name, privateEndpoint, resourceGroup, subscriptionId)',
      at: ['sku:'],
    });
  });

  test('fails a create-only cluster field without mode (create is implied)', () => {
    const source = variant((d) => (d.cluster.resourceGroup = 'rg-other'));
    const err = userErrorOf(() => load(source));
    expect(err.problems).toHaveLength(1);
    expect(err.problems[0]).toMatchObject({ path: 'cluster.resourceGroup', position: locate(source, 'cluster:', 'resourceGroup:') });
    expect(err.problems[0].message).toMatch(/^unknown field: remove it or fix its spelling \(fields here: mode, name, secretsProvider, kubernetesVersion, /);
  });

  // Regression (was a bug in lib/config/load.ts toProblem): an `unrecognized_keys` issue lists every unknown key of
  // one object, but only `issue.keys[0]` becomes a problem, so the second typo surfaces only on
  // the next run. The loader promises "listing every problem".
  test('fails listing every unknown field of one object', () => {
    const source = variant((d) => Object.assign(obj0(d), { aliass: 'x', verison: 'y' }));
    const problems = problemsOf(source);
    expect(problems.map((p) => [p.path, p.position])).toStrictEqual([
      ['workloads[0].objects[0].aliass', locate(source, 'aliass:')],
      ['workloads[0].objects[0].verison', locate(source, 'verison:')],
    ]);
  });
});

describe('workloads and names', () => {
  test('fails a workload name that is not a DNS-1123 label', () => {
    const source = variant((d) => (w0(d).name = 'Demo_App'));
    expectFails(source, { path: 'workloads[0].name', received: '"Demo_App"', message: DNS_LABEL, at: ['workloads:', 'name:'] });
  });

  test('fails a workload name longer than 40', () => {
    const name = 'a'.repeat(41);
    const source = variant((d) => (w0(d).name = name));
    expectFails(source, {
      path: 'workloads[0].name',
      received: JSON.stringify(name),
      message: 'use at most 40 characters (it prefixes other names)',
      at: ['workloads:', 'name:'],
    });
  });

  // Issue 12: kube-public is readable by every client, kube-node-lease holds node heartbeats.
  test.each([['kube-public'], ['kube-node-lease']])('fails a workload in system namespace %s', (namespace) => {
    const source = variant((d) => (w0(d).namespace = namespace));
    expectFails(source, {
      path: 'workloads[0].namespace',
      received: JSON.stringify(namespace),
      message: 'kube-public is readable by every client and kube-node-lease holds node heartbeats: put the workload in a namespace of its own',
      at: ['namespace:'],
    });
  });

  test('fails a namespace that is not a DNS-1123 label', () => {
    const source = variant((d) => (w0(d).namespace = 'demo.apps'));
    expectFails(source, {
      path: 'workloads[0].namespace',
      received: '"demo.apps"',
      message: 'use a DNS-1123 label: lower-case letters, digits and "-", at most 63',
      at: ['namespace:'],
    });
  });

  test('fails a ServiceAccount that is not a DNS-1123 name', () => {
    const source = variant((d) => (w0(d).serviceAccount = 'Demo'));
    expectFails(source, { path: 'workloads[0].serviceAccount', received: '"Demo"', message: DNS_NAME, at: ['serviceAccount:'] });
  });

  test('fails duplicate workload names', () => {
    const source = variant((d) => secondWorkload(d, { name: 'demo-app' }));
    expectFails(source, {
      path: 'workloads[1].name',
      received: '"demo-app"',
      message: 'workload name already used by workloads[0]: give each workload its own name',
      at: ['- name: demo-app', 'name: demo-app'],
    });
  });

  test('fails two workloads on one ServiceAccount in one namespace', () => {
    const source = variant((d) => secondWorkload(d, { namespace: 'demo', serviceAccount: 'demo-app' }));
    expectFails(source, {
      path: 'workloads[1].serviceAccount',
      received: '"demo-app"',
      message:
        'ServiceAccount demo/demo-app is already used by workloads[0]; one ServiceAccount can carry only one client id: give this workload its own serviceAccount',
      at: ['serviceAccount:'],
    });
  });

  test('accepts one ServiceAccount name in two namespaces', () => {
    expect(() => load(variant((d) => secondWorkload(d, { serviceAccount: 'demo-app' })))).not.toThrow();
  });
});

describe('Key Vault objects', () => {
  test('fails an object name with "_"', () => {
    const source = variant((d) => (obj0(d).name = 'DB_PASSWORD'));
    expectFails(source, {
      path: 'workloads[0].objects[0].name',
      received: '"DB_PASSWORD"',
      message: 'use 1-127 letters, digits or hyphens (map to another file name with alias)',
      at: ['objects:', 'name:'],
    });
  });

  test('fails an object name longer than 127', () => {
    const name = 'a'.repeat(128);
    const source = variant((d) => (obj0(d).name = name));
    expectFails(source, {
      path: 'workloads[0].objects[0].name',
      received: shown(name),
      message: 'use 1-127 letters, digits or hyphens (map to another file name with alias)',
      at: ['objects:', 'name:'],
    });
  });

  test('fails an object type in the wrong case', () => {
    const source = variant((d) => (obj0(d).type = 'Secret'));
    expectFails(source, { path: 'workloads[0].objects[0].type', received: '"Secret"', message: 'use "secret", "key" or "cert" (lower case)', at: ['type:'] });
  });

  // Azure/secrets-store-csi-driver-provider-azure pkg/provider/validate.go (validateFileName) and
  // kubernetes-sigs/secrets-store-csi-driver pkg/util/fileutil/atomic_writer.go (validatePath).
  test.each([
    ['with "/" (one file name, not a path)', 'certs/tls.crt', 'must be one file name: no "/" and not "."'],
    ['".."', '..', 'must not contain ".." anywhere (the provider refuses "db..password" too)'],
    ['with ".." inside a name (db..password fails the mount)', 'db..password', 'must not contain ".." anywhere (the provider refuses "db..password" too)'],
    ['"."', '.', 'must be one file name: no "/" and not "."'],
    ['longer than 255 bytes', 'f'.repeat(256), 'must have path elements of at most 255 bytes (UTF-8; "é" counts 2)'],
    ['of 128 "é" (256 bytes in UTF-8, 128 characters)', 'é'.repeat(128), 'must have path elements of at most 255 bytes (UTF-8; "é" counts 2)'],
    ['with surrounding spaces (the provider trims them)', ' DB_PASSWORD', 'must not start or end with whitespace (the provider trims it)'],
  ])('fails an alias %s', (_why, alias, message) => {
    const source = variant((d) => (obj0(d).alias = alias));
    expectFails(source, { path: 'workloads[0].objects[0].alias', received: shown(alias), message, at: ['alias:'] });
  });

  test('accepts an alias of 255 bytes and one of 127 two-byte characters', () => {
    for (const alias of ['f'.repeat(255), 'é'.repeat(127)]) expect(() => load(variant((d) => (obj0(d).alias = alias)))).not.toThrow();
  });

  test('fails a version that is not 32 hex characters', () => {
    for (const version of ['latest', 'a'.repeat(31), 'g'.repeat(32)]) {
      const source = variant((d) => (obj0(d).version = version));
      expectFails(source, {
        path: 'workloads[0].objects[0].version',
        received: JSON.stringify(version),
        message: 'use a 32-character hexadecimal Key Vault version id',
        at: ['version:'],
      });
    }
  });

  test('fails a file permission that is not octal', () => {
    for (const mode of ['0999', 'rw-r--r--', '44']) {
      const source = variant((d) => (obj0(d).filePermission = mode));
      expectFails(source, {
        path: 'workloads[0].objects[0].filePermission',
        received: JSON.stringify(mode),
        message: 'use an octal mode such as "0440"',
        at: ['filePermission:'],
      });
    }
  });

  test('fails a file permission given as a YAML number', () => {
    const source = variant((d) => d).replace('alias: DB_PASSWORD', 'alias: DB_PASSWORD\n        filePermission: 0440');
    expectFails(source, {
      path: 'workloads[0].objects[0].filePermission',
      received: '440',
      message: 'expected a string: use an octal mode such as "0440"',
      at: ['filePermission:'],
    });
  });

  test('fails versionHistory 0 and 101', () => {
    expectFails(
      variant((d) => (obj0(d).versionHistory = 0)),
      { path: 'workloads[0].objects[0].versionHistory', received: '0', message: 'use 1 or more', at: ['versionHistory:'] },
    );
    expectFails(
      variant((d) => (obj0(d).versionHistory = 101)),
      { path: 'workloads[0].objects[0].versionHistory', received: '101', message: 'use at most 100', at: ['versionHistory:'] },
    );
  });

  test('fails format pfx on a cert object', () => {
    const source = variant((d) => Object.assign(obj0(d), { type: 'cert', format: 'pfx' }));
    expectFails(source, {
      path: 'workloads[0].objects[0].format',
      received: '"pfx"',
      message: 'format "pfx" is only for type "secret" (the certificate with its private key)',
      at: ['format:'],
    });
  });

  test('fails encoding on a key object', () => {
    const source = variant((d) => Object.assign(obj0(d), { type: 'key', encoding: 'base64' }));
    expectFails(source, {
      path: 'workloads[0].objects[0].encoding',
      received: '"base64"',
      message: 'encoding applies only to type "secret"; remove it',
      at: ['encoding:'],
    });
  });

  test('fails an unknown encoding', () => {
    const source = variant((d) => (obj0(d).encoding = 'utf8'));
    expectFails(source, { path: 'workloads[0].objects[0].encoding', received: '"utf8"', message: 'use one of "utf-8", "hex", "base64"', at: ['encoding:'] });
  });

  test('fails two objects mounted under one alias', () => {
    const source = variant((d) => w0(d).objects.push({ name: 'Other', type: 'secret', alias: 'DB_PASSWORD' }));
    expectFails(source, {
      path: 'workloads[0].objects[1].alias',
      received: '"DB_PASSWORD"',
      message: 'file name already mounted by objects[0]: set a distinct alias',
      at: ['alias: DB_PASSWORD', 'alias:'],
    });
  });

  test("fails an object name that collides with another object's alias", () => {
    const source = variant((d) => w0(d).objects.push({ name: 'DB-Password', type: 'cert' }, { name: 'db', type: 'secret', alias: 'DB-Password' }));
    // objects[0] mounts DB_PASSWORD, objects[1] mounts DB-Password, objects[2] asks for DB-Password again.
    expectFails(source, {
      path: 'workloads[0].objects[2].alias',
      received: '"DB-Password"',
      message: 'file name already mounted by objects[1]: set a distinct alias',
      at: ['alias: DB-Password'],
    });
    const byName = variant((d) => w0(d).objects.push({ name: 'x', type: 'secret', alias: 'Plain' }, { name: 'Plain', type: 'secret' }));
    expectFails(byName, {
      path: 'workloads[0].objects[2].name',
      received: '"Plain"',
      message: 'file name already mounted by objects[1]: set a distinct alias',
      at: ['name: Plain'],
    });
  });

  test('accepts one Key Vault object mounted twice under two aliases', () => {
    expect(() => load(variant((d) => w0(d).objects.push({ name: 'DB-Password', type: 'secret', alias: 'db-password-copy' })))).not.toThrow();
  });
});

describe('synced Secrets (secretObjects)', () => {
  test('fails a secretObjects entry without type', () => {
    const source = variant((d) => (w0(d).secretObjects = [{ secretName: 'app-secrets', data: [{ objectName: 'DB_PASSWORD', key: 'password' }] }]));
    expectFails(source, {
      path: 'workloads[0].secretObjects[0].type',
      message: 'required field is missing: use a Secret type such as "Opaque" or "kubernetes.io/tls" (required: the driver skips entries without it)',
      at: ['secretObjects:', 'secretName:'],
    });
  });

  test('fails a Secret type outside the list', () => {
    const source = variant((d) => (withSyncedSecret(d), (w0(d).secretObjects[0].type = 'opaque')));
    expectFails(source, {
      path: 'workloads[0].secretObjects[0].type',
      received: '"opaque"',
      message: 'use a Secret type such as "Opaque" or "kubernetes.io/tls" (required: the driver skips entries without it)',
      at: ['secretObjects:', 'type:'],
    });
  });

  test('fails a secretName that is not a DNS-1123 name', () => {
    const source = variant((d) => (withSyncedSecret(d), (w0(d).secretObjects[0].secretName = 'App_Secrets')));
    expectFails(source, {
      path: 'workloads[0].secretObjects[0].secretName',
      received: '"App_Secrets"',
      message: `${DNS_NAME}, at most 253`,
      at: ['secretName:'],
    });
  });

  // kubernetes/apimachinery IsDNS1123Subdomain: at most 253 characters.
  test('fails a secretName longer than 253', () => {
    const name = `${'a'.repeat(250)}.bcd`;
    const source = variant((d) => (withSyncedSecret(d), (w0(d).secretObjects[0].secretName = name)));
    expectFails(source, { path: 'workloads[0].secretObjects[0].secretName', received: shown(name), message: `${DNS_NAME}, at most 253`, at: ['secretName:'] });
  });

  test('fails a synced Secret without data', () => {
    const source = variant((d) => (withSyncedSecret(d), (w0(d).secretObjects[0].data = [])));
    expectFails(source, {
      path: 'workloads[0].secretObjects[0].data',
      received: '[]',
      message: 'list at least one { objectName, key }',
      at: ['secretObjects:', 'data:'],
    });
  });

  // kubernetes/apimachinery pkg/util/validation/validation.go (IsConfigMapKey, called by ValidateSecret).
  test.each([
    ['with "/"', 'db/password'],
    ['"."', '.'],
    ['".."', '..'],
    ['starting with ".."', '..data'],
    ['longer than 253', 'k'.repeat(254)],
  ])('fails a Secret key %s', (_why, key) => {
    const source = variant((d) => (withSyncedSecret(d), (w0(d).secretObjects[0].data[0].key = key)));
    expectFails(source, {
      path: 'workloads[0].secretObjects[0].data[0].key',
      received: shown(key),
      message: 'use at most 253 letters, digits, "-", "_" or "." for a Secret key, not "." and not starting with ".."',
      at: ['key:'],
    });
  });

  test('accepts Secret keys such as ".dockerconfigjson", "tls.crt" and "a..b"', () => {
    for (const key of ['.dockerconfigjson', 'tls.crt', 'a..b', 'KEY_NAME'])
      expect(() => load(variant((d) => (withSyncedSecret(d), (w0(d).secretObjects[0].data[0].key = key))))).not.toThrow();
  });

  // kubernetes/kubernetes pkg/apis/core/validation/validation.go (ValidateSecret): the keys each type requires.
  test.each([
    ['kubernetes.io/basic-auth', 'token', '"username" or "password"'],
    ['kubernetes.io/ssh-auth', 'id_rsa', '"ssh-privatekey"'],
    ['kubernetes.io/dockerconfigjson', 'config.json', '".dockerconfigjson" (holding the JSON of a Docker config)'],
  ])('fails a %s Secret without its required key', (type, key, needs) => {
    const source = variant((d) => {
      withSyncedSecret(d);
      w0(d).secretObjects[0].type = type;
      w0(d).secretObjects[0].data[0].key = key;
    });
    expectFails(source, {
      path: 'workloads[0].secretObjects[0].data',
      received: shown([{ objectName: 'DB_PASSWORD', key }]),
      message: `a ${type} Secret needs the key ${needs}: add { objectName, key } for it (the API server refuses the Secret, so the sync fails at mount time)`,
      at: ['secretObjects:', 'data:'],
    });
  });

  test('accepts a basic-auth Secret with only a password, an ssh-auth and a dockerconfigjson Secret with their keys', () => {
    for (const [type, key] of [
      ['kubernetes.io/basic-auth', 'password'],
      ['kubernetes.io/ssh-auth', 'ssh-privatekey'],
      ['kubernetes.io/dockerconfigjson', '.dockerconfigjson'],
    ] as const) {
      expect(() => load(variant((d) => (withSyncedSecret(d), (w0(d).secretObjects[0].type = type), (w0(d).secretObjects[0].data[0].key = key))))).not.toThrow();
    }
  });

  test('fails a kubernetes.io/tls Secret with a key other than tls.crt / tls.key', () => {
    const source = variant((d) => {
      d.workloads[1].secretObjects[0].data.push({ objectName: 'session-key', key: 'cert.pem' });
    }, 'prod');
    expectFails(source, {
      path: 'workloads[1].secretObjects[0].data[2].key',
      received: '"cert.pem"',
      message: 'a kubernetes.io/tls Secret takes only the keys "tls.crt" and "tls.key"',
      at: ['secretObjects:', 'key: cert.pem'],
    });
  });

  // Regression (was a bug in lib/config/schema.ts SecretObject): Kubernetes rejects a kubernetes.io/tls Secret that
  // lacks tls.crt or tls.key, so the driver's sync fails at mount time; the schema only checks
  // that the keys present are among the two.
  test('fails a kubernetes.io/tls Secret without tls.key', () => {
    const source = variant((d) => {
      const so = d.workloads[1].secretObjects[0];
      so.data = so.data.filter((x: { key: string }) => x.key === 'tls.crt');
    }, 'prod');
    const problems = problemsOf(source);
    expect(problems).toHaveLength(1);
    expect(problems[0].path).toMatch(/^workloads\[1\]\.secretObjects\[0\]/);
    expect(problems[0].message).toContain('tls.key');
  });

  test('fails a synced objectName that is not a mounted file name', () => {
    const source = variant((d) => (withSyncedSecret(d), (w0(d).secretObjects[0].data[0].objectName = 'DB-Password')));
    expectFails(source, {
      path: 'workloads[0].secretObjects[0].data[0].objectName',
      received: '"DB-Password"',
      message: 'objectName must be a file the mount holds (the alias when one is set): one of "DB_PASSWORD"',
      at: ['objectName:'],
    });
  });

  // Azure/secrets-store-csi-driver-provider-azure pkg/provider/provider.go (getLatestNKeyVaultObjects):
  // with objectVersionHistory > 1 the provider writes <alias>/0 ... <alias>/<n-1> and no <alias> file.
  test('fails a synced objectName naming an object that keeps a version history', () => {
    const source = variant((d) => (withSyncedSecret(d), (obj0(d).versionHistory = 3)));
    expectFails(source, {
      path: 'workloads[0].secretObjects[0].data[0].objectName',
      received: '"DB_PASSWORD"',
      message:
        'objects[0] keeps versionHistory 3, so the provider writes "DB_PASSWORD/0" to "DB_PASSWORD/2" and no "DB_PASSWORD" file: use "DB_PASSWORD/0" (the current version)',
      at: ['objectName:'],
    });
  });

  test('fails a synced objectName past the version history', () => {
    const source = variant((d) => (withSyncedSecret(d), (obj0(d).versionHistory = 3), (w0(d).secretObjects[0].data[0].objectName = 'DB_PASSWORD/3')));
    expectFails(source, {
      path: 'workloads[0].secretObjects[0].data[0].objectName',
      received: '"DB_PASSWORD/3"',
      message:
        'objects[0] keeps versionHistory 3, so the provider writes "DB_PASSWORD/0" to "DB_PASSWORD/2" and no "DB_PASSWORD" file: use "DB_PASSWORD/0" (the current version)',
      at: ['objectName:'],
    });
  });

  // kubernetes-sigs/secrets-store-csi-driver pkg/util/fileutil/filesystem.go (GetMountedFiles walks the
  // mount recursively), so "<alias>/0" syncs.
  test('accepts "<alias>/0" of a version history, and warns for an older version that may not exist yet', () => {
    const config = load(variant((d) => (withSyncedSecret(d), (obj0(d).versionHistory = 3), (w0(d).secretObjects[0].data[0].objectName = 'DB_PASSWORD/0'))));
    expect(config.workloads[0].secretObjects[0].data[0].objectName).toBe('DB_PASSWORD/0');
    const older = deriveEnvironment(
      'dev',
      FILE,
      load(variant((d) => (withSyncedSecret(d), (obj0(d).versionHistory = 3), (w0(d).secretObjects[0].data[0].objectName = 'DB_PASSWORD/2')))),
    );
    expect(older.warnings.filter((w) => w.code === 'version-may-be-missing')).toStrictEqual([
      {
        code: 'version-may-be-missing',
        path: 'workloads[0].secretObjects[0].data[0].objectName',
        message:
          '"DB_PASSWORD/2" exists only once "DB-Password" has 3 versions; until then the driver fails to sync Secret "app-secrets": use "DB_PASSWORD/0" unless the older version is certain to exist',
      },
    ]);
  });

  test('fails two Secret data entries with one key', () => {
    const source = variant((d) => {
      withSyncedSecret(d);
      w0(d).objects.push({ name: 'api-key', type: 'secret' });
      w0(d).secretObjects[0].data.push({ objectName: 'api-key', key: 'password' });
    });
    expectFails(source, {
      path: 'workloads[0].secretObjects[0].data[1].key',
      received: '"password"',
      message: 'key already used in this Secret: use distinct keys',
      at: ['objectName: api-key', 'key:'],
    });
  });

  test('fails one Secret synced twice in a namespace', () => {
    const source = variant((d) => {
      withSyncedSecret(d);
      const other = secondWorkload(d, { namespace: 'demo' });
      other.secretObjects = [{ secretName: 'app-secrets', type: 'Opaque', data: [{ objectName: 'other-secret', key: 'x' }] }];
    });
    expectFails(source, {
      path: 'workloads[1].secretObjects[0].secretName',
      received: '"app-secrets"',
      message: 'Secret demo/app-secrets is already synced by workload "demo-app": use another secretName',
      at: ['other-secret', 'secretName:'],
    });
  });

  test('accepts one Secret name synced in two namespaces', () => {
    const source = variant((d) => {
      withSyncedSecret(d);
      secondWorkload(d).secretObjects = [{ secretName: 'app-secrets', type: 'Opaque', data: [{ objectName: 'other-secret', key: 'x' }] }];
    });
    expect(() => load(source)).not.toThrow();
  });
});

describe('deployment', () => {
  test('fails an image reference with spaces', () => {
    const source = variant((d) => (dep0(d).image = 'nginx latest'));
    expectFails(source, {
      path: 'workloads[0].deployment.image',
      received: '"nginx latest"',
      message: 'use an image reference such as "ghcr.io/org/app:1.2.3" (no spaces)',
      at: ['image:'],
    });
  });

  // The chart refused a mountPath with ".." while the schema accepted it: a stack trace (exit 70).
  test.each([['mnt/secrets'], ['/mnt/../etc'], ['C:/secrets']])('fails mountPath %s', (mountPath) => {
    const source = variant((d) => (dep0(d).mountPath = mountPath));
    expectFails(source, {
      path: 'workloads[0].deployment.mountPath',
      received: JSON.stringify(mountPath),
      message: 'use an absolute path without ".." or ":" such as "/mnt/secrets-store"',
      at: ['mountPath:'],
    });
  });

  test('fails a subPath mount', () => {
    const source = variant((d) => (dep0(d).subPath = 'DB_PASSWORD'));
    expectFails(source, {
      path: 'workloads[0].deployment.subPath',
      received: '"DB_PASSWORD"',
      message: 'a subPath mount of a CSI secrets volume is never rotated: remove subPath and read the file under mountPath',
      at: ['subPath:'],
    });
  });

  test.each([
    ['0', 0],
    ['65536', 65536],
  ])('fails containerPort %s', (_n, port) => {
    const source = variant((d) => (dep0(d).ports[0].containerPort = port));
    expectFails(source, {
      path: 'workloads[0].deployment.ports[0].containerPort',
      received: String(port),
      message: 'use a port from 1 to 65535',
      at: ['containerPort:'],
    });
  });

  // kubernetes/apimachinery pkg/util/validation/validation.go (IsValidPortName).
  test.each([
    ['longer than 15', 'http-management1'],
    ['without a letter', '8080'],
    ['with "--"', 'http--alt'],
    ['ending in "-"', 'http-'],
    ['in upper case', 'HTTP'],
  ])('fails a port name %s', (_why, name) => {
    const source = variant((d) => (dep0(d).ports[0].name = name));
    expectFails(source, {
      path: 'workloads[0].deployment.ports[0].name',
      received: JSON.stringify(name),
      message: 'use an IANA service name: at most 15 lower-case letters, digits and "-", with at least one letter, no "-" at either end and no "--"',
      at: ['ports:', 'name:'],
    });
  });

  // kubernetes/kubernetes pkg/apis/core/validation/validation.go (validateContainerPorts: Duplicate).
  // This crashed synth with a cdk8s-plus stack trace (exit 70) before.
  test('fails two ports with one name', () => {
    const source = variant((d) => dep0(d).ports.push({ containerPort: 8081, name: 'http' }));
    expectFails(source, {
      path: 'workloads[0].deployment.ports[1].name',
      received: '"http"',
      message: 'port name already used by ports[0]: give each port of the container its own name',
      at: ['ports:', 'name:', 'name:'],
    });
  });

  // kubernetes/kubernetes pkg/api/pod/warnings.go ("duplicate port definition"); the ports list is
  // keyed by containerPort and protocol (k8s.io/api core/v1 +listMapKey), so server-side apply fails.
  test('fails two ports with one containerPort and protocol', () => {
    const source = variant((d) => dep0(d).ports.push({ containerPort: 8080, name: 'metrics' }));
    expectFails(source, {
      path: 'workloads[0].deployment.ports[1].containerPort',
      received: '8080',
      message:
        '8080/TCP is already listed by ports[0]: list each containerPort and protocol once (server-side apply refuses a repeated containerPort and protocol)',
      at: ['ports:', 'containerPort:', 'containerPort:'],
    });
  });

  test('accepts one containerPort over TCP and UDP', () => {
    expect(() => load(variant((d) => dep0(d).ports.push({ containerPort: 8080, name: 'dns', protocol: 'UDP' })))).not.toThrow();
  });

  test('fails a port protocol outside TCP/UDP', () => {
    const source = variant((d) => (dep0(d).ports[0].protocol = 'SCTP'));
    expectFails(source, { path: 'workloads[0].deployment.ports[0].protocol', received: '"SCTP"', message: 'use one of "TCP", "UDP"', at: ['protocol:'] });
  });

  // kubernetes/apimachinery pkg/util/validation/validation.go (IsEnvVarName), the rule every
  // Kubernetes version applies (1.32+ relaxes it behind RelaxedEnvironmentVariableValidation).
  test.each([['1VAR'], ['MY VAR'], ['.'], ['..HIDDEN'], ['A=B']])('fails env var name %s', (name) => {
    const source = variant((d) => (dep0(d).env = [{ name, value: 'x' }]));
    expectFails(source, { path: 'workloads[0].deployment.env[0].name', received: JSON.stringify(name), message: ENV_NAME, at: ['env:', 'name:'] });
  });

  test('accepts env var names with "-" and "." as Kubernetes does', () => {
    expect(() =>
      load(
        variant(
          (d) =>
            (dep0(d).env = [
              { name: 'MY-VAR', value: 'x' },
              { name: 'my.env', value: 'y' },
              { name: '.profile', value: 'z' },
            ]),
        ),
      ),
    ).not.toThrow();
  });

  // kubernetes/kubernetes pkg/api/pod/warnings.go ("hides previous definition"): the later one wins,
  // and server-side apply may drop it.
  test('fails two deployment.env entries with one name', () => {
    const source = variant(
      (d) =>
        (dep0(d).env = [
          { name: 'MODE', value: 'a' },
          { name: 'MODE', value: 'b' },
        ]),
    );
    expectFails(source, {
      path: 'workloads[0].deployment.env[1].name',
      received: '"MODE"',
      message: 'environment variable already set by deployment.env[0]: set each environment variable once (a later entry silently wins)',
      at: ['env:', 'name:', 'name:'],
    });
  });

  test('fails an env value that is not a string', () => {
    const source = variant((d) => (dep0(d).env = [{ name: 'PORT', value: 8080 }]));
    expectFails(source, {
      path: 'workloads[0].deployment.env[0].value',
      received: '8080',
      message: 'expected a string value (quote numbers and booleans)',
      at: ['env:', 'value:'],
    });
  });

  test('fails an envFromSyncedSecret name that is not an env var name', () => {
    const source = variant((d) => (withSyncedSecret(d), (dep0(d).envFromSyncedSecret = [{ name: 'db password', secretName: 'app-secrets', key: 'password' }])));
    expectFails(source, {
      path: 'workloads[0].deployment.envFromSyncedSecret[0].name',
      received: '"db password"',
      message: ENV_NAME,
      at: ['envFromSyncedSecret:', 'name:'],
    });
  });

  test('fails envFromSyncedSecret naming a Secret the workload does not sync', () => {
    const source = variant(
      (d) => (withSyncedSecret(d), (dep0(d).envFromSyncedSecret = [{ name: 'DB_PASSWORD', secretName: 'other-secrets', key: 'password' }])),
    );
    expectFails(source, {
      path: 'workloads[0].deployment.envFromSyncedSecret[0].secretName',
      received: '"other-secrets"',
      message: 'not a Secret this workload syncs: add it under secretObjects, or use a secretName listed there',
      at: ['envFromSyncedSecret:', 'secretName:'],
    });
  });

  test('fails envFromSyncedSecret naming a key the Secret does not have', () => {
    const source = variant((d) => (withSyncedSecret(d), (dep0(d).envFromSyncedSecret = [{ name: 'DB_PASSWORD', secretName: 'app-secrets', key: 'pass' }])));
    expectFails(source, {
      path: 'workloads[0].deployment.envFromSyncedSecret[0].key',
      received: '"pass"',
      message: 'Secret "app-secrets" has no such key: use one of "password"',
      at: ['envFromSyncedSecret:', 'key:'],
    });
  });

  test('fails envFromSyncedSecret clashing with deployment.env', () => {
    const source = variant((d) => {
      withSyncedSecret(d);
      dep0(d).env = [{ name: 'DB_PASSWORD', value: 'x' }];
      dep0(d).envFromSyncedSecret = [{ name: 'DB_PASSWORD', secretName: 'app-secrets', key: 'password' }];
    });
    expectFails(source, {
      path: 'workloads[0].deployment.envFromSyncedSecret[0].name',
      received: '"DB_PASSWORD"',
      message: 'environment variable already set by deployment.env[0]: use one or the other',
      at: ['envFromSyncedSecret:', 'name:'],
    });
  });

  test('fails two envFromSyncedSecret entries with one name', () => {
    const source = variant((d) => {
      withSyncedSecret(d);
      dep0(d).envFromSyncedSecret = [
        { name: 'DB_PASSWORD', secretName: 'app-secrets', key: 'password' },
        { name: 'DB_PASSWORD', secretName: 'app-secrets', key: 'password' },
      ];
    });
    expectFails(source, {
      path: 'workloads[0].deployment.envFromSyncedSecret[1].name',
      received: '"DB_PASSWORD"',
      message: 'environment variable already set by deployment.envFromSyncedSecret[0]: use one or the other',
      at: ['envFromSyncedSecret:', 'name:', 'name:'],
    });
  });

  // kubernetes/apimachinery pkg/api/resource/quantity.go (ParseQuantity); ValidateResourceQuantityValue (not negative).
  test.each([['half'], ['-1'], ['1Mi2'], ['50 m']])('fails CPU quantity %s', (cpuRequest) => {
    const source = variant((d) => (dep0(d).resources = { cpuRequest }));
    expectFails(source, {
      path: 'workloads[0].deployment.resources.cpuRequest',
      received: JSON.stringify(cpuRequest),
      message: 'use CPU units such as "50m", "0.5" or "2" (not negative)',
      at: ['cpuRequest:'],
    });
  });

  // kubernetes/kubernetes pkg/api/pod/warnings.go: "fractional byte value ... must be an integer".
  test.each([['128MB'], ['128m'], ['0.5'], ['100.5'], ['-64Mi']])('fails memory quantity %s', (memoryLimit) => {
    const source = variant((d) => (dep0(d).resources = { memoryLimit }));
    expectFails(source, {
      path: 'workloads[0].deployment.resources.memoryLimit',
      received: JSON.stringify(memoryLimit),
      message: 'use whole bytes with a unit such as "64Mi" or "1Gi" ("128m" means 0.128 bytes, not 128 MiB)',
      at: ['memoryLimit:'],
    });
  });

  test('accepts the quantity grammar: decimal and binary suffixes, exponents, fractions that are whole bytes', () => {
    const resources = { cpuRequest: '0.25', cpuLimit: '1', memoryRequest: '1e8', memoryLimit: '0.5Gi' };
    expect(load(variant((d) => (dep0(d).resources = resources))).workloads[0].deployment.resources).toStrictEqual(resources);
  });

  // kubernetes/kubernetes pkg/apis/core/validation/validation.go (ValidateResourceRequirements):
  // a request above its limit is refused; quantities compare by value, not by text.
  test('fails a memory request above the limit (compared by value: 1Gi > 1000Mi)', () => {
    const source = variant((d) => (dep0(d).resources = { memoryRequest: '1Gi', memoryLimit: '1000Mi' }));
    expectFails(source, {
      path: 'workloads[0].deployment.resources.memoryRequest',
      received: '"1Gi"',
      message: 'memoryRequest 1Gi is above memoryLimit 1000Mi: set the request at or below the limit (the API server refuses a request above its limit)',
      at: ['memoryRequest:'],
    });
  });

  test('fails the default memory request above a small limit', () => {
    const source = variant((d) => (dep0(d).resources = { memoryLimit: '32Mi' }));
    expectFails(source, {
      path: 'workloads[0].deployment.resources.memoryRequest',
      message: 'memoryRequest 64Mi is above memoryLimit 32Mi: set the request at or below the limit (the API server refuses a request above its limit)',
      at: ['resources:'],
    });
  });

  test('fails a CPU request above the limit (0.5 > 250m)', () => {
    const source = variant((d) => (dep0(d).resources = { cpuRequest: '0.5', cpuLimit: '250m' }));
    expectFails(source, {
      path: 'workloads[0].deployment.resources.cpuRequest',
      received: '"0.5"',
      message: 'cpuRequest 0.5 is above cpuLimit 250m: set the request at or below the limit (the API server refuses a request above its limit)',
      at: ['cpuRequest:'],
    });
  });

  test('fails a seccomp profile outside the enum', () => {
    const source = variant((d) => (dep0(d).securityContext = { seccompProfile: 'Localhost' }));
    expectFails(source, {
      path: 'workloads[0].deployment.securityContext.seccompProfile',
      received: '"Localhost"',
      message: 'use "RuntimeDefault"',
      at: ['seccompProfile:'],
    });
  });

  // kubernetes/pod-security-admission policy/check_seccompProfile_baseline.go: Unconfined fails even baseline.
  test('fails seccomp profile Unconfined (no Pod Security level but privileged admits it)', () => {
    const source = variant((d) => (dep0(d).securityContext = { seccompProfile: 'Unconfined' }));
    expectFails(source, {
      path: 'workloads[0].deployment.securityContext.seccompProfile',
      received: '"Unconfined"',
      message:
        'use "RuntimeDefault": Unconfined fails even the baseline Pod Security Standard (kubernetes/pod-security-admission policy/check_seccompProfile_baseline.go), so no namespace we label would admit the pods',
      at: ['seccompProfile:'],
    });
  });

  // The kubelet refuses runAsNonRoot with user 0 (kubernetes pkg/kubelet/kuberuntime verifyRunAsNonRoot);
  // the chart threw a stack trace (exit 70) for it before.
  test('fails runAsUser 0 with runAsNonRoot', () => {
    const source = variant((d) => (dep0(d).securityContext = { runAsUser: 0 }));
    expectFails(source, {
      path: 'workloads[0].deployment.securityContext.runAsUser',
      received: '0',
      message:
        'runAsNonRoot is true, so the kubelet refuses to start a container as user 0: use a non-zero user id (or, against the restricted Pod Security Standard, runAsNonRoot: false)',
      at: ['runAsUser:'],
    });
  });

  // kubernetes/apimachinery pkg/util/validation/validation.go (IsValidUserID: 0 to 2^32-1).
  test('fails a user id above 4294967295', () => {
    const source = variant((d) => (dep0(d).securityContext = { runAsUser: 4294967296 }));
    expectFails(source, {
      path: 'workloads[0].deployment.securityContext.runAsUser',
      received: '4294967296',
      message: 'use a user id of at most 4294967295',
      at: ['runAsUser:'],
    });
  });

  // The chart refused unknown capabilities while the schema accepted any string: a stack trace (exit 70).
  test('fails a capability that is not a Linux capability name', () => {
    const source = variant((d) => (dep0(d).securityContext = { dropCapabilities: ['all'] }));
    expectFails(source, {
      path: 'workloads[0].deployment.securityContext.dropCapabilities[0]',
      received: '"all"',
      message: 'use a Linux capability name in upper case without "CAP_", such as "ALL" or "NET_RAW" (Pod Security checks compare "ALL" exactly)',
      at: ['dropCapabilities:', 'all'],
    });
  });

  // kubernetes/apimachinery pkg/api/validate/content/kube.go (IsLabelKey, IsLabelValue).
  test.each([
    [
      'a key with a space',
      'team name',
      'x',
      'use a label key: an optional DNS-1123 prefix and "/" (e.g. "example.com/"), then a name of at most 63 letters, digits, "-", "_" or ".", starting and ending alphanumeric',
    ],
    [
      'a key with an upper-case prefix',
      'Example.com/team',
      'x',
      'use a label key: an optional DNS-1123 prefix and "/" (e.g. "example.com/"), then a name of at most 63 letters, digits, "-", "_" or ".", starting and ending alphanumeric',
    ],
    [
      'a key name over 63',
      `example.com/${'n'.repeat(64)}`,
      'x',
      'use a label key: an optional DNS-1123 prefix and "/" (e.g. "example.com/"), then a name of at most 63 letters, digits, "-", "_" or ".", starting and ending alphanumeric',
    ],
    [
      'a value with "/"',
      'team',
      'a/b',
      'use a label value of at most 63 letters, digits, "-", "_" or ".", starting and ending alphanumeric (or empty); quote numbers and booleans',
    ],
    [
      'a value over 63',
      'team',
      'v'.repeat(64),
      'use a label value of at most 63 letters, digits, "-", "_" or ".", starting and ending alphanumeric (or empty); quote numbers and booleans',
    ],
  ])('fails deployment.labels with %s', (_why, key, value, message) => {
    const source = variant((d) => (dep0(d).labels = { [key]: value }));
    expectFails(source, { path: `workloads[0].deployment.labels.${key}`, received: JSON.stringify(value), message, at: ['labels:', key] });
  });

  test('accepts an empty label value and an upper-case annotation prefix (annotation keys compare in lower case)', () => {
    expect(() => load(variant((d) => ((dep0(d).labels = { tier: '' }), (dep0(d).annotations = { 'Example.COM/owner': 'x' }))))).not.toThrow();
  });

  // kubernetes/apimachinery pkg/api/validation/objectmeta.go (ValidateAnnotations).
  test('fails an annotation key with two "/"', () => {
    const source = variant((d) => (dep0(d).annotations = { 'example.com/a/b': 'x' }));
    expectFails(source, {
      path: 'workloads[0].deployment.annotations.example.com/a/b',
      received: '"x"',
      message:
        'use an annotation key: an optional DNS prefix and "/" (e.g. "example.com/"), then a name of at most 63 letters, digits, "-", "_" or ".", starting and ending alphanumeric',
      at: ['annotations:', 'example.com/a/b'],
    });
  });

  // kubernetes/apimachinery pkg/api/validation/objectmeta.go (ValidateAnnotationsSize, TotalAnnotationSizeLimitB).
  test('fails annotations over 256 KiB together (ours included)', () => {
    const big = 'x'.repeat(256 * 1024 - 'example.com/big'.length - 10);
    expect(() => load(variant((d) => (dep0(d).annotations = { 'example.com/big': big })))).not.toThrow();
    const source = variant((d) => ((dep0(d).annotations = { 'example.com/big': big }), (dep0(d).reloaderAnnotation = true)));
    const problems = problemsOf(source);
    expect(problems).toStrictEqual([
      {
        file: FILE,
        path: 'workloads[0].deployment.annotations',
        position: locate(source, 'annotations:'),
        received: shown({ 'example.com/big': big }),
        message: `the Deployment's annotations come to ${256 * 1024 - 10 + 'secretproviderclass.reloader.stakater.com/reload'.length + 'demo-app-keyvault'.length} bytes: keep the annotations of one object (keys and values together) within 262144 bytes (256 KiB): move large values into a ConfigMap or a mounted file`,
      },
    ]);
  });

  test.each([
    ['labels', 'app.kubernetes.io/name', 'the Deployment selects its pods by this label and sets it to the workload name: remove it'],
    ['labels', 'azure.workload.identity/use', 'set by deployment.workloadIdentityLabel: use that switch instead'],
    [
      'annotations',
      'secretproviderclass.reloader.stakater.com/reload',
      "set by deployment.restartOnRotation (to this workload's SecretProviderClass): use that switch instead",
    ],
    [
      'annotations',
      'secret.reloader.stakater.com/reload',
      'set by deployment.restartOnRotation (to the Secrets envFromSyncedSecret reads): use that switch instead',
    ],
  ])('fails deployment.%s setting %s, which we set', (field, key, message) => {
    const source = variant((d) => (dep0(d)[field] = { [key]: 'x' }));
    expectFails(source, { path: `workloads[0].deployment.${field}.${key}`, received: '"x"', message, at: [`${field}:`, key] });
  });

  test('fails the Argo CD sync-wave annotation when the Argo CD Application is rendered', () => {
    expect(() => load(variant((d) => (dep0(d).annotations = { 'argocd.argoproj.io/sync-wave': '5' })))).not.toThrow();
    const source = variant((d) => (d.workloads[0].deployment.annotations = { 'argocd.argoproj.io/sync-wave': '5' }), 'prod');
    expectFails(source, {
      path: 'workloads[0].deployment.annotations.argocd.argoproj.io/sync-wave',
      received: '"5"',
      message: 'the Argo CD sync waves are ours (the Deployment syncs after its SecretProviderClass): remove this annotation',
      at: ['annotations:', 'argocd.argoproj.io/sync-wave'],
    });
  });

  // kubernetes-sigs/secrets-store-csi-driver controllers/secretproviderclasspodstatus_controller.go (SecretManagedLabel).
  test('fails secretObjects labels with the label the driver sets, or an invalid label', () => {
    expectFails(
      variant((d) => (withSyncedSecret(d), (w0(d).secretObjects[0].labels = { 'secrets-store.csi.k8s.io/managed': 'false' }))),
      {
        path: 'workloads[0].secretObjects[0].labels.secrets-store.csi.k8s.io/managed',
        received: '"false"',
        message: 'the driver sets this label on every Secret it syncs: remove it',
        at: ['labels:', 'secrets-store'],
      },
    );
    expectFails(
      variant((d) => (withSyncedSecret(d), (w0(d).secretObjects[0].annotations = { 'a b': 'x' }))),
      {
        path: 'workloads[0].secretObjects[0].annotations.a b',
        received: '"x"',
        message:
          'use an annotation key: an optional DNS prefix and "/" (e.g. "example.com/"), then a name of at most 63 letters, digits, "-", "_" or ".", starting and ending alphanumeric',
        at: ['annotations:', 'a b'],
      },
    );
  });
});

describe('identity', () => {
  test('fails an unknown identity mode, role scope and role', () => {
    expectFails(
      variant((d) => (d.identity = { mode: 'per-cluster' })),
      { path: 'identity.mode', received: '"per-cluster"', message: 'use one of "per-workload", "shared"', at: ['mode:'] },
    );
    expectFails(
      variant((d) => (d.identity = { roleScope: 'secret' })),
      { path: 'identity.roleScope', received: '"secret"', message: 'use one of "vault", "object"', at: ['roleScope:'] },
    );
    expectFails(
      variant((d) => (d.identity = { role: 'reader' })),
      { path: 'identity.role', received: '"reader"', message: 'use one of "least-privilege", "administrator"', at: ['role:'] },
    );
  });

  // hashicorp/terraform-provider-time internal/provider/resource_time_sleep.go (create_duration): one number, one unit.
  test('fails a propagation wait without a unit', () => {
    const source = variant((d) => (d.identity = { propagationWait: '30' }));
    expectFails(source, {
      path: 'identity.propagationWait',
      received: '"30"',
      message: 'write one number and one unit (ms, s, m or h), such as "30s" or "90s"; "0s" disables the wait',
      at: ['propagationWait:'],
    });
  });

  // A shared identity over the limit is split (lib/model.ts sharedIdentityKeys), not refused.
  test(`accepts a shared identity with more than ${MAX_FEDERATED_CREDENTIALS_PER_IDENTITY} federated credentials`, () => {
    const source = variant((d: Doc) => {
      d.identity = { mode: 'shared' };
      for (let i = 1; i <= MAX_FEDERATED_CREDENTIALS_PER_IDENTITY; i++) secondWorkload(d, { name: `app-${i}`, namespace: 'apps' });
    });
    expect(load(source).workloads).toHaveLength(MAX_FEDERATED_CREDENTIALS_PER_IDENTITY + 1);
  });

  test('accepts more than 20 workloads with per-workload identities', () => {
    expect(() =>
      load(
        variant((d) => {
          for (let i = 1; i <= 25; i++) secondWorkload(d, { name: `app-${i}`, namespace: 'apps' });
        }),
      ),
    ).not.toThrow();
  });
});

describe('state', () => {
  test('fails an unknown backend', () => {
    const source = variant((d) => (d.state = { backend: 's3' }));
    expectFails(source, { path: 'state.backend', received: '"s3"', message: 'use backend "local" or "azurerm"', at: ['backend:'] });
  });

  test('fails a missing backend', () => {
    const source = variant((d) => (d.state = { path: 'terraform.tfstate' }));
    const problems = problemsOf(source);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ path: 'state.backend', position: locate(source, 'state:') });
  });

  test.each([['/var/lib/terraform.tfstate'], ['C:\\state\\dev.tfstate']])('fails an absolute local state path %s', (p) => {
    const source = variant((d) => (d.state = { backend: 'local', path: p }));
    expectFails(source, {
      path: 'state.path',
      received: JSON.stringify(p),
      message: 'use a relative path (no machine-specific absolute paths)',
      at: ['path:'],
    });
  });

  test('fails an azurerm backend without its storage account', () => {
    const source = variant((d) => delete d.state.storageAccount, 'prod');
    expectFails(source, { path: 'state.storageAccount', message: 'required field is missing: add "storageAccount" (string)', at: ['state:'] });
  });

  test('fails an azurerm storage account with capitals and a container with "--"', () => {
    expectFails(
      variant((d) => (d.state.storageAccount = 'StAkscsi'), 'prod'),
      { path: 'state.storageAccount', received: '"StAkscsi"', message: 'use 3-24 lower-case letters or digits', at: ['storageAccount:'] },
    );
    expectFails(
      variant((d) => (d.state.container = 'tf--state'), 'prod'),
      { path: 'state.container', received: '"tf--state"', message: 'use 3-63 lower-case letters, digits or "-"', at: ['container:'] },
    );
  });

  test('fails a local-backend field on the azurerm backend', () => {
    const source = variant((d) => (d.state.path = 'x.tfstate'), 'prod');
    expectFails(source, {
      path: 'state.path',
      message: 'unknown field: remove it or fix its spelling (fields here: backend, resourceGroup, storageAccount, container, key)',
      at: ['state:', 'path:'],
    });
  });
});

describe('output.gitops', () => {
  test('fails an unknown tool', () => {
    const source = variant((d) => (d.output = { gitops: { tool: 'fleet' } }));
    expectFails(source, { path: 'output.gitops.tool', received: '"fleet"', message: 'use tool "argocd" or "flux"', at: ['tool:'] });
  });

  test('fails Argo CD without repoURL', () => {
    const source = variant((d) => (d.output = { gitops: { tool: 'argocd' } }));
    expectFails(source, { path: 'output.gitops.repoURL', message: 'required field is missing: add "repoURL" (string)', at: ['gitops:'] });
  });

  test('fails an Argo CD namespace that is not a DNS-1123 label', () => {
    const source = variant((d) => (d.output.gitops.namespace = 'Argo'), 'prod');
    expectFails(source, { path: 'output.gitops.namespace', received: '"Argo"', message: 'use a DNS-1123 label', at: ['gitops:', 'namespace:'] });
  });

  // fluxcd/kustomize-controller api/v1/kustomization_types.go: interval Pattern ^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$
  // (a Go duration such as "500us" or ".5m" passes Go but not the CRD).
  test.each([['10 min'], ['500us'], ['.5m'], ['1d']])('fails Flux interval %s, which the Kustomization CRD refuses', (interval) => {
    expectFails(
      variant((d) => (d.output = { gitops: { tool: 'flux', sourceRef: 'flux-system', interval } })),
      {
        path: 'output.gitops.interval',
        received: JSON.stringify(interval),
        message: 'use a duration Flux accepts, such as "10m", "1h" or "1m30s" (units ms, s, m, h)',
        at: ['gitops:', 'interval:'],
      },
    );
  });

  test('fails a Flux interval of zero', () => {
    expectFails(
      variant((d) => (d.output = { gitops: { tool: 'flux', sourceRef: 'flux-system', interval: '0s' } })),
      { path: 'output.gitops.interval', received: '"0s"', message: 'use an interval longer than zero, such as "10m"', at: ['gitops:', 'interval:'] },
    );
  });

  // argoproj/argo-cd util/app/path/path.go (Path: "app path is absolute", "app path outside root");
  // the constructs refused these while the schema accepted them (exit 70).
  test.each([
    ['argocd', '/dist/prod'],
    ['argocd', '../other-repo'],
    ['flux', 'dist/../../x'],
  ])('fails %s path %s', (tool, path) => {
    const gitops = tool === 'argocd' ? { tool, repoURL: 'https://example.com/r.git', path } : { tool, sourceRef: 'flux-system', path };
    expectFails(
      variant((d) => (d.output = { gitops })),
      {
        path: 'output.gitops.path',
        received: JSON.stringify(path),
        message: 'use a path relative to the repository root, without ".." (e.g. "dist/prod")',
        at: ['path:'],
      },
    );
  });

  // argoproj/argo-cd ApplicationSpec.Project names an AppProject, a Kubernetes object (DNS-1123 subdomain).
  // argoproj/argo-cd ApplicationSource.RepoURL is required; a blank one passed the schema and
  // then failed in the chart's construct (a crash, exit 70).
  test('fails an Argo CD repoURL that is blank or holds spaces', () => {
    const source = variant((d) => (d.output.gitops.repoURL = '   '), 'prod');
    expectFails(source, {
      path: 'output.gitops.repoURL',
      received: '"   "',
      message: 'use the URL of the GitOps repository, without spaces (e.g. "https://github.com/org/gitops.git")',
      at: ['repoURL:'],
    });
  });

  test('fails an Argo CD project that no AppProject can be named', () => {
    const source = variant((d) => (d.output.gitops.project = 'Team Project'), 'prod');
    expectFails(source, {
      path: 'output.gitops.project',
      received: '"Team Project"',
      message: 'use the name of an Argo CD AppProject (a DNS-1123 name: lower-case letters, digits, "-" and ".", at most 253), e.g. "default"',
      at: ['project:'],
    });
  });

  test('fails Flux without sourceRef and with an Argo CD field', () => {
    expectFails(
      variant((d) => (d.output = { gitops: { tool: 'flux' } })),
      { path: 'output.gitops.sourceRef', message: 'required field is missing: add "sourceRef" (string)', at: ['gitops:'] },
    );
    expectFails(
      variant((d) => (d.output = { gitops: { tool: 'flux', sourceRef: 'flux-system', repoURL: 'https://x' } })),
      {
        path: 'output.gitops.repoURL',
        message: 'unknown field: remove it or fix its spelling (fields here: tool, sourceRef, path, namespace, interval, cluster, fleet, fleetPath)',
        at: ['repoURL:'],
      },
    );
  });

  // argoproj/argo-cd pkg/apis/application/v1alpha1/types.go ApplicationDestination (Server: the API server URL; Name: a registered cluster's name).
  test.each([['aks prod'], ['ftp://aks.example'], ['https://']])('fails Argo CD cluster %j, neither a server URL nor a cluster name', (cluster) => {
    const source = variant((d) => (d.output.gitops.cluster = cluster), 'prod');
    expectFails(source, {
      path: 'output.gitops.cluster',
      received: JSON.stringify(cluster),
      message:
        'use the API server URL of a cluster registered in Argo CD (e.g. "https://aks-prod.hcp.westeurope.azmk8s.io:443") or its name in Argo CD (e.g. "aks-prod"), without spaces',
      at: ['gitops:', 'cluster:'],
    });
  });

  // fluxcd/kustomize-controller api/v1 KubeConfigReference.SecretRef names a Secret (a DNS-1123 subdomain).
  test('fails a Flux cluster that no kubeconfig Secret can be named', () => {
    const source = variant((d) => (d.output = { gitops: { tool: 'flux', sourceRef: 'flux-system', cluster: 'Prod_Kubeconfig' } }));
    expectFails(source, {
      path: 'output.gitops.cluster',
      received: '"Prod_Kubeconfig"',
      message: 'use a DNS-1123 name: lower-case letters, digits, "-" and ".", at most 253',
      at: ['gitops:', 'cluster:'],
    });
  });

  test('fails a Flux fleetPath outside the fleet', () => {
    const source = variant((d) => (d.output = { gitops: { tool: 'flux', sourceRef: 'flux-system', fleetPath: 'clusters/fleet' } }));
    expectFails(source, {
      path: 'output.gitops.fleetPath',
      received: '"clusters/fleet"',
      message: 'fleetPath places the fleet folder, and this environment is not in the fleet: set output.gitops.fleet: true, or remove fleetPath',
      at: ['fleetPath:'],
    });
  });

  test('fails an Argo CD fleet field that is not a boolean', () => {
    const source = variant((d) => (d.output.gitops.fleet = 'yes'), 'prod');
    expect(problemsOf(source).map((p) => [p.path, p.received])).toEqual([['output.gitops.fleet', '"yes"']]);
  });

  test('fails a Flux sourceRef that is not a DNS-1123 name', () => {
    const source = variant((d) => (d.output = { gitops: { tool: 'flux', sourceRef: 'Flux_System' } }));
    expectFails(source, { path: 'output.gitops.sourceRef', received: '"Flux_System"', message: 'use the name of a Flux GitRepository', at: ['sourceRef:'] });
  });
});

describe('output.reloader', () => {
  test('fails without output.gitops: Reloader is installed through its tool (an Argo CD Application or a Flux HelmRelease)', () => {
    const source = minimalVariant((d) => (d.output = { reloader: {} }));
    expectFails(source, {
      path: 'output.reloader',
      received: '{}',
      message:
        'Reloader is installed through the GitOps tool of output.gitops (an Argo CD Application or a Flux HelmRelease): set output.gitops, or remove output.reloader and install Reloader with its CSI integration another way',
      at: ['reloader:'],
    });
  });

  // helm/helm pkg/chart/metadata.go (Validate: the chart version is SemVer 2); a range is not a pin.
  test.each(['^2.2.0', '2.x', 'latest', '2.2'])('fails chartVersion %s, which is not an exact chart version', (version) => {
    const source = variant((d) => (d.output.reloader = { chartVersion: version }), 'prod');
    expectFails(source, {
      path: 'output.reloader.chartVersion',
      received: JSON.stringify(version),
      message: 'use an exact chart version such as "2.2.16" (a pinned release, not a range)',
      at: ['reloader:', 'chartVersion:'],
    });
  });

  test('fails a namespace that is not a DNS-1123 label', () => {
    const source = variant((d) => (d.output.reloader = { namespace: 'Reloader' }), 'prod');
    expectFails(source, { path: 'output.reloader.namespace', received: '"Reloader"', message: 'use a DNS-1123 label', at: ['reloader:', 'namespace:'] });
  });

  test('defaults to namespace reloader and the pinned chart version', () => {
    const env = load(variant((d) => (d.output.reloader = {}), 'prod'));
    expect(env.output.reloader).toStrictEqual({ namespace: 'reloader', chartVersion: '2.2.16' });
  });
});

describe('problem collection', () => {
  test('lists every problem of a file, in document order of the schema', () => {
    const source = minimalVariant((d) => {
      d.keyVault.name = 'my_vault';
      d.workloads[0].objects[0].type = 'Secret';
      d.workloads[0].namespace = 'Apps';
    });
    expect(problemsOf(source).map((p) => p.path)).toStrictEqual(['keyVault.name', 'workloads[0].namespace', 'workloads[0].objects[0].type']);
  });
});

describe('rendered file names', () => {
  test('fails two workloads whose namespace and name join to the same manifest file name', () => {
    const source = variant((d) => {
      d.workloads[0] = { ...d.workloads[0], name: 'b-c', namespace: 'a' };
      d.workloads.push({ ...d.workloads[0], name: 'c', namespace: 'a-b' });
    });
    const err = userErrorOf(() => load(source));
    expect(err.problems.map((p) => [p.path, p.message])).toEqual([
      [
        'workloads[1].name',
        'ServiceAccount a-b/c would be rendered to serviceaccount-a-b-c.yaml, as ServiceAccount a/b-c of workloads[0] is: rename this workload or its namespace',
      ],
      [
        'workloads[1].name',
        'Deployment a-b/c would be rendered to deployment-a-b-c.yaml, as Deployment a/b-c of workloads[0] is: rename this workload or its namespace',
      ],
      [
        'workloads[1].name',
        'SecretProviderClass a-b/c-keyvault would be rendered to secretproviderclass-a-b-c-keyvault.yaml, as SecretProviderClass a/b-c-keyvault of workloads[0] is: rename this workload or its namespace',
      ],
    ]);
  });
});

describe('monitoring (issue 15)', () => {
  const WORKSPACE = '/subscriptions/00000000-0000-0000-0000-0000000000b0/resourceGroups/rg-mon/providers/Microsoft.Monitor/accounts/amw-platform';

  test('defaults: operator with the kube-prometheus-stack selector label, 30s scrapes, 5m alerts, 2s latency, the throttling alert on', () => {
    const env = load(minimalVariant((d) => (d.monitoring = { prometheus: 'operator' })));
    expect(env.monitoring).toStrictEqual({
      prometheus: 'operator',
      selectorLabels: { release: 'kube-prometheus-stack' },
      scrapeInterval: '30s',
      alertFor: '5m',
      keyVaultLatencySeconds: 2,
      keyVaultThrottlingAlert: true,
    });
  });

  // azurerm: monitor_metrics is a block of azurerm_kubernetes_cluster; the association targets the cluster.
  test('fails azure-managed on an existing cluster: managed Prometheus is turned on in the cluster resource', () => {
    const source = minimalVariant((d) => {
      d.cluster = { mode: 'existing', name: 'aks-shared', oidcIssuer: true, workloadIdentity: true };
      d.monitoring = { prometheus: 'azure-managed', workspace: { mode: 'existing', id: WORKSPACE } };
    });
    expectFails(source, {
      path: 'monitoring.prometheus',
      received: '"azure-managed"',
      message:
        'managed Prometheus is turned on in the cluster resource, and existing cluster "aks-shared" is not managed by this stack: enable it where the cluster is managed (az aks update --enable-azure-monitor-metrics) and use prometheus "operator" for a Prometheus in the cluster, or remove monitoring',
      at: ['prometheus:'],
    });
  });

  test('fails an unknown flavour', () => {
    const source = minimalVariant((d) => (d.monitoring = { prometheus: 'victoria' }));
    expectFails(source, {
      path: 'monitoring.prometheus',
      received: '"victoria"',
      message: 'use prometheus "operator" or "azure-managed"',
      at: ['prometheus:'],
    });
  });

  // prometheus/common model/time.go (ParseDuration); Azure Monitor rule groups take ISO 8601, converted from one unit.
  test('fails a duration with two units (an ISO 8601 conversion needs one)', () => {
    const source = minimalVariant((d) => (d.monitoring = { prometheus: 'operator', alertFor: '1m30s' }));
    expectFails(source, {
      path: 'monitoring.alertFor',
      received: '"1m30s"',
      message: 'use a whole number and one unit of s, m or h, such as "30s", "5m" or "1h"',
      at: ['alertFor:'],
    });
  });

  test('fails a workspace id that is not a Microsoft.Monitor/accounts id (a Log Analytics workspace is the classic mix-up)', () => {
    const log = '/subscriptions/00000000-0000-0000-0000-0000000000b0/resourceGroups/rg-mon/providers/Microsoft.OperationalInsights/workspaces/log-platform';
    const source = minimalVariant((d) => (d.monitoring = { prometheus: 'azure-managed', workspace: { mode: 'existing', id: log } }));
    expectFails(source, {
      path: 'monitoring.workspace.id',
      received: shown(log),
      message: 'use the id of an Azure Monitor workspace: /subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.Monitor/accounts/<name>',
      at: ['id:'],
    });
  });

  // https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules#microsoftmonitor
  test('fails a workspace name with an underscore', () => {
    const source = minimalVariant((d) => (d.monitoring = { prometheus: 'azure-managed', workspace: { mode: 'create', name: 'amw_app' } }));
    expectFails(source, {
      path: 'monitoring.workspace.name',
      received: '"amw_app"',
      message: 'use 4-44 letters, digits or hyphens, starting and ending with a letter or digit',
      at: ['monitoring:', 'name:'],
    });
  });

  test('fails an action group id of another resource type', () => {
    const source = minimalVariant((d) => (d.monitoring = { prometheus: 'operator', actionGroupId: WORKSPACE }));
    expectFails(source, {
      path: 'monitoring.actionGroupId',
      received: shown(WORKSPACE),
      message: 'use the id of an action group: /subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.Insights/actionGroups/<name>',
      at: ['actionGroupId:'],
    });
  });

  test('fails a latency threshold of 0', () => {
    const source = minimalVariant((d) => (d.monitoring = { prometheus: 'operator', keyVaultLatencySeconds: 0 }));
    expectFails(source, {
      path: 'monitoring.keyVaultLatencySeconds',
      received: '0',
      message: 'use a number of seconds above 0',
      at: ['keyVaultLatencySeconds:'],
    });
  });

  test('fails an invalid selector label value', () => {
    const source = minimalVariant((d) => (d.monitoring = { prometheus: 'operator', selectorLabels: { release: 'kube prometheus' } }));
    const problems = problemsOf(source);
    expect(problems.map((p) => p.path)).toEqual(['monitoring.selectorLabels.release']);
  });
});
