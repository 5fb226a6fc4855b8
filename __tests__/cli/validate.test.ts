/**
 * `validate` as a user sees it: exit codes, messages and the one JSON document, with stand-in
 * `terraform` and `kubectl` (shell scripts replaying recorded output, __tests__/support/fake-tools.ts)
 * for each outcome, and with the real terraform where it is installed.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fakeTerraform, fakeTools, type FakeTool, type FakeTools } from '../support/fake-tools';
import { TERRAFORM, TERRAFORM_SKIP_REASON } from '../support/terraform';
import { readTree } from '../support/tree';
import { runMain, tempProject } from './helpers';

let project: { dir: string; cleanup: () => void };
const fakes: FakeTools[] = [];

beforeAll(async () => {
  project = tempProject();
  const r = await runMain(['synth', '--env', 'dev'], project.dir);
  expect(r.code).toBe(0);
});

afterAll(() => {
  project.cleanup();
  for (const f of fakes) f.cleanup();
});

/** PATH holding only the stand-ins. */
function withTools(tools: Record<string, FakeTool>): { env: NodeJS.ProcessEnv; fake: FakeTools } {
  const fake = fakeTools(tools);
  fakes.push(fake);
  return { env: { PATH: fake.dir }, fake };
}

const KUBECTL_OK: FakeTool = {
  version: { stdout: 'Client Version: v1.32.4\n' },
  apply: {
    stdout:
      'namespace/demo created (server dry run)\nserviceaccount/demo-app created (server dry run)\nsecretproviderclass.secrets-store.csi.x-k8s.io/demo-app-keyvault created (server dry run)\ndeployment.apps/demo-app created (server dry run)\n',
  },
};

/** kubectl's answer for one refused file (the format of `kubectl apply`; written, not captured from a cluster). */
function kubectlRefusing(stderr: string, stdout = ''): FakeTool {
  return { version: KUBECTL_OK.version, apply: { stdout, stderr, exit: 1 } };
}

const DEV_STACK = path.join('cdktf.out', 'stacks', 'dev');
const DEPLOYMENT = path.join('dist', 'dev', 'deployment-demo-demo-app.yaml');

