import { TformError, closest } from '../errors/index.js';
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
  /** Keys that are ignored (unknown, or dbt features tform does not have), each `file:line: message`. */
  warnings: string[];
}

/** Where a description was written, for errors while rendering it (`{{ doc('x') }}`). */
export interface DescriptionAt {
  file: string;
  line(): number | undefined;
}

const descriptionPositions = new WeakMap<object, DescriptionAt>();

/** Where the `description` of a model, seed, column, source or source table read by readSchemaFile is. */
export function descriptionAt(entry: object): DescriptionAt | undefined {
  return descriptionPositions.get(entry);
}

function keepDescriptionAt(entry: object, file: string, loc: Locate, path: (string | number)[]): void {
  descriptionPositions.set(entry, { file, line: () => loc([...path, 'description']) });
}

/** Top-level keys of a property file (dbt's), and what tform does with the ones it does not read. */
const TOP_KEYS = ['version', 'models', 'seeds', 'sources', 'macros', 'analyses', 'snapshots', 'exposures', 'metrics', 'semantic_models', 'saved_queries', 'groups', 'unit_tests', 'data_tests', 'functions'];
const IGNORED_TOP: Record<string, string> = {
  exposures: 'exposures are not supported by tform and are ignored',
  metrics: 'metrics are not supported by tform and are ignored',
  semantic_models: 'semantic models are not supported by tform and are ignored',
  saved_queries: 'saved queries are not supported by tform and are ignored',
  groups: 'groups are not supported by tform and are ignored (so is access: protected/private)',
  unit_tests: 'unit tests are not supported by tform and are ignored',
  data_tests: 'properties of singular tests are not read by tform (set their config in the test file)',
  functions: 'functions are not supported by tform and are ignored',
};
/** Keys of entries in a property file, as dbt has them. */
const MODEL_KEYS = ['name', 'description', 'docs', 'config', 'columns', 'tests', 'data_tests', 'meta', 'tags', 'latest_version', 'versions', 'access', 'group', 'constraints', 'deprecation_date', 'time_spine', 'contract'];
const SEED_KEYS = ['name', 'description', 'docs', 'config', 'columns', 'tests', 'data_tests', 'meta', 'tags'];
const COLUMN_KEYS = ['name', 'description', 'data_type', 'tests', 'data_tests', 'meta', 'tags', 'quote', 'constraints', 'policy_tags', 'granularity', 'config', 'docs'];
const SOURCE_KEYS = ['name', 'description', 'database', 'schema', 'loader', 'loaded_at_field', 'loaded_at_query', 'freshness', 'meta', 'tags', 'tables', 'config', 'overrides', 'quoting', 'tests', 'data_tests', 'docs'];
const TABLE_KEYS = ['name', 'description', 'identifier', 'loaded_at_field', 'loaded_at_query', 'freshness', 'meta', 'tags', 'columns', 'tests', 'data_tests', 'config', 'quoting', 'external', 'docs'];

