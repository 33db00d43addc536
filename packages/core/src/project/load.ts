import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { TformError } from '../errors/index.js';
import { readProjectConfig, PROJECT_FILE, type ProjectConfig } from './projectFile.js';
import { sha256, walk, type ProjectFile } from './files.js';
import { readSchemaFile, type NodePatch, type SourceSpec } from './schemaYaml.js';
import { parseYaml, readText } from './yaml.js';

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
  seeds: (ProjectFile & { checksum: string })[];
  schemaFiles: { path: string; checksum: string }[];
  modelPatches: Map<string, NodePatch>;
  seedPatches: Map<string, NodePatch>;
  sources: SourceSpec[];
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

export function loadProject(projectDir: string): LoadedProject {
  const root = resolve(projectDir);
  const { config, text } = readProjectConfig(root);
  const models = readAll(walk(root, config.modelPaths, ['.sql']));
  const macros = readAll(walk(root, config.macroPaths, ['.sql']));
  const tests = readAll(walk(root, config.testPaths, ['.sql']));
  const seeds = walk(root, config.seedPaths, ['.csv']).map((f) => ({ ...f, checksum: sha256(readFileSync(f.abs)) }));
  const yamlFiles = walk(root, [...config.modelPaths, ...config.seedPaths, ...config.macroPaths], ['.yml', '.yaml']).filter(
    (f) => f.path !== PROJECT_FILE,
  );
  const modelPatches = new Map<string, NodePatch>();
  const seedPatches = new Map<string, NodePatch>();
  const sources: SourceSpec[] = [];
  const schemaFiles: { path: string; checksum: string }[] = [];
  for (const f of yamlFiles) {
    const yText = readText(f.abs, f.path);
    schemaFiles.push({ path: f.path, checksum: sha256(yText) });
    const content = readSchemaFile(parseYaml(yText, f.path), f.path, yText);
    collectPatches(content.models, modelPatches, 'model');
    collectPatches(content.seeds, seedPatches, 'seed');
    sources.push(...content.sources);
  }
  return { root, config, configChecksum: sha256(text), configText: text, models, macros, tests, seeds, schemaFiles, modelPatches, seedPatches, sources };
}
