/**
 * The thin, read-only client layer: loads the user's kubeconfig, checks the API server answers,
 * and fetches the objects the pure checks take. Every request has a short timeout so an
 * unreachable cluster fails in seconds with a clear message, not a stack trace.
 *
 * `@kubernetes/client-node` is imported lazily (inside `connectCluster`) so `--help` stays fast.
 */
import { existsSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import type {
  CoreV1Event,
  Exec,
  KubeConfig,
  KubernetesClientModule,
  RequestContext,
  ResponseContext,
  V1DaemonSet,
  V1Deployment,
  V1Namespace,
  V1Pod,
  V1ServiceAccount,
} from './api-types';
import { SECRETS_STORE_GROUP, SECRETS_STORE_VERSION, SPC_PLURAL, SPCPS_PLURAL, type SecretProviderClass, type SecretProviderClassPodStatus } from './types';

/** Per-request timeout: short, so a wrong context or a private cluster without VPN fails fast. */
export const REQUEST_TIMEOUT_MS = 8000;
/** Exec timeout (ls, sha256sum in a pod). */
export const EXEC_TIMEOUT_MS = 20000;

/** The run cannot go on: bad kubeconfig, unreachable cluster, missing credentials. Exit code 2, message only. */
export class VerifyAbort extends Error {
  /** What could not be used, where a file would stand in a problem: `cluster` or `Key Vault`. */
  readonly source: string;
  constructor(message: string, source = 'cluster') {
    super(message);
    this.name = 'VerifyAbort';
    this.source = source;
  }
}

/** Reading one object was refused (HTTP 403): reported as a finding, the run goes on. */
export class ReadDenied extends Error {
  constructor(
    readonly what: string,
    message: string,
  ) {
    super(message);
    this.name = 'ReadDenied';
  }
}

/** Where the kubeconfig comes from, as kubectl resolves it; a message when there is none. Pure given `exists`. */
export function resolveKubeconfig(
  env: NodeJS.ProcessEnv,
  home: string,
  exists: (p: string) => boolean,
): { readonly files: string[] } | { readonly problem: string } {
  const fromEnv = (env['KUBECONFIG'] ?? '').split(path.delimiter).filter((f) => f !== '');
  if (fromEnv.length > 0) {
    const present = fromEnv.filter(exists);
    if (present.length === 0) return { problem: `KUBECONFIG points at ${fromEnv.map((f) => JSON.stringify(f)).join(', ')}, which does not exist` };
    return { files: present };
  }
  const dflt = path.join(home, '.kube', 'config');
  if (exists(dflt)) return { files: [dflt] };
  if (env['KUBERNETES_SERVICE_HOST']) return { files: [] }; // in-cluster
  return { problem: 'no kubeconfig: KUBECONFIG is not set and ~/.kube/config does not exist' };
}

/** A user-facing sentence for a failed API call, from the error's code and message. Pure. */
export function describeConnectionError(err: unknown, server: string, timeoutMs = REQUEST_TIMEOUT_MS): string {
  const chain: Array<{ name?: string; code?: unknown; message?: string; type?: string }> = [];
  let cur: unknown = err;
  for (let i = 0; i < 5 && cur && typeof cur === 'object'; i++) {
    chain.push(cur);
    cur = (cur as { cause?: unknown }).cause;
  }
  const codes = chain.map((c) => (typeof c.code === 'string' ? c.code : '')).join(' ');
  const text = chain.map((c) => `${c.name ?? ''} ${c.message ?? ''}`).join(' ');
  const httpCode = chain.map((c) => (typeof c.code === 'number' ? c.code : undefined)).find((c) => c !== undefined);
  if (/ECONNREFUSED/.test(codes + text))
    return `the cluster API server ${server} refused the connection: is the cluster running and the kubeconfig context the right one?`;
  if (/ENOTFOUND|EAI_AGAIN/.test(codes + text))
    return `cannot resolve the host of ${server}: check the kubeconfig context, your DNS, or (private cluster) your VPN`;
  if (/AbortError|ETIMEDOUT|ECONNRESET|EHOSTUNREACH|ENETUNREACH|timed? ?out|aborted/i.test(codes + text))
    return `the cluster API server ${server} did not answer within ${Math.round(timeoutMs / 1000)} s: a private cluster needs your VPN or a jump host; an authorized-IP cluster needs your IP allowed`;
  if (/CERT|certificate|self.signed|UNABLE_TO_VERIFY/i.test(codes + text))
    return `TLS to ${server} failed (${firstLine(text)}): fetch fresh credentials with "az aks get-credentials"`;
  if (/kubelogin/i.test(text) && /ENOENT|not found/i.test(codes + text))
    return 'the kubeconfig uses kubelogin, which is not installed: install it ("az aks install-cli") or run "kubelogin convert-kubeconfig -l azurecli"';
  if (httpCode === 401)
    return `the cluster ${server} rejected your credentials (401): run "az aks get-credentials" again, or "kubelogin convert-kubeconfig -l azurecli" for Entra ID clusters`;
  if (httpCode === 403)
    return `the cluster ${server} denied access (403): your identity needs read access (e.g. the "Azure Kubernetes Service RBAC Reader" role)`;
  if (httpCode === 404) return `${server} answered, but not as a Kubernetes API server (HTTP 404 on /version): check the server URL of the kubeconfig context`;
  if (httpCode !== undefined) return `the cluster API server ${server} answered HTTP ${httpCode}: retry, or check the cluster's health in the Azure portal`;
  return `cannot talk to the cluster API server ${server}: ${firstLine(text)}`;
}

function firstLine(s: string): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > 200 ? `${t.slice(0, 197)}...` : t;
}

