/* Typed handles on the parts of nunjucks its type declarations leave out (compiler, parser,
 * nodes, lexer, runtime). Only this folder reaches into them. */
import nunjucks from 'nunjucks';

/* eslint-disable @typescript-eslint/no-explicit-any */
export type Any = any;

interface Internals {
  compiler: { Compiler: Any };
  parser: { Parser: Any };
  lexer: Any;
  nodes: Any;
  runtime: Any;
  lib: Any;
}

const nj = nunjucks as unknown as Internals;

export const Compiler: Any = nj.compiler.Compiler;
export const Parser: Any = nj.parser.Parser;
export const lexer: Any = nj.lexer;
export const nodes: Any = nj.nodes;
export const runtime: Any = nj.runtime;
export const lib: Any = nj.lib;
export const Frame: Any = nj.runtime.Frame;

/** nunjucks' SafeString: what macros and `caller()` return. */
export const SafeString: Any = nj.runtime.SafeString;

export function isSafeString(v: unknown): v is { val: string; length: number } {
  return v instanceof SafeString;
}
