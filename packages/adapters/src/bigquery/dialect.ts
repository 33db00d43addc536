import { DefaultDialect, TformError, type ColumnInfo, type ErrorLocation, type Grain, type MergeOptions, type RelationKind, type RelationRef } from '@tform/core';
import { jobStatement, type TableReference } from './jobStatements.js';
import { clusterBy, partitionBy, partitionClause, type PartitionBy } from './partitioning.js';
import { LOAD_TYPES, loadField } from './types.js';

/**
 * SQL text for BigQuery (GoogleSQL). Pure: no I/O.
 *
 * BigQuery facts this relies on (from the GoogleSQL reference; see README "BigQuery"):
 * - Identifiers are quoted with backticks; inside them `\` escapes as in string literals. A
 *   relation is `project`.`dataset`.`table`, each part quoted (project ids may hold `-`, `.` and
 *   `:`; table names spaces and Unicode). A ref without a database is in the target's project.
 *   Column and table names resolve case-insensitively (hence columnKey lower-cases).
 * - String literals are `'…'` with backslash escapes; a newline must be escaped.
 * - DDL cannot run inside a multi-statement transaction (only SELECT, DML and temp-table DDL can);
 *   the adapter orders statements around its transactions (see transaction.ts).
 * - A table is published by a copy job (WRITE_TRUNCATE: atomic, not billed as a query), written
 *   here as a job statement (jobStatements.ts); a view by `create or replace view`.
 * - MERGE exists; `when matched then do nothing` does not (the clause is left out), and row
 *   values do not compare with IN, so composite keys use EXISTS.
 * - Conditional expressions short-circuit and ignore errors of branches not taken, so the
 *   inherited `case when exists (…) then error(…) end` check raises only when rows exist.
 * - A microbatch model's or panel's batch replaces its range with one MERGE (insert_overwrite):
 *   `on false`, delete the target's rows in the range that the source does not match, insert
 *   every source row. With the table partitioned by event_time only the range's partitions are
 *   read and rewritten.
 * - There are no indexes; partitioning and clustering (`partition_by`, `cluster_by`) do their job.
 * - Primary keys are not enforced and CHECK constraints do not exist (state tables go without).
 */
export class BigQueryDialect extends DefaultDialect {
  override readonly name: string = 'bigquery';
  readonly project: string;
  readonly location: string;
  readonly stateTypes = { text: 'string', timestamp: 'timestamp', bigint: 'int64', double: 'float64' };
  readonly tableConstraints = false;

  constructor(o: { project: string; location: string }) {
    super();
    this.project = o.project;
    this.location = o.location;
  }

