import type { DirectedGraph } from 'graphology';
import { TformError, closest } from '../errors/index.js';
import type { AnyNode, Manifest } from '../compile/manifest.js';
import { ancestors, descendants, type NodeAttrs } from '../graph/graph.js';

/**
 * Node selection. A bare name selects a model or seed of that name, a folder of that name (as
 * dbt's fqn method), or a layer of that name; `+x` adds ancestors, `x+` descendants, `2+x`/`x+1`
 * bound the depth, `@x` adds descendants and their ancestors. Space-separated terms are a union.
 */
const METHODS = ['tag', 'path', 'layer', 'fqn', 'resource_type', 'config.materialized', 'source'] as const;

interface Term {
  method?: string;
  value: string;
  up: number;
  down: number;
  at: boolean;
  raw: string;
}

const TERM_RE = /^(@)?(?:(\d*)\+)?([^+]+?)(?:\+(\d*))?$/;

export function parseTerm(raw: string): Term {
  const m = TERM_RE.exec(raw);
  if (!m || !m[3]) throw new TformError('SELECTOR_INVALID', `malformed selector '${raw}'`, { hint: "examples: stg_orders, +gold, silver+, tag:daily, path:models/silver" });
  const [, at, upN, body, downN] = m;
  if (at && (upN !== undefined || raw.startsWith('@+'))) throw new TformError('SELECTOR_INVALID', `'@' cannot be combined with a leading '+' in '${raw}'`);
  const hasUp = raw.replace(/^@/, '').match(/^\d*\+/) !== null;
  const hasDown = /\+\d*$/.test(raw);
  const colon = body!.indexOf(':');
  let method: string | undefined;
  let value = body!;
  if (colon >= 0) {
    method = body!.slice(0, colon);
    value = body!.slice(colon + 1);
    if (!(METHODS as readonly string[]).includes(method)) {
      const near = closest(method, METHODS);
      throw new TformError('SELECTOR_INVALID', `unknown selector method '${method}' in '${raw}'`, {
        hint: near ? `did you mean '${near}:'? methods: ${METHODS.join(', ')}` : `methods: ${METHODS.join(', ')}`,
      });
    }
    if (!value) throw new TformError('SELECTOR_INVALID', `selector '${raw}' has no value after '${method}:'`);
  }
  return {
    method,
    value,
    up: hasUp ? (upN ? Number(upN) : Infinity) : 0,
    down: hasDown ? (downN ? Number(downN) : Infinity) : 0,
    at: Boolean(at),
    raw,
  };
}

function glob(pattern: string): (s: string) => boolean {
  if (!pattern.includes('*') && !pattern.includes('?')) return (s) => s === pattern;
  const re = new RegExp('^' + pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$');
  return (s) => re.test(s);
}

function matches(n: AnyNode, t: Term): boolean {
  const is = glob(t.value);
  switch (t.method) {
    case undefined:
      if (n.resourceType === 'source') return false;
      return is(n.name) || n.fqn.slice(1, -1).some(is) || (n.layer !== undefined && is(n.layer));
    case 'tag':
      return n.resourceType !== 'source' && n.tags.some(is);
    case 'path': {
      const p = t.value.replace(/\/+$/, '');
      return n.path === p || n.path.startsWith(p + '/') || glob(p)(n.path);
    }
    case 'layer':
      return n.layer !== undefined && is(n.layer);
    case 'fqn':
      return is(n.fqn.join('.')) || n.fqn.slice(1).some((_, i) => is(n.fqn.slice(1, i + 2).join('.')));
    case 'resource_type':
      return is(n.resourceType);
    case 'config.materialized':
      return n.resourceType !== 'source' && is(n.materialized);
    case 'source':
      return n.resourceType === 'source' && (is(n.sourceName) || is(`${n.sourceName}.${n.name}`));
    default:
      return false;
  }
}

export interface SelectOptions {
  select?: string[];
  exclude?: string[];
  /** Resource types to keep in the result (run: model; seed: seed; build: model+seed). */
  resourceTypes: ('model' | 'seed')[];
}

function evalTerms(manifest: Manifest, g: DirectedGraph<NodeAttrs>, raw: string[]): Set<string> {
  const all: AnyNode[] = [...Object.values(manifest.nodes), ...Object.values(manifest.sources)];
  const out = new Set<string>();
  for (const r of raw.flatMap((s) => s.split(/\s+/)).filter(Boolean)) {
    const t = parseTerm(r);
    for (const n of all) {
      if (!matches(n, t)) continue;
      out.add(n.uniqueId);
      if (t.up) for (const a of ancestors(g, n.uniqueId, t.up)) out.add(a);
      if (t.down || t.at) {
        for (const d of descendants(g, n.uniqueId, t.at ? Infinity : t.down)) {
          out.add(d);
          if (t.at) for (const a of ancestors(g, d)) out.add(a);
        }
      }
    }
  }
  return out;
}

/** Selected node ids, in the manifest's topological order (`order`). */
export function selectNodes(manifest: Manifest, g: DirectedGraph<NodeAttrs>, order: string[], o: SelectOptions): string[] {
  const chosen = o.select && o.select.length ? evalTerms(manifest, g, o.select) : new Set(order);
  const excluded = o.exclude && o.exclude.length ? evalTerms(manifest, g, o.exclude) : new Set<string>();
  return order.filter((id) => {
    const n = manifest.nodes[id];
    return n !== undefined && chosen.has(id) && !excluded.has(id) && o.resourceTypes.includes(n.resourceType);
  });
}
