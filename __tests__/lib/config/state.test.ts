/**
 * The `state` section and `keyVault.networkAcls.virtualNetworkSubnetIds`: fields that reach the
 * Terraform backend block (read literally, so template syntax is refused) or resource
 * arguments, held to Azure's naming rules (lib/azure.ts) and, for the local state file, to a
 * place inside the project that the tool never replaces (lib/config/state-path.ts).
 */
import { refuseStateIn } from '../../../lib/config/state-path';
import { deriveEnvironment } from '../../../lib/model';
import { synthEnvironments } from '../../../pipeline/synth';
import { expectFails, load, problemsOf, userErrorOf, variant } from '../../support/config';

const local = (p: string) => variant((d) => (d.state = { backend: 'local', path: p }));

describe('state.path', () => {
  test.each(['state/dev.tfstate', 'terraform.dev.tfstate', 'infra/.state/dev.tfstate', 'distant/dev.tfstate'])('accepts %j', (p) => {
    expect(load(local(p)).state).toEqual({ backend: 'local', path: p });
  });

  test.each([
    '../terraform.tfstate',
    'state/../../x.tfstate',
    './dev.tfstate',
    'state/./dev.tfstate',
    'state//dev.tfstate',
    'state\\dev.tfstate',
    'state/',
    'a\nb.tfstate',
  ])('fails %j: the path must stay inside the project, normalised', (p) => {
    expectFails(local(p), {
      path: 'state.path',
      received: JSON.stringify(p),
      message: 'use "/" between folders and no "." or ".." element (the state must stay inside the project), e.g. "state/dev.tfstate"',
      at: ['path:'],
    });
  });

  test.each(['dist/dev/terraform.tfstate', 'cdktf.out/stacks/dev/terraform.tfstate', 'DIST/x.tfstate', 'Cdktf.Out', 'dist'])(
    'fails %j: never inside a folder the tool replaces (the state holds admin credentials)',
    (p) => {
      expectFails(local(p), {
        path: 'state.path',
        received: JSON.stringify(p),
        message:
          "keep the state out of cdktf.out/ and dist/: the tool replaces those folders, and manifests get committed to GitOps repositories while the state holds the cluster's admin credentials",
        at: ['path:'],
      });
    },
  );

  test('fails Terraform template syntax: backend settings are read literally, so "$${" cannot escape it (hashicorp/hcl json/structure.go expression.Value)', () => {
    expectFails(local('state/${terraform.workspace}.tfstate'), {
      path: 'state.path',
      received: JSON.stringify('state/${terraform.workspace}.tfstate'),
      message: 'remove "${" and "%{": Terraform takes a backend setting literally, and tools that evaluate backend blocks would run it',
      at: ['path:'],
    });
  });
});

describe('azurerm backend (Azure Blob naming: learn.microsoft.com/rest/api/storageservices/naming-and-referencing-containers--blobs--and-metadata)', () => {
  const azurerm = (key: string) => variant((d) => (d.state.key = key), 'prod');

  test.each(['prod.tfstate', 'envs/prod/terraform.tfstate', 'Prod State.tfstate'])('accepts the key %j', (key) => {
    expect(load(azurerm(key)).state).toMatchObject({ backend: 'azurerm', key });
  });

  test.each([['ends-with-dot.'], ['ends/with/slash/'], ['x'.repeat(1025)], ['tab\there'], [`${'a/'.repeat(254)}a`]])('fails the key %j', (key) => {
    const problems = problemsOf(azurerm(key));
    expect(problems.map((p) => [p.path, p.message])).toEqual([
      ['state.key', 'use 1-1024 characters without control characters, at most 254 "/"-separated segments, not ending in "." or "/"'],
    ]);
  });

  test('accepts 254 segments, the most Azure allows', () => {
    expect(() => load(azurerm(`${'a/'.repeat(253)}a`))).not.toThrow();
  });

  test('fails a key with Terraform template syntax', () => {
    expectFails(azurerm('prod-${var.x}.tfstate'), {
      path: 'state.key',
      received: '"prod-${var.x}.tfstate"',
      message: 'remove "${" and "%{": Terraform takes a backend setting literally, and tools that evaluate backend blocks would run it',
      at: ['state:', 'key:'],
    });
  });

  test('fails an empty key', () => {
    expect(problemsOf(azurerm('')).map((p) => p.path)).toEqual(['state.key']);
  });
});

