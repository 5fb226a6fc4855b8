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
import { EXIT_BAD_INPUT, formatProblem, resultDocument, UserError, type InputProblem } from '../lib/errors';
import { terminalJson, terminalLines, terminalText } from '../lib/text';
import { deriveEnvironment, type EnvironmentModel, type WorkloadModel } from '../lib/model';
import type { OutputsContract } from '../lib/outputs/contract';
import { defaultOutputsFile, loadOutputs } from '../lib/outputs/load';
import { ADDON_NAMESPACE, checkAddonDaemonSets, checkDriverVersion, checkRotationFlags, daemonSetsOf, driverInfo, rotationFlagsOf, type DriverInfo, type ExpectedRotation, type RotationFlags } from './addon';
import type { V1Pod } from './api-types';
import { connectCluster, ReadDenied, VerifyAbort, type ClusterReader, type ConnectOptions } from './cluster';
import { checkMountEvents } from './events';
import { exitCodeOf, fail, formatFindings, summarize, type Finding } from './findings';
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

export interface CommandIo {
  readonly stdout: (s: string) => void;
  readonly stderr: (s: string) => void;
}

export interface VerifyOptions {
  readonly env: string;
  readonly config?: string;
  readonly outputs?: string;
  readonly context?: string;
  readonly exec: boolean;
  readonly json: boolean;
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
}

interface Project {
  readonly model: EnvironmentModel;
  readonly outputs: OutputsContract;
}

/** Loads the environment and its outputs once; throws UserError on bad input. */
async function loadProject(opts: { env: string; config?: string; outputs?: string }): Promise<Project> {
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

/**
 * The streams, made safe for a terminal: names from the kubeconfig, the cluster's event messages
 * and values from user files cannot move the cursor, set a hyperlink or reorder text
 * (lib/text.ts). JSON documents are written with `terminalJson`, which this leaves unchanged.
 */
function terminalSafe(io: CommandIo): CommandIo {
  return { stdout: (s) => io.stdout(terminalLines(s)), stderr: (s) => io.stderr(terminalLines(s)) };
}

/** Prints an abort (exit 2) the way the CLI prints bad input: one line, no stack trace. */
function abort(e: unknown, opts: { json: boolean }, io: CommandIo): number {
  if (e instanceof UserError) {
    if (opts.json) io.stdout(`${terminalJson(resultDocument(EXIT_BAD_INPUT, e.problems))}\n`);
    else for (const p of e.problems) io.stderr(`error ${terminalText(formatProblem(p))}\n`);
    return EXIT_BAD_INPUT;
  }
  if (e instanceof VerifyAbort) {
    // The CLI's one error shape; the live cluster or Key Vault stands where a file would.
    if (opts.json) io.stdout(`${terminalJson(resultDocument(EXIT_BAD_INPUT, [{ file: e.source, path: '', message: e.message }]))}\n`);
    else io.stderr(`error ${terminalText(e.message)}\n`);
    return EXIT_BAD_INPUT;
  }
  throw e;
}

/** Runs one group of checks; a refused read becomes a fail finding instead of ending the run. */
async function guarded(check: string, subject: string, fn: () => Promise<Finding[]>): Promise<Finding[]> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof ReadDenied) return [fail(check, subject, e.message, 'grant your identity read access (e.g. "Azure Kubernetes Service RBAC Reader") or use a context that has it')];
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
export async function verifyCommand(opts: VerifyOptions, streams: CommandIo, deps: CommandDeps = {}): Promise<number> {
  const io = terminalSafe(streams);
  try {
    const { model, outputs } = await loadProject(opts);
    const rendered: RenderedFile[] = renderEnvironment(model, outputs);
    const cluster = await (deps.connect ?? connectCluster)(connectOptions(model, opts.context, deps));
    const now = (deps.now ?? Date.now)();
    if (!opts.json) io.stdout(`Verifying environment "${model.name}" on context "${cluster.context}" (${cluster.server})\n`);

    const findings: Finding[] = [];
    let driver: DriverInfo | undefined;
    findings.push(
      ...(await guarded('addon-daemonset', ADDON_NAMESPACE, async () => {
        const ds = await cluster.listDaemonSets(ADDON_NAMESPACE);
        driver = driverInfo(ds);
        return [...checkAddonDaemonSets(ds), ...checkDriverVersion(ds), ...checkRotationFlags(ds, expectedRotation(model), model.file)];
      })),
    );
    const rotation = { ...(driver?.model ? { model: driver.model } : {}), intervalSeconds: model.rotationIntervalSeconds };
    for (const w of model.workloads) {
      findings.push(...(await verifyWorkload(cluster, outputs, rendered, w, opts.exec, now, rotation)));
    }

    const code = exitCodeOf(findings);
    if (opts.json) {
      const driverJson = driver ? { daemonSet: driver.subject, image: driver.image ?? null, version: driver.version?.tag ?? null, rotationModel: driver.model ?? null } : null;
      io.stdout(`${terminalJson(resultDocument(code, failedProblems(findings), { environment: model.name, context: cluster.context, server: cluster.server, driver: driverJson, summary: summarize(findings), findings }))}\n`);
    } else {
      io.stdout(formatFindings(findings));
    }
    return code;
  } catch (e) {
    return abort(e, opts, io);
  }
}

