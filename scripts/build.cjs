#!/usr/bin/env node
'use strict';
/**
 * Bundles the command into one minified file with esbuild: `.build/<id>/cli.js` and its source
 * map, and the background writer's thread into `write-worker.js` beside it, `<id>` being a hash
 * of their bytes. No type-checking here: `npm test` runs
 * `tsc --noEmit`. Runs on `npm ci` (the `prepare` script) and whenever the bin finds a source
 * newer than the build, so the bin never runs stale code.
 *
 * - One file: Node resolves, reads and compiles one file instead of ~800 (the project's modules
 *   and those of cdktf, cdk8s, cdk8s-plus, zod, yaml, commander).
 * - Lazy: the commands `require()` their heavy modules inside their actions; esbuild keeps each
 *   such module behind a wrapper that runs on the first `require()`, so `--help` evaluates
 *   neither cdktf nor cdk8s, and `synth` without an outputs file never evaluates cdk8s-plus.
 * - External: the Kubernetes and Azure clients (only `verify` and `rotation-test` load them, from
 *   node_modules, as before) and cdktf-cli (whose location `deploy` resolves).
 * - The bin compiles the bundle through `vm.Script` with V8's code cache (`bin/load-bundle.cjs`),
 *   written next to the bundle after a run: the content hash in the folder name keeps a cache
 *   from ever meeting another bundle (V8 itself checks only the source's length).
 *
 * `.build/BUILD.json` names the current build and the files it was made from (the project's
 * sources, tsconfig.json, package.json, the installed packages' lock and this script): the bin's
 * freshness check stats exactly those (~200 files, about a millisecond).
 */
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const OUT = path.join(ROOT, '.build');
const STAMP = path.join(OUT, 'BUILD.json');
/** Files outside the bundle's inputs whose change must rebuild it. */
const ALSO = ['package.json', 'tsconfig.json', path.join('node_modules', '.package-lock.json'), path.relative(ROOT, __filename)];
/** Loaded from node_modules at run time, never bundled. */
const EXTERNAL = ['@kubernetes/client-node', '@azure/*', 'cdktf-cli', 'cdktf-cli/*'];
/** The bundle's exports: what the bin calls. */
const ENTRY = `export { main } from './cli/main';
export { processIo } from './cli/output';
import { buildProgram } from './cli/main';
/** The command names (the bin keeps a code cache per command). */
export const commandNames = (): string[] => buildProgram({ io: undefined as never, reporter: () => undefined as never, exit: () => undefined }).commands.map((c) => c.name());
`;

/** The current build (`{ id, dir, bundle, inputs }`), or undefined when there is none. */
function current() {
  try {
    const stamp = JSON.parse(fs.readFileSync(STAMP, 'utf8'));
    const dir = path.join(OUT, stamp.id);
    return { ...stamp, dir, bundle: path.join(dir, 'cli.js') };
  } catch {
    return undefined;
  }
}

/** True when no input of `build` (a `current()` result) changed after it was made. */
function isFresh(build = current()) {
  if (build === undefined) return false;
  try {
    for (const file of build.inputs) if (fs.statSync(path.join(ROOT, file)).mtimeMs > build.startedMs) return false;
    return fs.existsSync(build.bundle) && fs.existsSync(path.join(build.dir, 'write-worker.js'));
  } catch {
    // An input is gone (renamed or deleted): rebuild.
    return false;
  }
}

/** Bundles the command, publishes it as the current build and returns it (see `current`). */
function build() {
  const esbuild = require('esbuild');
  fs.mkdirSync(OUT, { recursive: true });
  // A source saved while esbuild runs is newer than this, so the next run rebuilds.
  const startedMs = Date.now();
  // Unique per process: runs that find the build stale at the same moment each build their own.
  const staging = fs.mkdtempSync(path.join(OUT, 'staging-'));
  try {
    const result = esbuild.buildSync({
      absWorkingDir: ROOT,
      stdin: { contents: ENTRY, resolveDir: ROOT, sourcefile: 'bin-entry.ts', loader: 'ts' },
      outfile: path.join(staging, 'cli.js'),
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20.19',
      minify: true,
      // Linked: `AKS_KEYVAULT_CSI_DEBUG` loads the bundle with Node's own source-map support;
      // the crash path maps the printed stack itself (bin/load-bundle.cjs).
      sourcemap: 'linked',
      sourcesContent: false,
      external: EXTERNAL,
      // `await import(name)` of the clients becomes `require(name)`: Node 20.19 loads their ES
      // modules that way, and code compiled through vm.Script has no dynamic-import hook.
      supported: { 'dynamic-import': false },
      metafile: true,
      logLevel: 'silent',
    });
    // The background writer's thread (lib/background-writer.ts): a file of its own, beside the bundle.
    const worker = esbuild.buildSync({
      absWorkingDir: ROOT,
      entryPoints: ['lib/write-worker.ts'],
      outfile: path.join(staging, 'write-worker.js'),
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20.19',
      minify: true,
      metafile: true,
      logLevel: 'silent',
    });
    const hash = crypto.createHash('sha256');
    for (const f of ['cli.js', 'write-worker.js']) hash.update(fs.readFileSync(path.join(staging, f)));
    const id = hash.digest('hex').slice(0, 16);
    const inputs = [...new Set([...Object.keys(result.metafile.inputs), ...Object.keys(worker.metafile.inputs)])]
      .filter((f) => !f.startsWith('node_modules/') && f !== 'bin-entry.ts')
      .concat(ALSO.filter((f) => fs.existsSync(path.join(ROOT, f))))
      .sort();
    const dir = path.join(OUT, id);
    try {
      fs.renameSync(staging, dir);
    } catch (e) {
      // The same bytes are there already (another run built them): keep those, and their cache.
      if (e.code !== 'ENOTEMPTY' && e.code !== 'EEXIST') throw e;
      fs.rmSync(staging, { recursive: true, force: true });
    }
    const stampTmp = `${STAMP}.${process.pid}`;
    fs.writeFileSync(stampTmp, `${JSON.stringify({ id, startedMs, builtBy: 'scripts/build.cjs (esbuild)', inputs }, null, 1)}\n`);
    fs.renameSync(stampTmp, STAMP);
    removeOldBuilds(id);
    return current();
  } catch (e) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw e;
  }
}

/**
 * Removes the builds other than `keep` (and the files of the earlier SWC build), and staging
 * folders left by a build that died more than ten minutes ago. A run that started from an old
 * build already holds its code; it only loses its code cache write.
 */
function removeOldBuilds(keep) {
  for (const name of fs.readdirSync(OUT)) {
    const file = path.join(OUT, name);
    if (name === keep || name === 'BUILD.json') continue;
    if (name.startsWith('staging-') || name.startsWith('BUILD.json.')) {
      try {
        if (Date.now() - fs.statSync(file).mtimeMs < 10 * 60_000) continue;
      } catch {
        continue;
      }
    }
    fs.rmSync(file, { recursive: true, force: true });
  }
}

/** The current build, rebuilt first when stale. */
function freshBuild() {
  const b = current();
  return isFresh(b) ? b : build();
}

module.exports = { build, current, freshBuild, isFresh, OUT, ROOT };

if (require.main === module) {
  const b = build();
  if (!process.argv.includes('--quiet')) {
    const size = (f) => `${(fs.statSync(f).size / 1e6).toFixed(1)} MB`;
    console.log(`bundled ${b.inputs.length} project files into ${path.relative(ROOT, b.bundle)} (${size(b.bundle)}, source map ${size(`${b.bundle}.map`)})`);
  }
}
