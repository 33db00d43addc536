/**
 * Data tests as plain data. A test is declared in schema YAML (generic: not_null, unique, …, or a
 * project's own `{% test name(model, column_name, …) %}`) or written as a SQL file under
 * test-paths (singular). Every test compiles to a query whose failure count decides the result.
 */

export type Severity = 'error' | 'warn';

/** `warn_if` / `error_if`: a comparison on the failure count, as dbt spells it (">0", ">=10", "!=0"). */
export interface Threshold {
  op: '>' | '>=' | '<' | '<=' | '=' | '==' | '!=' | '<>';
  value: number;
}

export interface TestConfig {
  severity: Severity;
  warnIf: Threshold;
  errorIf: Threshold;
  /** SQL predicate applied to the tested relation before testing. */
  where?: string;
  /** Max failing rows stored / sampled. */
  limit?: number;
  storeFailures: boolean;
  tags: string[];
  enabled: boolean;
  meta: Record<string, unknown>;
}

export interface TestNode {
  /** `test.<project>.<name>` where name is e.g. `not_null_orders_order_id` (deduplicated with a hash when needed). */
  uniqueId: string;
  resourceType: 'test';
  testType: 'generic' | 'singular';
  /** Name shown in output and used for selection. */
  name: string;
  /** Generic test name (`not_null`, `unique`, `accepted_values`, `relationships`, `expression`, `row_count`, `freshness`, `percent_change`, or a custom one); undefined for singular tests. */
  testName?: string;
  /** Where it was declared: YAML file (generic) or SQL file (singular), relative to the project root. */
  path: string;
  line?: number;
  /** The model/seed/source it tests (uniqueId), for generic tests. */
  attachedNode?: string;
  columnName?: string;
  /** Arguments besides model and column_name (values, to, field, min, max, threshold_percent, …). */
  kwargs: Record<string, unknown>;
  config: TestConfig;
  tags: string[];
  /** Models, seeds and sources the test reads (the attached node first). */
  dependsOn: { nodes: string[]; macros: string[] };
  /** Raw SQL of a singular test, or of a custom generic test's body (a template). */
  rawCode?: string;
  compiledCode?: string;
  compiledPath?: string;
}

/** The result of running one test. */
export interface TestOutcome {
  uniqueId: string;
  status: 'pass' | 'warn' | 'fail' | 'error';
  failures: number;
  message: string;
  /** Up to 5 failing rows, for the console and run_results. */
  sample?: Record<string, unknown>[];
  /** Things the user should know that did not decide the status (e.g. a period not judged). */
  warnings?: string[];
}

/** The built-in generic tests. */
export const BUILTIN_TESTS = ['not_null', 'unique', 'accepted_values', 'relationships', 'expression', 'row_count', 'freshness', 'percent_change'] as const;
export type BuiltinTestName = (typeof BUILTIN_TESTS)[number];

/** A time span of `warn_after` / `error_after`. */
export interface Period {
  count: number;
  period: 'minute' | 'hour' | 'day';
}

/** kwargs of a `freshness` test, validated. */
export interface FreshnessArgs {
  loadedAtField: string;
  warnAfter?: Period;
  errorAfter?: Period;
}

/** kwargs of a `percent_change` test, validated (the `where` is the test config's). */
export interface PercentChangeArgs {
  /** Aggregate SQL expression; `count(*)` by default. */
  metric: string;
  timeColumn: string;
  grain: 'hour' | 'day';
  compareTo: 'previous' | 'average';
  /** Baseline periods averaged when compareTo is 'average' (1 for 'previous'). */
  periods: number;
  thresholdPercent: number;
  direction: 'up' | 'down' | 'both';
  minRows: number;
  /** Complete periods judged, the latest first. */
  periodsChecked: number;
}
