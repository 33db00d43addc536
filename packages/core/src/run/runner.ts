import { DatabaseError, type Adapter, type Executor } from '../adapter/types.js';
import type { Logger } from '../log/logger.js';
import type { Statement } from '../materialize/types.js';
import type { Plan, PlanStep } from '../plan/plan.js';
import { RunConsole } from './console.js';
import type { NodeResult, RunOutcome } from './results.js';

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
}

class StepFailure extends Error {
  constructor(readonly original: unknown, readonly statement: Statement) {
    super(original instanceof Error ? original.message : String(original));
  }
}

async function runStatements(ex: Executor, list: Statement[]): Promise<number | undefined> {
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
  const total = plan.steps.length;
  const cons = new RunConsole(logger, total);
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

    const index = new Map<string, number>();
    plan.steps.forEach((s, i) => index.set(s.uniqueId, i + 1));
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
            cons.finish(index.get(s.uniqueId)!, s, r);
          } else i++;
        }
        while (running.size < Math.max(1, o.threads) && !stop && !cancelled) {
          const at = pending.findIndex((s) => s.dependsOn.every((d) => results.get(d)?.status === 'success' || !index.has(d)));
          if (at < 0) break;
          const s = pending.splice(at, 1)[0]!;
          const p = runStep(s, index.get(s.uniqueId)!, cons, o).then((r) => {
            results.set(s.uniqueId, r);
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
            cons.finish(index.get(s.uniqueId)!, s, r);
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
    results: plan.steps.map((s) => results.get(s.uniqueId)!).filter(Boolean),
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

async function runStep(s: PlanStep, index: number, cons: RunConsole, o: RunOptions): Promise<NodeResult> {
  const { adapter } = o;
  cons.start(index, s);
  const started = new Date();
  let rows: number | undefined;
  let result: NodeResult;
  try {
    await runStatements(adapter, s.pre);
    rows = await runStatements(adapter, s.build);
    if (s.publish.length) {
      if (adapter.capabilities.transactionalDdl) await adapter.transaction((tx) => runStatements(tx, s.publish));
      else await runStatements(adapter, s.publish);
    }
    result = base(s, started, 'success', s.resourceType === 'seed' && rows !== undefined ? `INSERT ${rows}` : 'OK');
    if (rows !== undefined) result.rowsAffected = rows;
  } catch (e) {
    for (const c of s.cleanup) {
      try {
        await adapter.execute(c.sql);
      } catch {
        // The tmp relation may not exist (the failure was creating it); the next run drops leftovers.
      }
    }
    const error = errorOf(s, e, o);
    result = base(s, started, 'error', error!.message);
    result.error = error;
  }
  cons.finish(index, s, result);
  return result;
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
