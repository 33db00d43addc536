import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../artifacts/write.js';
import { redact, SECRET_ENV_PREFIXES } from '../log/secrets.js';
import type { ParsedModel } from './parse.js';
import type { WriteRecord, WriteRecords } from '../artifacts/fileSink.js';

/**
 * The parse cache (target/tform_cache.json): what parsing and rendering a model produced, kept
 * with every input that produced it, so the next compile reuses it when none of them changed.
 *
 * - The whole file is dropped when its key changes: the tform version, the project file, the
 *   target (profile), --vars, or the set of macro names (a new macro may shadow a function).
 * - A model's parse result is reused when its file's content hash, and the value of every var,
 *   env var and macro body it read while parsing, are what they were.
 * - A model's rendered SQL is reused on the same conditions for what it read while rendering,
 *   plus its resolved config, its own relation, is_incremental(), and what every ref() and
 *   source() it called resolved to.
 * - Files that read the clock, the invocation, the warehouse or the graph, or that log, are
 *   never cached (see VOLATILE).
 */

export const CACHE_VERSION = 2;
export const CACHE_FILE = 'tform_cache.json';

/** Names whose value differs between runs with the same files, or that have effects besides output. */
const VOLATILE = /\b(run_started_at|invocation_id|modules|run_query|statement|load_result|graph|log|print|exceptions\s*\.\s*warn|adapter\s*\.\s*(?!dispatch\b|quote\b)\w+)\b/;

/** What a render read: each input with the value it had. */
export interface Reads {
  macros: Record<string, string>;
  vars: Record<string, string>;
  env: Record<string, string>;
}

interface ParsedEntry {
  checksum: string;
  reads: Reads;
  parsed: Omit<ParsedModel, 'raw'>;
}

/** A model's rendered SQL (before ephemeral CTEs are injected) and what it depended on. */
export interface BodyEntry {
  /** Hash of the model's file, config, own relation, is_incremental and its reads. */
  sig: string;
  reads: Reads;
  /** ref name / `source.table` → what it resolved to. */
  relations: Record<string, string>;
  sql: string;
  ephemerals: string[];
}

/**
 * The file. Entries are kept as JSON text inside it: reading the file then costs little (strings,
 * not objects), only the entries looked up are decoded, each decode gives fresh objects that the
 * compile may change freely, and a reused entry is written back as the same text.
 */
export interface CacheDoc {
  version: number;
  tformVersion: string;
  key: string;
  /** path → JSON of a ParsedEntry */
  parsed: Record<string, string>;
  /** node id → JSON of a BodyEntry */
  bodies: Record<string, string>;
  /** schema YAML path → JSON of {checksum, doc}: what the YAML parser made of it */
  yaml?: Record<string, string>;
  /** absolute path of a compiled file → what was written to it (see WriteRecords) */
  written?: Record<string, WriteRecord>;
}

/** The cache file's content, or undefined when there is none or it cannot be read. */
export function readCacheDoc(file: string): CacheDoc | undefined {
  try {
    const doc = JSON.parse(readFileSync(file, 'utf8')) as CacheDoc;
    return doc && typeof doc === 'object' ? doc : undefined;
  } catch {
    return undefined;
  }
}

/** Plain data that survives JSON unchanged (not dates from js-yaml, not tuples from templates). */
export function jsonSafe(v: unknown): boolean {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return true;
  if (typeof v === 'number') return Number.isFinite(v);
  if (Array.isArray(v)) return Object.getPrototypeOf(v) === Array.prototype && v.every(jsonSafe); // not a tuple
  // an undefined property comes back absent, which reads the same
  if (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) return Object.values(v as object).every((x) => x === undefined || jsonSafe(x));
  return false;
}

/**
 * Parsed schema YAML by file content: decoding JSON is several times faster than parsing YAML,
 * and these files are large in large projects. Depends on nothing but the text and the tform
 * version (which pins the YAML parser).
 */
