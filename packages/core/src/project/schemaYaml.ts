import { TformError } from '../errors/index.js';
import { isPlainObject, yamlLine } from './yaml.js';

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

function tests(o: Record<string, unknown>): unknown[] {
  const t = [...(Array.isArray(o.data_tests) ? o.data_tests : []), ...(Array.isArray(o.tests) ? o.tests : [])];
  return t;
}

function columns(v: unknown, file: string, text: string, path: (string | number)[]): ColumnSpec[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new TformError('CONFIG_INVALID', `'columns' must be a list`, { file, line: yamlLine(text, path) });
  return v.map((c, i) => {
    if (!isPlainObject(c) || typeof c.name !== 'string') {
      throw new TformError('CONFIG_INVALID', `each column needs a 'name'`, { file, line: yamlLine(text, [...path, i]) });
    }
    return {
      name: c.name,
      description: str(c.description),
      dataType: c.data_type === undefined ? undefined : String(c.data_type),
      tests: tests(c),
      meta: obj(c.meta),
    };
  });
}

function patches(list: unknown, key: string, file: string, text: string): NodePatch[] {
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw new TformError('CONFIG_INVALID', `'${key}' must be a list of entries with a name`, { file, line: yamlLine(text, [key]) });
  return list.map((m, i) => {
    const line = yamlLine(text, [key, i]) ?? 1;
    if (!isPlainObject(m) || typeof m.name !== 'string') throw new TformError('CONFIG_INVALID', `each entry of '${key}' needs a 'name'`, { file, line });
    const config = m.config === undefined ? {} : m.config;
    if (!isPlainObject(config)) throw new TformError('CONFIG_INVALID', `'config' of ${m.name} must be a mapping`, { file, line: yamlLine(text, [key, i, 'config']) });
    return {
      name: m.name,
      file,
      line,
      description: str(m.description),
      config,
      columns: columns(m.columns, file, text, [key, i, 'columns']),
      tests: tests(m),
      meta: obj(m.meta),
    };
  });
}

function sources(list: unknown, file: string, text: string): SourceSpec[] {
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw new TformError('CONFIG_INVALID', `'sources' must be a list`, { file, line: yamlLine(text, ['sources']) });
  return list.map((s, i) => {
    const line = yamlLine(text, ['sources', i]) ?? 1;
    if (!isPlainObject(s) || typeof s.name !== 'string') throw new TformError('CONFIG_INVALID', `each source needs a 'name'`, { file, line });
    const tables = s.tables ?? [];
    if (!Array.isArray(tables)) throw new TformError('CONFIG_INVALID', `'tables' of source ${s.name} must be a list`, { file, line: yamlLine(text, ['sources', i, 'tables']) });
    return {
      name: s.name,
      file,
      line,
      description: str(s.description),
      schema: s.schema === undefined ? s.name : String(s.schema),
      database: s.database === undefined ? undefined : String(s.database),
      loadedAtField: s.loaded_at_field === undefined ? undefined : String(s.loaded_at_field),
      freshness: s.freshness,
      meta: obj(s.meta),
      tables: tables.map((t, j) => {
        if (!isPlainObject(t) || typeof t.name !== 'string') {
          throw new TformError('CONFIG_INVALID', `each table of source ${s.name} needs a 'name'`, { file, line: yamlLine(text, ['sources', i, 'tables', j]) });
        }
        return {
          name: t.name,
          identifier: t.identifier === undefined ? t.name : String(t.identifier),
          description: str(t.description),
          columns: columns(t.columns, file, text, ['sources', i, 'tables', j, 'columns']),
          tests: tests(t),
          loadedAtField: t.loaded_at_field === undefined ? undefined : String(t.loaded_at_field),
          freshness: t.freshness,
          meta: obj(t.meta),
          config: obj(t.config),
        };
      }),
    };
  });
}

/** Read one schema YAML document (already parsed) into plain data. */
export function readSchemaFile(doc: unknown, file: string, text: string): SchemaFileContent {
  if (doc === undefined || doc === null) return { models: [], seeds: [], sources: [] };
  if (!isPlainObject(doc)) throw new TformError('CONFIG_INVALID', `${file} must be a YAML mapping (version, models, sources, …)`, { file, line: 1 });
  return {
    models: patches(doc.models, 'models', file, text),
    seeds: patches(doc.seeds, 'seeds', file, text),
    sources: sources(doc.sources, file, text),
  };
}
