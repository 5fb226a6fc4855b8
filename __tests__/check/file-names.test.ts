/**
 * Property tests of the mounted-path rules the check shares with the schema and the chart
 * (lib/csi-driver.ts MOUNT_PATH_RULES): Azure/secrets-store-csi-driver-provider-azure
 * pkg/provider/validate.go (validateFileName) and kubernetes-sigs/secrets-store-csi-driver
 * pkg/util/fileutil/atomic_writer.go (validatePath).
 */
import fc from 'fast-check';
import { fileNameProblem } from '../../check/secret-provider-class';

const element = fc.stringMatching(/^[A-Za-z0-9._-]{1,255}$/).filter((s) => !s.includes('..'));

describe('mounted file names', () => {
  test('relative names of safe elements up to 255 bytes are accepted', () => {
    fc.assert(fc.property(fc.array(element, { minLength: 1, maxLength: 4 }), (parts) => fileNameProblem(parts.join('/')) === undefined));
  });

  test('".." anywhere is rejected, not only as an element', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 20 }),
        fc.string({ maxLength: 20 }),
        (before, after) => fileNameProblem(`${before.replace(/^\//, '')}x..${after}`) !== undefined,
      ),
    );
    fc.assert(
      fc.property(
        fc.array(element, { maxLength: 3 }),
        fc.array(element, { maxLength: 3 }),
        (before, after) =>
          fileNameProblem([...before, '..', ...after].join('/')) === 'must not contain ".." anywhere (the provider refuses "db..password" too)',
      ),
    );
  });

  test('absolute names are rejected', () => {
    fc.assert(fc.property(element, (e) => fileNameProblem(`/${e}`) === 'must be a relative path (no leading "/")'));
  });

  test('elements over 255 bytes are rejected, counting UTF-8 bytes rather than characters', () => {
    const message = 'must have path elements of at most 255 bytes (UTF-8; "é" counts 2)';
    fc.assert(fc.property(fc.integer({ min: 256, max: 600 }), (n) => fileNameProblem(`a/${'x'.repeat(n)}`) === message));
    fc.assert(fc.property(fc.integer({ min: 128, max: 300 }), (n) => fileNameProblem('é'.repeat(n)) === message));
    expect(fileNameProblem('é'.repeat(127))).toBeUndefined();
    expect(fileNameProblem('😀'.repeat(64))).toBe(message);
  });

  test('paths over 4096 bytes are rejected', () => {
    expect(fileNameProblem(Array.from({ length: 17 }, () => 'x'.repeat(250)).join('/'))).toBe('must be at most 4096 bytes long');
  });
});
