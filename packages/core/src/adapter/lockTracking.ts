import { isLockHandle, type LockHandle, type LockResult } from './types.js';

/**
 * Keep a held run lock in `held` until it is released, so an adapter's close() can release what
 * a run still holds. Returns `r` (a lock held by someone else is returned untouched).
 */
export function trackLock(r: LockResult, held: Set<LockHandle>): LockResult {
  if (!isLockHandle(r)) return r;
  const release = r.release.bind(r);
  r.release = async () => {
    held.delete(r);
    await release();
  };
  held.add(r);
  return r;
}
