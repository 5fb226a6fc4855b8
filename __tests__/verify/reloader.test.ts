/**
 * The `reloader` check (verify/reloader.ts): Stakater Reloader runs with its CSI integration on
 * when a workload sets deployment.restartOnRotation. Upstream: stakater/Reloader
 * internal/pkg/util/util.go (ConfigureReloaderFlags: "enable-csi-integration", default false) and
 * deployments/kubernetes/chart/reloader/templates/deployment.yaml ("--enable-csi-integration=true").
 */
import { checkReloader, csiIntegration, reloaderDeployments } from '../../verify/reloader';
import { fixOf } from '../support/findings';
import { deployment, reloaderDeployment } from './fixtures';

const RELYING = ['payments/payments-api'];

describe('csiIntegration reads the flag as pflag does', () => {
  test.each<[string[], boolean | undefined]>([
    [['--enable-csi-integration=true'], true],
    [['--enable-csi-integration'], true],
    [['--enable-csi-integration=True'], true],
    [['--enable-csi-integration=1'], true],
    [['--enable-csi-integration=false'], false],
    [['--enable-csi-integration=true', '--enable-csi-integration=false'], false],
    [['--log-format=json'], undefined],
    [[], undefined],
  ])('%j → %s', (args, expected) => {
    expect(csiIntegration({ name: 'reloader', args })).toBe(expected);
  });

  test('reads the command too', () => {
    expect(csiIntegration({ name: 'reloader', command: ['/manager', '--enable-csi-integration=true'] })).toBe(true);
  });
});

describe('reloaderDeployments', () => {
  test("finds the chart's Deployment by its name label, and another install by its image in any registry", () => {
    const byLabel = reloaderDeployment();
    const byImage = reloaderDeployment({ name: 'reloader', namespace: 'tools', labels: {}, image: 'docker.io/stakater/reloader:v1.4.21@sha256:0123' });
    const other = deployment();
    expect(reloaderDeployments([other, byLabel, byImage])).toStrictEqual([byLabel, byImage]);
  });
});

describe('checkReloader', () => {
  test('is not run when no workload sets restartOnRotation', () => {
    expect(checkReloader([], [])).toStrictEqual([]);
  });

  test('passes on the chart with reloader.enableCSIIntegration: true and a ready pod', () => {
    expect(checkReloader([deployment(), reloaderDeployment()], RELYING)).toStrictEqual([
      {
        severity: 'ok',
        rule: 'reloader',
        where: 'reloader/reloader-reloader',
        message: 'Reloader runs with its CSI integration on, for payments/payments-api',
      },
    ]);
  });

  test('fails when no Reloader runs', () => {
    const [finding] = checkReloader([deployment()], ['payments/payments-api', 'web/web-frontend']);
    expect(finding).toMatchObject({
      severity: 'error',
      rule: 'reloader',
      where: 'cluster',
      message:
        'workloads payments/payments-api, web/web-frontend set restartOnRotation, but no Stakater Reloader Deployment runs in the cluster: their pods never restart when mounted versions change',
    });
    expect(fixOf(finding)).toBe(
      'install Reloader with reloader.enableCSIIntegration: true (output.reloader renders its Argo CD Application or Flux HelmRelease, chart reloader 2.2.16)',
    );
  });

  test.each([[[]], [['--enable-csi-integration=false']]])('fails when Reloader runs without the CSI integration (args %j)', (args) => {
    const [finding] = checkReloader([reloaderDeployment({ args })], RELYING);
    expect(finding).toMatchObject({
      severity: 'error',
      rule: 'reloader',
      where: 'reloader/reloader-reloader',
      message:
        'workload payments/payments-api sets restartOnRotation, but Reloader runs without --enable-csi-integration=true: it does not watch SecretProviderClassPodStatus, so mounted versions changing restart nothing',
    });
    expect(fixOf(finding)).toMatch(/^set reloader\.enableCSIIntegration: true in its Helm values/);
  });

  test('fails when Reloader with the CSI integration has no ready pod', () => {
    const [finding] = checkReloader([reloaderDeployment({ ready: 0 })], RELYING);
    expect(finding).toMatchObject({
      severity: 'error',
      where: 'reloader/reloader-reloader',
      message: 'workload payments/payments-api sets restartOnRotation, but Reloader has no ready pod: restarts on rotation are not happening',
    });
    expect(fixOf(finding)).toBe('look at its pods: kubectl -n reloader describe deployment reloader-reloader');
  });

  test('passes on the install with the CSI integration when another one has it off', () => {
    const off = reloaderDeployment({ name: 'old-reloader', args: [] });
    expect(checkReloader([off, reloaderDeployment()], RELYING)).toMatchObject([{ severity: 'ok', where: 'reloader/reloader-reloader' }]);
  });
});
