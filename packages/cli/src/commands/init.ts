import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { ArgumentsCamelCase, CommandModule } from 'yargs';
import { TformError } from '@tform/core';
import { loggerFor, type GlobalArgs } from '../globalOptions.js';
import { handle } from '../handle.js';
import { scaffold } from '../scaffold.js';

interface InitArgs extends GlobalArgs {
  name: string;
}

export const initCommand: CommandModule<GlobalArgs, InitArgs> = {
  command: 'init <name>',
  describe: 'Create a new project (DuckDB profile, bronze/silver/gold models, a seed) in ./<name>',
  builder: (y) => y.positional('name', { type: 'string', demandOption: true, describe: 'Project name (letters, digits, underscores)' }) as never,
  handler: async (a: ArgumentsCamelCase<InitArgs>) => {
    const logger = loggerFor(a);
    await handle(logger, async () => {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(a.name)) {
        throw new TformError('FLAG_INVALID', `project name '${a.name}' must be letters, digits and underscores, not starting with a digit`);
      }
      const dir = resolve(a['project-dir'], a.name);
      if (existsSync(dir) && readdirSync(dir).length > 0) {
        throw new TformError('INIT_EXISTS', `${dir} exists and is not empty`, { hint: 'pick another name or remove the folder' });
      }
      for (const [rel, text] of Object.entries(scaffold(a.name))) {
        const f = join(dir, rel);
        mkdirSync(dirname(f), { recursive: true });
        writeFileSync(f, text);
      }
      logger.info(`Created project ${a.name} in ${dir}`);
      logger.info(`Next: cd ${a.name} && tform build`);
      return 0;
    });
  },
};
