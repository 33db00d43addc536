import type { DocsNode } from '../siteTypes.js';
import type { Catalog } from './catalog.js';
import { el } from './dom.js';
import { markdown } from './markdown.js';
import { nodeLink, statusBadge } from './links.js';

/**
 * A node's columns: name, type (from the catalog, else declared), description, tests and the
 * upstream columns it derives from (links to those nodes). Each row carries `data-column`; each
 * upstream link carries `data-node` and `data-column`.
 */
export function columnsTable(cat: Catalog, node: DocsNode): HTMLElement[] {
  const out: HTMLElement[] = [];
  if (node.lineageNote) out.push(el('p', { class: 'note lineage-note', attrs: { role: 'note' }, text: `Column lineage unknown: ${node.lineageNote}` }));
  if (!node.columns.length) {
    out.push(el('p', { class: 'muted', text: 'No columns documented.' }));
    return out;
  }
  const head = el('thead', {}, [el('tr', {}, ['Column', 'Type', 'Description', 'Tests', 'Upstream'].map((h) => el('th', { attrs: { scope: 'col' }, text: h })))]);
  const body = el('tbody');
  for (const c of node.columns) {
    const type = c.type ?? c.declaredType;
    const typeCell = el('td', { class: 'col-type' }, [type ? el('code', { text: type }) : el('span', { class: 'muted', text: '—' })]);
    if (c.type && c.declaredType && c.declaredType.toLowerCase() !== c.type.toLowerCase()) typeCell.append(' ', el('span', { class: 'muted', text: `(declared ${c.declaredType})` }));
    const tests = c.tests.map((id) => {
      const t = cat.byId.get(id);
      return el('li', {}, [nodeLink(cat, id), ' ', statusBadge(t?.result)]);
    });
    let upstream: HTMLElement;
    if (c.upstream === undefined) upstream = el('span', { class: 'muted lineage-unknown', text: 'unknown' });
    else if (!c.upstream.length) upstream = el('span', { class: 'muted', text: 'none (computed)' });
    else upstream = el('ul', { class: 'upstream' }, c.upstream.map((u) => el('li', {}, [nodeLink(cat, u.node, u.column)])));
    body.appendChild(
      el('tr', { attrs: { 'data-column': c.name } }, [
        el('th', { attrs: { scope: 'row' } }, [el('code', { text: c.name })]),
        typeCell,
        el('td', { class: 'col-desc' }, [c.description ? el('div', { class: 'markdown' }, [markdown(c.description)]) : null]),
        el('td', { class: 'col-tests' }, [tests.length ? el('ul', {}, tests) : null]),
        el('td', { class: 'col-upstream' }, [upstream]),
      ]),
    );
  }
  out.push(el('div', { class: 'table-wrap' }, [el('table', { class: 'columns' }, [head, body])]));
  return out;
}
