/**
 * The name DuckDB gives a select-list expression that has no alias: for a column, the column's
 * name; otherwise the expression printed back (`sum(b)`, `(a + 1)`, `CAST(d AS INTEGER)`,
 * `count_star()`). The printer covers common shapes only; anything else is named `?column?`,
 * which matches no catalog column (so a docs site simply shows no lineage for it).
 */
import { arr, isObject, obj, str, strings, type JsonObject } from './json.js';

/** Output name of one select-list expression of DuckDB's tree. */
export function duckdbColumnName(node: JsonObject): string {
  const alias = str(node, 'alias');
  if (alias) return alias;
  if (str(node, 'class') === 'COLUMN_REF') return strings(node, 'column_names').at(-1) ?? '?column?';
  return print(node) ?? '?column?';
}

const COMPARISONS: Readonly<Record<string, string>> = {
  COMPARE_EQUAL: '=',
  COMPARE_NOTEQUAL: '!=',
  COMPARE_LESSTHAN: '<',
  COMPARE_GREATERTHAN: '>',
  COMPARE_LESSTHANOREQUALTO: '<=',
  COMPARE_GREATERTHANOREQUALTO: '>=',
};

function print(v: unknown): string | undefined {
  if (!isObject(v)) return undefined;
  const type = str(v, 'type') ?? '';
  switch (str(v, 'class')) {
    case 'COLUMN_REF':
      return strings(v, 'column_names').join('.');
    case 'CONSTANT':
      return constant(obj(v, 'value'));
    case 'CAST': {
      const child = print(v['child']);
      const target = str(obj(v, 'cast_type') ?? {}, 'id');
      return child && target ? `${v['try_cast'] === true ? 'TRY_CAST' : 'CAST'}(${child} AS ${target})` : undefined;
    }
    case 'COMPARISON': {
      const [l, r, op] = [print(v['left']), print(v['right']), COMPARISONS[type]];
      return l && r && op ? `(${l} ${op} ${r})` : undefined;
    }
    case 'OPERATOR':
      return operator(type, list(arr(v, 'children')));
    case 'FUNCTION':
      return func(v);
    default:
      return undefined;
  }
}

function constant(value: JsonObject | undefined): string | undefined {
  if (!value) return undefined;
  if (value['is_null'] === true) return 'NULL';
  const raw = value['value'];
  if (str(obj(value, 'type') ?? {}, 'id') === 'VARCHAR' && typeof raw === 'string') return `'${raw.replace(/'/g, "''")}'`;
  return typeof raw === 'number' || typeof raw === 'boolean' || typeof raw === 'string' ? String(raw) : undefined;
}

function operator(type: string, args: string[] | undefined): string | undefined {
  if (!args) return undefined;
  switch (type) {
    case 'OPERATOR_COALESCE':
      return `COALESCE(${args.join(', ')})`;
    case 'OPERATOR_IS_NULL':
      return args.length === 1 ? `(${args[0]} IS NULL)` : undefined;
    case 'OPERATOR_IS_NOT_NULL':
      return args.length === 1 ? `(${args[0]} IS NOT NULL)` : undefined;
    case 'OPERATOR_NOT':
      return args.length === 1 ? `(NOT ${args[0]})` : undefined;
    default:
      return undefined;
  }
}

function func(v: JsonObject): string | undefined {
  const name = str(v, 'function_name');
  const args = list(arr(v, 'children'));
  if (!name || !args) return undefined;
  if (v['is_operator'] === true) return args.length === 2 ? `(${args[0]} ${name} ${args[1]})` : undefined;
  if (obj(v, 'order_bys') && arr(obj(v, 'order_bys')!, 'orders').length > 0) return undefined;
  let text = `${name}(${v['distinct'] === true ? 'DISTINCT ' : ''}${args.join(', ')})`;
  if (v['filter'] !== null && v['filter'] !== undefined) {
    const filter = print(v['filter']);
    if (!filter) return undefined;
    text += ` FILTER (WHERE ${filter})`;
  }
  return text;
}

/** Every item printed, or undefined when one cannot be. */
function list(items: unknown[]): string[] | undefined {
  const out: string[] = [];
  for (const item of items) {
    const s = print(item);
    if (s === undefined) return undefined;
    out.push(s);
  }
  return out;
}
