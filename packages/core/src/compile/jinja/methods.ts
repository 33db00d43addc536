/*
 * Attribute lookup (`x.attr`, `x[key]`) with Python's methods on strings, lists and dicts:
 * `'a'.upper()`, `cols.append(c)`, `d.items()`, `run_started_at.strftime('%Y')`, …
 * JS-only members (`.length`, `.push`) are not visible on those values, as in Jinja.
 */
import { isSafeString } from './nunjucksInternals.js';
import { splitKwargs } from './kwargs.js';
import { dictKeys, GroupTuple, isDict, iterate, pyCompare, pyEq, pyIndex, PyDictView, pyRepr, pyStr, PyTuple, pyTypeName, truthy } from './pyvalues.js';
import { strFormat } from './strformat.js';
import { strftime } from './strftime.js';

const WS = ' \t\n\r\x0b\x0c';

function stripChars(s: string, chars: unknown, left: boolean, right: boolean): string {
  const set = chars === undefined || chars === null ? WS : String(chars);
  let a = 0;
  let b = s.length;
  if (left) while (a < b && set.includes(s[a]!)) a++;
  if (right) while (b > a && set.includes(s[b - 1]!)) b--;
  return s.slice(a, b);
}

function split(s: string, sep: unknown, maxsplit: unknown): string[] {
  const max = maxsplit === undefined || maxsplit === null ? -1 : Number(maxsplit);
  if (sep === undefined || sep === null) {
    const out: string[] = [];
    let rest = s.replace(/^[\s]+/, '');
    while (rest.length > 0) {
      if (max >= 0 && out.length >= max) {
        out.push(rest.replace(/[\s]+$/, ''));
        break;
      }
      const m = /[\s]+/.exec(rest);
      if (!m) {
        out.push(rest);
        break;
      }
      out.push(rest.slice(0, m.index));
      rest = rest.slice(m.index + m[0].length);
    }
    return out;
  }
  const d = String(sep);
  if (d === '') throw new RangeError('empty separator');
  const parts = s.split(d);
  if (max < 0 || parts.length <= max + 1) return parts;
  return [...parts.slice(0, max), parts.slice(max).join(d)];
}

function rsplit(s: string, sep: unknown, maxsplit: unknown): string[] {
  const max = maxsplit === undefined || maxsplit === null ? -1 : Number(maxsplit);
  if (max < 0) return split(s, sep, -1);
  if (sep === undefined || sep === null) {
    const out: string[] = [];
    let rest = s.replace(/[\s]+$/, '');
    while (rest.length > 0) {
      if (out.length >= max) {
        out.unshift(rest.replace(/^[\s]+/, ''));
        break;
      }
      const m = /[\s]+(?=\S*$)/.exec(rest);
      if (!m) {
        out.unshift(rest);
        break;
      }
      out.unshift(rest.slice(m.index + m[0].length));
      rest = rest.slice(0, m.index);
    }
    return out;
  }
  const d = String(sep);
  if (d === '') throw new RangeError('empty separator');
  const parts = s.split(d);
  if (parts.length <= max + 1) return parts;
  return [parts.slice(0, parts.length - max).join(d), ...parts.slice(parts.length - max)];
}

function replaceCount(s: string, old: string, neu: string, count: unknown): string {
  const n = count === undefined || count === null ? -1 : Number(count);
  if (n < 0) {
    if (old === '') return neu + [...s].join(neu) + neu;
    return s.split(old).join(neu);
  }
  let out = s;
  let from = 0;
  for (let i = 0; i < n; i++) {
    const at = out.indexOf(old, from);
    if (at < 0) break;
    out = out.slice(0, at) + neu + out.slice(at + old.length);
    from = at + neu.length + (old === '' ? 1 : 0);
  }
  return out;
}

const isCased = (c: string) => c.toLowerCase() !== c.toUpperCase();

/** Python's str.title(): a cased character after an uncased one starts a word. */
export function pyTitle(s: string): string {
  let out = '';
  let prev = false;
  for (const c of s) {
    out += prev ? c.toLowerCase() : c.toUpperCase();
    prev = isCased(c);
  }
  return out;
}

export function pyCapitalize(s: string): string {
  if (!s) return s;
  const [first, ...rest] = [...s];
  return first!.toUpperCase() + rest.join('').toLowerCase();
}

