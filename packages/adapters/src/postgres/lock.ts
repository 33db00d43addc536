import { createHash } from 'node:crypto';
import * as os from 'node:os';
import pg from 'pg';
import type { LockHandle, LockHolder, LockOptions, LockResult } from '@tform/core';
import { toDatabaseError } from './errors.js';

/**
 * The run lock of a Postgres target: a session-level advisory lock, held on a dedicated
 * connection (outside the pool) for the whole run, plus one row per lock in
 * `tform_state.run_locks` saying who holds it.
 *
 * Postgres facts this relies on (checked on 15):
 * - A session-level advisory lock (`pg_try_advisory_lock(bigint)`) is held until
 *   `pg_advisory_unlock` or until the session ends, whatever transactions do; when the client
 *   process dies its socket closes, the backend exits and the lock is gone. So a dead process
 *   never holds the lock — but the row it wrote stays: a row found by whoever gets the lock is a
 *   leftover, overwritten and reported as `tookOverFrom`.
 * - The bigint key space of advisory locks is shared by every application of the database: the
 *   key is the first 8 bytes of SHA-256("tform run lock\0" + key), not hashtext() (an internal
 *   function whose results are not promised to stay the same across major versions).
 * - `create schema if not exists` / `create table if not exists` run at the same time by several
 *   sessions can fail instead of noticing the object exists: checked, 143 of 180 concurrent
 *   `create schema if not exists` failed with 23505 unique_violation on
 *   pg_namespace_nspname_index, and 3 of 200 first-time lock takers (5 at a time, creating the
 *   table without serialization) with 42710 `type "run_locks" already exists`. So creation is
 *   serialized by an advisory transaction lock, and retried on those codes.
 * - Without the right to create the schema (42501), or to read and write an existing state table,
 *   the lock still works; the holder is then described from pg_stat_activity (backend, client
 *   address, start) instead.
 */

export const LOCK_SCHEMA = 'tform_state';
export const LOCK_TABLE = 'run_locks';
const STATE_TABLE = `${LOCK_SCHEMA}.${LOCK_TABLE}`;
const DEFAULT_POLL_MS = 200;

export interface PgLockOptions extends LockOptions {
  /** How often to try again while waiting (ms). Default 200. */
  pollMs?: number;
}

/** The advisory lock id of `key`: a signed 64-bit integer, as text. */
export function advisoryLockId(key: string): string {
  return createHash('sha256').update(`tform run lock\0${key}`, 'utf8').digest().readBigInt64BE(0).toString();
}

interface HolderRow {
  pid: number | null;
  host: string | null;
  started_at: Date | string | null;
  command: string | null;
  backend_pid: number | null;
}

/**
 * Take the lock `key` on a new connection made by `connect` (which the lock owns: it is ended on
 * release, or right away when the lock is not granted).
 */
export async function acquireAdvisoryLock(
  connect: () => Promise<pg.Client>,
  key: string,
  opts: PgLockOptions,
  secrets: readonly string[] = [],
): Promise<LockResult> {
  const client = await connect();
  const run = async <R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, values?: unknown[]) => {
    try {
      return await client.query<R>(sql, values);
    } catch (e) {
      throw toDatabaseError(e, sql, secrets);
    }
  };
  let done = false;
  const end = async () => {
    if (done) return;
    done = true;
    await client.end().catch(() => {});
  };
  try {
    const id = advisoryLockId(key);
    const hasTable = await ensureStateTable(run);
    const pollMs = opts.pollMs ?? DEFAULT_POLL_MS;
    const deadline = opts.timeoutMs === undefined ? Infinity : Date.now() + opts.timeoutMs;
    let waiting = false;
    for (;;) {
      const got = (await run<{ ok: boolean }>('select pg_try_advisory_lock($1::bigint) as ok', [id])).rows[0]!.ok;
      if (got) {
        const me: LockHolder = { pid: process.pid, host: os.hostname(), startedAt: new Date().toISOString(), command: opts.command };
        const tookOverFrom = hasTable ? await claimRow(run, key, me) : undefined;
        if (tookOverFrom) await endOrphans(run, tookOverFrom);
        return makeHandle(run, end, id, key, hasTable, tookOverFrom);
      }
      const holder = await currentHolder(run, key, id, hasTable);
      if (!opts.wait || Date.now() >= deadline) {
        await end();
        return { heldBy: holder };
      }
      if (!waiting) {
        waiting = true;
        opts.onWait?.(holder);
      }
      await sleep(Math.max(0, Math.min(pollMs, deadline - Date.now())));
    }
  } catch (e) {
    await end();
    throw e;
  }
}

type Run = <R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, values?: unknown[]) => Promise<pg.QueryResult<R>>;

/**
 * Create the state schema and table when missing; false when not allowed to. Creators are
 * serialized by a transaction-level advisory lock, so a second one waits for the first to commit
 * and then finds everything there; the retry on catalog conflicts (23505, 42710 duplicate type,
 * 42P06/42P07 already exists) covers creators that do not take that lock.
 */
