import type { ArgumentsCamelCase, CommandModule } from 'yargs';
import { DEFAULT_DAYS_BACK, executeMonitor, formatTable, notifyLate, openProject, type MonitorCheck } from '@tform/core';
import { common, loggerFor, selection, withSelection, type GlobalArgs, type SelectionArgs } from '../globalOptions.js';
import { handle } from '../handle.js';

interface MonitorArgs extends GlobalArgs, SelectionArgs {
  'days-back': number;
  wait: boolean;
}

function when(iso: string | undefined): string {
  return iso ? iso.replace('T', ' ').replace(/(:\d\d)\.\d+Z$/, '$1Z') : '';
}

function row(c: MonitorCheck): Record<string, unknown> {
  return { check: c.check, node: c.name, expected: c.expected, last: when(c.last), status: c.status.toUpperCase(), detail: c.detail.split('\n')[0] ?? '' };
}

/**
 * `tform monitor`: whether each selected model succeeded within its window, the freshness of
 * the sources and the latest percent_change results. Exit 1 when something is late, stale or
 * failing (and `on_late` is sent), 0 otherwise.
 */
export const monitorCommand: CommandModule<GlobalArgs, MonitorArgs> = {
  command: 'monitor',
  describe: 'Check that models succeeded within their schedule / expect_every, source freshness and the latest percent_change results; exit 1 when late or failing',
  builder: (y) =>
    withSelection(y)
      .option('days-back', { type: 'number', default: DEFAULT_DAYS_BACK, describe: 'Look back N days: the window of models without schedule or expect_every, and of test results' })
      .option('wait', { type: 'boolean', default: true, describe: 'Wait for the run lock where the warehouse needs it' }) as never,
  handler: async (a: ArgumentsCamelCase<MonitorArgs>) => {
    const logger = loggerFor(a);
    await handle(logger, async () => {
      const p = await openProject(common(a, logger, 'monitor'));
      try {
        const r = await executeMonitor(p, { ...selection(a), daysBack: a['days-back'], wait: a.wait });
        if (logger.format === 'json') {
          for (const c of r.checks) {
            logger.info(`${c.check} ${c.name}: ${c.status}`, 'monitor_check', {
              check: c.check,
              unique_id: c.uniqueId,
              name: c.name,
              expected: c.expected,
              last: c.last ?? null,
              status: c.status,
              detail: c.detail,
              ...(c.runs !== undefined ? { runs: c.runs, errors: c.errors ?? 0 } : {}),
            });
          }
        } else if (r.checks.length) {
          logger.print(formatTable(r.checks.map(row)));
        }
        const msg = r.checks.length === 0
          ? 'Nothing to monitor: no model, source freshness or percent_change test selected.'
          : r.problems.length
            ? `${r.problems.length} of ${r.checks.length} checks late or failing at ${r.now}`
            : `All ${r.checks.length} checks on time at ${r.now}`;
        logger.info(msg, 'monitor_summary', { now: r.now, days_back: r.daysBack, checks: r.checks.length, problems: r.problems.length });
        await notifyLate(p, r);
        return r.exitCode;
      } finally {
        await p.adapter?.close();
      }
    });
  },
};
