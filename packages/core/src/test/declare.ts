import { TformError, closest, type ErrorLocation } from '../errors/index.js';
import { configFromTree, type ConfigTree } from '../project/configTree.js';
import { testPositions, type NodePatch, type SourceSpec, type SourceTableSpec } from '../project/schemaYaml.js';
import { isPlainObject, parseYaml, yamlLocator } from '../project/yaml.js';
import { BUILTIN_ALIASES, BUILTIN_ARGS, checkBuiltinArgs, parseRelationTarget, relationshipsArgs, type ArgLocator } from './builtinArgs.js';
import { TEST_CONFIG_KEYS, configLayer, mergeTestConfig, type TestConfigLayer } from './config.js';
import type { GenericTestDef } from './generic.js';
import { dedupeTests, generatedTestName } from './naming.js';
import { BUILTIN_TESTS, type BuiltinTestName, type TestNode } from './types.js';

/**
 * Generic test declarations of schema YAML → TestNode[]. Every form dbt reads:
 *
 *     tests:                                  # or data_tests:
 *       - not_null                            # a name
 *       - accepted_values:                    # arguments inline, config keys beside them
 *           values: [a, b]
 *           quote: false
 *           severity: warn                    # (legacy: config keys among the arguments)
 *           config: {where: "x > 0"}
 *       - accepted_values:                    # dbt 1.10: arguments under `arguments:`
 *           name: status_is_known             # custom test name
 *           arguments: {values: [a, b]}
 *           config: {severity: warn, warn_if: ">10"}
 *       - name: status_is_known               # `test_name:` form
 *         test_name: accepted_values
 *         values: [a, b]
 *
 * Config is merged over the project file's `data_tests:` / `tests:` tree (by the YAML file's
 * folders, like models). Disabled tests (`enabled: false`) are left out. Problems are TformErrors
 * at the YAML file and line of the offending key, found only then (positions are parsed lazily).
 */

export interface ProjectTestConfig {
  /** The `data_tests:` (or `tests:`) tree of the project file. */
  tree: ConfigTree;
  /** The project file, for errors. */
  file: string;
  /** Line of the tree in the project file (computed on demand). */
  line?: () => number | undefined;
}

export interface DeclareContext {
  projectName: string;
  /** Enabled models and seeds by name (what ref() reaches) → uniqueId. */
  refs: ReadonlyMap<string, string>;
  /** Names of disabled models and seeds, for a clearer error. */
  disabledRefs?: ReadonlySet<string>;
  /** Declared source tables, `<source>.<table>` → uniqueId. */
  sources: ReadonlyMap<string, string>;
  /** The project's custom generic tests by name (genericTestDefs / loadGenericTests). */
  generics?: ReadonlyMap<string, GenericTestDef>;
  projectConfig?: ProjectTestConfig;
  /**
   * Native rendering of a Jinja string among a test's arguments or config (`values: "{{
   * var('statuses') }}"` becomes the list); without it such strings stay as written.
   */
  renderValue?: (text: string, file: string) => unknown;
  /** Folders of a schema file for the config tree; default: its directory without the first part (`models/a/b.yml` → [a]). */
  foldersOf?: (file: string) => string[];
}

/** What the declarations of one list are attached to. */
interface Target {
  uniqueId: string;
  /** Name used in generated test names: the model or seed, or `<source>_<table>`. */
  name: string;
  /** `source_` for source tables (dbt's prefix), else ''. */
  prefix: string;
  file: string;
}

const META_KEYS = new Set(['name', 'config', 'column_name', 'description', 'arguments', 'test_name']);
const CONFIG_KEY_SET = new Set<string>([...TEST_CONFIG_KEYS, 'store_failures_as', 'database', 'schema', 'alias']);

function defaultFolders(file: string): string[] {
  return file.split('/').slice(1, -1);
}

/** Set `line` as a non-enumerable getter: computing it parses YAML positions, so only when read. */
function lazyLine(node: TestNode, get: () => number | undefined): TestNode {
  Object.defineProperty(node, 'line', { enumerable: false, configurable: true, get });
  return node;
}

