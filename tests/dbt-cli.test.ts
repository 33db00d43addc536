/**
 * dbt command lines run unchanged against a dbt project: build|run|test|seed|compile|ls|debug|clean
 * with --select/-s, --models/-m, --exclude, --vars, --target/-t, --full-refresh, --threads,
 * --fail-fast/-x, --profiles-dir, --project-dir, --target-path, and dbt's no-op flags.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';
import { DB_FILE, cleanupProjects, makeProject, readJson } from './helpers/fixture.js';
import { dbtProject } from './helpers/dbt.js';
import { queryDuckDB } from './helpers/duckdb.js';

afterAll(cleanupProjects);

const PROFILES = `shop:
  target: dev
  outputs:
    dev:
      type: duckdb
      path: ${DB_FILE}
      schema: main
      threads: 1
    other:
      type: duckdb
      path: ${DB_FILE}
      schema: other
      threads: 1
`;

const FILES: Record<string, string> = {
  'models/a.sql': 'select 1 as id\n',
  'models/b.sql': "select id + 1 as id from {{ ref('a') }}\n",
  'models/c.sql': "select {{ var('n', 0) }} as n\n",
  'models/inc.sql': "{{ config(materialized='incremental') }}\nselect {{ var('n', 0) }} as n\n",
  'models/schema.yml': 'version: 2\nmodels:\n  - name: a\n    columns:\n      - name: id\n        tests: [unique]\n  - name: b\n    columns:\n      - name: id\n        tests: [not_null]\n',
  'seeds/s.csv': 'id\n1\n',
};

const names = (dir: string, target = 'target') => readJson(path.join(dir, target, 'run_results.json')).results.map((r: { name: string }) => r.name).sort();

describe.concurrent('dbt flags', () => {
  it('--help lists clean; run/test take --models/-m like --select/-s, and --exclude', async () => {
    const dir = dbtProject(FILES, { profiles: PROFILES });
    const help = await runCli(['--help'], { cwd: dir });
    for (const c of ['build', 'run', 'test', 'seed', 'compile', 'ls', 'debug', 'clean']) expect(help.stdout).toMatch(new RegExp(`tform ${c}\\b`));
    expect((await runCli(['run', '-m', 'a'], { cwd: dir })).code).toBe(0);
    expect(names(dir)).toEqual(['a']);
    expect((await runCli(['run', '--models', 'a', 'b', '--exclude', 'a'], { cwd: dir })).code).toBe(0);
    expect(names(dir)).toEqual(['b']);
    expect((await runCli(['run', '-s', 'a+', '--exclude', 'b'], { cwd: dir })).code).toBe(0);
    expect(names(dir)).toEqual(['a']);
    const t = await runCli(['test', '-m', 'a', '-x', '--threads', '2'], { cwd: dir });
    expect(t.code, t.output).toBe(0);
    expect(names(dir)).toEqual(['unique_a_id']);
    const ls = await runCli(['ls', '-m', 'b+', '--resource-type', 'model', '--output', 'name'], { cwd: dir });
    expect(ls.stdout.trim()).toBe('b');
  });

  it('--vars, --target/-t, --threads, --full-refresh, --fail-fast/-x on build, run and seed', async () => {
    const dir = dbtProject(FILES, { profiles: PROFILES });
    const seed = await runCli(['seed', '--full-refresh', '--threads', '2', '-t', 'other'], { cwd: dir });
    expect(seed.code, seed.output).toBe(0);
    expect(seed.output).toMatch(/other\.s/);
    const first = await runCli(['run', '-s', 'c', 'inc', '--vars', '{n: 1}', '--target', 'dev', '-x'], { cwd: dir });
    expect(first.code, first.output).toBe(0);
    await runCli(['run', '-s', 'inc', '--vars', '{"n": 2}'], { cwd: dir });
    expect(await queryDuckDB(path.join(dir, DB_FILE), 'select n from main.inc order by n')).toEqual([{ n: 1 }, { n: 2 }]);
    const refresh = await runCli(['build', '-s', 'inc', '--vars', 'n: 3', '--full-refresh', '--fail-fast'], { cwd: dir });
    expect(refresh.code, refresh.output).toBe(0);
    expect(await queryDuckDB(path.join(dir, DB_FILE), 'select n from main.inc')).toEqual([{ n: 3 }]);
    expect(await queryDuckDB(path.join(dir, DB_FILE), 'select n from main.c')).toEqual([{ n: 1 }]);
    expect(await queryDuckDB(path.join(dir, DB_FILE), 'select id from other.s')).toEqual([{ id: 1 }]);
  });

  it('--project-dir and --profiles-dir from elsewhere; --target-path; compile --threads -s; dbt no-op flags', async () => {
    const dir = dbtProject(FILES, { profiles: null });
    const profiles = makeProject({ 'profiles.yml': PROFILES.replaceAll(`path: ${DB_FILE}`, `path: ${path.join(dir, DB_FILE)}`) });
    const cwd = makeProject({});
    const c = await runCli(['compile', '--project-dir', dir, '--profiles-dir', profiles, '--threads', '2', '-s', 'b', '--target-path', 'out'], { cwd });
    expect(c.code, c.output).toBe(0);
    expect(fs.existsSync(path.join(dir, 'out/compiled/shop/models/b.sql'))).toBe(true);
    expect(fs.existsSync(path.join(dir, 'target'))).toBe(false);
    const b = await runCli(['build', '--project-dir', dir, '--profiles-dir', profiles, '--no-partial-parse', '--no-version-check', '--no-use-colors', '--no-send-anonymous-usage-stats', '-d'], { cwd });
    expect(b.code, b.output).toBe(0);
    expect(b.output).not.toMatch(/\x1b\[/);
    expect(names(dir)).toEqual(['a', 'b', 'c', 'inc', 'not_null_b_id', 's', 'unique_a_id']);
    const env = await runCli(['compile', '--project-dir', dir, '--profiles-dir', profiles], { cwd, env: { DBT_TARGET_PATH: 'from_env' } });
    expect(env.code, env.output).toBe(0);
    expect(fs.existsSync(path.join(dir, 'from_env/manifest.json'))).toBe(true);
    const clean = await runCli(['clean', '--project-dir', dir], { cwd });
    expect(clean.code, clean.output).toBe(0);
    expect(fs.existsSync(path.join(dir, 'target'))).toBe(false);
  });

  it('an unknown dbt flag is a usage error (exit 2), not silently ignored', async () => {
    const dir = dbtProject(FILES, { profiles: PROFILES });
    const r = await runCli(['run', '--warn-error'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.output).toMatch(/Unknown arguments?: warn-error/);
  });
});
