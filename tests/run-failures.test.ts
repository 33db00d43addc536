/**
 * A model whose SQL the database rejects is a failed model (exit 1), not a user error: its
 * descendants are skipped, independent models are still built, run_results.json says what
 * happened and where (file and the line the database reported), and the previously published
 * version of a failed model stays in place.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';
import { DB_FILE, basicProject, cleanupProjects, readJson, writeFiles } from './helpers/fixture.js';
import { queryDuckDB, tmpRelations, userRelations } from './helpers/duckdb.js';

// Tests run concurrently (each spawns the CLI); fixtures are removed once the file is done.
afterAll(cleanupProjects);

interface Result {
  uniqueId: string;
  name: string;
  status: string;
  message: string;
  path?: string;
  compiledPath?: string;
  error?: { message: string; file?: string; line?: number; compiledLine?: number };
}

const BAD_SQL = 'select\n  id,\n  no_such_column as x\nfrom (select 1 as id) t\n';
const GOOD_SQL = 'select\n  id,\n  id * 2 as x\nfrom (select 1 as id) t\n';

/** 7 models: ok_1..ok_5 independent, bad_model (bad SQL on line 3), after_bad refs bad_model. */
function sevenModels(bad = BAD_SQL): Record<string, string> {
  const files: Record<string, string> = {
    'models/bad_model.sql': bad,
    'models/after_bad.sql': "select * from {{ ref('bad_model') }}\n",
  };
  for (let i = 1; i <= 5; i++) files[`models/ok_${i}.sql`] = `select ${i} as id\n`;
  return files;
}

const PROJECT = 'models:\n  +materialized: table\n';

function counts(results: Result[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of results) out[r.status] = (out[r.status] ?? 0) + 1;
  return out;
}

function resultsOf(root: string): { results: Result[]; args: Record<string, unknown> } {
  return readJson(path.join(root, 'target/run_results.json'));
}

