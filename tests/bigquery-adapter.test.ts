/**
 * The BigQuery adapter against a local stand-in of the REST API (tests/helpers/bigqueryStandIn.ts):
 * what each call sends — job SQL, labels and settings, explicit job ids, dry runs, copy and load
 * jobs, sessions — and what it makes of the answers: rows, errors with positions, retries that
 * reuse the job id, cancellation, the run-lock rows.
 *
 * Nothing leaves 127.0.0.1: an auth client is injected (no credentials, no metadata server),
 * METADATA_SERVER_DETECTION is `none`, and every outgoing connection of the process is recorded
 * (guardNetwork) and checked at the end.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isLockHandle, type Adapter, type LockHandle } from '@tform/core';
import { BigQueryAdapter, BigQueryError, bigqueryAdapterFactoryWith, jobStatement, type BigQueryAdapterOptions } from '@tform/adapters/bigquery';
import { BigQueryStandIn, FAKE_TOKEN, authorized, emulateTformTables, fakeAuthClient, guardNetwork, type RecordedRequest } from './helpers/bigqueryStandIn.js';

process.env.METADATA_SERVER_DETECTION = 'none';
const net = guardNetwork();
const dir = mkdtempSync(join(tmpdir(), 'tform-bq-adapter-'));
let s: BigQueryStandIn;

beforeAll(async () => {
  s = await new BigQueryStandIn().start();
});
afterAll(async () => {
  await s.stop();
  net.restore();
  rmSync(dir, { recursive: true, force: true });
});

const PROFILE = {
  name: 'dev',
  type: 'bigquery',
  schema: 'analytics',
  project: 'tform-test',
  location: 'EU',
  job_labels: { team: 'data', env: 'ci' },
  maximum_bytes_billed: 1_000_000_000,
  priority: 'batch',
  job_timeout: 600,
  job_retries: 3,
};

const open: Adapter[] = [];
async function adapter(profile: Record<string, unknown> = {}, o: BigQueryAdapterOptions = {}): Promise<BigQueryAdapter> {
  const f = bigqueryAdapterFactoryWith({ authClient: fakeAuthClient(), apiEndpoint: s.url, sleep: async () => {}, pollMs: 1, ...o });
  const a = (await f.create({ ...PROFILE, ...profile } as never, { projectDir: dir, threads: 2 })) as BigQueryAdapter;
  open.push(a);
  return a;
}

let mark = 0;
beforeEach(() => {
  mark = s.requests.length;
});
afterAll(async () => {
  for (const a of open) await a.close();
});
/** Requests since the test started. */
const since = () => s.requests.slice(mark);
const inserts = () => since().filter((r) => r.method === 'POST' && /\/jobs$/.test(r.path));
type Body = { jobReference: { jobId?: string; location?: string; projectId?: string }; configuration: Record<string, Record<string, unknown>> & { labels?: unknown; jobTimeoutMs?: string; dryRun?: boolean } };
const body = (r: RecordedRequest) => r.body as Body;
const sqlOf = (r: RecordedRequest) => body(r).configuration.query?.query as string | undefined;

