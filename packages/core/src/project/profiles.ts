import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { TformError, isTformError } from '../errors/index.js';
import { registerSecret } from '../log/secrets.js';
import type { TargetProfile } from '../adapter/types.js';
import type { TemplateEngine } from '../compile/templating.js';
import { newScope } from '../compile/scope.js';
import { isPlainObject, parseYaml, readText, yamlLine } from './yaml.js';

export const PROFILES_FILE = 'profiles.yml';

/** Profile keys whose values are credentials, whatever the adapter. */
const SECRET_KEY_RE = /pass(word)?|secret|token|private_key|keyfile_json|api_key|credentials/i;

export interface ProfileSearch {
  projectDir: string;
  profilesDir?: string;
  env?: NodeJS.ProcessEnv;
  /** Which project file was read: a dbt project looks in ~/.dbt before ~/.tform. */
  flavor?: 'tform' | 'dbt';
  /** The directory tform runs in (dbt looks there too); default process.cwd(). */
  cwd?: string;
}

/**
 * Where profiles.yml is looked for, in order; the first that exists is read:
 * `--profiles-dir`, `$TFORM_PROFILES_DIR`, `$DBT_PROFILES_DIR`, the project directory, the
 * current directory, then `~/.tform/` and `~/.dbt/` (`~/.dbt/` first for a dbt project).
 */
export function profileDirs(o: ProfileSearch): { dir: string; why: string }[] {
  const env = o.env ?? process.env;
  if (o.profilesDir) return [{ dir: o.profilesDir, why: '--profiles-dir' }];
  const dirs: { dir: string; why: string }[] = [];
  if (env.TFORM_PROFILES_DIR) dirs.push({ dir: env.TFORM_PROFILES_DIR, why: 'TFORM_PROFILES_DIR' });
  if (env.DBT_PROFILES_DIR) dirs.push({ dir: env.DBT_PROFILES_DIR, why: 'DBT_PROFILES_DIR' });
  dirs.push({ dir: o.projectDir, why: 'project directory' });
  const cwd = o.cwd ?? process.cwd();
  if (resolve(cwd) !== resolve(o.projectDir)) dirs.push({ dir: cwd, why: 'current directory' });
  const home = env.HOME ?? homedir();
  const homes = [
    { dir: join(home, '.tform'), why: '~/.tform' },
    { dir: join(home, '.dbt'), why: '~/.dbt' },
  ];
  dirs.push(...(o.flavor === 'dbt' ? homes.reverse() : homes));
  return dirs;
}

export function findProfilesFile(o: ProfileSearch): string {
  const dirs = profileDirs(o);
  for (const d of dirs) {
    const f = join(d.dir, PROFILES_FILE);
    if (existsSync(f)) return f;
  }
  throw new TformError('PROFILE_NOT_FOUND', `no ${PROFILES_FILE} found`, {
    details: dirs.map((d) => `looked in ${d.dir} (${d.why})`),
    hint: `create ${PROFILES_FILE} in the project directory, or pass --profiles-dir`,
  });
}

function displayPath(abs: string, projectDir: string): string {
  const rel = relative(projectDir, abs);
  return rel.startsWith('..') ? abs : rel;
}

/**
 * Render one Jinja string of a YAML file outside any model (profiles.yml, the project file):
 * env_var(), var() and what `context` holds (target). Rendered numbers and booleans come back as
 * such, as dbt renders these files natively (threads: "{{ env_var('T') }}"). Errors point at the
 * value's line.
 */
export function renderYamlString(
  v: string,
  o: { engine: TemplateEngine; file: string; text: string; path: (string | number)[]; context?: Record<string, unknown>; what?: string },
): unknown {
  if (!v.includes('{{') && !v.includes('{%')) return v;
  const what = o.what ?? 'profiles.yml';
  const noRef = (): never => {
    throw new TformError('PROFILE_INVALID', `ref() and source() cannot be used in ${what}`);
  };
  const scope = newScope({ mode: 'compile', file: o.file, raw: v, resolveRef: noRef, resolveSource: noRef, context: o.context ?? {} });
  try {
    const out = o.engine.render(v, o.file, scope).trim();
    if (/^-?\d+$/.test(out)) return Number(out);
    if (out === 'true' || out === 'false') return out === 'true';
    return out;
  } catch (e) {
    if (isTformError(e)) {
      throw new TformError(e.code, e.message, { file: o.file, line: yamlLine(o.text, o.path), hint: e.hint });
    }
    throw e;
  }
}

