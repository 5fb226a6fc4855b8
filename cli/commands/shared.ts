/** Printing helpers shared by the commands. */
import type { Finding } from '../../check';
import type { EnvironmentModel } from '../../lib/model';
import { terminalText } from '../../lib/text';
import type { Reporter } from '../output';

/** The model's configuration warnings (administrator role, rotation off, pinned versions, ...). */
export function printWarnings(reporter: Reporter, model: EnvironmentModel): void {
  for (const w of model.warnings) reporter.warn(terminalText(`${model.file}: ${w.path}: ${w.message}`));
}

/** Check findings: errors and warnings to stderr, each with where and the fix. */
export function printFindings(reporter: Reporter, findings: readonly Finding[]): void {
  for (const f of findings) {
    // Each field on its own line: a line break inside a value (a hand-edited manifest) is shown, not followed.
    const text = `[${f.rule}] ${terminalText(f.where)}: ${terminalText(f.message)}\n        fix: ${terminalText(f.fix)}`;
    if (f.severity === 'error') reporter.error(text);
    else reporter.warn(text);
  }
}
