import { createRequire } from 'node:module';

type CsvSync = typeof import('csv-parse/sync');
let csv: CsvSync | undefined;
/** The CSV parser, loaded when a seed is first read. */
const parse: CsvSync['parse'] = ((...a: Parameters<CsvSync['parse']>) => (csv ??= createRequire(import.meta.url)('csv-parse/sync') as CsvSync).parse(...a)) as CsvSync['parse'];
import { readFileSync } from 'node:fs';
import { TformError } from '../errors/index.js';

/** Column kinds inferred from a CSV, mapped to warehouse types by the dialect. */
export type SeedKind = 'integer' | 'number' | 'boolean' | 'date' | 'timestamp' | 'text';

export interface SeedTable {
  columns: { name: string; kind: SeedKind }[];
  /** Cell values as text; null for an empty cell. */
  rows: (string | null)[][];
}

const INT = /^[-+]?\d+$/;
const NUM = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
const BOOL = /^(true|false)$/i;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TS = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)?$/;

/** The narrowest kind every non-empty value fits (as dbt's seed loader infers them). */
export function inferKind(values: (string | null)[]): SeedKind {
  const present = values.filter((v): v is string => v !== null);
  if (present.length === 0) return 'text';
  const all = (re: RegExp) => present.every((v) => re.test(v));
  if (all(INT) && present.every((v) => Number.isSafeInteger(Number(v)))) return 'integer';
  if (all(NUM)) return 'number';
  if (all(BOOL)) return 'boolean';
  if (all(DATE)) return 'date';
  if (all(TS)) return 'timestamp';
  return 'text';
}

/** Read and type a seed CSV. Local file I/O only; nothing touches the warehouse. */
export function readSeedCsv(absPath: string, file: string, delimiter = ','): SeedTable {
  let records: string[][];
  try {
    records = parse(readFileSync(absPath), { delimiter, relax_column_count: false, skip_empty_lines: true, bom: true }) as string[][];
  } catch (e) {
    const err = e as Error & { lines?: number };
    throw new TformError('PROJECT_INVALID', `cannot read seed CSV: ${err.message}`, { file, line: err.lines });
  }
  if (records.length === 0) throw new TformError('PROJECT_INVALID', 'seed CSV is empty: it needs a header row', { file, line: 1 });
  const header = records[0]!.map((h) => h.trim());
  const seen = new Set<string>();
  header.forEach((h, i) => {
    if (!h) throw new TformError('PROJECT_INVALID', `seed column ${i + 1} has an empty name`, { file, line: 1 });
    if (seen.has(h.toLowerCase())) throw new TformError('PROJECT_INVALID', `seed column '${h}' appears twice`, { file, line: 1 });
    seen.add(h.toLowerCase());
  });
  const rows = records.slice(1).map((r) => r.map((v) => (v === '' ? null : v)));
  const columns = header.map((name, i) => ({ name, kind: inferKind(rows.map((r) => r[i] ?? null)) }));
  return { columns, rows };
}
