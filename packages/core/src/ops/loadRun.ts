import { loadSources, type LoadOptions, type LoadOutcome, type TableLoadResult } from '../workflow/load.js';
import { acquireLock, type OpenProject } from '../workflow/open.js';
import { reportRun, writeRunLog, type RunItem } from './finish.js';

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** One source table of a load as a run log entry: success unless a file (or the table) failed. */
export function loadItem(t: TableLoadResult): RunItem {
  const failed = t.files.filter((f) => f.status === 'error');
  const counts = `${plural(t.found, 'file')}: ${t.loaded} loaded, ${t.reloaded} reloaded, ${t.unchanged} unchanged, ${failed.length} failed`;
  const errors = t.error ? [t.error] : failed.map((f) => `${f.path}${f.line !== undefined ? `:${f.line}` : ''}: ${f.message ?? 'not loaded'}`);
  return {
    uniqueId: t.uniqueId,
    name: t.name,
    resourceType: 'source',
    status: t.errors > 0 ? 'error' : 'success',
    message: errors.length ? `${counts}\n${errors.join('\n')}` : counts,
    executionTime: t.files.reduce((s, f) => s + f.executionTime, 0),
    rowsAffected: t.rows,
    failures: t.errors > 0 ? t.errors : null,
    relationName: `${t.relation.schema}.${t.relation.identifier}`,
  };
}

/**
 * `tform load` as a command: take the run lock, load the new and changed raw files, write one
 * run log row per source table, and report failures (error report, `on_failure`). tform load
 * writes no run_results.json: that file stays the last run, seed, build or test's.
 */
export async function executeLoad(p: OpenProject, o: LoadOptions & { wait?: boolean } = {}): Promise<LoadOutcome> {
  const lock = await acquireLock(p, o.wait ?? true);
  let out: LoadOutcome;
  try {
    out = await loadSources(p, o);
    await writeRunLog(p, 'load', out.tables.map(loadItem));
  } finally {
    await lock.release();
  }
  // Error report and notifications once the lock is free.
  await reportRun(p, { command: 'load', items: [], loaded: out });
  return out;
}
