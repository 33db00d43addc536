import type { RelationInfo, RelationRef } from '../adapter/types.js';
import type { Dialect } from '../adapter/dialect.js';
import { TformError } from '../errors/index.js';
import type { ExecNode, ModelNode } from './manifest.js';
import { cteName, injectCtes } from './ephemeral.js';
import { incrementalApplies } from '../materialize/incremental.js';
import { Relation } from './relation.js';
import type { CompileSession } from './resolve.js';
import { newScope, type RenderScope } from './scope.js';
import { renderAnalyses } from './analyses.js';
import { CompileCache } from './cache.js';

/** What introspection of the warehouse found; read-only facts that rendering may depend on. */
export interface Introspection {
  relations: Map<string, RelationInfo>;
}

export function relationKey(r: RelationRef): string {
  return `${r.database ?? ''}.${r.schema}.${r.identifier}`.toLowerCase();
}

export function existingRelation(intro: Introspection | undefined, r: RelationRef): RelationInfo | undefined {
  return intro?.relations.get(relationKey(r));
}

export interface RenderOptions {
  dialect: Dialect;
  introspection?: Introspection;
  /** Only render these node ids (and the ephemeral models they pull in); default: all. */
  only?: Set<string>;
  /** --defer: node id → relation in the state's target, for refs to nodes this run does not build. */
  deferred?: Map<string, RelationRef>;
  /** --full-refresh: incremental models rebuild from scratch (is_incremental() is false). */
  fullRefresh?: boolean;
  /**
   * Render for one batch of an interval-wise model: refs to models that declare `event_time`
   * read only the rows of [start, end) (see batchFilterCte), `model.batch` holds the bounds, and
   * is_incremental() is `incremental`. Only with `only` naming that model.
   */
  batch?: RenderBatch;
  /** Also render the analyses (tform compile); they are never part of a run. */
  analyses?: boolean;
  /** Called instead of throwing when one model fails to render (the others still render). */
  onModelError?: (n: ModelNode, e: unknown) => void;
}

export interface RenderBatch {
  start: Date;
  end: Date;
  /** is_incremental() inside the batch (false when the batch rebuilds the table). */
  incremental: boolean;
  /** How the batch's bounds are written against a parent's event_time (a DATE column: local dates). */
  bound?: (nodeId: string) => ((d: Date) => string) | undefined;
}

/** Prefix of the CTE a batch-filtered ref is read through. */
export const BATCH_PREFIX = '__tform_batch__';

/** `model.batch` in templates: dbt's names, bounds as UTC `YYYY-MM-DD HH:MM:SS` text. */
export function batchContext(b: RenderBatch): Record<string, string> {
  const text = (d: Date) => d.toISOString().slice(0, 19).replace('T', ' ');
  const start = text(b.start);
  return { id: start.replace(/[-: ]/g, '').replace(/0000$/, ''), event_time_start: start, event_time_end: text(b.end) };
}

/** is_incremental() for a node, from what introspection found (see incrementalApplies). */
export function isIncrementalRun(n: ExecNode, intro: Introspection | undefined, fullRefresh = false): boolean {
  return incrementalApplies(n, existingRelation(intro, { database: n.database, schema: n.schema, identifier: n.alias })?.kind, fullRefresh);
}

interface Body {
  sql: string;
  ephemerals: string[];
  /** Batch-filtered refs: CTE name → its query. */
  filtered: Map<string, string>;
}

/**
 * Render every model's SQL with resolved relations (and what introspection found), inline
 * ephemeral models as CTEs, and render the project hooks. Fills `compiledCode` in the manifest.
 */