function resolveTestName(raw: string, ctx: DeclareContext): { builtin?: BuiltinTestName; generic?: GenericTestDef } | undefined {
  const alias = BUILTIN_ALIASES[raw];
  if (alias) return { builtin: alias };
  if ((BUILTIN_TESTS as readonly string[]).includes(raw)) return { builtin: raw as BuiltinTestName };
  const dot = raw.indexOf('.');
  const bare = dot >= 0 && raw.slice(0, dot) === ctx.projectName ? raw.slice(dot + 1) : raw;
  const g = ctx.generics?.get(bare);
  return g ? { generic: g } : undefined;
}

function unknownTest(name: string, ctx: DeclareContext, at: ErrorLocation): never {
  const all = [...BUILTIN_TESTS, ...(ctx.generics?.keys() ?? [])];
  const near = closest(name, all);
  throw new TformError('CONFIG_INVALID', `unknown test '${name}'`, {
    ...at,
    hint: `${near ? `did you mean '${near}'? ` : ''}built-in tests: ${BUILTIN_TESTS.join(', ')}; a custom generic test is defined in tests/generic/<name>.sql as {% test ${name}(model, column_name) %} … {% endtest %}`,
  });
}

/** Resolve `ref('x')` / `source('s', 't')` text to a node id, or a TformError at `where()` (called only then). */
export function resolveRelationArg(text: string, ctx: DeclareContext, where: () => ErrorLocation, what: string): string {
  const at = () => where();
  const t = parseRelationTarget(text);
  if (!t) {
    throw new TformError('CONFIG_INVALID', `${what} must be ref('<model or seed>') or source('<source>', '<table>'), got ${JSON.stringify(text)}`, {
      ...at(),
      hint: "e.g. to: ref('customers')",
    });
  }
  if (t.kind === 'ref') {
    const id = !t.package || t.package === ctx.projectName ? ctx.refs.get(t.name) : undefined;
    if (id) return id;
    if (ctx.disabledRefs?.has(t.name)) throw new TformError('REF_UNKNOWN', `${what}: ref('${t.name}') points to a disabled model`, { ...at(), hint: `enable ${t.name}, or disable this test` });
    const near = closest(t.name, ctx.refs.keys());
    throw new TformError('REF_UNKNOWN', `${what}: ref('${t.package ? `${t.package}', '` : ''}${t.name}') does not match any model or seed`, {
      ...at(),
      hint: near ? `did you mean ref('${near}')?` : 'ref takes a model file name without .sql, or a seed name',
    });
  }
  const id = ctx.sources.get(`${t.source}.${t.table}`);
  if (id) return id;
  const keys = [...ctx.sources.keys()];
  const sameSource = keys.filter((k) => k.startsWith(`${t.source}.`)).map((k) => k.slice(t.source.length + 1));
  const near = sameSource.length ? closest(t.table, sameSource) : closest(t.source, new Set(keys.map((k) => k.split('.')[0]!)));
  throw new TformError('SOURCE_UNKNOWN', `${what}: source('${t.source}', '${t.table}') is not declared`, {
    ...at(),
    hint: near ? (sameSource.length ? `did you mean source('${t.source}', '${near}')?` : `did you mean source('${near}', …)?`) : 'declare it under sources: in a schema .yml file',
  });
}

interface RawDecl {
  testName: string;
  /** Path of the test's body inside the declaration (for error lines). */
  base: (string | number)[];
  args: Record<string, unknown>;
  argsBase: (string | number)[];
  customName?: string;
  columnName?: string;
  inlineConfig: Record<string, unknown>;
  config: Record<string, unknown>;
}

