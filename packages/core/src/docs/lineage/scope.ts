/**
 * The relations a SELECT can read (its FROM, bound), and how a column reference finds the
 * relation column it names.
 *
 * Lookup of an unqualified column `x`, in order:
 *  1. a USING column of a join (it derives from both sides);
 *  2. the relations whose known columns include `x` (normally one);
 *  3. an earlier select-list alias (DuckDB lets later items use it);
 *  4. the relations whose columns are unknown: `x` is attributed to all of them, each as its
 *     own column `x` (an over-approximation when there are several: lineage may list a column
 *     some of them do not have, rather than guess one);
 *  5. the same again in the enclosing query (correlated and lateral references);
 *  6. failing all that, when exactly one relation takes unlisted columns (a base table whose
 *     known column list is incomplete), that relation; else nothing.
 * A qualified `t.x` (or `schema.t.x`) looks for the relation `t` in this query, then in the
 * enclosing ones; when no relation is named so, `t.x` is read as struct field `x` of column `t`.
 */
import { NO_LINEAGE, findColumn, sameName, unionOf, type Lineage, type OutColumn } from './columns.js';
import { fail } from './errors.js';

/** A relation of a FROM clause with what is known of its columns. */
export interface BoundRelation {
  /** Set when aliased: the only name it can be qualified by. */
  alias?: string;
  /** Without an alias: the name as written (`['main', 'stg']`), matched by its trailing parts. */
  tableParts?: string[];
  /** Its columns in order, when known. */
  columns?: OutColumn[];
  /**
   * Lineage of a column not among `columns` (of any column when they are unknown): a base table
   * gives its own column of that name, a table function what its arguments read; absent for
   * relations that take no unlisted column (CTEs, subqueries, tables outside the project).
   */
  other?: (column: string) => Lineage;
  /** How messages name it. */
  label: string;
}

/** A bound FROM clause: relations and the joins between them. */
export type BoundFrom =
  | { kind: 'rel'; rel: BoundRelation }
  | {
      kind: 'join';
      left: BoundFrom;
      right: BoundFrom;
      /** USING columns, each deriving from both sides. */
      using: OutColumn[];
      usingFirst: boolean;
      /** SEMI / ANTI joins: the right side only filters. */
      rightHidden: boolean;
    };

/** What a column reference resolved to (see Scope.find). */
export interface Found {
  lineage: Lineage;
  column?: OutColumn;
}

/** A column of `select *`, with the relation it came from (none for a USING column). */
export interface Expanded {
  column: OutColumn;
  rel?: BoundRelation;
}

/** Relations of a bound FROM that the select list can see, in FROM order. */
function visibleRelations(tree: BoundFrom | undefined): BoundRelation[] {
  if (!tree) return [];
  if (tree.kind === 'rel') return [tree.rel];
  return [...visibleRelations(tree.left), ...(tree.rightHidden ? [] : visibleRelations(tree.right))];
}

/** USING columns of a bound FROM, outermost join first. */
function usingColumns(tree: BoundFrom | undefined): OutColumn[] {
  if (!tree || tree.kind === 'rel') return [];
  return [...tree.using, ...usingColumns(tree.left), ...(tree.rightHidden ? [] : usingColumns(tree.right))];
}

/** Whether `qualifier` (`t`, `main.t`, `db.main.t`) names `rel`. */
export function qualifies(rel: BoundRelation, qualifier: readonly string[]): boolean {
  if (rel.alias !== undefined) return qualifier.length === 1 && sameName(qualifier[0]!, rel.alias);
  const parts = rel.tableParts;
  if (!parts || parts.length === 0) return false;
  const n = Math.min(parts.length, qualifier.length);
  for (let i = 1; i <= n; i++) if (!sameName(parts[parts.length - i]!, qualifier[qualifier.length - i]!)) return false;
  return true;
}

/** What `select *` over a bound FROM yields; fails when a relation's columns are unknown. */
export function expandFrom(tree: BoundFrom): Expanded[] {
  if (tree.kind === 'rel') return expandRelation(tree.rel);
  const left = expandFrom(tree.left);
  const right = tree.rightHidden ? [] : expandFrom(tree.right);
  if (tree.using.length === 0) return [...left, ...right];
  const usingCol = (name: string) => findColumn(tree.using, name);
  const rest = (cols: Expanded[]) => cols.filter((e) => !usingCol(e.column.name));
  if (tree.usingFirst) return [...tree.using.map((column) => ({ column })), ...rest(left), ...rest(right)];
  return [...left.map((e) => ({ column: usingCol(e.column.name) ?? e.column, ...(usingCol(e.column.name) ? {} : { rel: e.rel }) })), ...rest(right)];
}

