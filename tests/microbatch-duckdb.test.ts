/**
 * Microbatch models, panels and lifetime panels end to end on DuckDB: day-by-day runs, backfills,
 * late rows, rollbacks, status and invalidate, flag and config errors, DST days and hour batches.
 * The cases live in tests/helpers/microbatch.ts (shared with tests/microbatch-postgres.test.ts).
 *
 * Every batch commits, and DuckDB syncs each commit to disk: the database files go to a RAM disk
 * (/dev/shm) where the machine has one, else into the temporary project dir.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { basicProject, DB_FILE } from './helpers/fixture.js';
import { queryDuckDB } from './helpers/duckdb.js';
import { microbatchSuite } from './helpers/microbatch.js';

function ramDir(): string | undefined {
  try {
    fs.accessSync('/dev/shm', fs.constants.W_OK);
    return fs.mkdtempSync(join('/dev/shm', 'tform-microbatch-'));
  } catch {
    return undefined;
  }
}

const ram = os.platform() === 'linux' ? ramDir() : undefined;
let n = 0;

microbatchSuite('DuckDB', () => ({
  async project(files, o = {}) {
    const db = ram ? join(ram, `p${++n}`, DB_FILE) : DB_FILE;
    // DuckDB's own threads: 1 (the tables are tiny; parallel scans would only cost CPU).
    const dir = basicProject(files, { profile: { threads: o.threads ?? 4, path: db, extra: ['settings:', '  threads: 1'] } });
    return { dir, query: (sql) => queryDuckDB(ram ? db : join(dir, DB_FILE), sql) };
  },
  async cleanup() {
    if (ram) fs.rmSync(ram, { recursive: true, force: true });
  },
}));
