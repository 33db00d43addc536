/**
 * The incremental materialization executed on an in-memory DuckDB through the DuckDB adapter:
 * every strategy, NULL and duplicate keys, each on_schema_change mode, full refresh.
 * The cases live in tests/helpers/incremental.ts (shared with tests/incremental-postgres.test.ts).
 */
import * as os from 'node:os';
import { afterAll, beforeAll } from 'vitest';
import type { Adapter } from '@tform/core';
import { duckdbAdapterFactory } from '@tform/adapters/duckdb';
import { incrementalSuite } from './helpers/incremental.js';

let adapter: Adapter;
let n = 0;

beforeAll(async () => {
  adapter = await duckdbAdapterFactory.create({ name: 'dev', type: 'duckdb', schema: 'main', path: ':memory:' }, { projectDir: os.tmpdir(), threads: 2 });
});
afterAll(async () => {
  await adapter?.close();
});

incrementalSuite('DuckDB', () => ({
  adapter,
  async schema() {
    const s = `inc_${++n}`;
    await adapter.execute(adapter.dialect.createSchema(s));
    return s;
  },
}));
