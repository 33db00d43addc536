import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupProjects, makeProject, profilesYml, DB_FILE } from './helpers/fixture.js';
import { runCli } from './helpers/cli.js';
import { queryDuckDB } from './helpers/duckdb.js';

afterAll(cleanupProjects);

const project = (files: Record<string, string>) => makeProject({ 'tform_project.yml': 'name: proj\nprofile: proj\n', 'profiles.yml': profilesYml(), ...files });

describe('retention', () => {
  it('deletes rows older than the retention after a run, by the settable clock, and warns when a rebuild reads retained data', async () => {
    const dir = project({
      'seeds/events.csv': 'id,ts\n1,2024-03-01 10:00:00\n2,2024-03-02 10:00:00\n3,2024-03-03 10:00:00\n4,2024-03-04 10:00:00\n5,2024-03-05 10:00:00\n',
      'models/staging.sql': "{{ config(materialized='incremental', unique_key='id', event_time='ts', retention='2 days') }}\nselect id, ts from {{ ref('events') }}",
      'models/lifetime.sql': "{{ config(materialized='incremental', unique_key='id') }}\nselect id, ts from {{ ref('staging') }}",
    });
    const r = await runCli(['build', '--project-dir', dir, '--now', '2024-03-05T12:00:00Z'], { cwd: dir });
    expect(r.code, r.output).toBe(0);
    // Kept: events after 2024-03-03T12:00 (2 days before now).
    expect(await queryDuckDB(join(dir, DB_FILE), 'select id from main.staging order by id')).toEqual([{ id: 4 }, { id: 5 }]);
    expect(r.output).toMatch(/lifetime is rebuilt from scratch and reads staging, which keeps only 2 days of history/);
    const again = await runCli(['build', '--project-dir', dir, '--now', '2024-03-05T12:00:00Z'], { cwd: dir });
    expect(again.output).not.toContain('rebuilt from scratch');
  });

  it('a bad retention, or one without event_time, is a user error at its line', async () => {
    const bad = project({ 'models/m.sql': "{{ config(materialized='table', event_time='ts', retention='a while') }}\nselect 1 as id, now() as ts" });
    const r = await runCli(['run', '--project-dir', bad], { cwd: bad });
    expect(r.code).toBe(2);
    expect(r.output).toContain('models/m.sql:1');
    expect(r.output).toContain('is not a period');
    const noTime = project({ 'models/m.sql': "{{ config(materialized='table', retention='30 days') }}\nselect 1 as id" });
    const n = await runCli(['run', '--project-dir', noTime], { cwd: noTime });
    expect(n.code).toBe(2);
    expect(n.output).toContain("'retention' needs 'event_time'");
  });
});