describe('BigQuery adapter against the stand-in', () => {
  it('runs a query as a job with an explicit tform_ id, the profile\'s labels, priority, byte limit, timeout and location, and converts the rows', async () => {
    s.onQuery(/^select 1 as i/, {
      fields: [
        { name: 'i', type: 'INTEGER' },
        { name: 'big', type: 'INTEGER' },
        { name: 'f', type: 'FLOAT' },
        { name: 'n', type: 'NUMERIC' },
        { name: 'b', type: 'BOOLEAN' },
        { name: 'ts', type: 'TIMESTAMP' },
        { name: 'd', type: 'DATE' },
        { name: 'nothing', type: 'STRING' },
        { name: 'i', type: 'INTEGER' },
      ],
      rows: [{ i: 1, big: '9007199254740993', f: 2.5, n: '12.30', b: true, ts: new Date('2024-03-01T10:00:00.123Z'), d: '2024-03-01', nothing: null }],
    });
    const a = await adapter();
    const rows = await a.query('select 1 as i');
    expect(rows).toEqual([{ i: 1, big: 9007199254740993n, f: 2.5, n: '12.30', b: true, ts: new Date('2024-03-01T10:00:00.123Z'), d: new Date('2024-03-01T00:00:00Z'), nothing: null, i_1: 1 }]);

    const [ins] = inserts();
    const b = body(ins!);
    expect(b.jobReference).toEqual({ projectId: 'tform-test', jobId: expect.stringMatching(/^tform_query_[0-9a-f]{8}_[0-9a-f]{12}$/), location: 'EU' });
    expect(b.configuration).toEqual({
      query: { query: 'select 1 as i', useLegacySql: false, priority: 'BATCH', maximumBytesBilled: '1000000000' },
      labels: { team: 'data', env: 'ci' },
      jobTimeoutMs: '600000',
    });
    // the results of that job, read with int64 timestamps
    const reads = since().filter((r) => r.path.endsWith(`/queries/${b.jobReference.jobId}`));
    expect(reads.at(-1)!.query).toMatchObject({ location: 'EU', 'formatOptions.useInt64Timestamp': 'true' });
    expect(authorized(s, FAKE_TOKEN)).toBe(true);
  });

  it('a rate-limited insert is retried, with backoff, under the same job id, and the statement runs once', async () => {
    const rateLimited = { status: 403, reason: 'rateLimitExceeded', message: 'Exceeded rate limits: too many table update operations for this table.' };
    s.failInsert(/^insert into `tform-test`\.`analytics`\.`events`/, rateLimited);
    s.failInsert(/^insert into `tform-test`\.`analytics`\.`events`/, rateLimited);
    s.onQuery(/^insert into `tform-test`\.`analytics`\.`events`/, { dmlRows: 2 });
    const waits: number[] = [];
    const a = await adapter({}, { sleep: async (ms) => void waits.push(ms), pollMs: 0 });
    const r = await a.execute("insert into `tform-test`.`analytics`.`events` (id) values (1), (2)");
    expect(r).toEqual({ rowsAffected: 2 });
    const ids = inserts().map((x) => body(x).jobReference.jobId);
    expect(ids).toHaveLength(3);
    expect(new Set(ids)).toEqual(new Set([ids[0]]));
    // exponential backoff with jitter: about 1 s, then about 2 s
    const backoff = waits.filter((w) => w > 0);
    expect(backoff).toHaveLength(2);
    expect(backoff[0]).toBeGreaterThanOrEqual(500);
    expect(backoff[0]).toBeLessThanOrEqual(1500);
    expect(backoff[1]).toBeGreaterThanOrEqual(1000);
    expect(backoff[1]).toBeLessThanOrEqual(3000);
    expect([...s.jobs.keys()].filter((k) => k.startsWith(ids[0]!))).toEqual([ids[0]]);
  });

  it('an insert whose answer was lost (503 after the job was created) is retried with the same id: 409, and the existing job is fetched, not run again', async () => {
    s.failInsert(/^delete from `tform-test`\.`analytics`\.`old_rows`/, { status: 503, reason: 'backendError', message: 'Backend error', created: true });
    s.onQuery(/^delete from `tform-test`\.`analytics`\.`old_rows`/, { dmlRows: 5 });
    const a = await adapter();
    expect(await a.execute('delete from `tform-test`.`analytics`.`old_rows` where true')).toEqual({ rowsAffected: 5 });
    const ids = inserts().map((x) => body(x).jobReference.jobId);
    expect(ids).toEqual([ids[0], ids[0]]);
    expect(since().some((r) => r.method === 'GET' && r.path.endsWith(`/jobs/${ids[0]}`))).toBe(true);
    expect(s.jobs.get(ids[0]!)!.state).toBe('DONE');
    expect([...s.jobs.keys()].filter((k) => k.startsWith(ids[0]!))).toEqual([ids[0]]);
  });

  it('a job that finished with backendError committed nothing and runs again under a new id; a user error is not retried', async () => {
    // (the latest registration answers first)
    s.onQuery(/^update `tform-test`\.`analytics`\.`t`/, { dmlRows: 1 }, 1);
    s.onQuery(/^update `tform-test`\.`analytics`\.`t`/, { error: { reason: 'backendError', message: 'Backend error. Job aborted.' } }, 1);
    const a = await adapter();
    expect(await a.execute('update `tform-test`.`analytics`.`t` set x = 1 where true')).toEqual({ rowsAffected: 1 });
    const ids = inserts().map((x) => body(x).jobReference.jobId!);
    expect(ids).toEqual([ids[0], `${ids[0]}_r2`]);

    mark = s.requests.length;
    s.onQuery(/^select nope/, { error: { reason: 'invalidQuery', message: 'Unrecognized name: nope at [1:8]', location: 'query' } });
    const err = await a.query('select nope').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BigQueryError);
    expect(err).toMatchObject({ message: 'Unrecognized name: nope at [1:8]', reason: 'invalidQuery', line: 1, column: 8 });
    expect(inserts()).toHaveLength(1);
  });

  it('a syntax error carries BigQuery\'s message and its line and column in the statement', async () => {
    s.onQuery(/frm/, { error: { reason: 'invalidQuery', message: 'Syntax error: Expected end of input but got identifier "frm" at [3:1]', location: 'query' } });
    const a = await adapter();
    const err = (await a.execute('select\n  1 as id\nfrm x').catch((e: unknown) => e)) as BigQueryError;
    expect(err).toBeInstanceOf(BigQueryError);
    expect(err.message).toBe('Syntax error: Expected end of input but got identifier "frm" at [3:1]');
    expect([err.line, err.column]).toEqual([3, 1]);
  });

  it('cancel() cancels the jobs in flight: jobs.cancel with the job id and location, and the statement fails as stopped', async () => {
    s.onQuery(/^select slow/, { running: true });
    const a = await adapter();
    const pending = a.execute('select slow from `tform-test`.`analytics`.`big`').catch((e: unknown) => e);
    const job = await s.nextJob(/^select slow/);
    expect(a.jobs.runningJobs()).toEqual([job.id]);
    await a.cancel();
    const err = (await pending) as BigQueryError;
    expect(err).toBeInstanceOf(BigQueryError);
    expect(err.isCancelled).toBe(true);
    expect(err.message).toMatch(/cancelled/);
    const cancels = since().filter((r) => r.method === 'POST' && r.path.endsWith('/cancel'));
    expect(cancels.map((r) => [r.path, r.query.location])).toEqual([[`/bigquery/v2/projects/tform-test/jobs/${job.id}/cancel`, 'EU']]);
    expect(a.jobs.runningJobs()).toEqual([]);
  });

  it('a transaction: queries and DDL before the first write run as plain jobs; BEGIN opens a session with the first write; drops wait until after COMMIT', async () => {
    s.onQuery(/^select 1 from `tform-test`\.`analytics`\.`orders__tform_tmp`/, { rows: [] });
    const a = await adapter();
    await a.transaction(async (tx) => {
      await tx.execute('select case when exists (\nselect 1 from `tform-test`.`analytics`.`orders__tform_tmp` where `id` is null\n) then error(\'NULL keys\') end');
      await tx.execute('alter table `tform-test`.`analytics`.`orders` add column `note` STRING');
      await tx.execute('merge into `tform-test`.`analytics`.`orders` as t using `tform-test`.`analytics`.`orders__tform_tmp` as s on t.`id` = s.`id` when not matched then insert (`id`) values (s.`id`)');
      await tx.execute('drop table if exists `tform-test`.`analytics`.`orders__tform_tmp`');
      await tx.query('select count(*) as failures from `tform-test`.`analytics`.`orders` where `id` is null');
    });
    const jobs = inserts().map((r) => ({ sql: sqlOf(r)!.split(/\s+/).slice(0, 2).join(' '), session: (body(r).configuration.query!.connectionProperties as { key: string; value: string }[] | undefined)?.find((p) => p.key === 'session_id')?.value, create: body(r).configuration.query!.createSession }));
    const begin = inserts().find((r) => body(r).configuration.query!.createSession)!;
    const id = (s.jobs.get(body(begin).jobReference.jobId!)!.resource.statistics as { sessionInfo: { sessionId: string } }).sessionInfo.sessionId;
    expect(jobs).toEqual([
      { sql: 'select case', session: undefined, create: undefined },
      { sql: 'alter table', session: undefined, create: undefined },
      { sql: 'BEGIN TRANSACTION', session: undefined, create: true },
      { sql: 'merge into', session: id, create: undefined },
      { sql: 'select count(*)', session: id, create: undefined },
      { sql: 'COMMIT TRANSACTION', session: id, create: undefined },
      { sql: 'CALL BQ.ABORT_SESSION()', session: id, create: undefined },
      { sql: 'drop table', session: undefined, create: undefined },
    ]);
  });

  it('a failing statement in a transaction rolls it back, and what waited for the commit never runs', async () => {
    s.onQuery(/^insert into `tform-test`\.`analytics`\.`bad`/, { error: { reason: 'invalidQuery', message: 'Query column 1 has type STRING which cannot be inserted into column id, which has type INT64 at [1:45]' } });
    const a = await adapter();
    const err = await a
      .transaction(async (tx) => {
        await tx.execute('delete from `tform-test`.`analytics`.`bad` where true');
        await tx.execute('drop table if exists `tform-test`.`analytics`.`bad__tform_tmp`');
        await tx.execute("insert into `tform-test`.`analytics`.`bad` (id) values ('x')");
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BigQueryError);
    const sqls = inserts().map((r) => sqlOf(r)!.slice(0, 30));
    expect(sqls).toEqual(['BEGIN TRANSACTION', 'delete from `tform-test`.`anal', 'insert into `tform-test`.`anal', 'ROLLBACK TRANSACTION', 'CALL BQ.ABORT_SESSION()']);
  });

  it('lists the relations of a dataset (views as views) and reads columns typed as GoogleSQL spells them; a missing dataset or table has none', async () => {
    s.addTable('tform-test', 'listed', 'a_table', { fields: [{ name: 'id', type: 'INTEGER', mode: 'REQUIRED' }, { name: 'tags', type: 'STRING', mode: 'REPEATED' }, { name: 'amount', type: 'NUMERIC' } as never, { name: 'at', type: 'TIMESTAMP' }, { name: 'ok', type: 'BOOLEAN' }, { name: 'x', type: 'FLOAT' }] });
    s.addTable('tform-test', 'listed', 'b_view', { type: 'VIEW', fields: [] });
    const a = await adapter();
    expect(await a.listRelations('listed')).toEqual([
      { schema: 'listed', identifier: 'a_table', kind: 'table' },
      { schema: 'listed', identifier: 'b_view', kind: 'view' },
    ]);
    expect(await a.listRelations('listed', 'tform-test')).toEqual([
      { database: 'tform-test', schema: 'listed', identifier: 'a_table', kind: 'table' },
      { database: 'tform-test', schema: 'listed', identifier: 'b_view', kind: 'view' },
    ]);
    expect(await a.columns({ schema: 'listed', identifier: 'a_table' })).toEqual([
      { name: 'id', type: 'INT64', nullable: false },
      { name: 'tags', type: 'ARRAY<STRING>', nullable: true },
      { name: 'amount', type: 'NUMERIC', nullable: true },
      { name: 'at', type: 'TIMESTAMP', nullable: true },
      { name: 'ok', type: 'BOOL', nullable: true },
      { name: 'x', type: 'FLOAT64', nullable: true },
    ]);
    expect(await a.listRelations('no_such_dataset')).toEqual([]);
    expect(await a.columns({ schema: 'listed', identifier: 'nope' })).toEqual([]);
    expect(since().map((r) => `${r.method} ${r.path}`)).toContain('GET /bigquery/v2/projects/tform-test/datasets/listed/tables');
  });

  it('publishes a table with a WRITE_TRUNCATE copy job (not a query); a target partitioned differently is deleted first', async () => {
    s.addTable('tform-test', 'pub', 'orders__tform_tmp', { fields: [{ name: 'id', type: 'INTEGER' }], timePartitioning: { type: 'DAY', field: 'day' } });
    s.addTable('tform-test', 'pub', 'orders', { fields: [{ name: 'id', type: 'INTEGER' }] });
    const a = await adapter();
    const [copy] = a.dialect.publish({ schema: 'pub', identifier: 'orders__tform_tmp' }, { schema: 'pub', identifier: 'orders' }, 'table', 'table');
    expect(copy).toMatch(/^-- tform:job /);
    await a.execute(copy!);
    const ins = inserts();
    expect(ins).toHaveLength(1);
    expect(body(ins[0]!).configuration).toEqual({
      copy: {
        sourceTables: [{ projectId: 'tform-test', datasetId: 'pub', tableId: 'orders__tform_tmp' }],
        destinationTable: { projectId: 'tform-test', datasetId: 'pub', tableId: 'orders' },
        writeDisposition: 'WRITE_TRUNCATE',
        createDisposition: 'CREATE_IF_NEEDED',
      },
      labels: { team: 'data', env: 'ci' },
      jobTimeoutMs: '600000',
    });
    expect(body(ins[0]!).jobReference.jobId).toMatch(/^tform_copy_/);
    const calls = since().map((r) => `${r.method} ${r.path.replace('/bigquery/v2/projects/tform-test', '')}`);
    expect(calls.indexOf('DELETE /datasets/pub/tables/orders')).toBeGreaterThanOrEqual(0);
    expect(calls.indexOf('DELETE /datasets/pub/tables/orders')).toBeLessThan(calls.findIndex((c) => c === 'POST /jobs'));
    expect(s.tables.get('tform-test.pub.orders')?.timePartitioning).toEqual({ type: 'DAY', field: 'day' });

    // Same layout: nothing is deleted, the copy alone replaces the table.
    mark = s.requests.length;
    await a.execute(copy!);
    expect(since().filter((r) => r.method === 'DELETE')).toEqual([]);
  });

  it('loads a seed through a load job: the CSV goes with the job (media upload), with the schema and delimiter of the job statement', async () => {
    const csv = join(dir, 'countries.csv');
    writeFileSync(csv, 'code;name\nDE;Germany\nFR;France\n');
    const a = await adapter();
    const stmt = a.dialect.loadCsv({ schema: 'raw', identifier: 'countries__tform_tmp' }, { path: csv, delimiter: ';', columns: [{ name: 'code', type: 'string(2)' }, { name: 'name', type: 'string' }] });
    await a.execute(stmt);
    const up = since().filter((r) => r.path.startsWith('/upload/'));
    expect(up).toHaveLength(1);
    expect(up[0]!.query.uploadType).toBe('multipart');
    expect(up[0]!.media).toBe('code;name\nDE;Germany\nFR;France\n');
    expect(body(up[0]!).configuration.load).toEqual({
      destinationTable: { projectId: 'tform-test', datasetId: 'raw', tableId: 'countries__tform_tmp' },
      schema: { fields: [{ name: 'code', type: 'STRING', mode: 'NULLABLE', maxLength: '2' }, { name: 'name', type: 'STRING', mode: 'NULLABLE' }] },
      sourceFormat: 'CSV',
      skipLeadingRows: 1,
      fieldDelimiter: ';',
      allowQuotedNewlines: true,
      encoding: 'UTF-8',
      writeDisposition: 'WRITE_TRUNCATE',
      createDisposition: 'CREATE_IF_NEEDED',
    });
    expect(s.tables.get('tform-test.raw.countries__tform_tmp')?.fields.map((f) => f.name)).toEqual(['code', 'name']);
  });

  it('estimates bytes with a dry run (dryRun set, no job kept); a query reading a table that does not exist has no estimate', async () => {
    s.onQuery((sql, job) => (job as Body).configuration.dryRun === true && sql.includes('`events`'), { bytes: 3 * 1024 * 1024 });
    s.onQuery((sql, job) => (job as Body).configuration.dryRun === true && sql.includes('`not_built`'), {
      dryRunError: { status: 404, reason: 'notFound', message: 'Not found: Table tform-test:analytics.not_built was not found in location EU' },
    });
    const a = await adapter();
    expect(await a.estimateBytes('select * from `tform-test`.`analytics`.`events`')).toEqual({ bytes: 3 * 1024 * 1024 });
    expect(await a.estimateBytes('select * from `tform-test`.`analytics`.`not_built`')).toEqual({ unavailable: 'Not found: Table tform-test:analytics.not_built was not found in location EU (a relation it reads is not built yet)' });
    const sent = since().filter((r) => r.method === 'POST');
    expect(sent.map((r) => body(r).configuration.dryRun)).toEqual([true, true]);
    expect(sent.every((r) => body(r).jobReference.jobId === undefined)).toBe(true);
  });

  it('the run lock: a MERGE writes our row (token, pid, host, command, expiry) only when there is none or it expired; release deletes it by token', async () => {
    const t = emulateTformTables(s);
    const a = await adapter({}, { lock: { heartbeatMs: 3_600_000 } });
    const r = await a.lock('tform:proj:dev', { wait: false, command: 'tform build' });
    expect(isLockHandle(r)).toBe(true);
    const sqls = inserts().map((x) => sqlOf(x)!);
    expect(sqls[0]).toMatch(/^create schema if not exists `tform-test`\.`tform_state`\noptions \(location = 'EU'\)$/);
    expect(sqls[1]).toMatch(/^create table if not exists `tform-test`\.`tform_state`\.`run_locks` \(/);
    const take = sqls.find((q) => q.startsWith('merge into'))!;
    expect(take).toContain("using (select 'tform:proj:dev' as `lock_key`) as s");
    expect(take).toContain('when matched and t.`expires_at` < current_timestamp() then update set');
    expect(take).toContain(`'${t.lock.taken[0]}', ${process.pid}, `);
    expect(take).toContain("'tform build', current_timestamp(), timestamp_add(current_timestamp(), interval 600 second)");

    // Someone else (us, again) finds it held.
    const b = await adapter();
    const held = await b.lock('tform:proj:dev', { wait: false, command: 'tform run' });
    expect(held).toEqual({ heldBy: { pid: process.pid, host: 'here', startedAt: '2024-01-01T00:00:00.000Z', command: 'tform' } });

    mark = s.requests.length;
    await (r as LockHandle).release();
    const release = inserts().map((x) => sqlOf(x)!);
    expect(release).toEqual([`delete from \`tform-test\`.\`tform_state\`.\`run_locks\`\nwhere \`lock_key\` = 'tform:proj:dev' and \`token\` = '${t.lock.taken[0]}'`]);
    expect(t.lock.released).toEqual(t.lock.taken);
  });

  it('a lock row that expired is taken over and reported', async () => {
    const fields = ['token', 'pid', 'host', 'command', 'started_at', 'expired'].map((name) => ({ name, type: name === 'pid' ? 'INTEGER' : name === 'started_at' ? 'TIMESTAMP' : name === 'expired' ? 'BOOLEAN' : 'STRING' }));
    let mine: string | undefined;
    s.onQuery(/^select `token` as token[\s\S]*'tform:stale:dev'/, () => ({ fields, rows: [mine ? { token: mine, pid: 1, host: 'h', command: 'c', started_at: new Date(), expired: false } : { token: 'tform_lock_dead', pid: 4242, host: 'old-host', command: 'tform run', started_at: new Date('2024-01-01T00:00:00Z'), expired: true }] }));
    s.onQuery(/^merge into [\s\S]*'tform:stale:dev'/, (sql) => ((mine = /'(tform_lock_[0-9a-f]+)'/.exec(sql)![1]), { dmlRows: 1 }));
    s.onQuery(/^delete from [\s\S]*'tform:stale:dev'/, { dmlRows: 1 });
    const a = await adapter();
    const r = await a.lock('tform:stale:dev', { wait: false, command: 'tform build' });
    expect(isLockHandle(r) && r.tookOverFrom).toEqual({ pid: 4242, host: 'old-host', startedAt: '2024-01-01T00:00:00.000Z', command: 'tform run' });
    await (r as LockHandle).release();
  });

  it('a job statement is never valid SQL: both its lines are comments', () => {
    const st = jobStatement({ copy: { source: { projectId: 'p', datasetId: 'd', tableId: 'a' }, destination: { projectId: 'p', datasetId: 'd', tableId: 'b' }, writeDisposition: 'WRITE_TRUNCATE' } }, 'copy');
    expect(st.split('\n').every((l) => l.startsWith('-- '))).toBe(true);
  });

  it('sent nothing anywhere but 127.0.0.1, and authorised every request with the injected client', () => {
    expect(net.refused).toEqual([]);
    expect(net.attempts.length).toBeGreaterThan(0);
    expect(new Set(net.attempts)).toEqual(new Set(['127.0.0.1']));
    expect(authorized(s, FAKE_TOKEN)).toBe(true);
  });
});
