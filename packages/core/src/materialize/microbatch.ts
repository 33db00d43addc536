import { tmpRelation } from '../adapter/dialect.js';
import type { ColumnInfo, RelationRef } from '../adapter/types.js';
import type { Dialect } from '../adapter/dialect.js';
import type { ExecNode } from '../compile/manifest.js';
import { intervalLabel, parseLocalTime, type Interval } from '../state/intervals.js';
import { batchConfig, batchedKind, panelEntity } from './batchConfig.js';
import { incrementalConfig } from './incrementalConfig.js';
import { afterPublish } from './relationBuild.js';
import { diffColumns, planSchemaChange } from './schemaChange.js';
import type { MaterializeContext, Statement } from './types.js';

/**
 * Statements of one batch of a microbatch model or panel. The batch's rows are built into
 * `<name>__tform_tmp` (the model's SQL rendered for the batch); what publishes them, in one
 * transaction with the interval record, is:
 *
 * 1. checks on the new rows: every `event_time` inside the batch (a row outside would not be
 *    replaced when the batch runs again — duplicated instead), and for a panel no NULL entity
 *    and one row per entity and interval;
 * 2. on_schema_change DDL (incremental batches);
 * 3. `delete` of the target's rows of the batch, then `insert` of the new rows — or, when the
 *    batch rebuilds the table, the swap;
 * 4. after the last batch: indexes, grants, post-hooks.
 */

export interface BatchStatementsOptions {
  /** The range the batch covers (a rebuild: from `begin` to the end of the last interval). */
  range: Interval;
  /** Whether this batch writes into the existing table (else it replaces the table). */
  incremental: boolean;
  /** The last batch of the run: indexes, grants and post-hooks follow it. */
  last: boolean;
  /** Columns of the built tmp relation (an incremental batch compares them with the table's). */
  tmpColumns: ColumnInfo[];
  /** How bounds are written against event_time (see boundLiteral). */
  bound?: BoundLiteral;
}

const ts = (d: Interval['start']) => d.toISOString().slice(0, 19).replace('T', ' ');

/**
 * How an interval bound is written against an event_time column: a TIMESTAMP column holds UTC
 * instants (`timestamp '…'` of the UTC wall clock); a DATE column holds calendar dates in the
 * model's time zone, so a day interval is `date '<local date>'` — a panel's grain column of a
 * studio west of UTC included. `dateColumn` comes from the column's type.
 */
export type BoundLiteral = (d: Date) => string;

export function boundLiteral(dialect: Pick<Dialect, 'timestampLiteral'>, dateColumn: boolean, timezone?: string): BoundLiteral {
  if (!dateColumn) return (d) => dialect.timestampLiteral(d);
  return (d) => `date '${intervalLabel(d, 'day', timezone)}'`;
}

/** Whether a column type is a calendar date (not a timestamp). */
export function isDateType(type: string | undefined): boolean {
  return /^\s*date\s*$/i.test(type ?? '');
}

/** A range of `eventTime` as a predicate, bounds written by `bound`. */
export function inRange(column: string, range: Interval, bound: BoundLiteral): string {
  return `${column} >= ${bound(range.start)} and ${column} < ${bound(range.end)}`;
}

/** Checks of a batch's new rows in `rel` (see above), as assertNoRows statements. */
export function batchChecks(node: ExecNode, dialect: Dialect, rel: RelationRef, range: Interval, origin?: MaterializeContext['configOrigin'], bound: BoundLiteral = (d) => dialect.timestampLiteral(d)): Statement[] {
  const cfg = batchConfig(node.config, node.name);
  const src = dialect.relation(rel);
  const et = dialect.quoteIdent(cfg.eventTime);
  const out: Statement[] = [
    {
      sql: dialect.assertNoRows(
        `select 1 from ${src} where ${et} is null or not (${inRange(et, range, bound)})`,
        `${node.name}: new rows have ${cfg.eventTime} outside the batch [${ts(range.start)}, ${ts(range.end)}) or NULL; such rows would not be replaced when the batch runs again. Refs to models with event_time are filtered to the batch; filter anything else with model.batch.event_time_start / event_time_end.`,
      ),
      label: 'check rows inside the batch',
      origin: origin?.('event_time'),
    },
  ];
  if (batchedKind(node) === 'panel') {
    const entity = panelEntity(node.config, node.name).map((c) => dialect.quoteIdent(c));
    out.push(
      {
        sql: dialect.assertNoRows(`select 1 from ${src} where ${entity.map((c) => `${c} is null`).join(' or ')}`, `panel ${node.name}: new rows have a NULL entity (${panelEntity(node.config, node.name).join(', ')}); a panel has one row per entity and interval. Filter or coalesce them in the model.`),
        label: 'check no NULL entity',
        origin: origin?.('entity'),
      },
      {
        sql: dialect.assertNoRows(`select 1 from ${src} group by ${[...entity, et].join(', ')} having count(*) > 1`, `panel ${node.name}: new rows repeat an entity within one ${cfg.batchSize} (${[...panelEntity(node.config, node.name), cfg.eventTime].join(', ')}); a panel has one row per entity and interval. Group by them in the model.`),
        label: 'check one row per entity and interval',
        origin: origin?.('entity'),
      },
    );
  }
  return out;
}

