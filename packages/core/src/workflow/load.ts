import { performance } from 'node:perf_hooks';
import type { Adapter, FileToLoad, RelationRef } from '../adapter/types.js';
import { FileLoadError } from '../adapter/types.js';
import type { SourceNode } from '../compile/manifest.js';
import { TformError } from '../errors/index.js';
import { findFiles, hashFile } from '../load/discover.js';
import type { Logger } from '../log/logger.js';
import { compressionOf, FILE_COLUMN } from '../project/external.js';
import { ensureState, FileStateStore, type LoadedFile } from '../state/index.js';
import type { OpenProject } from './open.js';
import type { SelectionOptions } from './options.js';
import { selectFor } from './state.js';
import { relationOfSource } from '../plan/plan.js';

/**
 * `tform load`: load the raw files of sources with an `external:` location into their tables.
 *
 * Per source table: list the files matching the location (sorted by path), hash each (sha256 of
 * the bytes as stored), and compare with `tform_state.files`: a file with a known path and the
 * same hash is skipped, a new path is loaded, a known path with another hash is reloaded (its
 * rows, found by the `_tform_file` column, are deleted first). Each file is loaded in one
 * transaction together with its record in the state, so a file that fails leaves the table and
 * the state as they were for it; the other files still load.
 *
 * Takes no lock and writes no artifacts: the caller holds the run lock (the CLI takes it, and
 * `tform build` already holds it). Writes only the loaded tables (created when missing, with the
 * declared columns plus `_tform_file`) and the state.
 */

export interface LoadOptions extends SelectionOptions {
  /** Default: the project's logger. */
  logger?: Logger;
}

export type FileLoadStatus = 'loaded' | 'reloaded' | 'unchanged' | 'error';

export interface FileLoadResult {
  /** Relative to the project dir. */
  path: string;
  status: FileLoadStatus;
  sizeBytes: number;
  contentHash: string;
  /** Rows loaded (loaded and reloaded files). */
  rows?: number;
  /** Seconds spent loading (0 for unchanged files). */
  executionTime: number;
  /** Why it failed (status 'error'). */
  message?: string;
  /** Line of the file the problem is on, when the reader reports it. */
  line?: number;
}

export interface TableLoadResult {
  uniqueId: string;
  /** `source.table` */
  name: string;
  relation: RelationRef;
  location: string;
  files: FileLoadResult[];
  found: number;
  loaded: number;
  reloaded: number;
  unchanged: number;
  errors: number;
  /** Rows loaded by this call. */
  rows: number;
  /** A problem with the table itself (nothing of it was loaded). */
  error?: string;
}

export interface LoadOutcome {
  tables: TableLoadResult[];
  /** Seconds. */
  elapsed: number;
  /** Files (and tables) that failed. */
  errors: number;
  /** 1 when anything failed, else 0. */
  exitCode: number;
}

const WIDTH = 80;

