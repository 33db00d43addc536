/**
 * The warehouse seam. A Dialect generates SQL text and does no I/O; an Adapter executes SQL and
 * does no SQL generation beyond what its driver needs. Core imports no driver: adapters live in
 * their own packages and are found by the profile's `type:`.
 */

export type RelationKind = 'table' | 'view';

/** A fully named relation. `database` is optional where the warehouse has a single catalog. */
export interface RelationRef {
  database?: string;
  schema: string;
  identifier: string;
}

export interface RelationInfo extends RelationRef {
  kind: RelationKind;
}

export interface ColumnInfo {
  name: string;
  /** Warehouse type as the warehouse spells it. */
  type: string;
  nullable?: boolean;
}

export type Row = Record<string, unknown>;

export interface ExecResult {
  rowsAffected?: number;
}

/** Runs SQL on one connection (inside a transaction, on the transaction's connection). */
export interface Executor {
  execute(sql: string): Promise<ExecResult>;
  /** Rows as plain JS objects: integers beyond 2^53 as bigint, dates and timestamps as Date. */
  query<T extends Row = Row>(sql: string): Promise<T[]>;
}

export interface Capabilities {
  /** DDL (create/drop/rename) can run inside a transaction and roll back. */
  transactionalDdl: boolean;
  /** The warehouse has a MERGE statement. */
  merge: boolean;
  /** Relations can be renamed in place. */
  rename: boolean;
  /** The warehouse has schemas (datasets count). */
  schemas: boolean;
  /** Several processes may read while one writes (read-only commands then skip the run lock). */
  concurrentReaders: boolean;
  /** CREATE SCHEMA may run concurrently (DuckDB: no, it conflicts). */
  parallelSchemaCreation: boolean;
  /** The warehouse can read a CSV file from the local disk by path (seeds). */
  readLocalCsv: boolean;
  /**
   * The adapter loads raw files (JSON lines, CSV, gzip-compressed or not) into a table with
   * Adapter.loadFile: what `tform load` needs for sources with an `external:` location. Optional
   * so that adapters written before it keep compiling; absent means false.
   */
  loadFiles?: boolean;
}

/** Formats of raw files a source's `external:` location can hold. */
export type RawFileFormat = 'jsonl' | 'csv';

/**
 * One raw file to load into a source's table (Adapter.loadFile), with everything needed to read
 * it. Values are read as declared: JSON lines by key (exact, case-sensitive), CSV with a header
 * by header name (case-insensitive), CSV without a header by position. Missing JSON keys are
 * NULL; extra keys and extra header columns are ignored.
 */
export interface FileToLoad {
  /** Absolute path on the local disk. */
  absPath: string;
  /** Path relative to the project dir, forward slashes: the value written to `fileColumn`. */
  relPath: string;
  format: RawFileFormat;
  /** Already resolved from `auto` (by the `.gz` extension). */
  compression: 'gzip' | 'none';
  /** CSV: the first row names the columns. */
  header: boolean;
  /** CSV: one character. */
  delimiter: string;
  /** strptime-style format of `date` columns (see parseDateTime), when the file does not use ISO. */
  dateFormat?: string;
  /** strptime-style format of `timestamp` columns. */
  timestampFormat?: string;
  /** The declared columns in table order (`fileColumn` not included); types as the warehouse spells them. */
  columns: { name: string; type: string }[];
  /** Column of the table that receives `relPath` (`_tform_file`). */
  fileColumn: string;
}

/**
 * A raw file that could not be loaded because of its content: a malformed record or a value the
 * declared type does not accept. `line` is the 1-based line of the file (of the decompressed
 * text) when the reader knows it; `column` the declared column, when known.
 */