/** Split one raw declaration into name, arguments and config (both dbt forms). */
function splitDeclaration(raw: unknown, at: (sub?: (string | number)[]) => ErrorLocation): RawDecl {
  if (typeof raw === 'string') {
    if (!raw.trim()) throw new TformError('CONFIG_INVALID', 'empty test name', { ...at(), hint: 'e.g. - not_null' });
    return { testName: raw.trim(), base: [], args: {}, argsBase: [], inlineConfig: {}, config: {} };
  }
  if (!isPlainObject(raw)) {
    throw new TformError('CONFIG_INVALID', `a test must be a name or a mapping, got ${JSON.stringify(raw)}`, { ...at(), hint: 'e.g. - not_null, or - accepted_values: {values: [a, b]}' });
  }
  let testName: unknown;
  let body: unknown;
  let base: (string | number)[];
  if ('test_name' in raw) {
    testName = raw.test_name;
    body = raw;
    base = [];
  } else {
    const keys = Object.keys(raw);
    if (keys.length !== 1) {
      throw new TformError('CONFIG_INVALID', `a test is one name with its arguments, got keys ${keys.map((k) => `'${k}'`).join(', ')}`, {
        ...at(),
        hint: 'indent the arguments under the test name, e.g. - accepted_values: {values: [a, b]}',
      });
    }
    testName = keys[0];
    body = raw[keys[0]!] ?? {};
    base = [keys[0]!];
  }
  if (typeof testName !== 'string' || !testName.trim()) throw new TformError('CONFIG_INVALID', `test name must be a string, got ${JSON.stringify(testName)}`, { ...at(base), hint: 'e.g. test_name: unique' });
  if (!isPlainObject(body)) {
    throw new TformError('CONFIG_INVALID', `the arguments of test '${testName}' must be a mapping, got ${JSON.stringify(body)}`, {
      ...at(base),
      hint: `e.g. - ${testName}: {values: [a, b]}`,
    });
  }
  const config = body.config ?? {};
  if (!isPlainObject(config)) throw new TformError('CONFIG_INVALID', `'config' of test '${testName}' must be a mapping`, { ...at([...base, 'config']), hint: 'e.g. config: {severity: warn}' });
  const customName = body.name;
  if (customName !== undefined && (typeof customName !== 'string' || !/^[A-Za-z0-9_]+$/.test(customName))) {
    throw new TformError('CONFIG_INVALID', `test name ${JSON.stringify(customName)} must be letters, digits and underscores`, { ...at([...base, 'name']), hint: 'e.g. name: orders_status_known' });
  }
  const columnName = body.column_name;
  if (columnName !== undefined && (typeof columnName !== 'string' || !columnName.trim())) {
    throw new TformError('CONFIG_INVALID', `'column_name' must be a column name or SQL expression`, { ...at([...base, 'column_name']), hint: 'e.g. column_name: order_id' });
  }
  const inlineConfig: Record<string, unknown> = {};
  let args: Record<string, unknown> = {};
  let argsBase = base;
  if (body.arguments !== undefined) {
    if (!isPlainObject(body.arguments)) throw new TformError('CONFIG_INVALID', `'arguments' of test '${testName}' must be a mapping`, { ...at([...base, 'arguments']), hint: 'e.g. arguments: {values: [a, b]}' });
    args = { ...body.arguments };
    argsBase = [...base, 'arguments'];
    for (const [k, v] of Object.entries(body)) {
      if (META_KEYS.has(k)) continue;
      if (CONFIG_KEY_SET.has(k)) inlineConfig[k] = v;
      else {
        throw new TformError('CONFIG_INVALID', `test '${testName}': '${k}' must go under 'arguments:' (or 'config:')`, {
          ...at([...base, k]),
          hint: 'with arguments: every argument of the test goes under it',
        });
      }
    }
  } else {
    for (const [k, v] of Object.entries(body)) {
      if (META_KEYS.has(k)) continue;
      if (CONFIG_KEY_SET.has(k)) inlineConfig[k] = v;
      else args[k] = v;
    }
  }
  return { testName: testName.trim(), base, args, argsBase, customName, columnName: columnName as string | undefined, inlineConfig, config };
}

/** dbt renders a bare `var(...)`, `env_var(...)` or `doc(...)` argument as if it were in `{{ }}`. */
const LOOKS_LIKE_CALL = /^\s*(env_var|var|doc)\s*\(.+\)\s*$/s;

/**
 * Render the Jinja in test arguments and config values (deeply, as dbt does), each at its own
 * YAML line when it fails. `ref()`/`source()` text is left for the relation handling.
 */
