/** `diagram`: the trust chain of each environment as a Mermaid diagram (dist/<env>/TRUST.md). */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { EXIT_OK } from '../../lib/errors';
import { ENVIRONMENTS_DIR, manifestsDirOf, TERRAFORM_OUT } from '../../lib/paths';
import type { CommandContext } from '../main';
import { folderEvents, lockTimeoutMs, printFolderReports } from './shared';

interface DiagramFlags {
  readonly env?: string[];
  readonly config?: string;
  readonly outputs?: string;
  readonly stdout: boolean;
  readonly adopt: boolean;
  readonly lockTimeout?: string;
}

export function register(program: Command, ctx: CommandContext): void {
  program
    .command('diagram')
    .description("draw each environment's trust chain as Mermaid: pod → ServiceAccount → federated credential → identity → role → vault and objects")
    .option('-e, --env <name...>', 'only these environments')
    .option('-c, --config <file>', 'an environment file from any path')
    .option('-o, --outputs <file>', 'Terraform outputs file (adds client ids and the issuer URL)')
    .option('--stdout', 'print the Markdown instead of writing dist/<env>/TRUST.md', false)
    .option('--adopt', 'take ownership of TRUST.md in a folder that has no ownership record (.aks-keyvault-csi); other files there stay untouched', false)
    .option('--lock-timeout <seconds>', 'how long to wait for another run writing the same folder (0: fail at once)', '60')
    .action((flags: DiagramFlags, command: Command) => {
      const reporter = ctx.reporter(command);
      const timeout = lockTimeoutMs(flags.lockTimeout);
      const { loadEnvironments } = require('../../pipeline/environments') as typeof import('../../pipeline/environments');
      const { trustDiagram, TRUST_FILE } = require('../../pipeline/diagram') as typeof import('../../pipeline/diagram');
      const { defaultOutputsFile, loadOutputs } = require('../../lib/outputs/load') as typeof import('../../lib/outputs/load');
      const models = loadEnvironments({ ...(flags.env ? { names: flags.env } : {}), ...(flags.config ? { configFile: flags.config } : {}) });
      const written: { name: string; file: string | null }[] = [];
      const folders: { dir: string; files: { path: string; content: string }[]; mode: 'add' }[] = [];
      for (const model of models) {
        const outputsFile = flags.outputs ?? defaultOutputsFile(model.name);
        const outputs = flags.outputs !== undefined || existsSync(outputsFile) ? loadOutputs(outputsFile, model) : undefined;
        const markdown = trustDiagram(model, outputs);
        if (flags.stdout) {
          reporter.product(markdown);
          written.push({ name: model.name, file: null });
          continue;
        }
        // TRUST.md joins the files this tool owns in the folder; the others stay as they are.
        folders.push({ dir: manifestsDirOf(model.name), files: [{ path: TRUST_FILE, content: markdown }], mode: 'add' });
        written.push({ name: model.name, file: path.join(manifestsDirOf(model.name), TRUST_FILE) });
      }
      if (folders.length > 0) {
        const { writeOutputs } = require('../../lib/write') as typeof import('../../lib/write');
        const reports = writeOutputs(folders, {
          command: 'diagram',
          adopt: flags.adopt,
          ...(timeout !== undefined ? { lockTimeoutMs: timeout } : {}),
          project: { root: '.', environmentsDir: ENVIRONMENTS_DIR, terraformOut: TERRAFORM_OUT },
          ...folderEvents(reporter),
        });
        for (const w of written) reporter.line(`${reporter.bold(w.name)}  ${w.file}`);
        printFolderReports(reporter, reports);
      }
      reporter.emit({ ok: true, exitCode: EXIT_OK, environments: written });
      ctx.exit(EXIT_OK);
    });
}
