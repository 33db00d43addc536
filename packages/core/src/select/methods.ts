import { isAbsolute, posix, relative } from 'node:path';
import { closest } from '../errors/index.js';
import { selectorError, suggest } from './errors.js';
import { hasGlob, nameMatcher, pathGlob } from './glob.js';
import { STATE_VALUES } from './stateCompare.js';
import type { Criterion } from './syntax.js';
import { RESOURCE_TYPES, type SelectableNode } from './types.js';

/**
 * Selector methods: each turns a criterion's value into a predicate over nodes. Methods that
 * need more than the node (state:, result:, selector:) ask the evaluation context.
 */
export type Matcher = (n: SelectableNode) => boolean;

export interface MethodContext {
  /** Project root, so `path:` accepts absolute paths. */
  projectDir?: string;
  /** Ids under a `state:` value; throws when there is no state to compare with. */
  stateIds(value: string, c: Criterion): Set<string>;
  /** Ids whose last run ended with `status`; throws when there is no run_results.json. */
  resultIds(status: string, c: Criterion): Set<string>;
  /** Ids a named selector of selectors.yml selects; throws when it does not exist. */
  selectorIds(name: string, c: Criterion): Set<string>;
}

interface Method {
  /** Checks the value while parsing (throws SELECTOR_INVALID). */
  check?(c: Criterion): void;
  /** Whether the method takes a key after a dot (`config.materialized`). */
  keyed?: boolean;
  matcher(c: Criterion, ctx: MethodContext): Matcher;
}

export const RESULT_VALUES = ['success', 'error', 'skipped', 'pass', 'fail', 'warn'] as const;
const TEST_TYPES: Record<string, string> = { generic: 'generic', singular: 'singular', schema: 'generic', data: 'singular' };

function oneOf(c: Criterion, allowed: readonly string[]): void {
  if (allowed.includes(c.value)) return;
  const near = closest(c.value, allowed);
  throw selectorError(`unknown ${c.method} '${c.value}' in selector '${c.raw}'`, suggest(near, `${c.method}: takes ${allowed.join(', ')}`, (s) => `'${c.method}:${s}'`));
}

const isSource = (n: SelectableNode) => n.resourceType === 'source';
const fqnOf = (n: SelectableNode): string[] => n.fqn ?? [n.packageName ?? '', n.name];
const idsMatcher = (ids: Set<string>): Matcher => (n) => ids.has(n.uniqueId);

/**
 * dbt's fqn method: the node's name, or a dotted prefix of its fqn with or without the package
 * (`silver`, `shop.silver`, `gold.marts.*`); a `*` part matches everything below.
 */
export function fqnMatcher(pattern: string): (fqn: string[]) => boolean {
  const leaf = nameMatcher(pattern);
  const parts = pattern.split('.').map((p) => (p === '*' ? undefined : nameMatcher(p)));
  const prefix = (f: string[]) => {
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i];
      if (p === undefined) return true;
      if (i >= f.length || !p(f[i]!)) return false;
    }
    return true;
  };
  return (f) => leaf(f[f.length - 1] ?? '') || prefix(f) || prefix(f.slice(1));
}

/** Config values match as text; a list matches when any element does. */
function valueMatches(v: unknown, is: (s: string) => boolean): boolean {
  if (Array.isArray(v)) return v.some((x) => valueMatches(x, is));
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return is(String(v));
  return false;
}

function pathMatcher(c: Criterion, ctx: MethodContext): Matcher {
  let v = c.value.replace(/\\/g, '/');
  if (ctx.projectDir && isAbsolute(v)) v = relative(ctx.projectDir, v).replace(/\\/g, '/');
  v = v.replace(/^(\.\/)+/, '').replace(/\/+$/, '');
  if (v === '' || v === '.') return () => true;
  if (hasGlob(v)) {
    // A glob selects the files it matches and everything in the folders it matches.
    const is = pathGlob(v);
    return (n) => {
      if (is(n.path) || (n.patchPath !== undefined && is(n.patchPath))) return true;
      for (let d = posix.dirname(n.path); d !== '.' && d !== '/'; d = posix.dirname(d)) if (is(d)) return true;
      return false;
    };
  }
  return (n) => n.path === v || n.path.startsWith(v + '/') || n.patchPath === v;
}

