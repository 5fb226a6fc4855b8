/**
 * New-user journeys, end to end: the README's own commands (read from README.md, see
 * support/readme.ts) run by the real bin in a temporary copy of the project, with a scratch git
 * repository beside it as the GitOps repository (`../gitops`, as the README writes it).
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';
import { readmeBlockAfter, readmeCommand, readmeCommands } from '../support/readme';
import { gitRepository, PRINTED, ROOT, runCli, runMain, snapshotTree } from './helpers';

/** A scratch folder holding this project's checkout (`project/`) and the GitOps checkout beside it (`gitops/`), as the README lays them out. */
const BASE = realpathSync(mkdtempSync(path.join(tmpdir(), 'akscsi-journey-')));
const CWD = path.join(BASE, 'project');
const GITOPS = path.join(BASE, 'gitops');

beforeAll(() => {
  cpSync(path.join(ROOT, 'environments'), path.join(CWD, 'environments'), { recursive: true });
  gitRepository(GITOPS);
});
afterAll(() => rmSync(BASE, { recursive: true, force: true }));

/** Runs a README command line (`npx aks-keyvault-csi ...` or `npm run synth`) through the bin. */
function runReadme(line: string, env: NodeJS.ProcessEnv = {}) {
  const args = line.startsWith('npm run synth') ? ['synth'] : line.replace(/^npx aks-keyvault-csi\s+/, '').split(/\s+/);
  return runCli(args, CWD, env);
}

const OUTPUTS = (env: string) =>
  Object.values(
    JSON.parse(readFileSync(path.join(ROOT, 'environments', `${env}.outputs.json`), 'utf8')) as Record<
      string,
      { aks_keyvault_csi: { workloads: Record<string, { clientId: string }> } }
    >,
  )[0].aks_keyvault_csi.workloads;

describe('quickstart (README "Five-minute quickstart")', () => {
  test("every command of the quickstart exits 0, and check covers the new environment's Terraform side and says why there are no manifests", () => {
    const lines = readmeBlockAfter('## Five-minute quickstart').filter((l) => l.startsWith('npx aks-keyvault-csi') || l.startsWith('npm run synth'));
    expect(lines).toEqual(expect.arrayContaining(['npm run synth', 'npx aks-keyvault-csi init staging', 'npx aks-keyvault-csi synth --env staging']));
    // The journey ends with a check after the new environment (the README says so).
    expect(lines[lines.length - 1]).toBe('npx aks-keyvault-csi check');
    // The engines example warns by design (an experimental engine, an env var from a synced
    // Secret); every other environment, the new one included, synthesizes without a word on stderr.
    const byDesign = /^warning environments\/engines\.yaml: /;
    for (const line of lines) {
      const r = runReadme(line);
      const stderr = r.stderr
        .split('\n')
        .filter((l) => l !== '' && !byDesign.test(l))
        .join('\n');
      expect({ line, code: r.code, stderr }).toEqual({ line, code: 0, stderr: '' });
    }
    const check = runCli(['check'], CWD);
    expect(check.code).toBe(0);
    expect(check.stdout).toMatch(/^staging {2}ok \(Terraform side only\)$/m);
    expect(check.stdout).toContain('no manifests yet: environments/staging.outputs.json does not exist (not deployed)');
    expect(check.stdout).toContain('"aks-keyvault-csi deploy staging"');
    expect(check.stdout).toMatch(/^dev {2}ok$/m);
  });

  test('the Terraform side of an environment without manifests is really checked: a broken audience fails (exit 1)', async () => {
    const file = path.join(CWD, 'cdktf.out', 'stacks', 'staging', 'cdk.tf.json');
    const original = readFileSync(file, 'utf8');
    try {
      const json = JSON.parse(original) as { resource: Record<string, Record<string, { audience?: string[] }>> };
      for (const c of Object.values(json.resource['azurerm_federated_identity_credential'])) c.audience = ['api://wrong'];
      writeFileSync(file, JSON.stringify(json));
      const r = await runMain(['check', '--env', 'staging'], CWD);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('[federated-credential-audience]');
      expect(r.stdout).toContain('(Terraform side only)');
    } finally {
      writeFileSync(file, original);
    }
  });

  test('--json: the environment is reported with scope "terraform" and the reason', async () => {
    const r = await runMain(['--json', 'check', '--env', 'staging'], CWD);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { ok: boolean; problems: unknown[]; environments: { name: string; scope: string; terraformOnly: string }[] };
    expect(doc.ok).toBe(true);
    expect(doc.problems).toEqual([]);
    expect(doc.environments[0]).toMatchObject({ name: 'staging', scope: 'terraform', terraformOnly: expect.stringContaining('staging.outputs.json') });
  });
});

