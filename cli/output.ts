/**
 * How the CLI talks: progress and results on stdout, warnings and errors on stderr, colours
 * only on a terminal and never with NO_COLOR, nothing but one JSON document with --json, and
 * nothing but warnings and errors with --quiet.
 *
 * Everything printed passes through lib/text.ts on its way out: values from environment files,
 * outputs files, manifests and the cluster (file names, names, messages) cannot move the cursor,
 * clear the screen, set a title or hyperlink, reorder text or add lines. Only the reporter's
 * own colour codes and line breaks reach the terminal as such.
 */
import { formatProblem, type InputProblem } from '../lib/errors';
import { terminalJson, terminalLines, terminalText } from '../lib/text';

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
    return (s) => (this.colour ? `${sgr(code)}${s}${sgr(0)}` : s);
  }

  /** Text on its way to a stream: only our own colour codes pass as they are (none without colour). */
  private safe(text: string): string {
    return terminalLines(text, this.colour ? OUR_SGR : []);
  }
  readonly bold: Paint = (s) => this.paint(1)(s);
  readonly dim: Paint = (s) => this.paint(2)(s);
  readonly red: Paint = (s) => this.paint(31)(s);
  readonly green: Paint = (s) => this.paint(32)(s);
  readonly yellow: Paint = (s) => this.paint(33)(s);

  /** A progress or result line (human mode only, not with --quiet). */
  line(text: string): void {
    if (!this.json && !this.quiet) this.io.out(`${this.safe(text)}\n`);
  }

  /** The command's product (a diagram, a file): printed even with --quiet, never with --json. */
  product(text: string): void {
    if (!this.json) this.io.out(this.safe(text.endsWith('\n') ? text : `${text}\n`));
  }

  warn(text: string): void {
    if (!this.json) this.io.err(`${this.yellow('warning')} ${this.safe(text)}\n`);
  }

  error(text: string): void {
    if (!this.json) this.io.err(`${this.red('error')} ${this.safe(text)}\n`);
  }

  /** Bad input: every problem on its own line, no stack trace. */
  problems(problems: readonly InputProblem[]): void {
    if (this.json) {
      this.emit({ ok: false, exitCode: 2, problems });
      return;
    }
    // One line per problem: a line break inside a value is shown, not followed.
    for (const p of problems) this.io.err(`${this.red('error')} ${terminalText(formatProblem(p))}\n`);
  }

  /** The one JSON document of a --json run. */
  emit(document: unknown): void {
    if (this.json) this.io.out(`${terminalJson(document)}\n`);
  }
}

/** An SGR (colour) escape sequence. */
function sgr(code: number): string {
  return `\u001b[${code}m`;
}
/** The colour codes the reporter writes itself (bold, dim, red, green, yellow, reset). */
const OUR_SGR = [1, 2, 31, 32, 33, 0].map(sgr);

/** The real process streams. */
export function processIo(): Io {
  return {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    isTTY: process.stdout.isTTY === true,
    env: process.env,
  };
}
