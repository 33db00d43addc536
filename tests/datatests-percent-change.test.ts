/**
 * percent_change, the period-over-period KPI monitor: every case of the table in
 * packages/core/src/test/percentChange.ts, with a fixed `now`, its SQL run on in-memory DuckDB and
 * the rows judged by judgeTest / judgePercentChange.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TformError, judgePercentChange, judgeTest, percentChangeArgs, testQueries, type TestNode, type TestOutcome } from '@tform/core';
import { dialect, memoryDb, rel, testsFromYaml, thrown } from './datatests-helpers.js';

/** 06:00 UTC on March 10th: the latest complete day is March 9th, the latest complete hour 05:00. */
const NOW = new Date('2024-03-10T06:00:00Z');

let db: Awaited<ReturnType<typeof memoryDb>>;
let tables = 0;

beforeAll(async () => {
  db = await memoryDb();
});
afterAll(() => db.close());

/** Rows of one period: `rows` events spread over the period starting at `start`, each with `revenue`. */
interface Chunk {
  start: string;
  rows: number;
  revenue?: number;
  users?: number;
  country?: string;
}

/** A table `events_<n>` (ts, revenue, user_id, country) holding the chunks. */
async function eventsTable(chunks: Chunk[], spacingSeconds = 60): Promise<string> {
  const name = `events_${++tables}`;
  const parts = chunks.map(
    (c) =>
      `select timestamp '${c.start}' + to_seconds(i * ${spacingSeconds}) as ts, ${c.revenue ?? 1}::double as revenue, (i % ${c.users ?? 1000000})::integer as user_id, '${c.country ?? 'DE'}' as country from range(${c.rows}) r(i)`,
  );
  await db.run(`create table ${name} as ${parts.length ? parts.join('\nunion all\n') : 'select null::timestamp as ts, null::double as revenue, null::integer as user_id, null::varchar as country where false'}`);
  return rel(name);
}

function pcTest(args: Record<string, unknown>, config: Record<string, unknown> = {}): TestNode {
  const tests = testsFromYaml(`models:\n  - name: orders\n    data_tests:\n      - percent_change: ${JSON.stringify({ ...args, config })}\n`);
  expect(tests).toHaveLength(1);
  return tests[0]!;
}

/** Run the test's SQL on `relation` and judge it. */
async function judge(test: TestNode, relation: string, now = NOW): Promise<TestOutcome & { rows: Record<string, unknown>[] }> {
  const q = testQueries(test, { dialect, relation, relationOf: () => '', now });
  expect(q.kind).toBe('percent_change');
  const rows = await db.query(q.sql);
  return { ...judgeTest(test, rows, now), rows };
}

const day = (d: number) => `2024-03-${String(d).padStart(2, '0')} 00:00:00`;
const daily = (byDay: Record<number, number>, extra: Partial<Chunk> = {}) => Object.entries(byDay).map(([d, rows]) => ({ start: day(Number(d)), rows, ...extra }));
const base = { time_column: 'ts', threshold_percent: 30 };

