/**
 * `validate`: what `synth` wrote, judged by the real tools where there is network.
 *
 * - Terraform: `terraform init -backend=false` and `terraform validate` on a scratch copy of each
 *   stack folder (cdktf.out/stacks/<env>/), so `.terraform/` and the lock file land in neither
 *   cdktf.out nor the project. Validate checks every resource against the provider's schema, which
 *   needs the providers: without network that step cannot run, and the command says so (exit 2).
 * - Kubernetes (with `--context`): `kubectl apply --dry-run=server` on the rendered files, in the
 *   kustomization's order: the cluster's own schemas, admission and CRDs judge them; nothing is
 *   persisted.
 *
 * It validates what is on disk and never synthesizes: run `synth` first (a missing stack is bad
 * usage, exit 2; an environment file newer than its stack gets a warning).
 * Exit codes: 0 accepted, 1 Terraform or the API server rejected something, 2 a tool, the
 * network or the cluster is missing, or bad input.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { parse } from 'yaml';
import { EXIT_BAD_INPUT, EXIT_FINDINGS, EXIT_OK, UserError, type InputProblem } from '../../lib/errors';
import type { EnvironmentModel } from '../../lib/model';
import { manifestsDirOf, terraformFileOf } from '../../lib/paths';
import type { CommandContext } from '../main';
import type { Reporter } from '../output';

interface ValidateFlags {
  readonly env?: string[];
  readonly config?: string;
  readonly context?: string;
}

/** How one step ended: `rejected` is the output's fault (exit 1); the last three are the environment's (exit 2). */
export type StepStatus = 'ok' | 'rejected' | 'no-network' | 'unreachable' | 'failed';

interface StepResult {
  readonly status: StepStatus;
  /** One `file:line:col: summary: detail` line per error or warning. */
  readonly errors: readonly string[];
  readonly warnings: readonly string[];
  /** Why the step could not judge (no network, unreachable cluster, tool failure). */
  readonly message?: string;
}

interface TerraformStep extends StepResult {
  readonly stack: string;
}

interface KubernetesStep extends StepResult {
  readonly context: string;
  readonly files: readonly string[];
  readonly accepted: readonly string[];
}

/** Terraform's init may download the providers (hundreds of MB for azurerm): give it time. */
const INIT_TIMEOUT_MS = 10 * 60 * 1000;
const VALIDATE_TIMEOUT_MS = 2 * 60 * 1000;
const KUBECTL_TIMEOUT_MS = 2 * 60 * 1000;

export function register(program: Command, ctx: CommandContext): void {
  program
    .command('validate')
    .description(
      'run "terraform init -backend=false" + "terraform validate" on each synthesized stack, and with --context "kubectl apply --dry-run=server" on its manifests (needs network; run synth first)',
    )
    .option('-e, --env <name...>', 'only these environments (default: every environment)')
    .option('-c, --config <file>', 'an environment file from any path')
    .option('--context <name>', 'also dry-run the rendered manifests on the API server of this kubeconfig context')
    .addHelpText(
      'after',
      '\nValidates what synth wrote (cdktf.out/stacks/<env>/, dist/<env>/); it does not synthesize.\nTerraform runs in a scratch copy: .terraform/ and the lock file never land in the project. Set TF_PLUGIN_CACHE_DIR to reuse downloaded providers.\nExit codes: 0 accepted, 1 rejected by Terraform or the API server, 2 terraform/kubectl/network/cluster missing or bad input.',
    )
    .action((flags: ValidateFlags, command: Command) => {
      const reporter = ctx.reporter(command);
      const env = ctx.io.env;
      const { loadEnvironments } = require('../../pipeline/environments') as typeof import('../../pipeline/environments');
      const models = loadEnvironments({ ...(flags.env ? { names: flags.env } : {}), ...(flags.config ? { configFile: flags.config } : {}) });
      preflight(models, flags.context, env);
      for (const m of models) warnIfStale(reporter, m, flags.context !== undefined);

      const width = Math.max(...models.map((m) => m.name.length));
      const results: { name: string; terraform: TerraformStep; kubernetes: KubernetesStep | null }[] = [];
      for (const m of models) {
        const terraform = terraformStep(m, env);
        print(reporter, m.name.padEnd(width), 'terraform', terraform, `init + validate accepted ${terraform.stack}`);
        const kubernetes = flags.context !== undefined ? kubernetesStep(m, flags.context, env) : null;
        if (kubernetes !== null)
          print(
            reporter,
            m.name.padEnd(width),
            'kubectl  ',
            kubernetes,
            `${kubernetes.accepted.length} object(s) accepted by a server dry run on context "${kubernetes.context}"`,
          );
        results.push({ name: m.name, terraform, kubernetes });
      }

      const steps = results.flatMap((r) => (r.kubernetes !== null ? [r.terraform, r.kubernetes] : [r.terraform]));
      const code = exitCodeOf(steps);
      if (code === EXIT_OK && flags.context === undefined)
        reporter.line(reporter.dim('manifests not dry-run: pass --context CTX to have the API server judge them too'));
      reporter.emit({ ok: code === EXIT_OK, exitCode: code, environments: results });
      ctx.exit(code);
    });
}