describe('init NAME: a name, never a path, never an overwrite', () => {
  // Same rule as an environment file's base name: lib/config/schema.ts ENVIRONMENT_NAME.
  test.each([['../evil'], ['sub/dir'], ['/tmp/abs'], ['Prod_1'], ['x']])('fails "init %s" with exit 2 and writes nothing', async (name) => {
    const before = snapshotTree(BASE);
    const r = await runMain(['init', name], CWD);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`error command line: <name> ${JSON.stringify(name)}: is not an environment name`);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(snapshotTree(BASE)).toEqual(before);
  });

  test('fails on an existing file with exit 2 and leaves it byte for byte', async () => {
    const file = path.join(CWD, 'environments', 'dev.yaml');
    const before = readFileSync(file, 'utf8');
    const r = await runMain(['init', 'dev'], CWD);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('environments/dev.yaml: already exists and is never overwritten');
    expect(readFileSync(file, 'utf8')).toBe(before);
    // There is no flag to overwrite.
    const forced = await runMain(['init', 'dev', '--force'], CWD);
    expect(forced.code).toBe(2);
    expect(readFileSync(file, 'utf8')).toBe(before);
  });
});

describe('local Terraform state is git-ignored (it holds the cluster admin credentials)', () => {
  test.each([
    ['terraform.staging.tfstate'],
    ['terraform.staging.tfstate.backup'],
    ['terraform.tfstate'],
    ['state/prod.tfstate'],
    ['state/prod.tfstate.backup'],
  ])('.gitignore ignores %s', (file) => {
    const repo = gitRepository(path.join(BASE, 'ignore-probe'));
    copyFileSync(path.join(ROOT, '.gitignore'), path.join(repo, '.gitignore'));
    const r = spawnSync('git', ['-C', repo, 'check-ignore', '--quiet', '--no-index', file]);
    expect(r.status).toBe(0);
    // And the files that must be committed are not ignored.
    expect(spawnSync('git', ['-C', repo, 'check-ignore', '--quiet', '--no-index', 'environments/prod.outputs.json']).status).toBe(1);
  });
});

