import * as fs from 'node:fs';
import * as path from 'node:path';
import { TformError, closest, registerSecret, type AdapterContext, type TargetProfile } from '@tform/core';

/**
 * The keys of a BigQuery target in profiles.yml (dbt-bigquery's names):
 *
 *   type: bigquery
 *   project: my-gcp-project        # (or database:) where jobs run and relations live
 *   dataset: analytics             # (or schema:)
 *   location: EU                   # default US; where datasets are created and jobs run
 *   method: oauth                  # oauth: Application Default Credentials; service-account: keyfile
 *   keyfile: /path/to/key.json     # method service-account (also `keyfile` as the method's name)
 *   keyfile_json: {…}              # method service-account-json: the key itself (a secret)
 *   job_labels: {team: data}       # added to every job
 *   maximum_bytes_billed: 10000000000
 *   priority: interactive          # or batch
 *   job_timeout: 3600              # seconds, per job (also job_execution_timeout_seconds)
 *   job_retries: 3                 # retries of a request or job that failed for a retryable reason
 *   threads: 4
 *
 * Validates everything and reads the keyfile (its private key is registered as a secret, so it
 * is masked wherever tform prints or writes); never connects.
 */

export const METHODS = ['oauth', 'service-account', 'keyfile', 'service-account-json'] as const;
export type Method = 'oauth' | 'service-account' | 'service-account-json';
export const PRIORITIES = ['interactive', 'batch'] as const;
export const DEFAULT_LOCATION = 'US';
export const DEFAULT_JOB_RETRIES = 3;

const KNOWN_KEYS = [
  'type', 'name', 'schema', 'dataset', 'threads', 'project', 'database', 'location', 'method', 'keyfile', 'keyfile_json',
  'job_labels', 'maximum_bytes_billed', 'priority', 'job_timeout', 'job_execution_timeout_seconds', 'job_retries', 'api_endpoint',
];

export interface ServiceAccountKey {
  type: 'service_account';
  client_email: string;
  private_key: string;
  project_id?: string;
}

export interface BigQueryConfig {
  project: string;
  dataset: string;
  location: string;
  method: Method;
  /** Absolute path of the keyfile (service-account). */
  keyfile?: string;
  /** The service account's key (service-account, service-account-json); not enumerable. */
  readonly credentials?: ServiceAccountKey;
  jobLabels: Record<string, string>;
  /** As the API takes it: a decimal string. */
  maximumBytesBilled?: string;
  priority: 'INTERACTIVE' | 'BATCH';
  jobTimeoutMs?: number;
  jobRetries: number;
  apiEndpoint?: string;
}

const LABEL_KEY = /^[a-z][a-z0-9_-]{0,62}$/;
const LABEL_VALUE = /^[a-z0-9_-]{0,63}$/;

