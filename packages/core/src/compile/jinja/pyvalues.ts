/*
 * Python value semantics for template values, as Jinja has them: how values print (`str()` and
 * `repr()`), truthiness, equality and type names. Template lists are JS arrays, dicts are plain
 * objects, tuples are PyTuple, None is null and an undefined name is undefined.
 */
import { isSafeString } from './nunjucksInternals.js';

/** A Python tuple: prints as `(a, b)`. Arrays derived from it (map, slice) are plain lists. */
export class PyTuple extends Array<unknown> {
  static override get [Symbol.species](): ArrayConstructor {
    return Array;
  }
  static make(...items: unknown[]): PyTuple {
    const t = new PyTuple();
    t.push(...items);
    return t;
  }
}

/** One group of the `groupby` filter: a (grouper, list) tuple with those two attributes. */
export class GroupTuple extends PyTuple {
  get grouper(): unknown {
    return this[0];
  }
  get list(): unknown {
    return this[1];
  }
}

/** What `dict.keys()`, `.values()` and `.items()` return: a list that prints as `dict_keys([...])`. */
export class PyDictView extends Array<unknown> {
  kind = 'dict_keys';
  static override get [Symbol.species](): ArrayConstructor {
    return Array;
  }
  static make(kind: 'dict_keys' | 'dict_values' | 'dict_items', items: unknown[]): PyDictView {
    const v = new PyDictView();
    v.kind = kind;
    v.push(...items);
    return v;
  }
}

/** Jinja's `namespace()`: the one object whose attributes `{% set ns.attr = … %}` may assign. */
export class Namespace {
  constructor(init: Record<string, unknown> = {}) {
    Object.assign(this, init);
  }
}

/** A plain object: a Python dict (never a class instance such as a Relation). */
export function isDict(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object') return false;
  const p = Object.getPrototypeOf(v);
  return p === Object.prototype || p === null;
}

/** Own keys of a dict, without nunjucks' keyword-argument marker. */
export function dictKeys(d: Record<string, unknown>): string[] {
  const keys = Object.keys(d);
  return keys.includes('__keywords') ? keys.filter((k) => k !== '__keywords') : keys;
}

export function isString(v: unknown): v is string | { val: string } {
  return typeof v === 'string' || isSafeString(v);
}

/** Python truthiness: empty strings, lists, dicts, 0, None and undefined are false. */
export function truthy(v: unknown): boolean {
  if (v === undefined || v === null || v === false) return false;
  if (v === true) return true;
  switch (typeof v) {
    case 'string':
      return v.length > 0;
    case 'number':
      return v !== 0;
    case 'bigint':
      return v !== 0n;
    case 'object':
      if (Array.isArray(v)) return v.length > 0;
      if (isSafeString(v)) return v.val.length > 0;
      if (isDict(v)) {
        for (const k in v) if (k !== '__keywords') return true;
        return false;
      }
      if (v instanceof Map || v instanceof Set) return v.size > 0;
      return true;
    default:
      return true;
  }
}

