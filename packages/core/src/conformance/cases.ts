import assert from 'node:assert/strict';
import { isLockHandle } from '../adapter/types.js';
import { num, type CaseProject } from './harness.js';

export interface ConformanceCase {
  name: string;
  files: Record<string, string>;
  check(p: CaseProject, schema: string): Promise<void>;
}

const statuses = (r: { outcome?: { results: { name: string; status: string }[] } }) =>
  Object.fromEntries((r.outcome?.results ?? []).map((x) => [x.name, x.status]));

async function relations(p: CaseProject, schema: string): Promise<Map<string, string>> {
  const a = await p.adapter();
  try {
    return new Map((await a.listRelations(schema)).map((r) => [r.identifier, r.kind]));
  } finally {
    await a.close();
  }
}

function q(p: CaseProject, schema: string, ident: string): Promise<string> {
  return p.adapter().then(async (a) => {
    const s = a.dialect.relation({ schema, identifier: ident });
    await a.close();
    return s;
  });
}

interface TestRow {
  name: string;
  status: string;
  failures: number | null;
}

async function testResults(p: CaseProject, command: 'test' | 'build' = 'test'): Promise<{ exitCode: number; byName: Record<string, TestRow> }> {
  const r = command === 'test' ? await p.test() : await p.run('build');
  const byName: Record<string, TestRow> = {};
  for (const x of r.outcome?.results ?? []) if (x.resourceType === 'test') byName[x.name] = { name: x.name, status: x.status, failures: x.failures };
  return { exitCode: r.exitCode, byName };
}

/** Events of the microbatch case: user 1 on Jan 1 and 3, user 2 on Jan 2; `more` adds rows. */
const MB_EVENTS = (more: string) =>
  `select * from (values (1, 1, timestamp '2024-01-01 10:00:00', 2.0), (2, 1, timestamp '2024-01-01 11:00:00', 3.0), (3, 2, timestamp '2024-01-02 09:00:00', 1.0), (4, 1, timestamp '2024-01-03 08:00:00', 4.0)${more}) as t(id, user_id, ts, amount)`;

const DATA_TEST_YAML = `version: 2
models:
  - name: orders
    data_tests:
      - row_count:
          name: orders_row_count
          arguments: { min: 1, max: 5 }
      - expression:
          name: orders_amount_positive
          arguments: { expression: "amount > 0" }
    columns:
      - name: id
        data_tests:
          - not_null:
              name: id_not_null
          - unique:
              name: id_unique
      - name: status
        data_tests:
          - accepted_values:
              name: status_accepted
              values: [open, shipped]
      - name: customer_id
        data_tests:
          - relationships:
              name: customer_exists
              to: ref('customers')
              field: id
`;

const GOOD_ORDERS = "select * from (values (1, 'open', 10, 5.0), (2, 'shipped', 11, 7.5), (3, 'open', 10, 1.0)) as t(id, status, customer_id, amount)";
// Injected faults: NULL id (1 not_null), id 4 twice and 5 three times (2 unique values), statuses
// 'lost' twice and 'weird' once (2 accepted_values), customer 99 on two rows (2 relationships),
// amounts 0 and -1 (2 expression; NULL amount is not counted), 9 rows (1 row_count).
const BAD_ORDERS = `select * from (values
  (null, 'open', 10, 5.0), (4, 'lost', 10, 0.0), (4, 'lost', 11, 2.0), (5, 'weird', 99, -1.0),
  (5, 'open', 99, 3.0), (5, 'open', 10, null), (6, 'shipped', null, 1.0), (7, 'open', 11, 2.0), (8, 'open', 10, 2.0)
) as t(id, status, customer_id, amount)`;

