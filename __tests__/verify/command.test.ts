/**
 * The commands as a user sees them: exit codes and messages. The cluster is either a real
 * kubeconfig pointing at nothing (127.0.0.1:1), no kubeconfig at all, or an in-memory fake that
 * serves the fixtures; Key Vault is either a real credential with no credentials available, or
 * a fake writer. Nothing here talks to a live cluster or to Azure.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { renderEnvironment } from '../../charts/render';
import type { AzureIdentityModule, V1Deployment } from '../../verify/api-types';
import type { ClusterReader, ExecResult } from '../../verify/cluster';
import { rotationTestCommand, verifyCommand, type CommandDeps } from '../../verify/command';
import { captureReporter } from '../support/reporter';
import type { SecretWriter } from '../../verify/keyvault';
import { findRendered } from '../../verify/spc-drift';
import type { SecretProviderClass, SecretProviderClassPodStatus } from '../../verify/types';
import {
  CERT_V,
  deployment,
  driverDaemonSet,
  ENV_YAML,
  event,
  liveSpc,
  MOUNT_PREFIX,
  model,
  namespace,
  outputs,
  pod,
  podStatus,
  providerDaemonSet,
  reloaderDeployment,
  secretProperties,
  serviceAccount,
  T0,
  V1,
  V2,
} from './fixtures';

// The real @azure/identity, typed by its narrow subset in api-types.ts: `require` (not `import`)
// so that tsc does not load the package's declarations (and msal's).
const { EnvironmentCredential } = require('@azure/identity') as Pick<AzureIdentityModule, 'EnvironmentCredential'>;

let dir: string;
let config: string;
let outputsFile: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'verify-command-'));
  config = path.join(dir, 'test.yaml');
  outputsFile = path.join(dir, 'test.outputs.json');
  writeFileSync(config, ENV_YAML);
  writeFileSync(outputsFile, JSON.stringify({ aks_keyvault_csi: { value: outputs(), type: ['object', {}], sensitive: false } }));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const capture = (json = false) => captureReporter({ json });

const P1 = 'demo-app-7c9d8f6b5-q8w2n';
const P2 = 'demo-app-7c9d8f6b5-x2k4p';

/** An in-memory cluster serving the fixtures; `statuses` may change over (fake) time. */
function fakeCluster(over: Partial<ClusterReader> & { statuses?: () => SecretProviderClassPodStatus[] } = {}): ClusterReader {
  const m = model();
  const rendered = findRendered<SecretProviderClass>(renderEnvironment(m, outputs()), 'SecretProviderClass', 'demo', 'demo-app-keyvault')!;
  return {
    server: 'https://aks-test-abc123.hcp.westeurope.azmk8s.io:443',
    context: 'aks-test',
    listDaemonSets: async () => [driverDaemonSet(), providerDaemonSet()],
    readNamespace: async (n) => (n === 'demo' ? namespace() : undefined),
    readServiceAccount: async () => serviceAccount(),
    readDeployment: async () => deployment(),
    listDeployments: async () => [],
    listPods: async () => [pod(P1), pod(P2)],
    listEvents: async () => [],
    readSecretProviderClass: async () => liveSpc(rendered),
    listPodStatuses: async () => (over.statuses ? over.statuses() : [podStatus(P1), podStatus(P2)]),
    exec: async (): Promise<ExecResult> => ({ stdout: '..data\nDB_PASSWORD\nweb-tls\n', stderr: '', ok: true }),
    readCustomObject: async () => undefined,
    ...over,
  };
}

function fakeClock() {
  let t = T0.getTime();
  return { now: () => t, sleep: async (ms: number) => void (t += ms), elapsed: () => t - T0.getTime() };
}

const verifyOpts = () => ({ env: 'test', config, outputs: outputsFile, exec: false });
const rotationOpts = () => ({ ...verifyOpts(), workload: 'demo-app', object: 'DB-Password' });

