/**
 * `npm run bench`: wall time and peak memory of the project's jobs, in one run.
 *
 *   tsx bench/run.ts [--quick] [--runs N] [--test-runs N] [--skip-tests] [--skip-large] [--only ID,...] [--keep]
 *
 * Cases (each: one untimed warm-up run, then N timed runs; median, min-max, peak RSS):
 * - baseline-node      `node -e ""`: process start-up, the unit of the "× node" column;
 * - baseline-help      `node bin/aks-keyvault-csi.cjs --help`: start-up of our command (tsx hook, commander);
 * - synth-examples     `node bin/aks-keyvault-csi.cjs synth` over a copy of environments/ (what
 *                      `npm run synth` runs, without npm's own start-up);
 * - cli-route          `npx cdktf synth` then `npx cdk8s synth` in a copy of the project;
 * - verify-unreachable `verify dev` against a kubeconfig pointing at a closed port: how fast a
 *                      user without a reachable cluster hears so (measured here, not asserted in
 *                      a test: wall-clock assertions fail on a loaded host);
 * - large-one/quarter/half/full  our synth over 1 environment × 1 workload (the fixed cost of a
 *                      run) and 5/10/20 generated environments × 25 workloads × 4 objects, in
 *                      interleaved rounds (one run of each size per round);
 * - tests              `npm test` in the repository (tsc --noEmit, then jest).
 * Everything but the tests runs in a temporary folder; the repository's outputs are never touched.
 * Budgets are reported, never enforced; the exit code is 1 only when a measured command failed.
 * Results go to .bench/results-<time>.json (and .bench/latest.json) with the machine's facts.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DEFAULT_OBJECTS, DEFAULT_WORKLOADS, generateLargeConfig, LARGE_SIZES } from './generate';
import { Runner, stats, type Failure, type Sample, type Stats, type Step } from './measure';
import { BIN, cleanOutputs, QUIET_ENV, REPO, Workspace } from './workspace';

interface Options {
  readonly runs: number;
  readonly testRuns: number;
  readonly skipTests: boolean;
  readonly skipLarge: boolean;
  readonly only: readonly string[] | undefined;
  readonly keep: boolean;
  readonly variants: boolean;
}

const USAGE = `usage: tsx bench/run.ts [--quick] [--runs N] [--test-runs N] [--skip-tests] [--skip-large] [--only ID,...] [--variants] [--keep]
  --quick        3 timed runs per case and no test-suite case
  --runs N       timed runs per case after one warm-up (default 5; baselines take at least 10)
  --test-runs N  timed runs of "npm test" (default: --runs)
  --skip-tests   leave out "npm test";  --skip-large  leave out the generated configurations
  --only IDS     only these cases (comma-separated ids; the baseline always runs)
  --variants     also time the sources run through tsx (bench/launch-tsx.cjs), as the bin
                 does where the bundle cannot be made, on the examples and the full size
  --keep         keep the temporary folder (printed) for inspection`;

function parseArgs(argv: readonly string[]): Options {
  let runs = 5;
  let testRuns: number | undefined;
  let skipTests = false;
  let skipLarge = false;
  let only: string[] | undefined;
  let keep = false;
  let variants = false;
  const count = (flag: string, v: string | undefined) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) usage(`${flag} takes a whole number of runs, got ${JSON.stringify(v ?? '')}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') {
      runs = 3;
      skipTests = true;
    } else if (a === '--runs') runs = count(a, argv[++i]);
    else if (a === '--test-runs') testRuns = count(a, argv[++i]);
    else if (a === '--skip-tests') skipTests = true;
    else if (a === '--skip-large') skipLarge = true;
    else if (a === '--only') only = (argv[++i] ?? '').split(',').filter(Boolean);
    else if (a === '--keep') keep = true;
    else if (a === '--variants') variants = true;
    else if (a === '--help' || a === '-h') {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    } else usage(`unknown argument ${JSON.stringify(a)}`);
  }
  return { runs, testRuns: testRuns ?? runs, skipTests, skipLarge, only, keep, variants };
}

function usage(message: string): never {
  process.stderr.write(`bench: ${message}\n${USAGE}\n`);
  process.exit(2);
}

interface CaseDef {
  readonly id: string;
  readonly label: string;
  readonly steps: readonly Step[];
  readonly runs: number;
  /** Untimed, before every run (warm-up included). */
  readonly before?: () => void;
  /** Total workloads synthesized, for the per-workload cost. */
  readonly workloads?: number;
  /**
   * Cases of one group are measured in interleaved rounds (one run of each, then the next
   * round), so a slow stretch of the host falls on every size alike instead of on one of them.
   */
  readonly group?: string;
}

