/**
 * Hook order: on-run-start, then per model pre_hook, build, post_hook, then on-run-end; and a
 * failing post_hook fails its model without replacing the published table (post-hooks run in
 * the publish transaction).
 */
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';
import { DB_FILE, basicProject, cleanupProjects, readJson, writeFiles } from './helpers/fixture.js';
import { queryDuckDB, tmpRelations } from './helpers/duckdb.js';

afterEach(cleanupProjects);

/** SQL appending `label` with the next sequence number to main.audit. */
const log = (label: string) => `insert into main.audit select coalesce(max(seq), 0) + 1, ${label} from main.audit`;
/** SQL expression: 1 when main.<name> exists, else 0. */
const exists = (name: string) => `(select count(*) from information_schema.tables where table_schema = 'main' and table_name = '${name}')`;

const HOOK_PROJECT = `on-run-start:
  - "create table if not exists main.audit (seq integer, label varchar)"
  - "${log("'start_1'")}"
  - "${log("'start_2'")}"
on-run-end:
  - "${log("'end_1'")}"
  - "${log("'end_2'")}"
`;

/** A model whose pre-hook records whether its table exists yet and whose post-hook records its row count. */
function hookedModel(name: string, body: string): string {
  return `{{ config(
    materialized='table',
    pre_hook="${log(`'pre_${name} exists=' || ${exists(name)}`).replace(/"/g, '\\"')}",
    post_hook="${log(`'post_${name} rows=' || (select count(*) from {{ this }})`).replace(/"/g, '\\"')}"
) }}
${body}
`;
}

describe('hooks', () => {
  it('run in order: on-run-start, pre_hook, build, post_hook per model (in DAG order), on-run-end', async () => {
    const root = basicProject(
      {
        'models/first.sql': hookedModel('first', 'select 1 as id union all select 2'),
        'models/second.sql': hookedModel('second', "select * from {{ ref('first') }} where id > 1"),
      },
      { project: HOOK_PROJECT },
    );
    const r = await runCli(['run', '--threads', '1'], { cwd: root });
    expect(r.code, r.output).toBe(0);
    const rows = await queryDuckDB(path.join(root, DB_FILE), 'select seq, label from main.audit order by seq');
    // The pre-hook runs before its table is published (exists=0), the post-hook after it was
    // built and swapped in (rows counted from {{ this }}).
    expect(rows.map((x) => x.label)).toEqual([
      'start_1',
      'start_2',
      'pre_first exists=0',
      'post_first rows=2',
      'pre_second exists=0',
      'post_second rows=1',
      'end_1',
      'end_2',
    ]);
    expect(rows.map((x) => x.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);

    // On the next run the pre-hooks see the previous version still in place.
    const again = await runCli(['run', '--threads', '1'], { cwd: root });
    expect(again.code, again.output).toBe(0);
    const labels = (await queryDuckDB(path.join(root, DB_FILE), 'select label from main.audit where seq > 8 order by seq')).map((x) => x.label);
    expect(labels).toEqual(['start_1', 'start_2', 'pre_first exists=1', 'post_first rows=2', 'pre_second exists=1', 'post_second rows=1', 'end_1', 'end_2']);
  });

  it('project-tree hooks come before the model file hooks (config is additive)', async () => {
    const root = basicProject(
      {
        'models/m.sql': `{{ config(materialized='table', pre_hook="${log("'pre_file'")}", post_hook="${log("'post_file'")}") }}\nselect 1 as id\n`,
      },
      {
        project: `on-run-start:
  - "create table if not exists main.audit (seq integer, label varchar)"
models:
  +pre-hook: "${log("'pre_tree'")}"
  +post-hook: "${log("'post_tree'")}"
`,
      },
    );
    const r = await runCli(['run', '--threads', '1'], { cwd: root });
    expect(r.code, r.output).toBe(0);
    const rows = await queryDuckDB(path.join(root, DB_FILE), 'select label from main.audit order by seq');
    expect(rows.map((x) => x.label)).toEqual(['pre_tree', 'pre_file', 'post_tree', 'post_file']);
  });

  it('a failing post_hook fails the model (exit 1) and leaves the previous version of its table in place', async () => {
    const root = basicProject({ 'models/orders.sql': "{{ config(materialized='table') }}\nselect 1 as id, 'v1' as version\n" });
    const db = path.join(root, DB_FILE);
    const first = await runCli(['run'], { cwd: root });
    expect(first.code, first.output).toBe(0);
    expect(await queryDuckDB(db, 'select id, version from main.orders')).toEqual([{ id: 1, version: 'v1' }]);

    writeFiles(root, {
      'models/orders.sql': `{{ config(materialized='table', post_hook="insert into main.no_such_table values (1)") }}
select 1 as id, 'v2' as version
union all select 2, 'v2'
`,
    });
    const second = await runCli(['run'], { cwd: root });
    expect(second.code, second.output).toBe(1);
    expect(second.output).toMatch(/post-hook failed/);
    expect(second.output).toMatch(/no_such_table/);
    expect(second.output).not.toMatch(/\n\s+at .*\(.*:\d+:\d+\)/); // a failed model is not a crash

    // The publish (drop old + rename tmp + post-hook) rolled back as a whole; the tmp is cleaned up.
    expect(await queryDuckDB(db, 'select id, version from main.orders order by id')).toEqual([{ id: 1, version: 'v1' }]);
    expect(await tmpRelations(db)).toEqual([]);

    const results = readJson(path.join(root, 'target/run_results.json'));
    expect(results.results).toHaveLength(1);
    expect(results.results[0]).toMatchObject({ uniqueId: 'model.proj.orders', status: 'error' });
    expect(results.results[0].message).toMatch(/^post-hook failed: /);
  });

  it('a failing on-run-start hook fails the run (exit 1) and builds nothing', async () => {
    const root = basicProject(
      { 'models/a.sql': 'select 1 as id\n' },
      { project: 'on-run-start:\n  - "insert into main.no_such_table values (1)"\n' },
    );
    const r = await runCli(['run'], { cwd: root });
    expect(r.code, r.output).toBe(1);
    expect(r.output).toMatch(/on-run-start hook failed/);
    const results = readJson(path.join(root, 'target/run_results.json'));
    expect(results.results.map((x: { status: string }) => x.status)).toEqual(['skipped']);
    expect(results.hookErrors).toHaveLength(1);
  });
});
