import { afterAll, describe, expect, it } from 'vitest';
import { basicProject, cleanupProjects } from './helpers/fixture.js';
import { runCli } from './helpers/cli.js';

describe('tform test --fail-fast', () => {
  afterAll(cleanupProjects);

  it('stops at the first failing test; the tests not started are skipped', async () => {
    const models: Record<string, string> = {};
    const yml = ['version: 2', 'models:'];
    for (const m of ['a', 'b', 'c']) {
      models[`models/${m}.sql`] = "{{ config(materialized='table') }}\nselect * from (values (1), (1)) t(id)\n";
      yml.push(`  - name: ${m}`, '    columns:', '      - name: id', '        data_tests: [unique]');
    }
    const dir = basicProject({ ...models, 'models/schema.yml': yml.join('\n') + '\n' });
    expect((await runCli(['run'], { cwd: dir })).code).toBe(0);
    const all = await runCli(['test'], { cwd: dir });
    expect(all.code).toBe(1);
    expect(all.output).toMatch(/PASS=0 WARN=0 ERROR=3 SKIP=0/);
    const fast = await runCli(['test', '--fail-fast', '--threads', '1'], { cwd: dir });
    expect(fast.code, fast.output).toBe(1);
    expect(fast.output).toMatch(/PASS=0 WARN=0 ERROR=1 SKIP=2/);
  });
});
