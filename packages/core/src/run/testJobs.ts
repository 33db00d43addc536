import type { Dialect } from '../adapter/dialect.js';
import type { Executor, Row } from '../adapter/types.js';
import type { TemplateEngine } from '../compile/templating.js';
import { fuseTests, fusedOutcomes, judgeTest, renderTestSql, testQueries, type TestOutcome } from '../test/index.js';
import { BUILTIN_TESTS, type TestNode } from '../test/types.js';

/** Where the relations a test reads are, as SQL text. */
export interface TestRelations {
  /** Relation text of a model, seed or source by uniqueId (for a model being built: its tmp relation). */
  of(uniqueId: string): string;
  ref(name: string, pkg?: string): string;
  source(source: string, table: string): string;
}

export interface TestEnv {
  dialect: Dialect;
  engine: TemplateEngine;
  context: Record<string, unknown>;
  now: Date;
}

/** One query to run: either several fused column tests of one relation, or one test. */
export type TestJob =
  | { kind: 'fused'; sql: string; fused: ReturnType<typeof fuseTests> }
  | { kind: 'single'; test: TestNode; sql: string; sampleSql?: string };

/** Built-in generic tests have their SQL generated; singular and custom generic tests are templates. */
export function isBuiltinTest(t: TestNode): boolean {
  return t.testType === 'generic' && (BUILTIN_TESTS as readonly string[]).includes(t.testName ?? '');
}

/** The failing-rows SQL of a template test (singular or custom generic), rendered against `rel`. */
export function renderedTestSql(t: TestNode, rel: TestRelations, env: TestEnv): string | undefined {
  if (isBuiltinTest(t)) return undefined;
  const relation = t.attachedNode ? rel.of(t.attachedNode) : '';
  return renderTestSql(env.engine, t, { relation, resolveRef: rel.ref, resolveSource: rel.source, context: env.context });
}

/** The SQL a test runs, for one test (rendered for singular and custom generic tests). */
function singleJob(t: TestNode, rel: TestRelations, env: TestEnv): TestJob {
  const relation = t.attachedNode ? rel.of(t.attachedNode) : '';
  const rendered = renderedTestSql(t, rel, env);
  const q = testQueries(t, { dialect: env.dialect, relation, relationOf: rel.of, now: env.now, rendered });
  return { kind: 'single', test: t, sql: q.sql, sampleSql: q.sampleSql };
}

/** Pure: the queries for a set of tests; the column tests of one relation share one scan. */
export function planTestJobs(tests: TestNode[], rel: TestRelations, env: TestEnv): TestJob[] {
  const byNode = new Map<string, TestNode[]>();
  const jobs: TestJob[] = [];
  for (const t of tests) {
    if (t.testType === 'generic' && t.attachedNode) {
      const list = byNode.get(t.attachedNode) ?? [];
      list.push(t);
      byNode.set(t.attachedNode, list);
    } else jobs.push(singleJob(t, rel, env));
  }
  for (const [node, list] of byNode) {
    const fused = fuseTests(list, rel.of(node), env.dialect);
    if (fused.sql) jobs.push({ kind: 'fused', sql: fused.sql, fused });
    for (const t of fused.rest) jobs.push(singleJob(t, rel, env));
  }
  return jobs;
}

export interface TestRun {
  test: TestNode;
  outcome: TestOutcome;
  startedAt: Date;
  completedAt: Date;
}

/**
 * Run one job and judge its tests. A failing or warning test also fetches up to `limit` failing
 * rows as its sample. A query error is the test's error, not the run's.
 */
export async function runTestJob(job: TestJob, ex: Executor, env: Pick<TestEnv, 'now'> & { single(t: TestNode): TestJob }): Promise<TestRun[]> {
  const startedAt = new Date();
  const tests = job.kind === 'fused' ? job.fused.columns.map((c) => c.test) : [job.test];
  let outcomes: TestOutcome[];
  try {
    const rows = await ex.query<Row>(job.sql);
    outcomes = job.kind === 'fused' ? fusedOutcomes(job.fused, rows[0] ?? {}) : [judgeTest(job.test, rows, env.now)];
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    outcomes = tests.map((t) => ({ uniqueId: t.uniqueId, status: 'error', failures: 0, message }));
  }
  const out: TestRun[] = [];
  for (let i = 0; i < tests.length; i++) {
    const t = tests[i]!;
    const o = outcomes.find((x) => x.uniqueId === t.uniqueId) ?? outcomes[i]!;
    if ((o.status === 'fail' || o.status === 'warn') && !o.sample) {
      // A fused test has no sample query of its own: make it only for a test that needs one.
      const own = job.kind === 'single' ? job : env.single(t);
      if (own.kind === 'single' && own.sampleSql) {
        try {
          o.sample = (await ex.query<Row>(own.sampleSql)).slice(0, 5);
        } catch {
          // The count stands; a sample is a convenience.
        }
      }
    }
    out.push({ test: t, outcome: o, startedAt, completedAt: new Date() });
  }
  return out;
}

export { singleJob };
