import type { Dialect } from '../adapter/dialect.js';
import type { TargetProfile } from '../adapter/types.js';
import { TformError, closest, type ErrorLocation } from '../errors/index.js';
import type { Logger } from '../log/logger.js';
import { configFromTree, treeKeyLine, unusedTreePaths } from '../project/configTree.js';
import { yamlLocator } from '../project/yaml.js';
import { isKnownConfigKey, mergeConfig, KNOWN_CONFIG_KEYS } from '../project/configKeys.js';
import type { LoadedProject } from '../project/load.js';
import { checkAcyclic } from '../graph/cycles.js';
import { baseContext, targetContext, TFORM_VERSION } from './context.js';
import { ENGINE_BUILD } from './engineBuild.js';
import { MANIFEST_VERSION, type ExecNode, type Manifest, type ModelNode, type SeedNode, type SourceNode } from './manifest.js';
import { Naming } from './naming.js';
import { parseModel, type ParsedModel } from './parse.js';
import { callLine, newScope } from './scope.js';
import { materializationNames } from '../materialize/index.js';
import { normalizeNodeConfig } from './validateConfig.js';
import { batchedKind } from '../materialize/batchConfig.js';
import { annotateMacros } from '../select/macros.js';
import { declaredTests, genericTestDefs, isSingularTestFile, projectTestConfig, singularTest, translateTestBlocks, type DeclareContext } from '../test/index.js';
import type { TestNode } from '../test/types.js';
import type { NodePatch } from '../project/schemaYaml.js';
import { TemplateEngine } from './templating.js';
import { DescriptionRenderer } from './descriptions.js';
import { isPlainObject } from '../project/yaml.js';
import type { AnalysisNode, DocNode, NodeDocsConfig } from './manifest.js';
import { installQueryGlobals } from './runQuery.js';
import { CompileCache, type CacheDoc, type YamlCache } from './cache.js';
import { chartSpec } from '../docs/chartConfig.js';

export interface ManifestOptions {
  project: LoadedProject;
  target: TargetProfile;
  dialect: Dialect;
  cliVars?: Record<string, unknown>;
  logger?: Logger;
  invocationId: string;
  now: Date;
  env?: NodeJS.ProcessEnv;
  /** The template engine's static fast path (default on). */
  staticFastPath?: boolean;
  /** The parse cache file, and whether to use it (false: a cold compile that still writes it), as read, with the YAML cache of the load. */
  cache?: { file: string; read: boolean; doc?: CacheDoc; yaml?: YamlCache };
}

/** A compile in progress: the manifest plus what rendering the nodes needs. */
export interface CompileSession {
  manifest: Manifest;
  engine: TemplateEngine;
  context: Record<string, unknown>;
  project: LoadedProject;
  parsed: Map<string, ParsedModel>;
  warnings: string[];
  /** Where a model's config key was set (its file's config() call, a schema YAML entry, the project file). */
  configOrigin: Map<string, (key: string) => ErrorLocation>;
  /** Parse and render results of the previous compile, and what this one will leave (see cache.ts). */
  cache?: CompileCache;
}

/** 1-based line of the first `key=` (a keyword argument, as in config(key=…)) in `raw`. */
function keywordLine(raw: string, key: string): number | undefined {
  const m = new RegExp(`\\b${key.replace(/[^\w]/g, '')}\\s*=(?!=)`).exec(raw);
  return m ? raw.slice(0, m.index).split('\n').length : undefined;
}

function layerOf(config: Record<string, unknown>, folders: string[], layers: string[]): string | undefined {
  if (typeof config.layer === 'string' && config.layer) return config.layer;
  return folders.find((f) => layers.includes(f));
}

/** Config with the resolved materialization and its list-valued keys as lists. */
function withLists(config: Record<string, unknown>, materialized: string): Record<string, unknown> {
  return { ...config, materialized, tags: stringList(config.tags), pre_hook: stringList(config.pre_hook), post_hook: stringList(config.post_hook) };
}

function stringList(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  return (Array.isArray(v) ? v : [v]).map(String);
}

/**
 * Parse every file and resolve configs, names, refs and the graph into a Manifest without compiled
 * SQL. Needs no warehouse: every user error of the project surfaces here, before any connection.
 */
