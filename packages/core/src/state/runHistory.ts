import type { Dialect } from '../adapter/dialect.js';
import type { Executor } from '../adapter/types.js';
import { stateTables, toDate, toNumber, utcLiteral } from './sql.js';
import type { RunStatus } from './store.js';

/** What the `runs` table says about one model, for monitoring. */
export interface ModelRunHistory {
  modelId: string;
  /** End (else start) of the latest successful run, by the clock of the runs (`--now` when fixed). */
  lastSuccess?: Date;
  /** The latest run of the model, whatever its outcome. */
  lastRun?: { runId: string; status: RunStatus; at: Date; message?: string };
  /** Runs that ended at or after `since`. */
  runsSince: number;
  /** Of those, the ones that failed. */
  errorsSince: number;
}

const CHUNK = 500;

/**
 * The run history of `modelIds` from `tform_state.runs` (layout version 1 or later): last success,
 * latest run and the number of runs (and failed runs) since `since`. Three grouped queries per
 * few hundred models; reads only.
 */
export async function modelRunHistory(ex: Executor, dialect: Dialect, modelIds: readonly string[], since: Date, opts: { schema?: string } = {}): Promise<Map<string, ModelRunHistory>> {
  const tables = stateTables(opts.schema);
  const q = (n: string) => dialect.quoteIdent(n);
  const runs = dialect.relation(tables.runs);
  const at = `coalesce(${q('ended_at')}, ${q('started_at')})`;
  const out = new Map<string, ModelRunHistory>(modelIds.map((id) => [id, { modelId: id, runsSince: 0, errorsSince: 0 }]));
  for (let i = 0; i < modelIds.length; i += CHUNK) {
    const ids = modelIds.slice(i, i + CHUNK).map((id) => dialect.stringLiteral(id));
    if (!ids.length) continue;
    const inList = `${q('model_id')} in (${ids.join(', ')})`;
    for (const r of await ex.query(`select ${q('model_id')} as model_id, max(${at}) as last_success from ${runs}
where ${inList} and ${q('status')} = ${dialect.stringLiteral('success')}
group by ${q('model_id')}`)) {
      const h = out.get(String(r.model_id));
      if (h && r.last_success !== null && r.last_success !== undefined) h.lastSuccess = toDate(r.last_success);
    }
    for (const r of await ex.query(`select model_id, run_id, status, run_at, message from (
  select ${q('model_id')} as model_id, ${q('run_id')} as run_id, ${q('status')} as status, ${at} as run_at, ${q('message')} as message,
    row_number() over (partition by ${q('model_id')} order by ${at} desc, ${q('started_at')} desc, ${q('run_id')} desc) as tform_rank
  from ${runs}
  where ${inList}
) latest
where tform_rank = 1`)) {
      const h = out.get(String(r.model_id));
      if (!h) continue;
      h.lastRun = { runId: String(r.run_id), status: String(r.status) as RunStatus, at: toDate(r.run_at) };
      if (r.message !== null && r.message !== undefined && String(r.message) !== '') h.lastRun.message = String(r.message);
    }
    for (const r of await ex.query(`select ${q('model_id')} as model_id, count(*) as n,
  sum(case when ${q('status')} = ${dialect.stringLiteral('error')} then 1 else 0 end) as errors
from ${runs}
where ${inList} and ${at} >= ${utcLiteral(dialect, since, 'since')}
group by ${q('model_id')}`)) {
      const h = out.get(String(r.model_id));
      if (!h) continue;
      h.runsSince = toNumber(r.n) ?? 0;
      h.errorsSince = toNumber(r.errors) ?? 0;
    }
  }
  return out;
}
