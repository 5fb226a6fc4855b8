/**
 * Tests are transpiled by SWC (no type-checking per file); `tsc --noEmit` in `npm test`
 * type-checks the whole project once.
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: 'node',
  globalSetup: '<rootDir>/__tests__/global-setup.ts',
  setupFilesAfterEnv: ['<rootDir>/__tests__/setup-after-env.ts'],
  reporters: ['default', '<rootDir>/__tests__/summary-reporter.js'],
  // End-to-end and property tests synthesize many times; jest's 5 s default fails them on a
  // loaded 2-core machine (a time limit is not what they test).
  testTimeout: 30_000,
  // One worker per core. Jest's default (cores - 1) runs a 2-core CI machine's suite in a single
  // worker: 50 s there against 36 s with two (the main process only collects results).
  maxWorkers: '100%',
  // Not a leaked handle: a worker's 'exit' event fires within ~30 ms of jest's end message, but
  // the process then frees its heap (300-600 MB after the cdktf and cdk8s suites) before it is
  // gone, measured at 400-700 ms on a loaded 2-core host. Jest's 500 ms default then kills it
  // and warns "A worker process has failed to exit gracefully" on nearly every run. A real leak
  // (a ref'd timer or socket) never exits, so it is still reported after this longer wait.
  workerGracefulExitTimeout: 5_000,
  roots: ['<rootDir>/__tests__'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }],
    // json-schema-faker ships ES modules only; jest runs CommonJS.
    '^.+/node_modules/json-schema-faker/.+\\.js$': ['@swc/jest', { jsc: { parser: { syntax: 'ecmascript' }, target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!json-schema-faker/)'],
  // Its package exports only an `import` condition, which jest's CommonJS resolver does not match.
  moduleNameMapper: { '^json-schema-faker$': '<rootDir>/node_modules/json-schema-faker/dist/index.js' },
  moduleFileExtensions: ['ts', 'js', 'json'],
  snapshotFormat: { escapeString: false, printBasicPrototype: false },
};
