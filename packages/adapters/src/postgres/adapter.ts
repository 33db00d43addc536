import * as os from 'node:os';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ConnectionOptions } from 'node:tls';
import pg from 'pg';
import {
  clipUtf8,
  FileLoadError,
  runTransaction,
  TformError,
  trackLock,
  type Adapter,
  type AdapterContext,
  type Capabilities,
  type ColumnInfo,
  type ExecResult,
  type Executor,
  type FileToLoad,
  type LockHandle,
  type LockOptions,
  type LockResult,
  type RelationInfo,
  type RelationRef,
  type Row,
  type TargetProfile,
} from '@tform/core';
import { PostgresDialect } from './dialect.js';
import { PostgresError, redactText, toDatabaseError } from './errors.js';
import { copyFileInto } from './load.js';
import { acquireAdvisoryLock } from './lock.js';
import { typeParsers } from './rows.js';

export const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;
export type SslMode = (typeof SSL_MODES)[number];

export interface PostgresConfig {
  host: string;
  port: number;
  user: string;
  password?: string;
  database: string;
  /** Connections in the pool: the runner's worker count + 1 for introspection. */
  poolSize: number;
  sslmode: SslMode;
  /** pg's `ssl` option derived from sslmode, sslrootcert/sslcert/sslkey and `ssl`. */
  ssl: false | ConnectionOptions;
  /** Profile key `connect_timeout`, in seconds like libpq's; 0 = wait forever. Default 10. */
  connectTimeoutSeconds: number;
  /** Profile key `statement_timeout` (ms), set on every connection; undefined = server default. */
  statementTimeoutMs?: number;
  /** Profile key `search_path`, set on every connection; undefined = server default. */
  searchPath?: string;
  /** Profile key `role` (as dbt-postgres): the role every connection switches to (SET ROLE). */
  role?: string;
  /** Profile key `keepalives_idle` (seconds, as libpq's): idle time before TCP keepalives start; 0 = system default. */
  keepalivesIdleSeconds?: number;
  applicationName: string;
}

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 5432;
export const DEFAULT_CONNECT_TIMEOUT_SECONDS = 10;

/**
 * Read the Postgres keys of a target: host, port, user, password, dbname (or database), sslmode,
 * ssl, sslrootcert/sslcert/sslkey, connect_timeout, statement_timeout, search_path,
 * application_name, and dbt-postgres' `pass` (for password), `role`, `keepalives_idle`. Reads certificate files (paths relative to the project), never connects.
 */
export function resolvePostgresConfig(profile: TargetProfile, ctx: AdapterContext): PostgresConfig {
  const bad = (msg: string) => new TformError('PROFILE_INVALID', `target '${profile.name}' (postgres): ${msg}`);
  const str = (key: string, fallback?: string): string | undefined => {
    const v = profile[key];
    if (v === undefined || v === null) return fallback;
    if (typeof v === 'number') return String(v);
    if (typeof v !== 'string') throw bad(`\`${key}\` must be a string`);
    return v;
  };
  const int = (key: string, min: number): number | undefined => {
    const v = profile[key];
    if (v === undefined || v === null) return undefined;
    const n = typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < min) throw bad(`\`${key}\` must be an integer of at least ${min}`);
    return n;
  };

  const host = str('host', DEFAULT_HOST)!;
  const port = int('port', 1) ?? DEFAULT_PORT;
  if (port > 65535) throw bad('`port` must be at most 65535');
  const user = str('user');
  if (!user) throw bad('`user` is required');
  const dbname = str('dbname');
  const database = str('database');
  if (dbname !== undefined && database !== undefined && dbname !== database) {
    throw bad(`\`dbname\` (${dbname}) and \`database\` (${database}) disagree; give one of them`);
  }
  const db = dbname ?? database;
  if (!db) throw bad('`dbname` (or `database`) is required');

  const sslmode = str('sslmode');
  if (sslmode !== undefined && !(SSL_MODES as readonly string[]).includes(sslmode)) {
    throw bad(`\`sslmode\` must be one of ${SSL_MODES.join(', ')}`);
  }
  const sslKey = profile.ssl;
  if (sslKey !== undefined && typeof sslKey !== 'boolean' && !isPlainObject(sslKey)) throw bad('`ssl` must be true, false or a map of TLS options');
  const mode: SslMode = (sslmode as SslMode | undefined) ?? (sslKey === true || isPlainObject(sslKey) ? 'verify-full' : sslKey === false ? 'disable' : 'prefer');
  const readFile = (key: string): string | undefined => {
    const p = str(key);
    if (p === undefined) return undefined;
    try {
      return fs.readFileSync(path.resolve(ctx.workingDir ?? ctx.projectDir, p), 'utf8');
    } catch (e) {
      throw bad(`cannot read \`${key}\` ${p}: ${(e as Error).message}`);
    }
  };
  const ssl = sslOptions(mode, {
    ca: readFile('sslrootcert'),
    cert: readFile('sslcert'),
    key: readFile('sslkey'),
    extra: isPlainObject(sslKey) ? sslKey : undefined,
  });

  const searchPath = str('search_path');
  const role = str('role');
  const keepalivesIdle = int('keepalives_idle', 0);
  const applicationName = str('application_name', 'tform')!;
  const config: PostgresConfig = {
    host,
    port,
    user,
    database: db,
    poolSize: Math.max(1, Math.floor(ctx.threads) || 1) + 1,
    sslmode: mode,
    ssl,
    connectTimeoutSeconds: int('connect_timeout', 0) ?? DEFAULT_CONNECT_TIMEOUT_SECONDS,
    statementTimeoutMs: int('statement_timeout', 0),
    searchPath: searchPath === '' ? undefined : searchPath,
    ...(role ? { role } : {}),
    ...(keepalivesIdle ? { keepalivesIdleSeconds: keepalivesIdle } : {}),
    applicationName,
  };
  // Not enumerable (as pg does on its clients): logging or spreading the config leaves it out.
  const password = str('password');
  const pass = str('pass');
  if (password !== undefined && pass !== undefined && password !== pass) throw bad('`password` and `pass` disagree; give one of them');
  Object.defineProperty(config, 'password', { value: (password ?? pass) || undefined, enumerable: false }); // '' = none
  return config;
}