export function renderManifest(session: CompileSession, o: RenderOptions): void {
  const { manifest, engine, context } = session;
  const byName = new Map<string, ExecNode>();
  for (const n of Object.values(manifest.nodes)) byName.set(n.name, n);
  const bodies = new Map<string, Body>();

  const ownRelation = (n: ExecNode) => new Relation({ database: n.database, schema: n.schema, identifier: n.alias }, o.dialect);
  const relationOf = (n: ExecNode) => {
    const d = o.deferred?.get(n.uniqueId);
    return d ? new Relation(d, o.dialect) : ownRelation(n);
  };

  /** What a ref name or `source.table` resolves to, as the cache records it (no side effects). */
  const describeRef = (name: string): string | undefined => {
    const t = byName.get(name);
    if (!t) return undefined;
    if (t.resourceType === 'model' && t.materialized === 'ephemeral') return `cte:${cteName(t.name)}`;
    return String(relationOf(t));
  };
  const describe = (key: string): string | undefined => {
    if (!key.startsWith('source:')) return describeRef(key);
    const src = manifest.sources[`source.${manifest.metadata.projectName}.${key.slice('source:'.length)}`];
    return src ? String(new Relation({ database: src.database, schema: src.schema, identifier: src.identifier }, o.dialect)) : undefined;
  };
  // Batch renders read batch bounds: never cached.
  const cache = o.batch ? undefined : session.cache;

  const body = (n: ModelNode): Body => {
    const hit = bodies.get(n.uniqueId);
    if (hit) return hit;
    const batch = o.batch;
    const isIncremental = batch ? batch.incremental : isIncrementalRun(n, o.introspection, o.fullRefresh);
    const sig = cache ? CompileCache.bodySig([n.checksum, n.path, n.name, n.uniqueId, n.config, String(ownRelation(n)), isIncremental]) : '';
    const cached = cache?.body(n.uniqueId, sig, describe);
    if (cached) {
      const b = { sql: cached.sql, ephemerals: [...cached.ephemerals], filtered: new Map<string, string>() };
      bodies.set(n.uniqueId, b);
      return b;
    }
    const ephemerals: string[] = [];
    const filtered = new Map<string, string>();
    const relations: Record<string, string> = {};
    const scope: RenderScope = newScope({
      mode: 'compile',
      file: n.path,
      raw: n.rawCode,
      resolvedConfig: n.config,
      isIncremental,
      context: { ...context, this: ownRelation(n), model: { name: n.name, path: n.path, unique_id: n.uniqueId, config: n.config, ...(batch ? { batch: batchContext(batch) } : {}) } },
      resolveRef: (name) => {
        const t = byName.get(name)!;
        if (cache) relations[name] = describeRef(name)!;
        if (t.resourceType === 'model' && t.materialized === 'ephemeral') {
          if (!ephemerals.includes(t.uniqueId)) ephemerals.push(t.uniqueId);
          return new Relation({ schema: '', identifier: cteName(t.name) }, null, cteName(t.name));
        }
        const rel = relationOf(t);
        const et = t.config.event_time;
        if (!batch || typeof et !== 'string' || !et) return rel;
        const cte = BATCH_PREFIX + t.name;
        const q = o.dialect.quoteIdent(et);
        const lit = batch.bound?.(t.uniqueId) ?? ((d: Date) => o.dialect.timestampLiteral(d));
        filtered.set(cte, `select * from ${rel} where ${q} >= ${lit(batch.start)} and ${q} < ${lit(batch.end)}`);
        return new Relation(rel, null, cte, String(rel));
      },
      resolveSource: (s, t) => {
        const src = manifest.sources[`source.${manifest.metadata.projectName}.${s}.${t}`]!;
        const rel = new Relation({ database: src.database, schema: src.schema, identifier: src.identifier }, o.dialect);
        if (cache) relations[`source:${s}.${t}`] = String(rel);
        return rel;
      },
    });
    const sql = engine.render(n.rawCode, n.path, scope);
    const b = { sql, ephemerals, filtered };
    bodies.set(n.uniqueId, b);
    const reads = cache?.reads(n.rawCode, scope.macros, scope.vars, scope.envVars);
    if (cache && reads) cache.storeBody(n.uniqueId, { sig, reads, relations, sql, ephemerals: [...ephemerals] });
    return b;
  };

  /** Ephemeral closure of a node in dependency order (parents first). */
  const cteOrder = (n: ModelNode): string[] => {
    const out: string[] = [];
    const visiting = new Set<string>();
    const visit = (id: string) => {
      if (out.includes(id)) return;
      if (visiting.has(id)) throw new TformError('CYCLE', `ephemeral models form a cycle at ${manifest.nodes[id]!.name}`, { file: manifest.nodes[id]!.path });
      visiting.add(id);
      for (const e of body(manifest.nodes[id] as ModelNode).ephemerals) visit(e);
      out.push(id);
    };
    for (const e of body(n).ephemerals) visit(e);
    return out;
  };

  for (const n of Object.values(manifest.nodes)) {
    if (n.resourceType !== 'model') continue;
    if (o.only && !o.only.has(n.uniqueId)) continue;
    try {
      const b = body(n);
      const order = cteOrder(n);
      // Batch-filtered refs first: the ephemeral models inlined after them may read them too.
      const filtered = new Map(b.filtered);
      for (const id of order) for (const [k, v] of body(manifest.nodes[id] as ModelNode).filtered) filtered.set(k, v);
      const ctes = [
        ...[...filtered].map(([name, sql]) => ({ name, sql })),
        ...order.map((id) => {
          const e = manifest.nodes[id] as ModelNode;
          return { name: cteName(e.name), sql: body(e).sql };
        }),
      ];
      n.compiledCode = injectCtes(b.sql, ctes);
    } catch (e) {
      if (!o.onModelError) throw e;
      o.onModelError(n, e);
    }
  }
  if (o.batch) return;

  manifest.hooks = [];
  const cfg = session.project.config;
  const hookScope = (raw: string, kind: string) =>
    newScope({
      mode: 'compile',
      file: cfg.file,
      raw,
      context,
      resolveRef: (name) => relationOf(byName.get(name) ?? missingRef(name, kind)),
      resolveSource: (s, t) => {
        const src = manifest.sources[`source.${cfg.name}.${s}.${t}`];
        if (!src) throw new TformError('SOURCE_UNKNOWN', `source('${s}', '${t}') in ${kind} is not declared`, { file: cfg.file });
        return new Relation({ database: src.database, schema: src.schema, identifier: src.identifier }, o.dialect);
      },
    });
  cfg.onRunStart.forEach((raw, i) => manifest.hooks.push({ kind: 'on-run-start', index: i, sql: engine.render(raw, cfg.file, hookScope(raw, 'on-run-start')).trim() }));
  cfg.onRunEnd.forEach((raw, i) => manifest.hooks.push({ kind: 'on-run-end', index: i, sql: engine.render(raw, cfg.file, hookScope(raw, 'on-run-end')).trim() }));
  if (o.analyses && !o.only) renderAnalyses(session, { dialect: o.dialect, deferred: o.deferred });
}

