import { TformError, type ErrorLocation } from '../errors/index.js';

/**
 * `docs: {chart: …}` of a model or seed: a small chart the docs site draws from the relation's
 * rows, read by `tform docs generate`.
 *
 *   docs:
 *     chart: {type: line, x: event_date, y: [dau, revenue], title: Daily KPIs}
 *     chart: {type: bar, x: level, y: sessions, series: map}
 */
export interface ChartSpec {
  type: 'line' | 'bar';
  x: string;
  /** One or more columns, one series each (or one column split by `series`). */
  y: string[];
  /** A column whose values split the rows into one series each; needs exactly one y. */
  series?: string;
  title?: string;
  /** Rows read at most (default 1000, at most 10000): charts are of small relations. */
  limit: number;
}

export const CHART_DEFAULT_LIMIT = 1000;
const CHART_MAX_LIMIT = 10_000;
const CHART_KEYS = ['type', 'x', 'y', 'series', 'title', 'limit'];
const EXAMPLE = "e.g. docs: { chart: { type: line, x: event_date, y: [dau, revenue] } }";

/** Check a `docs.chart` value; errors point at the node's docs config. */
export function chartSpec(raw: unknown, name: string, where: ErrorLocation): ChartSpec {
  const bad = (msg: string) => new TformError('CONFIG_INVALID', `${name}: docs.chart ${msg}`, { ...where, hint: EXAMPLE });
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw bad('must be a mapping with type, x and y');
  const c = raw as Record<string, unknown>;
  const unknown = Object.keys(c).filter((k) => !CHART_KEYS.includes(k));
  if (unknown.length) throw bad(`has unknown key${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `'${k}'`).join(', ')} (known: ${CHART_KEYS.join(', ')})`);
  if (c.type !== 'line' && c.type !== 'bar') throw bad(`type must be line or bar, got ${JSON.stringify(c.type ?? null)}`);
  const column = (v: unknown, key: string): string => {
    if (typeof v !== 'string' || !v.trim()) throw bad(`${key} must name a column`);
    return v.trim();
  };
  const x = column(c.x, 'x');
  const ys = Array.isArray(c.y) ? c.y : [c.y];
  if (ys.length === 0) throw bad('y must name at least one column');
  const y = ys.map((v, i) => column(v, Array.isArray(c.y) ? `y[${i}]` : 'y'));
  const series = c.series === undefined || c.series === null ? undefined : column(c.series, 'series');
  if (series !== undefined && y.length !== 1) throw bad(`with series needs exactly one y column, got ${y.length}`);
  if (c.title !== undefined && c.title !== null && typeof c.title !== 'string') throw bad('title must be text');
  let limit = CHART_DEFAULT_LIMIT;
  if (c.limit !== undefined && c.limit !== null) {
    if (typeof c.limit !== 'number' || !Number.isInteger(c.limit) || c.limit < 1 || c.limit > CHART_MAX_LIMIT) throw bad(`limit must be a whole number from 1 to ${CHART_MAX_LIMIT}`);
    limit = c.limit;
  }
  return { type: c.type, x, y, ...(series ? { series } : {}), ...(typeof c.title === 'string' ? { title: c.title } : {}), limit };
}
