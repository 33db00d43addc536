import { DB_FILE, makeProject } from './fixture.js';

/** A dbt_project.yml for project (and profile) `name`; `more` is appended verbatim. */
export function dbtProjectYml(more = '', name = 'shop'): string {
  return `name: '${name}'\nversion: '1.0.0'\nconfig-version: 2\nprofile: '${name}'\n${more}`;
}

/**
 * A dbt-style profiles.yml with one DuckDB target `dev`. dbt-duckdb opens a relative `path` from
 * the directory it runs in, so tests run the CLI with the project as cwd, or pass an absolute path.
 */
export function dbtProfilesYml(o: { name?: string; path?: string; extra?: string[] } = {}): string {
  return [`${o.name ?? 'shop'}:`, '  target: dev', '  outputs:', '    dev:', '      type: duckdb', `      path: ${o.path ?? DB_FILE}`, '      threads: 1', ...(o.extra ?? []).map((l) => `      ${l}`)].join('\n') + '\n';
}

/** dbt_project.yml (+ `project` lines) and profiles.yml (unless `profiles: null`) and the files, in a temp dir. */
export function dbtProject(files: Record<string, string>, o: { project?: string; profiles?: string | null; name?: string } = {}): string {
  const base: Record<string, string> = { 'dbt_project.yml': dbtProjectYml(o.project ?? '', o.name) };
  if (o.profiles !== null) base['profiles.yml'] = o.profiles ?? dbtProfilesYml({ name: o.name });
  return makeProject({ ...base, ...files }, 'tform-dbt-');
}
