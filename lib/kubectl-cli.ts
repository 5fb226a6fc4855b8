/**
 * Runs `kubectl apply --dry-run=server` on rendered manifests and reads what the API server said,
 * so the objects are judged by the cluster's own schemas, admission and CRDs. Nothing is
 * persisted: a server dry run stops before storage.
 *
 * kubectl prints one stderr line per refused object (`Error from server (Invalid): error when
 * creating "<file>": ...`); those are the manifests' fault. Lines that say the cluster could not
 * be reached or the user may not ask are the environment's fault. Both are decoded by tables.
 * @see https://kubernetes.io/docs/reference/using-api/api-concepts/#dry-run
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { isMap, isSeq, LineCounter, parseDocument, type Node } from 'yaml';

/** One refusal (or server warning) of one manifest. */
export interface KubectlDiagnostic {
  readonly severity: 'error' | 'warning';
  /** The manifest file, as passed to kubectl. */
  readonly file?: string;
  /** `line:col` of the field the API server named, or of the nearest field the file has. */
  readonly position?: string;
  readonly summary: string;
  readonly detail: string;
}

export interface KubectlRun {
  /** Objects the API server accepted (`namespace/demo created (server dry run)`). */
  readonly accepted: readonly string[];
  readonly diagnostics: readonly KubectlDiagnostic[];
  /** Why the cluster could not judge the manifests at all (unreachable, no credentials, no such context). */
  readonly unreachable?: string;
  readonly exitCode: number;
}

/** Whether a `kubectl` binary runs here (on `env`'s PATH), and its version line (or why not). */
export function kubectlVersion(env: NodeJS.ProcessEnv = process.env): { readonly available: boolean; readonly detail: string } {
  const r = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8', env });
  if (r.error !== undefined || r.status !== 0) {
    return { available: false, detail: r.error?.message ?? (r.stderr || `exit ${String(r.status)}`).trim() };
  }
  return { available: true, detail: r.stdout.split('\n')[0] ?? '' };
}

export interface DryRunOptions {
  /** Manifest files, in apply order (the kustomization's `resources`). */
  readonly files: readonly string[];
  /** kubeconfig context. */
  readonly context: string;
  /** Namespaces these files create: objects in them cannot be judged before the Namespace exists. */
  readonly createdNamespaces?: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  /** @default 120000 */
  readonly timeoutMs?: number;
}

