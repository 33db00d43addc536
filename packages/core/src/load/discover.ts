import { createHash } from 'node:crypto';
import { createReadStream, readdirSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { hasGlob, pathGlob } from '../select/glob.js';

/** A file matched by a source's `external.location`. */
export interface FoundFile {
  absPath: string;
  /** Relative to the project dir, forward slashes (`../` when the location is outside it). */
  relPath: string;
}

const toSlash = (p: string) => p.split(sep).join('/');

/**
 * The files matching `location` (a glob relative to `projectDir`, or absolute), sorted by their
 * relative path, so hourly folders come in time order. Glob: `*` and `?` stay within a folder,
 * `**` crosses folders, `[abc]` is a class. Names starting with a dot (hidden files, partial
 * uploads) are never matched. A location without wildcards names one file. No match is [].
 */
export function findFiles(projectDir: string, location: string): FoundFile[] {
  const root = resolve(projectDir);
  const abs = toSlash(isAbsolute(location) ? location : join(root, location));
  const parts = abs.split('/');
  const firstGlob = parts.findIndex((p) => hasGlob(p));
  const out: FoundFile[] = [];
  const add = (file: string) => out.push({ absPath: file, relPath: toSlash(relative(root, file)) });
  if (firstGlob < 0) {
    try {
      if (statSync(abs).isFile()) add(resolve(abs));
    } catch {
      // absent: no file
    }
    return out;
  }
  const base = parts.slice(0, firstGlob).join('/') || '/';
  const rest = parts.slice(firstGlob);
  const match = pathGlob(rest.join('/'));
  // Without `**` a match is exactly rest.length folders deep: do not walk further.
  const maxDepth = rest.some((p) => p.includes('**')) ? Infinity : rest.length;
  const walk = (dir: string, rel: string, depth: number) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      const path = join(dir, e.name);
      const r = rel ? `${rel}/${e.name}` : e.name;
      let isDir = e.isDirectory();
      let isFile = e.isFile();
      if (e.isSymbolicLink()) {
        try {
          const st = statSync(path);
          isDir = st.isDirectory();
          isFile = st.isFile();
        } catch {
          continue;
        }
      }
      if (isDir && depth < maxDepth) walk(path, r, depth + 1);
      else if (isFile && match(r)) add(path);
    }
  };
  walk(resolve(base), '', 1);
  return out.sort((a, b) => (a.relPath < b.relPath ? -1 : a.relPath > b.relPath ? 1 : 0));
}

/** sha256 (hex) and size of a file's bytes as stored (compressed files are hashed compressed), streamed. */
export async function hashFile(absPath: string): Promise<{ hash: string; size: number }> {
  const h = createHash('sha256');
  let size = 0;
  for await (const c of createReadStream(absPath) as AsyncIterable<Buffer>) {
    size += c.length;
    h.update(c);
  }
  return { hash: h.digest('hex'), size };
}
