import { spawn } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { DatabaseError, TformError, isLockHandle, tmpRelation, type Adapter, type LockHolder, type TargetProfile } from '@tform/core';
import {
  PostgresAdapter,
  runMarker,
  PostgresDialect,
  PostgresError,
  charOffsetToLineColumn,
  parseDate,
  parseTimestamp,
  postgresAdapterFactory,
  resolvePostgresConfig,
} from '@tform/adapters/postgres';
import { builtinAdapters } from '@tform/adapters';
import { requirePostgres, withTempDatabase, type TempDatabase } from './helpers/pg.js';

const repoRoot = path.resolve(import.meta.dirname, '..');
const ctx = { projectDir: repoRoot, threads: 2 };
const base: TargetProfile = { name: 'dev', type: 'postgres', schema: 'public', user: 'u', dbname: 'd' };

describe('factory and profile', () => {
  it('is the lazily loaded built-in postgres adapter, with password as a secret', async () => {
    expect(await builtinAdapters.postgres!()).toBe(postgresAdapterFactory);
    expect(postgresAdapterFactory.type).toBe('postgres');
    expect(postgresAdapterFactory.secretFields).toEqual(['password']);
  });

  it('describes the connection without the password', () => {
    const d = postgresAdapterFactory.describe!({ ...base, password: 'hunter2-s3cret', host: 'db.example', port: 6543, schema: 'marts' }, ctx);
    expect(d).toBe('postgres u@db.example:6543/d, schema marts');
    expect(d).not.toContain('hunter2');
    const c = resolvePostgresConfig({ ...base, password: 'hunter2-s3cret' }, ctx);
    expect(c.password).toBe('hunter2-s3cret');
    expect(JSON.stringify(c)).not.toContain('hunter2');
    expect(String(Object.keys(c))).not.toContain('password');
  });

  it('resolves defaults and aliases', () => {
    const c = resolvePostgresConfig({ ...base, dbname: undefined, database: 'warehouse', port: '5433' }, { projectDir: '/', threads: 3 });
    expect(c).toMatchObject({ host: '127.0.0.1', port: 5433, database: 'warehouse', poolSize: 4, applicationName: 'tform', ssl: false, connectTimeoutSeconds: 10 });
    expect(c.statementTimeoutMs).toBeUndefined();
    expect(c.searchPath).toBeUndefined();
  });

  it('maps sslmode and ssl to pg ssl options', () => {
    const ssl = (extra: Partial<TargetProfile>) => resolvePostgresConfig({ ...base, ...extra }, ctx).ssl;
    expect(ssl({})).toBe(false);
    expect(ssl({ sslmode: 'disable' })).toBe(false);
    expect(ssl({ sslmode: 'prefer' })).toBe(false);
    expect(ssl({ sslmode: 'require' })).toEqual({ rejectUnauthorized: false });
    expect(ssl({ sslmode: 'verify-full' })).toEqual({ rejectUnauthorized: true });
    const verifyCa = ssl({ sslmode: 'verify-ca', sslrootcert: 'package.json' });
    expect(verifyCa).toMatchObject({ rejectUnauthorized: true, ca: expect.stringContaining('tform-monorepo') });
    expect(typeof (verifyCa as { checkServerIdentity?: unknown }).checkServerIdentity).toBe('function');
    expect(ssl({ ssl: true })).toEqual({ rejectUnauthorized: true });
    expect(ssl({ ssl: false, sslmode: 'require' })).toEqual({ rejectUnauthorized: false });
    expect(ssl({ ssl: { servername: 'x' } })).toEqual({ rejectUnauthorized: true, servername: 'x' });
  });

  it('rejects invalid profiles', () => {
    const bad = (extra: Partial<TargetProfile>) => () => resolvePostgresConfig({ ...base, ...extra }, ctx);
    expect(bad({ user: undefined })).toThrow(/`user` is required/);
    expect(bad({ dbname: undefined })).toThrow(/`dbname` \(or `database`\) is required/);
    expect(bad({ database: 'other' })).toThrow(/disagree/);
    expect(bad({ sslmode: 'sometimes' })).toThrow(/sslmode/);
    expect(bad({ port: 70000 })).toThrow(/port/);
    expect(bad({ statement_timeout: -1 })).toThrow(/statement_timeout/);
    expect(bad({ sslrootcert: 'no/such/file.pem' })).toThrow(/cannot read `sslrootcert`/);
    expect(bad({ user: undefined })).toThrow(TformError);
  });
});

