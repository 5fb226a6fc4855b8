/** The CLI's Reporter (cli/output.ts) writing into memory, for commands run in the test process. */
import { Reporter } from '../../cli/output';

/** A reporter without a terminal (no colours, no progress bar), and what it printed on each stream. */
export function captureReporter(options: { readonly json?: boolean; readonly quiet?: boolean } = {}): {
  reporter: Reporter;
  out: () => string;
  err: () => string;
} {
  const out: string[] = [];
  const err: string[] = [];
  const reporter = new Reporter(
    { out: (s) => void out.push(s), err: (s) => void err.push(s), isTTY: false, env: {} },
    { json: options.json ?? false, quiet: options.quiet ?? false },
  );
  return { reporter, out: () => out.join(''), err: () => err.join('') };
}
