import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DatabaseError, isLockHandle, tmpRelation, type Adapter, type LockHolder, type TargetProfile } from '@tform/core';
import {
  DuckDBAdapter,
  DuckDBError,
  acquireFileLock,
  byteOffsetToLineColumn,
  duckdbAdapterFactory,
  toDatabaseError,
} from '@tform/adapters/duckdb';
import { builtinAdapters } from '@tform/adapters';

const repoRoot = path.resolve(import.meta.dirname, '..');

let dir: string;
const open: Adapter[] = [];

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tform-duckdb-'));
});

afterEach(async () => {
  for (const a of open.splice(0)) await a.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function adapter(extra: Partial<TargetProfile> = {}, threads = 4): Promise<Adapter> {
  const profile: TargetProfile = { name: 'dev', type: 'duckdb', schema: 'main', path: 'db/test.duckdb', ...extra };
  const a = await duckdbAdapterFactory.create(profile, { projectDir: dir, threads });
  open.push(a);
  return a;
}

function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '']);
  expect(child.status).toBe(0);
  return child.pid!;
}

/** Run a script in a fresh node process from the repo root (so workspace packages resolve). */
function runNode(script: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: repoRoot });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('factory', () => {
  it('is the lazily loaded built-in duckdb adapter', async () => {
    expect(await builtinAdapters.duckdb!()).toBe(duckdbAdapterFactory);
    expect(duckdbAdapterFactory.type).toBe('duckdb');
    expect(duckdbAdapterFactory.secretFields).toEqual([]);
  });

  it('describes the resolved database path', () => {
    const profile: TargetProfile = { name: 'dev', type: 'duckdb', schema: 'main' };
    expect(duckdbAdapterFactory.describe!(profile, { projectDir: dir, threads: 1 })).toBe(
      `duckdb ${path.join(dir, 'target', 'tform.duckdb')}, schema main`,
    );
  });

  it('rejects invalid settings', async () => {
    await expect(adapter({ settings: { 'x; drop': 1 } })).rejects.toThrow(/invalid setting name/);
    await expect(adapter({ extensions: 'json' })).rejects.toThrow(/extensions/);
  });
});

