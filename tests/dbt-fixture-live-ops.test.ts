/**
 * tests/fixtures/dbt-live-ops: a dbt project that uses the project and profile keys the game-store
 * fixture leaves at their defaults — every *-paths key, target-path, clean-targets,
 * require-dbt-version, global and project-scoped vars, dispatch, on-run-start/end, config trees
 * with and without `+`, custom schemas, +docs, ephemeral and incremental models, seeds with a
 * delimiter and column types from the project file, project-wide data_tests config, a custom
 * generic test under test-paths — and a profiles.yml in the project directory whose target,
 * path, port and password come from env_var(). Built unmodified on DuckDB and on Postgres; the
 * marts are checked against queries written here over the seeds, which are checked against the CSVs.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';
import { copyFixture, csvRows, DBT_FIXTURES, duckdbWarehouse, PG_SERVER, postgresWarehouse, type FixtureWarehouse } from './helpers/dbtFixtures.js';
import { cleanupProjects, fileTree, readJson } from './helpers/fixture.js';
import { requirePostgres } from './helpers/pg.js';

afterAll(cleanupProjects);

const FIXTURE = 'dbt-live-ops';
const DATA = path.join(DBT_FIXTURES, FIXTURE, 'data');
const SECRET = 'pg-secret-never-printed-7f3a';

const expectedCurrencyDaily = `
  select cast(cast(created_at as date) as varchar) as txn_day,
    cast(sum(case when currency = 'gems' and amount > 0 then amount else 0 end) as integer) as earned_gems,
    cast(sum(case when currency = 'gold' and amount > 0 then amount else 0 end) as integer) as earned_gold,
    cast(sum(case when currency = 'gems' and amount < 0 then -amount else 0 end) as integer) as spent_gems,
    cast(sum(case when currency = 'gold' and amount < 0 then -amount else 0 end) as integer) as spent_gold,
    cast(count(*) as integer) as transactions
  from analytics_raw.raw_currency_txns
  group by cast(created_at as date)
  order by 1`;

const actualCurrencyDaily = `
  select cast(txn_day as varchar) as txn_day, cast(earned_gems as integer) as earned_gems, cast(earned_gold as integer) as earned_gold,
    cast(spent_gems as integer) as spent_gems, cast(spent_gold as integer) as spent_gold, cast(transactions as integer) as transactions
  from analytics_marts.currency_daily
  order by 1`;

/** Daily actives with the scoped var's 60-second floor, counted straight from the raw sessions. */
const expectedDailyActive = `
  select cast(cast(started_at as date) as varchar) as session_day, platform,
    cast(count(distinct player_id) as integer) as active_players,
    cast(count(*) as integer) as sessions,
    cast(sum(duration_seconds) as integer) as seconds_played
  from analytics_raw.raw_sessions
  where duration_seconds >= 60
  group by cast(started_at as date), platform
  order by 1, 2`;

const actualDailyActive = `
  select cast(session_day as varchar) as session_day, platform, cast(active_players as integer) as active_players,
    cast(sessions as integer) as sessions, cast(seconds_played as integer) as seconds_played
  from analytics_marts.daily_active_players
  order by 1, 2`;

const pgReady = await requirePostgres();

interface Setup {
  name: string;
  skip: boolean;
  targetName: string;
  /** The cast the dispatched session_day macro writes for this warehouse. */
  dayCast: string;
  make(): { wh: FixtureWarehouse; env: () => NodeJS.ProcessEnv };
}

const SETUPS: Setup[] = [
  {
    name: 'duckdb',
    skip: false,
    targetName: 'local',
    dayCast: 'cast(started_at as date)',
    // no LIVE_OPS_* variables: the profile's defaults pick the local DuckDB target and file
    make: () => ({ wh: duckdbWarehouse('live_ops.duckdb'), env: () => ({}) }),
  },
  {
    name: 'postgres',
    skip: !pgReady,
    targetName: 'warehouse',
    dayCast: '(started_at)::date',
    make: () => {
      const wh = postgresWarehouse();
      return {
        wh,
        env: () => ({
          LIVE_OPS_TARGET: 'warehouse',
          LIVE_OPS_PG_HOST: PG_SERVER.host,
          LIVE_OPS_PG_PORT: String(PG_SERVER.port),
          LIVE_OPS_PG_USER: PG_SERVER.user,
          LIVE_OPS_PG_DBNAME: wh.db!().name,
          DBT_ENV_SECRET_LIVE_OPS_PG_PASSWORD: PG_SERVER.password ?? SECRET,
        }),
      };
    },
  },
];

