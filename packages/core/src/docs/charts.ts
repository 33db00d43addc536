import type { Dialect } from '../adapter/dialect.js';
import type { Row } from '../adapter/types.js';
import type { ChartSpec } from './chartConfig.js';
import type { DocsChart } from './types.js';

/** The query reading a chart's rows from `relation`: its columns, ordered by x (and series), limited. */
export function chartQuery(spec: ChartSpec, relation: string, dialect: Dialect): string {
  const cols = [spec.x, ...spec.y, ...(spec.series ? [spec.series] : [])];
  const q = (c: string) => dialect.quoteIdent(c);
  const order = [spec.x, ...(spec.series ? [spec.series] : [])].map(q).join(', ');
  return dialect.limitRows(`select ${[...new Set(cols)].map(q).join(', ')}\nfrom ${relation}\norder by ${order}`, spec.limit);
}

type Cell = string | number | boolean | null;

/** A warehouse value as JSON: bigint as a number when exact (else text), dates as ISO text. */
export function chartCell(v: unknown): Cell {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'bigint') return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
  if (typeof v === 'boolean' || typeof v === 'string') return v;
  if (v instanceof Date) {
    if (Number.isNaN(v.getTime())) return null;
    const iso = v.toISOString();
    return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso.replace('.000Z', 'Z');
  }
  // decimals and other driver values print as their text; numeric text becomes a number
  const text = String(v);
  const n = Number(text);
  return text.trim() !== '' && Number.isFinite(n) ? n : text;
}

/** The chart the site draws, from the rows read (or the reason there are none). */
export function docsChart(spec: ChartSpec, result: { rows: Row[] } | { error: string }): DocsChart {
  const base: DocsChart = { type: spec.type, x: spec.x, y: spec.y, ...(spec.series ? { series: spec.series } : {}), ...(spec.title ? { title: spec.title } : {}), rows: [] };
  if ('error' in result) return { ...base, error: result.error };
  const cols = [spec.x, ...spec.y, ...(spec.series ? [spec.series] : [])];
  const rows = result.rows.map((r) => {
    // Warehouses may fold the case of names: look each column up case-insensitively.
    const byLower = new Map(Object.keys(r).map((k) => [k.toLowerCase(), k]));
    const out: Record<string, Cell> = {};
    for (const c of cols) out[c] = chartCell(r[byLower.get(c.toLowerCase()) ?? c]);
    return out;
  });
  return { ...base, rows };
}
