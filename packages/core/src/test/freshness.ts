import type { Dialect } from '../adapter/dialect.js';
import { freshnessArgs } from './builtinArgs.js';
import { filteredRelation } from './builtinSql.js';
import type { FreshnessArgs, Period, TestNode, TestOutcome } from './types.js';

/**
 * Freshness of a source or model: how old its newest row is, by `loaded_at_field`, against `now`
 * (the settable clock, passed in: the database clock is never read).
 *
 * | newest row (max(loaded_at_field))          | status                         | failures |
 * |--------------------------------------------|--------------------------------|----------|
 * | older than now - error_after               | fail (warn if severity: warn)  | 1        |
 * | older than now - warn_after, not the above | warn                           | 1        |
 * | otherwise                                  | pass                           | 0        |
 * | no row (empty table, or all NULL)          | as "older than" each threshold | 1        |
 *
 * "Older than" is strict: a row exactly `error_after` old is still fresh. The cutoffs are computed
 * here from `now` and written as TIMESTAMP literals of UTC wall-clock time, so a `loaded_at_field`
 * holding UTC timestamps (without time zone) compares as intended. warn_if / error_if do not apply.
 * The test's `where` (or the source's `filter`) filters the rows first.
 */

const PERIOD_MS: Record<Period['period'], number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

export function periodMs(p: Period): number {
  return p.count * PERIOD_MS[p.period];
}

function describe(p: Period): string {
  return `${p.count} ${p.period}${p.count === 1 ? '' : 's'}`;
}

/** One row: row_count, max_loaded_at, warn_stale (0/1), error_stale (0/1). */
export function freshnessSql(test: Pick<TestNode, 'kwargs' | 'config'>, relation: string, dialect: Dialect, now: Date): string {
  const a = freshnessArgs(test.kwargs);
  const f = a.loadedAtField;
  const stale = (p: Period | undefined) =>
    p ? `case when max(${f}) is null or max(${f}) < ${dialect.timestampLiteral(new Date(now.getTime() - periodMs(p)))} then 1 else 0 end` : '0';
  return [
    'select',
    '  count(*) as row_count,',
    `  max(${f}) as max_loaded_at,`,
    `  ${stale(a.warnAfter)} as warn_stale,`,
    `  ${stale(a.errorAfter)} as error_stale`,
    `from ${filteredRelation(relation, test.config.where)}`,
  ].join('\n');
}

function flag(v: unknown): boolean {
  return v === true || Number(v) === 1;
}

function ageText(maxLoadedAt: unknown, now: Date): string {
  if (!(maxLoadedAt instanceof Date)) return `newest ${String(maxLoadedAt)}`;
  const mins = Math.round((now.getTime() - maxLoadedAt.getTime()) / 60_000);
  const age = mins < 120 ? `${mins} minutes` : mins < 48 * 60 ? `${(mins / 60).toFixed(1)} hours` : `${(mins / 1440).toFixed(1)} days`;
  return `newest row ${maxLoadedAt.toISOString()} is ${age} old`;
}

/** Judge the row of freshnessSql (see the table above). */
export function judgeFreshness(test: Pick<TestNode, 'uniqueId' | 'kwargs' | 'config'>, row: Record<string, unknown> | undefined, now: Date): TestOutcome {
  const a: FreshnessArgs = freshnessArgs(test.kwargs);
  const empty = !row || row.max_loaded_at === null || row.max_loaded_at === undefined;
  const errorStale = !!a.errorAfter && (empty || flag(row?.error_stale));
  const warnStale = !!a.warnAfter && (empty || flag(row?.warn_stale));
  const what = empty ? `no rows with ${a.loadedAtField}` : ageText(row!.max_loaded_at, now);
  const sample = row ? [{ max_loaded_at: row.max_loaded_at ?? null, row_count: row.row_count ?? 0, now: now.toISOString() }] : undefined;
  if (errorStale) {
    const status = test.config.severity === 'warn' ? 'warn' : 'fail';
    return { uniqueId: test.uniqueId, status, failures: 1, message: `stale: ${what} (error_after ${describe(a.errorAfter!)})`, sample };
  }
  if (warnStale) return { uniqueId: test.uniqueId, status: 'warn', failures: 1, message: `stale: ${what} (warn_after ${describe(a.warnAfter!)})`, sample };
  return { uniqueId: test.uniqueId, status: 'pass', failures: 0, message: `fresh: ${what}` };
}
