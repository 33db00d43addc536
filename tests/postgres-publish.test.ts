import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { DatabaseError, tmpRelation, type RelationKind, type RelationRef } from '@tform/core';
import { PostgresAdapter, postgresAdapterFactory } from '@tform/adapters/postgres';
import { requirePostgres, withTempDatabase, type TempDatabase } from './helpers/pg.js';

/**
 * The guarantees of the Postgres publish() for what depends on a published relation: views
 * outside tform, grants, indexes, concurrent readers. Statements are run the way the runner runs
 * them: the tmp relation built by autocommit statements, then the dialect's publish statements
 * (and post-hooks) inside adapter.transaction().
 */

const available = await requirePostgres();

describe.runIf(available)('Postgres publish keeps dependents working', () => {
  let db: TempDatabase;
  let a: PostgresAdapter;
  let reader: string;
  const clients: pg.Client[] = [];
  const target: RelationRef = { schema: 's', identifier: 't' };

  beforeAll(async () => {
    db = await withTempDatabase();
    reader = await db.role('reader');
  });
  afterAll(async () => {
    await db?.drop();
  });
  beforeEach(async () => {
    a = (await postgresAdapterFactory.create(db.profile({ schema: 's' }), { projectDir: '/', threads: 2 })) as PostgresAdapter;
    await a.execute('drop schema if exists s cascade; drop schema if exists other cascade; create schema s; create schema other');
    await a.execute(`grant usage on schema s, other to ${reader}`);
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) await c.end().catch(() => {});
    await a.close();
  });

  async function connect(): Promise<pg.Client> {
    const c = await db.connect();
    clients.push(c);
    return c;
  }

  /** Build `sql` into the tmp relation and publish it over `r`, as the runner does. */
  async function build(sql: string, o: { kind?: RelationKind; r?: RelationRef; postHooks?: string[] } = {}): Promise<void> {
    const r = o.r ?? target;
    const kind = o.kind ?? 'table';
    const d = a.dialect;
    const tmp = tmpRelation(r);
    const existing = (await a.listRelations(r.schema)).find((x) => x.identifier === r.identifier)?.kind;
    await a.execute(kind === 'table' ? d.createTableAs(tmp, sql) : d.createViewAs(tmp, sql));
    try {
      await a.transaction(async (tx) => {
        for (const s of d.publish(tmp, r, kind, existing)) await tx.execute(s);
        for (const h of o.postHooks ?? []) await tx.execute(h);
      });
    } catch (e) {
      await a.execute(d.dropRelation(tmp, kind)); // the runner's cleanup
      throw e;
    }
  }

  const rows = (n: number, from = 1) => `select g as id, 'v' || g as val from generate_series(${from}, ${from + n - 1}) g`;
  const count = async (rel: string) => Number((await a.query<{ n: bigint }>(`select count(*) n from ${rel}`))[0]!.n);
  const canSelect = async (role: string, rel: string) =>
    (await a.query<{ ok: boolean }>(`select has_table_privilege('${role}', '${rel}', 'select') as ok`))[0]!.ok;
  const indexes = async () => (await a.query<{ indexname: string }>(`select indexname from pg_indexes where schemaname = 's' and tablename = 't' order by 1`)).map((r) => r.indexname);
  const oid = async (rel: string) => (await a.query<{ oid: number }>(`select '${rel}'::regclass::oid::int as oid`))[0]!.oid;

  it('a view outside tform returns the new rows after each of five rebuilds', async () => {
    await build(rows(3));
    await a.execute('create view other.v as select id, val from s.t');
    const tableOid = await oid('s.t');
    for (let i = 1; i <= 5; i++) {
      await build(rows(3 + i, i * 100));
      expect(await a.query('select id, val from other.v order by id')).toEqual(
        Array.from({ length: 3 + i }, (_, k) => ({ id: i * 100 + k, val: `v${i * 100 + k}` })),
      );
    }
    expect(await oid('s.t')).toBe(tableOid); // replaced in place
    expect((await a.listRelations('s')).map((r) => r.identifier)).toEqual(['t']);
  });

  it('a rebuild that adds a column keeps the view (and views of it) working with the new rows', async () => {
    await build(rows(3));
    await a.execute('create view other.v as select id, val from s.t');
    await a.execute('create view other.vv as select id from other.v where id > 1');
    await a.execute(`comment on view other.v is 'made by hand'`);
    await build(`select g as id, 'w' || g as val, g * 2 as extra from generate_series(10, 14) g`);
    expect(await a.query('select * from other.v order by id')).toEqual([10, 11, 12, 13, 14].map((id) => ({ id, val: `w${id}` })));
    expect(await count('other.vv')).toBe(5);
    expect((await a.query(`select obj_description('other.v'::regclass, 'pg_class') as c`))[0]).toEqual({ c: 'made by hand' });
    expect(await a.columns({ schema: 's', identifier: 't' })).toEqual([
      { name: 'id', type: 'integer', nullable: true },
      { name: 'val', type: 'text', nullable: true },
      { name: 'extra', type: 'integer', nullable: true },
    ]);
    // and again: a rebuild with the new columns goes in place
    const tableOid = await oid('s.t');
    await build(`select g as id, 'x' || g as val, g as extra from generate_series(1, 2) g`);
    expect(await oid('s.t')).toBe(tableOid);
    expect(await a.query('select * from other.v order by id')).toEqual([
      { id: 1, val: 'x1' },
      { id: 2, val: 'x2' },
    ]);
  });

  it('a rebuild that drops a column a view uses fails naming the view and the column, leaving table and view intact', async () => {
    await build(rows(4));
    await a.execute('create view other.v as select id, val from s.t');
    const before = await a.query('select * from s.t order by id');
    const viewDef = await a.query(`select pg_get_viewdef('other.v'::regclass) as d`);
    const err = await build('select g as id from generate_series(1, 9) g').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatabaseError);
    expect((err as Error).message).toMatch(/^tform: cannot publish s\.t: view other\.v uses column "val", which the new s\.t does not have\n/);
    expect((err as Error).message).toMatch(/DETAIL: Nothing was changed: the old s\.t and its dependent views are intact/);
    expect(err).toMatchObject({ sqlState: '2BP01' });
    expect(await a.query('select * from s.t order by id')).toEqual(before);
    expect(await a.query('select id, val from other.v order by id')).toEqual(before);
    expect(await a.query(`select pg_get_viewdef('other.v'::regclass) as d`)).toEqual(viewDef);
    expect((await a.listRelations('s')).map((r) => r.identifier)).toEqual(['t']);
  });

  it('a view that breaks on a changed type fails the publish and rolls everything back', async () => {
    await build(rows(2));
    await a.execute('create view other.v as select id + 1 as next_id, val from s.t');
    const err = await build(`select 'a' || g as id, 'v' as val from generate_series(1, 3) g`).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/^tform: cannot publish s\.t: could not recreate view other\.v: operator does not exist: text \+ integer/);
    expect(await a.query('select next_id from other.v order by 1')).toEqual([{ next_id: 2 }, { next_id: 3 }]);
  });

  it('a grant and an index survive rebuilds with unchanged and with changed columns, and view grants survive', async () => {
    await build(rows(3));
    await a.execute('create view other.v as select id, val from s.t');
    await a.execute(`grant select on s.t to ${reader}`);
    await a.execute(`grant select on other.v to ${reader} with grant option`);
    await a.execute(`grant select (val) on other.v to public`);
    await a.execute('create index t_id_idx on s.t (id)');
    await a.execute('create unique index t_val_idx on s.t (val) where id > 0');

    await build(rows(5)); // unchanged columns
    expect(await canSelect(reader, 's.t')).toBe(true);
    expect(await indexes()).toEqual(['t_id_idx', 't_val_idx']);

    await build(`select g as id, 'v' || g as val, now() as loaded_at from generate_series(1, 6) g`); // changed columns
    expect(await canSelect(reader, 's.t')).toBe(true);
    expect(await canSelect(reader, 'other.v')).toBe(true);
    expect(await indexes()).toEqual(['t_id_idx', 't_val_idx']);
    expect((await a.query(`select indexdef from pg_indexes where indexname = 't_val_idx'`))[0]).toEqual({
      indexdef: 'CREATE UNIQUE INDEX t_val_idx ON s.t USING btree (val) WHERE (id > 0)',
    });
    const acl = (await a.query<{ acl: string }>(`select relacl::text as acl from pg_class where oid = 'other.v'::regclass`))[0]!.acl;
    expect(acl).toContain(`${reader}=r*/`);
    expect((await a.query<{ acl: string }>(`select attacl::text as acl from pg_attribute where attrelid = 'other.v'::regclass and attname = 'val'`))[0]!.acl).toMatch(/^\{=r\//);
    expect(await count('other.v')).toBe(6);

    // An index on a column the model dropped is left out with a warning (no view uses it).
    await a.execute('create index t_loaded_idx on s.t (loaded_at)');
    await build(rows(2));
    expect(await indexes()).toEqual(['t_id_idx', 't_val_idx']);
    expect(await canSelect(reader, 's.t')).toBe(true);
  });

  it('carries constraints, defaults, comments, owner-side settings and policies across a change of columns', async () => {
    const other = await db.role('owner');
    await build(rows(3));
    await a.execute(`
      alter table s.t add constraint t_pk primary key (id);
      alter table s.t add constraint val_check check (val <> '');
      alter table s.t alter column val set default 'none';
      comment on table s.t is 'the table';
      comment on column s.t.val is 'a value';
      alter table s.t set (fillfactor = 70);
      alter table s.t enable row level security;
      create policy only_small on s.t for select to ${reader} using (id < 100);
      grant update (val) on s.t to ${reader};
      create function s.touch() returns trigger language plpgsql as $$ begin return new; end $$;
      create trigger t_touch before insert on s.t for each row execute function s.touch();
      create materialized view other.m as select id, val from s.t;
      create index m_idx on other.m (id);
      grant ${other} to current_user;
      grant select on s.t to ${other};
      create view other.owned as select id from s.t;
      alter view other.owned owner to ${other};`);
    await build(`select g as id, 'v' || g as val, true as flag from generate_series(1, 4) g`);

    const q = async (sql: string) => a.query(sql);
    expect(await q(`select conname, pg_get_constraintdef(oid) as def from pg_constraint where conrelid = 's.t'::regclass order by 1`)).toEqual([
      { conname: 't_pk', def: 'PRIMARY KEY (id)' },
      { conname: 'val_check', def: "CHECK ((val <> ''::text))" },
    ]);
    expect(await q(`select obj_description('s.t'::regclass, 'pg_class') as t, col_description('s.t'::regclass, 2) as c`)).toEqual([{ t: 'the table', c: 'a value' }]);
    expect(await q(`select reloptions::text as o, relrowsecurity as rls from pg_class where oid = 's.t'::regclass`)).toEqual([{ o: '{fillfactor=70}', rls: true }]);
    expect(await q(`select policyname, roles::text, qual from pg_policies where tablename = 't'`)).toEqual([{ policyname: 'only_small', roles: `{${reader}}`, qual: '(id < 100)' }]);
    expect(await q(`select column_default as d from information_schema.columns where table_schema = 's' and table_name = 't' and column_name = 'val'`)).toEqual([{ d: "'none'::text" }]);
    expect(await q(`select has_column_privilege('${reader}', 's.t', 'val', 'update') as ok`)).toEqual([{ ok: true }]);
    expect(await q(`select tgname from pg_trigger where tgrelid = 's.t'::regclass and not tgisinternal`)).toEqual([{ tgname: 't_touch' }]);
    expect(await q(`select count(*)::int as n, (select relispopulated from pg_class where oid = 'other.m'::regclass) as populated from other.m`)).toEqual([{ n: 4, populated: true }]);
    expect(await q(`select indexname from pg_indexes where schemaname = 'other' and tablename = 'm'`)).toEqual([{ indexname: 'm_idx' }]);
    expect(await q(`select pg_get_userbyid(relowner) as owner from pg_class where oid = 'other.owned'::regclass`)).toEqual([{ owner: other }]);
    // Row level security applies to the view's owner, whom no policy admits: it came along too.
    expect(await q('select count(*)::int as n from other.owned')).toEqual([{ n: 0 }]);
  });

  it('a policy that cannot be recreated fails the publish instead of being dropped', async () => {
    await build(rows(3));
    await a.execute(`alter table s.t enable row level security; create policy by_val on s.t for select using (val <> 'secret')`);
    const err = await build('select g as id from generate_series(1, 3) g').catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/^tform: cannot publish s\.t: could not recreate policy by_val on s\.t: column "val" does not exist/);
    expect(await a.query(`select policyname from pg_policies where tablename = 't'`)).toEqual([{ policyname: 'by_val' }]);
    expect(await a.columns(target)).toHaveLength(2);
  });

  it('refuses to replace a table that other tables reference by foreign key', async () => {
    await build(rows(3));
    await a.execute('alter table s.t add primary key (id); create table other.child (t_id int references s.t (id) on delete cascade); insert into other.child values (1)');
    const err = await build(rows(3)).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/^tform: cannot publish s\.t: it is referenced by foreign key child_t_id_fkey on other\.child/);
    expect(await count('other.child')).toBe(1);
  });

  it('publishes views: compatible in place, incompatible through the dance, and changes of kind', async () => {
    const vr: RelationRef = { schema: 's', identifier: 'v' };
    await build(rows(3));
    await build('select id, val from s.t', { kind: 'view', r: vr });
    await a.execute(`create view other.on_v as select id from s.v; grant select on s.v to ${reader}`);
    const viewOid = await oid('s.v');
    await build('select id, val, id * 10 as more from s.t', { kind: 'view', r: vr }); // adds a column: create or replace
    expect(await oid('s.v')).toBe(viewOid);
    expect(await a.query('select * from s.v order by id limit 1')).toEqual([{ id: 1, val: 'v1', more: 10 }]);

    await build('select id::bigint as id, upper(val) as val from s.t', { kind: 'view', r: vr }); // retypes id: dance
    expect(await oid('s.v')).not.toBe(viewOid);
    expect(await a.query('select * from other.on_v order by id limit 1')).toEqual([{ id: 1n }]);
    expect(await canSelect(reader, 's.v')).toBe(true);

    await build('select 7::bigint as id', { kind: 'table', r: vr }); // view → table
    expect((await a.listRelations('s')).find((r) => r.identifier === 'v')?.kind).toBe('table');
    expect(await a.query('select * from other.on_v')).toEqual([{ id: 7n }]);
    expect(await canSelect(reader, 's.v')).toBe(true);

    await build('select id::bigint as id from s.t', { kind: 'view', r: vr }); // table → view
    expect((await a.listRelations('s')).find((r) => r.identifier === 'v')?.kind).toBe('view');
    expect(await count('other.on_v')).toBe(3);
    expect(await canSelect(reader, 's.v')).toBe(true);
  });

  it('a failing post-hook after a column change rolls back to the old table and views', async () => {
    await build(rows(3));
    await a.execute('create view other.v as select id from s.t');
    await expect(build('select g as id, 1 as x from generate_series(1, 9) g', { postHooks: ['select 1/0'] })).rejects.toThrow(/division by zero/);
    expect(await count('other.v')).toBe(3);
    expect(await a.columns(target)).toHaveLength(2);
  });

  it('a REPEATABLE READ reader never sees an empty or partial table across a publish', async () => {
    await build(rows(1000));
    const rr = await connect();
    for (let i = 0; i < 3; i++) {
      const before = await count('s.t');
      await rr.query('begin isolation level repeatable read');
      const first = Number((await rr.query('select count(*) as n from s.t')).rows[0].n);
      const next = before === 1000 ? 1500 : 1000;
      await build(rows(next, 1 + i * 10_000));
      const second = Number((await rr.query('select count(*) as n from s.t')).rows[0].n);
      await rr.query('commit');
      expect([first, second]).toEqual([before, before]); // its snapshot: all old rows
      expect(Number((await rr.query('select count(*) as n from s.t')).rows[0].n)).toBe(next);
    }

    // A RR transaction whose snapshot was taken before the publish but which reads the table only
    // after it committed still sees the old rows (TRUNCATE would show it an empty table).
    await rr.query('begin isolation level repeatable read');
    await rr.query('select 1');
    const old = await count('s.t');
    await build(rows(old === 1000 ? 1500 : 1000));
    expect(Number((await rr.query('select count(*) as n from s.t')).rows[0].n)).toBe(old);
    await rr.query('commit');
  });

  it('a read-committed reader polling during 20 publishes only ever sees the old or the new count', async () => {
    const A = 2000;
    const B = 3000;
    await build(rows(A));
    const poller = await connect();
    const seen = new Map<number, number>();
    let stop = false;
    let polls = 0;
    const polling = (async () => {
      while (!stop) {
        const n = Number((await poller.query('select count(*) as n from s.t')).rows[0].n);
        seen.set(n, (seen.get(n) ?? 0) + 1);
        polls++;
      }
    })();
    for (let i = 0; i < 20; i++) await build(rows(i % 2 === 0 ? B : A, i * 10_000));
    stop = true;
    await polling;
    expect([...seen.keys()].filter((n) => n !== A && n !== B)).toEqual([]);
    expect(seen.has(A) && seen.has(B)).toBe(true); // it did read across publishes
    expect(polls).toBeGreaterThan(20);
    expect(await count('s.t')).toBe(A);
  });
});
