/**
 * Errors a user can fix. Anything else that escapes is a bug and keeps its stack trace.
 *
 * Exit codes mean one thing each: 0 ok, 1 check findings, 2 bad input or usage, 70 a bug.
 */
export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_BAD_INPUT = 2;
/** A bug: an exception that is not a user error (sysexits' EX_SOFTWARE). */
export const EXIT_INTERNAL = 70;

/** One problem in one input: where, what was received, how to fix it. */
export interface InputProblem {
  /** File the value came from, relative to the working directory where possible. */
  readonly file: string;
  /** Dotted path inside the file, e.g. `workloads[0].objects[1].type`; empty for the whole file. */
  readonly path: string;
  /** `line:column` in the file when known. */
  readonly position?: string;
  /** What was received, already rendered for display (JSON), when there was a value. */
  readonly received?: string;
  /** What is wrong and how to fix it. */
  readonly message: string;
}

/**
 * The one shape of every `--json` document, whatever the command and however it ended (usage
 * error, bad input, findings, a bug, success): `ok`, `exitCode` and `problems` (empty on
 * success), then the command's own fields.
 */
export function resultDocument(exitCode: number, problems: readonly InputProblem[], fields: Readonly<Record<string, unknown>> = {}): Record<string, unknown> {
  const { ok: _ok, exitCode: _code, problems: _problems, ...rest } = fields;
  return { ok: exitCode === EXIT_OK, exitCode, problems, ...rest };
}

export function formatProblem(p: InputProblem): string {
  const where = p.position ? `${p.file}:${p.position}` : p.file;
  const subject = [p.path, p.received].filter((s) => s !== undefined && s !== '').join(' ');
  return subject ? `${where}: ${subject}: ${p.message}` : `${where}: ${p.message}`;
}

/** Bad input or usage: the run stops with exit code 2 and nothing is written. */
export class UserError extends Error {
  readonly problems: readonly InputProblem[];
  constructor(problems: readonly InputProblem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'UserError';
    this.problems = problems;
  }

  static of(file: string, path: string, message: string, received?: unknown): UserError {
    return new UserError([{ file, path, message, ...(received !== undefined ? { received: display(received) } : {}) }]);
  }
}

/** Short JSON rendering of a received value for messages; a missing value reads "(not set)", never "undefined". */
export function display(value: unknown): string {
  if (value === undefined) return '(not set)';
  const s = JSON.stringify(value);
  // JSON has no form for a function or a symbol: name its kind.
  if (s === undefined) return `(${typeof value})`;
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

/** A `segment` of a dotted YAML path: `a.b[0].c`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out ? `.${String(seg)}` : String(seg);
  }
  return out;
}

/** The value at a path (as `formatPath` writes it) inside parsed data, or undefined. */
export function valueAt(data: unknown, at: readonly (string | number)[]): unknown {
  let cur: unknown = data;
  for (const seg of at) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[seg];
  }
  return cur;
}
