import { createReadStream } from 'node:fs';
import { TFORM_VERSION } from '@tform/core';

/**
 * The REST surface of BigQuery (v2) the adapter uses, over @google-cloud/bigquery's
 * authenticated request function. The client library is imported the first time a request is
 * made, so commands on other warehouses never load it.
 *
 * What the adapter relies on (@google-cloud/bigquery 8.3, @google-cloud/common 6):
 * - `new BigQuery({ projectId, apiEndpoint, authClient | credentials | keyFilename, retryOptions })`;
 *   `bigquery.request({ method, uri, qs, json }, cb)` prefixes `uri` with
 *   `<apiEndpoint>/bigquery/v2/projects/<projectId>` (or `reqOpts.projectId`), authorises the
 *   request through the auth client (also with a custom apiEndpoint) and calls back with an
 *   ApiError (`code` = HTTP status, `errors` = [{ reason, message, location }]) for a non-2xx.
 * - The library's own retries are turned off (`retryOptions.autoRetry: false`): jobs.ts retries
 *   with its own backoff, reusing the job id, so a retried insert never creates a second job.
 * - A media upload is `POST <apiEndpoint>/upload/bigquery/v2/projects/<p>/jobs?uploadType=multipart`
 *   with `multipart: [json part, media part]`. teeny-request 10 ends the multipart body only
 *   after a *stream* part ends (two string parts never finish the body), so the file goes as a stream.
 */

export interface RestRequest {
  method: 'GET' | 'POST' | 'DELETE';
  /** Path under `projects/<project>/`, e.g. `/jobs` or `/datasets/d/tables/t`. */
  path: string;
  /** Another project than the client's (relations of another database). */
  project?: string;
  qs?: Record<string, string | number | boolean | undefined>;
  json?: unknown;
  /** A media upload (load job): the job resource as `json`, the file's bytes from `file`. */
  uploadFile?: string;
}

export interface Rest {
  request<T = unknown>(r: RestRequest): Promise<T>;
}

export interface RestOptions {
  project: string;
  location: string;
  /** Overrides the Google endpoint (a local stand-in in tests, an emulator). */
  apiEndpoint?: string;
  /** An auth client used for every request instead of credentials from the profile. */
  authClient?: unknown;
  /** Service-account credentials (keyfile contents). */
  credentials?: { client_email: string; private_key: string };
}

type Callback = (err: Error | null, body?: unknown) => void;
interface Client {
  apiEndpoint: string;
  request(reqOpts: Record<string, unknown>, cb: Callback): void;
}

/** A Rest over the Google client, created (and the library imported) on the first request. */
export function googleRest(o: RestOptions): Rest {
  let client: Promise<Client> | undefined;
  const get = () =>
    (client ??= import('@google-cloud/bigquery').then(({ BigQuery }) => {
      const auth = o.authClient !== undefined ? { authClient: o.authClient } : o.credentials ? { credentials: o.credentials } : {};
      return new BigQuery({
        projectId: o.project,
        location: o.location,
        ...(o.apiEndpoint ? { apiEndpoint: o.apiEndpoint } : {}),
        ...auth,
        retryOptions: { autoRetry: false, maxRetries: 0 },
        userAgent: `tform/${TFORM_VERSION}`,
      } as ConstructorParameters<typeof BigQuery>[0]) as unknown as Client;
    }));
  return {
    async request<T>(r: RestRequest): Promise<T> {
      const c = await get();
      const qs = r.qs ? Object.fromEntries(Object.entries(r.qs).filter(([, v]) => v !== undefined)) : undefined;
      const reqOpts: Record<string, unknown> = r.uploadFile
        ? {
            method: r.method,
            uri: `${c.apiEndpoint}/upload/bigquery/v2/projects/${r.project ?? o.project}${r.path}`,
            qs: { ...qs, uploadType: 'multipart' },
            multipart: [
              { 'Content-Type': 'application/json', body: JSON.stringify(r.json) },
              { 'Content-Type': 'application/octet-stream', body: createReadStream(r.uploadFile) },
            ],
          }
        : { method: r.method, uri: r.path, ...(r.project ? { projectId: r.project } : {}), ...(qs ? { qs } : {}), ...(r.json !== undefined ? { json: r.json } : {}) };
      return new Promise<T>((resolve, reject) => {
        c.request(reqOpts, (err, body) => (err ? reject(err) : resolve(body as T)));
      });
    },
  };
}
