import type { DocsNode } from '../siteTypes.js';
import { legendEntries } from './catalog.js';
import { el } from './dom.js';
import type { GraphView } from './graphView.js';
import { Selector, selectorMessage } from './selection.js';

const DEPTHS: [string, string][] = [['0', '0'], ['1', '1'], ['2', '2'], ['3', '3'], ['5', '5'], ['Infinity', 'all']];

/** The graph's toolbar: the selector filter, the focus depths and the legend. */
export class GraphControls {
  private readonly up = document.getElementById('focus-up') as HTMLSelectElement;
  private readonly down = document.getElementById('focus-down') as HTMLSelectElement;
  private readonly status = document.getElementById('filter-status') as HTMLElement;
  private readonly input = document.getElementById('filter-input') as HTMLInputElement;
  private selector?: Selector;
  private focused: string | null = null;

  constructor(private readonly view: GraphView, private readonly nodes: DocsNode[]) {
    for (const s of [this.up, this.down]) {
      for (const [value, label] of DEPTHS) s.appendChild(el('option', { attrs: { value }, text: label }));
      s.value = '1';
      s.addEventListener('change', () => this.refocus());
    }
    document.getElementById('graph-filter')!.addEventListener('submit', (e) => {
      e.preventDefault();
      this.applyFilter(this.input.value);
    });
    document.getElementById('filter-clear')!.addEventListener('click', () => {
      this.input.value = '';
      this.applyFilter('');
    });
    document.getElementById('focus-clear')!.addEventListener('click', () => this.focus(null));
    const legend = document.getElementById('legend')!;
    for (const e of legendEntries(nodes.filter((n) => view.has(n.uniqueId)))) {
      legend.appendChild(el('li', {}, [el('span', { class: 'swatch', attrs: { 'data-color': e.color } }), e.label]));
    }
    // Swatch colours through the CSSOM (the CSP forbids inline style attributes).
    for (const s of legend.querySelectorAll<HTMLElement>('.swatch')) s.style.backgroundColor = s.dataset.color ?? '';
    this.status.textContent = `${view.order} nodes`;
  }

  /** Filter the graph with a selector (empty: everything); a bad selector shows its message. */
  applyFilter(text: string): void {
    this.status.classList.remove('error');
    if (!text.trim()) {
      this.view.setFilter(null);
      this.status.textContent = `${this.view.order} nodes`;
      return;
    }
    try {
      this.selector ??= new Selector(this.nodes);
      const ids = this.selector.select(text);
      const shown = this.view.setFilter(ids);
      this.status.textContent = `${shown} of ${this.view.order} nodes match ${text.trim()}`;
    } catch (e) {
      this.status.classList.add('error');
      this.status.textContent = selectorMessage(e);
    }
  }

  /** Focus a node with the chosen depths (null: clear). */
  focus(id: string | null): void {
    this.focused = id;
    this.view.focus(id, Number(this.up.value), Number(this.down.value));
  }

  private refocus(): void {
    this.focus(this.focused);
  }
}
