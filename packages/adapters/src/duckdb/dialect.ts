import { DefaultDialect, type CsvLoadOptions, type FileToLoad, type Grain, type RelationKind, type RelationRef } from '@tform/core';

/**
 * SQL text for DuckDB. Pure: no I/O.
 *
 * DuckDB facts this relies on (checked against DuckDB 1.5.5 and 1.5.6; the adapter tests re-check them on the pinned version):
 * - Identifiers are double-quoted with `""` as the escape; any Unicode is allowed inside quotes.
 *   Name resolution is case-insensitive even for quoted names (`"Foo"` and `"foo"` are the same
 *   relation); the spelling used at creation is what the catalog stores.
 * - `database.schema.name` is valid for attached databases, so relations carry the database
 *   part only when the ref names one (DefaultDialect.relation already does exactly that).
 * - `create table … as (\n<query>\n)` and `create view … as (\n<query>\n)` accept a parenthesised
 *   query, so the inherited createTableAs/createViewAs are used unchanged.
 * - DDL is transactional: inside BEGIN … COMMIT, `drop table|view if exists` followed by
 *   `alter table|view … rename to …` commits atomically. Other connections keep seeing the old
 *   relation until COMMIT, and ROLLBACK restores it. This holds for table→table, view→view and
 *   for a change of kind (drop view + alter table rename, drop table + alter view rename), so the
 *   inherited publish() (drop existing, then rename tmp) is correct for DuckDB as it stands.
 * - Incremental models (checked on 1.5.5): MERGE INTO exists (since 1.4) and the inherited
 *   `merge into … as t using … as s on t."k" = s."k" when matched then update set … | do nothing
 *   when not matched then insert (…) values (…)` works, also inside a transaction after
 *   ALTER TABLE. Unlike Postgres, a target row matched by two source rows is updated twice
 *   without error (the last write wins), hence the duplicate-key check before it. `error(msg)`
 *   raises "Invalid Input Error: msg" and is not evaluated in a CASE branch not taken, so the
 *   inherited assertNoRows() works. Row values work in `(a, b) in (select a, b …)`. `alter table
 *   … add column / drop column / alter column … type …` are transactional; changing the type of a
 *   column an index depends on fails ("an index depends on it").
 */
export class DuckDBDialect extends DefaultDialect {
  override readonly name: string = 'duckdb';

  /**
   * `read_csv` with a header row and the given delimiter. Types not fixed by config are
   * auto-detected by DuckDB's sniffer. Keys of `types` are matched to the header
   * case-insensitively; a key that names no CSV column is a Binder Error.
   */
  selectFromCsv(opts: CsvLoadOptions): string {
    const args = [this.stringLiteral(opts.path), 'header = true', `delim = ${this.stringLiteral(opts.delimiter)}`];
    const typed = Object.entries(opts.columnTypes);
    if (typed.length > 0) {
      const fields = typed.map(([col, type]) => `${this.stringLiteral(col)}: ${this.stringLiteral(type)}`);
      args.push(`types = {${fields.join(', ')}}`);
    }
    return `select * from read_csv(${args.join(', ')})`;
  }

  /**
   * The declared columns of one raw file, read by DuckDB itself (checked on 1.5.5):
   * - JSON lines: `read_json(path, format = 'newline_delimited', columns = {…})` reads the keys
   *   named by `columns` (case-sensitively), a missing key is NULL, other keys are ignored.
   * - CSV without a header: `read_csv(…, header = false, columns = {…})`, columns by position.
   * - CSV with a header: `read_csv(…, header = true, types = {…})` and the declared columns
   *   selected by name; `types` keys match the header case-insensitively, a declared column
   *   missing from the header is a Binder Error, and undeclared columns are left out.
   * - `compression = 'gzip'` decompresses; `dateformat`/`timestampformat` take strptime formats
   *   and apply to DATE and TIMESTAMP columns; an uncompressed file is `compression = 'uncompressed'`
   *   (read_csv also takes 'none', read_json does not). Quote and escape are `"` (RFC 4180) rather than
   *   sniffed, so that a file reads the same whatever its first rows hold.
   */
  selectFromFile(file: FileToLoad): string {
    const lit = (v: string) => this.stringLiteral(v);
    const struct = `{${file.columns.map((c) => `${lit(c.name)}: ${lit(c.type)}`).join(', ')}}`;
    const args = [lit(file.absPath)];
    if (file.format === 'jsonl') {
      args.push(`format = 'newline_delimited'`, `columns = ${struct}`);
    } else {
      args.push(`header = ${file.header}`, `delim = ${lit(file.delimiter)}`, `quote = '"'`, `escape = '"'`, file.header ? `types = ${struct}` : `columns = ${struct}`);
    }
    args.push(`compression = ${lit(file.compression === 'gzip' ? 'gzip' : 'uncompressed')}`); // read_json refuses 'none'
    if (file.dateFormat !== undefined) args.push(`dateformat = ${lit(file.dateFormat)}`);
    if (file.timestampFormat !== undefined) args.push(`timestampformat = ${lit(file.timestampFormat)}`);
    const fn = file.format === 'jsonl' ? 'read_json' : 'read_csv';
    return `select ${file.columns.map((c) => this.quoteIdent(c.name)).join(', ')}\nfrom ${fn}(${args.join(', ')})`;
  }

  /** DuckDB spells it `date_trunc('<grain>', expr)`; a DATE argument yields a TIMESTAMP. */
  override dateTrunc(grain: Grain, expr: string): string {
    return `date_trunc(${this.stringLiteral(grain)}, ${expr})`;
  }

  /** `epoch()` takes timestamps; a DATE is cast first. */
  override epochSeconds(expr: string): string {
    return `epoch(cast(${expr} as timestamp))`;
  }

  /** `list(distinct …)` gathers the distinct values; list_filter keeps those outside the list. */
  override countDistinctNotIn(column: string, list: string, where?: string): string {
    return `len(list_filter(list(distinct ${column})${where ? ` filter (where ${where})` : ''}, tform_v -> tform_v not in (${list})))`;
  }

  /** Zone maps do it: each batch appends its interval's rows together (and a rebuild sorts). */
  override eventTimeIndex(_r: RelationRef, _column: string): string[] {
    return [];
  }

  /** `hash(alias)` hashes the row as a struct (a UBIGINT). */
  override rowHash(alias: string): string {
    return `hash(${alias})`;
  }

  /** Name lookup is case-insensitive even for quoted names: `"ID"` and `id` are one column. */
  override columnKey(name: string): string {
    return name.toLowerCase();
  }

  /** DuckDB has no roles or privileges: `grants:` config has nothing to apply. */
  override grantStatements(_r: RelationRef, _kind: RelationKind, _grants: Record<string, string[]>): string[] {
    return [];
  }
}
