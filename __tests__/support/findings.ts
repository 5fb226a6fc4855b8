/** Helpers for asserting on findings (lib/finding.ts) of any command. */
import type { Outcome } from '../../lib/finding';

/** The fix of a finding; fails the test when there is no finding, or it is a pass (which has none). */
export function fixOf(outcome: Outcome | undefined): string {
  if (outcome === undefined || outcome.severity === 'ok') throw new Error(`expected a finding with a fix, got ${JSON.stringify(outcome)}`);
  return outcome.fix;
}
