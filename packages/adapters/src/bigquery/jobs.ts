import { randomBytes } from 'node:crypto';
import { shortHash } from '@tform/core';
import { jobError, toBigQueryError, type BigQueryError, type ErrorProto } from './errors.js';
import type { Rest } from './rest.js';
import { backoffMs, httpStatus, RETRYABLE_REASONS, withRetries, type RetryPolicy } from './retry.js';
import type { FieldSchema } from './rows.js';

/**
 * Running BigQuery jobs: insert with an explicit job id, wait until DONE, read results, cancel.
 *
 * - Job ids are `tform_<kind>_<hash of the statement>_<random>`: the kind and hash say in the
 *   console's job history what a job was; the random part makes every statement its own job.
 *   The id is passed to jobs.insert, so retrying the insert reuses it (see retry.ts).
 * - A query job is waited for with getQueryResults (`maxResults=0`), which BigQuery holds open
 *   until the job completes or `timeoutMs` passes; then jobs.get gives its final status. Copy
 *   and load jobs are polled with jobs.get.
 * - Every job is tracked until it is DONE, so cancel() can cancel what is running (Ctrl-C).
 */

export interface JobReference {
  projectId: string;
  jobId: string;
  location?: string;
}

export interface JobStatus {
  state?: 'PENDING' | 'RUNNING' | 'DONE';
  errorResult?: ErrorProto;
  errors?: ErrorProto[];
}

export interface JobResource {
  jobReference: JobReference;
  configuration?: Record<string, unknown>;
  status?: JobStatus;
  statistics?: {
    totalBytesProcessed?: string;
    query?: { totalBytesProcessed?: string; numDmlAffectedRows?: string; statementType?: string };
    load?: { outputRows?: string };
    sessionInfo?: { sessionId?: string };
  };
}

export interface QueryResults {
  jobComplete?: boolean;
  schema?: { fields?: FieldSchema[] };
  rows?: { f: { v: unknown }[] }[];
  pageToken?: string;
  totalRows?: string;
  numDmlAffectedRows?: string;
}

export interface JobSettings {
  project: string;
  location: string;
  labels: Record<string, string>;
  priority: 'INTERACTIVE' | 'BATCH';
  maximumBytesBilled?: string;
  jobTimeoutMs?: number;
  retry: RetryPolicy;
  /** Pause between polls of a job that is not done (ms). */
  pollMs: number;
  /** How long one getQueryResults call may wait for a job (ms). */
  waitMs: number;
}

export interface QueryJobOptions {
  /** Run in this session (connectionProperties session_id). */
  session?: string;
  /** Create a session with this job (its id is in the job's statistics.sessionInfo). */
  createSession?: boolean;
  /** Re-run a job that failed with a retryable reason under a new id (never in a session). */
  retryJob?: boolean;
}

const encode = encodeURIComponent;

export class Jobs {
  private readonly running = new Map<string, JobReference>();
  /** Incremented by cancel(): jobs started before it are not run again. */
  private generation = 0;

  constructor(
    private readonly rest: Rest,
    readonly settings: JobSettings,
  ) {}

  /** `tform_<kind>_<hash>_<random>`: only letters, digits and underscores. */
  newJobId(kind: string, text: string): string {
    return `tform_${kind}_${shortHash(text)}_${randomBytes(6).toString('hex')}`;
  }

  /** The configuration of a query job running `sql`. */
  queryConfiguration(sql: string, o: QueryJobOptions & { dryRun?: boolean } = {}): Record<string, unknown> {
    const s = this.settings;
    return {
      query: {
        query: sql,
        useLegacySql: false,
        priority: s.priority,
        ...(s.maximumBytesBilled ? { maximumBytesBilled: s.maximumBytesBilled } : {}),
        ...(o.session ? { connectionProperties: [{ key: 'session_id', value: o.session }] } : {}),
        ...(o.createSession ? { createSession: true } : {}),
      },
      ...this.common(),
      ...(o.dryRun ? { dryRun: true } : {}),
    };
  }

  /** Labels and the job timeout, on every job. */
  common(): Record<string, unknown> {
    const s = this.settings;
    return { ...(Object.keys(s.labels).length ? { labels: s.labels } : {}), ...(s.jobTimeoutMs ? { jobTimeoutMs: String(s.jobTimeoutMs) } : {}) };
  }

  /** Run a query job to completion; throws a BigQueryError when it fails. */
  async query(sql: string, o: QueryJobOptions = {}): Promise<JobResource> {
    return this.run('query', sql, this.queryConfiguration(sql, o), { retryJob: o.retryJob !== false && !o.session && !o.createSession });
  }

  /**
   * Run one job to completion. A job that fails with a retryable reason is run again under a new
   * id when `retryJob` (it committed nothing); any other failure is thrown.
   */
  async run(kind: string, text: string, configuration: Record<string, unknown>, o: { retryJob: boolean; uploadFile?: string }): Promise<JobResource> {
    const base = this.newJobId(kind, text);
    const generation = this.generation;
    for (let attempt = 1; ; attempt++) {
      const jobId = attempt === 1 ? base : `${base}_r${attempt}`;
      const done = await this.waitDone(await this.insert(jobId, configuration, o.uploadFile));
      const err = done.status?.errorResult;
      if (!err) return done;
      const again = o.retryJob && attempt <= this.settings.retry.retries && RETRYABLE_REASONS.has(err.reason ?? '') && generation === this.generation;
      if (!again) throw jobError(jobId, err, done.status?.errors);
      await this.settings.retry.sleep(backoffMs(this.settings.retry, attempt));
    }
  }