describe('percent_change cases (now = 2024-03-10T06:00Z, day grain)', () => {
  it('drop beyond the threshold: 100 → 60 breaches (-40%)', async () => {
    const out = await judge(pcTest(base), await eventsTable(daily({ 8: 100, 9: 60 })));
    expect(out).toMatchObject({ status: 'fail', failures: 1 });
    expect(out.sample).toEqual([{ period: new Date('2024-03-09T00:00:00Z'), value: 60, baseline: 100, change_percent: -40, row_count: 60 }]);
    expect(out.message).toContain('2024-03-09: 60 vs 100 (-40.0%)');
  });

  it('spike beyond the threshold: 100 → 150 breaches (+50%)', async () => {
    const out = await judge(pcTest(base), await eventsTable(daily({ 8: 100, 9: 150 })));
    expect(out).toMatchObject({ status: 'fail', failures: 1 });
    expect(out.sample![0]).toMatchObject({ change_percent: 50 });
  });

  it('direction: down lets a spike pass; direction: up lets a drop pass', async () => {
    const spike = await eventsTable(daily({ 8: 100, 9: 150 }));
    const drop = await eventsTable(daily({ 8: 100, 9: 50 }));
    expect(await judge(pcTest({ ...base, direction: 'down' }), spike)).toMatchObject({ status: 'pass', failures: 0 });
    expect(await judge(pcTest({ ...base, direction: 'down' }), drop)).toMatchObject({ status: 'fail', failures: 1 });
    expect(await judge(pcTest({ ...base, direction: 'up' }), drop)).toMatchObject({ status: 'pass', failures: 0 });
    expect(await judge(pcTest({ ...base, direction: 'up' }), spike)).toMatchObject({ status: 'fail', failures: 1 });
  });

  it('within the threshold passes (-20%); exactly at it passes too (-30%)', async () => {
    const within = await judge(pcTest(base), await eventsTable(daily({ 8: 100, 9: 80 })));
    expect(within).toMatchObject({ status: 'pass', failures: 0 });
    expect(within.message).toContain('1 period within 30%: 2024-03-09: 80 vs 100 (-20.0%)');
    expect(await judge(pcTest(base), await eventsTable(daily({ 8: 100, 9: 70 })))).toMatchObject({ status: 'pass', failures: 0 });
  });

  it('compare_to: average, periods: 3 — baseline is the mean of the 3 days before (100, 110, 90 → 100)', async () => {
    const t = await eventsTable(daily({ 6: 100, 7: 110, 8: 90, 9: 50 }));
    const out = await judge(pcTest({ ...base, compare_to: 'average', periods: 3 }), t);
    expect(out).toMatchObject({ status: 'fail', failures: 1 });
    expect(out.sample![0]).toMatchObject({ value: 50, baseline: 100, change_percent: -50 });
    // the SQL reads exactly the 4 days it needs
    expect(out.rows.map((r) => (r.period_start as Date).toISOString().slice(0, 10))).toEqual(['2024-03-06', '2024-03-07', '2024-03-08', '2024-03-09']);
  });

  it('min_rows: a judged period with fewer rows is not judged (warning), and neither is one whose baseline has fewer', async () => {
    const thin = await judge(pcTest({ ...base, min_rows: 10 }), await eventsTable(daily({ 8: 100, 9: 5 })));
    expect(thin).toMatchObject({ status: 'pass', failures: 0, warnings: ['2024-03-09 not judged: 5 rows, fewer than min_rows 10'] });
    expect(thin.message).toMatch(/^not judged: /);
    const thinBase = await judge(pcTest({ ...base, min_rows: 10 }), await eventsTable(daily({ 8: 5, 9: 100 })));
    expect(thinBase).toMatchObject({ status: 'pass', warnings: ['2024-03-09 not judged: baseline period 2024-03-08 has 5 rows, fewer than min_rows 10'] });
    expect(await judge(pcTest({ ...base, min_rows: 10 }), await eventsTable(daily({ 8: 100, 9: 50 })))).toMatchObject({ status: 'fail', failures: 1 });
  });

  it('zero baseline: not judged with a warning, never a division error', async () => {
    const t = await eventsTable([...daily({ 8: 100 }, { revenue: 0 }), ...daily({ 9: 100 }, { revenue: 2 })]);
    const out = await judge(pcTest({ ...base, metric: 'sum(revenue)' }), t);
    expect(out).toMatchObject({ status: 'pass', failures: 0, warnings: ['2024-03-09 not judged: baseline is 0, so a percent change is undefined'] });
  });

  it('missing baseline period (no rows): not judged with a warning', async () => {
    const out = await judge(pcTest(base), await eventsTable(daily({ 7: 100, 9: 100 })));
    expect(out).toMatchObject({ status: 'pass', failures: 0, warnings: ['2024-03-09 not judged: no rows in baseline period 2024-03-08'] });
  });

  it('missing judged period (no rows at all): metric 0, a -100% drop — even with min_rows', async () => {
    const t = await eventsTable(daily({ 8: 100 }));
    const out = await judge(pcTest(base), t);
    expect(out).toMatchObject({ status: 'fail', failures: 1 });
    expect(out.sample![0]).toMatchObject({ value: 0, baseline: 100, change_percent: -100, row_count: 0 });
    expect(await judge(pcTest({ ...base, min_rows: 10 }), t)).toMatchObject({ status: 'fail', failures: 1 });
  });

  it('periods_checked: 3 judges the 3 latest complete days, each against its own baseline', async () => {
    // 5th..9th: 100, 100, 50, 100, 100 → 7th -50% (breach), 8th +100% (breach), 9th 0%
    const out = await judge(pcTest({ ...base, periods_checked: 3 }), await eventsTable(daily({ 5: 100, 6: 100, 7: 50, 8: 100, 9: 100 })));
    expect(out).toMatchObject({ status: 'fail', failures: 2 });
    expect(out.sample!.map((s) => [(s.period as Date).toISOString().slice(0, 10), s.change_percent])).toEqual([
      ['2024-03-08', 100],
      ['2024-03-07', -50],
    ]);
    expect(out.rows).toHaveLength(4); // the 6th to the 9th: the 5th is not needed
  });

  it('the current, incomplete period is never read', async () => {
    const out = await judge(pcTest(base), await eventsTable(daily({ 8: 100, 9: 100, 10: 1 })));
    expect(out).toMatchObject({ status: 'pass', failures: 0 });
    expect(out.rows).toHaveLength(2);
  });

  it('metric: an aggregate of a column — sum(revenue), count(distinct user_id)', async () => {
    const t = await eventsTable([...daily({ 8: 100 }, { revenue: 2, users: 50 }), ...daily({ 9: 100 }, { revenue: 1, users: 20 })]);
    const sum = await judge(pcTest({ ...base, metric: 'sum(revenue)' }), t);
    expect(sum.sample![0]).toMatchObject({ value: 100, baseline: 200, change_percent: -50 });
    const users = await judge(pcTest({ ...base, metric: 'count(distinct user_id)' }), t);
    expect(users.sample![0]).toMatchObject({ value: 20, baseline: 50, change_percent: -60 });
  });

  it('grain: hour — the latest complete hour (05:00) against 04:00', async () => {
    const t = await eventsTable(
      [
        { start: '2024-03-10 04:00:00', rows: 100 },
        { start: '2024-03-10 05:00:00', rows: 40 },
        { start: '2024-03-10 06:00:00', rows: 1 },
      ],
      30,
    );
    const out = await judge(pcTest({ ...base, grain: 'hour' }), t, new Date('2024-03-10T06:30:00Z'));
    expect(out).toMatchObject({ status: 'fail', failures: 1 });
    expect(out.sample![0]).toMatchObject({ period: new Date('2024-03-10T05:00:00Z'), value: 40, baseline: 100 });
    expect(out.message).toContain('2024-03-10T05:00');
  });

  it('where (config) filters the rows first', async () => {
    const t = await eventsTable([...daily({ 8: 100, 9: 100 }, { country: 'DE' }), ...daily({ 8: 100, 9: 10 }, { country: 'FR' })]);
    expect(await judge(pcTest(base, { where: "country = 'DE'" }), t)).toMatchObject({ status: 'pass' });
    expect(await judge(pcTest(base, { where: "country = 'FR'" }), t)).toMatchObject({ status: 'fail', failures: 1 });
  });

  it('severity and warn_if / error_if apply to the count of breaching periods', async () => {
    const t = await eventsTable(daily({ 7: 100, 8: 50, 9: 100 }));
    expect(await judge(pcTest(base, { severity: 'warn' }), t)).toMatchObject({ status: 'warn', failures: 1 });
    expect(await judge(pcTest({ ...base, periods_checked: 2 }, { error_if: '>1' }), t)).toMatchObject({ status: 'fail', failures: 2 });
    expect(await judge(pcTest({ ...base, periods_checked: 2 }, { error_if: '>2' }), t)).toMatchObject({ status: 'warn', failures: 2 });
  });

  it('settings may also be written under config:, like dbt 1.9 freshness', async () => {
    const t = testsFromYaml('models:\n  - name: orders\n    data_tests:\n      - percent_change:\n          config: {time_column: ts, threshold_percent: 30, grain: day, severity: warn}\n')[0]!;
    expect(t.kwargs).toEqual({ time_column: 'ts', threshold_percent: 30, grain: 'day' });
    expect(t.config.severity).toBe('warn');
  });
});

