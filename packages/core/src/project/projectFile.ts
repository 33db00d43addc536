import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { TformError, closest } from '../errors/index.js';
import type { ConfigTree } from './configTree.js';
import { readNotifications, type NotificationsConfig } from '../notify/config.js';
import { isPlainObject, readText, parseYaml, yamlLocator } from './yaml.js';

/** tform's own project file. */
export const PROJECT_FILE = 'tform_project.yml';
/** dbt's project file, read with dbt's rules when there is no tform_project.yml. */
export const DBT_PROJECT_FILE = 'dbt_project.yml';

/** Which file a project was read from: tform's, or an unmodified dbt project's. */
export type ProjectFlavor = 'tform' | 'dbt';

/** One `dispatch:` entry: where `adapter.dispatch(..., macro_namespace=...)` looks, in order. */
export interface DispatchEntry {
  macroNamespace: string;
  searchOrder: string[];
}

export interface ProjectConfig {
  /** File the config came from, relative to the project root. */
  file: string;
  /** `tform` for tform_project.yml, `dbt` for dbt_project.yml (dbt's rules for config trees). */
  flavor: ProjectFlavor;
  name: string;
  profile: string;
  version?: string;
  /** `config-version` as given (only 2 is accepted when present). */
  configVersion?: number;
  /** `require-dbt-version`, kept for `tform debug`; never checked. */
  requireDbtVersion?: string[];
  modelPaths: string[];
  seedPaths: string[];
  testPaths: string[];
  macroPaths: string[];
  /** Where `{% snapshot %}` files would be (snapshots are not supported: found ones are an error). */
  snapshotPaths: string[];
  /** Analyses: compiled to target/compiled, never run. */
  analysisPaths: string[];
  /** Where `{% docs %}` blocks are read: docs-paths, else every resource path (as dbt). */
  docsPaths: string[];
  assetPaths: string[];
  targetPath: string;
  /** Folders `tform clean` removes (default: the target path and dbt_packages). */
  cleanTargets: string[];
  /** dbt's package folder (`packages-install-path`, default dbt_packages). tform installs no packages. */
  packagesInstallPath: string;
  /**
   * Vars as the project's own nodes see them: global vars, overlaid with the ones scoped to the
   * project's name (`vars: {my_project: {x: 1}}`), as dbt scopes vars per package.
   */
  vars: Record<string, unknown>;
  models: ConfigTree;
  seeds: ConfigTree;
  onRunStart: string[];
  onRunEnd: string[];
  /** Project-level `quoting:` (database, schema, identifier). tform always quotes relation names. */
  quoting: Record<string, boolean>;
  /** `dispatch:` search orders, for adapter.dispatch(). */
  dispatch: DispatchEntry[];
  /** Medallion layers, lowest first, and whether skipping one is an error. */
  layers: { order: string[]; strict: boolean };
  /** `notifications:` channels for failed runs, warnings and late models (none when absent). */
  notifications?: NotificationsConfig;
  /** Project keys tform does not use, kept for later readers. */
  extra: Record<string, unknown>;
  /** Problems worth a warning (unknown keys, ignored sections), each `file:line: message`. */
  warnings: string[];
  /** Things worth telling once (which project file was read), each a plain line. */
  notes: string[];
}

/** Keys of a project file and how tform treats them. */
const USED_KEYS = [
  'name', 'profile', 'version', 'config-version', 'model-paths', 'seed-paths', 'test-paths', 'macro-paths', 'snapshot-paths',
  'analysis-paths', 'docs-paths', 'asset-paths', 'target-path', 'clean-targets', 'packages-install-path', 'vars', 'models', 'seeds',
  'on-run-start', 'on-run-end', 'layers', 'require-dbt-version', 'quoting', 'dispatch', 'tests', 'data_tests', 'notifications',
];
/** dbt keys tform accepts and does not act on (no warning). */
const QUIET_KEYS = ['log-path', 'query-comment', 'flags', 'restrict-access', 'dbt-cloud', 'analyses', 'snapshots'];
/** dbt keys whose content tform ignores, with a warning saying so when they hold something. */
const IGNORED_KEYS: Record<string, string> = {
  sources: "the 'sources:' config tree is not applied by tform (source config belongs in the sources' YAML)",
  exposures: 'exposures are not supported by tform and are ignored',
  metrics: 'metrics are not supported by tform and are ignored',
  'semantic-models': 'semantic models are not supported by tform and are ignored',
  'saved-queries': 'saved queries are not supported by tform and are ignored',
  unit_tests: 'unit tests are not supported by tform and are ignored',
};
/** Keys dbt renamed in 1.0: read under their new name, with a warning. */
const RENAMED_KEYS: Record<string, string> = { 'source-paths': 'model-paths', 'data-paths': 'seed-paths', 'modules-path': 'packages-install-path' };
const KNOWN_PROJECT_KEYS = new Set([...USED_KEYS, ...QUIET_KEYS, ...Object.keys(IGNORED_KEYS), ...Object.keys(RENAMED_KEYS)]);

