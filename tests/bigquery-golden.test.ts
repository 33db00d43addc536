/**
 * Golden SQL of every materialization in the BigQuery dialect: view, table (partitioned and
 * clustered), ephemeral, seed (load job), incremental (each strategy × on_schema_change), the
 * batches of microbatch models and panels (insert_overwrite), lifetime panels, the state layout
 * and the run lock — and the example project (project/) compiled and planned for a bigquery
 * target. Pure: statements come from planning and from the materializations, nothing connects
 * (every outgoing connection of the process is refused and recorded).
 *
 * UPDATE_GOLDEN=1 npx vitest run tests/bigquery-golden.test.ts rewrites the golden files.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  STATE_MIGRATIONS,
  TformError,
  batchPublish,
  boundLiteral,
  checksumBucketsQuery,
  incrementalPublish,
  isIncrementalBuild,
  lifetimeFoldSql,
  lifetimeFullSql,
  lifetimeRecomputeSql,
  materialize,
  setVersionStatement,
  stateTables,
  type Capabilities,
  type ColumnInfo,
  type MaterializeContext,
  type ModelNode,
  type PlanStep,
  type RelationInfo,
  type Statement,
} from '@tform/core';
import { BigQueryDialect, lockStatements } from '@tform/adapters/bigquery';
import { basicProject, cleanupProjects, repoRoot } from './helpers/fixture.js';
import { expectGolden, formatPlan, formatStep, normalisePaths } from './helpers/golden.js';
import { planWith, withProject } from './helpers/inprocess.js';
import { guardNetwork } from './helpers/bigqueryStandIn.js';

const GOLDEN = path.join(import.meta.dirname, 'golden', 'bigquery');
const net = guardNetwork();
afterEach(cleanupProjects);
afterAll(() => {
  net.restore();
  expect(net.attempts).toEqual([]);
});

const BQ_PROFILE = ['proj:', '  target: dev', '  outputs:', '    dev:', '      type: bigquery', '      project: acme-analytics', '      dataset: analytics', '      location: EU', '      threads: 1', ''].join('\n');

/** A temp project with a BigQuery profile, planned as `tform build` would with `existing` relations. */
async function goldenPlan(files: Record<string, string>, o: { project?: string; existing?: RelationInfo[]; select?: string[] } = {}): Promise<string> {
  const root = basicProject({ ...files, 'profiles.yml': BQ_PROFILE }, { project: o.project });
  return withProject(root, (p) => {
    expect(p.dialect).toBeInstanceOf(BigQueryDialect);
    return normalisePaths(formatPlan(planWith(p, { existing: o.existing, select: o.select })), root);
  });
}

const table = (identifier: string, schema = 'analytics'): RelationInfo => ({ schema, identifier, kind: 'table' });
const view = (identifier: string, schema = 'analytics'): RelationInfo => ({ schema, identifier, kind: 'view' });

