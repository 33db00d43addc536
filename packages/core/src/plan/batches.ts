import type { BatchConfig } from '../materialize/batchConfig.js';
import { TformError } from '../errors/index.js';
import { expectedIntervals, floorToGrain, intervalLabel, missingIntervals, nextBoundary, parseLocalTime, type Interval, type IntervalStatus, type StatusInterval } from '../state/intervals.js';

/**
 * Which intervals of an interval-wise model (microbatch, panel) a run processes. Pure.
 *
 * - Rebuild (no table yet, or a full refresh): every interval from `begin` up to now.
 * - Backfill (`--start/--end`, `--days-back`): exactly the intervals overlapping that range
 *   (clipped to `begin` … now), whatever the state says.
 * - Otherwise: the intervals the state does not have as complete (gaps, the new ones, the open
 *   one), plus the `lookback` closed intervals just before the first new one — late rows that
 *   arrived since are picked up.
 *
 * The interval holding `now` is 'partial': processed on every run until it closes, and only then
 * recorded complete.
 */
export interface BatchWindowOptions {
  cfg: BatchConfig;
  now: Date;
  processed: readonly (Interval & { status?: IntervalStatus })[];
  rebuild: boolean;
  backfill?: Interval;
}

export function batchWindow(o: BatchWindowOptions): StatusInterval[] {
  const { cfg } = o;
  const expected = expectedIntervals(cfg.begin, o.now, cfg.batchSize, cfg.timezone);
  if (o.rebuild) return expected;
  if (o.backfill) {
    const s = o.backfill.start.getTime();
    const e = o.backfill.end.getTime();
    return expected.filter((i) => i.start.getTime() < e && i.end.getTime() > s);
  }
  const missing = missingIntervals(expected, o.processed);
  const completeEnd = Math.max(-Infinity, ...o.processed.filter((p) => (p.status ?? 'complete') === 'complete').map((p) => p.end.getTime()));
  // The first interval after everything processed so far: lookback counts back from it.
  const firstNew = expected.findIndex((i) => i.start.getTime() >= completeEnd);
  const out = new Set(missing);
  if (firstNew > 0) for (const i of expected.slice(Math.max(0, firstNew - cfg.lookback), firstNew)) out.add(i);
  return expected.filter((i) => out.has(i));
}

/** `--start/--end` or `--days-back` as given; resolved per model (its time zone) by backfillRange(). */
export interface BackfillFlags {
  start?: string;
  end?: string;
  daysBack?: number;
}

/** Throws a FLAG_INVALID TformError unless the flags make one range. */
export function checkBackfillFlags(f: BackfillFlags, fullRefresh?: boolean): void {
  const bad = (msg: string, hint: string): never => {
    throw new TformError('FLAG_INVALID', msg, { hint });
  };
  if (f.start === undefined && f.end === undefined && f.daysBack === undefined) return;
  if (fullRefresh) bad('--full-refresh rebuilds everything; it cannot be combined with --start/--end/--days-back', 'drop one of them');
  if (f.daysBack !== undefined) {
    if (f.start !== undefined || f.end !== undefined) bad('--days-back cannot be combined with --start/--end', 'use either --days-back N or --start … --end …');
    if (!Number.isInteger(f.daysBack) || f.daysBack < 1) bad(`--days-back ${String(f.daysBack)} must be a whole number of days (1 or more)`, 'e.g. --days-back 3');
    return;
  }
  if (f.start === undefined) bad('--end needs --start', 'e.g. --start 2024-01-01 --end 2024-01-07');
  for (const [flag, v] of [['--start', f.start], ['--end', f.end]] as const) {
    if (v !== undefined && !parseLocalTime(v)) bad(`${flag} '${v}' is not a date or timestamp`, `e.g. ${flag} 2024-01-01 (or '2024-01-01 06:00')`);
  }
  if (f.end !== undefined && backfillRange(f, new Date(8.64e15), undefined).end.getTime() <= parseLocalTime(f.start!)!.getTime()) bad(`--end ${f.end} is not after --start ${f.start}`, 'a bare --end date is included: --start 2024-01-01 --end 2024-01-01 is that one day');
}

/**
 * The range the flags denote for a model in time zone `tz` (UTC when undefined): a bare `--end`
 * date includes that whole day; a timestamp `--end` is exclusive; no `--end` means up to now.
 * `--days-back N`: from the local midnight N days before today's, up to now.
 */
export function backfillRange(f: BackfillFlags, now: Date, tz: string | undefined): Interval {
  if (f.daysBack !== undefined) {
    const today = intervalLabel(floorToGrain(now, 'day', tz), 'day', tz);
    const [y, m, d] = today.split('-').map(Number) as [number, number, number];
    const back = new Date(Date.UTC(y, m - 1, d - f.daysBack)).toISOString().slice(0, 10);
    return { start: parseLocalTime(back, tz)!, end: new Date(now.getTime() + 1) };
  }
  const start = parseLocalTime(f.start!, tz)!;
  if (f.end === undefined) return { start, end: new Date(now.getTime() + 1) };
  const end = parseLocalTime(f.end, tz)!;
  return { start, end: /^\d{4}-\d{2}-\d{2}$/.test(f.end.trim()) ? nextBoundary(end, 'day', tz) : end };
}
