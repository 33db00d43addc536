/**
 * node-sql-parser (PostgreSQL and BigQuery modes) → lineage IR (ir.ts).
 *
 * The parser is loaded on first use, one dialect build at a time, so that importing core does not
 * load it. Its AST chains set operations through `_next`/`set_op` and lists FROM items flat, each
 * join carrying its `join`, `on` and `using`; both are rebuilt here as trees.
 *
 * Known quirk handled here: in PostgreSQL mode, `a NATURAL JOIN b` and `a CROSS JOIN b` come back
 * as `a AS natural JOIN b` / `a AS cross JOIN b`; an alias `natural` or `cross` followed by a join
 * is read as that join.
 */
import { createRequire } from 'node:module';
import { fail } from './errors.js';
import type { Cte, Expr, FromItem, JoinKind, QualifiedName, Query, SelectItem } from './ir.js';
import { arr, describe, isObject, obj, str, type JsonObject } from './json.js';
import { columnParts, identifier, sqlParserExpr, type ExprContext } from './sqlParserExpr.js';
import { sqlParserColumnName } from './sqlParserNames.js';

/** The node-sql-parser dialects lineage uses. */
export type SqlParserDatabase = 'postgresql' | 'bigquery';

/** node-sql-parser's dialect for an adapter type: `bigquery` for BigQuery, PostgreSQL for everything else. */
export function sqlParserDatabase(dialect: string): SqlParserDatabase {
  return dialect.toLowerCase() === 'bigquery' ? 'bigquery' : 'postgresql';
}

interface SqlParser {
  astify(sql: string, opt?: { database?: string }): unknown;
}
type SqlParserModule = { Parser: new () => SqlParser };

const parsers = new Map<SqlParserDatabase, SqlParser>();

function parser(database: SqlParserDatabase): SqlParser {
  let p = parsers.get(database);
  if (!p) {
    const mod = createRequire(import.meta.url)(`node-sql-parser/build/${database}`) as SqlParserModule;
    p = new mod.Parser();
    parsers.set(database, p);
  }
  return p;
}

/** Parse one statement with node-sql-parser and convert it. Parse errors throw (the caller reports them). */
export function sqlParserToQuery(sql: string, database: SqlParserDatabase): Query {
  const ast = parser(database).astify(sql, { database });
  const statements = (Array.isArray(ast) ? ast : [ast]).filter((s) => s !== null && s !== undefined);
  if (statements.length !== 1) return fail(`expected one SELECT statement, found ${statements.length}`);
  return statement(statements[0]);
}

function statement(node: unknown): Query {
  if (!isObject(node)) return fail(`unexpected statement: ${describe(node)}`);
  if (isObject(node['ast'])) return statement(node['ast']);
  if (str(node, 'type') !== 'select') return fail(`only SELECT statements have column lineage, found ${str(node, 'type') ?? describe(node)}`);
  // The head's WITH covers the whole chain; `a op1 b op2 c` is ((a op1 b) op2 c).
  let query: Query = select(node, []);
  for (let cur: JsonObject = node; isObject(cur['_next']); cur = cur['_next'] as JsonObject) {
    const next = cur['_next'] as JsonObject;
    query = { kind: 'setop', ctes: [], ...setOp(str(cur, 'set_op') ?? 'union'), left: query, right: select(next, withClause(next)) };
  }
  return { ...query, ctes: withClause(node) } as Query;
}

function setOp(text: string): { op: 'union' | 'intersect' | 'except'; byName: boolean } {
  const t = text.toLowerCase();
  const byName = t.includes('by name');
  if (t.startsWith('union')) return { op: 'union', byName };
  if (t.startsWith('intersect')) return { op: 'intersect', byName };
  if (t.startsWith('except') || t.startsWith('minus')) return { op: 'except', byName };
  return fail(`unsupported set operation ${text}`);
}

function withClause(node: JsonObject): Cte[] {
  return arr(node, 'with').map((w) => {
    if (!isObject(w)) return fail('malformed WITH entry');
    const name = identifier(w['name']);
    if (!name) return fail('WITH entry without a name');
    const columns = arr(w, 'columns').flatMap((c) => (isObject(c) && c['type'] === 'column_ref' ? [columnParts(c).at(-1)!] : identifier(c) ? [identifier(c)!] : []));
    return {
      name,
      ...(columns.length > 0 ? { columnAliases: columns } : {}),
      query: statement(w['stmt']),
      recursive: w['recursive'] === true,
    };
  });
}

/** One SELECT without its `_next` chain. */
function select(node: JsonObject, ctes: Cte[]): Query {
  const windows = new Map<string, unknown>();
  for (const w of arr(obj(node, 'window') ?? {}, 'expr')) {
    const name = isObject(w) ? identifier(w['name']) : undefined;
    if (name && isObject(w)) windows.set(name.toLowerCase(), w['as_window_specification']);
  }
  const ctx: ExprContext = { toQuery: statement, windows };
  const from = fromList(node['from'], ctx);
  const columns = node['columns'] === '*' ? [{ expr: { type: 'column_ref', column: '*' } }] : arr(node, 'columns');
  const items = columns.map((c) => selectItem(c, ctx));
  return { kind: 'select', ctes, ...(from ? { from } : {}), items };
}

function isStar(e: unknown): e is JsonObject {
  return isObject(e) && e['type'] === 'column_ref' && e['column'] === '*';
}

