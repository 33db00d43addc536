import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DuckDBConnection, DuckDBInstance, DuckDBMaterializedResult } from '@duckdb/node-api';
import { loadDriver, loadedDriver } from './driver.js';
import {
  FileLoadError,
  isBlankFile,
  readFileRecords,
  TformError,
  runTransaction,
  type Adapter,
  type AdapterContext,
  type Capabilities,
  type ColumnInfo,
  type ExecResult,
  type Executor,
  type FileToLoad,
  type LockOptions,
  type LockResult,
  type RelationInfo,
  type RelationRef,
  type Row,
  type TargetProfile,
} from '@tform/core';
import { DuckDBDialect } from './dialect.js';
import { toDatabaseError, type DuckDBError } from './errors.js';
import { acquireFileLock, lockPathFor } from './lockfile.js';
import { ConnectionPool } from './pool.js';
import { rowObjects } from './rows.js';

export type SettingValue = string | number | boolean;

export interface DuckDBConfig {
  /** Absolute path of the database file, or `:memory:`. */
  path: string;
  /** Connections in the pool: the runner's worker count, at least 1. */
  poolSize: number;
  /** DuckDB settings applied with SET on every connection when it is opened. */
  settings: Record<string, SettingValue>;
  /** Extensions LOADed once when the database is opened (never INSTALLed: no network). */
  extensions: string[];
  /** Lock expiry in ms (profile key `lock_expiry_minutes`); default in lockfile.ts. */
  lockExpiryMs?: number;
}

export const DEFAULT_DB_PATH = 'target/tform.duckdb';

/** Read the DuckDB keys of a target: `path`, `settings`, `extensions`, `lock_expiry_minutes`. */
export function resolveDuckDBConfig(profile: TargetProfile, ctx: AdapterContext): DuckDBConfig {
  const bad = (msg: string) => new TformError('PROFILE_INVALID', `target '${profile.name}' (duckdb): ${msg}`);

  const rawPath = profile.path ?? DEFAULT_DB_PATH;
  if (typeof rawPath !== 'string' || rawPath === '') throw bad('`path` must be a file path or :memory:');
  // dbt-duckdb opens a relative path from the directory dbt runs in; tform projects resolve it from the project.
  const dbPath = rawPath === ':memory:' ? rawPath : path.resolve(ctx.workingDir ?? ctx.projectDir, rawPath);

  const settings: Record<string, SettingValue> = {};
  if (profile.settings !== undefined) {
    if (!isPlainObject(profile.settings)) throw bad('`settings` must be a map of setting name to value');
    for (const [name, value] of Object.entries(profile.settings)) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw bad(`invalid setting name '${name}'`);
      if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
        throw bad(`setting '${name}' must be a string, number or boolean`);
      }
      settings[name] = value;
    }
  }

  const extensions = profile.extensions ?? [];
  if (!Array.isArray(extensions) || !extensions.every((e): e is string => typeof e === 'string' && e !== '')) {
    throw bad('`extensions` must be a list of extension names');
  }

  let lockExpiryMs: number | undefined;
  if (profile.lock_expiry_minutes !== undefined) {
    const m = profile.lock_expiry_minutes;
    if (typeof m !== 'number' || !(m > 0)) throw bad('`lock_expiry_minutes` must be a positive number');
    lockExpiryMs = m * 60_000;
  }

  return { path: dbPath, poolSize: Math.max(1, Math.floor(ctx.threads) || 1), settings, extensions, lockExpiryMs };
}

/**
 * Autocommit statements that fail with a transaction conflict are retried this many times in
 * all. Why: on DuckDB 1.5, concurrent CREATE TABLE AS / CREATE VIEW / DROP / rename in one
 * schema from several connections of one instance do not conflict (checked: 16 connections x 30
 * rounds), but two connections creating the *same new schema* (`create schema if not exists s`)
 * at once raise "TransactionContext Error: Catalog write-write conflict on create with "s"" in
 * all but one. The runner is told (parallelSchemaCreation: false) to serialize schema creation;
 * the retry is the safety net for anything else that races. An autocommit statement that fails
 * is rolled back whole, so running it again is safe; the retry is only done for a single
 * statement (with several, earlier ones have already committed) and never inside transaction(),
 * where a conflict aborts the transaction and must reach the caller.
 */
