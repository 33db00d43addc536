import { TformError, type ErrorLocation } from '../errors/index.js';
import { isPlainObject } from '../project/yaml.js';
import { checkTimeZone, parseLocalTime, type IntervalGrain } from '../state/intervals.js';

/**
 * Config of the models tform processes interval by interval (dbt's names where dbt has them):
 *
 * - `incremental` with `incremental_strategy: microbatch`: `event_time` (a column of the model),
 *   `batch_size` (hour, day), `begin` (the first interval), `lookback` (closed intervals before the
 *   new ones processed again, default 1), `timezone` (day intervals in that zone; default UTC).
 * - `panel` (a daily/hourly panel): the same keys, plus `entity` (column or list). The panel has
 *   one row per entity per interval; `event_time` is its grain column.
 * - `panel` with `panel_of: <panel model>` (a lifetime panel): one row per entity, folded from
 *   the panel with `folds:` per column (sum, min, max, first, last, count). Its grain is the
 *   panel's; it has no SQL of its own.
 */

export type BatchedKind = 'microbatch' | 'panel' | 'lifetime';

export interface BatchConfig {
  eventTime: string;
  batchSize: IntervalGrain;
  begin: Date;
  lookback: number;
  timezone?: string;
}

export const FOLD_FUNCTIONS = ['sum', 'min', 'max', 'first', 'last', 'count'] as const;
export type FoldFunction = (typeof FOLD_FUNCTIONS)[number];

export interface Fold {
  /** Column of the lifetime panel. */
  column: string;
  fn: FoldFunction;
  /** Column of the panel it folds (default: the same name). */
  of: string;
}

export interface LifetimeConfig {
  panelOf: string;
  /** Entity columns; default: the panel's `entity`. */
  entity?: string[];
  folds: Fold[];
}

interface Configured {
  materialized?: unknown;
  config: Record<string, unknown>;
}

/** Which interval-wise kind a model is, if any. */
export function batchedKind(n: Configured): BatchedKind | undefined {
  const m = n.materialized ?? n.config.materialized;
  if (m === 'panel') return n.config.panel_of !== undefined && n.config.panel_of !== null ? 'lifetime' : 'panel';
  if (m === 'incremental' && String(n.config.incremental_strategy ?? '').toLowerCase() === 'microbatch') return 'microbatch';
  return undefined;
}

type Where = (key: string) => ErrorLocation;

function failer(name: string, where: Where) {
  return (key: string, msg: string, hint?: string): never => {
    throw new TformError('CONFIG_INVALID', `${name}: ${msg}`, { ...where(key), hint });
  };
}

function columnList(value: unknown, key: string, fail: ReturnType<typeof failer>): string[] {
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0 || !list.every((c) => typeof c === 'string' && c.trim() !== '')) fail(key, `'${key}' must be a column name or a list of them`, `e.g. ${key}: user_id`);
  const out = (list as string[]).map((c) => c.trim());
  if (new Set(out).size !== out.length) fail(key, `'${key}' names a column twice`);
  return out;
}

/** The interval config of a microbatch model or a (daily) panel; throws a located TformError. */
export function batchConfig(config: Record<string, unknown>, name: string, where: Where = () => ({})): BatchConfig {
  const fail = failer(name, where);
  const kind = config.materialized === 'panel' ? 'a panel' : 'a microbatch model';
  if (typeof config.event_time !== 'string' || !config.event_time.trim()) {
    fail('event_time', `${kind} needs 'event_time': the column that places each row in its interval`, "e.g. config(event_time='event_date')");
  }
  const size = String(config.batch_size ?? '').toLowerCase();
  if (size !== 'hour' && size !== 'day') fail('batch_size', `${kind} needs 'batch_size': hour or day${config.batch_size === undefined ? '' : ` (got '${String(config.batch_size)}')`}`, "e.g. config(batch_size='day')");
  let timezone: string | undefined;
  if (config.timezone !== undefined && config.timezone !== null) {
    timezone = String(config.timezone);
    try {
      checkTimeZone(timezone);
    } catch (e) {
      fail('timezone', (e as Error).message, "use an IANA time zone name such as 'Europe/Berlin' or 'UTC'");
    }
    if (timezone.toUpperCase() === 'UTC') timezone = undefined;
  }
  const rawBegin = config.begin instanceof Date ? config.begin.toISOString() : config.begin;
  if (rawBegin === undefined || rawBegin === null) fail('begin', `${kind} needs 'begin': the start of its first interval`, "e.g. config(begin='2024-01-01')");
  const begin = parseLocalTime(String(rawBegin), timezone);
  if (!begin) fail('begin', `begin '${String(rawBegin)}' is not a date`, "e.g. begin: '2024-01-01' (or '2024-01-01 06:00')");
  const lookback = config.lookback ?? 1;
  if (typeof lookback !== 'number' || !Number.isInteger(lookback) || lookback < 0) fail('lookback', `lookback ${JSON.stringify(lookback)} must be a whole number of intervals (0 or more)`, 'e.g. lookback: 1');
  return { eventTime: (config.event_time as string).trim(), batchSize: size as IntervalGrain, begin: begin!, lookback: lookback as number, timezone };
}

