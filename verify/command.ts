/**
 * `verify <env>` and `rotation-test <env>`: the IO around the pure checks. Each command loads
 * the environment, outputs (and for verify the rendered manifests) once, connects to the
 * cluster read-only, fetches plain API objects, hands them to the pure checks, prints findings
 * and returns the exit code: 0 all pass, 1 failures, 2 bad input / cluster unreachable /
 * missing credentials. Nothing here prints a stack trace for a user error.
 *
 * This module is itself loaded lazily by the CLI, so its static imports (cdk8s through the
 * chart) cost nothing for `--help`; the Kubernetes and Azure clients load only when used.
 *
 * The rotation test is the only writer: one new version of one secret, value from
 * `crypto.randomBytes`, never printed or logged.
 */
import * as path from 'node:path';
import { renderEnvironment } from '../charts/render';
import { loadEnvironment } from '../lib/config/load';
import type { Reporter } from '../cli/output';
import { EXIT_BAD_INPUT, UserError } from '../lib/errors';
import { exitCodeOf, findingProblems, formatSummary, printFindings, summarize } from '../lib/finding';
import { deriveEnvironment, type EnvironmentModel, type MountedObject, type WorkloadModel } from '../lib/model';
import type { OutputsContract } from '../lib/outputs/contract';
import { defaultOutputsFile, loadOutputs } from '../lib/outputs/load';
import type { RotationModel } from '../lib/csi-driver';
import {
  ADDON_NAMESPACE,
  checkAddonDaemonSets,
  checkDriverVersion,
  checkRotationFlags,
  daemonSetsOf,
  driverInfo,
  rotationFlagsOf,
  type DriverInfo,
  type ExpectedRotation,
  type RotationFlags,
} from './addon';
import type { SecretProperties, V1Pod } from './api-types';
import { connectCluster, ReadDenied, VerifyAbort, type ClusterReader, type ConnectOptions } from './cluster';
import { checkMountEvents } from './events';
import { fail, warn, type FailingRule, type Finding, type Outcome } from './findings';
import { openVault, type OpenVaultOptions, type SecretWriter } from './keyvault';
import {
  baselineObservations,
  diagnoseRotationTimeout,
  evaluateRotation,
  newVersionOf,
  parseSha256sum,
  pollEverySeconds,
  resolveRotationTarget,
  rotationComplete,
  rotationTimeoutSeconds,
  updateHash,
  updateObservations,
  type HashObservation,
  type PodObservation,
} from './rotation';
import { checkReloader } from './reloader';
import { checkPodMonitor, checkScrapeTargets, expectedPodMonitors, labelSelector, queryUp, type UpSample } from './monitoring';
import { checkSecretProviderClass, findRendered } from './spc-drift';
import type { RenderedFile, SecretProviderClass } from './types';
import {
  checkDeployment,
  checkMountedFiles,
  checkNamespace,
  checkPods,
  checkPodStatuses,
  checkServiceAccount,
  isPodReady,
  labelSelectorOf,
  mountTarget,
  parseLsOutput,
  podsOf,
  type RotationContext,
} from './workload';

/**
 * What the commands print through: the CLI's Reporter (cli/output.ts). It makes every line safe
 * for a terminal (names from the kubeconfig, the cluster's event messages and values from user
 * files cannot move the cursor, set a hyperlink or reorder text), prints nothing but one JSON
 * document with --json, and only warnings and errors with --quiet.
 */
export type CommandOutput = Pick<Reporter, 'json' | 'line' | 'error' | 'warn' | 'green' | 'emit' | 'problems'>;

export interface VerifyOptions {
  readonly env: string;
  readonly config?: string;
  readonly outputs?: string;
  readonly context?: string;
  readonly exec: boolean;
  /** Prometheus's HTTP API (`http://localhost:9090`): verify asks it whether the PodMonitors' targets are up. */
  readonly prometheusUrl?: string;
}

export interface RotationTestOptions extends VerifyOptions {
  readonly workload: string;
  readonly object: string;
  readonly timeoutSeconds?: number;
}

