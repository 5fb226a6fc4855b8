/**
 * Tests are transpiled by SWC (no type-checking per file); `tsc --noEmit` in `npm test`
 * type-checks the whole project once.
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: 'node',
  globalSetup: '<rootDir>/__tests__/global-setup.js',
  reporters: ['default', '<rootDir>/__tests__/summary-reporter.js'],
  roots: ['<rootDir>/__tests__'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  snapshotFormat: { escapeString: false, printBasicPrototype: false },
};
