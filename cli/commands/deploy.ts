/** `deploy NAME`: the pinned `cdktf deploy` of one environment, then a fresh render from its outputs. */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import type { Command } from 'commander';
import { EXIT_BAD_INPUT, EXIT_FINDINGS, EXIT_OK, UserError } from '../../lib/errors';
import { manifestsDirOf } from '../../lib/paths';
import type { CommandContext } from '../main';
import { findingProblems, printFindings } from './shared';

/** The pinned cdktf CLI of this project; tests point this at a stand-in through AKS_KEYVAULT_CSI_CDKTF. */
function cdktfCommand(env: NodeJS.ProcessEnv): string {
  return env.AKS_KEYVAULT_CSI_CDKTF ?? path.join(path.dirname(require.resolve('cdktf-cli/package.json')), 'bundle', 'bin', 'cdktf');
}

export function register(program: Command, ctx: CommandContext): void {
  program
    .command('deploy')
    .description('run the pinned "cdktf deploy" for one environment, write its outputs to environments/<name>.outputs.json, then render the manifests')
    .argument('<name>', 'environment name (environments/<name>.yaml)')
    .argument('[cdktf-args...]', 'extra arguments for cdktf deploy after "--", e.g. -- --auto-approve')
    .action((name: string, extra: string[], _flags: unknown, command: Command) => {
      const reporter = ctx.reporter(command);
      const { loadEnvironments } = require('../../pipeline/environments') as typeof import('../../pipeline/environments');
      const { defaultOutputsFile } = require('../../lib/outputs/load') as typeof import('../../lib/outputs/load');
      const [model] = loadEnvironments({ names: [name] });
      const outputsFile = defaultOutputsFile(model.name);
      const cdktf = cdktfCommand(ctx.io.env);
      const args = ['deploy', model.stackName, '--outputs-file', outputsFile, ...extra];
      reporter.line(`${reporter.bold(model.name)}  cdktf ${args.join(' ')}`);
      const env = { ...ctx.io.env, CHECKPOINT_DISABLE: '1', CDK8S_CHECK_UPGRADE: 'false' };
      // cdktf's own output passes through; with --json it goes to stderr so stdout stays one JSON document.
      const result = spawnSync(cdktf, args, { stdio: ['inherit', reporter.json ? 2 : 1, 2], env });
      if (result.error !== undefined) {
        throw UserError.of(
          cdktf,
          '',
          `cannot run cdktf (${(result.error as NodeJS.ErrnoException).code ?? result.error.message}): run "npm ci" in the project first`,
        );
      }
      if (result.status !== 0) {
        const message = `cdktf deploy exited with ${result.status ?? result.signal}: nothing was rendered`;
        const code = result.status === 2 ? EXIT_BAD_INPUT : EXIT_FINDINGS;
        reporter.error(message);
        reporter.emit({
          exitCode: code,
          problems: [{ file: 'cdktf deploy', path: '', message: `${message} (its output is on stderr)` }],
          outputsFile,
          manifests: null,
          findings: [],
        });
        ctx.exit(code);
        return;
      }
      const { synthEnvironments } = require('../../pipeline/synth') as typeof import('../../pipeline/synth');
      const run = synthEnvironments([model], { outputsFile });
      const r = run.environments[0];
      printFindings(reporter, r.findings);
      if (run.written)
        reporter.line(
          `${reporter.bold(model.name)}  manifests  ${r.manifestsDir ?? manifestsDirOf(model.name)}/ (${r.manifests?.length ?? 0} files): commit them to your GitOps repository`,
        );
      else reporter.error('trust-chain check failed after deploy: manifests were not written');
      reporter.emit({
        exitCode: run.written ? EXIT_OK : EXIT_FINDINGS,
        problems: findingProblems(r.findings),
        outputsFile,
        manifests: r.manifestsDir ?? null,
        findings: r.findings,
      });
      ctx.exit(run.written ? EXIT_OK : EXIT_FINDINGS);
    });
}
