import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Adapter, RelationRef } from '../adapter/types.js';
import { relationOf, relationOfSource } from '../plan/plan.js';
import { writeFileAtomic } from '../artifacts/write.js';
import type { ExecNode, Manifest } from '../compile/manifest.js';
import { readCatalog, type Catalog } from '../docs/catalog.js';
import { chartQuery, docsChart } from '../docs/charts.js';
import { buildDocsData, type RunResultsDoc } from '../docs/data.js';
import { columnLineage, type LineageRelation, type LineageResult } from '../docs/lineage/index.js';
import type { DocsChart, DocsData } from '../docs/types.js';
import { redactJson } from '../log/secrets.js';
import { executeCompile } from './commands.js';
import { acquireLock, type OpenProject } from './open.js';

export interface DocsGenerateOptions {
  /** Do not read the warehouse: no catalog (column types), no chart rows (dbt's --empty-catalog). */
  emptyCatalog?: boolean;
  /** Wait for the run lock where the warehouse needs one to read (default true). */
  wait?: boolean;
}

export interface DocsGenerateResult {
  data: DocsData;
  /** Written to target/catalog.json when read. */
  catalog?: Catalog;
  /** Models that got column lineage, of all models with a relation. */
  lineage: { withLineage: number; models: number; failures: { uniqueId: string; reason: string }[] };
  charts: { rendered: number; failed: number };
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/**
 * `tform docs generate`: compile the project (artifacts as `tform compile` writes them), read the
 * catalog and chart rows from the warehouse (read-only; skipped with `emptyCatalog`, and noted, not
 * fatal, when the warehouse cannot be read), trace column lineage from the compiled SQL, and
 * return the site's data. Writes target/catalog.json; the site itself is written by the caller.
 */
export async function executeDocsGenerate(p: OpenProject, o: DocsGenerateOptions = {}): Promise<DocsGenerateResult> {
  const { manifest } = await executeCompile(p, { wait: o.wait });
  const adapter = p.adapter!;
  const log = p.opts.logger;
  let catalog: Catalog | undefined;
  let catalogNote: string | undefined = o.emptyCatalog ? 'not read (--empty-catalog)' : undefined;
  const chartSpecs = Object.values(manifest.nodes).filter((n) => n.docs?.chart);
  const charts = new Map<string, DocsChart>();
  const parser = parserFor(adapter);
  let parseTrees: Map<string, unknown> | undefined;

  const needsWarehouse = !o.emptyCatalog || parser === 'duckdb';
  if (needsWarehouse) {
    let lock: { release(): Promise<void> } | undefined;
    try {
      lock = adapter.capabilities.concurrentReaders ? undefined : await acquireLock(p, o.wait ?? true);
      if (!o.emptyCatalog) {
        catalog = await readCatalog(adapter, manifest, { now: p.clock.now(), concurrency: p.threads });
        for (const e of catalog.errors) log.warn(`catalog: could not read the columns of ${e.uniqueId}: ${e.message}`, 'catalog_error', e);
        for (const n of chartSpecs) charts.set(n.uniqueId, await readChart(adapter, p, n, catalog));
      }
      if (parser === 'duckdb') parseTrees = await duckdbParseTrees(adapter, tracedModels(p, manifest), p.threads);
    } catch (e) {
      if (e instanceof Error && 'code' in e && (e as { code?: string }).code === 'LOCK_HELD') throw e;
      catalogNote = `the warehouse could not be read: ${message(e)}`;
      catalog = undefined;
      log.warn(`docs: ${catalogNote}; the site shows what the project declares`, 'catalog_unavailable', { message: message(e) });
    } finally {
      await lock?.release();
    }
  }
  for (const n of chartSpecs) if (!charts.has(n.uniqueId)) charts.set(n.uniqueId, docsChart(n.docs!.chart!, { error: `no rows read: ${catalogNote ?? 'the relation has not been built'}` }));

  const lineage = traceLineage(p, manifest, catalog, parser, parseTrees);
  if (catalog) writeFileAtomic(join(p.project.root, p.project.config.targetPath, 'catalog.json'), `${JSON.stringify(redactJson(catalog), null, 2)}\n`);
  const data = buildDocsData({
    manifest,
    catalog,
    catalogNote,
    runResults: readRunResultsDoc(join(p.project.root, p.project.config.targetPath, 'run_results.json')),
    lineage,
    lineageParser: parser === 'duckdb' ? 'DuckDB json_serialize_sql' : `node-sql-parser (${parser})`,
    charts,
    now: p.clock.now(),
  });
  const failures = [...lineage].filter(([, r]) => !r.ok).map(([uniqueId, r]) => ({ uniqueId, reason: (r as { reason: string }).reason }));
  const chartList = [...charts.values()];
  return {
    data: redactJson(data),
    ...(catalog ? { catalog } : {}),
    lineage: { withLineage: data.lineage.withLineage, models: data.lineage.models, failures },
    charts: { rendered: chartList.filter((c) => !c.error).length, failed: chartList.filter((c) => c.error).length },
  };
}

/** Which parser column lineage uses: the warehouse's own where it has one, else node-sql-parser's dialect. */
function parserFor(adapter: Adapter): string {
  if (adapter.type === 'duckdb' && adapter.parseSql) return 'duckdb';
  return adapter.type === 'bigquery' ? 'bigquery' : 'postgresql';
}

/** Models whose SQL lineage is traced, upstream first: those with a relation and compiled SQL. */
function tracedModels(p: OpenProject, m: Manifest): ExecNode[] {
  return p.order.map((id) => m.nodes[id]).filter((n): n is ExecNode => n !== undefined && n.resourceType === 'model' && n.materialized !== 'ephemeral' && n.compiledCode !== undefined);
}

const compiledCode = (n: ExecNode): string => (n as { compiledCode: string }).compiledCode;

/** The warehouse's parse tree of every traced model's SQL, `width` at a time. */
async function duckdbParseTrees(adapter: Adapter, models: ExecNode[], width: number): Promise<Map<string, unknown>> {
  const out = new Map<string, unknown>();
  let next = 0;
  const worker = async () => {
    while (next < models.length) {
      const n = models[next++]!;
      try {
        out.set(n.uniqueId, await adapter.parseSql!(compiledCode(n)));
      } catch (e) {
        out.set(n.uniqueId, { error: true, error_message: message(e) });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, width) }, worker));
  return out;
}

