import { renderManifest, type RenderOptions } from '../compile/render.js';
import { mentionsQueries, withQueries, type QueryTable } from '../compile/runQuery.js';
import type { OpenProject } from './open.js';

/**
 * Rendering through the warehouse. When a model or macro of the project runs queries while it
 * renders (run_query, statement blocks), renders go through withQueries(), which pre-fetches the
 * answers from the project's adapter. The caller holds whatever lock the warehouse needs.
 *
 * As in dbt, a model's queries see its parents as this run built them: planning renders every
 * model (queries that fail — say, on a relation not built yet — answer an empty table), and the
 * models that asked for queries are rendered again when their step starts (renderAtRun).
 */
const answersOf = new WeakMap<OpenProject, Map<string, QueryTable>>();
const usesOf = new WeakMap<OpenProject, boolean>();

/** Whether templates of the project may run queries (a textual check of models and macros). */
export function usesQueries(p: OpenProject): boolean {
  let u = usesOf.get(p);
  if (u === undefined) {
    u = mentionsQueries([...p.project.models, ...p.project.macros, ...p.project.analyses].map((f) => f.raw));
    usesOf.set(p, u);
  }
  return u;
}

/**
 * renderManifest() with query answers from the warehouse when the project needs them.
 * - 'now' (default): queries must succeed; each call asks the warehouse afresh.
 * - 'plan': before anything is built; returns the ids of the models whose renders asked for
 *   queries — they are rendered again when their step starts. A model that fails to render only
 *   because a query failed is left for then too.
 */
export async function renderProject(p: OpenProject, o: RenderOptions, mode: 'plan' | 'now' = 'now'): Promise<Set<string>> {
  if (!usesQueries(p)) {
    renderManifest(p.session, o);
    return new Set();
  }
  const query = (sql: string) => p.adapter!.query(sql);
  if (mode === 'now') {
    await withQueries(new Map(), query, () => renderManifest(p.session, o));
    return new Set();
  }
  let answers = answersOf.get(p);
  if (!answers) answersOf.set(p, (answers = new Map()));
  const askers = new Set<string>();
  const failed = new Set<string>();
  const unrendered = new Map<string, unknown>();
  await withQueries(answers, query, () => {
    unrendered.clear();
    renderManifest(p.session, { ...o, onModelError: (n, e) => unrendered.set(n.path, e) });
  }, { tolerant: true, failed, askers });
  const later = new Set<string>();
  for (const n of Object.values(p.session.manifest.nodes)) {
    if (n.resourceType !== 'model') continue;
    if (askers.has(n.path)) later.add(n.uniqueId);
    const e = unrendered.get(n.path);
    // Failing for another reason than a query that could not run yet: the user's error, now.
    if (e !== undefined && !(askers.has(n.path) && failed.size > 0)) throw e;
  }
  return later;
}
