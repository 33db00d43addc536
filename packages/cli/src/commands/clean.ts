import type { ArgumentsCamelCase, CommandModule } from 'yargs';
import { cleanProject } from '@tform/core';
import { loggerFor, type GlobalArgs } from '../globalOptions.js';
import { handle } from '../handle.js';

export const cleanCommand: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'clean',
  describe: 'Remove the clean-targets of the project file (default: target/ and dbt_packages/); DuckDB database files are kept',
  handler: async (a: ArgumentsCamelCase<GlobalArgs>) => {
    const logger = loggerFor(a);
    await handle(logger, async () => {
      cleanProject(a['project-dir'], logger);
      return 0;
    });
  },
};
