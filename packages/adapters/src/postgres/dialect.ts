import { createHash } from 'node:crypto';
import { DefaultDialect, TMP_SUFFIX, TformError, clipUtf8, type RelationKind, type RelationRef } from '@tform/core';
import { publishBlock } from './publish.js';

/**
 * Postgres limits identifiers to NAMEDATALEN - 1 = 63 *bytes*. A longer identifier is not an
 * error: the server truncates it (at a character boundary, with only a NOTICE), in DDL and in
 * queries alike. Checked on 15: `create table s."<60 × a>__tform_tmp"` creates `<60 × a>__t`.
 */
export const PG_MAX_IDENTIFIER_BYTES = 63;

/** Model config keys that shape CREATE TABLE (dbt's names). Postgres reads `unlogged`. */
export type TableConfig = Record<string, unknown>;

/** Options of an incremental MERGE (now core's; re-exported for existing imports). */
export type { MergeOptions } from '@tform/core';

/**
 * SQL text for Postgres (15+). Pure: no I/O.
 *
 * Postgres facts this relies on (checked against PostgreSQL 15.20):
 * - Identifiers are double-quoted with `""` as the escape; quoted names are case-sensitive
 *   (`"Foo"` and `foo` are different relations) and may hold any Unicode.
 * - A connection sees one database: `db.schema.name` is accepted only when `db` is the current
 *   database ("cross-database references are not implemented" otherwise), so relation() leaves
 *   the connected database out (see relation()).
 * - Identifiers over 63 bytes are silently truncated (see PG_MAX_IDENTIFIER_BYTES). That makes
 *   `<name>__tform_tmp` of a long name end in `__t` (so it is no longer recognisable as a tmp
 *   relation), and for a name of 63 bytes or more the tmp name truncates to the *target's* name.
 *   Hence tmpIdentifier(), and relation() refusing any other identifier over 63 bytes.
 * - `create table … as (\n<query>\n)` and `create view … as (\n<query>\n)` accept the
 *   parenthesised query, so the inherited createViewAs is used unchanged.
 * - DDL is transactional (create, drop, rename and ALTER all roll back), which publish() needs.
 * - MERGE exists since 15; the inherited mergeInto() is used unchanged. A target row matched by
 *   two source rows fails ("MERGE command cannot affect row a second time"); two unmatched
 *   source rows with the same key are both inserted without error — hence the incremental
 *   materialization's duplicate-key check. `alter table … alter column … type` needs `using`
 *   when no assignment cast exists (text → integer), see alterColumnType().
 */
export class PostgresDialect extends DefaultDialect {
  override readonly name: string = 'postgres';
  /** The database the target connects to, when known (the adapter's dialect knows it). */
  readonly database?: string;

  constructor(o: { database?: string } = {}) {
    super();
    this.database = o.database;
  }

  /**
   * `"schema"."name"`: the database part is left out, since a connection reaches only its own
   * database — except when the ref names a database other than the connected one, which is then
   * printed so that the server refuses it ("cross-database references are not implemented")
   * instead of the name silently resolving in the connected database. An identifier longer than
   * 63 bytes is refused, except a tmp name (`<name>__tform_tmp`, as core's tmpRelation() makes
   * it), which is mapped to tmpIdentifier(<name>) so that every statement naming it agrees.
   */
  override relation(r: RelationRef): string {
    const rel = `${this.quoteIdent(this.schemaName(r.schema))}.${this.quoteIdent(this.catalogIdentifier(r.identifier))}`;
    const foreign = r.database !== undefined && this.database !== undefined && r.database !== this.database;
    return foreign ? `${this.quoteIdent(r.database!)}.${rel}` : rel;
  }

  /**
   * The tmp relation a model is built into: `<name>__tform_tmp` when that fits in 63 bytes,
   * otherwise `<prefix>_<hash>__tform_tmp` where the prefix is `name` cut (at a character
   * boundary) to 43 bytes and the hash is the first 8 hex digits of SHA-256 of the whole name,
   * so two long names sharing a prefix get different tmp names and the suffix stays.
   */
  override tmpIdentifier(name: string): string {
    const plain = name + TMP_SUFFIX;
    if (Buffer.byteLength(plain, 'utf8') <= PG_MAX_IDENTIFIER_BYTES) return plain;
    const hash = createHash('sha256').update(name, 'utf8').digest('hex').slice(0, 8);
    const room = PG_MAX_IDENTIFIER_BYTES - Buffer.byteLength(TMP_SUFFIX) - 1 - hash.length;
    return `${clipUtf8(name, room)}_${hash}${TMP_SUFFIX}`;
  }

  /** The distinct values as an array (an aggregate of the outer query), checked by a subquery. */
  override countDistinctNotIn(column: string, list: string, where?: string): string {
    return `(select count(*) from unnest(array_agg(distinct ${column})${where ? ` filter (where ${where})` : ''}) as tform_v(v) where v not in (${list}))`;
  }

