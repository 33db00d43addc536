import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryLogger, executeBuild, executeInvalidate, executeStatus, isTformError, openProject, type ModelStatus } from '@tform/core';
import { builtinAdapters } from '@tform/adapters';
import { cleanupProjects, writeFiles } from './fixture.js';
import { CLI, cleanEnv, runCli, type CliResult } from './cli.js';

/**
 * Microbatch models, panels and lifetime panels run end to end (seed → bronze table with
 * event_time → microbatch staging → daily panel → lifetime panel), shared by
 * tests/microbatch-duckdb.test.ts and tests/microbatch-postgres.test.ts.
 *
 * Most runs go through core's workflow in-process (executeBuild with the settable clock); the
 * flags, exit codes and printed output of `tform build/run/status/invalidate` go through the CLI.
 */

export type Row = Record<string, unknown>;

/** A project in a warehouse of its own (a DuckDB file, or a Postgres database). */
export interface WarehouseProject {
  dir: string;
  /** Rows of `sql`, run on the project's warehouse (unqualified names are the target schema). */
  query(sql: string): Promise<Row[]>;
}

export interface ProjectOptions {
  threads?: number;
  /** Every run of the project fails before it builds anything: its warehouse may be shared with other such projects. */
  writesNothing?: boolean;
}

export interface Warehouse {
  /**
   * A new project holding `files` plus tform_project.yml (name proj) and profiles.yml, whose
   * target has `threads` (default: 4 on DuckDB, where it is also the connection pool size; 2 on Postgres).
   */
  project(files: Record<string, string>, o?: ProjectOptions): Promise<WarehouseProject>;
  /** Called in afterAll. */
  cleanup(): Promise<void>;
}

// --- events ------------------------------------------------------------------------------------

export interface Event {
  id: number;
  user: string | null;
  /** UTC wall clock `YYYY-MM-DD HH:MM:SS`. */
  time: string;
  kind: string;
  revenue: number;
}

const USERS = ['u1', 'u2', 'u3', 'u4', 'u5'];
/** Times of day of the events of one day: one exactly at midnight, one a second before the next. */
const SLOTS = ['00:00:00', '01:30:00', '09:15:00', '13:45:00', '23:59:59'];

const day = (d: number) => new Date(Date.UTC(2024, 0, 1 + d)).toISOString().slice(0, 10);

/**
 * Events of 2024-01-01 … 2024-01-08: 3 to 5 per day, a session and a purchase of the same user in
 * a row, users shifting from day to day (so most are active on several days). Revenues are
 * multiples of 1/4 (exact in floating point, whatever order they are summed in).
 */
export function generatedEvents(days = 8): Event[] {
  const out: Event[] = [];
  let id = 1;
  for (let d = 0; d < days; d++) {
    const n = 3 + (d % 3);
    for (let i = 0; i < n; i++) {
      const kind = i % 2 === 0 ? 'session' : 'purchase';
      out.push({ id: id++, user: USERS[(d + (i >> 1)) % USERS.length]!, time: `${day(d)} ${SLOTS[i]}`, kind, revenue: kind === 'purchase' ? 0.25 * (d + i + 1) : 0 });
    }
  }
  return out;
}

/** The events that have arrived by `now` (event_time <= now). */
export function arrived(events: readonly Event[], now: string): Event[] {
  const t = new Date(now).getTime();
  return events.filter((e) => new Date(`${e.time.replace(' ', 'T')}Z`).getTime() <= t);
}

export function eventsCsv(events: readonly Event[]): string {
  return ['event_id,user_id,event_time,kind,revenue', ...events.map((e) => `${e.id},${e.user ?? ''},${e.time},${e.kind},${e.revenue}`)].join('\n') + '\n';
}

// --- the project -------------------------------------------------------------------------------

export const BRZ_EVENTS = "{{ config(materialized='table', event_time='event_time') }}\nselect event_id, user_id, cast(event_time as timestamp) as event_time, kind, cast(revenue as float8) as revenue from {{ ref('raw_events') }}\n";
export const STG_EVENTS =
  "{{ config(materialized='incremental', incremental_strategy='microbatch', event_time='event_time', batch_size='day', begin='2024-01-01', lookback=1) }}\nselect * from {{ ref('brz_events') }}\n";
export const DAILY_USER_PANEL =
  "{{ config(materialized='panel', entity='user_id', event_time='activity_date', batch_size='day', begin='2024-01-01') }}\nselect user_id, cast(event_time as date) as activity_date, count(*) filter (where kind = 'session') as sessions, sum(revenue) as revenue\nfrom {{ ref('stg_events') }} e\ngroup by 1, 2\n";
export const USER_PANEL = "{{ config(materialized='panel', panel_of='daily_user_panel') }}\n";
export const SCHEMA_YML = `version: 2
models:
  - name: user_panel
    config:
      folds:
        sessions: sum
        revenue: sum
        first_active: {min: activity_date}
        last_active: {max: activity_date}
        days_active: {count: activity_date}
        last_revenue: {last: revenue}
    columns:
      - name: user_id
        data_tests: [unique, not_null]
  - name: daily_user_panel
    columns:
      - name: user_id
        data_tests: [not_null]
`;

/** The chain raw_events → brz_events → stg_events → daily_user_panel → user_panel with `events`. */
export function chainFiles(events: readonly Event[], extra: Record<string, string> = {}): Record<string, string> {
  return {
    'seeds/raw_events.csv': eventsCsv(events),
    'models/bronze/brz_events.sql': BRZ_EVENTS,
    'models/silver/stg_events.sql': STG_EVENTS,
    'models/gold/daily_user_panel.sql': DAILY_USER_PANEL,
    'models/gold/user_panel.sql': USER_PANEL,
    'models/gold/schema.yml': SCHEMA_YML,
    ...extra,
  };
}

export const CHAIN_TABLES = ['stg_events', 'daily_user_panel', 'user_panel'] as const;

// --- running -----------------------------------------------------------------------------------

/** --start/--end or --days-back, as executeBuild takes them. */
export type BackfillFlags = NonNullable<Parameters<typeof executeBuild>[1]['backfill']>;

export interface RunArgs {
  command?: 'build' | 'run';
  now: string;
  fullRefresh?: boolean;
  backfill?: BackfillFlags;
  select?: string[];
}

export interface RunResult {
  code: number;
  output: string;
}

/**
 * `tform build` (or run) in-process through core's workflow, as the CLI does it: a user error
 * (TformError) is exit code 2 with its message in the output.
 */
