/* Turn a nunjucks Environment into tform's Jinja: filters, tests and globals. */
import type { Environment } from 'nunjucks';
import type { Logger } from '../../log/logger.js';
import { AdapterObject, ApiNamespace, DbtNamespace, Dispatcher, type MacroLookup } from './dispatch.js';
import { CROSS_DB } from './crossdb.js';
import { JINJA_FILTERS } from './filters.js';
import { jinjaGlobals } from './globals.js';
import { JINJA_TESTS } from './tests.js';

export interface JinjaHost {
  /** A project macro by name. */
  macro: MacroLookup;
  logger(): Logger | undefined;
}

export function installJinja(env: Environment, host: JinjaHost): Dispatcher {
  for (const [name, f] of Object.entries(JINJA_FILTERS)) env.addFilter(name, f as (...a: unknown[]) => unknown);
  const tests = env as unknown as { addTest(name: string, fn: (...a: unknown[]) => boolean): void };
  for (const [name, t] of Object.entries(JINJA_TESTS)) tests.addTest(name, t);
  const dispatcher = new Dispatcher(host.macro);
  for (const [name, v] of Object.entries(jinjaGlobals(() => host.logger()))) env.addGlobal(name, v);
  // dbt's cross-database macros by their bare names too; a project macro of the same name replaces one.
  for (const name of Object.keys(CROSS_DB)) env.addGlobal(name, dispatcher.entry(name));
  env.addGlobal('adapter', new AdapterObject(dispatcher));
  env.addGlobal('dbt', new DbtNamespace(dispatcher));
  env.addGlobal('api', new ApiNamespace());
  return dispatcher;
}
