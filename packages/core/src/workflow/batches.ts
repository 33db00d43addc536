import { tmpRelation } from '../adapter/dialect.js';
import type { ColumnInfo, Executor, RelationRef } from '../adapter/types.js';
import type { ExecNode, ModelNode } from '../compile/manifest.js';
import { existingRelation, type Introspection } from '../compile/render.js';
import { renderProject } from './render.js';
import { TformError } from '../errors/index.js';
import { batchConfig, batchedKind, lifetimeConfig, panelEntity, type BatchConfig } from '../materialize/batchConfig.js';
import { lifetimeFoldSql, lifetimeFullSql, lifetimeRecomputeSql, type LifetimeSql } from '../materialize/lifetime.js';
import { batchChecks, batchPublish, boundLiteral, checksumBucketsQuery, inRange, intervalChecksums, isDateType, type BoundLiteral } from '../materialize/microbatch.js';
import { afterPublish, materializeTable } from '../materialize/relationBuild.js';
import { embedding, type MaterializeContext, type Statement } from '../materialize/types.js';
import { backfillRange, batchWindow, type BackfillFlags } from '../plan/batches.js';
import { materializeContext, relationOf, type PlanOptions, type PlanStep } from '../plan/plan.js';
import { runStatements, type Batch } from '../run/runner.js';
import { intervalLabel, mergeRanges, rangeLabel, type Interval, type StatusInterval } from '../state/intervals.js';
import type { ProcessedInterval, StateStore } from '../state/store.js';
import type { OpenProject } from './open.js';

/**
 * The batches of interval-wise models (microbatch models, panels, lifetime panels), decided when
 * the model's step starts — after its parents ran, with the state as it is then.
 */
export interface BatchesContext {
  p: OpenProject;
  plan: PlanOptions;
  store: StateStore;
  runId: string;
  /** --start/--end or --days-back: re-process exactly that range. */
  backfill?: BackfillFlags;
  deferred?: Map<string, RelationRef>;
  /** Whether the state schema exists (a dry run before the first run has none: nothing processed). */
  hasState: boolean;
  /** Which event_time columns are DATEs, by relation and column (filled as batches ask). */
  dateColumns?: Map<string, boolean>;
}

async function exec(tx: Executor, list: Statement[]): Promise<void> {
  await runStatements(tx, list);
}

/** Whether the step replaces the table (none yet, a view, or a full refresh) rather than writing into it. */
function rebuilds(n: ExecNode, intro: Introspection, fullRefresh?: boolean): boolean {
  return fullRefresh === true || n.config.full_refresh === true || existingRelation(intro, relationOf(n))?.kind !== 'table';
}

/** Whether `rel`'s column `column` is a DATE (then bounds against it are local dates). */
async function dateColumn(c: BatchesContext, rel: RelationRef, column: string): Promise<boolean> {
  const key = `${rel.database ?? ''}.${rel.schema}.${rel.identifier}.${column}`.toLowerCase();
  let hit = c.dateColumns?.get(key);
  if (hit === undefined) {
    const d = c.p.dialect;
    const col = (await c.p.adapter!.columns(rel)).find((x) => d.columnKey(x.name) === d.columnKey(column));
    hit = isDateType(col?.type);
    (c.dateColumns ??= new Map()).set(key, hit);
  }
  return hit;
}

/** Render `n` for one batch and return its SQL. */
async function renderBatch(c: BatchesContext, n: ModelNode, range: Interval, incremental: boolean): Promise<string> {
  const m = c.p.session.manifest;
  const tz = batchConfig(n.config, n.name).timezone;
  // Refs filtered to the batch: the bound literals depend on each parent's event_time type.
  const bounds = new Map<string, BoundLiteral>();
  for (const id of n.dependsOn.nodes) {
    const parent = m.nodes[id];
    const et = parent?.config.event_time;
    if (!parent || typeof et !== 'string' || parent.materialized === 'ephemeral') continue;
    const rel = c.deferred?.get(id) ?? relationOf(parent);
    bounds.set(id, boundLiteral(c.p.dialect, await dateColumn(c, rel, et), tz));
  }
  await renderProject(c.p, { dialect: c.p.dialect, introspection: c.plan.introspection, deferred: c.deferred, only: new Set([n.uniqueId]), batch: { ...range, incremental, bound: (id) => bounds.get(id) } });
  return n.compiledCode!;
}

/** Lifetime panels folding `panel` (their state is forgotten when the panel's rows change shape). */
export function lifetimesOf(p: OpenProject, panel: ExecNode): ExecNode[] {
  return Object.values(p.session.manifest.nodes).filter((x) => batchedKind(x) === 'lifetime' && x.config.panel_of === panel.name);
}

