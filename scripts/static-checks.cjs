#!/usr/bin/env node
'use strict';
/**
 * `npm test`'s static checks, run side by side: `prettier --check .`, `tsc --noEmit` and
 * `eslint . --max-warnings 0` each use one core, so on two cores together they take about as long
 * as ESLint alone instead of the sum of the three.
 *
 * Each tool's output is printed whole, under its command line, in this fixed order (never
 * interleaved), once all three have finished; the exit code is 1 when any of them failed, and the
 * failed ones are named last.
 */
const { spawn } = require('node:child_process');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const CHECKS = [
  ['prettier', ['--check', '.']],
  ['tsc', ['--noEmit']],
  ['eslint', ['.', '--max-warnings', '0']],
];

/** Runs the project's `tool` with `args`, collecting stdout and stderr in the order they came. */
function run(tool, args) {
  return new Promise((resolve) => {
    const chunks = [];
    // Colours as the tools would choose them on this terminal (their output goes to a pipe here).
    const env = process.stdout.isTTY && process.env.NO_COLOR === undefined ? { FORCE_COLOR: '1', ...process.env } : process.env;
    const child = spawn(path.join(ROOT, 'node_modules', '.bin', tool), args, { cwd: ROOT, env });
    child.stdout.on('data', (d) => chunks.push(d));
    child.stderr.on('data', (d) => chunks.push(d));
    child.once('error', (error) => resolve({ code: null, why: error.message, output: '' }));
    child.once('close', (code, signal) =>
      resolve({ code, why: signal === null ? `exit ${code}` : `signal ${signal}`, output: Buffer.concat(chunks).toString('utf8') }),
    );
  });
}

async function main() {
  const results = await Promise.all(CHECKS.map(([tool, args]) => run(tool, args)));
  const failed = [];
  CHECKS.forEach(([tool, args], i) => {
    const { code, why, output } = results[i];
    const command = [tool, ...args].join(' ');
    process.stdout.write(`> ${command}\n${output}${output === '' || output.endsWith('\n') ? '' : '\n'}`);
    if (code !== 0) failed.push(`${command} (${why})`);
  });
  if (failed.length > 0) {
    process.stderr.write(`\nstatic checks failed: ${failed.join(', ')}\n`);
    process.exitCode = 1;
  }
}

void main();