interface CaseResult {
  readonly id: string;
  readonly label: string;
  readonly command: string;
  readonly runs: number;
  readonly samples: readonly Sample[];
  readonly wall?: Stats;
  readonly stepMedians?: readonly { readonly label: string; readonly median: number }[];
  /** Largest max RSS over the timed runs, in MB (10^6 bytes). */
  readonly peakMB?: number;
  readonly workloads?: number;
  readonly failure?: Failure;
}

const log = (line: string) => process.stderr.write(`${line}\n`);

function commandOf(c: CaseDef): string {
  return c.steps
    .map((s) => [s.command === process.execPath ? 'node' : s.command, ...s.args.map((a) => (a === BIN ? 'bin/aks-keyvault-csi.cjs' : a))].join(' '))
    .join(' && ');
}

/**
 * One untimed warm-up run of each case, then `runs` timed rounds; a round runs each case once,
 * in order. With a single case this is simply warm-up + N runs.
 */
function measureCases(runner: Runner, cases: readonly CaseDef[]): CaseResult[] {
  const samples = new Map<string, Sample[]>(cases.map((c) => [c.id, []]));
  const failures = new Map<string, Failure>();
  const rounds = Math.max(...cases.map((c) => c.runs));
  for (let i = 0; i <= rounds; i++) {
    for (const c of cases) {
      if (failures.has(c.id) || i > c.runs) continue;
      c.before?.();
      const { sample, failure } = runner.runOnce(c.steps);
      if (failure) {
        log(`  ${c.id}: FAILED (${failure.step}, exit ${failure.exitCode ?? failure.signal})\n${failure.tail.replace(/^/gm, '    | ')}`);
        failures.set(c.id, failure);
        continue;
      }
      // Run 0 is the warm-up: it fills the tsx and jest caches and the OS file cache.
      if (i > 0) samples.get(c.id)!.push(sample!);
      const failed = sample!.exitCodes.filter((x) => x !== 0);
      log(
        `  ${c.id} ${i === 0 ? 'warm-up' : `run ${i}/${c.runs}`}: ${sample!.wall.toFixed(3)} s${sample!.maxRssKiB !== undefined ? `, ${toMB(sample!.maxRssKiB).toFixed(0)} MB` : ''}${failed.length > 0 ? ` (exit ${failed.join(', ')}: timed anyway)` : ''}`,
      );
    }
  }
  return cases.map((c) => {
    const got = samples.get(c.id)!;
    const base = { id: c.id, label: c.label, command: commandOf(c), runs: got.length, samples: got, ...(c.workloads ? { workloads: c.workloads } : {}) };
    const failure = failures.get(c.id);
    if (failure) return { ...base, failure };
    const rss = got.map((x) => x.maxRssKiB).filter((v): v is number => v !== undefined);
    return {
      ...base,
      wall: stats(got.map((x) => x.wall)),
      ...(c.steps.length > 1 ? { stepMedians: c.steps.map((st, k) => ({ label: st.label, median: stats(got.map((x) => x.steps[k])).median })) } : {}),
      ...(rss.length > 0 ? { peakMB: toMB(Math.max(...rss)) } : {}),
    };
  });
}

const toMB = (kib: number) => (kib * 1024) / 1e6;

/** A kubeconfig whose cluster is a closed local port: the API server refuses the connection at once. */
function unreachableKubeconfig(dir: string): string {
  const file = path.join(dir, 'kubeconfig-unreachable');
  writeFileSync(
    file,
    'apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: https://127.0.0.1:1\ncontexts:\n- name: c\n  context:\n    cluster: c\n    user: u\ncurrent-context: c\nusers:\n- name: u\n  user:\n    token: t\n',
  );
  return file;
}