const CONFLICT_ATTEMPTS = 5;

export class DuckDBAdapter implements Adapter {
  readonly type = 'duckdb';
  readonly dialect = new DuckDBDialect();
  readonly capabilities: Capabilities = {
    transactionalDdl: true, // create/drop/alter … rename roll back with the transaction
    merge: true, // MERGE INTO exists since DuckDB 1.4 (checked on 1.5.5 and 1.5.6: update + insert branches)
    rename: true,
    schemas: true,
    concurrentReaders: false, // one process per database file
    parallelSchemaCreation: false, // see CONFLICT_ATTEMPTS
    readLocalCsv: true,
    loadFiles: true, // read_json / read_csv, see DuckDBDialect.selectFromFile
  };

  private instance?: DuckDBInstance;
  private pool?: ConnectionPool;
  private opening?: Promise<ConnectionPool>;
  private closed = false;

  constructor(readonly config: DuckDBConfig) {}

  async execute(sql: string): Promise<ExecResult> {
    const pool = await this.open();
    return pool.use(async (c) => execResult(await runAutocommit(c, sql)));
  }

  async query<T extends Row = Row>(sql: string): Promise<T[]> {
    const pool = await this.open();
    return pool.use(async (c) => rowObjects<T>(await runAutocommit(c, sql)));
  }

  async transaction<T>(fn: (tx: Executor) => Promise<T>): Promise<T> {
    const pool = await this.open();
    return pool.use((c) =>
      runTransaction(
        'DuckDB',
        { execute: async (sql) => execResult(await run(c, sql)), query: async <R extends Row = Row>(sql: string) => rowObjects<R>(await run(c, sql)) },
        { begin: () => run(c, 'begin transaction'), commit: () => run(c, 'commit'), rollback: () => run(c, 'rollback') },
        fn,
      ),
    );
  }

  async listRelations(schema: string, database?: string): Promise<RelationInfo[]> {
    const d = this.dialect;
    // Name lookup in DuckDB is case-insensitive, so match the schema the same way; the catalog
    // spelling is returned. Without a database, only the default catalog (not attached ones).
    const rows = await this.query<{ table_name: string; table_type: string; table_schema: string }>(
      `select table_schema, table_name, table_type from information_schema.tables
where lower(table_schema) = lower(${d.stringLiteral(schema)})
  and table_catalog = ${database === undefined ? 'current_database()' : d.stringLiteral(database)}
  and table_type in ('BASE TABLE', 'VIEW')
order by table_name`,
    );
    return rows.map((r) => ({
      ...(database === undefined ? {} : { database }),
      schema: r.table_schema,
      identifier: r.table_name,
      kind: r.table_type === 'VIEW' ? 'view' : 'table',
    }));
  }

  async columns(r: RelationRef): Promise<ColumnInfo[]> {
    const d = this.dialect;
    const rows = await this.query<{ column_name: string; data_type: string; is_nullable: string }>(
      `select column_name, data_type, is_nullable from information_schema.columns
where lower(table_schema) = lower(${d.stringLiteral(r.schema)})
  and lower(table_name) = lower(${d.stringLiteral(r.identifier)})
  and table_catalog = ${r.database === undefined ? 'current_database()' : d.stringLiteral(r.database)}
order by ordinal_position`,
    );
    return rows.map((c) => ({ name: c.column_name, type: c.data_type, nullable: c.is_nullable === 'YES' }));
  }

  /**
   * `insert into target (columns, file column) select …, 'relPath' from read_json|read_csv(…)`:
   * DuckDB reads and decompresses the file and converts the values to the declared types. A
   * value or record DuckDB cannot read fails the statement; it is reported as a FileLoadError
   * with the line when DuckDB's CSV reader gives it (its JSON reader's line numbers are
   * approximate, by its own account, so they are not passed on).
   */
  async loadFile(target: RelationRef, file: FileToLoad, tx?: Executor): Promise<number> {
    const d = this.dialect;
    const cols = [...file.columns.map((c) => c.name), file.fileColumn].map((c) => d.quoteIdent(c)).join(', ');
    const select = d.selectFromFile(file).replace(/\nfrom /, `, ${d.stringLiteral(file.relPath)}\nfrom `);
    const sql = `insert into ${d.relation(target)} (${cols})\n${select}`;
    // DuckDB's CSV sniffer fails on a file with no text at all ("not possible to detect the
    // dialect"); such a file has no rows.
    if (file.format === 'csv' && (await isBlankFile(file))) return 0;
    try {
      const r = tx ? await tx.execute(sql) : await this.transaction((t) => t.execute(sql));
      return r.rowsAffected ?? 0;
    } catch (e) {
      throw await fileLoadError(e, file);
    }
  }

