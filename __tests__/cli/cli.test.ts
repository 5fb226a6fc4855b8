/**
 * End-to-end tests of the `aks-keyvault-csi` command: every command, every exit code, the help
 * text, and "nothing written" on bad input, in a temp project folder. One child process of the
 * real bin per command and exit code (`runCli`); the other option combinations run the same
 * `main` in-process (`runMain`) to keep the suite fast.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync, chmodSync, cpSync } from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { PRINTED, runCli, runMain, snapshotTree, tempProject, ROOT } from './helpers';

const PROJECT = tempProject();
const CWD = PROJECT.dir;

afterAll(() => PROJECT.cleanup());

describe('help and usage', () => {
  test('--help lists every command and the exit codes', () => {
    const r = runCli(['--help'], CWD);
    expect(r.code).toBe(0);
    for (const cmd of ['synth', 'check', 'validate', 'diagram', 'init', 'deploy', 'verify', 'rotation-test']) {
      expect(r.stdout).toMatch(new RegExp(`^  ${cmd} `, 'm'));
    }
    expect(r.stdout).toContain('Exit codes: 0 ok, 1 check findings or failed verification, 2 bad input or usage, 70 a bug.');
    expect(r.stdout).toContain('--json prints one JSON document on stdout however the run ends');
  });

  test('--version prints the package version', () => {
    const r = runCli(['--version'], CWD);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe((JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version);
  });

  test('each command has help that names its options', async () => {
    const expected: Record<string, string[]> = {
      synth: ['--env', '--config', '--outputs', '--out'],
      check: ['--env', '--dir', '--terraform', '--outputs', '--check-drift'],
      validate: ['--env', '--context', 'TF_PLUGIN_CACHE_DIR'],
      diagram: ['--env', '--stdout'],
      init: ['<name>', '--dir'],
      deploy: ['<name>', 'cdktf-args'],
      verify: ['<name>', '--context', '--exec'],
      'rotation-test': ['--workload', '--object', '--timeout'],
    };
    for (const [cmd, flags] of Object.entries(expected)) {
      const r = await runMain([cmd, '--help'], CWD);
      expect(r.code).toBe(0);
      for (const f of flags) expect(r.stdout).toContain(f);
    }
  });

  test('an unknown command exits 2 with a suggestion', () => {
    const r = runCli(['synht'], CWD);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown command 'synht'");
    expect(r.stderr).toContain('synth');
  });

  test('an unknown option exits 2', async () => {
    const r = await runMain(['synth', '--bogus'], CWD);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown option '--bogus'");
  });
});

describe('synth', () => {
  test('writes Terraform JSON and manifests for every example environment and exits 0', () => {
    const r = runCli(['synth'], CWD);
    expect(r.stderr).not.toMatch(/^error/m);
    expect(r.code).toBe(0);
    for (const env of ['dev', 'prod']) {
      expect(existsSync(path.join(CWD, 'cdktf.out', 'stacks', env, 'cdk.tf.json'))).toBe(true);
      expect(existsSync(path.join(CWD, 'dist', env, 'kustomization.yaml'))).toBe(true);
      expect(existsSync(path.join(CWD, 'dist', env, 'TRUST.md'))).toBe(true);
      expect(r.stdout).toMatch(new RegExp(`^${env}\\s+check\\s+ok`, 'm'));
    }
  });

  test('is byte-identical on a second run', async () => {
    await runMain(['synth'], CWD);
    const before = { ...snapshotTree(path.join(CWD, 'dist')), ...snapshotTree(path.join(CWD, 'cdktf.out')) };
    const r = await runMain(['synth'], CWD);
    expect(r.code).toBe(0);
    expect({ ...snapshotTree(path.join(CWD, 'dist')), ...snapshotTree(path.join(CWD, 'cdktf.out')) }).toEqual(before);
  });

  test('--json prints one JSON document with the files written', async () => {
    const r = await runMain(['synth', '--json', '--env', 'dev'], CWD);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { ok: boolean; environments: { name: string; files: string[] }[] };
    expect(doc.ok).toBe(true);
    expect(doc.environments.map((e) => e.name)).toEqual(['dev']);
    expect(doc.environments[0].files).toContain('kustomization.yaml');
    // The Key Vault request budget per vault (lib/request-budget.ts budgetTable): dev's one pod reads one secret every 30s.
    expect((doc as unknown as { requestBudget: unknown[] }).requestBudget[0]).toEqual({
      scope: 'vault',
      name: 'kv-akscsi-dev-example',
      environments: ['dev'],
      budget: 'vault',
      title: 'secret and certificate reads',
      requestsPerSecond: 0.033,
      limitPerSecond: 400,
      share: 0.0001,
      level: 'ok',
      top: [{ environment: 'dev', workload: 'demo-app', requestsPerSecond: 0.033, shareOfLoad: 1 }],
    });
  });

  test('--quiet prints nothing on success', async () => {
    const r = await runMain(['synth', '--quiet', '--env', 'dev'], CWD);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
  });

  test('--config and --outputs from any path, --out into another folder', async () => {
    const other = path.join(CWD, 'elsewhere');
    mkdirSync(other, { recursive: true });
    cpSync(path.join(CWD, 'environments', 'dev.yaml'), path.join(other, 'dev.yaml'));
    cpSync(path.join(CWD, 'environments', 'dev.outputs.json'), path.join(other, 'tf-outputs.json'));
    const out = path.join(CWD, 'gitops', 'dev');
    const r = await runMain(['synth', '--config', path.join(other, 'dev.yaml'), '--outputs', path.join(other, 'tf-outputs.json'), '--out', out], CWD);
    expect(r.code).toBe(0);
    expect(existsSync(path.join(out, 'kustomization.yaml'))).toBe(true);
  });

  test('bad input: exit 2, message names file, field, value and fix, no stack trace, nothing written', () => {
    const before = { ...snapshotTree(path.join(CWD, 'dist')), ...snapshotTree(path.join(CWD, 'cdktf.out')) };
    const bad = path.join(CWD, 'bad');
    mkdirSync(bad, { recursive: true });
    const text = readFileSync(path.join(CWD, 'environments', 'dev.yaml'), 'utf8').replace('kv-akscsi-dev-example', 'my_vault');
    writeFileSync(path.join(bad, 'dev.yaml'), text);
    const r = runCli(['synth', '--config', path.join(bad, 'dev.yaml')], CWD);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('dev.yaml:');
    expect(r.stderr).toContain('keyVault.name "my_vault": use 3-24 letters, digits or hyphens');
    expect(r.stderr).not.toMatch(/\bat .*\.ts:\d+/);
    expect({ ...snapshotTree(path.join(CWD, 'dist')), ...snapshotTree(path.join(CWD, 'cdktf.out')) }).toEqual(before);
  });

  test('an unknown environment name exits 2 and lists the known ones', async () => {
    const r = await runMain(['synth', '--env', 'staging'], CWD);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no environment "staging"');
    expect(r.stderr).toContain('dev, engines, private, prod');
  });

  test('--out with several environments is a usage error', async () => {
    const r = await runMain(['synth', '--out', path.join(CWD, 'x')], CWD);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--out');
    expect(existsSync(path.join(CWD, 'x'))).toBe(false);
  });

  test('a missing explicit outputs file exits 2', async () => {
    const r = await runMain(['synth', '--env', 'dev', '--outputs', path.join(CWD, 'nope.json')], CWD);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('nope.json');
  });

  test("environments that together would exceed their shared vault's Key Vault limit: exit 2 naming both, nothing written (learn.microsoft.com/azure/key-vault/general/service-limits)", async () => {
    const shared = path.join(CWD, 'shared-vault');
    mkdirSync(path.join(shared, 'environments'), { recursive: true });
    for (const name of ['dev', 'prod']) {
      const doc = parse(readFileSync(path.join(CWD, 'environments', `${name}.yaml`), 'utf8')) as {
        keyVault: unknown;
        cluster: { secretsProvider: unknown };
        workloads: { deployment: { replicas: number } }[];
      };
      doc.keyVault = { mode: 'existing', name: 'kv-Shared-Example' };
      doc.cluster.secretsProvider = { rotation: { enabled: true, interval: '10s' } };
      for (const w of doc.workloads) w.deployment.replicas = 1000;
      writeFileSync(path.join(shared, 'environments', `${name}.yaml`), JSON.stringify(doc));
    }
    const r = await runMain(['synth'], shared);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^error environments\/dev\.yaml, environments\/prod\.yaml: cluster\.secretsProvider\.rotation\.interval: the pods of environments dev, prod together would make about [\d,]+ secret and certificate reads per 10 s from Key Vault "kv-Shared-Example": [\d.]+% of the 4,000 /,
    );
    expect(r.stderr).toContain('or give each environment its own vault');
    expect(existsSync(path.join(shared, 'cdktf.out'))).toBe(false);
    expect(existsSync(path.join(shared, 'dist'))).toBe(false);
  });
});

describe('check', () => {
  test('passes on the synthesized examples (exit 0)', async () => {
    await runMain(['synth'], CWD);
    const r = runCli(['check'], CWD);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^dev\s+ok/m);
    expect(r.stdout).toMatch(/^prod\s+ok/m);
  });

  test('a hand-edited manifest with subPath fails with exit 1 and names the rule', () => {
    const gitops = path.join(CWD, 'gitops-subpath');
    cpSync(path.join(CWD, 'dist', 'dev'), gitops, { recursive: true });
    const deploymentFile = path.join(gitops, 'deployment-demo-demo-app.yaml');
    const doc = parse(readFileSync(deploymentFile, 'utf8')) as { spec: { template: { spec: { containers: { volumeMounts: { subPath?: string }[] }[] } } } };
    doc.spec.template.spec.containers[0].volumeMounts[0].subPath = 'DB_PASSWORD';
    writeFileSync(deploymentFile, JSON.stringify(doc));
    const r = runCli(['check', '--dir', gitops, '--terraform', path.join(CWD, 'cdktf.out', 'stacks', 'dev', 'cdk.tf.json')], CWD);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('subPath');
  });

  test('--check-drift fails on a hand edit and passes on a fresh render; another YAML beside it is a warning', async () => {
    const ok = await runMain(['check', '--env', 'dev', '--check-drift'], CWD);
    expect(ok.code).toBe(0);
    const gitops = path.join(CWD, 'gitops-drift');
    cpSync(path.join(CWD, 'dist', 'dev'), gitops, { recursive: true });
    writeFileSync(path.join(gitops, 'extra.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  namespace: demo\n');
    const args = ['check', '--env', 'dev', '--dir', gitops, '--terraform', path.join(CWD, 'cdktf.out', 'stacks', 'dev', 'cdk.tf.json'), '--check-drift'];
    const extra = await runMain(args, CWD);
    expect(extra.code).toBe(0);
    expect(extra.stderr).toMatch(/^warning \[drift-unowned-file\] .*extra\.yaml: not written by this tool/m);
    const deployment = path.join(gitops, 'deployment-demo-demo-app.yaml');
    writeFileSync(deployment, readFileSync(deployment, 'utf8').replace('replicas: 1', 'replicas: 3'));
    const r = await runMain(args, CWD);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error \[drift\] .*deployment-demo-demo-app\.yaml:\d+: differs from the fresh render/m);
  });

  test('--dir without --terraform is a usage error (exit 2)', () => {
    const r = runCli(['check', '--dir', path.join(CWD, 'dist', 'dev')], CWD);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--terraform');
  });

  test('a missing Terraform file exits 2 and names it', async () => {
    const r = await runMain(['check', '--dir', path.join(CWD, 'dist', 'dev'), '--terraform', path.join(CWD, 'missing.json')], CWD);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('missing.json');
  });
});

describe('diagram', () => {
  test('--stdout prints a Mermaid trust chain with the subject and client id', () => {
    const r = runCli(['diagram', '--env', 'dev', '--stdout'], CWD);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('```mermaid');
    expect(r.stdout).toContain('system:serviceaccount:demo:demo-app');
    const outputs = JSON.parse(readFileSync(path.join(CWD, 'environments', 'dev.outputs.json'), 'utf8')) as Record<
      string,
      Record<string, { workloads: Record<string, { clientId: string }> }>
    >;
    const clientId = Object.values(outputs)[0]['aks_keyvault_csi'].workloads['demo-app'].clientId;
    expect(r.stdout).toContain(clientId);
  });

  test('writes dist/<env>/TRUST.md', async () => {
    const r = await runMain(['diagram', '--env', 'prod'], CWD);
    expect(r.code).toBe(0);
    expect(readFileSync(path.join(CWD, 'dist', 'prod', 'TRUST.md'), 'utf8')).toContain('flowchart LR');
  });
});

describe('init', () => {
  test('scaffolds a file that synthesizes, and refuses to overwrite it', async () => {
    const r = runCli(['init', 'staging'], CWD);
    expect(r.code).toBe(0);
    const file = path.join(CWD, 'environments', 'staging.yaml');
    expect(readFileSync(file, 'utf8')).toContain('# yaml-language-server: $schema=./environment.schema.json');
    const again = runCli(['init', 'staging'], CWD);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('already exists');
    const synth = await runMain(['synth', '--env', 'staging'], CWD);
    expect(synth.code).toBe(0);
    expect(synth.stdout).toContain('skipped');
    expect(existsSync(path.join(CWD, 'cdktf.out', 'stacks', 'staging', 'cdk.tf.json'))).toBe(true);
  });

  test('rejects an invalid environment name with exit 2', () => {
    const r = runCli(['init', 'Prod_1'], CWD);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('environment name');
  });
});

describe('deploy', () => {
  const fake = path.join(CWD, 'fake-cdktf.sh');
  beforeAll(() => {
    // A stand-in for the cdktf CLI: records its arguments and writes the outputs file cdktf would.
    writeFileSync(
      fake,
      `#!/bin/sh\necho "$@" > "${path.join(CWD, 'cdktf-args.txt')}"\nwhile [ $# -gt 0 ]; do if [ "$1" = "--outputs-file" ]; then cp "${path.join(ROOT, 'environments', 'dev.outputs.json')}" "$2"; fi; shift; done\necho "fake deploy done"\n`,
    );
    chmodSync(fake, 0o755);
  });

  test('runs cdktf deploy with --outputs-file where the render reads, passes extra args, then renders', () => {
    const r = runCli(['deploy', 'dev', '--', '--auto-approve'], CWD, { AKS_KEYVAULT_CSI_CDKTF: fake });
    expect(r.code).toBe(0);
    expect(readFileSync(path.join(CWD, 'cdktf-args.txt'), 'utf8').trim()).toBe('deploy dev --outputs-file environments/dev.outputs.json --auto-approve');
    expect(r.stdout).toContain('fake deploy done');
    expect(r.stdout).toContain('commit them to your GitOps repository');
  });

  test('a failing cdktf deploy renders nothing and exits non-zero', () => {
    const failing = path.join(CWD, 'failing-cdktf.sh');
    writeFileSync(failing, '#!/bin/sh\necho "Error: 403" >&2\nexit 1\n');
    chmodSync(failing, 0o755);
    const before = snapshotTree(path.join(CWD, 'dist'));
    const r = runCli(['deploy', 'dev'], CWD, { AKS_KEYVAULT_CSI_CDKTF: failing });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('cdktf deploy exited with 1');
    expect(snapshotTree(path.join(CWD, 'dist'))).toEqual(before);
  });

  test('an unknown environment exits 2 before running cdktf', () => {
    const r = runCli(['deploy', 'nope'], CWD, { AKS_KEYVAULT_CSI_CDKTF: fake });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no environment "nope"');
  });
});

describe('verify', () => {
  test('an unreachable cluster exits 2 with a clear message', () => {
    const kubeconfig = path.join(CWD, 'kubeconfig');
    writeFileSync(
      kubeconfig,
      'apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: https://127.0.0.1:1\ncontexts:\n- name: c\n  context:\n    cluster: c\n    user: u\ncurrent-context: c\nusers:\n- name: u\n  user:\n    token: t\n',
    );
    const r = runCli(['verify', 'dev'], CWD, { KUBECONFIG: kubeconfig });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('refused the connection: is the cluster running and the kubeconfig context the right one?');
  });

  test('rotation-test requires --workload and --object (usage, exit 2)', () => {
    const r = runCli(['rotation-test', 'dev'], CWD);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--workload');
  });
});

describe('messages', () => {
  // Runs last: every command above printed through the helpers.
  test('no message printed by the commands above says "undefined"', () => {
    expect(PRINTED.length).toBeGreaterThan(20);
    const lines = PRINTED.join('\n')
      .split('\n')
      .filter((l) => /\bundefined\b/.test(l));
    expect(lines).toEqual([]);
  });
});
