import {
  trackLock,
  type Adapter,
  type BytesEstimate,
  type Capabilities,
  type ColumnInfo,
  type ExecResult,
  type Executor,
  type LockHandle,
  type LockOptions,
  type LockResult,
  type RelationInfo,
  type RelationRef,
  type Row,
} from '@tform/core';
import type { BigQueryConfig } from './profile.js';
import { BigQueryDialect } from './dialect.js';
import { BigQueryError, toBigQueryError } from './errors.js';
import { Jobs, type JobResource } from './jobs.js';
import { parseJobStatement } from './jobStatements.js';
import { acquireTableLock, DEFAULT_LOCK_SETTINGS, type LockSettings } from './lock.js';
import { runCopy, runLoad } from './publish.js';
import { googleRest, type Rest } from './rest.js';
import { defaultRetryPolicy, withRetries, type RetryPolicy } from './retry.js';
import { columnsOf, rowObjects, type FieldSchema } from './rows.js';
import { runBigQueryTransaction } from './transaction.js';

/** What the factory may inject (tests: a fake auth client, a local endpoint, no real waiting). */
export interface BigQueryAdapterOptions {
  /** An auth client (google-auth-library's AuthClient, or anything with getRequestHeaders()) used instead of the profile's credentials. */
  authClient?: unknown;
  /** Overrides the endpoint (else the profile's api_endpoint, else Google's). */
  apiEndpoint?: string;
  /** Replaces the REST layer altogether. */
  rest?: Rest;
  /** Backoff and poll waits go through this (default: setTimeout). */
  sleep?: (ms: number) => Promise<void>;
  /** First retry backoff in ms (default 1000). */
  retryBaseMs?: number;
  /** Pause between polls of a job that is not done, in ms (default 500). */
  pollMs?: number;
  lock?: Partial<Omit<LockSettings, 'sleep'>>;
}

const encode = encodeURIComponent;

/**
 * An Adapter over BigQuery's REST API. Every statement is a job (see jobs.ts); statements that
 * are jobs of another kind (copy, load) come as job statements from the dialect. Connects
 * nothing until the first statement, and loads the Google client only then.
 */
export class BigQueryAdapter implements Adapter {
  readonly type = 'bigquery';
  readonly dialect: BigQueryDialect;
  readonly capabilities: Capabilities = {
    transactionalDdl: false, // DDL cannot run inside a transaction; publish is ordered instead
    merge: true,
    rename: false, // views cannot be renamed; tables are published by copy jobs
    schemas: true, // datasets
    concurrentReaders: true, // dry runs and tests need no run lock
    parallelSchemaCreation: true,
    readLocalCsv: false, // seeds go through load jobs (Dialect.loadCsv)
    loadFiles: false,
  };
  readonly jobs: Jobs;
  private readonly rest: Rest;
  private readonly retry: RetryPolicy;
  private readonly lockSettings: LockSettings;
  private readonly locks = new Set<LockHandle>();
  private closed = false;

  constructor(
    readonly config: BigQueryConfig,
    o: BigQueryAdapterOptions = {},
  ) {
    this.dialect = new BigQueryDialect({ project: config.project, location: config.location });
    this.rest =
      o.rest ??
      googleRest({
        project: config.project,
        location: config.location,
        apiEndpoint: o.apiEndpoint ?? config.apiEndpoint,
        authClient: o.authClient,
        credentials: config.credentials,
      });
    const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    this.retry = { ...defaultRetryPolicy(config.jobRetries), sleep, ...(o.retryBaseMs !== undefined ? { baseMs: o.retryBaseMs } : {}) };
    this.jobs = new Jobs(this.rest, {
      project: config.project,
      location: config.location,
      labels: config.jobLabels,
      priority: config.priority,
      maximumBytesBilled: config.maximumBytesBilled,
      jobTimeoutMs: config.jobTimeoutMs,
      retry: this.retry,
      pollMs: o.pollMs ?? 500,
      waitMs: 10_000,
    });
    this.lockSettings = { ...DEFAULT_LOCK_SETTINGS, ...o.lock, sleep };
  }

  async execute(sql: string): Promise<ExecResult> {
    return this.executeIn(undefined, sql);
  }

  async query<T extends Row = Row>(sql: string): Promise<T[]> {
    return this.queryIn<T>(undefined, sql);
  }

  /** One statement as one job (in `session` when given); a job statement as its copy or load job. */
  private async executeIn(session: string | undefined, sql: string): Promise<ExecResult> {
    this.live();
    const spec = parseJobStatement(sql);
    if (spec) {
      const job = 'copy' in spec ? await runCopy(this.rest, this.jobs, spec.copy) : await runLoad(this.jobs, spec.load);
      const rows = job.statistics?.load?.outputRows;
      return rows === undefined ? {} : { rowsAffected: Number(rows) };
    }
    return affected(await this.jobs.query(sql, { session }));
  }

