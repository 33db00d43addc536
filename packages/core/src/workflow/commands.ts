import { join } from 'node:path';
import { readdirSync, rmSync, type Dirent } from 'node:fs';
import type { LockHandle } from '../adapter/types.js';
import { tmpRelation } from '../adapter/dialect.js';
import { writeCompiled, writeManifest } from '../artifacts/write.js';
import { recordRunResults, reportRun, type FinishedRun } from '../ops/finish.js';
import { fileSink, type FileSink } from '../artifacts/fileSink.js';
import type { Manifest } from '../compile/manifest.js';
import { existingRelation, isIncrementalRun, relationKey, renderManifest, type Introspection } from '../compile/render.js';
import { introspect, schemasOf } from '../plan/introspect.js';
import { buildPlan, materializeContext, relationOf, type Plan, type PlanOptions } from '../plan/plan.js';
import { incrementalPublish } from '../materialize/incremental.js';
import { materialize } from '../materialize/index.js';
import { ensureState, readLayoutVersion, StateStore } from '../state/index.js';
import { isDue, nextRun } from '../schedule.js';
import { RunConsole } from '../run/console.js';
import { countStatuses, type NodeResult, type RunOutcome } from '../run/results.js';
import { runPlan } from '../run/runner.js';
import { acquireLock, type OpenProject } from './open.js';
import { deferredRelations, selectFor } from './state.js';
import { auditStep, compileTests, runTests, storeFailures, testEnv, testRelations } from './tests.js';
import { ancestors } from '../graph/graph.js';
import { testResult } from '../run/runner.js';
import type { TestNode } from '../test/types.js';
import type { ColumnInfo, RelationRef } from '../adapter/types.js';
import { TformError } from '../errors/index.js';
import type { SelectionOptions } from './options.js';
import { batchesFor, checkLifetimeModels, type BatchesContext } from './batches.js';
import { loadSources, type LoadOutcome } from './load.js';
import { renderProject, usesQueries } from './render.js';
import { printEstimates } from './dryRunCost.js';
import { checkBackfillFlags, type BackfillFlags } from '../plan/batches.js';

export type BuildCommand = 'run' | 'seed' | 'build';

export interface ExecuteOptions extends SelectionOptions {
  command: BuildCommand;
  failFast?: boolean;
  dryRun?: boolean;
  /** Wait for the run lock (default) or fail at once when it is held. */
  wait?: boolean;
  signal?: AbortSignal;
  /** Run exactly these node ids (tform retry), instead of evaluating selectors. */
  onlyIds?: string[];
  /** Read refs to unselected nodes missing from this target from the state's relations. */
  defer?: boolean;
  /** Rebuild incremental models from scratch. */
  fullRefresh?: boolean;
  /** Only models whose `schedule:` is due (by the settable clock) since their last success. */
  due?: boolean;
  /** --start/--end or --days-back: microbatch models and panels re-process exactly that range. */
  backfill?: BackfillFlags;
}

