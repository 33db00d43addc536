import { randomBytes } from 'node:crypto';
import * as os from 'node:os';
import { afterAll, beforeAll, it } from 'vitest';
import pg from 'pg';
import type { Adapter, TargetProfile } from '@tform/core';
import { postgresAdapterFactory } from '@tform/adapters/postgres';

/**
 * The PostgreSQL server the Postgres tests use: TFORM_PG_HOST / TFORM_PG_PORT / TFORM_PG_USER /
 * TFORM_PG_PASSWORD, default 127.0.0.1:5432 as root (trust auth in the dev and CI machines).
 * Every test file works in databases of its own (`tform_test_<random>`), made through a
 * maintenance connection to the `postgres` database and dropped afterwards.
 */
export const PG_SERVER = {
  host: process.env.TFORM_PG_HOST ?? '127.0.0.1',
  port: Number(process.env.TFORM_PG_PORT ?? 5432),
  user: process.env.TFORM_PG_USER ?? 'root',
  password: process.env.TFORM_PG_PASSWORD,
};

export type PgStatus = { ok: true } | { ok: false; reason: string };

/** Whether the server answers (a `select 1` on the maintenance database within 5 s). */
export async function pgAvailable(): Promise<PgStatus> {
  const c = new pg.Client({ ...PG_SERVER, database: 'postgres', connectionTimeoutMillis: 5_000 });
  c.on('error', () => {});
  try {
    await c.connect();
    await c.query('select 1');
    return { ok: true };
  } catch (e) {
    return { ok: false, reason: `PostgreSQL at ${PG_SERVER.host}:${PG_SERVER.port} (user ${PG_SERVER.user}) is not reachable: ${(e as Error).message}` };
  } finally {
    await c.end().catch(() => {});
  }
}

/**
 * Call at the top level of a test file: true when the server is reachable. Otherwise, with
 * CI=true, registers a test that fails (CI must have the server); elsewhere registers a skipped
 * test and prints why.
 */
export async function requirePostgres(): Promise<boolean> {
  const status = await pgAvailable();
  if (status.ok) return true;
  if (process.env.CI === 'true') {
    it('PostgreSQL is reachable (required when CI=true)', () => {
      throw new Error(status.reason);
    });
  } else {
    console.warn(`[postgres tests skipped] ${status.reason}`);
    it.skip(`PostgreSQL tests (skipped: ${status.reason})`, () => {});
  }
  return false;
}

async function maintenance<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ ...PG_SERVER, database: 'postgres' });
  c.on('error', () => {});
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end().catch(() => {});
  }
}

export interface TempDatabase {
  /** `tform_test_<random>` */
  name: string;
  /** A postgres target profile for this database (threads etc. in `extra`). */
  profile(extra?: Partial<TargetProfile>): TargetProfile;
  /** A new pg client on this database (the caller ends it, or drop() does). */
  connect(): Promise<pg.Client>;
  /** A cluster-wide role `tform_test_<random>_<suffix>` (with `attributes`, e.g. 'login'), dropped by drop(). */
  role(suffix: string, attributes?: string): Promise<string>;
  /** Drop the database (terminating its sessions) and the roles made by role(). */
  drop(): Promise<void>;
}

/** A fresh database; call drop() when done (afterAll). */
export async function withTempDatabase(): Promise<TempDatabase> {
  const name = `tform_test_${randomBytes(6).toString('hex')}`;
  await maintenance((c) => c.query(`create database ${name}`));
  const clients: pg.Client[] = [];
  const roles: string[] = [];
  return {
    name,
    profile: (extra = {}) => ({
      name: 'dev',
      type: 'postgres',
      schema: 'public',
      host: PG_SERVER.host,
      port: PG_SERVER.port,
      user: PG_SERVER.user,
      ...(PG_SERVER.password ? { password: PG_SERVER.password } : {}),
      dbname: name,
      ...extra,
    }),
    async connect() {
      const c = new pg.Client({ ...PG_SERVER, database: name });
      c.on('error', () => {});
      await c.connect();
      clients.push(c);
      return c;
    },
    async role(suffix: string, attributes = '') {
      const r = `${name}_${suffix}`;
      await maintenance((c) => c.query(`create role ${r} ${attributes}`));
      roles.push(r);
      return r;
    },
    async drop() {
      for (const c of clients.splice(0)) await c.end().catch(() => {});
      await maintenance(async (c) => {
        await c.query(`drop database if exists ${name} with (force)`);
        for (const r of roles.splice(0)) await c.query(`drop role if exists ${r}`);
      });
    },
  };
}

/**
 * Inside a describe block: a fresh database for the block and a Postgres adapter on it, made in
 * beforeAll and closed and dropped in afterAll. Call the returned getters inside tests.
 */
export function postgresAdapterFixture(threads = 2): { adapter: () => Adapter; db: () => TempDatabase } {
  let db: TempDatabase | undefined;
  let adapter: Adapter | undefined;
  beforeAll(async () => {
    db = await withTempDatabase();
    adapter = await postgresAdapterFactory.create(db.profile(), { projectDir: os.tmpdir(), threads });
  });
  afterAll(async () => {
    await adapter?.close();
    await db?.drop();
  });
  return { adapter: () => adapter!, db: () => db! };
}

/** A profiles.yml text with one Postgres target `dev` on database `dbname` of the test server. */
export function pgProfilesYml(o: { dbname: string; profile?: string; schema?: string; threads?: number }): string {
  return [
    `${o.profile ?? 'proj'}:`,
    '  target: dev',
    '  outputs:',
    '    dev:',
    '      type: postgres',
    `      host: ${PG_SERVER.host}`,
    `      port: ${PG_SERVER.port}`,
    `      user: ${PG_SERVER.user}`,
    ...(PG_SERVER.password ? [`      password: ${PG_SERVER.password}`] : []),
    `      dbname: ${o.dbname}`,
    `      schema: ${o.schema ?? 'public'}`,
    ...(o.threads ? [`      threads: ${o.threads}`] : []),
    '',
  ].join('\n');
}
