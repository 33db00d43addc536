import { TformError, closest, type ErrorLocation } from '../errors/index.js';
import { isPlainObject } from '../project/yaml.js';
import type { BuiltinTestName, FreshnessArgs, PercentChangeArgs, Period } from './types.js';

/** Where an argument is written, for errors (the declaration's line when unknown). */
export type ArgLocator = (key?: string) => ErrorLocation;

const noWhere: ArgLocator = () => ({});

/** Arguments each built-in test takes (besides model and column_name), and whether it needs a column. */
export const BUILTIN_ARGS: Record<BuiltinTestName, { args: string[]; column: 'required' | 'optional' | 'none' }> = {
  not_null: { args: [], column: 'required' },
  unique: { args: [], column: 'required' },
  accepted_values: { args: ['values', 'quote'], column: 'required' },
  relationships: { args: ['to', 'field'], column: 'required' },
  expression: { args: ['expression'], column: 'optional' },
  row_count: { args: ['min', 'max'], column: 'optional' },
  freshness: { args: ['loaded_at_field', 'warn_after', 'error_after', 'filter'], column: 'none' },
  percent_change: {
    args: ['metric', 'time_column', 'grain', 'compare_to', 'periods', 'threshold_percent', 'direction', 'min_rows', 'periods_checked'],
    column: 'none',
  },
};

/** Other spellings of built-in tests (dbt_utils names). */
export const BUILTIN_ALIASES: Record<string, BuiltinTestName> = {
  expression_is_true: 'expression',
  'dbt_utils.expression_is_true': 'expression',
};

function fail(test: string, msg: string, at: ArgLocator, key: string | undefined, hint: string): never {
  throw new TformError('CONFIG_INVALID', `${test}: ${msg}`, { ...at(key), hint });
}

/** Unknown arguments of a built-in test are errors (a typo would otherwise be silently ignored). */
export function checkArgNames(test: BuiltinTestName, args: Record<string, unknown>, at: ArgLocator): void {
  const known = BUILTIN_ARGS[test].args;
  for (const k of Object.keys(args)) {
    if (known.includes(k)) continue;
    const near = closest(k, known);
    fail(test, `unknown argument '${k}'`, at, k, near ? `did you mean '${near}'?` : known.length ? `${test} takes: ${known.join(', ')}` : `${test} takes no arguments`);
  }
}

export interface AcceptedValuesArgs {
  values: unknown[];
  quote: boolean;
}

export function acceptedValuesArgs(args: Record<string, unknown>, at: ArgLocator = noWhere): AcceptedValuesArgs {
  const v = args.values;
  if (v === undefined || v === null) fail('accepted_values', "missing required argument 'values'", at, undefined, 'e.g. accepted_values: {values: [placed, shipped]}');
  if (!Array.isArray(v)) fail('accepted_values', `'values' must be a list, got ${JSON.stringify(v)}`, at, 'values', 'e.g. values: [placed, shipped]');
  if (v.length === 0) fail('accepted_values', "'values' is empty", at, 'values', 'list at least one accepted value');
  if (v.some((x) => x === null || typeof x === 'object')) fail('accepted_values', "'values' must hold strings, numbers or booleans", at, 'values', 'NULL is never an unexpected value; test it with not_null');
  const quote = args.quote ?? true;
  if (typeof quote !== 'boolean') fail('accepted_values', `'quote' must be true or false`, at, 'quote', 'quote: false writes the values as SQL (numbers, expressions)');
  return { values: v, quote };
}

export interface RelationshipsArgs {
  to: string;
  field: string;
}

export function relationshipsArgs(args: Record<string, unknown>, at: ArgLocator = noWhere): RelationshipsArgs {
  if (typeof args.to !== 'string' || !args.to.trim()) fail('relationships', "missing required argument 'to'", at, 'to', "e.g. to: ref('customers')");
  if (typeof args.field !== 'string' || !args.field.trim()) fail('relationships', "missing required argument 'field'", at, 'field', 'the column of the parent that the values must exist in, e.g. field: id');
  return { to: args.to, field: args.field };
}

