import type { DirectedGraph } from 'graphology';
import { closest } from '../errors/index.js';
import type { NodeAttrs } from '../graph/graph.js';
import { selectorError, suggest } from './errors.js';
import { expand } from './graphOps.js';
import { matcherFor, type MethodContext } from './methods.js';
import type { NamedSelectors } from './selectorsFile.js';
import { StateComparison, type StateValue } from './stateCompare.js';
import type { Criterion, SelectionExpr } from './syntax.js';
import type { ManifestLike, SelectableNode, SelectionState } from './types.js';

export interface EvaluatorInputs {
  manifest: ManifestLike;
  graph: DirectedGraph<NodeAttrs>;
  state?: SelectionState;
  selectors?: NamedSelectors;
  projectDir?: string;
}

const STATE_HINT = "pass --state <dir> with the manifest.json of the run to compare with (e.g. a copy of production's target/)";

/** Evaluates selection expressions to sets of node ids over one manifest and graph. */
export class Evaluator implements MethodContext {
  readonly universe: SelectableNode[];
  readonly projectDir?: string;
  private comparison?: StateComparison;
  private readonly stateSets = new Map<string, Set<string>>();
  private readonly selectorSets = new Map<string, Set<string>>();
  private readonly evaluating = new Set<string>();

  constructor(private readonly inputs: EvaluatorInputs) {
    const m = inputs.manifest;
    this.universe = [...Object.values(m.nodes), ...Object.values(m.sources ?? {}), ...Object.values(m.tests ?? {})];
    this.projectDir = inputs.projectDir;
  }

  evaluate(e: SelectionExpr): Set<string> {
    switch (e.kind) {
      case 'criterion':
        return this.criterion(e.criterion);
      case 'union': {
        const out = new Set<string>();
        for (const item of e.items) for (const id of this.evaluate(item)) out.add(id);
        return out;
      }
      case 'intersection': {
        const sets = e.items.map((i) => this.evaluate(i));
        const [first, ...rest] = sets;
        return new Set([...(first ?? [])].filter((id) => rest.every((s) => s.has(id))));
      }
      case 'difference': {
        const minus = this.evaluate(e.minus);
        return new Set([...this.evaluate(e.base)].filter((id) => !minus.has(id)));
      }
    }
  }

  private criterion(c: Criterion): Set<string> {
    const match = matcherFor(c, this);
    const matched = new Set(this.universe.filter(match).map((n) => n.uniqueId));
    return expand(this.inputs.graph, matched, c);
  }

  stateIds(value: string, c: Criterion): Set<string> {
    const { state, manifest } = this.inputs;
    if (!state?.manifest) {
      if (state?.dir) throw selectorError(`'${c.raw}' compares with --state ${state.dir}, which has no manifest.json`, 'point --state at a target/ folder written by tform compile, run or build');
      throw selectorError(`'${c.raw}' needs --state`, STATE_HINT);
    }
    this.comparison ??= new StateComparison(manifest, state.manifest);
    let ids = this.stateSets.get(value);
    if (!ids) {
      ids = new Set(this.universe.filter((n) => this.comparison!.matches(value as StateValue, n)).map((n) => n.uniqueId));
      this.stateSets.set(value, ids);
    }
    return ids;
  }

  resultIds(status: string, c: Criterion): Set<string> {
    const rr = this.inputs.state?.runResults;
    if (!rr) {
      const where = this.inputs.state?.runResultsFile;
      throw selectorError(`'${c.raw}' needs the run_results.json of an earlier run${where ? `; there is none at ${where}` : ''}`, 'run tform run or build first, or pass --state <dir> holding run_results.json');
    }
    return new Set(rr.results.filter((r) => r.status === status).map((r) => (r.uniqueId ?? r.unique_id)!));
  }

  selectorIds(name: string, c: Criterion): Set<string> {
    const sels = this.inputs.selectors;
    const sel = sels?.byName.get(name);
    if (!sel) {
      const names = [...(sels?.byName.keys() ?? [])];
      throw selectorError(
        `unknown selector '${name}'${c.raw === name ? '' : ` in '${c.raw}'`}`,
        sels ? suggest(closest(name, names), names.length ? `selectors in ${sels.file}: ${names.join(', ')}` : `${sels.file} defines none`) : 'define it in selectors.yml at the project root',
      );
    }
    let ids = this.selectorSets.get(name);
    if (!ids) {
      if (this.evaluating.has(name)) throw selectorError(`selector '${name}' refers to itself`, 'selectors must not form a cycle');
      this.evaluating.add(name);
      ids = this.evaluate(sel.expr);
      this.evaluating.delete(name);
      this.selectorSets.set(name, ids);
    }
    return ids;
  }
}
