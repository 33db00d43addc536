import type { ExecNode } from '../compile/manifest.js';
import { TformError } from '../errors/index.js';
import { sendNotification } from '../notify/send.js';
import type { NotificationItem } from '../notify/message.js';
import { readLayoutVersion } from '../state/schema.js';
import { stateTables } from '../state/sql.js';
import { modelRunHistory, type ModelRunHistory } from '../state/runHistory.js';
import { RunLogStore, type RunLogEntry } from '../state/runLog.js';
import { freshnessArgs, percentChangeArgs } from '../test/builtinArgs.js';
import type { Period, TestNode } from '../test/types.js';
import { acquireLock, type OpenProject } from '../workflow/open.js';
import type { SelectionOptions } from '../workflow/options.js';
import { selectFor } from '../workflow/state.js';
import { testRelations } from '../workflow/tests.js';
import { judgeTest, testQueries } from '../test/queries.js';
import { durationText, expectEveryMs } from './expectEvery.js';
import { judgeModel, type Expectation } from './judge.js';

/**
 * `tform monitor`: is everything on time? Read-only. Three checks, all at the settable clock's
 * `now` (`--now`):
 *
 * - **schedule**: each selected model has succeeded within its expected window (judge.ts): from
 *   `expect_every`, else its `schedule`, else the `--days-back` lookback. Read from
 *   `tform_state.runs`; a model whose latest run failed is failing.
 * - **freshness**: the `freshness` tests of the selected sources (and models), run now with
 *   the queries and judgement of `tform test`.
 * - **percent_change**: the latest result of each selected `percent_change` test in the run log,
 *   within the lookback.
 *
 * Something late, stale or failing makes the exit code 1 and sends `on_late`.
 */

export type MonitorCheckKind = 'schedule' | 'freshness' | 'percent_change';
export type MonitorStatus = 'ok' | 'warn' | 'late' | 'stale' | 'fail' | 'error' | 'none';

/** One line of the monitor's table. */
export interface MonitorCheck {
  check: MonitorCheckKind;
  uniqueId: string;
  name: string;
  /** The expectation in words (`every 1 day`, `error after 1 day`, `30% vs previous day`). */
  expected: string;
  /** Last success, or when the latest result was recorded (ISO-8601). */
  last?: string;
  status: MonitorStatus;
  detail: string;
  /** schedule checks: runs (and failed runs) within the lookback. */
  runs?: number;
  errors?: number;
}

export interface MonitorResult {
  now: string;
  daysBack: number;
  checks: MonitorCheck[];
  /** The checks that are late, stale or failing. */
  problems: MonitorCheck[];
  exitCode: number;
}

export interface MonitorOptions extends SelectionOptions {
  /** Lookback in days (default 7): the window of models without an expectation, and of results. */
  daysBack?: number;
  wait?: boolean;
}

const DAY_MS = 86_400_000;
const PROBLEMS: ReadonlySet<MonitorStatus> = new Set(['late', 'stale', 'fail', 'error']);
/** Default of --days-back. */
export const DEFAULT_DAYS_BACK = 7;

function period(p: Period): string {
  return `${p.count} ${p.period}${p.count === 1 ? '' : 's'}`;
}

/** A model's expectation: expect_every, else schedule, else the lookback. */
export function expectationOf(n: Pick<ExecNode, 'config'>, daysBack: number): Expectation {
  const every = n.config.expect_every;
  if (typeof every === 'string') return { kind: 'every', ms: expectEveryMs(every), text: every };
  const cron = n.config.schedule;
  if (typeof cron === 'string' && cron) return { kind: 'schedule', cron };
  return { kind: 'lookback', ms: daysBack * DAY_MS, days: daysBack };
}

function scheduleChecks(p: OpenProject, ids: string[], history: Map<string, ModelRunHistory>, daysBack: number): MonitorCheck[] {
  const now = p.clock.now();
  return ids.map((id) => {
    const n = p.session.manifest.nodes[id]!;
    const h = history.get(id);
    const j = judgeModel(expectationOf(n, daysBack), h, now);
    return {
      check: 'schedule',
      uniqueId: id,
      name: n.name,
      expected: j.expected,
      ...(h?.lastSuccess ? { last: h.lastSuccess.toISOString() } : {}),
      status: j.status,
      detail: j.detail,
      runs: h?.runsSince ?? 0,
      errors: h?.errorsSince ?? 0,
    };
  });
}

async function freshnessChecks(p: OpenProject, tests: TestNode[]): Promise<MonitorCheck[]> {
  const rel = testRelations(p);
  const now = p.clock.now();
  const status: Record<string, MonitorStatus> = { pass: 'ok', warn: 'warn', fail: 'stale', error: 'error' };
  const out: MonitorCheck[] = [];
  for (const t of tests) {
    const a = freshnessArgs(t.kwargs);
    const expected = [a.warnAfter && `warn after ${period(a.warnAfter)}`, a.errorAfter && `error after ${period(a.errorAfter)}`].filter(Boolean).join(', ');
    const base = { check: 'freshness' as const, uniqueId: t.uniqueId, name: nodeName(p, t), expected };
    // The query and the judgement of `tform test`; the newest row is kept for the table.
    const q = testQueries(t, { dialect: p.dialect, relation: rel.of(t.attachedNode!), relationOf: rel.of, now });
    let rows: Record<string, unknown>[];
    try {
      rows = await p.adapter!.query(q.sql);
    } catch (e) {
      out.push({ ...base, status: 'error', detail: e instanceof Error ? e.message : String(e) });
      continue;
    }
    const o = judgeTest(t, rows, now);
    const newest = rows[0]?.max_loaded_at;
    out.push({ ...base, ...(newest instanceof Date ? { last: newest.toISOString() } : {}), status: status[o.status] ?? 'error', detail: o.message });
  }
  return out;
}

