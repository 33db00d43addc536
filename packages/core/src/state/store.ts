import type { Dialect } from '../adapter/dialect.js';
import type { Executor } from '../adapter/types.js';
import type { Interval, IntervalStatus } from './intervals.js';
import { integerLiteral, stateTables, textOrNull, toDate, toNumber, utcLiteral, type StateTables } from './sql.js';

/** An interval of a model as recorded in `tform_state.intervals`. */
export interface ProcessedInterval extends Interval {
  status: IntervalStatus;
  runId: string;
  rowsAffected: number | null;
  processedAt: Date;
  /** Fingerprint of the interval's rows when recorded (see rowsChecksumQuery), or null. */
  checksum: string | null;
}

/** An interval to record; status defaults to 'complete', rowsAffected to record()'s `rows`. */
export interface IntervalToRecord extends Interval {
  status?: IntervalStatus;
  rowsAffected?: number | bigint;
  checksum?: string;
}

export type RunStatus = 'running' | 'success' | 'error' | 'skipped';

/** One model's part in one run (`tform_state.runs`). */
export interface RunRecord {
  runId: string;
  modelId: string;
  startedAt: Date;
  endedAt?: Date;
  status: RunStatus;
  rowsAffected?: number | bigint;
  message?: string;
}

export interface StateStoreOptions {
  /** Schema of the state tables (default `tform_state`). */
  schema?: string;
  /** Clock for `processed_at` (default: the system clock). */
  now?: () => Date;
}

const INTERVAL_STATUSES: ReadonlySet<string> = new Set(['complete', 'partial']);
const RUN_STATUSES: ReadonlySet<string> = new Set(['running', 'success', 'error', 'skipped']);

/**
 * Reads and writes the interval state of models. Reads go through the executor given to the
 * constructor (normally the adapter). Writes take the executor explicitly: record() and
 * invalidate() are meant to run on the transaction that writes the model's data, so that data
 * and state commit or roll back together. The layout must exist (ensureState()).
 */
export class StateStore {
  readonly tables: StateTables;
  private readonly now: () => Date;

  constructor(
    private readonly executor: Executor,
    readonly dialect: Dialect,
    opts: StateStoreOptions = {},
  ) {
    this.tables = stateTables(opts.schema);
    this.now = opts.now ?? (() => new Date());
  }

  private q(name: string): string {
    return this.dialect.quoteIdent(name);
  }

  private lit(v: string): string {
    return this.dialect.stringLiteral(v);
  }

  /** The recorded intervals of `modelId`, ordered by start. */
  async processed(modelId: string): Promise<ProcessedInterval[]> {
    const q = (n: string) => this.q(n);
    const rows = await this.executor.query(
      `select ${q('interval_start')} as s, ${q('interval_end')} as e, ${q('status')} as status, ${q('run_id')} as run_id,
  ${q('rows_affected')} as rows_affected, ${q('processed_at')} as processed_at, ${q('checksum')} as checksum
from ${this.dialect.relation(this.tables.intervals)}
where ${q('model_id')} = ${this.lit(modelId)}
order by ${q('interval_start')}`,
    );
    return rows.map((r) => ({
      start: toDate(r.s),
      end: toDate(r.e),
      status: String(r.status) as IntervalStatus,
      runId: String(r.run_id),
      rowsAffected: toNumber(r.rows_affected),
      processedAt: toDate(r.processed_at),
      checksum: r.checksum === null || r.checksum === undefined ? null : String(r.checksum),
    }));
  }

  /**
   * Upsert `intervals` of `modelId` as processed by `runId`, on `tx` (the transaction writing the
   * model's data). `rows` is stored on every interval that has no rowsAffected of its own.
   */
  async record(tx: Executor, modelId: string, intervals: readonly IntervalToRecord[], runId: string, rows?: number | bigint): Promise<void> {
    if (intervals.length === 0) return;
    // One row per start (the key): the last one given wins, as separate upserts would do.
    const byStart = new Map<number, IntervalToRecord>();
    for (const i of intervals) {
      if (!(i.start instanceof Date) || !(i.end instanceof Date) || !(i.end.getTime() > i.start.getTime())) {
        throw new Error(`interval ${String(i.start)} .. ${String(i.end)} of '${modelId}' must have Date bounds with end after start`);
      }
      const status = i.status ?? 'complete';
      if (!INTERVAL_STATUSES.has(status)) throw new Error(`invalid interval status '${status}'`);
      byStart.set(i.start.getTime(), i);
    }
    const processedAt = utcLiteral(this.dialect, this.now(), 'processed_at');
    const literals = [...byStart.values()].map((i) => {
      const n = i.rowsAffected ?? rows;
      return [
        this.lit(modelId),
        utcLiteral(this.dialect, i.start, 'interval start'),
        utcLiteral(this.dialect, i.end, 'interval end'),
        this.lit(i.status ?? 'complete'),
        this.lit(runId),
        n === undefined ? 'null' : integerLiteral(n, 'rows affected'),
        processedAt,
        textOrNull(this.dialect, i.checksum),
      ];
    });
    const values = literals.map((l) => `(${l.join(', ')})`);
    const q = (n: string) => this.q(n);
    const cols = ['model_id', 'interval_start', 'interval_end', 'status', 'run_id', 'rows_affected', 'processed_at', 'checksum'];
    if (this.dialect.upsertValues) {
      await tx.execute(this.dialect.upsertValues(this.tables.intervals, cols, ['model_id', 'interval_start'], literals));
      return;
    }
    const updated = cols.filter((c) => c !== 'model_id' && c !== 'interval_start');
    await tx.execute(
      `insert into ${this.dialect.relation(this.tables.intervals)} (${cols.map(q).join(', ')})
values
${values.join(',\n')}
on conflict (${q('model_id')}, ${q('interval_start')}) do update set ${updated.map((c) => `${q(c)} = excluded.${q(c)}`).join(', ')}`,
    );
  }

