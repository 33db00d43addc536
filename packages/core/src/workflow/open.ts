import { randomUUID } from 'node:crypto';
import type { DirectedGraph } from 'graphology';
import { resolveAdapterFactory } from '../adapter/registry.js';
import type { Adapter, AdapterFactory, TargetProfile } from '../adapter/types.js';
import { isLockHandle, type LockHandle } from '../adapter/types.js';
import type { Dialect } from '../adapter/dialect.js';
import { createClock, type Clock } from '../clock.js';
import { TformError } from '../errors/index.js';
import { registerSecret, registerSecretEnv } from '../log/secrets.js';
import { buildManifest, type CompileSession } from '../compile/resolve.js';
import { CACHE_FILE, readCacheDoc, YamlCache, type CacheDoc } from '../compile/cache.js';
import { TemplateEngine } from '../compile/templating.js';
import { buildGraph, generations, type NodeAttrs } from '../graph/graph.js';
import { resolve } from 'node:path';
import { targetContext, TFORM_VERSION } from '../compile/context.js';
import { loadProject, type LoadedProject } from '../project/load.js';
import { loadProfile, renderYamlString } from '../project/profiles.js';
import { readProjectProfileName } from '../project/projectFile.js';
import { isPlainObject, parseYaml, yamlLine, readText } from '../project/yaml.js';
import type { CommonOptions } from './options.js';

/** A project opened for a command: parsed, resolved and graphed; no connection yet. */
export interface OpenProject {
  opts: CommonOptions;
  project: LoadedProject;
  target: TargetProfile;
  profileFile: string;
  factory: AdapterFactory;
  /** Created lazily: opening the project never connects. */
  adapter?: Adapter;
  dialect: Dialect;
  session: CompileSession;
  graph: DirectedGraph<NodeAttrs>;
  /** All node ids in topological order. */
  order: string[];
  clock: Clock;
  invocationId: string;
  threads: number;
}

export function parseVars(v: CommonOptions['vars']): Record<string, unknown> {
  if (v === undefined) return {};
  if (typeof v !== 'string') return v;
  if (!v.trim()) return {};
  let doc: unknown;
  try {
    doc = parseYaml(v, '--vars');
  } catch (e) {
    throw new TformError('VARS_INVALID', `--vars is not valid YAML or JSON: ${(e as Error).message}`, { hint: `e.g. --vars '{start_date: 2024-01-01}'` });
  }
  if (!isPlainObject(doc)) throw new TformError('VARS_INVALID', `--vars must be a mapping, got ${JSON.stringify(doc)}`, { hint: `e.g. --vars '{start_date: 2024-01-01}'` });
  return doc;
}

/** Where artifacts go instead of the project file's target-path: `--target-path`, else $DBT_TARGET_PATH, else $TFORM_TARGET_PATH. */
export function targetPathFromFlags(flag: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  return flag ?? env.DBT_TARGET_PATH ?? env.TFORM_TARGET_PATH;
}