for (const w of SETUPS) {
  describe.skipIf(w.skip)(`live ops fixture on ${w.name}`, () => {
    const { wh, env } = w.make();
    let dir = '';
    const outputs: string[] = [];
    const cli = async (args: string[]) => {
      const r = await runCli(args, { cwd: dir, env: env(), timeoutMs: 60_000 });
      outputs.push(r.output);
      return r;
    };

    it('a first build (--vars until) passes every test; the incremental mart holds the days before `until`', async () => {
      dir = copyFixture(FIXTURE);
      const r = await cli(['build', '--vars', '{until: "2026-06-08"}']);
      expect(r.code, r.output).toBe(0);
      expect(r.output).toMatch(/Found 5 models, 2 seeds, 14 data tests, 0 sources, 6 macros/);
      expect(r.output).toMatch(/Done\. PASS=20 WARN=0 ERROR=0 SKIP=0 TOTAL=20/);
      expect(r.output.split('\n').filter((l) => /warn/i.test(l) && !/WARN=0/.test(l))).toEqual([]);
      // target-path: build/, not target/
      expect(fs.existsSync(path.join(dir, 'target'))).toBe(false);
      const results = readJson(path.join(dir, 'build', 'run_results.json')) as { results: { uniqueId: string; status: string }[] };
      expect(results.results.filter((x) => x.uniqueId.startsWith('test.')).every((t) => t.status === 'pass')).toBe(true);
      const days = await wh.query(dir, 'select cast(min(txn_day) as varchar) as lo, cast(max(txn_day) as varchar) as hi, count(*) as n from analytics_marts.currency_daily');
      expect(days).toEqual([{ lo: '2026-06-01', hi: '2026-06-07', n: 7 }]);
    });

    it('seeds land in the +schema of the seeds tree, parsed with their delimiter and column types', async () => {
      const sessions = csvRows(path.join(DATA, 'raw_sessions.csv'), ';');
      const txns = csvRows(path.join(DATA, 'raw_currency_txns.csv'));
      expect(await wh.query(dir, 'select count(*) as n, cast(sum(duration_seconds) as integer) as secs from analytics_raw.raw_sessions')).toEqual([
        { n: sessions.length, secs: sessions.reduce((a, r) => a + Number(r.duration_seconds), 0) },
      ]);
      expect(await wh.query(dir, 'select count(*) as n, cast(sum(amount) as integer) as net from analytics_raw.raw_currency_txns')).toEqual([
        { n: txns.length, net: txns.reduce((a, r) => a + Number(r.amount), 0) },
      ]);
      const types = await wh.query(dir, "select column_name, data_type from information_schema.columns where table_schema = 'analytics_raw' and table_name = 'raw_sessions' order by column_name");
      const t = Object.fromEntries(types.map((r) => [r.column_name, String(r.data_type).toLowerCase()]));
      expect(t.duration_seconds).toBe('integer');
      expect(t.started_at).toMatch(/^timestamp/);
    });

    it('a second build picks up the rest incrementally; both marts equal independent queries over the seeds', async () => {
      const r = await cli(['build']);
      expect(r.code, r.output).toBe(0);
      expect(r.output).toMatch(/PASS=20 WARN=0 ERROR=0/);
      const expected = await wh.query(dir, expectedCurrencyDaily);
      expect(expected).toHaveLength(14);
      expect(await wh.query(dir, actualCurrencyDaily)).toEqual(expected);
      const dau = await wh.query(dir, expectedDailyActive);
      expect(dau.length).toBeGreaterThan(14);
      expect(await wh.query(dir, actualDailyActive)).toEqual(dau);
    });

    it('custom schemas, views, the ephemeral model and the run hooks, as the project file configures them', async () => {
      const rel = await wh.query(
        dir,
        "select table_schema, table_name, table_type from information_schema.tables where table_schema like 'analytics%' order by 1, 2",
      );
      expect(rel.map((r) => `${r.table_schema}.${r.table_name}:${r.table_type}`)).toEqual([
        'analytics.run_audit:BASE TABLE',
        'analytics.stg_currency_txns:VIEW',
        'analytics.stg_sessions:VIEW',
        'analytics_marts.currency_daily:BASE TABLE',
        'analytics_marts.daily_active_players:BASE TABLE',
        'analytics_raw.raw_currency_txns:BASE TABLE',
        'analytics_raw.raw_sessions:BASE TABLE',
      ]);
      // on-run-start ran before and on-run-end after each of the two builds, with target.name rendered
      const audit = await wh.query(dir, 'select event, target_name from analytics.run_audit');
      expect(audit).toEqual(['start', 'end', 'start', 'end'].map((event) => ({ event, target_name: w.targetName })));
    });

    it('vars scoped to the project win over global ones; adapter.dispatch picks the target type’s macro', () => {
      const compiled = fs.readFileSync(path.join(dir, 'build', 'compiled', 'live_ops', 'transform', 'staging', 'stg_sessions.sql'), 'utf8');
      expect(compiled).toMatch(/where duration_seconds >= 60\s*$/);
      expect(compiled).toContain(`${w.dayCast} as session_day`);
      const daily = fs.readFileSync(path.join(dir, 'build', 'compiled', 'live_ops', 'transform', 'marts', 'economy', 'currency_daily.sql'), 'utf8');
      expect(daily).toContain("sum(case when currency = 'gems' then case when amount > 0 then amount else 0 end else 0 end) as earned_gems");
      // the second build was incremental: is_incremental() was true and {{ this }} the published table
      expect(daily).toMatch(/where txn_day >= \(select max\(txn_day\) from "?analytics_marts"?\."?currency_daily"?\)/);
    });

    it('the manifest keeps docs blocks from docs-paths, +docs, +meta and tags, and tests from test-paths', () => {
      const m = readJson(path.join(dir, 'build', 'manifest.json')) as {
        nodes: Record<string, { description: string; docs: { show: boolean; nodeColor?: string; node_color?: string }; meta: Record<string, unknown>; tags: string[]; schema: string }>;
        tests: Record<string, { tags: string[]; config: { severity: string } }>;
        docs: Record<string, { path: string }>;
      };
      expect(m.docs['doc.live_ops.__overview__']!.path).toBe('docs/overview.md');
      const dap = m.nodes['model.live_ops.daily_active_players']!;
      expect(dap.description).toMatch(/^Players with at least one session/);
      expect(dap.schema).toBe('analytics_marts');
      expect(dap.meta).toEqual({ team: 'live-ops' });
      expect(JSON.stringify(dap.docs)).toContain('#2e7d32');
      expect(m.nodes['model.live_ops.int_player_days']!.docs.show).toBe(false);
      expect(m.nodes['model.live_ops.currency_daily']!.tags).toEqual(['economy']);
      expect(m.nodes['model.live_ops.stg_sessions']!.tags).toEqual(['staging']);
      const tests = Object.entries(m.tests);
      expect(tests.find(([id]) => id.startsWith('test.live_ops.non_negative_'))).toBeDefined();
      expect(tests.find(([id]) => id === 'test.live_ops.assert_no_day_has_more_active_players_than_players')).toBeDefined();
      expect(tests.every(([, t]) => t.tags.includes('checks') && t.config.severity === 'error')).toBe(true);
    });

    it('`tform compile` writes the analysis under build/; `tform clean` removes the clean-targets and keeps the project', async () => {
      const c = await cli(['compile']);
      expect(c.code, c.output).toBe(0);
      const analysis = fs.readFileSync(path.join(dir, 'build', 'compiled', 'live_ops', 'analysis', 'top_earners.sql'), 'utf8');
      expect(analysis).toMatch(/from "analytics"\."stg_currency_txns"|from analytics\.stg_currency_txns/);
      fs.mkdirSync(path.join(dir, 'logs'));
      const r = await cli(['clean']);
      expect(r.code, r.output).toBe(0);
      expect(fs.existsSync(path.join(dir, 'build'))).toBe(false);
      expect(fs.existsSync(path.join(dir, 'logs'))).toBe(false);
      for (const kept of ['dbt_project.yml', 'profiles.yml', 'transform', 'data', 'lib', 'checks', 'docs', 'analysis']) expect(fs.existsSync(path.join(dir, kept)), kept).toBe(true);
    });

    if (w.name === 'postgres') it('the password from a DBT_ENV_SECRET_ variable reaches neither the output nor the artifacts', async () => {
      const r = await cli(['build', '--select', 'stg_sessions', '--debug']);
      expect(r.code, r.output).toBe(0);
      const secret = env().DBT_ENV_SECRET_LIVE_OPS_PG_PASSWORD!;
      for (const o of outputs) expect(o).not.toContain(secret);
      expect(Object.values(fileTree(path.join(dir, 'build'))).join('\n')).not.toContain(secret);
    });
  });
}
