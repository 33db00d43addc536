/**
 * Microbatch models, panels and lifetime panels end to end on PostgreSQL: the same cases as
 * tests/microbatch-duckdb.test.ts (tests/helpers/microbatch.ts), each project in a temporary
 * database of its own (the run state lives in the database's tform_state schema, where the model
 * ids of two projects would collide). Skipped (or failing with CI=true) without a server.
 */
import { describe } from 'vitest';
import { makeProject, projectYml } from './helpers/fixture.js';
import { requirePostgres, withTempDatabase, type TempDatabase, pgProfilesYml } from './helpers/pg.js';
import { microbatchSuite } from './helpers/microbatch.js';

const hasPg = await requirePostgres();

const profiles = (dbname: string, threads: number) => pgProfilesYml({ dbname, threads });

describe.runIf(hasPg)('Postgres', () => {
  const dbs: TempDatabase[] = [];
  /** One database for the projects that never write (flag and config errors). */
  let shared: Promise<TempDatabase> | undefined;
  const newDatabase = async () => {
    const db = await withTempDatabase();
    dbs.push(db);
    // Each batch commits; the test databases need not wait for the WAL flush.
    const c = await db.connect();
    await c.query(`alter database ${db.name} set synchronous_commit = off`);
    return db;
  };

  microbatchSuite('Postgres', () => ({
    async project(files, o = {}) {
      const db = o.writesNothing ? await (shared ??= newDatabase()) : await newDatabase();
      const dir = makeProject({ 'tform_project.yml': projectYml(), 'profiles.yml': profiles(db.name, o.threads ?? 2), ...files });
      const client = await db.connect();
      return { dir, query: async (sql) => (await client.query(sql)).rows };
    },
    async cleanup() {
      await Promise.all(dbs.splice(0).map((db) => db.drop()));
    },
  }));
});