  /** Delete, on `tx`, every recorded interval of `modelId` (a rebuild records them anew). */
  async forget(tx: Executor, modelId: string): Promise<void> {
    await tx.execute(`delete from ${this.dialect.relation(this.tables.intervals)} where ${this.q('model_id')} = ${this.lit(modelId)}`);
  }

  /**
   * Delete, on `tx`, the recorded intervals of `modelId` that overlap [start, end), so that they
   * are processed again. Returns the number of rows deleted when the warehouse reports it.
   */
  async invalidate(tx: Executor, modelId: string, start: Date, end: Date): Promise<number | undefined> {
    const q = (n: string) => this.q(n);
    const r = await tx.execute(
      `delete from ${this.dialect.relation(this.tables.intervals)}
where ${q('model_id')} = ${this.lit(modelId)}
  and ${q('interval_start')} < ${utcLiteral(this.dialect, end, 'end')}
  and ${q('interval_end')} > ${utcLiteral(this.dialect, start, 'start')}`,
    );
    return r.rowsAffected;
  }

  /** Upsert one model's run record (at its start with status 'running', again at its end). */
  async recordRun(run: RunRecord, tx: Executor = this.executor): Promise<void> {
    if (!RUN_STATUSES.has(run.status)) throw new Error(`invalid run status '${run.status}'`);
    const q = (n: string) => this.q(n);
    const cols = ['run_id', 'model_id', 'started_at', 'ended_at', 'status', 'rows_affected', 'message'];
    const vals = [
      this.lit(run.runId),
      this.lit(run.modelId),
      utcLiteral(this.dialect, run.startedAt, 'started_at'),
      run.endedAt ? utcLiteral(this.dialect, run.endedAt, 'ended_at') : 'null',
      this.lit(run.status),
      run.rowsAffected === undefined ? 'null' : integerLiteral(run.rowsAffected, 'rows affected'),
      textOrNull(this.dialect, run.message),
    ];
    if (this.dialect.upsertValues) {
      await tx.execute(this.dialect.upsertValues(this.tables.runs, cols, ['run_id', 'model_id'], [vals]));
      return;
    }
    const updated = cols.slice(2);
    await tx.execute(
      `insert into ${this.dialect.relation(this.tables.runs)} (${cols.map(q).join(', ')})
values (${vals.join(', ')})
on conflict (${q('run_id')}, ${q('model_id')}) do update set ${updated.map((c) => `${q(c)} = excluded.${q(c)}`).join(', ')}`,
    );
  }

  /** The latest successful run of `modelId` (by end time), if any. */
  async lastSuccess(modelId: string): Promise<RunRecord | undefined> {
    const q = (n: string) => this.q(n);
    const rows = await this.executor.query(
      this.dialect.limitRows(
        `select ${q('run_id')} as run_id, ${q('model_id')} as model_id, ${q('started_at')} as started_at, ${q('ended_at')} as ended_at,
  ${q('status')} as status, ${q('rows_affected')} as rows_affected, ${q('message')} as message
from ${this.dialect.relation(this.tables.runs)}
where ${q('model_id')} = ${this.lit(modelId)} and ${q('status')} = ${this.lit('success')}
order by coalesce(${q('ended_at')}, ${q('started_at')}) desc, ${q('started_at')} desc`,
        1,
      ),
    );
    const r = rows[0];
    if (!r) return undefined;
    const out: RunRecord = { runId: String(r.run_id), modelId: String(r.model_id), startedAt: toDate(r.started_at), status: 'success' };
    if (r.ended_at !== null && r.ended_at !== undefined) out.endedAt = toDate(r.ended_at);
    const n = toNumber(r.rows_affected);
    if (n !== null) out.rowsAffected = n;
    if (r.message !== null && r.message !== undefined) out.message = String(r.message);
    return out;
  }
}
