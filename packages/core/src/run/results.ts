export type NodeStatus = 'success' | 'error' | 'skipped' | 'warn' | 'pass' | 'fail';

export interface NodeResult {
  uniqueId: string;
  name: string;
  resourceType: 'model' | 'seed' | 'test' | 'hook';
  status: NodeStatus;
  /** One-line outcome, e.g. "OK", "INSERT 120", or the error message. */
  message: string;
  startedAt?: string;
  completedAt?: string;
  /** Seconds. */
  executionTime: number;
  rowsAffected?: number;
  /** Failing rows or values, for tests; null otherwise. */
  failures: number | null;
  relationName?: string;
  path?: string;
  compiledPath?: string;
  /** Up to 5 failing rows of a test that failed or warned. */
  sample?: Record<string, unknown>[];
  /** The model or seed a test checks. */
  attachedNode?: string;
  /** Set when the node failed: where the problem is. */
  error?: { message: string; file?: string; line?: number; compiledLine?: number };
}

export interface RunOutcome {
  results: NodeResult[];
  /** Seconds from start to end of the run. */
  elapsed: number;
  /** Errors of on-run-start / on-run-end hooks. */
  hookErrors: string[];
  cancelled: boolean;
}

export function countStatuses(results: NodeResult[]): { pass: number; warn: number; error: number; skip: number; total: number } {
  let pass = 0, warn = 0, error = 0, skip = 0;
  for (const r of results) {
    if (r.status === 'success' || r.status === 'pass') pass++;
    else if (r.status === 'warn') warn++;
    else if (r.status === 'error' || r.status === 'fail') error++;
    else if (r.status === 'skipped') skip++;
  }
  return { pass, warn, error, skip, total: results.length };
}
