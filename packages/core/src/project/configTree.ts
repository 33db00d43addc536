import { isPlainObject } from './yaml.js';
import { mergeConfig, normalizeKey } from './configKeys.js';
import type { ProjectFlavor } from './projectFile.js';

/**
 * A `models:` / `seeds:` tree from the project file. `+key` entries are config; a bare key is config
 * when it is a known config name and its value is not a folder mapping (as dbt reads it), otherwise a
 * folder (or the project name at the top).
 */
export type ConfigTree = Record<string, unknown>;

/** Config keys whose values are mappings; under their bare name tform_project.yml reads them as config, not folders. */
const DICT_CONFIG_KEYS = new Set(['meta', 'docs', 'column_types', 'grants', 'persist_docs', 'quoting', 'folds', 'partition_by', 'contract']);

/**
 * One level of a tree. dbt_project.yml follows dbt exactly: `+key` is config, a bare key with a
 * mapping value is a folder (so mapping-valued config needs the `+`), any other bare key is
 * config. tform_project.yml also reads a bare mapping-valued config name (`meta:`) as config.
 */
function splitLevel(tree: ConfigTree, flavor: ProjectFlavor): { config: Record<string, unknown>; children: Record<string, ConfigTree> } {
  const config: Record<string, unknown> = {};
  const children: Record<string, ConfigTree> = {};
  for (const [k, v] of Object.entries(tree)) {
    if (k.startsWith('+') || (flavor === 'tform' && DICT_CONFIG_KEYS.has(normalizeKey(k)) && isPlainObject(v))) config[normalizeKey(k)] = v;
    else if (isPlainObject(v)) children[k] = v;
    else config[normalizeKey(k)] = v;
  }
  return { config, children };
}

/**
 * Config for a node whose fqn is [project, ...folders, name]. In tform_project.yml the tree may be
 * keyed by the project name first (dbt style) or directly by folder (tform style); both are read.
 * In dbt_project.yml the level under the tree's top is a package name, as dbt reads it.
 */
export function configFromTree(tree: ConfigTree | undefined, projectName: string, folders: string[], name: string, flavor: ProjectFlavor = 'tform'): Record<string, unknown> {
  if (!tree) return {};
  let cfg: Record<string, unknown> = {};
  const top = splitLevel(tree, flavor);
  cfg = mergeConfig(cfg, top.config);
  const own = top.children[projectName];
  if (!own && flavor === 'dbt') return cfg;
  let level = own ? splitLevel(own, flavor) : top;
  if (own) cfg = mergeConfig(cfg, level.config);
  for (const part of [...folders, name]) {
    const child = level.children[part];
    if (!child) break;
    level = splitLevel(child, flavor);
    cfg = mergeConfig(cfg, level.config);
  }
  return cfg;
}

/**
 * Folder paths of a dbt_project.yml tree (`[project, folder, ...]`, as dbt's fqn) that no node's
 * fqn starts with: dbt warns about them, as they are usually a typo or a moved folder.
 */
export function unusedTreePaths(tree: ConfigTree | undefined, fqns: string[][], flavor: ProjectFlavor): string[][] {
  if (!tree) return [];
  const out: string[][] = [];
  const used = (path: string[]) => fqns.some((f) => path.every((p, i) => f[i] === p));
  const visit = (t: ConfigTree, path: string[]) => {
    for (const [k, v] of Object.entries(splitLevel(t, flavor).children)) {
      const p = [...path, k];
      if (!used(p)) out.push(p);
      else visit(v, p);
    }
  };
  visit(tree, []);
  return out;
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