function dotted(text: string, status: string): string {
  return `${text} ${'.'.repeat(Math.max(3, WIDTH - text.length - 1))} [${status}]`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** The source tables to load: the selected ones with an external location (all of them without selectors). */
function chooseSources(p: OpenProject, o: LoadOptions, logger: Logger): SourceNode[] {
  const all = Object.values(p.session.manifest.sources).sort((a, b) => (a.uniqueId < b.uniqueId ? -1 : 1));
  const filtered = Boolean(o.select?.some((s) => s.trim()) || o.exclude?.some((s) => s.trim()) || o.selector);
  if (!filtered) return all.filter((s) => s.external);
  const ids = new Set(selectFor(p, o, ['source']));
  const picked = all.filter((s) => ids.has(s.uniqueId));
  for (const s of picked) if (!s.external) logger.warn(`source ${s.sourceName}.${s.name} has no external location: nothing to load`);
  const out = picked.filter((s) => s.external);
  if (out.length === 0 && picked.length === 0) logger.warn('The selection criteria did not match any source');
  return out;
}

interface Pending {
  file: FileLoadResult & { absPath: string };
  reload: boolean;
}

interface TablePlan {
  source: SourceNode;
  result: TableLoadResult;
  pending: Pending[];
  /** Whether the table exists (its columns), checked before loading. */
  columns: string[];
}

function describeError(e: unknown): { message: string; line?: number } {
  if (e instanceof FileLoadError) return { message: e.message, line: e.line };
  if (e instanceof Error) {
    const line = (e as { line?: unknown }).line;
    return { message: e.message, ...(e instanceof TformError && typeof line === 'number' ? { line } : {}) };
  }
  return { message: String(e) };
}

/**
 * Create the table when missing (schema first); add declared columns it lacks. Throws a
 * TformError when an existing table has no `_tform_file` (it was not made by `tform load`).
 */
async function prepareTable(adapter: Adapter, plan: TablePlan, logger: Logger): Promise<void> {
  const d = adapter.dialect;
  const rel = plan.result.relation;
  const declared = plan.source.columns.map((c) => ({ name: c.name, type: c.dataType! }));
  if (plan.columns.length === 0) {
    await adapter.execute(d.createSchema(rel.schema, rel.database));
    await adapter.execute(d.createTable(rel, [...declared, { name: FILE_COLUMN, type: d.seedColumnType('text') }], { ifNotExists: true }));
    return;
  }
  const have = new Set(plan.columns.map((c) => d.columnKey(c)));
  if (!have.has(d.columnKey(FILE_COLUMN))) {
    throw new TformError('CONFIG_INVALID', `table ${rel.schema}.${rel.identifier} exists without the column ${FILE_COLUMN}, so it was not created by tform load`, {
      file: plan.source.path,
      hint: `drop it (tform load creates it), load into another table (identifier:), or add the column: alter table ${d.relation(rel)} add column ${d.quoteIdent(FILE_COLUMN)} ${d.seedColumnType('text')}`,
    });
  }
  for (const c of declared) {
    if (have.has(d.columnKey(c.name))) continue;
    await adapter.execute(d.addColumn(rel, { name: c.name, type: c.type }));
    logger.info(`Added column ${c.name} (${c.type}) to ${rel.schema}.${rel.identifier}; rows loaded before have NULL there`, 'load_column_added', { relation: rel, column: c.name });
  }
}

/**
 * Load the new and changed raw files of the selected source tables (see the top of this file).
 * Throws a TformError, before writing anything, when the adapter cannot load files.
 */
export async function loadSources(p: OpenProject, o: LoadOptions = {}): Promise<LoadOutcome> {
  const logger = o.logger ?? p.opts.logger;
  const t0 = performance.now();
  const adapter = p.adapter!;
  const sources = chooseSources(p, o, logger);
  if (sources.length === 0) {
    logger.info('Nothing to load: no selected source table has an external location.', 'load_nothing');
    return { tables: [], elapsed: (performance.now() - t0) / 1000, errors: 0, exitCode: 0 };
  }
  if (!adapter.capabilities.loadFiles || typeof adapter.loadFile !== 'function') {
    throw new TformError('ADAPTER_UNSUPPORTED', `the ${adapter.type} adapter cannot load raw files into tables`, {
      hint: 'load the files with the warehouse\'s own tools, or use a target whose adapter can (duckdb, postgres)',
    });
  }
  const loadFile = adapter.loadFile.bind(adapter);

  // Local work first: list and hash the files.
  const hashed = [];
  for (const s of sources) {
    const ext = s.external!;
    const files = [];
    const unreadable: FileLoadResult[] = [];
    for (const f of findFiles(p.project.root, ext.location)) {
      try {
        files.push({ ...f, ...(await hashFile(f.absPath)) });
      } catch (e) {
        // Gone or unreadable since it was listed: a failure of that file alone.
        unreadable.push({ path: f.relPath, status: 'error', sizeBytes: 0, contentHash: '', executionTime: 0, message: `cannot read the file: ${(e as Error).message}` });
      }
    }
    hashed.push({ source: s, files, unreadable });
  }

  await ensureState(adapter);
  const store = new FileStateStore(adapter, p.dialect, { now: () => p.clock.now() });
  const plans: TablePlan[] = [];
  for (const { source, files, unreadable } of hashed) {
    const relation = relationOfSource(source);
    const columns = (await adapter.columns(relation)).map((c) => c.name);
    // A table that is gone (dropped by hand) holds none of the recorded files: load them all.
    const prev: Map<string, LoadedFile> = columns.length ? await store.loaded(source.uniqueId) : new Map();
    const result: TableLoadResult = {
      uniqueId: source.uniqueId,
      name: `${source.sourceName}.${source.name}`,
      relation,
      location: source.external!.location,
      files: [...unreadable],
      found: files.length + unreadable.length,
      loaded: 0,
      reloaded: 0,
      unchanged: 0,
      errors: unreadable.length,
      rows: 0,
    };
    const pending: Pending[] = [];
    for (const f of files) {
      const before = prev.get(f.relPath);
      const r = { path: f.relPath, absPath: f.absPath, sizeBytes: f.size, contentHash: f.hash, executionTime: 0 };
      if (before && before.contentHash === f.hash) {
        result.files.push({ path: r.path, status: 'unchanged', sizeBytes: r.sizeBytes, contentHash: r.contentHash, executionTime: 0 });
        result.unchanged++;
      } else {
        pending.push({ file: { ...r, status: before ? 'reloaded' : 'loaded' }, reload: before !== undefined });
      }
    }
    plans.push({ source, result, pending, columns });
  }

  const total = plans.reduce((n, t) => n + t.pending.length, 0);
  const fileCount = plans.reduce((n, t) => n + t.result.found, 0);
  const fresh = plans.reduce((n, t) => n + t.pending.filter((x) => !x.reload).length, 0);
  const same = plans.reduce((n, t) => n + t.result.unchanged, 0);
  logger.info(
    `Found ${plural(plans.length, 'external source table')} with ${plural(fileCount, 'file')}: ${fresh} new, ${total - fresh} changed, ${same} unchanged`,
    'load_found',
    { tables: plans.length, files: fileCount, new: fresh, changed: total - fresh, unchanged: same },
  );
  for (const t of plans) if (t.result.found === 0) logger.warn(`source ${t.result.name}: no file matches ${t.result.location}`);
  if (total > 0) logger.info('');

  const c = logger.c;
  const d = adapter.dialect;
  let index = 0;
  for (const t of plans) {
    if (t.pending.length === 0) continue;
    const { result } = t;
    const rel = result.relation;
    try {
      await prepareTable(adapter, t, logger);
    } catch (e) {
      const { message } = describeError(e);
      result.error = message;
      result.errors++;
      for (const x of t.pending) {
        index++;
        result.files.push({ ...stripAbs(x.file), status: 'error', message: 'not loaded: the table could not be prepared' });
      }
      logger.info(dotted(`${index} of ${total} ${c.red('ERROR')} preparing ${rel.schema}.${rel.identifier} for ${plural(t.pending.length, 'file')}`, c.red('ERROR')), 'load_table_error', { unique_id: result.uniqueId, error: message });
      continue;
    }
    for (const x of t.pending) {
      index++;
      const f = x.file;
      const start = performance.now();
      const toLoad: FileToLoad = {
        absPath: f.absPath,
        relPath: f.path,
        format: t.source.external!.format,
        compression: compressionOf(t.source.external!, f.path),
        header: t.source.external!.header,
        delimiter: t.source.external!.delimiter,
        ...(t.source.external!.dateFormat !== undefined ? { dateFormat: t.source.external!.dateFormat } : {}),
        ...(t.source.external!.timestampFormat !== undefined ? { timestampFormat: t.source.external!.timestampFormat } : {}),
        columns: t.source.columns.map((col) => ({ name: col.name, type: col.dataType! })),
        fileColumn: FILE_COLUMN,
      };
      const label = `${result.name} from ${f.path}`;
      try {
        const rows = await adapter.transaction(async (tx) => {
          if (x.reload) await tx.execute(`delete from ${d.relation(rel)} where ${d.quoteIdent(FILE_COLUMN)} = ${d.stringLiteral(f.path)}`);
          const n = await loadFile(rel, toLoad, tx);
          await store.record(tx, { sourceId: result.uniqueId, path: f.path, sizeBytes: f.sizeBytes, contentHash: f.contentHash, rowsLoaded: n, runId: p.invocationId });
          return n;
        });
        const secs = (performance.now() - start) / 1000;
        result.files.push({ ...stripAbs(f), rows, executionTime: secs });
        result.rows += rows;
        if (x.reload) result.reloaded++;
        else result.loaded++;
        const verb = x.reload ? 'reloaded' : 'loaded';
        const tag = x.reload ? `REPLACE ${rows}` : `INSERT ${rows}`;
        logger.info(dotted(`${index} of ${total} ${c.green('OK')} ${verb} ${label}`, `${c.green(tag)} in ${secs.toFixed(2)}s`), 'load_file_finished', {
          unique_id: result.uniqueId,
          path: f.path,
          status: f.status,
          rows,
          index,
          total,
          execution_time: secs,
        });
      } catch (e) {
        const secs = (performance.now() - start) / 1000;
        const { message, line } = describeError(e);
        result.files.push({ ...stripAbs(f), status: 'error', executionTime: secs, message, ...(line !== undefined ? { line } : {}) });
        result.errors++;
        logger.info(dotted(`${index} of ${total} ${c.red('ERROR')} loading ${label}`, `${c.red('ERROR')} in ${secs.toFixed(2)}s`), 'load_file_finished', {
          unique_id: result.uniqueId,
          path: f.path,
          status: 'error',
          index,
          total,
          execution_time: secs,
          line: line ?? null,
          error: message,
        });
      }
    }
  }

  const elapsed = (performance.now() - t0) / 1000;
  const tables = plans.map((t) => t.result);
  summary(logger, tables, elapsed);
  const errors = tables.reduce((n, t) => n + t.errors, 0);
  return { tables, elapsed, errors, exitCode: errors > 0 ? 1 : 0 };
}

function stripAbs<T extends { absPath: string }>(f: T): Omit<T, 'absPath'> {
  const { absPath: _abs, ...rest } = f;
  return rest;
}

function summary(logger: Logger, tables: TableLoadResult[], elapsed: number): void {
  const c = logger.c;
  const sum = (k: 'loaded' | 'reloaded' | 'unchanged' | 'errors' | 'found' | 'rows') => tables.reduce((n, t) => n + t[k], 0);
  logger.info('');
  logger.info(`Finished loading ${plural(tables.length, 'source table')} in ${elapsed.toFixed(2)}s.`, 'load_finished', { elapsed });
  for (const t of tables) {
    const failed = t.files.filter((f) => f.status === 'error').length;
    logger.info(
      `  ${t.name}: ${plural(t.found, 'file')}, ${t.loaded} loaded, ${t.reloaded} reloaded, ${t.unchanged} unchanged, ${failed} failed; ${plural(t.rows, 'row')} loaded`,
      'load_table_summary',
      { unique_id: t.uniqueId, found: t.found, loaded: t.loaded, reloaded: t.reloaded, unchanged: t.unchanged, failed, rows: t.rows },
    );
  }
  const errors = sum('errors');
  if (errors > 0) {
    logger.info('');
    logger.info(c.red(`Completed with ${plural(errors, 'error')}:`));
    for (const t of tables) {
      if (t.error) {
        logger.info('');
        logger.info(c.red(`Failure preparing the table of source ${t.name}`), 'load_error', { unique_id: t.uniqueId, error: t.error });
        for (const l of t.error.split('\n')) logger.info(`  ${l}`);
        continue;
      }
      for (const f of t.files.filter((x) => x.status === 'error')) {
        logger.info('');
        logger.info(c.red(`Failure loading ${f.path}${f.line !== undefined ? `:${f.line}` : ''} into source ${t.name}`), 'load_error', {
          unique_id: t.uniqueId,
          path: f.path,
          line: f.line ?? null,
          error: f.message ?? null,
        });
        for (const l of (f.message ?? '').split('\n')) logger.info(`  ${l}`);
      }
    }
  } else {
    logger.info(c.green('Completed successfully'));
  }
  logger.info('');
  logger.info(
    `Done. LOADED=${sum('loaded')} RELOADED=${sum('reloaded')} UNCHANGED=${sum('unchanged')} ERROR=${errors} TOTAL=${sum('found')}`,
    'load_summary',
    { loaded: sum('loaded'), reloaded: sum('reloaded'), unchanged: sum('unchanged'), error: errors, total: sum('found'), rows: sum('rows') },
  );
}
