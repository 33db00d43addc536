import type { DuckDBResult, DuckDBValueConverter, JS } from '@duckdb/node-api';
import { loadedDriver } from './driver.js';
import type { Row } from '@tform/core';

/**
 * Result rows as plain JS objects, using @duckdb/node-api's JS conversion (what
 * `getRowObjectsJS()` does). What 1.5.5 and 1.5.6 return per DuckDB type:
 * - BOOLEAN → boolean; TINYINT/SMALLINT/INTEGER and unsigned ones, FLOAT, DOUBLE → number
 * - BIGINT, UBIGINT, HUGEINT, UHUGEINT, BIGNUM → bigint, whatever the magnitude
 *   (so `count(*)` and `sum(integer)` come back as bigint, e.g. `3n`)
 * - DECIMAL → number (a double: exact only up to ~15 significant digits)
 * - DATE → Date at UTC midnight; TIMESTAMP/_S/_MS/_NS → Date (UTC, microseconds truncated to ms);
 *   TIMESTAMPTZ → Date of that instant
 * - TIME → bigint microseconds since midnight; INTERVAL → { months, days, micros: bigint }
 * - VARCHAR, UUID, ENUM → string; BLOB, BIT, GEOMETRY → Uint8Array (a Buffer)
 * - LIST/ARRAY → array; STRUCT → object; MAP → array of { key, value }; NULL → null
 * Duplicate column names are made unique (`a`, `a_1`).
 *
 * The one change here: a value JS cannot represent (DATE 'infinity', a date or timestamp beyond
 * the JS Date range of ±100,000,000 days) makes the stock converter throw and so fail the whole
 * query; such a value is returned as text instead: 'infinity' / '-infinity' for DuckDB's
 * infinite dates and timestamps, the value's own toString() otherwise (e.g. '294000-01-01').
 */
const toJS: DuckDBValueConverter<JS> = (value, type, converter) => {
  const { JSDuckDBValueConverter } = loadedDriver();
  try {
    return JSDuckDBValueConverter(value, type, converter);
  } catch {
    return value === null ? null : unrepresentable(value);
  }
};

interface MaybeInfinite {
  isFinite?: boolean;
  days?: number;
  seconds?: bigint;
  millis?: bigint;
  micros?: bigint;
  nanos?: bigint;
}

function unrepresentable(value: object | string | number | bigint | boolean): string {
  if (typeof value === 'object' && 'isFinite' in value) {
    // DATE and TIMESTAMP* values have an isFinite getter; the sign of the raw count tells ±.
    const v = value as MaybeInfinite;
    if (v.isFinite === false) {
      const raw = v.days ?? v.micros ?? v.millis ?? v.seconds ?? v.nanos ?? 0;
      return raw < 0 ? '-infinity' : 'infinity';
    }
  }
  return String(value);
}

export async function rowObjects<T extends Row>(result: DuckDBResult): Promise<T[]> {
  return (await result.convertRowObjects(toJS)) as T[];
}
