/** `rotation-test NAME`: writes a new secret version to Key Vault and measures how long the pods take to see it. */
import type { Command } from 'commander';
import { UserError } from '../../lib/errors';
import type { CommandContext } from '../main';

interface RotationFlags {
  readonly workload: string;
  readonly object: string;
  readonly config?: string;
  readonly outputs?: string;
  readonly context?: string;
  readonly exec: boolean;
  readonly timeout?: string;
}

export function register(program: Command, ctx: CommandContext): void {
  program
    .command('rotation-test')
    .description("WRITES a new version of one secret to Key Vault, then watches the pods' mounted version until it changes and reports the latency")
    .argument('<name>', 'environment name (environments/<name>.yaml)')
    .requiredOption('-w, --workload <name>', 'the workload whose pods to watch')
    .requiredOption('--object <name>', 'the Key Vault secret (object name) to rotate')
    .option('-c, --config <file>', 'an environment file from any path')
    .option('-o, --outputs <file>', 'Terraform outputs file (default environments/<name>.outputs.json)')
    .option('--context <name>', 'kubeconfig context to use')
    .option('--exec', 'watch a SHA-256 of the mounted file instead of SecretProviderClassPodStatus (never prints contents)', false)
    .option(
      '--timeout <seconds>',
      'give up after this many seconds (default: 2 × the refresh period + 60; the period is the interval on driver ≤ 1.5, max(interval, 90 s) on driver ≥ 1.6)',
    )
    .addHelpText(
      'after',
      '\nNeeds Azure credentials (DefaultAzureCredential: az login, environment, or workload identity) with permission to set the secret.\nThe new value is random bytes generated locally; it is never printed.',
    )
    .action(async (name: string, flags: RotationFlags, command: Command) => {
      const reporter = ctx.reporter(command);
      let timeoutSeconds: number | undefined;
      if (flags.timeout !== undefined) {
        timeoutSeconds = Number(flags.timeout);
        if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) {
          throw UserError.of('command line', '--timeout', 'use a positive number of seconds', flags.timeout);
        }
      }
      const { rotationTestCommand } = require('../../verify/command') as typeof import('../../verify/command');
      const code = await rotationTestCommand(
        {
          env: name,
          workload: flags.workload,
          object: flags.object,
          exec: flags.exec,
          ...(flags.config ? { config: flags.config } : {}),
          ...(flags.outputs ? { outputs: flags.outputs } : {}),
          ...(flags.context ? { context: flags.context } : {}),
          ...(timeoutSeconds !== undefined ? { timeoutSeconds } : {}),
        },
        reporter,
      );
      ctx.exit(code);
    });
}