describe('verify: as a user sees it', () => {
  it('exits 2 with a clear message when no kubeconfig exists', async () => {
    const c = capture();
    const code = await verifyCommand(verifyOpts(), c.reporter, { env: {}, home: dir });
    expect(code).toBe(2);
    expect(c.err()).toBe(
      'error no kubeconfig: KUBECONFIG is not set and ~/.kube/config does not exist. Fetch credentials with "az aks get-credentials -g rg-test -n aks-test" (add --context to choose among several clusters).\n',
    );
    expect(c.out()).toBe('');
  });

  it('exits 2 with a clear message when the cluster is unreachable (kubeconfig pointing at https://127.0.0.1:1)', async () => {
    // A separate Node process, as the CLI runs: the real client-node is ESM-only (see run-command.ts).
    // Loading client-node takes each process about 2 s, so the two runs go in parallel.
    const kubeconfig = path.join(dir, 'kubeconfig');
    writeFileSync(
      kubeconfig,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters: [{name: dead, cluster: {server: "https://127.0.0.1:1", insecure-skip-tls-verify: true}}]',
        'users: [{name: u, user: {token: not-a-real-token}}]',
        'contexts: [{name: dead, context: {cluster: dead, user: u}}]',
        'current-context: dead',
      ].join('\n'),
    );
    const run = (opts: object) =>
      new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve, reject) => {
        const child = spawn(
          process.execPath,
          ['--import', 'tsx', path.join(__dirname, 'run-command.ts'), 'verify', JSON.stringify({ ...verifyOpts(), ...opts })],
          {
            cwd: path.resolve(__dirname, '../..'),
            env: { PATH: process.env['PATH'] ?? '', HOME: dir, KUBECONFIG: kubeconfig },
            timeout: 60_000,
          },
        );
        let stdout = '';
        let stderr = '';
        child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
        child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
        child.on('error', reject);
        child.on('close', (status) => resolve({ status, stdout, stderr }));
      });
    const [r, wrongContext] = await Promise.all([run({}), run({ context: 'prod' })]);
    expect(r.stderr).toBe(
      'error the cluster API server https://127.0.0.1:1 refused the connection: is the cluster running and the kubeconfig context the right one?\n',
    );
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    // No wall-clock assertion (it failed on a loaded host): a hang fails the test's own timeout,
    // and the time to fail is measured by the benchmark.

    expect(wrongContext.stderr).toBe('error context "prod" is not in the kubeconfig: use one of "dead"\n');
    expect(wrongContext.status).toBe(2);
  }, 90_000);

  it('prints one JSON document on stdout for an abort with --json', async () => {
    const c = capture(true);
    expect(await verifyCommand({ ...verifyOpts() }, c.reporter, { env: { KUBECONFIG: path.join(dir, 'missing') }, home: dir })).toBe(2);
    // The CLI's one error shape (cli/output.ts, lib/errors.ts resultDocument).
    expect(JSON.parse(c.out())).toEqual({
      ok: false,
      exitCode: 2,
      problems: [{ file: 'cluster', path: '', message: expect.stringContaining('KUBECONFIG points at') }],
    });
    expect(c.err()).toBe('');
  });

  it('exits 2 on bad input before touching the cluster', async () => {
    const c = capture();
    const connect = jest.fn();
    expect(await verifyCommand({ ...verifyOpts(), env: 'other' }, c.reporter, { connect })).toBe(2);
    expect(c.err()).toContain('this file is environment "test"');
    expect(await verifyCommand({ ...verifyOpts(), outputs: path.join(dir, 'none.json') }, c.reporter, { connect })).toBe(2);
    expect(c.err()).toContain('no such outputs file');
    expect(connect).not.toHaveBeenCalled();
  });

  it('exits 0 when everything passes, listing every check', async () => {
    const c = capture();
    const code = await verifyCommand({ ...verifyOpts(), exec: true }, c.reporter, { connect: async () => fakeCluster(), now: () => T0.getTime() });
    expect(c.out()).toContain('Verifying environment "test" on context "aks-test"');
    expect(code).toBe(0);
    const checks = [...c.out().matchAll(/^ok \[(\S+)\]/gm)].map((x) => x[1]);
    expect(new Set(checks)).toEqual(
      new Set([
        'addon-daemonset',
        'driver-version',
        'rotation-flags',
        'namespace',
        'service-account',
        'spc',
        'deployment',
        'pods',
        'mounted-objects',
        'mounted-files',
      ]),
    );
    expect(c.out()).toMatch(/\n\d+ passed, 0 failed, 0 warnings\n$/);
    expect(c.err()).toBe('');
  });

  it('exits 1 with decoded findings when something is wrong', async () => {
    const c = capture(true);
    const cluster = fakeCluster({
      listPods: async () => [pod(P1), pod(P2, 'creating')],
      readDeployment: async () => deployment({ ready: 1, available: false }),
      listEvents: async () => [
        event({
          pod: P2,
          seconds: -60,
          message: `${MOUNT_PREFIX}{"error_description":"AADSTS70021: No matching federated identity record found for presented assertion. Assertion Issuer: 'x'. Assertion Subject: 'system:serviceaccount:demo:default'."}`,
        }),
      ],
      listDaemonSets: async () => [driverDaemonSet({ args: ['--enable-secret-rotation=true', '--rotation-poll-interval=5m'] }), providerDaemonSet()],
    });
    const code = await verifyCommand({ ...verifyOpts() }, c.reporter, { connect: async () => cluster, now: () => T0.getTime() });
    expect(code).toBe(1);
    const doc = JSON.parse(c.out()) as {
      ok: boolean;
      problems: Array<{ file: string; path: string; message: string }>;
      findings: Array<{ severity: string; rule: string; message: string }>;
    };
    expect(doc.ok).toBe(false);
    const failed = doc.findings.filter((f) => f.severity === 'error').map((f) => f.rule);
    expect(failed).toEqual(['rotation-flags', 'deployment', 'pods', 'mount-event']);
    expect(doc.findings.find((f) => f.rule === 'mount-event')!.message).toContain('expects "system:serviceaccount:demo:demo-app"');
    // The failures in the CLI's one problem shape: the live object stands where a file would.
    expect(doc.problems.map((p) => `${p.file} ${p.message.slice(0, p.message.indexOf(']') + 1)}`)).toEqual([
      'kube-system/aks-secrets-store-csi-driver [rotation-flags]',
      'demo/demo-app [deployment]',
      `demo/${P2} [pods]`,
      `demo/${P2} [mount-event]`,
    ]);
  });

  // stakater/Reloader internal/pkg/util/util.go: "enable-csi-integration" is off by default.
  it('checks Reloader when a workload sets restartOnRotation, and only then', async () => {
    const restartDir = path.join(dir, 'restart');
    mkdirSync(restartDir, { recursive: true });
    const restartConfig = path.join(restartDir, 'test.yaml');
    writeFileSync(restartConfig, `${ENV_YAML}      restartOnRotation: true\n`);
    const run = async (config: string, deployments: V1Deployment[]) => {
      const c = capture(true);
      const listDeployments = jest.fn(async () => deployments);
      const code = await verifyCommand({ ...verifyOpts(), config }, c.reporter, {
        connect: async () => fakeCluster({ listDeployments }),
        now: () => T0.getTime(),
      });
      const doc = JSON.parse(c.out()) as { findings: Array<{ severity: string; rule: string; where: string; message: string }> };
      return { code, listDeployments, reloader: doc.findings.filter((f) => f.rule === 'reloader') };
    };

    const none = await run(restartConfig, [deployment()]);
    expect(none.code).toBe(1);
    expect(none.reloader).toMatchObject([
      { severity: 'error', where: 'cluster', message: expect.stringMatching(/^workload demo\/demo-app sets restartOnRotation, but no Stakater Reloader/) },
    ]);

    const running = await run(restartConfig, [reloaderDeployment()]);
    expect(running.code).toBe(0);
    expect(running.reloader).toMatchObject([{ severity: 'ok', where: 'reloader/reloader-reloader' }]);

    const notRelying = await run(config, []);
    expect(notRelying.code).toBe(0);
    expect(notRelying.reloader).toStrictEqual([]);
    expect(notRelying.listDeployments).not.toHaveBeenCalled();
  });

  it('reports a refused read as a finding and goes on', async () => {
    const { ReadDenied } = await import('../../verify/cluster');
    const c = capture();
    const cluster = fakeCluster({
      listDaemonSets: async () => {
        throw new ReadDenied('DaemonSets in kube-system', 'reading DaemonSets in kube-system was denied (403): your identity needs read access to it');
      },
    });
    expect(await verifyCommand(verifyOpts(), c.reporter, { connect: async () => cluster, now: () => T0.getTime() })).toBe(1);
    expect(c.err()).toContain('error [addon-daemonset] kube-system: reading DaemonSets in kube-system was denied (403)');
    expect(c.out()).toContain('ok [mounted-objects]');
  });
});

