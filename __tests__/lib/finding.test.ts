/**
 * lib/finding.ts: the one way findings of every command (check, drift, verify, rotation-test) are
 * printed and put in the `--json` problem shape, through the CLI's real Reporter.
 */
import { exitCodeOf, findingProblems, formatFinding, formatSummary, printFindings, summarize, type Finding, type Outcome } from '../../lib/finding';
import { captureReporter } from '../support/reporter';

const error: Finding = {
  severity: 'error',
  rule: 'csi-mount-sub-path',
  where: 'dist/dev/deployment-demo-app.yaml: spec.template.spec.containers[0].volumeMounts[0].subPath',
  message: 'a subPath mount is never rotated',
  fix: 'remove subPath',
};
const warning: Finding = {
  severity: 'warning',
  rule: 'mount-event',
  where: 'demo/demo-app-7c9d8f6b5-q8w2n',
  message: 'FailedMount earlier, the pod is ready now',
  fix: 'nothing to do',
};
const passed: Outcome = { severity: 'ok', rule: 'namespace', where: 'demo', message: 'namespace exists' };

describe('formatFinding', () => {
  test('a finding: [rule] where: message, then the fix indented below', () => {
    expect(formatFinding(error)).toBe(`[csi-mount-sub-path] ${error.where}: a subPath mount is never rotated\n        fix: remove subPath`);
  });

  test('a pass has no fix line', () => {
    expect(formatFinding(passed)).toBe('[namespace] demo: namespace exists');
  });

  test("a detail (a drift's diff) keeps its lines, indented between the message and the fix; each line is made safe", () => {
    const drift: Finding = { ...error, rule: 'drift', detail: '--- a\n+++ b\n-x\u001b[2J\n+y', fix: 'run synth' };
    expect(formatFinding(drift).split('\n')).toEqual([
      `[drift] ${error.where}: a subPath mount is never rotated`,
      '        --- a',
      '        +++ b',
      '        -x\\x1b[2J',
      '        +y',
      '        fix: run synth',
    ]);
  });
});

describe('printFindings', () => {
  test('errors and warnings go to stderr with their label, passes to stdout as ok', () => {
    const c = captureReporter();
    printFindings(c.reporter, [passed, error, warning]);
    expect(c.out()).toBe('ok [namespace] demo: namespace exists\n');
    expect(c.err()).toBe(`error ${formatFinding(error)}\nwarning ${formatFinding(warning)}\n`);
  });

  test('--quiet keeps errors and warnings and drops passes; --json prints nothing (the document carries them)', () => {
    const quiet = captureReporter({ quiet: true });
    printFindings(quiet.reporter, [passed, error, warning]);
    expect(quiet.out()).toBe('');
    expect(
      quiet
        .err()
        .split('\n')
        .filter((l) => /^(error|warning) /.test(l)),
    ).toHaveLength(2);
    const json = captureReporter({ json: true });
    printFindings(json.reporter, [passed, error, warning]);
    expect(json.out() + json.err()).toBe('');
  });
});

describe('findingProblems', () => {
  test('only errors, split into file and path at the first ": ", the rule and fix in the message', () => {
    expect(
      findingProblems([
        passed,
        warning,
        error,
        { ...error, rule: 'spc-drift', where: 'demo/demo-app-keyvault', message: 'spec.provider: rendered "azure", live "vault"', fix: 're-apply' },
      ]),
    ).toEqual([
      {
        file: 'dist/dev/deployment-demo-app.yaml',
        path: 'spec.template.spec.containers[0].volumeMounts[0].subPath',
        message: '[csi-mount-sub-path] a subPath mount is never rotated; fix: remove subPath',
      },
      { file: 'demo/demo-app-keyvault', path: '', message: '[spc-drift] spec.provider: rendered "azure", live "vault"; fix: re-apply' },
    ]);
  });
});

describe('summary and exit code', () => {
  test('count passes, failures and warnings; only an error fails the run', () => {
    expect(summarize([passed, passed, error, warning])).toEqual({ passed: 2, failed: 1, warnings: 1 });
    expect(formatSummary([passed, warning])).toBe('1 passed, 0 failed, 1 warnings');
    expect(exitCodeOf([passed, warning])).toBe(0);
    expect(exitCodeOf([passed, warning, error])).toBe(1);
  });
});
