/**
 * `tform build`, `run` and `run --dry-run` on a BigQuery target, end to end through core's
 * workflow, against the local stand-in of the REST API (tests/helpers/bigqueryStandIn.ts):
 * the jobs a build sends in order — the run lock's row written and cleared, tmp tables, the
 * tests on tmp before a WRITE_TRUNCATE copy job publishes, `create or replace view`, a seed's
 * load job, an incremental model's MERGE and a microbatch model's insert_overwrite inside a
 * session transaction with the state update, DDL kept out of it — plus a syntax error mapped to
 * the model's file and line, and dry-run byte estimates.
 *
 * The stand-in does not evaluate SQL: these tests check what is sent and in which order, not
 * query results (the live test does that, see tests/bigquery-live.test.ts).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MemoryLogger, executeBuild, openProject, type ExecuteResult, type OpenProject } from '@tform/core';
import { bigqueryAdapterFactoryWith } from '@tform/adapters/bigquery';
import { BigQueryStandIn, emulateTformTables, fakeAuthClient, guardNetwork, type RecordedRequest } from './helpers/bigqueryStandIn.js';
import { cleanupProjects, makeProject } from './helpers/fixture.js';

process.env.METADATA_SERVER_DETECTION = 'none';
const net = guardNetwork();
let s: BigQueryStandIn;
let tables: ReturnType<typeof emulateTformTables>;

beforeAll(async () => {
  s = await new BigQueryStandIn().start();
  tables = emulateTformTables(s);
});
afterAll(async () => {
  await s.stop();
  net.restore();
});
afterEach(cleanupProjects);

const PROFILES = `proj:
  target: dev
  outputs:
    dev:
      type: bigquery
      project: tform-test
      dataset: analytics
      location: US
      job_labels: {team: data}
      threads: 1
`;

function project(files: Record<string, string>, more = ''): string {
  return makeProject({ 'tform_project.yml': `name: proj\nprofile: proj\n${more}`, 'profiles.yml': PROFILES, ...files }, 'tform-bq-');
}

async function openIt(dir: string, now = '2024-01-03T12:00:00Z'): Promise<OpenProject & { logger: MemoryLogger }> {
  const logger = new MemoryLogger();
  const factory = bigqueryAdapterFactoryWith({ authClient: fakeAuthClient(), apiEndpoint: s.url, sleep: async () => {}, pollMs: 1, lock: { heartbeatMs: 3_600_000 } });
  const p = await openProject({ projectDir: dir, logger, builtins: { bigquery: async () => factory }, env: { HOME: dir }, now, command: 'build' });
  return Object.assign(p, { logger });
}

async function build(dir: string, o: Partial<Parameters<typeof executeBuild>[1]> = {}): Promise<{ r: ExecuteResult; log: string; requests: RecordedRequest[] }> {
  const from = s.requests.length;
  const p = await openIt(dir);
  try {
    const r = await executeBuild(p, { command: 'build', ...o });
    return { r, log: p.logger.text, requests: s.requests.slice(from) };
  } finally {
    await p.adapter?.close();
  }
}

type Cfg = { query?: { query: string; connectionProperties?: { key: string; value: string }[]; createSession?: boolean }; copy?: Record<string, unknown>; load?: Record<string, unknown>; dryRun?: boolean; labels?: Record<string, string> };
const cfg = (r: RecordedRequest) => (r.body as { configuration: Cfg }).configuration;
const jobInserts = (list: RecordedRequest[]) => list.filter((r) => r.method === 'POST' && /\/jobs$/.test(r.path) && !cfg(r).dryRun);
/**
 * Each job as one line: its SQL on one line (cut at 200 characters), `COPY a -> b`, `LOAD -> t`;
 * `[s] ` first when it ran in a session. `internal: false` leaves out the run lock's and the
 * state's statements and the transaction's BEGIN/COMMIT.
 */
