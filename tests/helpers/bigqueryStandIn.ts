import * as http from 'node:http';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A small local stand-in for the BigQuery REST API (v2), for the adapter's contract tests. It
 * listens on 127.0.0.1 only, records every request, and answers with canned results: it never
 * evaluates SQL. What it implements is what the adapter calls:
 *
 *   POST   /bigquery/v2/projects/:p/jobs                      jobs.insert (query, copy, load; dryRun)
 *   POST   /upload/bigquery/v2/projects/:p/jobs               jobs.insert with the media (load)
 *   GET    /bigquery/v2/projects/:p/jobs/:id                  jobs.get
 *   GET    /bigquery/v2/projects/:p/queries/:id               jobs.getQueryResults (held open while RUNNING)
 *   POST   /bigquery/v2/projects/:p/jobs/:id/cancel           jobs.cancel
 *   GET    /bigquery/v2/projects/:p/datasets[/:d]             datasets.list / get
 *   DELETE /bigquery/v2/projects/:p/datasets/:d               datasets.delete
 *   GET    /bigquery/v2/projects/:p/datasets/:d/tables[/:t]   tables.list / get
 *   DELETE /bigquery/v2/projects/:p/datasets/:d/tables/:t     tables.delete
 *
 * Job ids are kept: inserting an id twice answers 409 duplicate, as BigQuery does. A small
 * catalog of datasets and tables answers the table calls; copy and load jobs, and query jobs
 * whose text starts with `create [or replace] table|view` or `drop table|view` on a
 * backtick-quoted `p`.`d`.`t`, change it as BigQuery would, so a build sees its tmp tables.
 */

export interface Field {
  name: string;
  type: string;
  mode?: string;
}

export interface TableEntry {
  type: 'TABLE' | 'VIEW';
  fields: Field[];
  timePartitioning?: unknown;
  clustering?: { fields: string[] };
  view?: { query: string };
}

export interface ErrorAnswer {
  reason: string;
  message: string;
  location?: string;
}

/** What a query job answers. */
export interface QueryAnswer {
  rows?: Record<string, unknown>[];
  fields?: Field[];
  dmlRows?: number;
  /** The job finishes with this errorResult. */
  error?: ErrorAnswer;
  /** The job stays RUNNING until it is cancelled. */
  running?: boolean;
  /** A dry run: bytes it would process, or the HTTP error it gets. */
  bytes?: number;
  dryRunError?: ErrorAnswer & { status: number };
}

export interface InsertFailure {
  status: number;
  reason: string;
  message: string;
  /** The job is created although the answer is an error (a lost answer): a retry then gets 409. */
  created?: boolean;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: http.IncomingHttpHeaders;
  body?: unknown;
  /** The media part of an upload (load job), as text. */
  media?: string;
}

export interface JobRecord {
  id: string;
  resource: Record<string, unknown>;
  sql?: string;
  answer: QueryAnswer;
  state: 'RUNNING' | 'DONE';
  waiters: (() => void)[];
}

type Matcher = RegExp | ((sql: string, job: Record<string, unknown>) => boolean);
type Answer = QueryAnswer | ((sql: string, job: Record<string, unknown>) => QueryAnswer);

const NAME = '`([^`]+)`\\.`([^`]+)`\\.`([^`]+)`';
const CREATE_RE = new RegExp(`^\\s*create\\s+(?:or\\s+replace\\s+)?(table|view)\\s+(?:if\\s+not\\s+exists\\s+)?${NAME}`, 'i');
const DROP_RE = new RegExp(`^\\s*drop\\s+(table|view)\\s+(?:if\\s+exists\\s+)?${NAME}`, 'i');