  private async queryIn<T extends Row>(session: string | undefined, sql: string): Promise<T[]> {
    this.live();
    const job = await this.jobs.query(sql, { session });
    const { fields, rows } = await this.jobs.allRows(job.jobReference);
    return rowObjects<T>(fields, rows);
  }

  /** See transaction.ts: a session transaction, DDL ordered around it. */
  async transaction<T>(fn: (tx: Executor) => Promise<T>): Promise<T> {
    this.live();
    return runBigQueryTransaction(
      {
        execute: (sql) => this.executeIn(undefined, sql),
        query: <R extends Row>(sql: string) => this.queryIn<R>(undefined, sql),
        begin: async () => {
          const job = await this.jobs.query('BEGIN TRANSACTION', { createSession: true });
          const id = job.statistics?.sessionInfo?.sessionId;
          if (!id) throw new BigQueryError('BigQuery did not create a session for the transaction', { jobId: job.jobReference.jobId });
          return id;
        },
        executeIn: (s, sql) => this.executeIn(s, sql),
        queryIn: <R extends Row>(s: string, sql: string) => this.queryIn<R>(s, sql),
        endSession: async (s) => {
          await this.jobs.query('CALL BQ.ABORT_SESSION()', { session: s }).catch(() => {});
        },
      },
      fn,
    );
  }

  /** tables.list of the dataset; a dataset that does not exist has none. */
  async listRelations(schema: string, database?: string): Promise<RelationInfo[]> {
    this.live();
    const project = database ?? this.config.project;
    const out: RelationInfo[] = [];
    let pageToken: string | undefined;
    try {
      do {
        const page = await withRetries(this.retry, () =>
          this.rest.request<{ tables?: { tableReference: { tableId: string }; type?: string }[]; nextPageToken?: string }>({
            method: 'GET',
            path: `/datasets/${encode(schema)}/tables`,
            project,
            qs: { maxResults: 1000, pageToken },
          }),
        );
        for (const t of page.tables ?? []) {
          out.push({ ...(database === undefined ? {} : { database }), schema, identifier: t.tableReference.tableId, kind: t.type === 'VIEW' || t.type === 'MATERIALIZED_VIEW' ? 'view' : 'table' });
        }
        pageToken = page.nextPageToken;
      } while (pageToken);
    } catch (e) {
      if ((e as { code?: number }).code === 404) return [];
      throw toBigQueryError(e);
    }
    return out.sort((a, b) => (a.identifier < b.identifier ? -1 : a.identifier > b.identifier ? 1 : 0));
  }

  /** tables.get: the schema's fields, typed as GoogleSQL spells them; [] when it does not exist. */
  async columns(r: RelationRef): Promise<ColumnInfo[]> {
    this.live();
    try {
      const t = await withRetries(this.retry, () =>
        this.rest.request<{ schema?: { fields?: FieldSchema[] } }>({ method: 'GET', path: `/datasets/${encode(r.schema)}/tables/${encode(r.identifier)}`, project: r.database ?? this.config.project }),
      );
      return columnsOf(t.schema?.fields);
    } catch (e) {
      if ((e as { code?: number }).code === 404) return [];
      throw toBigQueryError(e);
    }
  }

  /** The run lock: a row of tform_state.run_locks with an expiry (lock.ts). */
  async lock(key: string, opts: LockOptions): Promise<LockResult> {
    this.live();
    const r = await acquireTableLock(this, this.dialect, key, opts, this.lockSettings);
    return trackLock(r, this.locks);
  }

  /** Cancel every job in flight (Ctrl-C): jobs.cancel; each then fails as `stopped`. */
  async cancel(): Promise<void> {
    await this.jobs.cancelAll();
  }

  /**
   * A dry run of one query: the bytes it would process. A query reading a relation or dataset
   * that does not exist yet (a model not built yet) has no estimate; that is not an error.
   */
  async estimateBytes(sql: string): Promise<BytesEstimate> {
    this.live();
    try {
      return { bytes: await this.jobs.dryRun(sql) };
    } catch (e) {
      if (e instanceof BigQueryError && e.isNotFound) return { unavailable: `${e.message} (a relation it reads is not built yet)` };
      throw e;
    }
  }

  /** Release held run locks. Idempotent; there is no connection to close. */
  async close(): Promise<void> {
    if (this.closed) return;
    for (const l of [...this.locks]) await l.release().catch(() => {});
    this.closed = true;
  }

  private live(): void {
    if (this.closed) throw new Error('BigQuery adapter is closed');
  }
}

/** Rows a DML statement changed (numDmlAffectedRows); nothing for other statements. */
function affected(job: JobResource): ExecResult {
  const n = job.statistics?.query?.numDmlAffectedRows;
  return n === undefined ? {} : { rowsAffected: Number(n) };
}
