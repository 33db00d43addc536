import { tmpRelation } from '../adapter/dialect.js';
import type { Capabilities, ColumnInfo, RelationRef } from '../adapter/types.js';
import type { Dialect } from '../adapter/dialect.js';
import type { ExecNode, Manifest, SourceNode } from '../compile/manifest.js';
import { existingRelation, relationKey, renderNodeHooks, type Introspection } from '../compile/render.js';
import type { CompileSession } from '../compile/resolve.js';
import { hooks as hookStatements, materialize, type MaterializeContext, type NodeStatements, type Statement } from '../materialize/index.js';
import { batchedKind } from '../materialize/batchConfig.js';
import { isIncrementalBuild } from '../materialize/incremental.js';
import { schemasOf } from './introspect.js';
import { readSeedCsv } from '../materialize/seedCsv.js';
import type { TestNode } from '../test/types.js';

export interface PlanStep extends NodeStatements {
  uniqueId: string;
  name: string;
  resourceType: 'model' | 'seed';
  materialized: string;
  relation: RelationRef;
  relationName: string;
  path: string;
  compiledPath?: string;
  /** Steps of this plan that must succeed first. */
  dependsOn: string[];
  /** Steps run phase by phase (build: seeds, then models). */
  phase: number;
  /** Data tests run against the built (not yet published) relation: write–audit–publish. */
  tests: TestNode[];
  /**
   * An incremental run into an existing table: `publish` is a preview; the runner asks for the
   * real statements once the new rows' columns are known, and audits inside that transaction.
   */
  incremental: boolean;
  /** An interval-wise model (microbatch, panel): the runner asks for its batches when it starts. */
  batched?: boolean;
  /** Rendered when the step starts (its templates run queries): the runner calls prepare(). */
  renderAtRun?: boolean;
}

/** Everything a run will execute, as plain data: `--dry-run` prints it. */
export interface Plan {
  steps: PlanStep[];
  schemas: { database?: string; schema: string }[];
  onRunStart: Statement[];
  onRunEnd: Statement[];
}

export function relationOf(n: ExecNode): RelationRef {
  return n.database ? { database: n.database, schema: n.schema, identifier: n.alias } : { schema: n.schema, identifier: n.alias };
}

/** The table a source names. */
export function relationOfSource(s: SourceNode): RelationRef {
  return s.database ? { database: s.database, schema: s.schema, identifier: s.identifier } : { schema: s.schema, identifier: s.identifier };
}

/** Selected ancestors of `id`, looking through ephemeral models that are inlined rather than run. */
function planDeps(manifest: Manifest, id: string, inPlan: Set<string>): string[] {
  const out = new Set<string>();
  const visit = (pid: string) => {
    if (inPlan.has(pid)) return void out.add(pid);
    const p = manifest.nodes[pid];
    if (p && p.materialized === 'ephemeral') for (const g of p.dependsOn.nodes) visit(g);
  };
  for (const p of manifest.nodes[id]!.dependsOn.nodes) visit(p);
  return [...out].sort();
}

export interface PlanOptions {
  session: CompileSession;
  /** Selected node ids in topological order. */
  selected: string[];
  dialect: Dialect;
  capabilities: Capabilities;
  introspection: Introspection;
  /** Run seeds before models (tform build), as dbt users expect sources loaded by seeds to exist. */
  seedsFirst: boolean;
  /** Selected tests; each runs in the step of the node it is attached to (tform build). */
  tests?: TestNode[];
  /** --full-refresh: incremental models rebuild. */
  fullRefresh?: boolean;
  /** Columns of existing incremental targets, by relationKey (introspection). */
  columns?: Map<string, ColumnInfo[]>;
  /** The settable clock's now. */
  now?: Date;
  /** Models rendered when their step starts (templates that run queries). */
  renderAtRun?: Set<string>;
}

/** What a node's materialization is given: pure inputs from introspection and config. */
export function materializeContext(o: PlanOptions, n: ExecNode): MaterializeContext {
  const relation = relationOf(n);
  return {
    dialect: o.dialect,
    capabilities: o.capabilities,
    relation,
    existing: existingRelation(o.introspection, relation),
    existingTmp: existingRelation(o.introspection, tmpRelation(relation, o.dialect)),
    existingColumns: o.columns?.get(relationKey(relation)),
    fullRefresh: o.fullRefresh,
    now: o.now,
    preHooks: renderNodeHooks(o.session, n, o.dialect, 'pre_hook'),
    postHooks: renderNodeHooks(o.session, n, o.dialect, 'post_hook'),
    configOrigin: o.session.configOrigin?.get(n.uniqueId),
    seed: n.resourceType === 'seed' && !o.capabilities.readLocalCsv ? readSeedCsv(n.absPath, n.path, String(n.config.delimiter ?? ',')) : undefined,
  };
}

/** Pure: selection + introspection → the statements of every step. */
export function buildPlan(o: PlanOptions): Plan {
  const { manifest } = o.session;
  const runnable = o.selected.filter((id) => manifest.nodes[id] && manifest.nodes[id]!.materialized !== 'ephemeral');
  const inPlan = new Set(runnable);
  const steps: PlanStep[] = runnable.map((id) => {
    const n = manifest.nodes[id]!;
    const ctx = materializeContext(o, n);
    const relation = ctx.relation;
    const batched = batchedKind(n) !== undefined;
    const atRun = !batched && o.renderAtRun?.has(id) === true;
    // An interval-wise model's statements depend on the state when it starts (batchesFor), and
    // a model whose templates run queries is rendered then (prepare).
    const st: NodeStatements = batched || atRun ? { kind: 'table', pre: hookStatements(ctx.preHooks, 'pre-hook'), build: [], publish: [], cleanup: [] } : materialize(n, ctx);
    return {
      ...st,
      uniqueId: id,
      name: n.name,
      resourceType: n.resourceType,
      materialized: n.materialized,
      relation,
      relationName: n.relationName,
      path: n.path,
      compiledPath: n.resourceType === 'model' ? n.compiledPath : undefined,
      dependsOn: planDeps(manifest, id, inPlan),
      phase: o.seedsFirst && n.resourceType !== 'seed' ? 1 : 0,
      tests: (o.tests ?? []).filter((t) => t.attachedNode === id),
      incremental: !batched && isIncrementalBuild(n, ctx),
      ...(batched ? { batched } : {}),
      ...(atRun ? { renderAtRun: true } : {}),
    };
  });
  const hooks = (kind: 'on-run-start' | 'on-run-end') => manifest.hooks.filter((h) => h.kind === kind).map((h) => ({ sql: h.sql, label: kind }));
  return { steps, schemas: schemasOf(steps.map((s) => s.relation)), onRunStart: hooks('on-run-start'), onRunEnd: hooks('on-run-end') };
}