function buildCases(options: Options, ws: Workspace): CaseDef[] {
  const node = process.execPath;
  const examples = ws.examples();
  const project = ws.project();
  const baselineRuns = Math.max(options.runs, 10);
  // The bin runs the esbuild bundle in .build/; the variant runs the same sources through tsx, as
  // the bin does where the build cannot be made.
  const variantsOf = (id: string, label: string, cwd: string, workloads: number): CaseDef[] =>
    options.variants
      ? [
          {
            id: `${id}-tsx`,
            label: `    ${label}: sources through tsx (no build)`,
            runs: options.runs,
            before: () => cleanOutputs(cwd),
            steps: [{ label: 'synth', command: node, args: [path.join(__dirname, 'launch-tsx.cjs'), 'synth'], cwd, env: QUIET_ENV }],
            workloads,
          },
        ]
      : [];
  const cases: CaseDef[] = [
    {
      id: 'baseline-node',
      label: 'baseline: node -e ""',
      runs: baselineRuns,
      steps: [{ label: 'node', command: node, args: ['-e', ''], cwd: examples, env: QUIET_ENV }],
    },
    {
      id: 'baseline-help',
      label: 'baseline: our bin --help',
      runs: baselineRuns,
      steps: [{ label: 'help', command: node, args: [BIN, '--help'], cwd: examples, env: QUIET_ENV }],
    },
    {
      id: 'synth-examples',
      label: '(1) synth, examples (node bin)',
      runs: options.runs,
      before: () => cleanOutputs(examples),
      steps: [{ label: 'synth', command: node, args: [BIN, 'synth'], cwd: examples, env: QUIET_ENV }],
      workloads: 3,
    },
    ...variantsOf('synth-examples', '(1) synth, examples', examples, 3),
    {
      id: 'cli-route',
      label: '(2) npx cdktf synth + npx cdk8s synth',
      runs: options.runs,
      before: () => cleanOutputs(project),
      steps: [
        { label: 'npx cdktf synth', command: 'npx', args: ['cdktf', 'synth'], cwd: project, env: QUIET_ENV },
        { label: 'npx cdk8s synth', command: 'npx', args: ['cdk8s', 'synth'], cwd: project, env: QUIET_ENV },
      ],
      workloads: 3,
    },
    {
      id: 'verify-unreachable',
      label: 'verify, cluster unreachable (time to fail, exit 2)',
      runs: options.runs,
      steps: [
        {
          label: 'verify',
          command: node,
          args: [BIN, 'verify', 'dev'],
          cwd: examples,
          env: { ...QUIET_ENV, KUBECONFIG: unreachableKubeconfig(examples) },
          tolerateFailure: true,
        },
      ],
    },
  ];
  if (!options.skipLarge) {
    // The start-up and per-run fixed cost: one environment with one workload of the same shape.
    const one = ws.generated('large-one', generateLargeConfig({ environments: 1, workloadsPerEnvironment: 1 }));
    cases.push({
      id: 'large-one',
      label: `(3) synth, 1 env × 1 wl × ${DEFAULT_OBJECTS} obj (fixed cost)`,
      runs: options.runs,
      before: () => cleanOutputs(one),
      steps: [{ label: 'synth', command: node, args: [BIN, 'synth'], cwd: one, env: QUIET_ENV }],
      workloads: 1,
      group: 'large',
    });
    const all = generateLargeConfig({ environments: Math.max(...LARGE_SIZES.map((s) => s.environments)) });
    for (const size of LARGE_SIZES) {
      // Smaller sets are prefixes of the full one (two files per environment).
      const dir = ws.generated(`large-${size.id}`, all.slice(0, size.environments * 2));
      cases.push({
        id: `large-${size.id}`,
        label: `(3) synth, ${size.environments} env × ${DEFAULT_WORKLOADS} wl × ${DEFAULT_OBJECTS} obj`,
        runs: options.runs,
        before: () => cleanOutputs(dir),
        steps: [{ label: 'synth', command: node, args: [BIN, 'synth'], cwd: dir, env: QUIET_ENV }],
        workloads: size.environments * DEFAULT_WORKLOADS,
        group: 'large',
      });
      if (size.id === 'full') cases.push(...variantsOf('large-full', '(3) full size', dir, size.environments * DEFAULT_WORKLOADS));
    }
  }
  if (!options.skipTests) {
    cases.push({
      id: 'tests',
      label: '(4) npm test (prettier, tsc --noEmit, eslint, jest)',
      runs: options.testRuns,
      steps: [{ label: 'npm test', command: 'npm', args: ['test', '--silent'], cwd: REPO, env: QUIET_ENV, tolerateFailure: true }],
    });
  }
  return cases.filter((c) => c.id === 'baseline-node' || options.only === undefined || options.only.includes(c.id));
}