export async function tform(dir: string, a: RunArgs): Promise<RunResult> {
  const logger = new MemoryLogger();
  let p: Awaited<ReturnType<typeof openProject>> | undefined;
  try {
    p = await openProject({ projectDir: dir, logger, builtins: builtinAdapters, env: { HOME: dir }, now: a.now });
    const r = await executeBuild(p, { command: a.command ?? 'build', fullRefresh: a.fullRefresh, backfill: a.backfill, select: a.select });
    return { code: r.exitCode, output: logger.text };
  } catch (e) {
    if (isTformError(e)) return { code: 2, output: `${logger.text}\n${e.format()}` };
    throw e;
  } finally {
    await p?.adapter?.close();
  }
}

/** tform() that must succeed. */
export async function ok(dir: string, a: RunArgs): Promise<RunResult> {
  const r = await tform(dir, a);
  expect(r.code, r.output).toBe(0);
  return r;
}

/** The CLI, killed (SIGKILL, exit code -1) when it has not finished after `ms`. */
export function cliWithDeadline(dir: string, args: string[], ms: number): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [CLI, ...args, '--project-dir', dir], { cwd: dir, env: cleanEnv(), timeout: ms, killSignal: 'SIGKILL', maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const e = err as (Error & { code?: number | string }) | null;
      if (e && typeof e.code === 'string') return reject(e);
      resolve({ code: !e ? 0 : typeof e.code === 'number' ? e.code : -1, stdout, stderr, output: stdout + stderr });
    });
  });
}

/** The CLI in the project dir (no TFORM_* from the host). */
export function cli(dir: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return runCli([...args, '--project-dir', dir], { cwd: dir, env, timeoutMs: 60_000 });
}

/** `tform invalidate` in-process; a user error is exit code 2 with its message. */
export async function invalidate(dir: string, now: string, select: string[], range: BackfillFlags): Promise<RunResult> {
  const logger = new MemoryLogger();
  let p: Awaited<ReturnType<typeof openProject>> | undefined;
  try {
    p = await openProject({ projectDir: dir, logger, builtins: builtinAdapters, env: { HOME: dir }, now });
    const out = await executeInvalidate(p, { select, range });
    return { code: 0, output: `${logger.text}\n${JSON.stringify(out)}` };
  } catch (e) {
    if (isTformError(e)) return { code: 2, output: `${logger.text}\n${e.format()}` };
    throw e;
  } finally {
    await p?.adapter?.close();
  }
}

/** `tform status` in-process. */
export async function status(dir: string, now: string): Promise<ModelStatus[]> {
  const p = await openProject({ projectDir: dir, logger: new MemoryLogger(), builtins: builtinAdapters, env: { HOME: dir }, now });
  try {
    return await executeStatus(p, {});
  } finally {
    await p.adapter?.close();
  }
}

// --- comparing ---------------------------------------------------------------------------------

/** A value as comparable JSON: integers/numerics from either warehouse as numbers, dates as ISO text. */
function plain(v: unknown): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v)) return Number(v);
  return v;
}

export function plainRow(r: Row): Row {
  return Object.fromEntries(Object.entries(r).map(([k, v]) => [k.toLowerCase(), plain(v)]));
}

/** Every row of `table`, as sorted JSON lines (an order-independent row set). */
export async function rowSet(p: WarehouseProject, table: string): Promise<string[]> {
  return (await p.query(`select * from ${table}`)).map((r) => JSON.stringify(plainRow(r))).sort();
}

/** Row count and a checksum over all columns of every row, independent of row order. */
export async function tableChecksum(p: WarehouseProject, table: string): Promise<{ rows: number; checksum: string }> {
  const set = await rowSet(p, table);
  return { rows: set.length, checksum: createHash('sha256').update(set.join('\n')).digest('hex') };
}

/**
 * The panels equal a recompute from scratch: daily_user_panel from stg_events, user_panel from
 * daily_user_panel (last_revenue: the revenue of the entity's latest day with one).
 */
export async function expectRecomputed(p: WarehouseProject): Promise<void> {
  const set = async (sql: string) => (await p.query(sql)).map((r) => JSON.stringify(plainRow(r))).sort();
  expect(await rowSet(p, 'daily_user_panel')).toEqual(
    await set("select user_id, cast(event_time as date) as activity_date, count(*) filter (where kind = 'session') as sessions, sum(revenue) as revenue from stg_events group by 1, 2"),
  );
  expect(await rowSet(p, 'user_panel')).toEqual(
    await set(`select d.user_id, sum(d.sessions) as sessions, sum(d.revenue) as revenue, min(d.activity_date) as first_active, max(d.activity_date) as last_active,
  count(d.activity_date) as days_active,
  (select d2.revenue from daily_user_panel d2 where d2.user_id = d.user_id and d2.revenue is not null order by d2.activity_date desc limit 1) as last_revenue
from daily_user_panel d group by d.user_id`),
  );
}

export async function snapshot(p: WarehouseProject, tables: readonly string[] = CHAIN_TABLES): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const t of tables) out[t] = await rowSet(p, t);
  return out;
}

export interface IntervalRecord {
  model: string;
  start: string;
  end: string;
  status: string;
  rows: number | null;
  checksum: string | null;
  run: string;
}

/** tform_state.intervals of `model` (a model name of project proj), by start. */
export async function intervalRecords(p: WarehouseProject, model: string): Promise<IntervalRecord[]> {
  const rows = await p.query(
    `select model_id, cast(interval_start as varchar) as s, cast(interval_end as varchar) as e, status, rows_affected, checksum, run_id
     from tform_state.intervals where model_id = 'model.proj.${model}' order by interval_start`,
  );
  return rows.map((r) => ({
    model: String(r.model_id).replace('model.proj.', ''),
    start: String(r.s).slice(0, 19),
    end: String(r.e).slice(0, 19),
    status: String(r.status),
    rows: r.rows_affected === null || r.rows_affected === undefined ? null : Number(r.rows_affected),
    checksum: (r.checksum as string | null) ?? null,
    run: String(r.run_id),
  }));
}

const iso = (r: IntervalRecord) => r.start.slice(0, 10);

// --- the suite ---------------------------------------------------------------------------------

/** The 7 daily runs of case 1: each at the next midnight plus 5 minutes. */
const NIGHTS = [1, 2, 3, 4, 5, 6, 7].map((d) => `${day(d)}T00:05:00Z`);

