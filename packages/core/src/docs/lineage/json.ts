/**
 * Defensive reading of parse trees held as `unknown` (JSON from DuckDB, objects from
 * node-sql-parser): each accessor checks the shape it returns.
 */

export type JsonObject = Record<string, unknown>;

/** A plain object (not an array, not null). */
export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `o[key]` when it is a non-empty string. */
export function str(o: JsonObject, key: string): string | undefined {
  const v = o[key];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** `o[key]` when it is an object. */
export function obj(o: JsonObject, key: string): JsonObject | undefined {
  const v = o[key];
  return isObject(v) ? v : undefined;
}

/** `o[key]` as an array ([] when absent or not an array). */
export function arr(o: JsonObject, key: string): unknown[] {
  const v = o[key];
  return Array.isArray(v) ? v : [];
}

/** `o[key]` as a list of strings (other entries dropped). */
export function strings(o: JsonObject, key: string): string[] {
  return arr(o, key).filter((s): s is string => typeof s === 'string');
}

/** A short description of a value for an error message. */
export function describe(v: unknown): string {
  if (isObject(v)) {
    const parts = ['class', 'type'].map((k) => v[k]).filter((x): x is string => typeof x === 'string');
    if (parts.length > 0) return [...new Set(parts)].join('/');
    return `object with keys ${Object.keys(v).slice(0, 6).join(', ')}`;
  }
  return Array.isArray(v) ? 'array' : typeof v;
}
