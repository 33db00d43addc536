import type { DuckDBConnection } from '@duckdb/node-api';

interface Waiter {
  resolve(c: DuckDBConnection): void;
  reject(e: Error): void;
}

/**
 * A small pool of connections to one DuckDB instance. Connections are made on demand up to
 * `size`; callers beyond that wait for one to be released.
 *
 * Each connection runs one statement at a time. The driver runs statements on the libuv thread
 * pool (UV_THREADPOOL_SIZE, default 4), so more than 4 statements only truly run at once when
 * the process raises that limit before its first asynchronous I/O.
 */
export class ConnectionPool {
  private readonly all: DuckDBConnection[] = [];
  private readonly idle: DuckDBConnection[] = [];
  private readonly busy = new Set<DuckDBConnection>();
  private readonly waiters: Waiter[] = [];
  private creating = 0;
  private closed = false;
  private drained?: () => void;

  constructor(
    private readonly size: number,
    private readonly connect: () => Promise<DuckDBConnection>,
  ) {}

  /** Put an already-made connection in the pool (counts towards `size`). */
  add(c: DuckDBConnection): void {
    this.all.push(c);
    this.release(c);
  }

  async use<T>(fn: (c: DuckDBConnection) => Promise<T>): Promise<T> {
    const c = await this.acquire();
    try {
      return await fn(c);
    } finally {
      this.release(c);
    }
  }

  /** Interrupt the statements running right now (idle connections are left alone). */
  interruptBusy(): void {
    for (const c of this.busy) c.interrupt();
  }

  /**
   * Disconnect every connection. Callers still waiting for a connection fail; statements still
   * running are interrupted and waited for, so no connection is torn down under a statement.
   */
  async close(): Promise<void> {
    this.closed = true;
    for (const w of this.waiters.splice(0)) w.reject(new Error('DuckDB connection pool closed'));
    if (this.busy.size > 0) {
      this.interruptBusy();
      await new Promise<void>((resolve) => (this.drained = resolve));
    }
    for (const c of this.all.splice(0)) c.disconnectSync();
    this.idle.length = 0;
  }

  private async acquire(): Promise<DuckDBConnection> {
    if (this.closed) throw new Error('DuckDB connection pool closed');
    const free = this.idle.pop();
    if (free) {
      this.busy.add(free);
      return free;
    }
    if (this.all.length + this.creating < this.size) {
      this.creating++;
      try {
        const c = await this.connect();
        if (this.closed) {
          c.disconnectSync();
          throw new Error('DuckDB connection pool closed');
        }
        this.all.push(c);
        this.busy.add(c);
        return c;
      } finally {
        this.creating--;
      }
    }
    return new Promise<DuckDBConnection>((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  private release(c: DuckDBConnection): void {
    this.busy.delete(c);
    if (this.closed) {
      if (this.busy.size === 0) this.drained?.();
      return;
    }
    const next = this.waiters.shift();
    if (next) {
      this.busy.add(c);
      next.resolve(c);
    } else {
      this.idle.push(c);
    }
  }
}
