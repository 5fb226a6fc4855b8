import fc from 'fast-check';
import {
  baselineObservations,
  detectChange,
  diagnoseRotationTimeout,
  evaluateRotation,
  newVersionOf,
  parseSha256sum,
  pollEverySeconds,
  resolveRotationTarget,
  rotationComplete,
  expectedLatencySeconds,
  rotationTimeoutSeconds,
  updateHash,
  updateObservations,
  type PodObservation,
} from '../../verify/rotation';
import { ENV_YAML, at, model, podStatus, secretProperties, V1, V2 } from './fixtures';
import { userErrorOf } from '../support/user-error';
import { fixOf } from '../support/findings';
import { exampleModel } from '../support/models';

const P1 = 'demo-app-7c9d8f6b5-q8w2n';
const P2 = 'demo-app-7c9d8f6b5-x2k4p';
const m = model();
const secret = m.workloads[0].objects[0];
const SPC = 'demo-app-keyvault';
const withVersion = (pod: string, version: string) => podStatus(pod, { objects: [{ id: 'secret/DB-Password', version }] });

const userError = userErrorOf;

describe('resolveRotationTarget', () => {
  it('finds the object by Key Vault name or by file name', () => {
    expect(resolveRotationTarget(m, 'demo-app', 'DB-Password').object.name).toBe('DB-Password');
    expect(resolveRotationTarget(m, 'demo-app', 'DB_PASSWORD').object.name).toBe('DB-Password');
  });

  it('fails for an unknown workload or object, naming the choices', () => {
    expect(userError(() => resolveRotationTarget(m, 'nope', 'DB-Password')).message).toBe(
      'environments/test.yaml: workloads: no workload named "nope": use one of "demo-app"',
    );
    expect(userError(() => resolveRotationTarget(m, 'demo-app', 'nope')).message).toContain('mounts no object "nope": use one of "DB-Password", "web-tls"');
  });

  it('refuses certificates, pinned objects and disabled rotation', () => {
    expect(userError(() => resolveRotationTarget(m, 'demo-app', 'web-tls')).problems[0]).toMatchObject({ path: 'workloads[0].objects[1].type' });
    const pinned = model(ENV_YAML.replace('        alias: DB_PASSWORD', `        alias: DB_PASSWORD\n        version: "${V1}"`));
    expect(userError(() => resolveRotationTarget(pinned, 'demo-app', 'DB-Password')).problems[0]).toMatchObject({ path: 'workloads[0].objects[0].version' });
    const off = model(ENV_YAML.replace('enabled: true', 'enabled: false'));
    expect(userError(() => resolveRotationTarget(off, 'demo-app', 'DB-Password')).problems[0]).toMatchObject({
      path: 'cluster.secretsProvider.rotation.enabled',
    });
  });

  it("refuses an object of another vault: the test writes through the outputs' keyVault.uri only", () => {
    const prod = exampleModel('prod');
    expect(userError(() => resolveRotationTarget(prod, 'payments-api', 'platform-telemetry-key')).problems[0]).toMatchObject({
      path: 'workloads[0].objects[3].vault',
      message:
        'object "platform-telemetry-key" is in vault "kv-platform-shared" (additionalVaults): the rotation test writes to the environment\'s vault (keyVault) only, so pick an object of keyVault',
    });
    expect(resolveRotationTarget(prod, 'payments-api', 'rotation-canary').object.vault).toBe('kv-akscsi-prod-example');
  });
});

