import { TformError } from '../errors/index.js';
import { readExternal, type ExternalSpec } from './external.js';
import { isPlainObject, yamlLocator } from './yaml.js';

type Locate = (path: (string | number)[]) => number | undefined;

/** A column as described in schema YAML. */
export interface ColumnSpec {
  name: string;
  description: string;
  dataType?: string;
  /** Raw test declarations (`tests:` / `data_tests:`), interpreted by the tests stage. */
  tests: unknown[];
  meta: Record<string, unknown>;
}

/** A `models:` (or `seeds:`) entry of a schema YAML file. */
export interface NodePatch {
  name: string;
  file: string;
  line: number;
  description: string;
  config: Record<string, unknown>;
  columns: ColumnSpec[];
  tests: unknown[];
  meta: Record<string, unknown>;
}

export interface SourceTableSpec {
  name: string;
  identifier: string;
  description: string;
  columns: ColumnSpec[];
  tests: unknown[];
  loadedAtField?: string;
  freshness?: unknown;
  meta: Record<string, unknown>;
  config: Record<string, unknown>;
  /** Raw files loaded into this table by `tform load` (see external.ts). */
  external?: ExternalSpec;
}

export interface SourceSpec {
  name: string;
  file: string;
  line: number;
  description: string;
  /** Unrendered; may contain `{{ target.schema }}` and the like. */
  schema: string;
  database?: string;
  loadedAtField?: string;
  freshness?: unknown;
  tables: SourceTableSpec[];
  meta: Record<string, unknown>;
}

export interface SchemaFileContent {
  models: NodePatch[];
  seeds: NodePatch[];
  sources: SourceSpec[];
}

function str(v: unknown): string {
  return v === undefined || v === null ? '' : String(v);
}

function obj(v: unknown): Record<string, unknown> {
  return isPlainObject(v) ? v : {};
}

/**
 * Where the raw test declarations of one YAML entry (model, seed, column, source table) are. Lines
 * are looked up only when asked, i.e. when a declaration is reported as wrong: the happy path never
 * pays for the position-keeping YAML parse.
 */
export interface TestPositions {
  file: string;
  /** Line of the entry that owns the list. */
  ownerLine(): number | undefined;
  /**
   * Line of declaration `index` of the merged list (`data_tests` first, then `tests`), or of the
   * key at `sub` inside it (e.g. `['accepted_values', 'config', 'severity']`), else the nearest
   * enclosing line.
   */
  line(index: number, sub?: (string | number)[]): number | undefined;
}

const positions = new WeakMap<unknown[], TestPositions>();

/** Positions of a `tests` list read by readSchemaFile (undefined for a list built elsewhere). */
export function testPositions(list: unknown[]): TestPositions | undefined {
  return positions.get(list);
}

function tests(o: Record<string, unknown>, file: string, loc: Locate, path: (string | number)[]): unknown[] {
  for (const key of ['data_tests', 'tests']) {
    if (o[key] !== undefined && o[key] !== null && !Array.isArray(o[key])) {
      throw new TformError('CONFIG_INVALID', `'${key}' must be a list of tests`, {
        file,
        line: loc([...path, key]),
        hint: `e.g. ${key}: [not_null, unique]`,
      });
    }
  }
  const data = Array.isArray(o.data_tests) ? o.data_tests : [];
  const t = [...data, ...(Array.isArray(o.tests) ? o.tests : [])];
  positions.set(t, {
    file,
    ownerLine: () => loc(path),
    line: (index, sub = []) => (index < data.length ? loc([...path, 'data_tests', index, ...sub]) : loc([...path, 'tests', index - data.length, ...sub])),
  });
  return t;
}

function columns(v: unknown, file: string, loc: Locate, path: (string | number)[]): ColumnSpec[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new TformError('CONFIG_INVALID', `'columns' must be a list`, { file, line: loc(path) });
  return v.map((c, i) => {
    if (!isPlainObject(c) || typeof c.name !== 'string') {
      throw new TformError('CONFIG_INVALID', `each column needs a 'name'`, { file, line: loc([...path, i]) });
    }
    return {
      name: c.name,
      description: str(c.description),
      dataType: c.data_type === undefined ? undefined : String(c.data_type),
      tests: tests(c, file, loc, [...path, i]),
      meta: obj(c.meta),
    };
  });
}

