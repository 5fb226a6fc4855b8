/**
 * The outcomes of the live checks (verify, rotation-test), in the one shape of lib/finding.ts.
 * Each check id is in the catalogue `VERIFY_RULES` (verify/rules.ts), which also says whether it
 * may fail the run, warn, or both: `fail` and `warn` accept only the ids that may.
 *
 * Pure: no IO. The command layer prints them and turns them into an exit code.
 */
import type { Finding, Passed, RulesReporting } from '../lib/finding';
import type { VERIFY_RULES } from './rules';

export type { Finding, Outcome, Passed } from '../lib/finding';

type VerifyRules = typeof VERIFY_RULES;
export type VerifyRuleId = keyof VerifyRules;
/** The checks that may fail the run. */
export type FailingRule = RulesReporting<VerifyRules, 'error'>;
/** The checks that may warn. */
export type WarningRule = RulesReporting<VerifyRules, 'warning'>;

/** A failure: the run exits 1. */
export function fail(rule: FailingRule, where: string, message: string, fix: string): Finding {
  return { severity: 'error', rule, where, message, fix };
}

/** A warning: printed, the run does not fail. */
export function warn(rule: WarningRule, where: string, message: string, fix: string): Finding {
  return { severity: 'warning', rule, where, message, fix };
}

/** A check that held. */
export function pass(rule: VerifyRuleId, where: string, message: string): Passed {
  return { severity: 'ok', rule, where, message };
}

/** Shortens a message from the cluster for display (event messages can be kilobytes long). */
export function clip(text: string, max = 240): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > max ? `${oneLine.slice(0, max - 3)}...` : oneLine;
}
