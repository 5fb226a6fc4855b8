/**
 * A validation rule taken from an upstream system, defined once and used by the environment
 * schema (zod, and through it the JSON Schema), by the constructs (eager checks on values that
 * arrive as code) and by the trust-chain check (on synthesized files).
 *
 * Each rule names its upstream source (repository, file, function) so a reader can check it.
 */

export interface Rule<T = string> {
  /** What the value is, for messages: `Key Vault name`. */
  readonly subject: string;
  /** How to fix a value that breaks the rule: the message users see. */
  readonly fix: string;
  /** Where the rule comes from: `Azure/azure-sdk-for-go ... ValidateKeyVaultName`, a doc URL. */
  readonly source: string;
  /** True when `value` satisfies the rule. */
  readonly test: (value: T) => boolean;
  /** The rule as one regular expression, where it can be written as one (JSON Schema `pattern`). */
  readonly pattern?: RegExp;
  /** The longest value the rule allows, where it has such a bound (JSON Schema `maxLength`). */
  readonly maxLength?: number;
}

/** A rule that is exactly one regular expression. */
export function patternRule(subject: string, pattern: RegExp, fix: string, source: string): Rule<string> & { readonly pattern: RegExp } {
  return { subject, fix, source, pattern, test: (v) => pattern.test(v) };
}

/** A rule written as a predicate. */
export function predicateRule<T = string>(subject: string, test: (value: T) => boolean, fix: string, source: string): Rule<T> {
  return { subject, fix, source, test };
}

/** A rule that is one regular expression and a length bound (`max` in characters; JSON Schema `maxLength`). */
export function boundedPatternRule(
  subject: string,
  pattern: RegExp,
  max: number,
  fix: string,
  source: string,
): Rule<string> & { readonly pattern: RegExp; readonly maxLength: number } {
  return { subject, fix, source, pattern, maxLength: max, test: (v) => v.length <= max && pattern.test(v) };
}

/** Both rules hold; the first broken one's fix is reported. */
export function allOf(subject: string, ...rules: readonly Rule<string>[]): Rule<string> {
  return {
    subject,
    fix: rules.map((r) => r.fix).join('; '),
    source: rules.map((r) => r.source).join('; '),
    test: (v) => rules.every((r) => r.test(v)),
  };
}

/** The first rule `value` breaks, or undefined. */
export function firstBroken<T>(value: T, rules: readonly Rule<T>[]): Rule<T> | undefined {
  return rules.find((r) => !r.test(value));
}

/** Throws a construct error (a bug in the caller's code, not user input) when `value` breaks `rule`. */
export function assertRule<T>(rule: Rule<T>, value: T, where: string): void {
  if (!rule.test(value)) {
    throw new Error(`${where}: ${rule.subject} ${JSON.stringify(value)}: ${rule.fix}`);
  }
}

/** Length of a string in UTF-8 bytes (limits such as 255-byte file names count bytes). */
export function utf8Length(value: string): number {
  return Buffer.byteLength(value, 'utf8');
}

/**
 * Regular-expression source that matches `text` in any letter case, written with character
 * classes (`[dD][iI][sS][tT]`) rather than the `i` flag, which a JSON Schema `pattern` cannot carry.
 */
export function anyCase(text: string): string {
  return [...text]
    .map((c) => (c.toLowerCase() !== c.toUpperCase() ? `[${c.toLowerCase()}${c.toUpperCase()}]` : c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')))
    .join('');
}
