import { closeSync, mkdirSync, openSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Manifest } from '../compile/manifest.js';
import { syncSink, type FileSink } from './fileSink.js';
import { TFORM_VERSION } from '../compile/context.js';
import { bigintAsJson, redact, redactJson } from '../log/secrets.js';
import type { RunOutcome } from '../run/results.js';

export const RUN_RESULTS_VERSION = 1;

/** Write a file atomically (tmp + rename), so a killed process never leaves half an artifact. */
export function writeFileAtomic(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

/** JSON text of `value` (undefined where JSON.stringify gives none): bigints as numbers when they fit, else as text. */
function jsonText(value: unknown, indent?: number): string | undefined {
  try {
    // without a replacer: a replacer is called for every value, which at 10,000 models is most of the time
    return JSON.stringify(value, null, indent);
  } catch (e) {
    if (!(e instanceof TypeError)) throw e;
    // a bigint (a count from the warehouse)
    return JSON.stringify(value, bigintAsJson, indent);
  }
}

function json(value: unknown, indent?: number): string {
  return `${jsonText(value, indent)}\n`;
}

/**
 * target/compiled/<project>/<model path>: the SQL each model compiles to. Sets compiledPath.
 * These are previews for people, rewritten by every compile, so they are written directly
 * (no tmp + rename per file), through `sink` (by default at once).
 */
export function writeCompiled(root: string, targetPath: string, manifest: Manifest, only?: Set<string>, sink: FileSink = syncSink()): void {
  for (const n of Object.values(manifest.nodes)) {
    if (n.resourceType !== 'model' || n.compiledCode === undefined) continue;
    if (only && !only.has(n.uniqueId)) continue;
    const rel = `${targetPath}/compiled/${manifest.metadata.projectName}/${n.path}`;
    n.compiledPath = rel;
    const abs = join(root, rel);
    sink.write(abs, redact(n.compiledCode.replace(/\s*$/, '\n')));
  }
  for (const a of Object.values(manifest.analyses ?? {})) {
    if (a.compiledCode === undefined) continue;
    const rel = `${targetPath}/compiled/${manifest.metadata.projectName}/${a.path}`;
    a.compiledPath = rel;
    sink.write(join(root, rel), redact(a.compiledCode.replace(/\s*$/, '\n')));
  }
}

/**
 * Write `value` (an object) as compact JSON, atomically (tmp + rename), entry by entry for the
 * keys in `large`: the same bytes as JSON.stringify, without holding the whole text (tens of MB
 * at 10,000 models) and its copy in memory. Secrets are masked in each piece written; a piece
 * is always whole entries, so a secret is never split between two.
 */
export function writeJsonAtomic(path: string, value: Record<string, unknown>, large: string[]): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w');
  let buf = '';
  const flush = () => {
    if (buf) writeSync(fd, redact(buf));
    buf = '';
  };
  const put = (s: string) => {
    buf += s;
    if (buf.length >= 1 << 20) flush();
  };
  /** `"k":v` for each entry of `obj` that JSON keeps, comma-separated; `large` ones entry by entry. */
  const object = (obj: Record<string, unknown>, largeKeys: string[]) => {
    put('{');
    let first = true;
    for (const [k, v] of Object.entries(obj)) {
      const isLarge = largeKeys.includes(k) && v !== null && typeof v === 'object' && !Array.isArray(v);
      const text = isLarge ? '' : jsonText(v);
      if (text === undefined) continue;
      put(`${first ? '' : ','}${JSON.stringify(k)}:${text}`);
      first = false;
      if (isLarge) object(v as Record<string, unknown>, []);
    }
    put('}');
  };
  try {
    object(value, large);
    put('\n');
    flush();
    closeSync(fd);
    renameSync(tmp, path);
  } catch (e) {
    try {
      closeSync(fd);
    } catch {
      // already closed
    }
    rmSync(tmp, { force: true });
    throw e;
  }
}

export function writeManifest(root: string, targetPath: string, manifest: Manifest): string {
  const rel = `${targetPath}/manifest.json`;
  // compact, as dbt writes it: at 10,000 models indentation doubles the size and the time
  writeJsonAtomic(join(root, rel), manifest as unknown as Record<string, unknown>, ['nodes', 'tests', 'parentMap', 'childMap']);
  return rel;
}

export interface RunResultsMeta {
  command: string;
  invocationId: string;
  generatedAt: string;
  args: Record<string, unknown>;
  targetName: string;
}

export function runResultsDocument(outcome: RunOutcome, meta: RunResultsMeta) {
  return {
    metadata: {
      runResultsVersion: RUN_RESULTS_VERSION,
      tformVersion: TFORM_VERSION,
      generatedAt: meta.generatedAt,
      invocationId: meta.invocationId,
      command: meta.command,
      targetName: meta.targetName,
    },
    elapsedTime: outcome.elapsed,
    cancelled: outcome.cancelled,
    hookErrors: outcome.hookErrors,
    args: meta.args,
    results: outcome.results,
  };
}

export function writeRunResults(root: string, targetPath: string, outcome: RunOutcome, meta: RunResultsMeta): string {
  const rel = `${targetPath}/run_results.json`;
  writeFileAtomic(join(root, rel), json(redactJson(runResultsDocument(outcome, meta)), 2));
  return rel;
}
