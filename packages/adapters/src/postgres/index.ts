import type { AdapterContext, AdapterFactory, TargetProfile } from '@tform/core';
import { PostgresAdapter, resolvePostgresConfig } from './adapter.js';

export {
  PostgresAdapter,
  runMarker,
  resolvePostgresConfig,
  DEFAULT_HOST,
  DEFAULT_PORT,
  DEFAULT_CONNECT_TIMEOUT_SECONDS,
  SSL_MODES,
  type PostgresConfig,
  type SslMode,
} from './adapter.js';
export { PostgresDialect, PG_MAX_IDENTIFIER_BYTES, type TableConfig, type MergeOptions } from './dialect.js';
export { publishBlock, type PublishBlockOptions } from './publish.js';
export { PostgresError, toDatabaseError, charOffsetToLineColumn, redactText } from './errors.js';
export { acquireAdvisoryLock, advisoryLockId, LOCK_SCHEMA, LOCK_TABLE, type PgLockOptions } from './lock.js';
export { typeParsers, parseDate, parseTimestamp } from './rows.js';

export const postgresAdapterFactory: AdapterFactory = {
  type: 'postgres',
  secretFields: ['password'],
  /** Validates the profile; connects nothing (the first statement opens a pooled connection). */
  async create(profile: TargetProfile, ctx: AdapterContext) {
    return new PostgresAdapter(resolvePostgresConfig(profile, ctx));
  },
  describe(profile: TargetProfile, ctx: AdapterContext) {
    const c = resolvePostgresConfig(profile, ctx);
    return `postgres ${c.user}@${c.host}:${c.port}/${c.database}, schema ${profile.schema}${c.ssl ? `, sslmode ${c.sslmode}` : ''}`;
  },
};

export default postgresAdapterFactory;