function forgetSql(c: BatchesContext, ids: string[], condition?: string): Statement | undefined {
  if (!ids.length) return undefined;
  const d = c.p.dialect;
  return {
    sql: `delete from ${d.relation(c.store.tables.intervals)}\nwhere ${d.quoteIdent('model_id')} in (${ids.map((i) => d.stringLiteral(i)).join(', ')})${condition ? `\n  and ${condition}` : ''}`,
    label: 'forget lifetime panel state',
  };
}

function describe(intervals: readonly StatusInterval[], cfg: Pick<BatchConfig, 'batchSize' | 'timezone'>): string {
  if (!intervals.length) return 'no intervals';
  return rangeLabel({ start: intervals[0]!.start, end: intervals[intervals.length - 1]!.end }, cfg.batchSize, cfg.timezone);
}

export async function batchesFor(c: BatchesContext, step: PlanStep): Promise<Batch[]> {
  const n = c.p.session.manifest.nodes[step.uniqueId] as ModelNode;
  return batchedKind(n) === 'lifetime' ? lifetimeBatches(c, n) : intervalBatches(c, n);
}

/** A microbatch model or a panel: one batch per interval, or one rebuild over all of them. */
async function intervalBatches(c: BatchesContext, n: ModelNode): Promise<Batch[]> {
  const { p, store } = c;
  const d = p.dialect;
  const adapter = p.adapter!;
  const cfg = batchConfig(n.config, n.name);
  const ctx = materializeContext(c.plan, n);
  const tmp = tmpRelation(ctx.relation, d);
  const rebuild = rebuilds(n, c.plan.introspection, c.plan.fullRefresh);
  const processed = rebuild || !c.hasState ? [] : await store.processed(n.uniqueId);
  const now = c.plan.now ?? new Date();
  const intervals = batchWindow({ cfg, now, processed, rebuild, backfill: c.backfill ? backfillRange(c.backfill, now, cfg.timezone) : undefined });
  const lifetimes = batchedKind(n) === 'panel' ? lifetimesOf(p, n).map((x) => x.uniqueId) : [];
  // Known once the batch's rows are built: whether event_time is a DATE (local dates).
  let isDate = false;
  const eventTimeIsDate = (cols: ColumnInfo[]) => isDateType(cols.find((x) => d.columnKey(x.name) === d.columnKey(cfg.eventTime))?.type);
  const bound = () => boundLiteral(d, isDate, cfg.timezone);
  // The fingerprints of the new rows are read from tmp; the record is written after them.
  const checksums = async (tx: Executor, list: StatusInterval[]) => intervalChecksums(await tx.query(checksumBucketsQuery(d, tmp, cfg.eventTime)), list, isDate ? { timezone: cfg.timezone } : undefined);
  const save = async (tx: Executor, list: StatusInterval[], sums: { rows: number; checksum: string }[]) => {
    await store.record(tx, n.uniqueId, list.map((i, k) => ({ ...i, rowsAffected: sums[k]!.rows, checksum: sums[k]!.checksum })), c.runId);
    return sums.reduce((a, s) => a + s.rows, 0);
  };
  const record = async (tx: Executor, list: StatusInterval[]) => save(tx, list, await checksums(tx, list));

  if (rebuild) {
    const range = intervals.length ? { start: intervals[0]!.start, end: intervals[intervals.length - 1]!.end } : { start: cfg.begin, end: cfg.begin };
    // Rows in event_time order: a warehouse that skips blocks by min/max then reads one
    // interval's blocks only. The model's SQL keeps its line numbers inside the wrapper.
    n.compiledCode = `select * from (${(await renderBatch(c, n, range, false)).replace(/\s*;?\s*$/, '')}\n) as ${d.quoteIdent('__tform_rebuild')}\norder by ${d.quoteIdent(cfg.eventTime)}`;
    const table = materializeTable(n, ctx);
    return [
      {
        label: `${describe(intervals, cfg)} (rebuild)`,
        build: async () => table.build,
        cleanup: table.cleanup,
        inPlace: false,
        // The model's own checks come before its tests: a NULL entity is reported as such.
        afterBuild: async () => {
          isDate = eventTimeIsDate(await adapter.columns(tmp));
          await exec(adapter, batchChecks(n, d, tmp, range, ctx.configOrigin, bound()));
        },
        publish: async (tx) => {
          // The state is replaced, recorded from tmp while it still exists, then tmp swapped in.
          await store.forget(tx, n.uniqueId);
          const rows = await record(tx, intervals);
          await exec(tx, table.publish);
          const f = forgetSql(c, lifetimes);
          if (f) await exec(tx, [f]);
          return rows;
        },
      },
    ];
  }

  return intervals.map((interval, k): Batch => {
    const last = k === intervals.length - 1;
    let columns: { target: ColumnInfo[]; tmp: ColumnInfo[] } = { target: [], tmp: [] };
    return {
      label: `${intervalLabel(interval.start, cfg.batchSize, cfg.timezone)}${interval.status === 'partial' ? ' (open)' : ''}`,
      build: async () => {
        const sql = await renderBatch(c, n, interval, true);
        return [{ sql: d.dropRelation(tmp, 'table'), label: 'drop stale tmp' }, embedding(d.createTableAs(tmp, sql), sql, 'create tmp table')];
      },
      cleanup: [{ sql: d.dropRelation(tmp, 'table'), label: 'drop tmp' }],
      inPlace: true,
      afterBuild: async () => {
        columns = { target: await adapter.columns(ctx.relation), tmp: await adapter.columns(tmp) };
        isDate = eventTimeIsDate(columns.target);
      },
      publish: async (tx) => {
        const bctx: MaterializeContext = { ...ctx, existingColumns: columns.target };
        if (lifetimes.length) {
          // An entity that leaves an interval it was folded from: lifetime panels rebuild.
          const et = d.quoteIdent(cfg.eventTime);
          const keys = panelEntity(n.config, n.name).map((e) => d.quoteIdent(e));
          const gone = `exists (select 1 from ${d.relation(ctx.relation)} old where ${inRange(`old.${et}`, interval, bound())}
    and not exists (select 1 from ${d.relation(tmp)} new where ${keys.map((q) => `new.${q} = old.${q}`).join(' and ')}))`;
          await exec(tx, [forgetSql(c, lifetimes, gone)!]);
        }
        // The state is written after the rows: a warehouse that cannot run DDL inside a
        // transaction (BigQuery) runs on_schema_change's DDL before the first write opens it.
        const sums = await checksums(tx, [interval]);
        await exec(tx, batchPublish(n, bctx, { range: interval, incremental: true, last, tmpColumns: columns.tmp, bound: bound() }));
        return save(tx, [interval], sums);
      },
    };
  });
}

