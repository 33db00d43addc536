import {
  MemoryLogger,
  buildPlan,
  openProject,
  relationKey,
  renderManifest,
  selectNodes,
  type CommonOptions,
  type Introspection,
  type OpenProject,
  type Plan,
  type RelationInfo,
} from '@tform/core';
import { builtinAdapters } from '@tform/adapters';

/**
 * Open a project in-process through core's workflow with the built-in adapters and a MemoryLogger.
 * The environment is empty unless given, so the host's variables never leak into a fixture.
 */
export async function open(projectDir: string, o: Partial<CommonOptions> = {}): Promise<OpenProject & { logger: MemoryLogger }> {
  const logger = new MemoryLogger();
  const p = await openProject({ projectDir, logger, builtins: builtinAdapters, env: { HOME: projectDir }, now: '2024-01-01T00:00:00Z', ...o });
  return Object.assign(p, { logger: (o.logger as MemoryLogger | undefined) ?? logger });
}

/** Open, run `fn`, and close the (never connected, unless fn connects it) adapter. */
export async function withProject<T>(projectDir: string, fn: (p: OpenProject & { logger: MemoryLogger }) => Promise<T> | T, o: Partial<CommonOptions> = {}): Promise<T> {
  const p = await open(projectDir, o);
  try {
    return await fn(p);
  } finally {
    await p.adapter?.close();
  }
}

export function introspection(existing: RelationInfo[] = []): Introspection {
  return { relations: new Map(existing.map((r) => [relationKey(r), r])) };
}

/**
 * The pure path of `tform build --dry-run`: render with the given introspection (what "exists"
 * in the warehouse) and plan the selected nodes. Touches no database.
 */
export function planWith(p: OpenProject, o: { existing?: RelationInfo[]; select?: string[]; command?: 'run' | 'seed' | 'build' } = {}): Plan {
  const intro = introspection(o.existing);
  const command = o.command ?? 'build';
  const resourceTypes: ('model' | 'seed')[] = command === 'seed' ? ['seed'] : command === 'run' ? ['model'] : ['model', 'seed'];
  renderManifest(p.session, { dialect: p.dialect, introspection: intro });
  const selected = selectNodes(p.session.manifest, p.graph, p.order, { select: o.select, resourceTypes });
  return buildPlan({ session: p.session, selected, dialect: p.dialect, capabilities: p.adapter!.capabilities, introspection: intro, seedsFirst: command === 'build' });
}
