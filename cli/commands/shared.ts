/** Printing helpers shared by the commands. */
import type { Finding } from '../../check';
import type { InputProblem } from '../../lib/errors';
import type { EnvironmentModel } from '../../lib/model';
import { terminalLines, terminalText } from '../../lib/text';
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
