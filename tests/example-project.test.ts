import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from './helpers/fixture.js';
import { runCli } from './helpers/cli.js';
import { queryDuckDB } from './helpers/duckdb.js';
import { requirePostgres, withTempDatabase, type TempDatabase } from './helpers/pg.js';

// The example project, built on both warehouses from the same files, must give the same tables.
const GOLD = [
  { table: 'main_gold.daily_kpis', order: 'event_date' },
  { table: 'main_gold.daily_user_panel', order: 'user_id, event_date' },
  { table: 'main_gold.user_panel', order: 'user_id' },
  { table: 'main_silver.stg_events', order: 'event_id' },
];

/** Comparable values: numbers as numbers (rounded), dates as ISO days. */
function normal(rows: Record<string, unknown>[]): Record<string, unknown>[] {
  return rows.map((r) =>
    Object.fromEntries(
      Object.entries(r).map(([k, v]) => {
        if (v instanceof Date) return [k, v.toISOString().replace('T00:00:00.000Z', '')];
        if (typeof v === 'bigint') return [k, Number(v)];
        if (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v)) return [k, Math.round(Number(v) * 1e4) / 1e4];
        if (typeof v === 'number') return [k, Math.round(v * 1e4) / 1e4];
        return [k, v];
      }),
    ),
  );
}

const hasPg = await requirePostgres();

describe.runIf(hasPg)('example project on DuckDB and Postgres', () => {
  let dir: string;
  let db: TempDatabase;
  const duckPath = () => join(dir, 'warehouse.duckdb');

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tform-example-'));
    cpSync(join(repoRoot, 'project'), join(dir, 'project'), { recursive: true, filter: (src) => !src.includes('/target') });
    db = await withTempDatabase();
  });
  afterAll(async () => {
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('builds on both targets with equal results', async () => {
    const project = join(dir, 'project');
    const duck = await runCli(['build', '--project-dir', project], { cwd: dir, env: { TFORM_DUCKDB_PATH: duckPath() }, timeoutMs: 120_000 });
    expect(duck.code, duck.output).toBe(0);
    const pgRun = await runCli(['build', '--project-dir', project, '--target', 'pg'], { cwd: dir, env: { TFORM_PG_DBNAME: db.name }, timeoutMs: 120_000 });
    expect(pgRun.code, pgRun.output).toBe(0);
    // 6 models and seeds, 13 data tests.
    expect(pgRun.output).toContain('PASS=19');
    expect(duck.output).toContain('PASS=19');

    const client = await db.connect();
    try {
      for (const g of GOLD) {
        const fromDuck = normal(await queryDuckDB(duckPath(), `select * from ${g.table} order by ${g.order}`));
        const fromPg = normal((await client.query(`select * from ${g.table} order by ${g.order}`)).rows);
        expect(fromPg.length, g.table).toBeGreaterThan(0);
        expect(fromPg, g.table).toEqual(fromDuck);
      }
    } finally {
      await client.end();
    }
  });
});
