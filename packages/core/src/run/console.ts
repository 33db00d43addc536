import type { Logger } from '../log/logger.js';
import type { PlanStep } from '../plan/plan.js';
import { countStatuses, type NodeResult, type RunOutcome } from './results.js';

const WIDTH = 80;

function dotted(text: string, status: string): string {
  const dots = Math.max(3, WIDTH - text.length - 1);
  return `${text} ${'.'.repeat(dots)} [${status}]`;
}

export function describeStep(s: Pick<PlanStep, 'resourceType' | 'materialized' | 'relation'>): string {
  const rel = `${s.relation.schema}.${s.relation.identifier}`;
  return s.resourceType === 'seed' ? `seed file ${rel}` : `sql ${s.materialized} model ${rel}`;
}

/** dbt-style progress lines, plus one JSON event per line with --log-format json. */
export class RunConsole {
  constructor(private readonly log: Logger, private readonly total: number) {}

  start(index: number, s: PlanStep): void {
    this.log.info(dotted(`${index} of ${this.total} START ${describeStep(s)}`, 'RUN'), 'node_start', { unique_id: s.uniqueId, index, total: this.total });
  }

  finish(index: number, s: PlanStep, r: NodeResult): void {
    const c = this.log.c;
    const data = { unique_id: s.uniqueId, index, total: this.total, status: r.status, execution_time: r.executionTime, rows_affected: r.rowsAffected ?? null };
    const t = `${r.executionTime.toFixed(2)}s`;
    if (r.status === 'success') {
      const verb = s.resourceType === 'seed' ? 'loaded' : 'created';
      const tag = s.resourceType === 'seed' && r.rowsAffected !== undefined ? `INSERT ${r.rowsAffected}` : 'OK';
      this.log.info(dotted(`${index} of ${this.total} ${c.green('OK')} ${verb} ${describeStep(s)}`, `${c.green(tag)} in ${t}`), 'node_finished', data);
    } else if (r.status === 'skipped') {
      this.log.info(dotted(`${index} of ${this.total} ${c.yellow('SKIP')} relation ${s.relation.schema}.${s.relation.identifier}`, c.yellow('SKIP')), 'node_finished', data);
    } else {
      const verb = s.resourceType === 'seed' ? 'loading' : 'creating';
      this.log.info(dotted(`${index} of ${this.total} ${c.red('ERROR')} ${verb} ${describeStep(s)}`, `${c.red('ERROR')} in ${t}`), 'node_finished', data);
    }
  }

  /** One batch (interval) of an interval-wise model: `Batch 2 of 7 OK 2024-01-02 of daily_user_panel`. */
  batch(s: PlanStep, i: number, n: number, label: string, status: 'OK' | 'ERROR', seconds: number, rows?: number): void {
    const c = this.log.c;
    const word = status === 'OK' ? c.green('OK') : c.red('ERROR');
    const tag = status === 'OK' ? c.green(rows === undefined ? 'OK' : `${rows} rows`) : c.red('ERROR');
    this.log.info(dotted(`    batch ${i} of ${n} ${word} ${label} of ${s.name}`, `${tag} in ${seconds.toFixed(2)}s`), 'batch_finished', { unique_id: s.uniqueId, batch: label, index: i, total: n, status, rows_affected: rows ?? null, execution_time: seconds });
  }

  /** A data test's result line: PASS, WARN n, FAIL n or ERROR. */
  test(index: number, r: NodeResult): void {
    const c = this.log.c;
    const t = `${r.executionTime.toFixed(2)}s`;
    const data = { unique_id: r.uniqueId, index, total: this.total, status: r.status, failures: r.failures, execution_time: r.executionTime };
    const [word, tag] =
      r.status === 'pass' ? [c.green('PASS'), c.green('PASS')]
      : r.status === 'warn' ? [c.yellow(`WARN ${r.failures ?? ''}`.trim()), c.yellow('WARN')]
      : r.status === 'fail' ? [c.red(`FAIL ${r.failures ?? ''}`.trim()), c.red('FAIL')]
      : [c.red('ERROR'), c.red('ERROR')];
    this.log.info(dotted(`${index} of ${this.total} ${word} ${r.name}`, `${tag} in ${t}`), 'test_finished', data);
  }

  testStart(index: number, name: string): void {
    this.log.info(dotted(`${index} of ${this.total} START test ${name}`, 'RUN'), 'test_start', { name, index, total: this.total });
  }

  testSkipped(index: number, name: string): void {
    this.log.info(dotted(`${index} of ${this.total} ${this.log.c.yellow('SKIP')} test ${name}`, this.log.c.yellow('SKIP')), 'test_finished', { name, index, status: 'skipped' });
  }

  summary(outcome: RunOutcome, what: string): void {
    const c = this.log.c;
    const counts = countStatuses(outcome.results);
    this.log.info('');
    this.log.info(`Finished running ${what} in ${outcome.elapsed.toFixed(2)}s.`, 'run_finished', { elapsed: outcome.elapsed });
    const failed = outcome.results.filter((r) => r.status === 'error' || r.status === 'fail');
    if (failed.length || outcome.hookErrors.length) {
      this.log.info('');
      this.log.info(c.red(`Completed with ${failed.length + outcome.hookErrors.length} error${failed.length + outcome.hookErrors.length === 1 ? '' : 's'}:`));
      for (const h of outcome.hookErrors) {
        this.log.info('');
        this.log.info(h);
      }
      for (const r of failed) {
        this.log.info('');
        const at = r.error?.line !== undefined ? `${r.error.file ?? r.path ?? ''}:${r.error.line}` : (r.path ?? '');
        this.log.info(c.red(`Failure in ${r.resourceType} ${r.name} (${at})`), 'node_error', { unique_id: r.uniqueId, error: r.error ?? null });
        for (const l of (r.error?.message ?? r.message).split('\n')) this.log.info(`  ${l}`);
        if (r.resourceType === 'test' && r.failures !== null) this.log.info(`  Got ${r.failures} failure${r.failures === 1 ? '' : 's'}${r.sample?.length ? '; first rows:' : ''}`);
        for (const row of r.sample ?? []) this.log.info(`    ${JSON.stringify(row, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))}`);
        if (r.compiledPath) this.log.info(`  compiled code at ${r.compiledPath}${r.error?.compiledLine ? `:${r.error.compiledLine}` : ''}`);
      }
    } else if (outcome.cancelled) {
      this.log.info(c.yellow('Run cancelled.'));
    } else {
      this.log.info(c.green('Completed successfully'));
    }
    for (const r of outcome.results.filter((x) => x.status === 'warn')) {
      this.log.info('');
      this.log.info(c.yellow(`Warning in test ${r.name} (${r.path ?? ''})`), 'test_warning', { unique_id: r.uniqueId, failures: r.failures });
      this.log.info(`  ${r.message}`);
      for (const row of r.sample ?? []) this.log.info(`    ${JSON.stringify(row, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))}`);
    }
    this.log.info('');
    this.log.info(
      `Done. PASS=${counts.pass} WARN=${counts.warn} ERROR=${counts.error} SKIP=${counts.skip} TOTAL=${counts.total}`,
      'run_summary',
      { ...counts },
    );
  }
}
