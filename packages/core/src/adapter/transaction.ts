import type { Executor, Row } from './types.js';

export interface TransactionControl {
  begin(): Promise<unknown>;
  /** Must throw when the warehouse did not commit (e.g. it rolled back a failed transaction). */
  commit(): Promise<unknown>;
  rollback(): Promise<unknown>;
}

/**
 * The body of `Adapter.transaction` for adapters with a connection per transaction: BEGIN, run
 * `fn` with an executor bound to that connection, COMMIT, or ROLLBACK (ignoring its own error,
 * since a failed statement may already have ended the transaction) and rethrow. The executor
 * refuses to be used once the transaction is over.
 */
export async function runTransaction<T>(warehouse: string, conn: Executor, control: TransactionControl, fn: (tx: Executor) => Promise<T>): Promise<T> {
  let open = true;
  const live = () => {
    if (!open) throw new Error(`${warehouse} transaction already ended: use the executor only inside transaction()`);
  };
  const tx: Executor = {
    execute: async (sql) => {
      live();
      return conn.execute(sql);
    },
    query: async <R extends Row = Row>(sql: string) => {
      live();
      return conn.query<R>(sql);
    },
  };
  await control.begin();
  try {
    const result = await fn(tx);
    await control.commit();
    return result;
  } catch (e) {
    await control.rollback().catch(() => {});
    throw e;
  } finally {
    open = false;
  }
}
