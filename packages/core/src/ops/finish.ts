import { runResultsDocument, writeRunResults, type RunResultsMeta } from '../artifacts/write.js';
import { TFORM_VERSION } from '../compile/context.js';
import { isTformError } from '../errors/index.js';
import { redactJson } from '../log/secrets.js';
import { sendNotification } from '../notify/send.js';
import type { Notification, NotificationItem } from '../notify/message.js';
import { countStatuses, type NodeResult, type RunOutcome } from '../run/results.js';
import { ensureState } from '../state/schema.js';
import { RunLogStore, type RunLogEntry } from '../state/runLog.js';
import type { LoadOutcome } from '../workflow/load.js';
import type { OpenProject } from '../workflow/open.js';
import { commandLine } from './commandLine.js';
import { writeErrorReport, type ReportFailure } from './errorReport.js';

/**
 * What happens when a command that builds or tests finishes: its results go to
 * run_results.json and, as the same entries, to the warehouse's run log; a failed run writes an
 * error report and sends the `on_failure` notification, a run with warnings `on_warning`.
 * Nothing here changes the command's exit code: a run log, report or notification that cannot
 * be written or sent is a warning.
 */

/** One entry of a run: a result of run_results.json, or a source table of `tform load`. */
export type RunItem = Omit<NodeResult, 'resourceType'> & { resourceType: NodeResult['resourceType'] | 'source' };

const FAILED = new Set(['error', 'fail']);

/** The run log rows of `items`, in their order, as run `p.invocationId` of `command`. */
export function runLogEntries(p: OpenProject, command: string, items: readonly RunItem[]): RunLogEntry[] {
  const args = commandLine(p.opts.argv, p.opts.command ?? `tform ${command}`);
  const loggedAt = p.clock.now();
  return items.map((r, seq) => ({
    runId: p.invocationId,
    seq,
    command,
    args,
    target: p.target.name,
    nodeId: r.uniqueId,
    resourceType: r.resourceType,
    status: r.status,
    startedAt: r.startedAt ? new Date(r.startedAt) : null,
    endedAt: r.completedAt ? new Date(r.completedAt) : null,
    executionTime: Number.isFinite(r.executionTime) ? r.executionTime : null,
    rowsAffected: r.rowsAffected ?? null,
    failures: r.failures ?? null,
    message: r.message,
    compiledPath: r.compiledPath ?? null,
    tformVersion: TFORM_VERSION,
    loggedAt,
  }));
}

/**
 * Append `items` (secrets masked) to `tform_state.run_log` in one transaction. A failure is a
 * warning; returns whether the rows were written.
 */
export async function writeRunLog(p: OpenProject, command: string, items: readonly RunItem[]): Promise<boolean> {
  if (items.length === 0) return true;
  const adapter = p.adapter!;
  try {
    const entries = runLogEntries(p, command, redactJson(items));
    await ensureState(adapter);
    const store = new RunLogStore(adapter, p.dialect);
    await adapter.transaction((tx) => store.append(tx, entries));
    return true;
  } catch (e) {
    const why = isTformError(e) ? e.message : e instanceof Error ? e.message : String(e);
    p.opts.logger.warn(`Could not write this run to the run log (tform_state.run_log): ${why}`, 'run_log_failed', { run_id: p.invocationId, error: why });
    return false;
  }
}

/**
 * Write run_results.json and the run log from the same document (secrets masked), so the run
 * log's rows of this run are its run_results.json entries.
 */
export async function recordRunResults(p: OpenProject, outcome: RunOutcome, meta: RunResultsMeta): Promise<void> {
  writeRunResults(p.project.root, p.project.config.targetPath, outcome, meta);
  const doc = redactJson(runResultsDocument(outcome, meta));
  await writeRunLog(p, meta.command, doc.results);
}

function failureOf(r: RunItem): ReportFailure {
  const file = r.error?.file ?? r.path;
  return {
    uniqueId: r.uniqueId,
    name: r.name,
    kind: r.resourceType,
    status: r.status,
    message: r.error?.message ?? r.message,
    ...(file ? { file } : {}),
    ...(r.error?.line !== undefined ? { line: r.error.line } : {}),
    ...(r.compiledPath ? { compiledPath: r.compiledPath } : {}),
    ...(r.error?.compiledLine !== undefined ? { compiledLine: r.error.compiledLine } : {}),
  };
}

/** The files (and tables) that failed to load, as failures. */
export function loadFailures(out: LoadOutcome | undefined): ReportFailure[] {
  if (!out) return [];
  const list: ReportFailure[] = [];
  for (const t of out.tables) {
    if (t.error) {
      list.push({ uniqueId: t.uniqueId, name: t.name, kind: 'source', status: 'error', message: t.error });
      continue;
    }
    for (const f of t.files.filter((x) => x.status === 'error')) {
      list.push({
        uniqueId: t.uniqueId,
        name: `${t.name} from ${f.path}`,
        kind: 'source',
        status: 'error',
        message: f.message ?? 'not loaded',
        file: f.path,
        ...(f.line !== undefined ? { line: f.line } : {}),
      });
    }
  }
  return list;
}

