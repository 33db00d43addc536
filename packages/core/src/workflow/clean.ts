import { existsSync, lstatSync, readdirSync, rmSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { TformError } from '../errors/index.js';
import type { Logger } from '../log/logger.js';
import { readProjectConfig } from '../project/projectFile.js';
import { yamlLine } from '../project/yaml.js';

/** DuckDB database files (and their WAL and tform lock files): `tform clean` keeps them. */
const DATABASE_FILE = /\.duckdb(\.wal|\.tform-lock)?$/;

export interface CleanOutcome {
  /** clean-targets that were removed (or emptied but for database files), relative to the project. */
  cleaned: string[];
  /** Database files kept inside them. */
  kept: string[];
}

function inside(child: string, parent: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** Remove everything under `dir` except database files; true when `dir` itself could go. */
function removeAllBut(dir: string, root: string, kept: string[]): boolean {
  let keepDir = false;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const abs = join(dir, e.name);
    if (e.isDirectory() && !e.isSymbolicLink()) {
      if (removeAllBut(abs, root, kept)) rmSync(abs, { recursive: true, force: true });
      else keepDir = true;
    } else if (DATABASE_FILE.test(e.name)) {
      kept.push(relative(root, abs).split(sep).join('/'));
      keepDir = true;
    } else rmSync(abs, { force: true });
  }
  return !keepDir;
}

/**
 * `tform clean`: remove the project's clean-targets (default: the target path and dbt_packages).
 * A path outside the project, the project itself or one holding project files (models, seeds,
 * macros, …) is refused before anything is removed. DuckDB database files inside a target are
 * kept (a profile may keep its warehouse in target/).
 */
export function cleanProject(projectDir: string, logger: Logger): CleanOutcome {
  const root = resolve(projectDir);
  const { config, text } = readProjectConfig(root);
  const resourcePaths = [...config.modelPaths, ...config.seedPaths, ...config.macroPaths, ...config.testPaths, ...config.snapshotPaths, ...config.analysisPaths, ...config.docsPaths];
  const line = () => yamlLine(text, ['clean-targets']);
  const targets = config.cleanTargets.map((t) => ({ name: t, abs: resolve(root, t) }));
  for (const t of targets) {
    if (!inside(t.abs, root)) {
      throw new TformError('PROJECT_INVALID', `clean-target '${t.name}' is outside the project directory; tform clean removes only paths inside it`, { file: config.file, line: line(), hint: 'remove it from clean-targets' });
    }
    if (t.abs === root) throw new TformError('PROJECT_INVALID', `clean-target '${t.name}' is the project directory itself`, { file: config.file, line: line(), hint: "list folders to remove, e.g. clean-targets: ['target', 'dbt_packages']" });
    const hit = resourcePaths.find((p) => inside(resolve(root, p), t.abs));
    if (hit !== undefined) {
      throw new TformError('PROJECT_INVALID', `clean-target '${t.name}' holds project files (${hit}); tform clean will not remove it`, { file: config.file, line: line(), hint: 'clean-targets should name generated folders only, such as target and dbt_packages' });
    }
  }
  const out: CleanOutcome = { cleaned: [], kept: [] };
  for (const t of targets) {
    logger.info(`Checking ${t.name}/*`);
    if (!existsSync(t.abs)) continue;
    const st = lstatSync(t.abs);
    if (st.isDirectory() && !st.isSymbolicLink()) {
      const kept: string[] = [];
      if (removeAllBut(t.abs, root, kept)) rmSync(t.abs, { recursive: true, force: true });
      for (const k of kept) logger.info(`Kept ${k} (a database file)`);
      out.kept.push(...kept);
    } else if (!DATABASE_FILE.test(t.abs)) rmSync(t.abs, { force: true });
    out.cleaned.push(t.name);
    logger.info(`Cleaned ${t.name}/*`);
  }
  logger.info('Finished cleaning all paths.');
  return out;
}
