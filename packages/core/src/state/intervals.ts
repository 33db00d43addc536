import { TformError } from '../errors/index.js';

/**
 * Interval arithmetic of incremental/microbatch models. Pure: no I/O, no clock (`now` is passed).
 *
 * Intervals are half-open [start, end) of JS Dates (instants). `hour` intervals are UTC hours
 * whatever the time zone. `day` intervals are UTC days, or, given an IANA time zone, the local
 * days of that zone: from one local midnight to the next, so 23 or 25 hours long on DST days
 * (where a zone skips midnight, the day starts at the first instant of that local date).
 */

export type IntervalGrain = 'hour' | 'day';
export type IntervalStatus = 'complete' | 'partial';

export interface Interval {
  start: Date;
  end: Date;
}

export interface StatusInterval extends Interval {
  status: IntervalStatus;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** intervalsBetween() refuses ranges with more intervals than this (a runaway range). */
export const MAX_INTERVALS = 1_000_000;

// --- time zones ------------------------------------------------------------------------------

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone: tz,
        hourCycle: 'h23',
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
      });
    } catch {
      throw new TformError('CONFIG_INVALID', `unknown time zone '${tz}'`, { hint: "use an IANA time zone name such as 'Europe/Berlin' or 'UTC'" });
    }
    formatters.set(tz, f);
  }
  return f;
}

/** Throws a TformError unless `tz` is a time zone this runtime knows. */
export function checkTimeZone(tz: string): void {
  formatter(tz);
}

interface Parts {
  y: number;
  m: number;
  d: number;
  h: number;
  mi: number;
  s: number;
}

function localParts(t: number, tz: string): Parts {
  const p: Record<string, number> = {};
  for (const { type, value } of formatter(tz).formatToParts(new Date(t))) {
    if (type !== 'literal') p[type] = Number(value);
  }
  return { y: p.year!, m: p.month!, d: p.day!, h: p.hour! % 24, mi: p.minute!, s: p.second! };
}

/** UTC offset of `tz` at instant `t`, in ms (local wall time − UTC). */
function offsetAt(t: number, tz: string): number {
  const p = localParts(t, tz);
  const wall = Date.UTC(p.y, p.m - 1, p.d, p.h, p.mi, p.s);
  return wall - (t - (((t % 1000) + 1000) % 1000));
}

const dayKey = (y: number, m: number, d: number) => y * 10_000 + m * 100 + d;

/** The first instant of local date y-m-d in `tz` (m, d may overflow, as in Date.UTC). */
function localDayStart(y: number, m: number, d: number, tz: string): number {
  const wall = Date.UTC(y, m - 1, d);
  const norm = new Date(wall);
  const key = dayKey(norm.getUTCFullYear(), norm.getUTCMonth() + 1, norm.getUTCDate());
  let t = wall - offsetAt(wall, tz);
  t = wall - offsetAt(t, tz);
  const p = localParts(t, tz);
  if (p.h === 0 && p.mi === 0 && p.s === 0 && dayKey(p.y, p.m, p.d) === key && localKey(t - 1000, tz) < key) return t;
  // Local midnight does not exist (a DST gap at midnight) or occurs twice: the first instant of
  // the local date. Offsets lie within −12 h … +14 h, so the bounds below bracket it.
  let lo = wall - 15 * HOUR_MS; // local date before `key`
  let hi = wall + 15 * HOUR_MS; // local date at or after `key`
  while (hi - lo > 1000) {
    const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
    if (localKey(mid, tz) >= key) hi = mid;
    else lo = mid;
  }
  return hi;
}

function localKey(t: number, tz: string): number {
  const p = localParts(t, tz);
  return dayKey(p.y, p.m, p.d);
}

/**
 * The instant `YYYY-MM-DD` or `YYYY-MM-DD[T ]HH:MM[:SS]` denotes: a wall-clock time in `tz`
 * (the first instant of that local date for a bare date), or UTC without `tz`. A string with an
 * explicit offset or `Z` is that instant. Undefined when the text is not such a date.
 */