function renderDeep(v: unknown, sub: (string | number)[], ctx: DeclareContext, file: string, at: (sub?: (string | number)[]) => ErrorLocation): unknown {
  if (typeof v === 'string') {
    const jinja = v.includes('{{') || v.includes('{%');
    if (!ctx.renderValue || (!jinja && !LOOKS_LIKE_CALL.test(v))) return v;
    try {
      return ctx.renderValue(jinja ? v : `{{ ${v.trim()} }}`, file);
    } catch (e) {
      if (e instanceof TformError) throw new TformError(e.code, e.message, { ...at(sub), hint: e.hint });
      throw e;
    }
  }
  if (Array.isArray(v)) return v.map((x, i) => renderDeep(x, [...sub, i], ctx, file, at));
  if (isPlainObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, renderDeep(x, [...sub, k], ctx, file, at)]));
  return v;
}

function renderRecord(r: Record<string, unknown>, base: (string | number)[], ctx: DeclareContext, file: string, at: (sub?: (string | number)[]) => ErrorLocation): Record<string, unknown> {
  return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, renderDeep(v, [...base, k], ctx, file, at)]));
}

/** ref()/source() strings among a custom test's arguments are dependencies. */
function relationArgs(args: Record<string, unknown>): [string, string][] {
  return Object.entries(args).filter((e): e is [string, string] => typeof e[1] === 'string' && parseRelationTarget(e[1]) !== undefined);
}

function declaration(
  raw: unknown,
  at: (sub?: (string | number)[]) => ErrorLocation,
  lineOf: () => number | undefined,
  target: Target,
  column: string | undefined,
  ctx: DeclareContext,
  projectLayer: TestConfigLayer,
): TestNode | undefined {
  const d = splitDeclaration(raw, at);
  const resolved = resolveTestName(d.testName, ctx);
  if (!resolved) unknownTest(d.testName, ctx, at(d.base));
  const testName = resolved.builtin ?? resolved.generic!.name;
  const argAt: ArgLocator = (key) => at(key === undefined ? d.base : [...d.argsBase, key]);
  const args = renderRecord(d.args, d.argsBase, ctx, target.file, at);
  d.inlineConfig = renderRecord(d.inlineConfig, d.base, ctx, target.file, at);
  d.config = renderRecord(d.config, [...d.base, 'config'], ctx, target.file, at);

  if (column !== undefined && d.columnName !== undefined) {
    throw new TformError('CONFIG_INVALID', `test '${d.testName}' under column '${column}' sets column_name`, { ...at([...d.base, 'column_name']), hint: 'remove column_name, or move the test to the model' });
  }
  const columnName = column ?? d.columnName;

  // freshness and percent_change settings may be written under config: too (dbt 1.9 puts freshness there).
  const config = { ...d.config };
  if (resolved.builtin === 'freshness' || resolved.builtin === 'percent_change') {
    for (const k of BUILTIN_ARGS[resolved.builtin].args) {
      if (k in config) {
        if (!(k in args)) args[k] = config[k];
        delete config[k];
      }
    }
  }
  const layers = [
    projectLayer,
    configLayer(d.inlineConfig, (k) => at([...d.base, k])),
    configLayer(config, (k) => at([...d.base, 'config', k])),
  ];
  const cfg = mergeTestConfig(layers);
  if (!cfg.enabled) return undefined;

  const deps = [target.uniqueId];
  const macros: string[] = [];
  if (resolved.builtin) {
    const spec = BUILTIN_ARGS[resolved.builtin];
    if (spec.column === 'required' && columnName === undefined) {
      throw new TformError('CONFIG_INVALID', `${testName} tests a column: declare it under the column, or give column_name`, { ...at(d.base), hint: `e.g. columns: [{name: id, data_tests: [${testName}]}]` });
    }
    if (spec.column === 'none' && columnName !== undefined) {
      throw new TformError('CONFIG_INVALID', `${testName} tests a whole ${target.prefix ? 'source table' : 'model'}, not a column`, { ...at(d.base), hint: `move it to the tests of the ${target.prefix ? 'table' : 'model'}` });
    }
    checkBuiltinArgs(resolved.builtin, args, argAt);
    if (resolved.builtin === 'relationships') {
      deps.push(resolveRelationArg(relationshipsArgs(args).to, ctx, () => argAt('to'), 'relationships: to'));
    }
  } else {
    const g = resolved.generic!;
    macros.push(`macro.${ctx.projectName}.${g.macroName}`);
    for (const k of Object.keys(args)) {
      if (g.args.includes(k)) continue;
      const near = closest(k, g.args);
      throw new TformError('CONFIG_INVALID', `test '${g.name}' has no argument '${k}'`, {
        ...argAt(k),
        hint: `${near ? `did you mean '${near}'? ` : ''}${g.name} (${g.path}:${g.line}) takes: model${g.takesColumn ? ', column_name' : ''}${g.args.length ? ', ' + g.args.join(', ') : ''}`,
      });
    }
    const missing = g.required.filter((k) => args[k] === undefined);
    if (missing.length) throw new TformError('CONFIG_INVALID', `test '${g.name}' is missing required argument${missing.length > 1 ? 's' : ''} ${missing.map((m) => `'${m}'`).join(', ')}`, { ...at(d.base), hint: `${g.name} is defined in ${g.path}:${g.line}` });
    if (g.takesColumn && columnName === undefined) throw new TformError('CONFIG_INVALID', `test '${g.name}' takes column_name: declare it under a column`, { ...at(d.base), hint: `or give column_name: <expression>` });
    for (const [k, v] of relationArgs(args)) {
      const id = resolveRelationArg(v, ctx, () => argAt(k), `${g.name}: ${k}`);
      if (!deps.includes(id)) deps.push(id);
    }
  }

  const nameArgs: Record<string, unknown> = { ...args };
  if (columnName !== undefined) nameArgs.column_name = columnName;
  const name = d.customName ?? generatedTestName(`${target.prefix}${testName}`, target.name, nameArgs);
  const node: TestNode = {
    uniqueId: `test.${ctx.projectName}.${name}`,
    resourceType: 'test',
    testType: 'generic',
    name,
    testName,
    path: target.file,
    attachedNode: target.uniqueId,
    columnName,
    kwargs: args,
    config: cfg,
    tags: cfg.tags,
    dependsOn: { nodes: deps, macros },
  };
  return lazyLine(node, lineOf);
}

