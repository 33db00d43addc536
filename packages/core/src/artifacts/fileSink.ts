import { folderWriter } from './folderWriter.js';
import { Worker } from 'node:worker_threads';

/**
 * Where compiled files go. A compile of a large project writes tens of thousands of small files;
 * on the background sink a worker thread does those writes on the second core while the main
 * thread goes on (compiling tests, writing the manifest).
 */
export interface FileSink {
  write(abs: string, text: string): void;
  /** Every write done (rejects with the first failure). */
  close(): Promise<void>;
}

/** Writes at once, creating each folder once. */
export function syncSink(): FileSink {
  return { write: folderWriter(), close: async () => {} };
}

const BATCH = 256;

/** What was written to a file: content hash, size and modification time right after writing. */
export type WriteRecord = [hash: string, size: number, mtimeMs: number];

/**
 * Records of the files an earlier compile wrote. A file whose record matches the new content's
 * hash, and whose size and modification time on disk are still the recorded ones, was not
 * touched since: it is not written again (a stat instead of a read or a write; anything else that
 * wrote the file changed its modification time).
 */
export interface WriteRecords {
  get(abs: string): WriteRecord | undefined;
  set(abs: string, record: WriteRecord): void;
}

/** Hands writes to a worker thread in batches; close() waits until all are on disk. */
class BackgroundSink implements FileSink {
  private readonly worker = new Worker(new URL('./fileSinkWorker.js', import.meta.url));
  private batch: [string, string, WriteRecord | undefined][] = [];
  private readonly done: Promise<void>;

  constructor(private readonly records?: WriteRecords) {
    this.done = new Promise((resolve, reject) => {
      this.worker.once('message', (m: { error?: { message: string; code?: string; path?: string }; written?: [string, WriteRecord][] }) => {
        if (m.error) return reject(Object.assign(new Error(m.error.message), { code: m.error.code, path: m.error.path }));
        for (const [abs, rec] of m.written ?? []) this.records?.set(abs, rec);
        resolve();
      });
      this.worker.once('error', reject);
      // a worker that ends without answering (killed, out of memory) must not leave close() waiting
      this.worker.once('exit', (code) => reject(new Error(`the file writer thread stopped (exit code ${code}) before finishing`)));
    });
    this.done.catch(() => {}); // reported by close()
  }

  write(abs: string, text: string): void {
    this.batch.push([abs, text, this.records?.get(abs)]);
    if (this.batch.length >= BATCH) this.flush();
  }

  private flush(): void {
    if (!this.batch.length) return;
    this.worker.postMessage(this.batch);
    this.batch = [];
  }

  async close(): Promise<void> {
    this.flush();
    this.worker.postMessage('end');
    try {
      await this.done;
    } finally {
      await this.worker.terminate();
    }
  }
}

/** The background sink when about `files` files will be written (a worker is not worth it for a few). */
export function fileSink(files: number, records?: WriteRecords): FileSink {
  return files >= 500 ? new BackgroundSink(records) : syncSink();
}
