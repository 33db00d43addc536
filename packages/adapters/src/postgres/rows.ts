import pg from 'pg';

/**
 * How result values come back (text protocol), per Postgres type. The parsers are given to each
 * pool's clients through the `types` option, so pg's process-wide defaults stay untouched for
 * other code in the process.
 *
 * - int2, int4, oid → number; float4, float8 → number (pg's defaults).
 * - int8 → **bigint, always**, whatever the magnitude (so `count(*)` and `sum(int)` come back as
 *   e.g. `3n`), like the DuckDB adapter's BIGINT: one JS type per column type, exact past 2^53.
 *   int8[] → bigint[].
 * - numeric → **string**, exactly as Postgres prints it (`'12345.67'`, `'2.50'`, `'NaN'`):
 *   numeric has up to 131072 digits, and a double would silently round. Callers wanting a
 *   number use Number(v). numeric[] → string[].
 * - date → Date at UTC midnight of that day (not local midnight, pg's default, which shifts the
 *   day in a timezone west of UTC when read with toISOString()).
 * - timestamp (without time zone) → Date of that wall-clock time read as UTC (pg's default reads
 *   it in the process's local zone). timestamptz → Date of the instant. Microseconds are cut to
 *   milliseconds (JS Dates hold ms).
 * - Values a Date cannot hold — `infinity`, `-infinity`, BC dates, years beyond 275759 — come back
 *   as the text Postgres printed, like the DuckDB adapter does for its infinite dates.
 * - json, jsonb → parsed (JSON.parse); json[]/jsonb[] → arrays of parsed values.
 * - bool → boolean; bytea → Buffer; text, varchar, uuid, time, timetz, … → string;
 *   interval → pg's PostgresInterval object; arrays of those → arrays.
 * - NULL → null, in arrays too.
 *
 * Parsing the text of dates and timestamps needs the ISO output style, so every connection is
 * opened with `DateStyle=ISO` (only the output format; the input field order is left as is),
 * which is what the server's default already is and what other drivers (pgjdbc) insist on too.
 */

const OID = {
  int8: 20,
  int8Array: 1016,
  date: 1082,
  dateArray: 1182,
  timestamp: 1114,
  timestampArray: 1115,
  timestamptz: 1184,
  timestamptzArray: 1185,
  numericArray: 1231,
  textArray: 1009,
} as const;

type Parser = (value: string) => unknown;

const DATE = /^(\d{4,})-(\d\d)-(\d\d)$/;
const TIMESTAMP = /^(\d{4,})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?(?:([+-])(\d\d)(?::?(\d\d))?(?::?(\d\d))?)?$/;

function utc(y: number, mo: number, d: number, h = 0, mi = 0, s = 0, ms = 0): Date {
  const t = new Date(Date.UTC(2000, mo - 1, d, h, mi, s, ms));
  t.setUTCFullYear(y); // Date.UTC maps years 0–99 to 1900–1999
  return t;
}

/** date → Date at UTC midnight, or the text when a Date cannot hold it. */
export function parseDate(text: string): Date | string {
  const m = DATE.exec(text);
  if (!m) return text; // 'infinity', '-infinity', '… BC'
  const d = utc(Number(m[1]), Number(m[2]), Number(m[3]));
  return Number.isNaN(d.getTime()) ? text : d;
}

/** timestamp / timestamptz → Date (no offset in the text: read as UTC), or the text. */
export function parseTimestamp(text: string): Date | string {
  const m = TIMESTAMP.exec(text);
  if (!m) return text;
  const ms = m[7] ? Math.floor(Number(m[7].padEnd(6, '0')) / 1000) : 0;
  let d = utc(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), ms);
  if (m[8]) {
    const offsetSeconds = Number(m[9]) * 3600 + Number(m[10] ?? 0) * 60 + Number(m[11] ?? 0);
    d = new Date(d.getTime() - (m[8] === '-' ? -1 : 1) * offsetSeconds * 1000);
  }
  return Number.isNaN(d.getTime()) ? text : d;
}

function parseBigInt(text: string): bigint {
  return BigInt(text);
}

/** An array parser applying `element` to every non-NULL element, nested arrays included. */
function arrayOf(element: Parser): Parser {
  const strings = (pg.types.getTypeParser as (oid: number, format: 'text') => (v: string) => unknown)(OID.textArray, 'text');
  const map = (v: unknown): unknown => (Array.isArray(v) ? v.map(map) : v === null ? null : element(v as string));
  return (text) => map(strings(text));
}

const OVERRIDES = new Map<number, Parser>([
  [OID.int8, parseBigInt],
  [OID.int8Array, arrayOf(parseBigInt)],
  [OID.numericArray, arrayOf((s) => s)],
  [OID.date, parseDate],
  [OID.dateArray, arrayOf(parseDate)],
  [OID.timestamp, parseTimestamp],
  [OID.timestampArray, arrayOf(parseTimestamp)],
  [OID.timestamptz, parseTimestamp],
  [OID.timestamptzArray, arrayOf(parseTimestamp)],
]);

/** The `types` option of a pg Client/Pool with the parsers above. */
export const typeParsers: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if ((format ?? 'text') === 'text') {
      const p = OVERRIDES.get(oid);
      if (p) return p;
    }
    return (pg.types.getTypeParser as (oid: number, format?: string) => unknown)(oid, format);
  }) as pg.CustomTypesConfig['getTypeParser'],
};