function projectLayerFor(file: string, ctx: DeclareContext): TestConfigLayer {
  const pc = ctx.projectConfig;
  if (!pc) return {};
  const folders = (ctx.foldersOf ?? defaultFolders)(file);
  const raw = configFromTree(pc.tree, ctx.projectName, folders, '');
  return configLayer(raw, () => ({ file: pc.file, line: pc.line?.() }), false);
}

function fromList(list: unknown[], target: Target, column: string | undefined, ctx: DeclareContext, projectLayer: TestConfigLayer): TestNode[] {
  const pos = testPositions(list);
  const out: TestNode[] = [];
  list.forEach((raw, i) => {
    const lineOf = (sub: (string | number)[] = []) => pos?.line(i, sub) ?? pos?.ownerLine();
    const at = (sub: (string | number)[] = []) => ({ file: target.file, line: lineOf(sub) });
    const t = declaration(raw, at, () => lineOf(), target, column, ctx, projectLayer);
    if (t) out.push(t);
  });
  return out;
}

/** The tests declared on a model or seed entry of schema YAML and on its columns. */
export function testsFromPatch(patch: NodePatch, ctx: DeclareContext): TestNode[] {
  const uniqueId = ctx.refs.get(patch.name);
  if (!uniqueId) return []; // no such (enabled) node: the manifest warns about the entry
  const target: Target = { uniqueId, name: patch.name, prefix: '', file: patch.file };
  const layer = projectLayerFor(patch.file, ctx);
  return [...fromList(patch.tests, target, undefined, ctx, layer), ...patch.columns.flatMap((c) => fromList(c.tests, target, c.name, ctx, layer))];
}

