/**
 * DuckDBAdapter.parseSql, through the real adapter: DuckDB's parse tree of one SELECT, read
 * without the tables existing, fed to column lineage.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Adapter } from '@tform/core';
import { duckdbAdapterFactory } from '@tform/adapters/duckdb';
import { columnLineage } from '../packages/core/src/docs/lineage/index.js';

let dir: string;
let adapter: Adapter;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tform-lineage-'));
  adapter = await duckdbAdapterFactory.create({ name: 'dev', type: 'duckdb', schema: 'main', path: 'db/test.duckdb' }, { projectDir: dir, threads: 1 });
});

afterAll(async () => {
  await adapter?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('DuckDBAdapter.parseSql', () => {
  it('parses a SELECT over tables that do not exist, quotes included', async () => {
    const sql = `select o.amount as "it's", 'O''Brien' as who from main.stg_orders o where o.status = 'it''s'`;
    const tree = (await adapter.parseSql!(sql)) as {
      error: boolean;
      statements: { node: { type: string; select_list: { alias: string; value?: { value: unknown } }[]; from_table: Record<string, unknown> } }[];
    };
    expect(tree.error).toBe(false);
    const node = tree.statements[0]!.node;
    expect(node.type).toBe('SELECT_NODE');
    expect(node.select_list.map((s) => s.alias)).toEqual(["it's", 'who']);
    expect(node.select_list[1]!.value?.value).toBe("O'Brien");
    expect(node.from_table).toMatchObject({ type: 'BASE_TABLE', schema_name: 'main', table_name: 'stg_orders', alias: 'o' });
    expect(await adapter.listRelations('main')).toEqual([]);
  });

  it('reports a syntax error inside the tree, as DuckDB does', async () => {
    expect(await adapter.parseSql!('select from where')).toMatchObject({ error: true, error_type: 'parser' });
  });

  it('feeds column lineage', async () => {
    const sql = 'select customer_id, sum(amount) as total from stg_orders group by all qualify rank() over (order by total desc) <= 3';
    const result = columnLineage({
      sql,
      dialect: 'duckdb',
      duckdbAst: await adapter.parseSql!(sql),
      resolveRelation: (parts) => (parts.at(-1) === 'stg_orders' ? { node: 'model.shop.stg_orders' } : undefined),
    });
    expect(result).toEqual({
      ok: true,
      columns: [
        { name: 'customer_id', upstream: [{ node: 'model.shop.stg_orders', column: 'customer_id' }] },
        { name: 'total', upstream: [{ node: 'model.shop.stg_orders', column: 'amount' }] },
      ],
    });
  });
});
