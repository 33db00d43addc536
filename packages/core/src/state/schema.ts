import type { Dialect } from '../adapter/dialect.js';
import type { Adapter, Executor } from '../adapter/types.js';
import { DatabaseError } from '../adapter/types.js';
import { TformError } from '../errors/index.js';
import { layoutLockStatement, stateTables, stateTypes, tableExistsQuery, type StateTables } from './sql.js';

/**
 * The versioned layout of the warehouse-side state (schema `tform_state` unless configured):
 *
 * - `meta (key, value)`: `layout_version` is the number of the last migration applied.
 * - `intervals`: one row per processed interval of an incremental/microbatch model, primary key
 *   (model_id, interval_start); timestamps are `timestamp` holding UTC wall-clock time.
 * - `runs`: one row per (run_id, model_id) with its outcome.
 * - since version 2, `intervals.checksum`: a fingerprint of the interval's rows (row count and an
 *   order-independent hash), so that a rerun that changed nothing is recognised as such; and
 *   `files`: one row per raw file loaded into a source's table (path, size, content hash).
 * - since version 3, `run_log`: one row per node of each command that built or tested (run,
 *   build, seed, test, retry, load), the same entries as that run's run_results.json, with the
 *   command line (secrets masked), the target and the tform version.
 *
 * Migrations are an ordered list; migration N takes the layout from version N-1 to N (version 1
 * creates everything). ensureState() applies the missing ones, each in its own transaction
 * together with the new `layout_version`, and refuses a layout newer than this tform knows.
 */

/** Key of the layout version in `meta`. */
export const LAYOUT_VERSION_KEY = 'layout_version';

export interface MigrationContext {
  dialect: Dialect;
  tables: StateTables;
}

export interface Migration {
  /** The layout version after this step (1 = creation). */
  version: number;
  description: string;
  /** Statements of the step; they run in one transaction, in order. */
  statements(ctx: MigrationContext): string[];
}

/** `text` where the warehouse enforces PRIMARY KEY and CHECK constraints, else '' (Dialect.tableConstraints). */
function constraint(dialect: Pick<Dialect, 'tableConstraints'>, text: string): string {
  return dialect.tableConstraints === false ? '' : text;
}

/** Version 1: the schema and the three tables, idempotently (`if not exists`). */
export function createLayoutStatements({ dialect, tables }: MigrationContext): string[] {
  const t = stateTypes(dialect);
  const q = (n: string) => dialect.quoteIdent(n);
  const c = (text: string) => constraint(dialect, text);
  return [
    dialect.createSchema(tables.schema),
    `create table if not exists ${dialect.relation(tables.meta)} (
  ${q('key')} ${t.text} not null${c(' primary key')},
  ${q('value')} ${t.text} not null
)`,
    `create table if not exists ${dialect.relation(tables.intervals)} (
  ${q('model_id')} ${t.text} not null,
  ${q('interval_start')} ${t.timestamp} not null,
  ${q('interval_end')} ${t.timestamp} not null,
  ${q('status')} ${t.text} not null${c(` check (${q('status')} in ('complete', 'partial'))`)},
  ${q('run_id')} ${t.text} not null,
  ${q('rows_affected')} ${t.bigint},
  ${q('processed_at')} ${t.timestamp} not null${c(`,
  primary key (${q('model_id')}, ${q('interval_start')})`)}
)`,
    `create table if not exists ${dialect.relation(tables.runs)} (
  ${q('run_id')} ${t.text} not null,
  ${q('model_id')} ${t.text} not null,
  ${q('started_at')} ${t.timestamp} not null,
  ${q('ended_at')} ${t.timestamp},
  ${q('status')} ${t.text} not null,
  ${q('rows_affected')} ${t.bigint},
  ${q('message')} ${t.text}${c(`,
  primary key (${q('run_id')}, ${q('model_id')})`)}
)`,
  ];
}

/** Version 2: interval checksums, and the raw files loaded into sources. */
export function checksumsAndFilesStatements({ dialect, tables }: MigrationContext): string[] {
  const t = stateTypes(dialect);
  const q = (n: string) => dialect.quoteIdent(n);
  const c = (text: string) => constraint(dialect, text);
  return [
    `alter table ${dialect.relation(tables.intervals)} add column ${q('checksum')} ${t.text}`,
    `create table if not exists ${dialect.relation(tables.files)} (
  ${q('source_id')} ${t.text} not null,
  ${q('path')} ${t.text} not null,
  ${q('size_bytes')} ${t.bigint} not null,
  ${q('content_hash')} ${t.text} not null,
  ${q('rows_loaded')} ${t.bigint},
  ${q('run_id')} ${t.text} not null,
  ${q('loaded_at')} ${t.timestamp} not null${c(`,
  primary key (${q('source_id')}, ${q('path')})`)}
)`,
  ];
}