function missingRef(name: string, kind: string): never {
  throw new TformError('REF_UNKNOWN', `ref('${name}') in ${kind} does not match any model or seed`);
}

/** Render a model's pre/post hooks (templates, with `this` the published relation). */
export function renderNodeHooks(session: CompileSession, n: ExecNode, dialect: Dialect, which: 'pre_hook' | 'post_hook'): string[] {
  const list = (n.config[which] as unknown[] | undefined) ?? [];
  const rel = new Relation({ database: n.database, schema: n.schema, identifier: n.alias }, dialect);
  return list.map((h) => {
    const raw = typeof h === 'object' && h !== null && 'sql' in h ? String((h as { sql: unknown }).sql) : String(h);
    const scope = newScope({
      mode: 'compile',
      file: n.path,
      raw,
      context: { ...session.context, this: rel, model: { name: n.name, path: n.path, unique_id: n.uniqueId, config: n.config } },
      resolveRef: (name) => {
        const t = Object.values(session.manifest.nodes).find((x) => x.name === name);
        if (!t) missingRef(name, `${which} of ${n.name}`);
        return new Relation({ database: t.database, schema: t.schema, identifier: t.alias }, dialect);
      },
      resolveSource: () => {
        throw new TformError('TEMPLATE_RENDER', `source() is not available in ${which}`, { file: n.path });
      },
    });
    return session.engine.render(raw, n.path, scope).trim();
  }).filter((s) => s.length > 0);
}
