import type { ErrorLocation } from '../errors/index.js';
import type { Dialect } from '../adapter/dialect.js';
import type { Capabilities, ColumnInfo, RelationInfo, RelationKind, RelationRef } from '../adapter/types.js';
import type { ExecNode } from '../compile/manifest.js';

/** One SQL statement of a plan, with what the console and error mapping need to know about it. */
export interface Statement {
  sql: string;
  /** Short description: 'pre-hook', 'create tmp', 'swap', 'post-hook', … */
  label: string;
  /** 1-based line inside `sql` where the model's compiled SQL starts, for mapping database errors. */
  modelLine?: number;
  /** A check's failure is about config set here (e.g. the unique_key a NULL key violates). */
  origin?: ErrorLocation;
}

/**
 * What building one node takes, as pure data. The runner executes `pre` and `build` statement by
 * statement, then `publish` in one transaction (where the warehouse allows DDL in transactions),
 * and `cleanup` when anything before publish failed.
 */
export interface NodeStatements {
  pre: Statement[];
  build: Statement[];
  publish: Statement[];
  cleanup: Statement[];
  /** Kind of relation the node produces, or undefined for ephemeral models. */
  kind?: RelationKind;
}

export interface MaterializeContext {
  dialect: Dialect;
  capabilities: Capabilities;
  relation: RelationRef;
  /** The relation as it exists in the warehouse now (from introspection). */
  existing?: RelationInfo;
  /** A leftover temporary relation of an interrupted run. */
  existingTmp?: RelationInfo;
  preHooks: string[];
  postHooks: string[];
  /** The settable clock's now (retention cut-offs). */
  now?: Date;
  /** A seed's parsed CSV, for warehouses that cannot read the file themselves. */
  seed?: import('./seedCsv.js').SeedTable;
  /** `--full-refresh`: incremental models are rebuilt like tables (must match what compile used for is_incremental()). */
  fullRefresh?: boolean;
  /** Columns of the existing target (introspection), needed by an incremental run of an existing table. */
  existingColumns?: ColumnInfo[];
  /** Where the node's config keys were set, for errors about them. */
  configOrigin?: (key: string) => ErrorLocation;
}

export type Materializer = (node: ExecNode, ctx: MaterializeContext) => NodeStatements;

/** A statement that embeds the model's SQL, remembering where it starts. */
export function embedding(sql: string, modelSql: string, label: string): Statement {
  const at = sql.indexOf(modelSql);
  const modelLine = at < 0 ? undefined : sql.slice(0, at).split('\n').length;
  return { sql, label, modelLine };
}

export function hooks(list: string[], label: string): Statement[] {
  return list.map((sql) => ({ sql, label }));
}
