/**
 * When and how BigQuery requests and jobs are retried.
 *
 * - A *request* (jobs.insert, jobs.get, getQueryResults, tables.get, …) that fails with HTTP
 *   429, 500, 502, 503 or 504, with the reason `rateLimitExceeded`, `userRateLimitExceeded`,
 *   `backendError` or `internalError`, or with a network error before any answer, is sent again
 *   after a backoff. jobs.insert is sent again with the *same* job id: BigQuery's insert is
 *   idempotent by job id, so when the first attempt did create the job (its answer was lost, or
 *   it was a 5xx after the job was accepted) the retry answers 409 "Already Exists" and the
 *   adapter fetches that job instead of starting a second one — a DML statement never runs twice.
 * - A *job* that finished with `backendError`, `rateLimitExceeded` or `internalError` made no
 *   change (a failed job commits nothing) and is run again under a new id (`<id>_r2`, …): its
 *   own id is taken by the failed job. Never inside a session transaction, where the failure
 *   ends the transaction.
 *
 * Backoff: `base × 2^(attempt-1)`, capped, with ±50% jitter. The sleep is injectable (tests).
 */

export const RETRYABLE_REASONS: ReadonlySet<string> = new Set(['rateLimitExceeded', 'userRateLimitExceeded', 'backendError', 'internalError']);
const RETRYABLE_STATUS: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504]);
const NETWORK_CODES: ReadonlySet<string> = new Set(['ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND', 'ECONNREFUSED', 'ECONNABORTED', 'UND_ERR_SOCKET']);

export interface RetryPolicy {
  /** Retries after the first attempt (profile `job_retries`). */
  retries: number;
  /** First backoff, in ms. */
  baseMs: number;
  /** Longest backoff, in ms. */
  maxMs: number;
  sleep(ms: number): Promise<void>;
  random(): number;
}

export function defaultRetryPolicy(retries: number): RetryPolicy {
  return { retries, baseMs: 1000, maxMs: 32_000, sleep: (ms) => new Promise((r) => setTimeout(r, ms)), random: Math.random };
}

/** ms to wait before retry number `attempt` (1 = the first retry). */
export function backoffMs(p: RetryPolicy, attempt: number): number {
  const raw = Math.min(p.maxMs, p.baseMs * 2 ** (attempt - 1));
  return Math.round(raw * (0.5 + p.random()));
}

interface ApiErrorLike {
  code?: number | string;
  errors?: { reason?: string }[];
  response?: unknown;
}

/** The HTTP status of a failed request, when the server answered. */
export function httpStatus(e: unknown): number | undefined {
  const c = (e as ApiErrorLike | undefined)?.code;
  return typeof c === 'number' ? c : undefined;
}

/** The reasons BigQuery gave for a failed request. */
export function reasonsOf(e: unknown): string[] {
  const errs = (e as ApiErrorLike | undefined)?.errors;
  return Array.isArray(errs) ? errs.map((x) => String(x?.reason ?? '')).filter(Boolean) : [];
}

/** Whether a failed request may be sent again (see the module comment). */
export function isRetryableRequest(e: unknown): boolean {
  const status = httpStatus(e);
  if (status !== undefined && RETRYABLE_STATUS.has(status)) return true;
  if (reasonsOf(e).some((r) => RETRYABLE_REASONS.has(r))) return true;
  const code = (e as ApiErrorLike | undefined)?.code;
  return typeof code === 'string' && NETWORK_CODES.has(code);
}

/** Run `fn`, retrying retryable request failures with backoff. */
export async function withRetries<T>(p: RetryPolicy, fn: (attempt: number) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (e) {
      if (attempt > p.retries || !isRetryableRequest(e)) throw e;
      await p.sleep(backoffMs(p, attempt));
    }
  }
}
