/**
 * Runs one verify command in its own Node process, as the CLI does, for tests that need the
 * real `@kubernetes/client-node` (ESM-only, which Jest's module registry cannot load on Node 20).
 * Usage: node --import tsx run-command.ts verify|rotation-test '<options JSON>' (`"json": true` for --json)
 */
import { processIo, Reporter } from '../../cli/output';
import { rotationTestCommand, verifyCommand, type RotationTestOptions } from '../../verify/command';

async function run(): Promise<number> {
  const [which, json] = process.argv.slice(2);
  // The options of either command, plus `json` for the reporter (the CLI's --json).
  const opts = JSON.parse(json ?? '{}') as RotationTestOptions & { readonly json?: boolean };
  const reporter = new Reporter(processIo(), { json: opts.json === true, quiet: false });
  return which === 'rotation-test' ? rotationTestCommand(opts, reporter) : verifyCommand(opts, reporter);
}

void run().then((code) => {
  process.exitCode = code;
});