function itemOf(f: ReportFailure): NotificationItem {
  return {
    uniqueId: f.uniqueId,
    name: f.name,
    kind: f.kind,
    status: f.status,
    message: f.message,
    ...(f.compiledPath ? { compiledPath: f.compiledPath } : {}),
    ...(f.file ? { path: f.file } : {}),
  };
}

function notification(p: OpenProject, command: string, event: Notification['event'], items: NotificationItem[], summary?: Notification['summary'], errorReport?: string): Notification {
  return {
    event,
    project: p.project.config.name,
    target: p.target.name,
    command,
    runId: p.invocationId,
    at: p.clock.now().toISOString(),
    ...(summary ? { summary } : {}),
    items,
    ...(errorReport ? { errorReport } : {}),
  };
}

/** Write the error report; a failure to write it is a warning. Returns its path. */
function report(p: OpenProject, failures: ReportFailure[], summary?: Notification['summary'], skipped?: string[]): string | undefined {
  try {
    const rel = writeErrorReport(p.project.root, p.project.config.targetPath, {
      runId: p.invocationId,
      project: p.project.config.name,
      commandLine: commandLine(p.opts.argv, p.opts.command ?? 'tform'),
      target: p.target.name,
      at: p.clock.now().toISOString(),
      ...(summary ? { summary } : {}),
      failures,
      ...(skipped?.length ? { skipped } : {}),
    });
    p.opts.logger.info(`Error report: ${rel}`, 'error_report', { path: rel, run_id: p.invocationId });
    return rel;
  } catch (e) {
    p.opts.logger.warn(`Could not write the error report: ${(e as Error).message}`, 'error_report_failed');
    return undefined;
  }
}

export interface FinishedRun {
  /** The command as run_results.json names it (`run`, `build`, `seed`, `test`, `load`). */
  command: string;
  items: readonly RunItem[];
  hookErrors?: string[];
  /** Raw files loaded on the way (`tform build`), whose failures count too. */
  loaded?: LoadOutcome;
}

/**
 * After a run: when something failed, write `target/errors/<run_id>.md` and send `on_failure`
 * (one notification naming every failure); else, when something warned, send `on_warning`.
 * A clean run sends nothing.
 */
export async function reportRun(p: OpenProject, r: FinishedRun): Promise<void> {
  const hooks: ReportFailure[] = (r.hookErrors ?? []).map((h) => ({ uniqueId: '', name: 'on-run hook', kind: 'hook', status: 'error', message: h }));
  const failures = [...r.items.filter((i) => FAILED.has(i.status)).map(failureOf), ...hooks, ...loadFailures(r.loaded)];
  const summary = r.command === 'load' ? undefined : countStatuses(r.items as NodeResult[]);
  const notifications = p.project.config.notifications;
  if (failures.length) {
    const skipped = r.items.filter((i) => i.status === 'skipped').map((i) => i.name);
    const rel = report(p, failures, summary, skipped);
    await sendNotification(notifications, notification(p, r.command, 'failure', failures.map(itemOf), summary, rel), p.opts.logger, { cwd: p.project.root, ...p.opts.delivery });
    return;
  }
  const warned = r.items.filter((i) => i.status === 'warn');
  if (warned.length) {
    await sendNotification(notifications, notification(p, r.command, 'warning', warned.map(failureOf).map(itemOf), summary), p.opts.logger, { cwd: p.project.root, ...p.opts.delivery });
  }
}

/**
 * Run `fn` (a command's body after its project opened); when it throws, the command did not
 * finish: write an error report and send `on_failure` with the error, then throw it on. A held
 * run lock (`--no-wait`) is not a failure: that run was skipped. `enabled: false` (dry runs)
 * only runs `fn`.
 */
export async function reportingFailures<T>(p: OpenProject, command: string, fn: () => Promise<T>, o: { enabled?: boolean } = {}): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (o.enabled !== false && !(isTformError(e) && e.code === 'LOCK_HELD')) {
      const message = isTformError(e) ? e.format() : e instanceof Error ? e.message : String(e);
      const failure: ReportFailure = { uniqueId: '', name: `tform ${command}`, kind: 'run', status: 'error', message: `did not finish: ${message}` };
      try {
        const rel = report(p, [failure]);
        await sendNotification(p.project.config.notifications, notification(p, command, 'failure', [itemOf(failure)], undefined, rel), p.opts.logger, { cwd: p.project.root, ...p.opts.delivery });
      } catch {
        // Reporting never hides the original error.
      }
    }
    throw e;
  }
}
