import fc from 'fast-check';
import {
  checkAddonDaemonSets,
  checkDriverVersion,
  checkRotationFlags,
  driverInfo,
  daemonSetsOf,
  driverContainer,
  expandEnv,
  flagValue,
  formatSeconds,
  goDurationSeconds,
  parseGoBool,
  roleOf,
  rotationFlagsOf,
  type ExpectedRotation,
} from '../../verify/addon';
import { driverDaemonSet, providerDaemonSet, windowsVariant } from './fixtures';
import { fixOf } from '../support/findings';

const TWO_MINUTES: ExpectedRotation = { enabled: true, interval: '2m', intervalSeconds: 120 };
const FILE = 'environments/test.yaml';
const statuses = (fs: Array<{ severity: string }>) => fs.map((f) => f.severity);

describe('roleOf / daemonSetsOf', () => {
  it('recognises the AKS add-on names', () => {
    expect(roleOf(driverDaemonSet())).toBe('driver');
    expect(roleOf(providerDaemonSet())).toBe('provider');
  });

  it('recognises a Helm install by name and image, and the driver subchart before the provider chart', () => {
    const helmDriver = driverDaemonSet({
      name: 'csi-secrets-store-provider-azure-secrets-store-csi-driver',
      labels: { 'app.kubernetes.io/name': 'secrets-store-csi-driver' },
    });
    const helmProvider = providerDaemonSet({
      name: 'csi-secrets-store-provider-azure',
      labels: { 'app.kubernetes.io/name': 'csi-secrets-store-provider-azure' },
    });
    expect(roleOf(helmDriver)).toBe('driver');
    expect(roleOf(helmProvider)).toBe('provider');
  });

  it('ignores unrelated DaemonSets', () => {
    const other = {
      metadata: { name: 'kube-proxy', namespace: 'kube-system', labels: { component: 'kube-proxy' } },
      spec: { selector: {}, template: { spec: { containers: [{ name: 'kube-proxy', image: 'mcr.microsoft.com/oss/kubernetes/kube-proxy:v1.32.0' }] } } },
    };
    expect(roleOf(other)).toBeUndefined();
  });

  it('orders the add-on name first', () => {
    const helm = driverDaemonSet({ name: 'aaa-secrets-store-csi-driver' });
    const addon = driverDaemonSet();
    expect(daemonSetsOf([helm, windowsVariant(addon), addon], 'driver').map((d) => d.metadata?.name)).toEqual([
      'aks-secrets-store-csi-driver',
      'aks-secrets-store-csi-driver-windows',
      'aaa-secrets-store-csi-driver',
    ]);
  });
});

describe('checkAddonDaemonSets', () => {
  it('passes when both DaemonSets have a ready pod on every scheduled node', () => {
    const f = checkAddonDaemonSets([driverDaemonSet(), providerDaemonSet(), windowsVariant(driverDaemonSet()), windowsVariant(providerDaemonSet())]);
    expect(statuses(f)).toEqual(['ok', 'ok']);
    expect(f[0].where).toBe('kube-system/aks-secrets-store-csi-driver');
    expect(f[0].message).toContain('3/3 pods ready');
    expect(f[1].where).toBe('kube-system/aks-secrets-store-provider-azure');
  });

  it('fails when the add-on is not enabled', () => {
    const f = checkAddonDaemonSets([]);
    expect(statuses(f)).toEqual(['error', 'error']);
    expect(f[0].message).toContain('add-on is not enabled');
    expect(fixOf(f[0])).toContain('az aks enable-addons --addons azure-keyvault-secrets-provider');
  });

  it('fails when fewer pods are ready than desired', () => {
    const f = checkAddonDaemonSets([driverDaemonSet({ desired: 3, ready: 2 }), providerDaemonSet()]);
    expect(f[0]).toMatchObject({ severity: 'error', rule: 'addon-daemonset' });
    expect(f[0].message).toContain('2/3 pods ready');
    expect(fixOf(f[0])).toContain('-l app=secrets-store-csi-driver');
  });

  it('fails when the DaemonSet schedules no pods at all', () => {
    const f = checkAddonDaemonSets([driverDaemonSet(), providerDaemonSet({ desired: 0 })]);
    expect(f[1]).toMatchObject({ severity: 'error' });
    expect(f[1].message).toContain('schedules no pods');
  });

  it('warns during a rollout', () => {
    const f = checkAddonDaemonSets([driverDaemonSet({ updated: 2 }), providerDaemonSet()]);
    expect(f[0]).toMatchObject({ severity: 'warning' });
    expect(f[0].message).toContain('rollout');
  });

  it('warns when numberUnavailable is reported while all are ready', () => {
    expect(checkAddonDaemonSets([driverDaemonSet({ unavailable: 1 }), providerDaemonSet()])[0].severity).toBe('warning');
  });

  it('warns that a self-installed driver is not configured by the add-on', () => {
    const f = checkAddonDaemonSets([
      driverDaemonSet({ name: 'csi-secrets-store-provider-azure-secrets-store-csi-driver' }),
      providerDaemonSet({ name: 'csi-secrets-store-provider-azure' }),
    ]);
    expect(statuses(f)).toEqual(['ok', 'warning', 'ok', 'warning']);
    expect(f[1].message).toContain('not the AKS add-on');
  });

  it('checks the Windows variants when they schedule pods', () => {
    const win = {
      ...windowsVariant(driverDaemonSet()),
      status: { currentNumberScheduled: 1, desiredNumberScheduled: 1, numberMisscheduled: 0, numberReady: 0, updatedNumberScheduled: 1 },
    };
    const f = checkAddonDaemonSets([driverDaemonSet(), win, providerDaemonSet()]);
    expect(f.map((x) => `${x.severity} ${x.where}`)).toEqual([
      'ok kube-system/aks-secrets-store-csi-driver',
      'error kube-system/aks-secrets-store-csi-driver-windows',
      'ok kube-system/aks-secrets-store-provider-azure',
    ]);
  });
});

