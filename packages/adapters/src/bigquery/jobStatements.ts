import type { FieldSchema } from './rows.js';

/**
 * Statements that are jobs, not queries. A plan is statement text; what BigQuery does with a
 * copy job (publishing a table) or a load job (a seed) cannot be written as SQL, so the dialect
 * writes such a step as a *job statement*: a first line `-- tform:job {json}` the adapter runs as
 * that job, and a second comment line saying what it does for someone reading a plan. Both lines
 * are comments, so such a statement can never run as a query by mistake.
 */

export const JOB_MARKER = '-- tform:job ';

export interface TableReference {
  projectId: string;
  datasetId: string;
  tableId: string;
}

export interface CopyJobSpec {
  copy: { source: TableReference; destination: TableReference; writeDisposition: 'WRITE_TRUNCATE' };
}

export interface LoadJobSpec {
  load: { file: string; destination: TableReference; fields: FieldSchema[]; fieldDelimiter: string; skipLeadingRows: number; writeDisposition: 'WRITE_TRUNCATE' };
}

export type JobSpec = CopyJobSpec | LoadJobSpec;

export function jobStatement(spec: JobSpec, description: string): string {
  return `${JOB_MARKER}${JSON.stringify(spec)}\n-- ${description.replace(/\n/g, ' ')}`;
}

/** The job of a job statement, or undefined for any other SQL. */
export function parseJobStatement(sql: string): JobSpec | undefined {
  if (!sql.startsWith(JOB_MARKER)) return undefined;
  const end = sql.indexOf('\n');
  const spec = JSON.parse(sql.slice(JOB_MARKER.length, end < 0 ? undefined : end)) as JobSpec;
  if (!('copy' in spec) && !('load' in spec)) throw new Error(`internal: unknown job statement ${sql.slice(0, 200)}`);
  return spec;
}