export function buildManifest(o: ManifestOptions): CompileSession {
  const { project, target, dialect } = o;
  const cfg = project.config;
  const warnings: string[] = [];
  const warn = (msg: string) => {
    warnings.push(msg);
    o.logger?.warn(msg);
  };
  for (const n of project.notes) o.logger?.info(n);
  for (const w of project.warnings) warn(w);
  const vars = { ...cfg.vars, ...(o.cliVars ?? {}) };
  const engine = new TemplateEngine({ vars, env: o.env, logger: o.logger, staticFastPath: o.staticFastPath });
  const descr = new DescriptionRenderer(project.docs, { projectName: cfg.name, vars, env: o.env });
  installQueryGlobals(engine);
  // `{% test %}` blocks (in macro files and tests/generic/) become macros named test_<name>.
  const macroFiles = project.macros.map((m) => ({ path: m.path, source: m.raw }));
  engine.loadMacros(macroFiles.map((m) => ({ path: m.path, source: translateTestBlocks(m.source) })));
  const genericFiles = project.tests.filter((t) => !isSingularTestFile(t)).map((t) => ({ path: t.path, source: t.raw }));
  const generics = genericTestDefs([...macroFiles, ...genericFiles]);
  engine.loadMacros(genericFiles.map((f) => ({ path: f.path, source: translateTestBlocks(f.source) })));
  const context = baseContext({ target, projectName: cfg.name, now: o.now, invocationId: o.invocationId });
  const naming = new Naming(engine, target, context);
  const locateProject = yamlLocator(project.configText);
  const inTree = (tree: 'models' | 'seeds', folders: string[], key: string) => ({ file: cfg.file, line: treeKeyLine(locateProject, tree, cfg.name, folders, key) });
  /** What models and seeds share: identity, fqn, config, columns and the relation naming decides. */
  const nodeBase = (resourceType: 'model' | 'seed', name: string, path: string, folders: string[], config: Record<string, unknown>, patch: NodePatch | undefined) => {
    const fqn = [cfg.name, ...folders, name];
    const nn = { name, path, resourceType, fqn, config };
    const identifier = naming.alias(nn);
    return {
      uniqueId: `${resourceType}.${cfg.name}.${name}`,
      name,
      packageName: cfg.name,
      path,
      fqn,
      tags: config.tags as string[],
      config,
      columns: patch ? descr.columns(patch.columns) : [],
      patchPath: patch?.file,
      docs: docsConfig(config, name, (key) => (patch?.config[key] !== undefined ? { file: patch.file, line: patch.line } : inTree(resourceType === 'model' ? 'models' : 'seeds', folders, key))),
      database: naming.database(nn),
      schema: naming.schema(nn),
      identifier,
      alias: identifier,
    };
  };

  // One namespace for ref(): models and seeds.
  const owners = new Map<string, string>();
  const claim = (name: string, path: string) => {
    const prev = owners.get(name);
    if (prev) {
      throw new TformError('DUPLICATE_NAME', `two resources are named '${name}': ${prev} and ${path}`, {
        file: path,
        hint: 'names come from file names and must be unique across models and seeds; rename one file',
      });
    }
    owners.set(name, path);
  };
  for (const m of project.models) claim(m.stem, m.path);
  for (const s of project.seeds) claim(s.stem, s.path);

  const cache = o.cache ? openCache(o, engine, vars, macroFiles.concat(genericFiles)) : undefined;
  const parsed = new Map<string, ParsedModel>();
  for (const f of project.models) {
    let p = cache?.parsed(f.path, f.checksum, f.raw);
    if (!p) {
      p = parseModel(f, engine, context);
      cache?.storeParsed(p);
    }
    parsed.set(f.stem, p);
  }

  const nodes: Record<string, ExecNode> = {};
  const configOrigin = new Map<string, (key: string) => ErrorLocation>();
  const byName = new Map<string, ExecNode>();
  const disabled = new Set<string>();
  const warnedKeys = new Set<string>();
  const checkKeys = (config: Record<string, unknown>, file: string) => {
    for (const k of Object.keys(config)) {
      if (isKnownConfigKey(k) || warnedKeys.has(`${file}:${k}`)) continue;
      warnedKeys.add(`${file}:${k}`);
      const near = closest(k, KNOWN_CONFIG_KEYS);
      warn(`${file}: unknown config key '${k}' (kept)${near ? `; did you mean '${near}'?` : ''}`);
    }
  };

  for (const p of parsed.values()) {
    const patch = project.modelPatches.get(p.name);
    const treeCfg = configFromTree(cfg.models, cfg.name, p.folders, p.name, cfg.flavor);
    let config = mergeConfig(mergeConfig(treeCfg, patch?.config ?? {}), p.fileConfig);
    checkKeys(p.fileConfig, p.path);
    if (patch) checkKeys(patch.config, patch.file);
    if (config.enabled === false) {
      disabled.add(p.name);
      continue;
    }
    const materialized = String(config.materialized ?? 'view');
    if (!materializationNames().includes(materialized)) {
      const where = p.fileConfig.materialized !== undefined
        ? { file: p.path, line: callLine(p.raw, 'config', []) }
        : patch?.config.materialized !== undefined
          ? { file: patch.file, line: patch.line }
          : inTree('models', p.folders, 'materialized');
      const near = closest(materialized, materializationNames());
      throw new TformError('CONFIG_INVALID', `model ${p.name} has unknown materialization '${materialized}'`, {
        ...where,
        hint: `${near ? `did you mean '${near}'? ` : ''}materializations: ${materializationNames().join(', ')}`,
      });
    }
    const origin = (key: string): ErrorLocation =>
      p.fileConfig[key] !== undefined ? { file: p.path, line: keywordLine(p.raw, key) ?? callLine(p.raw, 'config', []) } : patch?.config[key] !== undefined ? { file: patch.file, line: patch.line } : treeCfg[key] !== undefined ? inTree('models', p.folders, key) : { file: p.path, line: callLine(p.raw, 'config', []) };
    config = normalizeNodeConfig(withLists(config, materialized), p.name, origin);
    if (dialect.checkNodeConfig) config = dialect.checkNodeConfig(config, p.name, origin);
    const base = nodeBase('model', p.name, p.path, p.folders, config, patch);
    configOrigin.set(base.uniqueId, origin);
    const node: ModelNode = {
      ...base,
      resourceType: 'model',
      description: patch ? descr.render(patch.description, patch) : String(config.description ?? ''),
      meta: { ...((config.meta as object) ?? {}), ...(patch?.meta ?? {}) },
      relationName: materialized === 'ephemeral' ? '' : dialect.relation(base),
      layer: layerOf(config, p.folders, cfg.layers.order),
      dependsOn: { nodes: [], macros: p.macros.map((m) => `macro.${cfg.name}.${m}`) },
      materialized,
      rawCode: p.raw,
      checksum: p.checksum,
      refs: p.refs,
      sources: p.sources,
      vars: p.vars,
      envVars: p.envVars,
    };
    nodes[node.uniqueId] = node;
    byName.set(p.name, node);
  }

  for (const s of project.seeds) {
    const patch = project.seedPatches.get(s.stem);
    const treeCfg = configFromTree(cfg.seeds, cfg.name, s.folders, s.stem, cfg.flavor);
    let config = mergeConfig(treeCfg, patch?.config ?? {});
    if (config.enabled === false) {
      disabled.add(s.stem);
      continue;
    }
    const seedOrigin = (key: string): ErrorLocation => (patch?.config[key] !== undefined ? { file: patch.file, line: patch.line } : inTree('seeds', s.folders, key));
    config = normalizeNodeConfig(withLists(config, 'seed'), s.stem, seedOrigin);
    if (dialect.checkNodeConfig) config = dialect.checkNodeConfig(config, s.stem, seedOrigin);
    const base = nodeBase('seed', s.stem, s.path, s.folders, config, patch);
    const node: SeedNode = {
      ...base,
      resourceType: 'seed',
      description: patch ? descr.render(patch.description, patch) : '',
      meta: patch?.meta ?? {},
      relationName: dialect.relation(base),
      layer: typeof config.layer === 'string' ? config.layer : 'bronze',
      dependsOn: { nodes: [], macros: [] },
      materialized: 'seed',
      checksum: s.checksum,
      absPath: s.abs,
    };
    nodes[node.uniqueId] = node;
    byName.set(s.stem, node);
  }
  for (const [name, patch] of project.modelPatches) {
    if (!byName.has(name) && !disabled.has(name)) warn(`${patch.file}:${patch.line}: schema entry for model '${name}', but no models/**/${name}.sql exists`);
  }

  if (cfg.flavor === 'dbt') {
    // As dbt: folders configured in dbt_project.yml that no model or seed lives in.
    const unused = [
      ...unusedTreePaths(cfg.models, project.models.map((m) => [cfg.name, ...m.folders, m.stem]), 'dbt').map((p) => ['models', ...p]),
      ...unusedTreePaths(cfg.seeds, project.seeds.map((m) => [cfg.name, ...m.folders, m.stem]), 'dbt').map((p) => ['seeds', ...p]),
    ];
    if (unused.length) {
      const line = locateProject(unused[0]!) ?? 1;
      warn(`${cfg.file}:${line}: configuration paths exist in ${cfg.file} that do not apply to any resource (${unused.length}): ${unused.map((p) => p.join('.')).join(', ')}`);
    }
  }

  const sources = resolveSources(o, engine, context, descr);

  // Resolve refs and sources into edges; unknown names are errors at the call's line.
  for (const n of Object.values(nodes)) {
    if (n.resourceType !== 'model') continue;
    const parents = new Set<string>();
    for (const r of n.refs) {
      if (r.package && r.package !== cfg.name) throw foreignRef(r, n.path, cfg.name);
      const t = byName.get(r.name);
      if (!t) {
        const isDisabled = disabled.has(r.name);
        const near = closest(r.name, byName.keys());
        throw new TformError('REF_UNKNOWN', isDisabled ? `ref('${r.name}') points to a disabled model` : `ref('${r.package ? r.package + "', '" : ''}${r.name}') does not match any model or seed`, {
          file: n.path,
          line: r.line,
          hint: isDisabled ? `enable ${r.name} or remove the ref` : near ? `did you mean ref('${near}')?` : 'check the model file name (ref takes the file name without .sql)',
        });
      }
      parents.add(t.uniqueId);
    }
    for (const sc of n.sources) {
      const id = `source.${cfg.name}.${sc.source}.${sc.table}`;
      if (!sources[id]) {
        const all = Object.values(sources);
        const sameSource = all.filter((s) => s.sourceName === sc.source);
        const near = sameSource.length ? closest(sc.table, sameSource.map((s) => s.name)) : closest(sc.source, new Set(all.map((s) => s.sourceName)));
        throw new TformError('SOURCE_UNKNOWN', `source('${sc.source}', '${sc.table}') is not declared`, {
          file: n.path,
          line: sc.line,
          hint: near
            ? sameSource.length
              ? `did you mean source('${sc.source}', '${near}')?`
              : `did you mean source('${near}', …)?`
            : `declare it under sources: in a .yml file in ${cfg.modelPaths.join(', ')}`,
        });
      }
      parents.add(id);
    }
    if (batchedKind(n) === 'lifetime') {
      const of = String(n.config.panel_of);
      const t = byName.get(of);
      if (!t || batchedKind(t) !== 'panel') {
        const near = closest(of, [...byName.values()].filter((x) => batchedKind(x) === 'panel').map((x) => x.name));
        throw new TformError('CONFIG_INVALID', t ? `${n.name}: panel_of '${of}' is not a panel (materialized: panel without panel_of)` : `${n.name}: panel_of '${of}' does not match any model`, {
          file: n.path,
          line: callLine(n.rawCode, 'config', []),
          hint: near ? `did you mean panel_of: ${near}?` : 'panel_of names the daily (or hourly) panel model this lifetime panel folds',
        });
      }
      parents.add(t.uniqueId);
    }
    n.dependsOn.nodes = [...parents].sort();
  }

  const testCtx: DeclareContext = {
    projectName: cfg.name,
    refs: new Map([...byName].map(([n, node]) => [n, node.uniqueId])),
    disabledRefs: disabled,
    sources: new Map(Object.values(sources).map((s) => [`${s.sourceName}.${s.name}`, s.uniqueId])),
    generics,
    projectConfig: projectTestConfig(project.configText, cfg.file),
    renderValue: (text, file) => {
      const noRelation = (): never => {
        throw new TformError('CONFIG_INVALID', 'ref() and source() in a test argument are written without {{ }}', { file, hint: "e.g. to: ref('players')" });
      };
      return engine.renderNative(text, file, newScope({ mode: 'compile', file, raw: text, context, resolveRef: noRelation, resolveSource: noRelation }));
    },
  };
  const enabledPatches = (m: Map<string, NodePatch>) => [...m.values()].filter((p) => byName.has(p.name));
  const testList = declaredTests({ models: enabledPatches(project.modelPatches), seeds: enabledPatches(project.seedPatches), sources: project.sources }, testCtx);
  for (const f of project.tests) {
    if (!isSingularTestFile(f)) continue;
    const t = singularTest(f, engine, context, testCtx);
    if (t) testList.push(t);
  }
  const tests: Record<string, TestNode> = {};
  for (const t of testList) {
    if (tests[t.uniqueId]) {
      throw new TformError('DUPLICATE_NAME', `two tests are named '${t.name}': ${tests[t.uniqueId]!.path} and ${t.path}`, { file: t.path, line: t.line, hint: "give one a distinct name (name: in YAML, or rename the file)" });
    }
    tests[t.uniqueId] = t;
  }

  checkLayerDirection(nodes, byName, sources, cfg.layers, warn);

  const parentMap: Record<string, string[]> = {};
  const childMap: Record<string, string[]> = {};
  for (const id of [...Object.keys(nodes), ...Object.keys(sources)]) {
    parentMap[id] = [];
    childMap[id] = [];
  }
  for (const n of Object.values(nodes)) {
    parentMap[n.uniqueId] = n.dependsOn.nodes;
    for (const p of n.dependsOn.nodes) childMap[p]!.push(n.uniqueId);
  }
  for (const t of Object.values(tests)) {
    parentMap[t.uniqueId] = t.dependsOn.nodes;
    childMap[t.uniqueId] = [];
    for (const p of t.dependsOn.nodes) childMap[p]?.push(t.uniqueId);
  }
  for (const k of Object.keys(childMap)) childMap[k]!.sort();
  checkAcyclic(nodes);

  const macros: Manifest['macros'] = {};
  for (const m of engine.macros.values()) macros[`macro.${cfg.name}.${m.name}`] = { uniqueId: `macro.${cfg.name}.${m.name}`, name: m.name, path: m.path, args: m.args };

  const analyses = resolveAnalyses(o, engine, context, byName, disabled, sources);
  const docs: Record<string, DocNode> = {};
  for (const b of project.docs.values()) {
    const id = `doc.${cfg.name}.${b.name}`;
    docs[id] = { uniqueId: id, name: b.name, packageName: cfg.name, path: b.path, line: b.line, blockContents: b.contents };
  }

  const manifest: Manifest = {
    metadata: {
      manifestVersion: MANIFEST_VERSION,
      tformVersion: TFORM_VERSION,
      generatedAt: o.now.toISOString(),
      projectName: cfg.name,
      adapterType: target.type,
      targetName: target.name,
      invocationId: o.invocationId,
    },
    nodes,
    sources,
    tests,
    macros,
    hooks: [],
    parentMap,
    childMap,
    vars,
    docs,
    analyses,
  };
  annotateMacros(manifest, project.macros.map((m) => ({ path: m.path, source: m.raw })));
  return { manifest, engine, context, project, parsed, warnings, configOrigin, cache };
}

