import type { Adapter, RelationRef } from '../adapter/types.js';
import type { Introspection } from '../compile/render.js';
import { relationKey } from '../compile/render.js';

/** Schemas (with database) that the given relations live in, deduplicated, in first-seen order. */
export function schemasOf(rels: Iterable<RelationRef>): { database?: string; schema: string }[] {
  const seen = new Map<string, { database?: string; schema: string }>();
  for (const r of rels) {
    const k = `${r.database ?? ''}.${r.schema}`;
    if (!seen.has(k)) seen.set(k, { database: r.database, schema: r.schema });
  }
  return [...seen.values()];
}

/**
 * Read-only look at the warehouse: which relations exist in the schemas a run touches.
 * Never writes; safe under --dry-run.
 */
export async function introspect(adapter: Adapter, schemas: { database?: string; schema: string }[]): Promise<Introspection> {
  const relations = new Map<string, import('../adapter/types.js').RelationInfo>();
  for (const s of schemas) {
    for (const r of await adapter.listRelations(s.schema, s.database)) relations.set(relationKey(r), r);
  }
  return { relations };
}
