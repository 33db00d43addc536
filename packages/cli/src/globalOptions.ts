import type { Argv } from 'yargs';
import { Logger, loadState, type CommonOptions, type SelectionOptions } from '@tform/core';
import { builtinAdapters } from '@tform/adapters';

export interface GlobalArgs {
  'project-dir': string;
  'profiles-dir'?: string;
  target?: string;
  vars?: string;
  now?: string;
  'log-format': 'text' | 'json';
  quiet: boolean;
  debug: boolean;
}

export function withGlobals<T>(y: Argv<T>) {
  return y
    .option('project-dir', { type: 'string', default: '.', describe: 'Directory holding tform_project.yml', global: true })
    .option('profiles-dir', { type: 'string', describe: 'Directory holding profiles.yml (default: $TFORM_PROFILES_DIR, the project dir, ~/.tform)', global: true })
    .option('target', { alias: 't', type: 'string', describe: 'Target of the profile to use', global: true })
    .option('vars', { type: 'string', describe: "Project variables as YAML or JSON, e.g. '{start: 2024-01-01}'", global: true })
    .option('now', { type: 'string', describe: 'Fix the clock (ISO date or timestamp; also $TFORM_NOW)', global: true })
    .option('log-format', { choices: ['text', 'json'] as const, default: 'text' as const, describe: 'text, or one JSON event per line', global: true })
    .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'Print only errors and results', global: true })
    .option('debug', { type: 'boolean', default: false, describe: 'Print debug lines', global: true });
}

export function withSelection<T>(y: Argv<T>) {
  return y
    .option('select', {
      alias: ['s', 'models', 'm'],
      type: 'string',
      array: true,
      describe: 'Nodes to include: names, folders and layers (gold+), graph operators (+m, m+2, @m), tag:, path:, layer:, config.<key>:, source:, resource_type:, state:modified, result:error; space = union, comma = intersection',
    })
    .option('exclude', { type: 'string', array: true, describe: 'Nodes to leave out (same grammar)' })
    .option('selector', { type: 'string', describe: 'A named selector from selectors.yml' })
    .option('state', { type: 'string', describe: 'Folder with the manifest.json (and run_results.json) of an earlier run, for state:/result: selectors and --defer' });
}

export function loggerFor(a: GlobalArgs): Logger {
  return new Logger({ format: a['log-format'], quiet: a.quiet, debug: a.debug });
}

export interface SelectionArgs {
  select?: string[];
  exclude?: string[];
  selector?: string;
  state?: string;
}

/** The selection flags as core takes them (reads the --state folder). */
export function selection(a: SelectionArgs): SelectionOptions {
  return { select: a.select, exclude: a.exclude, selector: a.selector, state: a.state ? loadState(a.state) : undefined };
}

export function common(a: GlobalArgs & { threads?: number }, logger: Logger, command: string): CommonOptions {
  return {
    projectDir: a['project-dir'],
    profilesDir: a['profiles-dir'],
    target: a.target,
    vars: a.vars,
    now: a.now,
    threads: a.threads,
    logger,
    builtins: builtinAdapters,
    command: `tform ${command}`,
  };
}
