'use strict';
/**
 * Loads the command's bundle (scripts/build.cjs) with V8's code cache: Node 20 has no module
 * compile cache, so the bundle is compiled through `vm.Script` with the `cachedData` a previous
 * run wrote next to it (`script.createCachedData()` after the run: the functions that run
 * compiled, not only the top level). A cache V8 rejects (another Node version or V8 flags) or
 * cannot read is ignored and written again; one that cannot be written (a read-only install) is
 * simply not written.
 *
 * Source maps cost on every stack trace cdktf captures (one per token), so they stay off; a stack
 * printed by the crash path (exit 70) has its bundle positions mapped to the TypeScript sources
 * through the bundle's source map here. Node 20 applies its own source-map support
 * (`process.setSourceMapsEnabled`, `--enable-source-maps`) only to modules its loader compiled,
 * not to a `vm.Script`; with AKS_KEYVAULT_CSI_DEBUG set, the bundle is loaded that way instead,
 * with source maps on and no code cache.
 */
const fs = require('node:fs');
const Module = require('node:module');
const path = require('node:path');
const vm = require('node:vm');

// The CommonJS wrapper on a line of its own (lineOffset -1), so positions are the file's.
const HEAD = '(function (exports, require, module, __filename, __dirname) {\n';
const TAIL = '\n})';

/**
 * Compiles and runs the bundle of `build` (`{ bundle, dir }` from scripts/build.cjs) for the
 * command line `argv`. Returns its `main`, the `io` to pass it (the process streams, stack
 * traces mapped on stderr), `done` to call with the exit code (writes the code cache when
 * there was none), and `mapStack`.
 */
function loadBundle(build, argv = process.argv.slice(2), env = process.env) {
  const file = build.bundle;
  if (env.AKS_KEYVAULT_CSI_DEBUG) {
    process.setSourceMapsEnabled(true);
    const { main } = require(file);
    return { main, io: undefined, done: () => undefined, mapStack: (text) => text };
  }
  const source = fs.readFileSync(file, 'utf8');
  // One cache per command: each holds what its command compiled (`synth` compiles cdktf's and
  // cdk8s's code, `--help` almost none of it). A run that fails early compiles less, so its
  // cache is "partial" and the next successful run of the command writes the full one.
  const word = argv.find((a) => !a.startsWith('-'));
  const asksHelp = argv.some((a) => ['--help', '-h', '--version', '-V', 'help'].includes(a));
  const command = word !== undefined && !asksHelp && /^[a-z][a-z-]{0,30}$/.test(word) ? word : 'help';
  const full = path.join(build.dir, `${command}.cache`);
  const partial = path.join(build.dir, `${command}.partial.cache`);
  let used;
  let cachedData;
  for (const f of [full, partial]) {
    try {
      cachedData = fs.readFileSync(f);
      used = f;
      break;
    } catch {
      // none yet
    }
  }
  const script = new vm.Script(HEAD + source + TAIL, { filename: file, lineOffset: -1, ...(cachedData ? { cachedData } : {}) });
  const module = { exports: {} };
  script.runInThisContext().call(module.exports, module.exports, Module.createRequire(file), module, file, path.dirname(file));
  const { main, processIo, commandNames } = module.exports;
  const mapStack = (text) => mapBundleFrames(text, file);
  const io = { ...processIo(), err: (text) => process.stderr.write(mapStack(text)) };
  const done = (code) => {
    const fresh = used === undefined || script.cachedDataRejected === true;
    const target = code === 0 ? (fresh || used !== full ? full : undefined) : fresh ? partial : undefined;
    // Only for the program's commands (and `help`): a mistyped command leaves no file behind.
    if (target !== undefined && (command === 'help' || commandNames().includes(command))) writeAtomically(target, () => script.createCachedData());
  };
  return { main, io, done, mapStack };
}

/** Writes `file` through a temporary name and a rename, so no reader sees half of it; errors ignored. */
function writeAtomically(file, data) {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(tmp, data());
    fs.renameSync(tmp, file);
  } catch {
    fs.rmSync(tmp, { force: true });
  }
}

/**
 * `text` with every position in the bundle (`<bundle>:line:column`) replaced by the TypeScript
 * source's, and a stack frame's minified function name by the name its caller used (read at
 * the caller's position, as Node's own source-map support does). Reads the map only when `text`
 * names the bundle.
 */
function mapBundleFrames(text, bundle) {
  if (!text.includes(bundle)) return text;
  let map;
  try {
    map = new Module.SourceMap(JSON.parse(fs.readFileSync(`${bundle}.map`, 'utf8')));
  } catch {
    return text;
  }
  const at = (line, column) => {
    const e = map.findEntry(Number(line) - 1, Number(column) - 1);
    return e && e.originalSource !== undefined ? e : undefined;
  };
  const where = (e) => `${path.resolve(path.dirname(bundle), e.originalSource)}:${e.originalLine + 1}:${e.originalColumn + 1}`;
  const position = new RegExp(`${bundle.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:(\\d+):(\\d+)`);
  const frame = new RegExp(`^(\\s+at (?:async )?)(?:(.+?) \\()?${position.source}(\\)?)$`);
  const lines = text.split('\n');
  return lines
    .map((line, i) => {
      const f = frame.exec(line);
      if (f === null) return line.replace(new RegExp(position.source, 'g'), (whole, l, c) => (at(l, c) ? where(at(l, c)) : whole));
      const [, prefix, name, l, c, close] = f;
      const entry = at(l, c);
      if (entry === undefined) return line;
      const caller = frame.exec(lines[i + 1] ?? '');
      const called = caller ? at(caller[3], caller[4])?.name : undefined;
      const shown = name === undefined ? undefined : called !== undefined ? name.replace(/[^.\s]+$/, called) : name;
      return shown === undefined ? `${prefix}${where(entry)}${close}` : `${prefix}${shown} (${where(entry)})`;
    })
    .join('\n');
}

module.exports = { loadBundle, mapBundleFrames };
