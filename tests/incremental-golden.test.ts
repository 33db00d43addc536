/**
 * Golden SQL of the `incremental` materialization on the DuckDB and Postgres dialects: every
 * strategy × on_schema_change, plus the rebuild cases (first run, existing view, full refresh).
 *
 * The statements come straight from materialize() and incrementalPublish() with a hand-made
 * model node and context (no project, no database). Each golden file shows the case's inputs as
 * comments, then pre / build / publish / cleanup as tests/helpers/golden.ts formats a plan step;
 * when the publish is refused (on_schema_change), the error and hint stand in its place.
 *
 * UPDATE_GOLDEN=1 npx vitest run tests/incremental-golden.test.ts rewrites the golden files.
 */
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DefaultDialect,
  TformError,
  incrementalConfig,
  incrementalPublish,
  isIncrementalBuild,
  materializationNames,
  materialize,
  type Capabilities,
  type ColumnInfo,
  type Dialect,
  type MaterializeContext,
  type ModelNode,
  type PlanStep,
  type RelationInfo,
  type Statement,
} from '@tform/core';
import { DuckDBDialect } from '@tform/adapters/duckdb';
import { PostgresDialect } from '@tform/adapters/postgres';
import { expectGolden, formatStep } from './helpers/golden.js';

const GOLDEN = path.join(import.meta.dirname, 'golden', 'incremental');
const CAPS: Capabilities = { transactionalDdl: true, merge: true, rename: true, schemas: true, concurrentReaders: false, parallelSchemaCreation: false, readLocalCsv: false };
const MODEL_SQL = 'select *\nfrom "analytics"."new_orders"\n';

function model(config: Record<string, unknown>): ModelNode {
  return {
    uniqueId: 'model.proj.orders',
    name: 'orders',
    packageName: 'proj',
    path: 'models/orders.sql',
    fqn: ['proj', 'orders'],
    description: '',
    tags: [],
    meta: {},
    config: { materialized: 'incremental', ...config },
    columns: [],
    schema: 'analytics',
    alias: 'orders',
    relationName: '"analytics"."orders"',
    dependsOn: { nodes: [], macros: [] },
    resourceType: 'model',
    materialized: 'incremental',
    rawCode: MODEL_SQL,
    checksum: '0',
    refs: [],
    sources: [],
    vars: [],
    envVars: [],
    compiledCode: MODEL_SQL,
    compiledPath: 'target/compiled/proj/models/orders.sql',
  };
}

/** Column sets per dialect, spelled as each adapter's columns() reports them. */
const COLUMNS: Record<string, { target: ColumnInfo[]; changed: ColumnInfo[]; added: ColumnInfo[] }> = (() => {
  const mk = (types: [string, string][]) => types.map(([name, type]) => ({ name, type }));
  const duck = { int: 'INTEGER', dec: 'DECIMAL(10,2)', dbl: 'DOUBLE', txt: 'VARCHAR', big: 'BIGINT' };
  const pg = { int: 'integer', dec: 'numeric(10,2)', dbl: 'double precision', txt: 'text', big: 'bigint' };
  const sets = (t: typeof duck) => ({
    target: mk([['id', t.int], ['k2', t.int], ['amount', t.dec], ['note', t.txt], ['old_col', t.txt]]),
    // old_col removed, amount retyped, new_col added
    changed: mk([['id', t.int], ['k2', t.int], ['amount', t.dbl], ['note', t.txt], ['new_col', t.big]]),
    // only new_col added
    added: mk([['id', t.int], ['k2', t.int], ['amount', t.dec], ['note', t.txt], ['old_col', t.txt], ['new_col', t.big]]),
  });
  return { duckdb: sets(duck), postgres: sets(pg) };
})();

const DIALECTS: Record<string, Dialect> = { duckdb: new DuckDBDialect(), postgres: new PostgresDialect() };
const target = (kind: RelationInfo['kind'] = 'table'): RelationInfo => ({ schema: 'analytics', identifier: 'orders', kind });

function ctxFor(dialect: Dialect, o: Partial<MaterializeContext> = {}): MaterializeContext {
  return { dialect, capabilities: CAPS, relation: { schema: 'analytics', identifier: 'orders' }, preHooks: [], postHooks: [], ...o };
}

const cols = (list: ColumnInfo[] | undefined) => (list ? list.map((c) => `${c.name} ${c.type}`).join(', ') : '(none)');

/**
 * Golden text of one case: the inputs, then the step's statements with the publish the runner
 * would run once the tmp exists (incrementalPublish with `tmpColumns`), or the error it raises.
 */