/**
 * libpq's sslmode in pg's terms. pg has no "try TLS, fall back to plain" (libpq's allow and
 * prefer), so those two connect without TLS; ask for `require` (or stricter) to be sure of
 * encryption. require: encrypted, certificate not checked (as libpq without a root certificate;
 * with `sslrootcert` the chain is checked, as libpq does). verify-ca: chain checked, host name
 * not. verify-full: both (with the system CAs when no `sslrootcert`).
 */
function sslOptions(mode: SslMode, o: { ca?: string; cert?: string; key?: string; extra?: Record<string, unknown> }): false | ConnectionOptions {
  if (mode === 'disable' || mode === 'allow' || mode === 'prefer') return false;
  const base: ConnectionOptions = {};
  if (o.ca !== undefined) base.ca = o.ca;
  if (o.cert !== undefined) base.cert = o.cert;
  if (o.key !== undefined) base.key = o.key;
  if (mode === 'require' && o.ca === undefined) base.rejectUnauthorized = false;
  else base.rejectUnauthorized = true;
  if (mode === 'verify-ca' || (mode === 'require' && o.ca !== undefined)) base.checkServerIdentity = () => undefined;
  return { ...base, ...(o.extra as ConnectionOptions | undefined) };
}

/**
 * A single autocommit `create schema if not exists` that fails with 23505 is retried this many
 * times in all: concurrent ones for the same new schema race on pg_namespace's unique index
 * (checked on 15: 143 of 180 such statements from 6 sessions at a time failed with
 * `duplicate key value violates unique constraint "pg_namespace_nspname_index"`). The runner
 * creates schemas one at a time anyway (parallelSchemaCreation: false); this covers other
 * processes doing the same. Running it again is safe: the failed statement created nothing.
 */
const SCHEMA_RACE_ATTEMPTS = 5;
const CREATE_SCHEMA_IF_NOT_EXISTS = /^\s*create\s+schema\s+if\s+not\s+exists\s+("(?:[^"]|"")+"|[^\s;]+)\s*;?\s*$/i;

export class PostgresAdapter implements Adapter {
  readonly type = 'postgres';
  readonly dialect: PostgresDialect;
  readonly capabilities: Capabilities = {
    transactionalDdl: true, // create/drop/alter roll back with the transaction (publish relies on it)
    merge: true, // MERGE since Postgres 15
    rename: true,
    schemas: true,
    concurrentReaders: true, // MVCC: readers never block on the run
    parallelSchemaCreation: false, // see SCHEMA_RACE_ATTEMPTS
    readLocalCsv: false, // COPY FROM a file reads the *server's* disk
    loadFiles: true, // read here and sent with COPY FROM STDIN, see load.ts
  };

