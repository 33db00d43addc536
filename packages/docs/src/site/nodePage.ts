import type { DocsNode, DocsResult } from '../siteTypes.js';
import type { Catalog } from './catalog.js';
import { chartView } from './chart.js';
import { columnsTable } from './columnsTable.js';
import { badge, el, section } from './dom.js';
import { nodeLink, nodeList, statusBadge } from './links.js';
import { markdown } from './markdown.js';
import { testsTable } from './testsTable.js';

/** A rendered page and what to run once it is in the document. */
export interface Page {
  title: string;
  element: HTMLElement;
  mounted(): void;
}

function meta(rows: [string, Node | string | undefined][]): HTMLElement {
  const dl = el('dl', { class: 'meta' });
  for (const [k, v] of rows) {
    if (v === undefined || v === '') continue;
    dl.append(el('dt', { text: k }), el('dd', {}, [v]));
  }
  return dl;
}

function resultText(r: DocsResult): HTMLElement {
  const parts: (string | HTMLElement)[] = [statusBadge(r)];
  if (r.failures !== undefined && r.failures !== null) parts.push(` ${r.failures} failing`);
  if (r.executionTime !== undefined) parts.push(` in ${r.executionTime.toFixed(2)}s`);
  if (r.completedAt) parts.push(` at ${r.completedAt}`);
  if (r.message) parts.push(el('div', { class: 'result-message', text: r.message }));
  return el('span', {}, parts);
}

function code(text: string | undefined, label: string, open: boolean): HTMLElement | null {
  if (text === undefined || text === '') return null;
  const d = el('details', { class: 'code' }, [el('summary', { text: label }), el('pre', {}, [el('code', { class: 'sql', text })])]);
  d.open = open;
  return d;
}

/** A node's page: what it is, its description, chart, columns, tests, lineage, config and SQL. */
export function nodePage(cat: Catalog, n: DocsNode): Page {
  const mounts: (() => void)[] = [];
  const header = el('header', { class: 'page-header' }, [
    el('h1', {}, [n.resourceType === 'source' && n.sourceName ? `${n.sourceName}.${n.name}` : n.name]),
    el('p', { class: 'badges' }, [
      badge(n.resourceType, 'type'),
      n.layer ? badge(n.layer, `layer layer-${n.layer}`) : null,
      n.materialized ? badge(n.materialized, 'materialized') : null,
      ...n.tags.map((t) => badge(`#${t}`, 'tag')),
      n.show === false ? badge('hidden', 'hidden') : null,
    ]),
  ]);
  const info = meta([
    ['Id', el('code', { text: n.uniqueId })],
    ['Relation', n.relationName ? el('code', { text: n.relationName }) : undefined],
    ['Path', n.path ? el('code', { text: n.path }) : undefined],
    ['Schema file', n.patchPath ? el('code', { text: n.patchPath }) : undefined],
    ['Compiled file', n.compiledPath ? el('code', { text: n.compiledPath }) : undefined],
    ['Package', n.packageName],
    ['Source', n.sourceName],
    ['Tests', n.attachedNode ? nodeLink(cat, n.attachedNode) : undefined],
    ['Column', n.columnName ? el('code', { text: n.columnName }) : undefined],
    ['Test', n.testName],
    ['Severity', n.severity],
    ['Last result', n.result ? resultText(n.result) : undefined],
  ]);
  const description = n.description.trim() ? el('div', { class: 'markdown description' }, [markdown(n.description)]) : el('p', { class: 'muted', text: 'No description.' });

  const sections: (HTMLElement | null)[] = [header, info, section('Description', [description])];
  if (n.chart) {
    const v = chartView(n.chart);
    mounts.push(v.mount);
    sections.push(section(n.chart.title ? `Chart: ${n.chart.title}` : 'Chart', [v.element], 'chart-section'));
  }
  if (n.resourceType !== 'test' || n.columns.length) sections.push(section('Columns', columnsTable(cat, n), 'columns-section'));
  if (n.resourceType !== 'test') sections.push(section('Tests', [testsTable(cat, n)], 'tests-section'));
  const upstream = n.resourceType === 'test' ? n.dependsOn.nodes : n.parents;
  sections.push(
    section('Lineage', [
      el('div', { class: 'lineage' }, [
        el('div', { class: 'upstream-nodes' }, [el('h3', { text: 'Upstream' }), nodeList(cat, upstream, 'Nothing upstream.')]),
        el('div', { class: 'downstream-nodes' }, [el('h3', { text: 'Downstream' }), nodeList(cat, n.children, 'Nothing downstream.')]),
      ]),
    ], 'lineage-section'),
  );
  if (Object.keys(n.config).length) sections.push(section('Config', [el('pre', { class: 'config' }, [el('code', { text: JSON.stringify(n.config, null, 2) })])], 'config-section'));
  const sql = [code(n.rawCode, 'Source SQL', false), code(n.compiledCode, 'Compiled SQL', false)].filter(Boolean) as HTMLElement[];
  if (sql.length) sections.push(section('SQL', sql, 'sql-section'));

  return {
    title: n.name,
    element: el('div', { class: 'node-page', attrs: { 'data-node': n.uniqueId } }, sections),
    mounted: () => mounts.forEach((m) => m()),
  };
}

/** The page for an id the data does not hold. */
export function missingPage(what: string): Page {
  return {
    title: 'Not found',
    element: el('div', { class: 'node-page' }, [el('h1', { text: 'Not found' }), el('p', { text: `Nothing in this project is called ${what}.` }), el('p', {}, [el('a', { attrs: { href: '#/' }, text: 'Back to the overview' })])]),
    mounted() {},
  };
}
