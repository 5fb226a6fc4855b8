/**
 * The driver's two rotation models and how verify tells them apart (kubernetes-sigs/secrets-store-csi-driver:
 * v1.5.6 pkg/rotation/reconciler.go polls every interval; v1.6.0 pkg/secrets-store/nodeserver.go
 * refreshes on kubelet's republish; kubernetes/kubernetes pkg/kubelet/pod_workers.go
 * workerResyncIntervalJitterFactor = 0.5 on a 1m sync frequency).
 */
import fc from 'fast-check';
import { parseDriverVersion, refreshPeriodSeconds, REPUBLISH_PERIOD_SECONDS, rotationModelOf } from '../../lib/csi-driver';

describe('parseDriverVersion', () => {
  test.each([
    ['mcr.microsoft.com/oss/v2/kubernetes-csi/secrets-store/driver:v1.5.3', 1, 5, 3],
    ['mcr.microsoft.com/oss/kubernetes-csi/secrets-store/driver:v1.4.8', 1, 4, 8],
    ['registry.k8s.io/csi-secrets-store/driver:v1.6.0', 1, 6, 0],
    ['registry.k8s.io/csi-secrets-store/driver:1.6.1', 1, 6, 1],
    ['mcr.microsoft.com/oss/v2/kubernetes-csi/secrets-store/driver:v1.6.0-rc.1', 1, 6, 0],
    ['mcr.microsoft.com/oss/v2/kubernetes-csi/secrets-store/driver:v1.5.3-hotfix.20250101', 1, 5, 3],
    ['mcr.microsoft.com/oss/v2/kubernetes-csi/secrets-store/driver:v1.6@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef', 1, 6, 0],
    ['my-registry:5000/secrets-store/driver:v2.0.0', 2, 0, 0],
  ])('%s', (image, major, minor, patch) => {
    expect(parseDriverVersion(image)).toMatchObject({ major, minor, patch });
  });

  test.each([
    'mcr.microsoft.com/oss/v2/kubernetes-csi/secrets-store/driver',
    'mcr.microsoft.com/oss/v2/kubernetes-csi/secrets-store/driver@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
    'my-registry:5000/secrets-store/driver',
    'mcr.microsoft.com/oss/v2/kubernetes-csi/secrets-store/driver:latest',
    'mcr.microsoft.com/oss/v2/kubernetes-csi/secrets-store/driver:main-4f3e2d1',
    '',
  ])('no version in %j', (image) => {
    expect(parseDriverVersion(image)).toBeUndefined();
  });

  test('never throws, whatever the image string (property)', () => {
    fc.assert(fc.property(fc.string(), (s) => void parseDriverVersion(s)));
  });
});

test('rotationModelOf: republish from 1.6 on (pre-releases of 1.6 included), poll before', () => {
  const model = (image: string) => rotationModelOf(parseDriverVersion(image)!);
  expect(model('d:v1.5.6')).toBe('poll');
  expect(model('d:v0.9.0')).toBe('poll');
  expect(model('d:v1.6.0-rc.1')).toBe('republish');
  expect(model('d:v1.6.0')).toBe('republish');
  expect(model('d:v1.10.0')).toBe('republish');
  expect(model('d:v2.0.0')).toBe('republish');
});

describe('refreshPeriodSeconds', () => {
  test('kubelet republishes every 60-90 s (1m sync frequency + up to 50% jitter)', () => {
    expect(REPUBLISH_PERIOD_SECONDS).toStrictEqual({ min: 60, max: 90 });
  });

  test('driver ≤ 1.5 refetches every interval', () => {
    expect(refreshPeriodSeconds('poll', 10)).toStrictEqual({ min: 10, max: 10 });
    expect(refreshPeriodSeconds('poll', 120)).toStrictEqual({ min: 120, max: 120 });
  });

  test('driver ≥ 1.6: the interval is a minimum age, so no sooner than max(interval, 60 s) and no later than the next republish', () => {
    expect(refreshPeriodSeconds('republish', 10)).toStrictEqual({ min: 60, max: 90 });
    expect(refreshPeriodSeconds('republish', 60)).toStrictEqual({ min: 60, max: 90 });
    expect(refreshPeriodSeconds('republish', 120)).toStrictEqual({ min: 120, max: 210 });
  });

  test('driver ≥ 1.6 never refreshes more often than driver ≤ 1.5 (property): the request estimate may assume ≤ 1.5', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 86_400 }), (s) => refreshPeriodSeconds('republish', s).min >= refreshPeriodSeconds('poll', s).min));
  });
});