/**
 * Version 3: the run log. `seq` is the entry's position in the run's results, so a run's rows
 * read in `seq` order are its run_results.json entries in order. `logged_at` is the settable
 * clock's time when the run finished (`--now`), the order in which monitoring reads runs.
 */
export function runLogStatements({ dialect, tables }: MigrationContext): string[] {
  const t = stateTypes(dialect);
  const q = (n: string) => dialect.quoteIdent(n);
  const c = (text: string) => constraint(dialect, text);
  const out = [
    `create table if not exists ${dialect.relation(tables.runLog)} (
  ${q('run_id')} ${t.text} not null,
  ${q('seq')} ${t.bigint} not null,
  ${q('command')} ${t.text} not null,
  ${q('args')} ${t.text},
  ${q('target')} ${t.text},
  ${q('node_id')} ${t.text} not null,
  ${q('resource_type')} ${t.text} not null,
  ${q('status')} ${t.text} not null,
  ${q('started_at')} ${t.timestamp},
  ${q('ended_at')} ${t.timestamp},
  ${q('execution_time')} ${t.double},
  ${q('rows_affected')} ${t.bigint},
  ${q('failures')} ${t.bigint},
  ${q('message')} ${t.text},
  ${q('compiled_path')} ${t.text},
  ${q('tform_version')} ${t.text} not null,
  ${q('logged_at')} ${t.timestamp} not null${c(`,
  primary key (${q('run_id')}, ${q('seq')})`)}
)`,
  ];
  // DuckDB scans a table this size quickly without one (and its indexes slow deletes).
  if (dialect.name === 'postgres') {
    out.push(`create index if not exists ${q('run_log_node_logged_at')} on ${dialect.relation(tables.runLog)} (${q('node_id')}, ${q('logged_at')})`);
  }
  return out;
}

/** The migrations this tform knows, in order. */
export const STATE_MIGRATIONS: readonly Migration[] = [
  { version: 1, description: 'create the state schema (meta, intervals, runs)', statements: createLayoutStatements },
  { version: 2, description: 'interval checksums; raw files loaded into sources', statements: checksumsAndFilesStatements },
  { version: 3, description: 'the run log (run_results.json entries of every run, in the warehouse)', statements: runLogStatements },
];

/** The newest layout version this tform knows. */
export const STATE_LAYOUT_VERSION = STATE_MIGRATIONS.length;

/** Upsert of `layout_version` (statement text). */
export function setVersionStatement(dialect: Dialect, tables: StateTables, version: number): string {
  const q = (n: string) => dialect.quoteIdent(n);
  if (dialect.upsertValues) return dialect.upsertValues(tables.meta, ['key', 'value'], ['key'], [[dialect.stringLiteral(LAYOUT_VERSION_KEY), dialect.stringLiteral(String(version))]]);
  return `insert into ${dialect.relation(tables.meta)} (${q('key')}, ${q('value')})
values (${dialect.stringLiteral(LAYOUT_VERSION_KEY)}, ${dialect.stringLiteral(String(version))})
on conflict (${q('key')}) do update set ${q('value')} = excluded.${q('value')}`;
}

/**
 * The layout version in the warehouse: 0 when there is no `meta` table (or no version row).
 * Safe inside a transaction: no statement fails when the state does not exist.
 */
export async function readLayoutVersion(ex: Executor, dialect: Dialect, tables: StateTables): Promise<number> {
  const exists = await ex.query<{ n: unknown }>(tableExistsQuery(dialect, tables.meta));
  if (Number(exists[0]?.n ?? 0) === 0) return 0;
  const q = (n: string) => dialect.quoteIdent(n);
  const rows = await ex.query<{ value: unknown }>(
    `select ${q('value')} as value from ${dialect.relation(tables.meta)} where ${q('key')} = ${dialect.stringLiteral(LAYOUT_VERSION_KEY)}`,
  );
  if (rows.length === 0) return 0;
  const raw = String(rows[0]!.value);
  if (!/^\d+$/.test(raw)) {
    throw new TformError('ADAPTER_UNSUPPORTED', `the tform state in schema '${tables.schema}' has an unreadable layout version '${raw}'`, {
      hint: `check ${tables.schema}.meta (key '${LAYOUT_VERSION_KEY}'), or drop the schema to rebuild the state`,
    });
  }
  return Number(raw);
}

