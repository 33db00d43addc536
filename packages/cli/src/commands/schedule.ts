import type { ArgumentsCamelCase, CommandModule } from 'yargs';
import { crontabFor, openProject } from '@tform/core';
import { common, loggerFor, selection, withSelection, type GlobalArgs, type SelectionArgs } from '../globalOptions.js';
import { handle } from '../handle.js';

interface ScheduleArgs extends GlobalArgs, SelectionArgs {
  bin: string;
}

/** `tform schedule`: the crontab line (with `tform run --due`) that serves every model's schedule. */
export const scheduleCommand: CommandModule<GlobalArgs, ScheduleArgs> = {
  command: 'schedule',
  describe: "Print the crontab line that serves every model's schedule: with one 'tform run --due'",
  builder: (y) => withSelection(y).option('bin', { type: 'string', default: 'npx tform', describe: 'How cron starts tform' }) as never,
  handler: async (a: ArgumentsCamelCase<ScheduleArgs>) => {
    const logger = loggerFor(a);
    await handle(logger, async () => {
      const p = await openProject(common(a, logger, 'schedule'));
      try {
        const c = crontabFor(p, { ...selection(a), bin: a.bin });
        if (logger.format === 'json') logger.info(c.tick ?? 'no schedules', 'crontab', { tick: c.tick ?? null, models: c.models, lines: c.lines });
        else logger.print(c.lines.join('\n'));
        return 0;
      } finally {
        await p.adapter?.close();
      }
    });
  },
};
