/**
 * pipeline/environments.ts: environments synthesized together must not create the same Azure
 * resource. Key Vault names are global (per cloud); resource group names are unique per
 * subscription; AKS cluster and identity names per resource group; all compared
 * case-insensitively (https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules).
 * What an environment only reads (mode existing, create: false) may be shared.
 */
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { loadEnvironments } from '../../pipeline/environments';
import { locate, minimalDoc, type Doc } from '../support/config';
import { tempFolders } from '../support/temp';
import { userErrorOf } from '../support/user-error';

const tempFolder = tempFolders('akscsi-envs-');
let dir: string;
beforeEach(() => {
  dir = tempFolder();
});

/** Writes `<name>.yaml` per entry (the minimal environment after `edit`); returns the file paths by name. */
function write(envs: Record<string, (d: Doc) => void>): Record<string, { file: string; source: string }> {
  const out: Record<string, { file: string; source: string }> = {};
  for (const [name, edit] of Object.entries(envs)) {
    const doc = minimalDoc();
    edit(doc);
    const source = stringify(doc);
    const file = path.join(dir, `${name}.yaml`);
    writeFileSync(file, source);
    out[name] = { file, source };
  }
  return out;
}

/** Distinct names for everything an environment creates, so a test collides on one field only. */
function own(env: string): (d: Doc) => void {
  return (d) => {
    d.azure.resourceGroup.name = `rg-${env}`;
    d.cluster.name = `aks-${env}`;
    d.keyVault.name = `kv-${env}-example`;
  };
}

const problems = () => userErrorOf(() => loadEnvironments({ dir })).problems;

test('fails two environments creating one Key Vault (names compared case-insensitively)', () => {
  const files = write({
    dev: own('dev'),
    prod: (d) => {
      own('prod')(d);
      d.keyVault.name = 'KV-DEV-EXAMPLE';
    },
  });
  expect(problems()).toStrictEqual([
    {
      file: files.prod.file,
      path: 'keyVault.name',
      position: locate(files.prod.source, 'keyVault:', 'name:'),
      received: '"KV-DEV-EXAMPLE"',
      message: `environment "dev" (${files.dev.file}, keyVault.name) creates Key Vault "kv-dev-example" too, and Key Vault names are global: give each environment its own vault name, or set keyVault.mode: existing in one of them to share the vault`,
    },
  ]);
});

test('accepts environments sharing an existing vault, resource group or cluster', () => {
  write({
    dev: own('dev'),
    prod: (d) => {
      own('prod')(d);
      d.keyVault = { mode: 'existing', name: 'kv-dev-example', resourceGroup: 'rg-dev' };
    },
    qa: (d) => {
      own('qa')(d);
      d.azure.resourceGroup = { name: 'rg-dev', create: false };
      d.cluster = { mode: 'existing', name: 'aks-dev', oidcIssuer: true, workloadIdentity: true };
    },
  });
  expect(loadEnvironments({ dir }).map((m) => m.name)).toStrictEqual(['dev', 'prod', 'qa']);
});

test('fails two environments creating one resource group, saying the subscription does not tell them apart', () => {
  const files = write({
    dev: own('dev'),
    prod: (d) => {
      own('prod')(d);
      d.azure.resourceGroup.name = 'RG-dev';
    },
  });
  const [p, ...rest] = problems();
  expect(rest).toStrictEqual([]);
  expect(p).toMatchObject({ file: files.prod.file, path: 'azure.resourceGroup.name', received: '"RG-dev"' });
  expect(p.message).toBe(
    `environment "dev" (${files.dev.file}, azure.resourceGroup.name) creates resource group "rg-dev" too, and resource group names are unique per subscription (azure.subscriptionId does not tell them apart): give each environment its own group, or set azure.resourceGroup.create: false in one of them to share it`,
  );
});

test('accepts one resource group name in two subscriptions, or in two clouds', () => {
  write({
    dev: (d) => {
      own('dev')(d);
      d.azure.subscriptionId = '00000000-0000-0000-0000-000000000001';
    },
    prod: (d) => {
      own('prod')(d);
      d.azure.resourceGroup.name = 'rg-dev';
      d.cluster.name = 'aks-dev';
      d.azure.subscriptionId = '00000000-0000-0000-0000-000000000002';
    },
    gov: (d) => {
      own('gov')(d);
      d.azure.resourceGroup.name = 'rg-dev';
      d.cluster.name = 'aks-dev';
      d.keyVault.name = 'kv-dev-example';
      d.azure.cloud = 'usgovernment';
    },
  });
  expect(loadEnvironments({ dir })).toHaveLength(3);
});

test('fails two environments creating one AKS cluster in one resource group, once (not again for its node resource group)', () => {
  const files = write({
    dev: own('dev'),
    prod: (d) => {
      own('prod')(d);
      d.azure.resourceGroup = { name: 'rg-dev', create: false };
      d.cluster.name = 'aks-dev';
    },
  });
  expect(problems().map((p) => [p.file, p.path, p.message.split(':')[0]])).toStrictEqual([
    [
      files.prod.file,
      'cluster.name',
      `environment "dev" (${files.dev.file}, cluster.name) creates AKS cluster "aks-dev" too, and AKS cluster names are unique per resource group ("rg-dev") (azure.subscriptionId does not tell them apart)`,
    ],
  ]);
});

test('fails an identity name two environments derive alike (environment "team" + workload "a-app", environment "team-a" + workload "app")', () => {
  const files = write({
    team: (d) => {
      own('team')(d);
      d.azure.resourceGroup.name = 'rg-shared';
      d.workloads[0].name = 'a-app';
    },
    'team-a': (d) => {
      own('team-a')(d);
      d.azure.resourceGroup = { name: 'rg-shared', create: false };
      d.workloads[0].name = 'app';
    },
  });
  const [p, ...rest] = problems();
  expect(rest).toStrictEqual([]);
  // Files load in name order ("team-a.yaml" before "team.yaml"): the later one is reported, naming the first.
  expect(p).toMatchObject({
    file: files.team.file,
    path: 'workloads[0].name',
    received: '"id-team-a-app"',
    position: locate(files.team.source, 'workloads:', 'name:'),
  });
  expect(p.message.startsWith(`environment "team-a" (${files['team-a'].file}, workloads[0].name) creates`)).toBe(true);
  expect(p.message).toMatch(
    /creates user-assigned identity "id-team-a-app" too, and user-assigned identity names are unique per resource group \("rg-shared"\).*: rename the workload/,
  );
});

test('fails a node resource group that another environment creates as its resource group', () => {
  const files = write({
    dev: own('dev'),
    prod: (d) => {
      own('prod')(d);
      d.cluster.nodeResourceGroup = 'rg-dev';
    },
  });
  expect(problems().map((p) => [p.file, p.path, p.message.replace(/^.*: /, '')])).toStrictEqual([
    [
      files.prod.file,
      'cluster.nodeResourceGroup',
      'set cluster.nodeResourceGroup to a name of its own (AKS creates the node resource group and refuses an existing one)',
    ],
  ]);
});

test('only the selected environments are compared', () => {
  write({ dev: own('dev'), prod: own('dev') });
  expect(loadEnvironments({ dir, names: ['prod'] }).map((m) => m.name)).toStrictEqual(['prod']);
  expect(problems().length).toBeGreaterThan(0);
});