async function ensureStateTable(run: Run): Promise<boolean> {
  // null: no table; otherwise whether we may use it (read, write and delete our row).
  const usable = async () =>
    (
      await run<{ ok: boolean | null }>(
        `select case
  when to_regnamespace('${LOCK_SCHEMA}') is null then null
  when not has_schema_privilege('${LOCK_SCHEMA}', 'usage') then false
  when to_regclass('${STATE_TABLE}') is null then null
  else ${['select', 'insert', 'update', 'delete'].map((p) => `has_table_privilege('${STATE_TABLE}', '${p}')`).join(' and ')} end as ok`,
      )
    ).rows[0]!.ok;
  for (let attempt = 1; ; attempt++) {
    const ok = await usable();
    if (ok !== null) return ok;
    try {
      await run('begin');
      await run('select pg_advisory_xact_lock($1::bigint)', [advisoryLockId('\0create state table')]);
      await run(`create schema if not exists ${LOCK_SCHEMA}`);
      await run(
        `create table if not exists ${STATE_TABLE} (
  lock_key text primary key,
  pid integer not null,
  host text not null,
  started_at timestamptz not null,
  command text not null,
  backend_pid integer not null
)`,
      );
      await run('commit');
      continue; // check the privileges (the table may have been made by someone else meanwhile)
    } catch (e) {
      await run('rollback').catch(() => {});
      const code = (e as { sqlState?: string }).sqlState;
      if (code === '42501') return false; // insufficient_privilege: work without the table
      if (attempt < 5 && (code === '23505' || code === '42710' || code === '42P06' || code === '42P07')) continue;
      throw e;
    }
  }
}

/** Write our row; return the holder of a row left behind (its session is gone: we hold the lock). */
/**
 * Sessions of a dead previous holder may still be running its last statement (the server only
 * notices a vanished client when it next writes to it): an orphaned CREATE TABLE of the same
 * temporary name would collide with the new run. Terminate them and wait until they are gone.
 */
async function endOrphans(run: Run, prev: LockHolder): Promise<void> {
  const marker = `[${prev.host}:${prev.pid}]`;
  const mine = 'pid <> pg_backend_pid() and datname = current_database() and right(application_name, length($1)) = $1';
  await run(`select pg_terminate_backend(pid) from pg_stat_activity where ${mine}`, [marker]);
  for (let i = 0; i < 100; i++) {
    const left = (await run<{ n: number }>(`select count(*)::int as n from pg_stat_activity where ${mine}`, [marker])).rows[0]!.n;
    if (left === 0) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function claimRow(run: Run, key: string, me: LockHolder): Promise<LockHolder | undefined> {
  const prev = (await run<HolderRow>(`select pid, host, started_at, command, backend_pid from ${STATE_TABLE} where lock_key = $1`, [key])).rows[0];
  await run(
    `insert into ${STATE_TABLE} (lock_key, pid, host, started_at, command, backend_pid)
values ($1, $2, $3, $4, $5, pg_backend_pid())
on conflict (lock_key) do update set pid = excluded.pid, host = excluded.host, started_at = excluded.started_at,
  command = excluded.command, backend_pid = excluded.backend_pid`,
    [key, me.pid, me.host, me.startedAt, me.command],
  );
  return prev ? holderOf(prev) : undefined;
}

/**
 * Who holds the lock now: the row of the backend that holds the advisory lock. Right after that
 * session got the lock its row may not be written yet (or an older leftover row may still be
 * there), so look a few times before describing the holder from pg_stat_activity alone.
 */
async function currentHolder(run: Run, key: string, id: string, hasTable: boolean): Promise<LockHolder> {
  for (let attempt = 0; ; attempt++) {
    const rows = (
      await run<HolderRow & { lock_backend: number | null; addr: string | null; since: Date | null; app: string | null }>(
        `with l as (
  select a.pid as lock_backend, coalesce(a.client_hostname, host(a.client_addr), 'local socket') as addr,
         a.backend_start as since, a.application_name as app
    from pg_locks k join pg_stat_activity a on a.pid = k.pid
   where k.locktype = 'advisory' and k.granted and k.database = (select oid from pg_database where datname = current_database())
     and k.classid = (($1::bigint >> 32) & 4294967295)::oid and k.objid = ($1::bigint & 4294967295)::oid and k.objsubid = 1
)
select l.*, r.pid, r.host, r.started_at, r.command, r.backend_pid
  from l ${hasTable ? `left join ${STATE_TABLE} r on r.lock_key = $2 and r.backend_pid = l.lock_backend` : 'left join (select null::int as pid, null::text as host, null::timestamptz as started_at, null::text as command, null::int as backend_pid) r on false'}`,
        hasTable ? [id, key] : [id],
      )
    ).rows[0];
    if (rows && rows.pid !== null) return holderOf(rows);
    if (attempt >= 10 || !hasTable) {
      if (!rows) return { pid: 0, host: 'unknown', startedAt: new Date().toISOString(), command: '(lock holder not found)' };
      return {
        pid: 0,
        host: rows.addr ?? 'unknown',
        startedAt: toIso(rows.since),
        command: `(backend ${rows.lock_backend}${rows.app ? `, ${rows.app}` : ''})`,
      };
    }
    await sleep(20);
  }
}

function holderOf(r: HolderRow): LockHolder {
  return { pid: r.pid ?? 0, host: r.host ?? 'unknown', startedAt: toIso(r.started_at), command: r.command ?? '' };
}

function toIso(v: Date | string | null): string {
  if (v instanceof Date) return v.toISOString();
  return v ?? new Date(0).toISOString();
}

function makeHandle(run: Run, end: () => Promise<void>, id: string, key: string, hasTable: boolean, tookOverFrom: LockHolder | undefined): LockHandle {
  let released = false;
  const handle: LockHandle = {
    async release() {
      if (released) return;
      released = true;
      try {
        // Only our own row: after a lost connection someone else may hold the lock by now.
        if (hasTable) await run(`delete from ${STATE_TABLE} where lock_key = $1 and backend_pid = pg_backend_pid()`, [key]);
        await run('select pg_advisory_unlock($1::bigint)', [id]);
      } catch {
        // Ending the session below drops the advisory lock anyway; a row that could not be
        // deleted is a leftover that the next holder overwrites.
      } finally {
        await end();
      }
    },
  };
  if (tookOverFrom) handle.tookOverFrom = tookOverFrom;
  return handle;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
