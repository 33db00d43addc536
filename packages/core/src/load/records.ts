import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import { createRequire } from 'node:module';
import type { InfoField } from 'csv-parse';

type Csv = typeof import('csv-parse');
let csv: Csv | undefined;
/** The streaming CSV parser, loaded when a CSV file is first read. */
const parseCsv: Csv['parse'] = ((...a: unknown[]) => ((csv ??= createRequire(import.meta.url)('csv-parse') as Csv).parse as (...x: unknown[]) => unknown)(...a)) as Csv['parse'];
import { FileLoadError, type FileToLoad } from '../adapter/types.js';
import { isoDate, isoTimestamp, parseDateTime } from './datetime.js';

/**
 * Streaming reader of raw files for adapters whose warehouse cannot read local files itself
 * (Postgres loads these records with COPY). Reads one record at a time, so memory stays bounded
 * whatever the file's size. Local file I/O only; no warehouse.
 */

/** One record of a raw file: the declared columns' values as text (NULL as null). */
export interface FileRecord {
  /** 1-based line of the decompressed file where the record ends. */
  line: number;
  /** In the order of `file.columns`. */
  values: (string | null)[];
}

type Conversion = ((v: string) => string | undefined) | undefined;

const DATE_TYPE = /^\s*date\s*$/i;
const TIMESTAMP_TYPE = /^\s*(timestamp|datetime)\b/i;
const ZONED_TYPE = /^\s*(timestamptz\b|timestamp\s*(\(\s*\d+\s*\))?\s+with\s+time\s+zone)/i;

/** Per column: how a text value is turned into what the warehouse reads (dates with a declared format → ISO). */
function conversions(file: FileToLoad): Conversion[] {
  return file.columns.map((c) => {
    if (file.dateFormat !== undefined && DATE_TYPE.test(c.type)) {
      const f = file.dateFormat;
      return (v) => {
        const p = parseDateTime(v, f);
        return p && isoDate(p);
      };
    }
    if (file.timestampFormat !== undefined && TIMESTAMP_TYPE.test(c.type)) {
      const f = file.timestampFormat;
      const zoned = ZONED_TYPE.test(c.type);
      return (v) => {
        const p = parseDateTime(v, f);
        return p && isoTimestamp(p, zoned);
      };
    }
    return undefined;
  });
}

function convert(values: (string | null)[], conv: Conversion[], file: FileToLoad, line: number): (string | null)[] {
  for (let i = 0; i < values.length; i++) {
    const f = conv[i];
    const v = values[i];
    if (!f || v === null || v === undefined) continue;
    const out = f(v);
    if (out === undefined) {
      const col = file.columns[i]!;
      const fmt = DATE_TYPE.test(col.type) ? file.dateFormat : file.timestampFormat;
      throw new FileLoadError(`column ${col.name}: '${v}' does not match the format '${fmt}'`, { line, column: col.name });
    }
    values[i] = out;
  }
  return values;
}

/** The decompressed bytes of the file. */
function open(file: FileToLoad): Readable {
  const raw = createReadStream(file.absPath);
  if (file.compression !== 'gzip') return raw;
  const gunzip = createGunzip();
  raw.on('error', (e) => gunzip.destroy(e));
  return raw.pipe(gunzip);
}

function ioError(e: unknown, file: FileToLoad): FileLoadError {
  if (e instanceof FileLoadError) return e;
  const err = e as NodeJS.ErrnoException;
  if (err?.code === 'Z_DATA_ERROR' || err?.code === 'Z_BUF_ERROR' || /incorrect header check|unexpected end of file/i.test(err?.message ?? '')) {
    return new FileLoadError(`not a valid gzip file (${err.message})`, { cause: e });
  }
  if (err?.code === 'ENOENT') return new FileLoadError(`the file is gone: ${file.relPath}`, { cause: e });
  return new FileLoadError(`cannot read the file: ${err?.message ?? String(e)}`, { cause: e });
}