export function parseLocalTime(text: string, tz?: string): Date | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i.exec(text.trim());
  if (!m) return undefined;
  const [y, mo, d, h = '0', mi = '0', se = '0'] = m.slice(1, 7).map((v) => v ?? undefined) as string[];
  const nums = [y, mo, d, h, mi, se].map(Number) as [number, number, number, number, number, number];
  const wall = Date.UTC(nums[0], nums[1] - 1, nums[2], nums[3], nums[4], nums[5]);
  const check = new Date(wall);
  if (check.getUTCMonth() !== nums[1] - 1 || check.getUTCDate() !== nums[2] || nums[3] > 23 || nums[4] > 59 || nums[5] > 59) return undefined;
  if (m[7]) {
    const z = m[7].toUpperCase();
    if (z === 'Z') return check;
    const off = /([+-])(\d{2}):?(\d{2})/.exec(z)!;
    return new Date(wall - (off[1] === '-' ? -1 : 1) * (Number(off[2]) * 60 + Number(off[3])) * 60_000);
  }
  if (!tz) return check;
  const dayStart = localDayStart(nums[0], nums[1], nums[2], tz);
  if (m[4] === undefined) return new Date(dayStart);
  // A local time of day: its offset is the one in force at that wall time (DST gaps move forward).
  const guess = wall - offsetAt(wall, tz);
  return new Date(wall - offsetAt(guess, tz));
}

// --- grains --------------------------------------------------------------------------------------

function checkDate(d: Date, what: string): number {
  const t = d instanceof Date ? d.getTime() : NaN;
  if (Number.isNaN(t)) throw new Error(`${what} must be a valid Date`);
  return t;
}

/** The start of the interval of `grain` that contains `d`. */
export function floorToGrain(d: Date, grain: IntervalGrain, tz?: string): Date {
  const t = checkDate(d, 'the timestamp');
  if (grain === 'hour') return new Date(Math.floor(t / HOUR_MS) * HOUR_MS);
  if (grain !== 'day') throw new Error(`unknown interval grain '${String(grain)}'`);
  if (!tz) return new Date(Math.floor(t / DAY_MS) * DAY_MS);
  const p = localParts(t, tz);
  let start = localDayStart(p.y, p.m, p.d, tz);
  if (start > t) start = localDayStart(p.y, p.m, p.d - 1, tz); // a repeated hour across midnight
  return new Date(start);
}

/** The end of the interval of `grain` that starts at `boundary` (a floorToGrain() result). */
export function nextBoundary(boundary: Date, grain: IntervalGrain, tz?: string): Date {
  const t = checkDate(boundary, 'the boundary');
  if (grain === 'hour') return new Date(t + HOUR_MS);
  if (!tz) return new Date(t + DAY_MS);
  const p = localParts(t, tz);
  return new Date(localDayStart(p.y, p.m, p.d + 1, tz));
}

/**
 * The intervals of `grain` that overlap [start, end), in order: the first starts at or before
 * `start` and the last ends at or after `end`. Empty when end <= start.
 */
export function intervalsBetween(start: Date, end: Date, grain: IntervalGrain, tz?: string): Interval[] {
  const s = checkDate(start, 'start');
  const e = checkDate(end, 'end');
  if (tz) checkTimeZone(tz);
  const out: Interval[] = [];
  if (e <= s) return out;
  let cur = floorToGrain(start, grain, tz);
  while (cur.getTime() < e) {
    const next = nextBoundary(cur, grain, tz);
    if (next.getTime() <= cur.getTime()) throw new Error(`interval arithmetic did not advance at ${cur.toISOString()}`);
    out.push({ start: cur, end: next });
    if (out.length > MAX_INTERVALS) {
      throw new TformError('CONFIG_INVALID', `the range ${start.toISOString()} .. ${end.toISOString()} has more than ${MAX_INTERVALS} ${grain} intervals`);
    }
    cur = next;
  }
  return out;
}

/**
 * The intervals from `start` up to `now`, each 'complete' except the open one that contains
 * `now` (still filling up), which is 'partial'. Intervals starting after `now` are not included.
 */
export function expectedIntervals(start: Date, now: Date, grain: IntervalGrain, tz?: string): StatusInterval[] {
  const n = checkDate(now, 'now');
  // Include the interval containing `now` even when `now` is exactly its start.
  return markOpen(intervalsBetween(start, new Date(n + 1), grain, tz), now);
}