export class YamlCache {
  readonly next: Record<string, string> = {};
  reused = 0;
  total = 0;
  private readonly prev: Record<string, string> | undefined;

  constructor(doc: CacheDoc | undefined, tformVersion: string) {
    this.prev = doc && doc.version === CACHE_VERSION && doc.tformVersion === tformVersion ? doc.yaml : undefined;
  }

  /** The parsed document of `path` when its text hash is `checksum`; else `parse()`'s, remembered. */
  parse(path: string, checksum: string, parse: () => unknown): unknown {
    this.total++;
    const text = this.prev?.[path];
    if (text !== undefined) {
      const e = JSON.parse(text) as { checksum: string; doc: unknown };
      if (e.checksum === checksum) {
        this.next[path] = text;
        this.reused++;
        return e.doc;
      }
    }
    const doc = parse();
    if (jsonSafe(doc)) this.next[path] = JSON.stringify({ checksum, doc });
    return doc;
  }
}

/** The current value of each input a render may read. */
export interface CurrentInputs {
  /** Source of the file defining macro `name` (hashed), or undefined for tform's own. */
  macroSource(name: string): string | undefined;
  vars: Record<string, unknown>;
  env: NodeJS.ProcessEnv;
}

export interface CacheStats {
  yamlReused?: number;
  yamlTotal?: number;
  parsedReused: number;
  parsedTotal: number;
  bodiesReused: number;
  bodiesTotal: number;
  /** Why an existing cache was not used, when it was not. */
  discarded?: string;
}

/** A short content hash (128 bits of sha256, base64): the cache holds tens of thousands. */
export function digest(text: string): string {
  return createHash('sha256').update(text).digest('base64').slice(0, 22);
}

const valueKey = (v: unknown) => (v === undefined ? '∅' : digest(JSON.stringify(v) ?? 'undefined'));

export class CompileCache implements WriteRecords {
  private readonly next: CacheDoc;
  private readonly prev: CacheDoc | undefined;
  private readonly macroSums = new Map<string, string>();
  readonly stats: CacheStats = { parsedReused: 0, parsedTotal: 0, bodiesReused: 0, bodiesTotal: 0 };

  /**
   * @param key hash of everything every node depends on (see the class comment)
   * @param doc the cache file as read (undefined: none, or a cold compile), see readCacheDoc
   * @param enabled false: use nothing of `doc` (a cold compile), still write a fresh cache
   * @param yaml the schema YAML cache this load used, written along
   */
  constructor(
    private readonly file: string,
    key: string,
    private readonly tformVersion: string,
    private readonly inputs: CurrentInputs,
    doc: CacheDoc | undefined,
    enabled = true,
    private readonly yaml?: YamlCache,
  ) {
    this.next = { version: CACHE_VERSION, tformVersion, key, parsed: {}, bodies: {} };
    if (yaml) Object.assign(this.stats, { yamlReused: yaml.reused, yamlTotal: yaml.total });
    if (!enabled) {
      this.stats.discarded = 'disabled (--no-partial-parse)';
      return;
    }
    if (!doc) return; // none yet, or unreadable: a cold compile
    if (doc.tformVersion !== tformVersion) this.stats.discarded = `written by another tform version (${doc.tformVersion})`;
    else if (doc.version !== CACHE_VERSION) this.stats.discarded = `an older layout of the cache file (${doc.version})`;
    else if (doc.key !== key) this.stats.discarded = 'the project file, profile, --vars or set of macros changed';
    else this.prev = doc;
  }

  /** Whether `text` (a model or a macro it calls) reads something that changes between runs. */
  static volatile(text: string): boolean {
    return VOLATILE.test(text);
  }

  private macroSum(name: string): string {
    let s = this.macroSums.get(name);
    if (s === undefined) {
      const src = this.inputs.macroSource(name);
      s = src === undefined ? 'builtin' : digest(src);
      this.macroSums.set(name, s);
    }
    return s;
  }

