#!/usr/bin/env node
'use strict';
// The package's command. TypeScript sources run through tsx's CommonJS hook (no build step,
// no type-checking at run time: `npm test` type-checks).
require('tsx/cjs');
const { main } = require('../cli/main.ts');

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    // Not a user mistake: a bug. Keep the stack trace for the report.
    console.error(error);
    process.exitCode = 70;
  },
);
