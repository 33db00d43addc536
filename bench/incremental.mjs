// The "Incremental runs" figure: what one new day costs at 30 and at 365 days of history, and
// what a full refresh at 365 days costs, on synthetic game events this file generates itself.
//
//   import { runIncremental } from './incremental.mjs';
//   const result = await runIncremental({ workDir, newDays: 5, eventsPerDay: 40_000, log });
//
// The project: raw events (a DuckDB table `raw.events` written here) → bronze view with
// event_time → silver microbatch model (day batches, lookback 1) → daily user panel → lifetime
// user panel (panel_of, folds). For each history length H it builds the project with
// `tform run --full-refresh` at the start of day H (timed: the full refresh), then, day after day,
// inserts one new day of events and runs `tform run` at 00:05 the next day (timed: one new day).
// Figures are the sums of the model timings in target/run_results.json (what the warehouse work
// took, without process start-up and compile), medians over the runs.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';

export const INCREMENTAL_TARGETS = {
  /** one new day at 365 days of history ÷ one new day at 30 days: at most */
  historyRatio: 1.3,
  /** full refresh at 365 days ÷ one new day at 365 days: at least */
  refreshRatio: 5,
};

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const TFORM = join(ROOT, 'packages', 'cli', 'bin', 'tform.js');
const DAY0 = Date.UTC(2024, 0, 1);
const DAY_MS = 86_400_000;
const MODELS = ['stg_events', 'daily_user_panel', 'user_panel'];

const iso = (t) => new Date(t).toISOString().slice(0, 19) + 'Z';

const PROJECT_FILES = {
  'tform_project.yml': 'name: bench_incremental\nprofile: bench_incremental\n',
  'profiles.yml': 'bench_incremental:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: warehouse.duckdb\n      schema: main\n      threads: 2\n',
  'models/sources.yml': 'version: 2\nsources:\n  - name: raw\n    schema: raw\n    tables:\n      - name: events\n',
  'models/bronze/brz_events.sql': "{{ config(materialized='view', event_time='event_time') }}\nselect * from {{ source('raw', 'events') }}\n",
  'models/silver/stg_events.sql':
    "{{ config(materialized='incremental', incremental_strategy='microbatch', event_time='event_time', batch_size='day', begin='2024-01-01', lookback=1) }}\n" +
    'select event_id, user_id, event_time, cast(event_time as date) as event_date, kind, revenue, coins\nfrom {{ ref(\'brz_events\') }}\n',
  'models/gold/daily_user_panel.sql':
    "{{ config(materialized='panel', entity='user_id', event_time='event_date', batch_size='day', begin='2024-01-01', lookback=1) }}\n" +
    "select user_id, event_date,\n  count(*) filter (where kind = 'session') as sessions,\n  count(*) filter (where kind = 'match') as matches,\n" +
    "  count(*) filter (where kind = 'purchase') as purchases,\n  sum(revenue) as revenue,\n  sum(coins) as coins\nfrom {{ ref('stg_events') }}\ngroup by user_id, event_date\n",
  'models/gold/user_panel.sql': "{{ config(materialized='panel', panel_of='daily_user_panel') }}\n",
  'models/gold/schema.yml':
    'version: 2\nmodels:\n  - name: user_panel\n    config:\n      folds:\n        install_date: {min: event_date}\n        last_active_date: {max: event_date}\n' +
    '        active_days: {count: event_date}\n        sessions: sum\n        matches: sum\n        purchases: sum\n        revenue: sum\n        coins: sum\n        last_revenue: {last: revenue}\n',
};

/** Events of days [from, to): `perDay` a day over `users` players, deterministic (hashes of the event id). */
function eventsSql(from, to, perDay, users) {
  return `select
  d * ${perDay} + i as event_id,
  hash(d * ${perDay} + i, 1) % ${users} as user_id,
  timestamp '2024-01-01' + to_days(cast(d as integer)) + to_microseconds(cast(hash(d * ${perDay} + i, 2) % 86400000000 as bigint)) as event_time,
  case hash(d * ${perDay} + i, 3) % 10 when 0 then 'purchase' when 1 then 'session' when 2 then 'session' else 'match' end as kind,
  case when hash(d * ${perDay} + i, 3) % 10 = 0 then cast(0.99 + (hash(d * ${perDay} + i, 4) % 2000) / 100.0 as decimal(10, 2)) end as revenue,
  cast(hash(d * ${perDay} + i, 5) % 100 as integer) - 40 as coins
from range(${from}, ${to}) r(d), range(${perDay}) s(i)
order by event_time`;
}