export interface ExecuteResult {
  exitCode: number;
  outcome?: RunOutcome;
  plan?: Plan;
  selected: string[];
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function foundLine(m: Manifest): string {
  const nodes = Object.values(m.nodes);
  const models = nodes.filter((n) => n.resourceType === 'model').length;
  const seeds = nodes.length - models;
  const parts = [plural(models, 'model'), plural(seeds, 'seed'), plural(Object.keys(m.tests).length, 'data test'), plural(Object.keys(m.sources).length, 'source'), plural(Object.keys(m.macros).length, 'macro')];
  return `Found ${parts.join(', ')}`;
}

function whatRan(plan: Plan, tests = 0): string {
  const counts = new Map<string, number>();
  for (const s of plan.steps) {
    const k = s.resourceType === 'seed' ? 'seed' : `${s.materialized} model`;
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  const parts = [...counts].map(([k, n]) => plural(n, k));
  if (tests) parts.push(plural(tests, 'data test'));
  const hooks = plan.onRunStart.length + plan.onRunEnd.length;
  if (hooks) parts.push(plural(hooks, 'hook'));
  return parts.join(', ') || 'nothing';
}

/** Render, then lock, introspect, plan and run the selected seeds/models; writes artifacts. */
export async function executeBuild(p: OpenProject, o: ExecuteOptions): Promise<ExecuteResult> {
  const { logger } = p.opts;
  const adapter = p.adapter!;
  const manifest = p.session.manifest;
  const resourceTypes: ('model' | 'seed')[] = o.command === 'seed' ? ['seed'] : o.command === 'run' ? ['model'] : ['model', 'seed'];
  if (o.backfill) checkBackfillFlags(o.backfill, o.fullRefresh);
  if (o.defer && !o.state) throw new TformError('FLAG_INVALID', '--defer needs --state <dir> with the manifest.json of the run to defer to', { hint: 'e.g. --defer --state prod-artifacts/' });
  // build also runs the tests of what it builds (and any other selected test).
  const withTests = o.command === 'build';
  const picked = o.onlyIds
    ? p.order.filter((id) => o.onlyIds!.includes(id))
    : selectFor(p, o, withTests ? [...resourceTypes, 'test'] : resourceTypes);
  let selected = picked.filter((id) => resourceTypes.includes(manifest.nodes[id]?.resourceType as 'model'));
  let tests = withTests ? picked.map((id) => manifest.tests[id]).filter((t): t is TestNode => t !== undefined) : [];
  logger.info(foundLine(manifest), 'found', { nodes: Object.keys(manifest.nodes).length, tests: Object.keys(manifest.tests).length });
  if (selected.length === 0 && tests.length === 0) {
    if (o.select?.length || o.exclude?.length || o.selector) logger.warn('The selection criteria did not match any nodes');
    logger.info('Nothing to do. Try checking your model configs and model specification args');
    return { exitCode: 0, selected };
  }
  // Readers may skip the lock only where the warehouse lets them share with a writer.
  const needLock = !o.dryRun || !adapter.capabilities.concurrentReaders;
  let lock: LockHandle | undefined;
  let finished: FinishedRun | undefined;
  try {
    if (needLock) lock = await acquireLock(p, o.wait ?? true);
    // The run log lives in the warehouse (tform_state). It is created just before the first
    // write, after every user error had its chance; until then it is only read.
    const store = new StateStore(adapter, p.dialect, { now: () => p.clock.now() });
    if (o.due) {
      const hasState = (await readLayoutVersion(adapter, p.dialect, store.tables)) > 0;
      selected = await dueNodes(p, store, selected, hasState);
      tests = tests.filter((t) => !t.attachedNode || selected.includes(t.attachedNode));
      if (selected.length === 0) {
        logger.info('Nothing is due.');
        return { exitCode: 0, selected };
      }
    }
    // build loads the new raw files of the external sources the selected models read first.
    const loaded = withTests && !o.dryRun ? await loadExternalParents(p, selected) : undefined;
    const rels = selected.map((id) => relationOf(manifest.nodes[id]!));
    // Parents are looked at too: --defer needs to know which of them exist in this target.
    const parents = o.defer ? selected.flatMap((id) => manifest.nodes[id]!.dependsOn.nodes).filter((id) => manifest.nodes[id]).map((id) => relationOf(manifest.nodes[id]!)) : [];
    const intro: Introspection = await introspect(adapter, schemasOf([...rels, ...rels.map((r) => tmpRelation(r, p.dialect)), ...parents]));
    const deferred = o.defer ? deferredRelations({ manifest, selected: new Set(selected), state: o.state!, introspection: intro }) : undefined;
    if (deferred?.size) {
      logger.info(`Deferring ${deferred.size} unselected node${deferred.size === 1 ? '' : 's'} to the state's relations: ${[...deferred.keys()].map((id) => manifest.nodes[id]!.name).join(', ')}`, 'defer', { nodes: [...deferred.keys()] });
    }
    const renderOpts = { dialect: p.dialect, introspection: intro, deferred, fullRefresh: o.fullRefresh };
    const renderAtRun = await renderProject(p, renderOpts, 'plan');
    checkLifetimeModels(p);
    // Incremental runs compare the new rows' columns with the existing table's.
    const columns = new Map<string, ColumnInfo[]>();
    for (const id of selected) {
      const n = manifest.nodes[id]!;
      if (isIncrementalRun(n, intro, o.fullRefresh)) columns.set(relationKey(relationOf(n)), await adapter.columns(relationOf(n)));
    }
    const targetPath = p.project.config.targetPath;
    await writeArtifacts(p, deferred);
    const planOpts: PlanOptions = { session: p.session, selected, dialect: p.dialect, capabilities: adapter.capabilities, introspection: intro, seedsFirst: o.command === 'build', tests: auditable(p, tests, new Set(selected)), fullRefresh: o.fullRefresh, columns, now: p.clock.now(), renderAtRun };
    warnRetainedReads(p, selected, intro, o.fullRefresh);
    const plan = buildPlan(planOpts);
    const batchCtx: BatchesContext = { p, plan: planOpts, store, runId: p.invocationId, backfill: o.backfill, deferred, hasState: true };
    if (o.dryRun) {
      batchCtx.hasState = (await readLayoutVersion(adapter, p.dialect, store.tables)) > 0;
      await printPlan(p, plan, batchCtx);
      return { exitCode: 0, plan, selected };
    }
    logger.info('');
    await ensureState(adapter);
    const outcome = await runPlan({
      plan,
      adapter,
      logger,
      threads: p.threads,
      failFast: o.failFast,
      signal: o.signal,
      sourceLines: (id) => {
        const n = manifest.nodes[id];
        if (!n || n.resourceType !== 'model' || n.compiledCode === undefined) return undefined;
        return { raw: n.rawCode.split('\n').length, compiled: n.compiledCode.split('\n').length };
      },
      audit: withTests ? auditStep(p, deferred) : undefined,
      publishFor: async (step) => {
        const n = manifest.nodes[step.uniqueId]!;
        const ctx = materializeContext(planOpts, n);
        return incrementalPublish(n, ctx, await adapter.columns(tmpRelation(ctx.relation, p.dialect)));
      },
      batchesFor: (step) => batchesFor(batchCtx, step),
      prepare: async (step) => {
        // run_query and statement blocks see the parents this run built: render now.
        await renderProject(p, { ...renderOpts, only: new Set([step.uniqueId]) });
        const n = manifest.nodes[step.uniqueId]!;
        const st = materialize(n, materializeContext(planOpts, n));
        Object.assign(step, { build: st.build, publish: st.publish, cleanup: st.cleanup });
        writeCompiled(p.project.root, targetPath, manifest, new Set([step.uniqueId]));
      },
      laterCount: tests.length - plan.steps.reduce((n, s) => n + s.tests.length, 0),
    });
    // Tests of nodes this run did not build (sources, singular tests, unselected parents) run last.
    const audited = new Set(plan.steps.flatMap((s) => s.tests.map((t) => t.uniqueId)));
    const later = tests.filter((t) => !audited.has(t.uniqueId));
    const total = plan.steps.length + tests.length;
    const blocked = later.filter((t) => outcome.cancelled || blockedBy(t, outcome));
    const standalone = later.filter((t) => !blocked.includes(t));
    let done = total - later.length;
    const skipCons = new RunConsole(logger, total);
    for (const t of blocked) {
      skipCons.testSkipped(++done, t.name);
      outcome.results.push(skippedTest(t, outcome.cancelled ? 'cancelled' : 'a node it reads did not build'));
    }
    if (standalone.length) outcome.results.push(...(await runTestPhase(p, standalone, deferred, done, total)));
    await recordRuns(p, store, outcome);
    // run_results.json and the run log in the warehouse, from the same entries
    await recordRunResults(p, outcome, {
      command: o.command,
      invocationId: p.invocationId,
      generatedAt: new Date().toISOString(),
      targetName: p.target.name,
      args: { select: o.select ?? [], exclude: o.exclude ?? [], threads: p.threads, fail_fast: Boolean(o.failFast), full_refresh: Boolean(o.fullRefresh) },
    });
    new RunConsole(logger, plan.steps.length).summary(outcome, whatRan(plan, tests.length));
    const counts = countStatuses(outcome.results);
    const exitCode = outcome.cancelled ? 130 : counts.error > 0 || outcome.hookErrors.length > 0 || (loaded?.exitCode ?? 0) !== 0 ? 1 : 0;
    finished = { command: o.command, items: outcome.results, hookErrors: outcome.hookErrors, loaded };
    return { exitCode, outcome, plan, selected };
  } finally {
    await lock?.release();
    // Error report and notifications once the lock is free: retries must not hold up the next run.
    if (finished) await reportRun(p, finished);
  }
}

async function printPlan(p: OpenProject, plan: Plan, batchCtx: BatchesContext): Promise<void> {
  const { logger } = p.opts;
  logger.info(`Dry run: ${plan.steps.length} step${plan.steps.length === 1 ? '' : 's'}; nothing is written to the warehouse.`, 'dry_run', { steps: plan.steps.length });
  const show = (title: string, list: { sql: string; label: string }[]) => {
    for (const s of list) logger.print(`  -- ${title}: ${s.label}\n${s.sql.replace(/^/gm, '    ')};`);
  };
  for (const s of plan.schemas) logger.print(`-- schema ${s.schema}\n    ${p.dialect.createSchema(s.schema, s.database)};`);
  show('on-run-start', plan.onRunStart);
  for (const s of plan.steps) {
    logger.print(`\n-- ${s.resourceType} ${s.name} (${s.materialized}) -> ${s.relationName}`);
    show('pre', s.pre);
    if (s.batched) {
      const batches = await batchesFor(batchCtx, s);
      logger.print(`  -- ${batches.length} batch${batches.length === 1 ? '' : 'es'}${batches.length ? `: ${batches.map((b) => b.label).join(', ')}` : ' (up to date)'}`);
      if (batches[0]) show(`build of batch ${batches[0].label}`, await batches[0].build());
      continue;
    }
    show('build', s.build);
    // Where DDL cannot be in a transaction (BigQuery), a table or view is published statement by statement.
    show(s.incremental || p.adapter?.capabilities.transactionalDdl !== false ? 'publish (one transaction)' : 'publish (in order)', s.publish);
  }
  show('on-run-end', plan.onRunEnd);
  if (p.adapter?.estimateBytes) await printEstimates(p, plan, batchCtx);
}

/** `tform compile`: render every model (with introspection when `introspect` is set) and write artifacts. */
export async function executeCompile(p: OpenProject, o: SelectionOptions & { introspect?: boolean; wait?: boolean }): Promise<{ manifest: Manifest; selected: string[] }> {
  const manifest = p.session.manifest;
  const selected = selectFor(p, o, ['model', 'seed']);
  let intro: Introspection | undefined;
  // run_query and statement blocks need the warehouse while rendering, as introspection does.
  if (o.introspect || usesQueries(p)) {
    const adapter = p.adapter!;
    const lock = adapter.capabilities.concurrentReaders ? undefined : await acquireLock(p, o.wait ?? true);
    try {
      if (o.introspect) intro = await introspect(adapter, schemasOf(selected.map((id) => relationOf(manifest.nodes[id]!))));
      await renderProject(p, { dialect: p.dialect, introspection: intro, analyses: true });
    } finally {
      await lock?.release();
    }
  } else renderManifest(p.session, { dialect: p.dialect, introspection: intro, analyses: true });
  checkLifetimeModels(p);
  await writeArtifacts(p);
  return { manifest, selected };
}

/**
 * The compiled SQL of every model and test (target/compiled), the manifest and the parse cache.
 * The many small compiled files are written by a worker thread while this one compiles the tests
 * and writes the manifest.
 */
async function writeArtifacts(p: OpenProject, deferred?: Map<string, RelationRef>): Promise<void> {
  const m = p.session.manifest;
  const background = fileSink(Object.keys(m.nodes).length + Object.keys(m.tests).length, p.session.cache);
  const written = new Set<string>();
  const sink: FileSink = {
    write: (abs, text) => {
      written.add(abs);
      background.write(abs, text);
    },
    close: () => background.close(),
  };
  try {
    writeCompiled(p.project.root, p.project.config.targetPath, m, undefined, sink);
    compileTests(p, deferred, sink);
    writeManifest(p.project.root, p.project.config.targetPath, m);
  } finally {
    await sink.close();
  }
  // what earlier compiles wrote for models and tests that are gone or renamed
  pruneFiles(join(p.project.root, p.project.config.targetPath, 'compiled', m.metadata.projectName), written);
  saveCache(p);
}

/**
 * Remove the .sql files under `dir` that are not in `keep` (absolute paths). A name that differs
 * from a kept one only in case is left alone: on a case-insensitive filesystem it is that file.
 */
function pruneFiles(dir: string, keep: Set<string>): void {
  const keepLower = new Set([...keep].map((k) => k.toLowerCase()));
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true, recursive: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const abs = join(e.parentPath, e.name);
    if (e.isFile() && e.name.endsWith('.sql') && !keep.has(abs) && !keepLower.has(abs.toLowerCase())) rmSync(abs, { force: true });
  }
}

/** Write the parse cache for the next compile, and say (in debug output) how much this one reused. */
function saveCache(p: OpenProject): void {
  const c = p.session.cache;
  if (!c) return;
  c.save();
  const s = c.stats;
  p.opts.logger.debug(
    `parse cache: reused ${s.yamlTotal !== undefined ? `${s.yamlReused} of ${s.yamlTotal} schema files, ` : ''}${s.parsedReused} of ${s.parsedTotal} parses and ${s.bodiesReused} of ${s.bodiesTotal} renders${s.discarded ? `; the previous cache was not used: ${s.discarded}` : ''}`,
    'parse_cache',
    { ...s },
  );
}

/** Run tests against published relations with the run's threads, printing a line for each. */
async function runTestPhase(p: OpenProject, tests: TestNode[], deferred: Map<string, RelationRef> | undefined, before: number, total = before + tests.length, failFast = false): Promise<NodeResult[]> {
  const rel = testRelations(p, deferred);
  const env = testEnv(p);
  const cons = new RunConsole(p.opts.logger, total);
  const out: NodeResult[] = [];
  let index = before;
  // Tests of one node share a fused scan, so they are handed out node by node.
  const groups = new Map<string, TestNode[]>();
  for (const t of tests) {
    const k = t.attachedNode ?? t.uniqueId;
    const g = groups.get(k);
    if (g) g.push(t);
    else groups.set(k, [t]);
  }
  const work = [...groups.values()];
  let stop = false;
  const worker = async () => {
    while (!stop && work.length) {
      const g = work.shift()!;
      const runs = await runTests(g, rel, env, p.adapter!);
      await storeFailures(p, runs, rel);
      for (const r of runs) {
        const nr = testResult(r);
        out.push(nr);
        cons.test(++index, nr);
        // --fail-fast: an error-severity failure stops the tests not started yet.
        if (failFast && (nr.status === 'fail' || nr.status === 'error')) stop = true;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(p.threads, work.length)) }, worker));
  for (const t of work.flat()) {
    cons.testSkipped(++index, t.name);
    out.push(skippedTest(t, 'run stopped (--fail-fast)'));
  }
  return out;
}

