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
  /** Warehouse type for a column kind inferred from a seed CSV. */
  seedColumnType(kind: 'integer' | 'number' | 'boolean' | 'date' | 'timestamp' | 'text'): string;
  /** CREATE TABLE with explicit columns (seeds loaded by INSERT). */
  createTable(r: RelationRef, columns: { name: string; type: string }[]): string;
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

  createTable(r: RelationRef, columns: { name: string; type: string }[]): string {
    return `create table ${this.relation(r)} (\n${columns.map((c) => `  ${this.quoteIdent(c.name)} ${c.type}`).join(',\n')}\n)`;
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
}
