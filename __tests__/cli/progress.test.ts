/**
 * Progress: a line as each environment is rendered and checked (so ten environments do not
 * print nothing until all are done), and a progress bar on a terminal for runs over a second,
 * never with --json or --quiet, never when stdout is not a terminal. Clocks are fake.
 */
import { ProgressBar, PROGRESS_DELAY_MS } from '../../cli/progress';
import type { Io } from '../../cli/output';
import { runMain, tempProject } from './helpers';

const PROJECT = tempProject();
const CWD = PROJECT.dir;
afterAll(() => PROJECT.cleanup());

const BAR = '\r\u001b[K[';

/** A clock that moves `stepMs` every time it is read. */
function clock(stepMs: number): () => number {
  let t = 0;
  return () => (t += stepMs);
}

function memoryIo(isTTY: boolean): Io & { text: () => string } {
  let out = '';
  return { out: (s) => void (out += s), err: (s) => void (out += s), isTTY, env: {}, text: () => out };
}

describe('synth progress lines', () => {
  test('each environment is reported as it is rendered and as it is checked, before the run ends', async () => {
    const r = await runMain(['synth'], CWD);
    expect(r.code).toBe(0);
    const lines = r.stdout
      .trimEnd()
      .split('\n')
      .map((l) => l.replace(/\s+/g, ' '));
    const files = (env: string) => lines.find((l) => l.startsWith(`${env} rendered `))?.split(' ')[2];
    expect(lines).toEqual([
      'dev rendered 7 files',
      `engines rendered ${files('engines')} files`,
      `private rendered ${files('private')} files`,
      `prod rendered ${files('prod')} files`,
      'terraform synthesized 4 stack(s)',
      'dev terraform cdktf.out/stacks/dev/cdk.tf.json',
      'dev check ok',
      'engines terraform cdktf.out/stacks/engines/cdk.tf.json',
      'engines check ok',
      'private terraform cdktf.out/stacks/private/cdk.tf.json',
      'private check ok',
      'prod terraform cdktf.out/stacks/prod/cdk.tf.json',
      'prod check ok',
      'dev manifests dist/dev/ (7 files)',
      `engines manifests dist/engines/ (${files('engines')} files)`,
      `private manifests dist/private/ (${files('private')} files)`,
      `prod manifests dist/prod/ (${files('prod')} files)`,
      // The examples' fleets (output.gitops.fleet): prod and engines with Argo CD, private with Flux.
      'fleet argocd dist/fleet/argocd/ (1 file)',
      'fleet flux dist/fleet/flux/ (2 files)',
      expect.stringMatching(/^synthesized 4 environment\(s\) in \d+\.\d\ds$/) as string,
    ]);
    // Not a terminal: no bar, no carriage returns.
    expect(r.stdout).not.toContain('\r');
  });

  test('on a terminal, a run over a second shows a progress bar, cleared at the end', async () => {
    const r = await runMain(['synth'], CWD, {}, { isTTY: true, now: clock(400) });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`${BAR}####`);
    // Four example environments: rendered, synthesized, checked and written, 4 + 1 + 4 + 1 steps.
    expect(r.stdout).toMatch(/\] 10\/10 written/);
    // Cleared: the last bar is followed by a clear before the summary lines.
    const afterLastBar = r.stdout.slice(r.stdout.lastIndexOf(BAR) + 1);
    expect(afterLastBar).toMatch(/^\u001b\[K\[#+\] 10\/10 written\r\u001b\[K(dev|engines|private|prod) +manifests/);
  });

  test('on a terminal, a run under a second shows no bar', async () => {
    const r = await runMain(['synth'], CWD, {}, { isTTY: true, now: () => 0 });
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('\r');
  });

  test.each([['--json'], ['--quiet']])('never with %s, even on a terminal and a slow run', async (flag) => {
    const r = await runMain([flag, 'synth', '--env', 'dev'], CWD, {}, { isTTY: true, now: clock(5000) });
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('\r');
    if (flag === '--json') expect(() => JSON.parse(r.stdout) as unknown).not.toThrow();
    else expect(r.stdout).toBe('');
  });
});

describe('ProgressBar', () => {
  test(`appears only once the run has taken ${PROGRESS_DELAY_MS} ms`, () => {
    let t = 0;
    const io = memoryIo(true);
    const bar = new ProgressBar(io, { total: 4, enabled: true, now: () => t });
    t = PROGRESS_DELAY_MS - 1;
    bar.step('one');
    expect(io.text()).toBe('');
    t = PROGRESS_DELAY_MS;
    bar.step('two');
    expect(io.text()).toBe(`${BAR}##########----------] 2/4 two`);
  });

  test('a line printed meanwhile goes above the bar, which is drawn again after it', () => {
    const io = memoryIo(true);
    const bar = new ProgressBar(io, { total: 2, enabled: true, now: clock(PROGRESS_DELAY_MS) });
    bar.step('one');
    bar.around(() => io.out('a line\n'));
    bar.finish();
    expect(io.text()).toBe(`${BAR}##########----------] 1/2 one\r\u001b[Ka line\n${BAR}##########----------] 1/2 one\r\u001b[K`);
  });

  test('disabled: draws nothing', () => {
    const io = memoryIo(false);
    const bar = new ProgressBar(io, { total: 2, enabled: false, now: clock(PROGRESS_DELAY_MS) });
    bar.step('one');
    bar.around(() => io.out('a line\n'));
    bar.finish();
    expect(io.text()).toBe('a line\n');
  });
});