/** The entity columns of a panel. */
export function panelEntity(config: Record<string, unknown>, name: string, where: Where = () => ({})): string[] {
  const fail = failer(name, where);
  if (config.entity === undefined || config.entity === null) fail('entity', "a panel needs 'entity': the column(s) of the thing it has one row of per interval", "e.g. config(entity='user_id')");
  return columnList(config.entity, 'entity', fail);
}

/** The config of a lifetime panel (`panel_of`). */
export function lifetimeConfig(config: Record<string, unknown>, name: string, where: Where = () => ({})): LifetimeConfig {
  const fail = failer(name, where);
  if (typeof config.panel_of !== 'string' || !config.panel_of.trim()) fail('panel_of', "'panel_of' must name the panel model this lifetime panel folds", "e.g. panel_of: daily_user_panel");
  const entity = config.entity === undefined || config.entity === null ? undefined : columnList(config.entity, 'entity', fail);
  if (!isPlainObject(config.folds) || Object.keys(config.folds).length === 0) {
    fail('folds', "a lifetime panel needs 'folds': for each column, how it folds the panel's rows", "e.g. folds: { sessions: sum, first_seen: { min: activity_date }, last_seen: { max: activity_date } }");
  }
  const folds: Fold[] = [];
  for (const [column, spec] of Object.entries(config.folds as Record<string, unknown>)) {
    let fn: unknown = spec;
    let of = column;
    if (isPlainObject(spec)) {
      const keys = Object.keys(spec);
      if (keys.length !== 1) fail('folds', `fold of '${column}' must be one function with its column, e.g. { min: activity_date }`);
      fn = keys[0];
      const src = spec[keys[0]!];
      if (typeof src !== 'string' || !src.trim()) fail('folds', `fold of '${column}': '${String(fn)}' needs the panel column it folds`);
      of = (src as string).trim();
    }
    const f = String(fn).toLowerCase();
    if (!(FOLD_FUNCTIONS as readonly string[]).includes(f)) fail('folds', `fold of '${column}': unknown function '${String(fn)}'`, `use one of: ${FOLD_FUNCTIONS.join(', ')}`);
    folds.push({ column, fn: f as FoldFunction, of });
  }
  return { panelOf: (config.panel_of as string).trim(), entity, folds };
}

/** Check at compile time what batchedKind() will need, at the place each key was set. */
export function checkBatchedConfig(config: Record<string, unknown>, name: string, where: Where): void {
  const kind = batchedKind({ config });
  if (kind === 'microbatch' || kind === 'panel') batchConfig(config, name, where);
  if (kind === 'panel') panelEntity(config, name, where);
  if (kind === 'lifetime') {
    lifetimeConfig(config, name, where);
    for (const k of ['event_time', 'begin', 'batch_size', 'lookback', 'retention']) {
      if (config[k] !== undefined && config[k] !== null && k !== 'event_time') {
        failer(name, where)(k, `a lifetime panel takes its intervals from its panel: remove '${k}'`, `set ${k} on the panel named by panel_of`);
      }
    }
  }
  if (kind && config.retention !== undefined && config.retention !== null && kind === 'panel') {
    failer(name, where)('retention', 'a panel keeps its whole history (lifetime panels are recomputed from it): remove retention', 'retain the staging models instead');
  }
}
