import { TformError, type ErrorLocation } from '../errors/index.js';

const UNITS: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000, week: 7 * 86_400_000 };

/**
 * `expect_every: '1 day'` (minutes, hours, days or weeks): how often a model is expected to
 * succeed, for `tform monitor`. A value that is not such a period is a user error at `where`.
 */
export function expectEveryMs(value: unknown, where: ErrorLocation = {}): number {
  const m = typeof value === 'string' ? /^\s*(\d+)\s*(minute|hour|day|week)s?\s*$/i.exec(value) : null;
  const n = m ? Number(m[1]) : NaN;
  if (!m || !Number.isSafeInteger(n) || n <= 0) {
    throw new TformError('CONFIG_INVALID', `expect_every ${JSON.stringify(value)} is not a period`, {
      ...where,
      hint: "e.g. expect_every: '1 day', '6 hours' or '30 minutes' (minutes, hours, days or weeks)",
    });
  }
  return n * UNITS[m[2]!.toLowerCase()]!;
}

/** A duration in words: `45 minutes`, `5.5 hours`, `3.0 days`. */
export function durationText(ms: number): string {
  const mins = Math.round(ms / 60_000);
  if (mins < 120) return `${mins} minute${mins === 1 ? '' : 's'}`;
  if (mins < 48 * 60) return `${(mins / 60).toFixed(1)} hours`;
  return `${(mins / 1440).toFixed(1)} days`;
}