/**
 * Column lineage of every model, upstream first, so that `select *` over a model is expanded
 * from what the warehouse says its columns are, else from that model's own lineage, else from
 * its declared columns.
 */
function traceLineage(p: OpenProject, m: Manifest, catalog: Catalog | undefined, parser: string, trees: Map<string, unknown> | undefined): Map<string, LineageResult> {
  const out = new Map<string, LineageResult>();
  const relations = new Map<string, RelationRef>();
  for (const n of Object.values(m.nodes)) relations.set(n.uniqueId, relationOf(n));
  for (const s of Object.values(m.sources)) relations.set(s.uniqueId, relationOfSource(s));
  /** Every suffix of a relation's name (identifier, schema.identifier, database.schema.identifier), lower case. */
  const keysOf = (r: RelationRef) => {
    const parts = [r.database, r.schema, r.identifier].filter((x): x is string => !!x).map((x) => x.toLowerCase());
    return parts.map((_, i) => parts.slice(i).join('.'));
  };
  /** name → node id; null where two nodes share the name (then only a node's own parents decide). */
  const index = (ids: Iterable<string>) => {
    const map = new Map<string, string | null>();
    for (const id of ids) {
      const r = relations.get(id);
      if (r) for (const k of keysOf(r)) map.set(k, map.has(k) && map.get(k) !== id ? null : id);
    }
    return map;
  };
  const global = index(relations.keys());
  const columnsOf = (id: string): string[] | undefined => {
    const c = catalog?.nodes[id]?.columns;
    if (c?.length) return c.map((x) => x.name);
    const own = out.get(id);
    if (own?.ok) return own.columns.map((x) => x.name);
    const declared = m.nodes[id]?.columns ?? m.sources[id]?.columns;
    return declared?.length ? declared.map((x) => x.name) : undefined;
  };
  const resolverFor = (n: ExecNode) => {
    // A model's own parents first: a seed and a source may name the same table, and the SQL
    // means the one the model's ref() or source() resolved to.
    const own = index(n.dependsOn.nodes);
    return (parts: string[]): LineageRelation | undefined => {
      const k = parts.map((x) => x.toLowerCase()).join('.');
      const id = own.get(k) ?? global.get(k);
      if (!id) return undefined;
      const columns = columnsOf(id);
      return { node: id, ...(columns ? { columns } : {}) };
    };
  };
  for (const n of tracedModels(p, m)) {
    out.set(n.uniqueId, columnLineage({ sql: compiledCode(n), dialect: parser === 'duckdb' ? 'duckdb' : parser === 'bigquery' ? 'bigquery' : 'postgres', duckdbAst: trees?.get(n.uniqueId), resolveRelation: resolverFor(n) }));
  }
  return out;
}

async function readChart(adapter: Adapter, p: OpenProject, n: ExecNode, catalog: Catalog): Promise<DocsChart> {
  const spec = n.docs!.chart!;
  if (!catalog.nodes[n.uniqueId]) return docsChart(spec, { error: `${n.relationName} does not exist yet: run tform build first` });
  try {
    return docsChart(spec, { rows: await adapter.query(chartQuery(spec, n.relationName, p.dialect)) });
  } catch (e) {
    return docsChart(spec, { error: message(e) });
  }
}

function readRunResultsDoc(file: string): RunResultsDoc | undefined {
  if (!existsSync(file)) return undefined;
  try {
    const doc = JSON.parse(readFileSync(file, 'utf8')) as RunResultsDoc;
    return Array.isArray(doc?.results) ? doc : undefined;
  } catch {
    return undefined;
  }
}
