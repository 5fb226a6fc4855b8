#!/usr/bin/env node
'use strict';
// The package's command. It runs the esbuild bundle in .build/ (made by `npm ci` through the
// `prepare` script, see scripts/build.cjs), rebuilding it first when a source file is newer;
// where the bundle cannot be made, it runs the TypeScript sources through tsx instead. Neither
// path type-checks: `npm test` does.
const { loadBundle } = require('./load-bundle.cjs');

function loadCli() {
  try {
    return loadBundle(require('../scripts/build.cjs').freshBuild());
  } catch (e) {
    if (process.env.AKS_KEYVAULT_CSI_DEBUG) console.error('bundle unavailable, running sources with tsx:', e);
    require('tsx/cjs');
    const { main } = require('../cli/main.ts');
    return { main, io: undefined, done: () => undefined, mapStack: (text) => text };
  }
}

const cli = loadCli();
cli.main(process.argv.slice(2), cli.io).then(
  (code) => {
    process.exitCode = code;
    cli.done(code);
  },
  (error) => {
    // Not a user mistake: a bug (main itself reports those; this is a bug of main). Keep the
    // stack trace for the report.
    console.error(cli.mapStack(error instanceof Error ? (error.stack ?? String(error)) : String(error)));
    process.exitCode = 70;
  },
);
