import { beforeAll, describe, expect, it } from 'vitest';
import {
  incrementalPublish,
  isIncrementalBuild,
  materialize,
  tmpRelation,
  type Adapter,
  type MaterializeContext,
  type ModelNode,
  type RelationRef,
  type Statement,
} from '@tform/core';

/**
 * Execution tests of the incremental materialization, shared by the DuckDB and Postgres files.
 *
 * buildModel() plays the part the runner and planner must play (see materialize/incremental.ts):
 * introspect the target (kind and columns), materialize(), run pre and build, then — for an
 * incremental run — read the tmp's columns and take incrementalPublish() as the publish, run it in
 * one adapter.transaction, and run cleanup when anything failed.
 */

/** A model `orders` in `schema` whose compiled SQL is `sql` and config `config`. */
export function modelNode(schema: string, sql: string, config: Record<string, unknown> = {}): ModelNode {
  return {
    uniqueId: 'model.p.orders',
    name: 'orders',
    packageName: 'p',
    path: 'models/orders.sql',
    fqn: ['p', 'orders'],
    description: '',
    tags: [],
    meta: {},
    config: { materialized: 'incremental', ...config },
    columns: [],
    schema,
    alias: 'orders',
    relationName: `"${schema}"."orders"`,
    dependsOn: { nodes: [], macros: [] },
    resourceType: 'model',
    materialized: 'incremental',
    rawCode: sql,
    checksum: '0',
    refs: [],
    sources: [],
    vars: [],
    envVars: [],
    compiledCode: sql,
  };
}

export interface BuildOptions {
  fullRefresh?: boolean;
  postHooks?: string[];
}

/** Build `node` as the runner would; returns the statements run. Throws what the warehouse (or tform) raised. */
export async function buildModel(adapter: Adapter, node: ModelNode, o: BuildOptions = {}): Promise<Statement[]> {
  const relation: RelationRef = { schema: node.schema, identifier: node.alias };
  const tmp = tmpRelation(relation, adapter.dialect);
  const rels = await adapter.listRelations(node.schema);
  const existing = rels.find((r) => r.identifier === relation.identifier);
  const ctx: MaterializeContext = {
    dialect: adapter.dialect,
    capabilities: adapter.capabilities,
    relation,
    existing,
    existingTmp: rels.find((r) => r.identifier === tmp.identifier),
    preHooks: [],
    postHooks: o.postHooks ?? [],
    fullRefresh: o.fullRefresh,
    existingColumns: existing?.kind === 'table' ? await adapter.columns(relation) : undefined,
  };
  const st = materialize(node, ctx);
  const ran: Statement[] = [];
  try {
    for (const s of [...st.pre, ...st.build]) {
      ran.push(s);
      await adapter.execute(s.sql);
    }
    const publish = isIncrementalBuild(node, ctx) ? incrementalPublish(node, ctx, await adapter.columns(tmp)) : st.publish;
    await adapter.transaction(async (tx) => {
      for (const s of publish) {
        ran.push(s);
        await tx.execute(s.sql);
      }
    });
  } catch (e) {
    for (const c of st.cleanup) await adapter.execute(c.sql).catch(() => {});
    throw e;
  }
  return ran;
}

export interface Target {
  adapter: Adapter;
  /** A fresh, empty schema for one test. */
  schema(): Promise<string>;
}