export function resolveBigQueryConfig(profile: TargetProfile, ctx: AdapterContext): BigQueryConfig {
  const where = (key?: string) => ctx.profileLocation?.(key) ?? {};
  const bad = (key: string | undefined, msg: string, hint?: string): never => {
    throw new TformError('PROFILE_INVALID', `target '${profile.name}' (bigquery): ${msg}`, { ...where(key), hint });
  };
  for (const k of Object.keys(profile)) {
    if (!KNOWN_KEYS.includes(k)) {
      const near = closest(k, KNOWN_KEYS);
      bad(k, `unknown key '${k}'`, `${near ? `did you mean '${near}'? ` : ''}a BigQuery target takes ${KNOWN_KEYS.filter((x) => x !== 'name').join(', ')}`);
    }
  }
  const str = (key: string): string | undefined => {
    const v = profile[key];
    if (v === undefined || v === null || v === '') return undefined;
    if (typeof v !== 'string') bad(key, `\`${key}\` must be a string`);
    return (v as string).trim();
  };
  const int = (key: string, min: number): number | undefined => {
    const v = profile[key];
    if (v === undefined || v === null || v === '') return undefined;
    const n = typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < min) bad(key, `\`${key}\` must be a whole number of at least ${min}, got ${JSON.stringify(v)}`);
    return n as number;
  };

  const projectKey = profile.project !== undefined ? 'project' : 'database';
  const project = str('project');
  const database = str('database');
  if (project && database && project !== database) bad('database', `\`project\` (${project}) and \`database\` (${database}) disagree; give one of them`);
  const p = project ?? database;
  if (!p) bad(undefined, '`project` is required: the Google Cloud project jobs run in and relations live in', 'e.g. project: my-gcp-project');
  if (!/^[a-z0-9][a-z0-9.:-]*[a-z0-9]$/i.test(p!)) bad(projectKey, `'${p}' is not a Google Cloud project id`, 'project ids hold lowercase letters, digits and hyphens (domain-scoped ones: example.com:my-project)');
  // profiles.yml's `dataset` is the target's schema (core reads either); a profile built in code may give only `dataset`.
  const dataset = (profile.schema as unknown) ?? profile.dataset;
  const datasetKey = profile.dataset !== undefined ? 'dataset' : 'schema';
  if (typeof dataset !== 'string' || !/^[A-Za-z0-9_]{1,1024}$/.test(dataset)) bad(datasetKey, `'${String(dataset)}' is not a BigQuery dataset name`, 'dataset names hold letters, digits and underscores, e.g. dataset: analytics');

  const rawMethod = (str('method') ?? 'oauth').toLowerCase();
  if (!(METHODS as readonly string[]).includes(rawMethod)) {
    const near = closest(rawMethod, METHODS);
    bad('method', `unknown method '${rawMethod}'`, `${near ? `did you mean '${near}'? ` : ''}use oauth (Application Default Credentials) or service-account (with keyfile)`);
  }
  const method: Method = rawMethod === 'keyfile' ? 'service-account' : (rawMethod as Method);
  let keyfile: string | undefined;
  let credentials: ServiceAccountKey | undefined;
  if (method === 'service-account') {
    const k = str('keyfile');
    if (!k) bad('method', 'method service-account needs `keyfile`: the path of the service account key (JSON)', 'e.g. keyfile: /secrets/bigquery-sa.json');
    keyfile = path.resolve(ctx.workingDir ?? ctx.projectDir, k!);
    let text: string;
    try {
      text = fs.readFileSync(keyfile, 'utf8');
    } catch (e) {
      return bad('keyfile', `cannot read the keyfile ${k}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    credentials = serviceAccountKey(parseKey(text), (msg) => bad('keyfile', `the keyfile ${k} ${msg}`));
  } else if (method === 'service-account-json') {
    const raw = profile.keyfile_json;
    if (raw === undefined || raw === null) bad('method', 'method service-account-json needs `keyfile_json`: the service account key itself');
    const obj = typeof raw === 'string' ? parseKey(raw) : raw;
    credentials = serviceAccountKey(obj, (msg) => bad('keyfile_json', `keyfile_json ${msg}`));
  } else {
    if (profile.keyfile !== undefined) bad('keyfile', '`keyfile` is read only with method service-account', 'set method: service-account, or remove keyfile to use Application Default Credentials');
    if (profile.keyfile_json !== undefined) bad('keyfile_json', '`keyfile_json` is read only with method service-account-json', 'set method: service-account-json');
  }

  const labels = profile.job_labels ?? {};
  if (typeof labels !== 'object' || labels === null || Array.isArray(labels)) bad('job_labels', '`job_labels` must map label keys to values', 'e.g. job_labels: { team: data, env: prod }');
  const jobLabels: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels as Record<string, unknown>)) {
    const value = v === null || v === undefined ? '' : String(v);
    if (!LABEL_KEY.test(k)) bad('job_labels', `job label key '${k}' is not valid`, 'label keys start with a lowercase letter and hold lowercase letters, digits, _ and - (at most 63)');
    if (!LABEL_VALUE.test(value)) bad('job_labels', `job label ${k}: value '${value}' is not valid`, 'label values hold lowercase letters, digits, _ and - (at most 63)');
    jobLabels[k] = value;
  }

  const maximumBytesBilled = int('maximum_bytes_billed', 1);
  const priority = (str('priority') ?? 'interactive').toLowerCase();
  if (!(PRIORITIES as readonly string[]).includes(priority)) bad('priority', `unknown priority '${priority}'`, 'use interactive or batch');
  if (profile.job_timeout !== undefined && profile.job_execution_timeout_seconds !== undefined) bad('job_timeout', '`job_timeout` and `job_execution_timeout_seconds` are the same setting; give one of them');
  const timeout = int(profile.job_timeout !== undefined ? 'job_timeout' : 'job_execution_timeout_seconds', 1);
  const location = str('location') ?? DEFAULT_LOCATION;
  if (!/^[a-z0-9-]+$/i.test(location)) bad('location', `'${location}' is not a BigQuery location`, 'e.g. US, EU, europe-west3');
  const apiEndpoint = str('api_endpoint');
  if (apiEndpoint !== undefined && !/^https?:\/\//.test(apiEndpoint)) bad('api_endpoint', '`api_endpoint` must be an http(s) URL', 'e.g. api_endpoint: http://127.0.0.1:9050 (an emulator)');

  const config: BigQueryConfig = {
    project: p!,
    dataset: dataset as string,
    location,
    method,
    ...(keyfile ? { keyfile } : {}),
    jobLabels,
    ...(maximumBytesBilled !== undefined ? { maximumBytesBilled: String(maximumBytesBilled) } : {}),
    priority: priority === 'batch' ? 'BATCH' : 'INTERACTIVE',
    ...(timeout !== undefined ? { jobTimeoutMs: timeout * 1000 } : {}),
    jobRetries: int('job_retries', 0) ?? DEFAULT_JOB_RETRIES,
    ...(apiEndpoint ? { apiEndpoint } : {}),
  };
  // Not enumerable: logging or spreading the config leaves the key out.
  Object.defineProperty(config, 'credentials', { value: credentials, enumerable: false });
  return config;
}

function parseKey(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The key's fields the client needs; its secrets registered so that they are masked everywhere. */
function serviceAccountKey(v: unknown, fail: (msg: string) => never): ServiceAccountKey {
  if (typeof v !== 'object' || v === null) return fail('is not a JSON service account key');
  const k = v as Record<string, unknown>;
  for (const f of ['private_key', 'private_key_id', 'client_secret', 'refresh_token']) if (typeof k[f] === 'string') registerSecret(k[f]);
  if (k.type !== 'service_account') return fail(`is not a service account key (its type is ${JSON.stringify(k.type ?? null)}, not "service_account")`);
  if (typeof k.client_email !== 'string' || typeof k.private_key !== 'string') return fail('lacks client_email or private_key');
  return { type: 'service_account', client_email: k.client_email, private_key: k.private_key, ...(typeof k.project_id === 'string' ? { project_id: k.project_id } : {}) };
}
