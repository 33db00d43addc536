/*
 * The worker of the background file sink (fileSink.ts): writes batches of [path, text, record].
 * A file whose record (from an earlier compile) matches the text's hash, and whose size and
 * modification time are still the recorded ones, is left as it is. Every file's record is sent
 * back at the end.
 */
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { folderWriter } from './folderWriter.js';

type WriteRecord = [hash: string, size: number, mtimeMs: number];

const write = folderWriter();
const written: [string, WriteRecord][] = [];
let failure: { message: string; code?: string; path?: string } | undefined;

function untouched(abs: string, rec: WriteRecord): boolean {
  try {
    const st = statSync(abs);
    return st.size === rec[1] && st.mtimeMs === rec[2];
  } catch {
    return false;
  }
}

parentPort!.on('message', (m: [string, string, WriteRecord | undefined][] | 'end') => {
  if (m === 'end') {
    parentPort!.postMessage(failure ? { error: failure } : { written });
    return;
  }
  if (failure) return;
  try {
    for (const [abs, text, rec] of m) {
      const hash = createHash('sha256').update(text).digest('base64').slice(0, 22);
      if (rec && rec[0] === hash && untouched(abs, rec)) {
        written.push([abs, rec]);
        continue;
      }
      write(abs, text);
      const st = statSync(abs);
      written.push([abs, [hash, st.size, st.mtimeMs]]);
    }
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    failure = { message: err.message, code: err.code, path: err.path };
  }
});