export const CASES: ConformanceCase[] = [
  {
    name: 'schemas and naming',
    files: {
      'tform_project.yml': 'name: conformance\nprofile: conformance\nmodels:\n  marts:\n    +schema: marts\n',
      'models/base_m.sql': 'select 1 as id',
      'models/marts/fancy.sql': "{{ config(alias='fancy_alias') }}\nselect id from {{ ref('base_m') }}",
    },
    async check(p, schema) {
      const r = await p.run('run');
      assert.equal(r.exitCode, 0, p.logger.text);
      assert.equal((await relations(p, schema)).get('base_m'), 'view');
      const marts = await relations(p, `${schema}_marts`);
      assert.equal(marts.get('fancy_alias'), 'view');
      assert.equal(marts.has('fancy'), false);
    },
  },
  {
    name: 'seeds',
    files: {
      'seeds/players.csv': 'id,name,score,active,joined,seen_at\n1,Ann,1.5,true,2024-01-02,2024-01-02 10:00:00\n2,"O\'Brien, Bo",,false,,\n3,Zoë,-2.25,true,2024-03-04,2024-03-04 23:59:59\n',
      'tform_project.yml': 'name: conformance\nprofile: conformance\nseeds:\n  players:\n    +column_types:\n      name: varchar(100)\n',
    },
    async check(p, schema) {
      for (let i = 0; i < 2; i++) {
        const r = await p.run('seed');
        assert.equal(r.exitCode, 0, p.logger.text);
        assert.equal(r.outcome!.results[0]!.rowsAffected, 3);
      }
      const rel = await q(p, schema, 'players');
      const rows = await p.query(`select id, name, score, active, joined from ${rel} order by id`);
      assert.equal(rows.length, 3);
      assert.equal(rows[1]!.name, "O'Brien, Bo");
      assert.equal(rows[1]!.score, null);
      assert.equal(rows[1]!.joined, null);
      assert.equal(rows[2]!.name, 'Zoë');
      assert.equal(num(rows[2]!.score), -2.25);
      assert.equal(rows[0]!.active, true);
      assert.equal(num(rows[0]!.id), 1);
    },
  },
  {
    name: 'view and table',
    files: {
      'models/v.sql': "{{ config(materialized='view') }}\nselect 1 as id union all select 2",
      'models/t.sql': "{{ config(materialized='table') }}\nselect id * 10 as id from {{ ref('v') }}",
    },
    async check(p, schema) {
      for (let i = 0; i < 2; i++) assert.equal((await p.run('run')).exitCode, 0, p.logger.text);
      const rels = await relations(p, schema);
      assert.equal(rels.get('v'), 'view');
      assert.equal(rels.get('t'), 'table');
      assert.equal([...rels.keys()].some((k) => k.includes('__tform_tmp')), false, 'no temporary relation left behind');
      const rows = await p.query(`select id from ${await q(p, schema, 't')} order by id`);
      assert.deepEqual(rows.map((r) => num(r.id)), [10, 20]);
      // A model that switches kind replaces the other kind of relation.
      p.write({ 'models/v.sql': "{{ config(materialized='table') }}\nselect 3 as id" });
      assert.equal((await p.run('run')).exitCode, 0, p.logger.text);
      assert.equal((await relations(p, schema)).get('v'), 'table');
    },
  },
  {
    name: 'ephemeral',
    files: {
      'models/eph_a.sql': "{{ config(materialized='ephemeral') }}\nselect 1 as id",
      'models/eph_b.sql': "{{ config(materialized='ephemeral') }}\nselect id + 1 as id from {{ ref('eph_a') }}",
      'models/out.sql': "with x as (select * from {{ ref('eph_b') }})\nselect id from x union all select id from {{ ref('eph_a') }}",
    },
    async check(p, schema) {
      assert.equal((await p.run('run')).exitCode, 0, p.logger.text);
      const rels = await relations(p, schema);
      assert.equal(rels.has('eph_a') || rels.has('eph_b'), false, 'ephemeral models create no relation');
      const rows = await p.query(`select id from ${await q(p, schema, 'out')} order by id`);
      assert.deepEqual(rows.map((r) => num(r.id)), [1, 2]);
    },
  },
  {
    name: 'hooks',
    files: {
      'tform_project.yml': [
        'name: conformance',
        'profile: conformance',
        'on-run-start:',
        '  - "create table if not exists {{ target.schema }}.audit (seq integer, label varchar(40))"',
        "  - \"insert into {{ target.schema }}.audit values (1, 'run-start')\"",
        'on-run-end:',
        "  - \"insert into {{ target.schema }}.audit values (5, 'run-end')\"",
      ].join('\n'),
      'models/m.sql': [
        "{{ config(materialized='table',",
        "  pre_hook=\"insert into {{ target.schema }}.audit values (2, 'pre')\",",
        "  post_hook=[\"insert into {{ target.schema }}.audit values (3, 'post')\", \"insert into {{ target.schema }}.audit select 4, 'post-sees-' || cast(count(*) as varchar(10)) from {{ this }}\"]) }}",
        'select 1 as id',
      ].join('\n'),
    },
    async check(p, schema) {
      assert.equal((await p.run('run', { threads: 1 })).exitCode, 0, p.logger.text);
      const rows = await p.query(`select seq, label from ${await q(p, schema, 'audit')} order by seq`);
      assert.deepEqual(rows.map((r) => r.label), ['run-start', 'pre', 'post', 'post-sees-1', 'run-end']);
    },
  },
  {
    name: 'atomic publish',
    files: {
      'models/t.sql': "{{ config(materialized='table') }}\nselect 1 as id union all select 2 union all select 3",
      'models/v.sql': "{{ config(materialized='view') }}\nselect 7 as id",
    },
    async check(p, schema) {
      assert.equal((await p.run('run')).exitCode, 0, p.logger.text);
      // A build that fails while creating leaves the old relations in place.
      p.write({
        'models/t.sql': "{{ config(materialized='table') }}\nselect no_such_column from {{ ref('v') }}",
        'models/v.sql': "{{ config(materialized='view') }}\nselect missing_col from (select 1 as id) x",
      });
      const r = await p.run('run');
      assert.equal(r.exitCode, 1);
      assert.deepEqual((await p.query(`select id from ${await q(p, schema, 't')} order by id`)).map((x) => num(x.id)), [1, 2, 3]);
      assert.deepEqual((await p.query(`select id from ${await q(p, schema, 'v')}`)).map((x) => num(x.id)), [7]);
      // A failure inside the publish transaction (a post-hook) rolls the swap back.
      p.write({
        'models/t.sql': "{{ config(materialized='table', post_hook='select * from no_such_relation_x') }}\nselect 100 as id",
        'models/v.sql': "{{ config(materialized='view') }}\nselect 7 as id",
      });
      assert.equal((await p.run('run')).exitCode, 1);
      assert.deepEqual((await p.query(`select id from ${await q(p, schema, 't')} order by id`)).map((x) => num(x.id)), [1, 2, 3]);
      const rels = await relations(p, schema);
      assert.equal([...rels.keys()].some((k) => k.includes('__tform_tmp')), false, 'failed builds drop their temporary relation');
    },
  },
  {
    name: 'failure isolation',
    files: {
      'models/a.sql': 'select 1 as id',
      'models/bad.sql': 'select id, no_such_column\nfrom {{ ref("a") }}',
      'models/child.sql': 'select * from {{ ref("bad") }}',
      'models/d.sql': "{{ config(materialized='table') }}\nselect id from {{ ref('a') }}",
    },
    async check(p, schema) {
      const r = await p.run('run');
      assert.equal(r.exitCode, 1);
      assert.deepEqual(statuses(r), { a: 'success', bad: 'error', child: 'skipped', d: 'success' });
      const bad = r.outcome!.results.find((x) => x.name === 'bad')!;
      assert.equal(bad.error?.file, 'models/bad.sql');
      assert.ok((await relations(p, schema)).has('d'));
    },
  },
  {
    name: 'lock',
    files: { 'models/a.sql': 'select 1 as id' },
    async check(p) {
      const a1 = await p.adapter();
      const a2 = await p.adapter();
      try {
        const first = await a1.lock('tform:conformance:dev', { wait: false, command: 'first' });
        assert.ok(isLockHandle(first), 'first lock is granted');
        const second = await a2.lock('tform:conformance:dev', { wait: false, command: 'second' });
        assert.ok(!isLockHandle(second), 'second lock is refused while the first is held');
        assert.equal(second.heldBy.command, 'first');
        assert.equal(second.heldBy.pid, process.pid);
        await first.release();
        const third = await a2.lock('tform:conformance:dev', { wait: false, command: 'third' });
        assert.ok(isLockHandle(third), 'lock is free after release');
        await third.release();
      } finally {
        await a1.close();
        await a2.close();
      }
    },
  },
  {
    name: 'odd identifiers',
    files: {
      'models/reserved.sql': "{{ config(alias='select', materialized='table') }}\nselect 1 as \"order\", 2 as \"Mixed Case\", 3 as \"with space\"",
      'models/mixed.sql': "{{ config(alias='MixedCase Table', materialized='table') }}\nselect \"order\" from {{ ref('reserved') }}",
      'models/uni.sql': "{{ config(alias='ünïcødé_名前') }}\nselect \"Mixed Case\" as \"列\" from {{ ref('reserved') }}",
    },
    async check(p, schema) {
      for (let i = 0; i < 2; i++) assert.equal((await p.run('run')).exitCode, 0, p.logger.text);
      const rels = await relations(p, schema);
      for (const n of ['select', 'MixedCase Table', 'ünïcødé_名前']) assert.ok(rels.has(n), `relation ${n} exists (have: ${[...rels.keys()].join(', ')})`);
      const rows = await p.query(`select "order", "Mixed Case", "with space" from ${await q(p, schema, 'select')}`);
      assert.deepEqual([num(rows[0]!.order), num(rows[0]!['Mixed Case']), num(rows[0]!['with space'])], [1, 2, 3]);
      const u = await p.query(`select "列" from ${await q(p, schema, 'ünïcødé_名前')}`);
      assert.equal(num(u[0]!['列']), 2);
    },
  },
  {
    name: 'type round-trip and NULLs',
    files: {
      'models/types.sql': [
        "{{ config(materialized='table') }}",
        'select',
        '  cast(42 as integer) as i,',
        '  cast(9007199254740993 as bigint) as big,',
        '  cast(12345.67 as decimal(12, 2)) as dec,',
        "  cast('it''s ünïcode' as varchar(50)) as txt,",
        '  cast(true as boolean) as flag,',
        "  cast('2024-02-29' as date) as d,",
        "  cast('2024-03-10 01:30:00+00' as timestamp with time zone) as ts,",
        "  cast('{\"a\": [1, 2], \"b\": \"x\"}' as json) as j",
        'union all',
        'select cast(null as integer), cast(null as bigint), cast(null as decimal(12, 2)), cast(null as varchar(50)),',
        '  cast(null as boolean), cast(null as date), cast(null as timestamp with time zone), cast(null as json)',
      ].join('\n'),
    },
    async check(p, schema) {
      assert.equal((await p.run('run')).exitCode, 0, p.logger.text);
      const rows = await p.query(`select * from ${await q(p, schema, 'types')} order by i nulls last`);
      assert.equal(rows.length, 2);
      const [r, n] = rows as [Record<string, unknown>, Record<string, unknown>];
      assert.equal(num(r.i), 42);
      assert.equal(BigInt(r.big as string | number | bigint), 9007199254740993n);
      assert.equal(Number(r.dec), 12345.67);
      assert.equal(r.txt, "it's ünïcode");
      assert.equal(r.flag, true);
      const d = r.d instanceof Date ? r.d.toISOString().slice(0, 10) : String(r.d);
      assert.equal(d, '2024-02-29');
      assert.ok(r.ts instanceof Date, 'timestamptz comes back as Date');
      assert.equal((r.ts as Date).toISOString(), '2024-03-10T01:30:00.000Z');
      const j = typeof r.j === 'string' ? JSON.parse(r.j) : r.j;
      assert.deepEqual(j, { a: [1, 2], b: 'x' });
      for (const k of ['i', 'big', 'dec', 'txt', 'flag', 'd', 'ts', 'j']) assert.equal(n[k], null, `NULL ${k} stays NULL`);
    },
  },
  {
    name: 'data tests: counts on good and bad data',
    files: {
      'models/customers.sql': "{{ config(materialized='table') }}\nselect * from (values (10), (11)) as t(id)",
      'models/orders.sql': `{{ config(materialized='table') }}\n${GOOD_ORDERS}`,
      'models/schema.yml': DATA_TEST_YAML,
    },
    async check(p) {
      assert.equal((await p.run('run')).exitCode, 0, p.logger.text);
      const good = await testResults(p);
      assert.equal(good.exitCode, 0, p.logger.text);
      for (const t of Object.values(good.byName)) assert.deepEqual([t.name, t.status, t.failures], [t.name, 'pass', 0]);
      assert.equal(Object.keys(good.byName).length, 6);
      p.write({ 'models/orders.sql': `{{ config(materialized='table') }}\n${BAD_ORDERS}` });
      assert.equal((await p.run('run')).exitCode, 0, p.logger.text);
      const bad = await testResults(p);
      assert.equal(bad.exitCode, 1);
      const got = Object.fromEntries(Object.values(bad.byName).map((t) => [t.name, [t.status, t.failures]]));
      assert.deepEqual(got, {
        id_not_null: ['fail', 1],
        id_unique: ['fail', 2],
        status_accepted: ['fail', 2],
        customer_exists: ['fail', 2],
        orders_amount_positive: ['fail', 2],
        orders_row_count: ['fail', 1],
      } as Record<string, unknown>);
    },
  },
  {
    name: 'data tests gate publication',
    files: {
      'models/gold.sql': "{{ config(materialized='table') }}\nselect * from (values (1, 'a'), (2, 'b')) as t(id, v)",
      'models/after.sql': "select count(*) as n from {{ ref('gold') }}",
      'models/schema.yml': `version: 2
models:
  - name: gold
    columns:
      - name: id
        data_tests: [unique]
      - name: v
        data_tests:
          - accepted_values:
              values: [a, b]
              config: { severity: warn }
`,
    },
    async check(p, schema) {
      assert.equal((await p.run('build')).exitCode, 0, p.logger.text);
      const before = await p.query(`select id, v from ${await q(p, schema, 'gold')} order by id`);
      // The new version duplicates id 2: unique (error severity) fails, nothing is published.
      p.write({ 'models/gold.sql': "{{ config(materialized='table') }}\nselect * from (values (1, 'a'), (2, 'b'), (2, 'z')) as t(id, v)" });
      const r = await p.run('build');
      assert.equal(r.exitCode, 1);
      assert.deepEqual(statuses(r), { gold: 'error', after: 'skipped', unique_gold_id: 'fail', accepted_values_gold_v__a__b: 'warn' });
      assert.deepEqual(await p.query(`select id, v from ${await q(p, schema, 'gold')} order by id`), before);
      assert.equal([...(await relations(p, schema)).keys()].some((k) => k.includes('__tform_tmp')), false);
      // A warning alone publishes.
      p.write({ 'models/gold.sql': "{{ config(materialized='table') }}\nselect * from (values (1, 'a'), (3, 'z')) as t(id, v)" });
      const w = await p.run('build');
      assert.equal(w.exitCode, 0, p.logger.text);
      assert.deepEqual((await p.query(`select id from ${await q(p, schema, 'gold')} order by id`)).map((x) => num(x.id)), [1, 3]);
    },
  },
  {
    name: 'data tests: freshness, percent_change, custom generic and singular',
    files: {
      // Daily events for 2024-03-01..03-05; the 5th has a third of the 4th's rows (a drop).
      'models/events.sql': [
        "{{ config(materialized='table') }}",
        'select cast(d as date) as event_date, cast(d as timestamp) + cast(n as integer) * interval \'1\' minute as loaded_at, n as n',
        "from (values ('2024-03-01', 1), ('2024-03-01', 2), ('2024-03-01', 3), ('2024-03-02', 1), ('2024-03-02', 2), ('2024-03-02', 3),",
        "  ('2024-03-03', 1), ('2024-03-03', 2), ('2024-03-03', 3), ('2024-03-04', 1), ('2024-03-04', 2), ('2024-03-04', 3), ('2024-03-05', 1)) as t(d, n)",
      ].join('\n'),
      'tests/generic/is_positive.sql': '{% test is_positive(model, column_name) %}\nselect * from {{ model }} where {{ column_name }} <= 0\n{% endtest %}\n',
      'tests/no_future_rows.sql': "select * from {{ ref('events') }} where event_date > cast('2024-03-05' as date)",
      'models/schema.yml': `version: 2
models:
  - name: events
    data_tests:
      - freshness:
          name: events_fresh
          arguments: { loaded_at_field: loaded_at, warn_after: { count: 1, period: day }, error_after: { count: 3, period: day } }
      - percent_change:
          name: events_daily_rows
          arguments: { time_column: event_date, grain: day, threshold_percent: 50, direction: down }
    columns:
      - name: n
        data_tests: [is_positive]
`,
    },
    async check(p) {
      assert.equal((await p.run('run')).exitCode, 0, p.logger.text);
      // Just after midnight on 03-06 the 5th is the latest complete day: 1 row against 3 (-67%) is
      // a drop; the newest row (03-05 00:01) is under a day old, so the data is fresh.
      const r = await p.test('2024-03-06T00:00:30Z');
      const got = Object.fromEntries((r.outcome?.results ?? []).map((x) => [x.name, [x.status, x.failures]]));
      assert.deepEqual(got, {
        events_fresh: ['pass', 0],
        events_daily_rows: ['fail', 1],
        is_positive_events_n: ['pass', 0],
        no_future_rows: ['pass', 0],
      } as Record<string, unknown>);
      // Two days later the data is late (warn); five days later it is stale (fail).
      const late = await p.test('2024-03-07T12:00:00Z');
      assert.equal(late.outcome?.results.find((x) => x.name === 'events_fresh')?.status, 'warn');
      const stale = await p.test('2024-03-10T00:00:00Z');
      assert.equal(stale.outcome?.results.find((x) => x.name === 'events_fresh')?.status, 'fail');
    },
  },
  {
    name: 'incremental strategies',
    files: {
      'models/src.sql': "{{ config(materialized='table') }}\nselect * from (values (1, 'a', 1), (2, 'b', 1)) as t(id, v, batch)",
      'models/appended.sql': "{{ config(materialized='incremental') }}\nselect id, v, batch from {{ ref('src') }}\n{% if is_incremental() %}where batch > (select max(batch) from {{ this }}){% endif %}",
      'models/merged.sql': "{{ config(materialized='incremental', unique_key='id', incremental_strategy='merge') }}\nselect id, v, batch from {{ ref('src') }}\n{% if is_incremental() %}where batch >= (select max(batch) from {{ this }}){% endif %}",
      'models/replaced.sql': "{{ config(materialized='incremental', unique_key=['id'], incremental_strategy='delete+insert', on_schema_change='append_new_columns') }}\nselect id, v, batch from {{ ref('src') }}",
      'models/schema.yml': 'version: 2\nmodels:\n  - name: merged\n    columns:\n      - name: v\n        data_tests:\n          - accepted_values:\n              values: [a, b, B, c]\n',
    },
    async check(p, schema) {
      const rows = async (name: string, cols = 'id, v, batch') =>
        (await p.query(`select ${cols} from ${await q(p, schema, name)} order by id, batch`)).map((r) => Object.values(r).map((x) => (typeof x === 'bigint' || typeof x === 'number' ? Number(x) : x)));
      assert.equal((await p.run('build')).exitCode, 0, p.logger.text);
      // Batch 2 changes b, adds c.
      p.write({ 'models/src.sql': "{{ config(materialized='table') }}\nselect * from (values (1, 'a', 1), (2, 'B', 2), (3, 'c', 2)) as t(id, v, batch)" });
      assert.equal((await p.run('build')).exitCode, 0, p.logger.text);
      assert.deepEqual(await rows('appended'), [[1, 'a', 1], [2, 'b', 1], [2, 'B', 2], [3, 'c', 2]]);
      assert.deepEqual(await rows('merged'), [[1, 'a', 1], [2, 'B', 2], [3, 'c', 2]]);
      assert.deepEqual(await rows('replaced'), [[1, 'a', 1], [2, 'B', 2], [3, 'c', 2]]);
      // Rerunning the same batch changes nothing for merge and delete+insert.
      assert.equal((await p.run('build')).exitCode, 0, p.logger.text);
      assert.deepEqual(await rows('merged'), [[1, 'a', 1], [2, 'B', 2], [3, 'c', 2]]);
      assert.deepEqual(await rows('replaced'), [[1, 'a', 1], [2, 'B', 2], [3, 'c', 2]]);
      // A failing test rolls the new rows back: 'zz' is not an accepted value.
      p.write({ 'models/src.sql': "{{ config(materialized='table') }}\nselect * from (values (1, 'a', 1), (2, 'B', 2), (3, 'zz', 3)) as t(id, v, batch)" });
      const bad = await p.run('build');
      assert.equal(bad.exitCode, 1);
      assert.deepEqual(await rows('merged'), [[1, 'a', 1], [2, 'B', 2], [3, 'c', 2]]);
      // A new column is appended by on_schema_change: append_new_columns.
      p.write({ 'models/src.sql': "{{ config(materialized='table') }}\nselect *, id * 10 as score from (values (1, 'a', 1), (2, 'B', 2), (3, 'c', 2)) as t(id, v, batch)" });
      p.write({ 'models/replaced.sql': "{{ config(materialized='incremental', unique_key=['id'], incremental_strategy='delete+insert', on_schema_change='append_new_columns') }}\nselect id, v, batch, score from {{ ref('src') }}" });
      assert.equal((await p.run('build')).exitCode, 0, p.logger.text);
      assert.deepEqual(await rows('replaced', 'id, score'), [[1, 10], [2, 20], [3, 30]]);
    },
  },
  {
    name: 'microbatch models and panels',
    files: {
      'models/events.sql': "{{ config(materialized='table', event_time='ts') }}\n" + MB_EVENTS(''),
      'models/mb.sql': "{{ config(materialized='incremental', incremental_strategy='microbatch', event_time='ts', batch_size='day', begin='2024-01-01', lookback=1) }}\nselect id, user_id, ts, amount from {{ ref('events') }}",
      'models/daily.sql': "{{ config(materialized='panel', entity='user_id', event_time='day', batch_size='day', begin='2024-01-01') }}\nselect user_id, cast(ts as date) as day, count(*) as n, sum(amount) as amount from {{ ref('mb') }} group by user_id, cast(ts as date)",
      'models/lifetime.sql': "{{ config(materialized='panel', panel_of='daily') }}\n",
      'models/schema.yml': 'version: 2\nmodels:\n  - name: lifetime\n    config:\n      folds:\n        n: sum\n        amount: sum\n        first_day: {min: day}\n        last_day: {max: day}\n        days: {count: day}\n        last_amount: {last: amount}\n    columns:\n      - name: user_id\n        data_tests: [unique, not_null]\n',
    },
    async check(p, schema) {
      const rel = (n: string) => q(p, schema, n);
      const rows = async (sql: string) => (await p.query(sql)).map((r) => Object.values(r).map((x) => (x instanceof Date ? x.toISOString().slice(0, 10) : typeof x === 'bigint' || typeof x === 'number' || (typeof x === 'string' && /^-?\d+(\.\d+)?$/.test(x)) ? num(x) : x)));
      const lifetime = async () => rows(`select user_id, n, amount, cast(first_day as varchar(10)), cast(last_day as varchar(10)), days, last_amount from ${await rel('lifetime')} order by user_id`);
      // What the lifetime panel must equal: a full recompute from the daily panel.
      const recompute = async () =>
        rows(`select user_id, sum(n), sum(amount), cast(min(day) as varchar(10)), cast(max(day) as varchar(10)), count(day),
  (select d2.amount from ${await rel('daily')} d2 where d2.user_id = d.user_id and d2.amount is not null order by d2.day desc limit 1)
from ${await rel('daily')} d group by user_id order by user_id`);
      const ok = async (now: string, o: { backfill?: { start: string; end: string }; fullRefresh?: boolean } = {}) => {
        const r = await p.run('build', { now, ...o });
        assert.equal(r.exitCode, 0, p.logger.text);
        return r;
      };
      await ok('2024-01-03T12:00:00Z');
      assert.deepEqual(await rows(`select user_id, cast(day as varchar(10)), n, amount from ${await rel('daily')} order by day, user_id`), [
        [1, '2024-01-01', 2, 5],
        [2, '2024-01-02', 1, 1],
        [1, '2024-01-03', 1, 4],
      ]);
      assert.deepEqual(await lifetime(), [
        [1, 3, 9, '2024-01-01', '2024-01-03', 2, 4],
        [2, 1, 1, '2024-01-02', '2024-01-02', 1, 1],
      ]);
      // A day later: a late event for 2024-01-03 (inside lookback) and the new day's events.
      p.write({ 'models/events.sql': "{{ config(materialized='table', event_time='ts') }}\n" + MB_EVENTS(", (5, 2, timestamp '2024-01-03 23:00:00', 2.5), (6, 3, timestamp '2024-01-04 01:00:00', null)") });
      await ok('2024-01-04T06:00:00Z');
      assert.deepEqual(await lifetime(), await recompute());
      assert.equal((await lifetime()).length, 3);
      // Rerunning the same interval replaces it: nothing changes, nothing is duplicated.
      const before = await rows(`select user_id, day, n, amount from ${await rel('daily')} order by day, user_id`);
      await ok('2024-01-04T06:00:00Z', { backfill: { start: '2024-01-03', end: '2024-01-03' } });
      assert.deepEqual(await rows(`select user_id, day, n, amount from ${await rel('daily')} order by day, user_id`), before);
      // A late event outside lookback is picked up by a backfill of its day.
      p.write({ 'models/events.sql': "{{ config(materialized='table', event_time='ts') }}\n" + MB_EVENTS(", (5, 2, timestamp '2024-01-03 23:00:00', 2.5), (6, 3, timestamp '2024-01-04 01:00:00', null), (7, 3, timestamp '2024-01-01 08:00:00', 7.0)") });
      await ok('2024-01-04T07:00:00Z');
      assert.equal((await lifetime()).find((r) => r[0] === 3)?.[1], 1);
      await ok('2024-01-04T07:00:00Z', { backfill: { start: '2024-01-01', end: '2024-01-01' } });
      assert.deepEqual(await lifetime(), await recompute());
      assert.deepEqual((await lifetime()).find((r) => r[0] === 3), [3, 2, 7, '2024-01-01', '2024-01-04', 2, 7]);
      // A NULL entity is refused: the run fails and the tables stay as they were.
      const kept = await lifetime();
      p.write({ 'models/events.sql': "{{ config(materialized='table', event_time='ts') }}\n" + MB_EVENTS(", (5, 2, timestamp '2024-01-03 23:00:00', 2.5), (6, 3, timestamp '2024-01-04 01:00:00', null), (7, 3, timestamp '2024-01-01 08:00:00', 7.0), (8, null, timestamp '2024-01-04 09:00:00', 1.0)") });
      const bad = await p.run('build', { now: '2024-01-04T10:00:00Z' });
      assert.equal(bad.exitCode, 1);
      assert.match(p.logger.text, /NULL entity/);
      assert.deepEqual(await lifetime(), kept);
      // A full refresh gives the same tables as the incremental runs.
      p.write({ 'models/events.sql': "{{ config(materialized='table', event_time='ts') }}\n" + MB_EVENTS(", (5, 2, timestamp '2024-01-03 23:00:00', 2.5), (6, 3, timestamp '2024-01-04 01:00:00', null), (7, 3, timestamp '2024-01-01 08:00:00', 7.0)") });
      await ok('2024-01-04T10:00:00Z');
      const incremental = await lifetime();
      await ok('2024-01-04T10:00:00Z', { fullRefresh: true });
      assert.deepEqual(await lifetime(), incremental);
    },
  },
];
