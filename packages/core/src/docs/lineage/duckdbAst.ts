/**
 * DuckDB's `json_serialize_sql(sql)` tree → lineage IR (ir.ts).
 *
 * The tree is DuckDB's parsed (unbound) statement: query nodes (`SELECT_NODE`,
 * `SET_OPERATION_NODE`, `RECURSIVE_CTE_NODE`), table refs (`BASE_TABLE`, `JOIN`, `SUBQUERY`,
 * `TABLE_FUNCTION`, `EXPRESSION_LIST`, `EMPTY`) and expressions (duckdbExpr.ts). Anything of
 * another type fails with its type name. WHERE, GROUP BY (ALL), HAVING, QUALIFY, WINDOW, ORDER
 * BY, LIMIT and DISTINCT (the `modifiers`) are not read: they do not feed output values.
 */
import { duckdbExpr } from './duckdbExpr.js';
import { duckdbColumnName } from './duckdbNames.js';
import { fail } from './errors.js';
import type { Cte, Expr, FromItem, JoinKind, QualifiedName, Query, SelectItem } from './ir.js';
import { arr, describe, isObject, obj, str, strings, type JsonObject } from './json.js';

/**
 * The one SELECT of a json_serialize_sql result. A result with `error: true` fails with DuckDB's
 * own message.
 */
export function duckdbToQuery(tree: unknown): Query {
  if (!isObject(tree)) return fail('no DuckDB parse tree');
  if (tree['error'] === true) return fail(`could not parse the SQL (DuckDB): ${str(tree, 'error_message') ?? 'no message'}`);
  const statements = arr(tree, 'statements');
  if (statements.length !== 1) return fail(`expected one SELECT statement, found ${statements.length}`);
  const stmt = statements[0];
  return queryNode(isObject(stmt) ? stmt['node'] : undefined);
}

function queryNode(node: unknown): Query {
  if (!isObject(node)) return fail(`unexpected DuckDB query node: ${describe(node)}`);
  const ctes = cteMap(obj(node, 'cte_map'));
  const type = str(node, 'type');
  switch (type) {
    case 'SELECT_NODE': {
      const from = fromTable(node['from_table']);
      const items = arr(node, 'select_list').map(selectItem);
      return { kind: 'select', ctes, ...(from ? { from } : {}), items };
    }
    case 'SET_OPERATION_NODE':
      return setOperation(node, ctes);
    case 'RECURSIVE_CTE_NODE':
      return { kind: 'setop', ctes, op: 'union', byName: false, left: queryNode(node['left']), right: queryNode(node['right']) };
    default:
      return fail(`unsupported DuckDB query node ${type ?? describe(node)}`);
  }
}

const SET_OPS: Readonly<Record<string, { op: 'union' | 'intersect' | 'except'; byName: boolean }>> = {
  UNION: { op: 'union', byName: false },
  UNION_BY_NAME: { op: 'union', byName: true },
  INTERSECT: { op: 'intersect', byName: false },
  EXCEPT: { op: 'except', byName: false },
};

function setOperation(node: JsonObject, ctes: Cte[]): Query {
  const setop = SET_OPS[str(node, 'setop_type') ?? ''];
  if (!setop) return fail(`unsupported DuckDB set operation ${str(node, 'setop_type') ?? '(none)'}`);
  // Two operands as left/right; a list under `children` is accepted too (folded from the left).
  const operands = node['left'] !== undefined ? [node['left'], node['right']] : arr(node, 'children');
  if (operands.length < 2) return fail('DuckDB set operation with fewer than two operands');
  let query = queryNode(operands[0]);
  for (const next of operands.slice(1)) query = { kind: 'setop', ctes: [], ...setop, left: query, right: queryNode(next) };
  return { ...query, ctes } as Query;
}

/** WITH entries in the order written (`cte_map.map`: `{key, value: {query, aliases}}`). */
function cteMap(map: JsonObject | undefined): Cte[] {
  if (!map) return [];
  return arr(map, 'map').map((entry) => {
    const name = isObject(entry) ? str(entry, 'key') : undefined;
    const value = isObject(entry) ? obj(entry, 'value') : undefined;
    if (!name || !value) return fail('malformed DuckDB CTE entry');
    const inner = obj(value, 'query')?.['node'];
    const aliases = strings(value, 'aliases');
    return {
      name,
      ...(aliases.length > 0 ? { columnAliases: aliases } : {}),
      query: queryNode(inner),
      recursive: isObject(inner) && inner['type'] === 'RECURSIVE_CTE_NODE',
    };
  });
}

function expr(node: unknown): Expr {
  return duckdbExpr(node, queryNode);
}

