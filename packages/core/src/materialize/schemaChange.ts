import type { Dialect } from '../adapter/dialect.js';
import type { ColumnInfo, RelationRef } from '../adapter/types.js';
import { TformError } from '../errors/index.js';
import type { OnSchemaChange } from './incrementalConfig.js';
import type { Statement } from './types.js';

/** How the columns of an incremental model's new rows differ from the existing table's. */
export interface SchemaDiff {
  /** Columns of the new rows the table lacks (new rows' spelling and type). */
  added: ColumnInfo[];
  /** Columns of the table the new rows lack (table's spelling). */
  removed: ColumnInfo[];
  /** Columns in both whose type differs (table's spelling). */
  retyped: { name: string; from: string; to: string }[];
}

/** Types compare as the warehouse spells them, ignoring case and spacing. */
function sameType(a: string, b: string): boolean {
  const norm = (t: string) => t.toLowerCase().replace(/\s+/g, ' ').replace(/\s*([(),])\s*/g, '$1').trim();
  return norm(a) === norm(b);
}

/** Compare columns by name as `key` folds them (Dialect.columnKey). Pure. */
export function diffColumns(target: ColumnInfo[], incoming: ColumnInfo[], key: (name: string) => string): SchemaDiff {
  const t = new Map(target.map((c) => [key(c.name), c]));
  const n = new Map(incoming.map((c) => [key(c.name), c]));
  const retyped: SchemaDiff['retyped'] = [];
  for (const c of incoming) {
    const old = t.get(key(c.name));
    if (old && !sameType(old.type, c.type)) retyped.push({ name: old.name, from: old.type, to: c.type });
  }
  return { added: incoming.filter((c) => !t.has(key(c.name))), removed: target.filter((c) => !n.has(key(c.name))), retyped };
}

export function describeDiff(d: SchemaDiff): string {
  const parts: string[] = [];
  if (d.added.length) parts.push(`added ${d.added.map((c) => `${c.name} (${c.type})`).join(', ')}`);
  if (d.removed.length) parts.push(`removed ${d.removed.map((c) => c.name).join(', ')}`);
  if (d.retyped.length) parts.push(`type changed ${d.retyped.map((c) => `${c.name} (${c.from} -> ${c.to})`).join(', ')}`);
  return parts.join('; ');
}

/** What on_schema_change does before the new rows are written. */
export interface SchemaChangePlan {
  /** DDL on the target, run in the publish transaction before the DML. */
  ddl: Statement[];
  /** The columns to write (present in both the new rows and the table once `ddl` ran), table spelling first. */
  columns: string[];
}

export interface SchemaChangeInput {
  mode: OnSchemaChange;
  diff: SchemaDiff;
  target: ColumnInfo[];
  relation: RelationRef;
  dialect: Dialect;
  /** For messages: the model's name and file. */
  model: { name: string; path: string };
}

/**
 * dbt's on_schema_change, as statements. Pure; throws a TformError when the mode refuses the change.
 * - `ignore`: write the table's columns; new columns are left out. A column the table has and
 *   the new rows lack is an error (dbt fails there too, with the database's "no such column").
 * - `fail`: any added, removed or retyped column is an error naming them.
 * - `append_new_columns`: add the new columns; removed ones stay and get NULL in new rows.
 * - `sync_all_columns`: add new columns, change types (where Dialect.alterColumnType can), then
 *   drop removed ones (adding first, so the table never has zero columns).
 */
export function planSchemaChange(o: SchemaChangeInput): SchemaChangePlan {
  const { mode, diff, target, relation, dialect, model } = o;
  const changed = diff.added.length + diff.removed.length + diff.retyped.length > 0;
  const refuse = (msg: string, hint: string): never => {
    throw new TformError('CONFIG_INVALID', `${model.name}: ${msg}`, { file: model.path, hint });
  };
  const removedKeys = new Set(diff.removed.map((c) => dialect.columnKey(c.name)));
  const kept = target.filter((c) => !removedKeys.has(dialect.columnKey(c.name))).map((c) => c.name);

  if (mode === 'fail' && changed) {
    refuse(`the model's columns no longer match the existing table and on_schema_change is 'fail': ${describeDiff(diff)}`, 'run with --full-refresh to rebuild the table, or set on_schema_change to append_new_columns or sync_all_columns');
  }
  if (mode === 'ignore' || mode === 'fail') {
    if (diff.removed.length) {
      refuse(
        `the existing table has column${diff.removed.length === 1 ? '' : 's'} ${diff.removed.map((c) => c.name).join(', ')} that the model no longer produces (on_schema_change 'ignore' writes the table's columns)`,
        'set on_schema_change to append_new_columns (leaves them NULL in new rows) or sync_all_columns (drops them), or run with --full-refresh',
      );
    }
    return { ddl: [], columns: target.map((c) => c.name) };
  }
  const ddl: Statement[] = diff.added.map((c) => ({ sql: dialect.addColumn(relation, c), label: 'add column' }));
  if (mode === 'sync_all_columns') {
    for (const c of diff.retyped) ddl.push(...dialect.alterColumnType(relation, c.name, c.to).map((sql) => ({ sql, label: 'change column type' })));
    for (const c of diff.removed) ddl.push({ sql: dialect.dropColumn(relation, c.name), label: 'drop column' });
  }
  return { ddl, columns: [...kept, ...diff.added.map((c) => c.name)] };
}
