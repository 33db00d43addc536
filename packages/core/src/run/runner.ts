import { DatabaseError, type Adapter, type Executor } from '../adapter/types.js';
import type { Logger } from '../log/logger.js';
import type { Statement } from '../materialize/types.js';
import type { Plan, PlanStep } from '../plan/plan.js';
import { RunConsole } from './console.js';
import type { NodeResult, RunOutcome } from './results.js';
import type { TestRun } from './testJobs.js';

export interface RunOptions {
  plan: Plan;
  adapter: Adapter;
  logger: Logger;
  threads: number;
  failFast?: boolean;
  /** Aborting stops new steps and cancels running statements; nothing half-built is published. */
  signal?: AbortSignal;
  /** Lines of each compiled model, to decide whether a database line maps to the model file. */
  sourceLines?: (uniqueId: string) => { raw: number; compiled: number } | undefined;
  /** Nodes that run after the plan (tests of nodes built by it), counted in `i of N`. */
  laterCount?: number;
  /**
   * Runs a step's data tests (write–audit–publish): against the built, unpublished tmp relation,
   * or — for an incremental step, `inPlace` — against the target inside the publishing
   * transaction, so the tests see history plus the new rows before they commit.
   */
  audit?: (step: PlanStep, ex: Executor, inPlace: boolean) => Promise<TestRun[]>;
  /** The publish statements of an incremental step, decided once its new rows are built. */
  publishFor?: (step: PlanStep) => Promise<Statement[]>;
  /** Render and plan a renderAtRun step when it starts (its parents are built by then). */
  prepare?: (step: PlanStep) => Promise<void>;
  /** The batches of an interval-wise step (microbatch, panel), decided when the step starts. */
  batchesFor?: (step: PlanStep) => Promise<Batch[]>;
}

/**
 * One interval (or a rebuild over all of them) of an interval-wise model. The runner runs
 * `build`, audits, and runs `publish` in one transaction: the rows, the interval record and — when
 * `inPlace` — the model's tests against the target as it will be published, commit together.
 */
export interface Batch {
  label: string;
  /** The statements that build the batch's rows aside, decided when the batch starts. */
  build(): Promise<Statement[]>;
  /**
   * After build, before the publish transaction: what publish needs to read through the
   * adapter (columns of the built rows). Never inside the transaction: a pool of one connection
   * is held by it.
   */
  afterBuild?(): Promise<void>;
  /** Runs on the publishing transaction; returns the rows the batch wrote. */
  publish(tx: Executor): Promise<number | undefined>;
  cleanup: Statement[];
  /** Audit inside the publish transaction against the target; else against tmp before it. */
  inPlace: boolean;
}

/** A test run as a result line. */
export function testResult(r: TestRun): NodeResult {
  const o = r.outcome;
  return {
    uniqueId: r.test.uniqueId,
    name: r.test.name,
    resourceType: 'test',
    status: o.status,
    message: o.message,
    startedAt: r.startedAt.toISOString(),
    completedAt: r.completedAt.toISOString(),
    executionTime: (r.completedAt.getTime() - r.startedAt.getTime()) / 1000,
    failures: o.status === 'error' ? null : o.failures,
    path: r.test.path,
    compiledPath: r.test.compiledPath,
    attachedNode: r.test.attachedNode,
    ...(o.sample && o.sample.length ? { sample: o.sample } : {}),
    ...(o.status === 'error' || o.status === 'fail' ? { error: { message: o.message, file: r.test.path, ...(r.test.line ? { line: r.test.line } : {}) } } : {}),
  };
}

/** A test that stops publication: an error-severity failure, or a test that could not run. */
export function blocksPublish(r: TestRun): boolean {
  return r.outcome.status === 'fail' || r.outcome.status === 'error';
}

class AuditFailure extends Error {}

class StepFailure extends Error {
  constructor(readonly original: unknown, readonly statement: Statement) {
    super(original instanceof Error ? original.message : String(original));
  }
}

/** Run statements in order; a failure is thrown with the statement that failed (for error mapping). */
export async function runStatements(ex: Executor, list: Statement[]): Promise<number | undefined> {
  let rows: number | undefined;
  for (const s of list) {
    try {
      const r = await ex.execute(s.sql);
      if (r.rowsAffected !== undefined) rows = (rows ?? 0) + r.rowsAffected;
    } catch (e) {
      throw new StepFailure(e, s);
    }
  }
  return rows;
}

function errorOf(step: PlanStep, f: unknown, o: RunOptions): NodeResult['error'] {
  const failure = f instanceof StepFailure ? f : undefined;
  const cause = failure ? failure.original : f;
  const message = cause instanceof Error ? cause.message : String(cause);
  const out: NonNullable<NodeResult['error']> = { message, file: step.path };
  if (cause instanceof DatabaseError && cause.line !== undefined && failure?.statement.modelLine !== undefined) {
    const compiledLine = cause.line - failure.statement.modelLine + 1;
    if (compiledLine >= 1) {
      out.compiledLine = compiledLine;
      const lines = o.sourceLines?.(step.uniqueId);
      // The compiled line is the model file's line when templating kept the line structure.
      if (lines && lines.raw === lines.compiled) out.line = compiledLine;
    }
  }
  if (failure && failure.statement.label.includes('hook')) out.message = `${failure.statement.label} failed: ${message}`;
  // A check about config (a NULL unique_key, a panel's entity): point at where it was set.
  const origin = failure?.statement.origin;
  if (origin?.file) {
    out.file = origin.file;
    if (origin.line !== undefined) out.line = origin.line;
    delete out.compiledLine;
  }
  return out;
}

