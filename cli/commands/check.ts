/** `check`: the trust-chain check on synthesized output, and drift against a fresh render. */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import type { Finding } from '../../check';
import { EXIT_FINDINGS, EXIT_OK, UserError } from '../../lib/errors';
import type { EnvironmentModel } from '../../lib/model';
import { manifestsDirOf, terraformFileOf } from '../../lib/paths';
import type { CommandContext } from '../main';
import { findingProblems, printFindings } from './shared';

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
  readonly model?: EnvironmentModel;
  /** Undefined when the manifests were not rendered yet (not deployed): the Terraform side alone. */
  readonly manifestsDir: string | undefined;
  /** True for `dist/<env>`, false for a folder given with --dir. */
  readonly defaultDir: boolean;
  readonly terraformFile: string;
  readonly outputsFile?: string;
  /** Why only the Terraform side is checked. */
  readonly terraformOnly?: string;
  /** What the check could not cover, and how to cover it. */
  readonly notes: readonly string[];
}

export function register(program: Command, ctx: CommandContext): void {
  program
    .command('check')
    .description('verify the trust chain (pod → ServiceAccount → federated credential → identity → role → vault) in synthesized output')
    .option('-e, --env <name...>', 'check dist/<env>/ against cdktf.out/stacks/<env>/cdk.tf.json (default: every environment)')
    .option('-c, --config <file>', 'an environment file from any path (for --check-drift)')
    .option('--dir <dir>', 'a folder of rendered manifests, e.g. in a GitOps repository (with --terraform)')
    .option('--terraform <file>', 'the cdk.tf.json that created the Azure side (with --dir)')
    .option(
      '-o, --outputs <file>',
      'Terraform outputs file: compares the client ids, tenant and vault in the manifests with what Terraform created (default with --env: environments/<env>.outputs.json when it exists)',
    )
    .option('--check-drift', 'also fail when the folder differs from a fresh render of the environment (shows the diff)', false)
    .addHelpText(
      'after',
      '\nAn environment that was never deployed (no outputs file, so no manifests) has its Terraform side checked alone.\n\nExamples:\n  aks-keyvault-csi check\n  aks-keyvault-csi check --dir ../gitops/clusters/prod/aks-keyvault-csi --terraform cdktf.out/stacks/prod/cdk.tf.json --outputs environments/prod.outputs.json\n  aks-keyvault-csi check --env prod --dir ../gitops/clusters/prod/aks-keyvault-csi --check-drift',
    )
    .action((flags: CheckFlags, command: Command) => {
      const reporter = ctx.reporter(command);
      const envMode = flags.dir === undefined;
      if (!envMode && flags.terraform === undefined && !flags.checkDrift) {
        throw UserError.of('command line', '--terraform', '--dir needs --terraform FILE (the cdk.tf.json of the stack), or use --env NAME');
      }
      const { checkTrustChain, loadSynthesized } = require('../../check/index') as typeof import('../../check/index');
      const { loadEnvironments } = require('../../pipeline/environments') as typeof import('../../pipeline/environments');
      const selection = { ...(flags.env ? { names: flags.env } : {}), ...(flags.config ? { configFile: flags.config } : {}) };
      // With --dir, the environment is optional (it gives drift and the default outputs file).
      const models = envMode || flags.checkDrift || flags.env !== undefined || flags.config !== undefined ? loadEnvironments(selection) : [];
      if (!envMode && models.length > 1) {
        throw UserError.of('command line', '--dir', 'applies to one environment: name it with --env NAME or --config FILE');
      }
      const targets = envMode ? models.map((m) => environmentTarget(m, flags)) : [folderTarget(flags.dir, models[0], flags)];

      let failed = false;
      const results: { name: string; scope: 'full' | 'terraform'; terraformOnly: string | null; notes: readonly string[]; findings: Finding[] }[] = [];
      // Each environment is reported as soon as it is checked.
      for (const t of targets) {
        const input = loadSynthesized({
          manifestsDir: t.manifestsDir,
          terraformFile: t.terraformFile,
          ...(t.outputsFile ? { outputsFile: t.outputsFile } : {}),
        });
        const findings = [...checkTrustChain(input)];
        const notes = [...t.notes];
        if (flags.checkDrift && t.model !== undefined) {
          if (t.manifestsDir === undefined) notes.push('drift not checked: there are no manifests to compare yet');
          else findings.push(...freshDrift(t.model, t, flags));
        }
        const errors = findings.filter((f) => f.severity === 'error').length;
        const warnings = findings.length - errors;
        failed ||= errors > 0;
        const verdict = errors > 0 ? reporter.red(`${errors} error(s)`) : reporter.green('ok');
        reporter.line(
          `${reporter.bold(t.name)}  ${verdict}${warnings > 0 ? `, ${warnings} warning(s)` : ''}${t.terraformOnly !== undefined ? ' (Terraform side only)' : ''}`,
        );
        if (t.terraformOnly !== undefined) reporter.line(reporter.dim(`${' '.repeat(t.name.length)}  ${t.terraformOnly}`));
        printFindings(reporter, findings);
        for (const n of notes) reporter.warn(`${t.name}: ${n}`);
        results.push({ name: t.name, scope: t.terraformOnly === undefined ? 'full' : 'terraform', terraformOnly: t.terraformOnly ?? null, notes, findings });
      }
      const code = failed ? EXIT_FINDINGS : EXIT_OK;
      reporter.emit({ exitCode: code, problems: findingProblems(results.flatMap((r) => r.findings)), environments: results });
      ctx.exit(code);
    });
}