describe('dialect', () => {
  const d = new PostgresDialect();

  it('quotes, never prints the database, and writes E-strings for backslashes', () => {
    expect(d.relation({ database: 'db', schema: 'My Schema', identifier: 'a"b' })).toBe('"My Schema"."a""b"');
    expect(d.stringLiteral("it's")).toBe("'it''s'");
    expect(d.stringLiteral('a\\b')).toBe("E'a\\\\b'");
    expect(d.createSchema('s', 'db')).toBe('create schema if not exists "s"');
    // Knowing the connected database, a ref to another one keeps its database part (the server refuses it).
    const bound = new PostgresDialect({ database: 'warehouse' });
    expect(bound.relation({ database: 'warehouse', schema: 's', identifier: 't' })).toBe('"s"."t"');
    expect(bound.relation({ database: 'other', schema: 's', identifier: 't' })).toBe('"other"."s"."t"');
  });

  it('keeps tmp identifiers within 63 bytes and refuses longer names', () => {
    const sixty = 'x'.repeat(60);
    expect(d.tmpIdentifier('orders')).toBe('orders__tform_tmp');
    const long = d.tmpIdentifier(sixty);
    expect(Buffer.byteLength(long)).toBeLessThanOrEqual(63);
    expect(long).toMatch(/^x{43}_[0-9a-f]{8}__tform_tmp$/);
    expect(d.tmpIdentifier('x'.repeat(59) + 'y')).not.toBe(long);
    const uni = d.tmpIdentifier('ü'.repeat(40));
    expect(Buffer.byteLength(uni)).toBeLessThanOrEqual(63);
    expect(uni.startsWith('ü'.repeat(21) + '_')).toBe(true);
    // core's tmpRelation() name maps to the same identifier in every statement
    expect(d.relation(tmpRelation({ schema: 's', identifier: sixty }))).toBe(`"s"."${long}"`);
    expect(() => d.relation({ schema: 's', identifier: 'y'.repeat(64) })).toThrow(/64 bytes long; Postgres identifiers are at most 63 bytes/);
    expect(() => d.relation({ schema: 'z'.repeat(64), identifier: 't' })).toThrow(TformError);
  });

  it('shapes CREATE TABLE through overridable hooks and writes MERGE', () => {
    expect(d.createTableAs({ schema: 's', identifier: 't' }, 'select 1', { unlogged: true })).toBe('create unlogged table "s"."t" as (\nselect 1\n)');
    class Sub extends PostgresDialect {
      protected override tableOptions(config: Record<string, unknown>): string {
        return config.dist ? ` distkey(${this.quoteIdent(String(config.dist))})` : '';
      }
    }
    expect(new Sub().createTableAs({ schema: 's', identifier: 't' }, 'select 1', { dist: 'id' })).toBe('create table "s"."t" distkey("id") as (\nselect 1\n)');
    expect(d.mergeInto({ schema: 's', identifier: 't' }, { schema: 's', identifier: 'n' }, { uniqueKey: ['id'], columns: ['id', 'v'] })).toBe(
      'merge into "s"."t" as t\nusing "s"."n" as s\non t."id" = s."id"\nwhen matched then update set "v" = s."v"\nwhen not matched then insert ("id", "v") values (s."id", s."v")',
    );
  });

  it('publishes with one DO block whose dollar quote does not clash with names', () => {
    const [sql, ...rest] = d.publish({ schema: 's', identifier: 'a$tform$b__tform_tmp' }, { schema: 's', identifier: 'a$tform$b' }, 'table', undefined);
    expect(rest).toEqual([]);
    expect(sql).toMatch(/^do \$tform1\$\n/);
    expect(sql).toMatch(/\n\$tform1\$$/);
  });
});

