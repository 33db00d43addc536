/**
 * The warehouse-side interval state (packages/core/src/state) on DuckDB and on PostgreSQL: the
 * versioned layout (ensureState with migrations), and StateStore writes inside transactions.
 * The Postgres part is skipped without a server (and fails with CI=true).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  STATE_LAYOUT_VERSION,
  STATE_MIGRATIONS,
  StateStore,
  TformError,
  ensureState,
  intervalsBetween,
  missingIntervals,
  type Adapter,
  type Migration,
} from '@tform/core';
import { duckdbAdapterFactory } from '@tform/adapters/duckdb';
import { postgresAdapterFactory } from '@tform/adapters/postgres';
import { postgresAdapterFixture, requirePostgres } from './helpers/pg.js';

const d = (s: string) => new Date(s);

/** The layout version this tform knows (V), and a test migration to V + 1. */
const V = STATE_MIGRATIONS.length;
const addColumnV2: Migration = {
  version: V + 1,
  description: 'test: runs.extra',
  statements: ({ dialect, tables }) => [`alter table ${dialect.relation(tables.runs)} add column ${dialect.quoteIdent('extra')} varchar`],
};

function stateSuite(name: string, get: () => { adapter: Adapter; schema(): string }) {
  describe(`${name}: layout`, () => {
    it('ensureState creates the current layout version and is idempotent', async () => {
      const { adapter, schema } = get();
      const s = schema();
      expect(STATE_LAYOUT_VERSION).toBe(3);
      expect(await ensureState(adapter, { schema: s })).toEqual({ version: 3, applied: [1, 2, 3] });
      expect(await ensureState(adapter, { schema: s })).toEqual({ version: 3, applied: [] });
      expect((await adapter.listRelations(s)).map((r) => `${r.identifier}:${r.kind}`).sort()).toEqual(['files:table', 'intervals:table', 'meta:table', 'run_log:table', 'runs:table']);
      const meta = await adapter.query(`select ${adapter.dialect.quoteIdent('value')} as v from ${adapter.dialect.relation({ schema: s, identifier: 'meta' })}`);
      expect(meta).toEqual([{ v: '3' }]);
      expect((await adapter.columns({ schema: s, identifier: 'intervals' })).map((c) => c.name)).toEqual([
        'model_id',
        'interval_start',
        'interval_end',
        'status',
        'run_id',
        'rows_affected',
        'processed_at',
        'checksum',
      ]);
    });

    it('migrates a version 1 layout to the current one in place, keeping its rows', async () => {
      const { adapter, schema } = get();
      const s = schema();
      expect(await ensureState(adapter, { schema: s, migrations: STATE_MIGRATIONS.slice(0, 1) })).toEqual({ version: 1, applied: [1] });
      const store = new StateStore(adapter, adapter.dialect, { schema: s });
      await store.recordRun({ runId: 'r1', modelId: 'model.p.a', startedAt: d('2024-01-01T00:00:00Z'), status: 'success' });
      expect(await ensureState(adapter, { schema: s })).toEqual({ version: 3, applied: [2, 3] });
      expect((await store.lastSuccess('model.p.a'))?.runId).toBe('r1');
      expect((await adapter.columns({ schema: s, identifier: 'files' })).map((c) => c.name)).toEqual(['source_id', 'path', 'size_bytes', 'content_hash', 'rows_loaded', 'run_id', 'loaded_at']);
    });

    it('applies a further migration once, then refuses the newer layout with the older list', async () => {
      const { adapter, schema } = get();
      const s = schema();
      const migrations = [...STATE_MIGRATIONS, addColumnV2];
      const all = migrations.map((m) => m.version);
      expect(await ensureState(adapter, { schema: s, migrations })).toEqual({ version: V + 1, applied: all });
      expect(await ensureState(adapter, { schema: s, migrations })).toEqual({ version: V + 1, applied: [] });
      expect((await adapter.columns({ schema: s, identifier: 'runs' })).map((c) => c.name)).toContain('extra');

      // From an existing current layout only the new step runs.
      const s1 = schema();
      await ensureState(adapter, { schema: s1 });
      expect(await ensureState(adapter, { schema: s1, migrations })).toEqual({ version: V + 1, applied: [V + 1] });

      const err = await ensureState(adapter, { schema: s }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TformError);
      expect((err as Error).message).toMatch(new RegExp(`schema '${s}' has layout version ${V + 1}, newer than this tform knows \\(${V}\\)`));
    });

    it('a failing migration step rolls back and leaves the previous version', async () => {
      const { adapter, schema } = get();
      const s = schema();
      await ensureState(adapter, { schema: s });
      const broken: Migration = {
        version: V + 1,
        description: 'test: fails halfway',
        statements: ({ dialect, tables }) => [
          `alter table ${dialect.relation(tables.runs)} add column ${dialect.quoteIdent('half')} varchar`,
          'select * from no_such_table_anywhere',
        ],
      };
      await expect(ensureState(adapter, { schema: s, migrations: [...STATE_MIGRATIONS, broken] })).rejects.toThrow(/no_such_table_anywhere/);
      expect((await adapter.columns({ schema: s, identifier: 'runs' })).map((c) => c.name)).not.toContain('half');
      expect(await ensureState(adapter, { schema: s })).toEqual({ version: V, applied: [] });
    });

    it('refuses a migration list that is not numbered 1, 2, …', async () => {
      const { adapter, schema } = get();
      await expect(ensureState(adapter, { schema: schema(), migrations: [addColumnV2] })).rejects.toThrow(/versions must be 1, 2, 3/);
    });

    it('concurrent ensureState calls on one adapter both succeed, one of them creating', async () => {
      const { adapter, schema } = get();
      const s = schema();
      const results = await Promise.all([ensureState(adapter, { schema: s }), ensureState(adapter, { schema: s })]);
      expect(results.map((r) => r.version)).toEqual([V, V]);
      expect(results.flatMap((r) => r.applied)).toEqual(STATE_MIGRATIONS.map((m) => m.version));
    });
  });

  describe(`${name}: StateStore`, () => {
    const model = "model.shop.o'rders\\x";
    let s: string;
    let store: StateStore;
    beforeAll(async () => {
      const { adapter, schema } = get();
      s = schema();
      await ensureState(adapter, { schema: s });
      store = new StateStore(adapter, adapter.dialect, { schema: s, now: () => d('2024-02-01T08:09:10.123Z') });
    });

    it('record + processed round-trip, and upsert of an interval recorded again', async () => {
      const { adapter } = get();
      const days = intervalsBetween(d('2024-01-01'), d('2024-01-04'), 'day');
      await adapter.transaction((tx) => store.record(tx, model, days, "run'1", 42));
      let got = await store.processed(model);
      expect(got).toEqual(
        days.map((i) => ({ start: i.start, end: i.end, status: 'complete', runId: "run'1", rowsAffected: 42, processedAt: d('2024-02-01T08:09:10.123Z'), checksum: null })),
      );
      expect(await store.processed('model.other')).toEqual([]);

      // The last day again, as partial, with its own row count; then complete.
      await adapter.transaction((tx) => store.record(tx, model, [{ ...days[2]!, status: 'partial', rowsAffected: 9_007_199_254_740_993n, checksum: "3:-12'34" }], 'run2'));
      got = await store.processed(model);
      expect(got).toHaveLength(3);
      expect(got[2]).toMatchObject({ status: 'partial', runId: 'run2', rowsAffected: 9_007_199_254_740_992, checksum: "3:-12'34" });
      expect(missingIntervals(days, got)).toEqual([days[2]]);
      await adapter.transaction((tx) => store.record(tx, model, [days[2]!], 'run3'));
      got = await store.processed(model);
      expect(got[2]).toMatchObject({ status: 'complete', runId: 'run3', rowsAffected: null, checksum: null });
      expect(missingIntervals(days, got)).toEqual([]);
    });

    it('record inside a transaction that then throws leaves no interval rows', async () => {
      const { adapter } = get();
      const m = 'model.rollback';
      const hours = intervalsBetween(d('2024-01-01T00:00:00Z'), d('2024-01-01T03:00:00Z'), 'hour');
      await expect(
        adapter.transaction(async (tx) => {
          await store.record(tx, m, hours, 'run-x', 1);
          expect(await tx.query(`select count(*) as n from ${adapter.dialect.relation(store.tables.intervals)} where model_id = 'model.rollback'`)).toEqual([
            { n: expect.anything() },
          ]);
          throw new Error('the model failed');
        }),
      ).rejects.toThrow('the model failed');
      expect(await store.processed(m)).toEqual([]);
    });

    it('invalidate removes the rows overlapping the range, in the transaction', async () => {
      const { adapter } = get();
      const m = 'model.inv';
      const days = intervalsBetween(d('2024-03-01'), d('2024-03-06'), 'day');
      await adapter.transaction((tx) => store.record(tx, m, days, 'r1', 1));
      // Overlaps March 2 (partly) through March 3.
      await adapter.transaction((tx) => store.invalidate(tx, m, d('2024-03-02T12:00:00Z'), d('2024-03-04T00:00:00Z')));
      expect((await store.processed(m)).map((i) => i.start.toISOString().slice(0, 10))).toEqual(['2024-03-01', '2024-03-04', '2024-03-05']);
      // Invalidate and re-record the same key in one transaction (a reprocessed batch).
      await adapter.transaction(async (tx) => {
        await store.invalidate(tx, m, days[0]!.start, days[0]!.end);
        await store.record(tx, m, [days[0]!], 'r2', 5);
      });
      expect((await store.processed(m))[0]).toMatchObject({ runId: 'r2', rowsAffected: 5 });
      // A rolled-back invalidate keeps the rows.
      await expect(
        adapter.transaction(async (tx) => {
          await store.invalidate(tx, m, d('2024-01-01'), d('2025-01-01'));
          throw new Error('abort');
        }),
      ).rejects.toThrow('abort');
      expect(await store.processed(m)).toHaveLength(3);
      // Another model is untouched.
      await adapter.transaction((tx) => store.invalidate(tx, 'model.none', d('2000-01-01'), d('2100-01-01')));
      expect(await store.processed(m)).toHaveLength(3);
    });

    it('recordRun upserts and lastSuccess finds the latest successful run', async () => {
      const m = 'model.runs';
      expect(await store.lastSuccess(m)).toBeUndefined();
      await store.recordRun({ runId: 'a', modelId: m, startedAt: d('2024-01-01T00:00:00Z'), status: 'running' });
      expect(await store.lastSuccess(m)).toBeUndefined();
      await store.recordRun({ runId: 'a', modelId: m, startedAt: d('2024-01-01T00:00:00Z'), endedAt: d('2024-01-01T00:05:00Z'), status: 'success', rowsAffected: 10 });
      await store.recordRun({ runId: 'b', modelId: m, startedAt: d('2024-01-02T00:00:00Z'), endedAt: d('2024-01-02T00:01:00Z'), status: 'error', message: "boom: can't" });
      await store.recordRun({ runId: 'c', modelId: 'model.other', startedAt: d('2024-01-03T00:00:00Z'), endedAt: d('2024-01-03T00:01:00Z'), status: 'success' });
      expect(await store.lastSuccess(m)).toEqual({
        runId: 'a',
        modelId: m,
        startedAt: d('2024-01-01T00:00:00Z'),
        endedAt: d('2024-01-01T00:05:00Z'),
        status: 'success',
        rowsAffected: 10,
      });
      const { adapter } = get();
      await adapter.transaction((tx) =>
        store.recordRun({ runId: 'd', modelId: m, startedAt: d('2024-01-04T00:00:00Z'), endedAt: d('2024-01-04T00:00:30Z'), status: 'success', message: 'ok\\done' }, tx),
      );
      expect(await store.lastSuccess(m)).toMatchObject({ runId: 'd', message: 'ok\\done' });
      await expect(store.recordRun({ runId: 'e', modelId: m, startedAt: d('2024-01-01'), status: 'weird' as never })).rejects.toThrow(/invalid run status/);
    });

    it('rejects malformed intervals and counts before writing', async () => {
      const { adapter } = get();
      await expect(adapter.transaction((tx) => store.record(tx, 'm', [{ start: d('2024-01-02'), end: d('2024-01-01') }], 'r'))).rejects.toThrow(/end after start/);
      await expect(adapter.transaction((tx) => store.record(tx, 'm', [{ start: d('2024-01-01'), end: d('2024-01-02') }], 'r', 1.5))).rejects.toThrow(/whole number/);
      expect(await store.processed('m')).toEqual([]);
    });
  });
}

