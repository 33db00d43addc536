import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { TformError } from '../errors/index.js';
import { walk, type Listings } from './files.js';
import type { ProjectConfig } from './projectFile.js';
import { isPlainObject, parseYaml, readText, yamlLocator } from './yaml.js';

/**
 * dbt constructs tform does not have. Each is one user error naming the construct and where it
 * is, raised while loading, so nothing runs with part of the project silently left out.
 */

/** What one packages.yml entry points at, for the message. */
function describePackage(e: unknown): string {
  if (!isPlainObject(e)) return JSON.stringify(e);
  if (typeof e.package === 'string') return `${e.package} (dbt Hub)`;
  if (typeof e.git === 'string') return `${e.git} (git)`;
  if (typeof e.local === 'string') return `${e.local} (local)`;
  if (typeof e.tarball === 'string') return `${e.tarball} (tarball)`;
  if (typeof e.private === 'string') return `${e.private} (private git)`;
  if (typeof e.name === 'string') return e.name;
  return JSON.stringify(e);
}

/**
 * packages.yml / dependencies.yml: tform installs no packages, so an entry is an error at its
 * line. Files without entries (`packages: []`) are fine.
 */
export function checkPackageFiles(root: string): void {
  for (const file of ['packages.yml', 'dependencies.yml']) {
    const abs = join(root, file);
    if (!existsSync(abs)) continue;
    const text = readText(abs, file);
    const doc = parseYaml(text, file);
    if (doc === undefined || doc === null) continue;
    if (!isPlainObject(doc)) continue;
    const loc = yamlLocator(text);
    for (const key of ['packages', 'projects'] as const) {
      const list = doc[key];
      if (list === undefined || list === null || (Array.isArray(list) && list.length === 0)) continue;
      const first = Array.isArray(list) ? list[0] : list;
      const what = key === 'packages' ? `package ${describePackage(first)}` : `project ${describePackage(first)} (cross-project ref)`;
      throw new TformError('PROJECT_INVALID', `tform does not install dbt packages: ${file} lists ${what}`, {
        file,
        line: loc(Array.isArray(list) ? [key, 0] : [key]),
        hint:
          key === 'packages'
            ? "tform reads only this project's own files: copy the macros you use into macros/ (with their licence) and remove the entry, or leave packages: empty"
            : 'refs to other projects are not supported: remove the entry and ref models of this project only',
      });
    }
  }
}

/** Python models (`models/**.py`): not supported. */
export function checkPythonModels(root: string, config: ProjectConfig, listings?: Listings): void {
  const py = walk(root, config.modelPaths, ['.py'], listings);
  if (py.length === 0) return;
  const f = py[0]!;
  const text = readText(f.abs, f.path);
  const idx = text.search(/^def\s+model\s*\(/m);
  throw new TformError('PROJECT_INVALID', `Python models are not supported: ${f.path}${py.length > 1 ? ` (and ${py.length - 1} more)` : ''}`, {
    file: f.path,
    line: idx < 0 ? 1 : text.slice(0, idx).split('\n').length,
    hint: 'tform builds SQL models only: rewrite the model in SQL, or move the file out of the model paths',
  });
}

/** `{% snapshot %}` blocks (in files under snapshot-paths or model paths): not supported yet. */
export function checkSnapshots(files: { path: string; raw: string }[]): void {
  for (const f of files) {
    if (!f.raw.includes('snapshot')) continue;
    const m = /\{%-?\s*snapshot\s+[A-Za-z_]/.exec(f.raw);
    if (!m) continue;
    throw new TformError('PROJECT_INVALID', 'snapshots are not supported yet', {
      file: f.path,
      line: f.raw.slice(0, m.index).split('\n').length,
      hint: 'move the snapshot out of the project (tform builds models, seeds and tests only)',
    });
  }
}