/** The tests declared on the tables (and columns) of a `sources:` entry, plus each table's freshness. */
export function testsFromSource(source: SourceSpec, ctx: DeclareContext): TestNode[] {
  const layer = projectLayerFor(source.file, ctx);
  return source.tables.flatMap((t) => {
    const uniqueId = ctx.sources.get(`${source.name}.${t.name}`) ?? `source.${ctx.projectName}.${source.name}.${t.name}`;
    const target: Target = { uniqueId, name: `${source.name}_${t.name}`, prefix: 'source_', file: source.file };
    const fresh = freshnessTest(source, t, target, ctx, layer);
    return [...(fresh ? [fresh] : []), ...fromList(t.tests, target, undefined, ctx, layer), ...t.columns.flatMap((c) => fromList(c.tests, target, c.name, ctx, layer))];
  });
}

/**
 * A source table's `freshness:` block (its own, else its source's; `freshness: null` on the table
 * switches it off) with `loaded_at_field` becomes a `freshness` test named
 * `source_freshness_<source>_<table>`; `filter` becomes its `where`. A table without
 * loaded_at_field is skipped, like dbt.
 */
function freshnessTest(s: SourceSpec, t: SourceTableSpec, target: Target, ctx: DeclareContext, layer: TestConfigLayer): TestNode | undefined {
  const f = t.freshness !== undefined ? t.freshness : s.freshness;
  const loadedAt = t.loadedAtField ?? s.loadedAtField;
  if (f === undefined || f === null || !loadedAt) return undefined;
  const lineOf = () => testPositions(t.tests)?.ownerLine() ?? s.line;
  const at = () => ({ file: s.file, line: lineOf() });
  if (!isPlainObject(f)) throw new TformError('CONFIG_INVALID', `freshness of source ${s.name}.${t.name} must be a mapping`, { ...at(), hint: 'e.g. freshness: {error_after: {count: 24, period: hour}}' });
  const args: Record<string, unknown> = { loaded_at_field: loadedAt };
  if (f.warn_after !== undefined) args.warn_after = f.warn_after;
  if (f.error_after !== undefined) args.error_after = f.error_after;
  checkBuiltinArgs('freshness', args, () => at());
  const own: Record<string, unknown> = {};
  if (f.filter !== undefined && f.filter !== null) own.where = f.filter;
  const cfg = mergeTestConfig([layer, configLayer(own, () => at())]);
  if (!cfg.enabled) return undefined;
  const name = `source_freshness_${target.name}`;
  return lazyLine(
    {
      uniqueId: `test.${ctx.projectName}.${name}`,
      resourceType: 'test',
      testType: 'generic',
      name,
      testName: 'freshness',
      path: s.file,
      attachedNode: target.uniqueId,
      kwargs: args,
      config: cfg,
      tags: cfg.tags,
      dependsOn: { nodes: [target.uniqueId], macros: [] },
    },
    lineOf,
  );
}

/** Every generic test of the project's schema YAML, with unique ids made unique. */
export function declaredTests(input: { models: Iterable<NodePatch>; seeds: Iterable<NodePatch>; sources: Iterable<SourceSpec> }, ctx: DeclareContext): TestNode[] {
  const all: TestNode[] = [];
  for (const p of input.models) all.push(...testsFromPatch(p, ctx));
  for (const p of input.seeds) all.push(...testsFromPatch(p, ctx));
  for (const s of input.sources) all.push(...testsFromSource(s, ctx));
  return dedupeTests(all, ctx.projectName);
}

/**
 * The `data_tests:` (or legacy `tests:`) config tree of the project file, e.g.
 * `data_tests: {my_project: {+severity: warn, staging: {+store_failures: true}}}`. ProjectConfig
 * does not keep it, so it is read from the file's text.
 */
export function projectTestConfig(configText: string, file: string): ProjectTestConfig | undefined {
  const doc = parseYaml(configText, file);
  if (!isPlainObject(doc)) return undefined;
  const key = doc.data_tests !== undefined && doc.data_tests !== null ? 'data_tests' : 'tests';
  const tree = doc[key];
  if (tree === undefined || tree === null) return undefined;
  const locate = yamlLocator(configText);
  if (!isPlainObject(tree)) throw new TformError('PROJECT_INVALID', `'${key}' must be a mapping of folders to test config`, { file, line: locate([key]), hint: `e.g. ${key}: {+severity: warn}` });
  return { tree, file, line: () => locate([key]) };
}
