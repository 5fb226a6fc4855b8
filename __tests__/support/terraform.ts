/**
 * Terraform's own verdict on what the tests synthesize. Every stack a test file records (the
 * stack helpers record each one they synthesize) is checked once, after the file's tests, by
 * `terraform init -backend=false` offline (lib/terraform-cli.ts): Terraform parses and checks
 * the whole configuration before it looks for providers, so the only acceptable errors are
 * "Failed to query available provider packages".
 *
 * To keep this cheap, the recorded stacks are checked together, each as a child module of one
 * generated root (one Terraform run per test file; Terraform reports errors per module).
 * A stack's `terraform.backend` block is only a warning in a child module, so stacks with
 * distinct backend settings are also checked on their own, as roots.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { formatDiagnostic, terraformInit, terraformVersion } from '../../lib/terraform-cli';

/** The variable __tests__/global-setup.ts passes `terraformVersion()`'s answer in (JSON). */
const TERRAFORM_VERSION_ENV = 'AKSCSI_TEST_TERRAFORM_VERSION';

/**
 * Whether Terraform runs here: probed once per jest run by __tests__/global-setup.ts, which hands
 * the answer to the workers in the environment (`terraform version` in each of the ~80 test files
 * cost about half a second each); probed here when a file runs without that setup.
 */
export const TERRAFORM: { readonly available: boolean; readonly detail: string } =
  process.env[TERRAFORM_VERSION_ENV] !== undefined ? (JSON.parse(process.env[TERRAFORM_VERSION_ENV]) as typeof TERRAFORM) : terraformVersion();
export const TERRAFORM_SKIP_REASON = `terraform is not installed or not runnable here (${TERRAFORM.detail}): Terraform's configuration check is skipped`;

const recorded = new Map<string, string>();

/** Records a synthesized stack (its cdk.tf.json text) for the check after the file's tests. */
export function recordStack(json: string): void {
  recorded.set(json, json);
}

/** Takes the stacks recorded so far (and forgets them). */
export function takeRecordedStacks(): string[] {
  const all = [...recorded.values()];
  recorded.clear();
  return all;
}

/**
 * The configuration errors Terraform reports for `stacks` (each a cdk.tf.json text), one line
 * per error naming the stack's index; empty when Terraform accepts them all.
 */
export function terraformRejections(stacks: readonly string[]): string[] {
  if (stacks.length === 0) return [];
  const root = mkdtempSync(path.join(tmpdir(), 'akscsi-tf-'));
  try {
    const modules: Record<string, { source: string }> = {};
    stacks.forEach((json, i) => {
      mkdirSync(path.join(root, `s${i}`));
      writeFileSync(path.join(root, `s${i}`, 'cdk.tf.json'), json);
      modules[`s${i}`] = { source: `./s${i}` };
    });
    writeFileSync(path.join(root, 'main.tf.json'), JSON.stringify({ module: modules }));
    const errors = terraformInit(root, { offline: true }).errors.map(formatDiagnostic);

    // Backends only count in a root module: check one stack per distinct backend as a root.
    const byBackend = new Map<string, number>();
    stacks.forEach((json, i) => {
      const backend = JSON.stringify((JSON.parse(json) as { terraform?: { backend?: unknown } }).terraform?.backend ?? null);
      if (!byBackend.has(backend)) byBackend.set(backend, i);
    });
    for (const i of byBackend.values()) {
      errors.push(...terraformInit(path.join(root, `s${i}`), { offline: true }).errors.map((d) => `s${i} (as root): ${formatDiagnostic(d)}`));
    }
    return errors;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/**
 * What Terraform itself makes of a configuration without providers (outputs only): `terraform
 * init` and `apply` in a scratch folder, then the outputs' values (`terraform output -json`).
 * Offline: nothing is downloaded, since nothing needs a provider.
 */
export function terraformOutputValues(json: string): Record<string, unknown> {
  const root = mkdtempSync(path.join(tmpdir(), 'akscsi-tf-apply-'));
  try {
    writeFileSync(path.join(root, 'main.tf.json'), json);
    const env = { ...process.env, CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1', TF_INPUT: '0', TF_CLI_CONFIG_FILE: path.join(root, 'none.tfrc') };
    writeFileSync(env.TF_CLI_CONFIG_FILE, '');
    for (const args of [
      ['init', '-input=false', '-no-color'],
      ['apply', '-auto-approve', '-input=false', '-no-color'],
    ]) {
      const r = spawnSync('terraform', args, { cwd: root, encoding: 'utf8', env, timeout: 120_000 });
      if (r.status !== 0) throw new Error(`terraform ${args[0]} failed: ${r.stderr || r.stdout}`);
    }
    const r = spawnSync('terraform', ['output', '-json'], { cwd: root, encoding: 'utf8', env, maxBuffer: 64 * 1024 * 1024 });
    if (r.status !== 0) throw new Error(`terraform output failed: ${r.stderr}`);
    return Object.fromEntries(Object.entries(JSON.parse(r.stdout) as Record<string, { value: unknown }>).map(([k, v]) => [k, v.value]));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