  /**
   * DuckDB's parse tree of `sql` (`json_serialize_sql`), for column lineage. It only parses, so
   * the tables named need not exist. A syntax error comes back as `{error: true, error_message}`
   * rather than as an exception, as do statements other than SELECT.
   */
  async parseSql(sql: string): Promise<unknown> {
    const rows = await this.query<{ tree: string }>(`select json_serialize_sql(${this.dialect.stringLiteral(sql)}) as tree`);
    const tree = rows[0]?.tree;
    if (typeof tree !== 'string') throw new Error('json_serialize_sql returned no tree');
    return JSON.parse(tree) as unknown;
  }

  /**
   * The run lock is a file next to the database file (`<path>.tform-lock`), one per database
   * file whatever `key` says, since DuckDB itself allows one process per file. It does not open
   * the database, so it can (and must) be taken before the first statement.
   */
  async lock(_key: string, opts: LockOptions): Promise<LockResult> {
    return acquireFileLock(lockPathFor(this.config.path), { ...opts, expiryMs: this.config.lockExpiryMs });
  }

  /** Interrupt every statement in flight; each fails with "INTERRUPT Error: Interrupted!". */
  async cancel(): Promise<void> {
    this.pool?.interruptBusy();
  }

  /**
   * Disconnect all connections and close the instance, which releases DuckDB's own lock on the
   * file, so another process can open it right after. Idempotent.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.opening?.catch(() => {});
    await this.pool?.close();
    this.instance?.closeSync();
    this.pool = undefined;
    this.instance = undefined;
  }

  /** Open the database on first use (never at construction). */
  private open(): Promise<ConnectionPool> {
    if (this.closed) return Promise.reject(new Error('DuckDB adapter is closed'));
    this.opening ??= this.doOpen().catch((e: unknown) => {
      this.opening = undefined; // let a later call try again
      throw e;
    });
    return this.opening;
  }

  private async doOpen(): Promise<ConnectionPool> {
    const { path: dbPath, poolSize, extensions } = this.config;
    let instance: DuckDBInstance;
    try {
      if (dbPath !== ':memory:') fs.mkdirSync(path.dirname(dbPath), { recursive: true });
      instance = await (await loadDriver()).DuckDBInstance.create(dbPath);
    } catch (e) {
      throw toDatabaseError(e);
    }
    try {
      const first = await this.connect(instance);
      // LOAD acts on the whole instance, so once is enough.
      for (const ext of extensions) {
        await run(first, `load ${/^[A-Za-z0-9_]+$/.test(ext) ? ext : this.dialect.stringLiteral(ext)}`);
      }
      const pool = new ConnectionPool(poolSize, () => this.connect(instance));
      pool.add(first);
      this.instance = instance;
      this.pool = pool;
      return pool;
    } catch (e) {
      instance.closeSync();
      throw e;
    }
  }

  /**
   * A new connection with JSON error messages (see errors.ts) and the profile's settings.
   * Settings are SET on each connection rather than once because some DuckDB settings are
   * session-scoped; setting a global one again is harmless.
   */
  private async connect(instance: DuckDBInstance): Promise<DuckDBConnection> {
    let c: DuckDBConnection;
    try {
      c = await instance.connect();
    } catch (e) {
      throw toDatabaseError(e);
    }
    try {
      await run(c, 'set errors_as_json = true');
      for (const [name, value] of Object.entries(this.config.settings)) {
        const literal = typeof value === 'string' ? this.dialect.stringLiteral(value) : String(value);
        await run(c, `set ${name} = ${literal}`);
      }
    } catch (e) {
      c.disconnectSync();
      throw e;
    }
    return c;
  }
}

