import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupProjects, makeProject, profilesYml, repoRoot } from './helpers/fixture.js';
import { runCli } from './helpers/cli.js';

afterAll(cleanupProjects);

const schema = (name: string) => JSON.parse(readFileSync(join(repoRoot, 'schemas', name), 'utf8'));

describe('artifacts match their published JSON Schemas', () => {
  it('manifest.json and run_results.json of a run with a success, an error and a skip', async () => {
    const dir = makeProject({
      'tform_project.yml': 'name: proj\nprofile: proj\non-run-start: ["select 1"]\n',
      'profiles.yml': profilesYml(),
      'seeds/s.csv': 'id\n1\n',
      'models/a.sql': "{{ config(materialized='table', tags=['t']) }}\nselect * from {{ ref('s') }}",
      'models/bad.sql': 'select nope from {{ ref("a") }}',
      'models/child.sql': 'select * from {{ ref("bad") }}',
      'models/eph.sql': "{{ config(materialized='ephemeral') }}\nselect 1 as id",
      'models/uses_eph.sql': "select * from {{ ref('eph') }}",
      'models/schema.yml': 'version: 2\nmodels:\n  - name: a\n    description: A\n    columns:\n      - name: id\n        tests: [not_null]\nsources:\n  - name: raw\n    tables:\n      - name: t\n',
    });
    const r = await runCli(['build', '--project-dir', dir], { cwd: dir });
    expect(r.code).toBe(1);
    const ajv = new Ajv2020.default({ allErrors: true, strict: false });
    for (const [file, s] of [
      ['manifest.json', 'manifest.schema.json'],
      ['run_results.json', 'run_results.schema.json'],
    ]) {
      const validate = ajv.compile(schema(s!));
      const doc = JSON.parse(readFileSync(join(dir, 'target', file!), 'utf8'));
      const ok = validate(doc);
      expect(ok, `${file}: ${ajv.errorsText(validate.errors)}`).toBe(true);
    }
    const results = JSON.parse(readFileSync(join(dir, 'target/run_results.json'), 'utf8'));
    expect(results.results.map((x: { name: string; status: string }) => `${x.name}:${x.status}`).sort()).toEqual(
      ['a:success', 'bad:error', 'child:skipped', 's:success', 'uses_eph:success', 'not_null_a_id:pass'].sort(),
    );
  });
});