function httpStatus(err: unknown): number | undefined {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'number' ? code : undefined;
}

export interface ExecResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly ok: boolean;
  readonly message?: string;
}

/** What the verifier reads from a cluster. 404 → undefined; 403 → ReadDenied; unreachable → VerifyAbort. */
export interface ClusterReader {
  readonly server: string;
  readonly context: string;
  listDaemonSets(namespace: string): Promise<V1DaemonSet[]>;
  readNamespace(name: string): Promise<V1Namespace | undefined>;
  readServiceAccount(namespace: string, name: string): Promise<V1ServiceAccount | undefined>;
  readDeployment(namespace: string, name: string): Promise<V1Deployment | undefined>;
  /** Deployments in every namespace (to find cluster add-ons such as Reloader). */
  listDeployments(): Promise<V1Deployment[]>;
  listPods(namespace: string, labelSelector: string): Promise<V1Pod[]>;
  listEvents(namespace: string): Promise<CoreV1Event[]>;
  readSecretProviderClass(namespace: string, name: string): Promise<SecretProviderClass | undefined>;
  listPodStatuses(namespace: string): Promise<SecretProviderClassPodStatus[]>;
  /** A namespaced custom object by `apiVersion` (`group/version`) and plural; undefined when absent or its kind is not served. */
  readCustomObject(apiVersion: string, plural: string, namespace: string, name: string): Promise<Record<string, unknown> | undefined>;
  /** Runs a command in a container; only for `ls` and `sha256sum` (never reads file contents). */
  exec(namespace: string, pod: string, container: string, command: readonly string[]): Promise<ExecResult>;
}

export interface ConnectOptions {
  readonly context?: string;
  /** Appended to "no kubeconfig" messages, e.g. the `az aks get-credentials` command for this environment. */
  readonly credentialsHint: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly home?: string;
  readonly timeoutMs?: number;
}

/**
 * The package name, in a variable: a literal `import('@kubernetes/client-node')` makes `tsc` load
 * the package's ~800 declaration files (half the project's type-check time). Its types are
 * declared narrowly in api-types.ts instead.
 */
const KUBERNETES_CLIENT_PACKAGE: string = '@kubernetes/client-node';

/**
 * `@kubernetes/client-node` 1.x is ESM-only and this project compiles to CommonJS, where this
 * dynamic import becomes `require()`: Node 20.19+ loads ESM that way. Jest's module registry
 * cannot (on Node 20), so tests of the real client run the command in a child process.
 */
