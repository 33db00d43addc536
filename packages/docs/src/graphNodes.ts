/** Which nodes the lineage graph draws; shared by the layout (generate time) and the site. */

/** The fields of a DocsNode the choice reads. */
export interface GraphCandidate {
  uniqueId: string;
  resourceType: string;
  show: boolean;
  parents: string[];
}

/** Models, seeds, sources and analyses with `show: true`; tests hang off nodes and are listed on their pages. */
export function isGraphNode(n: GraphCandidate): boolean {
  return n.resourceType !== 'test' && n.show !== false;
}

/** The graph's nodes and its edges parent → child (both ends drawn, no self loops, no duplicates). */
export function graphOf<N extends GraphCandidate>(nodes: readonly N[]): { nodes: N[]; edges: [string, string][] } {
  const drawn = nodes.filter(isGraphNode);
  const ids = new Set(drawn.map((n) => n.uniqueId));
  const edges: [string, string][] = [];
  for (const n of drawn) {
    const seen = new Set<string>();
    for (const p of n.parents) {
      if (p === n.uniqueId || seen.has(p) || !ids.has(p)) continue;
      seen.add(p);
      edges.push([p, n.uniqueId]);
    }
  }
  return { nodes: drawn, edges };
}
