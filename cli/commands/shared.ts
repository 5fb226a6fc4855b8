/** Printing helpers shared by the commands. */
import * as path from 'node:path';
import { UserError } from '../../lib/errors';
import type { EnvironmentModel } from '../../lib/model';
import { terminalText } from '../../lib/text';
import type { FolderReport, OutputOptions } from '../../lib/write';
import type { Reporter } from '../output';

/** Findings of every command (check, synth, deploy, verify, rotation-test) print one way and become `--json` problems one way. */
export { findingProblems, printFindings } from '../../lib/finding';

/** The model's configuration warnings (administrator role, rotation off, pinned versions, ...). */
export function printWarnings(reporter: Reporter, model: EnvironmentModel): void {
  for (const w of model.warnings) reporter.warn(terminalText(`${model.file}: ${w.path}: ${w.message}`));
}

/** `--lock-timeout SECONDS` as milliseconds; exit 2 for anything but a non-negative number. */
export function lockTimeoutMs(seconds: string | undefined): number | undefined {
  if (seconds === undefined) return undefined;
  const n = Number(seconds);
  if (seconds.trim() === '' || !Number.isFinite(n) || n < 0) {
    throw UserError.of('command line', '--lock-timeout', 'use a number of seconds, 0 or more (0: do not wait for another run)', seconds);
  }
  return Math.round(n * 1000);
}

/** What the output folders tell the user while a run waits for a lock or cleans up after an earlier one. */
export function folderEvents(reporter: Reporter): Pick<OutputOptions, 'onWait' | 'onNote'> {
  return {
    onWait: (file, holder) =>
      reporter.line(reporter.dim(`waiting for ${file}: another run holds it${holder ? ` (pid ${holder.pid}, "aks-keyvault-csi ${holder.command}")` : ''}`)),
    onNote: (note) => reporter.warn(note),
  };
}

/** What a commit did that the user should know: hand edits replaced, files taken over or deleted. */
export function printFolderReports(reporter: Reporter, folders: readonly FolderReport[]): void {
  for (const f of folders) {
    for (const rel of f.edited) {
      const gone = f.deleted.includes(rel);
      reporter.warn(
        `${path.join(f.dir, rel)}: edited since this tool wrote it: ${gone ? 'deleted, as the render no longer has it' : 'replaced by the render'} (change the environment file instead; "check --check-drift" reports such edits)`,
      );
    }
    if (f.adopted.length > 0) reporter.line(`${f.dir}: took ownership of ${f.adopted.length} existing file(s): ${f.adopted.join(', ')}`);
    const removed = f.deleted.filter((rel) => !f.edited.includes(rel));
    if (removed.length > 0) reporter.line(`${f.dir}: deleted ${removed.length} file(s) the render no longer has: ${removed.join(', ')}`);
  }
}