describe('DuckDBAdapter', () => {
  it('opens the database on the first statement, not on create (default path target/tform.duckdb)', async () => {
    const a = await adapter({ path: undefined });
    expect(a).toBeInstanceOf(DuckDBAdapter);
    const file = path.join(dir, 'target', 'tform.duckdb');
    expect(fs.existsSync(path.join(dir, 'target'))).toBe(false);
    await a.query('select 1');
    expect(fs.existsSync(file)).toBe(true);
  });

  it('applies settings on open and loads extensions', async () => {
    const a = await adapter({ settings: { threads: 1, memory_limit: '512MB', preserve_insertion_order: false }, extensions: ['json'] }, 3);
    // Every pooled connection gets the settings: run several queries at once.
    const rows = await Promise.all(
      [1, 2, 3].map(() =>
        a.query<{ t: bigint; p: boolean; j: string }>(
          `select current_setting('threads') t, current_setting('preserve_insertion_order') p, json_object('a', 1)::varchar j`,
        ),
      ),
    );
    for (const [r] of rows) expect(r).toEqual({ t: 1n, p: false, j: '{"a":1}' });
  });

  it('round-trips execute and query with bigint, dates and nulls', async () => {
    const a = await adapter();
    expect(await a.execute('create table t (id bigint, n integer, d date, ts timestamp, s varchar)')).toEqual({});
    expect(
      await a.execute(
        `insert into t values (9007199254740993, 1, date '2024-02-29', timestamp '2024-02-29 12:34:56.789', 'x'), (2, null, null, null, null)`,
      ),
    ).toEqual({ rowsAffected: 2 });
    expect(await a.execute('update t set n = 5')).toEqual({ rowsAffected: 2 });
    expect(await a.execute('create table t2 as select * from t')).toEqual({ rowsAffected: 2 });

    const rows = await a.query('select *, count(*) over () as c from t order by id desc');
    expect(rows).toEqual([
      { id: 9007199254740993n, n: 5, d: new Date('2024-02-29T00:00:00Z'), ts: new Date('2024-02-29T12:34:56.789Z'), s: 'x', c: 2n },
      { id: 2n, n: 5, d: null, ts: null, s: null, c: 2n },
    ]);
    expect(await a.query(`select date 'infinity' as d`)).toEqual([{ d: 'infinity' }]);
  });

  it('commits a transaction', async () => {
    const a = await adapter();
    await a.execute('create table t (i integer)');
    const out = await a.transaction(async (tx) => {
      await tx.execute('insert into t values (1)');
      await tx.execute('insert into t values (2)');
      return (await tx.query<{ c: bigint }>('select count(*) c from t'))[0]!.c;
    });
    expect(out).toBe(2n);
    expect(await a.query('select i from t order by i')).toEqual([{ i: 1 }, { i: 2 }]);
  });

  it('rolls a transaction back and rethrows', async () => {
    const a = await adapter();
    await a.execute('create table t (i integer)');
    const boom = new Error('boom');
    await expect(
      a.transaction(async (tx) => {
        await tx.execute('insert into t values (1)');
        await tx.execute('create table t3 (x integer)');
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(await a.query('select * from t')).toEqual([]);
    expect(await a.listRelations('main')).toEqual([{ schema: 'main', identifier: 't', kind: 'table' }]);

    // A failing statement inside rolls back too, and the connection is usable afterwards.
    await expect(a.transaction((tx) => tx.execute('insert into t values (1); select * from nope'))).rejects.toBeInstanceOf(DatabaseError);
    expect(await a.query('select * from t')).toEqual([]);
  });

  describe('publish from the dialect', () => {
    const target = { schema: 'marts', identifier: 'Orders Ü' };
    const tmp = tmpRelation(target);

    async function setup(kind: 'table' | 'view') {
      const a = await adapter({}, 2);
      const d = a.dialect;
      await a.execute(d.createSchema('marts'));
      await a.execute(kind === 'table' ? d.createTableAs(target, 'select 1 as v') : d.createViewAs(target, 'select 1 as v'));
      await a.execute(kind === 'table' ? d.createTableAs(tmp, 'select 2 as v') : d.createViewAs(tmp, 'select 2 as v'));
      const read = async () => (await a.query<{ v: number }>(`select v from ${d.relation(target)}`)).map((r) => r.v);
      return { a, d, read };
    }

    it('swaps a table atomically: the old rows stay visible until commit', async () => {
      const { a, d, read } = await setup('table');
      let seenDuring: number[] = [];
      await a.transaction(async (tx) => {
        for (const sql of d.publish(tmp, target, 'table', 'table')) await tx.execute(sql);
        expect(await tx.query(`select v from ${d.relation(target)}`)).toEqual([{ v: 2 }]);
        seenDuring = await read(); // another pooled connection
      });
      expect(seenDuring).toEqual([1]);
      expect(await read()).toEqual([2]);
      expect(await a.listRelations('marts')).toEqual([{ schema: 'marts', identifier: 'Orders Ü', kind: 'table' }]);
    });

    it('leaves the old table and the tmp table in place on rollback', async () => {
      const { a, d, read } = await setup('table');
      await expect(
        a.transaction(async (tx) => {
          for (const sql of d.publish(tmp, target, 'table', 'table')) await tx.execute(sql);
          throw new Error('test failure after publish');
        }),
      ).rejects.toThrow('test failure after publish');
      expect(await read()).toEqual([1]);
      expect((await a.listRelations('marts')).map((r) => r.identifier)).toEqual(['Orders Ü', 'Orders Ü__tform_tmp']);
    });

    it('publishes a view, and a change of kind', async () => {
      const { a, d, read } = await setup('view');
      await a.transaction(async (tx) => {
        for (const sql of d.publish(tmp, target, 'view', 'view')) await tx.execute(sql);
      });
      expect(await read()).toEqual([2]);
      expect(await a.listRelations('marts')).toEqual([{ schema: 'marts', identifier: 'Orders Ü', kind: 'view' }]);

      await a.execute(d.createTableAs(tmp, 'select 3 as v'));
      await a.transaction(async (tx) => {
        for (const sql of d.publish(tmp, target, 'table', 'view')) await tx.execute(sql);
      });
      expect(await read()).toEqual([3]);
      expect(await a.listRelations('marts')).toEqual([{ schema: 'marts', identifier: 'Orders Ü', kind: 'table' }]);
    });
  });

  it('lists relations and columns', async () => {
    const a = await adapter();
    expect(await a.listRelations('nope')).toEqual([]);
    expect(await a.columns({ schema: 'main', identifier: 'nope' })).toEqual([]);
    await a.execute('create schema "Stage"');
    await a.execute('create table "Stage"."B" (id bigint not null, "Name Ü" varchar, amount decimal(12, 2))');
    await a.execute('create view "Stage".a_view as select id from "Stage"."B"');
    expect(await a.listRelations('Stage')).toEqual([
      { schema: 'Stage', identifier: 'B', kind: 'table' },
      { schema: 'Stage', identifier: 'a_view', kind: 'view' },
    ]);
    expect(await a.columns({ schema: 'Stage', identifier: 'B' })).toEqual([
      { name: 'id', type: 'BIGINT', nullable: false },
      { name: 'Name Ü', type: 'VARCHAR', nullable: true },
      { name: 'amount', type: 'DECIMAL(12,2)', nullable: true },
    ]);
  });

  it('reads a CSV seed with the dialect', async () => {
    const a = await adapter();
    const csv = path.join(dir, "it's seed.csv");
    fs.writeFileSync(csv, 'id;Zip Code;amount\n1;01234;2.50\n2;99999;3\n');
    const sql = a.dialect.selectFromCsv!({ path: csv, columnTypes: { 'Zip Code': 'VARCHAR' }, delimiter: ';' });
    expect(await a.query(sql)).toEqual([
      { id: 1n, 'Zip Code': '01234', amount: 2.5 },
      { id: 2n, 'Zip Code': '99999', amount: 3 },
    ]);
  });

  it('raises DatabaseError with line and column of a syntax error', async () => {
    const a = await adapter();
    const err = await a.query('select\n  1 as a,\n  2 as b frm t\nwhere true').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatabaseError);
    expect(err).toMatchObject({ message: 'Parser Error: syntax error at or near "frm"', line: 3, column: 10 });
  });

  it('counts error columns in characters after multi-byte text, across statements', async () => {
    const a = await adapter();
    const err = await a.query("select 1;\nselect 'ü€😀' as x,\n  ünknown + 1").catch((e: unknown) => e);
    expect(err).toMatchObject({ line: 3, column: 3, exceptionType: 'Binder' });
    expect((err as Error).message).toMatch(/^Binder Error: Referenced column "ünknown"/);
  });

  it('retries a statement that loses a schema-creation conflict', async () => {
    const a = await adapter({}, 8);
    for (let round = 0; round < 5; round++) {
      await Promise.all(Array.from({ length: 8 }, () => a.execute(`create schema if not exists s${round}`)));
    }
    // Concurrent CREATE TABLE AS in one schema do not conflict.
    await Promise.all(Array.from({ length: 8 }, (_, i) => a.execute(`create table s0.t${i} as select * from range(${i * 1000})`)));
    expect((await a.listRelations('s0')).length).toBe(8);
  });

  it('cancel() interrupts a running query', async () => {
    const a = await adapter();
    await a.query('select 1');
    const running = a.query('select count(*) from range(100000000000) t1(x) where x % 7 = 3').catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 200));
    await a.cancel!();
    expect(await running).toMatchObject({ name: 'DatabaseError', message: 'INTERRUPT Error: Interrupted!' });
    expect(await a.query('select 42 as x')).toEqual([{ x: 42 }]);
  });

  it('lets another process open the database after close()', async () => {
    const a = await adapter();
    await a.execute('create table kept as select 42::bigint as answer');
    const file = path.join(dir, 'db', 'test.duckdb');
    const script = `
      import { duckdbAdapterFactory } from '@tform/adapters/duckdb';
      const a = await duckdbAdapterFactory.create({ name: 'x', type: 'duckdb', schema: 'main', path: ${JSON.stringify(file)} }, { projectDir: '/', threads: 1 });
      try { console.log(JSON.stringify(await a.query('select answer::int as answer from kept'))); }
      catch (e) { console.log('ERROR ' + e.name + ': ' + e.message); }
      finally { await a.close(); }`;

    const blocked = await runNode(script);
    expect(blocked.stdout).toMatch(/^ERROR DatabaseError: IO Error: Could not set lock on file/);

    await a.close();
    const after = await runNode(script);
    expect(after.stderr).toBe('');
    expect(after.stdout.trim()).toBe('[{"answer":42}]');
  });
});