/** Seams for tests; the CLI passes none. */
export interface CommandDeps {
  readonly connect?: (opts: ConnectOptions) => Promise<ClusterReader>;
  readonly openVault?: (opts: OpenVaultOptions) => Promise<SecretWriter>;
  /** Passed to openVault (a test's credential instead of DefaultAzureCredential). */
  readonly credential?: OpenVaultOptions['credential'];
  readonly env?: NodeJS.ProcessEnv;
  readonly home?: string;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Overrides the per-request timeout when connecting. */
  readonly timeoutMs?: number;
  /** Runs an instant PromQL query (a test's fake instead of an HTTP GET of /api/v1/query). */
  readonly queryPrometheus?: (url: string, query: string) => Promise<UpSample[]>;
}

interface Project {
  readonly model: EnvironmentModel;
  readonly outputs: OutputsContract;
}

/** Loads the environment and its outputs once; throws UserError on bad input. */
function loadProject(opts: { env: string; config?: string; outputs?: string }): Project {
  const file = opts.config ?? path.posix.join('environments', `${opts.env}.yaml`);
  const loaded = loadEnvironment(file);
  if (loaded.name !== opts.env) {
    throw UserError.of(file, '', `this file is environment "${loaded.name}" (its file name), not "${opts.env}": pass the matching name`);
  }
  const model = deriveEnvironment(loaded.name, loaded.file, loaded.config);
  const outputs = loadOutputs(opts.outputs ?? defaultOutputsFile(model.name), model);
  return { model, outputs };
}

/** The `az aks get-credentials` command for this environment's cluster. */
function credentialsHint(model: EnvironmentModel): string {
  const c = model.config.cluster;
  const rg = (c.mode === 'existing' ? c.resourceGroup : undefined) ?? model.config.azure.resourceGroup.name;
  return `Fetch credentials with "az aks get-credentials -g ${rg} -n ${c.name}" (add --context to choose among several clusters).`;
}

function expectedRotation(model: EnvironmentModel): ExpectedRotation {
  const r = model.config.cluster.secretsProvider.rotation;
  return { enabled: r.enabled, interval: r.interval, intervalSeconds: model.rotationIntervalSeconds };
}

/** Prints an abort (exit 2) the way the CLI prints bad input: one line, no stack trace. */
function abort(e: unknown, out: CommandOutput): number {
  if (e instanceof UserError) {
    out.problems(e.problems);
    return EXIT_BAD_INPUT;
  }
  if (e instanceof VerifyAbort) {
    // The CLI's one error shape; the live cluster or Key Vault stands where a file would.
    if (out.json) out.emit({ exitCode: EXIT_BAD_INPUT, problems: [{ file: e.source, path: '', message: e.message }] });
    else out.error(e.message);
    return EXIT_BAD_INPUT;
  }
  throw e;
}

/** Prints the outcomes (passes, then the summary, on stdout; errors and warnings on stderr) or the JSON document, and returns the exit code. */
function report(out: CommandOutput, outcomes: readonly Outcome[], fields: Readonly<Record<string, unknown>>): number {
  const exitCode = exitCodeOf(outcomes);
  printFindings(out, outcomes);
  out.line(formatSummary(outcomes));
  out.emit({ exitCode, problems: findingProblems(outcomes), ...fields, summary: summarize(outcomes), findings: outcomes });
  return exitCode;
}

/** Runs one group of checks; a refused read becomes a fail finding instead of ending the run. */
async function guarded(check: FailingRule, subject: string, fn: () => Promise<Outcome[]>): Promise<Outcome[]> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof ReadDenied)
      return [fail(check, subject, e.message, 'grant your identity read access (e.g. "Azure Kubernetes Service RBAC Reader") or use a context that has it')];
    throw e;
  }
}

function connectOptions(model: EnvironmentModel, context: string | undefined, deps: CommandDeps): ConnectOptions {
  return {
    credentialsHint: credentialsHint(model),
    ...(context !== undefined ? { context } : {}),
    ...(deps.env ? { env: deps.env } : {}),
    ...(deps.home ? { home: deps.home } : {}),
    ...(deps.timeoutMs ? { timeoutMs: deps.timeoutMs } : {}),
  };
}

