/*
 * The worker of the background file sink (fileSink.ts): writes batches of [path, text]. A file
 * that already holds exactly that text is left as it is: on a warm compile most are, and reading
 * a small file costs much less than rewriting it.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parentPort } from 'node:worker_threads';

const made = new Set<string>();
let failure: { message: string; code?: string; path?: string } | undefined;

parentPort!.on('message', (m: [string, string][] | 'end') => {
  if (m === 'end') {
    parentPort!.postMessage(failure ? { error: failure } : {});
    return;
  }
  if (failure) return;
  try {
    for (const [abs, text] of m) {
      let same = false;
      try {
        same = readFileSync(abs, 'utf8') === text;
      } catch {
        // not there yet
      }
      if (same) continue;
      const dir = dirname(abs);
      if (!made.has(dir)) {
        mkdirSync(dir, { recursive: true });
        made.add(dir);
      }
      writeFileSync(abs, text);
    }
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    failure = { message: err.message, code: err.code, path: err.path };
  }
});
