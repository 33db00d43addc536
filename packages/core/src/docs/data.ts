import type { ColumnSpec } from '../project/schemaYaml.js';
import type { AnalysisNode, ExecNode, Manifest, SourceNode } from '../compile/manifest.js';
import type { TestNode } from '../test/types.js';
import type { Catalog } from './catalog.js';
import type { ColumnLineage, LineageResult } from './lineage/index.js';
import { DOCS_DATA_VERSION, type DocsChart, type DocsColumn, type DocsData, type DocsNode, type DocsResult } from './types.js';

/** A run_results.json as the docs read it. */
export interface RunResultsDoc {
  metadata?: { generatedAt?: string; command?: string; invocationId?: string };
  results?: { uniqueId?: string; unique_id?: string; status: string; failures?: number | null; message?: string | null; executionTime?: number; completedAt?: string }[];
}

export interface DocsInputs {
  manifest: Manifest;
  catalog?: Catalog;
  /** Why there is no catalog (warehouse unreachable, nothing built yet). */
  catalogNote?: string;
  runResults?: RunResultsDoc;
  /** Column lineage by model uniqueId. */
  lineage: Map<string, LineageResult>;
  /** Name of the parser lineage came from, for the report. */
  lineageParser: string;
  charts: Map<string, DocsChart>;
  now: Date;
}

const byId = <T extends { uniqueId: string }>(a: T, b: T) => (a.uniqueId < b.uniqueId ? -1 : a.uniqueId > b.uniqueId ? 1 : 0);

/**
 * Pure: everything the docs site shows, from the manifest, the catalog, the last run results,
 * column lineage and chart rows.
 */
export function buildDocsData(inp: DocsInputs): DocsData {
  const m = inp.manifest;
  const tests = Object.values(m.tests ?? {}).sort(byId);
  const testsOf = new Map<string, TestNode[]>();
  for (const t of tests) {
    if (!t.attachedNode) continue;
    const list = testsOf.get(t.attachedNode) ?? [];
    list.push(t);
    testsOf.set(t.attachedNode, list);
  }
  const results = new Map<string, DocsResult>();
  for (const r of inp.runResults?.results ?? []) {
    const id = r.uniqueId ?? r.unique_id;
    if (!id) continue;
    results.set(id, {
      status: r.status,
      ...(r.failures !== undefined ? { failures: r.failures } : {}),
      ...(r.message !== undefined ? { message: r.message } : {}),
      ...(r.executionTime !== undefined ? { executionTime: r.executionTime } : {}),
      ...(r.completedAt !== undefined ? { completedAt: r.completedAt } : {}),
    });
  }
  const children = new Map<string, string[]>();
  const parentsOf = (id: string, deps: string[]) => {
    for (const p of deps) {
      const list = children.get(p) ?? [];
      list.push(id);
      children.set(p, list);
    }
    return [...deps].sort();
  };

  const nodes: DocsNode[] = [];
  for (const n of Object.values(m.nodes).sort(byId)) nodes.push(execNode(n, inp, testsOf.get(n.uniqueId) ?? [], results.get(n.uniqueId), parentsOf(n.uniqueId, n.dependsOn.nodes)));
  for (const s of Object.values(m.sources).sort(byId)) nodes.push(sourceNode(s, inp, testsOf.get(s.uniqueId) ?? []));
  for (const a of Object.values(m.analyses ?? {}).sort(byId)) nodes.push(analysisNode(a, parentsOf(a.uniqueId, a.dependsOn.nodes)));
  for (const t of tests) nodes.push(testNode(t, results.get(t.uniqueId)));
  for (const n of nodes) if (n.resourceType !== 'test') n.children = [...new Set(children.get(n.uniqueId) ?? [])].sort();
  nodes.sort(byId);

  const models = Object.values(m.nodes).filter((n) => n.resourceType === 'model' && n.materialized !== 'ephemeral');
  const overview = m.docs?.[`doc.${m.metadata.projectName}.__overview__`]?.blockContents;
  return {
    version: DOCS_DATA_VERSION,
    generatedAt: inp.now.toISOString(),
    tformVersion: m.metadata.tformVersion,
    project: { name: m.metadata.projectName, adapterType: m.metadata.adapterType, targetName: m.metadata.targetName, ...(overview ? { overview } : {}) },
    nodes,
    catalog: inp.catalog
      ? { available: true, generatedAt: inp.catalog.metadata.generatedAt }
      : { available: false, ...(inp.catalogNote ? { note: inp.catalogNote } : {}) },
    ...(inp.runResults?.metadata?.generatedAt
      ? { runResults: { generatedAt: inp.runResults.metadata.generatedAt, ...(inp.runResults.metadata.command ? { command: inp.runResults.metadata.command } : {}), ...(inp.runResults.metadata.invocationId ? { invocationId: inp.runResults.metadata.invocationId } : {}) } }
      : {}),
    lineage: { models: models.length, withLineage: models.filter((n) => inp.lineage.get(n.uniqueId)?.ok).length, parser: inp.lineageParser },
  };
}

/**
 * Columns as the site lists them: the warehouse's, in table order, with the YAML descriptions and
 * declared types; columns only declared in YAML (not in the warehouse, or no catalog) after them.
 */
