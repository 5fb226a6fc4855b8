/**
 * `aks-keyvault-csi`: one command-line tool for the whole chain. This module only builds the
 * command tree; each command lives in `cli/commands/<name>.ts` and loads its heavy modules
 * (cdktf, cdk8s, the Kubernetes and Azure clients) only when it runs, so `--help` is instant.
 */
import { Command, CommanderError } from 'commander';
import { EXIT_BAD_INPUT, EXIT_OK, UserError } from '../lib/errors';
import { fileFault } from '../lib/file-faults';
import { register as registerCheck } from './commands/check';
import { register as registerDeploy } from './commands/deploy';
import { register as registerDiagram } from './commands/diagram';
import { register as registerInit } from './commands/init';
import { register as registerRotationTest } from './commands/rotation-test';
import { register as registerSynth } from './commands/synth';
import { register as registerVerify } from './commands/verify';
import { processIo, Reporter, type GlobalOptions, type Io } from './output';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const VERSION: string = (require('../package.json') as { version: string }).version;

/** What a command needs from the program: its reporter (after global options are parsed) and the exit code. */
export interface CommandContext {
  readonly io: Io;
  reporter(command: Command): Reporter;
  exit(code: number): void;
}

export function buildProgram(ctx: CommandContext): Command {
  const program = new Command('aks-keyvault-csi')
    .description('Key Vault secrets in AKS pods via Workload Identity and the Secrets Store CSI driver: Terraform for Azure (cdktf) and GitOps manifests (cdk8s) from one environment file')
    .version(VERSION, '-V, --version', 'print the version')
    .option('--json', 'machine-readable results on stdout', false)
    .option('-q, --quiet', 'print only warnings and errors', false)
    .showSuggestionAfterError(true)
    .addHelpText(
      'after',
      '\nExit codes: 0 ok, 1 check findings or failed verification, 2 bad input or usage.\nEnvironment files: environments/<name>.yaml (schema: environments/environment.schema.json).',
    );
  registerSynth(program, ctx);
  registerCheck(program, ctx);
  registerDiagram(program, ctx);
  registerInit(program, ctx);
  registerDeploy(program, ctx);
  registerVerify(program, ctx);
  registerRotationTest(program, ctx);
  return program;
}

/** Runs the CLI and resolves to the exit code; never calls process.exit itself. */
export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  let exitCode = EXIT_OK;
  let reporter: Reporter | undefined;
  const ctx: CommandContext = {
    io,
    reporter(command) {
      reporter = new Reporter(io, command.optsWithGlobals<GlobalOptions>());
      return reporter;
    },
    exit(code) {
      exitCode = code;
    },
  };
  const program = buildProgram(ctx);
  program.exitOverride();
  program.configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) });
  for (const sub of program.commands) {
    sub.exitOverride();
    sub.configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) });
  }
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (e) {
    // A fault of the machine that no reader or writer decoded (read-only or full disk,
    // permissions) is still bad input, not a bug.
    const error = e instanceof UserError ? e : fileFault(e, '.');
    if (error !== undefined) {
      (reporter ?? new Reporter(io, { json: argv.includes('--json'), quiet: false })).problems(error.problems);
      return EXIT_BAD_INPUT;
    }
    if (e instanceof CommanderError) {
      return e.exitCode === 0 ? EXIT_OK : EXIT_BAD_INPUT;
    }
    throw e;
  }
  return exitCode;
}