describe('golden BigQuery SQL: views, tables, ephemerals, seeds', () => {
  it('view, nothing exists yet: a tmp view is built (and tested), then create or replace view from the SQL; the tmp view is dropped', async () => {
    const text = await goldenPlan({ 'models/customers.sql': "select 1 as id, 'a' as name\n" });
    expectGolden(path.join(GOLDEN, 'view.sql'), text);
    expect(text).toContain('create or replace view `acme-analytics`.`analytics`.`customers` as (');
  });

  it('view replacing an existing table of the name: the table is dropped first', async () => {
    const text = await goldenPlan({ 'models/customers.sql': 'select 1 as id\n' }, { existing: [table('customers')] });
    expectGolden(path.join(GOLDEN, 'view_replaces_table.sql'), text);
    expect(text.indexOf('drop table if exists `acme-analytics`.`analytics`.`customers`;')).toBeLessThan(text.indexOf('create or replace view'));
  });

  it('table over an existing table with hooks: tmp table, then the WRITE_TRUNCATE copy job, drop tmp, post-hooks', async () => {
    const text = await goldenPlan(
      {
        'models/marts/orders.sql': `{{ config(materialized='table', pre_hook="delete from audit.log where model = '{{ this.name }}'", post_hook="insert into audit.log (model) values ('{{ this.name }}')") }}\nselect\n  1 as order_id,\n  10.5 as amount\n`,
      },
      { existing: [table('orders', 'analytics_marts')], project: 'models:\n  marts:\n    +schema: marts\n' },
    );
    expectGolden(path.join(GOLDEN, 'table_existing.sql'), text);
    expect(text).toContain('-- tform:job {"copy":{"source":{"projectId":"acme-analytics","datasetId":"analytics_marts","tableId":"orders__tform_tmp"},"destination":{"projectId":"acme-analytics","datasetId":"analytics_marts","tableId":"orders"},"writeDisposition":"WRITE_TRUNCATE"}}');
  });

  it('table with partition_by and cluster_by, where a view of the name and a stale tmp table exist', async () => {
    const text = await goldenPlan(
      {
        'models/events.sql': "{{ config(materialized='table', partition_by={'field': 'event_ts', 'data_type': 'timestamp', 'granularity': 'hour'}, cluster_by=['country', 'platform']) }}\nselect current_timestamp() as event_ts, 'DE' as country, 'ios' as platform\n",
        'models/buckets.sql': "{{ config(materialized='table', partition_by={'field': 'bucket', 'data_type': 'int64', 'range': {'start': 0, 'end': 100, 'interval': 10}}) }}\nselect 7 as bucket\n",
        'models/monthly.sql': "{{ config(materialized='table', partition_by={'field': 'day', 'granularity': 'month'}) }}\nselect current_date() as day\n",
      },
      { existing: [view('events'), table('events__tform_tmp')] },
    );
    expectGolden(path.join(GOLDEN, 'table_partitioned.sql'), text);
    expect(text).toContain('partition by timestamp_trunc(`event_ts`, HOUR)\ncluster by `country`, `platform`\nas (');
    expect(text).toContain('partition by range_bucket(`bucket`, generate_array(0, 100, 10))');
    expect(text).toContain('partition by date_trunc(`day`, MONTH)');
  });

  it('quoting: a custom schema and an alias with a space and a backtick; grants to principals', async () => {
    const text = await goldenPlan(
      { 'models/odd.sql': "{{ config(materialized='table', alias='Order `Items` v2', grants={'select': ['user:ana@example.com', 'group:bi@example.com']}) }}\nselect 1 as `Weird col`\n" },
      { project: 'models:\n  +schema: Sales\n' },
    );
    expectGolden(path.join(GOLDEN, 'quoting.sql'), text);
    expect(text).toContain('`acme-analytics`.`analytics_Sales`.`Order \\`Items\\` v2__tform_tmp`');
    expect(text).toContain("grant `roles/bigquery.dataViewer` on table `acme-analytics`.`analytics_Sales`.`Order \\`Items\\` v2` to 'user:ana@example.com', 'group:bi@example.com'");
  });

  it('an ephemeral model is inlined as a CTE and has no step', async () => {
    const text = await goldenPlan({
      'models/base_orders.sql': "{{ config(materialized='ephemeral') }}\nselect 1 as order_id, 5 as amount\n",
      'models/big_orders.sql': "select *\nfrom {{ ref('base_orders') }}\nwhere amount > 1\n",
    });
    expectGolden(path.join(GOLDEN, 'ephemeral.sql'), text);
    expect(text).not.toContain('-- model base_orders');
  });

  it('a seed: a load job of the CSV into the tmp table with the inferred and configured types, then the copy job', async () => {
    const text = await goldenPlan(
      {
        'seeds/countries.csv': 'code;name;population;share;joined;active\nDE;Germany;84000000;0.5;2024-01-01;true\nFR;France;68000000;0.25;2024-02-01;false\n',
        'seeds/schema.yml': 'version: 2\nseeds:\n  - name: countries\n    config:\n      delimiter: ";"\n      column_types:\n        code: string(2)\n        share: numeric(5, 4)\n',
      },
      { project: 'seeds:\n  +schema: raw\n', existing: [table('countries', 'analytics_raw')] },
    );
    expectGolden(path.join(GOLDEN, 'seed.sql'), text);
    expect(text).toContain('"fields":[{"name":"code","type":"STRING","mode":"NULLABLE","maxLength":"2"},{"name":"name","type":"STRING","mode":"NULLABLE"},{"name":"population","type":"INTEGER","mode":"NULLABLE"},{"name":"share","type":"NUMERIC","mode":"NULLABLE","precision":"5","scale":"4"}');
    expect(text).toContain('"file":"<PROJECT_DIR>/seeds/countries.csv"');
  });
});

// ---- incremental, batches, lifetime: straight from the materializations ----

