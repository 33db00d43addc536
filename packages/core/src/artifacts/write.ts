import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Manifest } from '../compile/manifest.js';
import { syncSink, type FileSink } from './fileSink.js';
import { TFORM_VERSION } from '../compile/context.js';
import { redact, redactJson } from '../log/secrets.js';
import type { RunOutcome } from '../run/results.js';

export const RUN_RESULTS_VERSION = 1;

/** Write a file atomically (tmp + rename), so a killed process never leaves half an artifact. */
export function writeFileAtomic(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

function json(value: unknown, indent?: number): string {
  try {
    // without a replacer: a replacer is called for every value, which at 10,000 models is most of the time
    return JSON.stringify(value, null, indent) + '\n';
  } catch (e) {
    if (!(e instanceof TypeError)) throw e;
    // a bigint (a count from the warehouse): as a number when it fits, else as text
    return JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? (Number.isSafeInteger(Number(v)) ? Number(v) : v.toString()) : v), indent) + '\n';
  }
}

/** Compiled files of the previous compile by content: an unchanged one is not written again. */
export interface WriteCache {
  unchanged(rel: string, abs: string, content: string): boolean;
}

/**
 * target/compiled/<project>/<model path>: the SQL each model compiles to. Sets compiledPath.
 * These are previews for people, rewritten by every compile, so they are written directly
 * (no tmp + rename per file), through `sink` (by default at once).
 */
export function writeCompiled(root: string, targetPath: string, manifest: Manifest, only?: Set<string>, cache?: WriteCache, sink: FileSink = syncSink()): void {
  for (const n of Object.values(manifest.nodes)) {
    if (n.resourceType !== 'model' || n.compiledCode === undefined) continue;
    if (only && !only.has(n.uniqueId)) continue;
    const rel = `${targetPath}/compiled/${manifest.metadata.projectName}/${n.path}`;
    n.compiledPath = rel;
    const abs = join(root, rel);
    const text = redact(n.compiledCode.replace(/\s*$/, '\n'));
    if (cache?.unchanged(rel, abs, text)) continue;
    sink.write(abs, text);
  }
  for (const a of Object.values(manifest.analyses ?? {})) {
    if (a.compiledCode === undefined) continue;
    const rel = `${targetPath}/compiled/${manifest.metadata.projectName}/${a.path}`;
    a.compiledPath = rel;
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), redact(a.compiledCode.replace(/\s*$/, '\n')));
  }
}

export function writeManifest(root: string, targetPath: string, manifest: Manifest): string {
  const rel = `${targetPath}/manifest.json`;
  // compact, as dbt writes it: at 10,000 models indentation doubles the size and the time
  writeFileAtomic(join(root, rel), json(redactJson(manifest)));
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