/** `verify <env>`: read-only checks of the live cluster against the environment. */
export async function verifyCommand(opts: VerifyOptions, out: CommandOutput, deps: CommandDeps = {}): Promise<number> {
  try {
    const { model, outputs } = loadProject(opts);
    const rendered: RenderedFile[] = renderEnvironment(model, outputs);
    const cluster = await (deps.connect ?? connectCluster)(connectOptions(model, opts.context, deps));
    const now = (deps.now ?? Date.now)();
    out.line(`Verifying environment "${model.name}" on context "${cluster.context}" (${cluster.server})`);

    const findings: Outcome[] = [];
    let driver: DriverInfo | undefined;
    findings.push(
      ...(await guarded('addon-daemonset', ADDON_NAMESPACE, async () => {
        const ds = await cluster.listDaemonSets(ADDON_NAMESPACE);
        driver = driverInfo(ds);
        return [...checkAddonDaemonSets(ds), ...checkDriverVersion(ds), ...checkRotationFlags(ds, expectedRotation(model), model.file)];
      })),
    );
    const relying = model.workloads.filter((w) => w.restartOnRotation).map((w) => `${w.namespace}/${w.deployment}`);
    if (relying.length > 0) {
      findings.push(...(await guarded('reloader', 'cluster', async () => checkReloader(await cluster.listDeployments(), relying))));
    }
    findings.push(...(await verifyMonitoring(rendered, cluster, opts.prometheusUrl, deps.queryPrometheus ?? queryUp)));
    const rotation = { ...(driver?.model ? { model: driver.model } : {}), intervalSeconds: model.rotationIntervalSeconds };
    for (const w of model.workloads) {
      findings.push(...(await verifyWorkload(w, { cluster, outputs, rendered, exec: opts.exec, now, rotation })));
    }

    const driverJson = driver
      ? { daemonSet: driver.subject, image: driver.image ?? null, version: driver.version?.tag ?? null, rotationModel: driver.model ?? null }
      : null;
    return report(out, findings, { environment: model.name, context: cluster.context, server: cluster.server, driver: driverJson });
  } catch (e) {
    return abort(e, out);
  }
}

/** `monitoring`: the PodMonitors exist and select scrapeable add-on pods; with a Prometheus URL, their targets are up. */
async function verifyMonitoring(
  rendered: readonly RenderedFile[],
  cluster: ClusterReader,
  prometheusUrl: string | undefined,
  query: (url: string, query: string) => Promise<UpSample[]>,
): Promise<Outcome[]> {
  const out: Outcome[] = [];
  for (const m of expectedPodMonitors(rendered)) {
    const where = `${m.namespace}/${m.name}`;
    out.push(
      ...(await guarded('pod-monitor', where, async () => {
        const live = await cluster.readCustomObject(m.apiVersion, 'podmonitors', m.namespace, m.name);
        const pods = await cluster.listPods(m.namespace, labelSelector(m.selector));
        const found = checkPodMonitor(m, live, pods);
        if (prometheusUrl === undefined) return found;
        try {
          return [...found, ...checkScrapeTargets(m, pods, await query(prometheusUrl, `up{job="${m.job}"}`), prometheusUrl)];
        } catch (e) {
          return [
            ...found,
            fail(
              'scrape-targets',
              where,
              `querying Prometheus at ${prometheusUrl} failed: ${e instanceof Error ? e.message : String(e)}`,
              'check --prometheus-url (the Prometheus HTTP API, e.g. a port-forward to http://localhost:9090)',
            ),
          ];
        }
      })),
    );
  }
  return out;
}

/** What every workload's checks read: the cluster, the outputs, the rendered files, --exec, the clock and the driver's rotation model. */
interface WorkloadChecks {
  readonly cluster: ClusterReader;
  readonly outputs: OutputsContract;
  readonly rendered: readonly RenderedFile[];
  readonly exec: boolean;
  readonly now: number;
  readonly rotation: RotationContext;
}

