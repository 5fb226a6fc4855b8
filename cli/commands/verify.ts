/** `verify NAME`: read-only checks of a live cluster against what the environment expects. */
import type { Command } from 'commander';
import type { CommandContext } from '../main';

interface VerifyFlags {
  readonly config?: string;
  readonly outputs?: string;
  readonly context?: string;
  readonly exec: boolean;
  readonly prometheusUrl?: string;
}

export function register(program: Command, ctx: CommandContext): void {
  program
    .command('verify')
    .description(
      'check a live cluster (read-only): add-on pods on every node, rotation flags, ServiceAccounts, SecretProviderClasses, Deployments, mounted object versions and FailedMount events',
    )
    .argument('<name>', 'environment name (environments/<name>.yaml)')
    .option('-c, --config <file>', 'an environment file from any path')
    .option('-o, --outputs <file>', 'Terraform outputs file (default environments/<name>.outputs.json)')
    .option('--context <name>', 'kubeconfig context to use (default: the current context)')
    .option('--exec', "also list the file names in one pod's mount (never their contents)", false)
    .option(
      '--prometheus-url <url>',
      "with monitoring: ask this Prometheus HTTP API (no credentials; e.g. a port-forward) whether the PodMonitors' targets are up",
    )
    .addHelpText(
      'after',
      '\nUses your kubeconfig (KUBECONFIG or ~/.kube/config). Passes are listed on stdout, failures and warnings on stderr (the checks: check/RULES.md). Exit codes: 0 all pass, 1 failures found, 2 bad input or cluster unreachable.',
    )
    .action(async (name: string, flags: VerifyFlags, command: Command) => {
      const reporter = ctx.reporter(command);
      const { verifyCommand } = require('../../verify/command') as typeof import('../../verify/command');
      const code = await verifyCommand(
        {
          env: name,
          exec: flags.exec,
          ...(flags.config ? { config: flags.config } : {}),
          ...(flags.outputs ? { outputs: flags.outputs } : {}),
          ...(flags.context ? { context: flags.context } : {}),
          ...(flags.prometheusUrl ? { prometheusUrl: flags.prometheusUrl } : {}),
        },
        reporter,
      );
      ctx.exit(code);
    });
}
