import { join } from 'node:path';
import { syncSink, type FileSink } from '../artifacts/fileSink.js';
import { tmpRelation } from '../adapter/dialect.js';
import type { Executor, RelationRef } from '../adapter/types.js';
import { redact } from '../log/secrets.js';
import { relationOf, type PlanStep } from '../plan/plan.js';
import { planTestJobs, renderedTestSql, runTestJob, singleJob, type TestEnv, type TestJob, type TestRelations, type TestRun } from '../run/testJobs.js';
import { testQueries } from '../test/index.js';
import type { TestNode } from '../test/types.js';
import type { OpenProject } from './open.js';

/** Relation text of every node the tests may read: published (or deferred) relations. */
export function testRelations(p: OpenProject, deferred?: Map<string, RelationRef>, overrides: Map<string, string> = new Map()): TestRelations {
  const m = p.session.manifest;
  const text = (id: string): string => {
    const o = overrides.get(id);
    if (o) return o;
    const d = deferred?.get(id);
    if (d) return p.dialect.relation(d);
    const n = m.nodes[id];
    if (n) return n.relationName;
    const s = m.sources[id];
    if (s) return s.relationName;
    throw new Error(`internal: no relation for ${id}`);
  };
  const byName = new Map(Object.values(m.nodes).map((n) => [n.name, n.uniqueId]));
  return {
    of: text,
    ref: (name) => text(byName.get(name)!),
    source: (s, t) => text(`source.${m.metadata.projectName}.${s}.${t}`),
  };
}

export function testEnv(p: OpenProject): TestEnv {
  return { dialect: p.dialect, engine: p.session.engine, context: p.session.context, now: p.clock.now() };
}

/** Compile every test's query against the published relations (manifest and target/compiled). */
export function compileTests(p: OpenProject, deferred?: Map<string, RelationRef>, sink: FileSink = syncSink()): void {
  const m = p.session.manifest;
  const rel = testRelations(p, deferred);
  const env = testEnv(p);
  const dir = join(p.project.root, p.project.config.targetPath, 'compiled', m.metadata.projectName, 'tests');
  for (const t of Object.values(m.tests)) {
    const job = singleJob(t, rel, env) as Extract<TestJob, { kind: 'single' }>;
    t.compiledCode = job.sql;
    t.compiledPath = `${p.project.config.targetPath}/compiled/${m.metadata.projectName}/tests/${t.name}.sql`;
    sink.write(join(dir, `${t.name}.sql`), redact(job.sql.replace(/\s*$/, '\n')));
  }
}

/** Run tests on one executor, each job in turn; `relations` says where each node is. */
export async function runTests(tests: TestNode[], relations: TestRelations, env: TestEnv, ex: Executor): Promise<TestRun[]> {
  const out: TestRun[] = [];
  for (const job of planTestJobs(tests, relations, env)) {
    out.push(...(await runTestJob(job, ex, { now: env.now, single: (t) => singleJob(t, relations, env) })));
  }
  return out;
}

/**
 * The write–audit–publish check of a build step: its tests read the step's temporary relation
 * (and the published relations of anything else they read).
 */
export function auditStep(p: OpenProject, deferred?: Map<string, RelationRef>) {
  return async (step: PlanStep, ex: Executor, inPlace: boolean): Promise<TestRun[]> => {
    const tmp = p.dialect.relation(tmpRelation(relationOf(p.session.manifest.nodes[step.uniqueId]!), p.dialect));
    const rel = testRelations(p, deferred, inPlace ? new Map() : new Map([[step.uniqueId, tmp]]));
    const runs = await runTests(step.tests, rel, testEnv(p), ex);
    // Failing rows are kept outside the step's transaction, so a rollback does not lose them.
    if (!inPlace) await storeFailures(p, runs, rel);
    return runs;
  };
}

/** Schema that `store_failures` writes into: `<target schema>_tform_failures`. */
export function failuresSchema(p: OpenProject): string {
  return `${p.target.schema}_tform_failures`;
}

/**
 * `store_failures: true`: the failing rows of a test that failed or warned go to a table named
 * after the test in `<schema>_tform_failures`, replacing the previous run's.
 */
export async function storeFailures(p: OpenProject, runs: TestRun[], rel: TestRelations): Promise<void> {
  const env = testEnv(p);
  const due = runs.filter((r) => r.test.config.storeFailures && (r.outcome.status === 'fail' || r.outcome.status === 'warn'));
  if (!due.length) return;
  const d = p.dialect;
  const adapter = p.adapter!;
  await adapter.execute(d.createSchema(failuresSchema(p), p.target.database));
  for (const r of due) {
    const all = { ...r.test, config: { ...r.test.config, limit: 2_147_483_647 } };
    const relation = r.test.attachedNode ? rel.of(r.test.attachedNode) : '';
    const q = testQueries(all, { dialect: d, relation, relationOf: rel.of, now: env.now, rendered: renderedTestSql(r.test, rel, env) });
    if (!q.sampleSql) continue;
    const target = { database: p.target.database, schema: failuresSchema(p), identifier: r.test.name };
    const existing = await adapter.listRelations(target.schema, target.database);
    await adapter.transaction(async (tx) => {
      if (existing.some((e) => e.identifier.toLowerCase() === target.identifier.toLowerCase())) await tx.execute(d.dropRelation(target, 'table'));
      await tx.execute(d.createTableAs(target, q.sampleSql!));
    });
  }
}
