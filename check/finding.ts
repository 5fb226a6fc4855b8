/**
 * What the trust-chain check reports: one finding per broken link, each naming where it is and
 * how to fix it (the shape is lib/finding.ts). Rule ids and their severities come from the
 * catalogue `RULES` (check/rules.ts), from which check/RULES.md is generated.
 */
import type { Finding, Severity } from '../lib/finding';
import { RULES, type RuleId } from './rules';

export type { Finding, Severity } from '../lib/finding';

/** A finding of `rule`, with the catalogue's severity: a rule cannot change it ad hoc. */
export function checkFinding(rule: RuleId, where: string, message: string, fix: string, detail?: string): Finding {
  const severity: Severity = RULES[rule].severity;
  return detail === undefined ? { severity, rule, where, message, fix } : { severity, rule, where, message, fix, detail };
}

/** Collects findings, once each. */
export class Findings {
  private readonly items: Finding[] = [];
  private readonly seen = new Set<string>();

  add(rule: RuleId, where: string, message: string, fix: string): void {
    const key = `${rule}\u0000${where}\u0000${message}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.items.push(checkFinding(rule, where, message, fix));
  }

  /** Errors first, then by place, rule and message: the same input always gives the same list. */
  sorted(): Finding[] {
    const rank = (s: Severity) => (s === 'error' ? 0 : 1);
    return [...this.items].sort((a, b) => rank(a.severity) - rank(b.severity) || cmp(a.where, b.where) || cmp(a.rule, b.rule) || cmp(a.message, b.message));
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `file: path`, or just `file` when the path is empty. */
export function at(file: string, path: string): string {
  return path ? `${file}: ${path}` : file;
}
