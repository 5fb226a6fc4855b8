'use strict';
// Prototype for the benchmark: our bin exactly, but with Node's source-map support turned off
// after tsx turned it on. Stack traces then point into tsx's transformed code instead of the
// .ts lines, and every Error.stack (cdktf captures one per token) stops paying for source maps.
require('tsx/cjs');
process.setSourceMapsEnabled(false);
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
