/**
 * Findings: the one result shape of every check this tool runs, on what it wrote (`check`, and
 * drift with `check --check-drift`) and on a live cluster (`verify`, `rotation-test`), printed
 * one way and put in the one `--json` problem shape.
 *
 * A finding is something wrong (`error`: the run fails, exit 1) or doubtful (`warning`: printed).
 * The live checks also report what held, so the reader sees what was covered: a `Passed`
 * outcome, with severity `ok`. The trust-chain check reports findings only.
 *
 * Each rule id is in one catalogue per command, in one format (`RuleInfo`): `check/rules.ts` and
 * `verify/rules.ts`; check/RULES.md is generated from both (`npm run docs`).
 *
 * Pure: no IO. Printing goes through a `FindingPrinter` (the CLI's Reporter is one).
 */
import { EXIT_FINDINGS, EXIT_OK, type InputProblem } from './errors';
import { terminalLines, terminalText } from './text';

/** `error` fails the run (exit 1); `warning` is printed and does not. */
export type Severity = 'error' | 'warning';

/** Something wrong or doubtful: where it is, what, and how to fix it. */
export interface Finding {
  readonly severity: Severity;
  /** Stable kebab-case id from a rule catalogue, e.g. `csi-mount-sub-path`, `mount-event`. */
  readonly rule: string;
  /**
   * Where: `file: field path` for what the tool wrote
   * (`dist/dev/deployment-demo-demo-app.yaml: spec.template.spec.volumes[0]`), the live object
   * for a cluster (`demo/demo-app-keyvault`, `kube-system/aks-secrets-store-csi-driver`).
   */
  readonly where: string;
  readonly message: string;
  readonly fix: string;
  /** Lines that belong to the message and are printed below it, e.g. a drift's unified diff. */
  readonly detail?: string;
}

/** A live check that held. Nothing to fix, so no fix. */
export interface Passed {
  readonly severity: 'ok';
  readonly rule: string;
  readonly where: string;
  readonly message: string;
}

/** What a live check reports: a finding, or that it held. */
export type Outcome = Finding | Passed;

/** How the catalogues give a rule's severity: a live check may report an error or a warning, by case. */
export type RuleSeverity = Severity | 'error or warning';

/** One catalogue entry (check/rules.ts, verify/rules.ts): what check/RULES.md says about a rule id. */
export interface RuleInfo {
  readonly severity: RuleSeverity;
  /** One line: what the rule reports (check), or what the live check verifies (verify). */
  readonly summary: string;
  /** A message as users see it; `<ns>/<name>`, `<address>`, `<file>` stand for the actual names. */
  readonly example: string;
  /** What else it covers, other messages, or why it has its severity (Markdown, after the example). */
  readonly notes?: string;
}

/** A part of a catalogue: one table of check/RULES.md, with Markdown before and after it. */
export interface RuleSection {
  readonly title: string;
  readonly intro?: string;
  readonly rules: Readonly<Record<string, RuleInfo>>;
  readonly notes?: string;
}

/** One command's catalogue as check/RULES.md shows it: a title, an introduction and the sections. */
export interface RuleCatalogue {
  readonly title: string;
  /** The first column's heading: `rule` (check) or `check` (verify). */
  readonly column: string;
  readonly intro: string;
  readonly sections: readonly RuleSection[];
}

/** The rule ids of a catalogue that may report `severity`. */
export type RulesReporting<C extends Readonly<Record<string, RuleInfo>>, S extends Severity> = {
  [K in keyof C & string]: S extends C[K]['severity'] ? K : C[K]['severity'] extends 'error or warning' ? K : never;
}[keyof C & string];

/** The text of one outcome: `[rule] where: message`, the detail indented below, then `fix: ...`. */
export function formatFinding(f: Outcome): string {
  // Each field on its own line: a line break inside a value (a hand-edited manifest, an event
  // message) is shown, not followed. A detail block (a drift's diff) keeps its lines; each is
  // made safe on its own.
  const head = `[${f.rule}] ${terminalText(f.where)}: ${terminalText(f.message)}`;
  if (f.severity === 'ok') return head;
  const detail = f.detail !== undefined ? `\n${terminalLines(f.detail).replace(/^/gm, '        ')}` : '';
  return `${head}${detail}\n        fix: ${terminalText(f.fix)}`;
}

/** Where outcomes are printed: the CLI's Reporter (cli/output.ts) has these members. */
export interface FindingPrinter {
  /** On stderr, labelled `error`. */
  error(text: string): void;
  /** On stderr, labelled `warning`. */
  warn(text: string): void;
  /** A result line on stdout. */
  line(text: string): void;
  green(text: string): string;
}

/** Errors and warnings to stderr, each with where and the fix; passes (live checks) to stdout, labelled `ok`. */
export function printFindings(out: FindingPrinter, outcomes: readonly Outcome[]): void {
  for (const f of outcomes) {
    const text = formatFinding(f);
    if (f.severity === 'error') out.error(text);
    else if (f.severity === 'warning') out.warn(text);
    else out.line(`${out.green('ok')} ${text}`);
  }
}

/** Error findings in the CLI's one JSON problem shape: `where` is `file: path`, or the file (or live object) alone. */
export function findingProblems(outcomes: readonly Outcome[]): InputProblem[] {
  return outcomes
    .filter((f): f is Finding => f.severity === 'error')
    .map((f) => {
      const split = f.where.indexOf(': ');
      const [file, path] = split === -1 ? [f.where, ''] : [f.where.slice(0, split), f.where.slice(split + 2)];
      return { file, path, message: `[${f.rule}] ${f.message}; fix: ${f.fix}` };
    });
}

export interface Summary {
  readonly passed: number;
  readonly failed: number;
  readonly warnings: number;
}

export function summarize(outcomes: readonly Outcome[]): Summary {
  return {
    passed: outcomes.filter((f) => f.severity === 'ok').length,
    failed: outcomes.filter((f) => f.severity === 'error').length,
    warnings: outcomes.filter((f) => f.severity === 'warning').length,
  };
}

/** `12 passed, 1 failed, 2 warnings`: the last line of a live check's report. */
export function formatSummary(outcomes: readonly Outcome[]): string {
  const s = summarize(outcomes);
  return `${s.passed} passed, ${s.failed} failed, ${s.warnings} warnings`;
}

/** 1 when any outcome is an error, else 0 (warnings do not fail a run). */
export function exitCodeOf(outcomes: readonly Outcome[]): number {
  return outcomes.some((f) => f.severity === 'error') ? EXIT_FINDINGS : EXIT_OK;
}
