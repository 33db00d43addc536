import type { DirectedGraph } from 'graphology';
import type { NodeAttrs } from '../graph/graph.js';
import { selectorError } from './errors.js';
import { Evaluator } from './evaluate.js';
import type { NamedSelectors } from './selectorsFile.js';
import { makeCriterion, parseSelector, union, type SelectionExpr } from './syntax.js';
import type { ManifestLike, SelectableNode, SelectableType, SelectionState } from './types.js';

export * from './types.js';
export { parseSelector, parseCriterion, type SelectionExpr, type Criterion } from './syntax.js';
export { METHOD_NAMES, RESULT_VALUES } from './methods.js';
export { STATE_VALUES, type StateValue } from './stateCompare.js';
export { annotateMacros, macroFingerprints, type MacroSource, type MacroFingerprint } from './macros.js';
export { parseSelectorsFile, SELECTORS_FILE, type NamedSelector, type NamedSelectors } from './selectorsFile.js';
export { readSelectionInputs, readStateManifest, readRunResults, readSelectorsFile, type SelectionInputOptions } from './load.js';

/**
 * Node selection, dbt's grammar plus tform's layers (see syntax.ts for the language and
 * methods.ts for the methods):
 *
 *   selected = (⋃ --select values ∪ --selector) − ⋃ --exclude values
 *
 * No --select and no --selector selects everything (or the selectors.yml selector marked
 * `default: true`, when there is no --exclude either). Tests (resource type 'test') join
 * indirectly: by default a test is selected when any node it tests is, and excluded when any
 * node it tests is excluded. A well-formed selection that matches nothing is not an error.
 */
export interface SelectOptions {
  /** `--select` values; each is a space-separated union. */
  select?: string[];
  /** `--exclude` values, subtracted last. */
  exclude?: string[];
  /** `--selector name`: a selector of selectors.yml, added to the --select union. */
  selector?: string;
  /** Resource types to return (run: model; seed: seed; build: model+seed; ls: any). */
  resourceTypes: readonly SelectableType[];
  /** Earlier artifacts for `state:` and `result:` (see readSelectionInputs). */
  state?: SelectionState;
  /** The project's selectors.yml (see readSelectorsFile). */
  selectors?: NamedSelectors;
  /** Project root, so `path:` accepts absolute paths. */
  projectDir?: string;
  /** How tests follow the nodes they test: any (eager, default), all (cautious), or never (empty). */
  indirectSelection?: 'eager' | 'cautious' | 'empty';
}

/** Add the tests whose tested nodes are in `ids` (any of them when eager, all when cautious). */
function addTests(ids: Set<string>, nodes: SelectableNode[], mode: 'eager' | 'cautious' | 'empty'): void {
  if (mode === 'empty') return;
  for (const t of nodes) {
    if (t.resourceType !== 'test') continue;
    const tested = t.dependsOn?.nodes?.length ? t.dependsOn.nodes : t.attachedNode ? [t.attachedNode] : [];
    if (tested.length && (mode === 'eager' ? tested.some((id) => ids.has(id)) : tested.every((id) => ids.has(id)))) ids.add(t.uniqueId);
  }
}

function selectorExpr(name: string): SelectionExpr {
  if (!name.trim()) throw selectorError('--selector needs the name of a selector in selectors.yml');
  return { kind: 'criterion', criterion: makeCriterion({ raw: name, method: 'selector', value: name, parents: 0, children: 0, childrensParents: false }) };
}

/** Selected node ids, in the manifest's topological order (`order`: all node ids of the graph). */
export function selectNodes(manifest: ManifestLike, g: DirectedGraph<NodeAttrs>, order: string[], o: SelectOptions): string[] {
  const select = (o.select ?? []).filter((s) => s.trim());
  const exclude = (o.exclude ?? []).filter((s) => s.trim());
  // Parse everything first: a syntax error is reported before any state is looked at.
  const include = select.map(parseSelector);
  const named = o.selector ?? (select.length === 0 && exclude.length === 0 ? o.selectors?.defaultName : undefined);
  if (named !== undefined) include.push(selectorExpr(named));
  const minus = exclude.map(parseSelector);

  const ev = new Evaluator({ manifest, graph: g, state: o.state, selectors: o.selectors, projectDir: o.projectDir });
  const chosen = include.length ? ev.evaluate(union(include)) : new Set(ev.universe.map((n) => n.uniqueId));
  const excluded = minus.length ? ev.evaluate(union(minus)) : new Set<string>();
  addTests(chosen, ev.universe, o.indirectSelection ?? 'eager');
  addTests(excluded, ev.universe, 'eager');

  const types = new Set<string>(o.resourceTypes);
  const typeOf = new Map(ev.universe.map((n) => [n.uniqueId, n.resourceType]));
  // Nodes outside the graph (tests, until the graph holds them) come last, by id.
  const inOrder = new Set(order);
  const outside = [...chosen].filter((id) => !inOrder.has(id)).sort();
  return [...order, ...outside].filter((id) => chosen.has(id) && !excluded.has(id) && types.has(typeOf.get(id) ?? ''));
}
