/** Upstream / downstream neighbourhoods over the drawn graph's adjacency. */
export interface Adjacency {
  parents: Map<string, string[]>;
  children: Map<string, string[]>;
}

/** Adjacency of edges parent → child. */
export function adjacency(edges: [string, string][]): Adjacency {
  const parents = new Map<string, string[]>();
  const children = new Map<string, string[]>();
  for (const [p, c] of edges) {
    (children.get(p) ?? children.set(p, []).get(p)!).push(c);
    (parents.get(c) ?? parents.set(c, []).get(c)!).push(p);
  }
  return { parents, children };
}

/** `id`, its ancestors within `up` steps and its descendants within `down` steps (Infinity: all). */
export function neighbourhood(adj: Adjacency, id: string, up: number, down: number): Set<string> {
  const out = new Set<string>([id]);
  walk(adj.parents, id, up, out);
  walk(adj.children, id, down, out);
  return out;
}

function walk(next: Map<string, string[]>, id: string, depth: number, out: Set<string>): void {
  const seen = new Set<string>([id]);
  let frontier = [id];
  for (let d = 0; d < depth && frontier.length; d++) {
    const nf: string[] = [];
    for (const n of frontier) {
      for (const m of next.get(n) ?? []) {
        if (seen.has(m)) continue;
        seen.add(m);
        out.add(m);
        nf.push(m);
      }
    }
    frontier = nf;
  }
}