/** 2 when any step could not judge, else 1 when any rejected, else 0. */
export function exitCodeOf(steps: readonly StepResult[]): number {
  if (steps.some((s) => s.status === 'no-network' || s.status === 'unreachable' || s.status === 'failed')) return EXIT_BAD_INPUT;
  if (steps.some((s) => s.status === 'rejected')) return EXIT_FINDINGS;
  return EXIT_OK;
}

function print(reporter: Reporter, name: string, tool: string, step: StepResult, ok: string): void {
  const verdict: Record<StepStatus, string> = {
    ok: reporter.green('ok'),
    rejected: reporter.red(`${step.errors.length} error(s)`),
    'no-network': reporter.red('no network'),
    unreachable: reporter.red('cluster unreachable'),
    failed: reporter.red('failed'),
  };
  reporter.line(`${reporter.bold(name)}  ${tool}  ${verdict[step.status]}${step.status === 'ok' ? `: ${ok}` : ''}`);
  for (const e of step.errors) reporter.error(e);
  for (const w of step.warnings) reporter.warn(w);
  if (step.message !== undefined) reporter.error(step.message);
}

/** Everything validate needs before it runs anything: the tools, and synth's output. Throws UserError (exit 2). */
function preflight(models: readonly EnvironmentModel[], context: string | undefined, env: NodeJS.ProcessEnv): void {
  const { terraformVersion } = require('../../lib/terraform-cli') as typeof import('../../lib/terraform-cli');
  const problems: InputProblem[] = [];
  const terraform = terraformVersion(env);
  if (!terraform.available) {
    problems.push({
      file: 'terraform',
      path: '',
      message: `not found or not runnable (${terraform.detail}): install Terraform (https://developer.hashicorp.com/terraform/install) and put it on PATH; "check" runs the offline checks without it`,
    });
  }
  if (context !== undefined) {
    const { kubectlVersion } = require('../../lib/kubectl-cli') as typeof import('../../lib/kubectl-cli');
    const kubectl = kubectlVersion(env);
    if (!kubectl.available) {
      problems.push({
        file: 'kubectl',
        path: '',
        message: `not found or not runnable (${kubectl.detail}): install kubectl ("az aks install-cli") and put it on PATH, or leave out --context`,
      });
    }
  }
  for (const m of models) {
    const stack = terraformFileOf(m.stackName);
    if (!existsSync(stack))
      problems.push({
        file: stack,
        path: '',
        message: `not synthesized yet: run "aks-keyvault-csi synth --env ${m.name}" first (validate checks what synth wrote)`,
      });
    if (context !== undefined && manifestFiles(manifestsDirOf(m.name)).length === 0) {
      problems.push({
        file: manifestsDirOf(m.name),
        path: '',
        message: `no rendered manifests: run "aks-keyvault-csi synth --env ${m.name}" with the environment's Terraform outputs first`,
      });
    }
  }
  if (problems.length > 0) throw new UserError(problems);
}

/** A stack or manifest folder older than the environment file: validate judges the older output. */
function warnIfStale(reporter: Reporter, m: EnvironmentModel, manifests: boolean): void {
  const edited = statSync(m.file).mtimeMs;
  const outputs = [terraformFileOf(m.stackName), ...(manifests ? [path.join(manifestsDirOf(m.name), 'kustomization.yaml')] : [])];
  for (const out of outputs.filter(existsSync)) {
    if (statSync(out).mtimeMs < edited)
      reporter.warn(`${out} is older than ${m.file}: this validates the last synth; run "aks-keyvault-csi synth --env ${m.name}" to validate your latest edit`);
  }
}

function firstLine(text: string): string {
  return (text.trim().split('\n')[0] ?? '').trim();
}

