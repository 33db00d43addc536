import type { ErrorLocation } from '../errors/index.js';
import type { ColumnInfo, FileToLoad, RelationKind, RelationRef } from './types.js';

export type Grain = 'hour' | 'day' | 'week' | 'month' | 'year';

/** Options for loading a CSV seed straight from disk. */
export interface CsvLoadOptions {
  /** Absolute path of the CSV file. */
  path: string;
  /** Column name → warehouse type for columns whose type is fixed by config. */
  columnTypes: Record<string, string>;
  delimiter: string;
}

/**
 * Pure SQL generation for one warehouse. No I/O. Every method returns statement text, so
 * materializations can be golden-tested per dialect without a database.
 */
export interface Dialect {
  readonly name: string;
  quoteIdent(name: string): string;
  /** Identifier of the temporary relation a model is built into (`<name>__tform_tmp` unless too long). */
  tmpIdentifier(name: string): string;
  /** `db.schema.name`, each part quoted. */
  relation(r: RelationRef): string;
  stringLiteral(value: string): string;
  createSchema(schema: string, database?: string): string;
  createViewAs(r: RelationRef, sql: string): string;
  createTableAs(r: RelationRef, sql: string): string;
  dropRelation(r: RelationRef, kind: RelationKind): string;
  /** Rename keeping the schema; `to` is the new bare identifier. */
  rename(from: RelationRef, to: string, kind: RelationKind): string;
  /**
   * Statements that replace `target` (which may exist as `existing`) with the already-built `tmp`.
   * The runner executes them in one transaction where the warehouse allows it.
   */
  publish(tmp: RelationRef, target: RelationRef, kind: RelationKind, existing: RelationKind | undefined): string[];
  /** SELECT reading a local CSV file, for dialects whose warehouse can (capability readLocalCsv). */
  selectFromCsv?(opts: CsvLoadOptions): string;
  /**
   * SELECT of the declared columns of one raw file read from the local disk, typed, for dialects
   * whose warehouse reads such files itself (an adapter's loadFile may build on it).
   */
  selectFromFile?(file: FileToLoad): string;
  /** Warehouse type for a column kind inferred from a seed CSV. */
  seedColumnType(kind: 'integer' | 'number' | 'boolean' | 'date' | 'timestamp' | 'text'): string;
  /** CREATE TABLE with explicit columns (seeds loaded by INSERT); `ifNotExists` leaves an existing table alone. */
  createTable(r: RelationRef, columns: { name: string; type: string }[], o?: { ifNotExists?: boolean }): string;
  /** Statements granting privileges (`grants:` config, privilege → roles), re-applied on every publish. */
  grantStatements(r: RelationRef, kind: RelationKind, grants: Record<string, string[]>): string[];
  /** Statements creating the `indexes:` config of a table, idempotently, on every publish. */
  indexStatements(r: RelationRef, indexes: IndexSpec[]): string[];
  /** Multi-row INSERT of literal values (already rendered as SQL literals). */
  insertValues(r: RelationRef, columns: string[], rows: string[][]): string;
  dateTrunc(grain: Grain, expr: string): string;
  /** Aggregate counting the rows where `predicate` is true (NULL counts as not true). */
  countIf(predicate: string): string;
  /** `query` returning at most `n` rows. */
  limitRows(query: string, n: number): string;
  /** A TIMESTAMP (without time zone) literal of the UTC wall-clock time of `d`. */
  timestampLiteral(d: Date): string;

  // Incremental models (materialize/incremental.ts). Column names are passed unquoted.

