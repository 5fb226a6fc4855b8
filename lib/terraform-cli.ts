/**
 * Runs the `terraform` binary on synthesized stacks and reads its diagnostics (`-json`), so the
 * configuration is judged by Terraform itself rather than by our reading of it.
 *
 * `terraform init -backend=false` parses and checks the whole configuration (syntax,
 * expressions, references, `depends_on`) before it looks for providers. Offline, with the
 * provider installation pointed at an empty filesystem mirror, the only errors left after a
 * valid configuration are "Failed to query available provider packages": those are reported as
 * `providerDownload`, everything else as a configuration error.
 * @see https://developer.hashicorp.com/terraform/cli/config/config-file#provider-installation
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** One diagnostic of `terraform ... -json` (the fields we read). */
export interface TerraformDiagnostic {
  readonly severity: 'error' | 'warning';
  readonly summary: string;
  readonly detail: string;
  /** `file:line:column` inside the working folder, when Terraform gave a range. */
  readonly where?: string;
  /** Terraform's own context line, e.g. `output.aks_keyvault_csi.depends_on`. */
  readonly context?: string;
}

export interface TerraformRun {
  /** Configuration errors (what Terraform rejects in our output). */
  readonly errors: readonly TerraformDiagnostic[];
  readonly warnings: readonly TerraformDiagnostic[];
  /** Errors that only say a provider could not be downloaded (offline, or no registry access). */
  readonly providerDownload: readonly TerraformDiagnostic[];
  readonly exitCode: number;
  /** What Terraform printed on stderr (its human-readable errors when it produced no diagnostics). */
  readonly stderr: string;
}

/** Summaries of the errors an offline init reports for a valid configuration. */
const PROVIDER_DOWNLOAD = [/^Failed to query available provider packages$/, /^Failed to install provider$/, /^Incompatible provider version$/];
/** The closing summary of a failed init; it repeats the errors above it. */
const INIT_SUMMARY = /^Terraform encountered problems during initiali[sz]ation/;

/** Whether a `terraform` binary runs here (on `env`'s PATH), and its version line (or why not). */
export function terraformVersion(env: NodeJS.ProcessEnv = process.env): { readonly available: boolean; readonly detail: string } {
  const r = spawnSync('terraform', ['version'], { encoding: 'utf8', env: terraformEnv(env) });
  if (r.error !== undefined || r.status !== 0) {
    return { available: false, detail: r.error?.message ?? (r.stderr || `exit ${String(r.status)}`).trim() };
  }
  return { available: true, detail: r.stdout.split('\n')[0] ?? '' };
}

export interface TerraformInitOptions {
  /**
   * Never contact a registry: provider installation reads an empty filesystem mirror, so only
   * the configuration is checked.
   * @default false
   */
  readonly offline?: boolean;
  /** @default 120000 */
  readonly timeoutMs?: number;
  /** The environment Terraform runs with (PATH finds the binary; TF_* settings pass through). @default process.env */
  readonly env?: NodeJS.ProcessEnv;
}

/** `terraform init -backend=false` in `dir`. */
export function terraformInit(dir: string, options: TerraformInitOptions = {}): TerraformRun {
  return runTerraform(dir, ['init', '-backend=false', '-input=false', '-no-color', '-json'], options);
}

/** `terraform validate` in `dir` (needs an initialised folder, so providers). */
export function terraformValidate(dir: string, options: TerraformInitOptions = {}): TerraformRun {
  return runTerraform(dir, ['validate', '-no-color', '-json'], options);
}

function runTerraform(dir: string, args: readonly string[], options: TerraformInitOptions): TerraformRun {
  const scratch = options.offline ? mkdtempSync(path.join(os.tmpdir(), 'aks-keyvault-csi-tfrc-')) : undefined;
  try {
    const env = terraformEnv(options.env ?? process.env);
    if (scratch !== undefined) {
      const rc = path.join(scratch, 'offline.tfrc');
      writeFileSync(rc, `provider_installation {\n  filesystem_mirror {\n    path = ${JSON.stringify(path.join(scratch, 'empty-mirror'))}\n  }\n}\n`);
      env.TF_CLI_CONFIG_FILE = rc;
    }
    const r = spawnSync('terraform', [...args], { cwd: dir, encoding: 'utf8', env, timeout: options.timeoutMs ?? 120_000, maxBuffer: 64 * 1024 * 1024 });
    if (r.error !== undefined) throw r.error;
    return classify([...parseDiagnostics(r.stdout)], r.status ?? 1, r.stderr);
  } finally {
    if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
  }
}