/**
 * Renders a Jinja string of the project file (env_var(), var() from --vars, target); `path` is
 * the key path of the value. Without one, values are read as written.
 */
export type ProjectValueRenderer = (value: string, path: (string | number)[]) => unknown;

type Locate = (path: (string | number)[], exact?: boolean) => number | undefined;

function stringList(v: unknown, key: string, file: string, loc: Locate, dflt: string[]): string[] {
  if (v === undefined || v === null) return dflt;
  const list = Array.isArray(v) ? v : [v];
  if (!list.every((x) => typeof x === 'string')) {
    throw new TformError('PROJECT_INVALID', `'${key}' must be a string or a list of strings`, { file, line: loc([key]) });
  }
  return list as string[];
}

/**
 * Whether dbt renders the value at `path` of a project file when it loads it: everything but
 * vars, the run hooks, the query comment and the pre-/post-hooks inside the config trees (those
 * are rendered later, per node or per run).
 */
export function rendersAtLoad(path: (string | number)[]): boolean {
  const first = path[0];
  if (first === 'vars' || first === 'on-run-start' || first === 'on-run-end' || first === 'query-comment') return false;
  if (typeof first === 'string' && ['models', 'seeds', 'snapshots', 'tests', 'data_tests'].includes(first)) {
    return !path.some((k) => typeof k === 'string' && /^\+?\s*(pre|post)[-_]hook$/.test(k));
  }
  return true;
}

function renderTree(v: unknown, path: (string | number)[], render: ProjectValueRenderer): unknown {
  if (typeof v === 'string') return (v.includes('{{') || v.includes('{%')) && rendersAtLoad(path) ? render(v, path) : v;
  if (Array.isArray(v)) return v.map((x, i) => renderTree(x, [...path, i], render));
  if (isPlainObject(v)) {
    if (path.length > 0 && !rendersAtLoad(path)) return v;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = renderTree(x, [...path, k], render);
    return out;
  }
  return v;
}

/**
 * Vars as the project's nodes see them: the global ones, then the ones scoped to the project's
 * name (a mapping under a key equal to the project name), as dbt scopes vars by package.
 */
export function projectVars(vars: Record<string, unknown>, projectName: string): Record<string, unknown> {
  const scoped = vars[projectName];
  if (!isPlainObject(scoped)) return { ...vars };
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(vars)) if (k !== projectName) out[k] = v;
  return { ...out, ...scoped };
}

function readDispatch(v: unknown, file: string, loc: Locate): DispatchEntry[] {
  if (v === undefined || v === null) return [];
  const bad = (line: number | undefined) =>
    new TformError('PROJECT_INVALID', "'dispatch' must be a list of { macro_namespace, search_order } entries", {
      file,
      line,
      hint: "e.g. dispatch: [{ macro_namespace: dbt_utils, search_order: ['my_project', 'dbt_utils'] }]",
    });
  if (!Array.isArray(v)) throw bad(loc(['dispatch']));
  return v.map((e, i) => {
    if (!isPlainObject(e) || typeof e.macro_namespace !== 'string' || !Array.isArray(e.search_order) || !e.search_order.every((x) => typeof x === 'string')) {
      throw bad(loc(['dispatch', i]));
    }
    return { macroNamespace: e.macro_namespace, searchOrder: e.search_order as string[] };
  });
}

function readQuoting(v: unknown, file: string, loc: Locate, warnings: string[]): Record<string, boolean> {
  if (v === undefined || v === null) return {};
  if (!isPlainObject(v)) throw new TformError('PROJECT_INVALID', "'quoting' must be a mapping of database/schema/identifier to true or false", { file, line: loc(['quoting']) });
  const out: Record<string, boolean> = {};
  for (const [k, x] of Object.entries(v)) {
    if (typeof x !== 'boolean') throw new TformError('PROJECT_INVALID', `'quoting.${k}' must be true or false`, { file, line: loc(['quoting', k]) });
    out[k] = x;
    if (x === false && ['database', 'schema', 'identifier'].includes(k)) {
      warnings.push(`${file}:${loc(['quoting', k]) ?? 1}: quoting.${k}: false is not applied: tform always quotes relation names (the same relations unless names have upper-case letters)`);
    }
  }
  return out;
}

/**
 * Parse the project file's text (already read) into a ProjectConfig. tform_project.yml and
 * dbt_project.yml share this reader; `flavor` only changes how the config trees are read and
 * the defaults dbt has.
 */