describe('keyVault.networkAcls.virtualNetworkSubnetIds (Azure naming rules for Microsoft.Network)', () => {
  const withSubnet = (id: string) => variant((d) => (d.keyVault.networkAcls.virtualNetworkSubnetIds = [id]), 'prod');
  const fix = 'use a subnet resource id: /subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.Network/virtualNetworks/<vnet>/subnets/<subnet>';
  const id = (sub: string, rg: string, vnet: string, subnet: string) =>
    `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.Network/virtualNetworks/${vnet}/subnets/${subnet}`;
  const SUB = '00000000-0000-0000-0000-00000000cafe';

  test.each([
    id(SUB, 'rg-net', 'vnet-prod', 'aks-nodes'),
    id(SUB, 'rg.net(1)', 'v_', 's'),
    // ARM ids compare without regard to case; tools print them in either.
    id(SUB, 'rg-net', 'vnet-prod', 'aks-nodes').replace('resourceGroups', 'resourcegroups').replace('Microsoft.Network', 'microsoft.network'),
  ])('accepts %j', (subnet) => {
    expect(() => load(withSubnet(subnet))).not.toThrow();
  });

  test.each([
    ['a template in the vnet name', id(SUB, 'rg-net', '${upper("vnet")}', 'aks-nodes')],
    ['a directive in the subnet name', id(SUB, 'rg-net', 'vnet', '%{if true}x%{endif}')],
    ['a subscription that is not a GUID', id('my-sub', 'rg-net', 'vnet', 'aks-nodes')],
    ['a vnet name of one character', id(SUB, 'rg-net', 'v', 'aks-nodes')],
    ['a subnet name ending in "-"', id(SUB, 'rg-net', 'vnet', 'aks-')],
    ['a resource group ending in "."', id(SUB, 'rg.', 'vnet', 'aks')],
    ['a trailing slash', `${id(SUB, 'rg-net', 'vnet', 'aks')}/`],
  ])('fails %s', (_why, subnet) => {
    expectFails(withSubnet(subnet), {
      path: 'keyVault.networkAcls.virtualNetworkSubnetIds[0]',
      received: JSON.stringify(subnet).length > 80 ? `${JSON.stringify(subnet).slice(0, 77)}...` : JSON.stringify(subnet),
      message: fix,
      at: ['virtualNetworkSubnetIds:', '/subscriptions'],
    });
  });
});

describe('the manifests folder of `synth --out` never holds the local state', () => {
  const model = (state: Record<string, string>) => {
    const config = load(variant((d) => (d.state = state)));
    return deriveEnvironment('dev', 'environments/dev.yaml', config);
  };

  test('fails rendering into a folder that holds the state file (it would be committed with the manifests)', () => {
    const err = userErrorOf(() => synthEnvironments([model({ backend: 'local', path: 'gitops/dev/terraform.tfstate' })], { manifestsDir: 'GitOps/dev' }));
    expect(err.problems).toEqual([
      {
        file: 'command line',
        path: '--out',
        received: '"GitOps/dev"',
        message:
          "the manifests folder holds gitops/dev/terraform.tfstate, the Terraform state of environments/dev.yaml (the cluster's admin credentials): render into another folder, or move the state (state.path) out of it",
      },
    ]);
  });

  test('fails rendering into the project root, which holds the default state file', () => {
    expect(() => refuseStateIn('.', [{ name: 'dev', file: 'environments/dev.yaml', config: { state: { backend: 'local' } } }])).toThrow(
      'the manifests folder holds terraform.dev.tfstate',
    );
  });

  test('accepts a folder beside the state, and any folder with the azurerm backend', () => {
    expect(() =>
      refuseStateIn('gitops/dev', [{ name: 'dev', file: 'f', config: { state: { backend: 'local', path: 'gitops/dev-state/terraform.tfstate' } } }]),
    ).not.toThrow();
    expect(() =>
      refuseStateIn('.', [
        { name: 'dev', file: 'f', config: { state: { backend: 'azurerm', resourceGroup: 'rg', storageAccount: 'st', container: 'tfstate' } } },
      ]),
    ).not.toThrow();
  });
});
