/**
 * Facts and rules of lib/csi-driver.ts, each with its upstream source:
 * - the driver's two rotation models and how verify tells them apart (kubernetes-sigs/secrets-store-csi-driver
 *   v1.5.6 pkg/rotation/reconciler.go polls every interval; v1.6.0 pkg/secrets-store/nodeserver.go refreshes on
 *   kubelet's republish; kubernetes/kubernetes pkg/kubelet/pod_workers.go workerResyncIntervalJitterFactor = 0.5
 *   on a 1m sync frequency);
 * - file names: Azure/secrets-store-csi-driver-provider-azure pkg/provider/validate.go (validateFileName),
 *   pkg/provider/provider.go (getLatestNKeyVaultObjects, formatKeyVaultObject); kubernetes-sigs/secrets-store-csi-driver
 *   pkg/util/fileutil/atomic_writer.go (validatePath), pkg/util/fileutil/filesystem.go (GetMountedFiles),
 *   pkg/util/secretutil/secret.go (GetSecretData, GetCertPart).
 */
import fc from 'fast-check';
import {
  filesWritten,
  MOUNT_FILE_NAME,
  MOUNT_FILE_NAME_RULES,
  MOUNT_PATH_RULES,
  mountPathProblem,
  parseDriverVersion,
  refreshPeriodSeconds,
  REPUBLISH_PERIOD_SECONDS,
  rotationModelOf,
  SECRET_OBJECT_FILE_RULE,
  TLS_SECRET_KEY_RULE,
} from '../../lib/csi-driver';

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

describe('mounted paths (validateFileName, validatePath)', () => {
  test.each([
    ['', 'must not be empty'],
    ['   ', 'must not be empty'],
    ['/etc/passwd', 'must be a relative path (no leading "/")'],
    ['..', 'must not contain ".." anywhere (the provider refuses "db..password" too)'],
    ['db..password', 'must not contain ".." anywhere (the provider refuses "db..password" too)'],
    ['a/../b', 'must not contain ".." anywhere (the provider refuses "db..password" too)'],
    ['x'.repeat(256), 'must have path elements of at most 255 bytes (UTF-8; "é" counts 2)'],
    ['é'.repeat(128), 'must have path elements of at most 255 bytes (UTF-8; "é" counts 2)'],
    [Array.from({ length: 17 }, () => 'x'.repeat(250)).join('/'), 'must be at most 4096 bytes long'],
  ])('fails %j', (path, fix) => {
    expect(mountPathProblem(path)?.fix).toBe(fix);
  });

  test('accepts nested relative paths in a hand-written SecretProviderClass', () => {
    for (const ok of ['DB_PASSWORD', 'dir/file', 'tls.crt', 'é'.repeat(127), 'x'.repeat(255), '.hidden']) expect(mountPathProblem(ok)).toBeUndefined();
  });

  test('a file name we mount is also one element, not ".", and not padded with whitespace (formatKeyVaultObject trims)', () => {
    expect(mountPathProblem('a/b', MOUNT_FILE_NAME_RULES)?.fix).toBe('must be one file name: no "/" and not "."');
    expect(mountPathProblem('.', MOUNT_FILE_NAME_RULES)?.fix).toBe('must be one file name: no "/" and not "."');
    expect(mountPathProblem(' x', MOUNT_FILE_NAME_RULES)?.fix).toBe('must not start or end with whitespace (the provider trims it)');
    expect(mountPathProblem('x\t', MOUNT_FILE_NAME_RULES)?.fix).toBe('must not start or end with whitespace (the provider trims it)');
  });

  test('the JSON Schema pattern of a file name never accepts what the rules refuse, except the byte count it cannot see', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 12, unit: fc.constantFrom('a', '.', '/', ' ', 'é', '\0', '-') }), (name) => {
        const refused = mountPathProblem(name, MOUNT_FILE_NAME_RULES) !== undefined;
        return !(MOUNT_FILE_NAME.test(name) && refused);
      }),
    );
  });

  test('every rule names its source', () => {
    for (const r of [...MOUNT_PATH_RULES, ...MOUNT_FILE_NAME_RULES, SECRET_OBJECT_FILE_RULE, TLS_SECRET_KEY_RULE])
      expect(r.source).toMatch(/^(Azure|kubernetes-sigs)\/secrets-store-csi-driver/);
  });
});

describe('files an object writes (getLatestNKeyVaultObjects)', () => {
  test('one file, or <file>/0 ... <file>/<n-1> with a version history above 1', () => {
    expect(filesWritten('DB_PASSWORD', undefined)).toStrictEqual(['DB_PASSWORD']);
    expect(filesWritten('DB_PASSWORD', 1)).toStrictEqual(['DB_PASSWORD']);
    expect(filesWritten('DB_PASSWORD', 3)).toStrictEqual(['DB_PASSWORD/0', 'DB_PASSWORD/1', 'DB_PASSWORD/2']);
  });

  test('fails a synced objectName the mount does not hold (GetSecretData); "<alias>/0" is held (GetMountedFiles walks folders)', () => {
    const files = new Set(filesWritten('DB_PASSWORD', 2));
    expect(SECRET_OBJECT_FILE_RULE.test({ objectName: 'DB_PASSWORD', files })).toBe(false);
    expect(SECRET_OBJECT_FILE_RULE.test({ objectName: 'DB_PASSWORD/0', files })).toBe(true);
  });

  test('fails a kubernetes.io/tls key other than tls.crt and tls.key (GetCertPart)', () => {
    expect(TLS_SECRET_KEY_RULE.test('cert.pem')).toBe(false);
    expect(TLS_SECRET_KEY_RULE.test('tls.key')).toBe(true);
  });
});