describe('value parsing and error positions (no server)', () => {
  it('parses dates and timestamps as UTC, and keeps what a Date cannot hold as text', () => {
    expect(parseDate('2024-02-29')).toEqual(new Date('2024-02-29T00:00:00Z'));
    expect(parseDate('0099-01-02')).toEqual(new Date('0099-01-02T00:00:00Z'));
    expect(parseDate('infinity')).toBe('infinity');
    expect(parseDate('0044-03-15 BC')).toBe('0044-03-15 BC');
    expect(parseTimestamp('2024-02-29 12:34:56.789123')).toEqual(new Date('2024-02-29T12:34:56.789Z'));
    expect(parseTimestamp('2024-03-10 03:30:00+02')).toEqual(new Date('2024-03-10T01:30:00Z'));
    expect(parseTimestamp('1900-01-01 00:00:00+00:53:28')).toEqual(new Date(Date.UTC(1900, 0, 1) - (53 * 60 + 28) * 1000));
    expect(parseTimestamp('-infinity')).toBe('-infinity');
  });

  it('converts 1-based character positions to line and column', () => {
    expect(charOffsetToLineColumn('select 1', 1)).toEqual({ line: 1, column: 1 });
    expect(charOffsetToLineColumn("select '😀',\n  x", 15)).toEqual({ line: 2, column: 3 });
    expect(charOffsetToLineColumn('x', 99)).toBeUndefined();
  });
});

const available = await requirePostgres();