export function microbatchSuite(name: string, setup: () => Warehouse) {
  // Every case works in a project (and a database) of its own, so they run concurrently. The
  // longest case makes 8 runs: the timeout leaves room for a busy machine.
  describe.concurrent(`microbatch models and panels on ${name}`, { timeout: 120_000 }, () => {
    let w: Warehouse;
    beforeAll(() => {
      w = setup();
    });
    afterAll(async () => {
      cleanupProjects();
      await w?.cleanup();
    });

    /** A project of the warehouse whose query() gives comparable rows (see plainRow). */
    const project = async (files: Record<string, string>, o?: ProjectOptions): Promise<WarehouseProject> => {
      const p = await w.project(files, o);
      return { dir: p.dir, query: async (sql) => (await p.query(sql)).map(plainRow) };
    };
    /** A chain project whose seed holds the events arrived by `now`. */
    const chain = async (now: string, events = generatedEvents(), extra: Record<string, string> = {}, o?: ProjectOptions) => project(chainFiles(arrived(events, now), extra), o);
    /** Rewrite the seed with the events arrived by `now`, then build. */
    const tick = async (p: WarehouseProject, now: string, events: readonly Event[], a: Partial<RunArgs> = {}) => {
      writeFiles(p.dir, { 'seeds/raw_events.csv': eventsCsv(arrived(events, now)) });
      return tform(p.dir, { now, ...a });
    };
    const dayRows = async (p: WarehouseProject, table: string, col: string, d: string) =>
      (await p.query(`select * from ${table} where ${col} >= cast('${d}' as timestamp) and ${col} < cast('${d}' as timestamp) + interval '1 day'`)).map((r) => JSON.stringify(plainRow(r))).sort();

    it('1. day-by-day runs over 7 days give the same rows as one --full-refresh run', async () => {
      const events = generatedEvents();
      const p = await chain(NIGHTS[0]!, events);
      for (const now of NIGHTS) {
        const r = await tick(p, now, events);
        expect(r.code, `${now}\n${r.output}`).toBe(0);
      }
      // Every day has events, some users on several days.
      const perDay = await p.query('select cast(cast(event_time as date) as varchar) as d, count(*) as n from stg_events group by 1 order by 1');
      expect(perDay.map((r) => String(r.d))).toEqual(['2024-01-01', '2024-01-02', '2024-01-03', '2024-01-04', '2024-01-05', '2024-01-06', '2024-01-07', '2024-01-08']);
      const multi = await p.query('select user_id from user_panel where days_active > 1');
      expect(multi.length).toBeGreaterThan(2);
      // All arrived events are there (the last night saw the 2024-01-08 midnight event), once.
      expect((await rowSet(p, 'stg_events')).length).toBe(arrived(events, NIGHTS[6]!).length);
      const incremental = await snapshot(p);
      const state = {
        stg: (await intervalRecords(p, 'stg_events')).map((r) => [r.start, r.status, r.rows, r.checksum]),
        panel: (await intervalRecords(p, 'daily_user_panel')).map((r) => [r.start, r.status, r.rows, r.checksum]),
      };
      expect(state.stg.at(-1)).toEqual(['2024-01-08 00:00:00', 'partial', 1, expect.any(String)]);
      expect(state.stg.slice(0, -1).every((r) => r[1] === 'complete')).toBe(true);
      expect(state.stg.length).toBe(8);

      await ok(p.dir, { now: NIGHTS[6]!, fullRefresh: true });
      expect(await snapshot(p)).toEqual(incremental);
      // The rebuild records the same intervals with the same row counts and checksums.
      expect((await intervalRecords(p, 'stg_events')).map((r) => [r.start, r.status, r.rows, r.checksum])).toEqual(state.stg);
      expect((await intervalRecords(p, 'daily_user_panel')).map((r) => [r.start, r.status, r.rows, r.checksum])).toEqual(state.panel);
    });

    it('2. re-running day 3 (--start/--end, bare end date inclusive) changes nothing and duplicates nothing', async () => {
      const events = generatedEvents();
      const p = await chain(NIGHTS[1]!, events);
      // A first run (rebuild), then two daily runs: day 3 was processed by an incremental batch.
      for (const now of NIGHTS.slice(1, 4)) expect((await tick(p, now, events)).code).toBe(0);
      const sums = async () => Object.fromEntries(await Promise.all(CHAIN_TABLES.map(async (t) => [t, await tableChecksum(p, t)] as const)));
      const before = { sums: await sums(), state: await intervalRecords(p, 'stg_events'), panel: await intervalRecords(p, 'daily_user_panel') };
      const r = await cli(p.dir, ['run', '--start', '2024-01-03', '--end', '2024-01-03', '--now', NIGHTS[3]!]);
      expect(r.code, r.output).toBe(0);
      // Exactly day 3 was processed: one batch per interval-wise model.
      expect(r.output).toMatch(/batch 1 of 1 OK 2024-01-03 of stg_events/);
      expect(r.output).toMatch(/batch 1 of 1 OK 2024-01-03 of daily_user_panel/);
      expect(r.output).not.toMatch(/2024-01-0[1245] of stg_events/);
      expect(await sums()).toEqual(before.sums);
      // No duplicates.
      const dup = async (sql: string) => (await p.query(sql)).length;
      expect(await dup('select event_id from stg_events group by event_id having count(*) > 1')).toBe(0);
      expect(await dup('select user_id, activity_date from daily_user_panel group by user_id, activity_date having count(*) > 1')).toBe(0);
      expect(await dup('select user_id from user_panel group by user_id having count(*) > 1')).toBe(0);
      // The day-3 record was rewritten by the backfill with the same rows and checksum; the others untouched.
      const after = await intervalRecords(p, 'stg_events');
      const d3b = before.state.find((x) => iso(x) === '2024-01-03')!;
      const d3a = after.find((x) => iso(x) === '2024-01-03')!;
      expect(d3a.run).not.toBe(d3b.run);
      expect([d3a.rows, d3a.checksum, d3a.status]).toEqual([d3b.rows, d3b.checksum, 'complete']);
      expect(after.filter((x) => iso(x) !== '2024-01-03')).toEqual(before.state.filter((x) => iso(x) !== '2024-01-03'));
      expect(await intervalRecords(p, 'daily_user_panel')).toHaveLength(before.panel.length);

      // --start without --end: up to now.
      const from = await tform(p.dir, { command: 'run', now: NIGHTS[3]!, backfill: { start: '2024-01-04' } });
      expect(from.code, from.output).toBe(0);
      expect(from.output).toMatch(/batch 1 of 2 OK 2024-01-04 of daily_user_panel/);
      expect(from.output).toMatch(/batch 2 of 2 OK 2024-01-05 \(open\) of daily_user_panel/);
      // --days-back 1 at 2024-01-05 00:05: yesterday and today so far.
      const back = await tform(p.dir, { command: 'run', now: NIGHTS[3]!, backfill: { daysBack: 1 } });
      expect(back.code, back.output).toBe(0);
      expect(back.output).toMatch(/batch 1 of 2 OK 2024-01-04 of stg_events/);
      expect(back.output).toMatch(/batch 2 of 2 OK 2024-01-05 \(open\) of stg_events/);
      expect(await sums()).toEqual(before.sums);
    });

    it('3. a late event inside lookback is picked up by a plain run; one outside lookback only by a backfill of its day', async () => {
      const events = generatedEvents();
      const p = await chain(NIGHTS[2]!, events);
      for (const now of NIGHTS.slice(2, 4)) expect((await tick(p, now, events)).code).toBe(0);
      // now = 2024-01-05 00:05: day 4 was processed as complete. Late events for day 4 arrive: a new user, and a known one.
      const now = NIGHTS[3]!;
      const inside: Event = { id: 901, user: 'late1', time: '2024-01-04 18:00:00', kind: 'purchase', revenue: 3.5 };
      const known: Event = { id: 902, user: 'u1', time: '2024-01-04 19:00:00', kind: 'purchase', revenue: 10 };
      let all = [...events, inside, known];
      const r1 = await tick(p, now, all);
      expect(r1.code, r1.output).toBe(0);
      expect(r1.output).toMatch(/recompute entities\) of user_panel/);
      expect((await p.query('select event_id from stg_events where event_id in (901, 902) order by 1')).map((r) => Number(r.event_id))).toEqual([901, 902]);
      expect(await p.query("select cast(activity_date as varchar) as d, revenue from daily_user_panel where user_id = 'late1'")).toEqual([{ d: '2024-01-04', revenue: 3.5 }]);
      // The panels equal a full recompute (the lifetime panel's u1 has the late revenue as its last one).
      await expectRecomputed(p);
      expect(await p.query("select last_revenue from user_panel where user_id = 'u1'")).toEqual([{ last_revenue: 10 + (events.filter((e) => e.user === 'u1' && e.time.startsWith('2024-01-04')).reduce((a, e) => a + e.revenue, 0)) }]);

      // Outside lookback: an event for day 2 (now is on day 5, lookback 1).
      const outside: Event = { id: 903, user: 'late2', time: '2024-01-02 12:00:00', kind: 'purchase', revenue: 1.25 };
      all = [...all, outside];
      expect((await tick(p, now, all)).code).toBe(0);
      expect(await p.query('select event_id from stg_events where event_id = 903')).toEqual([]);
      expect(await p.query("select user_id from user_panel where user_id = 'late2'")).toEqual([]);
      const r = await tick(p, now, all, { backfill: { start: '2024-01-02', end: '2024-01-02' } });
      expect(r.code, r.output).toBe(0);
      expect(await p.query('select event_id from stg_events where event_id = 903')).toHaveLength(1);
      expect(await p.query("select sessions, revenue, cast(first_active as varchar) as f, days_active from user_panel where user_id = 'late2'")).toEqual([
        { sessions: 0, revenue: 1.25, f: '2024-01-02', days_active: 1 },
      ]);
      await expectRecomputed(p);

      // A correction inside lookback removes the only event of late1 (and u1's late purchase):
      // the panel loses those rows and the lifetime panel follows.
      all = all.filter((e) => e.id !== 901 && e.id !== 902);
      const fix = await tick(p, now, all);
      expect(fix.code, fix.output).toBe(0);
      expect(await p.query("select user_id from daily_user_panel where user_id = 'late1'")).toEqual([]);
      expect(await p.query("select user_id from user_panel where user_id = 'late1'")).toEqual([]);
      await expectRecomputed(p);
    });

    it('4. a failing error-severity test during build rolls back the interval; after the fix the next run processes it', async () => {
      const events = generatedEvents();
      const yml = SCHEMA_YML + "  - name: stg_events\n    columns:\n      - name: kind\n        data_tests:\n          - accepted_values: {values: [session, purchase]}\n";
      // The last good run was late on day 3: day 4 has not started.
      const good = '2024-01-03T23:30:00Z';
      const p = await project(chainFiles(arrived(events, good), { 'models/gold/schema.yml': yml }));
      expect((await tick(p, good, events)).code).toBe(0);
      // On day 4 a 'refund' arrives at 10:00; the next run is at 2024-01-05 00:05.
      const bad: Event = { id: 950, user: 'u2', time: '2024-01-04 10:00:00', kind: 'refund', revenue: 0 };
      const panelBefore = await rowSet(p, 'daily_user_panel');
      const r = await tick(p, NIGHTS[3]!, [...events, bad]);
      expect(r.code, r.output).toBe(1);
      expect(r.output).toMatch(/accepted_values_stg_events_kind/);
      expect(r.output).toMatch(/batch 2024-01-04 failed \(2 earlier batches committed\); 1 later batch not run/);
      // Days 2 (lookback) and 3 (open at the last run) before it committed. The table keeps no row
      // of day 4, the state no record of it.
      expect(await dayRows(p, 'stg_events', 'event_time', '2024-01-04')).toEqual([]);
      const state = await intervalRecords(p, 'stg_events');
      expect(state.map((x) => `${iso(x)} ${x.status}`)).toEqual(['2024-01-01 complete', '2024-01-02 complete', '2024-01-03 complete']);
      expect(await dayRows(p, 'stg_events', 'event_time', '2024-01-03')).toHaveLength(events.filter((e) => e.time.startsWith('2024-01-03')).length);
      // The panel was skipped.
      expect(await rowSet(p, 'daily_user_panel')).toEqual(panelBefore);

      // Fixed: the refund becomes a purchase; the next run processes day 4.
      const fixed = [...events, { ...bad, kind: 'purchase', revenue: 2 }];
      const again = await tick(p, NIGHTS[3]!, fixed);
      expect(again.code, again.output).toBe(0);
      expect(again.output).toMatch(/OK 2024-01-04 of stg_events/);
      expect(await p.query('select kind from stg_events where event_id = 950')).toEqual([{ kind: 'purchase' }]);
      expect(await dayRows(p, 'stg_events', 'event_time', '2024-01-04')).toHaveLength(events.filter((e) => e.time.startsWith('2024-01-04')).length + 1);
      expect((await intervalRecords(p, 'stg_events')).find((x) => iso(x) === '2024-01-04')).toMatchObject({ status: 'complete', rows: events.filter((e) => e.time.startsWith('2024-01-04')).length + 1 });
      await expectRecomputed(p);
    });

    it('5. a panel rejects rows with a NULL entity, and duplicate (entity, day) rows, writing nothing of the batch', async () => {
      const events = generatedEvents();
      const dupPanel =
        "{{ config(materialized='panel', entity='user_id', event_time='activity_date', batch_size='day', begin='2024-01-01') }}\nselect user_id, cast(event_time as date) as activity_date, kind\nfrom {{ ref('stg_events') }}\nwhere kind = 'session'\n";
      const p = await chain(NIGHTS[1]!, events, { 'models/gold/session_panel.sql': dupPanel });
      expect((await tick(p, NIGHTS[1]!, events)).code).toBe(0);
      // now 2024-01-03 00:05. A NULL-user event on day 3 (after the midnight event the last run saw).
      const nullUser: Event = { id: 960, user: null, time: '2024-01-03 12:00:00', kind: 'purchase', revenue: 1 };
      const panelBefore = await rowSet(p, 'daily_user_panel');
      const stateBefore = await intervalRecords(p, 'daily_user_panel');
      const r = await tick(p, NIGHTS[2]!, [...events, nullUser], { select: ['+user_panel'] });
      expect(r.code, r.output).toBe(1);
      expect(r.output).toMatch(/panel daily_user_panel: new rows have a NULL entity/);
      expect(r.output).toContain('NULL entity');
      expect(await rowSet(p, 'daily_user_panel')).toEqual(panelBefore);
      const state = await intervalRecords(p, 'daily_user_panel');
      expect(state.filter((x) => x.status === 'complete').map(iso)).not.toContain('2024-01-03');
      expect(state.find((x) => iso(x) === '2024-01-03')).toEqual(stateBefore.find((x) => iso(x) === '2024-01-03'));

      // Duplicate (entity, day): two sessions of one user on one day, in a panel that does not group.
      const second: Event = { id: 961, user: 'u3', time: '2024-01-03 15:00:00', kind: 'session', revenue: 0 };
      const third: Event = { id: 962, user: 'u3', time: '2024-01-03 16:00:00', kind: 'session', revenue: 0 };
      const sessBefore = await rowSet(p, 'session_panel');
      const d = await tick(p, NIGHTS[2]!, [...events, second, third], { select: ['+session_panel'] });
      expect(d.code, d.output).toBe(1);
      expect(d.output).toMatch(/panel session_panel: new rows repeat an entity within one day/);
      expect(await rowSet(p, 'session_panel')).toEqual(sessBefore);
      expect((await intervalRecords(p, 'session_panel')).filter((x) => x.status === 'complete').map(iso)).not.toContain('2024-01-03');
      // A first run (rebuild) with a NULL entity creates nothing.
      // (Without the panel's not_null test, which would refuse the rebuilt rows first.)
      const fresh = await project(chainFiles(arrived([...events, nullUser], NIGHTS[2]!), { 'models/gold/schema.yml': SCHEMA_YML.split('  - name: daily_user_panel')[0]! }));
      const f = await tform(fresh.dir, { now: NIGHTS[2]!, select: ['+daily_user_panel'] });
      expect(f.code).toBe(1);
      expect(f.output).toMatch(/panel daily_user_panel: new rows have a NULL entity/);
      await expect(fresh.query('select * from daily_user_panel')).rejects.toThrow();
      expect(await intervalRecords(fresh, 'daily_user_panel')).toEqual([]);
    });

    it("6. a microbatch model whose rows fall outside its batch fails with 'outside the batch', writing nothing", async () => {
      const events = generatedEvents();
      const files = {
        // No event_time: refs to it are not filtered to the batch.
        'models/raw_copy.sql': "{{ config(materialized='table') }}\nselect event_id, cast(event_time as timestamp) as event_time from {{ ref('raw_events') }}\n",
        'models/unfiltered.sql': "{{ config(materialized='incremental', incremental_strategy='microbatch', event_time='event_time', batch_size='day', begin='2024-01-01') }}\nselect event_id, event_time from {{ ref('raw_copy') }}\n",
        // A ref to a model with event_time that opts out of the batch filter.
        'models/opted_out.sql': "{{ config(materialized='incremental', incremental_strategy='microbatch', event_time='event_time', batch_size='day', begin='2024-01-01') }}\nselect event_id, event_time from {{ ref('timed_copy').render() }}\n",
        'models/timed_copy.sql': "{{ config(materialized='table', event_time='event_time') }}\nselect event_id, cast(event_time as timestamp) as event_time from {{ ref('raw_events') }}\n",
        // The same as unfiltered, filtered with model.batch: fine.
        'models/filtered.sql':
          "{{ config(materialized='incremental', incremental_strategy='microbatch', event_time='event_time', batch_size='day', begin='2024-01-01') }}\nselect event_id, event_time from {{ ref('raw_copy') }}\n{% if model.batch %}where event_time >= cast('{{ model.batch.event_time_start }}' as timestamp) and event_time < cast('{{ model.batch.event_time_end }}' as timestamp){% endif %}\n",
      };
      const p = await project({ 'seeds/raw_events.csv': eventsCsv(arrived(events, NIGHTS[1]!)), ...files });
      // The first run rebuilds over all intervals: every row is inside.
      await ok(p.dir, { now: NIGHTS[1]! });
      const before = { rows: await rowSet(p, 'unfiltered'), state: await intervalRecords(p, 'unfiltered'), optedOut: await rowSet(p, 'opted_out') };
      expect(before.rows).toHaveLength(arrived(events, NIGHTS[1]!).length);
      writeFiles(p.dir, { 'seeds/raw_events.csv': eventsCsv(arrived(events, NIGHTS[2]!)) });
      const r = await tform(p.dir, { now: NIGHTS[2]! });
      expect(r.code, r.output).toBe(1);
      expect(r.output).toMatch(/unfiltered: new rows have event_time outside the batch \[2024-01-0\d 00:00:00, 2024-01-0\d 00:00:00\)/);
      expect(r.output).toMatch(/opted_out: new rows have event_time outside the batch/);
      expect(await rowSet(p, 'opted_out')).toEqual(before.optedOut);
      expect(await rowSet(p, 'unfiltered')).toEqual(before.rows);
      expect(await intervalRecords(p, 'unfiltered')).toEqual(before.state);
      // The filtered one processed its batches.
      expect((await rowSet(p, 'filtered')).length).toBe(arrived(events, NIGHTS[2]!).length);
      expect((await intervalRecords(p, 'filtered')).map((x) => `${iso(x)} ${x.status}`)).toEqual(['2024-01-01 complete', '2024-01-02 complete', '2024-01-03 complete', '2024-01-04 partial']);
    });

    it('7. tform status shows processed, missing and partial intervals; tform invalidate deletes exactly the range and the next run restores it', async () => {
      const events = generatedEvents();
      const p = await chain(NIGHTS[2]!, events);
      const now = '2024-01-05T12:00:00Z';
      for (const t of [NIGHTS[2]!, now]) expect((await tick(p, t, events)).code).toBe(0);
      const before = await snapshot(p);
      const stgDay2 = await dayRows(p, 'stg_events', 'event_time', '2024-01-02');
      const line = (out: string, model: string) => out.split('\n').find((l) => l.startsWith(`| ${model} `)) ?? `(no line for ${model} in)\n${out}`;

      const s1 = Object.fromEntries((await status(p.dir, now)).map((x) => [x.name, x]));
      for (const m of CHAIN_TABLES) expect(s1[m]).toMatchObject({ intervals: '2024-01-01 .. 2024-01-04, 2024-01-05 partial', missing: [], lastSuccess: '2024-01-05T12:00:00.000Z' });
      expect(s1.stg_events!.kind).toBe('microbatch');
      expect(s1.daily_user_panel!.kind).toBe('panel');
      expect(s1.user_panel!.kind).toBe('lifetime');
      expect(s1.brz_events).toMatchObject({ kind: 'table', missing: [], lastSuccess: '2024-01-05T12:00:00.000Z' });
      expect(s1.brz_events!.intervals).toBeUndefined();

      // Invalidate day 2 of the staging model and the panel.
      const inv = await cli(p.dir, ['invalidate', '--select', 'stg_events', 'daily_user_panel', '--start', '2024-01-02', '--end', '2024-01-02', '--now', now]);
      expect(inv.code, inv.output).toBe(0);
      const day2Events = events.filter((e) => e.time.startsWith('2024-01-02'));
      const day2Users = new Set(day2Events.map((e) => e.user)).size;
      expect(inv.output).toContain(`Invalidated 2024-01-02 of stg_events: ${day2Events.length} rows deleted, 1 interval to process again`);
      expect(inv.output).toContain(`Invalidated 2024-01-02 of daily_user_panel: ${day2Users} rows deleted, 1 interval to process again; user_panel will rebuild from it`);
      // Exactly the rows of the range are gone.
      expect(stgDay2).toHaveLength(day2Events.length);
      expect(await rowSet(p, 'stg_events')).toEqual(before.stg_events!.filter((r) => !stgDay2.includes(r)));
      const panelAfter = await rowSet(p, 'daily_user_panel');
      expect(panelAfter.every((r) => before.daily_user_panel!.includes(r))).toBe(true);
      expect(before.daily_user_panel!.length - panelAfter.length).toBe(day2Users);
      expect(await p.query("select user_id from daily_user_panel where activity_date = cast('2024-01-02' as date)")).toEqual([]);
      expect((await intervalRecords(p, 'stg_events')).map(iso)).toEqual(['2024-01-01', '2024-01-03', '2024-01-04', '2024-01-05']);
      expect((await intervalRecords(p, 'daily_user_panel')).map(iso)).toEqual(['2024-01-01', '2024-01-03', '2024-01-04', '2024-01-05']);
      expect(await intervalRecords(p, 'user_panel')).toEqual([]);
      expect(await rowSet(p, 'user_panel')).toEqual(before.user_panel);

      const s2 = await cli(p.dir, ['status'], { TFORM_NOW: now });
      expect(s2.code, s2.output).toBe(0);
      expect(line(s2.output, 'stg_events')).toMatch(/^\| stg_events +\| microbatch +\| .* +\| 2024-01-05 12:00:00Z \|$/);
      expect(line(s2.output, 'brz_events')).toMatch(/^\| brz_events +\| table +\| +\| 2024-01-05 12:00:00Z \|$/);
      expect(line(s2.output, 'stg_events')).toMatch(/\| 2024-01-01 \.\. 2024-01-04, missing 2024-01-02, 2024-01-05 partial +\|/);
      expect(line(s2.output, 'daily_user_panel')).toMatch(/\| 2024-01-01 \.\. 2024-01-04, missing 2024-01-02, 2024-01-05 partial +\|/);
      expect(line(s2.output, 'user_panel')).toMatch(/\| nothing processed yet +\|/);

      // The next plain run processes day 2 again: everything as before.
      const r = await tform(p.dir, { now });
      expect(r.code, r.output).toBe(0);
      expect(r.output).toMatch(/OK 2024-01-02 of stg_events/);
      expect(r.output).toMatch(/OK 2024-01-02 of daily_user_panel/);
      expect(r.output).toMatch(/\(rebuild\) of user_panel/);
      expect(await snapshot(p)).toEqual(before);
      const s3 = Object.fromEntries((await status(p.dir, now)).map((x) => [x.name, x]));
      for (const m of CHAIN_TABLES) {
        expect(s3[m]!.intervals).toBe('2024-01-01 .. 2024-01-04, 2024-01-05 partial');
        expect(s3[m]!.missing).toEqual([]);
      }
    });

    it('8. backfill flag errors exit 2 with a clear message', async () => {
      const events = generatedEvents();
      const p = await chain(NIGHTS[0]!, events, {}, { writesNothing: true });
      const now = ['--now', NIGHTS[0]!];
      const expectUsage = (r: { code: number; output: string }, re: RegExp) => {
        expect(r.code, r.output).toBe(2);
        expect(r.output).toMatch(re);
        expect(r.output).not.toMatch(/Internal error/);
      };
      const [noStart, zero] = await Promise.all([cli(p.dir, ['run', '--end', '2024-01-03', ...now]), cli(p.dir, ['build', '--days-back', '0', ...now])]);
      expectUsage(noStart, /--end needs --start/);
      expectUsage(zero, /--days-back 0 must be a whole number of days \(1 or more\)/);
      // The others through core's workflow (the CLI passes the flags on as they are).
      const run = (backfill: BackfillFlags, fullRefresh?: boolean) => tform(p.dir, { now: NIGHTS[0]!, backfill, fullRefresh });
      expectUsage(await run({ start: '2024-01-01' }, true), /--full-refresh rebuilds everything; it cannot be combined with --start\/--end\/--days-back/);
      expectUsage(await run({ start: '2024-13-45' }), /--start '2024-13-45' is not a date or timestamp/);
      expectUsage(await run({ start: '2024-01-03', end: 'yesterday' }), /--end 'yesterday' is not a date or timestamp/);
      expectUsage(await run({ start: '2024-01-03', daysBack: 2 }), /--days-back cannot be combined with --start\/--end/);
      expectUsage(await run({ start: '2024-01-03', end: '2024-01-02' }), /--end 2024-01-02 is not after --start 2024-01-03/);
      expectUsage(await run({ daysBack: 1.5 }), /--days-back 1.5 must be a whole number of days/);
      expectUsage(await invalidate(p.dir, NIGHTS[0]!, ['stg_events'], {}), /tform invalidate needs the range to invalidate/);
      expectUsage(await invalidate(p.dir, NIGHTS[0]!, ['stg_events'], { end: '2024-01-01' }), /tform invalidate needs the range to invalidate/);
      expectUsage(await invalidate(p.dir, NIGHTS[0]!, ['brz_events'], { start: '2024-01-01' }), /the selection has no microbatch model or panel to invalidate/);
      // Nothing was built.
      await expect(p.query('select * from stg_events')).rejects.toThrow();
    });

    const mb = (cfg: string) => `{{ config(materialized='incremental', incremental_strategy='microbatch'${cfg}) }}\nselect * from {{ ref('brz_events') }}\n`;
    const configErrors: { what: string; files: Record<string, string>; file: string; re: RegExp; viaCli?: boolean }[] = [
      { what: 'microbatch without event_time', files: { 'models/silver/stg_events.sql': mb(", batch_size='day', begin='2024-01-01'") }, file: 'models/silver/stg_events.sql', re: /stg_events: a microbatch model needs 'event_time'/ },
      { what: 'microbatch without begin', files: { 'models/silver/stg_events.sql': mb(", event_time='event_time', batch_size='day'") }, file: 'models/silver/stg_events.sql', re: /stg_events: a microbatch model needs 'begin'/ },
      { what: 'microbatch without batch_size', files: { 'models/silver/stg_events.sql': mb(", event_time='event_time', begin='2024-01-01'") }, file: 'models/silver/stg_events.sql', re: /stg_events: a microbatch model needs 'batch_size': hour or day/ },
      {
        what: 'panel without entity',
        files: { 'models/gold/daily_user_panel.sql': DAILY_USER_PANEL.replace("entity='user_id', ", '') },
        file: 'models/gold/daily_user_panel.sql',
        re: /daily_user_panel: a panel needs 'entity'/,
      },
      {
        what: 'lifetime panel with SQL in its body',
        files: { 'models/gold/user_panel.sql': `${USER_PANEL}select user_id from {{ ref('daily_user_panel') }}\n` },
        file: 'models/gold/user_panel.sql',
        re: /lifetime panel user_panel has SQL of its own/,
        viaCli: true,
      },
      {
        what: 'panel_of naming a non-panel model',
        files: { 'models/gold/user_panel.sql': "{{ config(materialized='panel', panel_of='stg_events') }}\n" },
        file: 'models/gold/user_panel.sql',
        re: /user_panel: panel_of 'stg_events' is not a panel/,
      },
    ];
    it.each(configErrors)('9. config error exits 2 naming the file: $what', async (c) => {
      const p = await project(chainFiles(arrived(generatedEvents(), NIGHTS[0]!), c.files), { writesNothing: true });
      const r = c.viaCli ? await cli(p.dir, ['build', '--now', NIGHTS[0]!]) : await tform(p.dir, { now: NIGHTS[0]! });
      expect(r.code, r.output).toBe(2);
      expect(r.output).toMatch(c.re);
      expect(r.output).not.toMatch(/Internal error/);
      // The error is located in the model's file (where its config is), e.g. "models/x.sql:1  x: …".
      expect(r.output).toMatch(new RegExp(`\\s${c.file.replace(/[./]/g, (m) => `\\${m}`)}(:\\d+)?\\s`));
      expect(r.output).not.toContain('tform_project.yml');
      await expect(p.query('select * from stg_events')).rejects.toThrow();
    });

    it('10. DST: day intervals in Europe/Berlin are local days (23 hours on 2024-03-31); day by day equals a full refresh', async () => {
      // UTC instants; Berlin is UTC+1 until 2024-03-31 01:00 UTC, then UTC+2.
      const times = [
        '2024-03-29 08:00:00',
        '2024-03-29 22:59:59', // 2024-03-29 23:59:59 local
        '2024-03-29 23:00:00', // 2024-03-30 00:00 local
        '2024-03-30 12:00:00',
        '2024-03-30 22:59:59', // 2024-03-30 23:59:59 local
        '2024-03-30 23:00:00', // 2024-03-31 00:00 local
        '2024-03-31 00:30:00', // 01:30 local (CET)
        '2024-03-31 01:30:00', // 03:30 local (CEST)
        '2024-03-31 21:59:59', // 2024-03-31 23:59:59 local
        '2024-03-31 22:00:00', // 2024-04-01 00:00 local
        '2024-04-01 10:00:00',
        '2024-04-01 21:59:59',
        '2024-04-01 22:00:00', // 2024-04-02 00:00 local
      ];
      const evs: Event[] = times.map((t, k) => ({ id: k + 1, user: USERS[k % 3]!, time: t, kind: 'session', revenue: 0 }));
      const model =
        "{{ config(materialized='incremental', incremental_strategy='microbatch', event_time='event_time', batch_size='day', begin='2024-03-29', timezone='Europe/Berlin', lookback=1) }}\nselect event_id, user_id, event_time from {{ ref('brz_events') }}\n";
      // Local midnight plus 5 minutes, in UTC.
      const nights = ['2024-03-29T23:05:00Z', '2024-03-30T23:05:00Z', '2024-03-31T22:05:00Z', '2024-04-01T22:05:00Z'];
      const p = await project({ 'seeds/raw_events.csv': eventsCsv(arrived(evs, nights[0]!)), 'models/brz_events.sql': BRZ_EVENTS, 'models/stg_berlin.sql': model });
      for (const now of nights) expect((await tick(p, now, evs)).code).toBe(0);
      const records = await intervalRecords(p, 'stg_berlin');
      expect(records.map((r) => [r.start, r.end, r.status, r.rows])).toEqual([
        ['2024-03-28 23:00:00', '2024-03-29 23:00:00', 'complete', 2],
        ['2024-03-29 23:00:00', '2024-03-30 23:00:00', 'complete', 3],
        ['2024-03-30 23:00:00', '2024-03-31 22:00:00', 'complete', 4],
        ['2024-03-31 22:00:00', '2024-04-01 22:00:00', 'complete', 3],
        ['2024-04-01 22:00:00', '2024-04-02 22:00:00', 'partial', 1],
      ]);
      const incremental = await snapshot(p, ['stg_berlin']);
      expect(incremental.stg_berlin).toHaveLength(evs.length);
      await ok(p.dir, { now: nights[3]!, fullRefresh: true });
      expect(await snapshot(p, ['stg_berlin'])).toEqual(incremental);
      expect((await intervalRecords(p, 'stg_berlin')).map((r) => [r.start, r.end, r.status, r.rows])).toEqual(records.map((r) => [r.start, r.end, r.status, r.rows]));
      // A backfill of the local day 2024-03-31 covers exactly its 23 hours.
      const r = await tform(p.dir, { now: nights[3]!, backfill: { start: '2024-03-31', end: '2024-03-31' } });
      expect(r.code, r.output).toBe(0);
      expect(r.output).toMatch(/batch 1 of 1 OK 2024-03-31 of stg_berlin/);
      expect(await snapshot(p, ['stg_berlin'])).toEqual(incremental);
    });

    it('10b. a daily panel in a time zone west of UTC whose grain column is the local date', async () => {
      // America/New_York is UTC-5 in January: local day 2024-01-01 is [01-01 05:00Z, 01-02 05:00Z).
      const times = ['2024-01-01 15:00:00', '2024-01-02 03:00:00', '2024-01-02 15:00:00', '2024-01-03 04:59:59'];
      const evs: Event[] = times.map((t, k) => ({ id: k + 1, user: 'u1', time: t, kind: 'session', revenue: 0 }));
      const panel =
        "{{ config(materialized='panel', entity='user_id', event_time='local_date', batch_size='day', begin='2024-01-01', timezone='America/New_York') }}\nselect user_id, cast(event_time - interval '5 hours' as date) as local_date, count(*) as events\nfrom {{ ref('brz_events') }}\ngroup by 1, 2\n";
      const now = '2024-01-03T05:05:00Z'; // 2024-01-03 00:05 local
      const p = await project({ 'seeds/raw_events.csv': eventsCsv(arrived(evs, now)), 'models/brz_events.sql': BRZ_EVENTS, 'models/ny_panel.sql': panel });
      const r = await tform(p.dir, { now });
      expect(r.code, r.output).toBe(0);
      expect(await p.query('select cast(local_date as varchar) as d, events from ny_panel order by 1')).toEqual([
        { d: '2024-01-01', events: 2 },
        { d: '2024-01-02', events: 2 },
      ]);
      const next = await tform(p.dir, { now: '2024-01-04T05:05:00Z' });
      expect(next.code, next.output).toBe(0);
      expect(await p.query('select cast(local_date as varchar) as d, events from ny_panel order by 1')).toEqual([
        { d: '2024-01-01', events: 2 },
        { d: '2024-01-02', events: 2 },
      ]);
    });

    it("11. hour batches: the open hour is 'partial' and becomes 'complete' once it has closed", async () => {
      const evs: Event[] = ['2024-01-01 03:10:00', '2024-01-01 04:20:00', '2024-01-01 05:05:00', '2024-01-01 05:40:00', '2024-01-01 06:15:00'].map((t, k) => ({ id: k + 1, user: 'u1', time: t, kind: 'session', revenue: 0 }));
      const model =
        "{{ config(materialized='incremental', incremental_strategy='microbatch', event_time='event_time', batch_size='hour', begin='2024-01-01 03:00', lookback=1) }}\nselect event_id, event_time from {{ ref('brz_events') }}\n";
      const p = await project({ 'seeds/raw_events.csv': eventsCsv(arrived(evs, '2024-01-01T05:30:00Z')), 'models/brz_events.sql': BRZ_EVENTS, 'models/stg_hourly.sql': model });
      expect((await tick(p, '2024-01-01T05:30:00Z', evs)).code).toBe(0);
      const state = async () => (await intervalRecords(p, 'stg_hourly')).map((r) => `${r.start.slice(11, 16)}-${r.end.slice(11, 16)} ${r.status} ${r.rows}`);
      expect(await state()).toEqual(['03:00-04:00 complete 1', '04:00-05:00 complete 1', '05:00-06:00 partial 1']);
      const r = await tick(p, '2024-01-01T06:20:00Z', evs);
      expect(r.code, r.output).toBe(0);
      expect(r.output).toMatch(/OK 2024-01-01 05:00 of stg_hourly/);
      expect(r.output).toMatch(/OK 2024-01-01 06:00 \(open\) of stg_hourly/);
      expect(await state()).toEqual(['03:00-04:00 complete 1', '04:00-05:00 complete 1', '05:00-06:00 complete 2', '06:00-07:00 partial 1']);
      expect((await rowSet(p, 'stg_hourly')).length).toBe(5);
    });

    it('12. with threads: 1 an incremental run of batched models finishes', async () => {
      const events = generatedEvents();
      const p = await project(chainFiles(arrived(events, NIGHTS[0]!)), { threads: 1 });
      await ok(p.dir, { now: NIGHTS[0]! });
      writeFiles(p.dir, { 'seeds/raw_events.csv': eventsCsv(arrived(events, NIGHTS[1]!)) });
      const r = await cliWithDeadline(p.dir, ['build', '--now', NIGHTS[1]!], 15_000);
      expect(r.code, `exit code ${r.code} (-1: still running after 15 s and killed; 13: node found the run waiting on a promise nothing would settle)\n${r.output}`).toBe(0);
      expect(await rowSet(p, 'stg_events')).toHaveLength(arrived(events, NIGHTS[1]!).length);
    });
  });
}