function prefixTest(s: string, arg: unknown, start: unknown, end: unknown, fn: (x: string, p: string) => boolean): boolean {
  const sub = s.slice(start === undefined || start === null ? 0 : Number(start), end === undefined || end === null ? undefined : Number(end));
  const list = Array.isArray(arg) ? arg : [arg];
  return list.some((p) => fn(sub, pyStr(p)));
}

function str(self: unknown): string {
  return typeof self === 'string' ? self : (self as { val: string }).val;
}

function justify(s: string, width: unknown, fill: unknown, how: 'l' | 'r' | 'c'): string {
  const w = Number(width);
  const f = fill === undefined ? ' ' : String(fill);
  const n = w - [...s].length;
  if (n <= 0) return s;
  if (how === 'l') return s + f.repeat(n);
  if (how === 'r') return f.repeat(n) + s;
  const left = Math.floor(n / 2) + (n & w & 1);
  return f.repeat(left) + s + f.repeat(n - left);
}

const STR_METHODS: Record<string, (s: string, pos: unknown[], kw: Record<string, unknown>) => unknown> = {
  upper: (s) => s.toUpperCase(),
  lower: (s) => s.toLowerCase(),
  casefold: (s) => s.toLowerCase(),
  swapcase: (s) => [...s].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join(''),
  strip: (s, [c]) => stripChars(s, c, true, true),
  lstrip: (s, [c]) => stripChars(s, c, true, false),
  rstrip: (s, [c]) => stripChars(s, c, false, true),
  startswith: (s, [p, a, b]) => prefixTest(s, p, a, b, (x, y) => x.startsWith(y)),
  endswith: (s, [p, a, b]) => prefixTest(s, p, a, b, (x, y) => x.endsWith(y)),
  replace: (s, [o, n, c], kw) => replaceCount(s, pyStr(o), pyStr(n), c ?? kw.count),
  split: (s, [sep, max], kw) => split(s, sep ?? kw.sep, max ?? kw.maxsplit),
  rsplit: (s, [sep, max], kw) => rsplit(s, sep ?? kw.sep, max ?? kw.maxsplit),
  splitlines: (s) => {
    const lines = s.split(/\r\n|\r|\n/);
    if (lines.length && lines[lines.length - 1] === '') lines.pop();
    return lines;
  },
  join: (s, [items]) => iterate(items).map((x) => {
    if (typeof x !== 'string' && !isSafeString(x)) throw new TypeError(`sequence item: expected str instance, ${pyTypeName(x)} found`);
    return pyStr(x);
  }).join(s),
  format: (s, pos, kw) => strFormat(s, pos, kw),
  title: (s) => pyTitle(s),
  capitalize: (s) => pyCapitalize(s),
  find: (s, [sub, a, b]) => {
    const start = a === undefined || a === null ? 0 : Number(a);
    const i = s.slice(0, b === undefined || b === null ? undefined : Number(b)).indexOf(pyStr(sub), start < 0 ? s.length + start : start);
    return i;
  },
  rfind: (s, [sub]) => s.lastIndexOf(pyStr(sub)),
  index: (s, [sub]) => {
    const i = s.indexOf(pyStr(sub));
    if (i < 0) throw new RangeError('substring not found');
    return i;
  },
  rindex: (s, [sub]) => {
    const i = s.lastIndexOf(pyStr(sub));
    if (i < 0) throw new RangeError('substring not found');
    return i;
  },
  count: (s, [sub]) => {
    const t = pyStr(sub);
    return t === '' ? [...s].length + 1 : s.split(t).length - 1;
  },
  isdigit: (s) => s.length > 0 && /^\d+$/u.test(s),
  isdecimal: (s) => s.length > 0 && /^\d+$/u.test(s),
  isnumeric: (s) => s.length > 0 && /^\p{N}+$/u.test(s),
  isalpha: (s) => s.length > 0 && /^\p{L}+$/u.test(s),
  isalnum: (s) => s.length > 0 && /^[\p{L}\p{N}]+$/u.test(s),
  isspace: (s) => s.length > 0 && /^\s+$/.test(s),
  isupper: (s) => [...s].some(isCased) && s === s.toUpperCase(),
  islower: (s) => [...s].some(isCased) && s === s.toLowerCase(),
  istitle: (s) => [...s].some(isCased) && s === pyTitle(s),
  zfill: (s, [w]) => {
    const sign = s[0] === '-' || s[0] === '+' ? s[0] : '';
    const body = sign ? s.slice(1) : s;
    return sign + body.padStart(Number(w) - sign.length, '0');
  },
  ljust: (s, [w, f]) => justify(s, w, f, 'l'),
  rjust: (s, [w, f]) => justify(s, w, f, 'r'),
  center: (s, [w, f]) => justify(s, w, f, 'c'),
  partition: (s, [sep]) => {
    const d = pyStr(sep);
    const i = s.indexOf(d);
    return i < 0 ? PyTuple.make(s, '', '') : PyTuple.make(s.slice(0, i), d, s.slice(i + d.length));
  },
  rpartition: (s, [sep]) => {
    const d = pyStr(sep);
    const i = s.lastIndexOf(d);
    return i < 0 ? PyTuple.make('', '', s) : PyTuple.make(s.slice(0, i), d, s.slice(i + d.length));
  },
  removeprefix: (s, [p]) => (s.startsWith(pyStr(p)) ? s.slice(pyStr(p).length) : s),
  removesuffix: (s, [p]) => {
    const x = pyStr(p);
    return x && s.endsWith(x) ? s.slice(0, s.length - x.length) : s;
  },
};

