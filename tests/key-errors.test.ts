import { afterAll, describe, expect, it } from 'vitest';
import { basicProject, cleanupProjects } from './helpers/fixture.js';
import { runCli } from './helpers/cli.js';

// A NULL in an incremental model's unique_key, or in a panel's entity, fails the model at the
// place the key was configured: the config() line of the model file, or the schema YAML entry.
describe('NULL key errors name the file and line of the key', () => {
  afterAll(cleanupProjects);

  it('unique_key set in the model file', async () => {
    const dir = basicProject({ 'models/o.sql': "-- orders\n{{ config(materialized='incremental',\n    unique_key='id') }}\nselect * from (values (1, 'a'), (null, 'b')) t(id, v)\n" });
    expect((await runCli(['run'], { cwd: dir })).code).toBe(0); // the first run builds the table
    const r = await runCli(['run'], { cwd: dir });
    expect(r.code, r.output).toBe(1);
    expect(r.output).toMatch(/Failure in model o \(models\/o\.sql:3\)/);
    expect(r.output).toMatch(/NULL in unique_key \(id\)/);
  });

  it('unique_key set in schema YAML', async () => {
    const dir = basicProject({
      'models/o.sql': "{{ config(materialized='incremental') }}\nselect * from (values (1, 'a'), (null, 'b')) t(id, v)\n",
      'models/schema.yml': 'version: 2\nmodels:\n  - name: o\n    config:\n      unique_key: id\n',
    });
    expect((await runCli(['run'], { cwd: dir })).code).toBe(0);
    const r = await runCli(['run'], { cwd: dir });
    expect(r.code, r.output).toBe(1);
    expect(r.output).toMatch(/Failure in model o \(models\/schema\.yml:3\)/);
  });

  it("a panel's NULL entity, set in the model file", async () => {
    const dir = basicProject({
      'models/p.sql':
        "{{ config(materialized='panel', event_time='d', batch_size='day', begin='2024-01-01',\n  entity='user_id') }}\nselect * from (values (1, date '2024-01-01', 3), (null, date '2024-01-01', 4)) t(user_id, d, n)\n",
    });
    const r = await runCli(['run', '--now', '2024-01-02T00:00:00Z'], { cwd: dir });
    expect(r.code, r.output).toBe(1);
    expect(r.output).toMatch(/Failure in model p \(models\/p\.sql:2\)/);
    expect(r.output).toMatch(/NULL entity \(user_id\)/);
  });
});
