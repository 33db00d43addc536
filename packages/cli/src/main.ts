import yargs from 'yargs';
import { withGlobals } from './globalOptions.js';
import { buildCommands } from './commands/build.js';
import { cleanCommand } from './commands/clean.js';
import { compileCommand } from './commands/compile.js';
import { debugCommand } from './commands/debug.js';
import { docsCommand } from './commands/docs.js';
import { initCommand } from './commands/init.js';
import { loadCommand } from './commands/load.js';
import { monitorCommand } from './commands/monitor.js';
import { scheduleCommand } from './commands/schedule.js';
import { lsCommand } from './commands/ls.js';
import { showCommand } from './commands/show.js';
import { invalidateCommand, statusCommand } from './commands/status.js';
import { testCommand } from './commands/test.js';
import { TFORM_VERSION } from '@tform/core';

export async function run(argv: string[]): Promise<void> {
  let y = withGlobals(yargs(argv))
    .scriptName('tform')
    .usage('$0 <command> [options]')
    .version(TFORM_VERSION)
    .command(initCommand)
    .command(compileCommand)
    .command(lsCommand)
    .command(debugCommand)
    .command(showCommand)
    .command(statusCommand)
    .command(invalidateCommand)
    .command(testCommand)
    .command(loadCommand)
    .command(monitorCommand)
    .command(scheduleCommand)
    .command(cleanCommand)
    .command(docsCommand);
  for (const c of buildCommands) y = y.command(c);
  await y
    .demandCommand(1, 'Pick a command: tform <command> --help shows its options.')
    .strict()
    .recommendCommands()
    .help()
    .wrap(Math.min(110, process.stdout.columns || 100))
    .fail((msg, err) => {
      if (err) throw err;
      process.stderr.write(`Error: ${msg}\nRun 'tform --help' for usage.\n`);
      process.exit(2);
    })
    .parseAsync();
}
