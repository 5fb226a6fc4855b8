/** `check`: the trust-chain check on synthesized output, and drift against a fresh render. */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import type { Finding } from '../../check';
import { EXIT_FINDINGS, EXIT_OK, UserError } from '../../lib/errors';
import { manifestsDirOf, terraformFileOf } from '../../lib/paths';
import type { CommandContext } from '../main';
import { printFindings } from './shared';

interface CheckFlags {
  readonly env?: string[];
  readonly config?: string;
  readonly dir?: string;
  readonly terraform?: string;
  readonly outputs?: string;
  readonly checkDrift: boolean;
}

interface Target {
  readonly name: string;
  readonly manifestsDir: string;
  readonly terraformFile: string;
  readonly outputsFile?: string;
}

export function register(program: Command, ctx: CommandContext): void {
  program
    .command('check')
    .description('verify the trust chain (pod → ServiceAccount → federated credential → identity → role → vault) in synthesized output')
    .option('-e, --env <name...>', 'check dist/<env>/ against cdktf.out/stacks/<env>/cdk.tf.json (default: every environment)')
    .option('-c, --config <file>', 'an environment file from any path (for --check-drift)')
    .option('--dir <dir>', 'a folder of rendered manifests, e.g. in a GitOps repository (with --terraform)')
    .option('--terraform <file>', 'the cdk.tf.json that created the Azure side (with --dir)')
    .option('-o, --outputs <file>', 'Terraform outputs file, to compare ids with what Azure reported')
    .option('--check-drift', 'also fail when the folder differs from a fresh render of the environment', false)
    .addHelpText('after', '\nExamples:\n  aks-keyvault-csi check\n  aks-keyvault-csi check --dir gitops/clusters/prod --terraform cdktf.out/stacks/prod/cdk.tf.json\n  aks-keyvault-csi check --env prod --dir gitops/clusters/prod --check-drift')
    .action(async (flags: CheckFlags, command: Command) => {
      const reporter = ctx.reporter(command);
      const envMode = flags.dir === undefined;
      if (!envMode && flags.terraform === undefined && !flags.checkDrift) {
        throw UserError.of('command line', '--terraform', '--dir needs --terraform FILE (the cdk.tf.json of the stack), or use --env NAME');
      }
      const { checkTrustChain, loadSynthesized } = require('../../check/index') as typeof import('../../check/index');
      const { loadEnvironments } = require('../../pipeline/environments') as typeof import('../../pipeline/environments');
      const { defaultOutputsFile } = require('../../lib/outputs/load') as typeof import('../../lib/outputs/load');
      const selection = { ...(flags.env ? { names: flags.env } : {}), ...(flags.config ? { configFile: flags.config } : {}) };
      const needModels = envMode || flags.checkDrift;
      const models = needModels ? loadEnvironments(selection) : [];
      if (!envMode && models.length > 1) {
        throw UserError.of('command line', '--dir', 'applies to one environment: name it with --env NAME or --config FILE');
      }

      const targets: Target[] = envMode
        ? models.map((m) => {
            const outputs = flags.outputs ?? defaultOutputsFile(m.name);
            return {
              name: m.name,
              manifestsDir: manifestsDirOf(m.name),
              terraformFile: terraformFileOf(m.stackName),
              ...(existsSync(outputs) || flags.outputs ? { outputsFile: outputs } : {}),
            };
          })
        : [
            {
              name: models[0]?.name ?? path.basename(flags.dir!),
              manifestsDir: flags.dir!,
              terraformFile: flags.terraform ?? terraformFileOf(models[0]!.stackName),
              ...(flags.outputs ? { outputsFile: flags.outputs } : {}),
            },
          ];

      const results: { name: string; findings: Finding[] }[] = [];
      for (const t of targets) {
        const input = loadSynthesized({ manifestsDir: t.manifestsDir, terraformFile: t.terraformFile, ...(t.outputsFile ? { outputsFile: t.outputsFile } : {}) });
        const findings = [...checkTrustChain(input)];
        const model = models.find((m) => m.name === t.name);
        if (flags.checkDrift && model !== undefined) {
          findings.push(...(await freshDrift(model, t)));
        }
        results.push({ name: t.name, findings });
      }

      let failed = false;
      for (const r of results) {
        const errors = r.findings.filter((f) => f.severity === 'error').length;
        const warnings = r.findings.length - errors;
        failed ||= errors > 0;
        reporter.line(`${reporter.bold(r.name)}  ${errors > 0 ? reporter.red(`${errors} error(s)`) : reporter.green('ok')}${warnings > 0 ? `, ${warnings} warning(s)` : ''}`);
        printFindings(reporter, r.findings);
      }
      const code = failed ? EXIT_FINDINGS : EXIT_OK;
      reporter.emit({ ok: !failed, exitCode: code, environments: results });
      ctx.exit(code);
    });
}

async function freshDrift(model: import('../../lib/model').EnvironmentModel, target: Target): Promise<Finding[]> {
  const { loadOutputs, defaultOutputsFile } = require('../../lib/outputs/load') as typeof import('../../lib/outputs/load');
  const { renderManifests } = require('../../pipeline/manifests') as typeof import('../../pipeline/manifests');
  const { manifestDrift } = require('../../pipeline/drift') as typeof import('../../pipeline/drift');
  const outputs = loadOutputs(target.outputsFile ?? defaultOutputsFile(model.name), model);
  const fresh = renderManifests(model, outputs);
  return manifestDrift(target.manifestsDir, fresh);
}