/** `tform test`: run the selected data tests against the published relations. */
export async function executeTest(p: OpenProject, o: SelectionOptions & { failFast?: boolean; wait?: boolean }): Promise<ExecuteResult> {
  const { logger } = p.opts;
  const manifest = p.session.manifest;
  const selected = selectFor(p, o, ['test']);
  logger.info(foundLine(manifest), 'found', { nodes: Object.keys(manifest.nodes).length, tests: Object.keys(manifest.tests).length });
  if (selected.length === 0) {
    if (o.select?.length || o.exclude?.length || o.selector) logger.warn('The selection criteria did not match any tests');
    logger.info('Nothing to do: no data tests selected.');
    return { exitCode: 0, selected };
  }
  const adapter = p.adapter!;
  const tests = selected.map((id) => manifest.tests[id]!);
  // Tests only read, except store_failures; a warehouse without concurrent readers needs the lock.
  const lock = adapter.capabilities.concurrentReaders && !tests.some((t) => t.config.storeFailures) ? undefined : await acquireLock(p, o.wait ?? true);
  let finished: FinishedRun | undefined;
  try {
    await renderProject(p, { dialect: p.dialect });
    compileTests(p);
    writeManifest(p.project.root, p.project.config.targetPath, manifest);
    logger.info('');
    const t0 = Date.now();
    const results = await runTestPhase(p, tests, undefined, 0, tests.length, o.failFast);
    const outcome: RunOutcome = { results, elapsed: (Date.now() - t0) / 1000, hookErrors: [], cancelled: false };
    // run_results.json and the run log in the warehouse, from the same entries
    await recordRunResults(p, outcome, {
      command: 'test',
      invocationId: p.invocationId,
      generatedAt: new Date().toISOString(),
      targetName: p.target.name,
      args: { select: o.select ?? [], exclude: o.exclude ?? [], threads: p.threads },
    });
    new RunConsole(logger, results.length).summary(outcome, plural(results.length, 'data test'));
    const counts = countStatuses(results);
    finished = { command: 'test', items: results };
    return { exitCode: counts.error > 0 ? 1 : 0, outcome, selected };
  } finally {
    await lock?.release();
    if (finished) await reportRun(p, finished);
  }
}

