/*
 * The runtime compiled templates call (`runtime.*` in the generated code): nunjucks' own, with
 * Jinja's printing, attribute lookup, truthiness, operators, loops and macro `return()`.
 */
import { runtime as base } from './nunjucksInternals.js';
import { memberLookup } from './methods.js';
import * as ops from './operators.js';
import { dictKeys, isDict, iterate, Namespace, pyIn, pyEq, pySlice, pyStr, PyTuple, pyTypeName, truthy } from './pyvalues.js';

/** What `return(value)` throws; the macro it is called in catches it and returns `value`. */
export class MacroReturn {
  constructor(readonly value: unknown) {}
  toString(): string {
    return 'return() can only be used inside a macro';
  }
}

/** Where a macro was when an error passed through it: innermost first. */
export interface MacroFrame {
  macro: string;
  file?: string;
  line: number;
}

const trails = new WeakMap<object, MacroFrame[]>();

/** The macros an error passed through, innermost first (following `cause` links). */
export function macroTrail(e: unknown): MacroFrame[] {
  let cur: unknown = e;
  for (let i = 0; i < 6 && cur !== null && typeof cur === 'object'; i++) {
    const t = trails.get(cur);
    if (t) return t;
    cur = (cur as { cause?: unknown }).cause;
  }
  return [];
}

/** Called in each macro's catch block: a `return()` ends the macro with its value, errors gain the macro's place. */
function macroError(e: unknown, lineno: number, name: string, file: string | undefined): unknown {
  if (e instanceof MacroReturn) return e.value;
  if (e !== null && typeof e === 'object') {
    const t = trails.get(e) ?? [];
    t.push({ macro: name, file, line: lineno + 1 });
    trails.set(e, t);
  }
  throw e;
}

/** Jinja's `loop` variable. */
export class PyLoop {
  constructor(
    private readonly items: unknown[],
    readonly index0: number,
  ) {}
  get index(): number {
    return this.index0 + 1;
  }
  get length(): number {
    return this.items.length;
  }
  get revindex(): number {
    return this.items.length - this.index0;
  }
  get revindex0(): number {
    return this.items.length - this.index0 - 1;
  }
  get first(): boolean {
    return this.index0 === 0;
  }
  get last(): boolean {
    return this.index0 === this.items.length - 1;
  }
  get previtem(): unknown {
    return this.index0 > 0 ? this.items[this.index0 - 1] : undefined;
  }
  get nextitem(): unknown {
    return this.index0 < this.items.length - 1 ? this.items[this.index0 + 1] : undefined;
  }
  get depth(): number {
    return 1;
  }
  get depth0(): number {
    return 0;
  }
  cycle(...args: unknown[]): unknown {
    if (args.length === 0) throw new TypeError('no items for cycling given');
    return args[this.index0 % args.length];
  }
  toString(): string {
    return `<LoopContext ${this.index}/${this.length}>`;
  }
}

function loopItems(v: unknown, unpack: number): unknown[] {
  if (v === null) throw new TypeError("'NoneType' object is not iterable");
  // nunjucks let `for k, v in a_dict` walk the pairs; keep that (Jinja would unpack each key).
  if (unpack && isDict(v)) return dictKeys(v).map((k) => PyTuple.make(k, v[k]));
  return iterate(v);
}

function unpackItem(item: unknown, n: number): unknown[] {
  const arr = Array.isArray(item) ? item : iterate(item);
  if (arr.length > n) throw new TypeError(`too many values to unpack (expected ${n})`);
  if (arr.length < n) throw new TypeError(`not enough values to unpack (expected ${n}, got ${arr.length})`);
  return arr;
}

function setAttr(obj: unknown, key: unknown, value: unknown): void {
  if (!(obj instanceof Namespace)) throw new TypeError(`cannot assign attribute on non-namespace object (${pyTypeName(obj)})`);
  (obj as unknown as Record<string, unknown>)[String(key)] = value;
}

/** `kwargs` inside a macro: the keyword arguments it does not declare. */
function macroKwargs(kwargs: Record<string, unknown>, declared: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(kwargs)) if (k !== '__keywords' && k !== 'caller' && !declared.includes(k)) out[k] = kwargs[k];
  return out;
}

const objectToString = Object.prototype.toString;

/** What `{{ value }}` prints: str(value). Strings and objects that print themselves (relations) go first. */
export function output(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'object' && v !== null) {
    const ts = (v as { toString?: unknown }).toString;
    if (typeof ts === 'function' && ts !== objectToString && !Array.isArray(v) && !(v instanceof Date)) return String(ts.call(v));
  }
  return pyStr(v);
}

function dictKey(k: unknown): string {
  return typeof k === 'string' ? k : pyStr(k);
}

/* eslint-disable @typescript-eslint/no-explicit-any */
/** The runtime object handed to every compiled template (flat: generated code reads it often). */
export const jinjaRuntime: any = Object.assign({}, base, {
  suppressValue: output,
  memberLookup,
  PyLoop,
  pyTruthy: truthy,
  pyNot: (v: unknown) => !truthy(v),
  pyAnd: ops.and,
  pyOr: ops.or,
  pyAdd: ops.add,
  pySub: ops.sub,
  pyMul: ops.mul,
  pyDiv: ops.div,
  pyFloorDiv: ops.floorDiv,
  pyMod: ops.mod,
  pyPow: ops.pow,
  pyNeg: ops.neg,
  pyPos: ops.pos,
  pyConcat: ops.concat,
  pyCompare: ops.compare,
  pyCompareChain: ops.compareChain,
  pyEq,
  pyIn,
  pySlice,
  pyTuple: (...items: unknown[]) => PyTuple.make(...items),
  pyDictKey: dictKey,
  pyLoopItems: loopItems,
  pyUnpack: unpackItem,
  pySetAttr: setAttr,
  pyMacroKwargs: macroKwargs,
  pyMacroError: macroError,
});
