/**
 * CPU profiles of our synth (`node --cpu-prof bin/aks-keyvault-csi.cjs synth`) over the example
 * environments and over the full generated configuration (20 × 25 × 4), summarised by module
 * group, by function, and by pipeline phase (inclusive time).
 *
 *   tsx bench/profile.ts [--keep]
 *
 * One warm-up run per case first (fills tsx's transform cache, as in everyday use). Profiles and
 * the summary go to .bench/profiles/.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { generateLargeConfig } from './generate';
import { summarise, type CpuProfile, type PhaseMatcher, type ProfileSummary } from './profile-summary';
import { BIN, cleanOutputs, QUIET_ENV, REPO, Workspace } from './workspace';

type Frame = { functionName: string; url: string };
const fn =
  (name: string, urlPart = '') =>
  (f: Frame) =>
    f.functionName === name && f.url.includes(urlPart);

/** Pipeline phases, as inclusive time (a sample counts for a phase when the phase's function is on its stack). */
export const PHASES: Record<string, PhaseMatcher> = {
  // The entry script itself runs inside one Module._load: count only nested require() calls.
  'require() of modules (load + compile + initialise)': { frame: fn('Module._load', 'node:internal/modules/cjs'), atLeast: 2 },
  '  source maps (parse maps of loaded modules, map stack traces)': (f) => f.url.startsWith('node:internal/source_map'),
  'command action (synth)': (f) => f.url.endsWith('/cli/commands/synth.ts') && f.functionName !== 'register',
  '  loadEnvironments': fn('loadEnvironments'),
  '    parseEnvironment (yaml + zod)': fn('parseEnvironment'),
  '  synthEnvironments': fn('synthEnvironments'),
  '    loadOutputs': fn('loadOutputs'),
  '    buildTerraformApp (construct tree)': fn('buildTerraformApp'),
  '    cdktf App.synth': (f) => f.functionName === 'synth' && /\/cdktf\/lib\/app\.js$/.test(f.url),
  '    renderEnvironment (cdk8s + yaml stringify)': fn('renderEnvironment'),
  '    trust-chain check: re-parse YAML (parseAllDocuments)': fn('parseAllDocuments'),
  '    checkTrustChain': fn('checkTrustChain'),
  '    writes (lib/write.ts: plan, stage, commit)': (f) => /\/lib\/write\.(js|ts)$/.test(f.url),
  'garbage collector': (f) => f.functionName === '(garbage collector)',
};

function profileOnce(cwd: string, out: string): string {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  cleanOutputs(cwd);
  const r = spawnSync(process.execPath, ['--cpu-prof', '--cpu-prof-dir', out, '--cpu-prof-interval', '200', BIN, 'synth'], {
    cwd,
    env: { ...process.env, ...QUIET_ENV },
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`synth failed in ${cwd} (exit ${r.status}):\n${r.stderr}\n${r.stdout}`);
  // CPU.<date>.<time>.<pid>.<thread id>.<seq>.cpuprofile: thread 0 is the main thread (the
  // background writer's thread writes its own profile, which is not summarised).
  const files = readdirSync(out).filter((f) => /^CPU\.\d+\.\d+\.\d+\.0\.\d+\.cpuprofile$/.test(f));
  if (files.length !== 1) throw new Error(`expected one main-thread profile in ${out}, found ${readdirSync(out).join(', ') || 'none'}`);
  return path.join(out, files[0]);
}

function print(title: string, s: ProfileSummary): string {
  const ms = (v: number) => `${v.toFixed(0).padStart(6)} ms ${((v / s.totalMs) * 100).toFixed(1).padStart(5)}%`;
  const lines = [`## ${title}: ${s.totalMs.toFixed(0)} ms profiled`, '', 'Self time by module group:'];
  for (const g of s.byGroup.slice(0, 14)) lines.push(`  ${ms(g.selfMs)}  ${g.group}`);
  lines.push('', 'Inclusive time by phase:');
  for (const p of s.inclusive) lines.push(`  ${ms(p.ms)}  ${p.label}`);
  lines.push('', 'Top functions by self time:');
  for (const f of s.byFunction) lines.push(`  ${ms(f.selfMs)}  ${f.fn}  [${f.group}]`);
  return lines.join('\n');
}

function main(): void {
  const keep = process.argv.includes('--keep');
  const ws = new Workspace();
  const dest = path.join(REPO, '.bench', 'profiles');
  mkdirSync(dest, { recursive: true });
  try {
    const cases = [
      { id: 'synth-examples', cwd: ws.examples() },
      { id: 'large-full', cwd: ws.generated('large-full', generateLargeConfig({ environments: 20 })) },
    ];
    const report: string[] = [];
    const summaries: Record<string, ProfileSummary> = {};
    for (const c of cases) {
      process.stderr.write(`profiling ${c.id} ...\n`);
      profileOnce(c.cwd, path.join(ws.root, 'warm-up'));
      const file = profileOnce(c.cwd, path.join(ws.root, `prof-${c.id}`));
      const target = path.join(dest, `${c.id}.cpuprofile`);
      renameSync(file, target);
      const s = summarise(JSON.parse(readFileSync(target, 'utf8')) as CpuProfile, REPO, PHASES, 25);
      summaries[c.id] = s;
      report.push(print(c.id, s));
    }
    writeFileSync(path.join(dest, 'summary.json'), `${JSON.stringify(summaries, null, 2)}\n`);
    process.stdout.write(`${report.join('\n\n')}\n\nprofiles: ${path.relative(process.cwd(), dest)}/ (open a .cpuprofile in Chrome DevTools > Performance)\n`);
  } finally {
    if (keep) process.stderr.write(`kept ${ws.root}\n`);
    else ws.dispose();
  }
}

main();