describe("GitOps: render into a checkout, hand edit, the README's CI command catches it", () => {
  const folder = path.join(GITOPS, 'clusters', 'prod', 'aks-keyvault-csi');

  test("the README's --out example writes the folder its bootstrap Application points at", async () => {
    const synth = readmeCommand('synth --env prod --out');
    const r = await runMain(synth, CWD);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const app = parse(readFileSync(path.join(folder, 'bootstrap', 'argocd-application.yaml'), 'utf8')) as { spec: { source: { path: string } } };
    // The Application syncs the folder the manifests were written to.
    expect(app.spec.source.path).toBe(path.relative(GITOPS, folder));
  });

  test("a client id swapped in the ServiceAccount and the SecretProviderClass (another workload's identity) fails the CI recipe with exit 1", () => {
    const ids = OUTPUTS('prod');
    const mine = ids['payments-api'].clientId;
    const other = ids['web-frontend'].clientId;
    // Every class of payments-api carries the client id: its own vault's and the platform vault's (additionalVaults).
    for (const f of [
      'serviceaccount-payments-payments-api.yaml',
      'secretproviderclass-payments-payments-api-keyvault.yaml',
      'secretproviderclass-payments-payments-api-keyvault-kv-platform-shared.yaml',
    ]) {
      const file = path.join(folder, f);
      const text = readFileSync(file, 'utf8');
      expect(text).toContain(mine);
      writeFileSync(file, text.split(mine).join(other));
    }
    const recipe = readmeBlockAfter('### Checking the GitOps repository in its CI');
    expect(recipe).toContain('npm ci --no-audit --no-fund');
    const commands = recipe.filter((l) => l.startsWith('npx aks-keyvault-csi'));
    expect(commands.map((c) => c.split(/\s+/)[2])).toEqual(['synth', 'check']);
    expect(runReadme(commands[0]).code).toBe(0);
    const r = runReadme(commands[1]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `error [client-id-mismatch] ../gitops/clusters/prod/aks-keyvault-csi/serviceaccount-payments-payments-api.yaml: metadata.annotations["azure.workload.identity/client-id"]: ServiceAccount payments/payments-api is annotated with client id ${other}, but the identity's client id is ${mine}`,
    );
    expect(r.stderr).toContain(
      `error [client-id-mismatch] ../gitops/clusters/prod/aks-keyvault-csi/secretproviderclass-payments-payments-api-keyvault.yaml: spec.parameters.clientID: SecretProviderClass payments/payments-api-keyvault has clientID ${other}`,
    );
    // Drift shows the edit and the command that renders the folder again.
    expect(r.stderr).toContain(`-    azure.workload.identity/client-id: ${other}\n`);
    expect(r.stderr).toContain(`+    azure.workload.identity/client-id: ${mine}\n`);
    expect(r.stderr).toContain(
      'fix: run "aks-keyvault-csi synth --env prod --outputs environments/prod.outputs.json --out ../gitops/clusters/prod/aks-keyvault-csi"',
    );
  });

  test('without --outputs the swap passes, and check says what it could not compare and how to compare it', async () => {
    const r = await runMain(['check', '--dir', '../gitops/clusters/prod/aks-keyvault-csi', '--terraform', 'cdktf.out/stacks/prod/cdk.tf.json'], CWD);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(
      "compared with each other only, not with the identities Terraform created, so a client id swapped in both (another workload's identity) passes; pass --outputs FILE",
    );
  });
});

describe('rotation-test (README "Rotation, correctly")', () => {
  test("the README's example names a workload and an object of the prod example: it gets past them to the cluster (here unreachable), writing nothing", () => {
    const args = readmeCommand('rotation-test');
    expect(args.slice(0, 2)).toEqual(['rotation-test', 'prod']);
    const kubeconfig = path.join(BASE, 'kubeconfig');
    writeFileSync(
      kubeconfig,
      'apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: https://127.0.0.1:1\ncontexts:\n- name: c\n  context:\n    cluster: c\n    user: u\ncurrent-context: c\nusers:\n- name: u\n  user:\n    token: t\n',
    );
    const r = runCli(args, CWD, { KUBECONFIG: kubeconfig });
    expect(r.stderr).not.toContain('mounts no object');
    expect(r.stderr).not.toContain('no workload named');
    expect(r.stderr).toContain('refused the connection');
    expect(r.code).toBe(2);
  });

  test('every rotation-test example in the README names the same workload and object', () => {
    const examples = readmeCommands().filter((c) => c.includes('rotation-test prod'));
    expect(examples.length).toBeGreaterThanOrEqual(2);
    for (const c of examples) expect(c).toContain('--workload payments-api --object rotation-canary');
  });
});

describe('messages', () => {
  test('no message printed by these journeys says "undefined"', () => {
    expect(PRINTED.length).toBeGreaterThan(10);
    expect(
      PRINTED.join('\n')
        .split('\n')
        .filter((l) => /\bundefined\b/.test(l)),
    ).toEqual([]);
  });
});
