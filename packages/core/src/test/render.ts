import type { TemplateEngine } from '../compile/templating.js';
import { newScope } from '../compile/scope.js';
import { parseRelationTarget } from './builtinArgs.js';
import { filteredRelation } from './builtinSql.js';
import { TEST_MACRO_PREFIX } from './generic.js';
import type { TestNode } from './types.js';

/** What rendering a singular or custom generic test needs from the runner. */
export interface TestRenderEnv {
  /** Relation text of the tested node (custom generic tests' `model`): published or `__tform_tmp`. */
  relation?: string;
  /** Relation text for `ref(name)` / `ref(package, name)`. */
  resolveRef(name: string, pkg?: string): string;
  /** Relation text for `source(source, table)`. */
  resolveSource(source: string, table: string): string;
  /** Template context (target, run_started_at, …: compile's baseContext). */
  context?: Record<string, unknown>;
}

/**
 * The failing-rows SQL of a singular test (its file rendered like a model) or of a custom generic
 * test (its `test_<name>` macro called with `model` = the tested relation, filtered by `where`,
 * `column_name` and the declared arguments; arguments written as `ref('x')` / `source('s', 't')`
 * are passed as those relations). Built-in tests have no template: see testQueries().
 */
export function renderTestSql(engine: TemplateEngine, test: TestNode, env: TestRenderEnv): string {
  const scope = (raw: string) =>
    newScope({
      mode: 'compile',
      file: test.path,
      raw,
      context: { ...(env.context ?? {}), model: { name: test.name, path: test.path, unique_id: test.uniqueId, config: test.config } },
      resolvedConfig: test.config as unknown as Record<string, unknown>,
      resolveRef: (name, pkg) => env.resolveRef(name, pkg),
      resolveSource: (s, t) => env.resolveSource(s, t),
    });
  if (test.testType === 'singular') {
    if (test.rawCode === undefined) throw new Error(`singular test ${test.name} has no SQL`);
    return engine.render(test.rawCode, test.path, scope(test.rawCode)).trim();
  }
  if (env.relation === undefined) throw new Error(`custom test ${test.name} needs the tested relation`);
  const kwargs: Record<string, unknown> = { __keywords: true };
  for (const [k, v] of Object.entries(test.kwargs)) {
    const target = typeof v === 'string' ? parseRelationTarget(v) : undefined;
    kwargs[k] = !target ? v : target.kind === 'ref' ? env.resolveRef(target.name, target.package) : env.resolveSource(target.source, target.table);
  }
  kwargs.model = filteredRelation(env.relation, test.config.where);
  if (test.columnName !== undefined) kwargs.column_name = test.columnName;
  return engine.callMacro(TEST_MACRO_PREFIX + test.testName, [kwargs], scope('')).trim();
}
