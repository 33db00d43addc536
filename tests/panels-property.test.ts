/**
 * Acceptance property test of incremental panels, on DuckDB and on PostgreSQL.
 *
 * Each seeded case builds the pipeline raw.events (a source table this test writes) →
 * brz_events (view) → stg_events (microbatch, random lookback 0–2, in the panels' zone or UTC) →
 * daily_user_panel (panel, entity user_id, random lookback 0–2) → user_panel and user_totals
 * (lifetime panels of daily_user_panel: folds sum / min / max / count / first / last, and one
 * without first/last), and drives it through a random sequence of operations with core's
 * workflow, in-process, reopening the project at each operation's `now`:
 *
 * - daily runs (the next local day's start + some minutes), runs in the middle of a day (the open
 *   interval is partial), reruns at the same now;
 * - late events written into raw.events for an earlier day (within and beyond lookback, often a
 *   day that had none), and rows deleted from raw.events (often all of a user's day);
 * - backfills (`backfill: { start, end }`);
 * - executeInvalidate of a random range of stg_events and/or the panel, followed later by a run;
 * - an event with a NULL user_id: the run must fail with the panel's NULL entity error and leave
 *   the panels and their interval records as they were; the row is then deleted and its day
 *   backfilled.
 *
 * Half the cases cross a DST switch of Europe/Berlin (2024-03-31 or 2024-10-27) with the panels
 * in that zone; some others use that zone without a switch.
 *
 * After every run: the daily panel equals a recompute in SQL from the rows the documented interval
 * rules say it has processed (tests/helpers/panels.ts ModelSim; the rows come from a ledger of
 * every row ever written to raw.events), and each lifetime panel equals the fold of the daily
 * panel as it is. Each case ends with a plain run; a third of them then backfill the whole
 * history, after which the daily panel must equal a full recompute from raw.events as they are.
 *
 * Seeds 1..200 on each warehouse in CI (CI=true; 1..40 otherwise; about 10 min for the 400 cases on
 * 2 vCPUs, five cases at a time; TFORM_PROPERTY_CASES=n for another count); replay
 * one with TFORM_PROPERTY_SEED=<seed>. A failure names its seed, warehouse and the operations so far
 * (TFORM_PROPERTY_VERBOSE=1 prints them for passing cases too).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, it, type ExpectStatic } from 'vitest';
import { executeBuild, executeInvalidate, type Adapter, type OpenProject, type Row } from '@tform/core';
import { writeFiles } from './helpers/fixture.js';
import { withProject } from './helpers/inprocess.js';
import { requirePostgres, withTempDatabase, pgProfilesYml, type TempDatabase } from './helpers/pg.js';
import {
  DAILY_COLUMNS,
  HOUR,
  LIFETIMES,
  MIN,
  ModelSim,
  Rng,
  addDays,
  iso,
  lateEvent,
  localDate,
  localDateSql,
  localMidnight,
  makeCase,
  projectFiles,
  utcText,
  wallTime,
  type CaseConfig,
  type FoldSpec,
  type RawEvent,
} from './helpers/panels.js';

const PROJECT = 'pp';
// CI runs the 200 seeded cases per warehouse of the acceptance (about 10 minutes on 2 vCPUs); a local
// `npm test` runs the first 40 unless TFORM_PROPERTY_CASES says otherwise.
const CASES = Number(process.env.TFORM_PROPERTY_CASES ?? (process.env.CI === 'true' ? 200 : 40));
const SEEDS = process.env.TFORM_PROPERTY_SEED ? [Number(process.env.TFORM_PROPERTY_SEED)] : Array.from({ length: CASES }, (_, i) => i + 1);
const CASE_TIMEOUT = 180_000;

const hasPg = await requirePostgres();

// --- warehouses ----------------------------------------------------------------------------------

interface Warehouse {
  name: string;
  /** A project dir for the case, on an empty warehouse; release() when done. */
  acquire(c: CaseConfig): Promise<{ dir: string; release(): Promise<void> }>;
  /** The case's target schema. */
  schema: string;
  textType: string;
  doubleType: string;
}