/** `kubectl apply --dry-run=server --context CTX -f FILE...` and its decoded answer. */
export function kubectlServerDryRun(options: DryRunOptions): KubectlRun {
  const args = ['apply', '--dry-run=server', '--context', options.context, ...options.files.flatMap((f) => ['-f', f])];
  const r = spawnSync('kubectl', args, {
    encoding: 'utf8',
    env: options.env ?? process.env,
    timeout: options.timeoutMs ?? 120_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  if (r.error !== undefined) throw r.error;
  const accepted = r.stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  return { accepted, exitCode: r.status ?? 1, ...decodeKubectlErrors(r.stderr, options.createdNamespaces ?? []) };
}

/** Messages that say the cluster could not judge anything: cause → what to do. */
const UNREACHABLE: readonly (readonly [RegExp, (m: RegExpExecArray) => string])[] = [
  [
    /context "([^"]*)" does not exist|context was not found for specified context: (\S+)/,
    (m) => `context "${m[1] ?? m[2]}" is not in the kubeconfig: pass one that "kubectl config get-contexts" lists`,
  ],
  [/no configuration has been provided|invalid configuration/, () => 'no usable kubeconfig: set KUBECONFIG or fetch credentials with "az aks get-credentials"'],
  [
    /Unable to connect to the server: (.*)/,
    (m) => `cannot reach the API server (${m[1].trim()}): a private cluster needs your VPN or a jump host; an authorized-IP cluster needs your IP allowed`,
  ],
  [
    /failed to download openapi: (?:Get "[^"]*": )?(.*?)(?:; if you choose to ignore these errors.*)?$/,
    (m) => `cannot reach the API server (${m[1].trim()}): is the cluster running, and the context the right one?`,
  ],
  [/The connection to the server (\S+) was refused/, (m) => `the API server ${m[1]} refused the connection: is the context the right one?`],
  [
    /You must be logged in to the server|the server has asked for the client to provide credentials/,
    () => 'the API server rejected your credentials: run "az aks get-credentials" again (and "kubelogin convert-kubeconfig -l azurecli" for Entra ID clusters)',
  ],
  [
    /forbidden: User "([^"]*)" cannot (\w+) resource "([^"]*)"/,
    (m) =>
      `your identity "${m[1]}" may not ${m[2]} ${m[3]} (Kubernetes RBAC): use a context allowed to create these objects (a dry run needs the same rights as an apply)`,
  ],
  [/couldn't get current server API group list: (.*)/, (m) => `cannot read the API server's resource list (${m[1].trim()})`],
];

/** `Error from server (Reason): error when creating "file": detail` and kubectl's own per-file errors. */
const REFUSED =
  /^Error from server \(([^)]*)\): error when (?:creating|applying patch|patching|retrieving current configuration of|replacing)[^"]*"([^"]*)"(?: from server for: "([^"]*)")?: (.*)$/;
/** `kubectl apply` on an object that exists prints the patch over several lines, then `for: "file": detail`. */
const PATCH_START = /^Error from server \(([^)]*)\): error when applying patch:$/;
const PATCH_END = /^for: "([^"]*)": (?:error when \w+ "[^"]*": )?(.*)$/;
const NO_KIND = /^error: resource mapping not found for name: "([^"]*)" namespace: "([^"]*)" from "([^"]*)": (no matches for kind .*)$/;
/** kubectl's own schema check (when it cannot use the server's field validation). */
const CLIENT_INVALID = /^error validating "([^"]*)": error validating data: (?!failed to download openapi)(.*?)(?:; if you choose to ignore these errors.*)?$/;
const WARNING = /^Warning: (.*)$/;

/** Decodes kubectl's stderr into refusals of files, server warnings, or one reason the cluster could not judge. Pure. */
export function decodeKubectlErrors(
  stderr: string,
  createdNamespaces: readonly string[],
): { readonly diagnostics: KubectlDiagnostic[]; readonly unreachable?: string } {
  const diagnostics: KubectlDiagnostic[] = [];
  const unknown: string[] = [];
  let patchReason: string | undefined;
  for (const raw of stderr.split('\n')) {
    const line = raw.trim();
    if (line === '' || /^ensure CRDs are installed first$/.test(line)) continue;
    const patchStart = PATCH_START.exec(line);
    if (patchStart) {
      patchReason = patchStart[1];
      continue;
    }
    if (patchReason !== undefined) {
      const end = PATCH_END.exec(line);
      if (!end) continue; // the patch, "to:", "Resource:", "Name:" lines
      const reason = patchReason;
      patchReason = undefined;
      diagnostics.push({
        severity: 'error',
        file: end[1],
        ...positionOf(end[1], end[2]),
        summary: `rejected by the API server (${reason})`,
        detail: end[2],
      });
      continue;
    }
    const refused = REFUSED.exec(line);
    if (refused) {
      const [, reason, file, , detail] = refused;
      const pending = /namespaces "([^"]*)" not found/.exec(detail)?.[1];
      if (pending !== undefined && createdNamespaces.includes(pending)) {
        diagnostics.push({
          severity: 'warning',
          file: file,
          summary: 'not checked',
          detail: `namespace "${pending}" is created by these manifests and does not exist yet (a server dry run persists nothing): validate again after the first apply`,
        });
        continue;
      }
      if (/forbidden: User "/.test(detail)) {
        unknown.push(line);
        continue;
      }
      diagnostics.push({ severity: 'error', file: file, ...positionOf(file, detail), summary: `rejected by the API server (${reason})`, detail: detail });
      continue;
    }
    const noKind = NO_KIND.exec(line);
    if (noKind) {
      diagnostics.push({
        severity: 'error',
        file: noKind[3],
        summary: 'rejected by the API server (no such kind)',
        detail: `${noKind[4]}: the cluster lacks this CRD (SecretProviderClass comes with the secrets-provider add-on)`,
      });
      continue;
    }
    const invalid = CLIENT_INVALID.exec(line);
    if (invalid) {
      diagnostics.push({ severity: 'error', file: invalid[1], summary: 'rejected by the schema check', detail: invalid[2] });
      continue;
    }
    const warning = WARNING.exec(line);
    if (warning) {
      diagnostics.push({ severity: 'warning', summary: 'API server warning', detail: warning[1] });
      continue;
    }
    unknown.push(line);
  }
  for (const line of unknown) {
    for (const [pattern, explain] of UNREACHABLE) {
      const m = pattern.exec(line);
      if (m) return { diagnostics, unreachable: explain(m) };
    }
  }
  if (unknown.length > 0) return { diagnostics, unreachable: `kubectl failed: ${unknown[0]}` };
  return { diagnostics };
}

/** `spec.template.spec.containers[0].image` → `['spec', 'template', 'spec', 'containers', 0, 'image']`. */
export function fieldPath(text: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const m of text.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) out.push(m[2] !== undefined ? Number(m[2]) : m[1]);
  return out;
}

/**
 * Where in `file` the first field an API error names is (`... is invalid: spec.x.y: Required
 * value`), or the nearest enclosing field the file has. Nothing when the file or the field cannot
 * be read: the message still names the file.
 */
export function positionOf(file: string, detail: string): { position?: string } {
  const field = /is invalid: \[?((?:metadata|spec|data|stringData|type|rules|subjects|roleRef)(?:[.[][^:,\s]*)?): /.exec(detail)?.[1];
  if (field === undefined) return {};
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return {};
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  let node: Node | null = doc.contents;
  let found: Node | null = node;
  for (const seg of fieldPath(field)) {
    if (isMap(node) || isSeq(node)) {
      const next = node.get(seg, true) as Node | undefined;
      if (next === undefined) break;
      node = next;
      found = next;
    } else break;
  }
  const offset = found?.range?.[0];
  if (offset === undefined) return {};
  const { line, col } = lines.linePos(offset);
  return { position: `${line}:${col}` };
}

/** One line per diagnostic: `file:line:col: summary: detail`. */
export function formatKubectlDiagnostic(d: KubectlDiagnostic): string {
  const where = d.file !== undefined ? `${d.file}${d.position !== undefined ? `:${d.position}` : ''}: ` : '';
  return `${where}${d.summary}: ${d.detail.replace(/\s+/g, ' ').trim()}`;
}
