import * as fs from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';

export type Row = Record<string, unknown>;

function plain(v: unknown): unknown {
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === 'object' && !(v instanceof Date)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

/**
 * Open `dbPath` read-only (after the CLI process has exited: DuckDB allows one process per file),
 * run `sql` and return plain rows (bigint → number). The database is closed before returning.
 */
export async function queryDuckDB(dbPath: string, sql: string): Promise<Row[]> {
  if (!fs.existsSync(dbPath)) throw new Error(`no database file at ${dbPath}`);
  const instance = await DuckDBInstance.create(dbPath, { access_mode: 'READ_ONLY' });
  try {
    const c = await instance.connect();
    try {
      const reader = await c.runAndReadAll(sql);
      return (await reader.getRowObjectsJS()).map((r) => plain(r) as Row);
    } finally {
      c.disconnectSync();
    }
  } finally {
    instance.closeSync();
  }
}

/**
 * `schema.name` of every user table/view in the file, sorted; [] when the file does not exist.
 * tform's own run log (schema `tform_state`) is left out unless `withState` is set: a check that
 * "nothing was written" passes true.
 */
export async function userRelations(dbPath: string, withState = false): Promise<string[]> {
  if (!fs.existsSync(dbPath)) return [];
  const rows = await queryDuckDB(
    dbPath,
    `select table_schema || '.' || table_name as rel from information_schema.tables
     where table_catalog = current_database()
       and table_schema not in ('information_schema', 'pg_catalog'${withState ? '' : ", 'tform_state'"})
     order by 1`,
  );
  return rows.map((r) => String(r.rel));
}

/** Relations whose name ends in the temporary suffix (leftovers of a failed publish). */
export async function tmpRelations(dbPath: string): Promise<string[]> {
  return (await userRelations(dbPath)).filter((r) => r.endsWith('__tform_tmp'));
}
