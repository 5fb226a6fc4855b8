import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { defaultOutputsFile, loadOutputs, OUTPUT_NAME_CAMEL } from '../../../lib/outputs/load';
import { exampleModel } from '../../support/models';
import { outputsFor } from '../../support/outputs';
import { tempFolders } from '../../support/temp';
import { userErrorOf } from '../../support/user-error';

const dir = tempFolders('akscsi-outputs-')();

const dev = exampleModel('dev');
const prod = exampleModel('prod');
let n = 0;
/** Writes `content` (a string as is, anything else as pretty JSON) to a new file; returns its path. */
function file(content: unknown): string {
  const f = path.join(dir, `outputs-${++n}.json`);
  writeFileSync(f, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return f;
}
const contract = (over: Record<string, unknown> = {}) => ({ ...outputsFor(dev), ...over });
const cdktf = (value: unknown, stack = 'dev', key = 'aks_keyvault_csi') => ({ [stack]: { [key]: value } });

function problemsOf(f: () => unknown): string[] {
  return userErrorOf(f).message.split('\n');
}

test('defaultOutputsFile is environments/<env>.outputs.json', () => {
  expect(defaultOutputsFile('prod')).toBe('environments/prod.outputs.json');
});

test.each(['dev', 'prod'])('loads the sample outputs of %s', (env) => {
  const model = exampleModel(env);
  const outputs = loadOutputs(defaultOutputsFile(env), model);
  expect(outputs.environment).toBe(env);
  expect(outputs.keyVault.name).toBe(model.config.keyVault.name);
  expect(outputs.keyVault.uri).toBe(`https://${model.config.keyVault.name}.vault.azure.net/`);
  expect(outputs.oidcIssuerUrl).toMatch(/^https:\/\/[a-z]+\.oic\.prod-aks\.azure\.com\/0{8}-0{4}-0{4}-0{4}-0{12}\/0{8}-0{4}-0{4}-0{4}-0{12}\/$/);
  expect(Object.keys(outputs.workloads).sort()).toEqual(model.workloads.map((w) => w.name).sort());
  for (const w of Object.values(outputs.workloads)) expect(w.clientId).toMatch(/^00000000-0000-0000-0000-0000000[0-9a-f]{5}$/);
});

test('accepts the cdktf outputs file with the camelCase output name', () => {
  expect(OUTPUT_NAME_CAMEL).toBe('aksKeyvaultCsi');
  expect(loadOutputs(file(cdktf(contract(), 'dev', 'aksKeyvaultCsi')), dev).environment).toBe('dev');
});

test('accepts an output nested under a construct id, and several stacks in one file', () => {
  const f = file({ prod: { aks_keyvault_csi: outputsFor(prod) }, dev: { Outputs: { aksKeyvaultCsi: contract() } } });
  expect(loadOutputs(f, dev).environment).toBe('dev');
  expect(loadOutputs(f, prod).environment).toBe('prod');
});

test('accepts `terraform output -json`', () => {
  const f = file({ aks_keyvault_csi: { sensitive: false, type: ['object', {}], value: contract() }, other: { value: 1, type: 'number', sensitive: false } });
  expect(loadOutputs(f, dev).workloads['demo-app'].clientId).toBe('00000000-0000-0000-0000-000000000001');
});

test('accepts a byte-order mark', () => {
  expect(loadOutputs(file(`\uFEFF${JSON.stringify(cdktf(contract()))}`), dev).environment).toBe('dev');
});

describe('fails', () => {
  test('on a missing file, saying how to write it', () => {
    const f = path.join(dir, 'nope.json');
    expect(problemsOf(() => loadOutputs(f, dev))).toEqual([
      `${f}: no such outputs file: deploy the stack, then write it with "cdktf deploy dev --outputs-file ${f}" or "terraform output -json > ${f}"`,
    ]);
  });

  test('on malformed JSON, with line and column', () => {
    const f = file('{\n  "dev": {\n    "aks_keyvault_csi": { "environment": "dev", }\n  }\n}\n');
    expect(problemsOf(() => loadOutputs(f, dev))).toEqual([
      `${f}:3:49: invalid JSON (unexpected "}", expected a property name in double quotes (a trailing comma?)): fix the syntax or regenerate it with "cdktf deploy dev --outputs-file ${f}" (or "terraform output -json > ${f}")`,
    ]);
  });

  test('on truncated JSON, at the end of the file', () => {
    const f = file('{"dev": {"aks_keyvault_csi": {');
    expect(problemsOf(() => loadOutputs(f, dev))[0]).toContain(`${f}:1:31: invalid JSON (unexpected end of file, expected a property name`);
  });

  test('on an empty file', () => {
    const f = file('  \n');
    expect(problemsOf(() => loadOutputs(f, dev))[0]).toBe(
      `${f}: the outputs file is empty: regenerate it with "cdktf deploy dev --outputs-file ${f}" (or "terraform output -json > ${f}")`,
    );
  });

  test('on JSON that is not an object', () => {
    const f = file([1, 2]);
    expect(problemsOf(() => loadOutputs(f, dev))[0]).toMatch(
      new RegExp(`^${escape(f)}: \\[1,2\\]: expected the file "cdktf deploy dev --outputs-file .*" writes`),
    );
  });

  test('on the outputs of another stack', () => {
    const f = file(cdktf(outputsFor(prod), 'prod'));
    expect(problemsOf(() => loadOutputs(f, dev))).toEqual([
      `${f}: ["prod"]: holds the outputs of stack "prod", not of stack "dev" (environments/dev.yaml): write the outputs of this environment with "cdktf deploy dev --outputs-file ${f}"`,
    ]);
  });

  test('on a file with neither the stack nor the output', () => {
    const f = file({ something: { else: 1 } });
    expect(problemsOf(() => loadOutputs(f, dev))[0]).toContain(`${f}: ["something"]: no outputs of stack "dev" and no "aks_keyvault_csi" output: expected`);
  });

  test('on a stack without the output', () => {
    const f = file({ dev: { cluster_name: 'aks' } });
    expect(problemsOf(() => loadOutputs(f, dev))).toEqual([
      `${f}: dev: stack "dev" has no "aks_keyvault_csi" (or "aksKeyvaultCsi") output (outputs here: cluster_name): deploy this project's stack, which writes it`,
    ]);
  });

  test('on a non-GUID client id, with path, position and value', () => {
    const bad = contract();
    const f = file(cdktf({ ...bad, workloads: { 'demo-app': { ...bad.workloads['demo-app'], clientId: 'not-a-guid' } } }));
    expect(problemsOf(() => loadOutputs(f, dev))).toEqual([
      `${f}:15:23: dev.aks_keyvault_csi.workloads.demo-app.clientId "not-a-guid": clientId must be a GUID such as 00000000-0000-0000-0000-000000000000: regenerate it with "cdktf deploy dev --outputs-file ${f}" (or "terraform output -json > ${f}")`,
    ]);
  });

  test('on a non-GUID tenant id', () => {
    const f = file(cdktf(contract({ tenantId: 'contoso.onmicrosoft.com' })));
    expect(problemsOf(() => loadOutputs(f, dev))[0]).toContain(`dev.aks_keyvault_csi.tenantId "contoso.onmicrosoft.com": tenantId must be a GUID`);
  });

  test('on a missing field', () => {
    const { oidcIssuerUrl: _gone, ...rest } = contract();
    const f = file(cdktf(rest));
    expect(problemsOf(() => loadOutputs(f, dev))[0]).toBe(
      `${f}:3:25: dev.aks_keyvault_csi.oidcIssuerUrl: required field is missing: regenerate it with "cdktf deploy dev --outputs-file ${f}" (or "terraform output -json > ${f}") with this version of the project`,
    );
  });

  test('on an unknown field', () => {
    const f = file(cdktf(contract({ clientSecret: 'x' })));
    expect(problemsOf(() => loadOutputs(f, dev))[0]).toContain(`dev.aks_keyvault_csi.clientSecret: unknown field in the outputs contract: regenerate it`);
  });

  test('on another contract version', () => {
    const f = file(cdktf(contract({ contractVersion: 2 })));
    expect(problemsOf(() => loadOutputs(f, dev))[0]).toContain(
      'dev.aks_keyvault_csi.contractVersion 2: contractVersion must be 1: re-run "cdktf deploy" with this version of the project',
    );
  });

  test('on outputs of another environment under this stack name', () => {
    const f = file(cdktf({ ...outputsFor(prod) }));
    expect(problemsOf(() => loadOutputs(f, dev))).toEqual([
      `${f}:5:22: dev.aks_keyvault_csi.environment "prod": these outputs belong to environment "prod", not "dev" (environments/dev.yaml): use the outputs of stack "dev"`,
    ]);
  });

  test('on outputs of another cloud', () => {
    const f = file(cdktf(contract({ cloudName: 'AzureChinaCloud' })));
    expect(problemsOf(() => loadOutputs(f, dev))[0]).toContain(
      'dev.aks_keyvault_csi.cloudName "AzureChinaCloud": environments/dev.yaml sets cloud AzurePublicCloud: fix azure.cloud or re-deploy with "cdktf deploy dev" and export its outputs again',
    );
  });

  test('on outputs of another vault', () => {
    const f = file(cdktf(contract({ keyVault: { name: 'kv-other', uri: 'https://kv-other.vault.azure.net/' } })));
    expect(problemsOf(() => loadOutputs(f, dev))[0]).toContain(
      'dev.aks_keyvault_csi.keyVault.name "kv-other": environments/dev.yaml names vault "kv-akscsi-dev-example"',
    );
  });

  test("on a keyVault.uri that is not the URI of keyVault.name in the outputs' cloud (rotation-test would write into that other vault)", () => {
    const f = file(cdktf(contract({ keyVault: { name: 'kv-akscsi-dev-example', uri: 'https://kv-other.vault.azure.net/' } })));
    expect(problemsOf(() => loadOutputs(f, dev))).toEqual([
      `${f}:10:16: dev.aks_keyvault_csi.keyVault.uri "https://kv-other.vault.azure.net/": is not the URI of vault "kv-akscsi-dev-example" in AzurePublicCloud (https://kv-akscsi-dev-example.vault.azure.net/), so Key Vault clients would reach another vault: re-deploy with "cdktf deploy dev" and export its outputs again`,
    ]);
  });

  test('on a keyVault.uri of the right vault in another cloud (Key Vault DNS suffixes: learn.microsoft.com/azure/key-vault/general/about-keys-secrets-certificates)', () => {
    const f = file(cdktf(contract({ keyVault: { name: 'kv-akscsi-dev-example', uri: 'https://kv-akscsi-dev-example.vault.azure.cn/' } })));
    expect(problemsOf(() => loadOutputs(f, dev))[0]).toContain(
      'keyVault.uri "https://kv-akscsi-dev-example.vault.azure.cn/": is not the URI of vault "kv-akscsi-dev-example" in AzurePublicCloud',
    );
  });

  test.each([
    'https://KV-AKSCSI-DEV-EXAMPLE.vault.azure.net/',
    'https://kv-akscsi-dev-example.vault.azure.net',
    'https://kv-akscsi-dev-example.Vault.Azure.Net:443/',
  ])('accepts the vault URI written %j (DNS is case-insensitive, the slash optional)', (uri) => {
    const f = file(cdktf(contract({ keyVault: { name: 'kv-akscsi-dev-example', uri } })));
    expect(loadOutputs(f, dev).keyVault.uri).toBe(uri);
  });

  test('on a workload of the environment missing from the outputs', () => {
    const f = file(cdktf(contract({ workloads: {} })));
    expect(problemsOf(() => loadOutputs(f, dev))).toEqual([
      `${f}:13:20: dev.aks_keyvault_csi.workloads []: no outputs for workload "demo-app" of environments/dev.yaml (its identity may not exist yet): re-deploy with "cdktf deploy dev" and export its outputs again`,
    ]);
  });

  test('on a namespace that does not match the model', () => {
    const c = contract();
    const f = file(cdktf({ ...c, workloads: { 'demo-app': { ...c.workloads['demo-app'], namespace: 'default' } } }));
    expect(problemsOf(() => loadOutputs(f, dev))).toEqual([
      `${f}:17:24: dev.aks_keyvault_csi.workloads.demo-app.namespace "default": environments/dev.yaml runs workload "demo-app" in namespace "demo", so the identity is federated with another ServiceAccount: re-deploy with "cdktf deploy dev" and export its outputs again`,
    ]);
  });

  test('on a ServiceAccount that does not match the model', () => {
    const c = contract();
    const f = file(cdktf({ ...c, workloads: { 'demo-app': { ...c.workloads['demo-app'], serviceAccount: 'default' } } }));
    expect(problemsOf(() => loadOutputs(f, dev))[0]).toContain(
      'dev.aks_keyvault_csi.workloads.demo-app.serviceAccount "default": environments/dev.yaml runs workload "demo-app" as ServiceAccount "demo-app", so the identity is federated with another one',
    );
  });

  test('reports every problem at once', () => {
    const c = contract();
    const f = file(cdktf({ ...c, tenantId: 'x', workloads: { 'demo-app': { ...c.workloads['demo-app'], clientId: 'y' } } }));
    expect(problemsOf(() => loadOutputs(f, dev))).toHaveLength(2);
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('additionalVaults (optional in contract 1: outputs written before it stay valid)', () => {
  test('outputs without additionalVaults are valid for an environment that has none', () => {
    const { additionalVaults, ...old } = outputsFor(dev);
    expect(additionalVaults).toBeUndefined();
    expect(loadOutputs(file(cdktf(old)), dev).additionalVaults).toBeUndefined();
  });

  test("prod's outputs list its platform vault", () => {
    expect(loadOutputs(defaultOutputsFile('prod'), prod).additionalVaults).toEqual([
      { name: 'kv-platform-shared', uri: 'https://kv-platform-shared.vault.azure.net/' },
    ]);
  });

  test('fails outputs that miss a vault the environment declares', () => {
    const { additionalVaults: _left, ...old } = outputsFor(prod);
    expect(problemsOf(() => loadOutputs(file(cdktf(old, 'prod')), prod))).toEqual([
      expect.stringContaining(
        'prod.aks_keyvault_csi.additionalVaults []: no outputs for vault "kv-platform-shared" of environments/prod.yaml (additionalVaults): re-deploy with "cdktf deploy prod" and export its outputs again',
      ),
    ]);
  });

  test("fails a vault URI that is not the vault's", () => {
    const outputs = { ...outputsFor(prod), additionalVaults: [{ name: 'kv-platform-shared', uri: 'https://kv-other.vault.azure.net/' }] };
    expect(problemsOf(() => loadOutputs(file(cdktf(outputs, 'prod')), prod))).toEqual([
      expect.stringContaining(
        'prod.aks_keyvault_csi.additionalVaults[0].uri "https://kv-other.vault.azure.net/": is not the URI of vault "kv-platform-shared" in AzurePublicCloud (https://kv-platform-shared.vault.azure.net/)',
      ),
    ]);
  });
});
