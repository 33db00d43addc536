import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryLogger, executeBuild, openProject } from '@tform/core';
import { recordingFactory } from './helpers/recording.js';
import { postgresAdapterFactory } from '@tform/adapters/postgres';
import { cleanupProjects, makeProject, writeFiles } from './helpers/fixture.js';
import { CLI, cleanEnv, runCli } from './helpers/cli.js';
import { requirePostgres, withTempDatabase, type TempDatabase, pgProfilesYml } from './helpers/pg.js';

const hasPg = await requirePostgres();

describe.runIf(hasPg)('runs on Postgres', () => {
  let db: TempDatabase;
  beforeAll(async () => {
    db = await withTempDatabase();
  });
  afterAll(async () => {
    cleanupProjects();
    await db?.drop();
  });
  const profiles = (schema: string) => pgProfilesYml({ dbname: db.name, profile: 'p', schema, threads: 3 });
  const q = async (sql: string) => {
    const c = await db.connect();
    try {
      return (await c.query(sql)).rows;
    } finally {
      await c.end();
    }
  };

  it('seven models, one failing: 5 success, 1 error, 1 skipped, exit 1', async () => {
    const dir = makeProject({
      'tform_project.yml': 'name: p\nprofile: p\n',
      'profiles.yml': profiles('seven'),
      'models/m1.sql': 'select 1 as id',
      'models/m2.sql': "{{ config(materialized='table') }}\nselect id from {{ ref('m1') }}",
      'models/m3.sql': 'select id\n  , 2 as two\n  , no_such_col\nfrom {{ ref("m1") }}',
      'models/m4.sql': 'select * from {{ ref("m3") }}',
      'models/m5.sql': 'select id from {{ ref("m2") }}',
      'models/m6.sql': "{{ config(materialized='table') }}\nselect 6 as id",
      'models/m7.sql': 'select a.id from {{ ref("m5") }} a join {{ ref("m6") }} b using (id)',
    });
    const r = await runCli(['run', '--project-dir', dir], { cwd: dir });
    expect(r.code, r.output).toBe(1);
    const results = JSON.parse(readFileSync(join(dir, 'target/run_results.json'), 'utf8')).results as { name: string; status: string; error?: { file: string; line?: number; compiledLine?: number } }[];
    const by = Object.fromEntries(results.map((x) => [x.name, x]));
    expect(results.filter((x) => x.status === 'success').length).toBe(5);
    expect(by.m3!.status).toBe('error');
    expect(by.m4!.status).toBe('skipped');
    expect(by.m3!.error).toMatchObject({ file: 'models/m3.sql', line: 3, compiledLine: 3 });
    expect(r.output).toContain('no_such_col');
    expect((await q('select count(*)::int as n from seven.m7'))[0].n).toBe(0);
  });

  it('--dry-run sends no write statement', async () => {
    const dir = makeProject({ 'tform_project.yml': 'name: p\nprofile: p\n', 'profiles.yml': profiles('dry'), 'models/a.sql': "{{ config(materialized='table') }}\nselect 1 as id" });
    expect((await runCli(['run', '--project-dir', dir], { cwd: dir })).code).toBe(0);
    const log: string[] = [];
    const recording = recordingFactory(postgresAdapterFactory, log);
    const logger = new MemoryLogger();
    const p = await openProject({ projectDir: dir, logger, builtins: { postgres: async () => recording }, env: cleanEnv() });
    try {
      expect((await executeBuild(p, { command: 'run', dryRun: true })).exitCode).toBe(0);
    } finally {
      await p.adapter!.close();
    }
    expect(log.filter((s) => /^\s*(create|drop|alter|insert|update|delete|merge|grant|truncate|do|begin|lock)\b/i.test(s))).toEqual([]);
    expect(logger.text).toContain('nothing is written');
  });

  it('a run killed mid-build leaves the published table whole, and the next run succeeds', async () => {
    const dir = makeProject({ 'tform_project.yml': 'name: p\nprofile: p\n', 'profiles.yml': profiles('killed'), 'models/t.sql': "{{ config(materialized='table') }}\nselect g as id, 1 as version from generate_series(1, 1000) g" });
    expect((await runCli(['run', '--project-dir', dir], { cwd: dir })).code).toBe(0);
    writeFiles(dir, { 'models/t.sql': "{{ config(materialized='table') }}\nselect g as id, 2 as version from generate_series(1, 1000) g, (select pg_sleep(3)) s" });
    const child = spawn(process.execPath, [CLI, 'run', '--project-dir', dir], { cwd: dir, env: cleanEnv() });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    await new Promise<void>((res) => {
      const t = setInterval(() => {
        if (out.includes('START')) {
          clearInterval(t);
          res();
        }
      }, 20);
    });
    await new Promise((r) => setTimeout(r, 500));
    child.kill('SIGKILL');
    await new Promise((r) => child.on('exit', r));
    expect(await q('select count(*)::int as n, max(version) as v from killed.t')).toEqual([{ n: 1000, v: 1 }]);
    writeFiles(dir, { 'models/t.sql': "{{ config(materialized='table') }}\nselect g as id, 3 as version from generate_series(1, 500) g" });
    const rerun = await runCli(['run', '--project-dir', dir], { cwd: dir });
    expect(rerun.code, rerun.output).toBe(0);
    expect(await q('select count(*)::int as n, max(version) as v from killed.t')).toEqual([{ n: 500, v: 3 }]);
  });
});