/** Load, parse and resolve the project, its profile and adapter type. Every user error surfaces here. */
export async function openProject(opts: CommonOptions): Promise<OpenProject> {
  const env = opts.env ?? process.env;
  registerSecretEnv(env);
  const clock = createClock(opts.now, env);
  const cliVars = parseVars(opts.vars);
  // profiles.yml and the project file render env_var() and --vars (not the project's vars), as dbt's do.
  const profileEngine = new TemplateEngine({ vars: cliVars, env, logger: opts.logger });
  const root = resolve(opts.projectDir);
  const head = readProjectProfileName(root, (file, text) => (value, path) => renderYamlString(value, { engine: profileEngine, file, text, path, what: file }));
  const prof = loadProfile({
    projectDir: root,
    profilesDir: opts.profilesDir,
    env,
    flavor: head.flavor,
    cwd: opts.cwd,
    profileName: opts.profile ?? head.profile,
    targetName: opts.target,
    engine: profileEngine,
    profileNameAt: opts.profile ? undefined : { file: head.file, line: yamlLine(head.text, ['profile'], true) ?? yamlLine(head.text, ['name']) },
  });
  const targetPathOverride = targetPathFromFlags(opts.targetPath, env);
  // The parse cache of the previous compile, read once: schema YAML is looked up in it while
  // loading, parse and render results while building the manifest.
  let cacheFile = '';
  let cacheDoc: CacheDoc | undefined;
  let yamlCache: YamlCache | undefined;
  // The rest of the project file may use target too (dbt: "{{ target.name }}" in a +schema).
  const project = loadProject(root, {
    render: (value, path) => renderYamlString(value, { engine: profileEngine, file: head.file, text: head.text, path, context: { target: targetContext(prof.target) }, what: head.file }),
    yamlCache: (config) => {
      cacheFile = resolve(root, targetPathOverride ?? config.targetPath, CACHE_FILE);
      cacheDoc = opts.partialParse === false ? undefined : readCacheDoc(cacheFile);
      return (yamlCache = new YamlCache(cacheDoc, TFORM_VERSION));
    },
  });
  if (opts.profile) project.config.profile = opts.profile;
  if (targetPathOverride) project.config.targetPath = targetPathOverride;
  // The line of a key of the target (`orTarget`: the target's own line when the key is not there).
  const keyLine = (key: string | undefined, orTarget = true) => {
    try {
      const text = readText(prof.file.startsWith('/') ? prof.file : `${project.root}/${prof.file}`, prof.file);
      const at = [opts.profile ?? head.profile, 'outputs', prof.target.name];
      return (key === undefined ? undefined : yamlLine(text, [...at, key])) ?? (orTarget ? yamlLine(text, at) : undefined);
    } catch {
      return undefined;
    }
  };
  const typeLine = () => keyLine('type', false);
  const factory = await resolveAdapterFactory(prof.target.type, { projectDir: project.root, builtins: opts.builtins, file: prof.file, line: typeLine() });
  for (const f of factory.secretFields ?? []) registerSecret(prof.target[f]);
  if (opts.threads !== undefined && (!Number.isInteger(opts.threads) || opts.threads < 1)) {
    throw new TformError('FLAG_INVALID', `--threads must be a positive integer, got ${opts.threads}`);
  }
  const threads = opts.threads ?? prof.target.threads ?? 4;
  // The dialect is pure: asking the factory for an adapter does not connect.
  const workingDir = project.config.flavor === 'dbt' ? resolve(opts.cwd ?? process.cwd()) : undefined;
  const profileLocation = (key?: string) => ({ file: prof.file, line: keyLine(key) });
  const adapter = await factory.create(prof.target, { projectDir: project.root, threads, profileLocation, ...(workingDir ? { workingDir } : {}) });
  const invocationId = randomUUID();
  const session = buildManifest({
    project,
    target: prof.target,
    dialect: adapter.dialect,
    cliVars,
    logger: opts.logger,
    invocationId,
    now: clock.now(),
    env,
    staticFastPath: opts.staticParser,
    cache: { file: cacheFile || resolve(project.root, project.config.targetPath, CACHE_FILE), read: opts.partialParse !== false, doc: cacheDoc, yaml: yamlCache },
  });
  const graph = buildGraph(session.manifest);
  const order = generations(graph).flat();
  return { opts, project, target: prof.target, profileFile: prof.file, factory, adapter, dialect: adapter.dialect, session, graph, order, clock, invocationId, threads };
}

/**
 * Take the run lock of the target. Waits (saying who holds it) unless `wait` is false, in which
 * case a held lock is a user error (exit 2).
 */
export async function acquireLock(p: OpenProject, wait: boolean): Promise<LockHandle> {
  const adapter = p.adapter!;
  const r = await adapter.lock(`tform:${p.project.config.name}:${p.target.name}`, {
    wait,
    command: p.opts.command ?? 'tform',
    onWait: (h) => p.opts.logger.info(`Waiting for the run lock of target '${p.target.name}', held by pid ${h.pid} on ${h.host} since ${h.startedAt} (${h.command})`, 'lock_wait', { holder: h }),
  });
  if (!isLockHandle(r)) {
    throw new TformError('LOCK_HELD', `target '${p.target.name}' is locked by pid ${r.heldBy.pid} on ${r.heldBy.host} since ${r.heldBy.startedAt} (${r.heldBy.command})`, {
      hint: 'wait for that run to finish, or run without --no-wait to queue behind it',
    });
  }
  if (r.tookOverFrom) {
    const h = r.tookOverFrom;
    p.opts.logger.warn(`took over a stale run lock of pid ${h.pid} on ${h.host} from ${h.startedAt} (${h.command})`);
  }
  return r;
}