/**
 * The parse cache for this compile. Its key covers what every node depends on: the tform
 * version, the project file, the target, --vars and the set of macro names.
 */
function openCache(o: ManifestOptions, engine: TemplateEngine, vars: Record<string, unknown>, macroFiles: { path: string; source: string }[]): CompileCache {
  const sources = new Map(macroFiles.map((m) => [m.path, m.source]));
  // the target as templates see it (credentials are not part of it, and are never written down)
  const key = CompileCache.bodySig([TFORM_VERSION, ENGINE_BUILD, o.staticFastPath !== false, o.project.configChecksum, o.project.config.name, targetContext(o.target), o.cliVars ?? {}, [...engine.macros.keys()].sort()]);
  return new CompileCache(o.cache!.file, key, TFORM_VERSION, {
    macroSource: (name) => {
      const m = engine.macros.get(name);
      return m ? sources.get(m.path) : undefined;
    },
    vars,
    env: o.env ?? process.env,
  }, o.cache!.doc, o.cache!.read, o.cache!.yaml);
}

/** ref('pkg', 'model') to a package other than the project: tform has no packages. */
function foreignRef(r: { name: string; package?: string; line: number }, file: string, projectName: string): TformError {
  return new TformError('REF_UNKNOWN', `ref('${r.package}', '${r.name}'): package '${r.package}' is not part of this project`, {
    file,
    line: r.line,
    hint: `tform does not install dbt packages; the only package is this project, '${projectName}': use ref('${r.name}') for a model of this project`,
  });
}

