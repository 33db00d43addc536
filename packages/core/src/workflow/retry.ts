import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TformError } from '../errors/index.js';
import type { BuildCommand } from './commands.js';
import type { OpenProject } from './open.js';

export interface RetryPlan {
  command: BuildCommand;
  ids: string[];
  /** Nodes of the last run that no longer exist in the project. */
  gone: string[];
}

/**
 * What `tform retry` re-runs: the nodes that errored or were skipped in the last
 * run_results.json, with the command that produced it.
 */
export function retryPlan(p: OpenProject): RetryPlan {
  const rel = `${p.project.config.targetPath}/run_results.json`;
  const file = join(p.project.root, rel);
  if (!existsSync(file)) throw new TformError('FLAG_INVALID', `nothing to retry: ${rel} does not exist`, { hint: 'run tform run, seed or build first' });
  let doc: { metadata?: { command?: string }; results?: { uniqueId: string; status: string }[] };
  try {
    doc = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new TformError('FLAG_INVALID', `cannot read ${rel}: ${(e as Error).message}`, { file: rel });
  }
  const command = doc.metadata?.command;
  if (command !== 'run' && command !== 'seed' && command !== 'build') {
    throw new TformError('FLAG_INVALID', `the last run (${command ?? 'unknown command'}) cannot be retried`, { file: rel, hint: 'retry follows tform run, seed or build' });
  }
  const failed = (doc.results ?? []).filter((r) => r.status === 'error' || r.status === 'skipped' || r.status === 'fail').map((r) => r.uniqueId);
  const known = new Set(Object.keys(p.session.manifest.nodes));
  return { command, ids: failed.filter((id) => known.has(id)), gone: failed.filter((id) => !known.has(id)) };
}