describe('flag parsing', () => {
  it('reads Go flag spellings', () => {
    expect(flagValue(['--rotation-poll-interval=2m'], 'rotation-poll-interval')).toBe('2m');
    expect(flagValue(['-rotation-poll-interval=30s'], 'rotation-poll-interval')).toBe('30s');
    expect(flagValue(['--rotation-poll-interval', '90s'], 'rotation-poll-interval')).toBe('90s');
    expect(flagValue(['--enable-secret-rotation'], 'enable-secret-rotation', true)).toBe('true');
    expect(flagValue(['--enable-secret-rotation=false'], 'enable-secret-rotation', true)).toBe('false');
    expect(flagValue(['--other=1'], 'enable-secret-rotation', true)).toBeUndefined();
  });

  it('takes the last occurrence, as Go flag parsing does', () => {
    expect(flagValue(['--rotation-poll-interval=2m', '--rotation-poll-interval=5m'], 'rotation-poll-interval')).toBe('5m');
  });

  it('does not confuse a flag with a longer one', () => {
    expect(flagValue(['--rotation-poll-interval-max=9m'], 'rotation-poll-interval')).toBeUndefined();
  });

  it('expands $(VAR) from literal env values', () => {
    const c = { name: 'secrets-store', env: [{ name: 'INTERVAL', value: '45s' }] };
    expect(expandEnv('--rotation-poll-interval=$(INTERVAL)', c)).toBe('--rotation-poll-interval=45s');
    expect(expandEnv('--x=$(UNKNOWN)', c)).toBe('--x=$(UNKNOWN)');
  });

  it('parses Go booleans', () => {
    for (const t of ['1', 't', 'T', 'true', 'TRUE', 'True']) expect(parseGoBool(t)).toBe(true);
    for (const f of ['0', 'f', 'F', 'false', 'FALSE', 'False']) expect(parseGoBool(f)).toBe(false);
    expect(parseGoBool('yes')).toBeUndefined();
  });

  it('compares durations by value', () => {
    expect(goDurationSeconds('2m')).toBe(120);
    expect(goDurationSeconds('120s')).toBe(120);
    expect(goDurationSeconds('2m0s')).toBe(120);
    expect(goDurationSeconds('1h')).toBe(3600);
    expect(goDurationSeconds('0')).toBe(0);
    expect(goDurationSeconds('two minutes')).toBeUndefined();
  });

  it('formats seconds as the shortest Go duration', () => {
    expect(formatSeconds(120)).toBe('2m');
    expect(formatSeconds(90)).toBe('1m30s');
    expect(formatSeconds(3600)).toBe('1h');
    expect(formatSeconds(0)).toBe('0s');
  });

  it('formatSeconds and goDurationSeconds round-trip (property)', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 100_000 }), (s) => goDurationSeconds(formatSeconds(s)) === s));
  });

  it('any m/s spelling of the same seconds compares equal (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 600 }), fc.integer({ min: 0, max: 59 }), (m, s) => {
        fc.pre(m + s > 0);
        return goDurationSeconds(`${m}m${s}s`) === goDurationSeconds(`${m * 60 + s}s`);
      }),
    );
  });

  it('finds the driver container by its flags, name or image', () => {
    expect(driverContainer(driverDaemonSet())?.name).toBe('secrets-store');
    const renamed = driverDaemonSet();
    renamed.spec!.template.spec!.containers[1].name = 'driver';
    expect(driverContainer(renamed)?.name).toBe('driver');
    const noFlags = driverDaemonSet({ args: ['--endpoint=$(CSI_ENDPOINT)'] });
    expect(driverContainer(noFlags)?.name).toBe('secrets-store');
  });

  it('reads the rotation flags, with driver defaults when absent', () => {
    expect(rotationFlagsOf(driverDaemonSet())).toEqual({ enabled: true, intervalSeconds: 120, rawEnabled: 'true', rawInterval: '2m' });
    expect(rotationFlagsOf(driverDaemonSet({ args: ['--endpoint=$(CSI_ENDPOINT)'] }))).toEqual({ enabled: false, intervalSeconds: 120 });
    expect(rotationFlagsOf(driverDaemonSet({ args: ['--enable-secret-rotation=maybe'] }))).toEqual({
      error: '--enable-secret-rotation=maybe is not a boolean',
    });
    expect(rotationFlagsOf(driverDaemonSet({ args: ['--enable-secret-rotation', '--rotation-poll-interval=soon'] }))).toEqual({
      error: '--rotation-poll-interval=soon is not a Go duration',
    });
  });

  it('returns undefined without a driver container', () => {
    const ds = driverDaemonSet();
    ds.spec!.template.spec!.containers = [{ name: 'other', image: 'busybox' }];
    expect(rotationFlagsOf(ds)).toBeUndefined();
  });
});