/** The `docs` config of a node: `show` (default true), `node_color` and `chart`, checked. */
function docsConfig(config: Record<string, unknown>, name: string, where: (key: string) => ErrorLocation): NodeDocsConfig {
  const d = config.docs;
  if (d === undefined || d === null) return { show: true };
  if (!isPlainObject(d)) throw new TformError('CONFIG_INVALID', `${name}: 'docs' must be a mapping with show, node_color and/or chart`, { ...where('docs'), hint: "e.g. +docs: { show: false, node_color: '#cd7f32' }" });
  if (d.show !== undefined && typeof d.show !== 'boolean') throw new TformError('CONFIG_INVALID', `${name}: docs.show must be true or false`, where('docs'));
  if (d.node_color !== undefined && typeof d.node_color !== 'string') throw new TformError('CONFIG_INVALID', `${name}: docs.node_color must be a colour name or a hex code`, { ...where('docs'), hint: "e.g. node_color: 'purple' or '#cd7f32'" });
  const chart = d.chart === undefined || d.chart === null ? undefined : chartSpec(d.chart, name, where('docs'));
  return { show: d.show !== false, ...(typeof d.node_color === 'string' ? { node_color: d.node_color } : {}), ...(chart ? { chart } : {}) };
}

/** Analyses: parsed like models (refs must resolve), compiled by `tform compile`, never run. */
function resolveAnalyses(
  o: ManifestOptions,
  engine: TemplateEngine,
  context: Record<string, unknown>,
  byName: Map<string, ExecNode>,
  disabled: Set<string>,
  sources: Record<string, SourceNode>,
): Record<string, AnalysisNode> {
  const cfg = o.project.config;
  const out: Record<string, AnalysisNode> = {};
  for (const f of o.project.analyses) {
    const p = parseModel(f, engine, context);
    const id = `analysis.${cfg.name}.${p.name}`;
    if (out[id]) throw new TformError('DUPLICATE_NAME', `two analyses are named '${p.name}': ${out[id]!.path} and ${p.path}`, { file: p.path, hint: 'analysis names come from file names; rename one' });
    const parents = new Set<string>();
    for (const r of p.refs) {
      if (r.package && r.package !== cfg.name) throw foreignRef(r, p.path, cfg.name);
      const t = byName.get(r.name);
      if (!t) {
        const near = closest(r.name, byName.keys());
        throw new TformError('REF_UNKNOWN', disabled.has(r.name) ? `ref('${r.name}') points to a disabled model` : `ref('${r.name}') does not match any model or seed`, {
          file: p.path,
          line: r.line,
          hint: near ? `did you mean ref('${near}')?` : 'check the model file name (ref takes the file name without .sql)',
        });
      }
      parents.add(t.uniqueId);
    }
    for (const sc of p.sources) {
      const sid = `source.${cfg.name}.${sc.source}.${sc.table}`;
      if (!sources[sid]) throw new TformError('SOURCE_UNKNOWN', `source('${sc.source}', '${sc.table}') is not declared`, { file: p.path, line: sc.line });
      parents.add(sid);
    }
    out[id] = {
      uniqueId: id,
      resourceType: 'analysis',
      name: p.name,
      packageName: cfg.name,
      path: p.path,
      fqn: [cfg.name, 'analysis', ...p.folders, p.name],
      description: '',
      rawCode: p.raw,
      checksum: p.checksum,
      refs: p.refs,
      sources: p.sources,
      dependsOn: { nodes: [...parents].sort(), macros: p.macros.map((m) => `macro.${cfg.name}.${m}`) },
    };
  }
  return out;
}