describe('DuckDB', () => {
  let dir: string;
  let adapter: Adapter;
  let n = 0;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tform-state-'));
    adapter = await duckdbAdapterFactory.create({ name: 'dev', type: 'duckdb', schema: 'main', path: path.join(dir, 'dev.duckdb') }, { projectDir: dir, threads: 2 });
  });
  afterAll(async () => {
    await adapter?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });
  stateSuite('DuckDB', () => ({ adapter, schema: () => `tform_state_${++n}` }));
});

const hasPg = await requirePostgres();

describe.runIf(hasPg)('Postgres', () => {
  const pg = postgresAdapterFixture();
  let n = 0;
  stateSuite('Postgres', () => ({ adapter: pg.adapter(), schema: () => `tform_state_${++n}` }));

  it('concurrent first-time ensureState from separate connections pools (processes) all succeed', async () => {
    const adapter = pg.adapter();
    const others = await Promise.all([1, 2, 3].map(() => postgresAdapterFactory.create(pg.db().profile(), { projectDir: os.tmpdir(), threads: 2 })));
    try {
      const all = [adapter, ...others];
      // The current layout, from 4 pools × 2 calls.
      const v1 = await Promise.all(all.flatMap((a) => [ensureState(a), ensureState(a)]));
      expect(v1.map((r) => r.version)).toEqual(Array(8).fill(V));
      expect(v1.flatMap((r) => r.applied).sort()).toEqual(STATE_MIGRATIONS.map((m) => m.version));
      // One version further, in a schema needing quotes.
      const migrations = [...STATE_MIGRATIONS, addColumnV2];
      const v2 = await Promise.all(all.flatMap((a) => [ensureState(a, { schema: 'Race State', migrations }), ensureState(a, { schema: 'Race State', migrations })]));
      expect(v2.map((r) => r.version)).toEqual(Array(8).fill(V + 1));
      expect(v2.flatMap((r) => r.applied).sort()).toEqual(migrations.map((m) => m.version));
      expect(await ensureState(adapter, { schema: 'Race State', migrations })).toEqual({ version: V + 1, applied: [] });
    } finally {
      await Promise.all(others.map((a) => a.close()));
    }
  });
});
