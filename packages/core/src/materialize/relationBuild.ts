import { tmpRelation, type IndexSpec } from '../adapter/dialect.js';
import { retentionCutoff } from '../retention.js';
import { batchedKind } from './batchConfig.js';
import type { RelationKind } from '../adapter/types.js';
import type { ExecNode } from '../compile/manifest.js';
import { embedding, hooks, type MaterializeContext, type NodeStatements, type Statement } from './types.js';

/**
 * Write–audit–publish for views and tables: build `<name>__tform_tmp` next to the target, then swap
 * it in (drop old + rename) with the post-hooks in one transaction. A failure before the swap leaves
 * the published relation untouched.
 */
function buildAndSwap(kind: RelationKind, ctx: MaterializeContext, create: (tmp: ReturnType<typeof tmpRelation>) => Statement, node: ExecNode, swap?: (tmp: ReturnType<typeof tmpRelation>) => Statement[]): NodeStatements {
  const { dialect, relation } = ctx;
  const tmp = tmpRelation(relation, dialect);
  const build: Statement[] = [];
  if (ctx.existingTmp) build.push({ sql: dialect.dropRelation(tmp, ctx.existingTmp.kind), label: 'drop stale tmp' });
  build.push(create(tmp));
  return {
    kind,
    pre: hooks(ctx.preHooks, 'pre-hook'),
    build,
    publish: [...(swap ? swap(tmp) : dialect.publish(tmp, relation, kind, ctx.existing?.kind).map((sql) => ({ sql, label: 'swap' }))), ...afterPublish(kind, ctx, node)],
    cleanup: [{ sql: dialect.dropRelation(tmp, kind), label: 'drop tmp' }],
  };
}

/**
 * What follows the data in every publish of a relation (also an incremental model's): the
 * `indexes:` of a table (idempotent), the `grants:`, then the post-hooks.
 */
export function afterPublish(kind: RelationKind, ctx: MaterializeContext, node: ExecNode): Statement[] {
  const { dialect, relation } = ctx;
  const retention = kind === 'table' && node.config.retention && ctx.now ? retentionDelete(node, ctx) : [];
  const kindOf = batchedKind(node);
  const eventTime = kindOf === 'microbatch' || kindOf === 'panel' ? dialect.eventTimeIndex(relation, String(node.config.event_time)) : [];
  return [
    ...retention,
    ...eventTime.map((sql) => ({ sql, label: 'index on event_time' })),
    ...(kind === 'table' ? dialect.indexStatements(relation, (node.config.indexes as IndexSpec[] | undefined) ?? []) : []).map((sql) => ({ sql, label: 'index' })),
    ...dialect.grantStatements(relation, kind, (node.config.grants as Record<string, string[]> | undefined) ?? {}).map((sql) => ({ sql, label: 'grant' })),
    ...hooks(ctx.postHooks, 'post-hook'),
  ];
}

function compiled(node: ExecNode): string {
  if (node.resourceType !== 'model' || node.compiledCode === undefined) {
    throw new Error(`internal: ${node.uniqueId} has no compiled SQL`);
  }
  // Leading lines stay, so a database error's line maps straight onto the compiled file.
  return node.compiledCode.replace(/\s*;?\s*$/, '');
}

export function materializeView(node: ExecNode, ctx: MaterializeContext): NodeStatements {
  const sql = compiled(node);
  const { dialect } = ctx;
  // A warehouse that cannot rename a view into place publishes it from its SQL.
  const swap = dialect.publishView ? (tmp: ReturnType<typeof tmpRelation>) => dialect.publishView!(tmp, ctx.relation, sql, ctx.existing?.kind).map((s) => embedding(s, sql, 'swap')) : undefined;
  return buildAndSwap('view', ctx, (tmp) => embedding(dialect.createViewAs(tmp, sql), sql, 'create tmp view'), node, swap);
}

export function materializeTable(node: ExecNode, ctx: MaterializeContext): NodeStatements {
  const sql = compiled(node);
  const { dialect } = ctx;
  const create = (tmp: ReturnType<typeof tmpRelation>) => (dialect.createModelTableAs ? dialect.createModelTableAs(tmp, sql, node.config) : dialect.createTableAs(tmp, sql));
  return buildAndSwap('table', ctx, (tmp) => embedding(create(tmp), sql, 'create tmp table'), node);
}

/** Rows per INSERT statement when a seed is loaded through SQL. */
export const SEED_BATCH_ROWS = 500;

export function materializeSeed(node: ExecNode, ctx: MaterializeContext): NodeStatements {
  if (node.resourceType !== 'seed') throw new Error(`internal: ${node.uniqueId} is not a seed`);
  const { dialect } = ctx;
  const columnTypes = (node.config.column_types as Record<string, string> | undefined) ?? {};
  if (ctx.capabilities.readLocalCsv && dialect.selectFromCsv) {
    const select = dialect.selectFromCsv({ path: node.absPath, columnTypes, delimiter: String(node.config.delimiter ?? ',') });
    return buildAndSwap('table', ctx, (tmp) => ({ sql: dialect.createTableAs(tmp, select), label: 'load seed into tmp' }), node);
  }
  if (!ctx.seed) throw new Error(`internal: seed ${node.name} was not read for a warehouse that cannot read files`);
  const seed = ctx.seed;
  const lowerTypes = new Map(Object.entries(columnTypes).map(([k, v]) => [k.toLowerCase(), v]));
  const columns = seed.columns.map((c) => ({ name: c.name, type: lowerTypes.get(c.name.toLowerCase()) ?? dialect.seedColumnType(c.kind) }));
  const names = columns.map((c) => c.name);
  if (dialect.loadCsv) {
    const o = { path: node.absPath, delimiter: String(node.config.delimiter ?? ','), columns };
    return buildAndSwap('table', ctx, (tmp) => ({ sql: dialect.loadCsv!(tmp, o), label: 'load seed into tmp' }), node);
  }
  const st = buildAndSwap('table', ctx, (tmp) => ({ sql: dialect.createTable(tmp, columns), label: 'create seed tmp' }), node);
  const tmp = tmpRelation(ctx.relation, dialect);
  for (let i = 0; i < seed.rows.length; i += SEED_BATCH_ROWS) {
    const batch = seed.rows.slice(i, i + SEED_BATCH_ROWS).map((r) => names.map((_, j) => (r[j] === null || r[j] === undefined ? 'null' : dialect.stringLiteral(r[j]!))));
    st.build.push({ sql: dialect.insertValues(tmp, names, batch), label: `insert seed rows ${i + 1}-${i + batch.length}` });
  }
  return st;
}

export function materializeEphemeral(): NodeStatements {
  return { pre: [], build: [], publish: [], cleanup: [] };
}

/** Rows older than the model's `retention`, deleted in the same transaction that publishes. */
function retentionDelete(node: ExecNode, ctx: MaterializeContext): Statement[] {
  const cutoff = retentionCutoff(node.config.retention, ctx.now!);
  const col = ctx.dialect.quoteIdent(String(node.config.event_time));
  return [{ sql: `delete from ${ctx.dialect.relation(ctx.relation)} where ${col} < ${ctx.dialect.timestampLiteral(cutoff)}`, label: 'retention' }];
}