function caseText(node: ModelNode, ctx: MaterializeContext, tmpColumns?: ColumnInfo[]): string {
  const st = materialize(node, ctx);
  const incremental = isIncrementalBuild(node, ctx);
  const header = [
    `-- config: ${JSON.stringify(Object.fromEntries(Object.entries(node.config).filter(([k]) => k !== 'materialized')))}`,
    `-- existing: ${ctx.existing ? ctx.existing.kind : '(none)'}${ctx.fullRefresh ? ', --full-refresh' : ''}`,
    `-- mode: ${incremental ? 'incremental run' : 'rebuild (table)'}`,
  ];
  let publish: Statement[] = st.publish;
  let error: string[] = [];
  if (incremental) {
    header.push(`-- target columns: ${cols(ctx.existingColumns)}`, `-- tmp columns: ${cols(tmpColumns)}`);
    try {
      publish = incrementalPublish(node, ctx, tmpColumns!);
    } catch (e) {
      if (!(e instanceof TformError)) throw e;
      publish = [];
      error = [`-- publish refused: ${e.message}`, `-- hint: ${e.hint}`];
    }
  }
  const step = { ...st, publish, resourceType: 'model', name: node.name, materialized: 'incremental', relationName: ctx.dialect.relation(ctx.relation) } as unknown as PlanStep;
  const body = formatStep(step).split('\n');
  if (error.length) body.splice(body.findIndex((l) => l.startsWith('-- publish')), 1, ...error);
  return [...header, ...body].join('\n') + '\n';
}

const STRATEGIES: { name: string; config: Record<string, unknown> }[] = [
  { name: 'append', config: { incremental_strategy: 'append' } },
  { name: 'merge', config: { incremental_strategy: 'merge', unique_key: ['id', 'k2'] } },
  { name: 'delete_insert', config: { incremental_strategy: 'delete+insert', unique_key: 'id' } },
];
const MODES = ['ignore', 'fail', 'append_new_columns', 'sync_all_columns'] as const;

for (const [dname, dialect] of Object.entries(DIALECTS)) {
  const C = COLUMNS[dname]!;
  const dir = path.join(GOLDEN, dname);
  const incr = (o: Partial<MaterializeContext> = {}) => ctxFor(dialect, { existing: target(), existingColumns: C.target, ...o });

  describe(`incremental golden SQL (${dname})`, () => {
    // Rebuilds are the table materialization, statement for statement. Golden files only for
    // DuckDB: Postgres' swap is publish.ts's DO block, golden-tested with the table materialization.
    const rebuilds: { name: string; config: Record<string, unknown>; ctx: MaterializeContext }[] = [
      { name: 'first_run', config: { unique_key: 'id' }, ctx: ctxFor(dialect) },
      { name: 'existing_view', config: { unique_key: 'id' }, ctx: ctxFor(dialect, { existing: target('view') }) },
      { name: 'full_refresh_flag', config: { unique_key: 'id' }, ctx: incr({ fullRefresh: true, existingTmp: { schema: 'analytics', identifier: 'orders__tform_tmp', kind: 'table' } }) },
      { name: 'full_refresh_config', config: { unique_key: 'id', full_refresh: true }, ctx: incr() },
    ];
    for (const r of rebuilds) {
      it(`rebuild like a table: ${r.name.replace(/_/g, ' ')}`, () => {
        const node = model(r.config);
        const asTable = { ...node, materialized: 'table', config: { ...node.config, materialized: 'table' } };
        expect(materialize(node, r.ctx)).toEqual(materialize(asTable, r.ctx));
        const text = caseText(node, r.ctx);
        expect(text).toContain('-- mode: rebuild (table)');
        expect(text).toContain('create table "analytics"."orders__tform_tmp" as (');
        if (r.name === 'full_refresh_flag') expect(text).toContain('-- build: drop stale tmp');
        if (dname === 'duckdb') expectGolden(path.join(dir, `${r.name}.sql`), text);
      });
    }

    for (const s of STRATEGIES) {
      it(`${s.name}, columns unchanged`, () => {
        const text = caseText(model(s.config), incr(), C.target);
        expectGolden(path.join(dir, `${s.name}__unchanged.sql`), text);
        // materialize() already returns this publish (its preview assumes unchanged columns).
        const node = model(s.config);
        expect(materialize(node, incr()).publish).toEqual(incrementalPublish(node, incr(), C.target));
      });
      for (const mode of MODES) {
        it(`${s.name}, on_schema_change ${mode}, columns added, removed and retyped`, () => {
          const text = caseText(model({ ...s.config, on_schema_change: mode }), incr(), C.changed);
          expectGolden(path.join(dir, `${s.name}__${mode}.sql`), text);
          if (mode === 'ignore' || mode === 'fail') expect(text).toContain('-- publish refused');
          else expect(text).toContain('add column "new_col"');
        });
      }
    }

    it('ignore with only an added column writes the table\'s columns; fail refuses it', () => {
      const text = caseText(model({ incremental_strategy: 'merge', unique_key: 'id' }), incr(), C.added);
      expectGolden(path.join(dir, 'merge_single_key__ignore_added.sql'), text);
      expect(text).not.toContain('new_col"');
      expect(() => incrementalPublish(model({ on_schema_change: 'fail' }), incr(), C.added)).toThrow(/on_schema_change is 'fail': added new_col/);
    });

    it('delete+insert on a composite key, with a pre-hook, post-hook, grants and indexes', () => {
      const node = model({ unique_key: ['id', 'k2'], grants: { select: ['reporter'] }, indexes: [{ columns: ['id', 'k2'], unique: true }] });
      const text = caseText(node, incr({ preHooks: ['set x = 1'], postHooks: ['analyze "analytics"."orders"'] }), C.target);
      expectGolden(path.join(dir, 'delete_insert_composite_hooks.sql'), text);
    });
  });
}

