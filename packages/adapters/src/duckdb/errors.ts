import { DatabaseError } from '@tform/core';

/**
 * Mapping DuckDB errors to core's DatabaseError.
 *
 * What @duckdb/node-api 1.5 exposes: a plain `Error` whose only payload is `message`. By default
 * the message is `<Type> Error: <text>` followed, when DuckDB knows where the error is, by a
 * context block `\n\nLINE <n>: <source line>\n<spaces>^`. That block is unreliable for columns:
 * DuckDB cuts long lines down to a window and prefixes it with `...`.
 *
 * With `SET errors_as_json = true` (which the adapter sets on every connection; although
 * duckdb_settings() lists it as GLOBAL it takes effect per connection) the message is a JSON
 * object instead, e.g.
 *   {"exception_type":"Binder","exception_message":"Referenced column \"x\" not found …",
 *    "error_subtype":"COLUMN_NOT_FOUND","position":"14", …}
 * Parser errors keep a prefix: `Parser Error: {"exception_type":"Parser", …}`.
 * `position` is a 0-based UTF-8 *byte* offset into the whole text passed to one query call (with
 * several statements, into the full text, not the failing statement), so it is converted to a
 * 1-based line and a 1-based column counted in characters (code points).
 * The "LINE n:" block is still parsed as a fallback for messages that are not JSON (errors
 * raised before errors_as_json is set, e.g. while opening the database file).
 */

export class DuckDBError extends DatabaseError {
  /** DuckDB's exception type: `Parser`, `Binder`, `Catalog`, `TransactionContext`, `INTERRUPT`, … */
  readonly exceptionType?: string;
  constructor(message: string, opts: { line?: number; column?: number; exceptionType?: string; cause?: unknown }) {
    super(message, opts);
    this.exceptionType = opts.exceptionType;
  }

  /**
   * A write-write conflict between transactions, e.g. two connections running
   * `create schema if not exists s` for a new schema at the same time:
   * `TransactionContext Error: Catalog write-write conflict on create with "s"`, or
   * `Conflict on update!` for concurrent updates of the same rows.
   */
  get isTransactionConflict(): boolean {
    return this.exceptionType === 'TransactionContext' && /conflict/i.test(this.message);
  }
}

interface DuckDBJsonError {
  exception_type?: string;
  exception_message?: string;
  position?: string | number;
}

/** Any error from the driver, as a DuckDBError; `sql` is the text that was run, for positions. */
export function toDatabaseError(err: unknown, sql?: string): DuckDBError {
  if (err instanceof DuckDBError) return err;
  const raw = err instanceof Error ? err.message : String(err);

  const json = parseJsonError(raw);
  if (json) {
    const type = json.exception_type;
    const text = json.exception_message ?? raw;
    const message = type ? `${type} Error: ${text}` : text;
    const offset = json.position === undefined ? NaN : Number(json.position);
    const pos = sql !== undefined && Number.isInteger(offset) ? byteOffsetToLineColumn(sql, offset) : undefined;
    return new DuckDBError(message, { ...pos, exceptionType: type, cause: err });
  }

  const plain = parsePlainError(raw);
  return new DuckDBError(plain.message, { line: plain.line, column: plain.column, exceptionType: plain.type, cause: err });
}

function parseJsonError(message: string): DuckDBJsonError | undefined {
  const start = message.indexOf('{"exception_type"');
  if (start < 0) return undefined;
  try {
    const v: unknown = JSON.parse(message.slice(start));
    return v && typeof v === 'object' ? (v as DuckDBJsonError) : undefined;
  } catch {
    return undefined;
  }
}

const LINE_CONTEXT = /\n\nLINE (\d+): ([^\n]*)\n( *)\^[ \t]*$/;

function parsePlainError(message: string): { message: string; type?: string; line?: number; column?: number } {
  const type = /^([A-Za-z]+) Error: /.exec(message)?.[1];
  const m = LINE_CONTEXT.exec(message);
  if (!m) return { message, type };
  const line = Number(m[1]);
  const prefixLength = `LINE ${m[1]}: `.length;
  // A source line cut to a window starts with "..."; its caret then gives no usable column.
  const column = m[2].startsWith('...') ? undefined : m[3].length - prefixLength + 1;
  return { message: message.slice(0, m.index), type, line, column: column !== undefined && column >= 1 ? column : undefined };
}

/** 0-based UTF-8 byte offset → 1-based line and 1-based column (in code points). */
export function byteOffsetToLineColumn(text: string, offset: number): { line: number; column: number } | undefined {
  const bytes = Buffer.from(text, 'utf8');
  if (offset < 0 || offset > bytes.length) return undefined;
  const lines = bytes.subarray(0, offset).toString('utf8').split('\n');
  return { line: lines.length, column: Array.from(lines[lines.length - 1]).length + 1 };
}
