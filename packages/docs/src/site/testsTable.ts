import type { DocsNode } from '../siteTypes.js';
import type { Catalog } from './catalog.js';
import { el } from './dom.js';
import { nodeLink, statusBadge } from './links.js';

/** The tests attached to a node, with their last result (status, failures, message). */
export function testsTable(cat: Catalog, node: DocsNode): HTMLElement {
  if (!node.tests.length) return el('p', { class: 'muted', text: 'No tests.' });
  const head = el('thead', {}, [el('tr', {}, ['Test', 'Column', 'Severity', 'Status', 'Failures', 'Message'].map((h) => el('th', { attrs: { scope: 'col' }, text: h })))]);
  const rows = node.tests.map((id) => {
    const t = cat.byId.get(id);
    const r = t?.result;
    return el('tr', { attrs: { 'data-test': id } }, [
      el('th', { attrs: { scope: 'row' } }, [nodeLink(cat, id)]),
      el('td', {}, [t?.columnName ? el('code', { text: t.columnName }) : null]),
      el('td', { text: t?.severity ?? '' }),
      el('td', {}, [statusBadge(r)]),
      el('td', { class: 'num', text: r?.failures === undefined || r.failures === null ? '' : String(r.failures) }),
      el('td', { class: 'message', text: r?.message ?? '' }),
    ]);
  });
  return el('div', { class: 'table-wrap' }, [el('table', { class: 'tests' }, [head, el('tbody', {}, rows)])]);
}
