/*
 * Jinja's filters with Jinja's signatures (keyword arguments included: `map(attribute='name')`,
 * `sort(attribute='x', reverse=true)`, `default('x', true)`), on Python-like values.
 */
import { type Any } from './nunjucksInternals.js';
import { bindArgs, splitKwargs } from './kwargs.js';
import { memberLookup, pyCapitalize } from './methods.js';
import { htmlSafeJson } from './pyjson.js';
import { dictKeys, GroupTuple, isDict, isString, iterate, pyCompare, pyEq, pyIndex, pyRepr, pyStr, PyTuple, pyTypeName, truthy } from './pyvalues.js';
import { percentFormat } from './strformat.js';

type Filter = (this: Any, value: unknown, ...args: unknown[]) => unknown;

/** Jinja's getitem-then-getattr lookup of one attribute path (`a.b`, `items.0`). */
export function attrPath(obj: unknown, path: unknown): unknown {
  if (typeof path === 'number') return item(obj, path);
  let v = obj;
  for (const part of String(path).split('.')) {
    v = item(v, /^\d+$/.test(part) ? Number(part) : part);
  }
  return v;
}

function item(obj: unknown, key: string | number): unknown {
  if (obj === undefined || obj === null) return undefined;
  if (isDict(obj)) {
    const k = String(key);
    if (k !== '__keywords' && Object.prototype.hasOwnProperty.call(obj, k)) return obj[k];
  }
  if (typeof key === 'number' && (Array.isArray(obj) || isString(obj))) return pyIndex(Array.isArray(obj) ? obj : String(obj), key);
  return memberLookup(obj, key);
}

function lowerIfString(v: unknown): unknown {
  return isString(v) ? String(v).toLowerCase() : v;
}

function keyFn(attribute: unknown, caseSensitive: boolean): (x: unknown) => unknown {
  const attrs = attribute === undefined || attribute === null ? null : typeof attribute === 'string' ? attribute.split(',').map((a) => a.trim()) : [attribute];
  const post = caseSensitive ? (v: unknown) => v : lowerIfString;
  if (!attrs) return post;
  if (attrs.length === 1) return (x) => post(attrPath(x, attrs[0]));
  return (x) => attrs.map((a) => post(attrPath(x, a)));
}

const WS = ' \t\n\r\x0b\x0c';

function strip(s: string, chars: unknown): string {
  const set = chars === undefined || chars === null ? WS : String(chars);
  let a = 0;
  let b = s.length;
  while (a < b && set.includes(s[a]!)) a++;
  while (b > a && set.includes(s[b - 1]!)) b--;
  return s.slice(a, b);
}

const INT_RE: Record<number, RegExp> = {
  2: /^[+-]?(0b)?[01]+(_[01]+)*$/i,
  8: /^[+-]?(0o)?[0-7]+(_[0-7]+)*$/i,
  10: /^[+-]?\d+(_\d+)*$/,
  16: /^[+-]?(0x)?[0-9a-f]+(_[0-9a-f]+)*$/i,
};
const FLOAT_RE = /^[+-]?((\d+(_\d+)*)?\.?\d*(_\d+)*([eE][+-]?\d+)?|inf(inity)?|nan)$/i;

/** Python's float(str), or undefined when the text is not a number. */
export function pyParseFloat(s: string): number | undefined {
  const t = strip(s, undefined);
  if (!t || !FLOAT_RE.test(t) || !/\d|inf|nan/i.test(t)) return undefined;
  const low = t.toLowerCase().replace(/_/g, '');
  if (low.endsWith('inf') || low.endsWith('infinity')) return low.startsWith('-') ? -Infinity : Infinity;
  if (low.endsWith('nan')) return NaN;
  const n = Number(low);
  return Number.isNaN(n) ? undefined : n;
}

function toInt(value: unknown, dflt: unknown, base: number): unknown {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number') return Number.isFinite(value) ? Math.trunc(value) : dflt;
  if (isString(value)) {
    const t = strip(String(value), undefined);
    const re = INT_RE[base];
    if (re && re.test(t)) {
      const digits = t.replace(/_/g, '').replace(/^([+-]?)0[box]/i, '$1');
      const n = parseInt(digits, base);
      if (!Number.isNaN(n)) return n;
    }
    const f = pyParseFloat(t);
    return f !== undefined && Number.isFinite(f) ? Math.trunc(f) : dflt;
  }
  return dflt;
}

