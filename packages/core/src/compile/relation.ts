import type { Dialect } from '../adapter/dialect.js';
import type { RelationRef } from '../adapter/types.js';

/**
 * What `ref()`, `source()` and `this` return inside templates: prints as the quoted relation name
 * and exposes `database`, `schema`, `identifier`, `name` like dbt's Relation.
 */
export class Relation implements RelationRef {
  readonly database?: string;
  readonly schema: string;
  readonly identifier: string;
  private readonly text: string;

  constructor(r: RelationRef, dialect: Dialect | null, text?: string) {
    this.database = r.database;
    this.schema = r.schema;
    this.identifier = r.identifier;
    this.text = text ?? (dialect ? dialect.relation(r) : [r.database, r.schema, r.identifier].filter(Boolean).join('.'));
  }

  get name(): string {
    return this.identifier;
  }

  get table(): string {
    return this.identifier;
  }

  toString(): string {
    return this.text;
  }

  /** nunjucks prints `val.toString()`; SafeString checks use `val.val`, so keep both in sync. */
  get val(): string {
    return this.text;
  }
}
