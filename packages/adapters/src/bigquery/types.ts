import type { FieldSchema } from './rows.js';

/**
 * GoogleSQL type names as the REST schema of a load job spells them. Seeds declare their
 * types as SQL (`column_types: { amount: numeric(10,2) }`, or what the dialect infers); a load job
 * needs `{ type: NUMERIC, precision: '10', scale: '2' }`. `varchar`, `text` and `char` are read
 * as STRING so that a seed's column_types written for another warehouse still load.
 */
const ALIASES: Record<string, string> = {
  INT64: 'INTEGER',
  INT: 'INTEGER',
  INTEGER: 'INTEGER',
  BIGINT: 'INTEGER',
  SMALLINT: 'INTEGER',
  TINYINT: 'INTEGER',
  BYTEINT: 'INTEGER',
  FLOAT64: 'FLOAT',
  FLOAT: 'FLOAT',
  NUMERIC: 'NUMERIC',
  DECIMAL: 'NUMERIC',
  BIGNUMERIC: 'BIGNUMERIC',
  BIGDECIMAL: 'BIGNUMERIC',
  BOOL: 'BOOLEAN',
  BOOLEAN: 'BOOLEAN',
  STRING: 'STRING',
  VARCHAR: 'STRING',
  TEXT: 'STRING',
  CHAR: 'STRING',
  BYTES: 'BYTES',
  DATE: 'DATE',
  DATETIME: 'DATETIME',
  TIME: 'TIME',
  TIMESTAMP: 'TIMESTAMP',
  JSON: 'JSON',
  GEOGRAPHY: 'GEOGRAPHY',
};

const TYPE_RE = /^\s*([a-z0-9]+)\s*(?:\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\))?\s*$/i;

/** The load-job field of a column of SQL type `type`, or undefined when BigQuery has no such type. */
export function loadField(name: string, type: string): FieldSchema | undefined {
  const m = TYPE_RE.exec(type);
  if (!m) return undefined;
  const t = ALIASES[m[1]!.toUpperCase()];
  if (!t) return undefined;
  const f: FieldSchema = { name, type: t, mode: 'NULLABLE' };
  if (m[2] !== undefined) {
    if (t === 'NUMERIC' || t === 'BIGNUMERIC') {
      f.precision = m[2];
      if (m[3] !== undefined) f.scale = m[3];
    } else if ((t === 'STRING' || t === 'BYTES') && m[3] === undefined) f.maxLength = m[2];
    else return undefined;
  }
  return f;
}

/** Types the error message lists. */
export const LOAD_TYPES = ['INT64', 'FLOAT64', 'NUMERIC(p, s)', 'BIGNUMERIC', 'BOOL', 'STRING', 'BYTES', 'DATE', 'DATETIME', 'TIME', 'TIMESTAMP', 'JSON', 'GEOGRAPHY'];