const CAPS: Capabilities = { transactionalDdl: false, merge: true, rename: false, schemas: true, concurrentReaders: true, parallelSchemaCreation: true, readLocalCsv: false, loadFiles: false };
const d = new BigQueryDialect({ project: 'acme-analytics', location: 'EU' });
const MODEL_SQL = 'select *\nfrom `acme-analytics`.`analytics`.`new_orders`\n';

function model(config: Record<string, unknown>, materialized = 'incremental', name = 'orders'): ModelNode {
  return {
    uniqueId: `model.proj.${name}`,
    name,
    packageName: 'proj',
    path: `models/${name}.sql`,
    fqn: ['proj', name],
    description: '',
    tags: [],
    meta: {},
    config: { materialized, ...config },
    columns: [],
    schema: 'analytics',
    alias: name,
    relationName: `\`acme-analytics\`.\`analytics\`.\`${name}\``,
    dependsOn: { nodes: [], macros: [] },
    resourceType: 'model',
    materialized,
    rawCode: MODEL_SQL,
    checksum: '0',
    refs: [],
    sources: [],
    vars: [],
    envVars: [],
    compiledCode: MODEL_SQL,
    compiledPath: `target/compiled/proj/models/${name}.sql`,
  };
}

const mk = (types: [string, string][]): ColumnInfo[] => types.map(([name, type]) => ({ name, type }));
const C = {
  target: mk([['id', 'INT64'], ['k2', 'INT64'], ['amount', 'NUMERIC'], ['note', 'STRING'], ['old_col', 'STRING']]),
  changed: mk([['id', 'INT64'], ['k2', 'INT64'], ['amount', 'FLOAT64'], ['note', 'STRING'], ['new_col', 'INT64']]),
};
const ctxFor = (o: Partial<MaterializeContext> = {}, name = 'orders'): MaterializeContext => ({ dialect: d, capabilities: CAPS, relation: { schema: 'analytics', identifier: name }, preHooks: [], postHooks: [], ...o });
const existing = (kind: RelationInfo['kind'] = 'table', name = 'orders'): RelationInfo => ({ schema: 'analytics', identifier: name, kind });
const cols = (list: ColumnInfo[] | undefined) => (list ? list.map((c) => `${c.name} ${c.type}`).join(', ') : '(none)');

function section(title: string, list: Statement[]): string[] {
  return list.length ? list.flatMap((s) => [`-- ${title}: ${s.label}`, `${s.sql};`]) : [`-- ${title}: (none)`];
}

function incrementalText(node: ModelNode, ctx: MaterializeContext, tmpColumns?: ColumnInfo[]): string {
  const st = materialize(node, ctx);
  const incremental = isIncrementalBuild(node, ctx);
  const header = [`-- config: ${JSON.stringify(Object.fromEntries(Object.entries(node.config).filter(([k]) => k !== 'materialized')))}`, `-- existing: ${ctx.existing ? ctx.existing.kind : '(none)'}`, `-- mode: ${incremental ? 'incremental run' : 'rebuild (table)'}`];
  let publish = st.publish;
  const body: string[] = [];
  if (incremental) {
    header.push(`-- target columns: ${cols(ctx.existingColumns)}`, `-- tmp columns: ${cols(tmpColumns)}`);
    try {
      publish = incrementalPublish(node, ctx, tmpColumns!);
    } catch (e) {
      if (!(e instanceof TformError)) throw e;
      publish = [];
      body.push(`-- publish refused: ${e.message}`);
    }
  }
  const step = { ...st, publish, resourceType: 'model', name: node.name, materialized: 'incremental', relationName: d.relation(ctx.relation) } as unknown as PlanStep;
  return [...header, formatStep(step), ...body].join('\n') + '\n';
}