  /**
   * The form under which two column names denote the same column, for comparing a model's new
   * columns with the existing table's: identity where quoted names are case-sensitive (Postgres),
   * lower case where the warehouse resolves names case-insensitively (DuckDB).
   */
  columnKey(name: string): string;
  /** `insert into target (columns) select columns from source`. */
  insertSelect(target: RelationRef, source: RelationRef, columns: string[]): string;
  /**
   * Delete the rows of `target` whose unique key occurs in `source` (delete+insert). Keys are
   * compared with `=`, so NULL keys never match: the caller asserts first that `source` has none.
   */
  deleteMatchingKeys(target: RelationRef, source: RelationRef, uniqueKey: string[]): string;
  /**
   * Upsert `source` into `target` on `uniqueKey` (merge): update matched rows' non-key columns,
   * insert the others. The caller asserts first that `source` has no NULL and no duplicate keys.
   */
  mergeInto(target: RelationRef, source: RelationRef, o: MergeOptions): string;
  /** Add a column to a table (on_schema_change append_new_columns / sync_all_columns). */
  addColumn(r: RelationRef, column: ColumnInfo): string;
  /** Drop a column of a table (on_schema_change sync_all_columns). */
  dropColumn(r: RelationRef, column: string): string;
  /**
   * Statements changing a column's type, existing values converted (sync_all_columns); [] where
   * the warehouse cannot, in which case the column keeps its type and new values are cast on insert.
   */
  alterColumnType(r: RelationRef, column: string, type: string): string[];
  /**
   * One statement that fails with `message` when `query` returns at least one row and does
   * nothing otherwise (checks run inside the publish transaction, e.g. "no NULL unique keys").
   */
  assertNoRows(query: string, message: string): string;
  /** Seconds since 1970-01-01 of a timestamp or date expression (UTC wall clock), as a number. */
  epochSeconds(expr: string): string;
  /**
   * A 64-bit integer hash of the whole row of table alias `alias`, equal for equal rows
   * (interval checksums: a rerun that changed nothing is recognised).
   */
  rowHash(alias: string): string;
  /**
   * What keeps the delete of one interval's rows from reading the whole table (microbatch models
   * and panels): an index on the event_time column, or nothing where the warehouse skips blocks
   * by their min/max (DuckDB's zone maps: rows are written in event_time order).
   */
  eventTimeIndex(r: RelationRef, column: string): string[];
  /**
   * Aggregate: how many distinct non-NULL values of `column` (over the rows where `where` holds,
   * when given) are not in `list` (SQL literals) — accepted_values' failure count. Collecting the
   * few distinct values first and checking the list once per value is much cheaper than checking
   * every row against the list.
   */
  countDistinctNotIn(column: string, list: string, where?: string): string;

  // Optional hooks, for warehouses whose SQL differs in ways the methods above cannot express
  // (BigQuery). Where a hook is absent, core generates exactly what it did without it.

  /**
   * Check (and normalise) the config keys this warehouse reads, when the project is resolved —
   * before any connection — e.g. BigQuery's `partition_by` and `cluster_by`. Throws a TformError
   * at `where(key)` for a bad value. Called for models and seeds.
   */
  checkNodeConfig?(config: Record<string, unknown>, name: string, where: (key: string) => ErrorLocation): Record<string, unknown>;
  /**
   * CREATE TABLE AS of a model's table (its tmp relation), shaped by the model's config
   * (BigQuery: `partition by`, `cluster by`); createTableAs() where absent.
   */
  createModelTableAs?(r: RelationRef, sql: string, config: Readonly<Record<string, unknown>>): string;
  /**
   * The publish of a view from its SQL, for warehouses that cannot rename a view into place
   * (BigQuery: `create or replace view`); publish() where absent. Statements run in order,
   * after the tmp view was built and tested; they drop the tmp view too.
   */
  publishView?(tmp: RelationRef, target: RelationRef, sql: string, existing: RelationKind | undefined): string[];
  /**
   * One statement loading a seed's CSV file into the new table `tmp` with the given columns
   * (types as seedColumnType / column_types spell them), for warehouses that load files by a
   * job of their own (BigQuery's load job); the seed is inserted row by row where absent.
   */
  loadCsv?(tmp: RelationRef, o: { path: string; delimiter: string; columns: { name: string; type: string }[] }): string;
  /**
   * Replace the rows of `target` in one range of event_time with the rows of `source`, as one
   * statement (BigQuery: insert_overwrite as a MERGE, partitions pruned by the range); core's
   * `delete` of the range followed by an insert where absent. `inRange(alias)` is the range
   * predicate on the target's rows, written against `alias`.
   */
  overwriteRange?(target: RelationRef, source: RelationRef, o: { columns: string[]; inRange: (alias: string) => string }): string;
  /** Aggregate: the first non-NULL `value` in the order of `orderBy` (descending: the last), for lifetime folds. */
  orderedFirst?(value: string, orderBy: string, descending: boolean): string;
  /** Column types of tform's state tables (default: see state/sql.ts stateTypes). */
  readonly stateTypes?: { text: string; timestamp: string; bigint: string; double: string };
  /**
   * Whether CREATE TABLE accepts enforced PRIMARY KEY and CHECK constraints (default true); the
   * state tables are created without them where false (BigQuery).
   */
  readonly tableConstraints?: boolean;
  /**
   * One statement that inserts `rows` (SQL literals, in `columns` order) into `r`, replacing the
   * rows with the same `key` — for warehouses without `insert … on conflict` (BigQuery: MERGE).
   */
  upsertValues?(r: RelationRef, columns: string[], key: string[], rows: string[][]): string;
  /** A query counting (as `n`) the tables named `r`, that succeeds when its schema does not exist. */
  tableExistsQuery?(r: RelationRef): string;
}

/** Options of an incremental MERGE (Dialect.mergeInto). */
export interface MergeOptions {
  /** Columns that identify a row (matched with `=`, so NULL keys never match). */
  uniqueKey: string[];
  /** Every column to write, in the order to insert them; the non-key ones are updated. */
  columns: string[];
}

