/**
 * Column lineage for `tform docs`: for each column a model's compiled SELECT outputs, the columns
 * of upstream models, seeds and sources it derives from.
 *
 * DuckDB SQL is read from DuckDB's own parse tree (`json_serialize_sql`, see Adapter.parseSql),
 * since no JavaScript parser knows DuckDB's dialect (QUALIFY, `* EXCLUDE`, GROUP BY ALL…); other
 * dialects are parsed with node-sql-parser (BigQuery mode for `bigquery`, PostgreSQL mode for
 * everything else). Both are converted to one small form (ir.ts) and resolved alike
 * (resolve.ts, scope.ts, star.ts describe the rules).
 *
 * Never throws: SQL that cannot be parsed or traced yields `{ ok: false, reason }`.
 */
import type { DocsColumnRef } from '../types.js';
import { toRefs } from './columns.js';
import { duckdbToQuery } from './duckdbAst.js';
import { LineageError } from './errors.js';
import type { Query } from './ir.js';
import { resolveQuery } from './resolve.js';
import { sqlParserDatabase, sqlParserToQuery } from './sqlParserAst.js';

/**
 * An upstream relation: its node id and, when known, its columns in order (used to expand `*`,
 * and to spell upstream column names as the relation does). An empty list counts as unknown.
 */
export interface LineageRelation {
  node: string;
  columns?: string[];
}

/** One model's compiled SQL and how to find what it reads. */
export interface LineageRequest {
  /** Compiled SQL of one model: a SELECT, possibly WITH … (CTEs), unions, subqueries, joins. */
  sql: string;
  /** Adapter type: 'duckdb' | 'postgres' | 'bigquery' | anything else (read as PostgreSQL). */
  dialect: string;
  /** For dialect 'duckdb': the parsed JSON that DuckDB's `select json_serialize_sql($sql)` returned. */
  duckdbAst?: unknown;
  /**
   * The upstream relation a table name refers to, identifier parts unquoted: `['stg_events']`,
   * `['main', 'stg_events']`, `['db', 'main', 'stg_events']`; undefined for a relation outside
   * the project (it then contributes no upstream columns). CTE names never reach it.
   */
  resolveRelation(parts: string[]): LineageRelation | undefined;
}

/** One output column and the upstream columns it derives from (sorted by node then column; [] for literals and `count(*)`). */
export interface ColumnLineage {
  name: string;
  upstream: DocsColumnRef[];
}

/** Lineage of every output column, in output order, or why it could not be traced. */
export type LineageResult = { ok: true; columns: ColumnLineage[] } | { ok: false; reason: string };

/** Trace the output columns of one compiled SELECT to upstream columns. */
export function columnLineage(req: LineageRequest): LineageResult {
  try {
    const columns = resolveQuery(parse(req), { resolveRelation: (parts) => req.resolveRelation(parts), ctes: new Map() });
    return { ok: true, columns: columns.map((c) => ({ name: c.name, upstream: toRefs(c.lineage) })) };
  } catch (e) {
    return { ok: false, reason: reasonOf(e, req.dialect) };
  }
}

function parse(req: LineageRequest): Query {
  if (req.dialect.toLowerCase() === 'duckdb') {
    if (req.duckdbAst === undefined || req.duckdbAst === null) throw new LineageError('no DuckDB parse tree (json_serialize_sql) was given');
    return duckdbToQuery(req.duckdbAst);
  }
  return sqlParserToQuery(req.sql, sqlParserDatabase(req.dialect));
}

/** A short reason: lineage's own message, where node-sql-parser stopped, or the first line of another error. */
function reasonOf(e: unknown, dialect: string): string {
  if (e instanceof LineageError) return e.message;
  if (e instanceof Error && e.name === 'SyntaxError') {
    const { location, found } = e as Error & { location?: { start?: { line?: number; column?: number } }; found?: unknown };
    const at = location?.start?.line !== undefined ? ` at line ${location.start.line}, column ${location.start.column ?? '?'}` : '';
    const near = typeof found === 'string' ? ` near "${found}"` : found === null ? ' at the end' : '';
    return `could not parse the SQL (${sqlParserDatabase(dialect)})${at}${near}`;
  }
  const first = (e instanceof Error ? e.message : String(e)).split('\n')[0]!.trim();
  return `lineage failed: ${first.length > 200 ? `${first.slice(0, 197)}...` : first}`;
}
