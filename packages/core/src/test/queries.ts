import { builtinCountQueries, failingRowsQueries, type BuiltinSqlEnv } from './builtinSql.js';
import { freshnessSql, judgeFreshness } from './freshness.js';
import { percentChangeOutcome, percentChangeSql } from './percentChange.js';
import { cappedFailures, outcomeFor } from './threshold.js';
import type { TestNode, TestOutcome } from './types.js';

/**
 * The runner's entry points for one test: testQueries() gives the SQL, judgeTest() turns the rows
 * of `sql` into the outcome. Pure: no I/O, `now` passed in (the settable clock).
 */

export interface TestSqlEnv extends BuiltinSqlEnv {
  now: Date;
  /**
   * Failing-rows SQL of a singular or custom generic test, rendered by the caller with
   * renderTestSql() (needs the TemplateEngine). Ignored for built-in tests.
   */
  rendered?: string;
}

export type TestQueryKind = 'count' | 'freshness' | 'percent_change';

export interface TestQueries {
  /** How judgeTest reads the rows of `sql`. */
  kind: TestQueryKind;
  /** 'count': one row with `failures`; 'freshness': one row (row_count, max_loaded_at, warn_stale,
   *  error_stale); 'percent_change': one row per period (period_start, metric_value, row_count). */
  sql: string;
  /** Failing rows (up to `limit`, 5 by default), for 'count' tests; the others build their sample in judgeTest. */
  sampleSql?: string;
}

export function queryKind(test: Pick<TestNode, 'testName' | 'testType'>): TestQueryKind {
  if (test.testType === 'generic' && test.testName === 'freshness') return 'freshness';
  if (test.testType === 'generic' && test.testName === 'percent_change') return 'percent_change';
  return 'count';
}

const COUNTING_BUILTINS = new Set(['not_null', 'unique', 'accepted_values', 'relationships', 'expression', 'row_count']);

export function testQueries(test: TestNode, env: TestSqlEnv): TestQueries {
  const kind = queryKind(test);
  if (kind === 'freshness') return { kind, sql: freshnessSql(test, env.relation, env.dialect, env.now) };
  if (kind === 'percent_change') return { kind, sql: percentChangeSql(test, env.relation, env.dialect, env.now) };
  if (test.testType === 'generic' && COUNTING_BUILTINS.has(test.testName!)) return { kind, ...builtinCountQueries(test, env) };
  if (env.rendered === undefined) throw new Error(`test ${test.name} needs its rendered SQL (renderTestSql)`);
  return { kind, ...failingRowsQueries(env.rendered, test, env.dialect) };
}

/**
 * The outcome from the rows `sql` returned. For 'count' tests the failure count is capped at the
 * test's `limit` and judged by warn_if / error_if / severity (outcomeFor); freshness and
 * percent_change judge as documented in freshness.ts and percentChange.ts. Attach the rows of
 * `sampleSql` as `sample` yourself when the test did not pass.
 */
export function judgeTest(test: TestNode, rows: Record<string, unknown>[], now: Date): TestOutcome {
  switch (queryKind(test)) {
    case 'freshness':
      return judgeFreshness(test, rows[0], now);
    case 'percent_change':
      return percentChangeOutcome(test, rows, now);
    default:
      return outcomeFor(test, cappedFailures(test.config, rows[0]?.failures));
  }
}
