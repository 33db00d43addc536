import { afterAll, describe, expect, it } from 'vitest';
import { cleanupProjects, makeProject, profilesYml } from './helpers/fixture.js';
import { runCli } from './helpers/cli.js';

afterAll(cleanupProjects);

const project = (files: Record<string, string>, projectExtra = '') =>
  makeProject({ 'tform_project.yml': `name: proj\nprofile: proj\n${projectExtra}`, 'profiles.yml': profilesYml(), ...files });

describe('medallion layer direction', () => {
  it('a model reading a higher layer is an error at the ref line, with nothing written', async () => {
    const dir = project({
      'models/gold/kpi.sql': 'select 1 as id',
      'models/silver/stg.sql': "select *\nfrom {{ ref('kpi') }}",
    });
    const r = await runCli(['run', '--project-dir', dir], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.output).toContain("models/silver/stg.sql:2");
    expect(r.output).toContain("silver model stg reads gold through ref('kpi')");
    expect(r.output).toContain('hint:');
  });

  it('skipping a layer warns, and is an error with layers.strict', async () => {
    const files = { 'models/bronze/raw.sql': 'select 1 as id', 'models/gold/kpi.sql': "select * from {{ ref('raw') }}" };
    const loose = project(files);
    const r = await runCli(['run', '--project-dir', loose], { cwd: loose });
    expect(r.code, r.output).toBe(0);
    expect(r.output).toMatch(/WARNING.*models\/gold\/kpi.sql:1: gold model kpi reads bronze directly.*skipping silver/);
    const strict = project(files, 'layers:\n  strict: true\n');
    const s = await runCli(['run', '--project-dir', strict], { cwd: strict });
    expect(s.code).toBe(2);
    expect(s.output).toContain('models/gold/kpi.sql:1');
  });

  it('layer from config counts like a folder; own and lower layers are fine', async () => {
    const dir = project({
      'models/a.sql': "{{ config(layer='silver') }}\nselect 1 as id",
      'models/silver/b.sql': "select * from {{ ref('a') }}",
      'models/gold/c.sql': "select * from {{ ref('b') }}",
    });
    const r = await runCli(['ls', '--project-dir', dir, '--select', 'layer:silver', '--output', 'name'], { cwd: dir });
    expect(r.code, r.output).toBe(0);
    expect(r.stdout.trim().split('\n').sort()).toEqual(['a', 'b']);
  });
});