/** One entry of the `indexes:` config (as dbt-postgres spells it). */
export interface IndexSpec {
  columns: string[];
  unique?: boolean;
  type?: string;
}

/** Stable short hash (FNV-1a, hex) for generated names. */
export function shortHash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

/** Suffix of the relation a model is built into before it is published. */
export const TMP_SUFFIX = '__tform_tmp';

/** The relation a node is built into before publishing; the dialect may shorten long names. */
export function tmpRelation(r: RelationRef, dialect?: Pick<Dialect, 'tmpIdentifier'>): RelationRef {
  return { ...r, identifier: dialect ? dialect.tmpIdentifier(r.identifier) : r.identifier + TMP_SUFFIX };
}

/** The longest prefix of `s` that fits in `bytes` UTF-8 bytes, never splitting a character. */
export function clipUtf8(s: string, bytes: number): string {
  let used = 0;
  let out = '';
  for (const ch of s) {
    const n = Buffer.byteLength(ch, 'utf8');
    if (used + n > bytes) break;
    used += n;
    out += ch;
  }
  return out;
}

/**
 * ANSI SQL defaults. Warehouse dialects extend this and override what differs.
 */
export class DefaultDialect implements Dialect {
  readonly name: string = 'default';

  quoteIdent(name: string): string {
    return `"${name.replace(/"/g, '""')}"`;
  }

  tmpIdentifier(name: string): string {
    return name + TMP_SUFFIX;
  }

  relation(r: RelationRef): string {
    const parts = r.database ? [r.database, r.schema, r.identifier] : [r.schema, r.identifier];
    return parts.map((p) => this.quoteIdent(p)).join('.');
  }

  stringLiteral(value: string): string {
    return `'${value.replace(/'/g, "''")}'`;
  }

  createSchema(schema: string, database?: string): string {
    const name = database ? `${this.quoteIdent(database)}.${this.quoteIdent(schema)}` : this.quoteIdent(schema);
    return `create schema if not exists ${name}`;
  }

  createViewAs(r: RelationRef, sql: string): string {
    return `create view ${this.relation(r)} as (\n${sql}\n)`;
  }

  createTableAs(r: RelationRef, sql: string): string {
    return `create table ${this.relation(r)} as (\n${sql}\n)`;
  }

  dropRelation(r: RelationRef, kind: RelationKind): string {
    return `drop ${kind} if exists ${this.relation(r)}`;
  }

  rename(from: RelationRef, to: string, kind: RelationKind): string {
    return `alter ${kind} ${this.relation(from)} rename to ${this.quoteIdent(to)}`;
  }

  publish(tmp: RelationRef, target: RelationRef, kind: RelationKind, existing: RelationKind | undefined): string[] {
    const out: string[] = [];
    if (existing) out.push(this.dropRelation(target, existing));
    out.push(this.rename(tmp, target.identifier, kind));
    return out;
  }

  dateTrunc(grain: Grain, expr: string): string {
    return `date_trunc('${grain}', ${expr})`;
  }

  countIf(predicate: string): string {
    return `count(case when ${predicate} then 1 end)`;
  }

  limitRows(query: string, n: number): string {
    return `${query}\nlimit ${Math.max(0, Math.floor(n))}`;
  }

  /** `timestamp 'YYYY-MM-DD HH:MM:SS[.mmm]'` (ANSI), the UTC wall-clock time. */
  timestampLiteral(d: Date): string {
    const iso = d.toISOString(); // YYYY-MM-DDTHH:MM:SS.mmmZ
    const ms = iso.slice(19, 23) === '.000' ? '' : iso.slice(19, 23);
    return `timestamp '${iso.slice(0, 10)} ${iso.slice(11, 19)}${ms}'`;
  }

  seedColumnType(kind: 'integer' | 'number' | 'boolean' | 'date' | 'timestamp' | 'text'): string {
    return { integer: 'bigint', number: 'numeric', boolean: 'boolean', date: 'date', timestamp: 'timestamp', text: 'text' }[kind];
  }

  createTable(r: RelationRef, columns: { name: string; type: string }[], o: { ifNotExists?: boolean } = {}): string {
    return `create table ${o.ifNotExists ? 'if not exists ' : ''}${this.relation(r)} (\n${columns.map((c) => `  ${this.quoteIdent(c.name)} ${c.type}`).join(',\n')}\n)`;
  }

  grantStatements(r: RelationRef, kind: RelationKind, grants: Record<string, string[]>): string[] {
    void kind;
    const out: string[] = [];
    for (const [privilege, roles] of Object.entries(grants)) {
      if (!/^[a-z ]+$/i.test(privilege)) throw new Error(`invalid privilege '${privilege}'`);
      for (const role of roles) out.push(`grant ${privilege} on ${this.relation(r)} to ${this.quoteIdent(role)}`);
    }
    return out;
  }