function jobLines(list: RecordedRequest[], o: { internal?: boolean } = {}): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const r of jobInserts(list)) {
    const id = (r.body as { jobReference: { jobId: string } }).jobReference.jobId;
    if (seen.has(id)) continue;
    seen.add(id);
    const c = cfg(r);
    if (c.copy) out.push(`COPY ${(c.copy.sourceTables as { tableId: string }[])[0]!.tableId} -> ${(c.copy.destinationTable as { tableId: string }).tableId} ${String(c.copy.writeDisposition)}`);
    else if (c.load) out.push(`LOAD -> ${(c.load.destinationTable as { tableId: string }).tableId}`);
    else {
      const session = c.query!.connectionProperties?.some((p) => p.key === 'session_id') ? '[s] ' : '';
      if (o.internal === false && /tform_state|INFORMATION_SCHEMA|^BEGIN TRANSACTION|^COMMIT TRANSACTION|ABORT_SESSION/.test(c.query!.query)) continue;
      out.push(`${session}${c.query!.query.replace(/\s+/g, ' ').trim().slice(0, 200)}`);
    }
  }
  return out;
}

/** Each line starts with the prefix at its index (prefixes stay readable; a mismatch shows the line). */
function expectPrefixes(lines: string[], prefixes: (string | RegExp)[]): void {
  expect(lines.map((l, i) => { const p = prefixes[i]; return p === undefined ? l : typeof p === 'string' ? (l.startsWith(p) ? p : l) : p.test(l) ? p : l; })).toEqual(prefixes);
}