  /**
   * jobs.insert with `jobId`, retried with the same id; a 409 (the job exists: an earlier
   * attempt created it) fetches that job instead.
   */
  async insert(jobId: string, configuration: Record<string, unknown>, uploadFile?: string): Promise<JobResource> {
    const ref: JobReference = { projectId: this.settings.project, jobId, location: this.settings.location };
    this.running.set(jobId, ref);
    try {
      return await withRetries(this.settings.retry, async () => {
        try {
          return await this.rest.request<JobResource>({ method: 'POST', path: '/jobs', json: { jobReference: ref, configuration }, uploadFile });
        } catch (e) {
          if (httpStatus(e) === 409) return this.get(ref);
          throw e;
        }
      });
    } catch (e) {
      this.running.delete(jobId);
      throw toBigQueryError(e, { jobId });
    }
  }

  /** jobs.get (retried). */
  async get(ref: JobReference): Promise<JobResource> {
    return withRetries(this.settings.retry, () => this.rest.request<JobResource>({ method: 'GET', path: `/jobs/${encode(ref.jobId)}`, project: ref.projectId, qs: { location: ref.location } }));
  }

  /** Wait until the job is DONE (its final resource). */
  async waitDone(job: JobResource): Promise<JobResource> {
    const ref = job.jobReference;
    const isQuery = job.configuration === undefined || 'query' in job.configuration;
    let j = job;
    try {
      while (j.status?.state !== 'DONE') {
        if (isQuery) {
          let complete = false;
          try {
            complete = (await this.results(ref, { maxResults: 0, timeoutMs: this.settings.waitMs })).jobComplete === true;
          } catch (e) {
            // A failed job's error comes back from getQueryResults too: jobs.get says what it was.
            const s = (e as BigQueryError).status;
            if (s === undefined || s >= 500) throw e;
            complete = true;
          }
          if (!complete) await this.settings.retry.sleep(this.settings.pollMs);
        } else {
          await this.settings.retry.sleep(this.settings.pollMs);
        }
        j = await this.get(ref);
      }
      return j;
    } catch (e) {
      throw toBigQueryError(e, { jobId: ref.jobId });
    } finally {
      this.running.delete(ref.jobId);
    }
  }

  /** One page of getQueryResults (retried). */
  async results(ref: JobReference, o: { maxResults?: number; pageToken?: string; timeoutMs?: number } = {}): Promise<QueryResults> {
    try {
      return await withRetries(this.settings.retry, () =>
        this.rest.request<QueryResults>({
          method: 'GET',
          path: `/queries/${encode(ref.jobId)}`,
          project: ref.projectId,
          qs: { location: ref.location, maxResults: o.maxResults, pageToken: o.pageToken, timeoutMs: o.timeoutMs, 'formatOptions.useInt64Timestamp': true },
        }),
      );
    } catch (e) {
      throw toBigQueryError(e, { jobId: ref.jobId });
    }
  }

  /** Every row of a finished query job, page by page, with the schema. */
  async allRows(ref: JobReference): Promise<{ fields: FieldSchema[]; rows: { f: { v: unknown }[] }[] }> {
    const rows: { f: { v: unknown }[] }[] = [];
    let fields: FieldSchema[] = [];
    let pageToken: string | undefined;
    do {
      const page = await this.results(ref, { maxResults: 10_000, pageToken });
      if (page.schema?.fields) fields = page.schema.fields;
      rows.push(...(page.rows ?? []));
      pageToken = page.pageToken;
    } while (pageToken);
    return { fields, rows };
  }

  /** A dry run of `sql`: the bytes it would process. Creates no job. */
  async dryRun(sql: string): Promise<number> {
    try {
      const job = await withRetries(this.settings.retry, () =>
        this.rest.request<JobResource>({ method: 'POST', path: '/jobs', json: { jobReference: { projectId: this.settings.project, location: this.settings.location }, configuration: this.queryConfiguration(sql, { dryRun: true }) } }),
      );
      return Number(job.statistics?.query?.totalBytesProcessed ?? job.statistics?.totalBytesProcessed ?? 0);
    } catch (e) {
      throw toBigQueryError(e);
    }
  }

  /** The ids of the jobs running now. */
  runningJobs(): string[] {
    return [...this.running.keys()];
  }

  /** jobs.cancel for every running job; they then finish as `stopped`. */
  async cancelAll(): Promise<void> {
    this.generation++;
    const refs = [...this.running.values()];
    await Promise.all(
      refs.map((ref) =>
        this.rest.request({ method: 'POST', path: `/jobs/${encode(ref.jobId)}/cancel`, project: ref.projectId, qs: { location: ref.location } }).catch(() => {
          // already done, or the request failed: the job ends anyway, or the run stops after it
        }),
      ),
    );
  }
}