/** Python's repr() of a float or int held in a JS number. */
export function pyNumber(n: number): string {
  if (Number.isInteger(n)) return Math.abs(n) < 1e21 ? String(n) : BigInt(n).toString();
  if (Number.isNaN(n)) return 'nan';
  if (!Number.isFinite(n)) return n > 0 ? 'inf' : '-inf';
  const [mant, e] = n.toExponential().split('e') as [string, string];
  const exp = Number(e);
  if (exp < -4 || exp >= 16) return `${mant}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  return String(n);
}

/** Python's repr() of a str: single quotes unless the text has one and no double quote. */
export function pyStrRepr(s: string): string {
  const q = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = q;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === q || ch === '\\') out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || c === 0x7f) out += '\\x' + c.toString(16).padStart(2, '0');
    else out += ch;
  }
  return out + q;
}

const two = (n: number) => String(n).padStart(2, '0');

/** Python's str() of a timezone-aware UTC datetime. */
export function pyDatetime(d: Date): string {
  const base = `${d.getUTCFullYear()}-${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
  const ms = d.getUTCMilliseconds();
  return `${base}${ms ? '.' + String(ms * 1000).padStart(6, '0') : ''}+00:00`;
}

function hasOwnToString(v: object): boolean {
  const ts = (v as { toString?: unknown }).toString;
  return typeof ts === 'function' && ts !== Object.prototype.toString;
}

/** Python's repr(): how values print inside lists and dicts. */
export function pyRepr(v: unknown): string {
  if (v === undefined) return 'Undefined';
  if (v === null) return 'None';
  switch (typeof v) {
    case 'string':
      return pyStrRepr(v);
    case 'number':
      return pyNumber(v);
    case 'boolean':
      return v ? 'True' : 'False';
    case 'bigint':
      return v.toString();
    case 'function':
      return `<function ${(v as { name?: string }).name || 'macro'}>`;
  }
  if (isSafeString(v)) return pyStrRepr(v.val);
  if (v instanceof PyDictView) return `${v.kind}([${v.map(pyRepr).join(', ')}])`;
  if (v instanceof PyTuple) return v.length === 1 ? `(${pyRepr(v[0])},)` : `(${v.map(pyRepr).join(', ')})`;
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(', ')}]`;
  if (isDict(v)) return `{${dictKeys(v).map((k) => `${pyStrRepr(k)}: ${pyRepr(v[k])}`).join(', ')}}`;
  if (v instanceof Namespace) return `<Namespace ${pyRepr({ ...v })}>`;
  if (v instanceof Date) return pyDatetime(v);
  return hasOwnToString(v as object) ? String(v) : '<object>';
}

/** Python's str(): what `{{ value }}` prints. Undefined prints nothing. */
export function pyStr(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === undefined) return '';
  if (v !== null && typeof v === 'object') {
    if (isSafeString(v)) return v.val;
    if (Array.isArray(v) || isDict(v) || v instanceof Namespace) return pyRepr(v);
    if (v instanceof Date) return pyDatetime(v);
    return hasOwnToString(v) ? String(v) : pyRepr(v);
  }
  return pyRepr(v);
}

/** Python's type name of a value, for error messages. */
export function pyTypeName(v: unknown): string {
  if (v === undefined) return 'Undefined';
  if (v === null) return 'NoneType';
  switch (typeof v) {
    case 'string':
      return 'str';
    case 'number':
      return Number.isInteger(v) ? 'int' : 'float';
    case 'boolean':
      return 'bool';
    case 'bigint':
      return 'int';
    case 'function':
      return 'function';
  }
  if (isSafeString(v)) return 'str';
  if (v instanceof PyTuple) return 'tuple';
  if (Array.isArray(v)) return 'list';
  if (isDict(v)) return 'dict';
  if (v instanceof Namespace) return 'Namespace';
  return (v as object).constructor?.name ?? 'object';
}

function isNumberLike(v: unknown): v is number | boolean {
  return typeof v === 'number' || typeof v === 'boolean';
}

/** Python's `==`: by value for lists and dicts, `1 == True`, never `'1' == 1`. */
export function pyEq(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || a === undefined || b === undefined) return false;
  if (isNumberLike(a) && isNumberLike(b)) return Number(a) === Number(b);
  if (isString(a) && isString(b)) return String(a) === String(b);
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a instanceof PyTuple !== b instanceof PyTuple || a.length !== b.length) return false;
    return a.every((x, i) => pyEq(x, b[i]));
  }
  if (isDict(a) && isDict(b)) {
    const ka = dictKeys(a);
    if (ka.length !== dictKeys(b).length) return false;
    return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && pyEq(a[k], b[k]));
  }
  if (typeof a === 'object' && typeof b === 'object' && hasOwnToString(a) && hasOwnToString(b) && a.constructor === b.constructor) {
    return String(a) === String(b);
  }
  return false;
}

/** Ordering of two values as Python sorts them (numbers, strings, lists element-wise). */
export function pyCompare(a: unknown, b: unknown): number {
  if (isNumberLike(a) && isNumberLike(b)) return Number(a) - Number(b);
  if (isString(a) && isString(b)) {
    const x = String(a);
    const y = String(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      const c = pyCompare(a[i], b[i]);
      if (c !== 0) return c;
    }
    return a.length - b.length;
  }
  throw new TypeError(`'<' not supported between instances of '${pyTypeName(a)}' and '${pyTypeName(b)}'`);
}

/** Python's `in`: membership in a list (by ==), substring of a str, key of a dict. */
export function pyIn(item: unknown, container: unknown): boolean {
  if (container === undefined) return false;
  if (Array.isArray(container)) return container.some((x) => pyEq(x, item));
  if (isString(container)) {
    if (!isString(item)) throw new TypeError(`'in <string>' requires string as left operand, not ${pyTypeName(item)}`);
    return String(container).includes(String(item));
  }
  if (isDict(container)) return typeof item === 'string' && item !== '__keywords' && Object.prototype.hasOwnProperty.call(container, item);
  if (container instanceof Map || container instanceof Set) return container.has(item);
  throw new TypeError(`argument of type '${pyTypeName(container)}' is not iterable`);
}

/** The items a `for` loop or a filter walks over: a dict's keys, a string's characters. */
export function iterate(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  if (v === undefined) return [];
  if (typeof v === 'string') return Array.from(v);
  if (isSafeString(v)) return Array.from(v.val);
  if (isDict(v)) return dictKeys(v);
  if (v instanceof Map) return [...v.keys()];
  if (v !== null && typeof v === 'object' && Symbol.iterator in v) return Array.from(v as Iterable<unknown>);
  throw new TypeError(`'${pyTypeName(v)}' object is not iterable`);
}

/** Index into a list or string the Python way (negative counts from the end). */
export function pyIndex(seq: ArrayLike<unknown> | string, i: number): unknown {
  const n = seq.length;
  const j = i < 0 ? n + i : i;
  return j >= 0 && j < n ? seq[j] : undefined;
}

/** `seq[start:stop:step]` for lists, tuples and strings. */
export function pySlice(seq: unknown, start: unknown, stop: unknown, step: unknown): unknown {
  const s = typeof seq === 'string' ? seq : isSafeString(seq) ? seq.val : seq;
  if (!Array.isArray(s) && typeof s !== 'string') {
    if (s === undefined) return undefined;
    throw new TypeError(`'${pyTypeName(s)}' object is not subscriptable`);
  }
  const n = s.length;
  const st = step === null || step === undefined ? 1 : Number(step);
  if (st === 0) throw new RangeError('slice step cannot be zero');
  const norm = (v: unknown, dflt: number, lo: number, hi: number) => {
    if (v === null || v === undefined) return dflt;
    let x = Number(v);
    if (x < 0) x += n;
    return Math.min(Math.max(x, lo), hi);
  };
  const out: unknown[] = [];
  if (st > 0) {
    const a = norm(start, 0, 0, n);
    const b = norm(stop, n, 0, n);
    for (let i = a; i < b; i += st) out.push(s[i]);
  } else {
    const a = norm(start, n - 1, -1, n - 1);
    const b = norm(stop, -1, -1, n - 1);
    for (let i = a; i > b; i += st) out.push(s[i]);
  }
  if (typeof s === 'string') return out.join('');
  return s instanceof PyTuple ? PyTuple.make(...out) : out;
}
