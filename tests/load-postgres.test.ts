/**
 * `tform load` on PostgreSQL: the cases of tests/helpers/load.ts (the same as on DuckDB), in a
 * temporary database. Files are read by tform and sent with COPY. Skipped (or failing with
 * CI=true) without a server.
 */
import { afterAll, beforeAll, describe } from 'vitest';
import { requirePostgres, withTempDatabase, type TempDatabase, pgProfilesYml } from './helpers/pg.js';
import { loadSuite } from './helpers/load.js';

const hasPg = await requirePostgres();

describe.runIf(hasPg)('tform load on Postgres', () => {
  let db: TempDatabase;
  beforeAll(async () => {
    db = await withTempDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });
  loadSuite({
    profiles: (name) => pgProfilesYml({ dbname: db.name, profile: name, threads: 1 }),
    async query(_dir, sql) {
      const c = await db.connect();
      try {
        return (await c.query(sql)).rows;
      } finally {
        await c.end();
      }
    },
  });
});