interface Budget {
  readonly what: string;
  readonly limit: string;
  readonly value: string;
  readonly ok: boolean | undefined;
}

interface Analysis {
  readonly vsBaseline: Record<string, number>;
  readonly routeVsSynth?: number;
  /** Median of each prototype variant / median of the case it varies. */
  readonly variantsVsBase: Record<string, number>;
  /** Median wall / workloads (start-up included). */
  readonly perWorkloadMs: Record<string, number>;
  /** (median − median of the one-workload case) / (workloads − 1): start-up excluded. */
  readonly perWorkloadNetMs: Record<string, number>;
  readonly perWorkloadFullOverQuarter?: number;
  readonly perWorkloadNetFullOverQuarter?: number;
  readonly budgets: readonly Budget[];
}

function analyse(results: readonly CaseResult[]): Analysis {
  const by = (id: string) => results.find((r) => r.id === id && r.wall !== undefined);
  const base = by('baseline-node');
  const vsBaseline: Record<string, number> = {};
  for (const r of results) if (base?.wall && r.wall) vsBaseline[r.id] = r.wall.median / base.wall.median;
  const synth = by('synth-examples');
  const route = by('cli-route');
  const perWorkloadMs: Record<string, number> = {};
  for (const r of results) if (/^large-(quarter|half|full)$/.test(r.id) && r.wall && r.workloads) perWorkloadMs[r.id] = (r.wall.median / r.workloads) * 1000;
  const full = by('large-full');
  const ratio =
    perWorkloadMs['large-full'] !== undefined && perWorkloadMs['large-quarter'] !== undefined
      ? perWorkloadMs['large-full'] / perWorkloadMs['large-quarter']
      : undefined;
  // Per-workload cost without the fixed cost of a run (process start-up, module load, the
  // cdktf app): each size's median less the one-workload case's median, over the workloads added.
  const one = by('large-one');
  const perWorkloadNetMs: Record<string, number> = {};
  for (const r of results) {
    if (/^large-(quarter|half|full)$/.test(r.id) && r.wall && r.workloads && one?.wall && one.workloads !== undefined) {
      perWorkloadNetMs[r.id] = ((r.wall.median - one.wall.median) / (r.workloads - one.workloads)) * 1000;
    }
  }
  const netRatio =
    perWorkloadNetMs['large-full'] !== undefined && perWorkloadNetMs['large-quarter']
      ? perWorkloadNetMs['large-full'] / perWorkloadNetMs['large-quarter']
      : undefined;
  const tests = by('tests');
  const s = (v: number) => `${v.toFixed(2)} s`;
  const budgets: Budget[] = [
    {
      what: '(1) synth examples: median wall',
      limit: '≤ 0.45 s',
      value: synth?.wall ? s(synth.wall.median) : 'not measured',
      ok: synth?.wall ? synth.wall.median <= 0.45 : undefined,
    },
    {
      what: '(1) synth examples: peak RSS',
      limit: '≤ 120 MB',
      value: synth?.peakMB !== undefined ? `${synth.peakMB.toFixed(0)} MB` : 'not measured',
      ok: synth?.peakMB !== undefined ? synth.peakMB <= 120 : undefined,
    },
    {
      what: '(3) full size (20 env): median wall',
      limit: '≤ 3 s',
      value: full?.wall ? s(full.wall.median) : 'not measured',
      ok: full?.wall ? full.wall.median <= 3 : undefined,
    },
    // A budget bounds cost from above: at most 25% more per workload at full size than at a
    // quarter (no worse than linear). Below 1 is cheaper at scale (JIT warm-up and start-up work
    // spread over more workloads), reported as such rather than as a miss.
    {
      what: '(3) per-workload cost at full size vs quarter size, fixed cost (1 env × 1 workload) excluded',
      limit: '≤ 1.25×: no worse than linear',
      value: netRatio !== undefined ? `${netRatio.toFixed(2)}×${netRatio < 0.75 ? ' (cheaper per workload at full size)' : ''}` : 'not measured',
      ok: netRatio !== undefined ? netRatio <= 1.25 : undefined,
    },
    {
      what: '(4) npm test: median wall',
      limit: '≤ 60 s',
      value: tests?.wall ? s(tests.wall.median) : 'not measured',
      ok: tests?.wall ? tests.wall.median <= 60 : undefined,
    },
  ];
  const variantsVsBase: Record<string, number> = {};
  for (const r of results) {
    const of = by(r.id.replace(/-tsx$/, ''));
    if (of && of.id !== r.id && r.wall && of.wall) variantsVsBase[r.id] = r.wall.median / of.wall.median;
  }
  return {
    vsBaseline,
    variantsVsBase,
    ...(synth?.wall && route?.wall ? { routeVsSynth: route.wall.median / synth.wall.median } : {}),
    perWorkloadMs,
    perWorkloadNetMs,
    ...(ratio !== undefined ? { perWorkloadFullOverQuarter: ratio } : {}),
    ...(netRatio !== undefined ? { perWorkloadNetFullOverQuarter: netRatio } : {}),
    budgets,
  };
}