export interface EnsureStateOptions {
  /** Schema of the state tables (default `tform_state`). */
  schema?: string;
  /** The migration list (default STATE_MIGRATIONS); tests inject their own. */
  migrations?: readonly Migration[];
}

export interface EnsureStateResult {
  /** The layout version now in the warehouse. */
  version: number;
  /** Versions this call applied (empty when the layout was current or others applied them). */
  applied: number[];
}

/** SQLSTATEs (and DuckDB messages) of two creators racing on the catalog. */
const RACE_STATES = new Set(['23505', '42710', '42P06', '42P07', '40001', '40P01']);
const RACE_MESSAGE = /conflict|already exists/i;
const RACE_ATTEMPTS = 5;

function isRace(e: unknown): boolean {
  if (e instanceof DatabaseError && e.sqlState !== undefined) return RACE_STATES.has(e.sqlState);
  return e instanceof Error && RACE_MESSAGE.test(e.message);
}

function validateMigrations(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`state migration #${i + 1} has version ${m.version}; versions must be 1, 2, 3, … in order`);
  });
}

function tooNew(found: number, known: number, schema: string): TformError {
  return new TformError(
    'ADAPTER_UNSUPPORTED',
    `the tform state in schema '${schema}' has layout version ${found}, newer than this tform knows (${known})`,
    { hint: 'a newer tform has written this state: upgrade tform (or use another state schema)' },
  );
}

/** Calls in flight per executor and schema: calls in one process run one after the other. */
const inFlight = new WeakMap<object, Map<string, Promise<unknown>>>();

function serialized<T>(key: object, schema: string, fn: () => Promise<T>): Promise<T> {
  let bySchema = inFlight.get(key);
  if (!bySchema) inFlight.set(key, (bySchema = new Map()));
  const prev = bySchema.get(schema) ?? Promise.resolve();
  const next = prev.then(fn, fn);
  const tail = next.catch(() => {});
  bySchema.set(schema, tail);
  void tail.then(() => {
    if (bySchema!.get(schema) === tail) bySchema!.delete(schema);
  });
  return next;
}

/**
 * Bring the state layout up to date: read its version and apply the missing migrations, each in
 * one transaction with the new version. Idempotent, and safe when several processes call it at
 * once: on Postgres each step holds a transaction-level advisory lock and re-reads the version
 * under it; elsewhere a step that loses a race on the catalog is retried after re-reading.
 * Throws a TformError when the warehouse has a layout newer than `migrations` know.
 */
export async function ensureState(adapter: Pick<Adapter, 'dialect' | 'transaction' | 'query' | 'execute'>, opts: EnsureStateOptions = {}): Promise<EnsureStateResult> {
  const migrations = opts.migrations ?? STATE_MIGRATIONS;
  validateMigrations(migrations);
  const tables = stateTables(opts.schema);
  const dialect = adapter.dialect;
  const known = migrations.length;
  return serialized(adapter, tables.schema, async () => {
    let version = await readLayoutVersion(adapter, dialect, tables);
    if (version > known) throw tooNew(version, known, tables.schema);
    const applied: number[] = [];
    for (const step of migrations.slice(version)) {
      for (let attempt = 1; ; attempt++) {
        try {
          const did = await adapter.transaction(async (tx) => {
            const lock = layoutLockStatement(dialect, tables.schema);
            if (lock) await tx.query(lock);
            const current = await readLayoutVersion(tx, dialect, tables);
            if (current > known) throw tooNew(current, known, tables.schema);
            if (current >= step.version) return false; // applied by someone else meanwhile
            if (current !== step.version - 1) {
              throw new Error(`state layout is at version ${current}, cannot apply migration ${step.version}`);
            }
            for (const sql of step.statements({ dialect, tables })) await tx.execute(sql);
            await tx.execute(setVersionStatement(dialect, tables, step.version));
            return true;
          });
          if (did) applied.push(step.version);
          break;
        } catch (e) {
          if (e instanceof TformError) throw e;
          // Lost a race against another creator: what it did is committed now, or retry.
          const now = await readLayoutVersion(adapter, dialect, tables).catch(() => -1);
          if (now > known) throw tooNew(now, known, tables.schema);
          if (now >= step.version) break;
          if (attempt >= RACE_ATTEMPTS || !isRace(e)) throw e;
          await new Promise((r) => setTimeout(r, 10 * 2 ** attempt * (0.5 + Math.random())));
        }
      }
      version = step.version;
    }
    return { version, applied };
  });
}