describe('tform build on BigQuery (stand-in)', () => {
  it('builds a seed, a table and a view: load job, tests on tmp, WRITE_TRUNCATE copy, create or replace view; the run lock is taken first and cleared last', async () => {
    const dir = project({
      'seeds/countries.csv': 'code,name\nDE,Germany\nFR,France\n',
      'models/orders.sql': "{{ config(materialized='table', partition_by={'field': 'day', 'data_type': 'date'}, cluster_by='country') }}\nselect 1 as id, current_date() as day, 'DE' as country\n",
      'models/orders_v.sql': "{{ config(materialized='view') }}\nselect id from {{ ref('orders') }}\n",
      'models/schema.yml': 'version: 2\nmodels:\n  - name: orders\n    columns:\n      - name: id\n        data_tests: [not_null]\n',
    });
    s.onQuery(/as failures/, { fields: [{ name: 'failures', type: 'INTEGER' }], rows: [{ failures: 0 }] });
    const { r, requests } = await build(dir);
    expect(r.exitCode).toBe(0);
    expect(r.outcome!.results.map((x) => [x.name, x.status])).toEqual([
      ['orders', 'success'],
      ['countries', 'success'],
      ['orders_v', 'success'],
      ['not_null_orders_id', 'pass'],
    ]);
    const lines = jobLines(requests);
    expectPrefixes(jobLines(requests, { internal: false }), [
      'create schema if not exists `tform-test`.`analytics` options (location = \'US\')',
      'LOAD -> countries__tform_tmp',
      'COPY countries__tform_tmp -> countries WRITE_TRUNCATE',
      'drop table if exists `tform-test`.`analytics`.`countries__tform_tmp`',
      'create table `tform-test`.`analytics`.`orders__tform_tmp` partition by `day` cluster by `country` as ( select 1 as id',
      /^select count\(\*\) as failures from `tform-test`\.`analytics`\.`orders__tform_tmp`/,
      'COPY orders__tform_tmp -> orders WRITE_TRUNCATE',
      'drop table if exists `tform-test`.`analytics`.`orders__tform_tmp`',
      'create view `tform-test`.`analytics`.`orders_v__tform_tmp` as ( select id from `tform-test`.`analytics`.`orders` )',
      'create or replace view `tform-test`.`analytics`.`orders_v` as ( select id from `tform-test`.`analytics`.`orders` )',
      'drop view if exists `tform-test`.`analytics`.`orders_v__tform_tmp`',
    ]);
    // the test ran on the tmp table, before the copy published it
    const test = lines.findIndex((l) => l.includes('failures') && l.includes('orders__tform_tmp'));
    expect(test).toBeGreaterThan(lines.findIndex((l) => l.startsWith('create table `tform-test`.`analytics`.`orders__tform_tmp`')));
    expect(test).toBeLessThan(lines.indexOf('COPY orders__tform_tmp -> orders WRITE_TRUNCATE'));
    // the lock row is the first write and its release the last statement
    expect(lines.findIndex((l) => l.startsWith('merge into `tform-test`.`tform_state`.`run_locks`'))).toBeLessThan(lines.findIndex((l) => l.startsWith('create schema if not exists `tform-test`.`analytics`')));
    expect(lines.at(-1)).toMatch(/^delete from `tform-test`\.`tform_state`\.`run_locks` where `lock_key` = 'tform:proj:dev' and `token` = 'tform_lock_[0-9a-f]+'$/);
    expect(tables.lock.token).toBeUndefined();
    expect(tables.lock.released).toEqual(tables.lock.taken);
    // the seed's CSV went with its load job; every job carries the profile's labels
    expect(requests.find((q) => q.path.startsWith('/upload/'))!.media).toBe('code,name\nDE,Germany\nFR,France\n');
    expect(jobInserts(requests).every((q) => cfg(q).labels?.team === 'data')).toBe(true);
    expect(s.tables.has('tform-test.analytics.orders')).toBe(true);
    expect(s.tables.has('tform-test.analytics.orders__tform_tmp')).toBe(false);
  });

  it('an incremental merge: the checks run before the transaction, MERGE and the tests inside it (one session), the tmp table is dropped after COMMIT', async () => {
    const fields = [
      { name: 'id', type: 'INTEGER' },
      { name: 'amount', type: 'FLOAT' },
    ];
    s.addTable('tform-test', 'analytics', 'payments', { fields });
    s.createdFields.set('payments__tform_tmp', fields);
    s.onQuery(/as failures/, { fields: [{ name: 'failures', type: 'INTEGER' }], rows: [{ failures: 0 }] });
    s.onQuery(/^merge into `tform-test`\.`analytics`\.`payments`/, { dmlRows: 7 });
    const dir = project({
      'models/payments.sql': "{{ config(materialized='incremental', unique_key='id', incremental_strategy='merge') }}\nselect 1 as id, 2.5 as amount\n{% if is_incremental() %}where id > (select max(id) from {{ this }}){% endif %}\n",
      'models/schema.yml': 'version: 2\nmodels:\n  - name: payments\n    columns:\n      - name: id\n        data_tests: [not_null]\n',
    });
    const { r, requests } = await build(dir, { select: ['payments'] });
    expect(r.exitCode).toBe(0);
    expect(r.outcome!.results.find((x) => x.name === 'payments')).toMatchObject({ status: 'success', rowsAffected: 7 });
    const lines = jobLines(requests, { internal: false }).filter((l) => !l.startsWith('create schema'));
    expectPrefixes(lines, [
      'create table `tform-test`.`analytics`.`payments__tform_tmp` as ( select 1 as id, 2.5 as amount where id > (select max(id)',
      "select case when exists ( select 1 from `tform-test`.`analytics`.`payments__tform_tmp` where `id` is null ) then error('i",
      "select case when exists ( select 1 from `tform-test`.`analytics`.`payments__tform_tmp` group by `id` having count(*) > 1 ) t",
      '[s] merge into `tform-test`.`analytics`.`payments` as t using `tform-test`.`analytics`.`payments__tform_tmp` as s on t.`id',
      /^\[s\] select .*failures.*from `tform-test`\.`analytics`\.`payments`/,
      'drop table if exists `tform-test`.`analytics`.`payments__tform_tmp`',
    ]);
    const all = jobLines(requests);
    const merge = all.findIndex((l) => l.startsWith('[s] merge into `tform-test`.`analytics`.`payments`'));
    expect(all[merge - 1]).toBe('BEGIN TRANSACTION');
    expect(all.indexOf('[s] COMMIT TRANSACTION', merge)).toBeLessThan(all.indexOf('drop table if exists `tform-test`.`analytics`.`payments__tform_tmp`'));
    const mergeSql = jobInserts(requests).map((q) => cfg(q).query?.query ?? '').find((q) => q.startsWith('merge into `tform-test`.`analytics`.`payments`'))!;
    expect(mergeSql).toBe(
      'merge into `tform-test`.`analytics`.`payments` as t\nusing `tform-test`.`analytics`.`payments__tform_tmp` as s\non t.`id` = s.`id`\nwhen matched then update set `amount` = s.`amount`\nwhen not matched then insert (`id`, `amount`) values (s.`id`, s.`amount`)',
    );
    expect(all.some((l) => l.startsWith('COPY'))).toBe(false);
  });

  it('a microbatch model: each day is an insert_overwrite MERGE of that day in a session transaction, with the interval record after it', async () => {
    const evFields = [
      { name: 'id', type: 'INTEGER' },
      { name: 'ts', type: 'TIMESTAMP' },
    ];
    s.addTable('tform-test', 'analytics', 'events', { fields: evFields });
    s.addTable('tform-test', 'analytics', 'mb', { fields: evFields, timePartitioning: { type: 'DAY', field: 'ts' } });
    s.createdFields.set('mb__tform_tmp', evFields);
    const dir = project({
      'models/events.sql': "{{ config(materialized='table', event_time='ts') }}\nselect 1 as id, current_timestamp() as ts\n",
      'models/mb.sql': "{{ config(materialized='incremental', incremental_strategy='microbatch', event_time='ts', batch_size='day', begin='2024-01-02', lookback=0, partition_by={'field': 'ts', 'data_type': 'timestamp'}) }}\nselect id, ts from {{ ref('events') }}\n",
    });
    const { r, requests } = await build(dir, { select: ['mb'] });
    expect(r.exitCode).toBe(0);
    const sqls = jobInserts(requests).map((q) => ({ sql: cfg(q).query?.query ?? '', session: cfg(q).query?.connectionProperties?.[0]?.value }));
    const overwrites = sqls.filter((q) => q.sql.startsWith('merge into `tform-test`.`analytics`.`mb`'));
    expect(overwrites.map((q) => q.sql)).toEqual([
      "merge into `tform-test`.`analytics`.`mb` as t\nusing `tform-test`.`analytics`.`mb__tform_tmp` as s\non false\nwhen not matched by source and t.`ts` >= timestamp '2024-01-02 00:00:00' and t.`ts` < timestamp '2024-01-03 00:00:00' then delete\nwhen not matched then insert (`id`, `ts`) values (s.`id`, s.`ts`)",
      "merge into `tform-test`.`analytics`.`mb` as t\nusing `tform-test`.`analytics`.`mb__tform_tmp` as s\non false\nwhen not matched by source and t.`ts` >= timestamp '2024-01-03 00:00:00' and t.`ts` < timestamp '2024-01-04 00:00:00' then delete\nwhen not matched then insert (`id`, `ts`) values (s.`id`, s.`ts`)",
    ]);
    // the batch's rows were read for their refs' day only
    expect(sqls.find((q) => q.sql.startsWith('create table `tform-test`.`analytics`.`mb__tform_tmp`'))!.sql).toContain("where `ts` >= timestamp '2024-01-02 00:00:00' and `ts` < timestamp '2024-01-03 00:00:00'");
    for (const o of overwrites) {
      expect(o.session).toBeDefined();
      const at = sqls.indexOf(o);
      const record = sqls.findIndex((q, i) => i > at && q.sql.startsWith('merge into `tform-test`.`tform_state`.`intervals`'));
      expect(sqls[record]!.session).toBe(o.session);
      expect(sqls.findIndex((q, i) => i > at && q.sql === 'COMMIT TRANSACTION')).toBeGreaterThan(record);
      // the interval record: typed by the table's own columns, so NULLs take their types
      expect(sqls[record]!.sql).toMatch(/^merge into `tform-test`\.`tform_state`\.`intervals` as t\nusing \(\n  select `model_id`, `interval_start`, `interval_end`, `status`, `run_id`, `rows_affected`, `processed_at`, `checksum` from `tform-test`\.`tform_state`\.`intervals` where false\n  union all select 'model\.proj\.mb', timestamp '2024-01-0[23] 00:00:00'/);
    }
    expect(sqls.some((q) => q.sql.startsWith('delete from `tform-test`.`analytics`.`mb`'))).toBe(false);
  });

  it('a syntax error is reported at the model file\'s line, with BigQuery\'s message; nothing is published', async () => {
    s.onQuery(/^create table `tform-test`\.`analytics`\.`bad__tform_tmp`/, { error: { reason: 'invalidQuery', message: 'Syntax error: Expected end of input but got identifier "frm" at [5:1]', location: 'query' } });
    const dir = project({ 'models/bad.sql': "{{ config(materialized='table') }}\nselect 1 as id,\n  2 as x\nfrm nowhere\n" });
    const { r, requests } = await build(dir);
    expect(r.exitCode).toBe(1);
    const bad = r.outcome!.results.find((x) => x.name === 'bad')!;
    expect(bad.status).toBe('error');
    // line 5 of `create table … as (\n<model>`: line 4 of the model's compiled SQL and of its file
    expect(bad.error).toEqual({ message: 'Syntax error: Expected end of input but got identifier "frm" at [5:1]', file: 'models/bad.sql', line: 4, compiledLine: 4 });
    expect(jobLines(requests).some((l) => l.startsWith('COPY'))).toBe(false);
  });

  it('run --dry-run: a dry-run job per model, the bytes each would process and the total; a model reading one not built yet says "estimate unavailable"', async () => {
    s.onQuery((sql, job) => (job as { configuration: Cfg }).configuration.dryRun === true && sql.includes('`raw_events`'), { bytes: 1024 * 1024 });
    s.onQuery((sql, job) => (job as { configuration: Cfg }).configuration.dryRun === true && sql.includes('`daily`'), {
      dryRunError: { status: 404, reason: 'notFound', message: 'Not found: Table tform-test:analytics.daily was not found in location US' },
    });
    const dir = project({
      'models/daily.sql': "{{ config(materialized='table') }}\nselect date(ts) as day, count(*) as n from `tform-test`.`landing`.`raw_events` group by 1\n",
      'models/kpis.sql': "{{ config(materialized='table') }}\nselect max(n) as peak from {{ ref('daily') }}\n",
      'models/kpis_v.sql': "select * from {{ ref('kpis') }}\n",
    });
    const from = s.requests.length;
    const p = await openIt(dir);
    let r: ExecuteResult;
    try {
      r = await executeBuild(p, { command: 'run', dryRun: true });
    } finally {
      await p.adapter?.close();
    }
    expect(r.exitCode).toBe(0);
    const log = p.logger.text;
    expect(log).toContain('-- Bytes each model would process (dry run):');
    expect(log).toMatch(/--   daily +1\.00 MiB\n/);
    expect(log).toMatch(/--   kpis +estimate unavailable: Not found: Table tform-test:analytics\.daily was not found in location US \(a relation it reads is not built yet\)\n/);
    expect(log).toMatch(/--   kpis_v +0 B \(a view stores no data\)/);
    expect(log).toContain('Dry run total: 1.00 MiB would be processed (1 of 2 models estimated, 1 estimate unavailable)');
    const requests = s.requests.slice(from);
    const dry = requests.filter((q) => q.method === 'POST' && cfg(q).dryRun);
    expect(dry.map((q) => cfg(q).query!.query)).toEqual([
      // the config() call's line stays, empty, so that lines keep their numbers
      "\nselect date(ts) as day, count(*) as n from `tform-test`.`landing`.`raw_events` group by 1\n",
      '\nselect max(n) as peak from `tform-test`.`analytics`.`daily`\n',
    ]);
    // a dry run writes nothing: no lock row, no DDL or DML, only reads
    expect(jobLines(requests).every((l) => /^select /.test(l))).toBe(true);
  });

  it('a cancelled run (Ctrl-C) cancels the job that is running, publishes nothing and drops the tmp table', async () => {
    s.onQuery(/^create table `tform-test`\.`analytics`\.`slow__tform_tmp`/, { running: true });
    const dir = project({ 'models/slow.sql': "{{ config(materialized='table') }}\nselect 1 as id\n" });
    const from = s.requests.length;
    const p = await openIt(dir);
    const ac = new AbortController();
    let r: ExecuteResult;
    try {
      const done = executeBuild(p, { command: 'run', signal: ac.signal });
      const job = await s.nextJob(/^create table `tform-test`\.`analytics`\.`slow__tform_tmp`/);
      ac.abort();
      r = await done;
      const requests = s.requests.slice(from);
      expect(requests.filter((q) => q.path.endsWith('/cancel')).map((q) => q.path)).toEqual([`/bigquery/v2/projects/tform-test/jobs/${job.id}/cancel`]);
      expect(s.jobs.get(job.id)!.resource.status).toMatchObject({ state: 'DONE', errorResult: { reason: 'stopped' } });
      const lines = jobLines(requests, { internal: false });
      expect(lines.some((l) => l.startsWith('COPY'))).toBe(false);
      expect(lines.at(-1)).toBe('drop table if exists `tform-test`.`analytics`.`slow__tform_tmp`');
    } finally {
      await p.adapter?.close();
    }
    expect(r.exitCode).toBe(130);
    expect(r.outcome!.results.find((x) => x.name === 'slow')).toMatchObject({ status: 'error', message: 'Job execution was cancelled: User requested cancellation' });
  });

  it('sent nothing anywhere but 127.0.0.1', () => {
    expect(net.refused).toEqual([]);
    expect(new Set(net.attempts)).toEqual(new Set(['127.0.0.1']));
  });
});