describe('rotation-test: as a user sees it', () => {
  it('exits 2 without writing when no Azure credentials are available', async () => {
    const saved = { ...process.env };
    for (const k of Object.keys(process.env)) if (k.startsWith('AZURE_')) delete process.env[k];
    try {
      const c = capture();
      const code = await rotationTestCommand(rotationOpts(), c.reporter, { connect: async () => fakeCluster(), credential: new EnvironmentCredential() });
      expect(code).toBe(2);
      expect(c.err()).toMatch(/^error no Azure credentials available: sign in with "az login"/);
      expect(c.err()).not.toMatch(/\bat \S+:\d+:\d+/);
      expect(c.out()).not.toContain('Wrote version');
    } finally {
      process.env = saved;
    }
  });

  it('exits 2 for an object it must not rotate, before connecting', async () => {
    const c = capture();
    const connect = jest.fn();
    expect(await rotationTestCommand({ ...rotationOpts(), object: 'web-tls' }, c.reporter, { connect })).toBe(2);
    expect(c.err()).toContain('is a cert');
    expect(connect).not.toHaveBeenCalled();
  });

  it('exits 1 without writing when the driver does not rotate', async () => {
    const c = capture();
    const openVault = jest.fn();
    const cluster = fakeCluster({ listDaemonSets: async () => [driverDaemonSet({ args: ['--enable-secret-rotation=false'] }), providerDaemonSet()] });
    expect(await rotationTestCommand(rotationOpts(), c.reporter, { connect: async () => cluster, openVault })).toBe(1);
    expect(openVault).not.toHaveBeenCalled();
    expect(c.err()).toContain('error [rotation-flags]');
  });

  it('exits 1 without writing when no pod is ready or the object is not mounted', async () => {
    const openVault = jest.fn();
    const c1 = capture();
    expect(
      await rotationTestCommand(rotationOpts(), c1.reporter, { connect: async () => fakeCluster({ listPods: async () => [pod(P1, 'creating')] }), openVault }),
    ).toBe(1);
    expect(c1.err()).toContain('no ready pods to observe: nothing was written');
    const c2 = capture();
    expect(await rotationTestCommand(rotationOpts(), c2.reporter, { connect: async () => fakeCluster({ statuses: () => [] }), openVault })).toBe(1);
    expect(c2.err()).toContain('nothing was written');
    expect(openVault).not.toHaveBeenCalled();
  });

  function rotatingCluster(clock: ReturnType<typeof fakeClock>, afterMs: Record<string, number>, execHash?: (elapsed: number) => string) {
    const objects = (version: string) => [
      { id: 'secret/DB-Password', version },
      { id: 'cert/web-tls', version: CERT_V },
    ];
    return fakeCluster({
      statuses: () => [P1, P2].map((p) => podStatus(p, { objects: objects(clock.elapsed() >= (afterMs[p] ?? Infinity) + 1 ? V2 : V1) })),
      ...(execHash ? { exec: async () => ({ stdout: `${execHash(clock.elapsed())}  /mnt/secrets-store/DB_PASSWORD\n`, stderr: '', ok: true }) } : {}),
    });
  }

  const writer = (): SecretWriter & { calls: string[] } => {
    const calls: string[] = [];
    return { calls, writeRandomVersion: async (name) => (calls.push(name), secretProperties({ name })) };
  };

  it('exits 0 and reports the latency per pod when the new version shows up', async () => {
    const clock = fakeClock();
    const w = writer();
    const c = capture();
    const deps: CommandDeps = {
      connect: async () => rotatingCluster(clock, { [P1]: 40_000, [P2]: 70_000 }),
      openVault: async () => w,
      now: clock.now,
      sleep: clock.sleep,
    };
    const code = await rotationTestCommand(rotationOpts(), c.reporter, deps);
    expect(code).toBe(0);
    expect(w.calls).toEqual(['DB-Password']);
    expect(c.out()).toContain(`Wrote version ${V2} of "DB-Password" (32 random bytes, not shown). Waiting up to 300 s for 2 pod(s)...`);
    expect(c.out()).toContain(`ok [rotation] demo/${P1}: new version ${V2.slice(0, 8)} mounted after 50 s`);
    expect(c.out()).toContain(`ok [rotation] demo/${P2}: new version ${V2.slice(0, 8)} mounted after 80 s`);
  });

  it('with --exec also waits for the SHA-256 of the mounted file to change', async () => {
    const clock = fakeClock();
    const c = capture(true);
    const hash = (elapsed: number) => (elapsed > 60_000 ? 'b' : 'a').repeat(64);
    const code = await rotationTestCommand({ ...rotationOpts(), exec: true }, c.reporter, {
      connect: async () => rotatingCluster(clock, { [P1]: 20_000, [P2]: 20_000 }, hash),
      openVault: async () => writer(),
      now: clock.now,
      sleep: clock.sleep,
    });
    expect(code).toBe(0);
    const doc = JSON.parse(c.out()) as {
      rotation: { newVersion: string; observations: Array<{ latencySeconds: number }> };
      findings: Array<{ rule: string; message: string }>;
    };
    expect(doc.rotation.newVersion).toBe(V2);
    expect(doc.rotation.observations.map((o) => o.latencySeconds)).toEqual([30, 30]);
    expect(doc.findings.find((f) => f.rule === 'rotation-file')!.message).toBe('file content changed after 70 s (compared by SHA-256 inside the pod)');
    expect(c.out()).not.toContain('random bytes'); // JSON mode: one document, no progress lines
  });

  it('times out after 2 × interval + 60 s with a diagnosis and exit 1', async () => {
    const clock = fakeClock();
    const c = capture();
    const cluster = rotatingCluster(clock, {});
    const withEvents: ClusterReader = {
      ...cluster,
      listEvents: async () => [
        event({
          pod: P1,
          reason: 'MountRotationFailed',
          seconds: 100,
          message: `failed to rotate objects for pod demo/${P1}, err: RESPONSE 403 {"innererror":{"code":"ForbiddenByRbac"}}`,
        }),
      ],
    };
    const code = await rotationTestCommand(rotationOpts(), c.reporter, {
      connect: async () => withEvents,
      openVault: async () => writer(),
      now: clock.now,
      sleep: clock.sleep,
    });
    expect(code).toBe(1);
    expect(clock.elapsed()).toBeGreaterThanOrEqual(300_000);
    expect(clock.elapsed()).toBeLessThan(320_000);
    expect(c.err()).toContain(
      `error [rotation] demo/${P1}: no new version observed within 300 s in 2/2 pods (${P1}, ${P2}): the driver reported: MountRotationFailed`,
    );
    expect(c.err()).toContain('ForbiddenByRbac');
    expect(c.out()).toContain('now holds a random test value');
  });

  it('honours --timeout', async () => {
    const clock = fakeClock();
    const c = capture();
    expect(
      await rotationTestCommand({ ...rotationOpts(), timeoutSeconds: 30 }, c.reporter, {
        connect: async () => rotatingCluster(clock, {}),
        openVault: async () => writer(),
        now: clock.now,
        sleep: clock.sleep,
      }),
    ).toBe(1);
    expect(clock.elapsed()).toBeLessThan(45_000);
    expect(c.err()).toContain('too long for this wait');
  });

  it('says the secret was written when the cluster goes away mid-test', async () => {
    const clock = fakeClock();
    const c = capture();
    const { VerifyAbort } = await import('../../verify/cluster');
    let calls = 0;
    const cluster = fakeCluster({
      listPodStatuses: async () => {
        if (++calls > 1) throw new VerifyAbort('the cluster API server https://x refused the connection');
        return [podStatus(P1), podStatus(P2)];
      },
    });
    expect(
      await rotationTestCommand(rotationOpts(), c.reporter, {
        connect: async () => cluster,
        openVault: async () => writer(),
        now: clock.now,
        sleep: clock.sleep,
      }),
    ).toBe(2);
    expect(c.err()).toBe(
      `warning version ${V2} of "DB-Password" was written before the run stopped; it holds a random test value\nerror the cluster API server https://x refused the connection\n`,
    );
  });
});

