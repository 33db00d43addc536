import type { ExecNode } from '../compile/manifest.js';
import { TformError } from '../errors/index.js';
import { batchConfig, batchedKind, lifetimeConfig, type BatchConfig } from '../materialize/batchConfig.js';
import { boundLiteral, inRange, isDateType } from '../materialize/microbatch.js';
import { backfillRange, checkBackfillFlags, type BackfillFlags } from '../plan/batches.js';
import { relationOf } from '../plan/plan.js';
import { describeIntervals, expectedIntervals, mergeRanges, missingIntervals, rangeLabel, type Interval } from '../state/intervals.js';
import { ensureState, readLayoutVersion } from '../state/schema.js';
import { StateStore } from '../state/store.js';
import { lifetimesOf } from './batches.js';
import { acquireLock, type OpenProject } from './open.js';
import type { SelectionOptions } from './options.js';
import { selectFor } from './state.js';

/** One model's line of `tform status`. */
export interface ModelStatus {
  uniqueId: string;
  name: string;
  kind: string;
  /** Processed range, missing intervals, open interval (interval-wise models). */
  intervals?: string;
  /** Closed intervals not processed, as merged ranges. */
  missing: { start: string; end: string }[];
  lastSuccess?: string;
  lastRunId?: string;
}

/** The interval config a model's intervals follow (a lifetime panel follows its panel's). */
function intervalConfig(p: OpenProject, n: ExecNode): BatchConfig | undefined {
  const kind = batchedKind(n);
  if (kind === 'microbatch' || kind === 'panel') return batchConfig(n.config, n.name);
  if (kind === 'lifetime') {
    const panel = Object.values(p.session.manifest.nodes).find((x) => x.name === lifetimeConfig(n.config, n.name).panelOf)!;
    return batchConfig(panel.config, panel.name);
  }
  return undefined;
}

/** `tform status`: per selected model, the intervals processed and missing, and the last success. */
export async function executeStatus(p: OpenProject, o: SelectionOptions & { wait?: boolean }): Promise<ModelStatus[]> {
  const adapter = p.adapter!;
  const selected = selectFor(p, o, ['model', 'seed']).filter((id) => p.session.manifest.nodes[id]!.materialized !== 'ephemeral');
  const lock = adapter.capabilities.concurrentReaders ? undefined : await acquireLock(p, o.wait ?? true);
  try {
    const store = new StateStore(adapter, p.dialect);
    const hasState = (await readLayoutVersion(adapter, p.dialect, store.tables)) > 0;
    const now = p.clock.now();
    const out: ModelStatus[] = [];
    for (const id of selected) {
      const n = p.session.manifest.nodes[id]!;
      const cfg = intervalConfig(p, n);
      const kind = batchedKind(n) ?? (n.resourceType === 'seed' ? 'seed' : n.materialized);
      const last = hasState ? await store.lastSuccess(id) : undefined;
      const s: ModelStatus = { uniqueId: id, name: n.name, kind, missing: [] };
      if (last) {
        s.lastSuccess = (last.endedAt ?? last.startedAt).toISOString();
        s.lastRunId = last.runId;
      }
      if (cfg) {
        const processed = hasState ? await store.processed(id) : [];
        const expected = expectedIntervals(cfg.begin, now, cfg.batchSize, cfg.timezone);
        s.intervals = processed.length ? describeIntervals(expected, processed, cfg.batchSize, cfg.timezone) : 'nothing processed yet';
        s.missing = mergeRanges(missingIntervals(expected.filter((e) => e.status === 'complete'), processed)).map((r) => ({ start: r.start.toISOString(), end: r.end.toISOString() }));
      }
      out.push(s);
    }
    return out;
  } finally {
    await lock?.release();
  }
}

export interface InvalidateResult {
  name: string;
  range: string;
  rowsDeleted?: number;
  intervalsForgotten?: number;
  /** Lifetime panels whose state was forgotten: they rebuild on their next run. */
  lifetimes: string[];
}

/**
 * `tform invalidate --select m --start … [--end …]`: delete the rows and the interval records of
 * that range of each selected microbatch model or panel, in one transaction per model, so that
 * the next run processes the range again. Lifetime panels of an invalidated panel forget their
 * state and rebuild from it on their next run.
 */
export async function executeInvalidate(p: OpenProject, o: SelectionOptions & { range: BackfillFlags; wait?: boolean }): Promise<InvalidateResult[]> {
  if (o.range.start === undefined && o.range.daysBack === undefined) {
    throw new TformError('FLAG_INVALID', 'tform invalidate needs the range to invalidate', { hint: 'e.g. tform invalidate --select daily_user_panel --start 2024-01-01 --end 2024-01-07 (or --days-back 3)' });
  }
  checkBackfillFlags(o.range);
  const m = p.session.manifest;
  const picked = selectFor(p, o, ['model']);
  const targets = picked.filter((id) => {
    const k = batchedKind(m.nodes[id]!);
    return k === 'microbatch' || k === 'panel';
  });
  for (const id of picked) {
    if (!targets.includes(id)) p.opts.logger.warn(`${m.nodes[id]!.name} is not a microbatch model or panel: it has no intervals to invalidate`);
  }
  if (!targets.length) {
    throw new TformError('FLAG_INVALID', 'the selection has no microbatch model or panel to invalidate', { hint: 'select models with incremental_strategy: microbatch or materialized: panel' });
  }
  const adapter = p.adapter!;
  const lock = await acquireLock(p, o.wait ?? true);
  try {
    await ensureState(adapter);
    const store = new StateStore(adapter, p.dialect, { now: () => p.clock.now() });
    const d = p.dialect;
    const existing = new Set<string>();
    const out: InvalidateResult[] = [];
    for (const id of targets) {
      const n = m.nodes[id]!;
      const cfg = batchConfig(n.config, n.name);
      const range: Interval = backfillRange(o.range, p.clock.now(), cfg.timezone);
      const rel = relationOf(n);
      if (!existing.has(rel.schema)) for (const r of await adapter.listRelations(rel.schema, rel.database)) existing.add(`${r.schema}.${r.identifier}`.toLowerCase());
      const exists = existing.has(`${rel.schema}.${rel.identifier}`.toLowerCase());
      const lifetimes = batchedKind(n) === 'panel' ? lifetimesOf(p, n) : [];
      const et = d.quoteIdent(cfg.eventTime);
      const res: InvalidateResult = { name: n.name, range: rangeLabel(range, cfg.batchSize, cfg.timezone), lifetimes: lifetimes.map((l) => l.name) };
      const col = exists ? (await adapter.columns(rel)).find((x) => d.columnKey(x.name) === d.columnKey(cfg.eventTime)) : undefined;
      const bound = boundLiteral(d, isDateType(col?.type), cfg.timezone);
      await adapter.transaction(async (tx) => {
        if (exists) {
          const r = await tx.execute(`delete from ${d.relation(rel)}\nwhere ${inRange(et, range, bound)}`);
          res.rowsDeleted = r.rowsAffected;
        }
        res.intervalsForgotten = await store.invalidate(tx, id, range.start, range.end);
        for (const l of lifetimes) await store.forget(tx, l.uniqueId);
      });
      out.push(res);
    }
    return out;
  } finally {
    await lock.release();
  }
}