export class BigQueryStandIn {
  readonly requests: RecordedRequest[] = [];
  readonly jobs = new Map<string, JobRecord>();
  readonly datasets = new Set<string>();
  readonly tables = new Map<string, TableEntry>();
  /** Fields a table created by a query job gets, by table id (default: one INTEGER column `id`). */
  readonly createdFields = new Map<string, Field[]>();
  private readonly answers: { match: Matcher; answer: Answer; times: number }[] = [];
  private readonly insertFailures: { match: Matcher; failure: InsertFailure }[] = [];
  private readonly insertListeners: ((job: JobRecord) => void)[] = [];
  private server?: http.Server;
  private sessions = 0;
  url = '';

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      void this.handle(req, res).catch((e: unknown) => {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { code: 500, message: String(e), errors: [{ reason: 'internalError', message: String(e) }] } }));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    for (const j of this.jobs.values()) j.waiters.splice(0).forEach((w) => w());
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Answer query jobs whose SQL matches (the latest registration wins; `times` limits it). */
  onQuery(match: Matcher, answer: Answer, times = Infinity): void {
    this.answers.unshift({ match, answer, times });
  }

  /** The next jobs.insert whose SQL (or JSON) matches fails with this HTTP error, once. */
  failInsert(match: Matcher, failure: InsertFailure): void {
    this.insertFailures.push({ match, failure });
  }

  /** Resolves with the first job inserted whose SQL matches. */
  nextJob(match: Matcher): Promise<JobRecord> {
    for (const j of this.jobs.values()) if (this.matches(match, j.sql ?? '', j.resource)) return Promise.resolve(j);
    return new Promise((resolve) => {
      const l = (j: JobRecord) => {
        if (!this.matches(match, j.sql ?? '', j.resource)) return;
        this.insertListeners.splice(this.insertListeners.indexOf(l), 1);
        resolve(j);
      };
      this.insertListeners.push(l);
    });
  }

  addTable(project: string, dataset: string, table: string, entry: Partial<TableEntry> = {}): void {
    this.datasets.add(`${project}.${dataset}`);
    this.tables.set(`${project}.${dataset}.${table}`, { type: 'TABLE', fields: [{ name: 'id', type: 'INTEGER' }], ...entry });
  }

  /** Job inserts (not dry runs), in order. */
  inserts(): RecordedRequest[] {
    return this.requests.filter((r) => r.method === 'POST' && /\/jobs$/.test(r.path) && !(r.body as { configuration?: { dryRun?: boolean } })?.configuration?.dryRun);
  }

  /** The SQL of every query job inserted, in order (retried inserts counted once per request). */
  queries(): string[] {
    return this.inserts()
      .map((r) => (r.body as { configuration?: { query?: { query?: string } } }).configuration?.query?.query)
      .filter((q): q is string => q !== undefined);
  }

  private matches(m: Matcher, sql: string, job: Record<string, unknown>): boolean {
    return typeof m === 'function' ? m(sql, job) : m.test(sql);
  }

  private answerFor(sql: string, job: Record<string, unknown>): QueryAnswer {
    for (const a of this.answers) {
      if (a.times > 0 && this.matches(a.match, sql, job)) {
        a.times--;
        return typeof a.answer === 'function' ? a.answer(sql, job) : a.answer;
      }
    }
    return {};
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const raw = await new Promise<Buffer>((resolve) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => resolve(Buffer.concat(chunks)));
    });
    const rec: RecordedRequest = { method: req.method ?? 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams), headers: req.headers };
    const ctype = String(req.headers['content-type'] ?? '');
    if (ctype.startsWith('multipart/related')) {
      const boundary = /boundary=([^;]+)/.exec(ctype)![1]!;
      const parts = raw
        .toString('utf8')
        .split(`--${boundary}`)
        .slice(1, -1)
        .map((p) => p.slice(p.indexOf('\r\n\r\n') + 4).replace(/\r\n$/, ''));
      rec.body = JSON.parse(parts[0]!);
      rec.media = parts[1];
    } else if (raw.length) rec.body = JSON.parse(raw.toString('utf8'));
    this.requests.push(rec);

    const send = (status: number, body?: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
      res.end(body === undefined ? '' : JSON.stringify(body));
    };
    const fail = (status: number, e: ErrorAnswer) => send(status, { error: { code: status, message: e.message, errors: [{ reason: e.reason, message: e.message, ...(e.location ? { location: e.location } : {}) }] } });

    const m = /^(?:\/upload)?\/bigquery\/v2\/projects\/([^/]+)(\/.*)$/.exec(url.pathname);
    if (!m) return fail(404, { reason: 'notFound', message: `Not found: ${url.pathname}` });
    const project = decodeURIComponent(m[1]!);
    const rest = m[2]!;
    let r: RegExpExecArray | null;

    if (req.method === 'POST' && rest === '/jobs') return this.insert(project, rec.body as Record<string, unknown>, send, fail);
    if (req.method === 'POST' && (r = /^\/jobs\/([^/]+)\/cancel$/.exec(rest))) {
      const j = this.jobs.get(decodeURIComponent(r[1]!));
      if (!j) return fail(404, { reason: 'notFound', message: `Not found: Job ${project}:${r[1]}` });
      if (j.state === 'RUNNING') this.finish(j, { reason: 'stopped', message: 'Job execution was cancelled: User requested cancellation' });
      return send(200, { kind: 'bigquery#jobCancelResponse', job: j.resource });
    }
    if (req.method === 'GET' && (r = /^\/jobs\/([^/]+)$/.exec(rest))) {
      const j = this.jobs.get(decodeURIComponent(r[1]!));
      return j ? send(200, j.resource) : fail(404, { reason: 'notFound', message: `Not found: Job ${project}:${r[1]}` });
    }
    if (req.method === 'GET' && (r = /^\/queries\/([^/]+)$/.exec(rest))) return this.results(decodeURIComponent(r[1]!), rec.query, send, fail);
    if (req.method === 'GET' && rest === '/datasets') {
      return send(200, { datasets: [...this.datasets].filter((d) => d.startsWith(`${project}.`)).map((d) => ({ datasetReference: { projectId: project, datasetId: d.slice(project.length + 1) } })) });
    }
    if ((r = /^\/datasets\/([^/]+)$/.exec(rest))) {
      const d = `${project}.${decodeURIComponent(r[1]!)}`;
      if (!this.datasets.has(d)) return fail(404, { reason: 'notFound', message: `Not found: Dataset ${project}:${decodeURIComponent(r[1]!)}` });
      if (req.method === 'DELETE') {
        this.datasets.delete(d);
        for (const k of [...this.tables.keys()]) if (k.startsWith(`${d}.`)) this.tables.delete(k);
        return send(204);
      }
      return send(200, { datasetReference: { projectId: project, datasetId: decodeURIComponent(r[1]!) }, location: 'US' });
    }
    if (req.method === 'GET' && (r = /^\/datasets\/([^/]+)\/tables$/.exec(rest))) {
      const d = `${project}.${decodeURIComponent(r[1]!)}`;
      if (!this.datasets.has(d)) return fail(404, { reason: 'notFound', message: `Not found: Dataset ${project}:${decodeURIComponent(r[1]!)}` });
      const tables = [...this.tables.entries()].filter(([k]) => k.startsWith(`${d}.`)).map(([k, t]) => ({ tableReference: { projectId: project, datasetId: decodeURIComponent(r![1]!), tableId: k.slice(d.length + 1) }, type: t.type }));
      return send(200, { tables });
    }
    if ((r = /^\/datasets\/([^/]+)\/tables\/([^/]+)$/.exec(rest))) {
      const key = `${project}.${decodeURIComponent(r[1]!)}.${decodeURIComponent(r[2]!)}`;
      const t = this.tables.get(key);
      if (!t) return fail(404, { reason: 'notFound', message: `Not found: Table ${project}:${decodeURIComponent(r[1]!)}.${decodeURIComponent(r[2]!)}` });
      if (req.method === 'DELETE') {
        this.tables.delete(key);
        return send(204);
      }
      return send(200, { type: t.type, schema: { fields: t.fields }, ...(t.timePartitioning ? { timePartitioning: t.timePartitioning } : {}), ...(t.clustering ? { clustering: t.clustering } : {}), ...(t.view ? { view: t.view } : {}) });
    }
    return fail(400, { reason: 'invalid', message: `stand-in: ${req.method} ${url.pathname} is not implemented` });
  }

  private insert(project: string, body: Record<string, unknown>, send: (s: number, b?: unknown) => void, fail: (s: number, e: ErrorAnswer) => void): void {
    const config = (body.configuration ?? {}) as Record<string, Record<string, unknown> | undefined> & { dryRun?: boolean };
    const sql = (config.query?.query as string | undefined) ?? '';
    const ref = (body.jobReference ?? {}) as { jobId?: string; location?: string };
    if (config.dryRun) {
      const a = this.answerFor(sql, body);
      if (a.dryRunError) return fail(a.dryRunError.status, a.dryRunError);
      const bytes = String(a.bytes ?? 0);
      return send(200, { jobReference: { projectId: project, location: ref.location }, configuration: config, status: { state: 'DONE' }, statistics: { totalBytesProcessed: bytes, query: { totalBytesProcessed: bytes } } });
    }
    const id = ref.jobId ?? `job_${this.jobs.size + 1}`;
    if (this.jobs.has(id)) return fail(409, { reason: 'duplicate', message: `Already Exists: Job ${project}:${ref.location ?? 'US'}.${id}` });
    const failure = this.insertFailures.find((f) => this.matches(f.match, sql || JSON.stringify(config), body));
    if (failure) this.insertFailures.splice(this.insertFailures.indexOf(failure), 1);
    if (failure && !failure.failure.created) return fail(failure.failure.status, failure.failure);

    const answer = config.query ? this.answerFor(sql, body) : {};
    const statistics: Record<string, unknown> = {};
    if (config.query?.createSession) statistics.sessionInfo = { sessionId: `session_${++this.sessions}` };
    const resource: Record<string, unknown> = { kind: 'bigquery#job', id: `${project}:${ref.location ?? 'US'}.${id}`, jobReference: { projectId: project, jobId: id, location: ref.location }, configuration: config, status: { state: 'RUNNING' }, statistics };
    const job: JobRecord = { id, resource, sql: config.query ? sql : JSON.stringify(config), answer, state: 'RUNNING', waiters: [] };
    this.jobs.set(id, job);
    if (!answer.running) this.finish(job, answer.error);
    for (const l of [...this.insertListeners]) l(job);
    if (failure) return fail(failure.failure.status, failure.failure);
    send(200, resource);
  }

  /** DONE, with errorResult when it failed; a successful job changes the catalog. */
  private finish(job: JobRecord, error?: ErrorAnswer): void {
    job.state = 'DONE';
    const cfg = job.resource.configuration as Record<string, Record<string, unknown> | undefined>;
    const stats = job.resource.statistics as Record<string, unknown>;
    if (error) job.resource.status = { state: 'DONE', errorResult: error, errors: [error] };
    else {
      job.resource.status = { state: 'DONE' };
      if (cfg.query) {
        stats.query = { ...(job.answer.dmlRows !== undefined ? { numDmlAffectedRows: String(job.answer.dmlRows) } : {}), totalBytesProcessed: '0' };
        this.applyQuery(job.sql ?? '');
      }
      if (cfg.copy) {
        const src = (cfg.copy.sourceTables as { projectId: string; datasetId: string; tableId: string }[])[0]!;
        const dst = cfg.copy.destinationTable as { projectId: string; datasetId: string; tableId: string };
        const from = this.tables.get(`${src.projectId}.${src.datasetId}.${src.tableId}`);
        if (from) this.addTable(dst.projectId, dst.datasetId, dst.tableId, { ...from, type: 'TABLE' });
      }
      if (cfg.load) {
        const dst = cfg.load.destinationTable as { projectId: string; datasetId: string; tableId: string };
        this.addTable(dst.projectId, dst.datasetId, dst.tableId, { fields: (cfg.load.schema as { fields: Field[] }).fields });
        stats.load = { outputRows: String(job.answer.dmlRows ?? 0) };
      }
    }
    job.waiters.splice(0).forEach((w) => w());
  }

  private applyQuery(sql: string): void {
    let m = CREATE_RE.exec(sql);
    if (m) {
      const [, kind, p, d, t] = m as unknown as [string, string, string, string, string];
      this.addTable(p, d, t, { type: kind.toLowerCase() === 'view' ? 'VIEW' : 'TABLE', fields: this.createdFields.get(t) ?? [{ name: 'id', type: 'INTEGER' }] });
      return;
    }
    m = DROP_RE.exec(sql);
    if (m) this.tables.delete(`${m[2]}.${m[3]}.${m[4]}`);
    const schema = /^\s*create\s+schema\s+if\s+not\s+exists\s+`([^`]+)`\.`([^`]+)`/i.exec(sql);
    if (schema) this.datasets.add(`${schema[1]}.${schema[2]}`);
  }

  private async results(id: string, q: Record<string, string>, send: (s: number, b?: unknown) => void, fail: (s: number, e: ErrorAnswer) => void): Promise<void> {
    const j = this.jobs.get(id);
    if (!j) return fail(404, { reason: 'notFound', message: `Not found: Job ${id}` });
    if (j.state === 'RUNNING') {
      // As BigQuery holds getQueryResults open until the job completes or timeoutMs passes.
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(Number(q.timeoutMs ?? 10_000), 200));
        j.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    if (j.state === 'RUNNING') return send(200, { kind: 'bigquery#getQueryResultsResponse', jobReference: j.resource.jobReference, jobComplete: false });
    const err = (j.resource.status as { errorResult?: ErrorAnswer }).errorResult;
    if (err) return fail(err.reason === 'notFound' ? 404 : 400, err);
    const fields = j.answer.fields ?? (j.answer.rows?.length ? Object.keys(j.answer.rows[0]!).map((name) => ({ name, type: guessType(j.answer.rows![0]![name]) })) : undefined);
    const all = (j.answer.rows ?? []).map((row) => ({ f: (fields ?? []).map((f) => ({ v: cell(row[f.name], f.type) })) }));
    const start = Number(q.pageToken ?? 0);
    const size = q.maxResults === undefined ? all.length : Number(q.maxResults);
    const page = all.slice(start, start + size);
    const next = start + size < all.length && size > 0 ? String(start + size) : undefined;
    send(200, {
      kind: 'bigquery#getQueryResultsResponse',
      jobReference: j.resource.jobReference,
      jobComplete: true,
      ...(fields ? { schema: { fields } } : {}),
      totalRows: String(all.length),
      ...(size > 0 ? { rows: page } : {}),
      ...(next ? { pageToken: next } : {}),
      ...(j.answer.dmlRows !== undefined ? { numDmlAffectedRows: String(j.answer.dmlRows) } : {}),
    });
  }
}

