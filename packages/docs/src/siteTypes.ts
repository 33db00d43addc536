/**
 * What the site's data.js carries: the DocsData exactly as `tform docs generate` built it, plus
 * what the generator computes for the site (the graph layout). The site reads it from
 * `window.__TFORM_DOCS_GZ__` (compressed, see dataScript.ts).
 */
import type { DocsData } from '@tform/core';

export type { DocsData, DocsNode, DocsColumn, DocsColumnRef, DocsResult, DocsChart, DocsResourceType } from '@tform/core';

/** Version of the fields the site adds beside DocsData (bumped when their shape changes). */
export const SITE_LAYOUT_VERSION = 1;

/**
 * Positions of the lineage graph, computed at generate time (layout.ts): x grows with the
 * topological depth, y orders the nodes of one depth. Only nodes the graph draws are placed
 * (models, seeds, sources and analyses with `show: true`).
 */
export interface SiteLayout {
  version: typeof SITE_LAYOUT_VERSION;
  /** uniqueId → [x, y] in layout units (sigma rescales them to the viewport). */
  positions: Record<string, [number, number]>;
  /** Number of depths (columns) of the layout. */
  depths: number;
}

/** What `window.__TFORM_DOCS_GZ__` inflates to: DocsData, unchanged, and `layout` beside its fields. */
export type SiteData = DocsData & { layout: SiteLayout };