describe('timing (kubernetes-sigs/secrets-store-csi-driver v1.5.6 pkg/rotation/reconciler.go, v1.6.0 pkg/secrets-store/nodeserver.go)', () => {
  it('driver ≤ 1.5 polls every interval: waits 2 × interval + 60 s unless overridden', () => {
    expect(rotationTimeoutSeconds(120, undefined, 'poll')).toBe(300);
    expect(rotationTimeoutSeconds(30, undefined, 'poll')).toBe(120);
    expect(rotationTimeoutSeconds(120, 45, 'poll')).toBe(45);
    expect(expectedLatencySeconds(120, 'poll')).toBe(120);
  });

  it("driver ≥ 1.6 refreshes at kubelet's republish (60-90 s apart): waits 2 × max(interval, 90 s) + 60 s", () => {
    expect(rotationTimeoutSeconds(30, undefined, 'republish')).toBe(240);
    expect(rotationTimeoutSeconds(120, undefined, 'republish')).toBe(300);
    expect(rotationTimeoutSeconds(600, undefined, 'republish')).toBe(1260);
    expect(rotationTimeoutSeconds(30, 45, 'republish')).toBe(45);
  });

  it('driver ≥ 1.6: a new version shows within 90 s for an interval up to 60 s, else within interval + 90 s', () => {
    expect(expectedLatencySeconds(30, 'republish')).toBe(90);
    expect(expectedLatencySeconds(60, 'republish')).toBe(90);
    expect(expectedLatencySeconds(61, 'republish')).toBe(151);
    expect(expectedLatencySeconds(120, 'republish')).toBe(210);
  });

  it('an unknown driver version waits as long as driver ≥ 1.6', () => {
    expect(rotationTimeoutSeconds(30)).toBe(rotationTimeoutSeconds(30, undefined, 'republish'));
    expect(expectedLatencySeconds(30)).toBe(90);
  });

  it('always leaves room for two polls (≤ 1.5) and for the slowest first refresh (≥ 1.6) (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 86_400 }), (s) => {
        expect(rotationTimeoutSeconds(s, undefined, 'poll')).toBeGreaterThanOrEqual(2 * s + 60);
        expect(rotationTimeoutSeconds(s, undefined, 'republish')).toBeGreaterThan(expectedLatencySeconds(s, 'republish') + 60);
      }),
    );
  });

  it('polls the cluster every 2 to 10 s', () => {
    expect(pollEverySeconds(5)).toBe(2);
    expect(pollEverySeconds(30)).toBe(5);
    expect(pollEverySeconds(3600)).toBe(10);
    fc.assert(fc.property(fc.integer({ min: 1, max: 86_400 }), (s) => pollEverySeconds(s) >= 2 && pollEverySeconds(s) <= 10));
  });
});

describe('Key Vault SecretProperties', () => {
  it('takes the version of the written secret, or the last segment of its id', () => {
    expect(newVersionOf(secretProperties())).toBe(V2);
    expect(newVersionOf(secretProperties({ version: undefined }))).toBe(V2);
    expect(() => newVersionOf(secretProperties({ version: undefined, id: undefined }))).toThrow('no version');
  });
});

describe('change detection', () => {
  it('tells rotated, unchanged and changed by someone else apart', () => {
    expect(detectChange(V1, V2, V2)).toBe('rotated');
    expect(detectChange(V1, V2.toUpperCase(), V2)).toBe('rotated');
    expect(detectChange(V1, V1, V2)).toBe('unchanged');
    expect(detectChange(V1, undefined, V2)).toBe('unchanged');
    expect(detectChange(V1, 'cccccccccccccccccccccccccccccccc', V2)).toBe('changed-elsewhere');
  });

  it('tracks pods from the baseline until all rotated', () => {
    let obs = baselineObservations([P2, P1], [withVersion(P1, V1), withVersion(P2, V1)], SPC, secret);
    expect(obs.map((o) => [o.pod, o.before])).toEqual([
      [P1, V1],
      [P2, V1],
    ]);
    const args = { livePods: [P1, P2], spcName: SPC, object: secret, newVersion: V2 };
    obs = updateObservations(obs, { ...args, statuses: [withVersion(P1, V2), withVersion(P2, V1)], elapsedMs: 40_000 });
    expect(rotationComplete(obs)).toBe(false);
    obs = updateObservations(obs, { ...args, statuses: [withVersion(P1, V2), withVersion(P2, V2)], elapsedMs: 95_000 });
    expect(obs.map((o) => o.latencyMs)).toEqual([40_000, 95_000]);
    expect(rotationComplete(obs)).toBe(true);
  });

  it('marks pods that went away and does not wait for them', () => {
    let obs = baselineObservations([P1, P2], [withVersion(P1, V1), withVersion(P2, V1)], SPC, secret);
    obs = updateObservations(obs, { livePods: [P1], spcName: SPC, object: secret, newVersion: V2, statuses: [withVersion(P1, V2)], elapsedMs: 10_000 });
    expect(obs[1]).toMatchObject({ pod: P2, gone: true });
    expect(rotationComplete(obs)).toBe(true);
    expect(rotationComplete(obs.map((o) => ({ ...o, gone: true })))).toBe(false);
  });

  it('waits for the file hash when hashing, unless hashing failed', () => {
    const done: PodObservation[] = [{ pod: P1, before: V1, current: V2, state: 'rotated', latencyMs: 1 }];
    expect(rotationComplete(done, { pod: P1, before: 'a' })).toBe(false);
    expect(rotationComplete(done, { pod: P1, before: 'a', latencyMs: 5 })).toBe(true);
    expect(rotationComplete(done, { pod: P1, error: 'no sha256sum' })).toBe(true);
  });

  it('updates the hash once it changes', () => {
    const h0 = { pod: P1, before: 'a'.repeat(64) };
    expect(updateHash(h0, 'a'.repeat(64), 1000)).toEqual({ ...h0, current: 'a'.repeat(64) });
    const h1 = updateHash(h0, 'b'.repeat(64), 2000);
    expect(h1.latencyMs).toBe(2000);
    expect(updateHash(h1, 'c'.repeat(64), 3000)).toBe(h1);
    expect(updateHash(h0, undefined, 3000)).toBe(h0);
  });

  it('parses sha256sum output', () => {
    expect(parseSha256sum(`${'AB'.repeat(32)}  /mnt/secrets-store/DB_PASSWORD\n`)).toBe('ab'.repeat(32));
    expect(parseSha256sum('sha256sum: not found')).toBeUndefined();
  });
});

