import type { DocsNode } from '../siteTypes.js';
import { TYPE_ORDER } from './catalog.js';

/** One search hit: a node, or a column of a node. */
export interface SearchHit {
  id: string;
  column?: string;
  /** What the result shows first: the node's or the column's name. */
  name: string;
  /** What it is: `model · silver`, `column of stg_events`. */
  kind: string;
}

interface Entry extends SearchHit {
  nameLc: string;
  /** Everything else that matches: id, description, tags, column names (for nodes). */
  textLc: string;
  typeRank: number;
}

/**
 * Search over names, ids, description text, tags and column names of every node (hidden ones
 * included), and over each column by its name and description. Every word of the query must
 * appear; exact names rank first, then name prefixes, then names containing the query, then
 * other matches; nodes before their columns.
 */
export class SearchIndex {
  private readonly entries: Entry[] = [];
  /** The last query and the entries it matched: a longer query only looks among those. */
  private last?: { q: string; matched: Entry[] };

  constructor(nodes: DocsNode[]) {
    for (const n of nodes) {
      const typeRank = TYPE_ORDER[n.resourceType] ?? 9;
      const kind = [n.resourceType, n.layer, n.resourceType === 'source' ? n.sourceName : undefined].filter(Boolean).join(' · ');
      const text = [n.uniqueId, n.description, n.tags.join(' '), n.columns.map((c) => c.name).join(' '), n.sourceName ?? ''].join(' ');
      this.entries.push({ id: n.uniqueId, name: n.name, kind, nameLc: n.name.toLowerCase(), textLc: text.toLowerCase(), typeRank });
      for (const c of n.columns) {
        this.entries.push({ id: n.uniqueId, column: c.name, name: c.name, kind: `column of ${n.name}`, nameLc: c.name.toLowerCase(), textLc: `${n.name} ${c.description}`.toLowerCase(), typeRank: typeRank + 0.5 });
      }
    }
  }

  /** The best `limit` hits for a query (none for an empty one). */
  search(query: string, limit = 25): SearchHit[] {
    const q = query.trim().toLowerCase();
    if (!q) return [];
    const words = q.split(/\s+/);
    const pool = this.last && q.startsWith(this.last.q) ? this.last.matched : this.entries;
    const matched: Entry[] = [];
    // Scores are small integers: bucket the hits, then sort only the buckets the result needs.
    const buckets: Entry[][] = [];
    for (const e of pool) {
      let all = true;
      for (const w of words) {
        if (!e.nameLc.includes(w) && !e.textLc.includes(w)) {
          all = false;
          break;
        }
      }
      if (!all) continue;
      matched.push(e);
      const rank = e.nameLc === q ? 0 : e.nameLc.startsWith(q) ? 1 : e.nameLc.includes(q) ? 2 : 3;
      (buckets[rank * 20 + Math.round(e.typeRank * 2)] ??= []).push(e);
    }
    this.last = { q, matched };
    const out: SearchHit[] = [];
    for (const bucket of buckets) {
      if (!bucket) continue;
      bucket.sort((a, b) => a.name.length - b.name.length || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      for (const e of bucket) {
        if (out.length >= limit) return out;
        out.push({ id: e.id, column: e.column, name: e.name, kind: e.kind });
      }
    }
    return out;
  }
}
