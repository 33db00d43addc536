/**
 * node-sql-parser expressions (objects with a `type`) → lineage Expr.
 *
 * Literal types read nothing; the other types are listed with where they keep their operands.
 * A type that is neither fails with its name rather than being guessed at.
 */
import { fail } from './errors.js';
import { LITERAL, combine, type Expr, type Query } from './ir.js';
import { arr, describe, isObject, obj, str, type JsonObject } from './json.js';

/** What expression conversion needs from the enclosing SELECT. */
export interface ExprContext {
  /** Converts a subquery's AST. */
  toQuery(ast: unknown): Query;
  /** The SELECT's named windows (`WINDOW w AS (…)`), by name. */
  windows: ReadonlyMap<string, unknown>;
}

/** Types holding a constant or a keyword: no columns. */
const LITERAL_TYPES = new Set([
  'number', 'bigint', 'string', 'single_quote_string', 'double_quote_string', 'natural_string', 'backticks_quote_string',
  'regex_string', 'hex_string', 'full_hex_string', 'bit_string', 'var_string', 'bool', 'boolean', 'null', 'star', 'param',
  'var', 'origin', 'default', 'date', 'datetime', 'time', 'timestamp', 'datatype',
]);

/** An identifier as node-sql-parser holds it: a string, `{type, value}` or `{expr: {type, value}}`. */
export function identifier(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (!isObject(v)) return undefined;
  if (isObject(v['expr'])) return identifier(v['expr']);
  const value = v['value'];
  return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
}

/** The parts of a column_ref: `[db?, schema?, table?, column, ...subFields]`. */
export function columnParts(node: JsonObject): string[] {
  const parts = ['db', 'schema', 'table'].flatMap((k) => (identifier(node[k]) ? [identifier(node[k])!] : []));
  const column = identifier(node['column']);
  if (column === undefined) return fail('column reference without a column');
  return [...parts, column, ...arr(node, 'subFields').flatMap((f) => (identifier(f) ? [identifier(f)!] : []))];
}

/** One expression of node-sql-parser's AST as a lineage Expr. */
export function sqlParserExpr(node: unknown, ctx: ExprContext): Expr {
  if (node === null || node === undefined) return LITERAL;
  if (Array.isArray(node)) return combine(node.map((n) => sqlParserExpr(n, ctx)));
  if (!isObject(node)) return LITERAL; // a bare keyword or number
  if (node['ast'] !== undefined) return { kind: 'subquery', query: ctx.toQuery(node['ast']) };
  const type = str(node, 'type') ?? '';
  if (LITERAL_TYPES.has(type)) return LITERAL;
  const sub = (v: unknown): Expr => sqlParserExpr(v, ctx);
  switch (type) {
    case 'column_ref': {
      if (node['column'] === '*') return fail('* inside an expression is not supported');
      const parts = columnParts(node);
      const extra = [...arr(node, 'array_index').map((i) => sub(isObject(i) ? i['index'] : i)), sub(node['options'])];
      return combine([{ kind: 'column', parts }, ...extra]);
    }
    case 'expr_list':
      return sub(node['value']);
    case 'expr': // a wrapper, as in select-list and PARTITION BY entries
      return sub(node['expr']);
    case 'binary_expr':
      return combine([sub(node['left']), sub(node['right'])]);
    case 'unary_expr':
      return /EXISTS/i.test(str(node, 'operator') ?? '') ? LITERAL : sub(node['expr']);
    case 'function':
      return functionExpr(node, ctx);
    case 'aggr_func': {
      const args = obj(node, 'args') ?? {};
      const orderBy = arr(args, 'orderby').map((o) => sub(isObject(o) ? o['expr'] : o));
      return combine([sub(args['expr']), ...orderBy, sub(obj(node, 'filter')?.['where']), windowExpr(node['over'], ctx)]);
    }
    case 'window_func':
      return combine([sub(node['args']), windowExpr(node['over'], ctx)]);
    case 'case':
      return combine([
        sub(node['expr']),
        ...arr(node, 'args').flatMap((a) => (isObject(a) ? [sub(a['cond']), sub(a['result'])] : [])),
      ]);
    case 'cast':
    case 'interval':
      return sub(node['expr']);
    case 'extract':
      return sub(obj(node, 'args')?.['source']);
    case 'array':
      return sub(node['expr_list']);
    case 'struct':
      return combine(arr(node, 'expr_list').map((e) => sub(isObject(e) ? e['expr'] : e)));
    default:
      return fail(`unsupported expression type ${describe(node)}`);
  }
}

function functionExpr(node: JsonObject, ctx: ExprContext): Expr {
  if (functionName(node) === 'exists') return LITERAL;
  return combine([sqlParserExpr(node['args'], ctx), windowExpr(node['over'], ctx)]);
}

/** Lower-cased name of a `function` node (`{name: [{value}]}` or `{schema: {value}}`), '' when none. */
export function functionName(node: JsonObject): string {
  const name = node['name'];
  if (typeof name === 'string') return name.toLowerCase();
  if (!isObject(name)) return '';
  const parts = arr(name, 'name').map(identifier);
  const last = parts.at(-1) ?? identifier(name['schema']);
  return (last ?? '').toLowerCase();
}

/**
 * `OVER (PARTITION BY … ORDER BY …)` or `OVER w`: the partition and order expressions are inputs
 * of the windowed value.
 */
function windowExpr(over: unknown, ctx: ExprContext): Expr {
  if (!isObject(over)) return LITERAL;
  let spec = over['as_window_specification'];
  if (typeof spec === 'string') spec = ctx.windows.get(spec.toLowerCase());
  const w = isObject(spec) ? (obj(spec, 'window_specification') ?? spec) : undefined;
  if (!w) return LITERAL;
  const terms = [...arr(w, 'partitionby'), ...arr(w, 'orderby')];
  return combine(terms.map((t) => sqlParserExpr(isObject(t) ? t['expr'] : t, ctx)));
}