/**
 * A lifetime panel: rebuild from the whole panel (no table, full refresh, or no state), fold the
 * intervals the panel has that were never folded (only new ones, in order), or recompute the
 * entities of intervals whose rows changed since they were folded (checksums differ).
 */
async function lifetimeBatches(c: BatchesContext, n: ModelNode): Promise<Batch[]> {
  const { p, store } = c;
  const d = p.dialect;
  const m = p.session.manifest;
  const lc = lifetimeConfig(n.config, n.name);
  const panel = Object.values(m.nodes).find((x) => x.name === lc.panelOf)!;
  const pcfg = batchConfig(panel.config, panel.name);
  const entity = lc.entity ?? panelEntity(panel.config, panel.name);
  const panelRel = relationOf(panel);
  const panelDates = existingRelation(c.plan.introspection, panelRel) || c.hasState ? await dateColumn(c, panelRel, pcfg.eventTime) : false;
  const spec: LifetimeSql = { dialect: d, panel: panelRel, eventTime: pcfg.eventTime, entity, folds: lc.folds, bound: boundLiteral(d, panelDates, pcfg.timezone) };
  const ctx = materializeContext(c.plan, n);
  const tmp = tmpRelation(ctx.relation, d);
  const source = c.hasState ? await store.processed(panel.uniqueId) : [];
  const copy = (list: ProcessedInterval[]) => list.map((i) => ({ start: i.start, end: i.end, status: i.status, rowsAffected: i.rowsAffected ?? undefined, checksum: i.checksum ?? undefined }));
  let rebuild = rebuilds(n, c.plan.introspection, c.plan.fullRefresh);
  const folded = rebuild || !c.hasState ? [] : await store.processed(n.uniqueId);
  const panelStarts = new Set(source.map((i) => i.start.getTime()));
  // No state (lost, or the panel was invalidated or rebuilt), or intervals the panel no longer has.
  if (!rebuild && (folded.length === 0 || folded.some((f) => !panelStarts.has(f.start.getTime())))) rebuild = true;

  let cols: string[] = [];
  const publishInto = (sql: string, recordList: ProcessedInterval[], label: string): Batch => ({
    label,
    build: async () => {
      n.compiledCode = sql;
      return [{ sql: d.dropRelation(tmp, 'table'), label: 'drop stale tmp' }, { sql: d.createTableAs(tmp, sql), label: 'create tmp table' }];
    },
    cleanup: [{ sql: d.dropRelation(tmp, 'table'), label: 'drop tmp' }],
    inPlace: true,
    afterBuild: async () => {
      cols = (await p.adapter!.columns(tmp)).map((x) => x.name);
    },
    publish: async (tx) => {
      const counted = await tx.query<{ n: unknown }>(`select count(*) as n from ${d.relation(tmp)}`);
      await exec(tx, [
        { sql: d.deleteMatchingKeys(ctx.relation, tmp, entity), label: 'delete lifetime rows of the entities' },
        { sql: d.insertSelect(ctx.relation, tmp, cols), label: 'insert lifetime rows' },
        { sql: d.dropRelation(tmp, 'table'), label: 'drop tmp' },
        ...afterPublish('table', ctx, n),
      ]);
      await store.record(tx, n.uniqueId, copy(recordList), c.runId);
      return Number(counted[0]?.n ?? 0);
    },
  });

  if (rebuild) {
    const sql = lifetimeFullSql(spec);
    n.compiledCode = sql;
    const table = materializeTable(n, ctx);
    return [
      {
        label: `${describe(source, pcfg)} (rebuild)`,
        build: async () => table.build,
        cleanup: table.cleanup,
        inPlace: false,
        publish: async (tx) => {
          const counted = await tx.query<{ n: unknown }>(`select count(*) as n from ${d.relation(tmp)}`);
          await exec(tx, table.publish);
          await store.forget(tx, n.uniqueId);
          await store.record(tx, n.uniqueId, copy(source), c.runId);
          return Number(counted[0]?.n ?? 0);
        },
      },
    ];
  }

  const byStart = new Map(folded.map((f) => [f.start.getTime(), f]));
  const changed = source.filter((s) => {
    const f = byStart.get(s.start.getTime());
    return !f || s.checksum === null || f.checksum !== s.checksum;
  });
  // Same rows, but an open interval has closed since: only the record changes.
  const closed = source.filter((s) => !changed.includes(s) && byStart.get(s.start.getTime())!.status !== s.status);
  if (!changed.length) {
    if (!closed.length) return [];
    return [{ label: `${closed.map((s) => intervalLabel(s.start, pcfg.batchSize, pcfg.timezone)).join(', ')} closed`, build: async () => [], cleanup: [], inPlace: true, publish: async (tx) => (await store.record(tx, n.uniqueId, copy(closed), c.runId), 0) }];
  }
  const isNew = (s: ProcessedInterval) => {
    const f = byStart.get(s.start.getTime());
    return !f || f.rowsAffected === 0;
  };
  const foldedEnd = Math.max(-Infinity, ...folded.filter((f) => (f.rowsAffected ?? 1) > 0).map((f) => f.end.getTime()));
  const ordered = !lc.folds.some((f) => f.fn === 'first' || f.fn === 'last') || changed.every((s) => s.start.getTime() >= foldedEnd);
  const ranges = mergeRanges(changed);
  const label = ranges.map((r) => rangeLabel(r, pcfg.batchSize, pcfg.timezone)).join(', ');
  if (changed.every(isNew) && ordered) return [publishInto(lifetimeFoldSql(spec, ctx.relation, ranges), [...changed, ...closed], `${label} (fold)`)];
  return [publishInto(lifetimeRecomputeSql(spec, ranges), [...changed, ...closed], `${label} (recompute entities)`)];
}

/** A lifetime panel's SQL is generated from its folds: its file holds only config. */
export function checkLifetimeModels(p: OpenProject): void {
  for (const n of Object.values(p.session.manifest.nodes)) {
    if (n.resourceType !== 'model' || batchedKind(n) !== 'lifetime') continue;
    if ((n.compiledCode ?? '').trim() !== '') {
      throw new TformError('CONFIG_INVALID', `lifetime panel ${n.name} has SQL of its own; its query is generated from panel_of and folds`, {
        file: n.path,
        hint: 'leave only {{ config(...) }} in the file (or the config in YAML)',
      });
    }
    const lc = lifetimeConfig(n.config, n.name);
    const panel = Object.values(p.session.manifest.nodes).find((x) => x.name === lc.panelOf)!;
    const pcfg = batchConfig(panel.config, panel.name);
    n.compiledCode = lifetimeFullSql({ dialect: p.dialect, panel: relationOf(panel), eventTime: pcfg.eventTime, entity: lc.entity ?? panelEntity(panel.config, panel.name), folds: lc.folds, bound: (d) => p.dialect.timestampLiteral(d) });
  }
}
