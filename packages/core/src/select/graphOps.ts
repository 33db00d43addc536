import type { DirectedGraph } from 'graphology';
import type { NodeAttrs } from '../graph/graph.js';
import type { Criterion } from './syntax.js';

/** Nodes reachable from any of `from` within `depth` steps up (parents) or down (children). */
export function reach(g: DirectedGraph<NodeAttrs>, from: Iterable<string>, depth: number, dir: 'up' | 'down'): Set<string> {
  const seen = new Set<string>();
  let frontier = [...from].filter((id) => g.hasNode(id));
  for (let d = 0; d < depth && frontier.length; d++) {
    const next: string[] = [];
    for (const id of frontier) {
      for (const m of dir === 'up' ? g.inNeighbors(id) : g.outNeighbors(id)) {
        if (!seen.has(m)) {
          seen.add(m);
          next.push(m);
        }
      }
    }
    frontier = next;
  }
  return seen;
}

/** The matched nodes plus what the criterion's graph operators add. */
export function expand(g: DirectedGraph<NodeAttrs>, matched: Set<string>, c: Criterion): Set<string> {
  const out = new Set(matched);
  if (c.childrensParents) {
    for (const id of reach(g, matched, Infinity, 'down')) out.add(id);
    for (const id of reach(g, [...out], Infinity, 'up')) out.add(id);
    return out;
  }
  if (c.parents) for (const id of reach(g, matched, c.parents, 'up')) out.add(id);
  if (c.children) for (const id of reach(g, matched, c.children, 'down')) out.add(id);
  return out;
}