/**
 * Execute a plan: schemas one at a time where the warehouse needs it, on-run-start hooks, then the
 * steps over a ready queue (a step starts when every step it depends on succeeded; descendants of a
 * failure are skipped, independent branches go on), then on-run-end hooks. Only this writes.
 */
export async function runPlan(o: RunOptions): Promise<RunOutcome> {
  const { plan, adapter, logger } = o;
  const t0 = Date.now();
  const hookErrors: string[] = [];
  const results = new Map<string, NodeResult>();
  const testResults: NodeResult[] = [];
  const total = plan.steps.length + plan.steps.reduce((n, s) => n + (o.audit ? s.tests.length : 0), 0) + (o.laterCount ?? 0);
  const cons = new RunConsole(logger, total);
  let started = 0;
  const nextIndex = () => ++started;
  let cancelled = false;
  const onAbort = () => {
    cancelled = true;
    void adapter.cancel?.();
  };
  o.signal?.addEventListener('abort', onAbort, { once: true });

  try {
    for (const s of plan.schemas) await adapter.execute(adapter.dialect.createSchema(s.schema, s.database));
    for (const h of plan.onRunStart) {
      try {
        await adapter.execute(h.sql);
      } catch (e) {
        hookErrors.push(`on-run-start hook failed: ${e instanceof Error ? e.message : String(e)}`);
      }
    }

    const inPlan = new Set(plan.steps.map((s) => s.uniqueId));
    const phases = [...new Set(plan.steps.map((s) => s.phase))].sort((a, b) => a - b);
    let stop = hookErrors.length > 0;

    for (const phase of phases) {
      const pending = plan.steps.filter((s) => s.phase === phase);
      const running = new Map<string, Promise<void>>();
      while (pending.length || running.size) {
        // Skip every pending step whose dependency did not succeed, or everything once stopped.
        for (let i = 0; i < pending.length; ) {
          const s = pending[i]!;
          const badDep = s.dependsOn.find((d) => results.has(d) && results.get(d)!.status !== 'success');
          if (stop || cancelled || badDep) {
            pending.splice(i, 1);
            const r = skipped(s, stop || cancelled ? (cancelled ? 'cancelled' : 'run stopped') : `upstream ${results.get(badDep!)!.name} did not succeed`);
            results.set(s.uniqueId, r);
            cons.finish(nextIndex(), s, r);
            if (o.audit) for (const t of s.tests) cons.testSkipped(nextIndex(), t.name);
          } else i++;
        }
        while (running.size < Math.max(1, o.threads) && !stop && !cancelled) {
          const at = pending.findIndex((s) => s.dependsOn.every((d) => results.get(d)?.status === 'success' || !inPlan.has(d)));
          if (at < 0) break;
          const s = pending.splice(at, 1)[0]!;
          const p = runStep(s, nextIndex, cons, o).then(({ result: r, tests }) => {
            results.set(s.uniqueId, r);
            testResults.push(...tests);
            running.delete(s.uniqueId);
            if (r.status === 'error' && o.failFast) stop = true;
          });
          running.set(s.uniqueId, p);
        }
        if (running.size === 0) {
          // Nothing can start and nothing runs: what is left waits on steps that will never run.
          for (const s of pending.splice(0)) {
            const r = skipped(s, stop || cancelled ? 'run stopped' : 'dependencies not run');
            results.set(s.uniqueId, r);
            cons.finish(nextIndex(), s, r);
          }
          break;
        }
        await Promise.race(running.values());
      }
    }

    for (const h of plan.onRunEnd) {
      try {
        await adapter.execute(h.sql);
      } catch (e) {
        hookErrors.push(`on-run-end hook failed: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  } finally {
    o.signal?.removeEventListener('abort', onAbort);
  }
  return {
    results: [...plan.steps.map((s) => results.get(s.uniqueId)!).filter(Boolean), ...testResults],
    elapsed: (Date.now() - t0) / 1000,
    hookErrors,
    cancelled,
  };
}

function skipped(s: PlanStep, why: string): NodeResult {
  return {
    uniqueId: s.uniqueId,
    name: s.name,
    resourceType: s.resourceType,
    status: 'skipped',
    message: `SKIP: ${why}`,
    executionTime: 0,
    failures: null,
    relationName: s.relationName,
    path: s.path,
    compiledPath: s.compiledPath,
  };
}

async function runStep(s: PlanStep, nextIndex: () => number, cons: RunConsole, o: RunOptions): Promise<{ result: NodeResult; tests: NodeResult[] }> {
  const { adapter } = o;
  const index = nextIndex();
  cons.start(index, s);
  const started = new Date();
  let rows: number | undefined;
  let result: NodeResult;
  let message: string | undefined;
  // The latest audit's results: a batched step audits every batch and reports the last one.
  let lastRuns: TestRun[] | undefined;
  let cleanup = s.cleanup;
  const audit = async (ex: Executor, inPlace: boolean) => {
    if (!o.audit || !s.tests.length) return;
    const runs = await o.audit(s, ex, inPlace);
    lastRuns = runs;
    const blocking = runs.filter(blocksPublish);
    if (blocking.length) throw new AuditFailure(`not published: ${blocking.length} test${blocking.length === 1 ? '' : 's'} failed (${blocking.map((r) => r.test.name).join(', ')}); the previous version stays in place`);
  };
  try {
    if (s.renderAtRun && o.prepare) {
      await o.prepare(s);
      cleanup = s.cleanup;
    }
    await runStatements(adapter, s.pre);
    if (s.batched && o.batchesFor) {
      const batches = await o.batchesFor(s);
      if (batches.length === 0) {
        message = 'OK (up to date)';
        await audit(adapter, true);
      }
      let done = 0;
      for (const b of batches) {
        const t0 = Date.now();
        cleanup = b.cleanup;
        try {
          await runStatements(adapter, await b.build());
          await b.afterBuild?.();
          if (!b.inPlace) await audit(adapter, false);
          let n: number | undefined;
          await adapter.transaction(async (tx) => {
            n = await b.publish(tx);
            if (b.inPlace) await audit(tx, true);
          });
          if (n !== undefined) rows = (rows ?? 0) + n;
          cons.batch(s, ++done, batches.length, b.label, 'OK', (Date.now() - t0) / 1000, n);
        } catch (e) {
          cons.batch(s, done + 1, batches.length, b.label, 'ERROR', (Date.now() - t0) / 1000);
          const why = e instanceof Error ? e.message : String(e);
          const note = `batch ${b.label} failed${done ? ` (${done} earlier batch${done === 1 ? '' : 'es'} committed)` : ''}${batches.length - done > 1 ? `; ${batches.length - done - 1} later batch${batches.length - done - 1 === 1 ? '' : 'es'} not run` : ''}`;
          if (e instanceof AuditFailure) throw new AuditFailure(`${note}: ${why}`);
          if (e instanceof StepFailure) throw new StepFailure(e.original instanceof Error ? Object.assign(e.original, { message: `${note}: ${e.original.message}` }) : e.original, e.statement);
          throw e instanceof Error ? Object.assign(e, { message: `${note}: ${why}` }) : new Error(`${note}: ${why}`);
        }
      }
    } else {
      rows = await runStatements(adapter, s.build);
      if (s.incremental && o.publishFor) {
        // New rows, the tests that must see them with history, and the commit: all or nothing.
        const publish = await o.publishFor(s);
        await adapter.transaction(async (tx) => {
          rows = await runStatements(tx, publish);
          await audit(tx, true);
        });
      } else {
        await audit(adapter, false);
        if (s.publish.length) {
          if (adapter.capabilities.transactionalDdl) await adapter.transaction((tx) => runStatements(tx, s.publish));
          else await runStatements(adapter, s.publish);
        }
      }
    }
    result = base(s, started, 'success', message ?? (s.resourceType === 'seed' && rows !== undefined ? `INSERT ${rows}` : 'OK'));
    if (rows !== undefined) result.rowsAffected = rows;
  } catch (e) {
    for (const c of cleanup) {
      try {
        await adapter.execute(c.sql);
      } catch {
        // The tmp relation may not exist (the failure was creating it); the next run drops leftovers.
      }
    }
    const error = e instanceof AuditFailure ? { message: e.message, file: s.path } : errorOf(s, e, o);
    result = base(s, started, 'error', error!.message);
    result.error = error;
  }
  const tests: NodeResult[] = [];
  if (o.audit && s.tests.length) {
    if (lastRuns) {
      for (const r of lastRuns) {
        const tr = testResult(r);
        tests.push(tr);
        cons.test(nextIndex(), tr);
      }
    } else {
      // Tests that never ran because the build failed first are reported as skipped.
      for (const t of s.tests) {
        cons.testSkipped(nextIndex(), t.name);
        tests.push({ uniqueId: t.uniqueId, name: t.name, resourceType: 'test', status: 'skipped', message: 'SKIP: the model did not build', executionTime: 0, failures: null, path: t.path, attachedNode: t.attachedNode });
      }
    }
  }
  cons.finish(index, s, result);
  return { result, tests };
}

function base(s: PlanStep, started: Date, status: NodeResult['status'], message: string): NodeResult {
  const completed = new Date();
  return {
    uniqueId: s.uniqueId,
    name: s.name,
    resourceType: s.resourceType,
    status,
    message,
    startedAt: started.toISOString(),
    completedAt: completed.toISOString(),
    executionTime: (completed.getTime() - started.getTime()) / 1000,
    failures: null,
    relationName: s.relationName,
    path: s.path,
    compiledPath: s.compiledPath,
  };
}
