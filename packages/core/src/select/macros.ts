import { createHash } from 'node:crypto';
import type { Manifest } from '../compile/manifest.js';
import type { MacroLike } from './types.js';

/**
 * Macro fingerprints for `state:modified.macros`: the checksum of each macro's own block (so
 * editing one macro of a file leaves the others unchanged) and the macros it calls, so a change
 * reaches a model through macros calling macros.
 */
export interface MacroSource {
  /** Path relative to the project root. */
  path: string;
  source: string;
}

export interface MacroFingerprint {
  checksum: string;
  dependsOn: { macros: string[] };
}

const BLOCK_RE = /\{%-?\s*macro\s+([A-Za-z_]\w*)\s*\([\s\S]*?%\}[\s\S]*?\{%-?\s*endmacro\b[\s\S]*?%\}/g;

/** Fingerprints of every macro in `files`, keyed `macro.<project>.<name>`. */
export function macroFingerprints(files: MacroSource[], projectName: string): Record<string, MacroFingerprint> {
  const blocks = new Map<string, string>();
  for (const f of files) for (const m of f.source.matchAll(BLOCK_RE)) blocks.set(m[1]!, m[0]);
  const out: Record<string, MacroFingerprint> = {};
  for (const [name, text] of blocks) {
    const calls = [...blocks.keys()].filter((other) => other !== name && new RegExp(`(?<![\\w.])${other}\\s*\\(`).test(text));
    out[`macro.${projectName}.${name}`] = {
      checksum: createHash('sha256').update(text).digest('hex'),
      dependsOn: { macros: calls.sort().map((c) => `macro.${projectName}.${c}`) },
    };
  }
  return out;
}

/**
 * Record `checksum` and `dependsOn.macros` on the manifest's macros (written to manifest.json,
 * so a later `--state` comparison has them). Idempotent.
 */
export function annotateMacros(manifest: Manifest, files: MacroSource[]): void {
  const prints = macroFingerprints(files, manifest.metadata.projectName);
  for (const [id, m] of Object.entries(manifest.macros)) {
    const p = prints[id];
    if (p) Object.assign(m as MacroLike, p);
  }
}

/** `ids` and every macro they call, transitively. */
export function macroClosure(ids: Iterable<string>, macros: Record<string, MacroLike>): Set<string> {
  const out = new Set<string>();
  const stack = [...ids];
  while (stack.length) {
    const id = stack.pop()!;
    if (out.has(id)) continue;
    out.add(id);
    stack.push(...(macros[id]?.dependsOn?.macros ?? []));
  }
  return out;
}