/** `intervals` with status: 'partial' for the one that contains `now` (start <= now < end). */
export function markOpen(intervals: readonly Interval[], now: Date): StatusInterval[] {
  const n = checkDate(now, 'now');
  return intervals.map((i) => ({
    start: i.start,
    end: i.end,
    status: i.start.getTime() <= n && n < i.end.getTime() ? 'partial' : 'complete',
  }));
}

/**
 * Sorted union of intervals: overlapping or touching ones (a.end >= b.start) merged into one.
 */
export function mergeRanges(intervals: readonly Interval[]): Interval[] {
  const sorted = [...intervals].sort((a, b) => a.start.getTime() - b.start.getTime());
  const out: Interval[] = [];
  for (const i of sorted) {
    const last = out[out.length - 1];
    if (last && i.start.getTime() <= last.end.getTime()) {
      if (i.end.getTime() > last.end.getTime()) last.end = i.end;
    } else {
      out.push({ start: i.start, end: i.end });
    }
  }
  return out;
}

/**
 * The `expected` intervals not covered by `processed` ones with status 'complete' (a processed
 * interval without status counts as complete). A 'partial' processed interval covers nothing:
 * it is processed again. Coverage may come from several processed intervals together.
 */
export function missingIntervals<T extends Interval>(expected: readonly T[], processed: readonly (Interval & { status?: IntervalStatus })[]): T[] {
  const covered = mergeRanges(processed.filter((p) => (p.status ?? 'complete') === 'complete'));
  return expected.filter((e) => {
    const s = e.start.getTime();
    // Last covered range starting at or before s (binary search).
    let lo = 0;
    let hi = covered.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (covered[mid]!.start.getTime() <= s) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found < 0 || covered[found]!.end.getTime() < e.end.getTime();
  });
}

// --- display -------------------------------------------------------------------------------------

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** `YYYY-MM-DD` (local date in `tz` for day grain) or `YYYY-MM-DD HH:00` (UTC, hour grain). */
export function intervalLabel(start: Date, grain: IntervalGrain, tz?: string): string {
  const t = checkDate(start, 'the interval start');
  if (grain === 'day' && tz) {
    const p = localParts(t, tz);
    return `${pad(p.y, 4)}-${pad(p.m)}-${pad(p.d)}`;
  }
  const iso = new Date(t).toISOString();
  return grain === 'hour' ? `${iso.slice(0, 10)} ${iso.slice(11, 13)}:00` : iso.slice(0, 10);
}

/** `A` or `A .. B`: the labels of the first and the last interval of a merged range. */
export function rangeLabel(range: Interval, grain: IntervalGrain, tz?: string): string {
  const first = intervalLabel(range.start, grain, tz);
  const last = intervalLabel(floorToGrain(new Date(range.end.getTime() - 1), grain, tz), grain, tz);
  return first === last ? first : `${first} .. ${last}`;
}

/**
 * One line describing the state of a model's intervals, e.g.
 * `2024-01-01 .. 2024-01-07, missing 2024-01-03, 2024-01-05 .. 2024-01-06, 2024-01-08 partial`.
 * The expected range comes first, then the merged missing ranges among the complete (closed)
 * expected intervals, then the open interval when there is one.
 */
export function describeIntervals(
  expected: readonly StatusInterval[],
  processed: readonly (Interval & { status?: IntervalStatus })[],
  grain: IntervalGrain,
  tz?: string,
): string {
  if (expected.length === 0) return 'no intervals';
  const closed = expected.filter((e) => e.status === 'complete');
  const open = expected.filter((e) => e.status === 'partial');
  const parts: string[] = [];
  if (closed.length > 0) {
    parts.push(rangeLabel({ start: closed[0]!.start, end: closed[closed.length - 1]!.end }, grain, tz));
    const missing = mergeRanges(missingIntervals(closed, processed));
    if (missing.length > 0) parts.push(`missing ${missing.map((r) => rangeLabel(r, grain, tz)).join(', ')}`);
  }
  for (const o of open) parts.push(`${intervalLabel(o.start, grain, tz)} partial`);
  return parts.join(', ');
}
