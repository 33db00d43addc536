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
  const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const argRe = args.map((a) => `\\s*['"]${esc(a)}['"]\\s*`).join(',');
  let idx = raw.search(new RegExp(`\\b${fn}\\s*\\(${argRe}`));
  if (idx < 0) idx = raw.search(new RegExp(`\\b${fn}\\s*\\(`));
  if (idx < 0) return 1;
  let line = 1;
  for (let i = 0; i < idx; i++) if (raw.charCodeAt(i) === 10) line++;
  return line;
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
