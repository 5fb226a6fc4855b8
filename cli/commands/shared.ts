/** Printing helpers shared by the commands. */
import * as path from 'node:path';
import type { Finding } from '../../check';
import { UserError, type InputProblem } from '../../lib/errors';
import type { EnvironmentModel } from '../../lib/model';
import { terminalLines, terminalText } from '../../lib/text';
import type { FolderReport, OutputOptions } from '../../lib/write';
import type { Reporter } from '../output';

/** The model's configuration warnings (administrator role, rotation off, pinned versions, ...). */
export function printWarnings(reporter: Reporter, model: EnvironmentModel): void {
  for (const w of model.warnings) reporter.warn(terminalText(`${model.file}: ${w.path}: ${w.message}`));
}

/** Check findings: errors and warnings to stderr, each with where and the fix. */
export function printFindings(reporter: Reporter, findings: readonly Finding[]): void {
  for (const f of findings) {
    // Each field on its own line: a line break inside a value (a hand-edited manifest) is shown, not followed.
    // A detail block (a drift's diff) keeps its lines; each is made safe on its own.
    const detail = f.detail !== undefined ? `\n${terminalLines(f.detail).replace(/^/gm, '        ')}` : '';
    const text = `[${f.rule}] ${terminalText(f.where)}: ${terminalText(f.message)}${detail}\n        fix: ${terminalText(f.fix)}`;
    if (f.severity === 'error') reporter.error(text);
    else reporter.warn(text);
  }
}

/** Error findings in the CLI's one JSON error shape (`where` is `file: path`, or the file alone). */
export function findingProblems(findings: readonly Finding[]): InputProblem[] {
  return findings
    .filter((f) => f.severity === 'error')
    .map((f) => {
      const split = f.where.indexOf(': ');
      const [file, path] = split === -1 ? [f.where, ''] : [f.where.slice(0, split), f.where.slice(split + 2)];
      return { file, path, message: `[${f.rule}] ${f.message}; fix: ${f.fix}` };
    });
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
      reporter.warn(`${path.join(f.dir, rel)}: edited since this tool wrote it: ${gone ? 'deleted, as the render no longer has it' : 'replaced by the render'} (change the environment file instead; "check --check-drift" reports such edits)`);
    }
    if (f.adopted.length > 0) reporter.line(`${f.dir}: took ownership of ${f.adopted.length} existing file(s): ${f.adopted.join(', ')}`);
    const removed = f.deleted.filter((rel) => !f.edited.includes(rel));
    if (removed.length > 0) reporter.line(`${f.dir}: deleted ${removed.length} file(s) the render no longer has: ${removed.join(', ')}`);
  }
}
