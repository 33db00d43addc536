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
  'target-path'?: string;
  'use-colors'?: boolean;
  profile?: string;
  'static-parser'?: boolean;
  'partial-parse'?: boolean;
}

export function withGlobals<T>(y: Argv<T>) {
  return y
    .option('project-dir', { type: 'string', default: '.', describe: 'Directory holding tform_project.yml or dbt_project.yml', global: true })
    .option('profiles-dir', {
      type: 'string',
      describe: 'Directory holding profiles.yml (default: the first of $TFORM_PROFILES_DIR, $DBT_PROFILES_DIR, the project dir, the current dir, ~/.tform, ~/.dbt that has one)',
      global: true,
    })
    .option('target-path', { type: 'string', describe: "Where artifacts go, instead of the project file's target-path (also $DBT_TARGET_PATH)", global: true })
    .option('profile', { type: 'string', describe: "Profile to use instead of the project file's profile:", global: true })
    .option('target', { alias: 't', type: 'string', describe: 'Target of the profile to use', global: true })
    .option('vars', { type: 'string', describe: "Project variables as YAML or JSON, e.g. '{start: 2024-01-01}'", global: true })
    .option('now', { type: 'string', describe: 'Fix the clock (ISO date or timestamp; also $TFORM_NOW)', global: true })
    .option('log-format', { choices: ['text', 'json'] as const, default: 'text' as const, describe: 'text, or one JSON event per line', global: true })
    .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'Print only errors and results', global: true })
    .option('debug', { alias: 'd', type: 'boolean', default: false, describe: 'Print debug lines', global: true })
    .option('use-colors', { type: 'boolean', describe: 'Colour the output (--no-use-colors: never; default: on a terminal without NO_COLOR)', global: true })
    .option('static-parser', {
      type: 'boolean',
      describe: 'Render files that only call ref/source/config with literals without the template engine (default; --no-static-parser renders every file through it)',
      global: true,
    })
    .option('partial-parse', {
      type: 'boolean',
      describe: 'Reuse what the previous compile parsed and rendered when its inputs did not change (default; --no-partial-parse starts cold)',
      global: true,
    })
    // dbt flags that change nothing in tform, accepted so dbt command lines run unchanged.
    .option('version-check', { type: 'boolean', hidden: true, global: true })
    .option('send-anonymous-usage-stats', { type: 'boolean', hidden: true, global: true })
    .option('write-json', { type: 'boolean', hidden: true, global: true });
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
  return new Logger({ format: a['log-format'], quiet: a.quiet, debug: a.debug, ...(a['use-colors'] === false ? { color: false } : {}) });
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
    ...(a.profile ? { profile: a.profile } : {}),
    target: a.target,
    vars: a.vars,
    now: a.now,
    threads: a.threads,
    ...(a['target-path'] ? { targetPath: a['target-path'] } : {}),
    ...(a['static-parser'] === false ? { staticParser: false } : {}),
    ...(a['partial-parse'] === false ? { partialParse: false } : {}),
    logger,
    builtins: builtinAdapters,
    command: `tform ${command}`,
    argv: process.argv.slice(2),
  };
}
