import type { Dialect } from '../adapter/dialect.js';
import type { RelationRef } from '../adapter/types.js';
import type { Interval } from '../state/intervals.js';
import type { Fold, FoldFunction } from './batchConfig.js';

/**
 * SQL of a lifetime panel: one row per entity, each column a fold of the panel's rows of that
 * entity. Three queries, all yielding (entity…, fold columns…):
 *
 * - full: every entity, from every panel row (a rebuild; what the table must always equal);
 * - fold: for a run that only adds intervals never folded before, the entities of those
 *   intervals, combining their lifetime row (if any) with the new intervals' rows — it reads the
 *   panel's rows of the new intervals and the lifetime rows of their entities only;
 * - recompute: the entities of re-processed intervals, from all their panel rows (a rerun,
 *   lookback, backfill or late rows changed rows already folded).
 *
 * The runner replaces the lifetime rows of the entities a query returns (delete + insert) in one
 * transaction with the interval record.
 *
 * `first` and `last` take the first/last non-NULL value in the order of the panel's event_time;
 * `count` counts non-NULL values. Folding is exact for sum, min, max and count in any order, and
 * for first/last when the new intervals all come after the folded ones (the caller checks).
 */

export interface LifetimeSql {
  dialect: Dialect;
  panel: RelationRef;
  /** The panel's event_time (its grain column). */
  eventTime: string;
  entity: string[];
  folds: Fold[];
  /** How interval bounds are written against the panel's event_time (microbatch.ts boundLiteral). */
  bound: (d: Date) => string;
}

function aggregate(d: Dialect, f: Fold, eventTime: string, alias = ''): string {
  const c = `${alias}${d.quoteIdent(f.of)}`;
  const et = `${alias}${d.quoteIdent(eventTime)}`;
  switch (f.fn) {
    case 'sum':
    case 'min':
    case 'max':
    case 'count':
      return `${f.fn}(${c})`;
    case 'first':
    case 'last':
      if (d.orderedFirst) return d.orderedFirst(c, et, f.fn === 'last');
      return `(array_agg(${c} order by ${et}${f.fn === 'last' ? ' desc' : ''}) filter (where ${c} is not null))[1]`;
  }
}

function combine(fn: FoldFunction, o: string, n: string): string {
  switch (fn) {
    case 'sum':
      return `case when ${o} is null then ${n} when ${n} is null then ${o} else ${o} + ${n} end`;
    case 'count':
      return `coalesce(${o}, 0) + ${n}`;
    case 'min':
      return `case when ${o} is null or ${n} < ${o} then ${n} else ${o} end`;
    case 'max':
      return `case when ${o} is null or ${n} > ${o} then ${n} else ${o} end`;
    case 'first':
      return `coalesce(${o}, ${n})`;
    case 'last':
      return `coalesce(${n}, ${o})`;
  }
}

function inRanges(s: LifetimeSql, col: string, ranges: readonly Interval[]): string {
  if (ranges.length === 0) return 'false';
  return `(${ranges.map((r) => `(${col} >= ${s.bound(r.start)} and ${col} < ${s.bound(r.end)})`).join(' or ')})`;
}

function grouped(s: LifetimeSql, where: string | undefined, alias = 'p.'): string {
  const d = s.dialect;
  const keys = s.entity.map((k) => `${alias}${d.quoteIdent(k)}`);
  const cols = [...s.entity.map((k) => `${alias}${d.quoteIdent(k)} as ${d.quoteIdent(k)}`), ...s.folds.map((f) => `${aggregate(d, f, s.eventTime, alias)} as ${d.quoteIdent(f.column)}`)];
  return `select ${cols.join(',\n  ')}\nfrom ${d.relation(s.panel)} ${alias.slice(0, -1)}${where ? `\nwhere ${where}` : ''}\ngroup by ${keys.join(', ')}`;
}

/** Every entity folded from every panel row. */
export function lifetimeFullSql(s: LifetimeSql): string {
  return grouped(s, undefined);
}

/** The entities of `ranges` recomputed from all their panel rows. */
export function lifetimeRecomputeSql(s: LifetimeSql, ranges: readonly Interval[]): string {
  const d = s.dialect;
  const keys = s.entity.map((k) => d.quoteIdent(k));
  const touched = `select distinct ${keys.map((k) => `c.${k}`).join(', ')} from ${d.relation(s.panel)} c where ${inRanges(s, `c.${d.quoteIdent(s.eventTime)}`, ranges)}`;
  const lhs = keys.length === 1 ? `p.${keys[0]}` : `(${keys.map((k) => `p.${k}`).join(', ')})`;
  return grouped(s, `${lhs} in (${touched})`);
}

/** The entities of `ranges` (intervals never folded) folded into their lifetime rows. */
export function lifetimeFoldSql(s: LifetimeSql, lifetime: RelationRef, ranges: readonly Interval[]): string {
  const d = s.dialect;
  const keys = s.entity.map((k) => d.quoteIdent(k));
  const fresh = grouped(s, inRanges(s, `p.${d.quoteIdent(s.eventTime)}`, ranges));
  const cols = [...keys.map((k) => `n.${k} as ${k}`), ...s.folds.map((f) => `${combine(f.fn, `o.${d.quoteIdent(f.column)}`, `n.${d.quoteIdent(f.column)}`)} as ${d.quoteIdent(f.column)}`)];
  return `with n as (\n${fresh}\n)\nselect ${cols.join(',\n  ')}\nfrom n\nleft join ${d.relation(lifetime)} o on ${keys.map((k) => `o.${k} = n.${k}`).join(' and ')}`;
}