async function loadKubernetesClient(): Promise<KubernetesClientModule> {
  try {
    // The one place the real module meets its narrow type: api-types.ts declares the subset of
    // client-node's exports (and API object shapes) this file uses, with client-node's signatures.
    return (await import(KUBERNETES_CLIENT_PACKAGE)) as KubernetesClientModule;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_REQUIRE_ESM')
      throw new VerifyAbort(`this command needs Node.js 20.19 or later (running ${process.version}): upgrade Node.js`);
    throw e;
  }
}

/** The kubeconfig files merged (or the in-cluster config when there are none). Throws VerifyAbort when one cannot be read. */
function loadKubeconfig(k8s: KubernetesClientModule, files: readonly string[]): KubeConfig {
  const kc = new k8s.KubeConfig();
  try {
    if (files.length === 0) {
      kc.loadFromCluster();
    } else {
      kc.loadFromFile(files[0]);
      for (const f of files.slice(1)) {
        const more = new k8s.KubeConfig();
        more.loadFromFile(f);
        kc.mergeConfig(more);
      }
    }
  } catch (e) {
    throw new VerifyAbort(`cannot read the kubeconfig ${files.join(', ')}: ${firstLine((e as Error).message ?? String(e))}`);
  }
  return kc;
}

/** Selects `--context` (when given) and returns the API server of the current context. Throws VerifyAbort without one. */
function selectServer(kc: KubeConfig, opts: ConnectOptions): string {
  if (opts.context !== undefined) {
    const names = kc.getContexts().map((c) => c.name);
    if (!names.includes(opts.context)) {
      throw new VerifyAbort(
        `context ${JSON.stringify(opts.context)} is not in the kubeconfig${names.length ? `: use one of ${names.map((n) => JSON.stringify(n)).join(', ')}` : ''}`,
      );
    }
    kc.setCurrentContext(opts.context);
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster) {
    throw new VerifyAbort(
      `the kubeconfig has no current context${opts.context ? '' : ': pass --context NAME or run "kubectl config use-context NAME"'}. ${opts.credentialsHint}`,
    );
  }
  return cluster.server;
}

/** What the clients are built from: the loaded module, the kubeconfig at its selected context, its API server, the per-request timeout. */
interface Connection {
  readonly k8s: KubernetesClientModule;
  readonly kc: KubeConfig;
  readonly server: string;
  readonly timeoutMs: number;
}

/** The API clients, every request aborted after the timeout. */
function apiClients({ k8s, kc, server, timeoutMs }: Connection) {
  const timeout = {
    pre: (ctx: RequestContext) => {
      ctx.setSignal(AbortSignal.timeout(timeoutMs));
      return Promise.resolve(ctx);
    },
    post: (ctx: ResponseContext) => Promise.resolve(ctx),
  };
  const config = k8s.createConfiguration({
    baseServer: new k8s.ServerConfiguration(server, {}),
    authMethods: { default: kc },
    promiseMiddleware: [timeout],
  });
  return { core: new k8s.CoreV1Api(config), apps: new k8s.AppsV1Api(config), custom: new k8s.CustomObjectsApi(config), version: new k8s.VersionApi(config) };
}

