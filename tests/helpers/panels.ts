/**
 * The pieces of tests/panels-property.test.ts that touch no warehouse: a seeded PRNG, local-day
 * arithmetic (written here from Intl, apart from core's), the random event history of a case, the
 * project files of the panel pipeline, and a model of which raw events each interval-wise model
 * holds after each operation (what the documented interval rules say it must hold).
 */

import { mulberry32 } from '../../bench/generate-project.mjs';

export const BERLIN = 'Europe/Berlin';
const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

// --- PRNG ----------------------------------------------------------------------------------------

export class Rng {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  float(): number {
    return this.next();
  }
  /** Integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)]!;
  }
  weighted<T extends string>(w: Record<T, number>): T {
    const entries = Object.entries(w) as [T, number][];
    let r = this.next() * entries.reduce((a, [, x]) => a + x, 0);
    for (const [k, x] of entries) {
      r -= x;
      if (r < 0) return k;
    }
    return entries[entries.length - 1]![0];
  }
}

// --- local days ----------------------------------------------------------------------------------

const fmts = new Map<string, Intl.DateTimeFormat>();
function fmt(tz: string): Intl.DateTimeFormat {
  let f = fmts.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    fmts.set(tz, f);
  }
  return f;
}

/** `YYYY-MM-DD HH:MM:SS` wall time of instant `t` in `tz` (UTC when undefined). */
export function wallTime(t: number, tz?: string): string {
  if (!tz) return new Date(t).toISOString().slice(0, 19).replace('T', ' ');
  const p: Record<string, string> = {};
  for (const x of fmt(tz).formatToParts(new Date(t))) p[x.type] = x.value;
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`;
}

/** The local date of instant `t` in `tz`. */
export function localDate(t: number, tz?: string): string {
  return wallTime(t, tz).slice(0, 10);
}

/** `date` plus `n` calendar days. */
export function addDays(date: string, n: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + n * DAY).toISOString().slice(0, 10);
}

const midnights = new Map<string, number>();
/** The first instant of local date `date` in `tz`: the smallest UTC offset candidate whose wall time is that date's 00:00:00. */
export function localMidnight(date: string, tz?: string): number {
  const wall = Date.parse(`${date}T00:00:00Z`);
  if (!tz) return wall;
  const key = `${tz}|${date}`;
  const hit = midnights.get(key);
  if (hit !== undefined) return hit;
  let best: number | undefined;
  for (let off = -14 * 60; off <= 14 * 60; off += 15) {
    const t = wall - off * MIN;
    if (wallTime(t, tz) === `${date} 00:00:00` && (best === undefined || t < best)) best = t;
  }
  if (best === undefined) throw new Error(`no local midnight of ${date} in ${tz}`);
  midnights.set(key, best);
  return best;
}

export const iso = (t: number) => new Date(t).toISOString();
/** UTC wall time `YYYY-MM-DD HH:MM:SS` (how the raw table's `timestamp` holds an instant). */
export const utcText = (t: number) => wallTime(t);

// --- the case ------------------------------------------------------------------------------------

export interface RawEvent {
  id: number;
  user: string | null;
  /** Instant (ms). */
  t: number;
  kind: 'session' | 'match' | 'purchase' | 'other';
  revenue: number | null;
  coins: number | null;
}

export interface CaseConfig {
  seed: number;
  /** Time zone of the panels (undefined: UTC). */
  tz?: string;
  /** Time zone of stg_events (may differ from the panels'). */
  stgTz?: string;
  dst: boolean;
  begin: string;
  days: number;
  users: string[];
  stgLookback: number;
  panelLookback: number;
  /** The on-time history: every event arrives at its event_time. */
  events: RawEvent[];
}

function randomEvent(r: Rng, id: number, users: string[], t: number, late = false): RawEvent {
  const kind = late ? r.weighted({ session: 15, match: 10, purchase: 65, other: 10 }) : r.weighted({ session: 35, match: 30, purchase: 20, other: 15 });
  const revenue = kind === 'purchase' ? (r.chance(late ? 0.1 : 0.2) ? null : r.int(1, 5000) / 100) : r.chance(0.15) ? 0 : null;
  return { id, user: r.pick(users), t, kind, revenue, coins: r.chance(0.7) ? r.int(-20, 50) : null };
}

/** A random instant inside [start, end), biased towards the instants where off-by-one-day bugs live. */
export function randomInstant(r: Rng, start: number, end: number, hot: number[]): number {
  const near = hot.filter((h) => h >= start && h < end);
  let t: number;
  const mode = r.float();
  if (mode < 0.05) t = start;
  else if (mode < 0.08) t = end - 1000;
  else if (mode < 0.35 && near.length) t = r.pick(near) + r.int(-90, 90) * MIN + r.int(0, 59) * 1000;
  else t = start + Math.floor(r.float() * ((end - start) / 1000)) * 1000;
  return Math.min(end - 1000, Math.max(start, t));
}

/** Instants near which days of UTC and of `tz` disagree, and the DST switches. */
export function hotInstants(c: Pick<CaseConfig, 'begin' | 'days' | 'tz' | 'stgTz'>): number[] {
  const out: number[] = [];
  for (let k = -1; k <= c.days + 1; k++) {
    const d = addDays(c.begin, k);
    out.push(localMidnight(d));
    for (const tz of [c.tz, c.stgTz]) if (tz) out.push(localMidnight(d, tz));
  }
  // DST switches of 2024 in Berlin (01:00 UTC).
  out.push(Date.parse('2024-03-31T01:00:00Z'), Date.parse('2024-10-27T01:00:00Z'));
  return out;
}

export function makeCase(seed: number): CaseConfig {
  const r = new Rng(seed);
  const dst = r.chance(0.5);
  let tz: string | undefined;
  let stgTz: string | undefined;
  let begin: string;
  const days = r.int(5, 8);
  if (dst) {
    tz = BERLIN;
    const spring = r.chance(0.5);
    // The switch lands on day 1 .. days-3 of the history.
    const sw = spring ? '2024-03-31' : '2024-10-27';
    begin = addDays(sw, -r.int(1, Math.max(1, days - 3)));
    stgTz = r.chance(0.65) ? BERLIN : undefined;
  } else {
    tz = r.chance(0.3) ? BERLIN : undefined;
    begin = addDays('2024-01-08', r.int(0, 50));
    stgTz = tz ? (r.chance(0.65) ? tz : undefined) : r.chance(0.2) ? BERLIN : undefined;
  }
  const users = Array.from({ length: r.int(3, 8) }, (_, i) => `u${i + 1}`);
  const c: CaseConfig = { seed, tz, stgTz, dst, begin, days, users, stgLookback: r.int(0, 2), panelLookback: r.int(0, 2), events: [] };
  const hot = hotInstants(c);
  let id = 1;
  for (let k = 0; k < days; k++) {
    if (r.chance(0.25)) continue; // a day without events
    const start = localMidnight(addDays(begin, k), tz);
    const end = localMidnight(addDays(begin, k + 1), tz);
    const n = r.int(2, 10);
    for (let i = 0; i < n; i++) c.events.push(randomEvent(r, id++, users, randomInstant(r, start, end, hot)));
  }
  c.events.sort((a, b) => a.t - b.t || a.id - b.id);
  return c;
}

/** A late event (often a purchase: first/last revenue move): `id`, inside local day `date` (panel zone), before `now`. */
export function lateEvent(r: Rng, c: CaseConfig, id: number, date: string, now: number): RawEvent {
  const start = localMidnight(date, c.tz);
  const end = Math.min(localMidnight(addDays(date, 1), c.tz), now);
  return randomEvent(r, id, c.users, randomInstant(r, start, end, hotInstants(c)), true);
}

// --- the project ---------------------------------------------------------------------------------

/** SQL of the local date of a UTC `timestamp` column in `tz`, the same text on DuckDB and Postgres. */
export function localDateSql(col: string, tz?: string): string {
  return tz ? `cast((${col} at time zone 'UTC') at time zone '${tz}' as date)` : `cast(${col} as date)`;
}

export type FoldSpec = Record<string, { fn: 'sum' | 'min' | 'max' | 'count' | 'first' | 'last'; of: string }>;

/**
 * The lifetime panels folding daily_user_panel, as their schema YAML gives them: user_panel with
 * every fold function, user_totals without first/last (folded in any order, so its runs take the
 * fold path where user_panel must recompute).
 */
export const LIFETIMES: Record<string, FoldSpec> = {
  user_panel: {
    sessions: { fn: 'sum', of: 'sessions' },
    matches: { fn: 'sum', of: 'matches' },
    revenue: { fn: 'sum', of: 'revenue' },
    coins: { fn: 'sum', of: 'coins' },
    first_active: { fn: 'min', of: 'activity_date' },
    last_active: { fn: 'max', of: 'activity_date' },
    days_active: { fn: 'count', of: 'activity_date' },
    revenue_days: { fn: 'count', of: 'revenue' },
    first_revenue: { fn: 'first', of: 'revenue' },
    last_revenue: { fn: 'last', of: 'revenue' },
    min_coins: { fn: 'min', of: 'coins' },
    max_coins: { fn: 'max', of: 'coins' },
  },
  user_totals: {
    sessions: { fn: 'sum', of: 'sessions' },
    revenue: { fn: 'sum', of: 'revenue' },
    coins: { fn: 'sum', of: 'coins' },
    first_active: { fn: 'min', of: 'activity_date' },
    last_active: { fn: 'max', of: 'activity_date' },
    days_active: { fn: 'count', of: 'activity_date' },
    payer_days: { fn: 'count', of: 'revenue' },
    max_coins: { fn: 'max', of: 'coins' },
  },
};

export const DAILY_COLUMNS = ['user_id', 'activity_date', 'sessions', 'matches', 'revenue', 'coins'] as const;

const q = (s: string) => `'${s}'`;

/** The panel pipeline's files (without profiles.yml): raw.events → brz_events → stg_events → daily_user_panel → the lifetime panels. */
export function projectFiles(c: CaseConfig, name: string): Record<string, string> {
  const tzArg = (tz?: string) => (tz ? `, timezone=${q(tz)}` : '');
  const schemaYml = ['version: 2', 'models:'];
  const files: Record<string, string> = {};
  for (const [model, folds] of Object.entries(LIFETIMES)) {
    files[`models/gold/${model}.sql`] = `{{ config(materialized='panel', panel_of='daily_user_panel') }}\n`;
    schemaYml.push(`  - name: ${model}`, '    config:', '      folds:', ...Object.entries(folds).map(([col, f]) => `        ${col}: ${f.of === col ? f.fn : `{${f.fn}: ${f.of}}`}`));
  }
  return {
    ...files,
    'tform_project.yml': `name: ${name}\nprofile: ${name}\n`,
    'models/sources.yml': ['version: 2', 'sources:', '  - name: raw', '    schema: raw', '    tables:', '      - name: events', ''].join('\n'),
    'models/bronze/brz_events.sql': `{{ config(materialized='view', event_time='event_time') }}\nselect * from {{ source('raw', 'events') }}\n`,
    'models/silver/stg_events.sql': [
      `{{ config(materialized='incremental', incremental_strategy='microbatch', event_time='event_time', batch_size='day', begin=${q(c.begin)}, lookback=${c.stgLookback}${tzArg(c.stgTz)}) }}`,
      `select event_id, user_id, event_time, kind, revenue, coins from {{ ref('brz_events') }}`,
      '',
    ].join('\n'),
    'models/gold/daily_user_panel.sql': [
      `{{ config(materialized='panel', entity='user_id', event_time='activity_date', batch_size='day', begin=${q(c.begin)}, lookback=${c.panelLookback}${tzArg(c.tz)}) }}`,
      `select user_id, ${localDateSql('event_time', c.tz)} as activity_date,`,
      `  count(*) filter (where kind = 'session') as sessions,`,
      `  count(*) filter (where kind = 'match') as matches,`,
      `  sum(revenue) as revenue,`,
      `  sum(coins) as coins`,
      `from {{ ref('stg_events') }}`,
      `group by 1, 2`,
      '',
    ].join('\n'),
    'models/gold/schema.yml': [...schemaYml, ''].join('\n'),
  };
}

// --- the model of what each interval-wise model holds ----------------------------------------------

export interface Interval {
  start: number;
  end: number;
  /** Local date (label). */
  date: string;
}

/** Day intervals of `tz` from `begin`: k-th is local date begin+k. */
export class DayGrid {
  constructor(
    readonly begin: string,
    readonly tz?: string,
  ) {}
  at(k: number): Interval {
    const date = addDays(this.begin, k);
    return { start: localMidnight(date, this.tz), end: localMidnight(addDays(date, 1), this.tz), date };
  }
  indexOf(t: number): number {
    const d = localDate(t, this.tz);
    return Math.round((Date.parse(`${d}T00:00:00Z`) - Date.parse(`${this.begin}T00:00:00Z`)) / DAY);
  }
  /** Intervals from begin through the one holding `now`, each with its status. */
  expected(now: number): (Interval & { k: number; partial: boolean })[] {
    const out: (Interval & { k: number; partial: boolean })[] = [];
    for (let k = 0; ; k++) {
      const i = this.at(k);
      if (i.start > now) break;
      out.push({ ...i, k, partial: now < i.end });
    }
    return out;
  }
}

/**
 * One microbatch model or panel as the documented interval rules say it must be: which intervals
 * the state records (and how), and which raw events its rows were computed from.
 */
export class ModelSim {
  exists = false;
  /** Interval index → recorded status. */
  recorded = new Map<number, 'complete' | 'partial'>();
  /** Event ids its rows come from. */
  content = new Set<number>();
  readonly grid: DayGrid;
  constructor(
    readonly name: string,
    begin: string,
    readonly tz: string | undefined,
    readonly lookback: number,
    /** Time of every event ever written (events never change). */
    private readonly times: ReadonlyMap<number, number>,
  ) {
    this.grid = new DayGrid(begin, tz);
  }

  /** The intervals a run at `now` processes (see plan/batches.ts batchWindow for the rules). */
  window(now: number, backfill?: { start: string; end: string }): { rebuild: boolean; intervals: (Interval & { k: number; partial: boolean })[] } {
    const expected = this.grid.expected(now);
    if (!this.exists) return { rebuild: true, intervals: expected };
    if (backfill) {
      const s = localMidnight(backfill.start, this.tz);
      const e = localMidnight(addDays(backfill.end, 1), this.tz);
      return { rebuild: false, intervals: expected.filter((i) => i.start < e && i.end > s) };
    }
    const missing = new Set(expected.filter((i) => this.recorded.get(i.k) !== 'complete').map((i) => i.k));
    let completeEnd = -Infinity;
    for (const [k, st] of this.recorded) if (st === 'complete') completeEnd = Math.max(completeEnd, this.grid.at(k).end);
    const firstNew = expected.findIndex((i) => i.start >= completeEnd);
    if (firstNew > 0) for (const i of expected.slice(Math.max(0, firstNew - this.lookback), firstNew)) missing.add(i.k);
    return { rebuild: false, intervals: expected.filter((i) => missing.has(i.k)) };
  }

  private time(id: number): number {
    const t = this.times.get(id);
    if (t === undefined) throw new Error(`unknown event ${id}`);
    return t;
  }

  /** Process the window: each interval's rows become the rows of `source` (event ids) inside it. */
  apply(w: ReturnType<ModelSim['window']>, source: Iterable<number>): void {
    const inside = (id: number) => {
      const t = this.time(id);
      return w.intervals.some((r) => t >= r.start && t < r.end);
    };
    if (w.rebuild) {
      this.recorded.clear();
      this.content.clear();
    }
    for (const id of [...this.content]) if (inside(id)) this.content.delete(id);
    for (const id of source) if (inside(id)) this.content.add(id);
    for (const i of w.intervals) this.recorded.set(i.k, i.partial ? 'partial' : 'complete');
    this.exists = true;
  }

  /** Invalidate [start date, end date] (both included, local to the model): rows and records go. */
  invalidate(start: string, end: string): void {
    const s = localMidnight(start, this.tz);
    const e = localMidnight(addDays(end, 1), this.tz);
    for (const id of [...this.content]) {
      const t = this.time(id);
      if (t >= s && t < e) this.content.delete(id);
    }
    for (const k of [...this.recorded.keys()]) {
      const i = this.grid.at(k);
      if (i.start < e && i.end > s) this.recorded.delete(k);
    }
  }
}

export { MIN, HOUR, DAY };
