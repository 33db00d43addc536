/**
 * Test hooks: `window.__tformDocsState`, read by the browser tests and the benchmark, updated
 * as things happen (never read by the site itself).
 *
 *   ready           true once the data is loaded, the sidebar and the first page are rendered and
 *                   the lineage graph has rendered its first frame (or failed: see graphError)
 *   drawnNodes      nodes sigma draws in its latest rendered frame (read from sigma's display
 *                   data after 'afterRender': not hidden by the filter)
 *   drawnEdges      edges drawn in that frame (neither the edge nor one of its ends hidden)
 *   highlighted     ids highlighted by the current focus, sorted: the focused node and its
 *                   upstream / downstream neighbourhood within the chosen depths; [] without focus
 *   chartsRendered  charts ECharts has finished rendering since the page loaded
 *   readyAt         performance.now() when `ready` became true
 *   route           the hash route currently shown
 *   graphError      why the graph could not be drawn (WebGL unavailable), when it could not
 */
export interface DocsState {
  ready: boolean;
  drawnNodes: number;
  drawnEdges: number;
  highlighted: string[];
  chartsRendered: number;
  readyAt?: number;
  route: string;
  graphError?: string;
}

declare global {
  interface Window {
    __tformDocsState: DocsState;
  }
}

/** The live state object (also `window.__tformDocsState`). */
export const docsState: DocsState = { ready: false, drawnNodes: 0, drawnEdges: 0, highlighted: [], chartsRendered: 0, route: '' };
window.__tformDocsState = docsState;