describe('incremental config and contract', () => {
  const d = new DuckDBDialect();
  const C = COLUMNS.duckdb!;
  const incr = (o: Partial<MaterializeContext> = {}) => ctxFor(d, { existing: target(), existingColumns: C.target, ...o });

  it('is a registered materialization', () => {
    expect(materializationNames()).toContain('incremental');
  });

  it('defaults: delete+insert with a unique_key (as dbt-postgres and dbt-duckdb), append without; on_schema_change ignore', () => {
    expect(incrementalConfig(model({ unique_key: 'id' }))).toEqual({ strategy: 'delete+insert', uniqueKey: ['id'], onSchemaChange: 'ignore' });
    expect(incrementalConfig(model({}))).toEqual({ strategy: 'append', uniqueKey: [], onSchemaChange: 'ignore' });
    expect(incrementalConfig(model({ unique_key: [] }))).toMatchObject({ strategy: 'append', uniqueKey: [] });
    expect(incrementalConfig(model({ incremental_strategy: 'MERGE', unique_key: ['a', 'b'], on_schema_change: 'sync_all_columns' }))).toEqual({ strategy: 'merge', uniqueKey: ['a', 'b'], onSchemaChange: 'sync_all_columns' });
  });

  it('refuses bad config with a located CONFIG_INVALID error, on the first run too', () => {
    const bad = (config: Record<string, unknown>, re: RegExp) => {
      let err: unknown;
      try {
        materialize(model(config), ctxFor(d));
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(TformError);
      expect((err as TformError).code).toBe('CONFIG_INVALID');
      expect((err as TformError).file).toBe('models/orders.sql');
      expect((err as Error).message).toMatch(re);
    };
    bad({ incremental_strategy: 'insert_overwrite' }, /unknown incremental_strategy 'insert_overwrite'/);
    bad({ incremental_strategy: 'merge' }, /'merge' needs a unique_key/);
    bad({ incremental_strategy: 'delete+insert' }, /'delete\+insert' needs a unique_key/);
    bad({ unique_key: 'a, b' }, /unique_key 'a, b' is one column name/);
    bad({ unique_key: [1] }, /must be a column name or a list/);
    bad({ unique_key: ['a', 'a'] }, /names a column twice/);
    bad({ on_schema_change: 'drop' }, /unknown on_schema_change 'drop'/);
  });

  it('a unique_key column missing from the table or the new rows is an error naming the columns', () => {
    expect(() => incrementalPublish(model({ unique_key: 'nope' }), incr(), C.target)).toThrow(/unique_key column 'nope' is not a column of the existing table/);
    expect(() => incrementalPublish(model({ unique_key: 'old_col', on_schema_change: 'sync_all_columns' }), incr(), C.changed)).toThrow(/'old_col' is not a column of the model's new rows/);
  });

  it('DuckDB matches column names case-insensitively; Postgres does not', () => {
    const upper = C.target.map((c) => ({ ...c, name: c.name.toUpperCase() }));
    const st = incrementalPublish(model({ unique_key: 'ID', on_schema_change: 'fail' }), incr(), upper);
    expect(st.find((s) => s.label === 'insert new rows')!.sql).toContain('("id", "k2", "amount", "note", "old_col")');
    const pg = new PostgresDialect();
    const pgCols = COLUMNS.postgres!.target;
    expect(() => incrementalPublish(model({ on_schema_change: 'fail' }), ctxFor(pg, { existing: target(), existingColumns: pgCols }), pgCols.map((c) => ({ ...c, name: c.name.toUpperCase() })))).toThrow(/added ID \(integer\)/);
  });

  it('isIncrementalBuild: only an existing table without full refresh; materialize() then needs existingColumns', () => {
    const node = model({ unique_key: 'id' });
    expect(isIncrementalBuild(node, incr())).toBe(true);
    expect(isIncrementalBuild(node, incr({ fullRefresh: true }))).toBe(false);
    expect(isIncrementalBuild(model({ full_refresh: true }), incr())).toBe(false);
    expect(isIncrementalBuild(node, ctxFor(d, { existing: target('view') }))).toBe(false);
    expect(isIncrementalBuild(node, ctxFor(d))).toBe(false);
    expect(() => materialize(node, ctxFor(d, { existing: target() }))).toThrow(/needs the existing table's columns/);
  });

  it('the default dialect raises through error(); Postgres through a DO block whose dollar quote avoids the query', () => {
    expect(new DefaultDialect().assertNoRows('select 1', "it's bad")).toBe("select case when exists (\nselect 1\n) then error('it''s bad') end");
    const pg = new PostgresDialect().assertNoRows("select '$tform$'", 'a \\ b');
    expect(pg).toMatch(/^do \$tform1\$\n/);
    expect(pg).toContain("raise exception using message = E'a \\\\ b';");
  });
});
