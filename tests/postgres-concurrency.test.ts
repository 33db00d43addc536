import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProject } from './helpers/fixture.js';
import { runCli } from './helpers/cli.js';
import { requirePostgres, withTempDatabase, type TempDatabase, pgProfilesYml } from './helpers/pg.js';

const hasPg = await requirePostgres();

describe.runIf(hasPg)('two runs on one Postgres target', () => {
  let db: TempDatabase;
  const profiles = (name: string, threads?: number) => pgProfilesYml({ dbname: db.name, profile: name, schema: name, threads });
  beforeAll(async () => {
    db = await withTempDatabase();
  });
  afterAll(async () => db?.drop());

  it('the second waits on the advisory lock; both succeed and the tables are whole', async () => {
    const dir = makeProject({
      'tform_project.yml': 'name: conc\nprofile: conc\n',
      'profiles.yml': profiles('conc', 2),
      // The pre-hook holds the first run inside the lock long enough for the second to queue.
      'models/slow.sql': "{{ config(materialized='table', pre_hook='select pg_sleep(1.5)') }}\nselect g as id from generate_series(1, 1000) g",
      'models/after.sql': "{{ config(materialized='table') }}\nselect count(*) as n, sum(id) as total from {{ ref('slow') }}",
    });
    const [a, b] = await Promise.all([
      runCli(['run', '--project-dir', dir], { cwd: dir, timeoutMs: 60_000 }),
      new Promise((r) => setTimeout(r, 300)).then(() => runCli(['run', '--project-dir', dir], { cwd: dir, timeoutMs: 60_000 })),
    ]);
    expect(a.code, a.output).toBe(0);
    expect(b.code, b.output).toBe(0);
    const waited = [a, b].filter((r) => r.output.includes('Waiting for the run lock'));
    expect(waited.length, a.output + b.output).toBe(1);
    expect(waited[0]!.output).toMatch(/held by pid \d+ on \S+ since \S+ \(tform run\)/);
    expect(a.output + b.output).not.toMatch(/Database Error|deadlock|could not|ERROR=[1-9]/);

    const c = await db.connect();
    try {
      const r = await c.query('select n, total from conc.after');
      expect(r.rows.map((x) => [Number(x.n), Number(x.total)])).toEqual([[1000, 500500]]);
      const left = await c.query("select count(*)::int as n from pg_class where relname like '%tform_tmp%'");
      expect(left.rows[0].n).toBe(0);
    } finally {
      await c.end();
    }
  });

  it('--no-wait exits 2 naming the holder while another run holds the lock', async () => {
    const dir = makeProject({
      'tform_project.yml': 'name: conc2\nprofile: conc2\n',
      'profiles.yml': profiles('conc2'),
      'models/slow.sql': "{{ config(materialized='table', pre_hook='select pg_sleep(2)') }}\nselect 1 as id",
    });
    const first = runCli(['run', '--project-dir', dir], { cwd: dir, timeoutMs: 60_000 });
    await new Promise((r) => setTimeout(r, 800));
    const second = await runCli(['run', '--project-dir', dir, '--no-wait'], { cwd: dir, timeoutMs: 60_000 });
    expect(second.code, second.output).toBe(2);
    expect(second.output).toMatch(/locked by pid \d+/);
    expect((await first).code).toBe(0);
  });
});
