/*
 * Jinja's operators on template values, with Python's rules: `+` joins lists, `*` repeats strings,
 * `/` and `//` refuse zero, `%` formats strings, `~` joins the str() of both sides, and mixing a
 * string with a number is an error instead of JS coercion.
 */
import { isString, pyEq, pyCompare, pyIn, pyStr, pyTypeName, PyTuple, truthy } from './pyvalues.js';
import { percentFormat } from './strformat.js';

function isNum(v: unknown): v is number | boolean {
  return typeof v === 'number' || typeof v === 'boolean';
}

function unsupported(op: string, a: unknown, b: unknown): never {
  throw new TypeError(`unsupported operand type(s) for ${op}: '${pyTypeName(a)}' and '${pyTypeName(b)}'`);
}

export function add(a: unknown, b: unknown): unknown {
  if (isNum(a) && isNum(b)) return Number(a) + Number(b);
  if (isString(a) && isString(b)) return String(a) + String(b);
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a instanceof PyTuple !== b instanceof PyTuple) throw new TypeError(`can only concatenate ${pyTypeName(a)} (not "${pyTypeName(b)}") to ${pyTypeName(a)}`);
    return a instanceof PyTuple ? PyTuple.make(...a, ...b) : [...a, ...b];
  }
  if (isString(a)) throw new TypeError(`can only concatenate str (not "${pyTypeName(b)}") to str`);
  return unsupported('+', a, b);
}

export function sub(a: unknown, b: unknown): unknown {
  if (isNum(a) && isNum(b)) return Number(a) - Number(b);
  return unsupported('-', a, b);
}

function repeat(seq: unknown, n: number): unknown {
  const k = Math.max(0, Math.trunc(n));
  if (isString(seq)) return String(seq).repeat(k);
  const arr = seq as unknown[];
  const out: unknown[] = [];
  for (let i = 0; i < k; i++) out.push(...arr);
  return seq instanceof PyTuple ? PyTuple.make(...out) : out;
}

export function mul(a: unknown, b: unknown): unknown {
  if (isNum(a) && isNum(b)) return Number(a) * Number(b);
  if ((isString(a) || Array.isArray(a)) && typeof b === 'number' && Number.isInteger(b)) return repeat(a, b);
  if ((isString(b) || Array.isArray(b)) && typeof a === 'number' && Number.isInteger(a)) return repeat(b, a);
  if ((isString(a) || Array.isArray(a)) && isNum(b)) throw new TypeError(`can't multiply sequence by non-int of type '${pyTypeName(b)}'`);
  return unsupported('*', a, b);
}

export function div(a: unknown, b: unknown): unknown {
  if (isNum(a) && isNum(b)) {
    if (Number(b) === 0) throw new RangeError('division by zero');
    return Number(a) / Number(b);
  }
  return unsupported('/', a, b);
}

export function floorDiv(a: unknown, b: unknown): unknown {
  if (isNum(a) && isNum(b)) {
    if (Number(b) === 0) throw new RangeError('integer division or modulo by zero');
    return Math.floor(Number(a) / Number(b));
  }
  return unsupported('//', a, b);
}

export function mod(a: unknown, b: unknown): unknown {
  if (isString(a)) return percentFormat(String(a), b);
  if (isNum(a) && isNum(b)) {
    const x = Number(a);
    const y = Number(b);
    if (y === 0) throw new RangeError('integer division or modulo by zero');
    const r = x % y;
    return r !== 0 && r < 0 !== y < 0 ? r + y : r;
  }
  return unsupported('%', a, b);
}

export function pow(a: unknown, b: unknown): unknown {
  if (isNum(a) && isNum(b)) return Math.pow(Number(a), Number(b));
  return unsupported('** or pow()', a, b);
}

export function neg(a: unknown): unknown {
  if (isNum(a)) return -Number(a);
  throw new TypeError(`bad operand type for unary -: '${pyTypeName(a)}'`);
}

export function pos(a: unknown): unknown {
  if (isNum(a)) return Number(a);
  throw new TypeError(`bad operand type for unary +: '${pyTypeName(a)}'`);
}

export function concat(a: unknown, b: unknown): string {
  return pyStr(a) + pyStr(b);
}

export function and(a: unknown, b: () => unknown): unknown {
  return truthy(a) ? b() : a;
}

export function or(a: unknown, b: () => unknown): unknown {
  return truthy(a) ? a : b();
}

/** One comparison operator (`==`, `<`, …) with Python's meaning. */
export function compare(op: string, a: unknown, b: unknown): boolean {
  switch (op) {
    case '==':
      return pyEq(a, b);
    case '!=':
      return !pyEq(a, b);
    case '===':
      return a === b;
    case '!==':
      return a !== b;
    case '<':
      return pyCompare(a, b) < 0;
    case '>':
      return pyCompare(a, b) > 0;
    case '<=':
      return pyCompare(a, b) <= 0;
    case '>=':
      return pyCompare(a, b) >= 0;
    case 'in':
      return pyIn(a, b);
    default:
      throw new Error(`unknown comparison ${op}`);
  }
}

/** `a < b < c`: Python chains comparisons with `and`. */
export function compareChain(first: unknown, rest: unknown[]): boolean {
  let left = first;
  for (let i = 0; i < rest.length; i += 2) {
    const right = rest[i + 1];
    if (!compare(rest[i] as string, left, right)) return false;
    left = right;
  }
  return true;
}
