/**
 * The docs site: reads `window.__TFORM_DOCS_GZ__` (data.js, compressed), renders the sidebar, search, lineage
 * graph and the page of the current hash route. Test hooks: see hooks.ts.
 */
import { loadCatalog, type Catalog } from './catalog.js';
import { disposeCharts, resizeCharts } from './chart.js';
import { clear, el } from './dom.js';
import { GraphControls } from './graphControls.js';
import { GraphView } from './graphView.js';
import { homePage } from './homePage.js';
import { docsState } from './hooks.js';
import { missingPage, nodePage, type Page } from './nodePage.js';
import { nodeHash, parseHash } from './router.js';
import { setupSearch } from './search.js';
import { Sidebar } from './sidebar.js';

async function boot(): Promise<void> {
  const content = document.getElementById('content')!;
  let cat: Catalog;
  try {
    cat = await loadCatalog();
  } catch (e) {
    content.appendChild(el('p', { class: 'note error', text: (e as Error).message }));
    docsState.ready = true;
    return;
  }
  const sidebar = new Sidebar(document.getElementById('sidebar')!, cat.data.nodes);
  setupSearch(cat.data.nodes, (hash) => navigate(hash));

  let pageRendered = false;
  let graphDrawn = false;
  const markReady = () => {
    if (docsState.ready || !pageRendered || !graphDrawn) return;
    docsState.readyAt = performance.now();
    docsState.ready = true;
  };

  let controls: GraphControls | undefined;
  const graphBox = document.getElementById('graph')!;
  try {
    const view = new GraphView(graphBox, cat.data.nodes, cat.data.layout, {
      open: (id) => navigate(nodeHash(id)),
      firstFrame: () => {
        graphDrawn = true;
        markReady();
      },
    });
    controls = new GraphControls(view, cat.data.nodes);
    window.addEventListener('resize', () => {
      view.resize();
      resizeCharts();
    });
  } catch (e) {
    docsState.graphError = (e as Error).message;
    graphBox.appendChild(el('p', { class: 'note error', text: `The lineage graph cannot be drawn in this browser: ${docsState.graphError}` }));
    graphDrawn = true;
  }

  let first = true;
  const show = () => {
    const route = parseHash(location.hash);
    docsState.route = location.hash || '#/';
    disposeCharts();
    let page: Page;
    let focus: string | null = null;
    if (route.kind === 'home') page = homePage(cat);
    else if (route.kind === 'node') {
      const n = cat.byId.get(route.id);
      page = n ? nodePage(cat, n) : missingPage(route.id);
      focus = n ? route.id : null;
    } else page = missingPage(route.hash);
    clear(content);
    content.appendChild(page.element);
    document.title = `${page.title} · ${cat.data.project.name} · tform docs`;
    page.mounted();
    sidebar.setCurrent(route.kind === 'node' ? route.id : undefined);
    controls?.focus(focus);
    if (route.kind === 'node' && route.column !== undefined) {
      const row = content.querySelector<HTMLElement>(`tr[data-column="${CSS.escape(route.column)}"]`);
      row?.classList.add('target');
      row?.scrollIntoView({ block: 'center' });
    } else if (!first) content.scrollTop = 0;
    if (!first) content.focus({ preventScroll: true });
    first = false;
    pageRendered = true;
    markReady();
  };
  const navigate = (hash: string) => {
    if (location.hash === hash) show();
    else location.hash = hash;
  };
  window.addEventListener('hashchange', show);
  show();
}

const start = () => void boot();
if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
