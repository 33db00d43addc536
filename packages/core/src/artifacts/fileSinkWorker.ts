/* The worker of the background file sink (fileSink.ts): writes batches of [path, text]. */
import { mkdirSync, writeFileSync } from 'node:fs';
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