/** `ref('x')`, `ref("pkg", "x")` or `source('s', 't')` as written in a `to:` argument. */
export type RelationTarget = { kind: 'ref'; name: string; package?: string } | { kind: 'source'; source: string; table: string };

export function parseRelationTarget(text: string): RelationTarget | undefined {
  const s = text.trim().replace(/^\{\{\s*/, '').replace(/\s*\}\}$/, '');
  const m = /^(ref|source)\s*\(\s*(.*?)\s*\)$/.exec(s);
  if (!m) return undefined;
  const parts = m[2]!.split(',').map((p) => p.trim());
  const strs = parts.map((p) => /^(['"])(.*)\1$/.exec(p)?.[2]);
  if (strs.some((x) => x === undefined || x === '')) return undefined;
  if (m[1] === 'ref') {
    if (strs.length === 1) return { kind: 'ref', name: strs[0]! };
    if (strs.length === 2) return { kind: 'ref', package: strs[0]!, name: strs[1]! };
    return undefined;
  }
  return strs.length === 2 ? { kind: 'source', source: strs[0]!, table: strs[1]! } : undefined;
}

export function expressionArg(args: Record<string, unknown>, at: ArgLocator = noWhere): string {
  const e = args.expression;
  if (typeof e !== 'string' || !e.trim()) fail('expression', "missing required argument 'expression'", at, 'expression', 'e.g. expression: "revenue >= 0" (rows where it is false fail; NULL does not)');
  return e;
}

export interface RowCountArgs {
  min?: number;
  max?: number;
}

export function rowCountArgs(args: Record<string, unknown>, at: ArgLocator = noWhere): RowCountArgs {
  const out: RowCountArgs = {};
  for (const k of ['min', 'max'] as const) {
    const v = args[k];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) fail('row_count', `'${k}' must be a whole number >= 0, got ${JSON.stringify(v)}`, at, k, `e.g. ${k}: 1000`);
    out[k] = v;
  }
  if (out.min === undefined && out.max === undefined) fail('row_count', "needs 'min', 'max' or both", at, undefined, 'e.g. row_count: {min: 1, max: 1000000}');
  if (out.min !== undefined && out.max !== undefined && out.min > out.max) fail('row_count', `'min' (${out.min}) is above 'max' (${out.max})`, at, 'min', 'swap them');
  return out;
}

const PERIODS = ['minute', 'hour', 'day'] as const;

function period(test: string, key: string, v: unknown, at: ArgLocator): Period | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isPlainObject(v)) fail(test, `'${key}' must be a mapping with count and period`, at, key, `e.g. ${key}: {count: 12, period: hour}`);
  const count = v.count;
  const p = v.period;
  if (count === null && p === null) return undefined; // dbt's way to switch a threshold off
  if (typeof count !== 'number' || !Number.isInteger(count) || count <= 0) fail(test, `'${key}.count' must be a whole number > 0, got ${JSON.stringify(count)}`, at, key, `e.g. ${key}: {count: 12, period: hour}`);
  if (typeof p !== 'string' || !(PERIODS as readonly string[]).includes(p)) fail(test, `'${key}.period' must be one of ${PERIODS.join(', ')}, got ${JSON.stringify(p)}`, at, key, `e.g. ${key}: {count: 12, period: hour}`);
  return { count, period: p as Period['period'] };
}

export function freshnessArgs(args: Record<string, unknown>, at: ArgLocator = noWhere): FreshnessArgs {
  const f = args.loaded_at_field;
  if (typeof f !== 'string' || !f.trim()) fail('freshness', "missing 'loaded_at_field'", at, undefined, 'the timestamp column the load time is read from, e.g. loaded_at_field: _loaded_at');
  const warnAfter = period('freshness', 'warn_after', args.warn_after, at);
  const errorAfter = period('freshness', 'error_after', args.error_after, at);
  if (!warnAfter && !errorAfter) fail('freshness', "needs 'warn_after', 'error_after' or both", at, undefined, 'e.g. error_after: {count: 24, period: hour}');
  return { loadedAtField: f, warnAfter, errorAfter };
}