/**
 * A case's project dir: on tmpfs when there is one (the cases commit hundreds of small
 * transactions and reopen the DuckDB file at every operation), else in the temp dir.
 */
const caseRoot = (() => {
  try {
    fs.accessSync('/dev/shm', fs.constants.W_OK);
    const st = fs.statfsSync('/dev/shm');
    if (st.bavail * st.bsize >= 256 * 1024 * 1024) return '/dev/shm';
  } catch {
    // no tmpfs here
  }
  return os.tmpdir();
})();
const caseDirs = new Set<string>();

function caseDir(files: Record<string, string>): { dir: string; remove(): void } {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(caseRoot, 'tform-panels-')));
  caseDirs.add(dir);
  writeFiles(dir, files);
  return {
    dir,
    remove: () => {
      fs.rmSync(dir, { recursive: true, force: true });
      caseDirs.delete(dir);
    },
  };
}

const duckdb: Warehouse = {
  name: 'duckdb',
  schema: 'main',
  textType: 'varchar',
  doubleType: 'double',
  async acquire(c) {
    // threads: 2, so that the two lifetime panels run at the same time; DuckDB's own threads: 1,
    // as every query here is tiny.
    const profiles = [`${PROJECT}:`, '  target: dev', '  outputs:', '    dev:', '      type: duckdb', '      path: warehouse.duckdb', '      schema: main', '      threads: 2', '      settings:', '        threads: 1', ''].join('\n');
    const { dir, remove } = caseDir({ ...projectFiles(c, PROJECT), 'profiles.yml': profiles });
    return { dir, release: async () => remove() };
  },
};

/** Databases of the Postgres cases: one per case running at once (the state schema is per database). */
const pgFree: TempDatabase[] = [];
const pgAll: TempDatabase[] = [];

const postgres: Warehouse = {
  name: 'postgres',
  schema: 'pp',
  textType: 'text',
  doubleType: 'double precision',
  async acquire(c) {
    let db = pgFree.pop();
    if (!db) {
      db = await withTempDatabase();
      pgAll.push(db);
      // Commits need not wait for the disk in a scratch database.
      const admin = await db.connect();
      try {
        await admin.query(`alter database ${db.name} set synchronous_commit to off`);
      } finally {
        await admin.end();
      }
    }
    const client = await db.connect();
    try {
      await client.query('drop schema if exists raw cascade; drop schema if exists ledger cascade; drop schema if exists pp cascade; drop schema if exists tform_state cascade');
    } finally {
      await client.end();
    }
    const profiles = pgProfilesYml({ dbname: db.name, profile: PROJECT, schema: 'pp', threads: 2 });
    const { dir, remove } = caseDir({ ...projectFiles(c, PROJECT), 'profiles.yml': profiles });
    const held = db;
    return {
      dir,
      release: async () => {
        remove();
        pgFree.push(held);
      },
    };
  },
};

afterAll(async () => {
  for (const d of caseDirs) fs.rmSync(d, { recursive: true, force: true });
  for (const db of pgAll.splice(0)) await db.drop().catch(() => {});
});

// --- values --------------------------------------------------------------------------------------

const DATE_COLUMNS = new Set(['activity_date', 'first_active', 'last_active']);
const round6 = (x: number) => {
  const r = Math.round(x * 1e6) / 1e6;
  return Object.is(r, -0) ? 0 : r;
};

function normValue(col: string, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (col === 'user_id') return String(v);
  if (DATE_COLUMNS.has(col)) {
    if (v instanceof Date) return v.toISOString().slice(0, 10);
    return String(v).slice(0, 10);
  }
  return round6(Number(v));
}

function normRows(rows: Row[], cols: readonly string[]): Record<string, unknown>[] {
  return rows.map((r) => Object.fromEntries(cols.map((c) => [c, normValue(c, r[c])])));
}