describe('validate with stand-in tools', () => {
  test('exits 0 when Terraform and the API server accept everything; terraform ran in a scratch copy', async () => {
    const { env, fake } = withTools({ terraform: fakeTerraform('init-ok.jsonl'), kubectl: KUBECTL_OK });
    const before = readTree(path.join(project.dir, 'cdktf.out'));
    const r = await runMain(['validate', '--env', 'dev', '--context', 'aks-dev'], project.dir, env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      `dev  terraform  ok: init + validate accepted ${DEV_STACK}\ndev  kubectl    ok: 4 object(s) accepted by a server dry run on context "aks-dev"\n`,
    );
    const calls = fake.calls().filter((c) => c.args !== 'version' && c.args !== 'version --client');
    expect(calls.map((c) => `${c.tool} ${c.args}`)).toStrictEqual([
      'terraform init -backend=false -input=false -no-color -json',
      'terraform validate -no-color -json',
      `kubectl apply --dry-run=server --context aks-dev ${['namespace-demo', 'serviceaccount-demo-demo-app', 'secretproviderclass-demo-demo-app-keyvault', 'networkpolicy-demo-demo-app', 'deployment-demo-demo-app'].map((f) => `-f ${path.join('dist', 'dev', `${f}.yaml`)}`).join(' ')}`,
    ]);
    // init and validate ran in the same scratch folder, outside the project, named after the stack.
    expect(calls[0].cwd).toBe(calls[1].cwd);
    expect(path.basename(calls[0].cwd)).toBe('dev');
    expect(calls[0].cwd.startsWith(project.dir)).toBe(false);
    expect(existsSync(calls[0].cwd)).toBe(false);
    // The lock file the fake init wrote landed in the scratch copy only.
    expect(readTree(path.join(project.dir, 'cdktf.out'))).toStrictEqual(before);
    expect(existsSync(path.join(project.dir, '.terraform.lock.hcl'))).toBe(false);
  });

  test('exits 1 and prints file:line:col for a configuration terraform init rejects', async () => {
    const { env } = withTools({ terraform: fakeTerraform('init-config-error.jsonl') });
    const r = await runMain(['validate', '--env', 'dev'], project.dir, env);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('dev  terraform  1 error(s)\n');
    expect(r.stderr).toBe(
      `error ${path.join(DEV_STACK, 'cdk.tf.json')}:6:22: Invalid expression (output.aks_keyvault_csi.depends_on): A single static variable reference is required: only attribute access and indexing with constant keys. No calculations, function calls, template expressions, etc are allowed here.\n`,
    );
  });

  test('exits 1 and prints file:line:col for what terraform validate rejects', async () => {
    const { env, fake } = withTools({ terraform: fakeTerraform('init-ok.jsonl', 'validate-error.json') });
    const r = await runMain(['validate', '--env', 'dev'], project.dir, env);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `error ${path.join(DEV_STACK, 'cdk.tf.json')}:6:9: Extraneous JSON object property (resource.terraform_data.wait): No argument or block type is named "triggers_replace_typo".\n`,
    );
    expect(fake.calls().some((c) => c.tool === 'kubectl')).toBe(false);
  });

  test('exits 2 when the providers cannot be downloaded (no network), saying what was and was not checked', async () => {
    const { env, fake } = withTools({ terraform: fakeTerraform('init-no-network.jsonl') });
    const r = await runMain(['validate', '--env', 'dev'], project.dir, env);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('dev  terraform  no network\n');
    expect(r.stderr).toBe(
      'error dev: terraform init could not download the providers (Could not retrieve the list of available versions for provider hashicorp/azurerm: could not connect to registry.terraform.io: failed to request discovery document: Get "https://registry.terraform.io/.well-known/terraform.json": dial tcp: lookup registry.terraform.io on 10.255.255.53:53: no such host): no network, or no access to the registry. The configuration parsed (init checks it first), but "terraform validate" needs the providers: run validate where the registry is reachable, or give Terraform a provider mirror (TF_CLI_CONFIG_FILE)\n',
    );
    expect(fake.calls().map((c) => c.args)).not.toContain('validate -no-color -json');
  });

  test('exits 2 when terraform is not installed, before running anything', async () => {
    const { env } = withTools({});
    const r = await runMain(['validate', '--env', 'dev'], project.dir, env);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(
      /^error terraform: not found or not runnable \(spawnSync terraform ENOENT\): install Terraform \(https:\/\/developer\.hashicorp\.com\/terraform\/install\) and put it on PATH; "check" runs the offline checks without it\n$/,
    );
  });

  test('exits 2 when --context is given and kubectl is not installed, before running terraform', async () => {
    const { env, fake } = withTools({ terraform: fakeTerraform('init-ok.jsonl') });
    const r = await runMain(['validate', '--env', 'dev', '--context', 'aks-dev'], project.dir, env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^error kubectl: not found or not runnable \(spawnSync kubectl ENOENT\): install kubectl \("az aks install-cli"\) and put it on PATH, or leave out --context\n$/,
    );
    expect(fake.calls().map((c) => c.args)).toStrictEqual(['version']);
  });

  test('exits 1 when the API server rejects an object, pointing at the field in the file', async () => {
    const refused = `Error from server (Invalid): error when creating "${DEPLOYMENT}": Deployment.apps "demo-app" is invalid: spec.template.spec.containers[0].image: Required value`;
    const { env } = withTools({
      terraform: fakeTerraform('init-ok.jsonl'),
      kubectl: kubectlRefusing(`${refused}\n`, 'namespace/demo created (server dry run)\n'),
    });
    const r = await runMain(['validate', '--env', 'dev', '--context', 'aks-dev'], project.dir, env);
    expect(r.code).toBe(1);
    const text = readFileSync(path.join(project.dir, DEPLOYMENT), 'utf8');
    const before = text.slice(0, text.indexOf('mcr.microsoft.com/azurelinux'));
    const position = `${before.split('\n').length}:${before.length - before.lastIndexOf('\n')}`;
    expect(r.stderr).toBe(
      `error ${DEPLOYMENT}:${position}: rejected by the API server (Invalid): Deployment.apps "demo-app" is invalid: spec.template.spec.containers[0].image: Required value\n`,
    );
    expect(r.stdout).toContain('dev  kubectl    1 error(s)\n');
  });

  test('exits 2 when the cluster cannot be reached', async () => {
    const { env } = withTools({
      terraform: fakeTerraform('init-ok.jsonl'),
      kubectl: kubectlRefusing('Unable to connect to the server: dial tcp: lookup aks-dev-abc.hcp.westeurope.azmk8s.io: no such host\n'),
    });
    const r = await runMain(['validate', '--env', 'dev', '--context', 'aks-dev'], project.dir, env);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'error dev: cannot reach the API server (dial tcp: lookup aks-dev-abc.hcp.westeurope.azmk8s.io: no such host): a private cluster needs your VPN or a jump host; an authorized-IP cluster needs your IP allowed\n',
    );
  });

  test('objects in a namespace the folder creates are a warning, not a rejection (a dry run persists nothing)', async () => {
    const stderr = ['serviceaccount', 'secretproviderclass', 'deployment']
      .map(
        (k) =>
          `Error from server (NotFound): error when creating "${path.join('dist', 'dev', `${k}-demo-demo-app${k === 'secretproviderclass' ? '-keyvault' : ''}.yaml`)}": namespaces "demo" not found`,
      )
      .join('\n');
    const { env } = withTools({
      terraform: fakeTerraform('init-ok.jsonl'),
      kubectl: kubectlRefusing(`${stderr}\n`, 'namespace/demo created (server dry run)\n'),
    });
    const r = await runMain(['validate', '--env', 'dev', '--context', 'aks-dev'], project.dir, env);
    expect(r.code).toBe(0);
    expect(r.stderr.split('\n').filter((l) => l !== '')).toHaveLength(3);
    expect(r.stderr).toContain(
      `warning ${DEPLOYMENT}: not checked: namespace "demo" is created by these manifests and does not exist yet (a server dry run persists nothing): validate again after the first apply\n`,
    );
  });

  test('--json prints one document with each step, and nothing on stderr', async () => {
    const { env } = withTools({ terraform: fakeTerraform('init-ok.jsonl', 'validate-error.json'), kubectl: KUBECTL_OK });
    const r = await runMain(['--json', 'validate', '--env', 'dev', '--context', 'aks-dev'], project.dir, env);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('');
    const doc = JSON.parse(r.stdout) as {
      ok: boolean;
      exitCode: number;
      environments: { name: string; terraform: { status: string; stack: string; errors: string[] }; kubernetes: { status: string; accepted: string[] } }[];
    };
    expect(doc.ok).toBe(false);
    expect(doc.exitCode).toBe(1);
    expect(doc.environments.map((e) => [e.name, e.terraform.status, e.terraform.stack, e.kubernetes.status, e.kubernetes.accepted.length])).toStrictEqual([
      ['dev', 'rejected', DEV_STACK, 'ok', 4],
    ]);
    expect(doc.environments[0].terraform.errors).toStrictEqual([
      `${path.join(DEV_STACK, 'cdk.tf.json')}:6:9: Extraneous JSON object property (resource.terraform_data.wait): No argument or block type is named "triggers_replace_typo".`,
    ]);
  });

  test('--json: a missing tool is one document too (exit 2)', async () => {
    const { env } = withTools({});
    const r = await runMain(['--json', 'validate', '--env', 'dev'], project.dir, env);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, exitCode: 2, problems: [{ file: 'terraform', path: '' }] });
  });

  test('exits 2 and says to run synth when an environment was never synthesized', async () => {
    const { env } = withTools({ terraform: fakeTerraform('init-ok.jsonl') });
    const r = await runMain(['validate', '--env', 'prod'], project.dir, env);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `error ${path.join('cdktf.out', 'stacks', 'prod', 'cdk.tf.json')}: not synthesized yet: run "aks-keyvault-csi synth --env prod" first (validate checks what synth wrote)\n`,
    );
  });
});

