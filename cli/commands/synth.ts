/** `synth`: Terraform JSON and rendered manifests for the environments, then the trust-chain check. */
import type { Command } from 'commander';
import { EXIT_FINDINGS, EXIT_OK } from '../../lib/errors';
import type { CommandContext } from '../main';
import { folderEvents, lockTimeoutMs, printFindings, printFolderReports, printWarnings } from './shared';

interface SynthFlags {
  readonly env?: string[];
  readonly config?: string;
  readonly outputs?: string;
  readonly out?: string;
  readonly adopt: boolean;
  readonly lockTimeout?: string;
}

export function register(program: Command, ctx: CommandContext): void {
  program
    .command('synth')
    .description('write Terraform JSON (cdktf.out/stacks/<env>/) and manifests (dist/<env>/) for every environment, then check the trust chain')
    .option('-e, --env <name...>', 'only these environments (environments/<name>.yaml)')
    .option('-c, --config <file>', 'an environment file from any path (its base name is the environment name)')
    .option('-o, --outputs <file>', 'Terraform outputs file (cdktf --outputs-file or terraform output -json) for the one environment', undefined)
    .option('--out <dir>', 'write the one environment\'s manifests into this folder (e.g. a GitOps checkout) instead of dist/<env>')
    .option('--adopt', 'take ownership of the files this render writes in a folder that has no ownership record (.aks-keyvault-csi); other files there stay untouched', false)
    .option('--lock-timeout <seconds>', 'how long to wait for another run writing the same folders (0: fail at once)', '60')
    .addHelpText(
      'after',
      '\nNothing is written unless every environment synthesizes and passes the check.\nWithout an outputs file (before the first deploy) only the Terraform JSON is written.\nIn a manifests folder only the files listed in its .aks-keyvault-csi record are replaced or deleted;\neverything else there (.git, other apps, notes) is left alone.',
    )
    .action(async (flags: SynthFlags, command: Command) => {
      const reporter = ctx.reporter(command);
      const started = performance.now();
      const timeout = lockTimeoutMs(flags.lockTimeout);
      const { loadEnvironments } = require('../../pipeline/environments') as typeof import('../../pipeline/environments');
      // Validate every input before loading cdktf and cdk8s: bad input fails fast.
      const models = loadEnvironments({ ...(flags.env ? { names: flags.env } : {}), ...(flags.config ? { configFile: flags.config } : {}) });
      const { synthEnvironments } = require('../../pipeline/synth') as typeof import('../../pipeline/synth');
      for (const m of models) printWarnings(reporter, m);
      const run = synthEnvironments(models, {
        ...(flags.outputs ? { outputsFile: flags.outputs } : {}),
        ...(flags.out ? { manifestsDir: flags.out } : {}),
        adopt: flags.adopt,
        ...(timeout !== undefined ? { lockTimeoutMs: timeout } : {}),
        ...folderEvents(reporter),
      });
      const width = Math.max(...models.map((m) => m.name.length));
      for (const r of run.environments) {
        const name = r.model.name.padEnd(width);
        const errors = r.findings.filter((f) => f.severity === 'error').length;
        const warnings = r.findings.length - errors;
        reporter.line(`${reporter.bold(name)}  terraform  ${r.terraformFile}`);
        if (r.manifests !== undefined) {
          reporter.line(`${reporter.bold(name)}  manifests  ${r.manifestsDir}/ (${r.manifests.length} files)`);
          const verdict = errors > 0 ? reporter.red(`${errors} error(s)`) : reporter.green('ok');
          reporter.line(`${reporter.bold(name)}  check      ${verdict}${warnings > 0 ? `, ${warnings} warning(s)` : ''}`);
        } else if (r.skipped !== undefined) {
          reporter.line(`${reporter.bold(name)}  manifests  ${reporter.yellow('skipped')}: ${r.skipped}`);
        }
        printFindings(reporter, r.findings);
      }
      printFolderReports(reporter, run.folders);
      const seconds = ((performance.now() - started) / 1000).toFixed(2);
      if (!run.written) {
        reporter.error(`trust-chain check failed: nothing was written (${seconds}s)`);
      } else {
        reporter.line(reporter.dim(`synthesized ${models.length} environment(s) in ${seconds}s`));
      }
      reporter.emit({
        ok: run.written,
        exitCode: run.written ? EXIT_OK : EXIT_FINDINGS,
        environments: run.environments.map((r) => ({
          name: r.model.name,
          terraform: r.terraformFile,
          manifests: r.manifestsDir ?? null,
          files: r.manifests?.map((f) => f.path) ?? [],
          skipped: r.skipped ?? null,
          warnings: r.model.warnings,
          findings: r.findings,
        })),
      });
      ctx.exit(run.written ? EXIT_OK : EXIT_FINDINGS);
    });
}