  private pool?: pg.Pool;
  private readonly busy = new Set<pg.PoolClient>();
  private readonly locks = new Set<LockHandle>();
  /** The connection of each open transaction's executor (loadFile streams COPY on it). */
  private readonly txClients = new WeakMap<Executor, pg.PoolClient>();
  private currentDatabase?: Promise<string>;
  private closed = false;

  constructor(readonly config: PostgresConfig) {
    this.dialect = new PostgresDialect({ database: config.database });
  }

  private get secrets(): string[] {
    return this.config.password ? [this.config.password] : [];
  }

  async execute(sql: string): Promise<ExecResult> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.use(async (c) => execResult(await this.run(c, sql)));
      } catch (e) {
        if (attempt >= SCHEMA_RACE_ATTEMPTS || (e as PostgresError).sqlState !== '23505' || !CREATE_SCHEMA_IF_NOT_EXISTS.test(sql)) throw e;
        await sleep(5 * 2 ** attempt * (0.5 + Math.random()));
      }
    }
  }

  async query<T extends Row = Row>(sql: string): Promise<T[]> {
    return this.use(async (c) => rowObjects<T>(await this.run(c, sql)));
  }

  async transaction<T>(fn: (tx: Executor) => Promise<T>): Promise<T> {
    return this.use((c) =>
      runTransaction(
        'Postgres',
        { execute: async (sql) => execResult(await this.run(c, sql)), query: async <R extends Row = Row>(sql: string) => rowObjects<R>(await this.run(c, sql)) },
        {
          begin: () => this.run(c, 'begin'),
          // COMMIT of a transaction in which a statement failed (and the caller carried on) does
          // not raise: the server rolls back and answers ROLLBACK. Treat that as the failure it is.
          commit: async () => {
            const commit = await this.run(c, 'commit');
            const last = Array.isArray(commit) ? commit[commit.length - 1] : commit;
            if (last?.command === 'ROLLBACK') throw new PostgresError('the transaction was rolled back: a statement in it had failed', { sqlState: '25P02' });
          },
          rollback: () => this.run(c, 'rollback'),
        },
        (tx) => {
          this.txClients.set(tx, c);
          return fn(tx);
        },
      ),
    );
  }

  /**
   * Append the rows of a raw file to `target` with COPY FROM STDIN on the connection of `tx` (a
   * transaction of this adapter), or in a transaction of its own. See load.ts.
   */
  async loadFile(target: RelationRef, file: FileToLoad, tx?: Executor): Promise<number> {
    await this.checkDatabase(target.database);
    const rel = this.dialect.relation(target);
    const copy = async (t: Executor) => {
      const c = this.txClients.get(t);
      if (!c) throw new Error('loadFile: the executor is not a transaction of this Postgres adapter');
      try {
        return await copyFileInto(c, this.dialect, rel, file);
      } catch (e) {
        // Server errors are already FileLoadErrors; anything else (connection, …) as the others.
        throw e instanceof FileLoadError ? e : toDatabaseError(e, undefined, this.secrets);
      }
    };
    return tx ? copy(tx) : this.transaction(copy);
  }


  /**
   * Tables (ordinary and partitioned, including partitions) as 'table'; views and materialized
   * views as 'view'. The schema name is matched exactly (Postgres names are case-sensitive and
   * the dialect always quotes them).
   */
  async listRelations(schema: string, database?: string): Promise<RelationInfo[]> {
    await this.checkDatabase(database);
    const rows = await this.queryParams<{ schema: string; identifier: string; relkind: string }>(
      `select n.nspname as schema, c.relname as identifier, c.relkind::text as relkind
from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
where n.nspname = $1 and c.relkind in ('r', 'p', 'v', 'm')
order by c.relname`,
      [schema],
    );
    return rows.map((r) => ({
      ...(database === undefined ? {} : { database }),
      schema: r.schema,
      identifier: r.identifier,
      kind: r.relkind === 'v' || r.relkind === 'm' ? 'view' : 'table',
    }));
  }

  /** Columns in ordinal order, typed as Postgres spells them (format_type: `numeric(12,2)`, `character varying(50)`). */
  async columns(r: RelationRef): Promise<ColumnInfo[]> {
    await this.checkDatabase(r.database);
    const rows = await this.queryParams<{ name: string; type: string; nullable: boolean }>(
      `select a.attname as name, pg_catalog.format_type(a.atttypid, a.atttypmod) as type, not a.attnotnull as nullable
from pg_catalog.pg_attribute a
join pg_catalog.pg_class c on c.oid = a.attrelid
join pg_catalog.pg_namespace n on n.oid = c.relnamespace
where n.nspname = $1 and c.relname = $2 and a.attnum > 0 and not a.attisdropped
  and c.relkind in ('r', 'p', 'v', 'm', 'f')
order by a.attnum`,
      [r.schema, this.dialect.catalogIdentifier(r.identifier)],
    );
    return rows.map((c) => ({ name: c.name, type: c.type, nullable: c.nullable }));
  }

  /** Session-level advisory lock on a dedicated connection; see lock.ts. */
  async lock(key: string, opts: LockOptions): Promise<LockResult> {
    if (this.closed) throw new Error('Postgres adapter is closed');
    const r = await acquireAdvisoryLock(() => this.newClient(`${this.config.applicationName} (run lock)`), key, opts, this.secrets);
    return trackLock(r, this.locks);
  }

  /**
   * Cancel the statements in flight: pg_cancel_backend() for the backend of every checked-out
   * connection, from a separate connection (the pool may be exhausted). Each cancelled statement
   * fails with 57014 "canceling statement due to user request"; a transaction it was in is then
   * aborted and rolled back by transaction().
   */
  async cancel(): Promise<void> {
    const pids = [...this.busy].map((c) => (c as unknown as { processID: number | null }).processID).filter((p): p is number => typeof p === 'number');
    if (pids.length === 0) return;
    const c = await this.newClient(`${this.config.applicationName} (cancel)`);
    try {
      await c.query('select pg_cancel_backend(pid) from unnest($1::int[]) as pid', [pids]);
    } catch (e) {
      throw toDatabaseError(e, undefined, this.secrets);
    } finally {
      await c.end().catch(() => {});
    }
  }

  /** End every connection (waiting for statements in flight) and release held run locks. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const l of [...this.locks]) await l.release().catch(() => {});
    const pool = this.pool;
    this.pool = undefined;
    await pool?.end().catch(() => {});
  }

  /** pg's client options for one connection (pool or dedicated). */
  clientConfig(applicationName = this.config.applicationName): pg.ClientConfig {
    const c = this.config;
    // UTC sessions: tform's interval bounds are UTC, and so is how timestamptz values compare with them.
    const options = ['-c DateStyle=ISO', '-c TimeZone=UTC'];
    if (c.searchPath !== undefined) options.push(`-c search_path=${escapeOptionValue(c.searchPath)}`);
    if (c.role !== undefined) options.push(`-c role=${escapeOptionValue(c.role)}`);
    return {
      host: c.host,
      port: c.port,
      user: c.user,
      password: c.password,
      database: c.database,
      ssl: c.ssl,
      connectionTimeoutMillis: c.connectTimeoutSeconds * 1000,
      ...(c.statementTimeoutMs !== undefined ? { statement_timeout: c.statementTimeoutMs } : {}),
      application_name: runMarked(applicationName),
      options: options.join(' '),
      keepAlive: true,
      ...(c.keepalivesIdleSeconds ? { keepAliveInitialDelayMillis: c.keepalivesIdleSeconds * 1000 } : {}),
      types: typeParsers,
    };
  }

  /** The pool, made on first use (never at construction): pg.Pool itself connects lazily. */
  private getPool(): pg.Pool {
    if (this.closed) throw new Error('Postgres adapter is closed');
    if (!this.pool) {
      // allowExitOnIdle: idle connections do not keep the process alive (close() ends them anyway).
      this.pool = new pg.Pool({ ...this.clientConfig(), max: this.config.poolSize, idleTimeoutMillis: 30_000, allowExitOnIdle: true });
      // An idle pooled connection that dies (server restart, admin kill) is reported here and
      // dropped by the pool; without a listener the 'error' event would crash the process.
      this.pool.on('error', () => {});
    }
    return this.pool;
  }

  private async use<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    let c: pg.PoolClient;
    try {
      c = await this.getPool().connect();
    } catch (e) {
      throw this.connectError(e);
    }
    this.busy.add(c);
    let broken = false;
    try {
      return await fn(c);
    } catch (e) {
      broken = isBrokenConnection(e);
      throw e;
    } finally {
      this.busy.delete(c);
      c.release(broken);
    }
  }

  private async run(c: pg.ClientBase, sql: string): Promise<pg.QueryResult<unknown[]> | pg.QueryResult<unknown[]>[]> {
    try {
      // rowMode 'array' so that duplicate column names survive (see rowObjects). Without
      // parameters pg uses the simple query protocol, so `sql` may hold several statements.
      return (await c.query({ text: sql, rowMode: 'array' })) as unknown as pg.QueryResult<unknown[]> | pg.QueryResult<unknown[]>[];
    } catch (e) {
      throw toDatabaseError(e, sql, this.secrets);
    }
  }

  private async queryParams<T extends Row>(sql: string, values: unknown[]): Promise<T[]> {
    return this.use(async (c) => {
      try {
        return (await c.query(sql, values)).rows as T[];
      } catch (e) {
        throw toDatabaseError(e, sql, this.secrets);
      }
    });
  }

  private async newClient(applicationName: string): Promise<pg.Client> {
    if (this.closed) throw new Error('Postgres adapter is closed');
    const c = new pg.Client(this.clientConfig(applicationName));
    c.on('error', () => {}); // a dead connection fails its next query instead
    try {
      await c.connect();
    } catch (e) {
      await c.end().catch(() => {});
      throw this.connectError(e);
    }
    return c;
  }

  private connectError(e: unknown): PostgresError {
    const err = toDatabaseError(e, undefined, this.secrets);
    const { host, port, database, user } = this.config;
    const where = `${user}@${host}:${port}/${database}`;
    if (err.sqlState !== undefined) return err; // the server answered (auth, unknown database, …)
    return new PostgresError(redactText(`could not connect to Postgres at ${where}: ${err.message}`, this.secrets), { cause: err.cause });
  }

  /** Postgres reaches only the connected database: a ref to another one is a configuration error. */
  private async checkDatabase(database: string | undefined): Promise<void> {
    if (database === undefined) return;
    this.currentDatabase ??= this.queryParams<{ db: string }>('select current_database() as db', []).then((r) => r[0]!.db);
    const current = await this.currentDatabase.catch((e: unknown) => {
      this.currentDatabase = undefined;
      throw e;
    });
    if (database !== current) {
      throw new TformError('CONFIG_INVALID', `database '${database}' is not the one this Postgres target connects to ('${current}')`, {
        hint: 'a Postgres connection reaches one database: set `database` to the target\'s dbname, or use another target',
      });
    }
  }
}

