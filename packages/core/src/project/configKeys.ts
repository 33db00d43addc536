/** Config keys tform understands. Unknown keys are kept (macros may read them) and warned about. */
export const KNOWN_CONFIG_KEYS = [
  'materialized', 'schema', 'database', 'alias', 'tags', 'layer', 'enabled', 'pre_hook', 'post_hook',
  'meta', 'docs', 'description', 'persist_docs', 'column_types', 'delimiter', 'quote_columns', 'full_refresh',
  'unique_key', 'incremental_strategy', 'on_schema_change', 'event_time', 'batch_size', 'begin', 'lookback',
  'schedule', 'retention', 'timezone', 'grants', 'indexes', 'contract', 'quoting', 'panel_of', 'entity',
  'folds', 'grain', 'sql_header', 'severity', 'where', 'limit', 'store_failures', 'warn_if', 'error_if',
  'partition_by', 'cluster_by', 'expect_every', 'sort', 'dist', 'group', 'access', 'packages', 'on_configuration_change',
] as const;

const KNOWN = new Set<string>(KNOWN_CONFIG_KEYS);

/** Keys whose values accumulate down the project tree and across config sources. */
export const ADDITIVE_KEYS = new Set(['tags', 'pre_hook', 'post_hook']);
/** Keys whose object values merge key-by-key. */
export const MERGED_KEYS = new Set(['meta', 'docs', 'column_types', 'grants']);

/** `pre-hook` → `pre_hook`, `+materialized` → `materialized`. */
export function normalizeKey(key: string): string {
  const k = key.startsWith('+') ? key.slice(1) : key;
  return k.replace(/-/g, '_');
}

export function isKnownConfigKey(key: string): boolean {
  return KNOWN.has(normalizeKey(key));
}

function asList(v: unknown): unknown[] {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v : [v];
}

/** Apply `layer` on top of `base` following dbt's merge rules (lists add up, dicts merge, rest overrides). */
export function mergeConfig(base: Record<string, unknown>, layer: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(base)) out[normalizeKey(k)] = v;
  for (const [rawKey, v] of Object.entries(layer)) {
    const k = normalizeKey(rawKey);
    if (ADDITIVE_KEYS.has(k)) {
      const merged = [...asList(out[k]), ...asList(v)];
      out[k] = k === 'tags' ? [...new Set(merged.map(String))] : merged;
    } else if (MERGED_KEYS.has(k) && v && typeof v === 'object' && !Array.isArray(v) && out[k] && typeof out[k] === 'object') {
      out[k] = { ...(out[k] as object), ...(v as object) };
    } else {
      out[k] = v;
    }
  }
  return out;
}
