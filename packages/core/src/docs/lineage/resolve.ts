/**
 * Column resolution over the lineage IR: the output columns of a query, each with the upstream
 * columns it derives from.
 *
 * - An expression derives from every column it reads: function and operator arguments, CASE
 *   conditions and results, CAST operands, aggregate FILTER and ORDER BY, and for window
 *   functions their PARTITION BY and ORDER BY columns too (they decide which rows feed the value).
 * - WHERE, GROUP BY, HAVING, QUALIFY, JOIN ON, ORDER BY and LIMIT never reach the IR, so the
 *   columns they read are upstream of no output column.
 * - CTEs are resolved once, in order, each seeing the earlier ones; a recursive CTE is resolved
 *   again with its own outputs until its lineage no longer grows.
 * - UNION / INTERSECT: output column i derives from column i of every branch (UNION BY NAME: by
 *   name). EXCEPT: from the left branch only, since the right one only removes rows.
 * - Subqueries in FROM see the relations to their left (DuckDB's implicit LATERAL, PostgreSQL's
 *   LATERAL); scalar and IN subqueries see the enclosing query (correlation).
 */
import type { LineageRelation } from './index.js';
import { NO_LINEAGE, findColumn, refKey, renamed, unionOf, type Lineage, type OutColumn } from './columns.js';
import { fail } from './errors.js';
import type { Cte, Expr, FromItem, Query } from './ir.js';
import { Scope, expandFrom, type BoundFrom, type BoundRelation } from './scope.js';
import { expandStar } from './star.js';

/** What resolution reads from outside the SQL. */
export interface ResolveContext {
  resolveRelation(parts: string[]): LineageRelation | undefined;
  /** CTEs in scope, by lower-cased name: their output columns, or undefined while a recursive one is first resolved. */
  ctes: ReadonlyMap<string, OutColumn[] | undefined>;
  /** The enclosing query's scope, for correlated and lateral references. */
  outer?: Scope;
}

/** Recursive CTEs are re-resolved at most this many times (lineage only grows, so this is plenty). */
const MAX_RECURSION_PASSES = 16;

/** The output columns of a query. */
export function resolveQuery(q: Query, ctx: ResolveContext): OutColumn[] {
  const inner = q.ctes.length > 0 ? { ...ctx, ctes: bindCtes(q.ctes, ctx) } : ctx;
  if (q.kind === 'select') {
    const scope = new Scope(q.from ? bindFrom(q.from, inner, ctx.outer) : undefined, ctx.outer);
    const out: OutColumn[] = [];
    for (const item of q.items) {
      if (item.kind === 'star') {
        out.push(...expandStar(item, scope, (e) => resolveExpr(e, scope, inner, new Set())));
      } else {
        const e = item.expr;
        const spelled = item.nameFromColumn ? spelling(e, scope) : undefined;
        const col = { name: spelled ?? item.name, lineage: resolveExpr(e, scope, inner, new Set()) };
        out.push(col);
        scope.aliases.push(col);
      }
    }
    return out;
  }
  const left = resolveQuery(q.left, inner);
  if (q.op === 'except') return left;
  const right = resolveQuery(q.right, inner);
  if (q.byName) {
    const out = left.map((c) => ({ ...c }));
    for (const r of right) {
      const same = findColumn(out, r.name);
      if (same) same.lineage = unionOf([same.lineage, r.lineage]);
      else out.push(r);
    }
    return out;
  }
  if (left.length !== right.length) return fail(`set operation branches have ${left.length} and ${right.length} columns`);
  return left.map((c, i) => ({ name: c.name, lineage: unionOf([c.lineage, right[i]!.lineage]) }));
}

function bindCtes(ctes: readonly Cte[], ctx: ResolveContext): Map<string, OutColumn[] | undefined> {
  const bound = new Map(ctx.ctes);
  for (const cte of ctes) {
    const key = cte.name.toLowerCase();
    const resolve = () => renamed(resolveQuery(cte.query, { ...ctx, ctes: bound }), cte.columnAliases);
    if (!cte.recursive) {
      bound.set(key, resolve());
      continue;
    }
    bound.set(key, undefined); // first pass: the self-reference reads nothing
    let cur = resolve();
    for (let pass = 0; pass < MAX_RECURSION_PASSES; pass++) {
      bound.set(key, cur);
      const next = resolve();
      const grew = next.some((c, i) => c.lineage.size !== (cur[i]?.lineage.size ?? -1));
      cur = next;
      if (!grew) break;
    }
    bound.set(key, cur);
  }
  return bound;
}

