/**
 * The name PostgreSQL gives a select-list expression without an alias (its FigureColname rules):
 * a column's name, a function's or aggregate's name, a cast's operand name (else the type),
 * `case`, `exists`, `array`, and `?column?` for anything else.
 */
import { columnParts, functionName, identifier } from './sqlParserExpr.js';
import { arr, isObject, obj, str, type JsonObject } from './json.js';

/** Output name of a select-list entry `{expr, as}` of node-sql-parser's AST. */
export function sqlParserColumnName(item: JsonObject): string {
  const alias = identifier(item['as']);
  if (alias) return alias;
  return figure(item['expr']) ?? '?column?';
}

function figure(node: unknown): string | undefined {
  if (!isObject(node)) return undefined;
  if (isObject(node['ast'])) {
    // A scalar subquery is named after its (first) output column.
    const first = arr(node['ast'], 'columns')[0];
    return isObject(first) ? sqlParserColumnName(first) : undefined;
  }
  switch (str(node, 'type')) {
    case 'column_ref':
      return columnParts(node).at(-1);
    case 'function': {
      const name = functionName(node);
      return name === '' ? undefined : name;
    }
    case 'aggr_func':
    case 'window_func':
      return typeof node['name'] === 'string' ? node['name'].toLowerCase() : undefined;
    case 'cast': {
      const inner = figure(node['expr']);
      const target = arr(node, 'target')[0];
      return inner ?? (isObject(target) ? str(target, 'dataType')?.toLowerCase() : undefined);
    }
    case 'case':
      return 'case';
    case 'extract':
      return 'extract';
    case 'array':
      return 'array';
    case 'unary_expr':
      return /EXISTS/i.test(str(node, 'operator') ?? '') ? 'exists' : undefined;
    case 'interval':
      return obj(node, 'expr') ? 'interval' : undefined;
    default:
      return undefined;
  }
}
