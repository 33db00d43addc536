import type { RawFileFormat } from '../adapter/types.js';
import { closest, TformError } from '../errors/index.js';
import { checkDateTimeFormat, DateTimeFormatError } from '../load/datetime.js';
import type { ColumnSpec } from './schemaYaml.js';
import { isPlainObject } from './yaml.js';

/**
 * The `external:` block of a source table (as dbt-external-tables spells it): raw files that
 * `tform load` loads into the source's table.
 *
 * ```yaml
 * external:
 *   location: "data/events/**\/*.jsonl.gz"   # glob relative to the project dir, or absolute
 *   format: jsonl                # jsonl | csv (default: from the location's extension)
 *   compression: auto            # gzip | none | auto (by the .gz extension)
 *   header: true                 # csv only
 *   delimiter: ","               # csv only
 *   date_format: "%d/%m/%Y"      # strptime-style, for date columns
 *   timestamp_format: "%Y-%m-%d %H:%M:%S"
 * ```
 * The table's `columns:` (name and data_type each) define the table.
 */

/** Column added to every table loaded from files: the file each row came from. */
export const FILE_COLUMN = '_tform_file';

export type ExternalCompression = 'gzip' | 'none' | 'auto';

export interface ExternalSpec {
  /** Unrendered; may hold `{{ var(...) }}` and the like. */
  location: string;
  format: RawFileFormat;
  compression: ExternalCompression;
  /** CSV: the first row names the columns (default true). */
  header: boolean;
  /** CSV: one character (default `,`; tab for `.tsv`). */
  delimiter: string;
  dateFormat?: string;
  timestampFormat?: string;
}

const KEYS = ['location', 'format', 'compression', 'header', 'delimiter', 'date_format', 'timestamp_format'];
const FORMATS: Record<string, RawFileFormat> = { jsonl: 'jsonl', ndjson: 'jsonl', csv: 'csv' };
const COMPRESSIONS: ExternalCompression[] = ['gzip', 'none', 'auto'];
/** A type name, with optional parameters and array brackets; no quotes, semicolons or comments. */
const TYPE_NAME = /^[A-Za-z_][A-Za-z0-9_ ]*(\(\s*\d+(\s*,\s*\d+)?\s*\))?[A-Za-z0-9_ ]*(\[\])*$/;

type Locate = (path: (string | number)[]) => number | undefined;

export interface ExternalContext {
  file: string;
  loc: Locate;
  /** YAML path of the table entry (`['sources', i, 'tables', j]`). */
  path: (string | number)[];
  /** `source.table`, for messages. */
  table: string;
}

/** Format by a location's extension: `.jsonl`/`.ndjson`/`.json` → jsonl, `.csv`/`.tsv` → csv (`.gz` ignored). */
export function formatOfPath(path: string): { format: RawFileFormat; delimiter?: string } | undefined {
  const name = path.toLowerCase().replace(/\.(gz|gzip)$/, '');
  if (/\.(jsonl|ndjson|json)$/.test(name)) return { format: 'jsonl' };
  if (name.endsWith('.csv')) return { format: 'csv' };
  if (name.endsWith('.tsv')) return { format: 'csv', delimiter: '\t' };
  return undefined;
}

/** The compression of one file: `auto` means gzip for a `.gz` name. */
export function compressionOf(spec: Pick<ExternalSpec, 'compression'>, path: string): 'gzip' | 'none' {
  if (spec.compression !== 'auto') return spec.compression;
  return /\.(gz|gzip)$/i.test(path) ? 'gzip' : 'none';
}

/**
 * Validate a table's `external:` block and its columns; undefined when there is none. Every
 * problem is a CONFIG_INVALID TformError at the YAML line.
 */
