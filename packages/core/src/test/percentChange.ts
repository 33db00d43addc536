import type { Dialect } from '../adapter/dialect.js';
import { percentChangeArgs } from './builtinArgs.js';
import { filteredRelation } from './builtinSql.js';
import { outcomeFor } from './threshold.js';
import type { PercentChangeArgs, TestNode, TestOutcome } from './types.js';

/**
 * percent_change: the period-over-period KPI monitor. The SQL returns one row per period of `grain`
 * (UTC) in the window the judgement needs: `period_start`, `metric_value` (the `metric` aggregate,
 * `count(*)` by default) and `row_count`. judgePercentChange() then judges in JS, against `now`
 * (the settable clock; never the database's):
 *
 * - Judged periods: the latest COMPLETE period (the one that ended at or before `now`), and the
 *   `periods_checked - 1` before it. The current, incomplete period is never read.
 * - Baseline of a judged period P: the metric of P-1 (`compare_to: previous`), or the mean of the
 *   metrics of P-1 … P-N (`compare_to: average`, `periods: N`).
 * - change % = (value - baseline) × 100 / |baseline|. It breaches when it is above
 *   `threshold_percent` (direction up), below -threshold_percent (down), or either (both).
 *   Exactly at the threshold passes.
 * - failures = the number of judged periods that breach; warn_if / error_if / severity then
 *   decide the status as for any test (default: any breach fails).
 *
 * | case                                               | outcome for that period                    |
 * |----------------------------------------------------|--------------------------------------------|
 * | drop beyond the threshold (100 → 60, 30%)          | breach (-40%)                              |
 * | spike beyond the threshold (100 → 150, 30%)        | breach (+50%) unless direction: down       |
 * | spike with direction: down                         | pass (only drops count)                    |
 * | drop with direction: up                            | pass                                       |
 * | change within the threshold (100 → 80, 30%)        | pass (-20%)                                |
 * | compare_to: average, periods: 3 (100,110,90 → 50)  | baseline 100 → breach (-50%)               |
 * | judged period has rows but fewer than min_rows     | not judged, with a warning                 |
 * | a baseline period has fewer than min_rows rows     | not judged, with a warning                 |
 * | judged period has NO rows at all                   | metric 0 (an outage: judged even under     |
 * |                                                    | min_rows) → a -100% drop                   |
 * | a baseline period has no rows                      | not judged, with a warning (never 0)       |
 * | baseline is 0 (or NULL)                            | not judged, with a warning (no division)   |
 * | metric NULL in a period with rows (sum of NULLs)   | 0                                          |
 * | periods_checked: 3                                 | the 3 latest complete periods each judged  |
 * |                                                    | against their own baseline; failures = the |
 * |                                                    | number that breach                         |
 */

const GRAIN_MS = { hour: 3_600_000, day: 86_400_000 } as const;

/** Start (UTC) of the period of `grain` holding `t`. */
export function periodStart(t: Date, grain: PercentChangeArgs['grain']): Date {
  const ms = GRAIN_MS[grain];
  return new Date(Math.floor(t.getTime() / ms) * ms);
}

/** The periods judged (latest first) and the start of the window the SQL must read. */
export function percentChangeWindow(a: PercentChangeArgs, now: Date): { judged: Date[]; from: Date; to: Date } {
  const g = GRAIN_MS[a.grain];
  const to = periodStart(now, a.grain);
  const last = to.getTime() - g;
  const judged = Array.from({ length: a.periodsChecked }, (_, k) => new Date(last - k * g));
  const from = new Date(last - (a.periodsChecked - 1 + a.periods) * g);
  return { judged, from, to };
}

/** One row per period in the window: period_start, metric_value, row_count (ordered by period). */
export function percentChangeSql(test: Pick<TestNode, 'kwargs' | 'config'>, relation: string, dialect: Dialect, now: Date): string {
  const a = percentChangeArgs(test.kwargs);
  const { from, to } = percentChangeWindow(a, now);
  const period = dialect.dateTrunc(a.grain, a.timeColumn);
  return [
    'select',
    `  ${period} as period_start,`,
    `  ${a.metric} as metric_value,`,
    '  count(*) as row_count',
    `from ${filteredRelation(relation, test.config.where)}`,
    `where ${a.timeColumn} >= ${dialect.timestampLiteral(from)}`,
    `  and ${a.timeColumn} < ${dialect.timestampLiteral(to)}`,
    `group by ${period}`,
    `order by ${period}`,
  ].join('\n');
}

export interface PeriodJudgement {
  /** Start of the judged period (UTC). */
  period: Date;
  value: number;
  rows: number;
  baseline?: number;
  changePercent?: number;
  status: 'pass' | 'breach' | 'not_judged';
  /** Why it was not judged. */
  reason?: string;
}

export interface PercentChangeResult {
  failures: number;
  /** Latest first. */
  periods: PeriodJudgement[];
  warnings: string[];
}