describe('golden BigQuery SQL: incremental models', () => {
  const incr = (o: Partial<MaterializeContext> = {}) => ctxFor({ existing: existing(), existingColumns: C.target, ...o });
  const cases: { name: string; config: Record<string, unknown> }[] = [
    { name: 'append', config: { incremental_strategy: 'append' } },
    { name: 'merge', config: { incremental_strategy: 'merge', unique_key: ['id', 'k2'] } },
    { name: 'delete_insert', config: { incremental_strategy: 'delete+insert', unique_key: ['id', 'k2'] } },
  ];

  it('first run: built like a table (partitioned as configured), published by the copy job', () => {
    const text = incrementalText(model({ unique_key: 'id', partition_by: { field: 'day', data_type: 'date', granularity: 'day' } }), ctxFor());
    expectGolden(path.join(GOLDEN, 'incremental', 'first_run.sql'), text);
    expect(text).toContain('-- tform:job {"copy"');
  });

  for (const c of cases) {
    it(`${c.name}, columns unchanged`, () => {
      const text = incrementalText(model(c.config), incr(), C.target);
      expectGolden(path.join(GOLDEN, 'incremental', `${c.name}__unchanged.sql`), text);
    });
    for (const mode of ['append_new_columns', 'sync_all_columns'] as const) {
      it(`${c.name}, on_schema_change ${mode}`, () => {
        const text = incrementalText(model({ ...c.config, on_schema_change: mode }), incr(), C.changed);
        expectGolden(path.join(GOLDEN, 'incremental', `${c.name}__${mode}.sql`), text);
        expect(text).toContain('add column `new_col` INT64');
      });
    }
  }

  it('merge on a key that is every column: no update clause (BigQuery has no "do nothing")', () => {
    const st = incrementalPublish(model({ incremental_strategy: 'merge', unique_key: ['id'] }), incr({ existingColumns: mk([['id', 'INT64']]) }), mk([['id', 'INT64']]));
    const merge = st.find((s) => s.label === 'merge')!.sql;
    expect(merge).toBe('merge into `acme-analytics`.`analytics`.`orders` as t\nusing `acme-analytics`.`analytics`.`orders__tform_tmp` as s\non t.`id` = s.`id`\nwhen not matched then insert (`id`) values (s.`id`)');
  });
});

describe('golden BigQuery SQL: microbatch models, panels and lifetime panels', () => {
  const day = (s: string) => new Date(`${s}T00:00:00Z`);
  const range = { start: day('2024-03-02'), end: day('2024-03-03') };

  it('a microbatch batch: checks, on_schema_change DDL, insert_overwrite MERGE of the day, drop tmp; its interval fingerprints', () => {
    const node = model({ incremental_strategy: 'microbatch', event_time: 'event_ts', batch_size: 'day', begin: '2024-03-01', on_schema_change: 'append_new_columns', partition_by: { field: 'event_ts', data_type: 'timestamp', granularity: 'day' } }, 'incremental', 'stg_events');
    const target = mk([['event_id', 'INT64'], ['event_ts', 'TIMESTAMP']]);
    const tmp = mk([['event_id', 'INT64'], ['event_ts', 'TIMESTAMP'], ['country', 'STRING']]);
    const st = batchPublish(node, ctxFor({ existing: existing('table', 'stg_events'), existingColumns: target }, 'stg_events'), { range, incremental: true, last: true, tmpColumns: tmp, bound: boundLiteral(d, false) });
    const text = [...section('publish of batch 2024-03-02 (one transaction)', st), '-- the interval fingerprints, read from tmp before the transaction:', `${checksumBucketsQuery(d, { schema: 'analytics', identifier: 'stg_events__tform_tmp' }, 'event_ts')};`].join('\n') + '\n';
    expectGolden(path.join(GOLDEN, 'batches', 'microbatch_batch.sql'), text);
    expect(text).toContain("when not matched by source and t.`event_ts` >= timestamp '2024-03-02 00:00:00' and t.`event_ts` < timestamp '2024-03-03 00:00:00' then delete");
    expect(text).not.toContain('delete from `acme-analytics`.`analytics`.`stg_events`');
  });

  it('a panel batch on a DATE grain: entity checks, then the insert_overwrite of that date', () => {
    const node = model({ event_time: 'event_date', entity: 'user_id', batch_size: 'day', begin: '2024-03-01' }, 'panel', 'daily_user_panel');
    const c = mk([['user_id', 'INT64'], ['event_date', 'DATE'], ['sessions', 'INT64']]);
    const st = batchPublish(node, ctxFor({ existing: existing('table', 'daily_user_panel'), existingColumns: c }, 'daily_user_panel'), { range, incremental: true, last: false, tmpColumns: c, bound: boundLiteral(d, true) });
    const text = section('publish of batch 2024-03-02 (one transaction)', st).join('\n') + '\n';
    expectGolden(path.join(GOLDEN, 'batches', 'panel_batch.sql'), text);
    expect(text).toContain("t.`event_date` >= date '2024-03-02' and t.`event_date` < date '2024-03-03'");
  });

  it('a lifetime panel: the full fold, the fold of new days, the recompute of changed ones', () => {
    const spec = {
      dialect: d,
      panel: { schema: 'analytics', identifier: 'daily_user_panel' },
      eventTime: 'event_date',
      entity: ['user_id'],
      folds: [
        { column: 'install_date', fn: 'min' as const, of: 'event_date' },
        { column: 'active_days', fn: 'count' as const, of: 'event_date' },
        { column: 'total_revenue', fn: 'sum' as const, of: 'revenue' },
        { column: 'first_platform', fn: 'first' as const, of: 'platform' },
        { column: 'last_platform', fn: 'last' as const, of: 'platform' },
      ],
      bound: boundLiteral(d, true),
    };
    const text = [
      '-- full', `${lifetimeFullSql(spec)};`,
      '-- fold of 2024-03-02', `${lifetimeFoldSql(spec, { schema: 'analytics', identifier: 'user_panel' }, [range])};`,
      '-- recompute of 2024-03-02', `${lifetimeRecomputeSql(spec, [range])};`,
    ].join('\n') + '\n';
    expectGolden(path.join(GOLDEN, 'batches', 'lifetime.sql'), text);
    expect(text).toContain('array_agg(p.`platform` ignore nulls order by p.`event_date` desc limit 1)[safe_offset(0)] as `last_platform`');
  });
});

