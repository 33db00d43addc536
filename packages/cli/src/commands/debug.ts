import type { ArgumentsCamelCase, CommandModule } from 'yargs';
import { dirname, resolve } from 'node:path';
import { acquireLock, findProfilesFile, isTformError, openProject } from '@tform/core';
import { common, loggerFor, type GlobalArgs } from '../globalOptions.js';
import { handle } from '../handle.js';

interface DebugArgs extends GlobalArgs {
  'config-dir': boolean;
}

export const debugCommand: CommandModule<GlobalArgs, DebugArgs> = {
  command: 'debug',
  describe: 'Check the project, the profile and the connection to the warehouse',
  builder: (y) => y.option('config-dir', { type: 'boolean', default: false, describe: 'Only print the directory profiles.yml is read from' }) as never,
  handler: async (a: ArgumentsCamelCase<DebugArgs>) => {
    const logger = loggerFor(a);
    await handle(logger, async () => {
      const c = logger.c;
      if (a['config-dir']) {
        logger.print(dirname(resolve(findProfilesFile({ projectDir: a['project-dir'], profilesDir: a['profiles-dir'] }))));
        return 0;
      }
      const p = await openProject(common(a, logger, 'debug'));
      const cfg = p.project.config;
      logger.info(`${cfg.file} file [${c.green('OK found and valid')}] (${cfg.name}${cfg.flavor === 'dbt' ? ', read as a dbt project' : ''})`);
      if (cfg.requireDbtVersion) logger.info(`require-dbt-version: ${cfg.requireDbtVersion.join(', ')} (noted; tform does not check it)`);
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
