'use strict';
// The command from its TypeScript sources through tsx, without the bundle: what the bin falls
// back to where the bundle cannot be built. For the benchmark's --variants.
require('tsx/cjs');
const { main } = require('../cli/main.ts');

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    console.error(error);
    process.exitCode = 70;
  },
);