export function readExternal(raw: unknown, columns: ColumnSpec[], ctx: ExternalContext): ExternalSpec | undefined {
  if (raw === undefined || raw === null) return undefined;
  const { file, loc, table } = ctx;
  const at = (...sub: (string | number)[]) => loc([...ctx.path, 'external', ...sub]);
  const bad = (message: string, line: number | undefined, hint?: string) => new TformError('CONFIG_INVALID', `source table ${table}: ${message}`, { file, line, hint });
  if (!isPlainObject(raw)) throw bad("'external' must be a mapping with a location", at(), 'e.g. external: { location: "data/events/*.jsonl.gz", format: jsonl }');
  for (const k of Object.keys(raw)) {
    if (!KEYS.includes(k)) {
      const near = closest(k, KEYS);
      throw bad(`unknown key '${k}' under external`, at(k), near ? `did you mean '${near}'?` : `known keys: ${KEYS.join(', ')}`);
    }
  }
  const str = (key: string): string | undefined => {
    const v = raw[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') throw bad(`external.${key} must be a string`, at(key));
    return v;
  };

  const location = str('location');
  if (!location || !location.trim()) {
    throw bad('external needs a location: the files to load', at(), 'e.g. location: "data/events/**/*.jsonl.gz" (relative to the project dir, or absolute)');
  }

  const byExt = formatOfPath(location);
  const fmtRaw = str('format');
  let format: RawFileFormat;
  if (fmtRaw !== undefined) {
    const f = FORMATS[fmtRaw.toLowerCase()];
    if (!f) throw bad(`unknown external.format '${fmtRaw}'`, at('format'), 'use jsonl (one JSON object per line) or csv');
    format = f;
  } else if (byExt) {
    format = byExt.format;
  } else {
    throw bad(`cannot tell the format of '${location}' from its extension`, at('location'), 'set external.format: jsonl or csv');
  }

  const compRaw = str('compression');
  const compression = (compRaw ?? 'auto').toLowerCase() as ExternalCompression;
  if (!COMPRESSIONS.includes(compression)) throw bad(`unknown external.compression '${compRaw}'`, at('compression'), 'use gzip, none or auto (gzip for files ending in .gz)');

  if (format !== 'csv') {
    for (const k of ['header', 'delimiter']) {
      if (raw[k] !== undefined) throw bad(`external.${k} applies to csv files only`, at(k), 'remove it, or set format: csv');
    }
  }
  const header = raw.header ?? true;
  if (typeof header !== 'boolean') throw bad('external.header must be true or false', at('header'));
  const delimiter = str('delimiter') ?? (format === 'csv' && fmtRaw === undefined ? byExt?.delimiter : undefined) ?? ',';
  if ([...delimiter].length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r') {
    throw bad(`external.delimiter must be one character other than a quote or a line break, got ${JSON.stringify(delimiter)}`, at('delimiter'), 'e.g. delimiter: ";" or delimiter: "\\t"');
  }

  const fmt = (key: 'date_format' | 'timestamp_format'): string | undefined => {
    const f = str(key);
    if (f === undefined) return undefined;
    try {
      checkDateTimeFormat(f);
    } catch (e) {
      if (e instanceof DateTimeFormatError) throw bad(`external.${key}: ${e.message}`, at(key), 'e.g. "%d/%m/%Y" or "%Y-%m-%d %H:%M:%S"');
      throw e;
    }
    return f;
  };
  const dateFormat = fmt('date_format');
  const timestampFormat = fmt('timestamp_format');

  const colsAt = (...sub: (string | number)[]) => loc([...ctx.path, 'columns', ...sub]);
  if (columns.length === 0) {
    throw bad('an external table needs columns, each with a name and a data_type: they define the table', colsAt(), 'e.g. columns: [{ name: event_id, data_type: varchar }, { name: event_time, data_type: timestamp }]');
  }
  const seen = new Set<string>();
  columns.forEach((c, i) => {
    if (c.dataType === undefined || !c.dataType.trim()) {
      throw bad(`column ${c.name} needs a data_type (the type of the loaded column)`, colsAt(i), `add e.g. data_type: varchar under the column ${c.name}`);
    }
    if (!TYPE_NAME.test(c.dataType.trim())) throw bad(`column ${c.name} has an invalid data_type '${c.dataType}'`, colsAt(i, 'data_type'), 'a type name such as varchar, bigint, decimal(12,2), date, timestamp');
    if (c.name.toLowerCase() === FILE_COLUMN) throw bad(`column name ${FILE_COLUMN} is reserved: tform writes the file each row came from there`, colsAt(i), 'rename the column');
    if (seen.has(c.name.toLowerCase())) throw bad(`column ${c.name} is declared twice`, colsAt(i));
    seen.add(c.name.toLowerCase());
  });

  return { location, format, compression, header, delimiter, ...(dateFormat === undefined ? {} : { dateFormat }), ...(timestampFormat === undefined ? {} : { timestampFormat }) };
}
