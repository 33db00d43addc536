/**
 * Columns with lineage, as resolution passes them around: a name and the set of upstream
 * columns it derives from.
 */
import type { DocsColumnRef } from '../types.js';

/** Upstream columns, as keys made by refKey. */
export type Lineage = ReadonlySet<string>;

/** A column of a relation in scope, or an output column of a query. */
export interface OutColumn {
  name: string;
  lineage: Lineage;
}

export const NO_LINEAGE: Lineage = new Set<string>();

const SEP = '\u0000';

/** The key of one upstream column. */
export function refKey(node: string, column: string): string {
  return `${node}${SEP}${column}`;
}

/** The union of several lineages. */
export function unionOf(lineages: Iterable<Lineage>): Lineage {
  const out = new Set<string>();
  for (const l of lineages) for (const k of l) out.add(k);
  return out;
}

/** Upstream refs sorted by node then column, no duplicates. */
export function toRefs(lineage: Lineage): DocsColumnRef[] {
  return [...lineage]
    .map((k) => {
      const i = k.indexOf(SEP);
      return { node: k.slice(0, i), column: k.slice(i + 1) };
    })
    .sort((a, b) => (a.node < b.node ? -1 : a.node > b.node ? 1 : a.column < b.column ? -1 : a.column > b.column ? 1 : 0));
}

/** Names compare case-insensitively (unquoted identifiers fold in DuckDB and PostgreSQL). */
export function sameName(a: string, b: string): boolean {
  return a === b || a.toLowerCase() === b.toLowerCase();
}

/** The column named `name`: an exact match first, else a case-insensitive one. */
export function findColumn<T extends { name: string }>(columns: readonly T[], name: string): T | undefined {
  return columns.find((c) => c.name === name) ?? columns.find((c) => sameName(c.name, name));
}

/** Columns renamed positionally by column aliases (`t(a, b)`); extra columns keep their names. */
export function renamed(columns: readonly OutColumn[], aliases: readonly string[] | undefined): OutColumn[] {
  if (!aliases || aliases.length === 0) return [...columns];
  return columns.map((c, i) => (i < aliases.length ? { name: aliases[i]!, lineage: c.lineage } : c));
}