describe('judgePercentChange (pure)', () => {
  const args = percentChangeArgs({ time_column: 'ts', threshold_percent: 10 });
  it('accepts period_start as Date or text, metric as bigint, numeric text or NULL', () => {
    const r = judgePercentChange(
      [
        { period_start: '2024-03-08 00:00:00', metric_value: '200.50', row_count: 3n },
        { period_start: new Date('2024-03-09T00:00:00Z'), metric_value: null, row_count: 2n },
      ],
      args,
      NOW,
    );
    expect(r.failures).toBe(1);
    expect(r.periods[0]).toMatchObject({ value: 0, baseline: 200.5, changePercent: -100, status: 'breach' });
  });

  it('a negative baseline divides by its absolute value: -100 → -50 is +50%', () => {
    const r = judgePercentChange(
      [
        { period_start: new Date('2024-03-08T00:00:00Z'), metric_value: -100, row_count: 1 },
        { period_start: new Date('2024-03-09T00:00:00Z'), metric_value: -50, row_count: 1 },
      ],
      args,
      NOW,
    );
    expect(r.periods[0]).toMatchObject({ changePercent: 50, status: 'breach' });
  });

  it('now exactly at a period boundary: the period that just ended is complete', () => {
    const r = judgePercentChange([], args, new Date('2024-03-10T00:00:00Z'));
    expect(r.periods.map((p) => p.period.toISOString())).toEqual(['2024-03-09T00:00:00.000Z']);
  });
});

