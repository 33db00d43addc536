import { TformError } from './errors/index.js';

/**
 * The settable clock. `--now` or `TFORM_NOW` fixes "now" for everything time-based (freshness,
 * percent_change, intervals, schedules, retention) so runs and tests are deterministic.
 */
export interface Clock {
  now(): Date;
  /** True when now() was fixed by flag or environment. */
  readonly fixed: boolean;
}

export function parseNow(value: string, origin = '--now'): Date {
  const v = value.trim();
  // Accept dates (midnight UTC) and ISO timestamps; a timestamp without zone is UTC.
  const iso = /^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T00:00:00Z` : /[zZ]|[+-]\d{2}:?\d{2}$/.test(v) ? v : `${v}Z`;
  const d = new Date(iso);
  if (!/^\d{4}-\d{2}-\d{2}/.test(v) || Number.isNaN(d.getTime())) {
    throw new TformError('FLAG_INVALID', `${origin} '${value}' is not a date or ISO-8601 timestamp`, {
      hint: "use e.g. --now 2024-03-01 or --now '2024-03-01T12:00:00Z'",
    });
  }
  return d;
}

export function createClock(flag?: string, env: NodeJS.ProcessEnv = process.env): Clock {
  const raw = flag ?? env.TFORM_NOW;
  if (raw !== undefined && raw !== '') {
    const fixed = parseNow(raw, flag !== undefined ? '--now' : 'TFORM_NOW');
    return { now: () => new Date(fixed.getTime()), fixed: true };
  }
  return { now: () => new Date(), fixed: false };
}
