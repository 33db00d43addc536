import { createHash } from 'node:crypto';
import { readdirSync, statSync, type Dirent } from 'node:fs';
import { join, relative, sep } from 'node:path';

export interface ProjectFile {
  /** Path relative to the project root, with forward slashes. */
  path: string;
  abs: string;
  /** Folders between the search root (e.g. `models/`) and the file. */
  folders: string[];
  /** File name without its extension. */
  stem: string;
}

/** Directory listings shared by the walks of one project load (each folder is read once). */
export type Listings = Map<string, Dirent[]>;

/** Every file under `roots` (relative to `projectDir`) whose name ends with one of `exts`, sorted. */
export function walk(projectDir: string, roots: string[], exts: string[], listings: Listings = new Map()): ProjectFile[] {
  const out: ProjectFile[] = [];
  const prefix = join(projectDir, sep);
  const list = (dir: string): Dirent[] => {
    let entries = listings.get(dir);
    if (!entries) {
      entries = readdirSync(dir, { withFileTypes: true });
      listings.set(dir, entries);
    }
    return entries;
  };
  for (const root of roots) {
    const absRoot = join(projectDir, root);
    let st;
    try {
      st = statSync(absRoot);
    } catch {
      continue;
    }
    if (!st.isDirectory()) continue;
    const stack: string[] = [absRoot];
    while (stack.length) {
      const dir = stack.pop()!;
      // folders between the root and this directory (relative() per file costs at 10,000 files)
      const folders = dir === absRoot ? [] : relative(absRoot, dir).split(sep).filter(Boolean);
      for (const e of list(dir)) {
        if (e.name.startsWith('.')) continue;
        const abs = join(dir, e.name);
        if (e.isDirectory()) {
          if (e.name !== 'node_modules') stack.push(abs);
          continue;
        }
        const ext = exts.find((x) => e.name.endsWith(x));
        if (!ext) continue;
        const rel = (abs.startsWith(prefix) ? abs.slice(prefix.length) : relative(projectDir, abs)).split(sep).join('/');
        out.push({ path: rel, abs, folders: folders.slice(), stem: e.name.slice(0, -ext.length) });
      }
    }
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

export function sha256(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}
