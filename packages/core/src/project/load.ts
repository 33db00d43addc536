import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { TformError } from '../errors/index.js';
import { readProjectConfig, DBT_PROJECT_FILE, PROJECT_FILE, type ProjectConfig, type ProjectValueRenderer } from './projectFile.js';
import { sha256, walk, type Listings, type ProjectFile } from './files.js';
import { readSchemaFile, type NodePatch, type SourceSpec } from './schemaYaml.js';
import { collectDocBlocks, type DocBlock } from './docsBlocks.js';
import { checkPackageFiles, checkPythonModels, checkSnapshots } from './unsupported.js';
import { parseYaml, readText } from './yaml.js';
import type { YamlCache } from '../compile/cache.js';

export interface SourceFile extends ProjectFile {
  raw: string;
  checksum: string;
}

/** Everything read from disk for a project, as plain data. No templates rendered yet. */
export interface LoadedProject {
  root: string;
  config: ProjectConfig;
  /** sha256 of the project file, an input of every node. */
  configChecksum: string;
  /** Text of the project file, to locate a key when reporting a problem. */
  configText: string;
  models: SourceFile[];
  macros: SourceFile[];
  /** SQL files under test-paths: singular tests, and custom generic tests in tests/generic/. */
  tests: SourceFile[];
  /** SQL files under analysis-paths: compiled like models, never run. */
  analyses: SourceFile[];
  seeds: (ProjectFile & { checksum: string })[];
  schemaFiles: { path: string; checksum: string }[];
  modelPatches: Map<string, NodePatch>;
  seedPatches: Map<string, NodePatch>;
  sources: SourceSpec[];
  /** `{% docs %}` blocks of the markdown files under docs-paths, by name. */
  docs: Map<string, DocBlock>;
  /** Warnings found while loading (project file, schema YAML), each `file:line: message`. */
  warnings: string[];
  /** Lines worth telling once (e.g. which project file was read). */
  notes: string[];
}

function readAll(files: ProjectFile[]): SourceFile[] {
  return files.map((f) => {
    const raw = readText(f.abs, f.path);
    if (raw.includes('\u0000')) throw new TformError('PROJECT_INVALID', `${f.path} is a binary file, not SQL`, { file: f.path, hint: 'remove it from the model folders' });
    return { ...f, raw, checksum: sha256(raw) };
  });
}

function collectPatches(list: NodePatch[], into: Map<string, NodePatch>, kind: string): void {
  for (const p of list) {
    const prev = into.get(p.name);
    if (prev) {
      throw new TformError('DUPLICATE_NAME', `${kind} '${p.name}' is described twice: ${prev.file}:${prev.line} and ${p.file}:${p.line}`, {
        file: p.file,
        line: p.line,
        hint: 'keep one entry per model in schema YAML',
      });
    }
    into.set(p.name, p);
  }
}

/** Files at the project root that are never schema YAML, even when a resource path is `.`. */
const ROOT_FILES = new Set([PROJECT_FILE, DBT_PROJECT_FILE, 'profiles.yml', 'packages.yml', 'dependencies.yml', 'selectors.yml', 'package-lock.yml']);

export interface ProjectLoadOptions {
  /** Renders Jinja in the project file's values (env_var, --vars, target), as dbt does. */
  render?: ProjectValueRenderer;
  /** Parsed schema YAML of the previous compile, once the project file says where target/ is. */
  yamlCache?: (config: ProjectConfig) => YamlCache | undefined;
}

export function loadProject(projectDir: string, o: ProjectLoadOptions = {}): LoadedProject {
  const root = resolve(projectDir);
  const { config, text } = readProjectConfig(root, { render: o.render });
  checkPackageFiles(root);
  // the same folders are walked for .py, .sql, .yml and .md files: list each once
  const listings: Listings = new Map();
  checkPythonModels(root, config, listings);
  const models = readAll(walk(root, config.modelPaths, ['.sql'], listings));
  const modelPaths = new Set(models.map((m) => m.path));
  const snapshotFiles = readAll(walk(root, config.snapshotPaths, ['.sql'], listings).filter((f) => !modelPaths.has(f.path)));
  checkSnapshots([...snapshotFiles, ...models]);
  const macros = readAll(walk(root, config.macroPaths, ['.sql'], listings));
  const tests = readAll(walk(root, config.testPaths, ['.sql'], listings));
  const analyses = readAll(walk(root, config.analysisPaths, ['.sql'], listings));
  const seeds = walk(root, config.seedPaths, ['.csv'], listings).map((f) => ({ ...f, checksum: sha256(readFileSync(f.abs)) }));
  const yamlRoots = [...new Set([...config.modelPaths, ...config.seedPaths, ...config.macroPaths, ...config.snapshotPaths, ...config.analysisPaths])];
  const seenYaml = new Set<string>();
  const yamlFiles = walk(root, yamlRoots, ['.yml', '.yaml'], listings).filter((f) => {
    if (ROOT_FILES.has(f.path) || seenYaml.has(f.path)) return false;
    seenYaml.add(f.path);
    return true;
  });
  const modelPatches = new Map<string, NodePatch>();
  const seedPatches = new Map<string, NodePatch>();
  const sources: SourceSpec[] = [];
  const schemaFiles: { path: string; checksum: string }[] = [];
  const warnings = [...config.warnings];
  const yamlCache = o.yamlCache?.(config);
  for (const f of yamlFiles) {
    const yText = readText(f.abs, f.path);
    const checksum = sha256(yText);
    schemaFiles.push({ path: f.path, checksum });
    const doc = yamlCache ? yamlCache.parse(f.path, checksum, () => parseYaml(yText, f.path)) : parseYaml(yText, f.path);
    const content = readSchemaFile(doc, f.path, yText);
    collectPatches(content.models, modelPatches, 'model');
    collectPatches(content.seeds, seedPatches, 'seed');
    sources.push(...content.sources);
    warnings.push(...content.warnings);
  }
  const mdSeen = new Set<string>();
  const mdFiles = walk(root, config.docsPaths, ['.md'], listings).filter((f) => !mdSeen.has(f.path) && mdSeen.add(f.path));
  const docs = collectDocBlocks(mdFiles.map((f) => ({ path: f.path, text: readText(f.abs, f.path) })));
  return {
    root,
    config,
    configChecksum: sha256(text),
    configText: text,
    models,
    macros,
    tests,
    analyses,
    seeds,
    schemaFiles,
    modelPatches,
    seedPatches,
    sources,
    docs,
    warnings,
    notes: [...config.notes],
  };
}