  /** Record what a render read, with current values; undefined when one of them is volatile. */
  reads(raw: string, macros: Iterable<string>, vars: Iterable<string>, env: Iterable<string>): Reads | undefined {
    if (CompileCache.volatile(raw)) return undefined;
    const r: Reads = { macros: {}, vars: {}, env: {} };
    for (const m of macros) {
      const src = this.inputs.macroSource(m);
      if (src !== undefined && CompileCache.volatile(src)) return undefined;
      r.macros[m] = this.macroSum(m);
    }
    for (const v of vars) r.vars[v] = valueKey(this.inputs.vars[v]);
    for (const e of env) {
      // a secret's value is never written down, not even hashed: such files are not cached
      if (SECRET_ENV_PREFIXES.some((p) => e.startsWith(p))) return undefined;
      r.env[e] = valueKey(this.inputs.env[e]);
    }
    return r;
  }

  private readsHold(r: Reads): boolean {
    for (const [m, s] of Object.entries(r.macros)) if (this.macroSum(m) !== s) return false;
    for (const [v, s] of Object.entries(r.vars)) if (valueKey(this.inputs.vars[v]) !== s) return false;
    for (const [e, s] of Object.entries(r.env)) if (valueKey(this.inputs.env[e]) !== s) return false;
    return true;
  }

  /** The cached parse of a file whose content hash and reads are unchanged. */
  parsed(path: string, checksum: string, raw: string): ParsedModel | undefined {
    this.stats.parsedTotal++;
    const text = this.prev?.parsed[path];
    if (text === undefined) return undefined;
    const e = JSON.parse(text) as ParsedEntry;
    if (e.checksum !== checksum || !this.readsHold(e.reads)) return undefined;
    this.next.parsed[path] = text;
    this.stats.parsedReused++;
    return { ...e.parsed, raw };
  }

  storeParsed(p: ParsedModel): void {
    const reads = this.reads(p.raw, p.macros, p.vars, p.envVars);
    if (!reads) return;
    const { raw: _raw, ...parsed } = p;
    // config() values that JSON would change (tuples, dates) would come back different: not cached
    if (!jsonSafe(parsed)) return;
    const entry: ParsedEntry = { checksum: p.checksum, reads, parsed };
    this.next.parsed[p.path] = JSON.stringify(entry);
  }

  /** Signature of a model's render inputs other than its reads and relations. */
  static bodySig(parts: unknown[]): string {
    return digest(JSON.stringify(parts));
  }

  /**
   * The cached body of a node whose signature, reads and relations are unchanged. `resolve`
   * gives what a ref name or `source.table` resolves to now (undefined: no longer resolvable).
   */
  body(id: string, sig: string, resolve: (key: string) => string | undefined): BodyEntry | undefined {
    this.stats.bodiesTotal++;
    const text = this.prev?.bodies[id];
    if (text === undefined) return undefined;
    const e = JSON.parse(text) as BodyEntry;
    if (e.sig !== sig || !this.readsHold(e.reads)) return undefined;
    for (const [k, v] of Object.entries(e.relations)) if (resolve(k) !== v) return undefined;
    this.next.bodies[id] = text;
    this.stats.bodiesReused++;
    return e;
  }

  storeBody(id: string, entry: BodyEntry): void {
    // SQL holding a secret stays out of the file (and out of the cache)
    if (redact(entry.sql) !== entry.sql) return;
    this.next.bodies[id] = JSON.stringify(entry);
  }

  private readonly written: Record<string, WriteRecord> = {};

  /** The record of a compiled file from the previous compile (files are keyed by absolute path). */
  get(abs: string): WriteRecord | undefined {
    return this.prev?.written?.[abs];
  }

  set(abs: string, record: WriteRecord): void {
    this.written[abs] = record;
  }

  save(): void {
    writeFileAtomic(this.file, JSON.stringify({ ...this.next, yaml: this.yaml?.next ?? {}, written: this.written }));
  }
}
