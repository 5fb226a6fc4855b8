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
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { formatDiagnostic, terraformInit, terraformVersion } from '../../lib/terraform-cli';

export const TERRAFORM = terraformVersion();
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