/** A lifetime panel as the fold of `daily` (normalized rows, any order) by `folds`. */
function foldDaily(daily: Record<string, unknown>[], folds: FoldSpec): Record<string, unknown>[] {
  const byUser = new Map<string, Record<string, unknown>[]>();
  for (const r of daily) {
    const u = r.user_id as string;
    byUser.set(u, [...(byUser.get(u) ?? []), r]);
  }
  const out: Record<string, unknown>[] = [];
  for (const u of [...byUser.keys()].sort()) {
    const rows = byUser.get(u)!.sort((a, b) => String(a.activity_date).localeCompare(String(b.activity_date)));
    const row: Record<string, unknown> = { user_id: u };
    for (const [col, f] of Object.entries(folds)) {
      const vals = rows.map((r) => r[f.of]).filter((v) => v !== null);
      const cmp = (a: unknown, b: unknown) => (typeof a === 'number' ? (a as number) - (b as number) : String(a).localeCompare(String(b)));
      switch (f.fn) {
        case 'sum':
          row[col] = vals.length ? round6(vals.reduce((a: number, v) => a + (v as number), 0)) : null;
          break;
        case 'count':
          row[col] = vals.length;
          break;
        case 'min':
          row[col] = vals.length ? [...vals].sort(cmp)[0] : null;
          break;
        case 'max':
          row[col] = vals.length ? [...vals].sort(cmp)[vals.length - 1] : null;
          break;
        case 'first':
          row[col] = vals.length ? vals[0] : null;
          break;
        case 'last':
          row[col] = vals.length ? vals[vals.length - 1] : null;
          break;
      }
    }
    out.push(row);
  }
  return out;
}

// --- one case ------------------------------------------------------------------------------------

type Project = OpenProject & { logger: { text: string } };

class CaseRun {
  readonly r: Rng;
  now = 0;
  /** What raw.events must hold (id → event); `written` is what it holds. */
  readonly raw = new Map<number, RawEvent>();
  readonly written = new Map<number, RawEvent>();
  /** On-time events that have arrived (a retracted one does not come back). */
  readonly arrived = new Set<number>();
  /** Days that got late rows. */
  readonly lateDays: string[] = [];
  readonly times = new Map<number, number>();
  readonly stg: ModelSim;
  readonly panel: ModelSim;
  readonly log: string[] = [];
  nextId = 10_000;
  badId = 90_000;
  rawCreated = false;

  constructor(
    readonly c: CaseConfig,
    readonly wh: Warehouse,
    readonly dir: string,
    /** The test's own expect (the cases run concurrently). */
    private readonly expect: ExpectStatic,
  ) {
    this.r = new Rng((c.seed * 2_654_435_761) >>> 0);
    for (const e of c.events) this.times.set(e.id, e.t);
    this.stg = new ModelSim('stg_events', c.begin, c.stgTz, c.stgLookback, this.times);
    this.panel = new ModelSim('daily_user_panel', c.begin, c.tz, c.panelLookback, this.times);
  }

  get where(): string {
    const c = this.c;
    return [
      `seed=${c.seed} warehouse=${this.wh.name} (replay: TFORM_PROPERTY_SEED=${c.seed} npx vitest run tests/panels-property.test.ts)`,
      `case: panels tz=${c.tz ?? 'UTC'} stg tz=${c.stgTz ?? 'UTC'} begin=${c.begin} days=${c.days} users=${c.users.length} lookback stg=${c.stgLookback} panel=${c.panelLookback} events=${c.events.length}`,
      'operations:',
      ...this.log.map((l, i) => `  ${i + 1}. ${l}`),
    ].join('\n');
  }

  note(s: string): void {
    this.log.push(s);
  }

  nowText(): string {
    return `${iso(this.now)} (${this.c.tz ? wallTime(this.now, this.c.tz) + ' Berlin' : 'UTC'})`;
  }

  /** On-time events up to now join raw.events. */
  arrive(): void {
    for (const e of this.c.events) {
      if (e.t > this.now || this.arrived.has(e.id)) continue;
      this.arrived.add(e.id);
      this.raw.set(e.id, e);
    }
  }

  private literal(e: RawEvent): string {
    const s = (v: string | null) => (v === null ? 'null' : `'${v}'`);
    return `(${e.id}, ${s(e.user)}, timestamp '${utcText(e.t)}', '${e.kind}', ${e.revenue === null ? 'null' : e.revenue}, ${e.coins === null ? 'null' : e.coins})`;
  }

