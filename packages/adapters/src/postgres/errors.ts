import { DatabaseError } from '@tform/core';

/**
 * Mapping pg errors to core's DatabaseError.
 *
 * What pg 8 raises:
 * - An error the *server* reported is a `DatabaseError` of pg-protocol with the fields of the
 *   ErrorResponse: `message`, `code` (SQLSTATE), `severity`, `detail`, `hint`, `position`,
 *   `internalPosition`/`internalQuery` (inside a function or DO block), `where`, `schema`,
 *   `table`, `column`, `constraint`, … `position` is a string holding a 1-based offset in
 *   *characters* (code points: '😀' counts 1) into the whole text sent in one query call (with
 *   several statements, into the full text). Checked on 15: in "select 'ü€😀' as x,\n  ünknown"
 *   the unknown column is reported at 22.
 * - Anything else (ECONNREFUSED, a timeout connecting, "Connection terminated unexpectedly",
 *   TLS failures) is a plain Error, sometimes with a Node `code` such as 'ECONNREFUSED'.
 *
 * The server message is kept as is; DETAIL and HINT, when the server sends them, are appended on
 * their own lines as psql prints them (they are what explains a failed publish). Text that could
 * carry a password is redacted (see PostgresAdapter: pg's own messages do not echo it, but a
 * connection string passed by a user could).
 */
export class PostgresError extends DatabaseError {
  readonly detail?: string;
  readonly hint?: string;
  constructor(message: string, opts: { line?: number; column?: number; sqlState?: string; detail?: string; hint?: string; cause?: unknown }) {
    super(message, opts);
    this.detail = opts.detail;
    this.hint = opts.hint;
  }

  /** 57014 query_canceled: pg_cancel_backend() or statement_timeout. */
  get isCanceled(): boolean {
    return this.sqlState === '57014';
  }
}

interface PgServerError {
  message: string;
  code?: string;
  severity?: string;
  detail?: string;
  hint?: string;
  position?: string;
}

/** A server-reported error (has a SQLSTATE and a severity), as opposed to a client/network one. */
export function isServerError(e: unknown): e is PgServerError {
  return e instanceof Error && typeof (e as PgServerError).severity === 'string' && typeof (e as PgServerError).code === 'string';
}

/**
 * Any error from pg as a PostgresError; `sql` is the text that was run (for the position), and
 * `secrets` are values that must not appear in the message.
 */
export function toDatabaseError(err: unknown, sql?: string, secrets: readonly string[] = []): PostgresError {
  if (err instanceof PostgresError) return err;
  const redact = (s: string | undefined) => (s === undefined ? undefined : redactText(s, secrets));
  if (isServerError(err)) {
    const offset = err.position === undefined ? NaN : Number(err.position);
    const pos = sql !== undefined && Number.isInteger(offset) ? charOffsetToLineColumn(sql, offset) : undefined;
    const lines = [redact(err.message)!];
    if (err.detail) lines.push(`DETAIL: ${redact(err.detail)}`);
    if (err.hint) lines.push(`HINT: ${redact(err.hint)}`);
    const detail = redact(err.detail);
    const hint = redact(err.hint);
    const clean = lines[0] === err.message && detail === err.detail && hint === err.hint;
    return new PostgresError(lines.join('\n'), { ...pos, sqlState: err.code, detail, hint, cause: clean ? err : undefined });
  }
  const raw = err instanceof Error ? err.message : String(err);
  const message = redactText(raw, secrets);
  // The original error keeps the unredacted text: attach it only when there was nothing to hide.
  return new PostgresError(message, { cause: message === raw ? err : undefined });
}

/** 1-based character (code point) offset → 1-based line and column (in code points). */
export function charOffsetToLineColumn(text: string, position: number): { line: number; column: number } | undefined {
  const chars = Array.from(text);
  if (position < 1 || position > chars.length + 1) return undefined;
  const before = chars.slice(0, position - 1).join('');
  const lines = before.split('\n');
  return { line: lines.length, column: Array.from(lines[lines.length - 1]!).length + 1 };
}

/** Replace every occurrence of each (non-empty) secret with `***`. */
export function redactText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s) out = out.split(s).join('***');
  return out;
}