const METHODS: Record<string, Method> = {
  tag: { matcher: (c) => { const is = nameMatcher(c.value); return (n) => (n.tags ?? []).some(is); } },
  path: { matcher: pathMatcher },
  file: {
    matcher: (c) => {
      const is = nameMatcher(c.value);
      return (n) => {
        const base = posix.basename(n.path);
        return is(base) || is(base.replace(/\.[^.]*$/, ''));
      };
    },
  },
  fqn: { matcher: (c) => { const is = fqnMatcher(c.value); return (n) => is(fqnOf(n)); } },
  package: { matcher: (c) => { const is = nameMatcher(c.value); return (n) => is(n.packageName ?? fqnOf(n)[0]!); } },
  layer: { matcher: (c) => { const is = nameMatcher(c.value); return (n) => !isSource(n) && n.layer !== undefined && is(n.layer); } },
  config: {
    keyed: true,
    matcher: (c) => {
      const is = nameMatcher(c.value);
      const path = c.key!.split('.');
      return (n) => {
        let v: unknown = n.config;
        for (const k of path) v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
        if (v === undefined && c.key === 'materialized') v = n.materialized;
        return valueMatches(v, is);
      };
    },
  },
  source: {
    check: (c) => {
      if (c.value.split('.').length > 3) throw selectorError(`selector '${c.raw}' has too many parts`, 'source: takes a source, source.table or package.source.table');
    },
    matcher: (c) => {
      const parts = c.value.split('.').map(nameMatcher);
      return (n) => {
        if (!isSource(n)) return false;
        const fields = [n.packageName ?? fqnOf(n)[0]!, n.sourceName ?? '', n.name].slice(parts.length === 3 ? 0 : 1);
        return parts.every((is, i) => is(fields[i]!));
      };
    },
  },
  resource_type: { check: (c) => oneOf(c, RESOURCE_TYPES), matcher: (c) => (n) => n.resourceType === c.value },
  test_type: {
    check: (c) => oneOf(c, Object.keys(TEST_TYPES)),
    matcher: (c) => (n) => n.resourceType === 'test' && n.testType === TEST_TYPES[c.value],
  },
  test_name: { matcher: (c) => { const is = nameMatcher(c.value); return (n) => n.resourceType === 'test' && is(n.testName ?? n.name); } },
  state: { check: (c) => oneOf(c, STATE_VALUES), matcher: (c, ctx) => idsMatcher(ctx.stateIds(c.value, c)) },
  result: { check: (c) => oneOf(c, RESULT_VALUES), matcher: (c, ctx) => idsMatcher(ctx.resultIds(c.value, c)) },
  selector: { matcher: (c, ctx) => idsMatcher(ctx.selectorIds(c.value, c)) },
};

/** Method names as written before ':' (config is written with its key). */
export const METHOD_NAMES: readonly string[] = Object.keys(METHODS).map((m) => (METHODS[m]!.keyed ? `${m}.<key>` : m));

/** Check a criterion's method (and its value, for enumerated methods). `written` is the method as typed. */
export function checkMethod(c: Criterion, written: string): void {
  const m = METHODS[c.method!];
  if (!m || Boolean(m.keyed) !== (c.key !== undefined) || c.key === '') {
    if (m?.keyed) throw selectorError(`selector method '${written}' needs a key in '${c.raw}'`, `e.g. ${c.method}.materialized:${c.value}`);
    const candidates = Object.keys(METHODS).map((k) => (METHODS[k]!.keyed ? `${k}.materialized` : k));
    const near = closest(written, candidates);
    throw selectorError(`unknown selector method '${written}' in '${c.raw}'`, suggest(near, `methods: ${METHOD_NAMES.join(', ')}`, (s) => `'${s}:'`));
  }
  m.check?.(c);
}

/**
 * A bare value: a model/seed/test name, an fqn (so any folder prefix), any folder of the node's
 * path, or a layer. Sources are only selected by `source:` (or fqn:, path:, resource_type:).
 */
function bareMatcher(c: Criterion): Matcher {
  const is = nameMatcher(c.value);
  const fqn = fqnMatcher(c.value);
  const single = !c.value.includes('.');
  return (n) => {
    if (isSource(n)) return false;
    const f = fqnOf(n);
    return fqn(f) || (single && f.slice(1, -1).some(is)) || (n.layer !== undefined && is(n.layer));
  };
}

export function matcherFor(c: Criterion, ctx: MethodContext): Matcher {
  return c.method === undefined ? bareMatcher(c) : METHODS[c.method]!.matcher(c, ctx);
}