  /** Bring raw.events to `raw`. */
  async syncRaw(a: Adapter): Promise<void> {
    if (!this.rawCreated) {
      for (const t of ['raw.events', 'ledger.events']) {
        await a.execute(`create schema if not exists ${t.split('.')[0]}`);
        await a.execute(`create table ${t} (event_id integer, user_id ${this.wh.textType}, event_time timestamp, kind ${this.wh.textType}, revenue ${this.wh.doubleType}, coins integer)`);
      }
      this.rawCreated = true;
    }
    const gone = [...this.written.keys()].filter((id) => !this.raw.has(id));
    if (gone.length) await a.execute(`delete from raw.events where event_id in (${gone.join(', ')})`);
    for (const id of gone) this.written.delete(id);
    const fresh = [...this.raw.values()].filter((e) => !this.written.has(e.id));
    if (fresh.length) {
      const values = fresh.map((e) => this.literal(e)).join(',\n');
      await a.execute(`insert into raw.events values\n${values}`);
      // Every row ever written stays in the ledger: models may still hold rows deleted from raw.
      await a.execute(`insert into ledger.events values\n${values}`);
    }
    for (const e of fresh) this.written.set(e.id, e);
  }

  async open<T>(fn: (p: Project) => Promise<T>): Promise<T> {
    return withProject(this.dir, async (p) => {
      await this.syncRaw(p.adapter!);
      const out = await fn(p as Project);
      // DuckDB checkpoints when the database closes, blocking the event loop (and the cases running
      // beside this one); a checkpoint statement does the same work off it.
      if (this.wh.name === 'duckdb') await p.adapter!.execute('checkpoint');
      return out;
    }, { now: iso(this.now) });
  }

  modelId(p: OpenProject, name: string): string {
    const n = Object.values(p.session.manifest.nodes).find((x) => x.name === name);
    if (!n) throw new Error(`no model ${name}`);
    return n.uniqueId;
  }

  // --- reading the warehouse -------------------------------------------------------------------

  async daily(a: Adapter): Promise<Record<string, unknown>[]> {
    return normRows(await a.query(`select ${DAILY_COLUMNS.join(', ')} from ${this.wh.schema}.daily_user_panel order by user_id, activity_date`), DAILY_COLUMNS);
  }

  async lifetime(a: Adapter, model: string): Promise<Record<string, unknown>[]> {
    const cols = ['user_id', ...Object.keys(LIFETIMES[model]!)];
    return normRows(await a.query(`select ${cols.join(', ')} from ${this.wh.schema}.${model} order by user_id`), cols);
  }

  /** Every lifetime panel equals the fold of `daily`. */
  async checkLifetimes(a: Adapter, daily: Record<string, unknown>[], what: string): Promise<void> {
    for (const [model, folds] of Object.entries(LIFETIMES)) {
      this.expect(await this.lifetime(a, model), `${this.where}\n${what}: ${model} differs from the fold of daily_user_panel`).toEqual(foldDaily(daily, folds));
    }
  }

  /**
   * The daily panel recomputed in SQL: from the rows `ids` of the ledger (every row ever written
   * to raw.events); without ids, from raw.events as it is, every row both stg_events and the panel
   * have intervals for (from the later of their first local midnights).
   */
  async recompute(a: Adapter, ids?: Iterable<number>): Promise<Record<string, unknown>[]> {
    const list = ids ? [...ids].sort((x, y) => x - y) : undefined;
    const from = Math.max(localMidnight(this.c.begin, this.c.tz), localMidnight(this.c.begin, this.c.stgTz));
    const where = list === undefined ? `where event_time >= timestamp '${utcText(from)}'` : list.length ? `where event_id in (${list.join(', ')})` : 'where false';
    const table = list === undefined ? 'raw.events' : 'ledger.events';
    const sql = `select user_id, ${localDateSql('event_time', this.c.tz)} as activity_date,
  sum(case when kind = 'session' then 1 else 0 end) as sessions,
  sum(case when kind = 'match' then 1 else 0 end) as matches,
  sum(revenue) as revenue,
  sum(coins) as coins
from ${table} ${where}
group by 1, 2
order by 1, 2`;
    return normRows(await a.query(sql), DAILY_COLUMNS);
  }