/** Render `{{ env_var(...) }}` in every string value, as dbt does for profiles. */
function renderValues(v: unknown, engine: TemplateEngine, file: string, text: string, path: (string | number)[]): unknown {
  if (typeof v === 'string') return renderYamlString(v, { engine, file, text, path });
  if (Array.isArray(v)) return v.map((x, i) => renderValues(x, engine, file, text, [...path, i]));
  if (isPlainObject(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = renderValues(x, engine, file, text, [...path, k]);
    return out;
  }
  return v;
}

export interface LoadedProfile {
  target: TargetProfile;
  /** Display path of profiles.yml. */
  file: string;
  targetNames: string[];
}

export function loadProfile(
  o: ProfileSearch & { profileName: string; targetName?: string; engine: TemplateEngine; extraSecretFields?: readonly string[]; profileNameAt?: { file: string; line?: number } },
): LoadedProfile {
  const abs = findProfilesFile(o);
  const file = displayPath(abs, o.projectDir);
  const text = readText(abs, file);
  const doc = parseYaml(text, file);
  if (!isPlainObject(doc)) throw new TformError('PROFILE_INVALID', `${file} must be a YAML mapping of profile names`, { file, line: 1 });
  const prof = doc[o.profileName];
  if (!isPlainObject(prof)) {
    const names = Object.keys(doc).filter((k) => k !== 'config');
    throw new TformError('PROFILE_NOT_FOUND', `profile '${o.profileName}' is not in ${file}`, {
      file: o.profileNameAt?.file ?? file,
      line: o.profileNameAt?.line,
      hint: names.length ? `profiles there: ${names.join(', ')}; the project file's 'profile:' must name one` : `add a '${o.profileName}:' entry with target and outputs`,
    });
  }
  const outputs = prof.outputs;
  if (!isPlainObject(outputs) || Object.keys(outputs).length === 0) {
    throw new TformError('PROFILE_INVALID', `profile '${o.profileName}' has no outputs`, { file, line: yamlLine(text, [o.profileName]), hint: 'add outputs: { dev: { type: duckdb, schema: main } }' });
  }
  const targetNames = Object.keys(outputs);
  // dbt renders the default target too: target: "{{ env_var('DBT_TARGET', 'dev') }}"
  const renderedTarget = typeof prof.target === 'string' ? renderYamlString(prof.target, { engine: o.engine, file, text, path: [o.profileName, 'target'] }) : undefined;
  const defaultTarget = renderedTarget === undefined || renderedTarget === '' ? undefined : String(renderedTarget);
  const targetName = o.targetName ?? defaultTarget ?? (targetNames.length === 1 ? targetNames[0]! : undefined);
  if (!targetName || !isPlainObject(outputs[targetName])) {
    throw new TformError('TARGET_NOT_FOUND', targetName ? `target '${targetName}' is not defined in profile '${o.profileName}'` : `profile '${o.profileName}' does not say which target to use`, {
      file,
      line: yamlLine(text, [o.profileName, 'target']) ?? yamlLine(text, [o.profileName]),
      hint: `targets defined: ${targetNames.join(', ')}`,
    });
  }
  const raw = renderValues(outputs[targetName], o.engine, file, text, [o.profileName, 'outputs', targetName]) as Record<string, unknown>;
  const secretFields = new Set(o.extraSecretFields ?? []);
  for (const [k, v] of Object.entries(raw)) if (SECRET_KEY_RE.test(k) || secretFields.has(k)) registerSecret(v);
  const at = (k: string) => yamlLine(text, [o.profileName, 'outputs', targetName, k]) ?? yamlLine(text, [o.profileName, 'outputs', targetName]);
  if (typeof raw.type !== 'string' || !raw.type) {
    throw new TformError('PROFILE_INVALID', `target '${targetName}' has no 'type'`, { file, line: at('type'), hint: 'e.g. type: duckdb' });
  }
  // dbt-duckdb defaults the schema to main; every other adapter needs one.
  const schema = raw.schema ?? raw.dataset ?? (raw.type === 'duckdb' ? 'main' : undefined);
  if (typeof schema !== 'string' || !schema) {
    throw new TformError('PROFILE_INVALID', `target '${targetName}' has no 'schema'`, { file, line: at('schema'), hint: 'e.g. schema: main' });
  }
  if (raw.threads !== undefined && (!Number.isInteger(raw.threads) || (raw.threads as number) < 1)) {
    throw new TformError('PROFILE_INVALID', `'threads' must be a positive integer, got ${JSON.stringify(raw.threads)}`, { file, line: at('threads') });
  }
  const target: TargetProfile = { ...raw, name: targetName, type: raw.type, schema, threads: raw.threads as number | undefined };
  return { target, file, targetNames };
}
