import type { Adapter, ColumnInfo, RelationRef } from '../adapter/types.js';
import type { Manifest } from '../compile/manifest.js';
import { relationOf, relationOfSource } from '../plan/plan.js';

/**
 * The catalog: what the warehouse says about the relations of the project's models, seeds and
 * sources — their columns and types, in table order. Read (never written) by `tform docs
 * generate` after a run; written to target/catalog.json as dbt does.
 */
export interface Catalog {
  metadata: { generatedAt: string; tformVersion: string; targetName: string };
  /** By uniqueId; only relations that exist in the warehouse. */
  nodes: Record<string, CatalogEntry>;
  /** Relations that could not be read, with the warehouse's message. */
  errors: { uniqueId: string; message: string }[];
}

export interface CatalogEntry {
  uniqueId: string;
  kind: 'table' | 'view';
  relation: RelationRef;
  columns: ColumnInfo[];
}

/** The relation of every model, seed and source that has one (ephemeral models have none). */
export function catalogRelations(m: Manifest): { uniqueId: string; relation: RelationRef }[] {
  const out: { uniqueId: string; relation: RelationRef }[] = [];
  for (const n of Object.values(m.nodes)) {
    if (n.resourceType === 'model' && n.materialized === 'ephemeral') continue;
    out.push({ uniqueId: n.uniqueId, relation: relationOf(n) });
  }
  for (const s of Object.values(m.sources)) out.push({ uniqueId: s.uniqueId, relation: relationOfSource(s) });
  return out.sort((a, b) => (a.uniqueId < b.uniqueId ? -1 : a.uniqueId > b.uniqueId ? 1 : 0));
}

const key = (r: RelationRef) => `${r.database ?? ''}\u0000${r.schema.toLowerCase()}\u0000${r.identifier.toLowerCase()}`;

/**
 * Read the catalog: list each schema once, then the columns of the relations that exist, a few
 * at a time. A relation that fails to read is recorded in `errors`, never fatal.
 */
export async function readCatalog(adapter: Adapter, m: Manifest, o: { now: Date; concurrency?: number }): Promise<Catalog> {
  const wanted = catalogRelations(m);
  const schemas = new Map<string, { schema: string; database?: string }>();
  for (const w of wanted) schemas.set(`${w.relation.database ?? ''}\u0000${w.relation.schema.toLowerCase()}`, { schema: w.relation.schema, database: w.relation.database });
  const existing = new Map<string, 'table' | 'view'>();
  // One schema at a time: listing is cheap, and some warehouses dislike parallel catalog reads.
  for (const s of schemas.values()) {
    for (const r of await adapter.listRelations(s.schema, s.database)) existing.set(key({ ...r, database: s.database }), r.kind);
  }
  const present = wanted.filter((w) => existing.has(key(w.relation)));
  const nodes: Record<string, CatalogEntry> = {};
  const errors: Catalog['errors'] = [];
  const width = Math.max(1, o.concurrency ?? 4);
  for (let i = 0; i < present.length; i += width) {
    await Promise.all(
      present.slice(i, i + width).map(async (w) => {
        try {
          const columns = await adapter.columns(w.relation);
          nodes[w.uniqueId] = { uniqueId: w.uniqueId, kind: existing.get(key(w.relation))!, relation: w.relation, columns };
        } catch (e) {
          errors.push({ uniqueId: w.uniqueId, message: e instanceof Error ? e.message : String(e) });
        }
      }),
    );
  }
  const sorted: Record<string, CatalogEntry> = {};
  for (const id of Object.keys(nodes).sort()) sorted[id] = nodes[id]!;
  return {
    metadata: { generatedAt: o.now.toISOString(), tformVersion: m.metadata.tformVersion, targetName: m.metadata.targetName },
    nodes: sorted,
    errors: errors.sort((a, b) => (a.uniqueId < b.uniqueId ? -1 : 1)),
  };
}
