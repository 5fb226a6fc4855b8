/**
 * verify/findings.ts: the live checks build outcomes in lib/finding.ts's shape, and may report
 * only the severities their catalogue entry (verify/rules.ts) allows. The `@ts-expect-error`
 * lines are checked by `tsc --noEmit` in `npm test`: they fail it if the catalogue stops refusing them.
 */
import { fail, pass, warn } from '../../verify/findings';

test('fail, warn and pass build the one finding shape', () => {
  expect(fail('namespace', 'demo', 'namespace does not exist', 'apply the rendered manifests')).toStrictEqual({
    severity: 'error',
    rule: 'namespace',
    where: 'demo',
    message: 'namespace does not exist',
    fix: 'apply the rendered manifests',
  });
  expect(warn('driver-version', 'kube-system/d', 'names no version', 'read the digest')).toStrictEqual({
    severity: 'warning',
    rule: 'driver-version',
    where: 'kube-system/d',
    message: 'names no version',
    fix: 'read the digest',
  });
  expect(pass('pods', 'demo/p', 'Running and Ready')).toStrictEqual({ severity: 'ok', rule: 'pods', where: 'demo/p', message: 'Running and Ready' });
});

test('a check reports only the severities its catalogue entry allows (compile-time)', () => {
  // @ts-expect-error driver-version is a warning in verify/rules.ts: it never fails the run.
  fail('driver-version', 'kube-system/d', 'm', 'f');
  // @ts-expect-error namespace is an error in verify/rules.ts: it never only warns.
  warn('namespace', 'demo', 'm', 'f');
  // @ts-expect-error an id outside the catalogue.
  pass('no-such-check', 'demo', 'm');
  expect(fail('mount-event', 'demo/p', 'm', 'f').severity).toBe('error');
  expect(warn('mount-event', 'demo/p', 'm', 'f').severity).toBe('warning');
});
