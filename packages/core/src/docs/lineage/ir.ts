/**
 * A small, parser-independent form of one SELECT, holding only what column lineage needs: which
 * columns each output column reads, and where the relations of each FROM come from. Filters,
 * grouping, ordering and limits are dropped while converting (they do not feed output values).
 *
 * Both parser front ends (DuckDB's json_serialize_sql tree, node-sql-parser's AST) convert to it;
 * resolve.ts works on it alone.
 */

/** An expression, reduced to what it reads. */
export type Expr =
  /** A column as written: `[column]`, `[table, column]`, `[schema, table, column]`, or with struct fields after the column. */
  | { kind: 'column'; parts: string[] }
  /** Anything that computes a value from its arguments (function, operator, CASE, CAST, window…): the union of what they read. Literals have no args. */
  | { kind: 'combine'; args: Expr[] }
  /** A scalar, IN or ARRAY subquery: what its output columns read. */
  | { kind: 'subquery'; query: Query }
  /** A lambda (`x -> x + 1`): its parameters are not columns of the FROM. */
  | { kind: 'lambda'; params: string[]; body: Expr }
  /** A 1-based positional column reference (DuckDB `#1`): that column of the FROM. */
  | { kind: 'position'; index: number };

/** A column name, optionally qualified by a relation (`t.a` in `* EXCLUDE (t.a)`). */
export interface QualifiedName {
  qualifier?: string[];
  column: string;
}

/** One entry of a select list. */
export type SelectItem =
  /**
   * An expression and its output name. `nameFromColumn` is set for an unaliased bare column
   * reference (or `#n`): it takes the name of the column it resolves to, as the relation spells it.
   */
  | { kind: 'expr'; name: string; nameFromColumn?: boolean; expr: Expr }
  | {
      kind: 'star';
      /** `t.*`: the relation as written; absent for a bare `*`. */
      qualifier?: string[];
      /** `* EXCLUDE (a, t.b)` (BigQuery `* EXCEPT`). */
      exclude: QualifiedName[];
      /** `* REPLACE (expr AS a)`. */
      replace: { name: string; expr: Expr }[];
      /** `* RENAME (a AS b)`. */
      rename: { from: QualifiedName; to: string }[];
    };

/** Join kinds that change which columns a join exposes. */
export type JoinKind = 'inner' | 'left' | 'right' | 'full' | 'cross' | 'semi' | 'anti' | 'positional' | 'asof';

/** An item of a FROM clause. */
export type FromItem =
  | { kind: 'table'; parts: string[]; alias?: string; columnAliases?: string[] }
  | { kind: 'query'; query: Query; alias?: string; columnAliases?: string[] }
  /** A table function (`unnest(l)`, `read_csv(…)`, `generate_series(…)`): its columns read its arguments. */
  | { kind: 'function'; name: string; args: Expr[]; alias?: string; columnAliases?: string[] }
  /** `VALUES (…), (…)`; `names` are the dialect's default column names. */
  | { kind: 'values'; rows: Expr[][]; names: string[]; alias?: string; columnAliases?: string[] }
  | {
      kind: 'join';
      join: JoinKind;
      left: FromItem;
      right: FromItem;
      /** `USING (…)` columns. */
      using?: string[];
      /** `NATURAL JOIN`: USING every column the two sides share. */
      natural?: boolean;
      /** Where `select *` puts USING columns: first (PostgreSQL) or in the left side's position (DuckDB). */
      usingFirst: boolean;
    };

/** A named subquery of a WITH clause. */
export interface Cte {
  name: string;
  columnAliases?: string[];
  query: Query;
  /** WITH RECURSIVE: the query may read its own name. */
  recursive: boolean;
}

/** A query: one SELECT, or a set operation of two queries, each with its own WITH. */
export type Query =
  | { kind: 'select'; ctes: Cte[]; from?: FromItem; items: SelectItem[] }
  | { kind: 'setop'; ctes: Cte[]; op: 'union' | 'intersect' | 'except'; byName: boolean; left: Query; right: Query };

/** A literal (or anything reading no column). */
export const LITERAL: Expr = { kind: 'combine', args: [] };

/** An expression reading all of `args`; a single argument is returned as is. */
export function combine(args: Expr[]): Expr {
  const kept = args.filter((a) => !(a.kind === 'combine' && a.args.length === 0));
  if (kept.length === 1) return kept[0]!;
  return { kind: 'combine', args: kept };
}
