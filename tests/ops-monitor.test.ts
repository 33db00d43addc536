/**
 * `tform monitor` through the CLI on DuckDB and Postgres, deterministic with --now: models that
 * succeeded (or not) within their window (expect_every, schedule, or --days-back), failing
 * models, source freshness, the latest percent_change results from the run log, JSON output;
 * expect_every validation; and judgeModel() on its own.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { judgeModel, type ModelRunHistory } from '@tform/core';
import { runCli, type CliResult } from './helpers/cli.js';
import { cleanupProjects } from './helpers/fixture.js';
import { duckdbWarehouse, onPostgres, opsProject, type OpsWarehouse } from './helpers/ops.js';

afterAll(cleanupProjects);

/** The table rows of a text monitor output: `node status` per check. */
function statuses(r: CliResult): string[] {
  return r.stdout
    .split('\n')
    .filter((l) => /^\| (schedule|freshness|percent_change) /.test(l))
    .map((l) => l.split('|').map((c) => c.trim()))
    .map((c) => `${c[1]} ${c[2]} ${c[5]}`);
}

function suite(get: () => OpsWarehouse) {
  const at = (dir: string) => (now: string, ...args: string[]) => runCli([...args, '--project-dir', dir, '--now', now], { cwd: dir });

  it('--days-back 2 flags a model whose last success is 3 days old and passes one that ran today', async () => {
    const { dir } = opsProject(get(), {
      'models/stale_m.sql': 'select 1 as id',
      'models/fresh_m.sql': 'select 2 as id',
      'models/daily_m.sql': "{{ config(expect_every='1 day') }}\nselect 3 as id",
    });
    const cli = at(dir);
    expect((await cli('2024-03-07T12:00:00Z', 'run')).code).toBe(0);
    expect((await cli('2024-03-10T06:00:00Z', 'run', '--select', 'fresh_m', 'daily_m')).code).toBe(0);

    const m = await cli('2024-03-10T12:00:00Z', 'monitor', '--days-back', '2');
    expect(m.code, m.output).toBe(1);
    expect(statuses(m).sort()).toEqual(['schedule daily_m OK', 'schedule fresh_m OK', 'schedule stale_m LATE']);
    expect(m.stdout).toMatch(/\| schedule +\| stale_m +\| within 2 days +\| 2024-03-07 12:00:00Z \| LATE +\| last success 3\.0 days ago, more than 2\.0 days/);
    expect(m.stdout).toMatch(/\| schedule +\| daily_m +\| every 1 day +\| 2024-03-10 06:00:00Z \| OK +\| last success 6\.0 hours ago/);
    expect(m.output).toContain('1 of 3 checks late or failing at 2024-03-10T12:00:00.000Z');

    const today = await cli('2024-03-10T12:00:00Z', 'monitor', '--days-back', '2', '--select', 'fresh_m', 'daily_m');
    expect(today.code, today.output).toBe(0);
    expect(today.output).toContain('All 2 checks on time at 2024-03-10T12:00:00.000Z');
    expect((await cli('2024-03-10T12:00:00Z', 'monitor', '--days-back', '4')).code).toBe(0);
    // expect_every decides for daily_m whatever the lookback: a day and a half later it is late.
    const later = await cli('2024-03-11T18:00:00Z', 'monitor', '--days-back', '30', '--select', 'daily_m');
    expect(later.code).toBe(1);
    expect(statuses(later)).toEqual(['schedule daily_m LATE']);
  });

  it('a schedule is late once a whole scheduled period went by without a success; a failed run is failing', async () => {
    const { dir } = opsProject(get(), {
      'models/hourly_m.sql': "{{ config(schedule='hourly') }}\nselect 1 as id",
      'models/flaky.sql': "{{ config(schedule='daily') }}\nselect {{ var('col', 'missing_col') }} as v",
    });
    const cli = at(dir);
    expect((await cli('2024-03-10T10:00:00Z', 'run', '--vars', '{col: 1}')).code).toBe(0);
    const ok = await cli('2024-03-10T11:30:00Z', 'monitor');
    expect(ok.code, ok.output).toBe(0);
    expect(ok.stdout).toMatch(/hourly_m +\| schedule 0 \* \* \* \* \| 2024-03-10 10:00:00Z \| OK +\| last success 90 minutes ago; next due 2024-03-10T11:00:00\.000Z/);
    const late = await cli('2024-03-10T12:00:00Z', 'monitor');
    expect(late.code).toBe(1);
    expect(statuses(late).sort()).toEqual(['schedule flaky OK', 'schedule hourly_m LATE']);
    expect(late.stdout).toContain('due at 2024-03-10T11:00:00.000Z and not run by 2024-03-10T12:00:00.000Z');

    expect((await cli('2024-03-10T12:05:00Z', 'run', '--select', 'flaky')).code).toBe(1);
    const failing = await cli('2024-03-10T12:06:00Z', 'monitor', '--select', 'flaky');
    expect(failing.code).toBe(1);
    expect(statuses(failing)).toEqual(['schedule flaky FAIL']);
    expect(failing.stdout).toContain('the latest run failed at 2024-03-10T12:05:00.000Z');
  });

  it('source freshness, computed as tform test computes it', async () => {
    const wh = get();
    const { dir } = opsProject(wh, (name) => ({
      'seeds/events.csv': 'id,loaded_at\n1,2024-03-01 10:00:00\n2,2024-03-01 12:00:00\n',
      'models/sources.yml': `version: 2\nsources:\n  - name: raw\n    schema: ${wh.schemaOf(name)}\n    loaded_at_field: loaded_at\n    freshness:\n      warn_after: {count: 6, period: hour}\n      error_after: {count: 1, period: day}\n    tables:\n      - name: events\n`,
    }));
    const cli = at(dir);
    expect((await cli('2024-03-01T12:00:00Z', 'seed')).code).toBe(0);
    const fresh = await cli('2024-03-01T15:00:00Z', 'monitor', '--select', 'source:raw');
    expect(fresh.code, fresh.output).toBe(0);
    expect(fresh.stdout).toMatch(/\| freshness \| raw\.events \| warn after 6 hours, error after 1 day \| 2024-03-01 12:00:00Z \| OK +\| fresh: newest row 2024-03-01T12:00:00\.000Z is 3\.0 hours old/);
    const warn = await cli('2024-03-01T20:00:00Z', 'monitor', '--select', 'source:raw');
    expect(warn.code).toBe(0);
    expect(statuses(warn)).toEqual(['freshness raw.events WARN']);
    const stale = await cli('2024-03-03T00:00:00Z', 'monitor', '--select', 'source:raw');
    expect(stale.code).toBe(1);
    expect(statuses(stale)).toEqual(['freshness raw.events STALE']);
    expect(stale.stdout).toContain('| 2024-03-01 12:00:00Z |');
  });

  it('the latest percent_change results, from the run log', async () => {
    const rows = ['id,event_ts', ...Array.from({ length: 10 }, (_, i) => `${i},2024-03-01 0${i % 10}:00:00`), ...Array.from({ length: 10 }, (_, i) => `${10 + i},2024-03-02 0${i % 10}:00:00`), '20,2024-03-03 01:00:00', '21,2024-03-03 02:00:00'];
    const { dir } = opsProject(get(), {
      'seeds/raw_events.csv': rows.join('\n') + '\n',
      'models/events_m.sql': "select * from {{ ref('raw_events') }}",
      'models/schema.yml': 'version: 2\nmodels:\n  - name: events_m\n    data_tests:\n      - percent_change: {time_column: event_ts, threshold_percent: 30}\n',
    });
    const cli = at(dir);
    const none = await cli('2024-03-03T00:00:00Z', 'monitor', '--select', 'events_m');
    expect(statuses(none)).toEqual(['schedule events_m LATE', 'percent_change percent_change_events_m_30__event_ts NONE']);
    expect((await cli('2024-03-03T00:00:00Z', 'build')).code).toBe(0);
    const pass = await cli('2024-03-03T06:00:00Z', 'monitor', '--select', 'events_m');
    expect(pass.code, pass.output).toBe(0);
    expect(statuses(pass)).toEqual(['schedule events_m OK', 'percent_change percent_change_events_m_30__event_ts OK']);
    expect(pass.stdout).toMatch(/percent_change_events_m_30__event_ts \| 30% vs previous day \| 2024-03-03 00:00:00Z \| OK/);

    // The next day's test run records the drop (10 → 2); the monitor reports it without re-running it.
    expect((await cli('2024-03-04T00:00:00Z', 'test')).code).toBe(1);
    const fail = await cli('2024-03-04T01:00:00Z', 'monitor', '--select', 'events_m');
    expect(fail.code).toBe(1);
    expect(statuses(fail)).toEqual(['schedule events_m OK', 'percent_change percent_change_events_m_30__event_ts FAIL']);
    // Older than the lookback, a result no longer counts.
    const old = await cli('2024-03-20T00:00:00Z', 'monitor', '--select', 'events_m', '--days-back', '30');
    expect(statuses(old)).toEqual(['schedule events_m OK', 'percent_change percent_change_events_m_30__event_ts FAIL']);
    const older = await cli('2024-03-20T00:00:00Z', 'monitor', '--select', 'events_m', '--days-back', '3');
    expect(statuses(older)).toEqual(['schedule events_m LATE', 'percent_change percent_change_events_m_30__event_ts NONE']);
  });

  it('--log-format json prints one event per check and a summary', async () => {
    const { dir, name } = opsProject(get(), { 'models/a.sql': "{{ config(expect_every='6 hours') }}\nselect 1 as id" });
    const cli = at(dir);
    expect((await cli('2024-03-10T00:00:00Z', 'run')).code).toBe(0);
    const r = await cli('2024-03-10T07:00:00Z', 'monitor', '--log-format', 'json');
    expect(r.code).toBe(1);
    const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { event: string; data?: Record<string, unknown> });
    expect(events.find((e) => e.event === 'monitor_check')?.data).toEqual({
      check: 'schedule',
      unique_id: `model.${name}.a`,
      name: 'a',
      expected: 'every 6 hours',
      last: '2024-03-10T00:00:00.000Z',
      status: 'late',
      detail: 'last success 7.0 hours ago, more than 6.0 hours',
      runs: 1,
      errors: 0,
    });
    expect(events.find((e) => e.event === 'monitor_summary')?.data).toEqual({ now: '2024-03-10T07:00:00.000Z', days_back: 7, checks: 1, problems: 1 });
  });
}