async function verifyWorkload(w: WorkloadModel, { cluster, outputs, rendered, exec, now, rotation }: WorkloadChecks): Promise<Outcome[]> {
  const ns = w.namespace;
  const out: Outcome[] = [];
  const namespace = await guarded('namespace', ns, async () => [checkNamespace(ns, await cluster.readNamespace(ns))]);
  out.push(...namespace);
  if (namespace.some((f) => f.severity === 'error')) return out;

  out.push(
    ...(await guarded('service-account', `${ns}/${w.serviceAccount}`, async () => [
      checkServiceAccount(w, outputs.workloads[w.name]?.clientId, await cluster.readServiceAccount(ns, w.serviceAccount)),
    ])),
  );
  out.push(
    ...(await guarded('spc', `${ns}/${w.secretProviderClass}`, async () =>
      checkSecretProviderClass({
        namespace: ns,
        name: w.secretProviderClass,
        live: await cluster.readSecretProviderClass(ns, w.secretProviderClass),
        rendered: findRendered<SecretProviderClass>(rendered, 'SecretProviderClass', ns, w.secretProviderClass),
      }),
    )),
  );
  out.push(
    ...(await guarded('deployment', `${ns}/${w.deployment}`, async () => {
      const d = await cluster.readDeployment(ns, w.deployment);
      const found = checkDeployment(w, d);
      const selector = labelSelectorOf(d);
      if (!d || !selector) return found;
      const pods = podsOf(d, await cluster.listPods(ns, selector));
      found.push(...checkPods(w, d.spec?.replicas ?? 1, pods));
      found.push(...checkPodStatuses(w, pods, await cluster.listPodStatuses(ns), rotation));
      found.push(
        ...checkMountEvents(await cluster.listEvents(ns), {
          namespace: ns,
          deployment: w.deployment,
          pods,
          now,
          context: { expectedSubject: w.subject, expectedIssuer: outputs.oidcIssuerUrl, vaultName: outputs.keyVault.name },
          ...(rotation.model ? { model: rotation.model } : {}),
        }),
      );
      if (exec) found.push(...(await listMountedFiles(cluster, w, pods)));
      return found;
    })),
  );
  return out;
}

async function listMountedFiles(cluster: ClusterReader, w: WorkloadModel, pods: readonly V1Pod[]): Promise<Outcome[]> {
  const pod = pods.filter(isPodReady).sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''))[0];
  if (!pod) return [];
  const name = pod.metadata?.name ?? '';
  const target = mountTarget(pod, w.secretProviderClass);
  if (!target)
    return [
      fail(
        'mounted-files',
        `${w.namespace}/${name}`,
        'no container mounts the SecretProviderClass volume (without subPath): nothing to list',
        'apply the rendered Deployment',
      ),
    ];
  const r = await cluster.exec(w.namespace, name, target.container, ['ls', '-1A', target.mountPath]);
  if (!r.ok) {
    return [
      warn(
        'mounted-files',
        `${w.namespace}/${name}:${target.mountPath}`,
        `could not list the mount (${r.message ?? 'exec failed'}${r.stderr ? `: ${r.stderr.trim().slice(0, 120)}` : ''})`,
        'the image may have no "ls" (distroless) or exec is not allowed (pods/exec): the SecretProviderClassPodStatus check above still applies',
      ),
    ];
  }
  return [checkMountedFiles(w, name, parseLsOutput(r.stdout))];
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** What every step of one rotation test reads: the options, the project, the target, the cluster and the clock. */
interface RotationRun {
  readonly opts: RotationTestOptions;
  readonly model: EnvironmentModel;
  readonly outputs: OutputsContract;
  readonly w: WorkloadModel;
  readonly object: MountedObject;
  readonly cluster: ClusterReader;
  readonly now: () => number;
}

/** The driver as the test needs it: its rotation flags and model, the findings about it, and whether rotation can be observed at all. */
interface DriverPreflight {
  readonly findings: readonly Outcome[];
  readonly flags?: RotationFlags;
  readonly driverModel?: RotationModel;
  /** Rotation cannot be observed (rotation off on the driver, or no driver): nothing is written. */
  readonly stop: boolean;
}

/** Preflight, read-only: the driver's version and rotation flags (a refused read skips it). */
async function driverPreflight(run: RotationRun): Promise<DriverPreflight> {
  const daemonSets = await run.cluster.listDaemonSets(ADDON_NAMESPACE).catch((e: unknown) => {
    if (e instanceof ReadDenied) return undefined;
    throw e;
  });
  if (!daemonSets) return { findings: [], stop: false };
  const driverModel = driverInfo(daemonSets)?.model;
  const findings = [...checkDriverVersion(daemonSets), ...checkRotationFlags(daemonSets, expectedRotation(run.model), run.model.file)];
  const driver = daemonSetsOf(daemonSets, 'driver')[0];
  const f = driver ? rotationFlagsOf(driver) : undefined;
  const flags = f && !('error' in f) ? f : undefined;
  if (!driver) findings.push(...checkAddonDaemonSets(daemonSets).filter((x) => x.severity === 'error'));
  return { findings, ...(flags ? { flags } : {}), ...(driverModel ? { driverModel } : {}), stop: (flags !== undefined && !flags.enabled) || !driver };
}