function terraformEnv(base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...base, CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1', TF_INPUT: '0' };
}

/** Files Terraform writes into its working folder: never copied into, nor left in, a stack folder. */
const WORKING_FILES = /^(\.terraform|\.terraform\.lock\.hcl|terraform\.tfstate(\..*)?)$/;

/**
 * Runs `fn` on a scratch copy of a synthesized stack folder (without Terraform's working files),
 * then removes the copy: `terraform init` writes `.terraform/` and a lock file, which must land
 * neither in cdktf.out (cdktf owns it) nor in the project.
 */
export function inScratchCopy<T>(stackDir: string, fn: (dir: string) => T): T {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'aks-keyvault-csi-tf-'));
  try {
    const dir = path.join(scratch, path.basename(path.resolve(stackDir)));
    cpSync(stackDir, dir, { recursive: true, filter: (src) => !WORKING_FILES.test(path.basename(src)) });
    return fn(dir);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Diagnostics from the JSON lines of `-json` (init streams them; validate prints one document). */
export function* parseDiagnostics(stdout: string): Generator<TerraformDiagnostic> {
  const trimmed = stdout.trim();
  if (trimmed.startsWith('{') && trimmed.includes('"valid"') && !trimmed.includes('\n{"@level"')) {
    // `terraform validate -json`: one document with a `diagnostics` array.
    try {
      const doc = JSON.parse(trimmed) as { diagnostics?: RawDiagnostic[] };
      for (const d of doc.diagnostics ?? []) yield toDiagnostic(d);
      return;
    } catch {
      // Fall through to line mode.
    }
  }
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    let entry: { type?: string; diagnostic?: RawDiagnostic };
    try {
      entry = JSON.parse(line) as typeof entry;
    } catch {
      continue;
    }
    if (entry.type === 'diagnostic' && entry.diagnostic !== undefined) yield toDiagnostic(entry.diagnostic);
  }
}

interface RawDiagnostic {
  severity?: string;
  summary?: string;
  detail?: string;
  range?: { filename?: string; start?: { line?: number; column?: number } };
  snippet?: { context?: string | null };
}

function toDiagnostic(d: RawDiagnostic): TerraformDiagnostic {
  const range = d.range;
  const where = range?.filename !== undefined ? `${range.filename}:${range.start?.line ?? 0}:${range.start?.column ?? 0}` : undefined;
  return {
    severity: d.severity === 'warning' ? 'warning' : 'error',
    summary: d.summary ?? '',
    detail: d.detail ?? '',
    ...(where !== undefined ? { where } : {}),
    ...(d.snippet?.context ? { context: d.snippet.context } : {}),
  };
}

function classify(diagnostics: readonly TerraformDiagnostic[], exitCode: number, stderr: string): TerraformRun {
  const errors: TerraformDiagnostic[] = [];
  const warnings: TerraformDiagnostic[] = [];
  const providerDownload: TerraformDiagnostic[] = [];
  for (const d of diagnostics) {
    if (d.severity === 'warning') warnings.push(d);
    else if (PROVIDER_DOWNLOAD.some((re) => re.test(d.summary))) providerDownload.push(d);
    else if (!INIT_SUMMARY.test(d.summary)) errors.push(d);
  }
  return { errors, warnings, providerDownload, exitCode, stderr };
}

/** The diagnostic with its file shown under `dir` (where the stack lives, when Terraform ran in a scratch copy). */
export function relocateDiagnostic(d: TerraformDiagnostic, dir: string): TerraformDiagnostic {
  return d.where === undefined ? d : { ...d, where: path.join(dir, d.where) };
}

/** One line per diagnostic: `file:line:col: summary (context): detail`. */
export function formatDiagnostic(d: TerraformDiagnostic): string {
  const where = d.where !== undefined ? `${d.where}: ` : '';
  const context = d.context !== undefined ? ` (${d.context})` : '';
  const detail = d.detail ? `: ${d.detail.replace(/\s+/g, ' ').trim()}` : '';
  return `${where}${d.summary}${context}${detail}`;
}