function table(rows: readonly (readonly string[])[], right: readonly boolean[]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const line = (r: readonly string[]) =>
    r
      .map((c, i) => (right[i] ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

function report(results: readonly CaseResult[], a: Analysis, memory: string): string {
  const rows: string[][] = [['case', 'runs', 'median s', 'min-max s', 'peak MB', '× node', 'ms/workload', 'net ms/wl']];
  for (const r of results) {
    if (!r.wall) {
      rows.push([r.label, String(r.runs), 'FAILED', `${r.failure?.step ?? ''} exit ${r.failure?.exitCode ?? r.failure?.signal ?? '?'}`, '', '', '', '']);
      continue;
    }
    rows.push([
      r.samples.some((x) => x.exitCodes.some((e) => e !== 0)) ? `${r.label} [exit≠0 in some runs]` : r.label,
      String(r.runs),
      r.wall.median.toFixed(3),
      `${r.wall.min.toFixed(3)}-${r.wall.max.toFixed(3)}`,
      r.peakMB !== undefined ? r.peakMB.toFixed(0) : 'n/a',
      a.vsBaseline[r.id] !== undefined ? a.vsBaseline[r.id].toFixed(1) : '',
      a.perWorkloadMs[r.id] !== undefined ? a.perWorkloadMs[r.id].toFixed(1) : '',
      a.perWorkloadNetMs[r.id] !== undefined ? a.perWorkloadNetMs[r.id].toFixed(1) : '',
    ]);
    for (const st of r.stepMedians ?? []) rows.push([`    ${st.label}`, '', st.median.toFixed(3), '', '', '', '', '']);
  }
  const out = [table(rows, [false, true, true, true, true, true, true, true])];
  out.push('');
  out.push(
    `peak MB: largest max RSS of a single process of the command (${memory}), 1 MB = 10^6 bytes; × node: median / median of "node -e \\"\\"" in this run.`,
  );
  out.push(
    'net ms/wl: (median − median of the 1-workload case) / (workloads − 1), the cost of a workload without the fixed cost of a run; the (3) cases run in interleaved rounds.',
  );
  out.push('Ratios:');
  for (const [id, v] of Object.entries(a.variantsVsBase)) out.push(`  ${id} / ${id.replace(/-tsx$/, '')}: ${v.toFixed(2)}×`);
  if (a.routeVsSynth !== undefined) out.push(`  (2) standard CLI route / (1) our synth: ${a.routeVsSynth.toFixed(2)}× (the same example environments)`);
  for (const [id, ms] of Object.entries(a.perWorkloadMs)) {
    const net = a.perWorkloadNetMs[id];
    out.push(
      `  ${id}: ${ms.toFixed(1)} ms per workload (median wall / workloads)${net !== undefined ? `; ${net.toFixed(1)} ms without the fixed cost ((median − large-one) / (workloads − 1))` : ''}`,
    );
  }
  if (a.perWorkloadFullOverQuarter !== undefined)
    out.push(
      `  per-workload cost full / quarter: ${a.perWorkloadFullOverQuarter.toFixed(2)}× with the fixed cost, ${a.perWorkloadNetFullOverQuarter?.toFixed(2) ?? 'n/a'}× without`,
    );
  out.push('Budgets (reported, not enforced):');
  for (const b of a.budgets) out.push(`  ${b.ok === undefined ? 'SKIP' : b.ok ? 'ok  ' : 'MISS'}  ${b.what}: ${b.value} (budget ${b.limit})`);
  return out.join('\n');
}

function gitFacts(): { commit: string | null; dirty: boolean | null } {
  try {
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: REPO, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain'], { cwd: REPO, encoding: 'utf8' }).trim() !== '';
    return { commit, dirty };
  } catch {
    return { commit: null, dirty: null };
  }
}

function main(): number {
  const options = parseArgs(process.argv.slice(2));
  const ws = new Workspace();
  const runner = new Runner();
  const started = new Date();
  const loadAtStart = os.loadavg();
  try {
    log(`bench: temporary folder ${ws.root}; memory via ${runner.method}`);
    const cases = buildCases(options, ws);
    const results: CaseResult[] = [];
    const done = new Set<string>();
    for (const c of cases) {
      if (done.has(c.id)) continue;
      const batch = c.group === undefined ? [c] : cases.filter((x) => x.group === c.group);
      for (const x of batch) done.add(x.id);
      log(batch.length === 1 ? `${c.id}: ${c.label}` : `${batch.map((x) => x.id).join(', ')}: interleaved rounds`);
      results.push(...measureCases(runner, batch));
    }
    const analysis = analyse(results);
    const memory = runner.method === 'gnu-time' ? 'GNU time %M' : 'Node maxRSS probe, Node processes only';
    process.stdout.write(`\n${report(results, analysis, memory)}\n`);
    const load = (l: number[]) => l.map((v) => v.toFixed(2)).join(' ');
    process.stdout.write(
      `machine: ${os.cpus().length} CPUs, node ${process.version}; load average at start ${load(loadAtStart)}, at end ${load(os.loadavg())} (other work on the machine shows up as noise)\n`,
    );

    const cpus = os.cpus();
    const json = {
      tool: 'bench/run.ts',
      date: started.toISOString(),
      durationSeconds: (Date.now() - started.getTime()) / 1000,
      machine: {
        cpus: cpus.length,
        cpuModel: cpus[0]?.model ?? null,
        totalMemoryMB: Math.round(os.totalmem() / 1e6),
        platform: process.platform,
        arch: process.arch,
        release: os.release(),
        node: process.version,
        loadAverageAtStart: loadAtStart,
        loadAverageAtEnd: os.loadavg(),
      },
      git: gitFacts(),
      options,
      method: { wall: 'performance.now() around spawnSync, after one untimed warm-up run', memory, units: { wall: 's', peak: 'MB (10^6 bytes)' } },
      cases: results,
      analysis,
    };
    const dir = path.join(REPO, '.bench');
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `results-${started.toISOString().replace(/[-:]/g, '').replace(/\..*/, '')}.json`);
    writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`);
    copyFileSync(file, path.join(dir, 'latest.json'));
    process.stdout.write(`\nresults: ${path.relative(process.cwd(), file) || file} (and .bench/latest.json)\n`);
    return results.some((r) => r.failure) ? 1 : 0;
  } finally {
    runner.dispose();
    if (options.keep) log(`bench: kept ${ws.root}`);
    else ws.dispose();
  }
}

process.exitCode = main();