describe('evaluateRotation', () => {
  const rotated = (latencyMs: number): PodObservation => ({ pod: P1, before: V1, current: V2, state: 'rotated', latencyMs });

  it('passes within interval + grace and reports the latency', () => {
    const f = evaluateRotation({ namespace: 'demo', observations: [rotated(47_000)], intervalSeconds: 120, fileName: 'DB_PASSWORD', model: 'poll' });
    expect(f).toEqual([
      {
        severity: 'ok',
        rule: 'rotation',
        where: `demo/${P1}`,
        message: `new version ${V2.slice(0, 8)} mounted after 47 s (driver polls every 2m; expected within 2m25s)`,
      },
    ]);
  });

  it('warns when slower than the configured interval', () => {
    const f = evaluateRotation({ namespace: 'demo', observations: [rotated(200_000)], intervalSeconds: 120, fileName: 'DB_PASSWORD', model: 'poll' });
    expect(f[0]).toMatchObject({ severity: 'warning' });
    expect(f[0].message).toContain('slower than the configured interval');
  });

  it('driver ≥ 1.6: 200 s after a 2m interval is still within the first republish after the interval', () => {
    const f = evaluateRotation({ namespace: 'demo', observations: [rotated(200_000)], intervalSeconds: 120, fileName: 'DB_PASSWORD', model: 'republish' });
    expect(f).toEqual([
      {
        severity: 'ok',
        rule: 'rotation',
        where: `demo/${P1}`,
        message: `new version ${V2.slice(0, 8)} mounted after 200 s (driver refreshes at kubelet's republish once the mount is older than 2m; expected within 3m55s)`,
      },
    ]);
    expect(
      evaluateRotation({ namespace: 'demo', observations: [rotated(80_000)], intervalSeconds: 10, fileName: 'DB_PASSWORD', model: 'republish' })[0],
    ).toMatchObject({ severity: 'ok' });
    expect(
      evaluateRotation({ namespace: 'demo', observations: [rotated(80_000)], intervalSeconds: 10, fileName: 'DB_PASSWORD', model: 'poll' })[0],
    ).toMatchObject({ severity: 'warning' });
  });

  it('warns about pods that went away, and reports the file hash', () => {
    const f = evaluateRotation({
      namespace: 'demo',
      observations: [rotated(30_000), { pod: P2, before: V1, current: V1, state: 'unchanged', gone: true }],
      hash: { pod: P1, before: 'a', current: 'b', latencyMs: 31_000 },
      intervalSeconds: 120,
      fileName: 'DB_PASSWORD',
    });
    expect(f.map((x) => `${x.severity} ${x.rule}`)).toEqual(['ok rotation', 'warning rotation', 'ok rotation-file']);
    expect(f[2].message).toContain('SHA-256 inside the pod');
  });

  it('warns when the file could not be hashed', () => {
    const f = evaluateRotation({
      namespace: 'demo',
      observations: [rotated(30_000)],
      hash: { pod: P1, error: 'command terminated with non-zero exit code' },
      intervalSeconds: 120,
      fileName: 'DB_PASSWORD',
    });
    expect(f[1]).toMatchObject({ severity: 'warning', rule: 'rotation-file' });
  });
});

