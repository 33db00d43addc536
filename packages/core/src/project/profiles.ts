import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, relative } from 'node:path';
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
}

/** Where profiles.yml is looked for, in order. */
export function profileDirs(o: ProfileSearch): { dir: string; why: string }[] {
  const env = o.env ?? process.env;
  if (o.profilesDir) return [{ dir: o.profilesDir, why: '--profiles-dir' }];
  const dirs: { dir: string; why: string }[] = [];
  if (env.TFORM_PROFILES_DIR) dirs.push({ dir: env.TFORM_PROFILES_DIR, why: 'TFORM_PROFILES_DIR' });
  dirs.push({ dir: o.projectDir, why: 'project directory' });
  dirs.push({ dir: join(env.HOME ?? homedir(), '.tform'), why: '~/.tform' });
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

/** Render `{{ env_var(...) }}` in every string value, as dbt does for profiles. */
function renderValues(v: unknown, engine: TemplateEngine, file: string, text: string, path: (string | number)[]): unknown {
  if (typeof v === 'string') {
    if (!v.includes('{{') && !v.includes('{%')) return v;
    const scope = newScope({ mode: 'compile', file, raw: v, resolveRef: noRef, resolveSource: noRef });
    try {
      const out = engine.render(v, file, scope).trim();
      // dbt casts rendered numbers/booleans back (threads: "{{ env_var('T') }}")
      if (/^-?\d+$/.test(out)) return Number(out);
      if (out === 'true' || out === 'false') return out === 'true';
      return out;
    } catch (e) {
      if (isTformError(e)) {
        throw new TformError(e.code, e.message, { file, line: yamlLine(text, path), hint: e.hint });
      }
      throw e;
    }
  }
  if (Array.isArray(v)) return v.map((x, i) => renderValues(x, engine, file, text, [...path, i]));
  if (isPlainObject(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = renderValues(x, engine, file, text, [...path, k]);
    return out;
  }
  return v;
}

function noRef(): never {
  throw new TformError('PROFILE_INVALID', 'ref() and source() cannot be used in profiles.yml');
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
  const defaultTarget = typeof prof.target === 'string' ? prof.target : undefined;
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
  const schema = raw.schema ?? raw.dataset;
  if (typeof schema !== 'string' || !schema) {
    throw new TformError('PROFILE_INVALID', `target '${targetName}' has no 'schema'`, { file, line: at('schema'), hint: 'e.g. schema: main' });
  }
  if (raw.threads !== undefined && (!Number.isInteger(raw.threads) || (raw.threads as number) < 1)) {
    throw new TformError('PROFILE_INVALID', `'threads' must be a positive integer, got ${JSON.stringify(raw.threads)}`, { file, line: at('threads') });
  }
  const target: TargetProfile = { ...raw, name: targetName, type: raw.type, schema, threads: raw.threads as number | undefined };
  return { target, file, targetNames };
}