function terraformStep(m: EnvironmentModel, env: NodeJS.ProcessEnv): TerraformStep {
  const tf = require('../../lib/terraform-cli') as typeof import('../../lib/terraform-cli');
  const stackDir = path.dirname(terraformFileOf(m.stackName));
  const lines = (ds: readonly import('../../lib/terraform-cli').TerraformDiagnostic[]) =>
    ds.map((d) => tf.formatDiagnostic(tf.relocateDiagnostic(d, stackDir)));
  const result = (status: StepStatus, rest: Partial<StepResult> = {}): TerraformStep => ({ status, stack: stackDir, errors: [], warnings: [], ...rest });
  try {
    return tf.inScratchCopy(stackDir, (dir) => {
      const init = tf.terraformInit(dir, { env, timeoutMs: INIT_TIMEOUT_MS });
      if (init.errors.length > 0) return result('rejected', { errors: lines(init.errors), warnings: lines(init.warnings) });
      if (init.providerDownload.length > 0) {
        return result('no-network', {
          warnings: lines(init.warnings),
          message: `${m.name}: terraform init could not download the providers (${firstLine(init.providerDownload[0].detail)}): no network, or no access to the registry. The configuration parsed (init checks it first), but "terraform validate" needs the providers: run validate where the registry is reachable, or give Terraform a provider mirror (TF_CLI_CONFIG_FILE)`,
        });
      }
      if (init.exitCode !== 0)
        return result('failed', { message: `${m.name}: terraform init exited with ${init.exitCode}: ${firstLine(init.stderr) || 'no message'}` });
      const validate = tf.terraformValidate(dir, { env, timeoutMs: VALIDATE_TIMEOUT_MS });
      const warnings = lines([...init.warnings, ...validate.warnings]);
      if (validate.errors.length > 0) return result('rejected', { errors: lines(validate.errors), warnings });
      if (validate.exitCode !== 0)
        return result('failed', {
          warnings,
          message: `${m.name}: terraform validate exited with ${validate.exitCode}: ${firstLine(validate.stderr) || 'no message'}`,
        });
      return result('ok', { warnings });
    });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === undefined) throw e;
    const why = code === 'ETIMEDOUT' ? `did not finish within ${INIT_TIMEOUT_MS / 60_000} minutes` : `could not run (${code})`;
    return result('failed', { message: `${m.name}: terraform ${why}` });
  }
}

/** YAML and JSON files directly in `dir` (kubectl -f DIR reads the same), or none when it does not exist. */
function manifestFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => /\.(ya?ml|json)$/.test(f) && f !== 'kustomization.yaml')
    .sort()
    .map((f) => path.join(dir, f));
}

/** The files to apply, in order: the kustomization's `resources` (what a GitOps tool applies), else every manifest in the folder. */
function applyOrder(dir: string): string[] {
  const kustomization = path.join(dir, 'kustomization.yaml');
  if (!existsSync(kustomization)) return manifestFiles(dir);
  const resources = (parse(readFileSync(kustomization, 'utf8')) as { resources?: unknown } | null)?.resources;
  if (!Array.isArray(resources)) return manifestFiles(dir);
  return resources.filter((r): r is string => typeof r === 'string').map((r) => path.join(dir, r));
}

/** Names of the Namespaces among `files`. */
function namespacesIn(files: readonly string[]): string[] {
  const out: string[] = [];
  for (const f of files) {
    if (!existsSync(f)) continue;
    const doc = parse(readFileSync(f, 'utf8')) as { kind?: unknown; metadata?: { name?: unknown } } | null;
    if (doc?.kind === 'Namespace' && typeof doc.metadata?.name === 'string') out.push(doc.metadata.name);
  }
  return out;
}

function kubernetesStep(m: EnvironmentModel, context: string, env: NodeJS.ProcessEnv): KubernetesStep {
  const k = require('../../lib/kubectl-cli') as typeof import('../../lib/kubectl-cli');
  const files = applyOrder(manifestsDirOf(m.name));
  const result = (status: StepStatus, rest: Partial<KubernetesStep> = {}): KubernetesStep => ({
    status,
    context,
    files,
    accepted: [],
    errors: [],
    warnings: [],
    ...rest,
  });
  let run: import('../../lib/kubectl-cli').KubectlRun;
  try {
    run = k.kubectlServerDryRun({ files, context, createdNamespaces: namespacesIn(files), env, timeoutMs: KUBECTL_TIMEOUT_MS });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === undefined) throw e;
    return result('failed', {
      message: `${m.name}: kubectl ${code === 'ETIMEDOUT' ? `did not finish within ${KUBECTL_TIMEOUT_MS / 60_000} minutes` : `could not run (${code})`}`,
    });
  }
  const errors = run.diagnostics.filter((d) => d.severity === 'error').map(k.formatKubectlDiagnostic);
  const warnings = run.diagnostics.filter((d) => d.severity === 'warning').map(k.formatKubectlDiagnostic);
  if (run.unreachable !== undefined) return result('unreachable', { accepted: run.accepted, errors, warnings, message: `${m.name}: ${run.unreachable}` });
  if (errors.length > 0) return result('rejected', { accepted: run.accepted, errors, warnings });
  // Every stderr line was decoded (else `unreachable` is set): a non-zero exit with only warnings is
  // kubectl counting the objects it could not judge yet.
  if (run.exitCode !== 0 && run.diagnostics.length === 0)
    return result('failed', { accepted: run.accepted, message: `${m.name}: kubectl exited with ${run.exitCode} without a message` });
  return result('ok', { accepted: run.accepted, warnings });
}