describe('diagnoseRotationTimeout', () => {
  const waiting: PodObservation[] = [{ pod: P1, before: V1, current: V1, state: 'unchanged' }];
  const base = {
    namespace: 'demo',
    timeoutSeconds: 300,
    expectedIntervalSeconds: 120,
    flags: { enabled: true, intervalSeconds: 120 },
    observations: waiting,
    secret: secretProperties(),
    eventFindings: [],
    fileName: 'DB_PASSWORD',
    nowMs: at(300).getTime(),
    model: 'poll' as const,
  };

  it('falls back to the logs when nothing explains it', () => {
    const f = diagnoseRotationTimeout(base);
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ severity: 'error', where: `demo/${P1}` });
    expect(f[0].message).toBe(`no new version observed within 300 s in 1/1 pods (${P1}), with rotation enabled every 2m and no rotation-failure event`);
    expect(fixOf(f[0])).toContain('kubectl -n kube-system logs');
  });

  it('driver ≥ 1.6: says that failed refreshes raise no event, and where they show', () => {
    const f = diagnoseRotationTimeout({ ...base, model: 'republish' });
    expect(f[0].message).toBe(
      `no new version observed within 300 s in 1/1 pods (${P1}): driver ≥ 1.6 records no event when a refresh fails (it refreshes at kubelet's republish once a mount is older than 2m)`,
    );
    expect(fixOf(f[0])).toContain('rotation_reconcile_error_total{rotated="true"}');
    expect(fixOf(f[0])).toContain('isRemountRequest=true');
    const { model: _poll, ...unknown } = base;
    expect(diagnoseRotationTimeout(unknown)[0].message).toContain('an unknown driver version (driver ≥ 1.6 records none)');
  });

  it('driver ≥ 1.6: a wait shorter than the first refresh after the interval is too short', () => {
    const f = diagnoseRotationTimeout({ ...base, model: 'republish', timeoutSeconds: 200 });
    expect(f[0].message).toContain("the driver refreshes at kubelet's republish once the mount is older than 2m, too long for this wait");
    expect(fixOf(f[0])).toContain('at least 300 s');
    expect(diagnoseRotationTimeout({ ...base, model: 'republish', timeoutSeconds: 210 })[0].message).not.toContain('too long for this wait');
  });

  it('blames rotation disabled on the driver, or unreadable flags', () => {
    expect(diagnoseRotationTimeout({ ...base, flags: { enabled: false, intervalSeconds: 120 } })[0].message).toContain('rotation disabled');
    expect(diagnoseRotationTimeout({ ...base, flags: undefined })[0].message).toContain('could not be read');
  });

  it('blames an interval too long for the wait', () => {
    const f = diagnoseRotationTimeout({ ...base, flags: { enabled: true, intervalSeconds: 600 } });
    expect(f[0].message).toContain('polls every 10m, too long for this wait');
    expect(fixOf(f[0])).toContain('at least 1260 s');
  });

  it('blames a disabled or not-yet-valid secret version', () => {
    expect(diagnoseRotationTimeout({ ...base, secret: secretProperties({ enabled: false }) })[0].message).toContain('disabled in Key Vault');
    expect(diagnoseRotationTimeout({ ...base, secret: secretProperties({ notBefore: at(3600) }) })[0].message).toContain(
      'not valid before 2026-03-01T11:00:00.000Z',
    );
  });

  it('reports a concurrent writer', () => {
    const f = diagnoseRotationTimeout({ ...base, observations: [{ pod: P1, before: V1, current: 'c'.repeat(32), state: 'changed-elsewhere' }] });
    expect(f[0]).toMatchObject({ severity: 'warning' });
    expect(f[0].message).toContain('someone else wrote the secret');
  });

  it('passes on the decoded rotation failures', () => {
    const f = diagnoseRotationTimeout({
      ...base,
      eventFindings: [
        {
          severity: 'error',
          rule: 'mount-event',
          where: `demo/${P1}`,
          message: 'MountRotationFailed: Key Vault denied the identity by RBAC (ForbiddenByRbac)',
          fix: 'grant',
        },
      ],
    });
    expect(f[0].message).toContain('the driver reported: MountRotationFailed: Key Vault denied the identity by RBAC');
    expect(fixOf(f[0])).toBe('grant');
  });

  it('reports a file that did not change although the driver reports the new version', () => {
    const f = diagnoseRotationTimeout({
      ...base,
      observations: [{ pod: P1, before: V1, current: V2, state: 'rotated', latencyMs: 50_000 }],
      hash: { pod: P1, before: 'a', current: 'a' },
    });
    expect(f.map((x) => `${x.severity} ${x.rule}`)).toEqual(['ok rotation', 'error rotation-file']);
    expect(fixOf(f[1])).toContain('subPath');
  });

  it('reports when every pod went away', () => {
    const f = diagnoseRotationTimeout({ ...base, observations: [{ ...waiting[0], gone: true }] });
    expect(f[0].message).toContain('every pod present at the start went away');
  });
});
