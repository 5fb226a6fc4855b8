import fc from 'fast-check';
import { fileNameProblem } from '../../check/secret-provider-class';

const element = fc.stringMatching(/^[A-Za-z0-9._-]{1,255}$/).filter((s) => s !== '..');

describe('mounted file names', () => {
  test('relative names of safe elements up to 255 characters are accepted', () => {
    fc.assert(fc.property(fc.array(element, { minLength: 1, maxLength: 4 }), (parts) => fileNameProblem(parts.join('/')) === undefined));
  });

  test('a ".." element anywhere is rejected', () => {
    fc.assert(
      fc.property(fc.array(element, { maxLength: 3 }), fc.array(element, { maxLength: 3 }), (before, after) => fileNameProblem([...before, '..', ...after].join('/')) === 'contains a ".." element'),
    );
  });

  test('absolute names and elements over 255 characters are rejected', () => {
    fc.assert(fc.property(element, (e) => fileNameProblem(`/${e}`) === 'is absolute'));
    fc.assert(fc.property(fc.integer({ min: 256, max: 600 }), (n) => fileNameProblem(`a/${'x'.repeat(n)}`) === `has an element of ${n} characters (at most 255)`));
  });
});