  async snapshot(p: OpenProject): Promise<unknown> {
    const a = p.adapter!;
    const ids = ['daily_user_panel', ...Object.keys(LIFETIMES)].map((m) => this.modelId(p, m));
    const intervals = await a.query(
      `select model_id, interval_start, interval_end, status, run_id, rows_affected, processed_at, checksum from tform_state.intervals
where model_id in (${ids.map((i) => `'${i}'`).join(', ')}) order by model_id, interval_start`,
    );
    const plain = (rows: Row[]) => rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v instanceof Date ? v.toISOString() : typeof v === 'bigint' ? v.toString() : v])));
    const lifetimes: Record<string, unknown> = {};
    for (const m of Object.keys(LIFETIMES)) lifetimes[m] = await this.lifetime(a, m);
    return { daily: await this.daily(a), lifetimes, intervals: plain(intervals) };
  }

  // --- operations ------------------------------------------------------------------------------

  /** Run every model at the current now (optionally a backfill) and check the panels. */
  async run(what: string, backfill?: { start: string; end: string }, also?: (a: Adapter) => Promise<void>): Promise<void> {
    this.arrive();
    this.note(`${what}: run at ${this.nowText()}${backfill ? ` backfill ${backfill.start} .. ${backfill.end}` : ''}`);
    const ws = this.stg.window(this.now, backfill);
    const wp = this.panel.window(this.now, backfill);
    this.stg.apply(ws, this.raw.keys());
    this.panel.apply(wp, this.stg.content);
    this.note(`   expected batches: stg ${ws.rebuild ? 'rebuild' : ws.intervals.map((i) => i.date + (i.partial ? '(open)' : '')).join(',') || '-'}; panel ${wp.rebuild ? 'rebuild' : wp.intervals.map((i) => i.date + (i.partial ? '(open)' : '')).join(',') || '-'}`);
    await this.open(async (p) => {
      const res = await executeBuild(p, { command: 'run', ...(backfill ? { backfill } : {}) });
      const errors = (res.outcome?.results ?? []).filter((x) => x.status !== 'success').map((x) => `${x.name}: ${x.status}: ${x.message}`);
      this.expect(res.exitCode, `${this.where}\nthe run failed: ${errors.join('\n')}\n${p.logger.text.slice(-3000)}`).toBe(0);
      await this.check(p, what);
      await also?.(p.adapter!);
    });
  }

  async check(p: OpenProject, what: string): Promise<void> {
    const a = p.adapter!;
    const daily = await this.daily(a);
    const expected = await this.recompute(a, this.panel.content);
    this.expect(daily, `${this.where}\nafter ${what}: daily_user_panel differs from the recompute of the raw rows it must have processed`).toEqual(expected);
    await this.checkLifetimes(a, daily, `after ${what}`);
  }

  /** Today's local date (panel zone) and its day index. */
  today(): { date: string; k: number } {
    const date = localDate(this.now, this.c.tz);
    return { date, k: this.panel.grid.indexOf(this.now) };
  }

  /** Late events for a day 1..4 days back (within or beyond the lookbacks), often a day that had none. */
  late(): void {
    const { date: today, k } = this.today();
    if (k < 1) return this.note('late: skipped (no earlier day)');
    const days = Array.from({ length: Math.min(4, k) }, (_, i) => addDays(today, -(i + 1)));
    const empty = days.filter((d) => ![...this.raw.values()].some((e) => localDate(e.t, this.c.tz) === d));
    const date = empty.length && this.r.chance(0.75) ? this.r.pick(empty) : this.r.pick(days);
    const n = this.r.int(1, 3);
    this.lateDays.push(date);
    const made: RawEvent[] = [];
    for (let i = 0; i < n; i++) {
      const e = lateEvent(this.r, this.c, this.nextId++, date, this.now);
      this.times.set(e.id, e.t);
      this.raw.set(e.id, e);
      made.push(e);
    }
    this.note(`late: ${n} event(s) for ${date}${empty.includes(date) ? ' (a day without rows)' : ''}: ${made.map((e) => `#${e.id} ${e.user} ${utcText(e.t)}Z ${e.kind} revenue=${e.revenue}`).join('; ')}`);
  }

  /** Rows deleted from raw.events (a correction upstream): the models keep them until they reprocess their interval. */
  retract(range?: { start: string; end: string }): void {
    const day = (e: RawEvent) => localDate(e.t, this.c.tz);
    const candidates = [...this.raw.values()].filter((e) => e.user !== null && (!range || (day(e) >= range.start && day(e) <= range.end)));
    if (!candidates.length) return this.note('retract: skipped (no row to delete)');
    // Mostly every row of one user and day, so that the user leaves that interval of the panel.
    const victim = this.r.pick(candidates);
    const gone = this.r.chance(0.7) ? candidates.filter((e) => e.user === victim.user && day(e) === day(victim)) : [victim];
    for (const e of gone) this.raw.delete(e.id);
    this.note(`retract: deleted ${gone.map((e) => `#${e.id} ${e.user} ${utcText(e.t)}Z`).join('; ')} from raw.events`);
  }

  /** 1..3 days from begin .. today: often around a day that got late rows, often ending before yesterday. */
  randomRange(): { start: string; end: string } {
    const { k } = this.today();
    const len = this.r.int(1, 3);
    if (this.lateDays.length && this.r.chance(0.6)) {
      const start = addDays(this.r.pick(this.lateDays), -this.r.int(0, len - 1));
      return { start: start < this.c.begin ? this.c.begin : start, end: addDays(start, len - 1) };
    }
    const s = this.r.chance(0.6) ? this.r.int(0, Math.max(0, k - len - 1)) : this.r.int(0, k);
    return { start: addDays(this.c.begin, s), end: addDays(this.c.begin, s + len - 1) };
  }

  async invalidate(): Promise<void> {
    const select = this.r.pick([['stg_events'], ['daily_user_panel'], ['stg_events', 'daily_user_panel']]);
    const range = this.randomRange();
    this.note(`invalidate ${select.join(', ')} ${range.start} .. ${range.end} at ${this.nowText()}`);
    if (select.includes('stg_events')) this.stg.invalidate(range.start, range.end);
    if (select.includes('daily_user_panel')) this.panel.invalidate(range.start, range.end);
    await this.open(async (p) => {
      const res = await executeInvalidate(p, { select, range });
      this.expect(res.map((x) => x.name).sort(), this.where).toEqual([...select].sort());
    });
    // Sometimes rows of the invalidated days go away before they are processed again.
    if (this.r.chance(0.35)) this.retract(range);
  }

  /**
   * A NULL user_id in the first interval the panel processes (and one stg_events processes, so
   * that the panel reads it): the run fails at the panel's first batch and changes neither panel
   * nor their interval records. Then the row is deleted and its day backfilled.
   */
  async nullEntity(): Promise<void> {
    this.arrive();
    const ws = this.stg.window(this.now);
    const wp = this.panel.window(this.now);
    if (wp.rebuild || !wp.intervals.length) return this.note('null entity: skipped (no panel batch)');
    const first = wp.intervals[0]!;
    const segments = ws.intervals
      .map((i) => ({ start: Math.max(first.start, i.start), end: Math.min(first.end, i.end, this.now + 1000) }))
      .filter((s) => s.end - s.start >= 1000);
    if (!segments.length) return this.note(`null entity: skipped (stg_events does not reprocess the panel's first batch ${first.date})`);
    const seg = this.r.pick(segments);
    const t = seg.start + Math.floor(this.r.float() * ((seg.end - seg.start) / 1000)) * 1000;
    const bad: RawEvent = { id: this.badId++, user: null, t, kind: 'session', revenue: null, coins: 1 };
    this.times.set(bad.id, t);
    this.raw.set(bad.id, bad);
    this.note(`null entity: event #${bad.id} with user_id NULL at ${utcText(t)}Z (panel batch ${first.date}); run at ${this.nowText()} must fail`);
    await this.open(async (p) => {
      const before = await this.snapshot(p);
      const res = await executeBuild(p, { command: 'run' });
      const results = res.outcome?.results ?? [];
      const panel = results.find((x) => x.name === 'daily_user_panel');
      this.expect(res.exitCode, `${this.where}\nthe run with a NULL user_id must fail`).toBe(1);
      this.expect(panel?.status, `${this.where}\ndaily_user_panel must fail`).toBe('error');
      this.expect(panel?.message, `${this.where}\nthe panel's error`).toContain('NULL entity');
      for (const m of Object.keys(LIFETIMES)) this.expect(results.find((x) => x.name === m)?.status, `${this.where}\n${m} must not run`).not.toBe('success');
      this.expect(await this.snapshot(p), `${this.where}\nthe failed run changed the panels or their interval records`).toEqual(before);
    });
    // stg_events took the row in; the panels did not move.
    this.stg.apply(ws, this.raw.keys());
    this.raw.delete(bad.id);
    const day = localDate(t, this.c.stgTz);
    await this.run(`repair of the NULL entity (row deleted)`, { start: day, end: day });
  }

  async play(): Promise<void> {
    const c = this.c;
    // The first run (a rebuild) on day 0..2; then time moves on through the history, with other
    // operations in between, up to half a day after its last day.
    this.now = localMidnight(addDays(c.begin, this.r.int(0, Math.min(2, c.days - 3))), c.tz) + this.r.int(30, 23 * 60) * MIN;
    await this.run('first run');
    const horizon = localMidnight(addDays(c.begin, c.days), c.tz) + this.r.int(1, 12) * HOUR;
    const maxOps = this.r.int(6, 9);
    for (let ops = 0; ops < maxOps && this.now < horizon; ops++) {
      const op = this.r.weighted({ advance: 40, late: 12, retract: 9, rerun: 3, backfill: 9, invalidate: 9, nullEntity: 5 });
      switch (op) {
        case 'advance': {
          const daily = this.r.chance(0.65);
          const next = daily ? localMidnight(addDays(localDate(this.now, c.tz), 1), c.tz) + this.r.int(0, 180) * MIN : this.now + this.r.int(60, 600) * MIN + this.r.int(0, 59) * 1000;
          this.now = Math.min(next, horizon);
          await this.run(daily ? 'daily' : 'midday');
          break;
        }
        case 'rerun':
          await this.run('rerun');
          break;
        case 'late':
          this.late();
          break;
        case 'retract':
          this.retract();
          break;
        case 'backfill':
          await this.run('backfill', this.randomRange());
          break;
        case 'invalidate':
          await this.invalidate();
          break;
        case 'nullEntity':
          await this.nullEntity();
          break;
      }
    }
    await this.run('final plain run');
    // In a third of the cases, everything again: then the panels must equal a full recompute from
    // raw.events as they are, whatever the interval rules left stale before.
    if (this.r.chance(1 / 3)) {
      await this.run('final backfill of the whole history', { start: c.begin, end: addDays(localDate(this.now), 1) }, async (a) => {
        const daily = await this.daily(a);
        this.expect(daily, `${this.where}\nafter the final backfill: daily_user_panel differs from the full recompute of raw.events`).toEqual(await this.recompute(a));
      });
    }
  }
}

async function runCase(wh: Warehouse, seed: number, expect: ExpectStatic): Promise<void> {
  const c = makeCase(seed);
  const { dir, release } = await wh.acquire(c);
  try {
    const run = new CaseRun(c, wh, dir, expect);
    await run.play();
    if (process.env.TFORM_PROPERTY_VERBOSE) console.log(run.where);
  } finally {
    await release();
  }
}

for (const wh of hasPg ? [duckdb, postgres] : [duckdb]) {
  describe.concurrent(wh.name, () => {
    for (const seed of SEEDS) it(`seed ${seed}`, { timeout: CASE_TIMEOUT }, ({ expect }) => runCase(wh, seed, expect));
  });
}
