import { DirectedGraph } from 'graphology';
import { topologicalGenerations } from 'graphology-dag';
import type { Manifest } from '../compile/manifest.js';

export interface NodeAttrs extends Record<string, unknown> {
  resourceType: 'model' | 'seed' | 'source' | 'test';
  name: string;
}

/** The DAG of models, seeds, sources and tests (a test hangs off every node it reads). */
export function buildGraph(manifest: Manifest): DirectedGraph<NodeAttrs> {
  const g = new DirectedGraph<NodeAttrs>({ allowSelfLoops: false });
  for (const s of Object.values(manifest.sources)) g.addNode(s.uniqueId, { resourceType: 'source', name: s.name });
  for (const n of Object.values(manifest.nodes)) g.addNode(n.uniqueId, { resourceType: n.resourceType, name: n.name });
  for (const n of Object.values(manifest.nodes)) for (const p of n.dependsOn.nodes) g.mergeEdge(p, n.uniqueId);
  for (const t of Object.values(manifest.tests ?? {})) {
    g.addNode(t.uniqueId, { resourceType: 'test', name: t.name });
    for (const p of t.dependsOn.nodes) if (g.hasNode(p)) g.mergeEdge(p, t.uniqueId);
  }
  return g;
}

/** Node ids in topological generations (each generation's nodes are independent of each other). */
export function generations(g: DirectedGraph<NodeAttrs>): string[][] {
  return topologicalGenerations(g).map((gen) => [...gen].sort());
}

export function ancestors(g: DirectedGraph<NodeAttrs>, id: string, depth = Infinity): Set<string> {
  return walk(g, id, depth, (n) => g.inNeighbors(n));
}

export function descendants(g: DirectedGraph<NodeAttrs>, id: string, depth = Infinity): Set<string> {
  return walk(g, id, depth, (n) => g.outNeighbors(n));
}

function walk(g: DirectedGraph<NodeAttrs>, id: string, depth: number, next: (n: string) => string[]): Set<string> {
  const seen = new Set<string>();
  let frontier = [id];
  for (let d = 0; d < depth && frontier.length; d++) {
    const nf: string[] = [];
    for (const n of frontier) for (const m of next(n)) if (!seen.has(m)) { seen.add(m); nf.push(m); }
    frontier = nf;
  }
  seen.delete(id);
  return seen;
}