  indexStatements(r: RelationRef, indexes: IndexSpec[]): string[] {
    return indexes.map((ix) => {
      const name = `${clipUtf8(r.identifier, 40)}__${shortHash(JSON.stringify([ix.columns, ix.unique ?? false, ix.type ?? '']))}_idx`;
      const using = ix.type ? ` using ${ix.type.replace(/[^a-z_]/gi, '')}` : '';
      return `create ${ix.unique ? 'unique ' : ''}index if not exists ${this.quoteIdent(name)} on ${this.relation(r)}${using} (${ix.columns.map((c) => this.quoteIdent(c)).join(', ')})`;
    });
  }

  insertValues(r: RelationRef, columns: string[], rows: string[][]): string {
    const cols = columns.map((c) => this.quoteIdent(c)).join(', ');
    return `insert into ${this.relation(r)} (${cols}) values\n${rows.map((row) => `(${row.join(', ')})`).join(',\n')}`;
  }

  columnKey(name: string): string {
    return name;
  }

  insertSelect(target: RelationRef, source: RelationRef, columns: string[]): string {
    const cols = columns.map((c) => this.quoteIdent(c)).join(', ');
    return `insert into ${this.relation(target)} (${cols})\nselect ${cols}\nfrom ${this.relation(source)}`;
  }

  /** `delete from t where k in (select k from s)`; a composite key as a row value `(a, b) in (select a, b …)`. */
  deleteMatchingKeys(target: RelationRef, source: RelationRef, uniqueKey: string[]): string {
    if (uniqueKey.length === 0) throw new Error('deleteMatchingKeys needs at least one unique key column');
    const keys = uniqueKey.map((k) => this.quoteIdent(k)).join(', ');
    const lhs = uniqueKey.length === 1 ? keys : `(${keys})`;
    return `delete from ${this.relation(target)}\nwhere ${lhs} in (select ${keys} from ${this.relation(source)})`;
  }

  /** `merge into target as t using source as s on t.k = s.k … when matched … when not matched …` (SQL:2003). */
  mergeInto(target: RelationRef, source: RelationRef, o: MergeOptions): string {
    if (o.uniqueKey.length === 0) throw new Error('mergeInto needs at least one unique key column');
    const q = (c: string) => this.quoteIdent(c);
    const on = o.uniqueKey.map((k) => `t.${q(k)} = s.${q(k)}`).join(' and ');
    const keys = new Set(o.uniqueKey);
    const updates = o.columns.filter((c) => !keys.has(c)).map((c) => `${q(c)} = s.${q(c)}`);
    const cols = o.columns.map(q);
    return [
      `merge into ${this.relation(target)} as t`,
      `using ${this.relation(source)} as s`,
      `on ${on}`,
      updates.length ? `when matched then update set ${updates.join(', ')}` : 'when matched then do nothing',
      `when not matched then insert (${cols.join(', ')}) values (${cols.map((c) => `s.${c}`).join(', ')})`,
    ].join('\n');
  }

  addColumn(r: RelationRef, column: ColumnInfo): string {
    return `alter table ${this.relation(r)} add column ${this.quoteIdent(column.name)} ${column.type}`;
  }

  dropColumn(r: RelationRef, column: string): string {
    return `alter table ${this.relation(r)} drop column ${this.quoteIdent(column)}`;
  }

  alterColumnType(r: RelationRef, column: string, type: string): string[] {
    return [`alter table ${this.relation(r)} alter column ${this.quoteIdent(column)} type ${type}`];
  }

  /**
   * `select case when exists (query) then error(message) end`: DuckDB's and BigQuery's `error()`
   * raises `message`. A warehouse without `error()` must override this (the statement would
   * otherwise fail every time, never pass silently). Not a cast of the message to a number:
   * Postgres folds constant casts at plan time and raises even when the branch is not taken.
   */
  assertNoRows(query: string, message: string): string {
    return `select case when exists (\n${query}\n) then error(${this.stringLiteral(message)}) end`;
  }

  epochSeconds(expr: string): string {
    return `extract(epoch from ${expr})`;
  }

  /** Standard SQL: count(distinct) of a CASE that yields the value only where it fails. */
  countDistinctNotIn(column: string, list: string, where?: string): string {
    return `count(distinct case when ${where ? `(${where}) and ` : ''}${column} not in (${list}) then ${column} end)`;
  }

  eventTimeIndex(r: RelationRef, column: string): string[] {
    return this.indexStatements(r, [{ columns: [column] }]);
  }

  /** Postgres: the row's text form hashed to a bigint. */
  rowHash(alias: string): string {
    return `hashtextextended(${alias}::text, 0)`;
  }
}
