/**
 * `aks-keyvault-csi`: one command-line tool for the whole chain. This module only builds the
 * command tree; each command lives in `cli/commands/<name>.ts` and loads its heavy modules
 * (cdktf, cdk8s, the Kubernetes and Azure clients) only when it runs, so `--help` is instant.
 */
import { Command, CommanderError } from 'commander';
import { EXIT_BAD_INPUT, EXIT_INTERNAL, EXIT_OK, UserError, type InputProblem } from '../lib/errors';
import { fileFault } from '../lib/file-faults';
import { register as registerCheck } from './commands/check';
import { register as registerDeploy } from './commands/deploy';
import { register as registerDiagram } from './commands/diagram';
import { register as registerInit } from './commands/init';
import { register as registerRotationTest } from './commands/rotation-test';
import { register as registerSynth } from './commands/synth';
import { register as registerValidate } from './commands/validate';
import { register as registerVerify } from './commands/verify';
import { processIo, Reporter, type GlobalOptions, type Io } from './output';

const VERSION: string = (require('../package.json') as { version: string }).version;

/** What a command needs from the program: its reporter (after global options are parsed) and the exit code. */
export interface CommandContext {
  readonly io: Io;
  reporter(command: Command): Reporter;
  exit(code: number): void;
}

export function buildProgram(ctx: CommandContext): Command {
  const program = new Command('aks-keyvault-csi')
    .description(
      'Key Vault secrets in AKS pods via Workload Identity and the Secrets Store CSI driver: Terraform for Azure (cdktf) and GitOps manifests (cdk8s) from one environment file',
    )
    .version(VERSION, '-V, --version', 'print the version')
    .option('--json', 'machine-readable results on stdout', false)
    .option('-q, --quiet', 'print only warnings and errors', false)
    .showSuggestionAfterError(true)
    .addHelpText(
      'after',
      '\nExit codes: 0 ok, 1 check findings or failed verification, 2 bad input or usage, 70 a bug.\n--json prints one JSON document on stdout however the run ends: { ok, exitCode, problems: [{ file, path, position?, received?, message }], ... }.\nEnvironment files: environments/<name>.yaml (schema: environments/environment.schema.json).',
    );
  registerSynth(program, ctx);
  registerCheck(program, ctx);
  registerValidate(program, ctx);
  registerDiagram(program, ctx);
  registerInit(program, ctx);
  registerDeploy(program, ctx);
  registerVerify(program, ctx);
  registerRotationTest(program, ctx);
  return program;
}

/** Runs the CLI and resolves to the exit code; never calls process.exit itself, never throws. */
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
  // Known before commander parses anything, so even a usage error answers in JSON.
  const json = jsonRequested(argv);
  const fallback = () => reporter ?? new Reporter(io, { json, quiet: false });
  // With --json, what commander prints (help, version, usage errors) is held back and becomes
  // part of the one JSON document.
  let commanderOut = '';
  const output = {
    writeOut: (s: string) => (json ? void (commanderOut += s) : io.out(s)),
    writeErr: (s: string) => (json ? undefined : io.err(s)),
  };
  const program = buildProgram(ctx);
  program.exitOverride();
  program.configureOutput(output);
  for (const sub of program.commands) {
    sub.exitOverride();
    sub.configureOutput(output);
  }
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (e) {
    reporter?.endProgress();
    // A fault of the machine that no reader or writer decoded (read-only or full disk,
    // permissions) is still bad input, not a bug.
    const error = e instanceof UserError ? e : fileFault(e, '.');
    if (error !== undefined) {
      fallback().problems(error.problems);
      return EXIT_BAD_INPUT;
    }
    if (e instanceof CommanderError) {
      // Without --json, commander has printed the help, the version or the usage error itself.
      if (!json) return e.exitCode === 0 ? EXIT_OK : EXIT_BAD_INPUT;
      if (e.exitCode === 0) {
        fallback().emit({ exitCode: EXIT_OK, output: commanderOut });
        return EXIT_OK;
      }
      fallback().problems([usageProblem(e)]);
      return EXIT_BAD_INPUT;
    }
    return internalError(e, fallback(), io);
  }
  return exitCode;
}

/** `--json` among the global options (not after "--", where arguments belong to another tool). */
function jsonRequested(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).includes('--json');
}

/** A commander usage error ("error: unknown option '--bogus'\n(Did you mean --out?)") as a problem of the command line. */
function usageProblem(e: CommanderError): InputProblem {
  const message = e.message
    .replace(/^error: /, '')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .join(' ');
  return { file: 'command line', path: '', message: `${message}: see "aks-keyvault-csi --help"` };
}

/**
 * A bug: a generic message (in the JSON document with --json) and the stack trace on stderr
 * only, for the report. Exit 70.
 */
function internalError(e: unknown, reporter: Reporter, io: Io): number {
  const problem: InputProblem = {
    file: 'aks-keyvault-csi',
    path: '',
    message: 'internal error (a bug, not your input): please report it with the stack trace printed on stderr',
  };
  if (reporter.json) reporter.emit({ exitCode: EXIT_INTERNAL, problems: [problem] });
  else io.err(`error ${problem.message}\n`);
  io.err(`${e instanceof Error ? (e.stack ?? `${e.name}: ${e.message}`) : String(e)}\n`);
  return EXIT_INTERNAL;
}