  /** The tmp ref of `target`, with tmpIdentifier() applied. */
  tmpRelation(target: RelationRef): RelationRef {
    return { ...target, identifier: this.tmpIdentifier(target.identifier) };
  }

  /**
   * The identifier as the catalog will store it (see relation()). Throws a TformError for a
   * non-tmp identifier over 63 bytes rather than let Postgres truncate it.
   */
  catalogIdentifier(identifier: string): string {
    if (Buffer.byteLength(identifier, 'utf8') <= PG_MAX_IDENTIFIER_BYTES) return identifier;
    if (identifier.endsWith(TMP_SUFFIX)) return this.tmpIdentifier(identifier.slice(0, -TMP_SUFFIX.length));
    throw tooLong('relation name', identifier);
  }

  private schemaName(schema: string): string {
    if (Buffer.byteLength(schema, 'utf8') > PG_MAX_IDENTIFIER_BYTES) throw tooLong('schema name', schema);
    return schema;
  }

  /**
   * Standard `'…'` with quotes doubled; a value containing a backslash is written as `E'…'` with
   * backslashes doubled too, which means the same whatever standard_conforming_strings says.
   */
  override stringLiteral(value: string): string {
    const quoted = value.replace(/'/g, "''");
    return value.includes('\\') ? `E'${quoted.replace(/\\/g, '\\\\')}'` : `'${quoted}'`;
  }

  /** `create schema if not exists "s"`: a schema lives in the connected database; `database` is ignored. */
  override createSchema(schema: string, _database?: string): string {
    return `create schema if not exists ${this.quoteIdent(this.schemaName(schema))}`;
  }

  /**
   * CREATE TABLE AS with the table options of `config` between the name and AS. Subclasses
   * shape the table through tableModifier() and tableOptions() (Redshift: DISTKEY/SORTKEY).
   */
  override createTableAs(r: RelationRef, sql: string, config: TableConfig = {}): string {
    return `create ${this.tableModifier(config)}table ${this.relation(r)}${this.tableOptions(config)} as (\n${sql}\n)`;
  }

  /** Word(s) between CREATE and TABLE: `unlogged ` when config.unlogged is true. */
  protected tableModifier(config: TableConfig): string {
    return config.unlogged === true ? 'unlogged ' : '';
  }

  /** Text between the table name and AS, with a leading space; none for Postgres. */
  protected tableOptions(_config: TableConfig): string {
    return '';
  }

  /** Converts existing values with `using "c"::type`, which `alter column … type` needs when no assignment cast exists. */
  override alterColumnType(r: RelationRef, column: string, type: string): string[] {
    const c = this.quoteIdent(column);
    return [`alter table ${this.relation(r)} alter column ${c} type ${type} using ${c}::${type}`];
  }

  /**
   * A DO block raising `message` when `query` returns a row: Postgres has no `error()` function,
   * and `case when … then cast('msg' as int) end` is no way out (constant casts are folded at
   * plan time and raise even when the branch is not taken). `raise … using message =` takes the
   * text as is (no `%` formatting); the server reports it as `ERROR: <message>`.
   */
  override assertNoRows(query: string, message: string): string {
    const body = `begin\n  if exists (\n${query}\n  ) then\n    raise exception using message = ${this.stringLiteral(message)};\n  end if;\nend`;
    let tag = '$tform$';
    for (let n = 1; body.includes(tag); n++) tag = `$tform${n}$`;
    return `do ${tag}\n${body}\n${tag}`;
  }

  /**
   * Replace `target` with the already-built `tmp` without breaking what depends on it: one
   * PL/pgSQL DO block that looks at the catalog when it runs (inside the runner's transaction)
   * and picks the branch then. See publish.ts for the branches and the Postgres facts behind
   * them. `existing` (what introspection saw at plan time) is not needed: the block decides.
   */
  override publish(tmp: RelationRef, target: RelationRef, kind: RelationKind, _existing: RelationKind | undefined): string[] {
    return [
      publishBlock({
        kind,
        tmp: { schema: this.schemaName(tmp.schema), identifier: this.catalogIdentifier(tmp.identifier) },
        target: { schema: this.schemaName(target.schema), identifier: this.catalogIdentifier(target.identifier) },
        literal: (s) => this.stringLiteral(s),
      }),
    ];
  }
}

function tooLong(what: string, name: string): TformError {
  return new TformError(
    'CONFIG_INVALID',
    `${what} '${name}' is ${Buffer.byteLength(name, 'utf8')} bytes long; Postgres identifiers are at most ${PG_MAX_IDENTIFIER_BYTES} bytes (a longer one is silently truncated)`,
    { hint: 'set a shorter alias (or schema) for this model' },
  );
}
