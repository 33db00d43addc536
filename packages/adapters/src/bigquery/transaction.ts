import type { ExecResult, Executor, Row } from '@tform/core';
import { parseJobStatement } from './jobStatements.js';

/**
 * Adapter.transaction on BigQuery: a multi-statement transaction over several jobs of one
 * session (`BEGIN TRANSACTION` in a job that creates the session, then each statement as a job
 * in it, then `COMMIT TRANSACTION`). BigQuery allows only SELECT, DML and temporary-table DDL
 * inside a transaction, so the executor orders what it is given:
 *
 * - Until the first DML statement (insert, update, delete, merge, truncate) nothing is open:
 *   queries and DDL run as plain jobs. The transaction begins with that first write — the
 *   checks before it read only the new rows (tmp), and on_schema_change's `add column` is done
 *   by then, before any row changes.
 * - Once open, queries and DML run in the session; they see the transaction's own changes (the
 *   tests of an incremental model see history plus the new rows).
 * - Statements that drop or revoke — `drop table|view` (the tmp relation), `alter table … drop
 *   column`, `grant`/`revoke` — wait until after COMMIT: a failure before then has removed
 *   nothing, and the tmp relation is still there for the statements that read it.
 * - Other DDL and job statements (a copy job publishing a rebuilt table) run at once as their
 *   own job, outside the session: a copy job commits by itself, so it goes before the
 *   transaction's COMMIT, and a failure of the transaction afterwards leaves the table published
 *   with the state not yet saying so — the next run then does the work again rather than skip it.
 * - A failure rolls back (ROLLBACK TRANSACTION) and drops the deferred statements; the runner's
 *   cleanup removes the tmp relation. The session is ended (BQ.ABORT_SESSION) either way.
 */

export type StatementClass = 'write' | 'read' | 'ddl' | 'after';

/** The leading keyword(s) of a statement, past comments and parentheses. */
function head(sql: string): string {
  let s = sql;
  for (;;) {
    const t = s.replace(/^[\s(]+/, '');
    if (t.startsWith('--') || t.startsWith('#')) s = t.slice(t.indexOf('\n') < 0 ? t.length : t.indexOf('\n') + 1);
    else if (t.startsWith('/*')) s = t.slice(t.indexOf('*/') < 0 ? t.length : t.indexOf('*/') + 2);
    else return t.slice(0, 200).toLowerCase();
  }
}

export function classify(sql: string): StatementClass {
  if (parseJobStatement(sql)) return 'ddl';
  const h = head(sql);
  const word = /^[a-z]+/.exec(h)?.[0] ?? '';
  if (['insert', 'update', 'delete', 'merge', 'truncate'].includes(word)) return 'write';
  if (word === 'drop' || word === 'grant' || word === 'revoke') return 'after';
  if (word === 'alter' && /^alter\s+table\b[\s\S]*\bdrop\s+column\b/.test(h)) return 'after';
  if (['create', 'alter', 'call', 'export', 'load'].includes(word)) return 'ddl';
  return 'read';
}

/** What the transaction needs from the adapter. */
export interface SessionRunner {
  /** Run a statement as its own job (not in a session). */
  execute(sql: string): Promise<ExecResult>;
  query<T extends Row>(sql: string): Promise<T[]>;
  /** Run `BEGIN TRANSACTION` in a new session; returns the session id. */
  begin(): Promise<string>;
  executeIn(session: string, sql: string): Promise<ExecResult>;
  queryIn<T extends Row>(session: string, sql: string): Promise<T[]>;
  /** End the session (ignoring errors). */
  endSession(session: string): Promise<void>;
}

export async function runBigQueryTransaction<T>(r: SessionRunner, fn: (tx: Executor) => Promise<T>): Promise<T> {
  let session: string | undefined;
  let ended = false;
  const after: string[] = [];
  const live = () => {
    if (ended) throw new Error('BigQuery transaction already ended: use the executor only inside transaction()');
  };
  const open = async () => (session ??= await r.begin());
  const tx: Executor = {
    execute: async (sql) => {
      live();
      const k = classify(sql);
      if (k === 'after') {
        after.push(sql);
        return {};
      }
      if (k === 'write') return r.executeIn(await open(), sql);
      if (k === 'read' && session) return r.executeIn(session, sql);
      return r.execute(sql);
    },
    query: async <R extends Row = Row>(sql: string) => {
      live();
      const k = classify(sql);
      if (k === 'write') return r.queryIn<R>(await open(), sql);
      if (session && k === 'read') return r.queryIn<R>(session, sql);
      return r.query<R>(sql);
    },
  };
  let result: T;
  try {
    result = await fn(tx);
    if (session) await r.executeIn(session, 'COMMIT TRANSACTION');
  } catch (e) {
    if (session) await r.executeIn(session, 'ROLLBACK TRANSACTION').catch(() => {});
    throw e;
  } finally {
    ended = true;
    if (session) await r.endSession(session);
  }
  for (const sql of after) await r.execute(sql);
  return result;
}
