import { checkMethod } from './methods.js';
import { selectorError } from './errors.js';

/**
 * The selector language, as dbt has it:
 *
 *   --select "a b"      union (space)
 *   --select "a,b"      intersection (comma)
 *   [@][N+]method:value[+N]   one criterion; a bare value is a name, folder or layer
 *
 * Parsing checks everything that needs no project: operators, depths, method names and the
 * values of enumerated methods (resource_type:, state:, result:, test_type:).
 */
export type SelectionExpr =
  | { kind: 'criterion'; criterion: Criterion }
  | { kind: 'union'; items: SelectionExpr[] }
  | { kind: 'intersection'; items: SelectionExpr[] }
  | { kind: 'difference'; base: SelectionExpr; minus: SelectionExpr };

export interface Criterion {
  /** As written, for messages. */
  raw: string;
  /** 'tag', 'path', 'config', …; undefined for a bare name (name, folder or layer). */
  method?: string;
  /** The part after the method's dot: `materialized` in `config.materialized`. */
  key?: string;
  value: string;
  /** How many levels of parents to add: 0 none, Infinity all. */
  parents: number;
  /** How many levels of children to add: 0 none, Infinity all. */
  children: number;
  /** `@`: the children, and every parent of the node and of its children. */
  childrensParents: boolean;
}

export const OPERATOR_HINT = 'graph operators: +name (all parents), 2+name (2 levels of parents), name+ / name+1 (children), @name (children and all their parents)';
const EXAMPLES = 'e.g. stg_orders, +gold, silver+, tag:daily,layer:gold, path:models/silver, config.materialized:table';

export function union(items: SelectionExpr[]): SelectionExpr {
  return items.length === 1 ? items[0]! : { kind: 'union', items };
}

/** One `--select`/`--exclude` value: space-separated unions of comma-separated intersections. */
export function parseSelector(text: string): SelectionExpr {
  const terms = text.split(/\s+/).filter(Boolean);
  return union(
    terms.map((term) => {
      const parts = term.split(',');
      if (parts.some((p) => p === '')) {
        throw selectorError(`dangling comma in selector '${term}'`, `a comma intersects two criteria, e.g. tag:daily,layer:gold; a space makes a union`);
      }
      const items = parts.map((p): SelectionExpr => ({ kind: 'criterion', criterion: parseCriterion(p) }));
      return items.length === 1 ? items[0]! : { kind: 'intersection', items };
    }),
  );
}

function depth(digits: string, raw: string): number {
  if (digits === '') return Infinity;
  const n = Number(digits);
  if (n < 1) throw selectorError(`bad depth ${digits} in selector '${raw}'`, `a depth is a whole number from 1; leave it out for all levels (${OPERATOR_HINT})`);
  return n;
}

/** One criterion: `[@][N+]method:value[+N]` or `[@][N+]value[+N]`. */
export function parseCriterion(raw: string): Criterion {
  let s = raw;
  const childrensParents = s.startsWith('@');
  if (childrensParents) s = s.slice(1);
  let parents = 0;
  let children = 0;
  const lead = /^(\d*)\+/.exec(s);
  if (lead) {
    parents = depth(lead[1]!, raw);
    s = s.slice(lead[0].length);
  }
  const trail = /\+(\d*)$/.exec(s);
  if (trail) {
    children = depth(trail[1]!, raw);
    s = s.slice(0, trail.index);
  }
  if (s.startsWith('+') || s.endsWith('+')) throw selectorError(`malformed selector '${raw}': '++' is not a graph operator`, OPERATOR_HINT);
  if (s.startsWith('@')) throw selectorError(`malformed selector '${raw}': '@' must come first`, OPERATOR_HINT);
  if (s.includes('+')) {
    throw selectorError(`malformed selector '${raw}': bad depth or misplaced '+'`, `'+' goes right before or after the name, with an optional whole-number depth; ${OPERATOR_HINT}`);
  }
  if (childrensParents && (parents || children)) {
    throw selectorError(`malformed selector '${raw}': '@' cannot be combined with '+'`, `'@name' already adds the children of name and all their parents; ${OPERATOR_HINT}`);
  }
  if (!s) throw selectorError(`selector '${raw}' names nothing`, EXAMPLES);
  const colon = s.indexOf(':');
  if (colon < 0) {
    // dbt's default method: something that looks like a path is a path, a file name a file.
    const method = s.includes('/') || s.includes('\\') ? 'path' : /\.(sql|csv)$/i.test(s) ? 'file' : undefined;
    return makeCriterion({ raw, method, value: s, parents, children, childrensParents });
  }
  const method = s.slice(0, colon);
  const value = s.slice(colon + 1);
  if (!method) throw selectorError(`malformed selector '${raw}': no method before ':'`, EXAMPLES);
  return makeCriterion({ raw, method, value, parents, children, childrensParents });
}

/**
 * A checked criterion from its parts (the CLI syntax and selectors.yml both build them here).
 * `method` may carry a key: `config.materialized`.
 */
export function makeCriterion(c: Omit<Criterion, 'key'>): Criterion {
  let method = c.method;
  let key: string | undefined;
  const dot = method?.indexOf('.') ?? -1;
  if (method !== undefined && dot >= 0) {
    key = method.slice(dot + 1);
    method = method.slice(0, dot);
  }
  if (c.value === '') {
    throw selectorError(`selector '${c.raw}' has no value after '${c.method}:'`, `give a value, e.g. ${c.method}:${c.method === 'tag' ? 'daily' : '…'}`);
  }
  const out: Criterion = { ...c, method, key };
  if (method !== undefined) checkMethod(out, c.method!);
  return out;
}