function toFloat(value: unknown, dflt: unknown): unknown {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number') return value;
  if (isString(value)) {
    const f = pyParseFloat(String(value));
    return f === undefined ? dflt : f;
  }
  return dflt;
}

/** Python's round(x, n): correctly rounded, ties to even. */
export function pyRound(x: number, n: number): number {
  if (!Number.isFinite(x)) return x;
  if (n < 0) {
    const f = Math.pow(10, -n);
    return pyRound(x / f, 0) * f;
  }
  const exact = x.toFixed(Math.min(100, n + 30));
  const dot = exact.indexOf('.');
  const rest = exact.slice(dot + 1 + n);
  if (/^50*$/.test(rest)) {
    const truncated = exact.slice(0, n > 0 ? dot + 1 + n : dot);
    const lastDigit = Number(truncated.replace('.', '').slice(-1));
    if (lastDigit % 2 === 0) return Number(truncated);
  }
  return Number(x.toFixed(n));
}

function jinjaTitle(s: string): string {
  return s
    .split(/([-\s({[<]+)/)
    .filter((p) => p)
    .map((p) => p[0]!.toUpperCase() + p.slice(1).toLowerCase())
    .join('');
}

function len(v: unknown): number {
  if (v === undefined) return 0;
  if (isString(v)) return [...String(v)].length;
  if (Array.isArray(v)) return v.length;
  if (isDict(v)) return dictKeys(v).length;
  if (v instanceof Map || v instanceof Set) return v.size;
  throw new TypeError(`object of type '${pyTypeName(v)}' has no len()`);
}

function escapeHtml(v: unknown): string {
  return pyStr(v).replace(/&/g, '&amp;').replace(/>/g, '&gt;').replace(/</g, '&lt;').replace(/'/g, '&#39;').replace(/"/g, '&#34;');
}

function selectOrReject(ctx: Any, seq: unknown, args: unknown[], keep: boolean, attr: boolean): unknown[] {
  const { pos, kw } = splitKwargs(args);
  const items = iterate(seq);
  let getter: (x: unknown) => unknown = (x) => x;
  let rest = pos;
  if (attr) {
    const a = rest[0];
    getter = (x) => attrPath(x, a);
    rest = rest.slice(1);
  }
  let test: (x: unknown) => boolean;
  if (rest.length === 0) test = truthy;
  else {
    const fn = ctx.env.getTest(String(rest[0]));
    const targs = rest.slice(1);
    const extra = Object.keys(kw).length ? [{ ...kw, __keywords: true }] : [];
    test = (x) => fn.call(ctx, x, ...targs, ...extra) === true;
  }
  return items.filter((x) => test(getter(x)) === keep);
}

function sortBy(items: unknown[], key: (x: unknown) => unknown, reverse: boolean): unknown[] {
  const keyed = items.map((x) => ({ x, k: key(x) }));
  keyed.sort((a, b) => (reverse ? -pyCompare(a.k, b.k) : pyCompare(a.k, b.k)));
  return keyed.map((e) => e.x);
}

function minMax(value: unknown, args: unknown[], sign: 1 | -1, fn: string): unknown {
  const a = bindArgs(fn, args, ['case_sensitive', 'attribute'], { case_sensitive: false, attribute: null });
  const items = iterate(value);
  if (items.length === 0) return undefined;
  const key = keyFn(a.attribute, truthy(a.case_sensitive));
  let best = items[0];
  let bk = key(best);
  for (const x of items.slice(1)) {
    const k = key(x);
    if (sign * pyCompare(k, bk) < 0) {
      best = x;
      bk = k;
    }
  }
  return best;
}

export const JINJA_FILTERS: Record<string, Filter> = {
  abs: (v) => Math.abs(Number(v)),
  attr: (v, name) => (isDict(v) ? undefined : memberLookup(v, name)),
  capitalize: (v) => pyCapitalize(pyStr(v)),
  center: (v, ...args) => {
    const a = bindArgs('center', args, ['width'], { width: 80 });
    const s = pyStr(v);
    const n = Number(a.width) - [...s].length;
    if (n <= 0) return s;
    const left = Math.floor(n / 2) + (n & Number(a.width) & 1);
    return ' '.repeat(left) + s + ' '.repeat(n - left);
  },
  default: (v, ...args) => {
    const a = bindArgs('default', args, ['default_value', 'boolean'], { default_value: '', boolean: false });
    return v === undefined || (truthy(a.boolean) && !truthy(v)) ? a.default_value : v;
  },
  dictsort: (v, ...args) => {
    const a = bindArgs('dictsort', args, ['case_sensitive', 'by', 'reverse'], { case_sensitive: false, by: 'key', reverse: false });
    const d = v as Record<string, unknown>;
    const pairs = dictKeys(d).map((k) => PyTuple.make(k, d[k]));
    const pos = a.by === 'value' ? 1 : 0;
    const post = truthy(a.case_sensitive) ? (x: unknown) => x : lowerIfString;
    return sortBy(pairs, (p) => post((p as unknown[])[pos]), truthy(a.reverse));
  },
  escape: (v) => escapeHtml(v),
  e: (v) => escapeHtml(v),
  forceescape: (v) => escapeHtml(v),
  first: (v) => {
    const items = iterate(v);
    return items.length ? items[0] : undefined;
  },
  float: (v, ...args) => toFloat(v, bindArgs('float', args, ['default'], { default: 0 }).default),
  format: (v, ...args) => {
    const { pos, kw } = splitKwargs(args);
    return percentFormat(pyStr(v), Object.keys(kw).length ? kw : PyTuple.make(...pos));
  },
  groupby: (v, ...args) => {
    const a = bindArgs('groupby', args, ['attribute', 'default', 'case_sensitive'], { default: null, case_sensitive: false });
    const get = (x: unknown) => {
      const r = attrPath(x, a.attribute);
      return r === undefined && a.default !== null ? a.default : r;
    };
    const key = truthy(a.case_sensitive) ? get : (x: unknown) => lowerIfString(get(x));
    const sorted = sortBy(iterate(v), key, false);
    const groups: GroupTuple[] = [];
    for (const x of sorted) {
      const k = key(x);
      const last = groups[groups.length - 1];
      if (last && pyEq(key((last[1] as unknown[])[0]), k)) (last[1] as unknown[]).push(x);
      else {
        const g = new GroupTuple();
        g.push(get(x), [x]);
        groups.push(g);
      }
    }
    return groups;
  },
  indent: (v, ...args) => {
    const a = bindArgs('indent', args, ['width', 'first', 'blank'], { width: 4, first: false, blank: false });
    const ind = typeof a.width === 'string' ? a.width : ' '.repeat(Number(a.width));
    const lines = (pyStr(v) + '\n').split(/\r\n|\r|\n/);
    lines.pop();
    let rv: string;
    if (truthy(a.blank)) rv = lines.join('\n' + ind);
    else {
      rv = lines.shift() ?? '';
      if (lines.length) rv += '\n' + lines.map((l) => (l ? ind + l : l)).join('\n');
    }
    return truthy(a.first) ? ind + rv : rv;
  },
  int: (v, ...args) => {
    const a = bindArgs('int', args, ['default', 'base'], { default: 0, base: 10 });
    return toInt(v, a.default, Number(a.base));
  },
  items: (v) => {
    if (v === undefined) return [];
    if (!isDict(v)) throw new TypeError('Can only get item pairs from a mapping.');
    return dictKeys(v).map((k) => PyTuple.make(k, v[k]));
  },
  join: (v, ...args) => {
    const a = bindArgs('join', args, ['d', 'attribute'], { d: '', attribute: null });
    let items = iterate(v);
    if (a.attribute !== null) items = items.map((x) => attrPath(x, a.attribute));
    return items.map(pyStr).join(pyStr(a.d));
  },
  last: (v) => {
    const items = iterate(v);
    return items.length ? items[items.length - 1] : undefined;
  },
  length: (v) => len(v),
  count: (v) => len(v),
  list: (v) => [...iterate(v)],
  lower: (v) => pyStr(v).toLowerCase(),
  map: function (this: Any, v, ...args) {
    const { pos, kw } = splitKwargs(args);
    const items = iterate(v);
    if (pos.length === 0 && kw.attribute !== undefined) {
      return items.map((x) => {
        const r = attrPath(x, kw.attribute);
        return r === undefined && Object.prototype.hasOwnProperty.call(kw, 'default') ? kw.default : r;
      });
    }
    if (pos.length === 0) throw new TypeError('map requires a filter argument');
    const f = this.env.getFilter(String(pos[0]));
    const extra = Object.keys(kw).length ? [{ ...kw, __keywords: true }] : [];
    return items.map((x) => f.call(this, x, ...pos.slice(1), ...extra));
  },
  max: (v, ...args) => minMax(v, args, -1, 'max'),
  min: (v, ...args) => minMax(v, args, 1, 'min'),
  pprint: (v) => pyRepr(v),
  reject: function (this: Any, v, ...args) {
    return selectOrReject(this, v, args, false, false);
  },
  rejectattr: function (this: Any, v, ...args) {
    return selectOrReject(this, v, args, false, true);
  },
  replace: (v, ...args) => {
    const a = bindArgs('replace', args, ['old', 'new', 'count'], { count: null });
    const replace = memberLookup(pyStr(v), 'replace') as (...x: unknown[]) => unknown;
    return replace(pyStr(a.old), pyStr(a.new), a.count);
  },
  reverse: (v) => {
    if (isString(v)) return [...String(v)].reverse().join('');
    return [...iterate(v)].reverse();
  },
  round: (v, ...args) => {
    const a = bindArgs('round', args, ['precision', 'method'], { precision: 0, method: 'common' });
    const x = Number(v);
    const p = Number(a.precision);
    if (a.method === 'common') return pyRound(x, p);
    if (a.method !== 'ceil' && a.method !== 'floor') throw new TypeError('method must be common, ceil or floor');
    const f = Math.pow(10, p);
    return (a.method === 'ceil' ? Math.ceil(x * f) : Math.floor(x * f)) / f;
  },
  select: function (this: Any, v, ...args) {
    return selectOrReject(this, v, args, true, false);
  },
  selectattr: function (this: Any, v, ...args) {
    return selectOrReject(this, v, args, true, true);
  },
  sort: (v, ...args) => {
    const a = bindArgs('sort', args, ['reverse', 'case_sensitive', 'attribute'], { reverse: false, case_sensitive: false, attribute: null });
    return sortBy(iterate(v), keyFn(a.attribute, truthy(a.case_sensitive)), truthy(a.reverse));
  },
  string: (v) => pyStr(v),
  sum: (v, ...args) => {
    const a = bindArgs('sum', args, ['attribute', 'start'], { attribute: null, start: 0 });
    let items = iterate(v);
    if (a.attribute !== null) items = items.map((x) => attrPath(x, a.attribute));
    return items.reduce((acc: number, x) => acc + Number(x), Number(a.start));
  },
  title: (v) => jinjaTitle(pyStr(v)),
  tojson: (v, ...args) => htmlSafeJson(v, bindArgs('tojson', args, ['indent'], { indent: null }).indent),
  trim: (v, ...args) => strip(pyStr(v), bindArgs('trim', args, ['chars'], { chars: null }).chars),
  truncate: (v, ...args) => {
    const a = bindArgs('truncate', args, ['length', 'killwords', 'end', 'leeway'], { length: 255, killwords: false, end: '...', leeway: 5 });
    const s = pyStr(v);
    const n = Number(a.length);
    const end = pyStr(a.end);
    if ([...s].length <= n + Number(a.leeway)) return s;
    if (truthy(a.killwords)) return s.slice(0, n - end.length) + end;
    const head = s.slice(0, n - end.length);
    const sp = head.lastIndexOf(' ');
    return (sp >= 0 ? head.slice(0, sp) : head) + end;
  },
  unique: (v, ...args) => {
    const a = bindArgs('unique', args, ['case_sensitive', 'attribute'], { case_sensitive: false, attribute: null });
    const key = keyFn(a.attribute, truthy(a.case_sensitive));
    const seen: unknown[] = [];
    const out: unknown[] = [];
    for (const x of iterate(v)) {
      const k = key(x);
      if (!seen.some((s) => pyEq(s, k))) {
        seen.push(k);
        out.push(x);
      }
    }
    return out;
  },
  upper: (v) => pyStr(v).toUpperCase(),
  wordcount: (v) => (pyStr(v).match(/\w+/gu) ?? []).length,
};

JINJA_FILTERS.d = JINJA_FILTERS.default!;
