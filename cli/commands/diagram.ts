/** `diagram`: the trust chain of each environment as a Mermaid diagram (dist/<env>/TRUST.md). */
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { EXIT_OK } from '../../lib/errors';
import { manifestsDirOf } from '../../lib/paths';
import type { CommandContext } from '../main';

interface DiagramFlags {
  readonly env?: string[];
  readonly config?: string;
  readonly outputs?: string;
  readonly stdout: boolean;
}

export function register(program: Command, ctx: CommandContext): void {
  program
    .command('diagram')
    .description('draw each environment\'s trust chain as Mermaid: pod → ServiceAccount → federated credential → identity → role → vault and objects')
    .option('-e, --env <name...>', 'only these environments')
    .option('-c, --config <file>', 'an environment file from any path')
    .option('-o, --outputs <file>', 'Terraform outputs file (adds client ids and the issuer URL)')
    .option('--stdout', 'print the Markdown instead of writing dist/<env>/TRUST.md', false)
    .action(async (flags: DiagramFlags, command: Command) => {
      const reporter = ctx.reporter(command);
      const { loadEnvironments } = require('../../pipeline/environments') as typeof import('../../pipeline/environments');
      const { trustDiagram, TRUST_FILE } = require('../../pipeline/diagram') as typeof import('../../pipeline/diagram');
      const { defaultOutputsFile, loadOutputs } = require('../../lib/outputs/load') as typeof import('../../lib/outputs/load');
      const models = loadEnvironments({ ...(flags.env ? { names: flags.env } : {}), ...(flags.config ? { configFile: flags.config } : {}) });
      const written: { name: string; file: string | null }[] = [];
      for (const model of models) {
        const outputsFile = flags.outputs ?? defaultOutputsFile(model.name);
        const outputs = flags.outputs !== undefined || existsSync(outputsFile) ? loadOutputs(outputsFile, model) : undefined;
        const markdown = trustDiagram(model, outputs);
        if (flags.stdout) {
          reporter.product(markdown);
          written.push({ name: model.name, file: null });
          continue;
        }
        const file = path.join(manifestsDirOf(model.name), TRUST_FILE);
        mkdirSync(path.dirname(file), { recursive: true });
        const tmp = `${file}.tmp-${process.pid}`;
        writeFileSync(tmp, markdown);
        renameSync(tmp, file);
        reporter.line(`${reporter.bold(model.name)}  ${file}`);
        written.push({ name: model.name, file });
      }
      reporter.emit({ ok: true, exitCode: EXIT_OK, environments: written });
      ctx.exit(EXIT_OK);
    });
}
