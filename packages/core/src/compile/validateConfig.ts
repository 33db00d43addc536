import type { IndexSpec } from '../adapter/dialect.js';
import { TformError, type ErrorLocation } from '../errors/index.js';
import { isPlainObject } from '../project/yaml.js';
import { cronOf } from '../schedule.js';
import { retentionMs } from '../retention.js';
import { checkBatchedConfig } from '../materialize/batchConfig.js';
import { expectEveryMs } from '../monitor/expectEvery.js';

/**
 * Check and normalise the config keys whose shape tform relies on. A wrong shape is a user
 * error at the place the key was set.
 */
export function normalizeNodeConfig(config: Record<string, unknown>, name: string, where: (key: string) => ErrorLocation): Record<string, unknown> {
  const out = { ...config };
  const fail = (key: string, msg: string, hint?: string): never => {
    throw new TformError('CONFIG_INVALID', `${name}: ${msg}`, { ...where(key), hint });
  };
  if (out.grants !== undefined && out.grants !== null) {
    if (!isPlainObject(out.grants)) fail('grants', "'grants' must map a privilege to roles", "e.g. grants: { select: ['reporter'] }");
    const g: Record<string, string[]> = {};
    for (const [priv, roles] of Object.entries(out.grants as Record<string, unknown>)) {
      if (!/^[a-z][a-z ]*$/i.test(priv)) fail('grants', `'${priv}' is not a privilege`);
      const list = Array.isArray(roles) ? roles : [roles];
      if (!list.every((r) => typeof r === 'string' && r.length > 0)) fail('grants', `roles of '${priv}' must be names`);
      g[priv.toLowerCase()] = list as string[];
    }
    out.grants = g;
  }
  if (out.indexes !== undefined && out.indexes !== null) {
    if (!Array.isArray(out.indexes)) fail('indexes', "'indexes' must be a list", "e.g. indexes: [{ columns: ['user_id'], unique: true }]");
    out.indexes = (out.indexes as unknown[]).map((ix): IndexSpec => {
      if (!isPlainObject(ix)) return fail('indexes', 'each index needs columns');
      const cols = typeof ix.columns === 'string' ? [ix.columns] : ix.columns;
      if (!Array.isArray(cols) || cols.length === 0 || !cols.every((c) => typeof c === 'string')) return fail('indexes', 'each index needs a non-empty list of columns');
      if (ix.type !== undefined && (typeof ix.type !== 'string' || !/^[a-z_]+$/i.test(ix.type))) return fail('indexes', `index type '${String(ix.type)}' is not a method name`);
      return { columns: cols as string[], unique: ix.unique === true, type: ix.type as string | undefined };
    });
  }
  if (out.schedule !== undefined && out.schedule !== null) out.schedule = cronOf(out.schedule, where('schedule'));
  if (out.expect_every !== undefined && out.expect_every !== null) expectEveryMs(out.expect_every, where('expect_every'));
  if (out.retention !== undefined && out.retention !== null) {
    retentionMs(out.retention, where('retention'));
    if (typeof out.event_time !== 'string' || !out.event_time) {
      fail('retention', "'retention' needs 'event_time': the column whose age decides which rows go", "e.g. config(retention='30 days', event_time='event_ts')");
    }
  }
  checkBatchedConfig(out, name, where);
  return out;
}
