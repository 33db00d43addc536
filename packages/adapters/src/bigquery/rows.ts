import type { ColumnInfo, Row } from '@tform/core';

/**
 * BigQuery's REST field schema and row values, as the adapter reads them.
 *
 * getQueryResults returns `schema.fields` (`{ name, type, mode, fields }`, with legacy type
 * names: INTEGER, FLOAT, BOOLEAN, RECORD, …) and `rows` as `{ f: [{ v }] }`, every scalar as a
 * string. Requested with `formatOptions.useInt64Timestamp=true`, a TIMESTAMP is the integer
 * number of microseconds since the epoch. Values become, as the other adapters return them:
 * INTEGER → number (bigint beyond 2^53); FLOAT → number (NaN, ±Infinity too); NUMERIC and
 * BIGNUMERIC → string (exact, like Postgres numeric); BOOLEAN → boolean; TIMESTAMP → Date (the
 * instant, microseconds truncated to ms); DATE → Date at UTC midnight; DATETIME → Date of that
 * wall-clock time read as UTC; BYTES → Buffer; RECORD → object; REPEATED → array; NULL → null;
 * TIME, STRING, JSON, GEOGRAPHY, INTERVAL, RANGE → string. Duplicate column names are made
 * unique (`a`, `a_1`) as the other adapters do.
 */
export interface FieldSchema {
  name: string;
  type: string;
  mode?: 'NULLABLE' | 'REQUIRED' | 'REPEATED';
  fields?: FieldSchema[];
  precision?: string;
  scale?: string;
  maxLength?: string;
}

type Cell = { v: unknown };

export function rowObjects<T extends Row>(fields: FieldSchema[] | undefined, rows: { f: Cell[] }[] | undefined): T[] {
  if (!fields || !rows) return [];
  const names: string[] = [];
  const seen = new Set<string>();
  for (const f of fields) {
    let name = f.name;
    for (let i = 1; seen.has(name); i++) name = `${f.name}_${i}`;
    seen.add(name);
    names.push(name);
  }
  return rows.map((r) => {
    const o: Row = {};
    fields.forEach((f, i) => (o[names[i]!] = fieldValue(f, r.f[i]?.v)));
    return o as T;
  });
}

function fieldValue(f: FieldSchema, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (f.mode === 'REPEATED') return Array.isArray(v) ? v.map((x) => scalar(f, (x as Cell).v)) : [];
  return scalar(f, v);
}

function scalar(f: FieldSchema, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  const t = f.type.toUpperCase();
  if (t === 'RECORD' || t === 'STRUCT') {
    const cells = (v as { f?: Cell[] }).f ?? [];
    const o: Row = {};
    (f.fields ?? []).forEach((sub, i) => (o[sub.name] = fieldValue(sub, cells[i]?.v)));
    return o;
  }
  const s = String(v);
  switch (t) {
    case 'INTEGER':
    case 'INT64': {
      const n = Number(s);
      return Number.isSafeInteger(n) ? n : BigInt(s);
    }
    case 'FLOAT':
    case 'FLOAT64':
      return Number(s);
    case 'BOOLEAN':
    case 'BOOL':
      return s === 'true';
    case 'TIMESTAMP':
      // int64 microseconds (useInt64Timestamp); a float of seconds from servers that ignore it
      return /^-?\d+$/.test(s) ? new Date(Number(BigInt(s) / 1000n)) : new Date(Number(s) * 1000);
    case 'DATE':
      return new Date(`${s}T00:00:00Z`);
    case 'DATETIME':
      return new Date(`${s.replace(' ', 'T').slice(0, 23)}Z`);
    case 'BYTES':
      return Buffer.from(s, 'base64');
    default:
      return s;
  }
}

/** The GoogleSQL spelling of a field's type: `INT64`, `NUMERIC(10, 2)`, `ARRAY<STRUCT<a INT64>>`. */
export function sqlType(f: FieldSchema): string {
  const base = baseType(f);
  return f.mode === 'REPEATED' ? `ARRAY<${base}>` : base;
}

function baseType(f: FieldSchema): string {
  const t = f.type.toUpperCase();
  switch (t) {
    case 'INTEGER':
      return 'INT64';
    case 'FLOAT':
      return 'FLOAT64';
    case 'BOOLEAN':
      return 'BOOL';
    case 'RECORD':
    case 'STRUCT':
      return `STRUCT<${(f.fields ?? []).map((s) => `${quoteField(s.name)} ${sqlType(s)}`).join(', ')}>`;
    case 'NUMERIC':
    case 'BIGNUMERIC':
      return f.precision ? `${t}(${f.precision}${f.scale ? `, ${f.scale}` : ''})` : t;
    case 'STRING':
    case 'BYTES':
      return f.maxLength ? `${t}(${f.maxLength})` : t;
    default:
      return t;
  }
}

function quoteField(name: string): string {
  return `\`${name.replace(/\\/g, '\\\\').replace(/`/g, '\\`')}\``;
}

/** Columns of a table's schema, in order, typed as GoogleSQL spells them. */
export function columnsOf(fields: FieldSchema[] | undefined): ColumnInfo[] {
  return (fields ?? []).map((f) => ({ name: f.name, type: sqlType(f), nullable: f.mode !== 'REQUIRED' }));
}
