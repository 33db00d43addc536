import type { ArgumentsCamelCase, CommandModule } from 'yargs';
import { executeInvalidate, executeStatus, formatTable, openProject } from '@tform/core';
import { common, loggerFor, selection, withSelection, type GlobalArgs, type SelectionArgs } from '../globalOptions.js';
import { handle } from '../handle.js';

interface StatusArgs extends GlobalArgs, SelectionArgs {
  wait: boolean;
}

export const statusCommand: CommandModule<GlobalArgs, StatusArgs> = {
  command: 'status',
  describe: 'Per model: the intervals processed, the ones missing, and the last successful run',
  builder: (y) => withSelection(y).option('wait', { type: 'boolean', default: true, describe: 'Wait for the run lock where the warehouse needs it' }) as never,
  handler: async (a: ArgumentsCamelCase<StatusArgs>) => {
    const logger = loggerFor(a);
    await handle(logger, async () => {
      const p = await openProject(common(a, logger, 'status'));
      try {
        const list = await executeStatus(p, { ...selection(a), wait: a.wait });
        if (logger.format === 'json') {
          for (const s of list) logger.info(s.name, 'model_status', { ...s });
        } else {
          logger.print(
            formatTable(
              list.map((s) => ({
                model: s.name,
                kind: s.kind,
                intervals: s.intervals ?? '',
                'last success': s.lastSuccess ? `${s.lastSuccess.replace('T', ' ').replace(/\.\d+Z$/, 'Z')}` : 'never',
              })),
            ),
          );
        }
        return 0;
      } finally {
        await p.adapter?.close();
      }
    });
  },
};

interface InvalidateArgs extends StatusArgs {
  start?: string;
  end?: string;
  'days-back'?: number;
}

export const invalidateCommand: CommandModule<GlobalArgs, InvalidateArgs> = {
  command: 'invalidate',
  describe: 'Delete the rows and interval records of a range of microbatch models and panels, so the next run processes it again',
  builder: (y) =>
    withSelection(y)
      .option('start', { type: 'string', describe: "First date/time to invalidate (in the model's timezone)" })
      .option('end', { type: 'string', describe: 'End: a date is included whole, a timestamp is exclusive (default: now)' })
      .option('days-back', { type: 'number', describe: 'Invalidate the last N days (and today so far)' })
      .option('wait', { type: 'boolean', default: true, describe: 'Wait for the run lock (--no-wait: exit 2 when another run holds it)' }) as never,
  handler: async (a: ArgumentsCamelCase<InvalidateArgs>) => {
    const logger = loggerFor(a);
    await handle(logger, async () => {
      const p = await openProject(common(a, logger, 'invalidate'));
      try {
        const out = await executeInvalidate(p, { ...selection(a), range: { start: a.start, end: a.end, daysBack: a['days-back'] }, wait: a.wait });
        for (const r of out) {
          const rows = r.rowsDeleted === undefined ? '' : `${r.rowsDeleted} row${r.rowsDeleted === 1 ? '' : 's'} deleted, `;
          const intervals = `${r.intervalsForgotten ?? 0} interval${r.intervalsForgotten === 1 ? '' : 's'} to process again`;
          const lt = r.lifetimes.length ? `; ${r.lifetimes.join(', ')} will rebuild from it` : '';
          logger.info(`Invalidated ${r.range} of ${r.name}: ${rows}${intervals}${lt}`, 'invalidated', { ...r });
        }
        return 0;
      } finally {
        await p.adapter?.close();
      }
    });
  },
};
