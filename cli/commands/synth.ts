/** `synth`: Terraform JSON and rendered manifests for the environments, then the trust-chain check. */
import type { Command } from 'commander';
import { EXIT_FINDINGS, EXIT_OK } from '../../lib/errors';
import type { CommandContext } from '../main';
import { findingProblems, folderEvents, lockTimeoutMs, printFindings, printFolderReports, printWarnings } from './shared';

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
    .option('--out <dir>', "write the one environment's manifests into this folder (e.g. a GitOps checkout) instead of dist/<env>")
    .option(
      '--adopt',
      'take ownership of the files this render writes in a folder that has no ownership record (.aks-keyvault-csi); other files there stay untouched',
      false,
    )
    .option('--lock-timeout <seconds>', 'how long to wait for another run writing the same folders (0: fail at once)', '60')
    .addHelpText(
      'after',
      "\nNothing is written unless every environment synthesizes and passes the check.\nWithout an outputs file (before the first deploy) only the Terraform JSON is written (and its side checked).\nIn a manifests folder only the files listed in its .aks-keyvault-csi record are replaced or deleted;\neverything else there (.git, other apps, notes) is left alone.\nWith --out inside a git checkout, the GitOps bootstrap object (output.gitops) points at that folder's path in the repository unless output.gitops.path says otherwise.",
    )
    .action((flags: SynthFlags, command: Command) => {
      const reporter = ctx.reporter(command);
      const started = performance.now();
      const timeout = lockTimeoutMs(flags.lockTimeout);
      const { loadEnvironments } = require('../../pipeline/environments') as typeof import('../../pipeline/environments');
      // Validate every input before loading cdktf and cdk8s: bad input fails fast.
      const models = loadEnvironments({ ...(flags.env ? { names: flags.env } : {}), ...(flags.config ? { configFile: flags.config } : {}) });
      const { synthEnvironments } = require('../../pipeline/synth') as typeof import('../../pipeline/synth');
      const { gitopsPlacement } = require('../../pipeline/gitops-path') as typeof import('../../pipeline/gitops-path');
      for (const m of models) printWarnings(reporter, m);
      // Where the GitOps bootstrap object points (with --out: the folder's path in its checkout).
      const placements = models.map((m) => gitopsPlacement(m, models.length === 1 ? flags.out : undefined));
      for (const p of placements) if (p.warning !== undefined) reporter.warn(p.warning);
      const gitopsPath = flags.out !== undefined && models.length === 1 ? placements[0]?.path : undefined;

      const width = Math.max(...models.map((m) => m.name.length), 'terraform'.length);
      const label = (name: string) => reporter.bold(name.padEnd(width));
      // Steps: render each environment, synthesize Terraform (one cdktf app), check each, write.
      const bar = reporter.progress(2 * models.length + 2);
      const run = synthEnvironments(models, {
        ...(flags.outputs ? { outputsFile: flags.outputs } : {}),
        ...(flags.out ? { manifestsDir: flags.out } : {}),
        ...(gitopsPath !== undefined ? { gitopsPath } : {}),
        adopt: flags.adopt,
        allEnvironments: flags.env === undefined && flags.config === undefined,
        ...(timeout !== undefined ? { lockTimeoutMs: timeout } : {}),
        ...folderEvents(reporter),
        onProgress: (event) => {
          if (event.step === 'rendered') {
            reporter.line(`${label(event.environment)}  ${reporter.dim(`rendered   ${fileCount(event.files)}`)}`);
            bar.step(`rendered ${event.environment}`);
          } else if (event.step === 'terraform') {
            reporter.line(`${label('terraform')}  ${reporter.dim(`synthesized ${event.environments} stack(s)`)}`);
            bar.step('synthesized Terraform');
          } else {
            const r = event.result;
            const errors = r.findings.filter((f) => f.severity === 'error').length;
            const warnings = r.findings.length - errors;
            const verdict = errors > 0 ? reporter.red(`${errors} error(s)`) : reporter.green('ok');
            reporter.line(`${label(r.model.name)}  terraform  ${r.terraformFile}`);
            reporter.line(
              `${label(r.model.name)}  check      ${verdict}${warnings > 0 ? `, ${warnings} warning(s)` : ''}${r.manifests === undefined ? ' (Terraform side only)' : ''}`,
            );
            if (r.manifests === undefined && r.skipped !== undefined)
              reporter.line(`${label(r.model.name)}  manifests  ${reporter.yellow('skipped')}: ${r.skipped}`);
            printFindings(reporter, r.findings);
            bar.step(`checked ${r.model.name}`);
          }
        },
      });
      bar.step(run.written ? 'written' : 'nothing written');
      reporter.endProgress();
      for (const r of run.environments) {
        if (run.written && r.manifests !== undefined && r.manifestsDir !== undefined)
          reporter.line(`${label(r.model.name)}  manifests  ${r.manifestsDir}/ (${fileCount(r.manifests.length)})`);
      }
      if (run.written)
        for (const f of run.fleets) reporter.line(`${label('fleet')}  ${f.tool.padEnd('manifests'.length)}  ${f.dir}/ (${fileCount(f.files.length)})`);
      printFolderReports(reporter, run.folders);
      const seconds = ((performance.now() - started) / 1000).toFixed(2);
      if (!run.written) {
        reporter.error(`trust-chain check failed: nothing was written (${seconds}s)`);
      } else {
        reporter.line(reporter.dim(`synthesized ${models.length} environment(s) in ${seconds}s`));
      }
      const code = run.written ? EXIT_OK : EXIT_FINDINGS;
      const { budgetTable } = require('../../lib/request-budget') as typeof import('../../lib/request-budget');
      reporter.emit({
        exitCode: code,
        problems: findingProblems(run.environments.flatMap((r) => r.findings)),
        environments: run.environments.map((r, i) => ({
          name: r.model.name,
          terraform: r.terraformFile,
          manifests: r.manifestsDir ?? null,
          files: r.manifests?.map((f) => f.path) ?? [],
          skipped: r.skipped ?? null,
          gitopsPath: placements[i]?.path ?? null,
          warnings: [...r.model.warnings, ...(placements[i]?.warning !== undefined ? [{ path: 'output.gitops.path', message: placements[i].warning }] : [])],
          findings: r.findings,
        })),
        // Key Vault's request budget per vault and subscription, for the environments synthesized together.
        requestBudget: budgetTable(models),
      });
      ctx.exit(code);
    });
}

/** `1 file`, `7 files`. */
function fileCount(n: number): string {
  return `${n} file${n === 1 ? '' : 's'}`;
}
