import { TformError, closest, type ErrorLocation } from '../errors/index.js';
import { normalizeKey } from '../project/configKeys.js';
import { isPlainObject } from '../project/yaml.js';
import { DEFAULT_THRESHOLD, parseThreshold } from './threshold.js';
import type { Severity, TestConfig, Threshold } from './types.js';

/** Config keys a test understands (dbt's names). */
export const TEST_CONFIG_KEYS = ['severity', 'warn_if', 'error_if', 'where', 'limit', 'store_failures', 'tags', 'enabled', 'meta'] as const;
/** dbt keys that are accepted and ignored (they shape stored failures' relation, which tform names itself). */
const IGNORED_KEYS = new Set(['store_failures_as', 'database', 'schema', 'alias', 'description', 'docs', 'group']);

/** One layer of test config (project tree, test `config:`, inline keys), validated but not defaulted. */
export type TestConfigLayer = Partial<TestConfig>;

/** Where a key of a layer is written, for errors. */
export type KeyLocator = (key: string) => ErrorLocation;

export const DEFAULT_TEST_CONFIG: TestConfig = {
  severity: 'error',
  warnIf: DEFAULT_THRESHOLD,
  errorIf: DEFAULT_THRESHOLD,
  storeFailures: false,
  tags: [],
  enabled: true,
  meta: {},
};

function bad(key: string, msg: string, at: KeyLocator, hint: string): never {
  throw new TformError('CONFIG_INVALID', `test config '${key}' ${msg}`, { ...at(key), hint });
}

function threshold(key: string, v: unknown, at: KeyLocator): Threshold {
  const t = parseThreshold(typeof v === 'number' ? String(v) : v);
  if (!t) bad(key, `must be a comparison with a number, got ${JSON.stringify(v)}`, at, `e.g. ${key}: ">10" (one of > >= < <= = != followed by a number; quote it in YAML)`);
  return t;
}

/**
 * Validate one layer of raw config (`+` prefixes and dashes allowed). Unknown keys are errors with a
 * did-you-mean hint when `strict`, else skipped (project-level trees may carry other keys).
 */
export function configLayer(raw: Record<string, unknown>, at: KeyLocator, strict = true): TestConfigLayer {
  const out: TestConfigLayer = {};
  for (const [rawKey, v] of Object.entries(raw)) {
    const key = normalizeKey(rawKey);
    if (v === undefined) continue;
    switch (key) {
      case 'severity': {
        const s = typeof v === 'string' ? v.toLowerCase() : '';
        if (s !== 'error' && s !== 'warn') bad(rawKey, `must be 'error' or 'warn', got ${JSON.stringify(v)}`, at, 'severity: warn reports failures without failing the run');
        out.severity = s as Severity;
        break;
      }
      case 'warn_if':
        out.warnIf = threshold(rawKey, v, at);
        break;
      case 'error_if':
        out.errorIf = threshold(rawKey, v, at);
        break;
      case 'where':
        if (v === null) break;
        if (typeof v !== 'string' || !v.trim()) bad(rawKey, 'must be a SQL predicate (a non-empty string)', at, `e.g. where: "created_at >= current_date - 7"`);
        out.where = v;
        break;
      case 'limit':
        if (v === null) break;
        if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) bad(rawKey, `must be a whole number >= 0, got ${JSON.stringify(v)}`, at, 'e.g. limit: 100');
        out.limit = v;
        break;
      case 'store_failures':
      case 'enabled':
        if (typeof v !== 'boolean') bad(rawKey, `must be true or false, got ${JSON.stringify(v)}`, at, `e.g. ${key}: true`);
        if (key === 'enabled') out.enabled = v;
        else out.storeFailures = v;
        break;
      case 'tags': {
        const list = Array.isArray(v) ? v : [v];
        if (!list.every((x) => typeof x === 'string')) bad(rawKey, 'must be a string or a list of strings', at, 'e.g. tags: [nightly]');
        out.tags = list as string[];
        break;
      }
      case 'meta':
        if (!isPlainObject(v)) bad(rawKey, 'must be a mapping', at, 'e.g. meta: {owner: data-team}');
        out.meta = v;
        break;
      default: {
        if (IGNORED_KEYS.has(key) || !strict) break;
        const near = closest(key, TEST_CONFIG_KEYS);
        bad(rawKey, 'is not a test config key', at, `${near ? `did you mean '${near}'? ` : ''}test config keys: ${TEST_CONFIG_KEYS.join(', ')}`);
      }
    }
  }
  return out;
}

/** Apply layers in order (later wins; tags add up, meta merges key by key) over the defaults. */
export function mergeTestConfig(layers: TestConfigLayer[]): TestConfig {
  let out: TestConfig = { ...DEFAULT_TEST_CONFIG, tags: [], meta: {} };
  for (const l of layers) {
    const { tags, meta, ...rest } = l;
    out = { ...out, ...rest };
    if (tags) out.tags = [...new Set([...out.tags, ...tags])];
    if (meta) out.meta = { ...out.meta, ...meta };
  }
  return out;
}
