/**
 * What `tform docs generate` hands to the site: one plain, JSON-able object holding every node the
 * site shows, embedded in the site as a classic script (`window.__TFORM_DOCS__ = {...}`), so the
 * site works opened from file:// as well as served.
 *
 * Each DocsNode carries the fields selection reads (select/types.ts SelectableNode), so the site
 * evaluates the CLI's selector grammar over the same data.
 */

export const DOCS_DATA_VERSION = 1;

export type DocsResourceType = 'model' | 'seed' | 'source' | 'test' | 'analysis';

export interface DocsData {
  version: typeof DOCS_DATA_VERSION;
  generatedAt: string;
  tformVersion: string;
  project: {
    name: string;
    adapterType: string;
    targetName: string;
    /** Markdown of the `__overview__` docs block, when the project has one. */
    overview?: string;
  };
  /** Every node, sorted by uniqueId: models, seeds, sources, tests and analyses. */
  nodes: DocsNode[];
  /** Whether a catalog (column types read from the warehouse) was available. */
  catalog: { available: boolean; generatedAt?: string; note?: string };
  /** Last results, from target/run_results.json when it exists. */
  runResults?: { generatedAt: string; command?: string; invocationId?: string };
  /** Column lineage totals, as `docs generate` reports them. */
  lineage: { models: number; withLineage: number; parser: string };
}

export interface DocsNode {
  // ---- identity (and what selection reads)
  uniqueId: string;
  resourceType: DocsResourceType;
  name: string;
  packageName: string;
  /** Path relative to the project root (a source's is its YAML file). */
  path: string;
  patchPath?: string;
  fqn: string[];
  tags: string[];
  layer?: string;
  config: Record<string, unknown>;
  materialized?: string;
  sourceName?: string;
  testType?: string;
  testName?: string;
  attachedNode?: string;
  dependsOn: { nodes: string[]; macros: string[] };

  // ---- what the site shows
  /** Markdown as the user wrote it (docs blocks resolved). The site renders and sanitises it. */
  description: string;
  database?: string;
  schema?: string;
  /** Quoted relation name in the target's dialect. */
  relationName?: string;
  rawCode?: string;
  compiledCode?: string;
  compiledPath?: string;
  columns: DocsColumn[];
  /** Direct upstream / downstream node ids (tests excluded: see `tests`). */
  parents: string[];
  children: string[];
  /** Ids of the tests attached to this node (column tests included). */
  tests: string[];
  /** `docs: {show: false}` hides the node from lists and the graph (it is still searchable by id). */
  show: boolean;
  /** `docs: {node_color}`; otherwise the site colours by layer. */
  color?: string;
  /** Tests: the column tested, the test's severity, and its last result. */
  columnName?: string;
  severity?: string;
  /** Last result from run_results.json (models, seeds and tests). */
  result?: DocsResult;
  /** Columns could not be traced to upstream columns: why (the node still shows). */
  lineageNote?: string;
  /** `docs: chart:` of a model, with the rows queried at generate time. */
  chart?: DocsChart;
}

export interface DocsColumn {
  name: string;
  description: string;
  /** Type from the warehouse catalog, when one was read. */
  type?: string;
  /** `data_type` declared in schema YAML. */
  declaredType?: string;
  /** Ids of tests on this column. */
  tests: string[];
  /**
   * The upstream columns this column derives from (column lineage, from the compiled SQL);
   * undefined when lineage is not known for the node, [] for a column from no upstream column
   * (a literal, `count(*)`).
   */
  upstream?: DocsColumnRef[];
}

export interface DocsColumnRef {
  /** uniqueId of the upstream model, seed or source. */
  node: string;
  column: string;
}

export interface DocsResult {
  status: string;
  /** Tests: failing rows or values. */
  failures?: number | null;
  message?: string | null;
  executionTime?: number;
  completedAt?: string;
}

/** `docs: {chart: {type, x, y, series, title}}` of a model, and the rows `docs generate` read. */
export interface DocsChart {
  type: 'line' | 'bar';
  x: string;
  /** One column, or several (one series each). */
  y: string[];
  /** A column whose values split the rows into one series each (with one y). */
  series?: string;
  title?: string;
  /** The rows, at most `limit` (default 1000), ordered by x; values JSON-safe (bigint as number or string). */
  rows: Record<string, string | number | boolean | null>[];
  /** Why there are no rows (relation not built, a column missing): the site shows it instead. */
  error?: string;
}