function columnsOf(declared: ColumnSpec[], catalogCols: { name: string; type: string }[] | undefined, tests: TestNode[], lineage: ColumnLineage[] | undefined): DocsColumn[] {
  const low = (s: string) => s.toLowerCase();
  const decl = new Map(declared.map((c) => [low(c.name), c]));
  const up = new Map((lineage ?? []).map((c) => [low(c.name), c.upstream]));
  const names: { name: string; type?: string }[] = [];
  const seen = new Set<string>();
  for (const c of catalogCols ?? []) {
    names.push({ name: c.name, type: c.type });
    seen.add(low(c.name));
  }
  for (const c of declared) if (!seen.has(low(c.name))) names.push({ name: c.name }), seen.add(low(c.name));
  for (const c of lineage ?? []) if (!seen.has(low(c.name))) names.push({ name: c.name }), seen.add(low(c.name));
  return names.map(({ name, type }) => {
    const d = decl.get(low(name));
    const upstream = lineage ? up.get(low(name)) : undefined;
    return {
      name: d?.name ?? name,
      description: d?.description ?? '',
      ...(type ? { type } : {}),
      ...(d?.dataType ? { declaredType: d.dataType } : {}),
      tests: tests.filter((t) => t.columnName !== undefined && low(t.columnName) === low(name)).map((t) => t.uniqueId),
      ...(lineage ? { upstream: upstream ?? [] } : {}),
    };
  });
}

function execNode(n: ExecNode, inp: DocsInputs, tests: TestNode[], result: DocsResult | undefined, parents: string[]): DocsNode {
  const lin = inp.lineage.get(n.uniqueId);
  const chart = inp.charts.get(n.uniqueId);
  return {
    uniqueId: n.uniqueId,
    resourceType: n.resourceType,
    name: n.name,
    packageName: n.packageName,
    path: n.path,
    ...(n.patchPath ? { patchPath: n.patchPath } : {}),
    fqn: n.fqn,
    tags: n.tags,
    ...(n.layer ? { layer: n.layer } : {}),
    config: n.config,
    materialized: n.materialized,
    dependsOn: n.dependsOn,
    description: n.description,
    ...(n.database ? { database: n.database } : {}),
    schema: n.schema,
    relationName: n.relationName,
    ...(n.resourceType === 'model' ? { rawCode: n.rawCode, ...(n.compiledCode !== undefined ? { compiledCode: n.compiledCode } : {}), ...(n.compiledPath ? { compiledPath: n.compiledPath } : {}) } : {}),
    columns: columnsOf(n.columns, inp.catalog?.nodes[n.uniqueId]?.columns, tests, lin?.ok ? lin.columns : undefined),
    parents,
    children: [],
    tests: tests.map((t) => t.uniqueId),
    show: n.docs?.show !== false,
    ...(n.docs?.node_color ? { color: n.docs.node_color } : {}),
    ...(result ? { result } : {}),
    ...(n.resourceType === 'model' && lin && !lin.ok ? { lineageNote: lin.reason } : {}),
    ...(chart ? { chart } : {}),
  };
}

function sourceNode(s: SourceNode, inp: DocsInputs, tests: TestNode[]): DocsNode {
  return {
    uniqueId: s.uniqueId,
    resourceType: 'source',
    name: s.name,
    packageName: s.fqn[0] ?? inp.manifest.metadata.projectName,
    path: s.path,
    fqn: s.fqn,
    tags: [],
    layer: s.layer,
    config: {
      ...(s.loadedAtField ? { loaded_at_field: s.loadedAtField } : {}),
      ...(s.freshness ? { freshness: s.freshness } : {}),
      ...(s.external ? { external: s.external } : {}),
    },
    sourceName: s.sourceName,
    dependsOn: { nodes: [], macros: [] },
    description: s.description,
    ...(s.database ? { database: s.database } : {}),
    schema: s.schema,
    relationName: s.relationName,
    columns: columnsOf(s.columns, inp.catalog?.nodes[s.uniqueId]?.columns, tests, undefined),
    parents: [],
    children: [],
    tests: tests.map((t) => t.uniqueId),
    show: true,
  };
}

function analysisNode(a: AnalysisNode, parents: string[]): DocsNode {
  return {
    uniqueId: a.uniqueId,
    resourceType: 'analysis',
    name: a.name,
    packageName: a.packageName,
    path: a.path,
    fqn: a.fqn,
    tags: [],
    config: {},
    dependsOn: a.dependsOn,
    description: a.description,
    rawCode: a.rawCode,
    ...(a.compiledCode !== undefined ? { compiledCode: a.compiledCode } : {}),
    ...(a.compiledPath ? { compiledPath: a.compiledPath } : {}),
    columns: [],
    parents,
    children: [],
    tests: [],
    show: true,
  };
}

function testNode(t: TestNode, result: DocsResult | undefined): DocsNode {
  return {
    uniqueId: t.uniqueId,
    resourceType: 'test',
    name: t.name,
    packageName: t.uniqueId.split('.')[1] ?? '',
    path: t.path,
    fqn: [t.uniqueId.split('.')[1] ?? '', t.name],
    tags: t.tags,
    config: { ...t.config, ...(Object.keys(t.kwargs).length ? { arguments: t.kwargs } : {}) } as Record<string, unknown>,
    testType: t.testType,
    ...(t.testName ? { testName: t.testName } : {}),
    ...(t.attachedNode ? { attachedNode: t.attachedNode } : {}),
    dependsOn: t.dependsOn,
    description: '',
    ...(t.rawCode !== undefined ? { rawCode: t.rawCode } : {}),
    ...(t.compiledCode !== undefined ? { compiledCode: t.compiledCode } : {}),
    ...(t.compiledPath ? { compiledPath: t.compiledPath } : {}),
    columns: [],
    parents: [...t.dependsOn.nodes].sort(),
    children: [],
    tests: [],
    show: true,
    ...(t.columnName ? { columnName: t.columnName } : {}),
    severity: t.config.severity,
    ...(result ? { result } : {}),
  };
}