function selectItem(node: unknown): SelectItem {
  if (!isObject(node)) return fail(`unexpected DuckDB select item: ${describe(node)}`);
  if (str(node, 'class') !== 'STAR') {
    const bare = !str(node, 'alias') && (node['class'] === 'COLUMN_REF' || node['class'] === 'POSITIONAL_REFERENCE');
    return { kind: 'expr', name: duckdbColumnName(node), ...(bare ? { nameFromColumn: true } : {}), expr: expr(node) };
  }
  if (node['columns'] === true || (node['expr'] !== undefined && node['expr'] !== null)) {
    return fail('COLUMNS(…) and * with a pattern are not supported');
  }
  const relation = str(node, 'relation_name');
  const exclude: QualifiedName[] = strings(node, 'exclude_list').map((column) => ({ column }));
  for (const q of arr(node, 'qualified_exclude_list')) if (isObject(q)) exclude.push(qualifiedName(q));
  const replace = arr(node, 'replace_list').flatMap((r) => {
    const name = isObject(r) ? str(r, 'key') : undefined;
    return isObject(r) && name ? [{ name, expr: expr(r['value']) }] : [];
  });
  const rename = arr(node, 'rename_list').flatMap((r) => {
    const key = isObject(r) ? obj(r, 'key') : undefined;
    const to = isObject(r) ? str(r, 'value') : undefined;
    return key && to ? [{ from: qualifiedName(key), to }] : [];
  });
  return { kind: 'star', ...(relation ? { qualifier: [relation] } : {}), exclude, replace, rename };
}

/** `{catalog?, schema?, table?, column}` as a QualifiedName. */
function qualifiedName(q: JsonObject): QualifiedName {
  const qualifier = ['catalog', 'schema', 'table'].flatMap((k) => (str(q, k) ? [str(q, k)!] : []));
  const column = str(q, 'column');
  if (!column) return fail('malformed DuckDB qualified column name');
  return { ...(qualifier.length > 0 ? { qualifier } : {}), column };
}

/** Alias and column aliases of a table ref. */
function aliases(node: JsonObject): { alias?: string; columnAliases?: string[] } {
  const alias = str(node, 'alias');
  const columnAliases = strings(node, 'column_name_alias');
  return { ...(alias ? { alias } : {}), ...(columnAliases.length > 0 ? { columnAliases } : {}) };
}

function fromTable(node: unknown): FromItem | undefined {
  if (node === undefined || node === null) return undefined;
  if (!isObject(node)) return fail(`unexpected DuckDB FROM item: ${describe(node)}`);
  const type = str(node, 'type');
  switch (type) {
    case 'EMPTY':
      return undefined;
    case 'BASE_TABLE': {
      const parts = ['catalog_name', 'schema_name', 'table_name'].flatMap((k) => (str(node, k) ? [str(node, k)!] : []));
      return { kind: 'table', parts, ...aliases(node) };
    }
    case 'SUBQUERY':
      return { kind: 'query', query: queryNode(obj(node, 'subquery')?.['node']), ...aliases(node) };
    case 'TABLE_FUNCTION': {
      const fn = obj(node, 'function');
      if (!fn) return fail('DuckDB table function without a function');
      return { kind: 'function', name: str(fn, 'function_name') ?? '?', args: arr(fn, 'children').map(expr), ...aliases(node) };
    }
    case 'EXPRESSION_LIST': {
      const rows = arr(node, 'values').map((row) => (Array.isArray(row) ? row.map(expr) : fail('malformed VALUES row')));
      const names = (rows[0] ?? []).map((_, i) => `col${i}`);
      return { kind: 'values', rows, names, ...aliases(node) };
    }
    case 'JOIN':
      return join(node);
    default:
      return fail(`unsupported DuckDB FROM item ${type ?? describe(node)}`);
  }
}

const JOIN_TYPES: Readonly<Record<string, JoinKind>> = {
  INNER: 'inner',
  LEFT: 'left',
  RIGHT: 'right',
  OUTER: 'full',
  SEMI: 'semi',
  ANTI: 'anti',
  MARK: 'semi',
  SINGLE: 'left',
};

function join(node: JsonObject): FromItem {
  const left = fromTable(node['left']);
  const right = fromTable(node['right']);
  if (!left || !right) return fail('DuckDB join with an empty side');
  const refType = str(node, 'ref_type') ?? 'REGULAR';
  const joinType = str(node, 'join_type') ?? 'INNER';
  let kind: JoinKind | undefined;
  if (refType === 'CROSS') kind = 'cross';
  else if (refType === 'POSITIONAL') kind = 'positional';
  else if (refType === 'ASOF') kind = joinType === 'INNER' ? 'asof' : JOIN_TYPES[joinType];
  else if (refType === 'REGULAR' || refType === 'NATURAL' || refType === 'DEPENDENT') kind = JOIN_TYPES[joinType];
  if (!kind) return fail(`unsupported DuckDB join ${refType}/${joinType}`);
  const using = strings(node, 'using_columns');
  return {
    kind: 'join',
    join: kind,
    left,
    right,
    ...(using.length > 0 ? { using } : {}),
    ...(refType === 'NATURAL' ? { natural: true } : {}),
    usingFirst: false,
  };
}