describe('validate with the real terraform', () => {
  const real = TERRAFORM.available ? test : test.skip;
  if (!TERRAFORM.available) console.log(TERRAFORM_SKIP_REASON);

  /** Terraform's provider installation pointed at an empty mirror: no registry, whatever the host's network. */
  function offlineConfig(): NodeJS.ProcessEnv {
    const dir = path.join(project.dir, '.offline');
    mkdirSync(dir, { recursive: true });
    const rc = path.join(dir, 'offline.tfrc');
    writeFileSync(rc, `provider_installation {\n  filesystem_mirror {\n    path = ${JSON.stringify(path.join(dir, 'empty-mirror'))}\n  }\n}\n`);
    return { TF_CLI_CONFIG_FILE: rc };
  }

  real('offline, on the synthesized stack: the configuration parses, then the "no network" message and exit 2', async () => {
    const r = await runMain(['validate', '--env', 'dev'], project.dir, offlineConfig());
    expect(r.stdout).toBe('dev  terraform  no network\n');
    expect(r.stderr).toMatch(
      /^error dev: terraform init could not download the providers \(.*hashicorp\/(azurerm|time).*\): no network, or no access to the registry\. The configuration parsed/,
    );
    expect(r.code).toBe(2);
    expect(Object.keys(readTree(path.join(project.dir, 'cdktf.out', 'stacks', 'dev')))).toStrictEqual(['cdk.tf.json']);
  });

  real('on a stack with only built-in resources, terraform validate itself runs: accepted (0), then an unknown argument rejected (1)', async () => {
    const stack = path.join(project.dir, 'cdktf.out', 'stacks', 'dev', 'cdk.tf.json');
    const saved = readFileSync(stack, 'utf8');
    try {
      writeFileSync(stack, `${JSON.stringify({ resource: { terraform_data: { wait: { input: 'x' } } } }, null, 2)}\n`);
      const ok = await runMain(['validate', '--env', 'dev'], project.dir, offlineConfig());
      expect(ok.stderr).toBe('');
      expect(ok.code).toBe(0);
      writeFileSync(stack, `${JSON.stringify({ resource: { terraform_data: { wait: { input: 'x', triggers_replace_typo: ['a'] } } } }, null, 2)}\n`);
      const bad = await runMain(['validate', '--env', 'dev'], project.dir, offlineConfig());
      expect(bad.stderr).toBe(
        `error ${path.join(DEV_STACK, 'cdk.tf.json')}:6:9: Extraneous JSON object property (resource.terraform_data.wait): No argument or block type is named "triggers_replace_typo".\n`,
      );
      expect(bad.code).toBe(1);
    } finally {
      writeFileSync(stack, saved);
      rmSync(path.join(project.dir, '.offline'), { recursive: true, force: true });
    }
  });
});
