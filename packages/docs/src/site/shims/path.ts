/**
 * The part of `node:path` the selector code uses (isAbsolute, relative, posix.dirname,
 * posix.basename), for the browser bundle. Paths in the docs data are project-relative posix
 * paths, so posix semantics are all that is needed.
 */

function normalizeParts(p: string): string[] {
  const out: string[] = [];
  for (const s of p.split('/')) {
    if (s === '' || s === '.') continue;
    if (s === '..') {
      if (out.length && out[out.length - 1] !== '..') out.pop();
      else if (!p.startsWith('/')) out.push('..');
    } else out.push(s);
  }
  return out;
}

export function isAbsolute(p: string): boolean {
  return p.startsWith('/');
}

export function dirname(p: string): string {
  if (p === '') return '.';
  const trimmed = p.length > 1 ? p.replace(/\/+$/, '') : p;
  const i = trimmed.lastIndexOf('/');
  if (i < 0) return '.';
  if (i === 0) return '/';
  return trimmed.slice(0, i);
}

export function basename(p: string, ext?: string): string {
  const trimmed = p.length > 1 ? p.replace(/\/+$/, '') : p;
  const base = trimmed.slice(trimmed.lastIndexOf('/') + 1);
  return ext && base.endsWith(ext) && base !== ext ? base.slice(0, -ext.length) : base;
}

export function extname(p: string): string {
  const base = basename(p);
  const i = base.lastIndexOf('.');
  return i <= 0 ? '' : base.slice(i);
}

export function join(...parts: string[]): string {
  const joined = parts.filter((s) => s !== '').join('/');
  if (joined === '') return '.';
  const norm = normalizeParts(joined).join('/');
  return (joined.startsWith('/') ? '/' : '') + (norm || (joined.startsWith('/') ? '' : '.'));
}

export function normalize(p: string): string {
  return join(p);
}

/** Absolute paths are taken as they are (there is no working directory in a browser). */
export function resolve(...parts: string[]): string {
  let out = '';
  for (const p of parts) out = p.startsWith('/') ? p : out ? `${out}/${p}` : p;
  return '/' + normalizeParts(out).join('/');
}

export function relative(from: string, to: string): string {
  const a = normalizeParts(resolve(from));
  const b = normalizeParts(resolve(to));
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return [...new Array<string>(a.length - i).fill('..'), ...b.slice(i)].join('/');
}

export const sep = '/';

export const posix = { isAbsolute, dirname, basename, extname, join, normalize, resolve, relative, sep };

export default posix;