export function parseProjectConfig(text: string, file: string, o: { flavor?: ProjectFlavor; render?: ProjectValueRenderer } = {}): ProjectConfig {
  const flavor = o.flavor ?? (file.endsWith(DBT_PROJECT_FILE) ? 'dbt' : 'tform');
  const parsed = parseYaml(text, file);
  if (!isPlainObject(parsed)) throw new TformError('PROJECT_INVALID', `${file} must be a YAML mapping`, { file, line: 1 });
  const doc = (o.render ? renderTree(parsed, [], o.render) : parsed) as Record<string, unknown>;
  const loc = yamlLocator(text);
  const warnings: string[] = [];
  const at = (path: (string | number)[]) => `${file}:${loc(path) ?? 1}`;

  for (const [k, v] of Object.entries(doc)) {
    if (KNOWN_PROJECT_KEYS.has(k)) {
      const renamed = RENAMED_KEYS[k];
      if (renamed) {
        if (doc[renamed] !== undefined) throw new TformError('PROJECT_INVALID', `both '${k}' and '${renamed}' are set`, { file, line: loc([k]), hint: `'${k}' is the name dbt used before 1.0; keep '${renamed}'` });
        warnings.push(`${at([k])}: '${k}' was renamed '${renamed}' in dbt 1.0; read as ${renamed}`);
        doc[renamed] = v;
      }
      const ignored = IGNORED_KEYS[k];
      if (ignored && v !== null && v !== undefined && !(isPlainObject(v) && Object.keys(v).length === 0)) warnings.push(`${at([k])}: ${ignored}`);
      continue;
    }
    const near = closest(k, KNOWN_PROJECT_KEYS);
    warnings.push(`${at([k])}: unknown key '${k}' in ${file} (ignored)${near ? `; did you mean '${near}'?` : ''}`);
  }

  const name = doc.name;
  if (typeof name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    throw new TformError('PROJECT_INVALID', `'name' must be set to an identifier (letters, digits, underscores)`, {
      file,
      line: loc(['name']) ?? 1,
      hint: "e.g. name: 'game_analytics'",
    });
  }
  const profile = doc.profile ?? name;
  if (typeof profile !== 'string') throw new TformError('PROJECT_INVALID', `'profile' must be a string`, { file, line: loc(['profile']) });
  const tree = (key: string): ConfigTree => {
    const v = doc[key];
    if (v === undefined || v === null) return {};
    if (!isPlainObject(v)) throw new TformError('PROJECT_INVALID', `'${key}' must be a mapping of folders to config`, { file, line: loc([key]) });
    return v;
  };
  const rawVars = doc.vars ?? {};
  if (!isPlainObject(rawVars)) throw new TformError('PROJECT_INVALID', `'vars' must be a mapping`, { file, line: loc(['vars']) });
  const str = (key: string, dflt: string): string => {
    const v = doc[key] ?? dflt;
    if (typeof v !== 'string' || !v) throw new TformError('PROJECT_INVALID', `'${key}' must be a string`, { file, line: loc([key]) });
    return v;
  };
  const targetPath = str('target-path', 'target');
  const packagesInstallPath = str('packages-install-path', 'dbt_packages');

  let configVersion: number | undefined;
  if (doc['config-version'] !== undefined && doc['config-version'] !== null) {
    configVersion = Number(doc['config-version']);
    if (configVersion !== 2) {
      throw new TformError('PROJECT_INVALID', `config-version: ${String(doc['config-version'])} is not supported; only config-version 2 is (as in dbt 1.x)`, {
        file,
        line: loc(['config-version']),
        hint: 'set config-version: 2 (or remove it: 2 is the default) and move vars to the top-level vars: block',
      });
    }
  }
  const requireDbtVersion = doc['require-dbt-version'] === undefined || doc['require-dbt-version'] === null ? undefined : stringList(doc['require-dbt-version'], 'require-dbt-version', file, loc, []).map(String);

  const list = (key: string, dflt: string[]) => stringList(doc[key], key, file, loc, dflt);
  const modelPaths = list('model-paths', ['models']);
  const seedPaths = list('seed-paths', ['seeds']);
  const testPaths = list('test-paths', ['tests']);
  const macroPaths = list('macro-paths', ['macros']);
  const snapshotPaths = list('snapshot-paths', ['snapshots']);
  const analysisPaths = list('analysis-paths', ['analyses']);
  const allResourcePaths = [...new Set([...modelPaths, ...seedPaths, ...snapshotPaths, ...analysisPaths, ...macroPaths, ...testPaths].map((p) => p.replace(/\/+$/, '')))];

  const extra: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(doc)) if (!USED_KEYS.includes(k)) extra[k] = v;
  const notes: string[] = [];
  return {
    file,
    flavor,
    name,
    profile,
    version: doc.version === undefined || doc.version === null ? undefined : String(doc.version),
    ...(configVersion === undefined ? {} : { configVersion }),
    ...(requireDbtVersion ? { requireDbtVersion } : {}),
    modelPaths,
    seedPaths,
    testPaths,
    macroPaths,
    snapshotPaths,
    analysisPaths,
    docsPaths: list('docs-paths', allResourcePaths),
    assetPaths: list('asset-paths', []),
    targetPath,
    cleanTargets: list('clean-targets', [targetPath, packagesInstallPath]),
    packagesInstallPath,
    vars: projectVars(rawVars, name),
    models: tree('models'),
    seeds: tree('seeds'),
    onRunStart: list('on-run-start', []),
    onRunEnd: list('on-run-end', []),
    quoting: readQuoting(doc.quoting, file, loc, warnings),
    dispatch: readDispatch(doc.dispatch, file, loc),
    layers: readLayers(doc.layers, file, loc),
    notifications: readNotifications(doc.notifications, file, loc),
    extra,
    warnings,
    notes,
  };
}

