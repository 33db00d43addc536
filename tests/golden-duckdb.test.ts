/**
 * Golden SQL of the view, table, ephemeral and seed materializations on the DuckDB dialect.
 *
 * Each test builds a small project in a temp dir, opens it in-process through core's workflow
 * (openProject with the built-in adapters and a MemoryLogger), renders it with a made-up
 * introspection (which relations "exist") and plans it, then compares every statement of the
 * plan (pre / build / publish / cleanup) with tests/golden/duckdb/<case>.sql.
 *
 * UPDATE_GOLDEN=1 npx vitest run tests/golden-duckdb.test.ts rewrites the golden files; read the
 * diff before committing it.
 */
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EPHEMERAL_PREFIX, TMP_SUFFIX, executeBuild, type ModelNode, type RelationInfo } from '@tform/core';
import { DuckDBDialect } from '@tform/adapters/duckdb';
import { DB_FILE, basicProject, cleanupProjects } from './helpers/fixture.js';
import { expectGolden, formatPlan, normalisePaths } from './helpers/golden.js';
import { planWith, withProject } from './helpers/inprocess.js';
import { userRelations } from './helpers/duckdb.js';

const GOLDEN = path.join(import.meta.dirname, 'golden', 'duckdb');

afterEach(cleanupProjects);

/** Plan `files` as `tform build` would with `existing` relations in the warehouse; returns golden text. */
async function goldenPlan(
  files: Record<string, string>,
  o: { project?: string; existing?: RelationInfo[]; select?: string[] } = {},
): Promise<{ text: string; steps: string[]; compiled: Record<string, string | undefined> }> {
  const root = basicProject(files, { project: o.project });
  return withProject(root, (p) => {
    expect(p.dialect).toBeInstanceOf(DuckDBDialect);
    const plan = planWith(p, { existing: o.existing, select: o.select });
    const compiled: Record<string, string | undefined> = {};
    for (const n of Object.values(p.session.manifest.nodes)) if (n.resourceType === 'model') compiled[n.name] = (n as ModelNode).compiledCode;
    return { text: normalisePaths(formatPlan(plan), root), steps: plan.steps.map((s) => s.name), compiled };
  });
}

const table = (identifier: string, schema = 'main'): RelationInfo => ({ schema, identifier, kind: 'table' });
const view = (identifier: string, schema = 'main'): RelationInfo => ({ schema, identifier, kind: 'view' });

