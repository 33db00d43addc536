import type { DocsResult } from '../siteTypes.js';
import type { Catalog } from './catalog.js';
import { badge, el } from './dom.js';
import { nodeHash } from './router.js';

/** A link to a node's page, labelled with its name (an unknown id is shown as text). */
export function nodeLink(cat: Catalog, id: string, column?: string): HTMLElement {
  const n = cat.byId.get(id);
  const label = (n ? (n.resourceType === 'source' && n.sourceName ? `${n.sourceName}.${n.name}` : n.name) : id) + (column !== undefined ? `.${column}` : '');
  if (!n) return el('span', { class: 'unknown-node', attrs: { title: 'not in this project' }, text: label });
  return el('a', { attrs: { href: nodeHash(id, column), title: id, 'data-node': id, 'data-column': column }, text: label });
}

/** A list of node links with their resource type, or a note when empty. */
export function nodeList(cat: Catalog, ids: string[], empty: string): HTMLElement {
  if (!ids.length) return el('p', { class: 'muted', text: empty });
  return el(
    'ul',
    { class: 'node-list' },
    ids.map((id) => el('li', {}, [nodeLink(cat, id), ' ', badge(cat.byId.get(id)?.resourceType ?? '?', 'type')])),
  );
}

/** A result status as a coloured badge. */
export function statusBadge(r: DocsResult | undefined): HTMLElement {
  if (!r) return badge('no result', 'status-none');
  return badge(r.status, `status-${r.status.replace(/[^a-z]/gi, '').toLowerCase()}`);
}
