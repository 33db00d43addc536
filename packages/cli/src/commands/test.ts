import type { ArgumentsCamelCase, CommandModule } from 'yargs';
import { executeTest, openProject, reportingFailures } from '@tform/core';
import { common, loggerFor, selection, withSelection, type GlobalArgs, type SelectionArgs } from '../globalOptions.js';
import { handle } from '../handle.js';

interface TestArgs extends GlobalArgs, SelectionArgs {
  threads?: number;
  wait: boolean;
  'fail-fast': boolean;
}

export const testCommand: CommandModule<GlobalArgs, TestArgs> = {
  command: 'test',
  describe: 'Run data tests (schema YAML tests and tests/*.sql) against the published relations',
  builder: (y) =>
    withSelection(y)
      .option('threads', { type: 'number', describe: 'Concurrent tests (default: profile threads, else 4)' })
      .option('fail-fast', { alias: 'x', type: 'boolean', default: false, describe: 'Stop at the first failure' })
      .option('wait', { type: 'boolean', default: true, describe: 'Wait for the run lock when one is needed' }) as never,
  handler: async (a: ArgumentsCamelCase<TestArgs>) => {
    const logger = loggerFor(a);
    await handle(logger, async () => {
      const sel = selection(a);
      const p = await openProject(common(a, logger, 'test'));
      try {
        return (await reportingFailures(p, 'test', () => executeTest(p, { ...sel, wait: a.wait, failFast: a['fail-fast'] }))).exitCode;
      } finally {
        await p.adapter?.close();
      }
    });
  },
};
