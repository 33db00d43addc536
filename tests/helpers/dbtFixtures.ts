import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { queryDuckDB, type Row } from './duckdb.js';
import { makeProject, repoRoot } from './fixture.js';
import { PG_SERVER, withTempDatabase, type TempDatabase } from './pg.js';

/** The dbt projects under tests/fixtures that tform builds unmodified. */
export const DBT_FIXTURES = path.join(repoRoot, 'tests', 'fixtures');

/** A copy of fixture `name` in a fresh temp dir (a build writes target/ and database files there). */
export function copyFixture(name: string): string {
  const dir = makeProject({}, `tform-${name}-`);
  fs.cpSync(path.join(DBT_FIXTURES, name), dir, { recursive: true });
  return dir;
}

/** The rows of a CSV seed of a fixture, as string records (the seeds hold no quoted commas). */
export function csvRows(file: string, delimiter = ','): Record<string, string>[] {
  const [head, ...lines] = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
  const cols = head!.split(delimiter);
  return lines.map((l) => Object.fromEntries(l.split(delimiter).map((v, i) => [cols[i]!, v])));
}

/**
 * Rows with values made comparable across warehouses: bigints and numeric strings (Postgres
 * bigint/numeric) become numbers. Queries cast dates to varchar so both give `YYYY-MM-DD`.
 */
export function comparable(rows: Row[]): Row[] {
  const v = (x: unknown): unknown => (typeof x === 'bigint' ? Number(x) : typeof x === 'string' && /^-?\d+(\.\d+)?$/.test(x) ? Number(x) : x);
  return rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, x]) => [k, v(x)])));
}

/** One warehouse the fixtures are built on: how to point a profile at it and read it back. */
export interface FixtureWarehouse {
  name: 'duckdb' | 'postgres';
  /** Run `sql` against what the build in `dir` wrote; rows made comparable. */
  query(dir: string, sql: string): Promise<Row[]>;
  /** The temp database (postgres only). */
  db?: () => TempDatabase;
}

export function duckdbWarehouse(file: string): FixtureWarehouse {
  return { name: 'duckdb', query: async (dir, sql) => comparable(await queryDuckDB(path.join(dir, file), sql)) };
}

/** Inside a describe block: a temp Postgres database for the block, dropped afterwards. */
export function postgresWarehouse(): FixtureWarehouse {
  let db: TempDatabase | undefined;
  beforeAll(async () => {
    db = await withTempDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });
  return {
    name: 'postgres',
    db: () => db!,
    async query(_dir, sql) {
      const c = await db!.connect();
      try {
        return comparable((await c.query(sql)).rows as Row[]);
      } finally {
        await c.end();
      }
    },
  };
}

export { PG_SERVER };