function selectItem(item: unknown, ctx: ExprContext): SelectItem {
  if (!isObject(item)) return fail(`unexpected select item: ${describe(item)}`);
  const e = item['expr'];
  if (isStar(e)) {
    const qualifier = ['db', 'schema', 'table'].flatMap((k) => (identifier(e[k]) ? [identifier(e[k])!] : []));
    const star = { kind: 'star' as const, ...(qualifier.length > 0 ? { qualifier } : {}), exclude: [] as QualifiedName[], replace: [] as { name: string; expr: Expr }[], rename: [] };
    // BigQuery `* EXCEPT (a)` and `* REPLACE (expr AS a)`.
    for (const x of arr(item, 'expr_list')) {
      if (!isObject(x)) continue;
      if (item['type'] === 'except' && isObject(x['expr'])) star.exclude.push({ column: columnParts(x['expr']).at(-1)! });
      if (item['type'] === 'replace') star.replace.push({ name: identifier(x['as']) ?? '?', expr: sqlParserExpr(x['expr'], ctx) });
    }
    return star;
  }
  const bare = identifier(item['as']) === undefined && isObject(e) && e['type'] === 'column_ref';
  return { kind: 'expr', name: sqlParserColumnName(item), ...(bare ? { nameFromColumn: true } : {}), expr: sqlParserExpr(e, ctx) };
}

/** `alias` or `alias(col, …)` (how node-sql-parser returns table function and VALUES aliases). */
function aliasOf(item: JsonObject): { alias?: string; columnAliases?: string[] } {
  const raw = identifier(item['as']);
  if (!raw) return {};
  const m = /^\s*([^()]+?)\s*\((.*)\)\s*$/.exec(raw);
  if (!m) return { alias: raw };
  const columnAliases = m[2]!.split(',').map((c) => c.trim().replace(/^"(.*)"$/, '$1')).filter((c) => c !== '');
  return { alias: m[1]!, ...(columnAliases.length > 0 ? { columnAliases } : {}) };
}

function joinKind(text: string): JoinKind {
  const t = text.toUpperCase();
  if (t.includes('LEFT')) return 'left';
  if (t.includes('RIGHT')) return 'right';
  if (t.includes('FULL')) return 'full';
  if (t.includes('CROSS')) return 'cross';
  return 'inner';
}

/** The flat FROM list as a left-deep join tree (comma = cross join). */
function fromList(from: unknown, ctx: ExprContext): FromItem | undefined {
  const list = Array.isArray(from) ? from : isObject(from) ? [from] : [];
  let tree: FromItem | undefined;
  let pendingNatural = false;
  for (const raw of list) {
    if (!isObject(raw)) return fail(`unexpected FROM item: ${describe(raw)}`);
    if (raw['type'] === 'dual') continue;
    let item = raw;
    const alias = identifier(raw['as'])?.toLowerCase();
    const quirk = alias === 'natural' || alias === 'cross' ? alias : undefined;
    if (quirk) item = { ...raw, as: null };
    const converted = fromItem(item, ctx);
    const joinText = str(raw, 'join');
    if (!tree) tree = converted;
    else {
      const using = arr(raw, 'using').flatMap((u) => (identifier(u) ? [identifier(u)!] : []));
      const natural = pendingNatural || /NATURAL/i.test(joinText ?? '');
      tree = {
        kind: 'join',
        join: joinText ? joinKind(joinText) : 'cross',
        left: tree,
        right: converted,
        ...(using.length > 0 ? { using } : {}),
        ...(natural ? { natural: true } : {}),
        usingFirst: true,
      };
    }
    pendingNatural = quirk === 'natural';
  }
  return tree;
}

function fromItem(item: JsonObject, ctx: ExprContext): FromItem {
  const e = obj(item, 'expr');
  if (item['type'] === 'unnest') return { kind: 'function', name: 'unnest', args: [sqlParserExpr(item['expr'], ctx)], ...aliasOf(item) };
  if (e && isObject(e['ast'])) return { kind: 'query', query: statement(e['ast']), ...aliasOf(item) };
  if (e && e['type'] === 'tables') {
    // A parenthesised join; with an alias it is one relation of the join's columns.
    const inner = fromList(e['expr'], ctx);
    if (!inner) return fail('empty parenthesised FROM');
    const { alias } = aliasOf(item);
    if (alias === undefined) return inner;
    const star: SelectItem = { kind: 'star', exclude: [], replace: [], rename: [] };
    return { kind: 'query', query: { kind: 'select', ctes: [], from: inner, items: [star] }, ...aliasOf(item) };
  }
  if (e && e['type'] === 'values') {
    const rows = arr(e, 'values').map((r) => (isObject(r) ? arr(r, 'value') : []).map((v) => sqlParserExpr(v, ctx)));
    return { kind: 'values', rows, names: (rows[0] ?? []).map((_, i) => `column${i + 1}`), ...aliasOf(item) };
  }
  if (e && e['type'] === 'function') {
    const name = identifier(arr(obj(e, 'name') ?? {}, 'name').at(-1)) ?? 'function';
    return { kind: 'function', name, args: [sqlParserExpr(e['args'], ctx)], ...aliasOf(item) };
  }
  const table = str(item, 'table');
  if (table && !e) {
    const backticked = obj(item, 'surround')?.['table'] === '`';
    const names = backticked ? table.split('.') : [table];
    const prefix = str(item, 'catalog') ? ['catalog', 'schema'] : ['db', 'schema'];
    const parts = [...prefix.flatMap((k) => (str(item, k) ? [str(item, k)!] : [])), ...names];
    return { kind: 'table', parts, ...aliasOf(item) };
  }
  return fail(`unsupported FROM item ${describe(e ?? item)}`);
}
