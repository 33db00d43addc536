import { TformError, type ErrorLocation } from './errors/index.js';

const UNITS: Record<string, number> = { hour: 3_600_000, day: 86_400_000, week: 7 * 86_400_000 };

/**
 * `retention: 30 days` (hours, days or weeks): how much history a model keeps. Rows whose
 * `event_time` is older than that, by the settable clock, are deleted after each successful run.
 */
export function retentionMs(value: unknown, where: ErrorLocation = {}): number {
  const m = typeof value === 'string' ? /^\s*(\d+)\s*(hour|day|week)s?\s*$/i.exec(value) : null;
  const n = typeof value === 'number' ? value : m ? Number(m[1]) : NaN;
  const unit = typeof value === 'number' ? 'day' : m?.[2]?.toLowerCase();
  if (!Number.isInteger(n) || n <= 0 || !unit) {
    throw new TformError('CONFIG_INVALID', `retention ${JSON.stringify(value)} is not a period`, { ...where, hint: "e.g. retention: '30 days' (hours, days or weeks)" });
  }
  return n * UNITS[unit]!;
}

/** The oldest event time a retained model keeps at `now`. */
export function retentionCutoff(value: unknown, now: Date): Date {
  return new Date(now.getTime() - retentionMs(value));
}
