import { TformError, closest } from '../errors/index.js';
import { configFromTree } from '../project/configTree.js';
import type { SourceFile } from '../project/load.js';
import { parseModel } from '../compile/parse.js';
import { callLine } from '../compile/scope.js';
import type { TemplateEngine } from '../compile/templating.js';
import { configLayer, mergeTestConfig } from './config.js';
import type { DeclareContext } from './declare.js';
import type { TestNode } from './types.js';

/**
 * Singular tests: every `.sql` file under test-paths except those under `generic/` is a query
 * returning failing rows, rendered like a model (ref, source, var, macros, `config()` work). Its
 * name is the file name; `{{ config(severity='warn', warn_if='>10', …) }}` sets its config over the
 * project file's `data_tests:` tree.
 */

/** Whether a file found under test-paths is a singular test (not a custom generic test definition). */
export function isSingularTestFile(file: Pick<SourceFile, 'folders'>): boolean {
  return file.folders[0] !== 'generic';
}

/**
 * The TestNode of a singular test file: parses it (parse mode: ref/source/config calls are recorded,
 * nothing resolved) and resolves its refs and sources to node ids; an unknown one is a TformError at
 * its line with a did-you-mean hint. Undefined when the test is disabled (`enabled=false`).
 */
export function singularTest(file: SourceFile, engine: TemplateEngine, context: Record<string, unknown>, ctx: DeclareContext): TestNode | undefined {
  const parsed = parseModel(file, engine, context);
  const deps: string[] = [];
  for (const r of parsed.refs) {
    const id = !r.package || r.package === ctx.projectName ? ctx.refs.get(r.name) : undefined;
    if (!id) {
      const near = closest(r.name, ctx.refs.keys());
      throw new TformError('REF_UNKNOWN', ctx.disabledRefs?.has(r.name) ? `ref('${r.name}') points to a disabled model` : `ref('${r.name}') does not match any model or seed`, {
        file: file.path,
        line: r.line,
        hint: near ? `did you mean ref('${near}')?` : 'ref takes a model file name without .sql, or a seed name',
      });
    }
    if (!deps.includes(id)) deps.push(id);
  }
  for (const s of parsed.sources) {
    const id = ctx.sources.get(`${s.source}.${s.table}`);
    if (!id) {
      const near = closest(`${s.source}.${s.table}`, ctx.sources.keys());
      throw new TformError('SOURCE_UNKNOWN', `source('${s.source}', '${s.table}') is not declared`, {
        file: file.path,
        line: s.line,
        hint: near ? `did you mean source('${near.replace('.', "', '")}')?` : 'declare it under sources: in a schema .yml file',
      });
    }
    if (!deps.includes(id)) deps.push(id);
  }
  const pc = ctx.projectConfig;
  const tree = pc ? configLayer(configFromTree(pc.tree, ctx.projectName, file.folders, file.stem), () => ({ file: pc.file, line: pc.line?.() }), false) : {};
  const own = configLayer(parsed.fileConfig, () => ({ file: file.path, line: callLine(file.raw, 'config', []) }));
  const config = mergeTestConfig([tree, own]);
  if (!config.enabled) return undefined;
  return {
    uniqueId: `test.${ctx.projectName}.${file.stem}`,
    resourceType: 'test',
    testType: 'singular',
    name: file.stem,
    path: file.path,
    line: 1,
    kwargs: {},
    config,
    tags: config.tags,
    dependsOn: { nodes: deps, macros: parsed.macros.map((m) => `macro.${ctx.projectName}.${m}`) },
    rawCode: file.raw,
  };
}