/** The columns of one relation for `*`; fails when they are unknown. */
export function expandRelation(rel: BoundRelation): Expanded[] {
  if (!rel.columns) return fail(`cannot expand * over ${rel.label}: its columns are not known`);
  return rel.columns.map((column) => ({ column, rel }));
}

/** The name scope of one SELECT. */
export class Scope {
  /** Relations the select list can see. */
  readonly relations: BoundRelation[];
  /** USING columns. */
  readonly merges: OutColumn[];
  /** Select-list outputs so far (DuckDB lets later items name them). */
  readonly aliases: OutColumn[] = [];

  constructor(
    readonly from: BoundFrom | undefined,
    readonly parent: Scope | undefined,
  ) {
    this.relations = visibleRelations(from);
    this.merges = usingColumns(from);
  }

  /** The visible relation a qualifier names, in this scope only. */
  findRelation(qualifier: readonly string[]): BoundRelation | undefined {
    return this.relations.find((r) => qualifies(r, qualifier));
  }

  /** What a column reference (parts as written) derives from; `shadow` holds lambda parameters. */
  lookup(parts: readonly string[], shadow: ReadonlySet<string>): Lineage {
    return this.find(parts, shadow).lineage;
  }

  /**
   * The column a reference resolves to, with its spelling: set when the reference names one
   * known column (not a struct field of it), so an unaliased `select country` is named as the
   * relation spells the column (`Country`), as DuckDB and PostgreSQL name it.
   */
  find(parts: readonly string[], shadow: ReadonlySet<string>): Found {
    const first = parts[0];
    if (first === undefined || shadow.has(first.toLowerCase())) return { lineage: NO_LINEAGE };
    if (parts.length > 1) {
      for (let s: Scope | undefined = this; s; s = s.parent) {
        const hit = s.qualified(parts);
        if (hit) return hit;
      }
    }
    for (let s: Scope | undefined = this; s; s = s.parent) {
      const hit = s.unqualified(first);
      if (hit) return parts.length === 1 ? hit : { lineage: hit.lineage };
    }
    return { lineage: this.fallback(first) };
  }

  private qualified(parts: readonly string[]): Found | undefined {
    for (let k = Math.min(parts.length - 1, 3); k >= 1; k--) {
      const rel = this.findRelation(parts.slice(0, k));
      if (!rel) continue;
      const column = findColumn(rel.columns ?? [], parts[k]!);
      const lineage = column?.lineage ?? rel.other?.(parts[k]!) ?? NO_LINEAGE;
      return column && k === parts.length - 1 ? { lineage, column } : { lineage };
    }
    return undefined;
  }

  /** Steps 1–4 of the lookup (see the file comment) in this scope; undefined when none applies. */
  private unqualified(name: string): Found | undefined {
    const merged = findColumn(this.merges, name);
    if (merged) return { lineage: merged.lineage, column: merged };
    const known = this.relations.flatMap((r) => {
      const c = r.columns && findColumn(r.columns, name);
      return c ? [c] : [];
    });
    if (known.length === 1) return { lineage: known[0]!.lineage, column: known[0]! };
    if (known.length > 1) return { lineage: unionOf(known.map((c) => c.lineage)) };
    const alias = findColumn(this.aliases, name);
    if (alias) return { lineage: alias.lineage, column: alias };
    const unknown = this.relations.filter((r) => !r.columns);
    if (unknown.length > 0) return { lineage: unionOf(unknown.map((r) => r.other?.(name) ?? NO_LINEAGE)) };
    return undefined;
  }

  /** Step 6: the one relation of the nearest scope with relations that takes unlisted columns. */
  private fallback(name: string): Lineage {
    let s: Scope | undefined = this;
    while (s && s.relations.length === 0) s = s.parent;
    const open = s?.relations.filter((r) => r.other) ?? [];
    return open.length === 1 ? open[0]!.other!(name) : NO_LINEAGE;
  }
}
