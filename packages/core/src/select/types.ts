/**
 * Shapes selection reads. They are structural, so the live Manifest, a manifest read back from
 * JSON (`--state`) and hand-built fixtures all fit.
 */

/** Resource types a selection can return. */
export type SelectableType = 'model' | 'seed' | 'source' | 'test';
export const RESOURCE_TYPES: readonly SelectableType[] = ['model', 'seed', 'source', 'test'];

/**
 * What selection reads of a node: models and seeds (`manifest.nodes`), sources
 * (`manifest.sources`) and test nodes (`resourceType: 'test'`, in `manifest.nodes` or
 * `manifest.tests`, once the manifest has them).
 */
export interface SelectableNode {
  uniqueId: string;
  resourceType: string;
  name: string;
  packageName?: string;
  /** Path relative to the project root (a source's is its YAML file). */
  path: string;
  /** The schema YAML that describes the node, if any. */
  patchPath?: string;
  /** [package, ...folders, name]; a node without one is treated as [package, name]. */
  fqn?: string[];
  tags?: string[];
  layer?: string;
  /** Resolved config (an object; a test's config is typed, hence not a Record). */
  config?: object;
  materialized?: string;
  /** Sources: the `sources:` entry the table belongs to. */
  sourceName?: string;
  /** Tests: 'generic' (declared in YAML) or 'singular' (a SQL file). */
  testType?: string;
  /** Tests: the generic test's name ('unique', 'not_null'); the node name when absent. */
  testName?: string;
  /** Tests: the node the test is attached to. */
  attachedNode?: string;
  dependsOn?: { nodes?: string[]; macros?: string[] };
  /** sha256 of the SQL (models) or CSV (seeds). */
  checksum?: string;
  /** Names of the vars the node reads. */
  vars?: string[];
  database?: string;
  schema?: string;
  identifier?: string;
  loadedAtField?: string;
  freshness?: unknown;
}

/** A macro as state comparison reads it (`checksum` and `dependsOn` come from annotateMacros). */
export interface MacroLike {
  name?: string;
  path?: string;
  /** sha256 of the macro's own `{% macro %}…{% endmacro %}` block. */
  checksum?: string;
  /** Macros this macro calls. */
  dependsOn?: { macros?: string[] };
}

export interface ManifestLike {
  nodes: Record<string, SelectableNode>;
  sources?: Record<string, SelectableNode>;
  tests?: Record<string, SelectableNode>;
  macros?: Record<string, MacroLike>;
  vars?: Record<string, unknown>;
}

/** run_results.json as selection reads it (dbt's `unique_id` is accepted too). */
export interface RunResultsLike {
  results: { uniqueId?: string; unique_id?: string; status: string }[];
}

/**
 * Artifacts of an earlier run: `--state <dir>`'s manifest.json for `state:`, and run_results.json
 * (from `--state`, else the project's target dir) for `result:`.
 */
export interface SelectionState {
  /** The `--state` directory, when one was given (for messages). */
  dir?: string;
  manifest?: ManifestLike;
  runResults?: RunResultsLike;
  /** Where run_results.json was looked for (for messages). */
  runResultsFile?: string;
}
