/**
 * State layout version 3 (the run log) on DuckDB and Postgres: an in-place migration from a
 * version 2 layout that keeps its rows, and RunLogStore writing and reading entries (nulls,
 * order, the latest entry per node by the settable clock).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileStateStore, RunLogStore, STATE_MIGRATIONS, StateStore, ensureState, modelRunHistory, type Adapter, type RunLogEntry } from '@tform/core';
import { duckdbAdapterFactory } from '@tform/adapters/duckdb';
import { postgresAdapterFixture, requirePostgres } from './helpers/pg.js';

const d = (s: string) => new Date(s);

function entry(o: Partial<RunLogEntry> & Pick<RunLogEntry, 'runId' | 'seq' | 'nodeId'>): RunLogEntry {
  return {
    command: 'build',
    args: "tform build --vars '{a: 1}'",
    target: 'dev',
    resourceType: 'model',
    status: 'success',
    startedAt: d('2024-03-01T10:00:00.123Z'),
    endedAt: d('2024-03-01T10:00:01.456Z'),
    executionTime: 1.333,
    rowsAffected: 42,
    failures: null,
    message: "OK, it's done",
    compiledPath: 'target/compiled/p/models/a.sql',
    tformVersion: '0.1.0',
    loggedAt: d('2024-03-01T10:00:00Z'),
    ...o,
  };
}

function suite(get: () => { adapter: Adapter; schema(): string }) {
  it('migrates a version 2 layout to version 3 in place, keeping runs and files', async () => {
    const { adapter, schema } = get();
    const s = schema();
    expect(await ensureState(adapter, { schema: s, migrations: STATE_MIGRATIONS.slice(0, 2) })).toEqual({ version: 2, applied: [1, 2] });
    const runs = new StateStore(adapter, adapter.dialect, { schema: s });
    await runs.recordRun({ runId: 'r1', modelId: 'model.p.a', startedAt: d('2024-01-01T00:00:00Z'), endedAt: d('2024-01-01T00:01:00Z'), status: 'success' });
    const files = new FileStateStore(adapter, adapter.dialect, { schema: s });
    await files.record(adapter, { sourceId: 'source.p.raw.e', path: 'data/a.jsonl', sizeBytes: 10, contentHash: 'a'.repeat(64), rowsLoaded: 2, runId: 'r1' });

    expect(await ensureState(adapter, { schema: s })).toEqual({ version: 3, applied: [3] });
    expect(await ensureState(adapter, { schema: s })).toEqual({ version: 3, applied: [] });
    expect((await runs.lastSuccess('model.p.a'))?.runId).toBe('r1');
    expect([...(await files.loaded('source.p.raw.e')).keys()]).toEqual(['data/a.jsonl']);
    expect((await adapter.columns({ schema: s, identifier: 'run_log' })).map((c) => c.name)).toEqual([
      'run_id', 'seq', 'command', 'args', 'target', 'node_id', 'resource_type', 'status', 'started_at', 'ended_at',
      'execution_time', 'rows_affected', 'failures', 'message', 'compiled_path', 'tform_version', 'logged_at',
    ]);
  });

  it('RunLogStore appends a run in order and reads it back, nulls included', async () => {
    const { adapter, schema } = get();
    const s = schema();
    await ensureState(adapter, { schema: s });
    const store = new RunLogStore(adapter, adapter.dialect, { schema: s });
    const many = Array.from({ length: 1203 }, (_, i) => entry({ runId: 'big', seq: i, nodeId: `model.p.m${i}` }));
    const sparse = entry({ runId: 'big', seq: 1203, nodeId: 'test.p.t', resourceType: 'test', status: 'fail', startedAt: null, endedAt: null, executionTime: null, rowsAffected: null, failures: 3, message: null, compiledPath: null, args: null, target: null });
    await adapter.transaction((tx) => store.append(tx, [...many, sparse]));
    const back = await store.ofRun('big');
    expect(back).toHaveLength(1204);
    expect(back[0]).toEqual(many[0]);
    expect(back[1203]).toEqual(sparse);
    expect(back.map((e) => e.seq)).toEqual([...Array(1204).keys()]);
  });

  it('latest() picks the entry of the run that finished last by the settable clock', async () => {
    const { adapter, schema } = get();
    const s = schema();
    await ensureState(adapter, { schema: s });
    const store = new RunLogStore(adapter, adapter.dialect, { schema: s });
    await store.append(adapter, [
      entry({ runId: 'r1', seq: 0, nodeId: 'test.p.pc', status: 'fail', loggedAt: d('2024-03-02T00:00:00Z') }),
      entry({ runId: 'r2', seq: 0, nodeId: 'test.p.pc', status: 'pass', loggedAt: d('2024-03-03T00:00:00Z') }),
      entry({ runId: 'r3', seq: 0, nodeId: 'test.p.pc', status: 'warn', loggedAt: d('2024-03-01T00:00:00Z') }),
      entry({ runId: 'r3', seq: 1, nodeId: 'test.p.other', status: 'error', loggedAt: d('2024-03-01T00:00:00Z') }),
    ]);
    const latest = await store.latest(['test.p.pc', 'test.p.other', 'test.p.never']);
    expect([...latest.entries()].map(([k, v]) => `${k} ${v.runId} ${v.status}`).sort()).toEqual(['test.p.other r3 error', 'test.p.pc r2 pass']);
  });

  it('modelRunHistory: last success, latest run and the runs since a time', async () => {
    const { adapter, schema } = get();
    const s = schema();
    await ensureState(adapter, { schema: s });
    const runs = new StateStore(adapter, adapter.dialect, { schema: s });
    const rec = (runId: string, at: string, status: 'success' | 'error', message?: string) =>
      runs.recordRun({ runId, modelId: 'model.p.a', startedAt: d(at), endedAt: d(at), status, ...(message ? { message } : {}) });
    await rec('r1', '2024-03-01T00:00:00Z', 'success');
    await rec('r2', '2024-03-02T00:00:00Z', 'success');
    await rec('r3', '2024-03-03T00:00:00Z', 'error', 'boom');
    const h = await modelRunHistory(adapter, adapter.dialect, ['model.p.a', 'model.p.none'], d('2024-03-01T12:00:00Z'), { schema: s });
    expect(h.get('model.p.a')).toEqual({ modelId: 'model.p.a', lastSuccess: d('2024-03-02T00:00:00Z'), lastRun: { runId: 'r3', status: 'error', at: d('2024-03-03T00:00:00Z'), message: 'boom' }, runsSince: 2, errorsSince: 1 });
    expect(h.get('model.p.none')).toEqual({ modelId: 'model.p.none', runsSince: 0, errorsSince: 0 });
  });
}

describe('state layout 3 on DuckDB', () => {
  let dir: string;
  let adapter: Adapter;
  let n = 0;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tform-ops-state-'));
    adapter = await duckdbAdapterFactory.create({ name: 'dev', type: 'duckdb', schema: 'main', path: path.join(dir, 'dev.duckdb') }, { projectDir: dir, threads: 2 });
  });
  afterAll(async () => {
    await adapter?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });
  suite(() => ({ adapter, schema: () => `ops_state_${++n}` }));
});

const hasPg = await requirePostgres();

describe.runIf(hasPg)('state layout 3 on Postgres', () => {
  const pg = postgresAdapterFixture();
  let n = 0;
  suite(() => ({ adapter: pg.adapter(), schema: () => `ops_state_${++n}` }));
});
