import { createHash } from 'node:crypto';
import type { Dialect } from '../adapter/dialect.js';
import type { RelationRef } from '../adapter/types.js';

/**
 * SQL helpers of the warehouse-side state (`tform_state`). Pure: no I/O. Every user value goes
 * through the dialect (stringLiteral, quoteIdent, relation, timestampLiteral) or is a checked
 * integer, so no value is concatenated into SQL unescaped.
 */

/** Default schema of the state tables. */
export const DEFAULT_STATE_SCHEMA = 'tform_state';

/** The relations of the state layout in `schema`. */
export interface StateTables {
  schema: string;
  meta: RelationRef;
  intervals: RelationRef;
  runs: RelationRef;
  files: RelationRef;
  /** One row per node of each run that built or tested (since layout version 3). */
  runLog: RelationRef;
}

export function stateTables(schema: string = DEFAULT_STATE_SCHEMA): StateTables {
  if (!schema) throw new Error('the state schema name must not be empty');
  return {
    schema,
    meta: { schema, identifier: 'meta' },
    intervals: { schema, identifier: 'intervals' },
    runs: { schema, identifier: 'runs' },
    files: { schema, identifier: 'files' },
    runLog: { schema, identifier: 'run_log' },
  };
}

/** Column types that mean the same on DuckDB and Postgres (timestamps hold UTC wall-clock time). */
export interface StateTypes {
  text: string;
  timestamp: string;
  bigint: string;
  /** A floating-point number (seconds of execution time). */
  double: string;
}

export function stateTypes(dialect: Pick<Dialect, 'name' | 'stateTypes'>): StateTypes {
  if (dialect.stateTypes) return dialect.stateTypes;
  const pg = dialect.name === 'postgres';
  return { text: pg ? 'text' : 'varchar', timestamp: 'timestamp', bigint: 'bigint', double: pg ? 'double precision' : 'double' };
}

/**
 * A statement that serializes state-layout changes until the end of the current transaction, or
 * undefined where the warehouse has no such lock (DuckDB: one process holds the file, and calls
 * inside one process are serialized by ensureState itself).
 */
export function layoutLockStatement(dialect: Pick<Dialect, 'name'>, schema: string): string | undefined {
  if (dialect.name !== 'postgres') return undefined;
  const id = createHash('sha256').update(`tform state layout\0${schema}`, 'utf8').digest().readBigInt64BE(0);
  return `select pg_advisory_xact_lock(${id.toString()})`;
}

/** A SQL integer literal of a whole number (number or bigint); throws on anything else. */
export function integerLiteral(value: number | bigint, what = 'value'): string {
  if (typeof value === 'bigint') return value.toString();
  if (!Number.isSafeInteger(value)) throw new Error(`${what} must be a whole number, got ${String(value)}`);
  return String(value);
}

/** `timestamp '…'` of the UTC wall-clock time of `d` (throws on an invalid Date). */
export function utcLiteral(dialect: Pick<Dialect, 'timestampLiteral'>, d: Date, what = 'timestamp'): string {
  if (!(d instanceof Date) || Number.isNaN(d.getTime())) throw new Error(`${what} must be a valid Date`);
  return dialect.timestampLiteral(d);
}

/** A literal of a nullable string. */
export function textOrNull(dialect: Pick<Dialect, 'stringLiteral'>, v: string | undefined | null): string {
  return v === undefined || v === null ? 'null' : dialect.stringLiteral(v);
}

/**
 * Whether `r` exists as a table, as one statement that also works inside a transaction (no
 * failing statement that would abort a Postgres transaction). Counts as `n`.
 */
export function tableExistsQuery(dialect: Pick<Dialect, 'stringLiteral' | 'tableExistsQuery'>, r: RelationRef): string {
  if (dialect.tableExistsQuery) return dialect.tableExistsQuery(r);
  return `select count(*) as n from information_schema.tables
where table_catalog = current_database()
  and table_schema = ${dialect.stringLiteral(r.schema)}
  and table_name = ${dialect.stringLiteral(r.identifier)}`;
}

/** A warehouse integer (number, bigint or numeric text) as a JS number; null stays null. */
export function toNumber(v: unknown): number | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  const n = Number(v);
  return Number.isNaN(n) ? null : n;
}

/** A warehouse timestamp (Date from both adapters; text defensively, read as UTC) as a Date. */
export function toDate(v: unknown): Date {
  if (v instanceof Date) return v;
  if (typeof v === 'string') {
    const [day, time = '00:00:00'] = v.split(/[T ]/);
    return new Date(`${day}T${time}${/[zZ]|[+-]\d{2}:?\d{2}$/.test(time) ? '' : 'Z'}`);
  }
  throw new Error(`expected a timestamp, got ${typeof v}`);
}
