/**
 * The run log (tform_state.run_log) through the CLI, on DuckDB and Postgres: every command that
 * builds or tests writes one row per run_results.json entry, equal to it field by field; `load`
 * one row per source table; read-only commands and --dry-run write nothing; the command line is
 * recorded with secrets masked; a run log that cannot be written is a warning only.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';
import { cleanupProjects, DB_FILE } from './helpers/fixture.js';
import { queryDuckDB } from './helpers/duckdb.js';
import {
  allRunLog,
  duckdbWarehouse,
  expectRunLogEqualsRunResults,
  opsProject,
  onPostgres,
  runLogOf,
  runResults,
  type OpsWarehouse,
} from './helpers/ops.js';
import { DuckDBInstance } from '@duckdb/node-api';

afterAll(cleanupProjects);

const NOW = '2024-03-10T06:00:00Z';
const SECRET = 'tok-9f8e7d6c5b4a';

function files(name: string): Record<string, string> {
  return {
    'seeds/users.csv': 'id,name\n1,ann\n2,bob\n',
    'models/stg_users.sql': "select * from {{ ref('users') }}",
    'models/broken.sql': 'select * from table_that_is_not_there',
    'models/after_broken.sql': "select * from {{ ref('broken') }}",
    'models/schema.yml': [
      'version: 2',
      'models:',
      '  - name: stg_users',
      '    columns:',
      '      - name: id',
      '        data_tests: [not_null, unique]',
      '      - name: name',
      '        data_tests:',
      '          - accepted_values: {values: [ann], config: {severity: warn}}',
      'sources:',
      '  - name: raw',
      `    schema: ${name}_raw`,
      '    tables:',
      '      - name: events',
      '        external: {location: "data/*.jsonl", format: jsonl}',
      '        columns:',
      '          - {name: id, data_type: integer}',
      '          - {name: kind, data_type: varchar}',
      '',
    ].join('\n'),
    'data/a.jsonl': '{"id": 1, "kind": "x"}\n{"id": 2, "kind": "y"}\n',
  };
}

function runLogSuite(get: () => OpsWarehouse) {
  it('build, test, seed and run write one run log row per run_results.json entry, equal to it', async () => {
    const wh = get();
    const { dir, name } = opsProject(wh, files);
    const cli = (...args: string[]) => runCli([...args, '--project-dir', dir, '--now', NOW], { cwd: dir });

    const build = await cli('build');
    expect(build.code, build.output).toBe(1);
    const buildDoc = runResults(dir);
    const buildLog = await runLogOf(wh, dir, name, buildDoc.metadata.invocationId);
    expect(buildLog.length).toBe(buildDoc.results.length);
    expect(buildLog.map((e) => `${e.nodeId.split('.').pop()}:${e.status}`)).toEqual(expect.arrayContaining(['users:success', 'stg_users:success', 'broken:error', 'after_broken:skipped']));
    expectRunLogEqualsRunResults(buildLog, buildDoc);
    expect(buildLog[0]).toMatchObject({ command: 'build', args: `tform build --project-dir ${dir} --now ${NOW}`, target: 'dev', loggedAt: new Date(NOW) });
    expect(buildLog[0]!.tformVersion).toMatch(/^\d+\.\d+\.\d+/);

    for (const [command, code] of [['test', 0], ['seed', 0], ['run', 1]] as const) {
      const r = await cli(command);
      expect(r.code, r.output).toBe(code);
      const doc = runResults(dir);
      expect(doc.metadata.command).toBe(command);
      const log = await runLogOf(wh, dir, name, doc.metadata.invocationId);
      expect(log.length, command).toBeGreaterThan(0);
      expectRunLogEqualsRunResults(log, doc);
    }
    await cli('test', '--select', 'stg_users');
    const test = await runLogOf(wh, dir, name, runResults(dir).metadata.invocationId);
    expect(test.map((e) => e.status).sort()).toEqual(['pass', 'pass', 'warn']);
    expect(test.find((e) => e.status === 'warn')).toMatchObject({ resourceType: 'test', failures: 1 });
  });

  it('load writes one row per source table and leaves run_results.json alone', async () => {
    const wh = get();
    const { dir, name } = opsProject(wh, files);
    const seed = await runCli(['seed', '--project-dir', dir, '--now', NOW], { cwd: dir });
    expect(seed.code, seed.output).toBe(0);
    const before = fs.readFileSync(path.join(dir, 'target', 'run_results.json'), 'utf8');
    const load = await runCli(['load', '--project-dir', dir, '--now', NOW], { cwd: dir });
    expect(load.code, load.output).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'target', 'run_results.json'), 'utf8')).toBe(before);
    const rows = (await allRunLog(wh, dir, name)).filter((r) => r.includes(`source.${name}.raw.events`));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatch(/ success$/);
    const runId = rows[0]!.split(' ')[0]!;
    const [entry] = await runLogOf(wh, dir, name, runId);
    expect(entry).toMatchObject({ command: 'load', resourceType: 'source', status: 'success', rowsAffected: 2, message: '1 file: 1 loaded, 0 reloaded, 0 unchanged, 0 failed' });
  });

  it('read-only commands and --dry-run write nothing to the run log', async () => {
    const wh = get();
    const { dir, name } = opsProject(wh, files);
    const first = await runCli(['seed', '--project-dir', dir, '--now', NOW], { cwd: dir });
    expect(first.code, first.output).toBe(0);
    const before = await allRunLog(wh, dir, name);
    expect(before.length).toBeGreaterThan(0);
    for (const args of [['ls'], ['compile'], ['show', '--select', 'stg_users'], ['status'], ['schedule'], ['monitor'], ['run', '--dry-run'], ['build', '--dry-run'], ['seed', '--dry-run']]) {
      const r = await runCli([...args, '--project-dir', dir, '--now', NOW], { cwd: dir });
      expect([0, 1], `${args.join(' ')}: ${r.output}`).toContain(r.code);
    }
    expect(await allRunLog(wh, dir, name)).toEqual(before);
  });

  it('the recorded command line masks secrets', async () => {
    const wh = get();
    const { dir, name } = opsProject(wh, files);
    const r = await runCli(['seed', '--project-dir', dir, '--now', NOW, '--vars', `{token: ${SECRET}}`], { cwd: dir, env: { TFORM_ENV_SECRET_OPS_TOKEN: SECRET } });
    expect(r.code, r.output).toBe(0);
    const [entry] = await runLogOf(wh, dir, name, runResults(dir).metadata.invocationId);
    expect(entry!.args).toContain("--vars '{token: *****}'");
    expect(entry!.args).not.toContain(SECRET);
  });
}

describe('run log on DuckDB', () => {
  const wh = duckdbWarehouse();
  runLogSuite(() => wh);

  it('a run log that cannot be written is a warning; the exit code and run_results.json stand', async () => {
    const { dir } = opsProject(wh, files);
    expect((await runCli(['seed', '--project-dir', dir], { cwd: dir })).code).toBe(0);
    // Lose the table behind tform's back: the layout version still says it is there.
    const db = await DuckDBInstance.create(path.join(dir, DB_FILE));
    const c = await db.connect();
    await c.run('drop table tform_state.run_log');
    c.disconnectSync();
    db.closeSync();
    const r = await runCli(['run', '--select', 'stg_users', '--project-dir', dir], { cwd: dir });
    expect(r.code, r.output).toBe(0);
    expect(r.output).toContain('[WARNING]: Could not write this run to the run log (tform_state.run_log)');
    expect(runResults(dir).metadata.command).toBe('run');
    expect(await queryDuckDB(path.join(dir, DB_FILE), `select count(*) as n from information_schema.tables where table_name = 'run_log'`)).toEqual([{ n: 0 }]);
  });
});

await onPostgres('run log on Postgres', runLogSuite);
