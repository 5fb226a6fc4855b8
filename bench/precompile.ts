/**
 * Prototype for the benchmark: the project compiled ahead of time with SWC (already a dev
 * dependency, through @swc/jest) into CommonJS `.js`, no source maps, so the command runs with
 * plain `node` and no tsx hook. Written into a temporary folder only; the repository is not touched.
 *
 * The lead's real version would be a `build` script (`swc` or `tsc -p tsconfig.build.json`)
 * emitting into e.g. `build/`, with the bin requiring `../build/cli/main.js` when present.
 */
import { transformFileSync } from '@swc/core';
import { cpSync, mkdirSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { REPO } from './workspace';

/** Folders the command loads at run time (tests, bench and scripts are not part of it). */
const SOURCE_DIRS = ['cli', 'lib', 'stacks', 'charts', 'check', 'pipeline', 'verify', 'imports'];

function* tsFiles(dir: string): Generator<string> {
  for (const entry of readdirSync(dir)) {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) yield* tsFiles(full);
    else if (entry.endsWith('.ts') && !entry.endsWith('.d.ts')) yield full;
  }
}

/** Compiles the project into `outDir`; returns the launcher to run with `node <launcher> synth`. */
export function precompile(outDir: string): { launcher: string; files: number; seconds: number } {
  const started = performance.now();
  let files = 0;
  for (const dir of SOURCE_DIRS) {
    const src = path.join(REPO, dir);
    try {
      statSync(src);
    } catch {
      continue;
    }
    // Non-TypeScript files (vendored CRDs, JSON) keep their place.
    cpSync(src, path.join(outDir, dir), { recursive: true, filter: (f) => !f.endsWith('.ts') || statSync(f).isDirectory() });
    for (const file of tsFiles(src)) {
      const { code } = transformFileSync(file, {
        jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
        module: { type: 'commonjs' },
        sourceMaps: false,
        swcrc: false,
      });
      const target = path.join(outDir, path.relative(REPO, file)).replace(/\.ts$/, '.js');
      mkdirSync(path.dirname(target), { recursive: true });
      writeFileSync(target, code);
      files++;
    }
  }
  cpSync(path.join(REPO, 'package.json'), path.join(outDir, 'package.json'));
  symlinkSync(path.join(REPO, 'node_modules'), path.join(outDir, 'node_modules'), 'dir');
  const launcher = path.join(outDir, 'bin', 'aks-keyvault-csi.cjs');
  mkdirSync(path.dirname(launcher), { recursive: true });
  writeFileSync(
    launcher,
    `'use strict';
const { main } = require('../cli/main.js');
main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (error) => { console.error(error); process.exitCode = 70; });
`,
  );
  return { launcher, files, seconds: (performance.now() - started) / 1000 };
}