/** The publish of one batch writing into the existing table (see the module comment). */
export function batchPublish(node: ExecNode, ctx: MaterializeContext, o: BatchStatementsOptions): Statement[] {
  const { dialect, relation } = ctx;
  const tmp = tmpRelation(relation, dialect);
  const target = ctx.existingColumns;
  if (!target?.length) throw new Error(`internal: batchPublish(${node.name}) needs MaterializeContext.existingColumns`);
  const cfg = batchConfig(node.config, node.name);
  const mode = batchedKind(node) === 'microbatch' ? incrementalConfig(node).onSchemaChange : 'fail';
  const diff = diffColumns(target, o.tmpColumns, (n) => dialect.columnKey(n));
  const change = planSchemaChange({ mode, diff, target, relation, dialect, model: { name: node.name, path: node.path } });
  const et = dialect.quoteIdent(cfg.eventTime);
  const bound = o.bound ?? ((d: Date) => dialect.timestampLiteral(d));
  const replace: Statement[] = dialect.overwriteRange
    ? [{ sql: dialect.overwriteRange(relation, tmp, { columns: change.columns, inRange: (alias) => inRange(`${alias}.${et}`, o.range, bound) }), label: 'overwrite rows of the batch' }]
    : [
        {
          sql: `delete from ${dialect.relation(relation)}\nwhere ${inRange(et, o.range, bound)}`,
          label: 'delete rows of the batch',
        },
        { sql: dialect.insertSelect(relation, tmp, change.columns), label: 'insert rows of the batch' },
      ];
  return [
    ...batchChecks(node, dialect, tmp, o.range, ctx.configOrigin, bound),
    ...change.ddl,
    ...replace,
    { sql: dialect.dropRelation(tmp, 'table'), label: 'drop tmp' },
    ...(o.last ? afterPublish('table', ctx, node) : []),
  ];
}

/**
 * The fingerprints of the rows of `rel` per 15-minute bucket of `eventTime` (every UTC offset
 * in use is a multiple of 15 minutes, so buckets add up to hour and local-day intervals):
 * columns `b` (bucket number since 1970), `n` (rows) and `h` (sum of row hashes).
 */
export function checksumBucketsQuery(dialect: Dialect, rel: RelationRef, eventTime: string): string {
  const et = dialect.quoteIdent(eventTime);
  return `select cast(floor(${dialect.epochSeconds(`t.${et}`)} / 900) as bigint) as b, count(*) as n, cast(sum(${dialect.rowHash('t')}) as ${dialect.stateTypes?.text ?? 'varchar(64)'}) as h
from ${dialect.relation(rel)} t
where t.${et} is not null
group by 1`;
}

/**
 * `rows:hashsum` of every interval, from checksumBucketsQuery() rows. For a DATE event_time
 * (`dateIn` the model's time zone) a bucket is the date's UTC midnight: it belongs to the day
 * interval of that local date.
 */
export function intervalChecksums(rows: readonly Record<string, unknown>[], intervals: readonly Interval[], dateIn?: { timezone?: string }): { rows: number; checksum: string }[] {
  const acc = intervals.map(() => ({ n: 0n, h: 0n }));
  const starts = intervals.map((i) => i.start.getTime());
  for (const r of rows) {
    let t = Number(r.b) * 900_000;
    if (dateIn) t = parseLocalTime(new Date(t).toISOString().slice(0, 10), dateIn.timezone)!.getTime();
    // Last interval starting at or before t.
    let lo = 0;
    let hi = starts.length - 1;
    let at = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid]! <= t) {
        at = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (at < 0 || t >= intervals[at]!.end.getTime()) continue;
    acc[at]!.n += BigInt(String(r.n));
    acc[at]!.h += BigInt(String(r.h ?? '0').replace(/\.0*$/, ''));
  }
  return acc.map((a) => ({ rows: Number(a.n), checksum: `${a.n}:${a.h}` }));
}