/** `check --env NAME`: dist/<env> against cdktf.out, or the Terraform side alone before the first deploy. */
function environmentTarget(model: EnvironmentModel, flags: CheckFlags): Target {
  const { defaultOutputsFile } = require('../../lib/outputs/load') as typeof import('../../lib/outputs/load');
  const outputsFile = flags.outputs ?? defaultOutputsFile(model.name);
  const hasOutputs = flags.outputs !== undefined || existsSync(outputsFile);
  const manifestsDir = manifestsDirOf(model.name);
  const terraformFile = terraformFileOf(model.stackName);
  if (!hasOutputs && !existsSync(manifestsDir)) {
    return {
      name: model.name,
      model,
      manifestsDir: undefined,
      defaultDir: true,
      terraformFile,
      terraformOnly: `no manifests yet: ${outputsFile} does not exist (not deployed), so synth rendered none; "aks-keyvault-csi deploy ${model.name}" writes it and renders them, then check covers both sides`,
      notes: [],
    };
  }
  return { name: model.name, model, manifestsDir, defaultDir: true, terraformFile, ...(hasOutputs ? { outputsFile } : {}), notes: [] };
}

/** `check --dir DIR`: a folder anywhere (a GitOps checkout), with the environment when named. */
function folderTarget(dir: string, model: EnvironmentModel | undefined, flags: CheckFlags): Target {
  const { defaultOutputsFile } = require('../../lib/outputs/load') as typeof import('../../lib/outputs/load');
  const fallbackOutputs = model !== undefined && existsSync(defaultOutputsFile(model.name)) ? defaultOutputsFile(model.name) : undefined;
  const outputsFile = flags.outputs ?? fallbackOutputs;
  const notes =
    outputsFile === undefined
      ? [
          "no outputs file: the client ids in the ServiceAccount annotation and the SecretProviderClass clientID were compared with each other only, not with the identities Terraform created, so a client id swapped in both (another workload's identity) passes; pass --outputs FILE (this environment's environments/<env>.outputs.json) to compare them",
        ]
      : [];
  return {
    name: model?.name ?? path.basename(path.resolve(dir)),
    ...(model !== undefined ? { model } : {}),
    manifestsDir: dir,
    defaultDir: false,
    terraformFile: flags.terraform ?? terraformFileOf(model!.stackName),
    ...(outputsFile !== undefined ? { outputsFile } : {}),
    notes,
  };
}

function freshDrift(model: EnvironmentModel, target: Target, flags: CheckFlags): Finding[] {
  const { loadOutputs, defaultOutputsFile } = require('../../lib/outputs/load') as typeof import('../../lib/outputs/load');
  const { renderManifests } = require('../../pipeline/manifests') as typeof import('../../pipeline/manifests');
  const { manifestDrift } = require('../../pipeline/drift') as typeof import('../../pipeline/drift');
  const { gitopsPlacement } = require('../../pipeline/gitops-path') as typeof import('../../pipeline/gitops-path');
  const outputs = loadOutputs(target.outputsFile ?? defaultOutputsFile(model.name), model);
  const dir = target.manifestsDir!;
  // The bootstrap object's path as synth computes it for the same folder, so both agree.
  const placement = gitopsPlacement(model, target.defaultDir ? undefined : dir);
  const fresh = renderManifests(model, outputs, placement.path !== undefined ? { gitopsPath: placement.path } : {});
  const synthCommand = [
    'aks-keyvault-csi synth',
    flags.config !== undefined ? `--config ${flags.config}` : `--env ${model.name}`,
    ...(flags.outputs !== undefined ? [`--outputs ${flags.outputs}`] : []),
    ...(target.defaultDir ? [] : [`--out ${dir}`]),
  ].join(' ');
  return manifestDrift(dir, fresh, { synthCommand });
}
