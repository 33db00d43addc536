import type { AdapterContext, AdapterFactory, TargetProfile } from '@tform/core';
import { BigQueryAdapter, type BigQueryAdapterOptions } from './adapter.js';
import { resolveBigQueryConfig } from './profile.js';

export { BigQueryAdapter, type BigQueryAdapterOptions } from './adapter.js';
export { BigQueryDialect } from './dialect.js';
export { BigQueryError, jobError, positionOf, toBigQueryError, type ErrorProto } from './errors.js';
export { Jobs, type JobReference, type JobResource, type JobSettings, type QueryResults } from './jobs.js';
export { JOB_MARKER, jobStatement, parseJobStatement, type JobSpec, type TableReference } from './jobStatements.js';
export { acquireTableLock, lockStatements, LOCK_SCHEMA, LOCK_TABLE, DEFAULT_LOCK_SETTINGS, type LockSettings } from './lock.js';
export { clusterBy, partitionBy, partitionClause, PARTITION_DATA_TYPES, GRANULARITIES, type PartitionBy } from './partitioning.js';
export { resolveBigQueryConfig, DEFAULT_LOCATION, DEFAULT_JOB_RETRIES, METHODS, type BigQueryConfig, type ServiceAccountKey } from './profile.js';
export { googleRest, type Rest, type RestRequest, type RestOptions } from './rest.js';
export { RETRYABLE_REASONS, backoffMs, isRetryableRequest, type RetryPolicy } from './retry.js';
export { classify, runBigQueryTransaction, type StatementClass } from './transaction.js';
export { columnsOf, rowObjects, sqlType, type FieldSchema } from './rows.js';
export { loadField } from './types.js';

/**
 * The BigQuery adapter factory. `options` inject what a test (or an embedding program) needs
 * instead of the defaults: an auth client instead of Application Default Credentials or the
 * keyfile, a local endpoint, a sleep that does not wait.
 */
export function bigqueryAdapterFactoryWith(options: BigQueryAdapterOptions = {}): AdapterFactory {
  return {
    type: 'bigquery',
    // keyfile_json is an object: its private key is registered by resolveBigQueryConfig.
    secretFields: ['keyfile_json', 'token', 'refresh_token', 'client_secret'],
    /** Validates the profile and reads the keyfile; connects nothing and loads no Google client yet. */
    async create(profile: TargetProfile, ctx: AdapterContext) {
      return new BigQueryAdapter(resolveBigQueryConfig(profile, ctx), options);
    },
    describe(profile: TargetProfile, ctx: AdapterContext) {
      const c = resolveBigQueryConfig(profile, ctx);
      return `bigquery project ${c.project}, dataset ${c.dataset}, location ${c.location}, ${c.method === 'oauth' ? 'application default credentials' : `service account ${c.credentials?.client_email ?? ''}`.trim()}`;
    },
  };
}

export const bigqueryAdapterFactory: AdapterFactory = bigqueryAdapterFactoryWith();

export default bigqueryAdapterFactory;