describe('tform monitor on DuckDB', () => {
  const wh = duckdbWarehouse();
  suite(() => wh);

  it('a bad expect_every is a user error at its line, with a hint', async () => {
    const sql = opsProject(wh, { 'models/m.sql': "select 1 as id\n{{ config(expect_every='every day') }}" });
    const r = await runCli(['monitor', '--project-dir', sql.dir], { cwd: sql.dir });
    expect(r.code, r.output).toBe(2);
    expect(r.output).toContain('models/m.sql:2');
    expect(r.output).toContain('expect_every "every day" is not a period');
    expect(r.output).toContain("hint: e.g. expect_every: '1 day', '6 hours' or '30 minutes'");
    const yml = opsProject(wh, { 'models/m.sql': 'select 1 as id', 'models/schema.yml': 'version: 2\nmodels:\n  - name: m\n    config:\n      expect_every: 0 days\n' });
    const y = await runCli(['run', '--project-dir', yml.dir], { cwd: yml.dir });
    expect(y.code, y.output).toBe(2);
    expect(y.output).toContain('models/schema.yml:');
    expect(y.output).toContain('expect_every "0 days" is not a period');
  });

  it('--days-back must be positive', async () => {
    const { dir } = opsProject(wh, { 'models/m.sql': 'select 1 as id' });
    const r = await runCli(['monitor', '--project-dir', dir, '--days-back', '0'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.output).toContain('--days-back must be a positive number of days');
  });
});

await onPostgres('tform monitor on Postgres', suite);

describe('judgeModel', () => {
  const now = new Date('2024-03-10T12:00:00Z');
  const h = (last?: string, lastRun?: ModelRunHistory['lastRun']): ModelRunHistory => ({ modelId: 'm', runsSince: 0, errorsSince: 0, ...(last ? { lastSuccess: new Date(last) } : {}), ...(lastRun ? { lastRun } : {}) });
  const cases: [string, Parameters<typeof judgeModel>[0], ModelRunHistory | undefined, string][] = [
    ['never ran', { kind: 'every', ms: 86_400_000, text: '1 day' }, undefined, 'late'],
    ['every day, 23 hours ago', { kind: 'every', ms: 86_400_000, text: '1 day' }, h('2024-03-09T13:00:00Z'), 'ok'],
    ['every day, exactly a day ago', { kind: 'every', ms: 86_400_000, text: '1 day' }, h('2024-03-09T12:00:00Z'), 'ok'],
    ['every day, 25 hours ago', { kind: 'every', ms: 86_400_000, text: '1 day' }, h('2024-03-09T11:00:00Z'), 'late'],
    ['daily schedule, ran yesterday just after midnight', { kind: 'schedule', cron: '0 0 * * *' }, h('2024-03-09T00:05:00Z'), 'ok'],
    ['daily schedule, last ran the day before', { kind: 'schedule', cron: '0 0 * * *' }, h('2024-03-08T23:59:00Z'), 'late'],
    ['weekdays at 9, Friday run on a Sunday', { kind: 'schedule', cron: '0 9 * * 1-5' }, h('2024-03-08T09:01:00Z'), 'ok'],
    ['lookback of 2 days, 3 days ago', { kind: 'lookback', ms: 2 * 86_400_000, days: 2 }, h('2024-03-07T12:00:00Z'), 'late'],
    ['latest run failed', { kind: 'every', ms: 86_400_000, text: '1 day' }, h('2024-03-10T11:00:00Z', { runId: 'r', status: 'error', at: new Date('2024-03-10T11:30:00Z'), message: 'boom' }), 'fail'],
    ['latest run skipped, success recent', { kind: 'every', ms: 86_400_000, text: '1 day' }, h('2024-03-10T11:00:00Z', { runId: 'r', status: 'skipped', at: new Date('2024-03-10T11:30:00Z') }), 'ok'],
  ];
  for (const [what, e, hist, status] of cases) {
    it(what, () => {
      expect(judgeModel(e, hist, now).status).toBe(status);
    });
  }
});