function guessType(v: unknown): string {
  if (typeof v === 'number') return Number.isInteger(v) ? 'INTEGER' : 'FLOAT';
  if (typeof v === 'boolean') return 'BOOLEAN';
  if (v instanceof Date) return 'TIMESTAMP';
  return 'STRING';
}

/** A value as BigQuery's REST rows carry it (timestamps as int64 microseconds). */
function cell(v: unknown, type: string): unknown {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return type === 'DATE' ? v.toISOString().slice(0, 10) : String(BigInt(v.getTime()) * 1000n);
  return String(v);
}

/** Requests answered by the stand-in that carried this bearer token (the injected auth client's). */
export function authorized(s: BigQueryStandIn, token: string): boolean {
  return s.requests.length > 0 && s.requests.every((r) => r.headers.authorization === `Bearer ${token}`);
}

/**
 * Records every outgoing TCP connection this process opens (host as given, before any name
 * lookup: net.Socket#connect sees it first) and refuses those not to 127.0.0.1 / ::1 /
 * localhost: what shows that a test sends nothing off this machine, the metadata server at
 * 169.254.169.254 included.
 */
export function guardNetwork(): { attempts: string[]; refused: string[]; restore(): void } {
  const attempts: string[] = [];
  const refused: string[] = [];
  const loopback = (h: string) => h === '127.0.0.1' || h === '::1' || h === 'localhost';
  const orig = net.Socket.prototype.connect;
  net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
    const a0 = Array.isArray(args[0]) ? (args[0] as unknown[])[0] : args[0];
    const o = typeof a0 === 'object' && a0 !== null ? (a0 as { host?: string; path?: string; port?: number }) : undefined;
    if (typeof o?.path === 'string') return (orig as (...a: unknown[]) => net.Socket).apply(this, args); // a local pipe
    const host = o ? (o.host ?? 'localhost') : typeof args[1] === 'string' ? args[1] : 'localhost';
    attempts.push(host);
    if (!loopback(host)) {
      refused.push(host);
      process.nextTick(() => this.destroy(new Error(`test network guard: connection to ${host} refused`)));
      return this;
    }
    return (orig as (...a: unknown[]) => net.Socket).apply(this, args);
  } as typeof net.Socket.prototype.connect;
  return {
    attempts,
    refused,
    restore() {
      net.Socket.prototype.connect = orig;
    },
  };
}