/** Bind a FROM item; `lateral` is the scope its subqueries and table functions may read. */
function bindFrom(item: FromItem, ctx: ResolveContext, lateral: Scope | undefined): BoundFrom {
  const rel = (r: BoundRelation): BoundFrom => ({ kind: 'rel', rel: r });
  const named = (alias: string | undefined, fallback: string[]) => (alias !== undefined ? { alias } : { tableParts: fallback });
  switch (item.kind) {
    case 'table':
      return rel(bindTable(item, ctx));
    case 'query': {
      const cols = renamed(resolveQuery(item.query, { ...ctx, outer: lateral }), item.columnAliases);
      return rel({ ...(item.alias !== undefined ? { alias: item.alias } : {}), columns: cols, label: item.alias ?? 'a subquery' });
    }
    case 'function': {
      const scope = new Scope(undefined, lateral);
      const lineage = unionOf(item.args.map((a) => resolveExpr(a, scope, ctx, new Set())));
      const columns = item.columnAliases?.map((name) => ({ name, lineage }));
      return rel({ ...named(item.alias, [item.name]), ...(columns ? { columns } : { other: () => lineage }), label: `${item.name}(…)` });
    }
    case 'values': {
      const scope = new Scope(undefined, lateral);
      const names = item.columnAliases ? [...item.columnAliases, ...item.names.slice(item.columnAliases.length)] : item.names;
      const columns = names.map((name, i) => ({
        name,
        lineage: unionOf(item.rows.map((row) => (row[i] ? resolveExpr(row[i]!, scope, ctx, new Set()) : NO_LINEAGE))),
      }));
      return rel({ ...(item.alias !== undefined ? { alias: item.alias } : {}), columns, label: 'VALUES' });
    }
    case 'join':
      return bindJoin(item, ctx, lateral);
  }
}

function bindTable(item: Extract<FromItem, { kind: 'table' }>, ctx: ResolveContext): BoundRelation {
  const named = item.alias !== undefined ? { alias: item.alias } : { tableParts: item.parts };
  const label = item.parts.join('.');
  if (item.parts.length === 1 && ctx.ctes.has(item.parts[0]!.toLowerCase())) {
    const cols = ctx.ctes.get(item.parts[0]!.toLowerCase());
    return { ...named, ...(cols ? { columns: renamed(cols, item.columnAliases) } : {}), label };
  }
  const upstream = ctx.resolveRelation([...item.parts]);
  if (!upstream) return { ...named, label }; // outside the project: columns unknown, reads nothing
  const node = upstream.node;
  const known = upstream.columns && upstream.columns.length > 0 ? upstream.columns : undefined; // [] says nothing
  let columns = known?.map((c) => ({ name: c, lineage: new Set([refKey(node, c)]) as Lineage }));
  if (item.columnAliases) {
    if (!columns) return fail(`column aliases on ${label} (${node}), whose columns are not known`);
    columns = renamed(columns, item.columnAliases);
  }
  return { ...named, ...(columns ? { columns } : {}), other: (c) => new Set([refKey(node, c)]), label: `${label} (${node})` };
}

function bindJoin(item: Extract<FromItem, { kind: 'join' }>, ctx: ResolveContext, lateral: Scope | undefined): BoundFrom {
  const left = bindFrom(item.left, ctx, lateral);
  const right = bindFrom(item.right, ctx, new Scope(left, lateral));
  const rightHidden = item.join === 'semi' || item.join === 'anti';
  let names = item.using ?? [];
  if (item.natural) {
    const rightCols = expandFrom(right).map((e) => e.column);
    names = expandFrom(left).flatMap((e) => (findColumn(rightCols, e.column.name) ? [e.column.name] : []));
  }
  const leftScope = new Scope(left, undefined);
  const rightScope = new Scope(right, undefined);
  // A USING column is spelled as the left side spells it.
  const leftColumns = [...leftScope.merges, ...leftScope.relations.flatMap((r) => r.columns ?? [])];
  const using = rightHidden
    ? []
    : names.map((name) => ({
        name: findColumn(leftColumns, name)?.name ?? name,
        lineage: unionOf([leftScope.lookup([name], new Set()), rightScope.lookup([name], new Set())]),
      }));
  return { kind: 'join', left, right, using, usingFirst: item.usingFirst, rightHidden };
}

/** The name of the relation column a bare column reference or `#n` resolves to, when known. */
function spelling(e: Expr, scope: Scope): string | undefined {
  if (e.kind === 'column') return scope.find(e.parts, new Set()).column?.name;
  if (e.kind === 'position' && scope.from) return expandFrom(scope.from)[e.index - 1]?.column.name;
  return undefined;
}

/** What an expression reads. */
function resolveExpr(e: Expr, scope: Scope, ctx: ResolveContext, shadow: ReadonlySet<string>): Lineage {
  switch (e.kind) {
    case 'column':
      return scope.lookup(e.parts, shadow);
    case 'combine':
      return unionOf(e.args.map((a) => resolveExpr(a, scope, ctx, shadow)));
    case 'subquery':
      return unionOf(resolveQuery(e.query, { ...ctx, outer: scope }).map((c) => c.lineage));
    case 'lambda':
      return resolveExpr(e.body, scope, ctx, new Set([...shadow, ...e.params.map((p) => p.toLowerCase())]));
    case 'position': {
      if (!scope.from) return fail(`#${e.index} in a SELECT without FROM`);
      const col = expandFrom(scope.from)[e.index - 1];
      return col ? col.column.lineage : fail(`#${e.index} is beyond the columns of the FROM clause`);
    }
  }
}
