import { TformError } from '../errors/index.js';
import { splitArgs, type TemplateEngine } from './templating.js';
import { currentScope, type RenderScope } from './scope.js';

/**
 * `run_query(sql)`, `{% call statement('name', fetch_result=True) %}…{% endcall %}` and
 * `load_result('name')` as dbt has them: SQL run against the warehouse while a template renders.
 *
 * Rendering is synchronous, so queries are pre-fetched: a render that asks for a query not run
 * yet gets an empty table and records the query as pending; withQueries() then runs the pending
 * queries and renders again, until a render asks for nothing new (a query that depends on
 * another query's result just takes one more round). The last render — every answer real — is
 * the result. At parse time (`execute` false) nothing runs: run_query returns none, as in dbt.
 */

/** A query result as dbt's agate table: `rows` (indexable by position or column name), `columns`. */
export class QueryTable {
  readonly rows: unknown[][];
  readonly columns: QueryColumn[] & Record<string, QueryColumn>;
  readonly column_names: string[];

  constructor(names: string[], rows: unknown[][]) {
    this.column_names = names;
    this.rows = rows.map((r) => {
      const row = [...r] as unknown[] & Record<string, unknown>;
      names.forEach((n, i) => Object.defineProperty(row, n, { value: r[i], enumerable: false }));
      return row;
    });
    const cols = names.map((n, i) => new QueryColumn(n, rows.map((r) => r[i]))) as QueryColumn[] & Record<string, QueryColumn>;
    for (const c of cols) Object.defineProperty(cols, c.name, { value: c, enumerable: false });
    this.columns = cols;
  }

  static fromObjects(rows: Record<string, unknown>[]): QueryTable {
    const names = rows.length ? Object.keys(rows[0]!) : [];
    return new QueryTable(names, rows.map((r) => names.map((n) => normal(r[n]))));
  }

  /** dbt's `print_table()` (logs the table); returns '' so it can sit in `{% do %}` or `{{ }}`. */
  print_table(): string {
    return '';
  }
}

export class QueryColumn {
  constructor(
    readonly name: string,
    private readonly data: unknown[],
  ) {}

  values(): unknown[] {
    return [...this.data];
  }
}

/** BIGINT comes back as bigint: as a number when exact, else as text. */
function normal(v: unknown): unknown {
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  return v;
}

/** The answers known so far and the queries a render asked for that have none yet. */
interface QueryRound {
  answers: Map<string, QueryTable>;
  pending: Set<string>;
  /** Files (models, macros' callers) whose render asked for a query. */
  askers: Set<string>;
}

let round: QueryRound | undefined;
const statements = new WeakMap<RenderScope, Map<string, { table: QueryTable; data: unknown[][] }>>();

function execute(): boolean {
  return Boolean(currentScope()?.context.execute);
}

function answer(sql: string, where: string): QueryTable {
  const key = sql.trim();
  const file = currentScope()?.file;
  if (file && round) round.askers.add(file);
  const hit = round?.answers.get(key);
  if (hit) return hit;
  if (!round) {
    const s = currentScope();
    throw new TformError('TEMPLATE_RENDER', `${where} needs the warehouse, which this command does not connect to`, {
      file: s?.file,
      hint: 'run_query and statement blocks run on tform compile, run, build and show',
    });
  }
  round.pending.add(key);
  return new QueryTable([], []);
}

/** Install run_query, statement and load_result as globals of `engine`. */
export function installQueryGlobals(engine: TemplateEngine): void {
  const env = engine.env;
  // Jinja spells its literals True, False and None (dbt projects do: fetch_result=True).
  const globals = (env as unknown as { globals: Record<string, unknown> }).globals;
  if (!('True' in globals)) env.addGlobal('True', true).addGlobal('False', false).addGlobal('None', null);
  env.addGlobal('run_query', (sql: unknown) => (execute() ? answer(String(sql), 'run_query()') : null));
  env.addGlobal('statement', (...args: unknown[]) => {
    const { pos, kw } = splitArgs(args);
    const name = String(pos[0] ?? kw.name ?? 'statement');
    const caller = kw.caller as (() => unknown) | undefined;
    const sql = caller ? String(caller()) : '';
    const s = currentScope();
    if (!s || !execute()) return '';
    const fetch = kw.fetch_result === true || pos[1] === true;
    const table = answer(sql, `statement('${name}')`);
    let byName = statements.get(s);
    if (!byName) statements.set(s, (byName = new Map()));
    byName.set(name, { table: fetch ? table : new QueryTable([], []), data: fetch ? table.rows : [] });
    return '';
  });
  env.addGlobal('load_result', (name: unknown) => {
    const s = currentScope();
    const r = s ? statements.get(s)?.get(String(name)) : undefined;
    if (!r) return null;
    return { table: r.table, data: r.data, response: { _message: 'OK', rows_affected: r.data.length } };
  });
}

/** Whether any template text could run a query (then renders go through withQueries()). */
export function mentionsQueries(texts: Iterable<string>): boolean {
  for (const t of texts) if (/\brun_query\s*\(|\bstatement\s*\(|\bload_result\s*\(/.test(t)) return true;
  return false;
}

/** Rounds before giving up: each round can only be needed by a query depending on the previous one's answer. */
const MAX_ROUNDS = 10;

export interface QueryOptions {
  /**
   * Planning before anything is built: a query that fails (it may read a relation this run
   * builds first) answers an empty table instead of failing, and is recorded in `failed`.
   */
  tolerant?: boolean;
  failed?: Set<string>;
  /** Receives the files whose renders asked for queries. */
  askers?: Set<string>;
}

/**
 * Run `render` until it asks for no query without an answer, running the pending queries with
 * `query` between rounds. `answers` may persist across calls, so a query runs once. A render
 * error while queries were pending is a consequence of their empty placeholder tables and is
 * retried; one without pending queries is thrown.
 */
export async function withQueries<T>(answers: Map<string, QueryTable>, query: (sql: string) => Promise<Record<string, unknown>[]>, render: () => T, o: QueryOptions = {}): Promise<T> {
  for (let i = 1; ; i++) {
    const r: QueryRound = { answers, pending: new Set(), askers: o.askers ?? new Set() };
    const prev = round;
    round = r;
    let out: T | undefined;
    let error: unknown;
    try {
      out = render();
    } catch (e) {
      error = e;
    } finally {
      round = prev;
    }
    if (r.pending.size === 0) {
      if (error) throw error;
      return out as T;
    }
    if (i >= MAX_ROUNDS) {
      throw new TformError('TEMPLATE_RENDER', `templates kept asking for new queries after ${MAX_ROUNDS} rounds (each run_query answer led to another query)`, {
        hint: `the last ones: ${[...r.pending].slice(0, 3).map((q) => q.slice(0, 80)).join(' | ')}`,
      });
    }
    for (const sql of r.pending) {
      try {
        answers.set(sql, QueryTable.fromObjects(await query(sql)));
      } catch (e) {
        if (!o.tolerant) throw e;
        o.failed?.add(sql);
        answers.set(sql, new QueryTable([], []));
      }
    }
  }
}
