import type { Catalog } from './catalog.js';
import { sortLayers, TYPE_LABEL, TYPE_ORDER } from './catalog.js';
import { el, section } from './dom.js';
import { markdown } from './markdown.js';
import type { Page } from './nodePage.js';

/** The home page: the project, its overview (markdown), counts and what the data was built from. */
export function homePage(cat: Catalog): Page {
  const d = cat.data;
  const types = new Map<string, number>();
  const layers = new Map<string, number>();
  for (const n of d.nodes) {
    types.set(n.resourceType, (types.get(n.resourceType) ?? 0) + 1);
    if (n.layer && n.resourceType !== 'test') layers.set(n.layer, (layers.get(n.layer) ?? 0) + 1);
  }
  const counts = el('ul', { class: 'counts' }, [
    ...[...types].sort((a, b) => (TYPE_ORDER[a[0]] ?? 9) - (TYPE_ORDER[b[0]] ?? 9)).map(([t, c]) => el('li', {}, [el('strong', { text: String(c) }), ` ${(TYPE_LABEL[t] ?? t).toLowerCase()}`])),
    ...sortLayers([...layers.keys()]).map((l) => el('li', { class: `layer-${l}` }, [el('strong', { text: String(layers.get(l)) }), ` in ${l}`])),
  ]);
  const facts = el('dl', { class: 'meta' });
  const fact = (k: string, v: string | undefined) => v && facts.append(el('dt', { text: k }), el('dd', { text: v }));
  fact('Warehouse', `${d.project.adapterType} (target ${d.project.targetName})`);
  fact('Generated', `${d.generatedAt} by tform ${d.tformVersion}`);
  fact('Column types', d.catalog.available ? `read from the warehouse${d.catalog.generatedAt ? ` at ${d.catalog.generatedAt}` : ''}` : `not read from the warehouse${d.catalog.note ? `: ${d.catalog.note}` : ''}`);
  fact('Column lineage', `${d.lineage.withLineage} of ${d.lineage.models} models (${d.lineage.parser})`);
  fact('Last results', d.runResults ? `${d.runResults.command ?? 'run'} at ${d.runResults.generatedAt}` : 'none (no run_results.json)');

  const overview = d.project.overview?.trim() ? el('div', { class: 'markdown overview' }, [markdown(d.project.overview)]) : el('p', { class: 'muted', text: 'This project has no __overview__ docs block.' });
  return {
    title: d.project.name,
    element: el('div', { class: 'home-page' }, [el('h1', { text: d.project.name }), counts, facts, section('Overview', [overview])]),
    mounted() {},
  };
}
