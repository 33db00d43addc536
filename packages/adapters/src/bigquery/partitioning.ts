import { TformError, closest, type ErrorLocation } from '@tform/core';

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * `partition_by` and `cluster_by`, as dbt-bigquery spells them:
 *
 *   partition_by: { field: event_ts, data_type: timestamp, granularity: day }
 *   partition_by: { field: user_bucket, data_type: int64, range: { start: 0, end: 100, interval: 10 } }
 *   cluster_by: [country, platform]        # or one column as a string; at most four
 *
 * `data_type` is `date`, `timestamp`, `datetime` or `int64` (default `date`); `granularity` is
 * `hour`, `day`, `month` or `year` (default `day`; `hour` needs a timestamp or datetime). Both are
 * checked when the project is resolved; a bad value is an error at the place it was set.
 */

export const PARTITION_DATA_TYPES = ['date', 'timestamp', 'datetime', 'int64'] as const;
export const GRANULARITIES = ['hour', 'day', 'month', 'year'] as const;
const PARTITION_KEYS = ['field', 'data_type', 'granularity', 'range'];
const MAX_CLUSTER_COLUMNS = 4;

export interface PartitionBy {
  field: string;
  data_type: (typeof PARTITION_DATA_TYPES)[number];
  granularity: (typeof GRANULARITIES)[number];
  range?: { start: number; end: number; interval: number };
}

type Where = (key: string) => ErrorLocation;

function failer(name: string, where: Where) {
  return (key: string, msg: string, hint: string): never => {
    throw new TformError('CONFIG_INVALID', `${name}: ${msg}`, { ...where(key), hint });
  };
}

const EXAMPLE = "e.g. partition_by: { field: event_ts, data_type: timestamp, granularity: day }";

/** The checked, normalised `partition_by`, or undefined when unset. */
export function partitionBy(value: unknown, name: string, where: Where): PartitionBy | undefined {
  if (value === undefined || value === null) return undefined;
  const fail = failer(name, where);
  if (!isPlainObject(value)) fail('partition_by', "'partition_by' must be a mapping with field and data_type", EXAMPLE);
  const v = value as Record<string, unknown>;
  for (const k of Object.keys(v)) {
    if (!PARTITION_KEYS.includes(k)) {
      const near = closest(k, PARTITION_KEYS);
      fail('partition_by', `unknown key '${k}' in partition_by`, `${near ? `did you mean '${near}'? ` : ''}partition_by takes ${PARTITION_KEYS.join(', ')}`);
    }
  }
  if (typeof v.field !== 'string' || !v.field.trim()) fail('partition_by', "partition_by needs 'field': the column the table is partitioned by", EXAMPLE);
  const dataType = String(v.data_type ?? 'date').toLowerCase();
  if (!(PARTITION_DATA_TYPES as readonly string[]).includes(dataType)) {
    const near = closest(dataType, PARTITION_DATA_TYPES);
    fail('partition_by', `unknown partition_by.data_type '${String(v.data_type)}'`, `${near ? `did you mean '${near}'? ` : ''}use one of: ${PARTITION_DATA_TYPES.join(', ')}`);
  }
  const granularity = String(v.granularity ?? 'day').toLowerCase();
  if (!(GRANULARITIES as readonly string[]).includes(granularity)) {
    const near = closest(granularity, GRANULARITIES);
    fail('partition_by', `unknown partition_by.granularity '${String(v.granularity)}'`, `${near ? `did you mean '${near}'? ` : ''}use one of: ${GRANULARITIES.join(', ')}`);
  }
  const out: PartitionBy = { field: (v.field as string).trim(), data_type: dataType as PartitionBy['data_type'], granularity: granularity as PartitionBy['granularity'] };
  if (dataType === 'int64') {
    const r = v.range;
    const ok = isPlainObject(r) && ['start', 'end', 'interval'].every((k) => Number.isInteger((r as Record<string, unknown>)[k]));
    if (!ok) fail('partition_by', "an int64 partition_by needs 'range' with integer start, end and interval", 'e.g. partition_by: { field: bucket, data_type: int64, range: { start: 0, end: 100, interval: 10 } }');
    const { start, end, interval } = r as { start: number; end: number; interval: number };
    if (interval <= 0 || end <= start) fail('partition_by', `partition_by.range must have start < end and a positive interval, got start ${start}, end ${end}, interval ${interval}`, 'e.g. range: { start: 0, end: 100, interval: 10 }');
    out.range = { start, end, interval };
    if (v.granularity !== undefined) fail('partition_by', 'an int64 partition_by takes a range, not a granularity', 'remove granularity');
  } else {
    if (v.range !== undefined) fail('partition_by', `partition_by.range is for data_type int64, not ${dataType}`, 'remove range, or use data_type: int64');
    if (dataType === 'date' && granularity === 'hour') fail('partition_by', 'a date column cannot be partitioned by hour', 'use granularity day, month or year, or partition by a timestamp or datetime column');
  }
  return out;
}

/** The checked `cluster_by` columns, or undefined when unset. */
export function clusterBy(value: unknown, name: string, where: Where): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  const fail = failer(name, where);
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.length === 0 || !list.every((c) => typeof c === 'string' && c.trim() !== '')) {
    fail('cluster_by', "'cluster_by' must be a column name or a list of column names", 'e.g. cluster_by: [country, platform]');
  }
  const cols = (list as string[]).map((c) => c.trim());
  if (cols.length > MAX_CLUSTER_COLUMNS) fail('cluster_by', `BigQuery clusters by at most ${MAX_CLUSTER_COLUMNS} columns, got ${cols.length}`, `keep the ${MAX_CLUSTER_COLUMNS} most selective columns`);
  if (new Set(cols.map((c) => c.toLowerCase())).size !== cols.length) fail('cluster_by', `cluster_by names a column twice: ${cols.join(', ')}`, 'list each column once');
  return cols;
}

/** `partition by …` of a checked partition_by, columns quoted by `q`. */
export function partitionClause(p: PartitionBy, q: (name: string) => string): string {
  const f = q(p.field);
  const g = p.granularity.toUpperCase();
  switch (p.data_type) {
    case 'int64':
      return `partition by range_bucket(${f}, generate_array(${p.range!.start}, ${p.range!.end}, ${p.range!.interval}))`;
    case 'date':
      return p.granularity === 'day' ? `partition by ${f}` : `partition by date_trunc(${f}, ${g})`;
    case 'timestamp':
      return `partition by timestamp_trunc(${f}, ${g})`;
    case 'datetime':
      return `partition by datetime_trunc(${f}, ${g})`;
  }
}
