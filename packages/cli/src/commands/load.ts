import type { ArgumentsCamelCase, CommandModule } from 'yargs';
import { executeLoad, openProject, reportingFailures } from '@tform/core';
import { common, loggerFor, type GlobalArgs } from '../globalOptions.js';
import { handle } from '../handle.js';

interface LoadArgs extends GlobalArgs {
  select?: string[];
  exclude?: string[];
  selector?: string;
  wait: boolean;
}

/**
 * `tform load`: load the new and changed raw files of sources with an `external:` location into
 * their tables. Exit 0 when every file loaded, 1 when a file failed, 2 for a user error.
 */
export const loadCommand: CommandModule<GlobalArgs, LoadArgs> = {
  command: 'load',
  describe: 'Load new and changed raw files (JSON lines, CSV, gzip) of sources with an external: location into their tables',
  builder: (y) =>
    y
      .option('select', {
        alias: ['s'],
        type: 'string',
        array: true,
        describe: 'Source tables to load: source:raw (every table of a source), source:raw.events; default: every source with an external: location',
      })
      .option('exclude', { type: 'string', array: true, describe: 'Source tables to leave out (same grammar)' })
      .option('selector', { type: 'string', describe: 'A named selector from selectors.yml' })
      .option('wait', { type: 'boolean', default: true, describe: 'Wait for the run lock (--no-wait: exit 2 when another run holds it)' }) as never,
  handler: async (a: ArgumentsCamelCase<LoadArgs>) => {
    const logger = loggerFor(a);
    await handle(logger, async () => {
      const p = await openProject(common(a, logger, 'load'));
      try {
        const out = await reportingFailures(p, 'load', () => executeLoad(p, { select: a.select, exclude: a.exclude, selector: a.selector, logger, wait: a.wait }));
        return out.exitCode;
      } finally {
        await p.adapter?.close();
      }
    });
  },
};
