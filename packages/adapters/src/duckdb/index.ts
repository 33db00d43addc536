import type { AdapterContext, AdapterFactory, TargetProfile } from '@tform/core';
import { DuckDBAdapter, resolveDuckDBConfig } from './adapter.js';

export { DuckDBAdapter, resolveDuckDBConfig, DEFAULT_DB_PATH, type DuckDBConfig, type SettingValue } from './adapter.js';
export { DuckDBDialect } from './dialect.js';
export { DuckDBError, toDatabaseError, byteOffsetToLineColumn } from './errors.js';
export { acquireFileLock, lockPathFor, LOCK_SUFFIX, DEFAULT_LOCK_EXPIRY_MS, type FileLockOptions } from './lockfile.js';

export const duckdbAdapterFactory: AdapterFactory = {
  type: 'duckdb',
  secretFields: [],
  /** Validates the profile; opens nothing (the first statement opens the database). */
  async create(profile: TargetProfile, ctx: AdapterContext) {
    return new DuckDBAdapter(resolveDuckDBConfig(profile, ctx));
  },
  describe(profile: TargetProfile, ctx: AdapterContext) {
    const { path } = resolveDuckDBConfig(profile, ctx);
    return `duckdb ${path === ':memory:' ? 'in-memory database' : path}, schema ${profile.schema}`;
  },
};

export default duckdbAdapterFactory;