/** Epoch ms of a period_start as adapters return it: Date, ISO-ish text (UTC), or epoch ms. */
function toMs(v: unknown): number | undefined {
  if (v instanceof Date) return v.getTime();
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    const s = v.trim().replace(' ', 'T');
    const t = Date.parse(/[zZ]|[+-]\d\d(:?\d\d)?$/.test(s) || !s.includes('T') ? s : `${s}Z`);
    return Number.isNaN(t) ? undefined : t;
  }
  return undefined;
}

function num(v: unknown): number {
  if (v === null || v === undefined) return 0;
  const n = Number(v);
  return Number.isFinite(n) ? n : 0;
}

function label(d: Date, grain: PercentChangeArgs['grain']): string {
  const iso = d.toISOString();
  return grain === 'day' ? iso.slice(0, 10) : `${iso.slice(0, 13)}:00`;
}

function breaches(change: number, a: PercentChangeArgs): boolean {
  if (a.direction === 'up') return change > a.thresholdPercent;
  if (a.direction === 'down') return change < -a.thresholdPercent;
  return Math.abs(change) > a.thresholdPercent;
}

/** Judge the rows of percentChangeSql (see the table above). Pure; never divides by zero. */
export function judgePercentChange(rows: Record<string, unknown>[], args: PercentChangeArgs, now: Date): PercentChangeResult {
  const byPeriod = new Map<number, { value: number; rows: number }>();
  for (const r of rows) {
    const ms = toMs(r.period_start);
    if (ms !== undefined) byPeriod.set(ms, { value: num(r.metric_value), rows: num(r.row_count) });
  }
  const g = GRAIN_MS[args.grain];
  const { judged } = percentChangeWindow(args, now);
  const warnings: string[] = [];
  const periods = judged.map((p): PeriodJudgement => {
    const own = byPeriod.get(p.getTime());
    const base = { period: p, value: own?.value ?? 0, rows: own?.rows ?? 0 };
    const notJudged = (reason: string): PeriodJudgement => {
      warnings.push(`${label(p, args.grain)} not judged: ${reason}`);
      return { ...base, status: 'not_judged', reason };
    };
    if (own && own.rows < args.minRows) return notJudged(`${own.rows} rows, fewer than min_rows ${args.minRows}`);
    const values: number[] = [];
    for (let k = 1; k <= args.periods; k++) {
      const bp = new Date(p.getTime() - k * g);
      const b = byPeriod.get(bp.getTime());
      if (!b) return notJudged(`no rows in baseline period ${label(bp, args.grain)}`);
      if (b.rows < args.minRows) return notJudged(`baseline period ${label(bp, args.grain)} has ${b.rows} rows, fewer than min_rows ${args.minRows}`);
      values.push(b.value);
    }
    const baseline = values.reduce((s, v) => s + v, 0) / values.length;
    if (baseline === 0) return notJudged('baseline is 0, so a percent change is undefined');
    const changePercent = Math.round((((base.value - baseline) * 100) / Math.abs(baseline)) * 1e9) / 1e9;
    return { ...base, baseline, changePercent, status: breaches(changePercent, args) ? 'breach' : 'pass' };
  });
  return { failures: periods.filter((p) => p.status === 'breach').length, periods, warnings };
}

function pct(c: number): string {
  return `${c > 0 ? '+' : ''}${c.toFixed(1)}%`;
}

/** The outcome of a percent_change test from the rows of percentChangeSql. */
export function percentChangeOutcome(test: Pick<TestNode, 'uniqueId' | 'kwargs' | 'config'>, rows: Record<string, unknown>[], now: Date): TestOutcome {
  const a = percentChangeArgs(test.kwargs);
  const r = judgePercentChange(rows, a, now);
  const out = outcomeFor(test, r.failures);
  const judged = r.periods.filter((p) => p.status !== 'not_judged');
  const dir = a.direction === 'both' ? '' : `, direction ${a.direction}`;
  const line = (p: PeriodJudgement) => `${label(p.period, a.grain)}: ${p.value} vs ${p.baseline} (${pct(p.changePercent!)})`;
  const breached = judged.filter((p) => p.status === 'breach');
  out.message =
    judged.length === 0
      ? `not judged: ${r.warnings.join('; ')}`
      : breached.length
        ? `${breached.length} of ${judged.length} periods changed more than ${a.thresholdPercent}%${dir}: ${breached.map(line).join('; ')}`
        : `${judged.length} period${judged.length === 1 ? '' : 's'} within ${a.thresholdPercent}%${dir}: ${judged.map(line).join('; ')}`;
  if (out.status !== 'pass' && out.failures === 0) out.message = `${out.message} (${out.status} by warn_if/error_if)`;
  if (breached.length) {
    out.sample = breached.map((p) => ({ period: p.period, value: p.value, baseline: p.baseline, change_percent: p.changePercent, row_count: p.rows }));
  }
  if (r.warnings.length) out.warnings = r.warnings;
  return out;
}