describe('golden BigQuery SQL: the state layout and the run lock', () => {
  it('state tables without the constraints BigQuery does not enforce, typed as GoogleSQL; upserts as MERGE; the lock table\'s statements', () => {
    const tables = stateTables();
    const lock = lockStatements(d, 'tform:proj:dev');
    const text = [
      ...STATE_MIGRATIONS.flatMap((m) => [`-- migration ${m.version}: ${m.description}`, ...m.statements({ dialect: d, tables }).map((s) => `${s};`)]),
      '-- layout version',
      `${setVersionStatement(d, tables, 3)};`,
      '-- run lock: create',
      `${lock.createSchema};`,
      `${lock.createTable};`,
      '-- run lock: who holds it',
      `${lock.holder};`,
      '-- run lock: take',
      `${lock.take({ token: 'tform_lock_0123', pid: 4242, host: 'ci-runner', command: 'tform build' }, 600)};`,
      '-- run lock: heartbeat',
      `${lock.heartbeat('tform_lock_0123', 600)};`,
      '-- run lock: release',
      `${lock.release('tform_lock_0123')};`,
    ].join('\n') + '\n';
    expectGolden(path.join(GOLDEN, 'state_and_lock.sql'), text);
    expect(text).not.toMatch(/primary key|check \(/);
  });
});

describe('the example project on a BigQuery target', () => {
  it('compiles and plans (golden): compiled SQL of every model and every step\'s statements', async () => {
    const profiles = fs.mkdtempSync(path.join(os.tmpdir(), 'tform-bq-profiles-'));
    try {
      fs.writeFileSync(path.join(profiles, 'profiles.yml'), ['game_analytics:', '  target: bq', '  outputs:', '    bq:', '      type: bigquery', '      project: acme-games', '      dataset: game', '      location: EU', '      threads: 4', ''].join('\n'));
      const root = path.join(repoRoot, 'project');
      const text = await withProject(
        root,
        (p) => {
          expect(p.dialect).toBeInstanceOf(BigQueryDialect);
          const plan = planWith(p, { existing: [] });
          const models = Object.values(p.session.manifest.nodes)
            .filter((n): n is ModelNode => n.resourceType === 'model')
            .sort((a, b) => a.name.localeCompare(b.name))
            .map((n) => `-- compiled: ${n.path} (${n.materialized}) -> ${n.relationName}\n${n.compiledCode ?? ''}`);
          return normalisePaths(`${models.join('\n')}\n${formatPlan(plan)}`, root);
        },
        { profilesDir: profiles },
      );
      expectGolden(path.join(GOLDEN, 'example_project.sql'), text);
      expect(text).toContain('`acme-games`.`game_silver`.`stg_events`');
      expect(text).toContain('"file":"<PROJECT_DIR>/seeds/raw_events.csv"');
      expect(text).toContain('{"name":"revenue_usd","type":"NUMERIC","mode":"NULLABLE","precision":"10","scale":"2"}');
    } finally {
      fs.rmSync(profiles, { recursive: true, force: true });
    }
  });
});