function percentChangeChecks(p: OpenProject, tests: TestNode[], latest: Map<string, RunLogEntry> | undefined, daysBack: number): MonitorCheck[] {
  const now = p.clock.now();
  const status: Record<string, MonitorStatus> = { pass: 'ok', warn: 'warn', fail: 'fail', error: 'error' };
  return tests.map((t) => {
    const a = percentChangeArgs(t.kwargs);
    const expected = `${a.thresholdPercent}% vs ${a.compareTo === 'previous' ? 'previous' : `average of ${a.periods}`} ${a.grain}${a.direction === 'both' ? '' : `, ${a.direction}`}`;
    const e = latest?.get(t.uniqueId);
    const base = { check: 'percent_change' as const, uniqueId: t.uniqueId, name: t.name, expected };
    if (!e) return { ...base, status: 'none' as const, detail: latest ? 'no result in the run log yet' : 'no run log yet (tform test or build records one)' };
    const last = e.loggedAt.toISOString();
    const age = now.getTime() - e.loggedAt.getTime();
    if (age > daysBack * DAY_MS) return { ...base, last, status: 'none' as const, detail: `latest result is ${durationText(age)} old, older than ${daysBack} days` };
    return { ...base, last, status: status[e.status] ?? 'none', detail: e.message ?? e.status };
  });
}

/** `source.table` for a source's test, else the test's node name. */
function nodeName(p: OpenProject, t: TestNode): string {
  const m = p.session.manifest;
  const s = t.attachedNode ? m.sources[t.attachedNode] : undefined;
  if (s) return `${s.sourceName}.${s.name}`;
  const n = t.attachedNode ? m.nodes[t.attachedNode] : undefined;
  return n ? n.name : t.name;
}

/** Run the monitor's checks (see the top of this file). Reads only; notifyLate() sends the result. */
export async function executeMonitor(p: OpenProject, o: MonitorOptions = {}): Promise<MonitorResult> {
  const daysBack = o.daysBack ?? DEFAULT_DAYS_BACK;
  if (!Number.isFinite(daysBack) || daysBack <= 0) throw new TformError('FLAG_INVALID', `--days-back must be a positive number of days, got ${daysBack}`, { hint: 'e.g. tform monitor --days-back 2' });
  const m = p.session.manifest;
  const nodes = selectFor(p, o, ['model', 'seed']).filter((id) => {
    const n = m.nodes[id]!;
    if (n.materialized === 'ephemeral') return false;
    // Seeds change when their file does: only those with an expectation are watched.
    return n.resourceType === 'model' || n.config.expect_every !== undefined || n.config.schedule !== undefined;
  });
  const attached = new Set([...nodes, ...selectFor(p, o, ['source'])]);
  const tests = Object.values(m.tests).filter((t) => t.attachedNode && attached.has(t.attachedNode) && t.config.enabled !== false);
  const freshness = tests.filter((t) => t.testName === 'freshness');
  const percent = tests.filter((t) => t.testName === 'percent_change');
  const adapter = p.adapter!;
  const now = p.clock.now();
  const lock = adapter.capabilities.concurrentReaders ? undefined : await acquireLock(p, o.wait ?? true);
  let checks: MonitorCheck[];
  try {
    const version = await readLayoutVersion(adapter, p.dialect, stateTables());
    const history = version > 0 ? await modelRunHistory(adapter, p.dialect, nodes, new Date(now.getTime() - daysBack * DAY_MS)) : new Map<string, ModelRunHistory>();
    const latest = version >= 3 ? await new RunLogStore(adapter, p.dialect).latest(percent.map((t) => t.uniqueId)) : undefined;
    checks = [...scheduleChecks(p, nodes, history, daysBack), ...(await freshnessChecks(p, freshness)), ...percentChangeChecks(p, percent, latest, daysBack)];
  } finally {
    await lock?.release();
  }
  const problems = checks.filter((c) => PROBLEMS.has(c.status));
  return { now: now.toISOString(), daysBack, checks, problems, exitCode: problems.length ? 1 : 0 };
}

/** Send `on_late` naming every problem of `r`; nothing when there is none. */
export async function notifyLate(p: OpenProject, r: MonitorResult): Promise<void> {
  if (!r.problems.length) return;
  const items: NotificationItem[] = r.problems.map((c) => ({ uniqueId: c.uniqueId, name: c.name, kind: c.check, status: c.status, message: c.detail }));
  await sendNotification(
    p.project.config.notifications,
    { event: 'late', project: p.project.config.name, target: p.target.name, command: 'monitor', runId: p.invocationId, at: r.now, items },
    p.opts.logger,
    { cwd: p.project.root, ...p.opts.delivery },
  );
}
