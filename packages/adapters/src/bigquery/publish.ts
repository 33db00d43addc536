import { BigQueryError } from './errors.js';
import type { Jobs, JobResource } from './jobs.js';
import type { CopyJobSpec, LoadJobSpec, TableReference } from './jobStatements.js';
import type { Rest } from './rest.js';
import { withRetries } from './retry.js';

/**
 * Running the dialect's job statements.
 *
 * Copy (publishing a table): `WRITE_TRUNCATE` replaces the destination's rows and schema in one
 * atomic step when the job succeeds, and leaves it as it was when the job fails; copying is not
 * billed as a query. A copy cannot replace a view, nor (safely) a table whose partitioning or
 * clustering differs from the new one's, so such a target is deleted first — then, and only
 * then, there is a moment without the table (a change of kind or of layout).
 *
 * Load (a seed): the CSV file is uploaded with the job (a media upload), header skipped, into
 * the tmp table with the declared schema.
 */

interface TableResource {
  type?: string;
  timePartitioning?: unknown;
  rangePartitioning?: unknown;
  clustering?: { fields?: string[] };
}

const enc = encodeURIComponent;
const tablePath = (t: TableReference) => `/datasets/${enc(t.datasetId)}/tables/${enc(t.tableId)}`;

async function getTable(rest: Rest, jobs: Jobs, t: TableReference): Promise<TableResource | undefined> {
  try {
    return await withRetries(jobs.settings.retry, () => rest.request<TableResource>({ method: 'GET', path: tablePath(t), project: t.projectId }));
  } catch (e) {
    if ((e as { code?: number }).code === 404) return undefined;
    throw e;
  }
}

function layout(t: TableResource): string {
  return JSON.stringify([t.timePartitioning ?? null, t.rangePartitioning ?? null, t.clustering?.fields ?? null]);
}

export async function runCopy(rest: Rest, jobs: Jobs, spec: CopyJobSpec['copy']): Promise<JobResource> {
  const [source, target] = await Promise.all([getTable(rest, jobs, spec.source), getTable(rest, jobs, spec.destination)]);
  if (!source) throw new BigQueryError(`Not found: the table to publish, ${spec.source.projectId}:${spec.source.datasetId}.${spec.source.tableId}, does not exist`, { reason: 'notFound' });
  if (target && (target.type !== 'TABLE' || layout(target) !== layout(source))) {
    await withRetries(jobs.settings.retry, () => rest.request({ method: 'DELETE', path: tablePath(spec.destination), project: spec.destination.projectId })).catch((e: unknown) => {
      if ((e as { code?: number }).code !== 404) throw e;
    });
  }
  const configuration = {
    copy: { sourceTables: [spec.source], destinationTable: spec.destination, writeDisposition: spec.writeDisposition, createDisposition: 'CREATE_IF_NEEDED' },
    ...jobs.common(),
  };
  return jobs.run('copy', JSON.stringify(spec), configuration, { retryJob: true });
}

export async function runLoad(jobs: Jobs, spec: LoadJobSpec['load']): Promise<JobResource> {
  const configuration = {
    load: {
      destinationTable: spec.destination,
      schema: { fields: spec.fields },
      sourceFormat: 'CSV',
      skipLeadingRows: spec.skipLeadingRows,
      fieldDelimiter: spec.fieldDelimiter,
      allowQuotedNewlines: true,
      encoding: 'UTF-8',
      writeDisposition: spec.writeDisposition,
      createDisposition: 'CREATE_IF_NEEDED',
    },
    ...jobs.common(),
  };
  return jobs.run('load', JSON.stringify(spec), configuration, { retryJob: true, uploadFile: spec.file });
}
