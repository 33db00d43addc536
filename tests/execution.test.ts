import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryLogger, executeBuild, openProject } from '@tform/core';
import { recordingFactory } from './helpers/recording.js';
import { duckdbAdapterFactory } from '@tform/adapters/duckdb';
import { cleanupProjects, makeProject, profilesYml, writeFiles, DB_FILE } from './helpers/fixture.js';
import { CLI, cleanEnv, runCli } from './helpers/cli.js';
import { queryDuckDB } from './helpers/duckdb.js';

afterAll(cleanupProjects);

const project = (models: Record<string, string>) =>
  makeProject({ 'tform_project.yml': 'name: proj\nprofile: proj\n', 'profiles.yml': profilesYml({ threads: 2 }), ...models });

/** A statement that changes the warehouse (anything but reading). */
const WRITE = /^\s*(create|drop|alter|insert|update|delete|merge|copy|grant|revoke|truncate|comment|begin|commit|attach|set)\b/i;

describe('--dry-run', () => {
  it('prints the plan and its SQL and sends no write statement', async () => {
    const dir = project({
      'models/a.sql': "{{ config(materialized='table') }}\nselect 1 as id",
      'models/b.sql': "select id from {{ ref('a') }}",
    });
    expect((await runCli(['run', '--project-dir', dir], { cwd: dir })).code).toBe(0);
    writeFiles(dir, { 'models/a.sql': "{{ config(materialized='table') }}\nselect 2 as id" });
    const log: string[] = [];
    const logger = new MemoryLogger();
    const p = await openProject({ projectDir: dir, logger, builtins: { duckdb: async () => recordingFactory(duckdbAdapterFactory, log) }, env: cleanEnv() });
    try {
      const r = await executeBuild(p, { command: 'run', dryRun: true });
      expect(r.exitCode).toBe(0);
    } finally {
      await p.adapter!.close();
    }
    expect(log.length).toBeGreaterThan(0);
    expect(log.filter((s) => WRITE.test(s))).toEqual([]);
    expect(logger.text).toContain('create table "main"."a__tform_tmp"');
    expect(logger.text).toContain('nothing is written');
    expect(await queryDuckDB(join(dir, DB_FILE), 'select id from main.a')).toEqual([{ id: 1 }]);
  });
});

/** Start the CLI; resolve when `pattern` shows in its output. */
function startCli(args: string[], dir: string) {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: dir, env: cleanEnv() });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((res) => child.on('exit', (code, signal) => res(code ?? (signal ? -1 : null))));
  const seen = (pattern: RegExp) =>
    new Promise<void>((res, rej) => {
      const t = setInterval(() => {
        if (pattern.test(out)) {
          clearInterval(t);
          res();
        }
      }, 20);
      void exited.then(() => {
        clearInterval(t);
        if (!pattern.test(out)) rej(new Error(`exited before ${pattern}: ${out}`));
      });
    });
  return { child, exited, seen, output: () => out };
}

// A table whose build takes a few seconds on DuckDB, so a signal lands while it runs.
const SLOW = "{{ config(materialized='table') }}\nselect count(*) as n, 2 as version from range(4000000000) t(i) where i % 7 = 3";

/** Publish version 1 of `big`, then start a slow rebuild and send `signal` while it runs. */
async function interruptRebuild(signal: NodeJS.Signals) {
  const dir = project({ 'models/big.sql': "{{ config(materialized='table') }}\nselect 1 as n, 1 as version" });
  expect((await runCli(['run', '--project-dir', dir], { cwd: dir })).code).toBe(0);
  writeFiles(dir, { 'models/big.sql': SLOW });
  const run = startCli(['run', '--project-dir', dir], dir);
  await run.seen(/START sql table model main\.big/);
  await new Promise((r) => setTimeout(r, 300));
  run.child.kill(signal);
  return { dir, run };
}

describe('interrupted runs', () => {
  it('SIGINT cancels the running statement, publishes nothing, writes run_results and exits 130', async () => {
    const { dir, run } = await interruptRebuild('SIGINT');
    expect(await run.exited, run.output()).toBe(130);
    const results = JSON.parse(readFileSync(join(dir, 'target/run_results.json'), 'utf8'));
    expect(results.cancelled).toBe(true);
    expect(results.results[0].status).toBe('error');
    expect(await queryDuckDB(join(dir, DB_FILE), 'select n, version from main.big')).toEqual([{ n: 1, version: 1 }]);
  });

  it('after SIGKILL mid-build the old table is intact, the stale lock is taken over and a rerun succeeds', async () => {
    const { dir, run } = await interruptRebuild('SIGKILL');
    await run.exited;
    expect(existsSync(join(dir, `${DB_FILE}.tform-lock`))).toBe(true);
    expect(await queryDuckDB(join(dir, DB_FILE), 'select n, version from main.big')).toEqual([{ n: 1, version: 1 }]);
    writeFiles(dir, { 'models/big.sql': "{{ config(materialized='table') }}\nselect 3 as n, 3 as version" });
    const rerun = await runCli(['run', '--project-dir', dir], { cwd: dir });
    expect(rerun.code, rerun.output).toBe(0);
    expect(rerun.output).toMatch(/took over a stale run lock of pid \d+/);
    expect(await queryDuckDB(join(dir, DB_FILE), 'select n, version from main.big')).toEqual([{ n: 3, version: 3 }]);
  });
});

describe('two runs on one DuckDB target', () => {
  it('the second waits for the lock naming the holder; both succeed', async () => {
    const dir = project({
      'models/slow.sql': "{{ config(materialized='table') }}\nselect count(*) as n from range(300000000) t(i) where i % 3 = 1",
      'models/after.sql': "select n from {{ ref('slow') }}",
    });
    const first = startCli(['run', '--project-dir', dir], dir);
    await first.seen(/START/);
    const second = await runCli(['run', '--project-dir', dir], { cwd: dir, timeoutMs: 60_000 });
    expect(await first.exited, first.output()).toBe(0);
    expect(second.code, second.output).toBe(0);
    expect(second.output).toMatch(/Waiting for the run lock of target 'dev', held by pid \d+ on \S+ since \S+ \(tform run\)/);
    expect(await queryDuckDB(join(dir, DB_FILE), 'select n from main.after')).toEqual([{ n: 100000000 }]);
  });
});