/**
 * Tests that can gate their node's publication: those whose other inputs are either not built by
 * this run or built before the node (its ancestors). A test that also reads a node built later
 * in this run (a relationships test towards a downstream model) runs after both are published.
 */
function auditable(p: OpenProject, tests: TestNode[], built: Set<string>): TestNode[] {
  return tests.filter((t) => {
    if (!t.attachedNode || !built.has(t.attachedNode)) return false;
    const others = t.dependsOn.nodes.filter((id) => id !== t.attachedNode && built.has(id));
    if (!others.length) return true;
    const before = ancestors(p.graph, t.attachedNode);
    return others.every((id) => before.has(id));
  });
}

/** A test is not run when a node it reads failed or was skipped in this run. */
function blockedBy(t: TestNode, outcome: RunOutcome): boolean {
  return outcome.results.some((r) => t.dependsOn.nodes.includes(r.uniqueId) && (r.status === 'error' || r.status === 'skipped'));
}

function skippedTest(t: TestNode, why: string): NodeResult {
  return { uniqueId: t.uniqueId, name: t.name, resourceType: 'test', status: 'skipped', message: `SKIP: ${why}`, executionTime: 0, failures: null, path: t.path, attachedNode: t.attachedNode };
}

/** `tform load` of the external sources the selected nodes read (a file that fails does not stop the build; the run exits 1). */
async function loadExternalParents(p: OpenProject, selected: string[]): Promise<LoadOutcome | undefined> {
  const m = p.session.manifest;
  const ids = [...new Set(selected.flatMap((id) => m.nodes[id]!.dependsOn.nodes))].filter((id) => m.sources[id]?.external);
  if (!ids.length) return undefined;
  const out = await loadSources(p, { select: ids.map((id) => `source:${m.sources[id]!.sourceName}.${m.sources[id]!.name}`) });
  if (out.exitCode !== 0) p.opts.logger.warn('Some raw files did not load; the models are built from what is loaded, and the next run retries those files.');
  return out;
}

