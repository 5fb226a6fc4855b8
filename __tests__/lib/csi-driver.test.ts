/**
 * The CSI driver / Azure provider rules of lib/csi-driver.ts, each with its upstream function:
 * Azure/secrets-store-csi-driver-provider-azure pkg/provider/validate.go (validateFileName),
 * pkg/provider/provider.go (getLatestNKeyVaultObjects, formatKeyVaultObject);
 * kubernetes-sigs/secrets-store-csi-driver pkg/util/fileutil/atomic_writer.go (validatePath),
 * pkg/util/fileutil/filesystem.go (GetMountedFiles), pkg/util/secretutil/secret.go (GetSecretData, GetCertPart).
 */
import fc from 'fast-check';
import {
  filesWritten,
  MOUNT_FILE_NAME,
  MOUNT_FILE_NAME_RULES,
  MOUNT_PATH_RULES,
  mountPathProblem,
  SECRET_OBJECT_FILE_RULE,
  TLS_SECRET_KEY_RULE,
} from '../../lib/csi-driver';

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
    for (const r of [...MOUNT_PATH_RULES, ...MOUNT_FILE_NAME_RULES, SECRET_OBJECT_FILE_RULE, TLS_SECRET_KEY_RULE]) expect(r.source).toMatch(/^(Azure|kubernetes-sigs)\/secrets-store-csi-driver/);
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
