import { DirectedGraph } from 'graphology';
import Sigma from 'sigma';
import { EdgeLineProgram, NodePointProgram, type EdgeProgramType, type NodeProgramType } from 'sigma/rendering';
import type { EdgeDisplayData, NodeDisplayData } from 'sigma/types';
import { graphOf } from '../graphNodes.js';
import type { DocsNode, SiteLayout } from '../siteTypes.js';
import { nodeColor } from './catalog.js';
import { adjacency, neighbourhood, type Adjacency } from './focus.js';
import { docsState } from './hooks.js';

interface NodeAttrs {
  x: number;
  y: number;
  size: number;
  color: string;
  label: string;
}

interface EdgeAttrs {
  size: number;
  color: string;
}

const DIM_NODE = '#d5d9e0';
const DIM_EDGE = '#eceef2';
const EDGE = '#b9c0cc';
const FOCUS_EDGE = '#39424e';
/**
 * Above this many nodes the graph is drawn with sigma's cheapest programs: nodes as GL points,
 * edges as 1px GL lines (no arrowheads). In software WebGL (SwiftShader) that makes a 5,000-node
 * frame about 15 times cheaper than circles and arrows; direction still reads left to right.
 */
const LARGE_GRAPH = 500;

/**
 * The lineage graph: sigma over a graphology DirectedGraph of the drawn nodes (edges parent →
 * child), positioned by the generate-time layout. Filtering and focus never rebuild the graph:
 * they change what the node and edge reducers return, then refresh once.
 */
export class GraphView {
  private readonly graph = new DirectedGraph<NodeAttrs, EdgeAttrs>();
  private readonly sigma: Sigma<NodeAttrs, EdgeAttrs>;
  private readonly adj: Adjacency;
  private visible: Set<string> | null = null;
  private focusSet: Set<string> | null = null;
  private focusId: string | null = null;
  private hovered: string | null = null;
  /** What the current focus was made from ('' for none), so an unchanged focus costs nothing. */
  private focusKey = '';
  private countPending = true;
  private firstFrame = true;

  /** Throws when WebGL is not available. */
  constructor(container: HTMLElement, nodes: DocsNode[], layout: SiteLayout, private readonly events: { open(id: string): void; firstFrame(): void }) {
    const { nodes: drawn, edges } = graphOf(nodes);
    const large = drawn.length > LARGE_GRAPH;
    const size = drawn.length > 2000 ? 3 : drawn.length > 300 ? 4 : 6;
    let spare = 0;
    for (const n of drawn) {
      const at = layout.positions[n.uniqueId] ?? [0, --spare];
      this.graph.addNode(n.uniqueId, { x: at[0], y: at[1], size, color: nodeColor(n), label: n.name });
    }
    const edgeSize = drawn.length > 2000 ? 0.5 : 1;
    for (const [p, c] of edges) this.graph.addDirectedEdge(p, c, { size: edgeSize, color: EDGE });
    this.adj = adjacency(edges);

    this.sigma = new Sigma<NodeAttrs, EdgeAttrs>(this.graph, container, {
      ...(large
        ? {
            defaultNodeType: 'point',
            nodeProgramClasses: { point: NodePointProgram as unknown as NodeProgramType<NodeAttrs, EdgeAttrs> },
            defaultEdgeType: 'thin',
            edgeProgramClasses: { thin: EdgeLineProgram as unknown as EdgeProgramType<NodeAttrs, EdgeAttrs> },
          }
        : { defaultEdgeType: 'arrow' }),
      renderEdgeLabels: false,
      hideEdgesOnMove: drawn.length > 2000,
      // Nodes are clickable, edges are not: no edge picking.
      enableEdgeEvents: false,
      labelRenderedSizeThreshold: 6,
      zIndex: true,
      nodeReducer: (id, data) => this.nodeReducer(id, data),
      edgeReducer: (id, data) => this.edgeReducer(id, data),
    });
    this.sigma.on('afterRender', () => this.afterRender());
    if (!large && drawn.length > 1) {
      // Room on the right for the labels of the last column (cheap to re-render at this size).
      const xs = drawn.map((n) => this.graph.getNodeAttribute(n.uniqueId, 'x'));
      const ys = drawn.map((n) => this.graph.getNodeAttribute(n.uniqueId, 'y'));
      const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
      this.sigma.setCustomBBox({ x: [x0, x1 + Math.max(1, (x1 - x0) * 0.15)], y: [y0, y1] });
    }
    // The constructor rendered the first frame synchronously, before a listener could be attached.
    queueMicrotask(() => this.afterRender());
    this.sigma.on('clickNode', ({ node }) => this.events.open(node));
    this.sigma.on('enterNode', ({ node }) => this.hover(node, container));
    this.sigma.on('leaveNode', () => this.hover(null, container));
  }