/** The Deployment's ready pods, read again at every call (the Deployment itself is read once). */
async function readyPodsOf(run: RotationRun): Promise<() => Promise<V1Pod[]>> {
  const deployment = await run.cluster.readDeployment(run.w.namespace, run.w.deployment);
  const selector = labelSelectorOf(deployment);
  return async () => (selector ? podsOf(deployment, await run.cluster.listPods(run.w.namespace, selector)).filter(isPodReady) : []);
}

/** The pods to watch and the version each mounts now; a failure when there is nothing to observe (nothing is written then). */
async function baseline(
  run: RotationRun,
  pods: readonly V1Pod[],
): Promise<{ readonly podNames: string[]; readonly observations: PodObservation[] } | { readonly problem: Finding }> {
  const { w, object } = run;
  if (pods.length === 0) {
    return {
      problem: fail(
        'rotation',
        `${w.namespace}/${w.deployment}`,
        'no ready pods to observe: nothing was written',
        'run "verify" and fix what it reports first',
      ),
    };
  }
  const podNames = pods.map((p) => p.metadata?.name ?? '').sort();
  const observations = baselineObservations(podNames, await run.cluster.listPodStatuses(w.namespace), w.secretProviderClass, object);
  const unmounted = observations.filter((o) => o.before === undefined);
  if (unmounted.length > 0) {
    return {
      problem: fail(
        'rotation',
        `${w.namespace}/${unmounted.map((o) => o.pod).join(', ')}`,
        `no mounted version of secret/${object.name} recorded in SecretProviderClassPodStatus: nothing was written`,
        'run "verify" and fix the mounted-objects findings first',
      ),
    };
  }
  return { podNames, observations };
}

/** Where `--exec` hashes the mounted file: one pod's container and the file's path in it. */
interface HashTarget {
  readonly pod: string;
  readonly container: string;
  readonly file: string;
}

/** The SHA-256 of the mounted file, computed in the container (the content never leaves it); without one, why. */
async function hashIn(run: RotationRun, target: HashTarget): Promise<{ readonly digest?: string; readonly message?: string }> {
  const r = await run.cluster.exec(run.w.namespace, target.pod, target.container, ['sha256sum', target.file]);
  const digest = r.ok ? parseSha256sum(r.stdout) : undefined;
  return digest ? { digest } : { ...(r.message !== undefined ? { message: r.message } : {}) };
}

/** With --exec, one pod's file is hashed inside the pod (the content never leaves it): the hash before the write, and where to take it again. */
async function hashBaseline(run: RotationRun, pod: V1Pod, podName: string): Promise<{ readonly hash?: HashObservation; readonly target?: HashTarget }> {
  if (!run.opts.exec) return {};
  const mount = mountTarget(pod, run.w.secretProviderClass);
  if (!mount) return { hash: { pod: podName, error: 'no container mounts the volume without subPath' } };
  if ((run.object.config.versionHistory ?? 1) > 1) return { hash: { pod: podName, error: 'the object mounts a version-history folder, not one file' } };
  const target: HashTarget = { pod: podName, container: mount.container, file: path.posix.join(mount.mountPath, run.object.fileName) };
  const { digest, message } = await hashIn(run, target);
  return digest ? { hash: { pod: target.pod, before: digest }, target } : { hash: { pod: target.pod, error: message ?? 'sha256sum printed no digest' } };
}

/** What the polls have seen so far. */
interface Watch {
  readonly observations: PodObservation[];
  readonly hash?: HashObservation;
  readonly done: boolean;
}