export class FileLoadError extends Error {
  readonly line?: number;
  readonly column?: string;
  constructor(message: string, opts: { line?: number; column?: string; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'FileLoadError';
    this.line = opts.line;
    this.column = opts.column;
  }
}

export interface LockHolder {
  pid: number;
  host: string;
  startedAt: string;
  command: string;
}

export interface LockHandle {
  release(): Promise<void>;
  /** Set when a stale holder was taken over. */
  tookOverFrom?: LockHolder;
}

export interface LockOptions {
  wait: boolean;
  /** The command recorded as the holder. */
  command: string;
  /** Called once when the lock is held by someone else and we start waiting. */
  onWait?: (holder: LockHolder) => void;
  /** Give up waiting after this many ms (default: wait forever). */
  timeoutMs?: number;
}

export type LockResult = LockHandle | { heldBy: LockHolder };

export function isLockHandle(r: LockResult): r is LockHandle {
  return typeof (r as LockHandle).release === 'function';
}

/** An error the database raised, with the position it reported when it reported one. */
export class DatabaseError extends Error {
  /** 1-based line and column inside the statement text, when the warehouse reports them. */
  readonly line?: number;
  readonly column?: number;
  readonly sqlState?: string;
  constructor(message: string, opts: { line?: number; column?: number; sqlState?: string; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'DatabaseError';
    this.line = opts.line;
    this.column = opts.column;
    this.sqlState = opts.sqlState;
  }
}

export interface Adapter extends Executor {
  readonly type: string;
  readonly dialect: import('./dialect.js').Dialect;
  readonly capabilities: Capabilities;
  /** Run `fn` on one connection inside BEGIN … COMMIT; ROLLBACK when it throws. */
  transaction<T>(fn: (tx: Executor) => Promise<T>): Promise<T>;
  /** Relations in a schema; an absent schema yields []. Read-only. */
  listRelations(schema: string, database?: string): Promise<RelationInfo[]>;
  /** Columns of a relation in ordinal order; [] when it does not exist. Read-only. */
  columns(r: RelationRef): Promise<ColumnInfo[]>;
  /** The run lock of this target. */
  lock(key: string, opts: LockOptions): Promise<LockResult>;
  /** Cancel statements in flight (Ctrl-C). */
  cancel?(): Promise<void>;
  /**
   * Append the rows of one raw file to `target` (which exists, with the declared columns and
   * `file.fileColumn`), every row's file column set to `file.relPath`. Runs on `tx` when given
   * (the caller's transaction, so that the rows and the record of the file commit together),
   * else in a transaction of its own. Returns the number of rows loaded. A problem with the
   * file's content throws a FileLoadError (with the line when known); nothing of the file is
   * then kept once the transaction rolls back. Implemented when capabilities.loadFiles is true.
   */
  loadFile?(target: RelationRef, file: FileToLoad, tx?: Executor): Promise<number>;
  /**
   * The warehouse's own parse tree of one SELECT, as JSON (DuckDB: json_serialize_sql), for
   * column lineage; absent where the warehouse has no such function. Parsing needs no table to
   * exist; SQL the warehouse cannot parse is reported inside the tree, as the warehouse reports it.
   */
  parseSql?(sql: string): Promise<unknown>;
  /**
   * The bytes one query would process, from the warehouse's dry run (BigQuery), for
   * `--dry-run`; absent where the warehouse has none. Runs nothing and writes nothing. A query
   * that reads a relation not built yet gives `{ unavailable }` with the reason, not an error.
   */
  estimateBytes?(sql: string): Promise<BytesEstimate>;
  close(): Promise<void>;
}

/** What a dry run says a query would process (Adapter.estimateBytes). */
export type BytesEstimate = { bytes: number } | { unavailable: string };

/** A target from profiles.yml after env_var() rendering. */
export interface TargetProfile {
  /** Target name (`dev`, `prod`, …). */
  name: string;
  type: string;
  schema: string;
  database?: string;
  threads?: number;
  /** Every other key of the target, adapter-specific (path, host, password, …). */
  [key: string]: unknown;
}

export interface AdapterContext {
  /** Absolute project directory; relative paths in the profile resolve against it (unless workingDir is set). */
  projectDir: string;
  /**
   * Set for a dbt project (dbt_project.yml): relative file paths in the profile (a DuckDB `path`,
   * certificate files) resolve against this directory, the one tform runs in, as dbt's adapters
   * resolve them.
   */
  workingDir?: string;
  /** Number of concurrent workers the runner will use. */
  threads: number;
  /**
   * Where a key of the target was set in profiles.yml (the target itself without a key), so an
   * adapter can report a bad profile value at its file and line.
   */
  profileLocation?(key?: string): { file: string; line?: number };
}

export interface AdapterFactory {
  readonly type: string;
  /** Profile keys that hold credentials; their values are registered as secrets. */
  readonly secretFields?: readonly string[];
  /** Creating an adapter must not open a connection; the first statement does. */
  create(profile: TargetProfile, ctx: AdapterContext): Promise<Adapter>;
  /** A short description of the connection for `tform debug` (no secrets). */
  describe?(profile: TargetProfile, ctx: AdapterContext): string;
}
