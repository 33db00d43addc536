import { TformError } from '../errors/index.js';
import type { ExecNode } from '../compile/manifest.js';
import { materializeIncremental } from './incremental.js';
import { materializeEphemeral, materializeSeed, materializeTable, materializeView } from './relationBuild.js';
import type { MaterializeContext, Materializer, NodeStatements } from './types.js';

export * from './types.js';
export * from './seedCsv.js';
export { SEED_BATCH_ROWS } from './relationBuild.js';
export { incrementalPublish, isIncrementalBuild, materializeIncremental } from './incremental.js';
export * from './incrementalConfig.js';
export { diffColumns, planSchemaChange, type SchemaDiff, type SchemaChangePlan } from './schemaChange.js';
export * from './batchConfig.js';
export * from './microbatch.js';
export * from './lifetime.js';

const MATERIALIZERS: Record<string, Materializer> = {
  view: materializeView,
  table: materializeTable,
  seed: materializeSeed,
  ephemeral: materializeEphemeral,
  incremental: materializeIncremental,
  // Built batch by batch (workflow/batches.ts); as one statement list, it is a table.
  panel: materializeTable,
};

export function materializationNames(): string[] {
  return Object.keys(MATERIALIZERS).filter((m) => m !== 'seed');
}

/** Pure: (node, dialect, existing relation) → statements. No I/O. */
export function materialize(node: ExecNode, ctx: MaterializeContext): NodeStatements {
  const m = MATERIALIZERS[node.materialized];
  if (!m) {
    throw new TformError('CONFIG_INVALID', `unknown materialization '${node.materialized}' for ${node.name}`, {
      file: node.path,
      hint: `use one of: ${materializationNames().join(', ')}`,
    });
  }
  return m(node, ctx);
}