function resolveSources(o: ManifestOptions, engine: TemplateEngine, context: Record<string, unknown>, descr: DescriptionRenderer): Record<string, SourceNode> {
  const { project, dialect } = o;
  const out: Record<string, SourceNode> = {};
  const render = (text: string, file: string) => {
    if (!text.includes('{{') && !text.includes('{%')) return text;
    const scope = newScope({
      mode: 'compile',
      file,
      raw: text,
      context,
      resolveRef: () => {
        throw new TformError('CONFIG_INVALID', 'ref() cannot be used in a source definition', { file });
      },
      resolveSource: () => {
        throw new TformError('CONFIG_INVALID', 'source() cannot be used in a source definition', { file });
      },
    });
    return engine.render(text, file, scope).trim();
  };
  for (const s of project.sources) {
    for (const t of s.tables) {
      const id = `source.${project.config.name}.${s.name}.${t.name}`;
      if (out[id]) {
        throw new TformError('DUPLICATE_NAME', `source table ${s.name}.${t.name} is declared twice (${out[id]!.path} and ${s.file})`, { file: s.file, line: s.line });
      }
      const ref = { database: s.database ? render(s.database, s.file) : o.target.database, schema: render(s.schema, s.file), identifier: render(t.identifier, s.file) };
      out[id] = {
        uniqueId: id,
        resourceType: 'source',
        sourceName: s.name,
        name: t.name,
        identifier: ref.identifier,
        database: ref.database,
        schema: ref.schema,
        relationName: dialect.relation(ref),
        path: s.file,
        fqn: [project.config.name, s.name, t.name],
        description: descr.render(t.description, t) || descr.render(s.description, s),
        columns: descr.columns(t.columns),
        loadedAtField: t.loadedAtField ?? s.loadedAtField,
        freshness: t.freshness ?? s.freshness,
        meta: { ...s.meta, ...t.meta },
        layer: 'bronze',
        ...(t.external ? { external: { ...t.external, location: render(t.external.location, s.file) } } : {}),
      };
    }
  }
  return out;
}

