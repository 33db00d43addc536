import { DirectedGraph } from 'graphology';
import type { NodeAttrs } from '../../../core/dist/graph/graph.js';
import { parseSelector, selectNodes, type ManifestLike, type SelectableNode, type SelectableType, type SelectionExpr, type SelectionState } from '../../../core/dist/select/select.js';
import type { DocsNode } from '../siteTypes.js';

/**
 * The CLI's selector grammar over the docs data: the same `selectNodes` the CLI runs (bundled
 * from @tform/core), over a ManifestLike built from the DocsData nodes (they carry the fields
 * selection reads) and a graph built as graph/graph.ts builds it. `result:` reads the nodes'
 * last results; `state:` and `selector:` need files the site does not have.
 */
export class Selector {
  private readonly manifest: ManifestLike;
  private readonly graph = new DirectedGraph<NodeAttrs>({ allowSelfLoops: false });
  private readonly state: SelectionState;

  constructor(nodes: DocsNode[]) {
    const m: ManifestLike = { nodes: {}, sources: {}, tests: {} };
    for (const n of nodes) {
      const sel = n as SelectableNode;
      if (n.resourceType === 'source') m.sources![n.uniqueId] = sel;
      else if (n.resourceType === 'test') m.tests![n.uniqueId] = sel;
      else m.nodes[n.uniqueId] = sel;
      this.graph.addNode(n.uniqueId, { resourceType: n.resourceType as NodeAttrs['resourceType'], name: n.name });
    }
    for (const n of nodes) for (const p of n.dependsOn.nodes) if (p !== n.uniqueId && this.graph.hasNode(p)) this.graph.mergeEdge(p, n.uniqueId);
    this.manifest = m;
    const results = nodes.filter((n) => n.result).map((n) => ({ uniqueId: n.uniqueId, status: n.result!.status }));
    this.state = results.length ? { runResults: { results } } : {};
  }

  /** Ids a selector selects; throws an Error with a message (and hint) for a bad selector. */
  select(text: string): Set<string> {
    rejectUnavailable(parseSelector(text));
    const types = ['model', 'seed', 'source', 'test', 'analysis'] as unknown as SelectableType[];
    return new Set(selectNodes(this.manifest, this.graph, this.graph.nodes(), { select: [text], resourceTypes: types, state: this.state, indirectSelection: 'eager' }));
  }
}

/** The message of a selection error, with its hint. */
export function selectorMessage(e: unknown): string {
  const err = e as { message?: string; hint?: string };
  const msg = err?.message ?? String(e);
  return err?.hint ? `${msg} (${err.hint})` : msg;
}

function rejectUnavailable(e: SelectionExpr): void {
  switch (e.kind) {
    case 'criterion':
      if (e.criterion.method === 'state') throw new Error(`'${e.criterion.raw}': state: compares with an earlier run's manifest (--state), which the docs site does not have`);
      if (e.criterion.method === 'selector') throw new Error(`'${e.criterion.raw}': selector: reads selectors.yml, which the docs site does not have`);
      return;
    case 'union':
    case 'intersection':
      return e.items.forEach(rejectUnavailable);
    case 'difference':
      rejectUnavailable(e.base);
      return rejectUnavailable(e.minus);
  }
}
