import { TformError, isTformError } from '../errors/index.js';
import { macroTrail, type MacroFrame } from './jinja/runtime.js';

interface NunjucksErr extends Error {
  lineno?: number;
  colno?: number;
  cause?: unknown;
}

/** nunjucks messages look like "(path) [Line 3, Column 10]\n  unexpected token: }}". */
const POS_RE = /\[Line (\d+), Column (\d+)\]/;

/**
 * Turn an error thrown while compiling or rendering a template into a TformError at the file:line
 * of the template. A TformError raised by a tform global (unknown ref, missing env var, …) keeps its
 * own code and hint and gains the template position.
 */
export function templateError(e: unknown, file: string, phase: 'compile' | 'render'): TformError {
  const err = e as NunjucksErr;
  const inner = findTformError(e);
  const m = typeof err?.message === 'string' ? POS_RE.exec(err.message) : null;
  // nunjucks counts lines and columns from 0 at run time (its parse errors already count from 1).
  const base = phase === 'render' ? 1 : 0;
  const rawLine = m ? Number(m[1]) : err?.lineno;
  const rawColumn = m ? Number(m[2]) : err?.colno;
  // A macro called from code (not from a template) has no template position: use the macro's own.
  const trail = macroTrail(e);
  const outer = trail[trail.length - 1];
  const fromMacro = rawLine === undefined && outer?.file === file;
  const line = rawLine === undefined ? (fromMacro ? outer!.line : undefined) : rawLine + base;
  const column = rawColumn === undefined ? undefined : rawColumn + base;
  // Where the error passed through macros loaded from other files: "in macro x (macros/x.sql:3)".
  const macroLines = trail.filter((f, i) => !(fromMacro && i === trail.length - 1)).map(describeFrame);
  if (inner) {
    if (inner.line !== undefined && inner.file && macroLines.length === 0) return inner;
    return new TformError(inner.code, inner.message, {
      file: inner.file ?? file,
      line: inner.line ?? line,
      column: inner.line !== undefined ? inner.column : column,
      hint: inner.hint,
      details: [...inner.details, ...macroLines.filter((l) => !inner.details.includes(l))],
      cause: inner,
    });
  }
  let msg = String(err?.message ?? e)
    .replace(/^\([^)]*\)\s*/, '')
    .replace(POS_RE, '')
    .replace(/^\s*Template render error:\s*/i, '')
    .trim();
  msg = msg.replace(/\s*\n\s*/g, ' ').replace(/^Error:\s*/, '');
  const syntax = phase === 'compile' || /unexpected|expected|unknown block tag|unclosed|parseAggregate|unexpected end of file/i.test(msg);
  return new TformError(syntax ? 'TEMPLATE_SYNTAX' : 'TEMPLATE_RENDER', `template ${syntax ? 'syntax' : 'render'} error: ${msg}`, {
    file,
    line,
    column,
    hint: syntax ? 'check that every {{ }}, {% %} and {# #} is closed and block tags are balanced' : undefined,
    details: macroLines,
  });
}

function describeFrame(f: MacroFrame): string {
  return `in macro ${f.macro} (${f.file ?? '?'}:${f.line})`;
}

function findTformError(e: unknown): TformError | undefined {
  let cur: unknown = e;
  for (let i = 0; i < 5 && cur; i++) {
    if (isTformError(cur)) return cur;
    cur = (cur as NunjucksErr).cause;
  }
  return undefined;
}
