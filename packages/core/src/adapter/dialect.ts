import type { RelationKind, RelationRef } from './types.js';

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
  /** Warehouse type for a column kind inferred from a seed CSV. */
  seedColumnType(kind: 'integer' | 'number' | 'boolean' | 'date' | 'timestamp' | 'text'): string;
  /** CREATE TABLE with explicit columns (seeds loaded by INSERT). */
  createTable(r: RelationRef, columns: { name: string; type: string }[]): string;
  /** Multi-row INSERT of literal values (already rendered as SQL literals). */
  insertValues(r: RelationRef, columns: string[], rows: string[][]): string;
  dateTrunc(grain: Grain, expr: string): string;
}

/** Suffix of the relation a model is built into before it is published. */
export const TMP_SUFFIX = '__tform_tmp';

export function tmpRelation(r: RelationRef): RelationRef {
  return { ...r, identifier: r.identifier + TMP_SUFFIX };
}

/**
 * ANSI SQL defaults. Warehouse dialects extend this and override what differs.
 */
export class DefaultDialect implements Dialect {
  readonly name: string = 'default';

  quoteIdent(name: string): string {
    return `"${name.replace(/"/g, '""')}"`;
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

  seedColumnType(kind: 'integer' | 'number' | 'boolean' | 'date' | 'timestamp' | 'text'): string {
    return { integer: 'bigint', number: 'numeric', boolean: 'boolean', date: 'date', timestamp: 'timestamp', text: 'text' }[kind];
  }

  createTable(r: RelationRef, columns: { name: string; type: string }[]): string {
    return `create table ${this.relation(r)} (\n${columns.map((c) => `  ${this.quoteIdent(c.name)} ${c.type}`).join(',\n')}\n)`;
  }

  insertValues(r: RelationRef, columns: string[], rows: string[][]): string {
    const cols = columns.map((c) => this.quoteIdent(c)).join(', ');
    return `insert into ${this.relation(r)} (${cols}) values\n${rows.map((row) => `(${row.join(', ')})`).join(',\n')}`;
  }
}