async function verifyWorkload(cluster: ClusterReader, outputs: OutputsContract, rendered: readonly RenderedFile[], w: WorkloadModel, exec: boolean, now: number, rotation: RotationContext): Promise<Finding[]> {
  const ns = w.namespace;
  const out: Finding[] = [];
  const namespace = await guarded('namespace', ns, async () => [checkNamespace(ns, await cluster.readNamespace(ns))]);
  out.push(...namespace);
  if (namespace.some((f) => f.status === 'fail')) return out;

  out.push(...(await guarded('service-account', `${ns}/${w.serviceAccount}`, async () => [checkServiceAccount(w, outputs.workloads[w.name]?.clientId, await cluster.readServiceAccount(ns, w.serviceAccount))])));
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

async function listMountedFiles(cluster: ClusterReader, w: WorkloadModel, pods: readonly V1Pod[]): Promise<Finding[]> {
  const pod = pods.filter(isPodReady).sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''))[0];
  if (!pod) return [];
  const name = pod.metadata?.name ?? '';
  const target = mountTarget(pod, w.secretProviderClass);
  if (!target) return [fail('mounted-files', `${w.namespace}/${name}`, 'no container mounts the SecretProviderClass volume (without subPath): nothing to list', 'apply the rendered Deployment')];
  const r = await cluster.exec(w.namespace, name, target.container, ['ls', '-1A', target.mountPath]);
  if (!r.ok) {
    return [
      {
        status: 'warn',
        check: 'mounted-files',
        subject: `${w.namespace}/${name}:${target.mountPath}`,
        message: `could not list the mount (${r.message ?? 'exec failed'}${r.stderr ? `: ${r.stderr.trim().slice(0, 120)}` : ''})`,
        fix: 'the image may have no "ls" (distroless) or exec is not allowed (pods/exec): the SecretProviderClassPodStatus check above still applies',
      },
    ];
  }
  return [checkMountedFiles(w, name, parseLsOutput(r.stdout))];
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** `rotation-test <env> --workload W --object O`: writes a new secret version and measures how long the pods take to mount it. */
export async function rotationTestCommand(opts: RotationTestOptions, streams: CommandIo, deps: CommandDeps = {}): Promise<number> {
  const io = terminalSafe(streams);
  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? defaultSleep;
  const progress = (s: string) => {
    if (!opts.json) io.stdout(`${s}\n`);
  };
  let written: { name: string; version: string } | undefined;
  try {
    const { model, outputs } = await loadProject(opts);
    const { workload: w, object } = resolveRotationTarget(model, opts.workload, opts.object);
    if (opts.timeoutSeconds !== undefined && !(opts.timeoutSeconds > 0)) throw UserError.of('command line', '--timeout', 'use a positive number of seconds', opts.timeoutSeconds);
    const cluster = await (deps.connect ?? connectCluster)(connectOptions(model, opts.context, deps));
    progress(`Rotation test of secret "${object.name}" (file ${object.fileName}) for workload ${w.namespace}/${w.name} on context "${cluster.context}"`);

    // Preflight: read-only. Nothing is written unless rotation can possibly be observed.
    const findings: Finding[] = [];
    const daemonSets = await cluster.listDaemonSets(ADDON_NAMESPACE).catch((e: unknown) => {
      if (e instanceof ReadDenied) return undefined;
      throw e;
    });
    let flags: RotationFlags | undefined;
    const driverModel = daemonSets ? driverInfo(daemonSets)?.model : undefined;
    if (daemonSets) {
      findings.push(...checkDriverVersion(daemonSets), ...checkRotationFlags(daemonSets, expectedRotation(model), model.file));
      const driver = daemonSetsOf(daemonSets, 'driver')[0];
      const f = driver ? rotationFlagsOf(driver) : undefined;
      flags = f && !('error' in f) ? f : undefined;
      if (!driver) findings.push(...checkAddonDaemonSets(daemonSets).filter((x) => x.status === 'fail'));
    }
    if (flags && !flags.enabled) return report(opts, io, findings, { written: false });
    if (daemonSets && !daemonSetsOf(daemonSets, 'driver').length) return report(opts, io, findings, { written: false });

    const deployment = await cluster.readDeployment(w.namespace, w.deployment);
    const selector = labelSelectorOf(deployment);
    const readyPods = async () => (selector ? podsOf(deployment, await cluster.listPods(w.namespace, selector)).filter(isPodReady) : []);
    const pods = await readyPods();
    if (pods.length === 0) {
      findings.push(fail('rotation', `${w.namespace}/${w.deployment}`, 'no ready pods to observe: nothing was written', 'run "verify" and fix what it reports first'));
      return report(opts, io, findings, { written: false });
    }
    const podNames = pods.map((p) => p.metadata?.name ?? '').sort();
    let observations: PodObservation[] = baselineObservations(podNames, await cluster.listPodStatuses(w.namespace), w.secretProviderClass, object);
    const unmounted = observations.filter((o) => o.before === undefined);
    if (unmounted.length > 0) {
      findings.push(
        fail(
          'rotation',
          `${w.namespace}/${unmounted.map((o) => o.pod).join(', ')}`,
          `no mounted version of secret/${object.name} recorded in SecretProviderClassPodStatus: nothing was written`,
          'run "verify" and fix the mounted-objects findings first',
        ),
      );
      return report(opts, io, findings, { written: false });
    }

    // With --exec, one pod's file is hashed inside the pod (the content never leaves it).
    let hash: HashObservation | undefined;
    let hashTarget: { pod: string; container: string; file: string } | undefined;
    if (opts.exec) {
      const pod = pods.find((p) => p.metadata?.name === podNames[0])!;
      const target = mountTarget(pod, w.secretProviderClass);
      if (!target) hash = { pod: podNames[0]!, error: 'no container mounts the volume without subPath' };
      else if ((object.config.versionHistory ?? 1) > 1) hash = { pod: podNames[0]!, error: 'the object mounts a version-history folder, not one file' };
      else {
        hashTarget = { pod: podNames[0]!, container: target.container, file: path.posix.join(target.mountPath, object.fileName) };
        const r = await cluster.exec(w.namespace, hashTarget.pod, hashTarget.container, ['sha256sum', hashTarget.file]);
        const before = r.ok ? parseSha256sum(r.stdout) : undefined;
        hash = before ? { pod: hashTarget.pod, before } : { pod: hashTarget.pod, error: r.message ?? 'sha256sum printed no digest' };
        if (!before) hashTarget = undefined;
      }
    }

    // Credentials before the write: missing credentials abort with exit 2, nothing written.
    const vault = await (deps.openVault ?? openVault)({
      vaultUri: outputs.keyVault.uri,
      vaultName: outputs.keyVault.name,
      tenantId: outputs.tenantId,
      cloudName: outputs.cloudName,
      ...(deps.credential ? { credential: deps.credential } : {}),
    });
    const intervalSeconds = Math.max(model.rotationIntervalSeconds, flags?.intervalSeconds ?? 0);
    const timeoutSeconds = rotationTimeoutSeconds(intervalSeconds, opts.timeoutSeconds, driverModel);
    const props = await vault.writeRandomVersion(object.name);
    const newVersion = newVersionOf(props);
    written = { name: object.name, version: newVersion };
    const startedAt = now();
    progress(`Wrote version ${newVersion} of "${object.name}" (32 random bytes, not shown). Waiting up to ${timeoutSeconds} s for ${podNames.length} pod(s)...`);

    const poll = pollEverySeconds(intervalSeconds) * 1000;
    let done = false;
    while (!done) {
      await sleep(poll);
      const elapsed = now() - startedAt;
      const live = (await readyPods()).map((p) => p.metadata?.name ?? '');
      observations = updateObservations(observations, {
        statuses: await cluster.listPodStatuses(w.namespace),
        livePods: live,
        spcName: w.secretProviderClass,
        object,
        newVersion,
        elapsedMs: elapsed,
      });
      if (hash && hashTarget && hash.latencyMs === undefined && hash.error === undefined) {
        if (!live.includes(hashTarget.pod)) hash = { ...hash, error: 'the pod went away during the test' };
        else {
          const r = await cluster.exec(w.namespace, hashTarget.pod, hashTarget.container, ['sha256sum', hashTarget.file]);
          hash = updateHash(hash, r.ok ? parseSha256sum(r.stdout) : undefined, elapsed);
        }
      }
      done = rotationComplete(observations, hash);
      if (!done && elapsed >= timeoutSeconds * 1000) break;
    }

    if (done) {
      findings.push(
        ...evaluateRotation({
          namespace: w.namespace,
          observations,
          ...(hash ? { hash } : {}),
          intervalSeconds: flags?.intervalSeconds ?? model.rotationIntervalSeconds,
          fileName: object.fileName,
          ...(driverModel ? { model: driverModel } : {}),
        }),
      );
    } else {
      const livePods = await readyPods();
      const events = await cluster.listEvents(w.namespace).catch(() => []);
      const eventFindings = checkMountEvents(events, {
        namespace: w.namespace,
        deployment: w.deployment,
        pods: livePods,
        now: now(),
        since: startedAt,
        context: { expectedSubject: w.subject, expectedIssuer: outputs.oidcIssuerUrl, vaultName: outputs.keyVault.name },
        ...(driverModel ? { model: driverModel } : {}),
      });
      findings.push(
        ...diagnoseRotationTimeout({
          namespace: w.namespace,
          timeoutSeconds,
          expectedIntervalSeconds: model.rotationIntervalSeconds,
          flags,
          observations,
          ...(hash ? { hash } : {}),
          secret: props,
          eventFindings,
          fileName: object.fileName,
          nowMs: now(),
          ...(driverModel ? { model: driverModel } : {}),
        }),
      );
    }
    progress(`Note: "${object.name}" now holds a random test value (version ${newVersion}); write the real value back if the application needs it.`);
    return report(opts, io, findings, {
      written: true,
      newVersion,
      timeoutSeconds,
      observations: observations.map((o) => ({ pod: o.pod, before: o.before, current: o.current, state: o.state, gone: o.gone === true, latencySeconds: o.latencyMs === undefined ? null : o.latencyMs / 1000 })),
    });
  } catch (e) {
    if (written && (e instanceof VerifyAbort || e instanceof UserError)) {
      io.stderr(`note: version ${written.version} of "${written.name}" was written before the run stopped; it holds a random test value\n`);
    }
    return abort(e, opts, io);
  }
}

function report(opts: { json: boolean }, io: CommandIo, findings: readonly Finding[], rotation: Record<string, unknown>): number {
  const code = exitCodeOf(findings);
  if (opts.json) io.stdout(`${terminalJson(resultDocument(code, failedProblems(findings), { rotation, summary: summarize(findings), findings }))}\n`);
  else io.stdout(formatFindings(findings));
  return code;
}

/** Failed checks in the CLI's one error shape: the live object stands where a file would. */
function failedProblems(findings: readonly Finding[]): InputProblem[] {
  return findings.filter((f) => f.status === 'fail').map((f) => ({ file: f.subject, path: f.check, message: f.fix === undefined ? f.message : `${f.message}; fix: ${f.fix}` }));
}
