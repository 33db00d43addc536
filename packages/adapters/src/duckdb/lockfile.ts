import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { LockHandle, LockHolder, LockOptions, LockResult } from '@tform/core';

/**
 * The run lock of a DuckDB target: a file next to the database file.
 *
 * DuckDB lets only one process open a database file read-write (a second process fails with
 * "IO Error: Could not set lock on file"), so this lock must be taken before the database is
 * opened; it turns that hard failure into "held by pid N on host H since T" (or a wait).
 */

export const LOCK_SUFFIX = '.tform-lock';
/** A lock older than this is considered abandoned whatever its pid (a host crash, NFS, pid reuse). */
export const DEFAULT_LOCK_EXPIRY_MS = 6 * 60 * 60 * 1000;
const DEFAULT_POLL_MS = 100;
/**
 * The holder writes its JSON right after creating the file, so an unreadable lock file is either
 * being written this instant or was left by a process that died in between. After this grace
 * period it is treated as the latter.
 */
const UNREADABLE_GRACE_MS = 5_000;

export interface FileLockOptions extends LockOptions {
  /** Take over a lock file older than this (ms). Default 6 hours. */
  expiryMs?: number;
  /** How often to look again while waiting (ms). Default 100. */
  pollMs?: number;
}

/** The lock file that guards `dbPath`, or undefined for an in-memory database. */
export function lockPathFor(dbPath: string): string | undefined {
  return dbPath === ':memory:' ? undefined : dbPath + LOCK_SUFFIX;
}

/** Take the lock at `lockPath` (undefined: nothing to guard, returns a no-op handle). */
export async function acquireFileLock(lockPath: string | undefined, opts: FileLockOptions): Promise<LockResult> {
  if (lockPath === undefined) return { release: async () => {} };
  const expiryMs = opts.expiryMs ?? DEFAULT_LOCK_EXPIRY_MS;
  const pollMs = opts.pollMs ?? DEFAULT_POLL_MS;
  const deadline = opts.timeoutMs === undefined ? Infinity : Date.now() + opts.timeoutMs;
  fs.mkdirSync(path.dirname(lockPath), { recursive: true });

  let tookOverFrom: LockHolder | undefined;
  let waiting = false;
  for (;;) {
    const me: LockHolder = { pid: process.pid, host: os.hostname(), startedAt: new Date().toISOString(), command: opts.command };
    if (tryCreate(lockPath, me)) return makeHandle(lockPath, me, tookOverFrom);
    tookOverFrom = undefined; // we lost a takeover race: whoever won holds a fresh lock

    const current = readLock(lockPath);
    if (current === 'absent') continue; // released between our attempt and the read
    const holder = current.holder ?? unreadableHolder(current.mtimeMs);
    if (isStale(current, expiryMs)) {
      if (takeOver(lockPath, current)) tookOverFrom = holder;
      continue; // create it (or lose the race to another process doing the same)
    }
    if (!opts.wait || Date.now() >= deadline) return { heldBy: holder };
    if (!waiting) {
      waiting = true;
      opts.onWait?.(holder);
    }
    await sleep(Math.max(0, Math.min(pollMs, deadline - Date.now())));
  }
}

/** Create the lock file atomically; false when it already exists. */
function tryCreate(lockPath: string, me: LockHolder): boolean {
  let fd: number;
  try {
    fd = fs.openSync(lockPath, 'wx');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
  try {
    fs.writeSync(fd, JSON.stringify(me, null, 2) + '\n');
  } finally {
    fs.closeSync(fd);
  }
  return true;
}

interface LockFileState {
  holder?: LockHolder;
  mtimeMs: number;
}

function readLock(lockPath: string): LockFileState | 'absent' {
  let text: string;
  let mtimeMs: number;
  try {
    mtimeMs = fs.statSync(lockPath).mtimeMs;
    text = fs.readFileSync(lockPath, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 'absent';
    throw e;
  }
  return { holder: parseHolder(text), mtimeMs };
}

function parseHolder(text: string): LockHolder | undefined {
  try {
    const v = JSON.parse(text) as Partial<LockHolder>;
    if (typeof v.pid === 'number' && typeof v.host === 'string' && typeof v.startedAt === 'string') {
      return { pid: v.pid, host: v.host, startedAt: v.startedAt, command: typeof v.command === 'string' ? v.command : '' };
    }
  } catch {
    // fall through: empty (being written) or corrupt
  }
  return undefined;
}

function unreadableHolder(mtimeMs: number): LockHolder {
  return { pid: 0, host: 'unknown', startedAt: new Date(mtimeMs).toISOString(), command: '(unreadable lock file)' };
}

/**
 * Stale: the holder's process is gone (only checkable on our own host), the file is older than
 * the expiry, or the file has stayed unreadable past the grace period.
 */
function isStale(state: LockFileState, expiryMs: number): boolean {
  const age = Date.now() - state.mtimeMs;
  if (age > expiryMs) return true;
  if (!state.holder) return age > UNREADABLE_GRACE_MS;
  return state.holder.host === os.hostname() && !pidAlive(state.holder.pid);
}

/** Signal 0 checks for existence: ESRCH means no such process, EPERM means it exists (another user). */
function pidAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/**
 * Remove a stale lock file without ever removing a fresh one: move it to a private name first
 * (atomic), then check that what we moved is the stale file we judged. If another process took
 * the lock over in the meantime and we moved *its* file, put it back.
 * Returns true when the stale file was removed by us.
 */
function takeOver(lockPath: string, stale: LockFileState): boolean {
  const aside = `${lockPath}.${process.pid}.${randomBytes(4).toString('hex')}.stale`;
  try {
    fs.renameSync(lockPath, aside);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
  const moved = readLock(aside);
  const same = moved !== 'absent' && sameHolder(moved.holder, stale.holder) && moved.mtimeMs === stale.mtimeMs;
  if (!same) {
    try {
      fs.linkSync(aside, lockPath); // restore; fails if yet another process created one meanwhile
    } catch {
      // that process holds the lock now; the file we moved belonged to a loser of the same race
    }
  }
  fs.rmSync(aside, { force: true });
  return same;
}

function sameHolder(a: LockHolder | undefined, b: LockHolder | undefined): boolean {
  if (!a || !b) return a === b;
  return a.pid === b.pid && a.host === b.host && a.startedAt === b.startedAt;
}

function makeHandle(lockPath: string, me: LockHolder, tookOverFrom: LockHolder | undefined): LockHandle {
  let released = false;
  const handle: LockHandle = {
    async release() {
      if (released) return;
      released = true;
      // Delete only our own file: after an expiry takeover the file may belong to someone else.
      const current = readLock(lockPath);
      if (current !== 'absent' && current.holder && current.holder.pid === me.pid && current.holder.startedAt === me.startedAt) {
        fs.rmSync(lockPath, { force: true });
      }
    },
  };
  if (tookOverFrom) handle.tookOverFrom = tookOverFrom;
  return handle;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
