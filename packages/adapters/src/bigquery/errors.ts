import { DatabaseError } from '@tform/core';
import { httpStatus, reasonsOf } from './retry.js';

/**
 * BigQuery errors as core's DatabaseError.
 *
 * BigQuery reports an error as an ErrorProto `{ reason, location, message }`: in a failed job's
 * `status.errorResult` (with more in `status.errors`), or in the body of a failed request
 * (`error.errors`, which @google-cloud/common turns into an ApiError with `code` = the HTTP
 * status and `errors`). A query's position is at the end of the message, 1-based, relative to
 * the text of the job's query: `Syntax error: Unexpected identifier "frm" at [3:5]`,
 * `Unrecognized name: amount at [2:8]`. That line and column become DatabaseError.line/column,
 * which the runner maps through the statement to the model's compiled SQL and its file, as it
 * does for Postgres and DuckDB. The message is BigQuery's own, unchanged.
 *
 * Reasons the adapter acts on: `notFound` (a relation or dataset that does not exist; a dry run
 * reading a model not built yet), `duplicate` (409: a job id already taken), `stopped` (a
 * cancelled job), and the retryable ones in retry.ts.
 */
export interface ErrorProto {
  reason?: string;
  location?: string;
  message?: string;
}

export class BigQueryError extends DatabaseError {
  /** BigQuery's reason: `invalidQuery`, `notFound`, `stopped`, `rateLimitExceeded`, … */
  readonly reason?: string;
  /** The job the error belongs to, when a job failed. */
  readonly jobId?: string;
  /** The HTTP status, when a request failed. */
  readonly status?: number;
  constructor(message: string, opts: { reason?: string; jobId?: string; status?: number; line?: number; column?: number; cause?: unknown } = {}) {
    super(message, { line: opts.line, column: opts.column, sqlState: opts.reason, cause: opts.cause });
    this.name = 'BigQueryError';
    this.reason = opts.reason;
    this.jobId = opts.jobId;
    this.status = opts.status;
  }

  get isNotFound(): boolean {
    return this.reason === 'notFound' || this.status === 404;
  }

  get isCancelled(): boolean {
    return this.reason === 'stopped';
  }
}

/** `… at [3:15]` at the end of a message: the 1-based line and column in the query. */
export function positionOf(message: string): { line: number; column: number } | undefined {
  const all = [...message.matchAll(/ at \[(\d+):(\d+)\]/g)];
  const m = all[all.length - 1];
  return m ? { line: Number(m[1]), column: Number(m[2]) } : undefined;
}

/** A failed job's error: errorResult, plus the other distinct messages BigQuery gave (a few). */
export function jobError(jobId: string, errorResult: ErrorProto, errors: ErrorProto[] = []): BigQueryError {
  const main = errorResult.message ?? errorResult.reason ?? 'the job failed';
  const more = [...new Set(errors.map((e) => e.message).filter((m): m is string => !!m && m !== main))].slice(0, 3);
  const message = more.length ? `${main}\n${more.join('\n')}` : main;
  return new BigQueryError(message, { reason: errorResult.reason, jobId, ...positionOf(main) });
}

/** Any error of a request (ApiError, network error) as a BigQueryError. */
export function toBigQueryError(e: unknown, o: { jobId?: string } = {}): BigQueryError {
  if (e instanceof BigQueryError) return e;
  const status = httpStatus(e);
  const reason = reasonsOf(e)[0];
  const raw = e instanceof Error ? e.message : String(e);
  const errs = (e as { errors?: ErrorProto[] }).errors;
  const message = errs?.[0]?.message ?? raw;
  const text = status === undefined ? `BigQuery request failed: ${message}` : message;
  return new BigQueryError(text, { reason, status, jobId: o.jobId, ...positionOf(message), cause: e });
}