/** The execution suite, for one warehouse; `setup` is called in a beforeAll, after the caller's. */
export function incrementalSuite(name: string, setup: () => Target) {
  describe(`incremental models on ${name}`, () => {
    let t: Target;
    let adapter: Adapter;
    const q = (id: string) => adapter.dialect.quoteIdent(id);
    /** All rows of schema.rel, ordered, as comparable JSON; an unknown relation gives an error. */
    const rows = async (schema: string, rel = 'orders', order = '1, 2'): Promise<unknown[]> => {
      const r = await adapter.query(`select * from ${q(schema)}.${q(rel)} order by ${order}`);
      return JSON.parse(JSON.stringify(r, (_k, v) => (typeof v === 'bigint' ? Number(v) : typeof v === 'string' && /^\d+(\.\d+)?$/.test(v) ? Number(v) : v)));
    };
    const columns = async (schema: string) => (await adapter.columns({ schema, identifier: 'orders' })).map((c) => `${c.name} ${c.type.toLowerCase()}`);
    /** Replace the batch the model reads (`schema.batch`) with `select`. */
    const batch = async (schema: string, select: string) => {
      await adapter.execute(`drop table if exists ${q(schema)}.batch`);
      await adapter.execute(`create table ${q(schema)}.batch as ${select}`);
    };
    const relations = async (schema: string) => (await adapter.listRelations(schema)).map((r) => `${r.identifier}:${r.kind}`).sort();
    const model = (schema: string, config: Record<string, unknown> = {}) => modelNode(schema, `select * from ${q(schema)}.batch`, config);
    /** Build, expecting an error matching `re`, and check that nothing changed. */
    const refused = async (schema: string, node: ModelNode, re: RegExp, o: BuildOptions = {}) => {
      const before = { rows: await rows(schema), cols: await columns(schema) };
      await expect(buildModel(adapter, node, o)).rejects.toThrow(re);
      expect(await rows(schema)).toEqual(before.rows);
      expect(await columns(schema)).toEqual(before.cols);
      expect(await relations(schema)).toEqual(['batch:table', 'orders:table']);
    };

    beforeAll(() => {
      t = setup();
      adapter = t.adapter;
    });

    it('append: the first run creates the table, the next adds the new rows', async () => {
      const s = await t.schema();
      await batch(s, "select 1 as id, 'a' as v union all select 2, 'b'");
      const first = await buildModel(adapter, model(s));
      expect(first.map((x) => x.label)).toContain('swap');
      await batch(s, "select 3 as id, 'c' as v union all select 1, 'a'");
      const second = await buildModel(adapter, model(s));
      expect(second.map((x) => x.label)).toContain('insert new rows');
      expect(await rows(s)).toEqual([{ id: 1, v: 'a' }, { id: 1, v: 'a' }, { id: 2, v: 'b' }, { id: 3, v: 'c' }]);
      expect(await relations(s)).toEqual(['batch:table', 'orders:table']);
    });

    it('merge: updates matched rows and inserts new ones; the same batch again changes nothing', async () => {
      const s = await t.schema();
      const cfg = { incremental_strategy: 'merge', unique_key: 'id' };
      await batch(s, "select 1 as id, 'a' as v union all select 2, 'b'");
      await buildModel(adapter, model(s, cfg));
      await batch(s, "select 2 as id, 'B' as v union all select 3, 'C'");
      await buildModel(adapter, model(s, cfg));
      const after = await rows(s);
      expect(after).toEqual([{ id: 1, v: 'a' }, { id: 2, v: 'B' }, { id: 3, v: 'C' }]);
      await buildModel(adapter, model(s, cfg));
      expect(await rows(s)).toEqual(after);
    });

    it('merge on a composite key', async () => {
      const s = await t.schema();
      const cfg = { incremental_strategy: 'merge', unique_key: ['id', 'k2'] };
      await batch(s, "select 1 as id, 1 as k2, 'a' as v union all select 1, 2, 'b'");
      await buildModel(adapter, model(s, cfg));
      await batch(s, "select 1 as id, 2 as k2, 'B' as v union all select 2, 1, 'c'");
      await buildModel(adapter, model(s, cfg));
      const after = await rows(s);
      expect(after).toEqual([{ id: 1, k2: 1, v: 'a' }, { id: 1, k2: 2, v: 'B' }, { id: 2, k2: 1, v: 'c' }]);
      await buildModel(adapter, model(s, cfg));
      expect(await rows(s)).toEqual(after);
    });

    it('merge where every column is a key: matched rows are left alone', async () => {
      const s = await t.schema();
      const cfg = { incremental_strategy: 'merge', unique_key: ['id', 'v'] };
      await batch(s, "select 1 as id, 'a' as v");
      await buildModel(adapter, model(s, cfg));
      await batch(s, "select 1 as id, 'a' as v union all select 2, 'b'");
      await buildModel(adapter, model(s, cfg));
      expect(await rows(s)).toEqual([{ id: 1, v: 'a' }, { id: 2, v: 'b' }]);
    });

    it('delete+insert (the default with a unique_key) replaces all rows of a key; rerun changes nothing', async () => {
      const s = await t.schema();
      const cfg = { unique_key: 'day' };
      await batch(s, "select 1 as day, 'x' as v union all select 1, 'y' union all select 2, 'z'");
      await buildModel(adapter, model(s, cfg));
      // several new rows per key are fine for delete+insert
      await batch(s, "select 1 as day, 'new1' as v union all select 1, 'new2' union all select 3, 'w'");
      const ran = await buildModel(adapter, model(s, cfg));
      expect(ran.map((x) => x.label)).toEqual(['create tmp table', 'check no NULL keys', 'delete matching rows', 'insert new rows', 'drop tmp']);
      const after = await rows(s);
      expect(after).toEqual([{ day: 1, v: 'new1' }, { day: 1, v: 'new2' }, { day: 2, v: 'z' }, { day: 3, v: 'w' }]);
      await buildModel(adapter, model(s, cfg));
      expect(await rows(s)).toEqual(after);
    });

    it('delete+insert on a composite key', async () => {
      const s = await t.schema();
      const cfg = { incremental_strategy: 'delete+insert', unique_key: ['id', 'k2'] };
      await batch(s, "select 1 as id, 1 as k2, 'a' as v union all select 1, 2, 'b'");
      await buildModel(adapter, model(s, cfg));
      await batch(s, "select 1 as id, 2 as k2, 'B' as v union all select 2, 2, 'c'");
      await buildModel(adapter, model(s, cfg));
      expect(await rows(s)).toEqual([{ id: 1, k2: 1, v: 'a' }, { id: 1, k2: 2, v: 'B' }, { id: 2, k2: 2, v: 'c' }]);
    });

    for (const strategy of ['merge', 'delete+insert']) {
      it(`${strategy}: a NULL key in the new rows fails and leaves the table as it was`, async () => {
        const s = await t.schema();
        const cfg = { incremental_strategy: strategy, unique_key: ['id', 'k2'] };
        await batch(s, "select 1 as id, 1 as k2, 'a' as v");
        await buildModel(adapter, model(s, cfg));
        await batch(s, "select 2 as id, 1 as k2, 'new' as v union all select 3, null, 'nokey'");
        await refused(s, model(s, cfg), /new rows have a NULL in unique_key \(id, k2\)/);
      });
    }

    it('merge: a key repeated in the new rows fails (MERGE would be ambiguous); the table is unchanged', async () => {
      const s = await t.schema();
      const cfg = { incremental_strategy: 'merge', unique_key: 'id' };
      await batch(s, "select 1 as id, 'a' as v");
      await buildModel(adapter, model(s, cfg));
      await batch(s, "select 1 as id, 'x' as v union all select 1, 'y' union all select 2, 'z'");
      await refused(s, model(s, cfg), /new rows repeat a unique_key \(id\) value/);
    });

    it('a failure late in the publish (post-hook) rolls back the schema change and the rows', async () => {
      const s = await t.schema();
      const cfg = { incremental_strategy: 'merge', unique_key: 'id', on_schema_change: 'sync_all_columns' };
      await batch(s, "select 1 as id, 'a' as v, 1 as old");
      await buildModel(adapter, model(s, cfg));
      await batch(s, "select 1 as id, 'A' as v, 5 as extra");
      await refused(s, model(s, cfg), /no_such_relation/i, { postHooks: [`select * from ${q(s)}.no_such_relation`] });
    });

    it('on_schema_change ignore: new columns are left out; a removed column is an error', async () => {
      const s = await t.schema();
      await batch(s, "select 1 as id, 'a' as v");
      await buildModel(adapter, model(s));
      await batch(s, "select 2 as id, 'b' as v, 9 as extra");
      await buildModel(adapter, model(s));
      expect(await rows(s)).toEqual([{ id: 1, v: 'a' }, { id: 2, v: 'b' }]);
      await batch(s, 'select 3 as id');
      await refused(s, model(s), /the existing table has column v that the model no longer produces/);
    });

    it('on_schema_change fail: names the added and removed columns; nothing changes', async () => {
      const s = await t.schema();
      const cfg = { on_schema_change: 'fail' };
      await batch(s, "select 1 as id, 'a' as v");
      await buildModel(adapter, model(s, cfg));
      await batch(s, "select 2 as id, 'b' as v");
      await buildModel(adapter, model(s, cfg)); // same columns: fine
      await batch(s, 'select 3 as id, 9 as extra');
      await refused(s, model(s, cfg), /on_schema_change is 'fail': added extra \([a-z]+\); removed v/i);
    });

    it('on_schema_change append_new_columns: adds the new column; a removed one stays, NULL in new rows', async () => {
      const s = await t.schema();
      const cfg = { incremental_strategy: 'merge', unique_key: 'id', on_schema_change: 'append_new_columns' };
      await batch(s, "select 1 as id, 'a' as v, 10 as old");
      await buildModel(adapter, model(s, cfg));
      await batch(s, "select 1 as id, 'A' as v, 5 as extra union all select 2, 'b', 6");
      await buildModel(adapter, model(s, cfg));
      expect((await columns(s)).map((c) => c.split(' ')[0])).toEqual(['id', 'v', 'old', 'extra']);
      expect(await rows(s)).toEqual([{ id: 1, v: 'A', old: 10, extra: 5 }, { id: 2, v: 'b', old: null, extra: 6 }]);
    });

    it('on_schema_change sync_all_columns: adds, retypes and drops columns', async () => {
      const s = await t.schema();
      const cfg = { unique_key: 'id', on_schema_change: 'sync_all_columns' };
      await batch(s, "select 1 as id, 'a' as v, 10 as old, cast(7 as integer) as n");
      await buildModel(adapter, model(s, cfg));
      await batch(s, "select 2 as id, 'b' as v, cast(8 as bigint) as n, 5 as extra");
      await buildModel(adapter, model(s, cfg));
      const cols = await columns(s);
      expect(cols.map((c) => c.split(' ')[0])).toEqual(['id', 'v', 'n', 'extra']);
      expect(cols[2]).toBe('n bigint');
      expect(await rows(s)).toEqual([{ id: 1, v: 'a', n: 7, extra: null }, { id: 2, v: 'b', n: 8, extra: 5 }]);
    });

    it('full refresh (flag or config) rebuilds from the batch alone; an existing view becomes a table', async () => {
      const s = await t.schema();
      await batch(s, "select 1 as id, 'a' as v");
      await buildModel(adapter, model(s));
      await batch(s, "select 2 as id, 'b' as v, 3 as extra");
      const ran = await buildModel(adapter, model(s), { fullRefresh: true });
      expect(ran.map((x) => x.label)).toContain('swap');
      expect(await rows(s)).toEqual([{ id: 2, v: 'b', extra: 3 }]);
      await batch(s, "select 4 as id, 'd' as v");
      await buildModel(adapter, model(s, { full_refresh: true }));
      expect(await rows(s)).toEqual([{ id: 4, v: 'd' }]);

      await adapter.execute(`drop table ${q(s)}.orders`);
      await adapter.execute(`create view ${q(s)}.orders as select 0 as id, 'view' as v`);
      await buildModel(adapter, model(s));
      expect(await relations(s)).toEqual(['batch:table', 'orders:table']);
      expect(await rows(s)).toEqual([{ id: 4, v: 'd' }]);
    });

    it('a stale tmp of an interrupted run is dropped before the incremental build', async () => {
      const s = await t.schema();
      await batch(s, "select 1 as id, 'a' as v");
      await buildModel(adapter, model(s));
      await adapter.execute(`create table ${q(s)}.${q('orders__tform_tmp')} as select 'junk' as junk`);
      await batch(s, "select 2 as id, 'b' as v");
      const ran = await buildModel(adapter, model(s));
      expect(ran[0]!.label).toBe('drop stale tmp');
      expect(await rows(s)).toEqual([{ id: 1, v: 'a' }, { id: 2, v: 'b' }]);
    });
  });
}