/**
 * Rows as plain objects, from the last result when `sql` held several statements. Duplicate
 * column names are made unique as the DuckDB adapter does (`a`, `a_1`).
 */
function rowObjects<T extends Row>(res: pg.QueryResult<unknown[]> | pg.QueryResult<unknown[]>[]): T[] {
  const r = Array.isArray(res) ? res[res.length - 1] : res;
  if (!r || !r.fields) return [];
  const names: string[] = [];
  const seen = new Set<string>();
  for (const f of r.fields) {
    let name = f.name;
    for (let i = 1; seen.has(name); i++) name = `${f.name}_${i}`;
    seen.add(name);
    names.push(name);
  }
  return r.rows.map((row) => {
    const o: Row = {};
    names.forEach((n, i) => (o[n] = row[i]));
    return o as T;
  });
}

/**
 * Rows written: INSERT/UPDATE/DELETE/MERGE/COPY report them, and so does CREATE TABLE AS (and
 * SELECT INTO), whose command tag is `SELECT n` but which returns no columns. A plain SELECT
 * reports nothing. Several statements: the sum over those that report.
 */
function execResult(res: pg.QueryResult<unknown[]> | pg.QueryResult<unknown[]>[]): ExecResult {
  let rows: number | undefined;
  for (const r of Array.isArray(res) ? res : [res]) {
    const writes = ['INSERT', 'UPDATE', 'DELETE', 'MERGE', 'COPY'].includes(r.command) || (r.command === 'SELECT' && r.fields.length === 0);
    if (writes && typeof r.rowCount === 'number') rows = (rows ?? 0) + r.rowCount;
  }
  return rows === undefined ? {} : { rowsAffected: rows };
}

/** Not an error the server reported in a healthy session: drop the connection from the pool. */
function isBrokenConnection(e: unknown): boolean {
  if (!(e instanceof PostgresError)) return false; // the caller's own error inside transaction()
  const s = e.sqlState;
  return s === undefined || s.startsWith('08') || s.startsWith('57P');
}

/** A value in the startup `options` string: spaces and backslashes are backslash-escaped. */
function escapeOptionValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/ /g, '\\ ');
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Every session of this process carries `[<host>:<pid>]` in its application_name, so that whoever
 * takes over the run lock from a dead process can find that process's sessions still running on
 * the server (a killed client's statement goes on until the server next writes to its socket).
 * Postgres keeps at most 63 bytes of application_name: the marker is kept, the name is clipped.
 */
export function runMarker(host = os.hostname(), pid = process.pid): string {
  return `[${host}:${pid}]`;
}

function runMarked(name: string): string {
  const marker = ` ${runMarker()}`;
  return clipUtf8(name, 63 - Buffer.byteLength(marker)) + marker;
}
