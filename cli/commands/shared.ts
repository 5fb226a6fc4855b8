/** Printing helpers shared by the commands. */
import type { Finding } from '../../check';
import type { InputProblem } from '../../lib/errors';
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