/** Selected models that are due by their `schedule:`; unscheduled models never are. */
async function dueNodes(p: OpenProject, store: StateStore, selected: string[], hasState: boolean): Promise<string[]> {
  const { logger } = p.opts;
  const now = p.clock.now();
  const due: string[] = [];
  const waiting: string[] = [];
  for (const id of selected) {
    const n = p.session.manifest.nodes[id]!;
    const expr = n.config.schedule as string | undefined;
    if (!expr) continue;
    // Without a state schema nothing has run yet: everything scheduled is due.
    const last = hasState ? await store.lastSuccess(id) : undefined;
    const lastAt = last ? (last.endedAt ?? last.startedAt) : undefined;
    if (isDue(expr, lastAt, now)) due.push(id);
    else waiting.push(`${n.name} (next ${nextRun(expr, lastAt!).toISOString()})`);
  }
  logger.info(`Due at ${now.toISOString()}: ${due.map((id) => p.session.manifest.nodes[id]!.name).join(', ') || 'none'}${waiting.length ? `; not yet: ${waiting.join(', ')}` : ''}`, 'due', { due, now: now.toISOString() });
  return due;
}

/** One run-log row per built node, at the settable clock's time, for --due and monitoring. */
async function recordRuns(p: OpenProject, store: StateStore, outcome: RunOutcome): Promise<void> {
  const fixed = p.clock.fixed ? p.clock.now() : undefined;
  for (const r of outcome.results) {
    if (r.resourceType !== 'model' && r.resourceType !== 'seed') continue;
    const status = r.status === 'success' ? 'success' : r.status === 'skipped' ? 'skipped' : 'error';
    await store.recordRun({
      runId: p.invocationId,
      modelId: r.uniqueId,
      startedAt: fixed ?? new Date(r.startedAt ?? Date.now()),
      endedAt: fixed ?? (r.completedAt ? new Date(r.completedAt) : undefined),
      status,
      rowsAffected: r.rowsAffected,
      message: r.message.slice(0, 2000),
    });
  }
}

/**
 * A model rebuilt from scratch that reads a retained model gets only the history that model
 * still keeps. Say so: panels and other lifetime models should read a model that keeps
 * everything (the daily panel), not retained staging.
 */
function warnRetainedReads(p: OpenProject, selected: string[], intro: Introspection, fullRefresh?: boolean): void {
  const m = p.session.manifest;
  for (const id of selected) {
    const n = m.nodes[id]!;
    if (n.materialized !== 'incremental') continue;
    const rebuild = fullRefresh || existingRelation(intro, relationOf(n)) === undefined;
    if (!rebuild) continue;
    for (const pid of n.dependsOn.nodes) {
      const parent = m.nodes[pid];
      if (parent?.config.retention) {
        p.opts.logger.warn(`${n.name} is rebuilt from scratch and reads ${parent.name}, which keeps only ${String(parent.config.retention)} of history: older data will be missing from ${n.name}`);
      }
    }
  }
}
