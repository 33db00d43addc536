import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readText } from '../project/yaml.js';
import { selectorError } from './errors.js';
import { parseSelectorsFile, SELECTORS_FILE, type NamedSelectors } from './selectorsFile.js';
import type { ManifestLike, RunResultsLike, SelectionState } from './types.js';

/**
 * The only I/O of selection: reading the artifacts `state:` and `result:` compare with, and the
 * project's selectors.yml. Missing files are not errors here; using a method that needs them is.
 */

function readJson(file: string, what: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw selectorError(`cannot read ${what} ${file}: ${(e as Error).message}`, 'it should be a JSON file written by tform (compile, run or build)');
  }
}

/** `<dir>/manifest.json`, or undefined when there is none. */
export function readStateManifest(dir: string): ManifestLike | undefined {
  const file = join(dir, 'manifest.json');
  if (!existsSync(file)) return undefined;
  const m = readJson(file, 'state manifest') as ManifestLike;
  if (!m || typeof m !== 'object' || typeof m.nodes !== 'object') throw selectorError(`${file} is not a tform manifest`, 'point --state at a target/ folder written by tform');
  return m;
}

/** A run_results.json, or undefined when there is none. */
export function readRunResults(file: string): RunResultsLike | undefined {
  if (!existsSync(file)) return undefined;
  const r = readJson(file, 'run results') as RunResultsLike;
  if (!r || !Array.isArray(r.results)) throw selectorError(`${file} has no results list`, 'it should be a run_results.json written by tform run or build');
  return r;
}

/** The project's selectors.yml, parsed and checked; undefined when there is none. */
export function readSelectorsFile(projectDir: string): NamedSelectors | undefined {
  const file = join(projectDir, SELECTORS_FILE);
  if (!existsSync(file)) return undefined;
  return parseSelectorsFile(readText(file, SELECTORS_FILE), SELECTORS_FILE);
}

export interface SelectionInputOptions {
  /** Project root. */
  projectDir: string;
  /** The project's target-path (default 'target'), where run_results.json is without --state. */
  targetPath?: string;
  /** `--state <dir>`, resolved against `cwd`. */
  stateDir?: string;
  cwd?: string;
}

/** State (from `--state`, else the target dir for run results) and selectors.yml, for selectNodes. */
export function readSelectionInputs(o: SelectionInputOptions): { state: SelectionState; selectors?: NamedSelectors } {
  const root = resolve(o.projectDir);
  const stateDir = o.stateDir === undefined ? undefined : resolve(o.cwd ?? process.cwd(), o.stateDir);
  const runResultsFile = join(stateDir ?? join(root, o.targetPath ?? 'target'), 'run_results.json');
  const state: SelectionState = {
    dir: o.stateDir,
    manifest: stateDir ? readStateManifest(stateDir) : undefined,
    runResults: readRunResults(runResultsFile),
    runResultsFile,
  };
  return { state, selectors: readSelectorsFile(root) };
}
