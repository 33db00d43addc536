/**
 * tests/fixtures/dbt-game-store: a small dbt project shaped like an in-game store (players, orders
 * and payments as seeds, staging views, marts with a payment-method pivot built by a `{% for %}`
 * loop, docs blocks, unique/not_null/accepted_values/relationships tests and a singular test),
 * built unmodified by `tform build` on DuckDB and on Postgres. The marts are checked against
 * queries written here, independently of the project's SQL, over seeds checked against the CSVs.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';
import { dbtProfilesYml } from './helpers/dbt.js';
import { copyFixture, csvRows, DBT_FIXTURES, duckdbWarehouse, postgresWarehouse, type FixtureWarehouse } from './helpers/dbtFixtures.js';
import { cleanupProjects, makeProject, readJson } from './helpers/fixture.js';
import { pgProfilesYml, requirePostgres } from './helpers/pg.js';

afterAll(cleanupProjects);

const FIXTURE = 'dbt-game-store';
const SEEDS = path.join(DBT_FIXTURES, FIXTURE, 'seeds');
const METHODS = ['card', 'paypal', 'app_store', 'gift_card'];

/** The orders mart, computed from the seeds with correlated subqueries instead of a pivot. */
const expectedOrders = (s: string) => `
  select o.id as order_id, o.player_id, cast(o.ordered_at as varchar) as order_date, o.status,
    ${METHODS.map((m) => `cast(coalesce((select sum(p.amount) from ${s}.raw_payments p where p.order_id = o.id and p.payment_method = '${m}'), 0) as integer) as ${m}_cents,`).join('\n    ')}
    cast(coalesce((select sum(p.amount) from ${s}.raw_payments p where p.order_id = o.id), 0) as integer) as cents
  from ${s}.raw_orders o
  order by o.id`;

const actualOrders = (s: string) => `
  select order_id, player_id, cast(order_date as varchar) as order_date, status,
    ${METHODS.map((m) => `cast(round(${m}_amount * 100) as integer) as ${m}_cents,`).join('\n    ')}
    cast(round(amount * 100) as integer) as cents
  from ${s}.orders
  order by order_id`;

const expectedPlayers = (s: string) => `
  select p.id as player_id, p.username, p.platform, p.country, cast(p.signed_up_at as varchar) as signed_up_on,
    (select cast(min(o.ordered_at) as varchar) from ${s}.raw_orders o where o.player_id = p.id) as first_order_date,
    (select cast(max(o.ordered_at) as varchar) from ${s}.raw_orders o where o.player_id = p.id) as most_recent_order_date,
    (select cast(count(*) as integer) from ${s}.raw_orders o where o.player_id = p.id) as number_of_orders,
    cast(coalesce((
      select sum(pay.amount) from ${s}.raw_payments pay join ${s}.raw_orders o on o.id = pay.order_id
      where o.player_id = p.id and o.status in ('placed', 'completed')
    ), 0) as integer) as lifetime_cents
  from ${s}.raw_players p
  order by p.id`;

const actualPlayers = (s: string) => `
  select player_id, username, platform, country, cast(signed_up_on as varchar) as signed_up_on,
    cast(first_order_date as varchar) as first_order_date, cast(most_recent_order_date as varchar) as most_recent_order_date,
    cast(number_of_orders as integer) as number_of_orders, cast(round(lifetime_value * 100) as integer) as lifetime_cents
  from ${s}.players
  order by player_id`;

const relationTypes = (s: string) => `
  select table_name, table_type from information_schema.tables
  where table_schema = '${s}' and table_name not like '%tform%' order by table_name`;

const pgReady = await requirePostgres();

const WAREHOUSES: { name: string; schema: string; skip: boolean; make: () => { wh: FixtureWarehouse; profiles: () => string } }[] = [
  {
    name: 'duckdb',
    schema: 'main',
    skip: false,
    make: () => ({ wh: duckdbWarehouse('store.duckdb'), profiles: () => dbtProfilesYml({ name: 'game_store', path: 'store.duckdb' }) }),
  },
  {
    name: 'postgres',
    schema: 'game_store',
    skip: !pgReady,
    make: () => {
      const wh = postgresWarehouse();
      return { wh, profiles: () => pgProfilesYml({ dbname: wh.db!().name, profile: 'game_store', schema: 'game_store' }) };
    },
  },
];