function listIndex(l: unknown[], i: unknown): number {
  const n = Number(i);
  return n < 0 ? Math.max(0, l.length + n) : Math.min(n, l.length);
}

const LIST_METHODS: Record<string, (l: unknown[], pos: unknown[], kw: Record<string, unknown>) => unknown> = {
  append: (l, [x]) => {
    l.push(x);
    return null;
  },
  extend: (l, [xs]) => {
    l.push(...iterate(xs));
    return null;
  },
  insert: (l, [i, x]) => {
    l.splice(listIndex(l, i), 0, x);
    return null;
  },
  pop: (l, [i]) => {
    if (l.length === 0) throw new RangeError('pop from empty list');
    const n = i === undefined ? l.length - 1 : Number(i) < 0 ? l.length + Number(i) : Number(i);
    if (n < 0 || n >= l.length) throw new RangeError('pop index out of range');
    return l.splice(n, 1)[0];
  },
  remove: (l, [x]) => {
    const i = l.findIndex((y) => pyEq(y, x));
    if (i < 0) throw new RangeError('list.remove(x): x not in list');
    l.splice(i, 1);
    return null;
  },
  index: (l, [x]) => {
    const i = l.findIndex((y) => pyEq(y, x));
    if (i < 0) throw new RangeError(`${pyRepr(x)} is not in list`);
    return i;
  },
  count: (l, [x]) => l.filter((y) => pyEq(y, x)).length,
  reverse: (l) => {
    l.reverse();
    return null;
  },
  sort: (l, _p, kw) => {
    l.sort(pyCompare);
    if (truthy(kw.reverse)) l.reverse();
    return null;
  },
  copy: (l) => [...l],
  clear: (l) => {
    l.length = 0;
    return null;
  },
};

const TUPLE_METHODS = new Set(['index', 'count']);

const DICT_METHODS: Record<string, (d: Record<string, unknown>, pos: unknown[], kw: Record<string, unknown>) => unknown> = {
  items: (d) => PyDictView.make('dict_items', dictKeys(d).map((k) => PyTuple.make(k, d[k]))),
  keys: (d) => PyDictView.make('dict_keys', dictKeys(d)),
  values: (d) => PyDictView.make('dict_values', dictKeys(d).map((k) => d[k])),
  get: (d, [k, dflt]) => (typeof k === 'string' && k !== '__keywords' && Object.prototype.hasOwnProperty.call(d, k) ? d[k] : dflt === undefined ? null : dflt),
  update: (d, pos, kw) => {
    for (const p of pos) {
      if (isDict(p)) for (const k of dictKeys(p)) d[k] = p[k];
      else for (const pair of iterate(p)) d[pyStr((pair as unknown[])[0])] = (pair as unknown[])[1];
    }
    Object.assign(d, kw);
    return null;
  },
  pop: (d, [k, dflt]) => {
    const key = pyStr(k);
    if (Object.prototype.hasOwnProperty.call(d, key)) {
      const v = d[key];
      delete d[key];
      return v;
    }
    if (dflt === undefined) throw new RangeError(`KeyError: ${pyRepr(k)}`);
    return dflt;
  },
  setdefault: (d, [k, dflt]) => {
    const key = pyStr(k);
    if (!Object.prototype.hasOwnProperty.call(d, key)) d[key] = dflt === undefined ? null : dflt;
    return d[key];
  },
  copy: (d) => {
    const out: Record<string, unknown> = {};
    for (const k of dictKeys(d)) out[k] = d[k];
    return out;
  },
  clear: (d) => {
    for (const k of Object.keys(d)) delete d[k];
    return null;
  },
};