  /** Whether the graph draws this node. */
  has(id: string): boolean {
    return this.graph.hasNode(id);
  }

  /** Number of nodes in the graph (whatever the filter). */
  get order(): number {
    return this.graph.order;
  }

  /** Show only these ids (null: all); returns how many drawn nodes that leaves. */
  setFilter(ids: Set<string> | null): number {
    this.visible = ids;
    this.refresh();
    return ids ? this.graph.filterNodes((n) => ids.has(n)).length : this.graph.order;
  }

  /** Highlight `id` and its neighbourhood (null: no focus); moves the camera to it. */
  focus(id: string | null, up: number, down: number): void {
    const target = id !== null && this.graph.hasNode(id) ? id : null;
    const key = target === null ? '' : `${target}|${up}|${down}`;
    if (key === this.focusKey) return;
    this.focusKey = key;
    if (target === null) {
      this.focusId = null;
      this.focusSet = null;
      this.refresh();
      docsState.highlighted = [];
      return;
    }
    this.focusId = target;
    this.focusSet = neighbourhood(this.adj, target, up, down);
    this.refresh();
    docsState.highlighted = [...this.focusSet].sort();
    this.frame(this.focusSet);
  }

  /** Re-fit the renderer after its container changed size. */
  resize(): void {
    this.sigma.resize();
  }

  /** The pointer is over a node (null: none): a pointer cursor, and a dimmed node shows its name. */
  private hover(id: string | null, container: HTMLElement): void {
    container.style.cursor = id === null ? '' : 'pointer';
    const changed = [this.hovered, id].filter((n): n is string => n !== null && this.focusSet !== null && !this.focusSet.has(n));
    this.hovered = id;
    if (changed.length) this.sigma.refresh({ partialGraph: { nodes: changed }, skipIndexation: true });
  }

  private refresh(): void {
    this.countPending = true;
    this.sigma.refresh();
  }

  private nodeReducer(id: string, data: NodeAttrs): Partial<NodeDisplayData> {
    if (this.visible && !this.visible.has(id)) return { ...data, hidden: true };
    if (!this.focusSet) return data;
    if (!this.focusSet.has(id)) return { ...data, color: DIM_NODE, label: id === this.hovered ? data.label : '', zIndex: 0 };
    return { ...data, zIndex: 1, highlighted: id === this.focusId, forceLabel: this.focusSet.size <= 40, size: data.size * 1.6 };
  }

  private edgeReducer(id: string, data: EdgeAttrs): Partial<EdgeDisplayData> {
    const [s, t] = this.graph.extremities(id);
    if (this.visible && (!this.visible.has(s) || !this.visible.has(t))) return { ...data, hidden: true };
    if (!this.focusSet) return data;
    if (this.focusSet.has(s) && this.focusSet.has(t)) return { ...data, color: FOCUS_EDGE, size: Math.max(1, data.size * 2), zIndex: 1 };
    return { ...data, color: DIM_EDGE, zIndex: 0 };
  }

  /** After a frame: count what was drawn (once per refresh), and report the first frame. */
  private afterRender(): void {
    if (this.countPending) {
      this.countPending = false;
      let nodes = 0;
      const hidden = new Set<string>();
      this.graph.forEachNode((n) => {
        const d = this.sigma.getNodeDisplayData(n);
        if (d && !d.hidden) nodes++;
        else hidden.add(n);
      });
      let edges = 0;
      this.graph.forEachEdge((e, _a, s, t) => {
        const d = this.sigma.getEdgeDisplayData(e);
        if (d && !d.hidden && !hidden.has(s) && !hidden.has(t)) edges++;
      });
      docsState.drawnNodes = nodes;
      docsState.drawnEdges = edges;
    }
    if (this.firstFrame) {
      this.firstFrame = false;
      this.events.firstFrame();
    }
  }

  /** Move the camera so the given nodes fill most of the view. */
  private frame(ids: Set<string>): void {
    let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
    for (const id of ids) {
      const d = this.sigma.getNodeDisplayData(id);
      if (!d) continue;
      x0 = Math.min(x0, d.x); x1 = Math.max(x1, d.x);
      y0 = Math.min(y0, d.y); y1 = Math.max(y1, d.y);
    }
    // A small graph is easiest to read whole; a large one zooms to the neighbourhood with some context.
    if (!Number.isFinite(x0) || this.graph.order <= 100) return;
    const ratio = Math.min(1, Math.max(0.05, Math.max(x1 - x0, y1 - y0) * 2));
    void this.sigma.getCamera().animate({ x: (x0 + x1) / 2, y: (y0 + y1) / 2, ratio }, { duration: 250 });
  }
}
