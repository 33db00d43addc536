import type { ModelNode } from '../compile/manifest.js';
import type { Plan } from '../plan/plan.js';
import { batchesFor, type BatchesContext } from './batches.js';
import type { OpenProject } from './open.js';

/** `1.50 GiB` (binary units, as BigQuery bills them). */
function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${n} B` : `${v.toFixed(2)} ${units[u]}`;
}

/**
 * --dry-run on a warehouse with dry runs (Adapter.estimateBytes): the bytes each step's query
 * would process, and the total. A model whose query reads a relation that is not built yet gets
 * "estimate unavailable" with the reason; the dry run goes on.
 */
export async function printEstimates(p: OpenProject, plan: Plan, batchCtx: BatchesContext): Promise<void> {
  const { logger } = p.opts;
  const adapter = p.adapter!;
  const manifest = p.session.manifest;
  const lines: string[] = [];
  const steps: Record<string, unknown>[] = [];
  let total = 0;
  let estimated = 0;
  let unavailable = 0;
  const width = Math.max(0, ...plan.steps.map((s) => s.name.length));
  for (const s of plan.steps) {
    const line = (text: string) => lines.push(`--   ${s.name.padEnd(width)}  ${text}`);
    if (s.resourceType === 'seed' || s.materialized === 'view') {
      line(s.resourceType === 'seed' ? '0 B (a seed is loaded by a load job, not a query)' : '0 B (a view stores no data)');
      steps.push({ node: s.uniqueId, bytes: 0 });
      continue;
    }
    const node = manifest.nodes[s.uniqueId] as ModelNode | undefined;
    const queries: string[] = [];
    if (s.batched) {
      for (const b of await batchesFor(batchCtx, s)) {
        await b.build();
        if (node?.compiledCode?.trim()) queries.push(node.compiledCode);
      }
    } else if (!s.renderAtRun && node?.compiledCode?.trim()) queries.push(node.compiledCode);
    if (queries.length === 0) {
      line(s.batched ? '0 B (up to date)' : 'estimate unavailable: its SQL is rendered when it runs');
      if (!s.batched) unavailable++;
      steps.push({ node: s.uniqueId, bytes: s.batched ? 0 : null });
      continue;
    }
    let bytes = 0;
    let why: string | undefined;
    for (const q of queries) {
      try {
        const e = await adapter.estimateBytes!(q);
        if ('unavailable' in e) {
          why = e.unavailable;
          break;
        }
        bytes += e.bytes;
      } catch (err) {
        why = `the dry run failed: ${err instanceof Error ? err.message : String(err)}`;
        break;
      }
    }
    const batches = s.batched ? ` in ${queries.length} batch${queries.length === 1 ? '' : 'es'}` : '';
    if (why !== undefined) {
      unavailable++;
      line(`estimate unavailable: ${why}`);
      steps.push({ node: s.uniqueId, bytes: null, unavailable: why });
    } else {
      estimated++;
      total += bytes;
      line(`${formatBytes(bytes)}${batches}`);
      steps.push({ node: s.uniqueId, bytes });
    }
  }
  logger.print(`\n-- Bytes each model would process (dry run):\n${lines.join('\n')}`);
  const counted = `${estimated} of ${estimated + unavailable} model${estimated + unavailable === 1 ? '' : 's'} estimated`;
  logger.info(`Dry run total: ${formatBytes(total)} would be processed (${counted}${unavailable ? `, ${unavailable} estimate${unavailable === 1 ? '' : 's'} unavailable` : ''})`, 'dry_run_estimate', { totalBytes: total, estimated, unavailable, steps });
}
