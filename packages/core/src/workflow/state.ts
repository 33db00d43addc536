import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { RelationRef } from '../adapter/types.js';
import { TformError } from '../errors/index.js';
import type { Introspection } from '../compile/render.js';
import { existingRelation } from '../compile/render.js';
import type { Manifest } from '../compile/manifest.js';
import { readRunResults, readSelectorsFile, selectNodes, type SelectableType } from '../select/select.js';
import type { OpenProject } from './open.js';
import type { SelectionOptions } from './options.js';

/** Artifacts of an earlier run (`--state <dir>`): its manifest, and its run_results when present. */
export interface StateArtifacts {
  dir: string;
  manifest: Manifest;
  runResults?: { results: { uniqueId: string; status: string }[] };
}

export function loadState(dir: string, cwd = process.cwd()): StateArtifacts {
  const abs = resolve(cwd, dir);
  const mf = join(abs, 'manifest.json');
  if (!existsSync(mf)) {
    throw new TformError('FLAG_INVALID', `--state ${dir}: no manifest.json there`, { hint: 'point --state at the target/ folder of the run to compare with (e.g. a copy of production artifacts)' });
  }
  const read = (f: string) => {
    try {
      return JSON.parse(readFileSync(f, 'utf8'));
    } catch (e) {
      throw new TformError('FLAG_INVALID', `--state ${dir}: cannot read ${f}: ${(e as Error).message}`);
    }
  };
  const manifest = read(mf) as Manifest;
  if (!manifest?.metadata || typeof manifest.nodes !== 'object') throw new TformError('FLAG_INVALID', `--state ${dir}: manifest.json is not a tform manifest`);
  const rr = join(abs, 'run_results.json');
  return { dir: abs, manifest, runResults: existsSync(rr) ? read(rr) : undefined };
}

/**
 * --defer: for each node a selected node depends on that this run does not build and that does
 * not exist in this target, read it from where the state's run built it.
 */
export function deferredRelations(o: {
  manifest: Manifest;
  selected: Set<string>;
  state: StateArtifacts;
  introspection: Introspection;
}): Map<string, RelationRef> {
  const out = new Map<string, RelationRef>();
  const seen = new Set<string>();
  const visit = (id: string) => {
    for (const pid of o.manifest.nodes[id]?.dependsOn.nodes ?? []) {
      if (seen.has(pid)) continue;
      seen.add(pid);
      const p = o.manifest.nodes[pid];
      if (!p) continue; // a source
      if (p.materialized === 'ephemeral') {
        visit(pid); // inlined: its own refs are what the query reads
        continue;
      }
      if (o.selected.has(pid)) continue;
      const own = { database: p.database, schema: p.schema, identifier: p.alias };
      if (existingRelation(o.introspection, own)) continue;
      const s = o.state.manifest.nodes[pid];
      if (s && s.materialized !== 'ephemeral') out.set(pid, { database: s.database, schema: s.schema, identifier: s.alias });
    }
  };
  for (const id of o.selected) visit(id);
  return out;
}

/**
 * Select nodes with everything selectors may consult: selectors.yml, the --state run, and the
 * last run_results.json (of --state, else this project's target folder). Read before this run
 * overwrites its own artifacts.
 */
export function selectFor(p: OpenProject, o: SelectionOptions, resourceTypes: SelectableType[]): string[] {
  const runResultsFile = join(o.state?.dir ?? join(p.project.root, p.project.config.targetPath), 'run_results.json');
  return selectNodes(p.session.manifest, p.graph, p.order, {
    select: o.select,
    exclude: o.exclude,
    selector: o.selector,
    resourceTypes,
    projectDir: p.project.root,
    selectors: readSelectorsFile(p.project.root),
    state: { dir: o.state?.dir, manifest: o.state?.manifest, runResults: o.state ? o.state.runResults : readRunResults(runResultsFile), runResultsFile },
  });
}