function patches(list: unknown, key: string, file: string, loc: Locate): NodePatch[] {
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw new TformError('CONFIG_INVALID', `'${key}' must be a list of entries with a name`, { file, line: loc([key]) });
  return list.map((m, i) => {
    if (!isPlainObject(m) || typeof m.name !== 'string') throw new TformError('CONFIG_INVALID', `each entry of '${key}' needs a 'name'`, { file, line: loc([key, i]) });
    const config = m.config === undefined ? {} : m.config;
    if (!isPlainObject(config)) throw new TformError('CONFIG_INVALID', `'config' of ${m.name} must be a mapping`, { file, line: loc([key, i, 'config']) });
    const patch: NodePatch = {
      name: m.name,
      file,
      line: 0,
      description: str(m.description),
      config,
      columns: columns(m.columns, file, loc, [key, i, 'columns']),
      tests: tests(m, file, loc, [key, i]),
      meta: obj(m.meta),
    };
    // Only error messages read the line; finding it needs the slow positional parse.
    Object.defineProperty(patch, 'line', { enumerable: true, get: () => loc([key, i]) ?? 1 });
    return patch;
  });
}

function sources(list: unknown, file: string, loc: Locate): SourceSpec[] {
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw new TformError('CONFIG_INVALID', `'sources' must be a list`, { file, line: loc(['sources']) });
  return list.map((s, i) => {
    if (!isPlainObject(s) || typeof s.name !== 'string') throw new TformError('CONFIG_INVALID', `each source needs a 'name'`, { file, line: loc(['sources', i]) });
    const tables = s.tables ?? [];
    if (!Array.isArray(tables)) throw new TformError('CONFIG_INVALID', `'tables' of source ${s.name} must be a list`, { file, line: loc(['sources', i, 'tables']) });
    const spec: SourceSpec = {
      name: s.name,
      file,
      line: 0,
      description: str(s.description),
      schema: s.schema === undefined ? s.name : String(s.schema),
      database: s.database === undefined ? undefined : String(s.database),
      loadedAtField: s.loaded_at_field === undefined ? undefined : String(s.loaded_at_field),
      freshness: s.freshness,
      meta: obj(s.meta),
      tables: tables.map((t, j) => {
        if (!isPlainObject(t) || typeof t.name !== 'string') {
          throw new TformError('CONFIG_INVALID', `each table of source ${s.name} needs a 'name'`, { file, line: loc(['sources', i, 'tables', j]) });
        }
        const cols = columns(t.columns, file, loc, ['sources', i, 'tables', j, 'columns']);
        const external = readExternal(t.external, cols, { file, loc, path: ['sources', i, 'tables', j], table: `${s.name}.${t.name}` });
        return {
          name: t.name,
          identifier: t.identifier === undefined ? t.name : String(t.identifier),
          description: str(t.description),
          columns: cols,
          ...(external ? { external } : {}),
          tests: tests(t, file, loc, ['sources', i, 'tables', j]),
          loadedAtField: t.loaded_at_field === undefined ? undefined : String(t.loaded_at_field),
          freshness: t.freshness,
          meta: obj(t.meta),
          config: obj(t.config),
        };
      }),
    };
    Object.defineProperty(spec, 'line', { enumerable: true, get: () => loc(['sources', i]) ?? 1 });
    return spec;
  });
}

/** Read one schema YAML document (already parsed) into plain data. */
export function readSchemaFile(doc: unknown, file: string, text: string): SchemaFileContent {
  const loc = yamlLocator(text);
  if (doc === undefined || doc === null) return { models: [], seeds: [], sources: [] };
  if (!isPlainObject(doc)) throw new TformError('CONFIG_INVALID', `${file} must be a YAML mapping (version, models, sources, …)`, { file, line: 1 });
  return {
    models: patches(doc.models, 'models', file, loc),
    seeds: patches(doc.seeds, 'seeds', file, loc),
    sources: sources(doc.sources, file, loc),
  };
}