/**
 * The medallion rule: a model may read its own layer or lower ones. Reading a higher layer is an
 * error at the ref's line; skipping a layer (gold reading bronze) is a warning, or an error with
 * `layers: { strict: true }`.
 */
function checkLayerDirection(
  nodes: Record<string, ExecNode>,
  byName: Map<string, ExecNode>,
  sources: Record<string, SourceNode>,
  layers: { order: string[]; strict: boolean },
  warn: (msg: string) => void,
): void {
  const rank = (l: string | undefined) => (l === undefined ? -1 : layers.order.indexOf(l));
  for (const n of Object.values(nodes)) {
    if (n.resourceType !== 'model' || rank(n.layer) < 0) continue;
    const calls = [
      ...n.refs.map((r) => ({ target: byName.get(r.name), line: r.line, what: `ref('${r.name}')` })),
      ...n.sources.map((c) => ({ target: sources[`source.${n.packageName}.${c.source}.${c.table}`], line: c.line, what: `source('${c.source}', '${c.table}')` })),
    ];
    for (const c of calls) {
      const theirs = rank(c.target?.layer);
      if (theirs < 0) continue;
      const mine = rank(n.layer);
      if (theirs > mine) {
        throw new TformError('CONFIG_INVALID', `${n.layer} model ${n.name} reads ${c.target!.layer} through ${c.what}: a layer may only read its own or lower layers`, {
          file: n.path,
          line: c.line,
          hint: `move ${n.name} to the ${c.target!.layer} layer (or higher), or what it reads down to ${n.layer}`,
        });
      }
      if (mine - theirs > 1) {
        const msg = `${n.path}:${c.line}: ${n.layer} model ${n.name} reads ${c.target!.layer} directly through ${c.what}, skipping ${layers.order.slice(theirs + 1, mine).join(', ')}`;
        if (layers.strict) throw new TformError('CONFIG_INVALID', msg.replace(`${n.path}:${c.line}: `, ''), { file: n.path, line: c.line, hint: 'read it through the layer in between, or set layers.strict: false' });
        warn(msg);
      }
    }
  }
}
