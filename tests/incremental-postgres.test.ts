/**
 * The incremental materialization executed on PostgreSQL (15+) through the Postgres adapter, in
 * a temporary database: the same cases as tests/incremental-duckdb.test.ts
 * (tests/helpers/incremental.ts). Skipped (or failing with CI=true) without a server.
 */
import * as os from 'node:os';
import { afterAll, beforeAll, describe } from 'vitest';
import type { Adapter } from '@tform/core';
import { postgresAdapterFactory } from '@tform/adapters/postgres';
import { requirePostgres, withTempDatabase, type TempDatabase } from './helpers/pg.js';
import { incrementalSuite } from './helpers/incremental.js';

const hasPg = await requirePostgres();

describe.runIf(hasPg)('Postgres', () => {
  let db: TempDatabase;
  let adapter: Adapter;
  let n = 0;

  beforeAll(async () => {
    db = await withTempDatabase();
    adapter = await postgresAdapterFactory.create(db.profile(), { projectDir: os.tmpdir(), threads: 2 });
  });
  afterAll(async () => {
    await adapter?.close();
    await db?.drop();
  });

  incrementalSuite('Postgres', () => ({
    adapter,
    async schema() {
      const s = `inc_${++n}`;
      await adapter.execute(adapter.dialect.createSchema(s));
      return s;
    },
  }));
});