/** The bearer token of fakeAuthClient(): what the stand-in sees in every request's Authorization. */
export const FAKE_TOKEN = 'tform-stand-in-token';

/**
 * An auth client for @google-cloud/bigquery that gives a fixed bearer token: no credentials
 * file, no Application Default Credentials, no metadata server.
 */
export function fakeAuthClient(token = FAKE_TOKEN): { getRequestHeaders(): Promise<Record<string, string>>; getProjectId(): Promise<string> } {
  return {
    async getRequestHeaders() {
      return { Authorization: `Bearer ${token}` };
    },
    async getProjectId() {
      return 'tform-test';
    },
  };
}

/**
 * Answers for the statements the adapter and core send about their own tables, so that a whole
 * `tform build` runs against the stand-in: the run-lock row (lock.ts: a MERGE writing a token,
 * then reading the row back) and the state layout version (`meta`). Only what those statements
 * need, matched on their text; `lock.rows` / `state.version` show what was written.
 */
export function emulateTformTables(s: BigQueryStandIn): { lock: { token?: string; taken: string[]; released: string[] }; state: { version: number } } {
  const lock: { token?: string; taken: string[]; released: string[] } = { taken: [], released: [] };
  const state = { version: 0 };
  const lockFields = [
    { name: 'token', type: 'STRING' },
    { name: 'pid', type: 'INTEGER' },
    { name: 'host', type: 'STRING' },
    { name: 'command', type: 'STRING' },
    { name: 'started_at', type: 'TIMESTAMP' },
    { name: 'expired', type: 'BOOLEAN' },
  ];
  s.onQuery(/^select `token` as token[\s\S]*`run_locks`/, () =>
    lock.token ? { fields: lockFields, rows: [{ token: lock.token, pid: process.pid, host: 'here', command: 'tform', started_at: new Date('2024-01-01T00:00:00Z'), expired: false }] } : { fields: lockFields, rows: [] },
  );
  s.onQuery(/^merge into `[^`]+`\.`tform_state`\.`run_locks`/, (sql) => {
    const token = /'(tform_lock_[0-9a-f]+)'/.exec(sql)?.[1];
    if (token && !lock.token) {
      lock.token = token;
      lock.taken.push(token);
    }
    return { dmlRows: 1 };
  });
  s.onQuery(/^delete from `[^`]+`\.`tform_state`\.`run_locks`/, (sql) => {
    const token = /'(tform_lock_[0-9a-f]+)'/.exec(sql)?.[1];
    if (token && token === lock.token) {
      lock.released.push(token);
      lock.token = undefined;
    }
    return { dmlRows: 1 };
  });
  s.onQuery(/INFORMATION_SCHEMA\.TABLES/, (sql) => ({ fields: [{ name: 'n', type: 'INTEGER' }], rows: [{ n: /table_name = 'meta'/.test(sql) && state.version > 0 ? 1 : 0 }] }));
  s.onQuery(/^select `value` as value from `[^`]+`\.`tform_state`\.`meta`/, () => ({ fields: [{ name: 'value', type: 'STRING' }], rows: state.version ? [{ value: String(state.version) }] : [] }));
  s.onQuery(/^merge into `[^`]+`\.`tform_state`\.`meta`/, (sql) => {
    const v = /union all select 'layout_version', '(\d+)'/.exec(sql)?.[1];
    if (v) state.version = Number(v);
    return { dmlRows: 1 };
  });
  return { lock, state };
}
