import type { Dialect } from '../adapter/dialect.js';
import type { Executor } from '../adapter/types.js';
import { integerLiteral, stateTables, toDate, toNumber, utcLiteral, type StateTables } from './sql.js';

/** A raw file loaded into a source's table, as recorded in `tform_state.files`. */
export interface LoadedFile {
  /** Unique id of the source table (`source.<project>.<source>.<table>`). */
  sourceId: string;
  /** Path relative to the project dir (what the table's `_tform_file` holds). */
  path: string;
  sizeBytes: number;
  /** sha256 (hex) of the file's bytes as stored (compressed files: compressed). */
  contentHash: string;
  rowsLoaded: number | null;
  runId: string;
  loadedAt: Date;
}

/** A file to record; `loadedAt` is the store's clock. */
export type FileToRecord = Omit<LoadedFile, 'loadedAt' | 'rowsLoaded'> & { rowsLoaded?: number | bigint };

export interface FileStateOptions {
  /** Schema of the state tables (default `tform_state`). */
  schema?: string;
  /** Clock for `loaded_at` (default: the system clock). */
  now?: () => Date;
}

const HASH = /^[0-9a-f]{64}$/;

/**
 * Reads and writes which raw files were loaded into which source table. Reads go through the
 * executor given to the constructor (normally the adapter); record() takes the executor of the
 * transaction that loads the file's rows, so rows and record commit or roll back together. The
 * layout (version 2 or later) must exist: ensureState().
 */
export class FileStateStore {
  readonly tables: StateTables;
  private readonly now: () => Date;

  constructor(
    private readonly executor: Executor,
    readonly dialect: Dialect,
    opts: FileStateOptions = {},
  ) {
    this.tables = stateTables(opts.schema);
    this.now = opts.now ?? (() => new Date());
  }

  private q(name: string): string {
    return this.dialect.quoteIdent(name);
  }

  /** The files recorded for `sourceId`, by path. */
  async loaded(sourceId: string): Promise<Map<string, LoadedFile>> {
    const q = (n: string) => this.q(n);
    const rows = await this.executor.query(
      `select ${q('path')} as path, ${q('size_bytes')} as size_bytes, ${q('content_hash')} as content_hash, ${q('rows_loaded')} as rows_loaded,
  ${q('run_id')} as run_id, ${q('loaded_at')} as loaded_at
from ${this.dialect.relation(this.tables.files)}
where ${q('source_id')} = ${this.dialect.stringLiteral(sourceId)}
order by ${q('path')}`,
    );
    const out = new Map<string, LoadedFile>();
    for (const r of rows) {
      const path = String(r.path);
      out.set(path, {
        sourceId,
        path,
        sizeBytes: toNumber(r.size_bytes) ?? 0,
        contentHash: String(r.content_hash),
        rowsLoaded: toNumber(r.rows_loaded),
        runId: String(r.run_id),
        loadedAt: toDate(r.loaded_at),
      });
    }
    return out;
  }

  /** Upsert, on `tx`, the record of one loaded file (a reloaded file replaces its old record). */
  async record(tx: Executor, f: FileToRecord): Promise<void> {
    if (!HASH.test(f.contentHash)) throw new Error(`content hash of ${f.path} must be a sha256 in hex, got '${f.contentHash}'`);
    if (!f.path) throw new Error('the path of a loaded file must not be empty');
    const q = (n: string) => this.q(n);
    const lit = (v: string) => this.dialect.stringLiteral(v);
    const cols = ['source_id', 'path', 'size_bytes', 'content_hash', 'rows_loaded', 'run_id', 'loaded_at'];
    const vals = [
      lit(f.sourceId),
      lit(f.path),
      integerLiteral(f.sizeBytes, 'size_bytes'),
      lit(f.contentHash),
      f.rowsLoaded === undefined ? 'null' : integerLiteral(f.rowsLoaded, 'rows_loaded'),
      lit(f.runId),
      utcLiteral(this.dialect, this.now(), 'loaded_at'),
    ];
    const updated = cols.slice(2);
    await tx.execute(
      `insert into ${this.dialect.relation(this.tables.files)} (${cols.map(q).join(', ')})
values (${vals.join(', ')})
on conflict (${q('source_id')}, ${q('path')}) do update set ${updated.map((c) => `${q(c)} = excluded.${q(c)}`).join(', ')}`,
    );
  }

  /** Delete, on `tx`, the record of one file (its rows are gone). */
  async forget(tx: Executor, sourceId: string, path: string): Promise<void> {
    const q = (n: string) => this.q(n);
    await tx.execute(
      `delete from ${this.dialect.relation(this.tables.files)} where ${q('source_id')} = ${this.dialect.stringLiteral(sourceId)} and ${q('path')} = ${this.dialect.stringLiteral(path)}`,
    );
  }
}