async function withDb(file, fn) {
  const db = await DuckDBInstance.create(file);
  const con = await db.connect();
  try {
    return await fn(con);
  } finally {
    con.closeSync();
    db.closeSync();
  }
}

/** `tform run` at `now`; returns the model timings (seconds) from run_results.json. */
function run(dir, now, extra = []) {
  const r = spawnSync(process.execPath, [TFORM, 'run', '--project-dir', dir, '--now', iso(now), ...extra], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  if (r.status !== 0) throw new Error(`tform run --now ${iso(now)} ${extra.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  const results = JSON.parse(readFileSync(join(dir, 'target', 'run_results.json'), 'utf8')).results;
  const byModel = Object.fromEntries(MODELS.map((m) => [m, results.find((x) => x.uniqueId === `model.bench_incremental.${m}`)?.executionTime ?? 0]));
  const batches = (r.stdout.match(/ batch \d+ of \d+ OK [^\n]*/g) ?? []).map((l) => l.replace(/\s*\.{3,}.*$/, '').trim());
  return { total: Object.values(byModel).reduce((a, b) => a + b, 0), byModel, batches };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function measureHistory(workDir, history, o) {
  const dir = join(workDir, `incremental-${history}d`);
  rmSync(dir, { recursive: true, force: true });
  for (const [rel, text] of Object.entries(PROJECT_FILES)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
  const db = join(dir, 'warehouse.duckdb');
  await withDb(db, async (con) => {
    await con.run('create schema raw');
    await con.run(`create table raw.events as ${eventsSql(0, history, o.eventsPerDay, o.users)}`);
  });
  o.log(`incremental: ${history} days of history (${(history * o.eventsPerDay).toLocaleString('en-US')} events); full refresh…`);
  const refreshes = [];
  for (let i = 0; i < o.refreshRuns; i++) refreshes.push(run(dir, DAY0 + history * DAY_MS, ['--full-refresh']));
  const days = [];
  for (let k = 0; k < o.newDays; k++) {
    const day = history + k;
    await withDb(db, (con) => con.run(`insert into raw.events ${eventsSql(day, day + 1, o.eventsPerDay, o.users)}`));
    days.push(run(dir, DAY0 + (day + 1) * DAY_MS + 5 * 60_000));
  }
  const counts = await withDb(db, async (con) => {
    const one = async (sql) => Number((await con.runAndReadAll(sql)).getRows()[0][0]);
    return { stgEvents: await one('select count(*) from main.stg_events'), dailyPanelRows: await one('select count(*) from main.daily_user_panel'), users: await one('select count(*) from main.user_panel') };
  });
  rmSync(dir, { recursive: true, force: true });
  const summary = (list) => ({ medianS: median(list.map((r) => r.total)), runsS: list.map((r) => r.total), byModelMedianS: Object.fromEntries(MODELS.map((m) => [m, median(list.map((r) => r.byModel[m]))])) });
  return { history, counts, fullRefresh: summary(refreshes), newDay: { ...summary(days), batches: days[days.length - 1].batches } };
}

export async function runIncremental({ workDir, newDays = 5, refreshRuns = 3, eventsPerDay = 40_000, users = 20_000, log = () => {} }) {
  mkdirSync(workDir, { recursive: true });
  const o = { newDays, refreshRuns, eventsPerDay, users, log };
  const short = await measureHistory(workDir, 30, o);
  const long = await measureHistory(workDir, 365, o);
  const historyRatio = long.newDay.medianS / short.newDay.medianS;
  const refreshRatio = long.fullRefresh.medianS / long.newDay.medianS;
  return {
    date: new Date().toISOString(),
    workload: { eventsPerDay, users, newDays, refreshRuns, lookback: 1, models: MODELS },
    histories: [short, long],
    ratios: {
      historyRatio: { value: historyRatio, target: INCREMENTAL_TARGETS.historyRatio, holds: historyRatio <= INCREMENTAL_TARGETS.historyRatio },
      refreshRatio: { value: refreshRatio, target: INCREMENTAL_TARGETS.refreshRatio, holds: refreshRatio >= INCREMENTAL_TARGETS.refreshRatio },
    },
  };
}
