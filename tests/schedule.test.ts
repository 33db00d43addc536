import { afterAll, describe, expect, it } from 'vitest';
import { cleanupProjects, makeProject, profilesYml } from './helpers/fixture.js';
import { runCli } from './helpers/cli.js';

afterAll(cleanupProjects);

const project = (files: Record<string, string>) => makeProject({ 'tform_project.yml': 'name: proj\nprofile: proj\n', 'profiles.yml': profilesYml(), ...files });

describe('schedules and tform run --due', () => {
  it('a 5-minute tick runs the 5-minute model and not the hourly one', async () => {
    const dir = project({
      'models/purchases.sql': "{{ config(schedule='*/5 * * * *') }}\nselect 1 as id",
      'models/spins.sql': "{{ config(schedule='hourly') }}\nselect 2 as id",
      'models/adhoc.sql': 'select 3 as id',
    });
    const tick = (now: string) => runCli(['run', '--project-dir', dir, '--due', '--now', now], { cwd: dir });
    const first = await tick('2024-01-01T10:00:00Z');
    expect(first.code, first.output).toBe(0);
    expect(first.output).toContain('Due at 2024-01-01T10:00:00.000Z: purchases, spins');
    expect(first.output).not.toContain('main.adhoc');

    const fiveLater = await tick('2024-01-01T10:05:00Z');
    expect(fiveLater.code, fiveLater.output).toBe(0);
    expect(fiveLater.output).toContain('Due at 2024-01-01T10:05:00.000Z: purchases; not yet: spins (next 2024-01-01T11:00:00.000Z)');
    expect(fiveLater.output).toContain('1 of 1 START sql view model main.purchases');

    const early = await tick('2024-01-01T10:07:00Z');
    expect(early.output).toContain('Nothing is due.');

    const hour = await tick('2024-01-01T11:00:00Z');
    expect(hour.output).toContain('Due at 2024-01-01T11:00:00.000Z: purchases, spins');
  });

  it('a schedule that is not a cron expression is a user error at its line', async () => {
    const dir = project({ 'models/m.sql': "select 1 as id\n{{ config(schedule='every now and then') }}" });
    const r = await runCli(['run', '--project-dir', dir], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.output).toContain('models/m.sql:2');
    expect(r.output).toContain('is not a cron expression');
  });
});
