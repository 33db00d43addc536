import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProject, writeFiles } from './helpers/fixture.js';
import { runCli } from './helpers/cli.js';
import { requirePostgres, withTempDatabase, PG_SERVER, type TempDatabase } from './helpers/pg.js';

const hasPg = await requirePostgres();

// grants: and indexes: config are re-applied on every publish, whichever way it publishes.
describe.runIf(hasPg)('grants and indexes config on Postgres', () => {
  let db: TempDatabase;
  let reader: string;
  beforeAll(async () => {
    db = await withTempDatabase();
    reader = await db.role('reader');
  });
  afterAll(async () => db?.drop());

  it('survive rebuilds with the same and with changed columns, and a dependent view keeps working', async () => {
    const model = (cols: string) =>
      `{{ config(materialized='table', grants={'select': ['${reader}']}, indexes=[{'columns': ['user_id'], 'unique': true}, {'columns': ['day', 'user_id']}]) }}\nselect ${cols}`;
    const dir = makeProject({
      'tform_project.yml': 'name: gi\nprofile: gi\n',
      'profiles.yml': `gi:\n  target: dev\n  outputs:\n    dev:\n      type: postgres\n      host: ${PG_SERVER.host}\n      port: ${PG_SERVER.port}\n      user: ${PG_SERVER.user}\n      dbname: ${db.name}\n      schema: gi\n`,
      'models/players.sql': model("g as user_id, date '2024-01-01' as day from generate_series(1, 5) g"),
    });
    const c = await db.connect();
    const check = async (n: number) => {
      const grants = await c.query("select privilege_type from information_schema.role_table_grants where table_schema = 'gi' and table_name = 'players' and grantee = $1", [reader]);
      expect(grants.rows.map((r) => r.privilege_type)).toEqual(['SELECT']);
      const ix = await c.query("select indexdef from pg_indexes where schemaname = 'gi' and tablename = 'players' order by indexdef");
      expect(ix.rows.length).toBe(2);
      expect(ix.rows.some((r) => /UNIQUE INDEX .* \(user_id\)/.test(r.indexdef))).toBe(true);
      expect((await c.query('select count(*)::int as n from gi.players_view')).rows[0].n).toBe(n);
    };
    try {
      expect((await runCli(['run', '--project-dir', dir], { cwd: dir })).code).toBe(0);
      await c.query('create view gi.players_view as select user_id from gi.players');
      await check(5);
      // Same columns: replaced in place.
      writeFiles(dir, { 'models/players.sql': model("g as user_id, date '2024-01-02' as day from generate_series(1, 7) g") });
      const same = await runCli(['run', '--project-dir', dir], { cwd: dir });
      expect(same.code, same.output).toBe(0);
      await check(7);
      // A new column: the table is swapped; the view is recreated; grants and indexes re-applied.
      writeFiles(dir, { 'models/players.sql': model("g as user_id, date '2024-01-03' as day, g * 2 as score from generate_series(1, 9) g") });
      const changed = await runCli(['run', '--project-dir', dir], { cwd: dir });
      expect(changed.code, changed.output).toBe(0);
      await check(9);
    } finally {
      await c.end();
    }
  });
});
