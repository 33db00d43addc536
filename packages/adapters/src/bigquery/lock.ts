import { randomBytes } from 'node:crypto';
import * as os from 'node:os';
import type { LockHandle, LockHolder, LockOptions, LockResult, Row } from '@tform/core';
import type { BigQueryDialect } from './dialect.js';
import { BigQueryError } from './errors.js';

/**
 * The run lock of a BigQuery target: one row per lock key in `tform_state.run_locks`, with an
 * expiry. BigQuery has no session locks, so a holder that dies cannot release its row; instead
 * the row says until when it holds (`expires_at`), the holder pushes that forward while it runs
 * (a heartbeat every `heartbeatMs`), and whoever finds the row expired takes it over
 * (`tookOverFrom`).
 *
 * Taking the lock is one MERGE that writes our row only when there is none or it has expired,
 * followed by reading the row back: it holds our random token exactly when we got the lock.
 * BigQuery runs concurrent DML on one table one at a time, or fails one of two conflicting
 * statements ("could not serialize access … due to concurrent update"); a failed MERGE is read
 * the same way: whoever's token is in the row holds the lock. Release deletes the row, only if it
 * still holds our token.
 */

export const LOCK_SCHEMA = 'tform_state';
export const LOCK_TABLE = 'run_locks';

export interface LockSettings {
  /** How long a row holds without a heartbeat (ms). Default 10 minutes. */
  expiryMs: number;
  /** How often the holder pushes its expiry forward (ms). Default 1 minute. */
  heartbeatMs: number;
  /** How often a waiter tries again (ms). Default 5 s. */
  pollMs: number;
  sleep(ms: number): Promise<void>;
}

export const DEFAULT_LOCK_SETTINGS: Omit<LockSettings, 'sleep'> = { expiryMs: 600_000, heartbeatMs: 60_000, pollMs: 5_000 };

interface Sql {
  execute(sql: string): Promise<unknown>;
  query<T extends Row>(sql: string): Promise<T[]>;
}

interface HolderRow {
  token: string | null;
  pid: number | null;
  host: string | null;
  command: string | null;
  started_at: Date | null;
  expired: boolean | null;
}

/** The statements of the lock table (pure; the lock tests check them). */
export function lockStatements(d: BigQueryDialect, key: string) {
  const q = (n: string) => d.quoteIdent(n);
  const table = d.relation({ schema: LOCK_SCHEMA, identifier: LOCK_TABLE });
  const k = d.stringLiteral(key);
  return {
    createSchema: d.createSchema(LOCK_SCHEMA),
    createTable: `create table if not exists ${table} (
  ${q('lock_key')} string not null,
  ${q('token')} string not null,
  ${q('pid')} int64,
  ${q('host')} string,
  ${q('command')} string,
  ${q('started_at')} timestamp not null,
  ${q('expires_at')} timestamp not null
)`,
    holder: `select ${q('token')} as token, ${q('pid')} as pid, ${q('host')} as host, ${q('command')} as command, ${q('started_at')} as started_at,
  ${q('expires_at')} < current_timestamp() as expired
from ${table}
where ${q('lock_key')} = ${k}`,
    take: (me: { token: string; pid: number; host: string; command: string }, expirySeconds: number) => {
      const vals = [k, d.stringLiteral(me.token), String(me.pid), d.stringLiteral(me.host), d.stringLiteral(me.command), 'current_timestamp()', `timestamp_add(current_timestamp(), interval ${expirySeconds} second)`];
      const cols = ['lock_key', 'token', 'pid', 'host', 'command', 'started_at', 'expires_at'].map(q);
      return `merge into ${table} as t
using (select ${k} as ${q('lock_key')}) as s
on t.${q('lock_key')} = s.${q('lock_key')}
when matched and t.${q('expires_at')} < current_timestamp() then update set ${cols.slice(1).map((c, i) => `${c} = ${vals[i + 1]}`).join(', ')}
when not matched then insert (${cols.join(', ')}) values (${vals.join(', ')})`;
    },
    heartbeat: (token: string, expirySeconds: number) =>
      `update ${table} set ${q('expires_at')} = timestamp_add(current_timestamp(), interval ${expirySeconds} second)\nwhere ${q('lock_key')} = ${k} and ${q('token')} = ${d.stringLiteral(token)}`,
    release: (token: string) => `delete from ${table}\nwhere ${q('lock_key')} = ${k} and ${q('token')} = ${d.stringLiteral(token)}`,
  };
}

function holderOf(r: HolderRow | undefined): LockHolder {
  return {
    pid: Number(r?.pid ?? 0),
    host: r?.host ?? 'unknown host',
    startedAt: r?.started_at instanceof Date ? r.started_at.toISOString() : 'unknown time',
    command: r?.command ?? 'unknown command',
  };
}

/** Take the lock `key` (see the module comment). */
export async function acquireTableLock(sql: Sql, d: BigQueryDialect, key: string, opts: LockOptions, s: LockSettings): Promise<LockResult> {
  const st = lockStatements(d, key);
  await sql.execute(st.createSchema);
  await sql.execute(st.createTable);
  const me = { token: `tform_lock_${randomBytes(12).toString('hex')}`, pid: process.pid, host: os.hostname(), command: opts.command };
  const expirySeconds = Math.max(1, Math.ceil(s.expiryMs / 1000));
  const deadline = opts.timeoutMs === undefined ? Infinity : Date.now() + opts.timeoutMs;
  let waiting = false;
  for (;;) {
    const before = (await sql.query<HolderRow & Row>(st.holder))[0];
    if (!before || before.expired) {
      try {
        await sql.execute(st.take(me, expirySeconds));
      } catch (e) {
        // Lost a race to another taker: the row read next says who holds the lock.
        if (!(e instanceof BigQueryError) || !/concurrent update|could not serialize/i.test(e.message)) throw e;
      }
    }
    const now = (await sql.query<HolderRow & Row>(st.holder))[0];
    if (now?.token === me.token) return handle(sql, st, me.token, expirySeconds, s, before?.expired ? holderOf(before) : undefined);
    const holder = holderOf(now ?? before);
    if (!opts.wait || Date.now() >= deadline) return { heldBy: holder };
    if (!waiting) {
      waiting = true;
      opts.onWait?.(holder);
    }
    await s.sleep(Math.max(0, Math.min(s.pollMs, deadline - Date.now())));
  }
}

function handle(sql: Sql, st: ReturnType<typeof lockStatements>, token: string, expirySeconds: number, s: LockSettings, tookOverFrom: LockHolder | undefined): LockHandle {
  let released = false;
  let beat: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    // A missed heartbeat is not fatal: the row still holds until it expires.
    beat = sql.execute(st.heartbeat(token, expirySeconds)).catch(() => {});
  }, s.heartbeatMs);
  timer.unref();
  return {
    ...(tookOverFrom ? { tookOverFrom } : {}),
    async release() {
      if (released) return;
      released = true;
      clearInterval(timer);
      await beat;
      await sql.execute(st.release(token));
    },
  };
}
