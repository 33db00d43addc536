import { tmpRelation } from '../adapter/dialect.js';
import type { RelationKind, ColumnInfo } from '../adapter/types.js';
import type { ExecNode } from '../compile/manifest.js';
import { TformError } from '../errors/index.js';
import { incrementalConfig, type IncrementalConfig } from './incrementalConfig.js';
import { afterPublish, materializeTable } from './relationBuild.js';
import { diffColumns, planSchemaChange } from './schemaChange.js';
import type { MaterializeContext, NodeStatements, Statement } from './types.js';

/**
 * The `incremental` materialization (dbt semantics), as pure statements.
 *
 * Rebuild — the target does not exist, is a view, or a full refresh is asked (ctx.fullRefresh
 * from `--full-refresh`, or config `full_refresh: true`): exactly the `table` materialization
 * (build `<name>__tform_tmp`, swap it in).
 *
 * Incremental run — the target is a table: `build` is the table materialization's (drop a stale
 * tmp, `create table <tmp> as (<compiled SQL>)`, the SQL rendered with is_incremental() true);
 * `publish`, run by the runner in one transaction, is incrementalPublish(): key checks,
 * on_schema_change DDL, the strategy's DML from tmp into the target, drop tmp, indexes, grants,
 * post-hooks; `cleanup` drops tmp.
 *
 * The new rows' columns are only known once tmp exists, so the publish that materialize()
 * returns assumes they equal ctx.existingColumns (a preview for --dry-run, and already the real
 * thing for on_schema_change 'ignore' when nothing was removed). The runner must replace it, after
 * `build` ran, by incrementalPublish(node, ctx, await adapter.columns(tmp)) — see
 * isIncrementalBuild().
 */

/**
 * Whether this build writes into the existing table (an incremental run) rather than rebuilding.
 * The same rule as compile's isIncrementalRun(), which decided is_incremental() for the SQL.
 */
/**
 * is_incremental() as dbt defines it: the model is incremental, its table already exists (a view
 * does not count), and no full refresh was asked for by flag or config. Compile and plan agree
 * through this one rule.
 */
export function incrementalApplies(node: Pick<ExecNode, 'materialized' | 'config'>, existing: RelationKind | undefined, fullRefresh = false): boolean {
  if (node.materialized !== 'incremental' || fullRefresh || node.config.full_refresh === true) return false;
  return existing === 'table';
}

export function isIncrementalBuild(node: ExecNode, ctx: MaterializeContext): boolean {
  return incrementalApplies(node, ctx.existing?.kind, ctx.fullRefresh);
}

export function materializeIncremental(node: ExecNode, ctx: MaterializeContext): NodeStatements {
  incrementalConfig(node); // config errors surface on the first (rebuilding) run too
  const table = materializeTable(node, ctx);
  if (!isIncrementalBuild(node, ctx)) return table;
  if (!ctx.existingColumns?.length) {
    throw new Error(`internal: incremental run of ${node.name} needs the existing table's columns (MaterializeContext.existingColumns)`);
  }
  return { ...table, publish: incrementalPublish(node, ctx, ctx.existingColumns) };
}

/**
 * The publish of an incremental run, given the columns of the built tmp relation. Pure; throws a
 * TformError when on_schema_change refuses the new columns, or a key column is missing.
 * Statements, in order: NULL-key check (merge, delete+insert), duplicate-key check (merge),
 * schema-change DDL, the strategy's DML, drop tmp, indexes, grants, post-hooks.
 */
export function incrementalPublish(node: ExecNode, ctx: MaterializeContext, tmpColumns: ColumnInfo[]): Statement[] {
  const { dialect, relation } = ctx;
  const target = ctx.existingColumns;
  if (!target?.length) throw new Error(`internal: incrementalPublish(${node.name}) needs MaterializeContext.existingColumns`);
  if (!tmpColumns.length) throw new Error(`internal: incrementalPublish(${node.name}) got no columns for the built tmp relation`);
  const cfg = incrementalConfig(node);
  const tmp = tmpRelation(relation, dialect);
  const model = { name: node.name, path: node.path };

  const diff = diffColumns(target, tmpColumns, (n) => dialect.columnKey(n));
  const keys = resolveKeys(cfg, target, tmpColumns, ctx, model);
  const change = planSchemaChange({ mode: cfg.onSchemaChange, diff, target, relation, dialect, model });

  const out: Statement[] = [];
  if (cfg.strategy !== 'append') {
    const list = keys.join(', ');
    const src = dialect.relation(tmp);
    const q = keys.map((k) => dialect.quoteIdent(k));
    out.push({
      sql: dialect.assertNoRows(`select 1 from ${src} where ${q.map((k) => `${k} is null`).join(' or ')}`, `incremental model ${node.name}: new rows have a NULL in unique_key (${list}); a NULL key never matches, so such rows would be added again on every run. Filter or coalesce them in the model.`),
      label: 'check no NULL keys',
      origin: ctx.configOrigin?.('unique_key'),
    });
    if (cfg.strategy === 'merge') {
      out.push({
        sql: dialect.assertNoRows(`select 1 from ${src} group by ${q.join(', ')} having count(*) > 1`, `incremental model ${node.name}: new rows repeat a unique_key (${list}) value, so merge cannot tell which row to keep. Deduplicate them in the model, or use incremental_strategy 'delete+insert'.`),
        label: 'check unique keys',
        origin: ctx.configOrigin?.('unique_key'),
      });
    }
  }
  out.push(...change.ddl);
  if (cfg.strategy === 'merge') {
    out.push({ sql: dialect.mergeInto(relation, tmp, { uniqueKey: keys, columns: change.columns }), label: 'merge' });
  } else {
    if (cfg.strategy === 'delete+insert') out.push({ sql: dialect.deleteMatchingKeys(relation, tmp, keys), label: 'delete matching rows' });
    out.push({ sql: dialect.insertSelect(relation, tmp, change.columns), label: 'insert new rows' });
  }
  out.push({ sql: dialect.dropRelation(tmp, 'table'), label: 'drop tmp' });
  out.push(...afterPublish('table', ctx, node));
  return out;
}

/** The unique key columns in the table's spelling; each must be a column of the table and of the new rows. */
function resolveKeys(cfg: IncrementalConfig, target: ColumnInfo[], tmpColumns: ColumnInfo[], ctx: MaterializeContext, model: { name: string; path: string }): string[] {
  if (cfg.strategy === 'append') return [];
  const key = (n: string) => ctx.dialect.columnKey(n);
  const inTarget = new Map(target.map((c) => [key(c.name), c.name]));
  const inTmp = new Set(tmpColumns.map((c) => key(c.name)));
  return cfg.uniqueKey.map((k) => {
    const name = inTarget.get(key(k));
    const where = !name ? 'the existing table' : !inTmp.has(key(k)) ? "the model's new rows" : undefined;
    if (where) {
      throw new TformError('CONFIG_INVALID', `${model.name}: unique_key column '${k}' is not a column of ${where}`, {
        file: model.path,
        hint: `columns of ${where}: ${(where === 'the existing table' ? target : tmpColumns).map((c) => c.name).join(', ')}${where === 'the existing table' ? ' (run with --full-refresh after changing the key)' : ''}`,
      });
    }
    return name!;
  });
}