function unknownKeys(o: Record<string, unknown>, known: string[], what: string, file: string, loc: Locate, path: (string | number)[], warnings: string[]): void {
  for (const k of Object.keys(o)) {
    if (known.includes(k)) continue;
    const near = closest(k, known);
    warnings.push(`${file}:${loc([...path, k]) ?? 1}: unknown key '${k}' in ${what} (ignored)${near ? `; did you mean '${near}'?` : ''}`);
  }
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

function columns(v: unknown, file: string, loc: Locate, path: (string | number)[], warnings: string[], owner: string): ColumnSpec[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new TformError('CONFIG_INVALID', `'columns' must be a list`, { file, line: loc(path) });
  return v.map((c, i) => {
    if (!isPlainObject(c) || typeof c.name !== 'string') {
      throw new TformError('CONFIG_INVALID', `each column needs a 'name'`, { file, line: loc([...path, i]) });
    }
    unknownKeys(c, COLUMN_KEYS, `column ${c.name} of ${owner}`, file, loc, [...path, i], warnings);
    const col: ColumnSpec = {
      name: c.name,
      description: str(c.description),
      dataType: c.data_type === undefined ? undefined : String(c.data_type),
      tests: tests(c, file, loc, [...path, i]),
      meta: obj(c.meta),
    };
    keepDescriptionAt(col, file, loc, [...path, i]);
    return col;
  });
}

function patches(list: unknown, key: 'models' | 'seeds', file: string, loc: Locate, warnings: string[]): NodePatch[] {
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw new TformError('CONFIG_INVALID', `'${key}' must be a list of entries with a name`, { file, line: loc([key]) });
  const kind = key === 'models' ? 'model' : 'seed';
  return list.map((m, i) => {
    if (!isPlainObject(m) || typeof m.name !== 'string') throw new TformError('CONFIG_INVALID', `each entry of '${key}' needs a 'name'`, { file, line: loc([key, i]) });
    if (m.versions !== undefined && m.versions !== null) {
      throw new TformError('CONFIG_INVALID', `model versions are not supported (versions: of model ${m.name})`, {
        file,
        line: loc([key, i, 'versions']),
        hint: 'tform has one model per file name: give each version its own model name and ref it by that name',
      });
    }
    unknownKeys(m, key === 'models' ? MODEL_KEYS : SEED_KEYS, `${kind} ${m.name}`, file, loc, [key, i], warnings);
    let config: unknown = m.config === undefined || m.config === null ? {} : m.config;
    if (!isPlainObject(config)) throw new TformError('CONFIG_INVALID', `'config' of ${m.name} must be a mapping`, { file, line: loc([key, i, 'config']) });
    // dbt reads `docs:` beside `config:` as the docs config (show, node_color).
    if (isPlainObject(m.docs)) config = { ...config, docs: { ...m.docs, ...obj((config as Record<string, unknown>).docs) } };
    const cfg = config as Record<string, unknown>;
    const patch: NodePatch = {
      name: m.name,
      file,
      line: 0,
      description: str(m.description),
      config: cfg,
      columns: columns(m.columns, file, loc, [key, i, 'columns'], warnings, `${kind} ${m.name}`),
      tests: tests(m, file, loc, [key, i]),
      meta: obj(m.meta),
    };
    keepDescriptionAt(patch, file, loc, [key, i]);
    // Only error messages read the line; finding it needs the slow positional parse.
    Object.defineProperty(patch, 'line', { enumerable: true, get: () => loc([key, i]) ?? 1 });
    return patch;
  });
}

function sources(list: unknown, file: string, loc: Locate, warnings: string[]): SourceSpec[] {
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw new TformError('CONFIG_INVALID', `'sources' must be a list`, { file, line: loc(['sources']) });
  return list.map((s, i) => {
    if (!isPlainObject(s) || typeof s.name !== 'string') throw new TformError('CONFIG_INVALID', `each source needs a 'name'`, { file, line: loc(['sources', i]) });
    const tables = s.tables ?? [];
    if (!Array.isArray(tables)) throw new TformError('CONFIG_INVALID', `'tables' of source ${s.name} must be a list`, { file, line: loc(['sources', i, 'tables']) });
    unknownKeys(s, SOURCE_KEYS, `source ${s.name}`, file, loc, ['sources', i], warnings);
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
        unknownKeys(t, TABLE_KEYS, `source table ${s.name}.${t.name}`, file, loc, ['sources', i, 'tables', j], warnings);
        const cols = columns(t.columns, file, loc, ['sources', i, 'tables', j, 'columns'], warnings, `source table ${s.name}.${t.name}`);
        const external = readExternal(t.external, cols, { file, loc, path: ['sources', i, 'tables', j], table: `${s.name}.${t.name}` });
        const table: SourceTableSpec = {
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
        keepDescriptionAt(table, file, loc, ['sources', i, 'tables', j]);
        return table;
      }),
    };
    keepDescriptionAt(spec, file, loc, ['sources', i]);
    Object.defineProperty(spec, 'line', { enumerable: true, get: () => loc(['sources', i]) ?? 1 });
    return spec;
  });
}

/** Read one schema YAML document (already parsed) into plain data. */
export function readSchemaFile(doc: unknown, file: string, text: string): SchemaFileContent {
  const loc = yamlLocator(text);
  if (doc === undefined || doc === null) return { models: [], seeds: [], sources: [], warnings: [] };
  if (!isPlainObject(doc)) throw new TformError('CONFIG_INVALID', `${file} must be a YAML mapping (version, models, sources, …)`, { file, line: 1 });
  // As dbt >= 1.5: `version:` may be left out; when present it must be 2.
  if (doc.version !== undefined && doc.version !== null && String(doc.version).trim() !== '2') {
    throw new TformError('CONFIG_INVALID', `invalid version: ${JSON.stringify(doc.version)}; only version: 2 is supported in property files`, {
      file,
      line: loc(['version']),
      hint: 'write version: 2 at the top of the file (or leave it out)',
    });
  }
  if (doc.snapshots !== undefined && doc.snapshots !== null && !(Array.isArray(doc.snapshots) && doc.snapshots.length === 0)) {
    throw new TformError('CONFIG_INVALID', 'snapshots are not supported yet', {
      file,
      line: loc(['snapshots']),
      hint: 'remove the snapshots: entries (tform builds models, seeds and tests only)',
    });
  }
  const warnings: string[] = [];
  for (const [k, v] of Object.entries(doc)) {
    if (!TOP_KEYS.includes(k)) {
      const near = closest(k, TOP_KEYS);
      warnings.push(`${file}:${loc([k]) ?? 1}: unknown key '${k}' (ignored)${near ? `; did you mean '${near}'?` : ''}`);
    } else if (IGNORED_TOP[k] && v !== null && !(Array.isArray(v) && v.length === 0)) {
      warnings.push(`${file}:${loc([k]) ?? 1}: ${IGNORED_TOP[k]}`);
    }
  }
  return {
    models: patches(doc.models, 'models', file, loc, warnings),
    seeds: patches(doc.seeds, 'seeds', file, loc, warnings),
    sources: sources(doc.sources, file, loc, warnings),
    warnings,
  };
}