/** One poll: every tracked pod's mounted version, and the file's hash while it has not changed. */
async function pollOnce(
  run: RotationRun,
  watch: Watch,
  poll: { readonly readyPods: () => Promise<V1Pod[]>; readonly newVersion: string; readonly elapsed: number; readonly hashTarget?: HashTarget },
): Promise<Watch> {
  const { w, cluster } = run;
  const live = (await poll.readyPods()).map((p) => p.metadata?.name ?? '');
  const observations = updateObservations(watch.observations, {
    statuses: await cluster.listPodStatuses(w.namespace),
    livePods: live,
    spcName: w.secretProviderClass,
    object: run.object,
    newVersion: poll.newVersion,
    elapsedMs: poll.elapsed,
  });
  let hash = watch.hash;
  if (hash && poll.hashTarget && hash.latencyMs === undefined && hash.error === undefined) {
    if (!live.includes(poll.hashTarget.pod)) hash = { ...hash, error: 'the pod went away during the test' };
    else hash = updateHash(hash, (await hashIn(run, poll.hashTarget)).digest, poll.elapsed);
  }
  return { observations, ...(hash ? { hash } : {}), done: rotationComplete(observations, hash) };
}

/** The new version as written, and the wait for it. */
interface Written {
  readonly props: SecretProperties;
  readonly newVersion: string;
  readonly startedAt: number;
  readonly intervalSeconds: number;
  readonly timeoutSeconds: number;
}

/** Polls until every tracked pod mounts the new version (and the file hash changed), or the timeout passes. */
async function watchRotation(
  run: RotationRun,
  start: Watch,
  opts: {
    readonly written: Written;
    readonly readyPods: () => Promise<V1Pod[]>;
    readonly hashTarget?: HashTarget;
    readonly sleep: (ms: number) => Promise<void>;
  },
): Promise<Watch> {
  const { written } = opts;
  const poll = pollEverySeconds(written.intervalSeconds) * 1000;
  let watch = start;
  while (!watch.done) {
    await opts.sleep(poll);
    const elapsed = run.now() - written.startedAt;
    watch = await pollOnce(run, watch, {
      readyPods: opts.readyPods,
      newVersion: written.newVersion,
      elapsed,
      ...(opts.hashTarget ? { hashTarget: opts.hashTarget } : {}),
    });
    if (!watch.done && elapsed >= written.timeoutSeconds * 1000) break;
  }
  return watch;
}

/** After the wait: the latency per pod, or why the new version did not show up (with the mount events since the write). */
async function rotationOutcome(
  run: RotationRun,
  watch: Watch,
  context: { readonly written: Written; readonly driver: DriverPreflight; readonly readyPods: () => Promise<V1Pod[]> },
): Promise<Outcome[]> {
  const { w, object, model, outputs } = run;
  const { written, driver } = context;
  const driverModel = driver.driverModel;
  if (watch.done) {
    return evaluateRotation({
      namespace: w.namespace,
      observations: watch.observations,
      ...(watch.hash ? { hash: watch.hash } : {}),
      intervalSeconds: driver.flags?.intervalSeconds ?? model.rotationIntervalSeconds,
      fileName: object.fileName,
      ...(driverModel ? { model: driverModel } : {}),
    });
  }
  const livePods = await context.readyPods();
  const events = await run.cluster.listEvents(w.namespace).catch(() => []);
  const eventFindings = checkMountEvents(events, {
    namespace: w.namespace,
    deployment: w.deployment,
    pods: livePods,
    now: run.now(),
    since: written.startedAt,
    context: { expectedSubject: w.subject, expectedIssuer: outputs.oidcIssuerUrl, vaultName: outputs.keyVault.name },
    ...(driverModel ? { model: driverModel } : {}),
  });
  return diagnoseRotationTimeout({
    namespace: w.namespace,
    timeoutSeconds: written.timeoutSeconds,
    expectedIntervalSeconds: model.rotationIntervalSeconds,
    flags: driver.flags,
    observations: watch.observations,
    ...(watch.hash ? { hash: watch.hash } : {}),
    secret: written.props,
    eventFindings,
    fileName: object.fileName,
    nowMs: run.now(),
    ...(driverModel ? { model: driverModel } : {}),
  });
}

