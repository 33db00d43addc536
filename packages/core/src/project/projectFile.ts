import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { TformError } from '../errors/index.js';
import type { ConfigTree } from './configTree.js';
import { isPlainObject, readText, parseYaml, yamlLine } from './yaml.js';

export const PROJECT_FILE = 'tform_project.yml';

export interface ProjectConfig {
  /** File the config came from, relative to the project root. */
  file: string;
  name: string;
  profile: string;
  version?: string;
  modelPaths: string[];
  seedPaths: string[];
  testPaths: string[];
  macroPaths: string[];
  targetPath: string;
  vars: Record<string, unknown>;
  models: ConfigTree;
  seeds: ConfigTree;
  onRunStart: string[];
  onRunEnd: string[];
  /** Medallion layers, lowest first, and whether skipping one is an error. */
  layers: { order: string[]; strict: boolean };
  /** Project keys tform does not know, kept for later readers. */
  extra: Record<string, unknown>;
}

const KNOWN_PROJECT_KEYS = new Set([
  'name', 'profile', 'version', 'config-version', 'model-paths', 'seed-paths', 'test-paths', 'macro-paths',
  'target-path', 'vars', 'models', 'seeds', 'on-run-start', 'on-run-end', 'layers', 'docs-paths',
  'analysis-paths', 'clean-targets', 'require-dbt-version', 'snapshot-paths', 'tests', 'data_tests', 'sources',
]);

function stringList(v: unknown, key: string, file: string, text: string, dflt: string[]): string[] {
  if (v === undefined || v === null) return dflt;
  const list = Array.isArray(v) ? v : [v];
  if (!list.every((x) => typeof x === 'string')) {
    throw new TformError('PROJECT_INVALID', `'${key}' must be a string or a list of strings`, { file, line: yamlLine(text, [key]) });
  }
  return list as string[];
}

/** Parse the project file's text (already read) into a ProjectConfig. */
export function parseProjectConfig(text: string, file: string): ProjectConfig {
  const doc = parseYaml(text, file);
  if (!isPlainObject(doc)) throw new TformError('PROJECT_INVALID', `${file} must be a YAML mapping`, { file, line: 1 });
  const name = doc.name;
  if (typeof name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    throw new TformError('PROJECT_INVALID', `'name' must be set to an identifier (letters, digits, underscores)`, {
      file,
      line: yamlLine(text, ['name']) ?? 1,
      hint: "e.g. name: 'game_analytics'",
    });
  }
  const profile = doc.profile ?? name;
  if (typeof profile !== 'string') throw new TformError('PROJECT_INVALID', `'profile' must be a string`, { file, line: yamlLine(text, ['profile']) });
  const tree = (key: string): ConfigTree => {
    const v = doc[key];
    if (v === undefined || v === null) return {};
    if (!isPlainObject(v)) throw new TformError('PROJECT_INVALID', `'${key}' must be a mapping of folders to config`, { file, line: yamlLine(text, [key]) });
    return v;
  };
  const vars = doc.vars ?? {};
  if (!isPlainObject(vars)) throw new TformError('PROJECT_INVALID', `'vars' must be a mapping`, { file, line: yamlLine(text, ['vars']) });
  const targetPath = doc['target-path'] ?? 'target';
  if (typeof targetPath !== 'string') throw new TformError('PROJECT_INVALID', `'target-path' must be a string`, { file, line: yamlLine(text, ['target-path']) });
  const extra: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(doc)) if (!KNOWN_PROJECT_KEYS.has(k)) extra[k] = v;
  return {
    file,
    name,
    profile,
    version: doc.version === undefined ? undefined : String(doc.version),
    modelPaths: stringList(doc['model-paths'], 'model-paths', file, text, ['models']),
    seedPaths: stringList(doc['seed-paths'], 'seed-paths', file, text, ['seeds']),
    testPaths: stringList(doc['test-paths'], 'test-paths', file, text, ['tests']),
    macroPaths: stringList(doc['macro-paths'], 'macro-paths', file, text, ['macros']),
    targetPath,
    vars,
    models: tree('models'),
    seeds: tree('seeds'),
    onRunStart: stringList(doc['on-run-start'], 'on-run-start', file, text, []),
    onRunEnd: stringList(doc['on-run-end'], 'on-run-end', file, text, []),
    layers: readLayers(doc.layers, file, text),
    extra,
  };
}

export function readProjectConfig(root: string): { config: ProjectConfig; text: string } {
  const abs = join(root, PROJECT_FILE);
  if (!existsSync(abs)) {
    throw new TformError('PROJECT_NOT_FOUND', `no ${PROJECT_FILE} in ${root}`, {
      hint: 'run tform from a project directory, pass --project-dir, or create one with `tform init <name>`',
    });
  }
  const text = readText(abs, PROJECT_FILE);
  return { config: parseProjectConfig(text, PROJECT_FILE), text };
}

export const DEFAULT_LAYERS = ['bronze', 'silver', 'gold'];

/** `layers: { order: [bronze, silver, gold], strict: false }` (both optional). */
function readLayers(v: unknown, file: string, text: string): { order: string[]; strict: boolean } {
  if (v === undefined || v === null) return { order: DEFAULT_LAYERS, strict: false };
  if (!isPlainObject(v)) throw new TformError('PROJECT_INVALID', "'layers' must be a mapping with 'order' and/or 'strict'", { file, line: yamlLine(text, ['layers']) });
  const order = v.order === undefined ? DEFAULT_LAYERS : v.order;
  if (!Array.isArray(order) || !order.every((x) => typeof x === 'string') || new Set(order).size !== order.length) {
    throw new TformError('PROJECT_INVALID', "'layers.order' must list distinct layer names, lowest first", { file, line: yamlLine(text, ['layers', 'order']), hint: 'e.g. order: [bronze, silver, gold]' });
  }
  if (v.strict !== undefined && typeof v.strict !== 'boolean') throw new TformError('PROJECT_INVALID', "'layers.strict' must be true or false", { file, line: yamlLine(text, ['layers', 'strict']) });
  return { order: order as string[], strict: v.strict === true };
}
