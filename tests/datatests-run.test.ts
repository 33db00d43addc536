import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryLogger, executeTest, openProject } from '@tform/core';
import { recordingFactory } from './helpers/recording.js';
import { duckdbAdapterFactory } from '@tform/adapters/duckdb';
import { cleanupProjects, makeProject, profilesYml, writeFiles, DB_FILE } from './helpers/fixture.js';
import { cleanEnv, runCli } from './helpers/cli.js';
import { queryDuckDB } from './helpers/duckdb.js';

afterAll(cleanupProjects);

const project = (files: Record<string, string>) => makeProject({ 'tform_project.yml': 'name: proj\nprofile: proj\n', 'profiles.yml': profilesYml(), ...files });

describe('tform test', () => {
  it('ten fusable tests on one model issue exactly one query', async () => {
    const cols = ['a', 'b', 'c', 'd', 'e'];
    const dir = project({
      'models/wide.sql': `{{ config(materialized='table') }}\nselect ${cols.map((c, i) => `${i} as ${c}`).join(', ')}`,
      'models/schema.yml': `version: 2\nmodels:\n  - name: wide\n    columns:\n${cols.map((c) => `      - name: ${c}\n        data_tests:\n          - not_null\n          - accepted_values:\n              values: [0, 1, 2, 3, 4]\n              quote: false\n`).join('')}`,
    });
    expect((await runCli(['run', '--project-dir', dir], { cwd: dir })).code).toBe(0);
    const log: string[] = [];
    const recording = recordingFactory(duckdbAdapterFactory, log);
    const logger = new MemoryLogger();
    const p = await openProject({ projectDir: dir, logger, builtins: { duckdb: async () => recording }, env: cleanEnv() });
    try {
      const r = await executeTest(p, {});
      expect(r.exitCode, logger.text).toBe(0);
      expect(r.outcome!.results.length).toBe(10);
      expect(r.outcome!.results.every((x) => x.status === 'pass')).toBe(true);
    } finally {
      await p.adapter!.close();
    }
    const onModel = log.filter((s) => s.includes('"main"."wide"'));
    expect(onModel.length, onModel.join('\n---\n')).toBe(1);
  });

  it('exits 0 when only warnings fail, 1 when an error-severity test fails; prints count and rows', async () => {
    const dir = project({
      'models/t.sql': "{{ config(materialized='table') }}\nselect * from (values (1), (1), (null)) as x(id)",
      'models/schema.yml': 'version: 2\nmodels:\n  - name: t\n    columns:\n      - name: id\n        data_tests:\n          - unique:\n              config: {severity: warn}\n          - not_null:\n              config: {severity: warn}\n',
    });
    expect((await runCli(['run', '--project-dir', dir], { cwd: dir })).code).toBe(0);
    const warn = await runCli(['test', '--project-dir', dir], { cwd: dir });
    expect(warn.code, warn.output).toBe(0);
    expect(warn.output).toContain('WARN=2');
    writeFiles(dir, { 'models/schema.yml': 'version: 2\nmodels:\n  - name: t\n    columns:\n      - name: id\n        data_tests: [unique, not_null]\n' });
    const fail = await runCli(['test', '--project-dir', dir], { cwd: dir });
    expect(fail.code).toBe(1);
    expect(fail.output).toMatch(/FAIL 1 unique_t_id/);
    expect(fail.output).toContain('Got 1 failure');
    expect(fail.output).toMatch(/"unique_field":1/);
    expect(fail.output).toContain('compiled code at target/compiled/proj/tests/unique_t_id.sql');
  });

  it('store_failures keeps the failing rows in <schema>_tform_failures', async () => {
    const dir = project({
      'models/t.sql': "{{ config(materialized='table') }}\nselect * from (values (1, 'ok'), (2, 'bad'), (3, 'bad')) as x(id, s)",
      'models/schema.yml': "version: 2\nmodels:\n  - name: t\n    columns:\n      - name: s\n        data_tests:\n          - accepted_values:\n              values: [ok]\n              config: {store_failures: true, severity: warn}\n",
    });
    expect((await runCli(['run', '--project-dir', dir], { cwd: dir })).code).toBe(0);
    const r = await runCli(['test', '--project-dir', dir], { cwd: dir });
    expect(r.code, r.output).toBe(0);
    expect(await queryDuckDB(join(dir, DB_FILE), 'select value_field, n_records from main_tform_failures.accepted_values_t_s__ok')).toEqual([{ value_field: 'bad', n_records: 2 }]);
  });

  it('source freshness uses the settable clock', async () => {
    const dir = project({
      'seeds/events.csv': 'id,loaded_at\n1,2024-03-01 10:00:00\n2,2024-03-01 12:00:00\n',
      'models/sources.yml': 'version: 2\nsources:\n  - name: raw\n    schema: main\n    loaded_at_field: loaded_at\n    freshness:\n      warn_after: {count: 6, period: hour}\n      error_after: {count: 1, period: day}\n    tables:\n      - name: events\n',
    });
    expect((await runCli(['seed', '--project-dir', dir], { cwd: dir })).code).toBe(0);
    const fresh = await runCli(['test', '--project-dir', dir, '--now', '2024-03-01T15:00:00Z'], { cwd: dir });
    expect(fresh.code, fresh.output).toBe(0);
    expect(fresh.output).toContain('PASS=1');
    const late = await runCli(['test', '--project-dir', dir, '--now', '2024-03-01T20:00:00Z'], { cwd: dir });
    expect(late.code, late.output).toBe(0);
    expect(late.output).toContain('WARN=1');
    const stale = await runCli(['test', '--project-dir', dir, '--now', '2024-03-03T00:00:00Z'], { cwd: dir });
    expect(stale.code, stale.output).toBe(1);
  });

  it('custom generic tests ({% test %} in tests/generic) and singular tests (tests/*.sql)', async () => {
    const dir = project({
      'models/nums.sql': "{{ config(materialized='table') }}\nselect * from (values (2), (4), (6)) as t(n)",
      'tests/generic/is_even.sql': '{% test is_even(model, column_name, allow=none) %}\nselect {{ column_name }} from {{ model }} where {{ column_name }} % 2 <> 0{% if allow is not none %} and {{ column_name }} <> {{ allow }}{% endif %}\n{% endtest %}\n',
      'tests/assert_small.sql': "select * from {{ ref('nums') }} where n > {{ var('max_n', 4) }}",
      'models/schema.yml': 'version: 2\nmodels:\n  - name: nums\n    columns:\n      - name: n\n        data_tests:\n          - is_even\n          - is_even:\n              name: even_or_five\n              allow: 5\n',
    });
    const r = await runCli(['build', '--project-dir', dir], { cwd: dir });
    expect(r.code, r.output).toBe(1);
    expect(r.output).toMatch(/PASS is_even_nums_n/);
    expect(r.output).toMatch(/PASS even_or_five/);
    expect(r.output).toMatch(/FAIL 1 assert_small/);
    // The singular test reads published data: the model itself was built and published.
    expect(await queryDuckDB(join(dir, DB_FILE), 'select count(*) as n from main.nums')).toEqual([{ n: 3 }]);
    const ok = await runCli(['test', '--project-dir', dir, '--vars', '{max_n: 10}'], { cwd: dir });
    expect(ok.code, ok.output).toBe(0);
    expect(ok.output).toContain('PASS=3');
  });
});
