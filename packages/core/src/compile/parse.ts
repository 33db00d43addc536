import type { SourceFile } from '../project/load.js';
import { Relation } from './relation.js';
import { newScope, type RefCall, type SourceCall } from './scope.js';
import type { TemplateEngine } from './templating.js';

/**
 * A model file after parsing: plain, serializable data that records every input the file's output
 * depends on (its hash, the macros it calls, the vars and env vars it reads). This is the unit a
 * parse cache can key on.
 */
export interface ParsedModel {
  name: string;
  path: string;
  folders: string[];
  checksum: string;
  raw: string;
  refs: RefCall[];
  sources: SourceCall[];
  /** Config from `{{ config(...) }}` in the file. */
  fileConfig: Record<string, unknown>;
  macros: string[];
  vars: string[];
  envVars: string[];
}

/**
 * Render a model in parse mode: ref/source/config calls are recorded, not resolved. Nothing here
 * needs the warehouse.
 */
export function parseModel(file: SourceFile, engine: TemplateEngine, context: Record<string, unknown>): ParsedModel {
  const placeholder = (text: string) => new Relation({ schema: '', identifier: text }, null, text);
  const scope = newScope({
    mode: 'parse',
    file: file.path,
    raw: file.raw,
    resolveRef: (name) => placeholder(name),
    resolveSource: (s, t) => placeholder(`${s}.${t}`),
    context: { ...context, execute: false, model: { name: file.stem, path: file.path } },
  });
  engine.render(file.raw, file.path, scope);
  return {
    name: file.stem,
    path: file.path,
    folders: file.folders,
    checksum: file.checksum,
    raw: file.raw,
    refs: dedupeRefs(scope.refs),
    sources: dedupeSources(scope.sources),
    fileConfig: scope.config,
    macros: [...scope.macros].sort(),
    vars: [...scope.vars].sort(),
    envVars: [...scope.envVars].sort(),
  };
}

function dedupeRefs(refs: RefCall[]): RefCall[] {
  const seen = new Set<string>();
  return refs.filter((r) => {
    const k = `${r.package ?? ''}.${r.name}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function dedupeSources(list: SourceCall[]): SourceCall[] {
  const seen = new Set<string>();
  return list.filter((r) => {
    const k = `${r.source}.${r.table}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
