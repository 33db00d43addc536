/**
 * `tform schedule`: the one crontab line (with `tform run --due`) that serves every model's
 * schedule, from the union of their minute and hour fields.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { cronField, crontabTick, isDue } from '@tform/core';
import { runCli } from './helpers/cli.js';
import { cleanupProjects } from './helpers/fixture.js';
import { duckdbWarehouse, opsProject } from './helpers/ops.js';

afterAll(cleanupProjects);

describe('crontabTick', () => {
  const cases: [string[], string][] = [
    [['*/5 * * * *', '0 * * * *', '0 0 * * *'], '*/5 * * * *'],
    [['0 * * * *', '0 0 * * *'], '0 * * * *'],
    [['0 0 * * *'], '0 0 * * *'],
    [['0 0 * * *', '0 0 * * 1'], '0 0 * * *'],
    [['0 9 * * 1-5'], '0 9 * * 1-5'],
    [['*/15 * * * *', '7 * * * *'], '0,7,15,30,45 * * * *'],
    [['30 */6 * * *', '0 3 * * *'], '*/30 0,3,6,12,18 * * *'],
    [['* * * * *', '0 0 * * *'], '* * * * *'],
  ];
  for (const [schedules, tick] of cases) {
    it(`${schedules.join(' + ')} → ${tick}`, () => {
      expect(crontabTick(schedules)).toBe(tick);
    });
  }

  it('every scheduled time of every schedule is a tick (a day of 5-minute, hourly and daily models)', () => {
    const schedules = ['*/5 * * * *', '0 * * * *', '0 0 * * *', '20 */2 * * *'];
    const tick = crontabTick(schedules);
    const start = Date.parse('2024-03-10T00:00:00Z');
    for (let t = start; t < start + 86_400_000; t += 60_000) {
      const at = new Date(t);
      const before = new Date(t - 60_000);
      const fires = (e: string) => isDue(e, before, at);
      if (schedules.some(fires)) expect(fires(tick), at.toISOString()).toBe(true);
    }
  });

  it('cronField writes ranges as *, steps as */n and the rest as lists', () => {
    expect(cronField([...Array(60).keys()], 0, 59)).toBe('*');
    expect(cronField([0, 10, 20, 30, 40, 50], 0, 59)).toBe('*/10');
    expect(cronField([0, 10, 20], 0, 59)).toBe('0,10,20');
    expect(cronField([5], 0, 59)).toBe('5');
  });
});

describe('tform schedule', () => {
  const wh = duckdbWarehouse();

  it('prints one crontab line for 5-minute, hourly and daily models', async () => {
    const { dir } = opsProject(wh, {
      'models/purchases.sql': "{{ config(schedule='*/5 * * * *') }}\nselect 1 as id",
      'models/spins.sql': "{{ config(schedule='hourly') }}\nselect 2 as id",
      'models/kpis.sql': "{{ config(schedule='daily') }}\nselect 3 as id",
      'models/adhoc.sql': 'select 4 as id',
    });
    const r = await runCli(['schedule', '--project-dir', dir, '--target', 'dev'], { cwd: dir });
    expect(r.code, r.output).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines.filter((l) => !l.startsWith('#'))).toEqual([`*/5 * * * * cd ${dir} && npx tform run --due --target dev`]);
    expect(r.stdout).toContain('#   purchases  */5 * * * *');
    expect(r.stdout).toContain('#   kpis       0 0 * * *');
    expect(r.stdout).not.toContain('adhoc');
  });

  it('says so when nothing has a schedule, and takes --select and --bin; JSON with --log-format json', async () => {
    const { dir } = opsProject(wh, { 'models/kpis.sql': "{{ config(schedule='daily') }}\nselect 3 as id", 'models/adhoc.sql': 'select 4 as id' });
    const none = await runCli(['schedule', '--project-dir', dir, '--select', 'adhoc'], { cwd: dir });
    expect(none.code).toBe(0);
    expect(none.stdout).toContain('No selected model has a schedule:');
    const daily = await runCli(['schedule', '--project-dir', dir, '--select', 'kpis', '--bin', '/opt/tform/bin/tform'], { cwd: dir });
    expect(daily.stdout.trim().split('\n').filter((l) => !l.startsWith('#'))).toEqual(['CRON_TZ=UTC', `0 0 * * * cd ${dir} && /opt/tform/bin/tform run --due --select kpis`]);
    const json = await runCli(['schedule', '--project-dir', dir, '--log-format', 'json'], { cwd: dir });
    const ev = JSON.parse(json.stdout.trim().split('\n').pop()!) as { event: string; data: { tick: string; models: { name: string }[] } };
    expect(ev.event).toBe('crontab');
    expect(ev.data.tick).toBe('0 0 * * *');
    expect(ev.data.models.map((m) => m.name)).toEqual(['kpis']);
  });
});