describe('run lock', () => {
  const lockOpts = { command: 'tform build', wait: false } as const;

  it('is a file next to the database, taken without opening the database', async () => {
    const a = await adapter();
    const h = await a.lock('dev', lockOpts);
    expect(isLockHandle(h)).toBe(true);
    const lockFile = path.join(dir, 'db', 'test.duckdb.tform-lock');
    const holder = JSON.parse(fs.readFileSync(lockFile, 'utf8')) as LockHolder;
    expect(holder).toMatchObject({ pid: process.pid, host: os.hostname(), command: 'tform build' });
    expect(new Date(holder.startedAt).toISOString()).toBe(holder.startedAt);
    expect(fs.existsSync(path.join(dir, 'db', 'test.duckdb'))).toBe(false);
    if (isLockHandle(h)) await h.release();
    expect(fs.existsSync(lockFile)).toBe(false);
  });

  it('reports the holder to a second locker that does not wait', async () => {
    const a = await adapter();
    const first = await a.lock('dev', lockOpts);
    const second = await a.lock('dev', { ...lockOpts, command: 'tform run' });
    expect(isLockHandle(second)).toBe(false);
    expect(second).toEqual({ heldBy: expect.objectContaining({ pid: process.pid, command: 'tform build' }) });
    if (isLockHandle(first)) await first.release();
  });

  it('takes over a lock whose process is dead', async () => {
    const a = await adapter();
    const stale: LockHolder = { pid: deadPid(), host: os.hostname(), startedAt: new Date().toISOString(), command: 'tform run' };
    fs.mkdirSync(path.join(dir, 'db'));
    fs.writeFileSync(path.join(dir, 'db', 'test.duckdb.tform-lock'), JSON.stringify(stale));
    const h = await a.lock('dev', lockOpts);
    expect(isLockHandle(h) && h.tookOverFrom).toEqual(stale);
    if (isLockHandle(h)) await h.release();
  });

  it('takes over an expired lock even when its process lives', async () => {
    const lockFile = path.join(dir, 'x.tform-lock');
    const live: LockHolder = { pid: process.ppid, host: 'elsewhere', startedAt: '2020-01-01T00:00:00.000Z', command: 'tform build' };
    fs.writeFileSync(lockFile, JSON.stringify(live));
    expect(await acquireFileLock(lockFile, { ...lockOpts, expiryMs: 60_000 })).toEqual({ heldBy: live });
    const old = new Date(Date.now() - 120_000);
    fs.utimesSync(lockFile, old, old);
    const h = await acquireFileLock(lockFile, { ...lockOpts, expiryMs: 60_000 });
    expect(isLockHandle(h) && h.tookOverFrom).toEqual(live);
  });

  it('waits for the holder, calling onWait once, and gets the lock after release', async () => {
    const a = await adapter();
    const first = await a.lock('dev', lockOpts);
    if (!isLockHandle(first)) throw new Error('expected a handle');
    const onWait = vi.fn();
    const waiting = a.lock('dev', { command: 'tform run', wait: true, onWait });
    await new Promise((r) => setTimeout(r, 350));
    expect(onWait).toHaveBeenCalledTimes(1);
    expect(onWait.mock.calls[0]![0]).toMatchObject({ pid: process.pid, command: 'tform build' });
    await first.release();
    const second = await waiting;
    expect(isLockHandle(second)).toBe(true);
    expect(onWait).toHaveBeenCalledTimes(1);
    if (isLockHandle(second)) await second.release();
  });

  it('gives up waiting after timeoutMs', async () => {
    const a = await adapter();
    const first = await a.lock('dev', lockOpts);
    const started = Date.now();
    const r = await a.lock('dev', { command: 'tform run', wait: true, timeoutMs: 250 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(240);
    expect(r).toEqual({ heldBy: expect.objectContaining({ pid: process.pid }) });
    if (isLockHandle(first)) await first.release();
  });

  it('release() leaves a file that is no longer ours', async () => {
    const lockFile = path.join(dir, 'y.tform-lock');
    const h = await acquireFileLock(lockFile, lockOpts);
    const other: LockHolder = { pid: 1, host: 'other', startedAt: new Date().toISOString(), command: 'tform build' };
    fs.writeFileSync(lockFile, JSON.stringify(other));
    if (isLockHandle(h)) await h.release();
    expect(JSON.parse(fs.readFileSync(lockFile, 'utf8'))).toEqual(other);
  });

  it('is a no-op for :memory:', async () => {
    const a = await adapter({ path: ':memory:' });
    const h1 = await a.lock('dev', lockOpts);
    const h2 = await a.lock('dev', lockOpts);
    expect(isLockHandle(h1) && isLockHandle(h2)).toBe(true);
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});

describe('error mapping', () => {
  it('converts UTF-8 byte offsets to line and character column', () => {
    const sql = "select 'é'\n  , x";
    expect(byteOffsetToLineColumn(sql, 0)).toEqual({ line: 1, column: 1 });
    expect(byteOffsetToLineColumn(sql, Buffer.byteLength("select 'é'\n  , "))).toEqual({ line: 2, column: 5 });
    expect(byteOffsetToLineColumn(sql, 10_000)).toBeUndefined();
  });

  it('parses the LINE/caret context of a plain DuckDB message', () => {
    const e = toDatabaseError(new Error('Binder Error: Referenced column "nocol" not found\n\nLINE 3:   nocol\n          ^'));
    expect(e).toBeInstanceOf(DuckDBError);
    expect(e).toMatchObject({ message: 'Binder Error: Referenced column "nocol" not found', line: 3, column: 3, exceptionType: 'Binder' });
    const cut = toDatabaseError(new Error('Binder Error: x\n\nLINE 2: ..., x, x,  nocol from t\n                          ^'));
    expect(cut).toMatchObject({ line: 2, column: undefined });
  });
});
