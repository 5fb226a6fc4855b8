/**
 * A one-line progress bar for runs longer than a second on a terminal: `[######------] 5/12
 * checked prod`, redrawn in place and cleared at the end. Never with --json or --quiet, never
 * when stdout is not a terminal (a CI log gets the progress lines alone).
 *
 * Why not a spinner library (ora, cli-progress): the run is synchronous (cdktf and cdk8s
 * synthesize on the main thread), so a timer-driven spinner would freeze for the whole run. The
 * bar is redrawn by the run's own progress events instead, which takes a few lines.
 */
import type { Io } from './output';

/** A run shorter than this shows no bar (it would only flicker). */
export const PROGRESS_DELAY_MS = 1000;
const WIDTH = 20;
const CLEAR = '\r\u001b[K';

export interface ProgressBarOptions {
  /** Steps in the run. */
  readonly total: number;
  /** Draw at all (a terminal, not --json, not --quiet). */
  readonly enabled: boolean;
  /** Milliseconds clock. @default performance.now */
  readonly now?: () => number;
}

export class ProgressBar {
  private readonly io: Io;
  private readonly total: number;
  private readonly enabled: boolean;
  private readonly now: () => number;
  private readonly started: number;
  private done = 0;
  private label = '';
  /** Whether the bar is on screen now. */
  private shown = false;

  constructor(io: Io, options: ProgressBarOptions) {
    this.io = io;
    this.total = Math.max(1, options.total);
    this.enabled = options.enabled;
    this.now = options.now ?? (() => performance.now());
    this.started = this.now();
  }

  /** One step finished; `label` says which. */
  step(label: string): void {
    this.done = Math.min(this.total, this.done + 1);
    this.label = label;
    if (this.enabled && this.now() - this.started >= PROGRESS_DELAY_MS) this.draw();
  }

  /** Runs `write` (a line of output) with the bar taken off the screen and put back after it. */
  around(write: () => void): void {
    const was = this.shown;
    this.clear();
    write();
    if (was) this.draw();
  }

  /** Takes the bar off the screen for good. */
  finish(): void {
    this.clear();
  }

  private draw(): void {
    const filled = Math.round((this.done / this.total) * WIDTH);
    this.io.out(`${CLEAR}[${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}] ${this.done}/${this.total} ${this.label}`);
    this.shown = true;
  }

  private clear(): void {
    if (!this.shown) return;
    this.io.out(CLEAR);
    this.shown = false;
  }
}
