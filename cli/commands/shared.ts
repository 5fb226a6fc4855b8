/** Printing helpers shared by the commands. */
import type { EnvironmentModel } from '../../lib/model';
import { terminalText } from '../../lib/text';
import type { Reporter } from '../output';

/** Findings of every command (check, synth, deploy, verify, rotation-test) print one way and become `--json` problems one way. */
export { findingProblems, printFindings } from '../../lib/finding';

/** The model's configuration warnings (administrator role, rotation off, pinned versions, ...). */
export function printWarnings(reporter: Reporter, model: EnvironmentModel): void {
  for (const w of model.warnings) reporter.warn(terminalText(`${model.file}: ${w.path}: ${w.message}`));
}
