import { isPlainObject } from './yaml.js';
import { mergeConfig, normalizeKey } from './configKeys.js';

/**
 * A `models:` / `seeds:` tree from the project file. `+key` entries are config; a bare key is config
 * when it is a known config name and its value is not a folder mapping (as dbt reads it), otherwise a
 * folder (or the project name at the top).
 */
export type ConfigTree = Record<string, unknown>;

/** Config keys whose values are mappings; under their bare name they are config, not folders. */
const DICT_CONFIG_KEYS = new Set(['meta', 'docs', 'column_types', 'grants', 'persist_docs', 'quoting', 'folds', 'partition_by', 'contract']);

function splitLevel(tree: ConfigTree): { config: Record<string, unknown>; children: Record<string, ConfigTree> } {
  const config: Record<string, unknown> = {};
  const children: Record<string, ConfigTree> = {};
  for (const [k, v] of Object.entries(tree)) {
    if (k.startsWith('+') || (DICT_CONFIG_KEYS.has(normalizeKey(k)) && isPlainObject(v))) config[normalizeKey(k)] = v;
    else if (isPlainObject(v)) children[k] = v;
    else config[normalizeKey(k)] = v;
  }
  return { config, children };
}

/**
 * Config for a node whose fqn is [project, ...folders, name]. The tree may be keyed by the project
 * name first (dbt style) or directly by folder (tform style); both are read.
 */
export function configFromTree(tree: ConfigTree | undefined, projectName: string, folders: string[], name: string): Record<string, unknown> {
  if (!tree) return {};
  let cfg: Record<string, unknown> = {};
  const top = splitLevel(tree);
  cfg = mergeConfig(cfg, top.config);
  let level = top.children[projectName] ? splitLevel(top.children[projectName]!) : top;
  if (top.children[projectName]) cfg = mergeConfig(cfg, level.config);
  for (const part of [...folders, name]) {
    const child = level.children[part];
    if (!child) break;
    level = splitLevel(child);
    cfg = mergeConfig(cfg, level.config);
  }
  return cfg;
}

/**
 * Line in the project file where `key` is set for a node in `folders` under the `models:` or
 * `seeds:` tree: the deepest level that sets it, looking under the project name and without it.
 */
export function treeKeyLine(
  locate: (path: (string | number)[], exact?: boolean) => number | undefined,
  tree: 'models' | 'seeds',
  projectName: string,
  folders: string[],
  key: string,
): number | undefined {
  for (const prefix of [[tree, projectName], [tree]]) {
    for (let depth = folders.length; depth >= 0; depth--) {
      for (const k of [`+${key}`, key]) {
        const line = locate([...prefix, ...folders.slice(0, depth), k], true);
        if (line !== undefined) return line;
      }
    }
  }
  return locate([tree]);
}
