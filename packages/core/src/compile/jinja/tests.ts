/* Jinja's tests (`x is defined`, `x is none`, `x is mapping`, …), with Python's notion of types. */
import { isSafeString } from './nunjucksInternals.js';
import { isDict, isString, pyEq, pyCompare, pyIn, truthy } from './pyvalues.js';

type Test = (value: unknown, ...args: unknown[]) => boolean;

const isCased = (c: string) => c.toLowerCase() !== c.toUpperCase();

export const JINJA_TESTS: Record<string, Test> = {
  defined: (v) => v !== undefined,
  undefined: (v) => v === undefined,
  none: (v) => v === null,
  boolean: (v) => typeof v === 'boolean',
  true: (v) => v === true,
  false: (v) => v === false,
  integer: (v) => typeof v === 'number' && Number.isInteger(v),
  float: (v) => typeof v === 'number' && !Number.isInteger(v),
  number: (v) => typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint',
  string: (v) => isString(v),
  mapping: (v) => isDict(v) || v instanceof Map,
  iterable: (v) => v === undefined || isString(v) || Array.isArray(v) || isDict(v) || (v !== null && typeof v === 'object' && Symbol.iterator in v),
  sequence: (v) => v === undefined || isString(v) || Array.isArray(v) || isDict(v),
  callable: (v) => typeof v === 'function',
  escaped: (v) => isSafeString(v),
  sameas: (v, other) => v === other,
  odd: (v) => Number(v) % 2 !== 0,
  even: (v) => Number(v) % 2 === 0,
  divisibleby: (v, n) => Number(v) % Number(n) === 0,
  lower: (v) => isString(v) && [...String(v)].some(isCased) && String(v) === String(v).toLowerCase(),
  upper: (v) => isString(v) && [...String(v)].some(isCased) && String(v) === String(v).toUpperCase(),
  in: (v, seq) => pyIn(v, seq),
  eq: (a, b) => pyEq(a, b),
  ne: (a, b) => !pyEq(a, b),
  lt: (a, b) => pyCompare(a, b) < 0,
  le: (a, b) => pyCompare(a, b) <= 0,
  gt: (a, b) => pyCompare(a, b) > 0,
  ge: (a, b) => pyCompare(a, b) >= 0,
  truthy: (v) => truthy(v),
  falsy: (v) => !truthy(v),
};

const ALIASES: Record<string, string> = {
  null: 'none',
  equalto: 'eq',
  '==': 'eq',
  '!=': 'ne',
  lessthan: 'lt',
  '<': 'lt',
  '<=': 'le',
  greaterthan: 'gt',
  '>': 'gt',
  '>=': 'ge',
};

for (const [alias, name] of Object.entries(ALIASES)) JINJA_TESTS[alias] = JINJA_TESTS[name]!;
