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
import { EXIT_BAD_INPUT, formatProblem, resultDocument, type InputProblem } from '../lib/errors';
import { terminalJson, terminalLines, terminalText } from '../lib/text';
import { ProgressBar } from './progress';

export interface Io {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** Whether stdout is a terminal. */
  readonly isTTY: boolean;
  readonly env: NodeJS.ProcessEnv;
  /** Milliseconds clock for progress display. @default performance.now */
  readonly now?: () => number;
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
  /** The progress bar on screen, if any: lines are written above it. */
  private bar: ProgressBar | undefined;

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
    if (!this.json && !this.quiet) this.write(() => this.io.out(`${this.safe(text)}\n`));
  }

  /** The command's product (a diagram, a file): printed even with --quiet, never with --json. */
  product(text: string): void {
    if (!this.json) this.write(() => this.io.out(this.safe(text.endsWith('\n') ? text : `${text}\n`)));
  }

  warn(text: string): void {
    if (!this.json) this.write(() => this.io.err(`${this.yellow('warning')} ${this.safe(text)}\n`));
  }

  error(text: string): void {
    if (!this.json) this.write(() => this.io.err(`${this.red('error')} ${this.safe(text)}\n`));
  }

  /**
   * A progress bar of `total` steps for a long run: drawn only on a terminal, never with --json
   * or --quiet, and only once the run has taken a second. Lines printed meanwhile go above it.
   */
  progress(total: number): ProgressBar {
    const enabled = this.io.isTTY && !this.json && !this.quiet && this.io.env.TERM !== 'dumb';
    this.bar = new ProgressBar(this.io, { total, enabled, ...(this.io.now ? { now: this.io.now } : {}) });
    return this.bar;
  }

  /** Ends the progress bar (clears it from the screen). */
  endProgress(): void {
    this.bar?.finish();
    this.bar = undefined;
  }

  private write(print: () => void): void {
    if (this.bar) this.bar.around(print);
    else print();
  }

  /** Bad input: every problem on its own line, no stack trace. */
  problems(problems: readonly InputProblem[], exitCode: number = EXIT_BAD_INPUT): void {
    if (this.json) {
      this.emit({ exitCode, problems });
      return;
    }
    // One line per problem: a line break inside a value is shown, not followed.
    for (const p of problems) this.io.err(`${this.red('error')} ${terminalText(formatProblem(p))}\n`);
  }

  /**
   * The one JSON document of a --json run, in the one shape of every command (`resultDocument`:
   * `ok`, `exitCode`, `problems`, then the command's own fields).
   */
  emit(document: { readonly exitCode: number; readonly problems?: readonly InputProblem[]; readonly [field: string]: unknown }): void {
    if (this.json) this.io.out(`${terminalJson(resultDocument(document.exitCode, document.problems ?? [], document))}\n`);
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