const DATE_METHODS: Record<string, (d: Date, pos: unknown[], kw: Record<string, unknown>) => unknown> = {
  strftime: (d, [fmt]) => strftime(d, pyStr(fmt)),
  isoformat: (d, [sep]) => {
    const iso = d.toISOString();
    const ms = d.getUTCMilliseconds();
    const s = sep === undefined ? 'T' : pyStr(sep);
    return `${iso.slice(0, 10)}${s}${iso.slice(11, 19)}${ms ? '.' + String(ms * 1000).padStart(6, '0') : ''}+00:00`;
  },
  timestamp: (d) => d.getTime() / 1000,
};

const DATE_ATTRS: Record<string, (d: Date) => unknown> = {
  year: (d) => d.getUTCFullYear(),
  month: (d) => d.getUTCMonth() + 1,
  day: (d) => d.getUTCDate(),
  hour: (d) => d.getUTCHours(),
  minute: (d) => d.getUTCMinutes(),
  second: (d) => d.getUTCSeconds(),
  microsecond: (d) => d.getUTCMilliseconds() * 1000,
};

function bind<T>(self: T, fn: (s: T, pos: unknown[], kw: Record<string, unknown>) => unknown): (...args: unknown[]) => unknown {
  return (...args: unknown[]) => {
    const { pos, kw } = splitKwargs(args);
    return fn(self, pos, kw);
  };
}

/** `obj.key` / `obj[key]` in a template. */
export function memberLookup(obj: unknown, key: unknown): unknown {
  if (obj === undefined || obj === null) return undefined;
  if (typeof obj === 'string' || isSafeString(obj)) {
    const s = str(obj);
    if (typeof key === 'number') return pyIndex(s, key);
    return Object.prototype.hasOwnProperty.call(STR_METHODS, key as string) ? bind(s, STR_METHODS[key as string]!) : undefined;
  }
  if (Array.isArray(obj)) {
    if (typeof key === 'number') return pyIndex(obj, key);
    const k = key as string;
    if (obj instanceof GroupTuple && (k === 'grouper' || k === 'list')) return obj[k];
    if (Object.prototype.hasOwnProperty.call(LIST_METHODS, k)) {
      if ((obj instanceof PyTuple || obj instanceof PyDictView) && !TUPLE_METHODS.has(k)) return undefined;
      return bind(obj, LIST_METHODS[k]!);
    }
    // Named members a list-like value carries (a query result row's columns: `row['n']`).
    return k !== 'length' && Object.prototype.hasOwnProperty.call(obj, k) ? (obj as unknown as Record<string, unknown>)[k] : undefined;
  }
  if (isDict(obj)) {
    const k = typeof key === 'number' ? String(key) : (key as string);
    if (Object.prototype.hasOwnProperty.call(DICT_METHODS, k)) return bind(obj, DICT_METHODS[k]!);
    return k !== '__keywords' && Object.prototype.hasOwnProperty.call(obj, k) ? obj[k] : undefined;
  }
  if (obj instanceof Date) {
    const k = key as string;
    if (Object.prototype.hasOwnProperty.call(DATE_METHODS, k)) return bind(obj, DATE_METHODS[k]!);
    if (Object.prototype.hasOwnProperty.call(DATE_ATTRS, k)) return DATE_ATTRS[k]!(obj);
    return undefined;
  }
  const v = (obj as Record<string, unknown>)[key as string];
  if (typeof v === 'function') return (...args: unknown[]) => (v as (...a: unknown[]) => unknown).apply(obj, args);
  return v;
}