/** A JSON value as the text a warehouse reads for a column (objects and arrays as JSON). */
function jsonText(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

async function* jsonLines(file: FileToLoad): AsyncGenerator<FileRecord> {
  const conv = conversions(file);
  const names = file.columns.map((c) => c.name);
  const input = open(file);
  const rl = createInterface({ input, crlfDelay: Infinity });
  let line = 0;
  try {
    for await (const text of rl) {
      line++;
      if (!text.trim()) continue;
      let obj: unknown;
      try {
        obj = JSON.parse(text);
      } catch (e) {
        throw new FileLoadError(`invalid JSON: ${(e as Error).message}`, { line });
      }
      if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) throw new FileLoadError('a line must hold one JSON object', { line });
      const o = obj as Record<string, unknown>;
      yield { line, values: convert(names.map((n) => jsonText(o[n])), conv, file, line) };
    }
  } catch (e) {
    throw ioError(e, file);
  } finally {
    rl.close();
    input.destroy();
  }
}

async function* csvRecords(file: FileToLoad): AsyncGenerator<FileRecord> {
  const conv = conversions(file);
  const input = open(file);
  const parser = parseCsv({
    delimiter: file.delimiter,
    bom: true,
    skip_empty_lines: true,
    info: true,
    // An empty unquoted field is NULL, a quoted one ("") the empty string.
    cast: (value: string, ctx: InfoField) => (value === '' && !ctx.quoting ? (null as unknown as string) : value),
  });
  input.on('error', (e) => parser.destroy(e));
  input.pipe(parser);
  let index: number[] | undefined = file.header ? undefined : file.columns.map((_c, i) => i);
  try {
    for await (const item of parser as AsyncIterable<{ record: (string | null)[]; info: { lines: number } }>) {
      const { record, info } = item;
      const line = info.lines;
      if (!index) {
        const header = record.map((h) => (h ?? '').trim().toLowerCase());
        index = file.columns.map((c) => {
          const i = header.indexOf(c.name.toLowerCase());
          if (i < 0) throw new FileLoadError(`column ${c.name} is not in the header (${record.join(file.delimiter)})`, { line, column: c.name });
          return i;
        });
        continue;
      }
      if (!file.header && record.length !== file.columns.length) {
        throw new FileLoadError(`expected ${file.columns.length} fields (the declared columns), found ${record.length}`, { line });
      }
      yield { line, values: convert(index.map((i) => record[i] ?? null), conv, file, line) };
    }
  } catch (e) {
    if (e instanceof FileLoadError) throw e;
    const err = e as Error & { code?: string; lines?: number };
    if (typeof err?.code === 'string' && err.code.startsWith('CSV_')) throw new FileLoadError(`invalid CSV: ${err.message}`, { line: err.lines, cause: e });
    throw ioError(e, file);
  } finally {
    input.destroy();
    parser.destroy();
  }
}

/**
 * The records of one raw file, one at a time, values aligned with `file.columns` as text: dates
 * and timestamps in a declared format are rewritten as ISO text, other values are passed as the
 * file has them for the warehouse to convert to the declared types. A malformed record, a
 * missing header column or a value not matching its format throws a FileLoadError with the line.
 */
export function readFileRecords(file: FileToLoad): AsyncGenerator<FileRecord> {
  return file.format === 'csv' ? csvRecords(file) : jsonLines(file);
}

/**
 * Whether the file holds nothing but white space once decompressed (an empty hourly file). Reads
 * only up to the first other byte. Some readers refuse such a file (DuckDB's CSV sniffer);
 * it simply has no rows.
 */
export async function isBlankFile(file: Pick<FileToLoad, 'absPath' | 'relPath' | 'compression'>): Promise<boolean> {
  const input = open(file as FileToLoad);
  try {
    for await (const chunk of input as AsyncIterable<Buffer>) {
      for (const b of chunk) if (b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09) return false;
    }
    return true;
  } catch (e) {
    throw ioError(e, file as FileToLoad);
  } finally {
    input.destroy();
  }
}
