/* Python's json.dumps for template values (the `tojson` filter and dbt's `tojson()`). */
import { isSafeString } from './nunjucksInternals.js';
import { dictKeys, isDict, pyNumber, pyTypeName } from './pyvalues.js';

export interface DumpOptions {
  sortKeys?: boolean;
  indent?: number | string | null;
  /** json.dumps' ensure_ascii (default true): non-ASCII characters as \uXXXX. */
  ensureAscii?: boolean;
}

function quote(s: string, ascii: boolean): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    const c = s.charCodeAt(i);
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (c < 0x20 || (ascii && c > 0x7e)) out += '\\u' + c.toString(16).padStart(4, '0');
    else out += ch;
  }
  return out + '"';
}

export function pyJsonDumps(value: unknown, o: DumpOptions = {}): string {
  const ascii = o.ensureAscii ?? true;
  const indent = o.indent === null || o.indent === undefined ? null : typeof o.indent === 'number' ? ' '.repeat(o.indent) : o.indent;
  const itemSep = indent === null ? ', ' : ',';
  const enc = (v: unknown, depth: number): string => {
    if (v === null) return 'null';
    if (v === true) return 'true';
    if (v === false) return 'false';
    if (typeof v === 'string') return quote(v, ascii);
    if (isSafeString(v)) return quote(v.val, ascii);
    if (typeof v === 'number') return Number.isNaN(v) ? 'NaN' : !Number.isFinite(v) ? (v > 0 ? 'Infinity' : '-Infinity') : pyNumber(v);
    if (typeof v === 'bigint') return v.toString();
    const nl = (d: number) => (indent === null ? '' : '\n' + indent.repeat(d));
    if (Array.isArray(v)) {
      if (v.length === 0) return '[]';
      return '[' + v.map((x) => nl(depth + 1) + enc(x, depth + 1)).join(itemSep) + nl(depth) + ']';
    }
    if (isDict(v)) {
      let keys = dictKeys(v);
      if (keys.length === 0) return '{}';
      if (o.sortKeys) keys = [...keys].sort();
      return '{' + keys.map((k) => nl(depth + 1) + quote(k, ascii) + ': ' + enc(v[k], depth + 1)).join(itemSep) + nl(depth) + '}';
    }
    throw new TypeError(`Object of type ${pyTypeName(v)} is not JSON serializable`);
  };
  return enc(value, 0);
}

/** Jinja's `tojson` filter: sorted keys, and `< > & '` escaped so the text is safe in HTML. */
export function htmlSafeJson(value: unknown, indent?: unknown): string {
  return pyJsonDumps(value, { sortKeys: true, indent: indent === undefined || indent === null ? null : (indent as number | string) })
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/'/g, '\\u0027');
}

/** json.loads: JSON text into template values. */
export function pyJsonLoads(text: string): unknown {
  return JSON.parse(text.replace(/\bNaN\b|-?\bInfinity\b/g, 'null'));
}