/**
 * A failed read of a raw file as a FileLoadError: DuckDB's message up to its first blank line
 * (the rest lists reader settings), the absolute path replaced by the project-relative one.
 *
 * The line: DuckDB's CSV reader reports it exactly ("CSV Error on Line: N", counting the header).
 * Its JSON reader's line numbers are off (checked on 1.5.5: malformed JSON on line 2 is reported
 * "in line 3", a value that does not convert on line 4 "in line 1", and it says itself they are
 * approximate), so they are left out of the message and the line is found by reading the file
 * with core's reader instead: the first malformed line, else the first line holding the value
 * DuckDB quotes.
 */
async function fileLoadError(e: unknown, file: FileToLoad): Promise<Error> {
  if (!(e instanceof Error)) return new FileLoadError(String(e));
  let message = e.message.split(/\n\s*\n/)[0]!.split(file.absPath).join(file.relPath).trim();
  const column = /converting column "([^"]+)"/.exec(e.message)?.[1];
  let line: number | undefined;
  if (file.format === 'csv') {
    const m = /CSV Error on Line: (\d+)/.exec(e.message);
    if (m) line = Number(m[1]);
  } else if (/^Invalid Input Error: (Malformed JSON|JSON transform error)/.test(message)) {
    message = message.split('\n')[0]!.replace(/,? (at byte \d+ )?in line \d+:/, ':').trim();
    line = await locateInJson(file, /in line \d+: .*?(?:"((?:[^"\\]|\\.)*)"|'([^']*)')/.exec(e.message)?.slice(1).find((v) => v !== undefined));
  }
  return new FileLoadError(message, { ...(line !== undefined ? { line } : {}), ...(column ? { column } : {}), cause: e });
}

/** Line of the first malformed record of a JSON-lines file, else of the first record holding `value` in a column that is not text. */
async function locateInJson(file: FileToLoad, value: string | undefined): Promise<number | undefined> {
  // A value DuckDB could not convert is in a column that is not text.
  const typed = file.columns.flatMap((c, i) => (/char|text|string|json/i.test(c.type) ? [] : [i]));
  try {
    for await (const r of readFileRecords(file)) if (value !== undefined && typed.some((i) => r.values[i] === value)) return r.line;
  } catch (err) {
    if (err instanceof FileLoadError) return err.line;
  }
  return undefined;
}

async function run(c: DuckDBConnection, sql: string): Promise<DuckDBMaterializedResult> {
  try {
    return await c.run(sql);
  } catch (e) {
    throw toDatabaseError(e, sql);
  }
}

/** run(), retrying a single statement that lost a transaction conflict (see CONFLICT_ATTEMPTS). */
async function runAutocommit(c: DuckDBConnection, sql: string): Promise<DuckDBMaterializedResult> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run(c, sql);
    } catch (e) {
      const err = e as DuckDBError;
      if (attempt >= CONFLICT_ATTEMPTS || !err.isTransactionConflict || !(await isSingleStatement(c, sql))) throw e;
      await sleep(5 * 2 ** attempt * (0.5 + Math.random()));
    }
  }
}

async function isSingleStatement(c: DuckDBConnection, sql: string): Promise<boolean> {
  try {
    return (await c.extractStatements(sql)).count === 1;
  } catch {
    return false;
  }
}

/**
 * INSERT/UPDATE/DELETE/MERGE report changed rows (return type CHANGED_ROWS). CREATE TABLE AS
 * reports "nothing" but still yields a one-row result with a BIGINT column `Count`: the rows
 * written, which is reported as well.
 */
async function execResult(r: DuckDBMaterializedResult): Promise<ExecResult> {
  const { ResultReturnType, StatementType } = loadedDriver(); // r came from a connection
  if (r.returnType === ResultReturnType.CHANGED_ROWS) return { rowsAffected: r.rowsChanged };
  if (r.statementType === StatementType.CREATE && r.columnCount === 1 && r.columnName(0) === 'Count' && r.rowCount === 1) {
    const [row] = await r.getRows();
    const n = row?.[0];
    if (typeof n === 'bigint' || typeof n === 'number') return { rowsAffected: Number(n) };
  }
  return {};
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