describe('percent_change declaration errors', () => {
  const cases: [string, Record<string, unknown>, RegExp, RegExp][] = [
    ['missing threshold_percent', { time_column: 'ts' }, /missing required argument 'threshold_percent'/, /threshold_percent: 30/],
    ['missing time_column', { threshold_percent: 5 }, /missing required argument 'time_column'/, /time_column: event_ts/],
    ['bad direction', { ...base, direction: 'dwn' }, /'direction' must be one of up, down, both/, /did you mean 'down'/],
    ['bad grain', { ...base, grain: 'week' }, /'grain' must be one of hour, day/, /grain: day/],
    ['periods without average', { ...base, periods: 3 }, /'periods' applies to compare_to: average only/, /compare_to: average/],
    ['threshold not positive', { ...base, threshold_percent: 0 }, /'threshold_percent' must be a number > 0/, /threshold_percent: 30/],
    ['periods_checked 0', { ...base, periods_checked: 0 }, /'periods_checked' must be a whole number >= 1/, /periods_checked: 1/],
  ];
  for (const [what, args, msg, hint] of cases) {
    it(what, () => {
      const e = thrown(() => pcTest(args));
      expect(e).toBeInstanceOf(TformError);
      expect(e).toMatchObject({ code: 'CONFIG_INVALID', file: 'models/schema.yml', line: 4 });
      expect(e.message).toMatch(msg);
      expect(e.hint).toMatch(hint);
    });
  }
});