/** The reads the checks take, on clients whose server answered: 404 → undefined; 403 → ReadDenied; anything else → VerifyAbort. */
function clusterReader({ k8s, kc, server, timeoutMs }: Connection, clients: ReturnType<typeof apiClients>): ClusterReader {
  const { core, apps, custom } = clients;
  const call = async <T>(what: string, fn: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await fn();
    } catch (e) {
      const status = httpStatus(e);
      if (status === 404) return undefined;
      if (status === 403) throw new ReadDenied(what, `reading ${what} was denied (403): your identity needs read access to it`);
      throw new VerifyAbort(describeConnectionError(e, server, timeoutMs));
    }
  };
  return {
    server,
    context: kc.getCurrentContext(),
    listDaemonSets: async (namespace) => (await call(`DaemonSets in ${namespace}`, () => apps.listNamespacedDaemonSet({ namespace })))?.items ?? [],
    readNamespace: (name) => call(`namespace ${name}`, () => core.readNamespace({ name })),
    readServiceAccount: (namespace, name) => call(`ServiceAccount ${namespace}/${name}`, () => core.readNamespacedServiceAccount({ namespace, name })),
    readDeployment: (namespace, name) => call(`Deployment ${namespace}/${name}`, () => apps.readNamespacedDeployment({ namespace, name })),
    listDeployments: async () => (await call('Deployments in all namespaces', () => apps.listDeploymentForAllNamespaces({})))?.items ?? [],
    listPods: async (namespace, labelSelector) => (await call(`pods in ${namespace}`, () => core.listNamespacedPod({ namespace, labelSelector })))?.items ?? [],
    listEvents: async (namespace) =>
      (await call(`events in ${namespace}`, () => core.listNamespacedEvent({ namespace, fieldSelector: 'involvedObject.kind=Pod', limit: 1000 })))?.items ?? [],
    readSecretProviderClass: async (namespace, name) =>
      (await call(`SecretProviderClass ${namespace}/${name}`, () =>
        custom.getNamespacedCustomObject({ group: SECRETS_STORE_GROUP, version: SECRETS_STORE_VERSION, namespace, plural: SPC_PLURAL, name }),
      )) as SecretProviderClass | undefined,
    listPodStatuses: async (namespace) => {
      const list = (await call(`SecretProviderClassPodStatuses in ${namespace}`, () =>
        custom.listNamespacedCustomObject({ group: SECRETS_STORE_GROUP, version: SECRETS_STORE_VERSION, namespace, plural: SPCPS_PLURAL }),
      )) as { items?: SecretProviderClassPodStatus[] } | undefined;
      return list?.items ?? [];
    },
    readCustomObject: async (apiVersion, plural, namespace, name) => {
      const [group, version] = apiVersion.split('/');
      return (await call(`${plural}.${group} ${namespace}/${name}`, () => custom.getNamespacedCustomObject({ group, version, namespace, plural, name }))) as
        Record<string, unknown> | undefined;
    },
    exec: (namespace, pod, container, command) => execIn(new k8s.Exec(kc), namespace, pod, container, command),
  };
}

/** Loads the kubeconfig, selects the context, and checks that the API server answers. Throws VerifyAbort otherwise. */
export async function connectCluster(opts: ConnectOptions): Promise<ClusterReader> {
  const env = opts.env ?? process.env;
  const timeoutMs = opts.timeoutMs ?? REQUEST_TIMEOUT_MS;
  const found = resolveKubeconfig(env, opts.home ?? os.homedir(), existsSync);
  if ('problem' in found) throw new VerifyAbort(`${found.problem}. ${opts.credentialsHint}`);

  const k8s = await loadKubernetesClient();
  const kc = loadKubeconfig(k8s, found.files);
  const connection: Connection = { k8s, kc, server: selectServer(kc, opts), timeoutMs };
  const clients = apiClients(connection);
  // Reachability and credentials, once, before anything else.
  try {
    await clients.version.getCode();
  } catch (e) {
    throw new VerifyAbort(describeConnectionError(e, connection.server, timeoutMs));
  }
  return clusterReader(connection, clients);
}

async function execIn(exec: Exec, namespace: string, pod: string, container: string, command: readonly string[]): Promise<ExecResult> {
  let stdout = '';
  let stderr = '';
  const sink = (append: (s: string) => void) =>
    new Writable({
      write(chunk: Buffer, _enc, cb) {
        append(chunk.toString('utf8'));
        cb();
      },
    });
  return new Promise<ExecResult>((resolve) => {
    let settled = false;
    let socket: { close: () => void } | undefined;
    const done = (r: ExecResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket?.close();
      resolve(r);
    };
    const timer = setTimeout(() => done({ stdout, stderr, ok: false, message: `no answer within ${EXEC_TIMEOUT_MS / 1000} s` }), EXEC_TIMEOUT_MS);
    exec
      .exec(
        namespace,
        pod,
        container,
        [...command],
        sink((s) => (stdout += s)),
        sink((s) => (stderr += s)),
        null,
        false,
        (status) => {
          const ok = status.status === 'Success';
          done({ stdout, stderr, ok, ...(ok ? {} : { message: status.message ?? status.reason ?? 'command failed' }) });
        },
      )
      .then((ws) => {
        socket = ws;
        if (settled) ws.close();
      })
      .catch((e: unknown) => done({ stdout, stderr, ok: false, message: firstLine((e as Error)?.message ?? String(e)) }));
  });
}
