import type { ArgumentsCamelCase, CommandModule } from 'yargs';
import { acquireLock, isTformError, openProject } from '@tform/core';
import { common, loggerFor, type GlobalArgs } from '../globalOptions.js';
import { handle } from '../handle.js';

export const debugCommand: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'debug',
  describe: 'Check the project, the profile and the connection to the warehouse',
  handler: async (a: ArgumentsCamelCase<GlobalArgs>) => {
    const logger = loggerFor(a);
    await handle(logger, async () => {
      const c = logger.c;
      const p = await openProject(common(a, logger, 'debug'));
      logger.info(`tform_project.yml file [${c.green('OK found and valid')}] (${p.project.config.name})`);
      logger.info(`profiles.yml file [${c.green('OK found and valid')}] (${p.profileFile}, profile ${p.project.config.profile}, target ${p.target.name})`);
      logger.info(`adapter type: ${p.target.type}${p.factory.describe ? ` — ${p.factory.describe(p.target, { projectDir: p.project.root, threads: p.threads })}` : ''}`);
      logger.info(`schema: ${p.target.schema}, threads: ${p.threads}`);
      const adapter = p.adapter!;
      const lock = adapter.capabilities.concurrentReaders ? undefined : await acquireLock(p, true);
      try {
        await adapter.query('select 1 as ok');
        logger.info(`Connection test: [${c.green('OK connection ok')}]`);
        logger.info('All checks passed!');
        return 0;
      } catch (e) {
        if (isTformError(e)) throw e;
        logger.error(`Connection test: [ERROR] ${(e as Error).message}`);
        return 1;
      } finally {
        await lock?.release();
        await adapter.close();
      }
    });
  },
};
