import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupProjects, makeProject, writeFiles, DB_FILE } from './helpers/fixture.js';
import { runCli } from './helpers/cli.js';
import { queryDuckDB, userRelations } from './helpers/duckdb.js';

afterAll(cleanupProjects);

const profiles = ['proj:', '  target: ci', '  outputs:', ...['prod', 'ci'].flatMap((t) => [`    ${t}:`, '      type: duckdb', `      path: ${DB_FILE}`, `      schema: ${t}`])].join('\n');

describe('--defer --state', () => {
  it('builds only the selected model in CI and reads its unbuilt parent from the state run', async () => {
    const dir = makeProject({
      'tform_project.yml': 'name: proj\nprofile: proj\n',
      'profiles.yml': profiles,
      'models/parent.sql': "{{ config(materialized='table') }}\nselect 1 as id union all select 2",
      'models/child.sql': "{{ config(materialized='table') }}\nselect count(*) as n from {{ ref('parent') }}",
    });
    const prod = await runCli(['run', '--project-dir', dir, '--target', 'prod'], { cwd: dir });
    expect(prod.code, prod.output).toBe(0);
    cpSync(join(dir, 'target'), join(dir, 'prod-state'), { recursive: true });

    writeFiles(dir, { 'models/child.sql': "{{ config(materialized='table') }}\nselect count(*) * 10 as n from {{ ref('parent') }}" });
    // The CI pattern: build only what changed against production's manifest, read the rest from there.
    const ci = await runCli(['run', '--project-dir', dir, '--target', 'ci', '--select', 'state:modified', '--defer', '--state', 'prod-state'], { cwd: dir });
    expect(ci.code, ci.output).toBe(0);
    expect(ci.output).toContain('Deferring 1 unselected node');
    expect(ci.output).toContain('1 of 1 START sql table model ci.child');
    const compiled = readFileSync(join(dir, 'target/compiled/proj/models/child.sql'), 'utf8');
    expect(compiled).toContain('"prod"."parent"');
    expect(await queryDuckDB(join(dir, DB_FILE), 'select n from ci.child')).toEqual([{ n: 20 }]);
    const rels = (await userRelations(join(dir, DB_FILE))).sort();
    expect(rels).toEqual(['ci.child', 'prod.child', 'prod.parent']);

    // Once the parent exists in this target, it is read from here, not deferred.
    expect((await runCli(['run', '--project-dir', dir, '--target', 'ci', '--select', 'parent'], { cwd: dir })).code).toBe(0);
    const again = await runCli(['run', '--project-dir', dir, '--target', 'ci', '--select', 'child', '--defer', '--state', 'prod-state'], { cwd: dir });
    expect(again.output).not.toContain('Deferring');
    expect(readFileSync(join(dir, 'target/compiled/proj/models/child.sql'), 'utf8')).toContain('"ci"."parent"');
  });

  it('--defer without --state is a user error', async () => {
    const dir = makeProject({ 'tform_project.yml': 'name: proj\nprofile: proj\n', 'profiles.yml': profiles, 'models/a.sql': 'select 1 as id' });
    const r = await runCli(['run', '--project-dir', dir, '--defer'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.output).toContain('--defer needs --state');
  });
});
