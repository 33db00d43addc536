import type { Row } from '../adapter/types.js';
import { TformError } from '../errors/index.js';
import { renderProject } from './render.js';
import { renderManifest } from '../compile/render.js';
import { introspect, schemasOf } from '../plan/introspect.js';
import { relationOf } from '../plan/plan.js';
import { selectFor } from './state.js';
import { acquireLock, type OpenProject } from './open.js';
import type { SelectionOptions } from './options.js';

export interface ShowResult {
  name: string;
  sql: string;
  rows: Row[];
}

/**
 * `tform show`: run one model's compiled query with a limit and return the rows. Reads only;
 * takes the run lock only where the warehouse cannot share the database with a writer.
 */
export async function executeShow(p: OpenProject, o: SelectionOptions & { limit: number; wait?: boolean }): Promise<ShowResult> {
  const manifest = p.session.manifest;
  const ids = selectFor(p, o, ['model', 'seed']);
  if (ids.length !== 1) {
    throw new TformError('SELECTOR_INVALID', ids.length === 0 ? 'show: the selection matched no model' : `show: the selection matched ${ids.length} nodes; select exactly one`, {
      hint: 'e.g. tform show --select daily_kpis --limit 10',
    });
  }
  if (!Number.isInteger(o.limit) || o.limit < 0) throw new TformError('FLAG_INVALID', `--limit must be a non-negative integer, got ${o.limit}`);
  const node = manifest.nodes[ids[0]!]!;
  const adapter = p.adapter!;
  const lock = adapter.capabilities.concurrentReaders ? undefined : await acquireLock(p, o.wait ?? true);
  try {
    const intro = await introspect(adapter, schemasOf([relationOf(node)]));
    await renderProject(p, { dialect: p.dialect, introspection: intro });
    const body = node.resourceType === 'model' ? node.compiledCode!.replace(/\s*;?\s*$/, '') : `select * from ${node.relationName}`;
    const sql = `select * from (\n${body}\n) as tform_show limit ${o.limit}`;
    return { name: node.name, sql, rows: await adapter.query(sql) };
  } finally {
    await lock?.release();
  }
}

function cell(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? String(v) : v.toISOString().replace('T00:00:00.000Z', '').replace('.000Z', 'Z');
  if (typeof v === 'object') return JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x));
  return String(v);
}

/** Rows as an aligned text table (numbers right-aligned), as `dbt show` prints them. */
export function formatTable(rows: Row[]): string {
  if (rows.length === 0) return '(no rows)';
  const cols = Object.keys(rows[0]!);
  const text = rows.map((r) => cols.map((c) => cell(r[c])));
  const numeric = cols.map((c) => rows.every((r) => r[c] === null || typeof r[c] === 'number' || typeof r[c] === 'bigint'));
  const width = cols.map((c, i) => Math.max(c.length, ...text.map((t) => t[i]!.length)));
  const line = (vals: string[]) => '| ' + vals.map((v, i) => (numeric[i] ? v.padStart(width[i]!) : v.padEnd(width[i]!))).join(' | ') + ' |';
  const sep = '| ' + width.map((w) => '-'.repeat(w)).join(' | ') + ' |';
  return [line(cols), sep, ...text.map(line)].join('\n');
}