describe('checkRotationFlags', () => {
  it('passes when the flags match (2m == 120s)', () => {
    const f = checkRotationFlags([driverDaemonSet({ args: ['--enable-secret-rotation=true', '--rotation-poll-interval=120s'] })], TWO_MINUTES, FILE);
    expect(f).toEqual([expect.objectContaining({ severity: 'ok', rule: 'rotation-flags', where: 'kube-system/aks-secrets-store-csi-driver' })]);
  });

  it('resolves $(VAR) in the interval flag', () => {
    const ds = driverDaemonSet({
      args: ['--enable-secret-rotation=true', '--rotation-poll-interval=$(ROTATION_INTERVAL)'],
      env: [{ name: 'ROTATION_INTERVAL', value: '2m' }],
    });
    expect(checkRotationFlags([ds], TWO_MINUTES, FILE)[0].severity).toBe('ok');
  });

  it('fails on another interval, naming both values', () => {
    const f = checkRotationFlags(
      [driverDaemonSet({ args: ['--enable-secret-rotation=true', '--rotation-poll-interval=5m'] })],
      { enabled: true, interval: '30s', intervalSeconds: 30 },
      FILE,
    );
    expect(f[0]).toMatchObject({ severity: 'error' });
    expect(f[0].message).toBe('--rotation-poll-interval is 5m (5m) but environments/test.yaml sets rotation.interval: 30s (30s)');
    expect(fixOf(f[0])).toContain('az aks addon update --addon azure-keyvault-secrets-provider --enable-secret-rotation --rotation-poll-interval 30s');
  });

  it('fails when the interval flag is absent and the default differs', () => {
    const f = checkRotationFlags([driverDaemonSet({ args: ['--enable-secret-rotation=true'] })], { enabled: true, interval: '30s', intervalSeconds: 30 }, FILE);
    expect(f[0].message).toContain('absent (driver default 2m)');
  });

  it('fails when rotation is off on the driver but on in the environment', () => {
    const f = checkRotationFlags([driverDaemonSet({ args: ['--enable-secret-rotation=false'] })], TWO_MINUTES, FILE);
    expect(f[0]).toMatchObject({ severity: 'error' });
    expect(f[0].message).toContain('mounted files never change until pods restart');
  });

  it('fails when the rotation flag is absent (driver default off)', () => {
    const f = checkRotationFlags([driverDaemonSet({ args: ['--endpoint=$(CSI_ENDPOINT)'] })], TWO_MINUTES, FILE);
    expect(f[0].message).toContain('absent (driver default false)');
  });

  it('fails when rotation is on although the environment turns it off', () => {
    const f = checkRotationFlags([driverDaemonSet()], { enabled: false, interval: '2m', intervalSeconds: 120 }, FILE);
    expect(f[0]).toMatchObject({ severity: 'error' });
    expect(fixOf(f[0])).toContain('rotation.enabled');
  });

  it('passes when rotation is off on both sides', () => {
    const f = checkRotationFlags(
      [driverDaemonSet({ args: ['--enable-secret-rotation=false'] })],
      { enabled: false, interval: '2m', intervalSeconds: 120 },
      FILE,
    );
    expect(f[0]).toMatchObject({ severity: 'ok', message: 'rotation is off, as the environment says' });
  });

  it('fails on unparseable flags', () => {
    expect(checkRotationFlags([driverDaemonSet({ args: ['--enable-secret-rotation=yes'] })], TWO_MINUTES, FILE)[0].severity).toBe('error');
  });

  it('warns when no driver container carries the flags', () => {
    const ds = driverDaemonSet();
    ds.spec!.template.spec!.containers = [{ name: 'other', image: 'busybox' }];
    expect(checkRotationFlags([ds], TWO_MINUTES, FILE)[0]).toMatchObject({ severity: 'warning' });
  });

  it('reports nothing without a driver DaemonSet (checkAddonDaemonSets does)', () => {
    expect(checkRotationFlags([providerDaemonSet()], TWO_MINUTES, FILE)).toEqual([]);
  });

  it('skips the Windows variant that schedules nothing', () => {
    const f = checkRotationFlags([driverDaemonSet(), windowsVariant(driverDaemonSet({ args: [] }))], TWO_MINUTES, FILE);
    expect(f.map((x) => x.where)).toEqual(['kube-system/aks-secrets-store-csi-driver']);
  });
});

