import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { RunLogStore, type Adapter, type RunLogEntry } from '@tform/core';
import { duckdbAdapterFactory } from '@tform/adapters/duckdb';
import { postgresAdapterFactory } from '@tform/adapters/postgres';
import { DB_FILE, makeProject, profilesYml } from './fixture.js';
import { pgProfilesYml, requirePostgres, withTempDatabase, type TempDatabase } from './pg.js';

/**
 * A warehouse the operations tests run on: DuckDB (a file inside each project) or a Postgres
 * test database (one per test file; each project gets its own name and schema, so their run
 * state does not mix).
 */
export interface OpsWarehouse {
  label: string;
  /** profiles.yml for a project named `name`. */
  profiles(name: string): string;
  /** The target schema of the project named `name` (where its seeds and models are). */
  schemaOf(name: string): string;
  /** An adapter on the project's warehouse (open it after the CLI process exited), closed after fn. */
  withAdapter<T>(dir: string, name: string, fn: (a: Adapter) => Promise<T>): Promise<T>;
}

export function duckdbWarehouse(): OpsWarehouse {
  return {
    label: 'DuckDB',
    profiles: (name) => profilesYml({ profile: name }),
    schemaOf: () => 'main',
    async withAdapter(dir, _name, fn) {
      const a = await duckdbAdapterFactory.create({ name: 'dev', type: 'duckdb', schema: 'main', path: path.join(dir, DB_FILE) }, { projectDir: dir, threads: 1 });
      try {
        return await fn(a);
      } finally {
        await a.close();
      }
    },
  };
}

export function postgresWarehouse(db: () => TempDatabase): OpsWarehouse {
  return {
    label: 'Postgres',
    profiles: (name) => pgProfilesYml({ dbname: db().name, profile: name, schema: name, threads: 1 }),
    schemaOf: (name) => name,
    async withAdapter(dir, name, fn) {
      const a = await postgresAdapterFactory.create(db().profile({ schema: name }), { projectDir: dir, threads: 1 });
      try {
        return await fn(a);
      } finally {
        await a.close();
      }
    },
  };
}

let projects = 0;

/**
 * A project with a fresh name (`ops_<pid>_<n>`) on `wh`: tform_project.yml (plus `more`),
 * profiles.yml and `files` (or the files made for that name).
 */
export function opsProject(wh: OpsWarehouse, files: Record<string, string> | ((name: string) => Record<string, string>), more = ''): { dir: string; name: string } {
  const name = `ops_${process.pid}_${++projects}`;
  const own = typeof files === 'function' ? files(name) : files;
  const dir = makeProject({ 'tform_project.yml': `name: ${name}\nprofile: ${name}\n${more}`, 'profiles.yml': wh.profiles(name), ...own });
  return { dir, name };
}

/** target/run_results.json of a project. */
export function runResults(dir: string): { metadata: { invocationId: string; command: string; targetName: string }; results: Record<string, unknown>[] } {
  return JSON.parse(fs.readFileSync(path.join(dir, 'target', 'run_results.json'), 'utf8'));
}

/** The run log rows of one run. */
export function runLogOf(wh: OpsWarehouse, dir: string, name: string, runId: string): Promise<RunLogEntry[]> {
  return wh.withAdapter(dir, name, (a) => new RunLogStore(a, a.dialect).ofRun(runId));
}

/** Every run log row (of every project on the warehouse), as `run_id node_id status`. */
export function allRunLog(wh: OpsWarehouse, dir: string, name: string): Promise<string[]> {
  return wh.withAdapter(dir, name, async (a) => {
    const q = (n: string) => a.dialect.quoteIdent(n);
    const exists = await a.query(`select count(*) as n from information_schema.tables where table_schema = 'tform_state' and table_name = 'run_log'`);
    if (Number(exists[0]?.n ?? 0) === 0) return [];
    const rows = await a.query(`select ${q('run_id')} as r, ${q('node_id')} as n, ${q('status')} as s from tform_state.run_log order by 1, 2`);
    return rows.map((r) => `${String(r.r)} ${String(r.n)} ${String(r.s)}`);
  });
}

/** The run log rows equal the run_results.json entries of the same run, field by field, in order. */
export function expectRunLogEqualsRunResults(log: RunLogEntry[], doc: ReturnType<typeof runResults>): void {
  const iso = (d: Date | null) => (d ? d.toISOString() : null);
  expect(log.map((e) => ({
    seq: e.seq,
    runId: e.runId,
    command: e.command,
    target: e.target,
    uniqueId: e.nodeId,
    resourceType: e.resourceType,
    status: e.status,
    message: e.message,
    startedAt: iso(e.startedAt),
    completedAt: iso(e.endedAt),
    executionTime: e.executionTime,
    rowsAffected: e.rowsAffected,
    failures: e.failures,
    compiledPath: e.compiledPath,
  }))).toEqual(
    doc.results.map((r, seq) => ({
      seq,
      runId: doc.metadata.invocationId,
      command: doc.metadata.command,
      target: doc.metadata.targetName,
      uniqueId: r.uniqueId,
      resourceType: r.resourceType,
      status: r.status,
      message: r.message,
      startedAt: r.startedAt ?? null,
      completedAt: r.completedAt ?? null,
      executionTime: r.executionTime,
      rowsAffected: r.rowsAffected ?? null,
      failures: r.failures ?? null,
      compiledPath: r.compiledPath ?? null,
    })),
  );
}

/**
 * `describe(title)` running `suite` on a fresh Postgres test database, dropped afterwards; skipped
 * with a reason without a server, failing with CI=true (see requirePostgres).
 */
export async function onPostgres(title: string, suite: (wh: () => OpsWarehouse) => void): Promise<void> {
  const hasPg = await requirePostgres();
  describe.runIf(hasPg)(title, () => {
    let db: TempDatabase;
    beforeAll(async () => {
      db = await withTempDatabase();
    });
    afterAll(async () => {
      await db?.drop();
    });
    suite(() => postgresWarehouse(() => db));
  });
}
