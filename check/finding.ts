/**
 * What the trust-chain check reports: one finding per broken link, each naming where it is and
 * how to fix it. Rule ids are stable kebab-case strings (see `RULES` and `check/RULES.md`).
 */
import { RULES, type RuleId } from './rules';

export type Severity = 'error' | 'warning';

export interface Finding {
  readonly severity: Severity;
  /** Stable kebab-case id of the rule, e.g. `csi-mount-sub-path`. */
  readonly rule: string;
  /** File and object/field path, e.g. `dist/dev/deployment-demo-demo-app.yaml: spec.template.spec.volumes[0]`. */
  readonly where: string;
  readonly message: string;
  readonly fix: string;
  /** Lines that belong to the message and are printed below it, e.g. a drift's unified diff. */
  readonly detail?: string;
}

/** Collects findings; the severity comes from the rule catalogue so a rule cannot change it ad hoc. */
export class Findings {
  private readonly items: Finding[] = [];
  private readonly seen = new Set<string>();

  add(rule: RuleId, where: string, message: string, fix: string): void {
    const key = `${rule}\u0000${where}\u0000${message}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.items.push({ severity: RULES[rule].severity, rule, where, message, fix });
  }

  /** Errors first, then by place, rule and message: the same input always gives the same list. */
  sorted(): Finding[] {
    const rank = (s: Severity) => (s === 'error' ? 0 : 1);
    return [...this.items].sort(
      (a, b) => rank(a.severity) - rank(b.severity) || cmp(a.where, b.where) || cmp(a.rule, b.rule) || cmp(a.message, b.message),
    );
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `file: path`, or just `file` when the path is empty. */
export function at(file: string, path: string): string {
  return path ? `${file}: ${path}` : file;
}