describe.runIf(available)('PostgresAdapter on a real server', () => {
  let db: TempDatabase;
  const open: Adapter[] = [];

  beforeAll(async () => {
    db = await withTempDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });
  afterEach(async () => {
    for (const a of open.splice(0)) await a.close();
  });

  async function adapter(extra: Partial<TargetProfile> = {}, threads = 2): Promise<PostgresAdapter> {
    const a = (await postgresAdapterFactory.create(db.profile(extra), { projectDir: repoRoot, threads })) as PostgresAdapter;
    open.push(a);
    return a;
  }

  async function sessions(appName: string): Promise<number> {
    const c = await db.connect();
    try {
      // Sessions carry the process marker `[<host>:<pid>]` after the configured name.
      const r = await c.query('select count(*)::int as n from pg_stat_activity where application_name = $1', [`${appName} ${runMarker()}`]);
      return r.rows[0].n as number;
    } finally {
      await c.end();
    }
  }

  it('connects on the first statement, not on create', async () => {
    const app = `tform-lazy-${process.pid}`;
    const a = await adapter({ application_name: app });
    expect(a).toBeInstanceOf(PostgresAdapter);
    expect(await sessions(app)).toBe(0);
    expect(await a.query('select 1 as one')).toEqual([{ one: 1 }]);
    expect(await sessions(app)).toBe(1);

    // Nothing listens on port 1: create succeeds, the first statement fails, without the password.
    const dead = await adapter({ port: 1, password: 'hunter2-s3cret' });
    const err = await dead.query('select 1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatabaseError);
    expect((err as Error).message).toMatch(/^could not connect to Postgres at root@127\.0\.0\.1:1\/tform_test_\w+: .*ECONNREFUSED/);
    expect(JSON.stringify(err, Object.getOwnPropertyNames(err))).not.toContain('hunter2');
    expect(String((err as Error).stack)).not.toContain('hunter2');
  });

  it('reports a server-side connection error without the password', async () => {
    const a = await adapter({ user: 'no_such_role_tform', password: 'hunter2-s3cret' });
    const err = await a.query('select 1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatabaseError);
    expect(err).toMatchObject({ sqlState: '28000', message: 'role "no_such_role_tform" does not exist' });
    expect(JSON.stringify(err, Object.getOwnPropertyNames(err))).not.toContain('hunter2');
  });

  it('applies search_path, statement_timeout and application_name on every connection', async () => {
    const a = await adapter({ search_path: '"my schema", public', statement_timeout: 1500, application_name: 'tform-test-app' }, 3);
    const rows = await Promise.all(
      [1, 2, 3].map(() =>
        a.query(`select current_setting('search_path') sp, current_setting('statement_timeout') st, current_setting('application_name') app, current_setting('DateStyle') ds, pg_sleep(0.05)::text`),
      ),
    );
    for (const [r] of rows) expect(r).toMatchObject({ sp: '"my schema", public', st: '1500ms', app: `tform-test-app ${runMarker()}`, ds: 'ISO, MDY' });
    const err = await a.query('select pg_sleep(3)').catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'DatabaseError', sqlState: '57014', message: 'canceling statement due to statement timeout' });
  });

  it('round-trips execute and query: int, bigint, numeric, text, bool, date, timestamps, json(b), arrays, NULLs', async () => {
    const a = await adapter();
    await a.execute('create schema rt');
    expect(
      await a.execute(
        'create table rt.t (i integer, big bigint, n numeric(12, 2), f double precision, s text, b boolean, d date, ts timestamp, tz timestamptz, j jsonb, js json, arr int8[], u uuid)',
      ),
    ).toEqual({});
    expect(
      await a.execute(`insert into rt.t values
        (42, 9007199254740993, 12345.67, 1.5, 'it''s ünïcode', true, '2024-02-29', '2024-02-29 12:34:56.789', '2024-03-10 01:30:00+00',
         '{"a": [1, 2], "b": "x"}', '[1, null]', '{1, 9007199254740993}', '6f1b5c1e-8a53-4a8e-9d0e-2c8f1b0b6a11'),
        (null, null, null, null, null, null, null, null, null, null, null, null, null)`),
    ).toEqual({ rowsAffected: 2 });
    expect(await a.execute('update rt.t set f = f')).toEqual({ rowsAffected: 2 });
    expect(await a.execute('create table rt.t2 as select * from rt.t')).toEqual({ rowsAffected: 2 });
    expect(await a.execute('select * from rt.t')).toEqual({});

    const rows = await a.query('select *, count(*) over () as c from rt.t order by i nulls last');
    expect(rows).toEqual([
      {
        i: 42,
        big: 9007199254740993n,
        n: '12345.67',
        f: 1.5,
        s: "it's ünïcode",
        b: true,
        d: new Date('2024-02-29T00:00:00Z'),
        ts: new Date('2024-02-29T12:34:56.789Z'),
        tz: new Date('2024-03-10T01:30:00Z'),
        j: { a: [1, 2], b: 'x' },
        js: [1, null],
        arr: [1n, 9007199254740993n],
        u: '6f1b5c1e-8a53-4a8e-9d0e-2c8f1b0b6a11',
        c: 2n,
      },
      { i: null, big: null, n: null, f: null, s: null, b: null, d: null, ts: null, tz: null, j: null, js: null, arr: null, u: null, c: 2n },
    ]);
    expect(await a.query(`select date 'infinity' as d, timestamptz '-infinity' as t, 1 as x, 2 as x`)).toEqual([{ d: 'infinity', t: '-infinity', x: 1, x_1: 2 }]);
    expect(await a.query('select 1 as a; select 2 as b')).toEqual([{ b: 2 }]);
  });

  it('commits a transaction', async () => {
    const a = await adapter();
    await a.execute('create table tx_commit (i integer)');
    const out = await a.transaction(async (tx) => {
      await tx.execute('insert into tx_commit values (1)');
      await tx.execute('insert into tx_commit values (2)');
      return (await tx.query<{ c: bigint }>('select count(*) c from tx_commit'))[0]!.c;
    });
    expect(out).toBe(2n);
    expect(await a.query('select i from tx_commit order by i')).toEqual([{ i: 1 }, { i: 2 }]);
  });

  it('rolls a transaction back and rethrows', async () => {
    const a = await adapter();
    await a.execute('create table tx_rb (i integer)');
    const boom = new Error('boom');
    await expect(
      a.transaction(async (tx) => {
        await tx.execute('insert into tx_rb values (1)');
        await tx.execute('create table tx_rb_new (x integer)');
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(await a.query('select * from tx_rb')).toEqual([]);
    expect((await a.listRelations('public')).map((r) => r.identifier)).not.toContain('tx_rb_new');

    // A failing statement rolls back too, and the connection is usable afterwards.
    await expect(a.transaction((tx) => tx.execute('insert into tx_rb values (1); select * from nope'))).rejects.toBeInstanceOf(DatabaseError);
    expect(await a.query('select * from tx_rb')).toEqual([]);

    // A failure swallowed inside fn: COMMIT answers ROLLBACK, which is reported.
    const err = await a
      .transaction(async (tx) => {
        await tx.execute('insert into tx_rb values (1)');
        await tx.execute('select * from nope').catch(() => {});
      })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'DatabaseError', sqlState: '25P02' });
    expect(await a.query('select * from tx_rb')).toEqual([]);
  });

  it('raises DatabaseError with the line and column of a syntax error on line 3', async () => {
    const a = await adapter();
    const err = await a.query('select\n  1 as a,\n  2 as b frm t\nwhere true').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatabaseError);
    expect(err).toMatchObject({ message: 'syntax error at or near "frm"', sqlState: '42601', line: 3, column: 10 });
  });

  it('counts error columns in characters after multi-byte text, across statements', async () => {
    const a = await adapter();
    const err = await a.query("select 1;\nselect 'ü€😀' as x,\n  ünknown + 1").catch((e: unknown) => e);
    expect(err).toMatchObject({ message: 'column "ünknown" does not exist', sqlState: '42703', line: 3, column: 3 });
  });

  it('puts DETAIL and HINT under the message', async () => {
    const a = await adapter();
    await a.execute('create table hint_t (id int primary key)');
    await a.execute('insert into hint_t values (1)');
    const err = await a.execute('insert into hint_t values (1)').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PostgresError);
    expect((err as PostgresError).message).toBe('duplicate key value violates unique constraint "hint_t_pkey"\nDETAIL: Key (id)=(1) already exists.');
    expect(err).toMatchObject({ sqlState: '23505', detail: 'Key (id)=(1) already exists.' });
  });

  it('lists relations (partitioned tables as tables, materialized views as views) and columns', async () => {
    const a = await adapter();
    expect(await a.listRelations('nope')).toEqual([]);
    expect(await a.columns({ schema: 'public', identifier: 'nope' })).toEqual([]);
    await a.execute('create schema "Stage"');
    await a.execute('create table "Stage"."B" (id bigint not null, "Name Ü" varchar(20), amount numeric(12, 2), at timestamptz)');
    await a.execute('create view "Stage".a_view as select id from "Stage"."B"');
    await a.execute('create materialized view "Stage".m_view as select id from "Stage"."B"');
    await a.execute('create table "Stage".p (d date) partition by range (d)');
    await a.execute('create sequence "Stage".seq');
    await a.execute('create index b_idx on "Stage"."B" (id)');
    expect(await a.listRelations('Stage')).toEqual([
      { schema: 'Stage', identifier: 'B', kind: 'table' },
      { schema: 'Stage', identifier: 'a_view', kind: 'view' },
      { schema: 'Stage', identifier: 'm_view', kind: 'view' },
      { schema: 'Stage', identifier: 'p', kind: 'table' },
    ]);
    expect(await a.listRelations('stage')).toEqual([]); // names are case-sensitive
    expect(await a.columns({ schema: 'Stage', identifier: 'B' })).toEqual([
      { name: 'id', type: 'bigint', nullable: false },
      { name: 'Name Ü', type: 'character varying(20)', nullable: true },
      { name: 'amount', type: 'numeric(12,2)', nullable: true },
      { name: 'at', type: 'timestamp with time zone', nullable: true },
    ]);
    expect(await a.columns({ schema: 'Stage', identifier: 'a_view' })).toEqual([{ name: 'id', type: 'bigint', nullable: true }]);

    // A database part must be the connected database; it is echoed back.
    expect(await a.listRelations('Stage', db.name)).toContainEqual({ database: db.name, schema: 'Stage', identifier: 'B', kind: 'table' });
    await expect(a.listRelations('Stage', 'elsewhere')).rejects.toThrow(/database 'elsewhere' is not the one this Postgres target connects to/);
    expect(await a.query(`select count(*)::int as n from ${a.dialect.relation({ database: db.name, schema: 'Stage', identifier: 'B' })}`)).toEqual([{ n: 0 }]);
    await expect(a.query(`select * from ${a.dialect.relation({ database: 'elsewhere', schema: 'Stage', identifier: 'B' })}`)).rejects.toThrow(
      /cross-database references are not implemented/,
    );
  });

  it('creates and publishes odd identifiers: spaces, reserved words, mixed case, unicode, quotes, dollars, 60 characters', async () => {
    const a = await adapter();
    const d = a.dialect;
    const schema = 'Odd Schema ü';
    await a.execute(d.createSchema(schema));
    const names = ['with space', 'select', 'MixedCase Table', 'ünïcødé_名前', 'it\'s "q" $tform$ \\x', 'n'.repeat(60), 'é'.repeat(30)];
    for (const [i, name] of names.entries()) {
      const target = { schema, identifier: name };
      const view = d.relation({ schema, identifier: `v${i} of ${name.slice(0, 12)}` });
      // Build as the runner does: core's tmpRelation(), statements from the dialect.
      const tmp = tmpRelation(target);
      const build = async (sql: string) => {
        await a.execute(d.createTableAs(tmp, sql));
        await a.transaction(async (tx) => {
          for (const s of d.publish(tmp, target, 'table', undefined)) await tx.execute(s);
        });
      };
      await build('select 1 as "order", 2 as "Mixed Case"');
      await a.execute(`create view ${view} as select "order" from ${d.relation(target)}`);
      await build('select 3 as "order", 4 as "Mixed Case"'); // same columns: in place
      await build('select 5 as "order", 6 as "Mixed Case", 7 as "with space"'); // new column: dependent-view dance
      expect(await a.query(`select * from ${d.relation(target)}`)).toEqual([{ order: 5, 'Mixed Case': 6, 'with space': 7 }]);
      expect(await a.query(`select * from ${view}`)).toEqual([{ order: 5 }]);
    }
    const rels = (await a.listRelations(schema)).map((r) => r.identifier);
    for (const n of names) expect(rels).toContain(n);
    expect(rels.filter((r) => r.includes('__tform'))).toEqual([]);
  });

  it('retries concurrent CREATE SCHEMA IF NOT EXISTS that lose the catalog race', async () => {
    const a = await adapter({}, 6);
    for (let round = 0; round < 5; round++) {
      await Promise.all(Array.from({ length: 6 }, () => a.execute(a.dialect.createSchema(`race_${round}`))));
    }
    expect((await a.query<{ n: bigint }>(`select count(*) n from pg_namespace where nspname like 'race\\_%'`))[0]!.n).toBe(5n);
  });

  it('cancel() stops a running pg_sleep(10) quickly', async () => {
    const a = await adapter();
    await a.query('select 1');
    const started = Date.now();
    const running = a.query('select pg_sleep(10)').catch((e: unknown) => e);
    const inTx = a.transaction((tx) => tx.query('select pg_sleep(10)')).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 300));
    await a.cancel();
    const [e1, e2] = await Promise.all([running, inTx]);
    expect(Date.now() - started).toBeLessThan(3_000);
    for (const e of [e1, e2]) {
      expect(e).toBeInstanceOf(PostgresError);
      expect(e).toMatchObject({ sqlState: '57014', message: 'canceling statement due to user request', isCanceled: true });
    }
    expect(await a.query('select 42 as x')).toEqual([{ x: 42 }]);
    await a.cancel(); // nothing running: a no-op
  });

  it('close() is idempotent and refuses later use', async () => {
    const a = await adapter();
    await a.query('select 1');
    await a.close();
    await a.close();
    await expect(a.query('select 1')).rejects.toThrow(/closed/);
  });

  describe('run lock', () => {
    const lockOpts = { command: 'tform build', wait: false } as const;

    async function lockRow(key: string) {
      const c = await db.connect();
      try {
        return (await c.query('select * from tform_state.run_locks where lock_key = $1', [key])).rows[0] as Record<string, unknown> | undefined;
      } finally {
        await c.end();
      }
    }

    it('creates its state table once even when many take locks at the same time', async () => {
      const adapters = await Promise.all(Array.from({ length: 5 }, () => adapter()));
      const handles = await Promise.all(adapters.map((a, i) => a.lock(`k${i}`, lockOpts)));
      expect(handles.every(isLockHandle)).toBe(true);
      for (const h of handles) if (isLockHandle(h)) await h.release();
    });

    it('reports the holder to a second locker that does not wait, and frees it on release', async () => {
      const a1 = await adapter();
      const a2 = await adapter();
      const first = await a1.lock('tform:p:dev', lockOpts);
      if (!isLockHandle(first)) throw new Error('expected a handle');
      const row = await lockRow('tform:p:dev');
      expect(row).toMatchObject({ pid: process.pid, host: os.hostname(), command: 'tform build' });

      const second = await a2.lock('tform:p:dev', { ...lockOpts, command: 'tform run' });
      expect(isLockHandle(second)).toBe(false);
      expect(second).toEqual({ heldBy: { pid: process.pid, host: os.hostname(), startedAt: expect.any(String), command: 'tform build' } });
      if (!isLockHandle(second)) expect(new Date(second.heldBy.startedAt).toISOString()).toBe(second.heldBy.startedAt);

      // Another key is independent.
      const other = await a2.lock('tform:p:prod', lockOpts);
      expect(isLockHandle(other)).toBe(true);
      if (isLockHandle(other)) await other.release();

      await first.release();
      await first.release(); // idempotent
      expect(await lockRow('tform:p:dev')).toBeUndefined();
      const third = await a2.lock('tform:p:dev', { ...lockOpts, command: 'tform run' });
      expect(isLockHandle(third) && third.tookOverFrom).toBeFalsy();
      if (isLockHandle(third)) await third.release();
    });

    it('waits for the holder, calling onWait once, and gets the lock after release', async () => {
      const a1 = await adapter();
      const a2 = await adapter();
      const first = await a1.lock('wait-key', lockOpts);
      if (!isLockHandle(first)) throw new Error('expected a handle');
      const onWait = vi.fn();
      const waiting = a2.lock('wait-key', { command: 'tform run', wait: true, onWait });
      await new Promise((r) => setTimeout(r, 600));
      expect(onWait).toHaveBeenCalledTimes(1);
      expect(onWait.mock.calls[0]![0]).toMatchObject({ pid: process.pid, command: 'tform build' });
      await first.release();
      const second = await waiting;
      expect(isLockHandle(second)).toBe(true);
      expect(onWait).toHaveBeenCalledTimes(1);
      expect(await lockRow('wait-key')).toMatchObject({ command: 'tform run' });
      if (isLockHandle(second)) await second.release();
    });

    it('gives up waiting after timeoutMs', async () => {
      const a1 = await adapter();
      const a2 = await adapter();
      const first = await a1.lock('timeout-key', lockOpts);
      const started = Date.now();
      const r = await a2.lock('timeout-key', { command: 'tform run', wait: true, timeoutMs: 500 });
      expect(Date.now() - started).toBeGreaterThanOrEqual(490);
      expect(r).toEqual({ heldBy: expect.objectContaining({ pid: process.pid, command: 'tform build' }) });
      if (isLockHandle(first)) await first.release();
    });

    it('takes over the row left by a killed process', async () => {
      const profile = db.profile();
      const script = `
        import { postgresAdapterFactory } from '@tform/adapters/postgres';
        const a = await postgresAdapterFactory.create(${JSON.stringify(profile)}, { projectDir: '/', threads: 1 });
        const h = await a.lock('stale-key', { wait: false, command: 'tform build --killed' });
        console.log(typeof h.release === 'function' ? 'locked' : 'refused');
        setInterval(() => {}, 1000);`;
      const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
      const line = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (b: Buffer) => resolve(b.toString().trim()));
        child.on('exit', () => reject(new Error(`child exited: ${stderr}`)));
      });
      expect(line).toBe('locked');
      const a = await adapter();
      const held = await a.lock('stale-key', lockOpts);
      expect(held).toEqual({ heldBy: expect.objectContaining({ pid: child.pid, command: 'tform build --killed' }) });
      const row = await lockRow('stale-key');

      const exited = new Promise((r) => child.on('exit', r));
      child.kill('SIGKILL');
      await exited;
      // The server ends the dead client's session (and with it the advisory lock) as soon as it
      // sees the socket closed; the row stays behind.
      const h = await a.lock('stale-key', { ...lockOpts, wait: true, timeoutMs: 10_000 });
      if (!isLockHandle(h)) throw new Error(`expected a handle, got ${JSON.stringify(h)}`);
      const stale: LockHolder = { pid: child.pid!, host: os.hostname(), startedAt: (row!.started_at as Date).toISOString(), command: 'tform build --killed' };
      expect(h.tookOverFrom).toEqual(stale);
      const c = await db.connect();
      const alive = await c.query('select count(*)::int n from pg_stat_activity where pid = $1', [row!.backend_pid]);
      await c.end();
      expect(alive.rows[0].n).toBe(0);
      expect(await lockRow('stale-key')).toMatchObject({ pid: process.pid, command: 'tform build' });
      await h.release();
    });

    it('works without the right to create its state table, naming the holder from pg_stat_activity', async () => {
      const fresh = await withTempDatabase();
      try {
        const user = await fresh.role('locker', 'login');
        const make = async () => {
          const x = (await postgresAdapterFactory.create(fresh.profile({ user }), { projectDir: repoRoot, threads: 1 })) as PostgresAdapter;
          open.push(x);
          return x;
        };
        const a1 = await make();
        const a2 = await make();
        const first = await a1.lock('limited', lockOpts);
        expect(isLockHandle(first)).toBe(true);
        const second = await a2.lock('limited', lockOpts);
        expect(second).toEqual({
          heldBy: { pid: 0, host: '127.0.0.1', startedAt: expect.any(String), command: expect.stringMatching(/^\(backend \d+, tform \(run lock\) \[[^\]]+:\d+\]\)$/) },
        });
        if (isLockHandle(first)) await first.release();
        const third = await a2.lock('limited', lockOpts);
        expect(isLockHandle(third)).toBe(true);
        if (isLockHandle(third)) await third.release();
        expect(await a1.query(`select to_regclass('tform_state.run_locks') as t`)).toEqual([{ t: null }]);

        // A state table made by someone else that this role may not write: the same fallback.
        const admin = await fresh.connect();
        await admin.query(`create schema tform_state; grant usage on schema tform_state to ${user};
          create table tform_state.run_locks (lock_key text primary key, pid int, host text, started_at timestamptz, command text, backend_pid int);
          grant select on tform_state.run_locks to ${user}`);
        const fourth = await a1.lock('limited', lockOpts);
        expect(isLockHandle(fourth)).toBe(true);
        expect(await a2.lock('limited', lockOpts)).toEqual({ heldBy: expect.objectContaining({ pid: 0, host: '127.0.0.1' }) });
        if (isLockHandle(fourth)) await fourth.release();
      } finally {
        for (const x of open.splice(0)) await x.close();
        await fresh.drop();
      }
    });

    it('is released when the adapter is closed', async () => {
      const a1 = await adapter();
      const a2 = await adapter();
      expect(isLockHandle(await a1.lock('close-key', lockOpts))).toBe(true);
      await a1.close();
      const h = await a2.lock('close-key', lockOpts);
      expect(isLockHandle(h)).toBe(true);
      if (isLockHandle(h)) await h.release();
    });
  });
});
