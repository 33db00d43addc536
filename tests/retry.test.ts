import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupProjects, makeProject, profilesYml, writeFiles } from './helpers/fixture.js';
import { runCli } from './helpers/cli.js';

afterAll(cleanupProjects);

describe('tform retry', () => {
  it('re-runs only what errored or was skipped, with the last command', async () => {
    const dir = makeProject({
      'tform_project.yml': 'name: proj\nprofile: proj\n',
      'profiles.yml': profilesYml(),
      'models/a.sql': 'select 1 as id',
      'models/bad.sql': 'select id, nope from {{ ref("a") }}',
      'models/child.sql': 'select id from {{ ref("bad") }}',
      'models/other.sql': 'select id from {{ ref("a") }}',
    });
    const first = await runCli(['run', '--project-dir', dir], { cwd: dir });
    expect(first.code).toBe(1);
    writeFiles(dir, { 'models/bad.sql': 'select id from {{ ref("a") }}' });
    const retry = await runCli(['retry', '--project-dir', dir], { cwd: dir });
    expect(retry.code, retry.output).toBe(0);
    expect(retry.output).toContain('1 of 2 START sql view model main.bad');
    expect(retry.output).toContain('2 of 2 START sql view model main.child');
    const results = JSON.parse(readFileSync(join(dir, 'target/run_results.json'), 'utf8'));
    expect(results.results.map((r: { name: string; status: string }) => [r.name, r.status])).toEqual([
      ['bad', 'success'],
      ['child', 'success'],
    ]);
    const again = await runCli(['retry', '--project-dir', dir], { cwd: dir });
    expect(again.code).toBe(0);
    expect(again.output).toContain('Nothing to retry');
  });

  it('without a previous run is a user error', async () => {
    const dir = makeProject({ 'tform_project.yml': 'name: proj\nprofile: proj\n', 'profiles.yml': profilesYml(), 'models/a.sql': 'select 1 as id' });
    const r = await runCli(['retry', '--project-dir', dir], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.output).toContain('nothing to retry');
  });
});
