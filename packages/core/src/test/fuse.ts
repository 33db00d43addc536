import type { Dialect } from '../adapter/dialect.js';
import { acceptedValuesArgs } from './builtinArgs.js';
import { acceptedValuesList, rowCountOutside, testedExpression } from './builtinSql.js';
import { cappedFailures, outcomeFor } from './threshold.js';
import type { TestNode, TestOutcome } from './types.js';

/**
 * Fused scans: the not_null, accepted_values, expression, row_count and unique tests of ONE
 * relation computed by one statement, one failure-count column per test (`t0`, `t1`, … in the
 * order given), each equal to what the test's own query returns (see builtinSql.ts):
 *
 * - not_null, expression, row_count: aggregates of ONE shared scan — `count(*) - count(<col>)`
 *   (or `count(case when (<where>) and <col> is null then 1 end)`),
 *   `count(case when [(<where>) and] not (<expr>) then 1 end)`,
 *   `case when <count> < min or <count> > max then 1 else 0 end`;
 * - accepted_values: dialect.countDistinctNotIn() in the same scan: the distinct values are
 *   collected once (a small set for a column of categories) and checked against the list after;
 * - unique: a grouped subquery per unique test (`group by <col> having count(*) > 1`, its own
 *   `where` inside), cross-joined to the scan. A GROUP BY on a high-cardinality column is the one
 *   cost that cannot be shared, so the fused statement costs about the slowest unique test alone.
 *
 * Each test's `where` becomes part of its own predicates, so tests with different `where`s fuse.
 * Only portable SQL and dialect methods (countIf, countDistinctNotIn) are used.
 */

const FUSABLE = new Set(['not_null', 'accepted_values', 'expression', 'row_count', 'unique']);

export function isFusable(test: TestNode): boolean {
  return test.testType === 'generic' && test.testName !== undefined && FUSABLE.has(test.testName);
}

export interface FusedQuery {
  /** The one statement; undefined when fewer than two tests could be fused. */
  sql?: string;
  /** The fused tests and the result column holding each one's failure count. */
  columns: { test: TestNode; column: string }[];
  /** Tests to run on their own (not fusable, or nothing to fuse them with). */
  rest: TestNode[];
}

function and(where: string | undefined, pred: string): string {
  return where ? `(${where}) and ${pred}` : pred;
}

function scanAggregate(test: TestNode, dialect: Dialect): string {
  const where = test.config.where;
  const c = test.columnName!;
  switch (test.testName) {
    case 'not_null':
      // count(*) - count(c) is the NULL count, and cheaper than a CASE per row
      return where ? dialect.countIf(and(where, `${c} is null`)) : `count(*) - count(${c})`;
    case 'accepted_values': {
      const { values, quote } = acceptedValuesArgs(test.kwargs);
      return dialect.countDistinctNotIn(c, acceptedValuesList(dialect, values, quote), where);
    }
    case 'expression':
      return dialect.countIf(and(where, `not (${testedExpression(test)})`));
    case 'row_count':
      return `case when ${rowCountOutside(test, where ? dialect.countIf(`(${where})`) : 'count(*)')} then 1 else 0 end`;
    default:
      throw new Error(`${test.testName} is not a scan aggregate`);
  }
}

function uniqueSubquery(test: TestNode, relation: string, column: string): string {
  const c = test.columnName!;
  const where = test.config.where ? ` and (${test.config.where})` : '';
  return [
    `  select count(*) as ${column}`,
    '  from (',
    `    select ${c}`,
    `    from ${relation}`,
    `    where ${c} is not null${where}`,
    `    group by ${c}`,
    '    having count(*) > 1',
    '  ) tform_dups',
  ].join('\n');
}

/**
 * Fuse the fusable tests among `tests` (all attached to the same node) into one statement over
 * `relation` (the relation text to test: published or `__tform_tmp`).
 */
export function fuseTests(tests: TestNode[], relation: string, dialect: Dialect): FusedQuery {
  const fusable = tests.filter(isFusable);
  const rest = tests.filter((t) => !isFusable(t));
  const nodes = new Set(fusable.map((t) => t.attachedNode));
  if (nodes.size > 1) throw new Error(`fuseTests: tests of different nodes (${[...nodes].join(', ')})`);
  if (fusable.length < 2) return { columns: [], rest: tests };
  const columns = fusable.map((test, i) => ({ test, column: `t${i}` }));
  const scan = columns.filter((c) => c.test.testName !== 'unique');
  const uniques = columns.filter((c) => c.test.testName === 'unique');
  const parts: string[] = [];
  if (scan.length) {
    parts.push(`(\n  select\n${scan.map((c) => `    ${scanAggregate(c.test, dialect)} as ${c.column}`).join(',\n')}\n  from ${relation}\n) tform_scan`);
  }
  uniques.forEach((c, i) => parts.push(`(\n${uniqueSubquery(c.test, relation, c.column)}\n) tform_unique_${i}`));
  const sql = `select ${columns.map((c) => c.column).join(', ')}\nfrom ${parts.join('\ncross join ')}`;
  return { sql, columns, rest };
}

/** The outcomes of the fused tests from the single row of the fused statement. */
export function fusedOutcomes(fused: FusedQuery, row: Record<string, unknown>): TestOutcome[] {
  return fused.columns.map(({ test, column }) => outcomeFor(test, cappedFailures(test.config, row[column])));
}
