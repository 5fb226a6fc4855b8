/** `init NAME`: a commented environment file a new user can edit. */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { EXIT_OK, UserError } from '../../lib/errors';
import { ENVIRONMENTS_DIR } from '../../lib/paths';
import type { CommandContext } from '../main';

interface InitFlags {
  readonly dir: string;
  readonly force: boolean;
}

export function register(program: Command, ctx: CommandContext): void {
  program
    .command('init')
    .description('create environments/<name>.yaml: a commented starting point with the schema reference for editor completion')
    .argument('<name>', 'environment name: 2-24 lower-case letters, digits or hyphens, starting with a letter')
    .option('--dir <dir>', 'folder of environment files', ENVIRONMENTS_DIR)
    .option('--force', 'overwrite an existing file', false)
    .action(async (name: string, flags: InitFlags, command: Command) => {
      const reporter = ctx.reporter(command);
      // The name alone: "sub/dir" would name a file in another folder (use --dir for that).
      if (/[/\\]/.test(name) || name === '.' || name === '..') {
        throw UserError.of('command line', '<name>', `is a name, not a path: use 2-24 lower-case letters, digits or hyphens, and --dir DIR for another folder (e.g. "init ${path.basename(name) || 'staging'} --dir ${path.dirname(name)}")`, name);
      }
      const file = path.join(flags.dir, `${name}.yaml`);
      const { environmentNameOf } = require('../../lib/config/load') as typeof import('../../lib/config/load');
      environmentNameOf(file);
      if (existsSync(file) && !flags.force) {
        throw UserError.of(file, '', 'already exists: edit it, choose another name, or pass --force to overwrite');
      }
      const { scaffoldEnvironment } = require('../../pipeline/scaffold') as typeof import('../../pipeline/scaffold');
      const schemaRef = path.relative(flags.dir, path.join(ENVIRONMENTS_DIR, 'environment.schema.json')).split(path.sep).join('/') || 'environment.schema.json';
      const { writeUserFile } = require('../../lib/write') as typeof import('../../lib/write');
      writeUserFile(file, scaffoldEnvironment(name, schemaRef.startsWith('.') ? schemaRef : `./${schemaRef}`), { overwrite: flags.force });
      reporter.line(`wrote ${file}`);
      reporter.line(`next: edit it (vault names are global), then "aks-keyvault-csi synth --env ${name}"`);
      reporter.emit({ ok: true, exitCode: EXIT_OK, file });
      ctx.exit(EXIT_OK);
    });
}
