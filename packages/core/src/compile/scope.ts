import type { Relation } from './relation.js';

export interface RefCall {
  name: string;
  package?: string;
  /** 1-based line of the call in the model file (best effort for non-literal calls). */
  line: number;
}

export interface SourceCall {
  source: string;
  table: string;
  line: number;
}

/**
 * The state of one template rendering. Templates and macros reach it through tform's globals,
 * which lets macros defined in macro files call `ref()` for whichever model is rendering.
 */
export interface RenderScope {
  /** 'parse' records calls and returns placeholders; 'compile' resolves them. */
  mode: 'parse' | 'compile';
  /** File being rendered, relative to the project root (for errors). */
  file: string;
  raw: string;
  refs: RefCall[];
  sources: SourceCall[];
  config: Record<string, unknown>;
  macros: Set<string>;
  vars: Set<string>;
  envVars: Set<string>;
  resolveRef(name: string, pkg: string | undefined, line: number): Relation | string;
  resolveSource(source: string, table: string, line: number): Relation | string;
  /** Resolved config of the node (compile mode), for `config.get()`. */
  resolvedConfig?: Record<string, unknown>;
  /** Variables visible in templates and macros: this, target, model, is_incremental flag, … */
  context: Record<string, unknown>;
  isIncremental: boolean;
}

let current: RenderScope | null = null;

export function currentScope(): RenderScope | null {
  return current;
}

export function withScope<T>(scope: RenderScope, fn: () => T): T {
  const prev = current;
  current = scope;
  try {
    return fn();
  } finally {
    current = prev;
  }
}

/** 1-based line of the first `fn('arg'` call with these literal leading arguments, else of `fn(`. */
export function callLine(raw: string, fn: string, args: string[]): number {
  let idx = findCall(raw, fn, args);
  if (idx < 0 && args.length) idx = findCall(raw, fn, []);
  if (idx < 0) return 1;
  let line = 1;
  for (let i = raw.indexOf('\n'); i >= 0 && i < idx; i = raw.indexOf('\n', i + 1)) line++;
  return line;
}

const isWordChar = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const isSpace = (c: number) => c === 32 || (c >= 9 && c <= 13);

/**
 * Index of the first `fn(` (a word boundary before it, whitespace allowed before the parenthesis)
 * whose first arguments are the quoted `args`, or -1. A scan, not a regex built per call: parse
 * mode asks this for every ref() of every model.
 */
function findCall(raw: string, fn: string, args: string[]): number {
  for (let idx = raw.indexOf(fn); idx >= 0; idx = raw.indexOf(fn, idx + 1)) {
    if (idx > 0 && isWordChar(raw.charCodeAt(idx - 1))) continue;
    let i = idx + fn.length;
    while (i < raw.length && isSpace(raw.charCodeAt(i))) i++;
    if (raw[i] !== '(') continue;
    i++;
    let ok = true;
    for (let k = 0; k < args.length && ok; k++) {
      if (k > 0) {
        if (raw[i] !== ',') ok = false;
        else i++;
      }
      while (ok && i < raw.length && isSpace(raw.charCodeAt(i))) i++;
      const q = raw[i];
      if (!ok || (q !== "'" && q !== '"') || !raw.startsWith(args[k]!, i + 1)) {
        ok = false;
        break;
      }
      i += 1 + args[k]!.length;
      const q2 = raw[i];
      if (q2 !== "'" && q2 !== '"') ok = false;
      i++;
      while (ok && i < raw.length && isSpace(raw.charCodeAt(i))) i++;
    }
    if (ok) return idx;
  }
  return -1;
}

export function newScope(partial: Partial<RenderScope> & Pick<RenderScope, 'mode' | 'file' | 'raw' | 'resolveRef' | 'resolveSource'>): RenderScope {
  return {
    refs: [],
    sources: [],
    config: {},
    macros: new Set(),
    vars: new Set(),
    envVars: new Set(),
    context: {},
    isIncremental: false,
    ...partial,
  };
}
