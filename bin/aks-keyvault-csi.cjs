#!/usr/bin/env node
'use strict';
// The package's command. It runs the SWC build in .build/ (made by `npm ci` through the
// `prepare` script) and rebuilds it first when a source file is newer; where the build cannot
// be made (no @swc/core), it runs the TypeScript sources through tsx instead. Neither path
// type-checks: `npm test` does.
const path = require('node:path');

function loadMain() {
  try {
    const build = require('../scripts/build.cjs');
    if (!build.isFresh()) build.build();
    return require(path.join(build.OUT, 'cli', 'main.js')).main;
  } catch (e) {
    if (process.env.AKS_KEYVAULT_CSI_DEBUG) console.error('build unavailable, running sources with tsx:', e);
    require('tsx/cjs');
    return require('../cli/main.ts').main;
  }
}

loadMain()(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    // Not a user mistake: a bug. Keep the stack trace for the report.
    console.error(error);
    process.exitCode = 70;
  },
);
