/**
 * freshness of sources (their `freshness:` block) and models (a `freshness` test): max of
 * loaded_at_field against the `now` passed in, on in-memory DuckDB.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TformError, freshnessSql, judgeTest, testQueries, type TestNode, type TestOutcome } from '@tform/core';
import { PROJECT, dialect, memoryDb, rel, testsFromYaml, thrown } from './datatests-helpers.js';

const NOW = new Date('2024-03-10T12:00:00Z');
let db: Awaited<ReturnType<typeof memoryDb>>;

beforeAll(async () => {
  db = await memoryDb();
  // newest row 2024-03-10 06:00 (6 hours before NOW); one NULL loaded_at
  await db.run(`create table events as select * from (values
    (timestamp '2024-03-09 08:00:00', 'web'),
    (timestamp '2024-03-10 06:00:00', 'app'),
    (timestamp '2024-03-08 00:00:00', 'web'),
    (null, 'web')
  ) t(_loaded_at, channel)`);
  await db.run('create table empty_events (_loaded_at timestamp, channel varchar)');
  await db.run("create table null_events as select null::timestamp as _loaded_at, 'web' as channel");
  await db.run("create table tz_events as select timestamptz '2024-03-10 11:30:00+00' as _loaded_at");
});
afterAll(() => db.close());

function modelTest(args: Record<string, unknown>, config: Record<string, unknown> = {}): TestNode {
  const [t] = testsFromYaml(`models:\n  - name: orders\n    data_tests:\n      - freshness: ${JSON.stringify({ arguments: args, config })}\n`);
  return t!;
}

async function judge(test: TestNode, table: string, now = NOW): Promise<TestOutcome> {
  const q = testQueries(test, { dialect, relation: rel(table), relationOf: () => '', now });
  expect(q.kind).toBe('freshness');
  return judgeTest(test, await db.query(q.sql), now);
}

const hours = (count: number) => ({ count, period: 'hour' });

describe('freshness: which threshold is exceeded decides the status', () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ['fresh: 6h old, warn after 12h, error after 24h', { warn_after: hours(12), error_after: hours(24) }, 'pass'],
    ['warn: 6h old, warn after 5h, error after 24h', { warn_after: hours(5), error_after: hours(24) }, 'warn'],
    ['error: 6h old, warn after 1h, error after 5h', { warn_after: hours(1), error_after: hours(5) }, 'fail'],
    ['error without warn_after', { error_after: { count: 300, period: 'minute' } }, 'fail'],
    ['only warn_after, exceeded: warn', { warn_after: hours(2) }, 'warn'],
    ['days: 6h is within 1 day', { error_after: { count: 1, period: 'day' } }, 'pass'],
    ['exactly at the threshold is still fresh (6h, error after 6h)', { error_after: hours(6) }, 'pass'],
  ];
  for (const [what, args, status] of cases) {
    it(what, async () => {
      const out = await judge(modelTest({ loaded_at_field: '_loaded_at', ...args }), 'events');
      expect(out.status).toBe(status);
      expect(out.failures).toBe(status === 'pass' ? 0 : 1);
      expect(out.message).toContain('newest row 2024-03-10T06:00:00.000Z is 6.0 hours old');
    });
  }

  it('an empty table is stale, and so is one whose loaded_at_field is all NULL', async () => {
    const t = modelTest({ loaded_at_field: '_loaded_at', warn_after: hours(1), error_after: hours(48) });
    for (const table of ['empty_events', 'null_events']) {
      const out = await judge(t, table);
      expect(out).toMatchObject({ status: 'fail', failures: 1 });
      expect(out.message).toContain('no rows with _loaded_at');
    }
    expect(await judge(modelTest({ loaded_at_field: '_loaded_at', warn_after: hours(1) }), 'empty_events')).toMatchObject({ status: 'warn' });
  });

  it('now comes from the caller, never the database clock', async () => {
    const t = modelTest({ loaded_at_field: '_loaded_at', error_after: hours(24) });
    expect(await judge(t, 'events', new Date('2024-03-11T05:59:00Z'))).toMatchObject({ status: 'pass' });
    expect(await judge(t, 'events', new Date('2024-03-11T06:01:00Z'))).toMatchObject({ status: 'fail' });
    expect(freshnessSql(t, '"main"."events"', dialect, new Date('2024-03-11T06:01:00Z'))).toContain("timestamp '2024-03-10 06:01:00'");
    expect(freshnessSql(t, '"main"."events"', dialect, NOW)).not.toMatch(/now\(\)|current_timestamp/i);
  });

  it('severity: warn turns an error-level staleness into a warning; where filters first', async () => {
    expect(await judge(modelTest({ loaded_at_field: '_loaded_at', error_after: hours(1) }, { severity: 'warn' }), 'events')).toMatchObject({ status: 'warn', failures: 1 });
    // web rows only: newest 2024-03-09 08:00, 28h old
    const web = modelTest({ loaded_at_field: '_loaded_at', error_after: hours(24) }, { where: "channel = 'web'" });
    const out = await judge(web, 'events');
    expect(out).toMatchObject({ status: 'fail' });
    expect(out.message).toContain('28.0 hours old');
  });

  it('works on TIMESTAMPTZ columns', async () => {
    expect(await judge(modelTest({ loaded_at_field: '_loaded_at', error_after: hours(1) }), 'tz_events')).toMatchObject({ status: 'pass' });
    expect(await judge(modelTest({ loaded_at_field: '_loaded_at', error_after: { count: 20, period: 'minute' } }), 'tz_events')).toMatchObject({ status: 'fail' });
  });
});

describe('source freshness blocks', () => {
  const SOURCES = `sources:
  - name: raw
    loaded_at_field: _loaded_at
    freshness:
      warn_after: {count: 5, period: hour}
      error_after: {count: 1, period: day}
    tables:
      - name: events
      - name: web_events
        identifier: events
        freshness:
          error_after: {count: 24, period: hour}
          filter: "channel = 'web'"
      - name: snapshots
        freshness: null
  - name: crm
    tables:
      - name: accounts
`;

  it('become freshness tests: table overrides source, null switches off, no loaded_at_field skips', () => {
    const tests = testsFromYaml(SOURCES, { ctx: { sources: new Map([['raw.events', `source.${PROJECT}.raw.events`], ['raw.web_events', `source.${PROJECT}.raw.web_events`]]) } });
    expect(tests.map((t) => [t.name, t.attachedNode, t.kwargs, t.config.where])).toEqual([
      ['source_freshness_raw_events', `source.${PROJECT}.raw.events`, { loaded_at_field: '_loaded_at', warn_after: { count: 5, period: 'hour' }, error_after: { count: 1, period: 'day' } }, undefined],
      ['source_freshness_raw_web_events', `source.${PROJECT}.raw.web_events`, { loaded_at_field: '_loaded_at', error_after: { count: 24, period: 'hour' } }, "channel = 'web'"],
    ]);
  });

  it('judge on the data: events warns (6h > 5h), web_events fails (28h > 24h)', async () => {
    const [events, web] = testsFromYaml(SOURCES);
    expect(await judge(events!, 'events')).toMatchObject({ status: 'warn' });
    expect(await judge(web!, 'events')).toMatchObject({ status: 'fail' });
  });

  it('a malformed block is an error at the table', () => {
    const e = thrown(() => testsFromYaml('sources:\n  - name: raw\n    loaded_at_field: x\n    tables:\n      - name: events\n        freshness:\n          error_after: {count: 2, period: week}\n'));
    expect(e).toBeInstanceOf(TformError);
    expect(e).toMatchObject({ code: 'CONFIG_INVALID', file: 'models/schema.yml', line: 5 });
    expect(e.message).toMatch(/error_after.period' must be one of minute, hour, day/);
  });

  it('declaration errors: missing loaded_at_field, no threshold, bad count', () => {
    expect(thrown(() => modelTest({ warn_after: hours(1) })).message).toMatch(/missing 'loaded_at_field'/);
    expect(thrown(() => modelTest({ loaded_at_field: 'x' })).message).toMatch(/needs 'warn_after', 'error_after' or both/);
    const e = thrown(() => modelTest({ loaded_at_field: 'x', warn_after: { count: -1, period: 'hour' } }));
    expect(e.message).toMatch(/'warn_after.count' must be a whole number > 0/);
    expect(e).toMatchObject({ file: 'models/schema.yml', line: 4 });
  });
});
