/** `init NAME`: a commented environment file a new user can edit. */
import * as path from 'node:path';
import type { Command } from 'commander';
import { EXIT_OK, UserError } from '../../lib/errors';
import { ENVIRONMENTS_DIR } from '../../lib/paths';
import type { CommandContext } from '../main';

interface InitFlags {
  readonly dir: string;
}

export function register(program: Command, ctx: CommandContext): void {
  program
    .command('init')
    .description('create environments/<name>.yaml: a commented starting point with the schema reference for editor completion (never overwrites a file)')
    .argument('<name>', 'environment name: 2-24 lower-case letters, digits or hyphens, starting with a letter')
    .option('--dir <dir>', 'folder of environment files', ENVIRONMENTS_DIR)
    .action((name: string, flags: InitFlags, command: Command) => {
      const reporter = ctx.reporter(command);
      // The name, not a path: it is checked before it is joined to the folder, so "../evil" or
      // "sub/dir" never name a file outside --dir. Same rule as an environment file's base name.
      const { ENVIRONMENT_NAME } = require('../../lib/config/schema') as typeof import('../../lib/config/schema');
      if (!ENVIRONMENT_NAME.test(name)) {
        throw UserError.of(
          'command line',
          '<name>',
          'is not an environment name: use 2-24 lower-case letters, digits or hyphens, starting with a letter and not ending with a hyphen (e.g. "staging"); it names environments/<name>.yaml, and --dir DIR chooses another folder',
          name,
        );
      }
      const file = path.join(flags.dir, `${name}.yaml`);
      const { scaffoldEnvironment } = require('../../pipeline/scaffold') as typeof import('../../pipeline/scaffold');
      const schemaRef = path.relative(flags.dir, path.join(ENVIRONMENTS_DIR, 'environment.schema.json')).split(path.sep).join('/') || 'environment.schema.json';
      const { writeUserFile } = require('../../lib/write') as typeof import('../../lib/write');
      // Created only if absent, in one step (lib/write.ts), so an existing file is never overwritten.
      writeUserFile(file, scaffoldEnvironment(name, schemaRef.startsWith('.') ? schemaRef : `./${schemaRef}`), { overwrite: false });
      reporter.line(`wrote ${file}`);
      reporter.line(`next: edit it (vault names are global), then "aks-keyvault-csi synth --env ${name}"`);
      reporter.emit({ exitCode: EXIT_OK, file });
      ctx.exit(EXIT_OK);
    });
}