describe('driver version and rotation model (from the secrets-store container image tag)', () => {
  const V16 = 'mcr.microsoft.com/oss/v2/kubernetes-csi/secrets-store/driver:v1.6.0';

  it('reads the AKS add-on image tag: v1.5.3 rotates by polling and reports rotation events', () => {
    const ds = [driverDaemonSet(), providerDaemonSet()];
    expect(driverInfo(ds)).toStrictEqual({
      subject: 'kube-system/aks-secrets-store-csi-driver',
      image: 'mcr.microsoft.com/oss/v2/kubernetes-csi/secrets-store/driver:v1.5.3',
      version: { major: 1, minor: 5, patch: 3, tag: 'v1.5.3' },
      model: 'poll',
    });
    expect(checkDriverVersion(ds)).toStrictEqual([
      {
        severity: 'ok',
        rule: 'driver-version',
        where: 'kube-system/aks-secrets-store-csi-driver',
        message:
          'Secrets Store CSI driver v1.5.3: rotation polls Key Vault every --rotation-poll-interval and failures are MountRotationFailed/SecretRotationFailed events (driver ≤ 1.5)',
      },
    ]);
  });

  it("v1.6.0 rotates on kubelet's republish", () => {
    const [f] = checkDriverVersion([driverDaemonSet({ image: V16 })]);
    expect(f).toMatchObject({ severity: 'ok', rule: 'driver-version' });
    expect(f.message).toBe(
      "Secrets Store CSI driver v1.6.0: rotation rides on kubelet's republish every 60-90 s and --rotation-poll-interval is a minimum age; a failed refetch raises no event and leaves SecretProviderClassPodStatus at the old version (driver ≥ 1.6)",
    );
  });

  it('an image without a version tag: says so, and the model stays unknown', () => {
    const digest = 'mcr.microsoft.com/oss/v2/kubernetes-csi/secrets-store/driver@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';
    const ds = [driverDaemonSet({ image: digest })];
    expect(driverInfo(ds)?.model).toBeUndefined();
    const [f] = checkDriverVersion(ds);
    expect(f).toMatchObject({ severity: 'warning', rule: 'driver-version' });
    expect(f.message).toBe(
      `the driver image "${digest}" names no version: the rotation model is unknown, so both are checked (rotation events of driver ≤ 1.5, mount errors and SecretProviderClassPodStatus of driver ≥ 1.6)`,
    );
  });

  it('no driver DaemonSet: nothing here (addon-daemonset reports it)', () => {
    expect(checkDriverVersion([providerDaemonSet()])).toStrictEqual([]);
    expect(driverInfo([])).toBeUndefined();
  });

  it('the rotation-flags pass says how each model refreshes', () => {
    expect(checkRotationFlags([driverDaemonSet()], TWO_MINUTES, FILE)[0].message).toBe('rotation enabled, polling every 2m as configured (2m)');
    expect(checkRotationFlags([driverDaemonSet({ image: V16 })], TWO_MINUTES, FILE)[0].message).toBe(
      "rotation enabled, refreshing at kubelet's republish once a mount is older than 2m (every 2m-3m30s) as configured (2m)",
    );
    expect(checkRotationFlags([driverDaemonSet({ image: 'x/secrets-store/driver:latest' })], TWO_MINUTES, FILE)[0].message).toContain(
      'polling every 2m, or refreshing at kubelet',
    );
  });
});
