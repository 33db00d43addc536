import { macroClosure } from './macros.js';
import type { ManifestLike, SelectableNode } from './types.js';

/**
 * `state:` against an earlier manifest, as dbt does it:
 *
 * - `new`: not in the earlier manifest; `old`: in it.
 * - `modified`: new, or any of the checks below; `unmodified`: old and not modified.
 * - `modified.body`: the SQL (model) or CSV (seed) checksum changed.
 * - `modified.configs`: the resolved config changed (project file, schema YAML or config()).
 *   For a source: its loaded_at_field, freshness or config.
 * - `modified.relation`: the configured database/schema/alias (a source's database, schema,
 *   identifier). Configured, not resolved, so dev and prod targets compare equal.
 * - `modified.macros`: a macro the node calls, directly or through other macros, changed (needs
 *   macro checksums: see annotateMacros), or is new.
 * - `modified.vars`: a var the node reads has a different value.
 */
export const STATE_VALUES = [
  'modified', 'new', 'old', 'unmodified',
  'modified.body', 'modified.configs', 'modified.relation', 'modified.macros', 'modified.vars',
] as const;
export type StateValue = (typeof STATE_VALUES)[number];
type Aspect = 'body' | 'configs' | 'relation' | 'macros' | 'vars';
const ASPECTS: Aspect[] = ['body', 'configs', 'relation', 'macros', 'vars'];

/** JSON with sorted keys, so key order never counts as a change. */
function stable(v: unknown): string {
  if (v === undefined) return 'undefined';
  return JSON.stringify(v, (_k, x) =>
    x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : x,
  );
}

function relationOf(n: SelectableNode): unknown {
  if (n.resourceType === 'source') return { database: n.database, schema: n.schema, identifier: n.identifier };
  const c = (n.config ?? {}) as Record<string, unknown>;
  return { database: c.database, schema: c.schema, alias: c.alias };
}

function configsOf(n: SelectableNode): unknown {
  return n.resourceType === 'source' ? { loadedAtField: n.loadedAtField, freshness: n.freshness, config: n.config } : n.config;
}

/** Compares a current manifest with an earlier one; each aspect is computed once per node. */
export class StateComparison {
  private readonly changedMacros = new Set<string>();

  constructor(
    private readonly current: ManifestLike,
    private readonly previous: ManifestLike,
  ) {
    const before = previous.macros ?? {};
    for (const [id, m] of Object.entries(current.macros ?? {})) {
      const old = before[id];
      // Without checksums on both sides a macro cannot be compared: it counts as unchanged.
      if (!old || (m.checksum !== undefined && old.checksum !== undefined && m.checksum !== old.checksum)) this.changedMacros.add(id);
    }
  }

  private previousOf(id: string): SelectableNode | undefined {
    return this.previous.nodes[id] ?? this.previous.sources?.[id] ?? this.previous.tests?.[id];
  }

  private changed(aspect: Aspect, old: SelectableNode, now: SelectableNode): boolean {
    switch (aspect) {
      case 'body':
        return old.checksum !== now.checksum;
      case 'configs':
        return stable(configsOf(old)) !== stable(configsOf(now));
      case 'relation':
        return stable(relationOf(old)) !== stable(relationOf(now));
      case 'macros': {
        const called = macroClosure(now.dependsOn?.macros ?? [], this.current.macros ?? {});
        return [...called].some((m) => this.changedMacros.has(m));
      }
      case 'vars': {
        const names = new Set([...(old.vars ?? []), ...(now.vars ?? [])]);
        const a = this.previous.vars ?? {};
        const b = this.current.vars ?? {};
        return [...names].some((v) => stable(a[v]) !== stable(b[v]));
      }
    }
  }

  /** Whether the current node `n` falls under `value`. */
  matches(value: StateValue, n: SelectableNode): boolean {
    const old = this.previousOf(n.uniqueId);
    if (value === 'new') return !old;
    if (value === 'old') return Boolean(old);
    if (!old) return value !== 'unmodified';
    if (value === 'modified' || value === 'unmodified') {
      const modified = ASPECTS.some((a) => this.changed(a, old, n));
      return value === 'modified' ? modified : !modified;
    }
    return this.changed(value.slice('modified.'.length) as Aspect, old, n);
  }
}
