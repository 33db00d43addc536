import type { DocsNode } from '../siteTypes.js';
import { clear, el } from './dom.js';
import { nodeHash } from './router.js';
import { SearchIndex, type SearchHit } from './searchIndex.js';

/**
 * The search box: a combobox whose listbox shows the hits as you type. ArrowDown / ArrowUp move
 * through them, Enter opens the active one (the first by default), Escape closes the list, `/`
 * anywhere focuses the box. The index is built on first use.
 */
export function setupSearch(nodes: DocsNode[], open: (hash: string) => void): void {
  const input = document.getElementById('search-input') as HTMLInputElement;
  const list = document.getElementById('search-results') as HTMLUListElement;
  let index: SearchIndex | undefined;
  let hits: SearchHit[] = [];
  let active = -1;

  const setActive = (i: number) => {
    const items = list.children;
    if (active >= 0 && items[active]) items[active]!.setAttribute('aria-selected', 'false');
    active = i;
    if (active >= 0 && items[active]) {
      items[active]!.setAttribute('aria-selected', 'true');
      input.setAttribute('aria-activedescendant', items[active]!.id);
      if (active > 0) (items[active] as HTMLElement).scrollIntoView({ block: 'nearest' });
      else list.scrollTop = 0;
    } else input.removeAttribute('aria-activedescendant');
  };
  const close = () => {
    list.hidden = true;
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
    active = -1;
  };
  const choose = (i: number) => {
    const hit = hits[i];
    if (!hit) return;
    close();
    open(nodeHash(hit.id, hit.column));
  };
  const render = () => {
    index ??= new SearchIndex(nodes);
    hits = index.search(input.value);
    clear(list);
    active = -1;
    if (!input.value.trim()) return close();
    if (!hits.length) {
      list.appendChild(el('li', { class: 'search-empty', attrs: { role: 'option', 'aria-disabled': 'true', id: 'search-none' }, text: 'No match' }));
    }
    hits.forEach((h, i) => {
      const li = el('li', { class: 'search-hit', attrs: { role: 'option', id: `search-hit-${i}`, 'aria-selected': 'false', 'data-id': h.id, 'data-column': h.column } }, [
        el('span', { class: 'hit-name', text: h.name }),
        el('span', { class: 'hit-kind', text: h.kind }),
      ]);
      li.addEventListener('mousedown', (e) => e.preventDefault());
      li.addEventListener('click', () => choose(i));
      list.appendChild(li);
    });
    list.hidden = false;
    input.setAttribute('aria-expanded', 'true');
    if (hits.length) setActive(0);
  };

  input.addEventListener('input', render);
  // Build the index while the page is idle, so the first keystroke does not wait for it.
  const build = () => (index ??= new SearchIndex(nodes));
  if ('requestIdleCallback' in window) requestIdleCallback(build, { timeout: 3000 });
  else setTimeout(build, 500);
  input.addEventListener('focus', () => input.value.trim() && render());
  input.addEventListener('blur', close);
  input.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      if (list.hidden) render();
      if (!hits.length) return;
      const step = e.key === 'ArrowDown' ? 1 : -1;
      setActive((active + step + hits.length) % hits.length);
    } else if (e.key === 'Enter') {
      e.preventDefault();
      choose(active >= 0 ? active : 0);
    } else if (e.key === 'Escape') {
      close();
    }
  });
  document.addEventListener('keydown', (e) => {
    const t = e.target as HTMLElement | null;
    if (e.key === '/' && !e.ctrlKey && !e.metaKey && !(t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName)))) {
      e.preventDefault();
      input.focus();
      input.select();
    }
  });
}