/** Credentials before the write (missing credentials abort with exit 2, nothing written), then the write: a new version with a random value. */
async function writeNewVersion(run: RotationRun, driver: DriverPreflight, deps: CommandDeps): Promise<Written> {
  const { outputs, model } = run;
  const vault = await (deps.openVault ?? openVault)({
    vaultUri: outputs.keyVault.uri,
    vaultName: outputs.keyVault.name,
    tenantId: outputs.tenantId,
    cloudName: outputs.cloudName,
    ...(deps.credential ? { credential: deps.credential } : {}),
  });
  const intervalSeconds = Math.max(model.rotationIntervalSeconds, driver.flags?.intervalSeconds ?? 0);
  const timeoutSeconds = rotationTimeoutSeconds(intervalSeconds, run.opts.timeoutSeconds, driver.driverModel);
  const props = await vault.writeRandomVersion(run.object.name);
  const newVersion = newVersionOf(props);
  return { props, newVersion, startedAt: run.now(), intervalSeconds, timeoutSeconds };
}

/** Loads the project, resolves the workload and object, and connects; throws UserError or VerifyAbort (exit 2). */
async function startRotationRun(opts: RotationTestOptions, deps: CommandDeps): Promise<RotationRun> {
  const { model, outputs } = loadProject(opts);
  const { workload: w, object } = resolveRotationTarget(model, opts.workload, opts.object);
  if (opts.timeoutSeconds !== undefined && !(opts.timeoutSeconds > 0))
    throw UserError.of('command line', '--timeout', 'use a positive number of seconds', opts.timeoutSeconds);
  const cluster = await (deps.connect ?? connectCluster)(connectOptions(model, opts.context, deps));
  return { opts, model, outputs, w, object, cluster, now: deps.now ?? Date.now };
}

/** `rotation-test <env> --workload W --object O`: writes a new secret version and measures how long the pods take to mount it. */
export async function rotationTestCommand(opts: RotationTestOptions, out: CommandOutput, deps: CommandDeps = {}): Promise<number> {
  const progress = (s: string) => out.line(s);
  let written: { name: string; version: string } | undefined;
  try {
    const run = await startRotationRun(opts, deps);
    const { w, object } = run;
    progress(`Rotation test of secret "${object.name}" (file ${object.fileName}) for workload ${w.namespace}/${w.name} on context "${run.cluster.context}"`);

    // Preflight: read-only. Nothing is written unless rotation can possibly be observed.
    const driver = await driverPreflight(run);
    const findings: Outcome[] = [...driver.findings];
    if (driver.stop) return report(out, findings, { rotation: { written: false } });
    const readyPods = await readyPodsOf(run);
    const pods = await readyPods();
    const start = await baseline(run, pods);
    if ('problem' in start) return report(out, [...findings, start.problem], { rotation: { written: false } });
    const { hash, target: hashTarget } = await hashBaseline(
      run,
      pods.find((p) => p.metadata?.name === start.podNames[0])!,
      start.podNames[0],
    );

    const version = await writeNewVersion(run, driver, deps);
    written = { name: object.name, version: version.newVersion };
    progress(
      `Wrote version ${version.newVersion} of "${object.name}" (32 random bytes, not shown). Waiting up to ${version.timeoutSeconds} s for ${start.podNames.length} pod(s)...`,
    );

    const watch = await watchRotation(
      run,
      { observations: start.observations, ...(hash ? { hash } : {}), done: false },
      { written: version, readyPods, ...(hashTarget ? { hashTarget } : {}), sleep: deps.sleep ?? defaultSleep },
    );
    findings.push(...(await rotationOutcome(run, watch, { written: version, driver, readyPods })));
    progress(`Note: "${object.name}" now holds a random test value (version ${version.newVersion}); write the real value back if the application needs it.`);
    return report(out, findings, {
      rotation: {
        written: true,
        newVersion: version.newVersion,
        timeoutSeconds: version.timeoutSeconds,
        observations: watch.observations.map((o) => ({
          pod: o.pod,
          before: o.before,
          current: o.current,
          state: o.state,
          gone: o.gone === true,
          latencySeconds: o.latencyMs === undefined ? null : o.latencyMs / 1000,
        })),
      },
    });
  } catch (e) {
    if (written && (e instanceof VerifyAbort || e instanceof UserError)) {
      out.warn(`version ${written.version} of "${written.name}" was written before the run stopped; it holds a random test value`);
    }
    return abort(e, out);
  }
}
