import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** Root of the repository (tests/helpers/..). */
export const repoRoot = path.resolve(import.meta.dirname, '..', '..');

/** The DuckDB file every fixture profile points at, relative to the project (temp) dir. */
export const DB_FILE = 'warehouse.duckdb';

const created: string[] = [];

/** Write `files` (path relative to the new dir → content) into a fresh temp dir under os.tmpdir(); returns the dir. */
export function makeProject(files: Record<string, string>, prefix = 'tform-test-'): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
  created.push(dir);
  writeFiles(dir, files);
  return dir;
}

/** Write (or overwrite) files under `dir`. */
export function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    const f = path.join(dir, rel);
    fs.mkdirSync(path.dirname(f), { recursive: true });
    fs.writeFileSync(f, text);
  }
}

/** Every file under `dir` (none when it does not exist): path relative to `dir` → content. */
export function fileTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!fs.existsSync(dir)) return out;
  for (const e of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (e.isFile()) out[path.relative(dir, path.join(e.parentPath, e.name))] = fs.readFileSync(path.join(e.parentPath, e.name), 'utf8');
  }
  return out;
}

/**
 * `<dir>/<target>/manifest.json` without what differs between two invocations (its metadata: ids,
 * times) and with the target folder's name in paths replaced, so two compiles into different
 * target paths compare equal when they compiled the same.
 */
export function comparableManifest(dir: string, target: string): unknown {
  const m = JSON.parse(fs.readFileSync(path.join(dir, target, 'manifest.json'), 'utf8').replaceAll(`${target}/`, 'TARGET/'));
  delete m.metadata;
  return m;
}

/** Remove every dir made by makeProject (call from afterEach/afterAll). */
export function cleanupProjects(): void {
  for (const d of created.splice(0)) fs.rmSync(d, { recursive: true, force: true });
}

export interface ProfileOptions {
  profile?: string;
  schema?: string;
  /** DuckDB file; relative paths resolve against the project dir, so the default lives inside the temp dir. */
  path?: string;
  threads?: number;
  /** Extra YAML lines for the `dev` output, written relative to its keys (they are indented here). */
  extra?: string[];
}

/** A profiles.yml with one DuckDB target `dev` whose database file is inside the project dir. */
export function profilesYml(o: ProfileOptions = {}): string {
  const lines = [
    `${o.profile ?? 'proj'}:`,
    '  target: dev',
    '  outputs:',
    '    dev:',
    '      type: duckdb',
    `      path: ${o.path ?? DB_FILE}`,
    `      schema: ${o.schema ?? 'main'}`,
    `      threads: ${o.threads ?? 1}`,
    ...(o.extra ?? []).map((l) => `      ${l}`),
  ];
  return lines.join('\n') + '\n';
}

/** A minimal tform_project.yml; `more` is appended verbatim (models:, vars:, hooks, …). */
export function projectYml(more = '', name = 'proj'): string {
  return `name: ${name}\nprofile: ${name}\n${more}`;
}

/** tform_project.yml + profiles.yml + the given files. */
export function basicProject(files: Record<string, string>, o: { project?: string; profile?: ProfileOptions } = {}): string {
  return makeProject({ 'tform_project.yml': projectYml(o.project ?? ''), 'profiles.yml': profilesYml(o.profile), ...files });
}

/** Every file under `dir`, relative, with forward slashes, sorted. */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    if (!fs.existsSync(d)) return;
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const abs = path.join(d, e.name);
      if (e.isDirectory()) walk(abs);
      else out.push(path.relative(dir, abs).split(path.sep).join('/'));
    }
  };
  walk(dir);
  return out.sort();
}

export function readJson<T = any>(file: string): T {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
}
