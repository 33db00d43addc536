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
  private readonly full: string;

  /**
   * `text` overrides how the relation prints (an inlined CTE); `full` is what render() prints
   * instead — the whole relation, for a ref a batch would otherwise filter.
   */
  constructor(r: RelationRef, dialect: Dialect | null, text?: string, full?: string) {
    this.database = r.database;
    this.schema = r.schema;
    this.identifier = r.identifier;
    this.text = text ?? (dialect ? dialect.relation(r) : [r.database, r.schema, r.identifier].filter(Boolean).join('.'));
    this.full = full ?? this.text;
  }

  /** dbt's opt-out of a microbatch filter: `{{ ref('events').render() }}` reads every row. */
  render(): string {
    return this.full;
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