  override quoteIdent(name: string): string {
    return `\`${name.replace(/\\/g, '\\\\').replace(/`/g, '\\`')}\``;
  }

  override relation(r: RelationRef): string {
    return [r.database ?? this.project, r.schema, r.identifier].map((p) => this.quoteIdent(p)).join('.');
  }

  /** The REST reference of a relation. */
  tableReference(r: RelationRef): TableReference {
    return { projectId: r.database ?? this.project, datasetId: r.schema, tableId: r.identifier };
  }

  override stringLiteral(value: string): string {
    const escaped = value.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\r/g, '\\r');
    return `'${escaped}'`;
  }

  /** A dataset, created in the target's location. */
  override createSchema(schema: string, database?: string): string {
    return `create schema if not exists ${this.quoteIdent(database ?? this.project)}.${this.quoteIdent(schema)}\noptions (location = ${this.stringLiteral(this.location)})`;
  }

  /** `create table … partition by … cluster by … as (…)` from the model's partition_by and cluster_by. */
  createModelTableAs(r: RelationRef, sql: string, config: Readonly<Record<string, unknown>>): string {
    const p = config.partition_by as PartitionBy | undefined;
    const c = config.cluster_by as string[] | undefined;
    const clauses = [p ? `\n${partitionClause(p, (n) => this.quoteIdent(n))}` : '', c?.length ? `\ncluster by ${c.map((x) => this.quoteIdent(x)).join(', ')}` : ''].join('');
    return `create table ${this.relation(r)}${clauses}${clauses ? '\n' : ' '}as (\n${sql}\n)`;
  }

  override rename(from: RelationRef, to: string, kind: RelationKind): string {
    return `alter ${kind} ${this.relation(from)} rename to ${this.quoteIdent(to)}`;
  }

  /**
   * A table is published by a copy job from tmp with WRITE_TRUNCATE (the adapter first deletes a
   * target whose partitioning or clustering differs, or that is a view), then tmp is dropped.
   */
  override publish(tmp: RelationRef, target: RelationRef, kind: RelationKind, existing: RelationKind | undefined): string[] {
    if (kind !== 'table') throw new Error('internal: BigQuery views are published by publishView()');
    const out: string[] = [];
    if (existing === 'view') out.push(this.dropRelation(target, 'view'));
    out.push(
      jobStatement(
        { copy: { source: this.tableReference(tmp), destination: this.tableReference(target), writeDisposition: 'WRITE_TRUNCATE' } },
        `copy job: ${this.relation(tmp)} replaces the rows and schema of ${this.relation(target)} atomically (WRITE_TRUNCATE; not billed as a query)`,
      ),
    );
    out.push(this.dropRelation(tmp, 'table'));
    return out;
  }

  /** `create or replace view` from the model's SQL (a table of the name is dropped first), then the tmp view goes. */
  publishView(tmp: RelationRef, target: RelationRef, sql: string, existing: RelationKind | undefined): string[] {
    const out: string[] = [];
    if (existing === 'table') out.push(this.dropRelation(target, 'table'));
    out.push(`create or replace view ${this.relation(target)} as (\n${sql}\n)`);
    out.push(this.dropRelation(tmp, 'view'));
    return out;
  }

  /** A load job of the CSV file into `tmp`, the header skipped, columns by position. */
  loadCsv(tmp: RelationRef, o: { path: string; delimiter: string; columns: { name: string; type: string }[] }): string {
    const fields = o.columns.map((c) => {
      const f = loadField(c.name, c.type);
      if (!f) throw new Error(`internal: seed column ${c.name} has type ${c.type}, which checkNodeConfig should have refused`);
      return f;
    });
    return jobStatement(
      { load: { file: o.path, destination: this.tableReference(tmp), fields, fieldDelimiter: o.delimiter, skipLeadingRows: 1, writeDisposition: 'WRITE_TRUNCATE' } },
      `load job: the CSV file into ${this.relation(tmp)} (${fields.map((f) => `${f.name} ${f.type}`).join(', ')})`,
    );
  }

  override seedColumnType(kind: 'integer' | 'number' | 'boolean' | 'date' | 'timestamp' | 'text'): string {
    return { integer: 'int64', number: 'float64', boolean: 'bool', date: 'date', timestamp: 'timestamp', text: 'string' }[kind];
  }

  /**
   * Checked at resolve time: a model's partition_by and cluster_by, a seed's column_types (a
   * load job needs types BigQuery knows). Errors point at where the key was set.
   */
  checkNodeConfig(config: Record<string, unknown>, name: string, where: (key: string) => ErrorLocation): Record<string, unknown> {
    const out = { ...config };
    const p = partitionBy(config.partition_by, name, where);
    if (p) out.partition_by = p;
    const c = clusterBy(config.cluster_by, name, where);
    if (c) out.cluster_by = c;
    if (config.column_types && typeof config.column_types === 'object') {
      for (const [col, type] of Object.entries(config.column_types as Record<string, unknown>)) {
        if (typeof type !== 'string' || !loadField(col, type)) {
          throw new TformError('CONFIG_INVALID', `${name}: column_types gives ${col} the type '${String(type)}', which BigQuery does not have`, {
            ...where('column_types'),
            hint: `use one of: ${LOAD_TYPES.join(', ')}`,
          });
        }
      }
    }
    return out;
  }

  /**
   * BigQuery's roles, granted by IAM: `select` is `roles/bigquery.dataViewer`; the grantees are
   * principals (`user:…`, `group:…`, `serviceAccount:…`, `domain:…`).
   */
  override grantStatements(r: RelationRef, kind: RelationKind, grants: Record<string, string[]>): string[] {
    const out: string[] = [];
    for (const [privilege, principals] of Object.entries(grants)) {
      if (privilege.toLowerCase() !== 'select') {
        throw new TformError('CONFIG_INVALID', `grants: BigQuery grants roles; tform maps only 'select' (to roles/bigquery.dataViewer), not '${privilege}'`, {
          hint: 'use grants: { select: [\'user:someone@example.com\'] }, or a post-hook with GRANT for other roles',
        });
      }
      if (principals.length) out.push(`grant \`roles/bigquery.dataViewer\` on ${kind === 'view' ? 'view' : 'table'} ${this.relation(r)} to ${principals.map((p) => this.stringLiteral(p)).join(', ')}`);
    }
    return out;
  }

  /** No indexes in BigQuery (partition_by and cluster_by instead). */
  override indexStatements(): string[] {
    return [];
  }

  override eventTimeIndex(): string[] {
    return [];
  }

  /** `timestamp_trunc` of the value as a TIMESTAMP; weeks are ISO weeks (Monday), as elsewhere. */
  override dateTrunc(grain: Grain, expr: string): string {
    return `timestamp_trunc(cast(${expr} as timestamp), ${grain === 'week' ? 'ISOWEEK' : grain.toUpperCase()})`;
  }

  override countIf(predicate: string): string {
    return `countif(${predicate})`;
  }

  override columnKey(name: string): string {
    return name.toLowerCase();
  }

  /** Composite keys by EXISTS: BigQuery compares no row values with IN. */
  override deleteMatchingKeys(target: RelationRef, source: RelationRef, uniqueKey: string[]): string {
    if (uniqueKey.length === 1) return super.deleteMatchingKeys(target, source, uniqueKey);
    if (uniqueKey.length === 0) throw new Error('deleteMatchingKeys needs at least one unique key column');
    const on = uniqueKey.map((k) => `s.${this.quoteIdent(k)} = t.${this.quoteIdent(k)}`).join(' and ');
    return `delete from ${this.relation(target)} as t\nwhere exists (select 1 from ${this.relation(source)} as s where ${on})`;
  }

  /** The inherited MERGE without `when matched then do nothing` (not GoogleSQL). */
  override mergeInto(target: RelationRef, source: RelationRef, o: MergeOptions): string {
    const keys = new Set(o.uniqueKey);
    if (o.columns.some((c) => !keys.has(c))) return super.mergeInto(target, source, o);
    return super.mergeInto(target, source, o).split('\n').filter((l) => l !== 'when matched then do nothing').join('\n');
  }

  /** Widening only (INT64 → NUMERIC/FLOAT64, NUMERIC → FLOAT64, …); BigQuery refuses the rest. */
  override alterColumnType(r: RelationRef, column: string, type: string): string[] {
    return [`alter table ${this.relation(r)} alter column ${this.quoteIdent(column)} set data type ${type}`];
  }

  override addColumn(r: RelationRef, column: ColumnInfo): string {
    return `alter table ${this.relation(r)} add column ${this.quoteIdent(column.name)} ${column.type}`;
  }

  override epochSeconds(expr: string): string {
    return `unix_seconds(cast(${expr} as timestamp))`;
  }

  /**
   * FARM_FINGERPRINT of the row as JSON, as a BIGNUMERIC: a sum of INT64 hashes would overflow
   * (BigQuery raises on INT64 overflow), a BIGNUMERIC sum of them does not.
   */
  override rowHash(alias: string): string {
    return `cast(farm_fingerprint(to_json_string(${alias})) as bignumeric)`;
  }

  /** insert_overwrite of the batch's range, as one MERGE (see the class comment). */
  overwriteRange(target: RelationRef, source: RelationRef, o: { columns: string[]; inRange: (alias: string) => string }): string {
    const cols = o.columns.map((c) => this.quoteIdent(c));
    return [
      `merge into ${this.relation(target)} as t`,
      `using ${this.relation(source)} as s`,
      'on false',
      `when not matched by source and ${o.inRange('t')} then delete`,
      `when not matched then insert (${cols.join(', ')}) values (${cols.map((c) => `s.${c}`).join(', ')})`,
    ].join('\n');
  }

  /** `array_agg(… ignore nulls order by … limit 1)[safe_offset(0)]`. */
  orderedFirst(value: string, orderBy: string, descending: boolean): string {
    return `array_agg(${value} ignore nulls order by ${orderBy}${descending ? ' desc' : ''} limit 1)[safe_offset(0)]`;
  }

  /**
   * An upsert as MERGE. The source's first branch (`select <columns> from <r> where false`)
   * gives every column the table's type, so a NULL literal in the rows takes the column's type
   * instead of INT64.
   */
  upsertValues(r: RelationRef, columns: string[], key: string[], rows: string[][]): string {
    const q = (c: string) => this.quoteIdent(c);
    const rel = this.relation(r);
    const keys = new Set(key);
    const source = [`  select ${columns.map(q).join(', ')} from ${rel} where false`, ...rows.map((row) => `  union all select ${row.join(', ')}`)].join('\n');
    const updates = columns.filter((c) => !keys.has(c)).map((c) => `${q(c)} = s.${q(c)}`);
    return [
      `merge into ${rel} as t`,
      `using (\n${source}\n) as s`,
      `on ${key.map((k) => `t.${q(k)} = s.${q(k)}`).join(' and ')}`,
      ...(updates.length ? [`when matched then update set ${updates.join(', ')}`] : []),
      `when not matched then insert (${columns.map(q).join(', ')}) values (${columns.map((c) => `s.${q(c)}`).join(', ')})`,
    ].join('\n');
  }

  /** The region's INFORMATION_SCHEMA, which answers 0 when the dataset does not exist (a dataset's own fails). */
  tableExistsQuery(r: RelationRef): string {
    const region = this.quoteIdent(`region-${this.location.toLowerCase()}`);
    return `select count(*) as n from ${this.quoteIdent(r.database ?? this.project)}.${region}.INFORMATION_SCHEMA.TABLES
where table_schema = ${this.stringLiteral(r.schema)}
  and table_name = ${this.stringLiteral(r.identifier)}`;
  }
}