for (const w of WAREHOUSES) {
  describe.skipIf(w.skip)(`game store fixture on ${w.name}`, () => {
    const { wh, profiles } = w.make();
    const s = w.schema;
    let dir = '';
    let output = '';

    it('builds unmodified with `tform build` (profiles.yml from DBT_PROFILES_DIR): every seed, model and test passes', async () => {
      dir = copyFixture(FIXTURE);
      const profilesDir = makeProject({ 'profiles.yml': profiles() }, 'tform-profiles-');
      const r = await runCli(['build', '--threads', '4'], { cwd: dir, env: { DBT_PROFILES_DIR: profilesDir }, timeoutMs: 60_000 });
      output = r.output;
      expect(r.code, r.output).toBe(0);
      expect(r.output).toMatch(/Found 5 models, 3 seeds, 21 data tests, 0 sources, 1 macro/);
      expect(r.output).toMatch(/Done\. PASS=29 WARN=0 ERROR=0 SKIP=0 TOTAL=29/);
      const results = readJson(path.join(dir, 'target', 'run_results.json')) as { results: { uniqueId: string; status: string; failures?: number | null }[] };
      const tests = results.results.filter((x) => x.uniqueId.startsWith('test.'));
      expect(tests).toHaveLength(21);
      expect(tests.every((t) => t.status === 'pass' && t.failures === 0), JSON.stringify(tests)).toBe(true);
      const ids = tests.map((t) => t.uniqueId);
      for (const kind of ['unique_', 'not_null_', 'accepted_values_', 'relationships_']) expect(ids.some((i) => i.startsWith(`test.game_store.${kind}`)), kind).toBe(true);
      expect(ids).toContain('test.game_store.assert_order_amount_is_sum_of_payments');
    });

    it('seeds hold the CSV rows, with the column types of the seeds YAML', async () => {
      for (const seed of ['raw_players', 'raw_orders', 'raw_payments']) {
        const csv = csvRows(path.join(SEEDS, `${seed}.csv`));
        const rows = await wh.query(dir, `select count(*) as n from ${s}.${seed}`);
        expect(rows, seed).toEqual([{ n: csv.length }]);
      }
      const obrien = await wh.query(dir, `select username from ${s}.raw_players where id = 7`);
      expect(obrien).toEqual([{ username: "o'brien_of_ulster" }]);
      const types = await wh.query(
        dir,
        `select column_name, data_type from information_schema.columns where table_schema = '${s}' and table_name = 'raw_orders' order by column_name`,
      );
      expect(types.map((t) => `${t.column_name}:${String(t.data_type).toLowerCase()}`)).toEqual(['id:integer', 'ordered_at:date', 'player_id:integer', expect.stringMatching(/^status:(varchar|text|character varying)$/)]);
      const total = csvRows(path.join(SEEDS, 'raw_payments.csv')).reduce((a, r) => a + Number(r.amount), 0);
      expect(await wh.query(dir, `select cast(sum(amount) as integer) as cents from ${s}.raw_payments`)).toEqual([{ cents: total }]);
    });

    it('staging models are views and marts are tables, as dbt_project.yml configures them', async () => {
      const rows = await wh.query(dir, relationTypes(s));
      expect(rows.map((r) => `${r.table_name}:${r.table_type}`)).toEqual([
        'orders:BASE TABLE',
        'players:BASE TABLE',
        'raw_orders:BASE TABLE',
        'raw_payments:BASE TABLE',
        'raw_players:BASE TABLE',
        'stg_orders:VIEW',
        'stg_payments:VIEW',
        'stg_players:VIEW',
      ]);
    });

    it('the orders mart (payment-method pivot from a {% for %} loop) equals an independent query over the seeds', async () => {
      const expected = await wh.query(dir, expectedOrders(s));
      expect(expected).toHaveLength(csvRows(path.join(SEEDS, 'raw_orders.csv')).length);
      expect(await wh.query(dir, actualOrders(s))).toEqual(expected);
      // the loop wrote one column per method, and no trailing comma broke the SQL
      const compiled = fs.readFileSync(path.join(dir, 'target', 'compiled', 'game_store', 'models', 'marts', 'orders.sql'), 'utf8');
      for (const m of METHODS) expect(compiled).toContain(`sum(case when payment_method = '${m}' then amount else 0 end) as ${m}_amount,`);
    });

    it('the players mart equals an independent query over the seeds', async () => {
      const expected = await wh.query(dir, expectedPlayers(s));
      expect(expected).toHaveLength(60);
      expect(expected.filter((r) => r.number_of_orders === 0).length).toBeGreaterThan(0); // players who never bought
      expect(await wh.query(dir, actualPlayers(s))).toEqual(expected);
    });

    it('docs blocks fill descriptions in the manifest, __overview__ included', () => {
      const m = readJson(path.join(dir, 'target', 'manifest.json')) as {
        nodes: Record<string, { description: string; columns: { name: string; description: string }[] }>;
        docs: Record<string, { blockContents: string }>;
      };
      const column = (model: string, name: string) => m.nodes[`model.game_store.${model}`]!.columns.find((c) => c.name === name)!.description;
      const status = column('stg_orders', 'status');
      expect(status).toMatch(/^Where an order is in its life:/);
      expect(status).toContain('| refund_pending | the player asked for a refund; items are locked |');
      expect(column('orders', 'status')).toBe(status);
      expect(column('players', 'lifetime_value')).toMatch(/^Sum of the amounts/);
      expect(m.docs['doc.game_store.__overview__']!.blockContents).toMatch(/^# Game store/);
      // nothing in the project drew a warning (unknown keys, unused config paths, …)
      expect(output.split('\n').filter((l) => /warn/i.test(l) && !/WARN=0/.test(l))).toEqual([]);
    });

    it('a second build rebuilds everything in place with the same results', async () => {
      const profilesDir = makeProject({ 'profiles.yml': profiles() }, 'tform-profiles-');
      const r = await runCli(['build'], { cwd: dir, env: { DBT_PROFILES_DIR: profilesDir }, timeoutMs: 60_000 });
      expect(r.code, r.output).toBe(0);
      expect(r.output).toMatch(/PASS=29 WARN=0 ERROR=0/);
      expect(await wh.query(dir, actualOrders(s))).toEqual(await wh.query(dir, expectedOrders(s)));
    });
  });
}
