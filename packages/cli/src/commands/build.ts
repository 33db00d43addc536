import type { ArgumentsCamelCase, CommandModule } from 'yargs';
import { executeBuild, openProject, reportingFailures, retryPlan, type BuildCommand } from '@tform/core';
import { common, loggerFor, selection, withSelection, type GlobalArgs, type SelectionArgs } from '../globalOptions.js';
import { handle } from '../handle.js';

interface BuildArgs extends GlobalArgs, SelectionArgs {
  threads?: number;
  'fail-fast': boolean;
  'dry-run': boolean;
  wait: boolean;
  defer: boolean;
  'full-refresh': boolean;
  due: boolean;
  start?: string;
  end?: string;
  'days-back'?: number;
}

/** Ctrl-C / SIGTERM: cancel in-flight statements and publish nothing half-built; a second one exits at once. */
function interruptible(): { signal: AbortSignal; done(): void } {
  const ac = new AbortController();
  let count = 0;
  const on = () => {
    count++;
    if (count > 1) process.exit(130);
    ac.abort();
  };
  process.on('SIGINT', on);
  process.on('SIGTERM', on);
  return {
    signal: ac.signal,
    done: () => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
    },
  };
}

function command(name: BuildCommand, describe: string): CommandModule<GlobalArgs, BuildArgs> {
  return {
    command: name,
    describe,
    builder: (y) =>
      withSelection(y)
        .option('threads', { type: 'number', describe: 'Concurrent nodes (default: profile threads, else 4)' })
        .option('fail-fast', { alias: 'x', type: 'boolean', default: false, describe: 'Stop at the first failure' })
        .option('dry-run', { type: 'boolean', default: false, describe: 'Print the plan and the SQL it would run; change nothing' })
        .option('wait', { type: 'boolean', default: true, describe: 'Wait for the run lock (--no-wait: exit 2 when another run holds it)' })
        .option('defer', { type: 'boolean', default: false, describe: 'Read refs to unselected models missing from this target from the --state run' })
        .option('full-refresh', { type: 'boolean', default: false, describe: 'Rebuild incremental models from scratch' })
        .option('due', { type: 'boolean', default: false, describe: "Only models whose schedule: is due since their last success (one cron line '*/5 * * * * tform run --due' serves every schedule)" })
        .option('start', { type: 'string', describe: 'Backfill: microbatch models and panels re-process their intervals from this date/time (in the model\'s timezone)' })
        .option('end', { type: 'string', describe: 'Backfill end: a date is included whole, a timestamp is exclusive (default: now)' })
        .option('days-back', { type: 'number', describe: 'Backfill the last N days (and today so far)' }) as never,
    handler: async (a: ArgumentsCamelCase<BuildArgs>) => {
      const logger = loggerFor(a);
      const intr = interruptible();
      await handle(logger, async () => {
        const sel = selection(a);
        const p = await openProject(common(a, logger, name));
        try {
          const r = await reportingFailures(p, name, () => executeBuild(p, {
            command: name,
            ...sel,
            failFast: a['fail-fast'],
            dryRun: a['dry-run'],
            wait: a.wait,
            signal: intr.signal,
            defer: a.defer,
            fullRefresh: a['full-refresh'],
            due: a.due,
            backfill: a.start !== undefined || a.end !== undefined || a['days-back'] !== undefined ? { start: a.start, end: a.end, daysBack: a['days-back'] } : undefined,
          }), { enabled: !a['dry-run'] });
          return r.exitCode;
        } finally {
          await p.adapter?.close();
          intr.done();
        }
      });
    },
  };
}

const retryCommand: CommandModule<GlobalArgs, BuildArgs> = {
  command: 'retry',
  describe: 'Re-run only the nodes that errored or were skipped in the last run',
  builder: (y) =>
    y
      .option('threads', { type: 'number', describe: 'Concurrent nodes (default: profile threads, else 4)' })
      .option('fail-fast', { alias: 'x', type: 'boolean', default: false, describe: 'Stop at the first failure' })
      .option('wait', { type: 'boolean', default: true, describe: 'Wait for the run lock (--no-wait: exit 2 when another run holds it)' }) as never,
  handler: async (a: ArgumentsCamelCase<BuildArgs>) => {
    const logger = loggerFor(a);
    const intr = interruptible();
    await handle(logger, async () => {
      const p = await openProject(common(a, logger, 'retry'));
      try {
        const plan = retryPlan(p);
        for (const id of plan.gone) logger.warn(`${id} failed last time but is no longer in the project`);
        if (plan.ids.length === 0) {
          logger.info('Nothing to retry: the last run had no errors or skipped nodes.');
          return 0;
        }
        const r = await reportingFailures(p, plan.command, () => executeBuild(p, { command: plan.command, onlyIds: plan.ids, failFast: a['fail-fast'], wait: a.wait, signal: intr.signal }));
        return r.exitCode;
      } finally {
        await p.adapter?.close();
        intr.done();
      }
    });
  },
};

export const buildCommands = [
  retryCommand,
  command('run', 'Build the selected models'),
  command('seed', 'Load CSV seeds into tables'),
  command('build', 'Load seeds and build models (and run tests) in DAG order'),
];
