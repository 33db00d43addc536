import { createHash } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
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

/** Every file under `roots` (relative to `projectDir`) whose name ends with one of `exts`, sorted. */
export function walk(projectDir: string, roots: string[], exts: string[]): ProjectFile[] {
  const out: ProjectFile[] = [];
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
      const entries = readdirSync(dir, { withFileTypes: true });
      for (const e of entries) {
        if (e.name.startsWith('.')) continue;
        const abs = join(dir, e.name);
        if (e.isDirectory()) {
          if (e.name !== 'node_modules') stack.push(abs);
          continue;
        }
        const ext = exts.find((x) => e.name.endsWith(x));
        if (!ext) continue;
        const rel = relative(projectDir, abs).split(sep).join('/');
        const folders = relative(absRoot, dir).split(sep).filter(Boolean);
        out.push({ path: rel, abs, folders, stem: e.name.slice(0, -ext.length) });
      }
    }
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

export function sha256(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}