describe.concurrent('run failures', () => {
  it('bad SQL fails its model (exit 1): 5 success, 1 error, 1 skipped; the error names the file and the reported line', async () => {
    const root = basicProject(sevenModels(), { project: PROJECT });
    const r = await runCli(['run', '--threads', '2'], { cwd: root });
    expect(r.code, r.output).toBe(1);

    const { results } = resultsOf(root);
    expect(results).toHaveLength(7);
    expect(counts(results)).toEqual({ success: 5, error: 1, skipped: 1 });
    const bad = results.find((x) => x.name === 'bad_model')!;
    expect(bad.status).toBe('error');
    expect(bad.error).toMatchObject({ file: 'models/bad_model.sql', line: 3, compiledLine: 3 });
    expect(bad.error!.message).toMatch(/no_such_column/);
    const child = results.find((x) => x.name === 'after_bad')!;
    expect(child.status).toBe('skipped');
    expect(child.message).toMatch(/bad_model/);

    // The console names the model file and the compiled line; it is not a user error or a crash.
    expect(r.output).toMatch(/Failure in model bad_model \(models\/bad_model\.sql:3\)/);
    expect(r.output).toMatch(/target\/compiled\/proj\/models\/bad_model\.sql:3\b/);
    expect(r.output).toMatch(/Done\. PASS=5 WARN=0 ERROR=1 SKIP=1 TOTAL=7/);
    expect(r.output).not.toMatch(/hint:|Internal error|^\s+at .+:\d+:\d+\)?$/m);

    // Independent models were still built; neither the failed model nor its child exists; no tmp left.
    const db = path.join(root, DB_FILE);
    expect(await userRelations(db)).toEqual(['main.ok_1', 'main.ok_2', 'main.ok_3', 'main.ok_4', 'main.ok_5']);
    expect(await queryDuckDB(db, 'select id from main.ok_3')).toEqual([{ id: 3 }]);
  });

  it('the reported line is the model line when the file starts with a {{ config() }} line', async () => {
    const root = basicProject({
      'models/bad.sql': "{{ config(materialized='table') }}\nselect\n  no_such_column as x\nfrom (select 1 as id) t\n",
    });
    const r = await runCli(['run'], { cwd: root });
    expect(r.code, r.output).toBe(1);
    const [bad] = resultsOf(root).results;
    // no_such_column is on line 3 of the model file and of target/compiled/proj/models/bad.sql.
    const compiled = fs.readFileSync(path.join(root, 'target/compiled/proj/models/bad.sql'), 'utf8').split('\n');
    expect(compiled[2]).toContain('no_such_column');
    expect(bad!.error).toMatchObject({ file: 'models/bad.sql', compiledLine: 3, line: 3 });
  });

  it('--fail-fast stops at the first failure: everything not yet started is skipped', async () => {
    const root = basicProject(sevenModels(), { project: PROJECT });
    const r = await runCli(['run', '--threads', '1', '--fail-fast'], { cwd: root });
    expect(r.code, r.output).toBe(1);
    const { results, args } = resultsOf(root);
    expect(args).toMatchObject({ fail_fast: true, threads: 1 });
    expect(results).toHaveLength(7);
    // With one thread, bad_model (first in DAG order) runs first and nothing else starts.
    expect(counts(results)).toEqual({ error: 1, skipped: 6 });
    expect(results.filter((x) => x.status === 'skipped').every((x) => /run stopped|bad_model/.test(x.message))).toBe(true);
    expect(await userRelations(path.join(root, DB_FILE))).toEqual([]);
  });

  it('without --fail-fast the same run goes on past the failure', async () => {
    const root = basicProject(sevenModels(), { project: PROJECT });
    const r = await runCli(['run', '--threads', '1'], { cwd: root });
    expect(r.code, r.output).toBe(1);
    expect(counts(resultsOf(root).results)).toEqual({ success: 5, error: 1, skipped: 1 });
  });

  it('a clean re-run after fixing the model succeeds and builds everything', async () => {
    const root = basicProject(sevenModels(), { project: PROJECT });
    const first = await runCli(['run', '--threads', '2'], { cwd: root });
    expect(first.code, first.output).toBe(1);

    writeFiles(root, { 'models/bad_model.sql': GOOD_SQL });
    const second = await runCli(['run', '--threads', '2'], { cwd: root });
    expect(second.code, second.output).toBe(0);
    expect(counts(resultsOf(root).results)).toEqual({ success: 7 });
    const db = path.join(root, DB_FILE);
    expect(await queryDuckDB(db, 'select id, x from main.after_bad')).toEqual([{ id: 1, x: 2 }]);
    expect(await tmpRelations(db)).toEqual([]);
  });

  it('the previously published version of a table stays intact when its rebuild fails (same rows)', async () => {
    const root = basicProject(sevenModels(GOOD_SQL), { project: PROJECT });
    const db = path.join(root, DB_FILE);
    const first = await runCli(['run', '--threads', '2'], { cwd: root });
    expect(first.code, first.output).toBe(0);
    const before = await queryDuckDB(db, 'select * from main.bad_model order by id');
    const childBefore = await queryDuckDB(db, 'select * from main.after_bad order by id');
    expect(before).toEqual([{ id: 1, x: 2 }]);

    writeFiles(root, { 'models/bad_model.sql': BAD_SQL });
    const second = await runCli(['run', '--threads', '2'], { cwd: root });
    expect(second.code, second.output).toBe(1);
    expect(await queryDuckDB(db, 'select * from main.bad_model order by id')).toEqual(before);
    expect(await queryDuckDB(db, 'select * from main.after_bad order by id')).toEqual(childBefore);
    expect(await tmpRelations(db)).toEqual([]);
  });

  it('a view whose rebuild fails keeps its previous definition', async () => {
    const root = basicProject({ 'models/v.sql': 'select 1 as id\n' });
    const db = path.join(root, DB_FILE);
    expect((await runCli(['run'], { cwd: root })).code).toBe(0);
    writeFiles(root, { 'models/v.sql': 'select\n  1 as id,\n  nope\n' });
    const r = await runCli(['run'], { cwd: root });
    expect(r.code, r.output).toBe(1);
    expect(await queryDuckDB(db, 'select * from main.v')).toEqual([{ id: 1 }]);
    expect(resultsOf(root).results[0]!.error).toMatchObject({ file: 'models/v.sql', line: 3 });
    expect(await tmpRelations(db)).toEqual([]);
  });
});