function oneOf<T extends string>(key: string, v: unknown, allowed: readonly T[], dflt: T, at: ArgLocator): T {
  if (v === undefined || v === null) return dflt;
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    const near = typeof v === 'string' ? closest(v, allowed) : undefined;
    fail('percent_change', `'${key}' must be one of ${allowed.join(', ')}, got ${JSON.stringify(v)}`, at, key, near ? `did you mean '${near}'?` : `e.g. ${key}: ${dflt}`);
  }
  return v as T;
}

function wholeNumber(key: string, v: unknown, dflt: number, min: number, at: ArgLocator): number {
  if (v === undefined || v === null) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) fail('percent_change', `'${key}' must be a whole number >= ${min}, got ${JSON.stringify(v)}`, at, key, `e.g. ${key}: ${Math.max(dflt, min)}`);
  return v;
}

export function percentChangeArgs(args: Record<string, unknown>, at: ArgLocator = noWhere): PercentChangeArgs {
  const metric = args.metric ?? 'count(*)';
  if (typeof metric !== 'string' || !metric.trim()) fail('percent_change', "'metric' must be an aggregate SQL expression", at, 'metric', 'e.g. metric: sum(revenue), or count(distinct user_id)');
  const timeColumn = args.time_column;
  if (typeof timeColumn !== 'string' || !timeColumn.trim()) fail('percent_change', "missing required argument 'time_column'", at, 'time_column', 'the timestamp or date column that places a row in a period, e.g. time_column: event_ts');
  const t = args.threshold_percent;
  if (t === undefined || t === null) fail('percent_change', "missing required argument 'threshold_percent'", at, undefined, 'e.g. threshold_percent: 30 (a change of more than 30% fails)');
  if (typeof t !== 'number' || !(t > 0)) fail('percent_change', `'threshold_percent' must be a number > 0, got ${JSON.stringify(t)}`, at, 'threshold_percent', 'e.g. threshold_percent: 30');
  const compareTo = oneOf('compare_to', args.compare_to, ['previous', 'average'] as const, 'previous', at);
  const periods = compareTo === 'average' ? wholeNumber('periods', args.periods, 7, 1, at) : 1;
  if (compareTo === 'previous' && args.periods !== undefined && args.periods !== 1) {
    fail('percent_change', "'periods' applies to compare_to: average only", at, 'periods', 'set compare_to: average, or remove periods');
  }
  return {
    metric,
    timeColumn,
    grain: oneOf('grain', args.grain, ['hour', 'day'] as const, 'day', at),
    compareTo,
    periods,
    thresholdPercent: t,
    direction: oneOf('direction', args.direction, ['up', 'down', 'both'] as const, 'both', at),
    minRows: wholeNumber('min_rows', args.min_rows, 0, 0, at),
    periodsChecked: wholeNumber('periods_checked', args.periods_checked, 1, 1, at),
  };
}

/** Validate the arguments of a built-in test (throws a TformError located by `at`). */
export function checkBuiltinArgs(test: BuiltinTestName, args: Record<string, unknown>, at: ArgLocator): void {
  checkArgNames(test, args, at);
  switch (test) {
    case 'accepted_values':
      acceptedValuesArgs(args, at);
      break;
    case 'relationships':
      relationshipsArgs(args, at);
      break;
    case 'expression':
      expressionArg(args, at);
      break;
    case 'row_count':
      rowCountArgs(args, at);
      break;
    case 'freshness':
      freshnessArgs(args, at);
      break;
    case 'percent_change':
      percentChangeArgs(args, at);
      break;
    default:
      break;
  }
}
