import { isGraphNode } from '../graphNodes.js';
import type { DocsNode, SiteData } from '../siteTypes.js';

/** The site's data with the lookups every view needs. */
export interface Catalog {
  data: SiteData;
  byId: Map<string, DocsNode>;
  /** Nodes the lineage graph draws. */
  graphNodes: DocsNode[];
}

/** Read data.js's global (base64 of gzip-compressed JSON) and inflate it; throws when data.js did not load. */
export async function loadCatalog(): Promise<Catalog> {
  const packed = (window as unknown as { __TFORM_DOCS_GZ__?: string }).__TFORM_DOCS_GZ__;
  if (typeof packed !== 'string') throw new Error('data.js did not load: the site folder is incomplete; run `tform docs generate` again');
  const data = JSON.parse(await inflate(packed)) as SiteData;
  if (!data || !Array.isArray(data.nodes)) throw new Error('data.js holds no nodes: run `tform docs generate` again');
  const byId = new Map(data.nodes.map((n) => [n.uniqueId, n]));
  return { data, byId, graphNodes: data.nodes.filter(isGraphNode) };
}

async function inflate(base64: string): Promise<string> {
  const bin = atob(base64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Response(stream).text();
}

/** Order of resource types in lists and search results. */
export const TYPE_ORDER: Record<string, number> = { model: 0, source: 1, seed: 2, analysis: 3, test: 4 };

/** Plural labels of resource types. */
export const TYPE_LABEL: Record<string, string> = { model: 'Models', source: 'Sources', seed: 'Seeds', analysis: 'Analyses', test: 'Tests' };

/** Known layers, in order; others follow alphabetically. */
export const LAYERS = ['bronze', 'silver', 'gold'];

const LAYER_COLORS: Record<string, string> = { bronze: '#b3773b', silver: '#7d8b99', gold: '#d9a404' };
const TYPE_COLORS: Record<string, string> = { source: '#2f9e6b', seed: '#8a5cc2', analysis: '#3b7dd8', model: '#5c6bc0', test: '#999999' };
const EXTRA = ['#e0607e', '#26a0a6', '#c2703d', '#6d8f2e', '#a05ab8'];

/** A layer's colour (named layers fixed, others from a small palette by name). */
export function layerColor(layer: string): string {
  const known = LAYER_COLORS[layer];
  if (known) return known;
  let h = 0;
  for (const ch of layer) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return EXTRA[h % EXTRA.length]!;
}

/** A node's colour: `docs.node_color`, else its layer's, else its resource type's. */
export function nodeColor(n: DocsNode): string {
  if (n.color && /^#[0-9a-f]{3,8}$|^[a-z]+$/i.test(n.color)) return n.color;
  if (n.layer) return layerColor(n.layer);
  return TYPE_COLORS[n.resourceType] ?? '#5c6bc0';
}

/** The colours the legend shows: every layer present, then resource types without a layer. */
export function legendEntries(nodes: DocsNode[]): { label: string; color: string }[] {
  const layers = new Set<string>();
  const bare = new Set<string>();
  for (const n of nodes) (n.layer ? layers.add(n.layer) : bare.add(n.resourceType));
  return [
    ...sortLayers([...layers]).map((l) => ({ label: l, color: layerColor(l) })),
    ...[...bare].sort((a, b) => (TYPE_ORDER[a] ?? 9) - (TYPE_ORDER[b] ?? 9)).map((t) => ({ label: `${t} (no layer)`, color: TYPE_COLORS[t] ?? '#5c6bc0' })),
  ];
}

/** bronze, silver, gold, then other layers by name. */
export function sortLayers(layers: string[]): string[] {
  const rank = (l: string) => (LAYERS.includes(l) ? LAYERS.indexOf(l) : LAYERS.length);
  return [...layers].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
}
