import type { Dialect } from '../adapter/dialect.js';
import type { Executor, Row } from '../adapter/types.js';
import { integerLiteral, stateTables, textOrNull, toDate, toNumber, utcLiteral, type StateTables } from './sql.js';

/** One row of `tform_state.run_log`: one entry of one run's results (layout version 3). */
export interface RunLogEntry {
  runId: string;
  /** Position of the entry in the run's results, from 0. */
  seq: number;
  /** `run`, `build`, `seed`, `test` or `load`. */
  command: string;
  /** The command line as typed, secrets masked. */
  args: string | null;
  /** Name of the profile's target. */
  target: string | null;
  /** Unique id of the model, seed, test or source. */
  nodeId: string;
  resourceType: string;
  /** As in run_results.json: success, error, skipped (models, seeds, sources); pass, warn, fail, error, skipped (tests). */
  status: string;
  startedAt: Date | null;
  endedAt: Date | null;
  /** Seconds. */
  executionTime: number | null;
  rowsAffected: number | null;
  failures: number | null;
  message: string | null;
  compiledPath: string | null;
  tformVersion: string;
  /** The settable clock's time when the run finished. */
  loggedAt: Date;
}

export interface RunLogStoreOptions {
  /** Schema of the state tables (default `tform_state`). */
  schema?: string;
}

const COLUMNS = [
  'run_id', 'seq', 'command', 'args', 'target', 'node_id', 'resource_type', 'status', 'started_at', 'ended_at',
  'execution_time', 'rows_affected', 'failures', 'message', 'compiled_path', 'tform_version', 'logged_at',
] as const;

/** Rows per insert statement: a run of 10,000 nodes is 20 statements. */
const ROWS_PER_INSERT = 500;

function floatLiteral(v: number | null): string {
  if (v === null) return 'null';
  if (!Number.isFinite(v)) throw new Error(`execution time must be a finite number, got ${String(v)}`);
  return String(v);
}

function textOf(v: unknown): string | null {
  return v === null || v === undefined ? null : String(v);
}

function dateOf(v: unknown): Date | null {
  return v === null || v === undefined ? null : toDate(v);
}

/**
 * Writes and reads the run log. Reads go through the executor given to the constructor
 * (normally the adapter); append() takes the executor it writes on (a transaction, so a run's
 * rows are all there or none is). The layout (version 3 or later) must exist: ensureState().
 */
export class RunLogStore {
  readonly tables: StateTables;

  constructor(
    private readonly executor: Executor,
    readonly dialect: Dialect,
    opts: RunLogStoreOptions = {},
  ) {
    this.tables = stateTables(opts.schema);
  }

  private q(name: string): string {
    return this.dialect.quoteIdent(name);
  }

  private values(e: RunLogEntry): string {
    const d = this.dialect;
    const ts = (v: Date | null, what: string) => (v === null ? 'null' : utcLiteral(d, v, what));
    const int = (v: number | null, what: string) => (v === null ? 'null' : integerLiteral(v, what));
    return `(${[
      d.stringLiteral(e.runId),
      integerLiteral(e.seq, 'seq'),
      d.stringLiteral(e.command),
      textOrNull(d, e.args),
      textOrNull(d, e.target),
      d.stringLiteral(e.nodeId),
      d.stringLiteral(e.resourceType),
      d.stringLiteral(e.status),
      ts(e.startedAt, 'started_at'),
      ts(e.endedAt, 'ended_at'),
      floatLiteral(e.executionTime),
      int(e.rowsAffected, 'rows affected'),
      int(e.failures, 'failures'),
      textOrNull(d, e.message),
      textOrNull(d, e.compiledPath),
      d.stringLiteral(e.tformVersion),
      utcLiteral(d, e.loggedAt, 'logged_at'),
    ].join(', ')})`;
  }

  /** Insert `entries` on `tx`, a few hundred rows per statement. */
  async append(tx: Executor, entries: readonly RunLogEntry[]): Promise<void> {
    const cols = COLUMNS.map((c) => this.q(c)).join(', ');
    for (let i = 0; i < entries.length; i += ROWS_PER_INSERT) {
      const chunk = entries.slice(i, i + ROWS_PER_INSERT);
      await tx.execute(`insert into ${this.dialect.relation(this.tables.runLog)} (${cols})\nvalues\n${chunk.map((e) => this.values(e)).join(',\n')}`);
    }
  }

  private select(): string {
    return `select ${COLUMNS.map((c) => `${this.q(c)} as ${c}`).join(', ')}`;
  }

  private entry(r: Row): RunLogEntry {
    return {
      runId: String(r.run_id),
      seq: toNumber(r.seq) ?? 0,
      command: String(r.command),
      args: textOf(r.args),
      target: textOf(r.target),
      nodeId: String(r.node_id),
      resourceType: String(r.resource_type),
      status: String(r.status),
      startedAt: dateOf(r.started_at),
      endedAt: dateOf(r.ended_at),
      executionTime: r.execution_time === null || r.execution_time === undefined ? null : Number(r.execution_time),
      rowsAffected: toNumber(r.rows_affected),
      failures: toNumber(r.failures),
      message: textOf(r.message),
      compiledPath: textOf(r.compiled_path),
      tformVersion: String(r.tform_version),
      loggedAt: toDate(r.logged_at),
    };
  }

  /** The entries of one run, in the order of its results. */
  async ofRun(runId: string): Promise<RunLogEntry[]> {
    const rows = await this.executor.query(
      `${this.select()}\nfrom ${this.dialect.relation(this.tables.runLog)}\nwhere ${this.q('run_id')} = ${this.dialect.stringLiteral(runId)}\norder by ${this.q('seq')}`,
    );
    return rows.map((r) => this.entry(r));
  }

  /**
   * The latest entry of each of `nodeIds` that has one: the run that finished last by the
   * settable clock, then by its real start.
   */
  async latest(nodeIds: readonly string[]): Promise<Map<string, RunLogEntry>> {
    const out = new Map<string, RunLogEntry>();
    const q = (n: string) => this.q(n);
    for (let i = 0; i < nodeIds.length; i += ROWS_PER_INSERT) {
      const ids = nodeIds.slice(i, i + ROWS_PER_INSERT).map((id) => this.dialect.stringLiteral(id));
      if (!ids.length) continue;
      const rows = await this.executor.query(
        `select * from (
  ${this.select()},
    row_number() over (partition by ${q('node_id')} order by ${q('logged_at')} desc, ${q('started_at')} desc nulls last, ${q('run_id')} desc) as tform_rank
  from ${this.dialect.relation(this.tables.runLog)}
  where ${q('node_id')} in (${ids.join(', ')})
) latest
where tform_rank = 1`,
      );
      for (const r of rows) out.set(String(r.node_id), this.entry(r));
    }
    return out;
  }
}