describe('golden DuckDB SQL', () => {
  it('view, nothing exists yet: create tmp view, rename it in; cleanup drops the tmp view', async () => {
    const { text } = await goldenPlan({ 'models/customers.sql': 'select 1 as id, \'a\' as name\n' });
    expectGolden(path.join(GOLDEN, 'view.sql'), text);
    expect(text).toContain(`create view "main"."customers${TMP_SUFFIX}" as (`);
    expect(text).toContain(`alter view "main"."customers${TMP_SUFFIX}" rename to "customers"`);
    expect(text).not.toContain('drop view if exists "main"."customers";');
  });

  it('view replacing an existing table of the same name: the publish drops the table, then renames the tmp view', async () => {
    const { text } = await goldenPlan({ 'models/customers.sql': 'select 1 as id\n' }, { existing: [table('customers')] });
    expectGolden(path.join(GOLDEN, 'view_replaces_table.sql'), text);
    expect(text).toMatch(/-- publish \(one transaction\): swap\ndrop table if exists "main"\."customers";\n-- publish \(one transaction\): swap\nalter view "main"\."customers__tform_tmp" rename to "customers";/);
  });

  it('table with an existing table, pre-hook and post-hooks (project tree + config): post-hooks run in the publish step', async () => {
    const { text } = await goldenPlan(
      {
        'models/marts/orders.sql': `{{ config(materialized='table', pre_hook="delete from audit where model = '{{ this.name }}'", post_hook="insert into audit values ('{{ this }}')") }}
select
  1 as order_id,
  10.5 as amount
`,
      },
      {
        project: `models:
  marts:
    +post-hook: "analyze {{ this }}"
`,
        existing: [table('orders')],
      },
    );
    expectGolden(path.join(GOLDEN, 'table_existing.sql'), text);
    // The tree's hook comes first (config is additive), both after the swap, inside the publish.
    const publish = text.slice(text.indexOf('-- publish'), text.indexOf('-- cleanup'));
    expect(publish.indexOf('drop table if exists "main"."orders";')).toBeGreaterThanOrEqual(0);
    expect(publish.indexOf('alter table "main"."orders__tform_tmp" rename to "orders";')).toBeGreaterThan(publish.indexOf('drop table if exists'));
    expect(publish.indexOf('analyze "main"."orders";')).toBeGreaterThan(publish.indexOf('rename to'));
    expect(publish.indexOf(`insert into audit values ('"main"."orders"');`)).toBeGreaterThan(publish.indexOf('analyze'));
  });

  it('table where a view of the name and a stale tmp table exist: the tmp is dropped first, the view in the publish', async () => {
    const { text } = await goldenPlan(
      { 'models/orders.sql': `{{ config(materialized='table') }}\nselect 1 as order_id\n` },
      { existing: [view('orders'), table('orders__tform_tmp')] },
    );
    expectGolden(path.join(GOLDEN, 'table_stale_tmp.sql'), text);
  });

  it('quoting: a custom schema and an alias with a space and a double quote', async () => {
    const { text } = await goldenPlan(
      { 'models/odd.sql': `{{ config(materialized='table', alias='Order "Items" v2') }}\nselect 1 as "Weird ""col"""\n` },
      { project: `models:\n  +schema: Sales\n` },
    );
    expectGolden(path.join(GOLDEN, 'quoting.sql'), text);
    expect(text).toContain('create table "main_Sales"."Order ""Items"" v2__tform_tmp" as (');
    expect(text).toContain('alter table "main_Sales"."Order ""Items"" v2__tform_tmp" rename to "Order ""Items"" v2"');
  });

  it('a model referencing an ephemeral model: the ephemeral is inlined as a CTE and has no step of its own', async () => {
    const { text, steps, compiled } = await goldenPlan({
      'models/base_orders.sql': `{{ config(materialized='ephemeral') }}\nselect 1 as order_id, 5 as amount\n`,
      'models/big_orders.sql': `select *\nfrom {{ ref('base_orders') }}\nwhere amount > 1\n`,
    });
    expectGolden(path.join(GOLDEN, 'ephemeral.sql'), text);
    expect(steps).toEqual(['big_orders']);
    expect(compiled.big_orders).toBe(`with ${EPHEMERAL_PREFIX}base_orders as (\nselect 1 as order_id, 5 as amount\n)\nselect *\nfrom __tform_cte__base_orders\nwhere amount > 1\n`);
  });

  it('a model that already starts with WITH (after a comment): the ephemeral CTE joins its list', async () => {
    const { text, compiled } = await goldenPlan({
      'models/base_orders.sql': `{{ config(materialized='ephemeral') }}\nselect 1 as order_id, 5 as amount\n`,
      'models/totals.sql': `-- totals per order\nWITH t AS (\n  select order_id, sum(amount) as total from {{ ref('base_orders') }} group by 1\n)\nselect * from t\n`,
    });
    expectGolden(path.join(GOLDEN, 'ephemeral_with.sql'), text);
    expect(compiled.totals).toBe(
      `-- totals per order\nWITH __tform_cte__base_orders as (\nselect 1 as order_id, 5 as amount\n),\nt AS (\n  select order_id, sum(amount) as total from __tform_cte__base_orders group by 1\n)\nselect * from t\n`,
    );
  });

  it('nested ephemerals: CTEs in dependency order, refs to real models quoted, plan deps look through the ephemerals', async () => {
    const { text, steps, compiled } = await goldenPlan({
      'models/raw_orders.sql': `{{ config(materialized='table') }}\nselect 1 as order_id, 5 as amount\n`,
      'models/eph_a.sql': `{{ config(materialized='ephemeral') }}\nselect * from {{ ref('raw_orders') }}\n`,
      'models/eph_b.sql': `{{ config(materialized='ephemeral') }}\nselect order_id from {{ ref('eph_a') }} where amount > 0\n`,
      'models/report.sql': `select count(*) as n\nfrom {{ ref('eph_b') }}\njoin {{ ref('eph_a') }} using (order_id)\n`,
    });
    expectGolden(path.join(GOLDEN, 'ephemeral_nested.sql'), text);
    expect(steps).toEqual(['raw_orders', 'report']);
    const sql = compiled.report!;
    expect(sql.indexOf('__tform_cte__eph_a as (')).toBeGreaterThanOrEqual(0);
    expect(sql.indexOf('__tform_cte__eph_a as (')).toBeLessThan(sql.indexOf('__tform_cte__eph_b as ('));
    expect(sql.match(/__tform_cte__eph_a as \(/g)).toHaveLength(1);
    expect(sql).toContain('select * from "main"."raw_orders"');
  });

  it('an ephemeral model ending with a semicolon is inlined without it (as a model\'s own trailing semicolon is dropped)', async () => {
    const { compiled, text } = await goldenPlan({
      'models/eph.sql': `{{ config(materialized='ephemeral') }}\nselect 1 as id;\n`,
      'models/m.sql': `select * from {{ ref('eph') }};\n`,
    });
    expect(text).toContain('from __tform_cte__eph\n);');
    expect(compiled.m).toBe('with __tform_cte__eph as (\nselect 1 as id\n)\nselect * from __tform_cte__eph;\n');
  });

  it('a seed: read_csv of the file (path normalised) with column types and delimiter, replacing the existing table', async () => {
    const seed = await goldenPlan(
      {
        'seeds/countries.csv': 'code;name\nDE;Germany\nFR;France\n',
        'seeds/schema.yml': `version: 2\nseeds:\n  - name: countries\n    config:\n      delimiter: ";"\n      column_types:\n        code: varchar(2)\n`,
      },
      { project: `seeds:\n  +schema: raw\n`, existing: [table('countries', 'main_raw')] },
    );
    expectGolden(path.join(GOLDEN, 'seed.sql'), seed.text);
    expect(seed.text).toContain(`read_csv('<PROJECT_DIR>/seeds/countries.csv', header = true, delim = ';', types = {'code': 'varchar(2)'})`);
  });

  it('executeBuild with dryRun plans the same statements, prints them, and writes nothing to the warehouse', async () => {
    const files = { 'models/customers.sql': "select 1 as id, 'a' as name\n" };
    const root = basicProject(files);
    const r = await withProject(root, async (p) => {
      const res = await executeBuild(p, { command: 'build', dryRun: true });
      return { res, log: p.logger.text };
    });
    expect(r.res.exitCode).toBe(0);
    expectGolden(path.join(GOLDEN, 'view.sql'), normalisePaths(formatPlan(r.res.plan!), root));
    expect(r.log).toContain('Dry run: 1 step; nothing is written to the warehouse.');
    expect(r.log).toContain(`create view "main"."customers${TMP_SUFFIX}" as (`);
    expect(await userRelations(path.join(root, DB_FILE), true)).toEqual([]);
  });
});
