import type { ArgumentsCamelCase, CommandModule } from 'yargs';
import { executeShow, formatTable, openProject } from '@tform/core';
import { common, loggerFor, selection, withSelection, type GlobalArgs, type SelectionArgs } from '../globalOptions.js';
import { handle } from '../handle.js';

interface ShowArgs extends GlobalArgs, SelectionArgs {
  limit: number;
}

export const showCommand: CommandModule<GlobalArgs, ShowArgs> = {
  command: 'show',
  describe: "Preview the rows of one model's compiled query (nothing is written)",
  builder: (y) => withSelection(y).option('limit', { type: 'number', default: 5, describe: 'Rows to show' }) as never,
  handler: async (a: ArgumentsCamelCase<ShowArgs>) => {
    const logger = loggerFor(a);
    await handle(logger, async () => {
      const p = await openProject(common(a, logger, 'show'));
      try {
        const r = await executeShow(p, { ...selection(a), limit: a.limit });
        if (logger.format === 'json') logger.info(`Previewing ${r.name}`, 'show', { node: r.name, rows: JSON.parse(JSON.stringify(r.rows, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))) });
        else {
          logger.info(`Previewing node '${r.name}':`);
          logger.print(formatTable(r.rows));
        }
        return 0;
      } finally {
        await p.adapter?.close();
      }
    });
  },
};
