import { TformError } from '../errors/index.js';
import type { ExecNode } from '../compile/manifest.js';

/**
 * The config of an incremental model (dbt's keys and values), checked and normalised.
 *
 * - `incremental_strategy`: `append`, `merge`, `delete+insert`, or `microbatch` (interval by
 *   interval: see batchConfig.ts and microbatch.ts). Default: `delete+insert` when a
 *   `unique_key` is set, `append` otherwise — what dbt-postgres and dbt-duckdb do (their
 *   `get_incremental_default_sql`), so a project moved from dbt keeps its behaviour (notably,
 *   delete+insert accepts several new rows per key, where merge refuses them).
 * - `unique_key`: a column name or a list of them (an empty list means none). Names, not SQL: a
 *   string with a comma is refused, since it would be one quoted name.
 * - `on_schema_change`: `ignore` (default), `fail`, `append_new_columns`, `sync_all_columns`.
 */
export const INCREMENTAL_STRATEGIES = ['append', 'merge', 'delete+insert', 'microbatch'] as const;
export type IncrementalStrategy = (typeof INCREMENTAL_STRATEGIES)[number];

export const ON_SCHEMA_CHANGE = ['ignore', 'fail', 'append_new_columns', 'sync_all_columns'] as const;
export type OnSchemaChange = (typeof ON_SCHEMA_CHANGE)[number];

export interface IncrementalConfig {
  strategy: IncrementalStrategy;
  /** Unique key columns as configured; [] when none. */
  uniqueKey: string[];
  onSchemaChange: OnSchemaChange;
}

export function incrementalConfig(node: ExecNode): IncrementalConfig {
  const fail = (msg: string, hint: string): never => {
    throw new TformError('CONFIG_INVALID', `${node.name}: ${msg}`, { file: node.path, hint });
  };
  const c = node.config;

  const rawKey = c.unique_key;
  let uniqueKey: string[] = [];
  if (rawKey !== undefined && rawKey !== null) {
    const list = Array.isArray(rawKey) ? rawKey : [rawKey];
    if (!list.every((k) => typeof k === 'string' && k.trim() !== '')) fail("'unique_key' must be a column name or a list of column names", "e.g. unique_key: ['order_id', 'line_no']");
    uniqueKey = (list as string[]).map((k) => k.trim());
    const withComma = uniqueKey.find((k) => k.includes(','));
    if (withComma !== undefined) fail(`unique_key '${withComma}' is one column name, not a list`, `write a list: unique_key: [${withComma.split(',').map((k) => `'${k.trim()}'`).join(', ')}]`);
    if (new Set(uniqueKey).size !== uniqueKey.length) fail(`unique_key names a column twice: ${uniqueKey.join(', ')}`, 'list each key column once');
  }

  const rawStrategy = c.incremental_strategy;
  let strategy: IncrementalStrategy = uniqueKey.length ? 'delete+insert' : 'append';
  if (rawStrategy !== undefined && rawStrategy !== null) {
    const s = String(rawStrategy).toLowerCase();
    if (!(INCREMENTAL_STRATEGIES as readonly string[]).includes(s)) fail(`unknown incremental_strategy '${String(rawStrategy)}'`, `use one of: ${INCREMENTAL_STRATEGIES.join(', ')}`);
    strategy = s as IncrementalStrategy;
  }
  if (strategy !== 'append' && strategy !== 'microbatch' && uniqueKey.length === 0) fail(`incremental_strategy '${strategy}' needs a unique_key`, "set unique_key (a column or a list), or use incremental_strategy: 'append'");

  const rawOsc = c.on_schema_change;
  let onSchemaChange: OnSchemaChange = 'ignore';
  if (rawOsc !== undefined && rawOsc !== null) {
    const o = String(rawOsc).toLowerCase();
    if (!(ON_SCHEMA_CHANGE as readonly string[]).includes(o)) fail(`unknown on_schema_change '${String(rawOsc)}'`, `use one of: ${ON_SCHEMA_CHANGE.join(', ')}`);
    onSchemaChange = o as OnSchemaChange;
  }
  return { strategy, uniqueKey, onSchemaChange };
}
