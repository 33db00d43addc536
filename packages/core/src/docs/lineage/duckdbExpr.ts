/**
 * DuckDB parsed expressions (`class`/`type` nodes of json_serialize_sql) → lineage Expr.
 *
 * Data-driven: SHAPES says, per expression class, which keys hold sub-expressions; a class not in
 * it (and without a special case below) is reported by name, never guessed at.
 */
import { fail } from './errors.js';
import { LITERAL, combine, type Expr, type Query } from './ir.js';
import { arr, describe, isObject, obj, str, strings, type JsonObject } from './json.js';

/** Where an expression class keeps its sub-expressions. */
interface ClassShape {
  /** Keys holding one expression (absent or null allowed). */
  one?: readonly string[];
  /** Keys holding a list of expressions. */
  many?: readonly string[];
  /** Keys holding ORDER BY terms: a list of `{expression}`, or `{orders: [{expression}]}`. */
  orders?: readonly string[];
}

const SHAPES: Readonly<Record<string, ClassShape>> = {
  CONSTANT: {},
  PARAMETER: {},
  DEFAULT: {},
  // Aggregates and scalar functions alike; FILTER and ORDER BY inside the call feed the value.
  FUNCTION: { many: ['children'], one: ['filter'], orders: ['order_bys'] },
  OPERATOR: { many: ['children'] },
  COMPARISON: { one: ['left', 'right'] },
  CONJUNCTION: { many: ['children'] },
  CAST: { one: ['child'] },
  COLLATE: { one: ['child'] },
  BETWEEN: { one: ['input', 'lower', 'upper'] },
  // Window functions: arguments, PARTITION BY, ORDER BY, FILTER, frame bounds and lag/lead
  // offset/default all count as inputs of the windowed value.
  WINDOW: {
    many: ['children', 'partitions'],
    one: ['filter_expr', 'start_expr', 'end_expr', 'offset_expr', 'default_expr'],
    orders: ['orders', 'arg_orders'],
  },
};

/** Converts a DuckDB query node (for subqueries inside expressions). */
export type QueryConverter = (node: unknown) => Query;

/** One DuckDB parsed expression as a lineage Expr. */
export function duckdbExpr(node: unknown, toQuery: QueryConverter): Expr {
  if (!isObject(node)) fail(`unexpected DuckDB expression: ${describe(node)}`);
  const cls = str(node, 'class') ?? '';
  switch (cls) {
    case 'COLUMN_REF':
      return { kind: 'column', parts: strings(node, 'column_names') };
    case 'CASE':
      return combine([
        ...arr(node, 'case_checks').flatMap((c) =>
          isObject(c) ? [c['when_expr'], c['then_expr']].map((e) => duckdbExpr(e, toQuery)) : [],
        ),
        optional(node['else_expr'], toQuery),
      ]);
    case 'SUBQUERY':
      return subquery(node, toQuery);
    case 'LAMBDA':
      return { kind: 'lambda', params: lambdaParams(node['lhs']), body: duckdbExpr(node['expr'], toQuery) };
    case 'POSITIONAL_REFERENCE': {
      const index = node['index'];
      if (typeof index !== 'number') fail('DuckDB positional reference without an index');
      return { kind: 'position', index };
    }
    case 'STAR':
      return fail(node['columns'] === true ? 'COLUMNS(…) expressions are not supported' : '* inside an expression is not supported');
  }
  const shape = SHAPES[cls];
  if (!shape) return fail(`unsupported DuckDB expression ${describe(node)}`);
  const args: Expr[] = [];
  for (const key of shape.one ?? []) args.push(optional(node[key], toQuery));
  for (const key of shape.many ?? []) for (const c of arr(node, key)) args.push(duckdbExpr(c, toQuery));
  for (const key of shape.orders ?? []) for (const e of orderExpressions(node[key])) args.push(duckdbExpr(e, toQuery));
  return combine(args);
}

/** An expression that may be absent (null): absent reads nothing. */
function optional(node: unknown, toQuery: QueryConverter): Expr {
  return node === null || node === undefined ? LITERAL : duckdbExpr(node, toQuery);
}

/** The expressions of ORDER BY terms, given as a list or as an ORDER_MODIFIER object. */
function orderExpressions(v: unknown): unknown[] {
  const terms = Array.isArray(v) ? v : isObject(v) ? arr(v, 'orders') : [];
  return terms.flatMap((t) => (isObject(t) && t['expression'] !== undefined ? [t['expression']] : []));
}

/** SCALAR, ANY (`x IN (select …)`), ARRAY subqueries read their outputs; EXISTS reads nothing. */
function subquery(node: JsonObject, toQuery: QueryConverter): Expr {
  const type = str(node, 'subquery_type') ?? '';
  if (type === 'EXISTS' || type === 'NOT_EXISTS') return LITERAL;
  const query = toQuery(obj(node, 'subquery')?.['node']);
  return combine([optional(node['child'], toQuery), { kind: 'subquery', query }]);
}

/** Parameter names of a lambda: `x -> …` is a column ref, `(x, y) -> …` a row() of them. */
function lambdaParams(lhs: unknown): string[] {
  if (!isObject(lhs)) return [];
  if (str(lhs, 'class') === 'COLUMN_REF') return strings(lhs, 'column_names').slice(0, 1);
  return arr(lhs, 'children').flatMap(lambdaParams);
}
