import type { TestConfig, TestNode, TestOutcome, Threshold } from './types.js';

const THRESHOLD_RE = /^\s*(>=|<=|!=|<>|==|=|>|<)\s*(-?\d+(?:\.\d+)?)\s*$/;

/** dbt's default for both `warn_if` and `error_if`: any failure counts. */
export const DEFAULT_THRESHOLD: Threshold = { op: '!=', value: 0 };

/** Parse `">10"`, `">= 1"`, `"!=0"`; undefined when the text is not a comparison with a number. */
export function parseThreshold(text: unknown): Threshold | undefined {
  if (typeof text !== 'string') return undefined;
  const m = THRESHOLD_RE.exec(text);
  if (!m) return undefined;
  return { op: m[1] as Threshold['op'], value: Number(m[2]) };
}

export function formatThreshold(t: Threshold): string {
  return `${t.op}${t.value}`;
}

/** Whether `failures` satisfies the comparison (`failures <op> value`). */
export function thresholdMatches(t: Threshold, failures: number): boolean {
  switch (t.op) {
    case '>':
      return failures > t.value;
    case '>=':
      return failures >= t.value;
    case '<':
      return failures < t.value;
    case '<=':
      return failures <= t.value;
    case '=':
    case '==':
      return failures === t.value;
    case '!=':
    case '<>':
      return failures !== t.value;
  }
}

/**
 * The status for a failure count, exactly as dbt decides it:
 *
 * | severity | error_if matches | warn_if matches | status |
 * |----------|------------------|-----------------|--------|
 * | error    | yes              | any             | fail   |
 * | error    | no               | yes             | warn   |
 * | error    | no               | no              | pass   |
 * | warn     | (ignored)        | yes             | warn   |
 * | warn     | (ignored)        | no              | pass   |
 */
export function statusFor(config: Pick<TestConfig, 'severity' | 'warnIf' | 'errorIf'>, failures: number): 'pass' | 'warn' | 'fail' {
  if (config.severity === 'error' && thresholdMatches(config.errorIf, failures)) return 'fail';
  if (thresholdMatches(config.warnIf, failures)) return 'warn';
  return 'pass';
}

/** The outcome of a test from its failure count (already capped at `limit`, see cappedFailures). */
export function outcomeFor(test: Pick<TestNode, 'uniqueId' | 'config'>, failures: number): TestOutcome {
  const status = statusFor(test.config, failures);
  const noun = failures === 1 ? 'failure' : 'failures';
  const message =
    status === 'pass'
      ? failures === 0
        ? 'pass'
        : `${failures} ${noun}, below the thresholds (warn_if ${formatThreshold(test.config.warnIf)}, error_if ${formatThreshold(test.config.errorIf)})`
      : `${failures} ${noun} (${status === 'fail' ? `error_if ${formatThreshold(test.config.errorIf)}` : `warn_if ${formatThreshold(test.config.warnIf)}`})`;
  return { uniqueId: test.uniqueId, status, failures, message };
}

/**
 * The failure count of a result value (bigint, number or numeric text), capped at the test's
 * `limit` like dbt, whose count query reads at most `limit` failing rows.
 */
export function cappedFailures(config: Pick<TestConfig, 'limit'>, raw: unknown): number {
  const n = raw === null || raw === undefined ? 0 : Number(raw);
  if (!Number.isFinite(n)) throw new Error(`failure count is not a number: ${String(raw)}`);
  return config.limit !== undefined ? Math.min(n, config.limit) : n;
}