/** The project file of a directory: tform_project.yml, else dbt_project.yml. */
export interface FoundProjectFile {
  file: string;
  abs: string;
  flavor: ProjectFlavor;
  /** Said once when both files exist. */
  notes: string[];
}

export function findProjectFile(root: string): FoundProjectFile {
  const tform = join(root, PROJECT_FILE);
  const dbt = join(root, DBT_PROJECT_FILE);
  if (existsSync(tform)) {
    const notes = existsSync(dbt) ? [`both ${PROJECT_FILE} and ${DBT_PROJECT_FILE} are present; reading ${PROJECT_FILE} (${DBT_PROJECT_FILE} is not read)`] : [];
    return { file: PROJECT_FILE, abs: tform, flavor: 'tform', notes };
  }
  if (existsSync(dbt)) return { file: DBT_PROJECT_FILE, abs: dbt, flavor: 'dbt', notes: [] };
  throw new TformError('PROJECT_NOT_FOUND', `no ${PROJECT_FILE} or ${DBT_PROJECT_FILE} in ${root}`, {
    hint: 'run tform from a project directory, pass --project-dir, or create one with `tform init <name>`',
  });
}

export function readProjectConfig(root: string, o: { render?: ProjectValueRenderer } = {}): { config: ProjectConfig; text: string } {
  const found = findProjectFile(root);
  const text = readText(found.abs, found.file);
  const config = parseProjectConfig(text, found.file, { flavor: found.flavor, render: o.render });
  config.notes.unshift(...found.notes);
  return { config, text };
}

/**
 * The `profile:` of the project file, rendered (it may use env_var() or --vars): what opening a
 * project needs before its profile, and so its target, is known.
 */
export function readProjectProfileName(
  root: string,
  renderer?: (file: string, text: string) => ProjectValueRenderer,
): { profile: string; file: string; text: string; flavor: ProjectFlavor } {
  const found = findProjectFile(root);
  const text = readText(found.abs, found.file);
  const render = renderer?.(found.file, text);
  const doc = parseYaml(text, found.file);
  if (!isPlainObject(doc)) throw new TformError('PROJECT_INVALID', `${found.file} must be a YAML mapping`, { file: found.file, line: 1 });
  let profile = doc.profile ?? doc.name;
  if (typeof profile === 'string' && render && (profile.includes('{{') || profile.includes('{%'))) profile = render(profile, [doc.profile === undefined ? 'name' : 'profile']);
  if (typeof profile !== 'string' || !profile) {
    const loc = yamlLocator(text);
    throw new TformError('PROJECT_INVALID', `'profile' must be a string`, { file: found.file, line: loc(['profile']) ?? loc(['name']) ?? 1 });
  }
  return { profile, file: found.file, text, flavor: found.flavor };
}

export const DEFAULT_LAYERS = ['bronze', 'silver', 'gold'];

/** `layers: { order: [bronze, silver, gold], strict: false }` (both optional). */
function readLayers(v: unknown, file: string, loc: Locate): { order: string[]; strict: boolean } {
  if (v === undefined || v === null) return { order: DEFAULT_LAYERS, strict: false };
  if (!isPlainObject(v)) throw new TformError('PROJECT_INVALID', "'layers' must be a mapping with 'order' and/or 'strict'", { file, line: loc(['layers']) });
  const order = v.order === undefined ? DEFAULT_LAYERS : v.order;
  if (!Array.isArray(order) || !order.every((x) => typeof x === 'string') || new Set(order).size !== order.length) {
    throw new TformError('PROJECT_INVALID', "'layers.order' must list distinct layer names, lowest first", { file, line: loc(['layers', 'order']), hint: 'e.g. order: [bronze, silver, gold]' });
  }
  if (v.strict !== undefined && typeof v.strict !== 'boolean') throw new TformError('PROJECT_INVALID', "'layers.strict' must be true or false", { file, line: loc(['layers', 'strict']) });
  return { order: order as string[], strict: v.strict === true };
}
