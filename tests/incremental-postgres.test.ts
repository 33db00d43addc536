/**
 * The incremental materialization executed on PostgreSQL (15+) through the Postgres adapter, in
 * a temporary database: the same cases as tests/incremental-duckdb.test.ts
 * (tests/helpers/incremental.ts). Skipped (or failing with CI=true) without a server.
 */
import { describe } from 'vitest';
import { postgresAdapterFixture, requirePostgres } from './helpers/pg.js';
import { incrementalSuite } from './helpers/incremental.js';

const hasPg = await requirePostgres();

describe.runIf(hasPg)('Postgres', () => {
  const pg = postgresAdapterFixture();
  let n = 0;

  incrementalSuite('Postgres', () => ({
    adapter: pg.adapter(),
    async schema() {
      const s = `inc_${++n}`;
      await pg.adapter().execute(pg.adapter().dialect.createSchema(s));
      return s;
    },
  }));
});
