import { graphOf, type GraphCandidate } from './graphNodes.js';
import { SITE_LAYOUT_VERSION, type SiteLayout } from './siteTypes.js';

/** Distance between the columns one wrapped depth is split into. */
const SUB_GAP = 1.5;

/**
 * A layered layout of the lineage graph, computed once at generate time.
 *
 * x is given by the node's topological depth (longest path from a root), y by its rank within
 * that depth (a depth with many nodes wraps into several adjacent columns).
 * Ranks start in uniqueId order and are refined by barycenter sweeps (down, up, down): each node
 * moves to the mean relative rank of its neighbours in the sweep's direction, which keeps
 * parents and children close and edges short. Each sweep is linear in nodes + edges (plus the
 * sort of each depth), so thousands of nodes take milliseconds. The result depends only on the
 * graph, not on the order of `nodes`. Nodes in a cycle (not expected in a DAG, tolerated) are
 * placed after their placed parents.
 */
export function layeredLayout(nodes: readonly GraphCandidate[]): SiteLayout {
  const { nodes: drawn, edges } = graphOf([...nodes].sort((a, b) => cmp(a.uniqueId, b.uniqueId)));
  const n = drawn.length;
  const index = new Map<string, number>();
  drawn.forEach((d, i) => index.set(d.uniqueId, i));
  const parents: number[][] = drawn.map(() => []);
  const children: number[][] = drawn.map(() => []);
  for (const [p, c] of edges) {
    const pi = index.get(p)!;
    const ci = index.get(c)!;
    parents[ci]!.push(pi);
    children[pi]!.push(ci);
  }

  const depth = depths(n, parents, children);
  const columns: number[][] = [];
  for (let i = 0; i < n; i++) (columns[depth[i]!] ??= []).push(i);
  for (let d = 0; d < columns.length; d++) columns[d] ??= [];

  // Relative rank in (0, 1) of every node within its depth.
  const rel = new Float64Array(n);
  const setRanks = (col: number[]) => col.forEach((v, r) => (rel[v] = (r + 0.5) / col.length));
  columns.forEach(setRanks);
  const key = new Float64Array(n);
  const sweep = (order: number[], neighbours: number[][]) => {
    for (const d of order) {
      const col = columns[d]!;
      for (const v of col) {
        const ns = neighbours[v]!;
        let sum = 0;
        for (const m of ns) sum += rel[m]!;
        key[v] = ns.length ? sum / ns.length : rel[v]!;
      }
      col.sort((a, b) => key[a]! - key[b]! || a - b);
      setRanks(col);
    }
  };
  const down = columns.map((_, d) => d).slice(1);
  const up = columns.map((_, d) => d).reverse().slice(1);
  sweep(down, parents);
  sweep(up, children);
  sweep(down, parents);

  // Geometry: one unit between neighbours of a column. A depth with more nodes than fit one
  // column (about 1.3·√n) wraps into several side by side, so a wide layer (often the roots) does
  // not squash the rest; depths are spread so the drawing is about 2.5 times as wide as tall.
  const height = Math.max(1, Math.min(Math.max(...columns.map((c) => c.length), 1), Math.max(30, Math.ceil(1.3 * Math.sqrt(n)))));
  const subCols = columns.map((c) => Math.max(1, Math.ceil(c.length / height)));
  const inner = subCols.reduce((a, k) => a + (k - 1) * SUB_GAP, 0);
  const gap = columns.length > 1 ? Math.max(3, (2.5 * height - inner) / (columns.length - 1)) : 1;
  const positions: Record<string, [number, number]> = {};
  let x0 = 0;
  columns.forEach((col, d) => {
    const k = subCols[d]!;
    const rows = Math.ceil(col.length / k);
    col.forEach((v, r) => {
      const sub = Math.floor(r / rows);
      const row = r % rows;
      const inCol = Math.min(rows, col.length - sub * rows);
      positions[drawn[v]!.uniqueId] = [round(x0 + sub * SUB_GAP), round((inCol - 1) / 2 - row)];
    });
    x0 += (k - 1) * SUB_GAP + gap;
  });
  return { version: SITE_LAYOUT_VERSION, positions, depths: columns.length };
}

/** Longest-path depth of each node (Kahn's algorithm); nodes left in cycles go after their placed parents. */
function depths(n: number, parents: number[][], children: number[][]): number[] {
  const depth = new Array<number>(n).fill(0);
  const pending = parents.map((ps) => ps.length);
  const done = new Uint8Array(n);
  const queue: number[] = [];
  for (let i = 0; i < n; i++) if (pending[i] === 0) queue.push(i);
  const drain = () => {
    for (let h = 0; h < queue.length; h++) {
      const v = queue[h]!;
      done[v] = 1;
      for (const c of children[v]!) {
        if (done[c]) continue;
        if (depth[v]! + 1 > depth[c]!) depth[c] = depth[v]! + 1;
        if (--pending[c]! === 0) queue.push(c);
      }
    }
    queue.length = 0;
  };
  drain();
  for (let i = 0; i < n; i++) {
    if (done[i]) continue;
    // In a cycle: place it after the parents placed so far, then release what waited for it.
    let d = 0;
    for (const p of parents[i]!) if (done[p]) d = Math.max(d, depth[p]! + 1);
    depth[i] = d;
    pending[i] = 0;
    queue.push(i);
    drain();
  }
  return depth;
}

function round(v: number): number {
  return Math.round(v * 100) / 100;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
