import type { DocsNode } from '../siteTypes.js';
import { sortLayers, TYPE_LABEL, TYPE_ORDER } from './catalog.js';
import { el } from './dom.js';
import { nodeHash } from './router.js';

/** Groups larger than this start closed and are filled when first opened. */
const EAGER_LIMIT = 1000;

/**
 * The sidebar: nodes grouped by layer (bronze, silver, gold, other layers, then nodes without
 * one) and within a layer by resource type. Tests form their own closed group at the end.
 * Hidden nodes (`docs.show: false`) are left out.
 */
export class Sidebar {
  private readonly links = new Map<string, HTMLAnchorElement>();
  private current?: HTMLAnchorElement;
  private currentId?: string;

  constructor(private readonly root: HTMLElement, nodes: DocsNode[]) {
    const shown = nodes.filter((n) => n.show !== false);
    const byLayer = new Map<string, DocsNode[]>();
    const tests: DocsNode[] = [];
    for (const n of shown) {
      if (n.resourceType === 'test') {
        tests.push(n);
        continue;
      }
      const key = n.layer ?? '';
      (byLayer.get(key) ?? byLayer.set(key, []).get(key)!).push(n);
    }
    const layers = sortLayers([...byLayer.keys()].filter((l) => l !== ''));
    if (byLayer.has('')) layers.push('');
    for (const layer of layers) {
      const members = byLayer.get(layer)!;
      const byType = new Map<string, DocsNode[]>();
      for (const n of members) (byType.get(n.resourceType) ?? byType.set(n.resourceType, []).get(n.resourceType)!).push(n);
      const types = [...byType.keys()].sort((a, b) => (TYPE_ORDER[a] ?? 9) - (TYPE_ORDER[b] ?? 9) || (a < b ? -1 : 1));
      const heading = layer || 'No layer';
      root.appendChild(
        el('section', { class: 'nav-group', attrs: { 'aria-label': heading } }, [
          el('h2', { class: `nav-layer layer-${layer || 'none'}`, text: heading }),
          ...types.map((t) => this.group(TYPE_LABEL[t] ?? t, byType.get(t)!, true)),
        ]),
      );
    }
    if (tests.length) root.appendChild(el('section', { class: 'nav-group', attrs: { 'aria-label': 'Tests' } }, [el('h2', { class: 'nav-layer', text: 'Tests' }), this.group('Tests', tests, false)]));
  }

  /** Mark the node shown in the content area. */
  setCurrent(id: string | undefined): void {
    this.currentId = id;
    this.current?.removeAttribute('aria-current');
    this.current = id === undefined ? undefined : this.links.get(id);
    this.current?.setAttribute('aria-current', 'page');
  }

  private group(label: string, nodes: DocsNode[], open: boolean): HTMLElement {
    const sorted = [...nodes].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.uniqueId < b.uniqueId ? -1 : 1));
    const list = el('ul', { class: 'nav-list' });
    const details = el('details', { class: 'nav-type' }, [el('summary', {}, [label, ' ', el('span', { class: 'count', text: String(nodes.length) })]), list]);
    let filled = false;
    const fill = () => {
      if (filled) return;
      filled = true;
      const frag = document.createDocumentFragment();
      for (const n of sorted) {
        const a = el('a', { attrs: { href: nodeHash(n.uniqueId), title: n.uniqueId }, text: n.name });
        this.links.set(n.uniqueId, a);
        frag.appendChild(el('li', {}, [a]));
      }
      list.appendChild(frag);
      if (this.currentId !== undefined) this.setCurrent(this.currentId);
    };
    if (open && nodes.length <= EAGER_LIMIT) {
      details.open = true;
      fill();
    } else {
      details.addEventListener('toggle', () => details.open && fill());
    }
    return details;
  }
}