describe("driver ≥ 1.6 (rotation on kubelet's republish; kubernetes-sigs/secrets-store-csi-driver v1.6.0 pkg/secrets-store/nodeserver.go)", () => {
  const V16 = 'mcr.microsoft.com/oss/v2/kubernetes-csi/secrets-store/driver:v1.6.0';
  const driver16 = (interval = '2m') => [
    driverDaemonSet({ image: V16, args: ['--enable-secret-rotation=true', `--rotation-poll-interval=${interval}`] }),
    providerDaemonSet(),
  ];

  it('verify reports the version, fails a FailedMount after the pod became ready, and ignores rotation events', async () => {
    const c = capture(true);
    const cluster = fakeCluster({
      listDaemonSets: async () => driver16(),
      listPods: async () => [pod(P1, 'ready', { readyAt: T0 }), pod(P2, 'ready', { readyAt: T0 })],
      listEvents: async () => [
        event({ pod: P1, seconds: 60, message: `${MOUNT_PREFIX}RESPONSE 429 Too Many Requests` }),
        event({ pod: P2, reason: 'MountRotationFailed', seconds: 60, message: 'left by the driver before the upgrade' }),
      ],
    });
    const code = await verifyCommand({ ...verifyOpts() }, c.reporter, { connect: async () => cluster, now: () => T0.getTime() + 120_000 });
    const doc = JSON.parse(c.out()) as { driver: unknown; findings: Array<{ severity: string; rule: string; where: string; message: string }> };
    expect(doc.driver).toStrictEqual({ daemonSet: 'kube-system/aks-secrets-store-csi-driver', image: V16, version: 'v1.6.0', rotationModel: 'republish' });
    expect(doc.findings.find((f) => f.rule === 'driver-version')).toMatchObject({ severity: 'ok' });
    const events = doc.findings.filter((f) => f.rule === 'mount-event');
    expect(events.map((f) => [f.severity, f.where])).toStrictEqual([['error', `demo/${P1}`]]);
    expect(events[0].message).toMatch(/^FailedMount after the pod became ready: a refresh on kubelet's republish failed/);
    expect(code).toBe(1);
  });

  it('rotation-test waits 2 × max(interval, 90 s) + 60 s and says where a failed refresh shows', async () => {
    const fast = path.join(dir, 'fast.yaml');
    const fastOutputs = path.join(dir, 'fast.outputs.json');
    writeFileSync(fast, ENV_YAML.replace('interval: 2m', 'interval: 30s'));
    writeFileSync(fastOutputs, JSON.stringify({ aks_keyvault_csi: { value: outputs('fast'), type: ['object', {}], sensitive: false } }));
    const clock = fakeClock();
    const c = capture();
    const cluster = fakeCluster({ listDaemonSets: async () => driver16('30s') });
    const w = { writeRandomVersion: async (name: string) => secretProperties({ name }) };
    const code = await rotationTestCommand({ ...rotationOpts(), env: 'fast', config: fast, outputs: fastOutputs }, c.reporter, {
      connect: async () => cluster,
      openVault: async () => w,
      now: clock.now,
      sleep: clock.sleep,
    });
    expect(code).toBe(1);
    expect(c.out()).toContain('Waiting up to 240 s for 2 pod(s)');
    expect(clock.elapsed()).toBeGreaterThanOrEqual(240_000);
    expect(c.err()).toContain(
      `error [rotation] demo: no new version observed within 240 s in 2/2 pods (${P1}, ${P2}): driver ≥ 1.6 records no event when a refresh fails`,
    );
    expect(c.err()).toContain('rotation_reconcile_error_total{rotated="true"}');
  });
});
