import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basicProject, cleanupProjects, makeProject, projectYml } from './helpers/fixture.js';
import { runCli } from './helpers/cli.js';
import { requirePostgres, withTempDatabase, type TempDatabase, pgProfilesYml } from './helpers/pg.js';

// run_query and statement blocks run against the warehouse while a model renders. As in dbt, a
// model's queries see the parents this run built (the model renders when its step starts), and at
// parse time (`execute` false) nothing runs.
const MODELS = {
  'models/kinds.sql': "{{ config(materialized='table') }}\nselect * from (values ('session', 1), ('match', 2), ('purchase', 3)) t(kind, n)\n",
  'models/kind_pivot.sql': [
    "{{ config(materialized='table') }}",
    "{% call statement('mx', fetch_result=True) %}select max(n) as m from {{ ref('kinds') }}{% endcall %}",
    "{% set mx = load_result('mx')['data'][0][0] if execute else 0 %}",
    '{% set r = run_query("select kind from " ~ ref(\'kinds\') ~ " order by n") %}',
    '{% set ks = r.columns[0].values() if execute else [] %}',
    // A query that depends on the previous query's answer.
    '{% set r2 = run_query("select n from " ~ ref(\'kinds\') ~ " where kind = \'" ~ (ks[1] if ks else \'\') ~ "\'") %}',
    'select',
    '{%- for k in ks %}',
    "  {{ loop.index }} as {{ k }}_col,",
    '{%- endfor %}',
    "  {{ mx }} as max_n,",
    "  {{ r2.rows[0]['n'] if execute and r2.rows else -1 }} as second_n",
    '',
  ].join('\n'),
};

async function checkPivot(dir: string, env: NodeJS.ProcessEnv, read: () => Promise<Record<string, unknown>[]>) {
  const first = await runCli(['run'], { cwd: dir, env });
  expect(first.code, first.output).toBe(0);
  const rows = await read();
  expect(rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Number(v)])))).toEqual([{ session_col: 1, match_col: 2, purchase_col: 3, max_n: 3, second_n: 2 }]);
}

describe('run_query and statement blocks on DuckDB', () => {
  afterAll(cleanupProjects);

  it("see the parents this run built, on the first run into an empty warehouse, chained queries included", async () => {
    const dir = basicProject(MODELS);
    const { queryDuckDB } = await import('./helpers/duckdb.js');
    await checkPivot(dir, {}, () => queryDuckDB(`${dir}/warehouse.duckdb`, 'select * from kind_pivot'));
  });

  it('parsing does not run queries: tform ls needs no warehouse', async () => {
    // The profile points at a directory that does not exist: any connection would fail.
    const dir = basicProject(MODELS, { profile: { path: 'no/such/dir/warehouse.duckdb' } });
    const r = await runCli(['ls'], { cwd: dir });
    expect(r.code, r.output).toBe(0);
    expect(r.output).toMatch(/kind_pivot/);
  });

  it('a failing query fails its model (exit 1) with the warehouse message; the other models still build', async () => {
    const dir = basicProject({
      ...MODELS,
      'models/broken.sql': '{% set r = run_query("select nope from " ~ ref(\'kinds\')) %}\nselect 1 as x\n',
    });
    const r = await runCli(['run'], { cwd: dir });
    expect(r.code, r.output).toBe(1);
    expect(r.output).toMatch(/Failure in model broken/);
    expect(r.output).toMatch(/nope/);
    expect(r.output).toMatch(/PASS=2 WARN=0 ERROR=1/);
  });
});

const hasPg = await requirePostgres();

describe.runIf(hasPg)('run_query and statement blocks on Postgres', () => {
  let db: TempDatabase;
  beforeAll(async () => {
    db = await withTempDatabase();
  });
  afterAll(async () => {
    await db?.drop();
    cleanupProjects();
  });

  it('see the parents this run built', async () => {
    const profiles = pgProfilesYml({ dbname: db.name, threads: 2 });
    const dir = makeProject({ 'tform_project.yml': projectYml(), 'profiles.yml': profiles, ...MODELS });
    await checkPivot(dir, {}, async () => {
      const c = await db.connect();
      return (await c.query('select * from public.kind_pivot')).rows;
    });
  });
});
