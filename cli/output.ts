/**
 * How the CLI talks: progress and results on stdout, warnings and errors on stderr, colours
 * only on a terminal and never with NO_COLOR, nothing but one JSON document with --json, and
 * nothing but warnings and errors with --quiet.
 */
import { formatProblem, type InputProblem } from '../lib/errors';

export interface Io {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** Whether stdout is a terminal. */
  readonly isTTY: boolean;
  readonly env: NodeJS.ProcessEnv;
}

export interface GlobalOptions {
  readonly json: boolean;
  readonly quiet: boolean;
}

type Paint = (s: string) => string;

export class Reporter {
  readonly json: boolean;
  readonly quiet: boolean;
  private readonly io: Io;
  private readonly colour: boolean;

  constructor(io: Io, options: GlobalOptions) {
    this.io = io;
    this.json = options.json;
    this.quiet = options.quiet;
    this.colour = io.isTTY && io.env.NO_COLOR === undefined && io.env.FORCE_COLOR !== '0' && io.env.TERM !== 'dumb';
  }

  private paint(code: number): Paint {
    return (s) => (this.colour ? `\u001b[${code}m${s}\u001b[0m` : s);
  }
  readonly bold: Paint = (s) => this.paint(1)(s);
  readonly dim: Paint = (s) => this.paint(2)(s);
  readonly red: Paint = (s) => this.paint(31)(s);
  readonly green: Paint = (s) => this.paint(32)(s);
  readonly yellow: Paint = (s) => this.paint(33)(s);

  /** A progress or result line (human mode only, not with --quiet). */
  line(text: string): void {
    if (!this.json && !this.quiet) this.io.out(`${text}\n`);
  }

  /** The command's product (a diagram, a file): printed even with --quiet, never with --json. */
  product(text: string): void {
    if (!this.json) this.io.out(text.endsWith('\n') ? text : `${text}\n`);
  }

  warn(text: string): void {
    if (!this.json) this.io.err(`${this.yellow('warning')} ${text}\n`);
  }

  error(text: string): void {
    if (!this.json) this.io.err(`${this.red('error')} ${text}\n`);
  }

  /** Bad input: every problem on its own line, no stack trace. */
  problems(problems: readonly InputProblem[]): void {
    if (this.json) {
      this.emit({ ok: false, exitCode: 2, problems });
      return;
    }
    for (const p of problems) this.io.err(`${this.red('error')} ${formatProblem(p)}\n`);
  }

  /** The one JSON document of a --json run. */
  emit(document: unknown): void {
    if (this.json) this.io.out(`${JSON.stringify(document, null, 2)}\n`);
  }
}

/** The real process streams. */
export function processIo(): Io {
  return {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    isTTY: process.stdout.isTTY === true,
    env: process.env,
  };
}
