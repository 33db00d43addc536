import type { RefCall, SourceCall } from './scope.js';
import type { ColumnSpec } from '../project/schemaYaml.js';
import type { ExternalSpec } from '../project/external.js';

export type Materialization = 'view' | 'table' | 'ephemeral' | 'seed' | (string & {});
export const LAYERS = ['bronze', 'silver', 'gold'] as const;
export type Layer = (typeof LAYERS)[number] | (string & {});

interface NodeBase {
  uniqueId: string;
  name: string;
  packageName: string;
  /** Path relative to the project root. */
  path: string;
  fqn: string[];
  description: string;
  tags: string[];
  meta: Record<string, unknown>;
  config: Record<string, unknown>;
  columns: ColumnSpec[];
  /** Where the schema YAML entry came from, if any. */
  patchPath?: string;
  database?: string;
  schema: string;
  alias: string;
  /** Quoted relation name in the target's dialect. */
  relationName: string;
  layer?: Layer;
  dependsOn: { nodes: string[]; macros: string[] };
  /** Whether the docs site shows the node, and its colour in the graph. */
  docs?: NodeDocsConfig;
}

export interface ModelNode extends NodeBase {
  resourceType: 'model';
  materialized: Materialization;
  rawCode: string;
  checksum: string;
  refs: RefCall[];
  sources: SourceCall[];
  /** Vars and env vars read while rendering: inputs of the node (state:modified, caching). */
  vars: string[];
  envVars: string[];
  compiledCode?: string;
  /** target/compiled/… path, relative to the project root. */
  compiledPath?: string;
}

export interface SeedNode extends NodeBase {
  resourceType: 'seed';
  materialized: 'seed';
  checksum: string;
  /** Absolute path of the CSV file. */
  absPath: string;
}

export interface SourceNode {
  uniqueId: string;
  resourceType: 'source';
  sourceName: string;
  name: string;
  identifier: string;
  database?: string;
  schema: string;
  relationName: string;
  path: string;
  fqn: string[];
  description: string;
  columns: ColumnSpec[];
  loadedAtField?: string;
  freshness?: unknown;
  meta: Record<string, unknown>;
  layer: Layer;
  /**
   * Raw files `tform load` loads into this table (location rendered); the table's columns, each
   * with a dataType, define the table, plus the file column `_tform_file`.
   */
  external?: ExternalSpec;
}

/** A SQL file under analysis-paths: compiled like a model (target/compiled/…), never run. */
export interface AnalysisNode {
  uniqueId: string;
  resourceType: 'analysis';
  name: string;
  packageName: string;
  path: string;
  fqn: string[];
  description: string;
  rawCode: string;
  checksum: string;
  refs: RefCall[];
  sources: SourceCall[];
  dependsOn: { nodes: string[]; macros: string[] };
  compiledCode?: string;
  compiledPath?: string;
}

/** A `{% docs name %}` block, as `{{ doc('name') }}` finds it. */
export interface DocNode {
  uniqueId: string;
  name: string;
  packageName: string;
  /** Markdown file, relative to the project root. */
  path: string;
  line: number;
  /** The block's text, trimmed. */
  blockContents: string;
}

/** `docs` config of a model or seed (`+docs: {show: false, node_color: '#d39'}`), for the docs site. */
export interface NodeDocsConfig {
  show: boolean;
  node_color?: string;
  /** A chart `tform docs generate` draws from the relation's rows. */
  chart?: import('../docs/chartConfig.js').ChartSpec;
}

export type ExecNode = ModelNode | SeedNode;
export type AnyNode = ExecNode | SourceNode;

export interface MacroNode {
  uniqueId: string;
  name: string;
  path: string;
  args: string[];
  /** sha256 of the macro's own {% macro %} block (state:modified compares it). */
  checksum?: string;
  /** Macros this macro calls. */
  dependsOn?: { macros: string[] };
}

export interface Hook {
  /** Rendered SQL. */
  sql: string;
  /** Where it was declared: 'on-run-start', 'on-run-end'. */
  kind: 'on-run-start' | 'on-run-end';
  index: number;
}

export interface Manifest {
  metadata: {
    manifestVersion: number;
    tformVersion: string;
    generatedAt: string;
    projectName: string;
    adapterType: string;
    targetName: string;
    invocationId: string;
  };
  nodes: Record<string, ExecNode>;
  sources: Record<string, SourceNode>;
  /** Data tests: generic (from schema YAML) and singular (SQL files under test-paths). */
  tests: Record<string, import('../test/types.js').TestNode>;
  macros: Record<string, MacroNode>;
  hooks: Hook[];
  parentMap: Record<string, string[]>;
  childMap: Record<string, string[]>;
  /** Inputs of the compile, for state comparison and caching. */
  vars: Record<string, unknown>;
  /** `{% docs %}` blocks by unique id (`doc.<project>.<name>`), `__overview__` included. */
  docs?: Record<string, DocNode>;
  /** Analyses (analysis-paths), compiled by `tform compile`, never run. */
  analyses?: Record<string, AnalysisNode>;
}

export const MANIFEST_VERSION = 1;
