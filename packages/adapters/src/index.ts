import type { AdapterFactory } from '@tform/core';

/**
 * The adapters shipped with tform, by profile `type:`. Each entry imports its module only when
 * called, so loading one driver never loads another.
 */
export const builtinAdapters: Record<string, () => Promise<AdapterFactory>> = {
  duckdb: async () => (await import('./duckdb/index.js')).duckdbAdapterFactory,
  postgres: async () => (await import('./postgres/index.js')).postgresAdapterFactory,
  bigquery: async () => (await import('./bigquery/index.js')).bigqueryAdapterFactory,
};
