/** Printing helpers shared by the commands. */
import type { Finding } from '../../check';
import type { EnvironmentModel } from '../../lib/model';
import type { Reporter } from '../output';

/** The model's configuration warnings (administrator role, rotation off, pinned versions, ...). */
export function printWarnings(reporter: Reporter, model: EnvironmentModel): void {
  for (const w of model.warnings) reporter.warn(`${model.file}: ${w.path}: ${w.message}`);
}

/** Check findings: errors and warnings to stderr, each with where and the fix. */
export function printFindings(reporter: Reporter, findings: readonly Finding[]): void {
  for (const f of findings) {
    const text = `[${f.rule}] ${f.where}: ${f.message}\n        fix: ${f.fix}`;
    if (f.severity === 'error') reporter.error(text);
    else reporter.warn(text);
  }
}
