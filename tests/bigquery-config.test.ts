/**
 * User errors of a BigQuery target, reported before anything connects: a bad profile key or
 * value (at its line in profiles.yml, with a hint), a bad partition_by / cluster_by / seed type
 * (at the place it was set), exit code 2 through the CLI; the keyfile's secrets never printed;
 * and the Google client not loaded by commands that do not need it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { MemoryLogger, TformError, openProject, redact } from '@tform/core';
import { bigqueryAdapterFactory } from '@tform/adapters/bigquery';
import { builtinAdapters } from '@tform/adapters';
import { runCli } from './helpers/cli.js';
import { cleanupProjects, makeProject } from './helpers/fixture.js';
import { guardNetwork } from './helpers/bigqueryStandIn.js';

const net = guardNetwork();
afterEach(cleanupProjects);
afterAll(() => {
  net.restore();
  expect(net.attempts).toEqual([]);
});

function profiles(lines: string[]): string {
  return ['proj:', '  target: dev', '  outputs:', '    dev:', '      type: bigquery', ...lines.map((l) => `      ${l}`), ''].join('\n');
}

function project(profileLines: string[], files: Record<string, string> = {}): string {
  return makeProject({ 'tform_project.yml': 'name: proj\nprofile: proj\n', 'profiles.yml': profiles(profileLines), 'models/m.sql': 'select 1 as id\n', ...files }, 'tform-bq-cfg-');
}

async function openError(dir: string): Promise<TformError> {
  const e = await openProject({ projectDir: dir, logger: new MemoryLogger(), builtins: builtinAdapters, env: { HOME: dir } }).then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(TformError);
  return e as TformError;
}

describe('BigQuery profile errors', () => {
  it('an unknown key is reported at its line in profiles.yml, with the key it probably meant', async () => {
    const e = await openError(project(['project: acme', 'dataset: analytics', 'locaton: EU']));
    expect(e.code).toBe('PROFILE_INVALID');
    expect(e.message).toBe("target 'dev' (bigquery): unknown key 'locaton'");
    expect([e.file, e.line]).toEqual(['profiles.yml', 8]);
    expect(e.hint).toMatch(/^did you mean 'location'\? a BigQuery target takes /);
    expect(e.exitCode).toBe(2);
  });

  it('a missing project, an unknown method or priority, bad job labels: each at its key', async () => {
    const cases: [string[], RegExp, number | undefined][] = [
      [['dataset: analytics'], /`project` is required/, 4],
      [['project: acme', 'dataset: analytics', 'method: oath'], /unknown method 'oath'/, 8],
      [['project: acme', 'dataset: analytics', 'priority: urgent'], /unknown priority 'urgent'/, 8],
      [['project: acme', 'dataset: analytics', 'job_labels: {Team: data}'], /job label key 'Team' is not valid/, 8],
      [['project: acme', 'dataset: analytics', 'maximum_bytes_billed: lots'], /`maximum_bytes_billed` must be a whole number/, 8],
      [['project: acme', 'dataset: analytics', 'method: service-account'], /needs `keyfile`/, 8],
      [['project: acme', 'dataset: my-data'], /'my-data' is not a BigQuery dataset name/, 7],
    ];
    for (const [lines, re, line] of cases) {
      const e = await openError(project(lines));
      expect(e.message).toMatch(re);
      expect(e.file).toBe('profiles.yml');
      expect(e.line).toBe(line);
      expect(e.hint ?? e.message).toBeTruthy();
    }
  });

  it('a keyfile that is not a service account key is refused without echoing it; a good one has its private key registered as a secret', async () => {
    const dir = project(['project: acme', 'dataset: analytics', 'method: service-account', 'keyfile: key.json']);
    fs.writeFileSync(path.join(dir, 'key.json'), JSON.stringify({ type: 'authorized_user', client_secret: 'sekrit-client-secret-value', refresh_token: 'sekrit-refresh-token-value' }));
    const e = await openError(dir);
    expect(e.message).toBe('target \'dev\' (bigquery): the keyfile key.json is not a service account key (its type is "authorized_user", not "service_account")');
    expect(e.line).toBe(9);
    expect(redact('token sekrit-refresh-token-value and sekrit-client-secret-value')).toBe('token ***** and *****');

    const privateKey = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC-test-only\n-----END PRIVATE KEY-----\n';
    fs.writeFileSync(path.join(dir, 'key.json'), JSON.stringify({ type: 'service_account', project_id: 'acme', client_email: 'tform@acme.iam.gserviceaccount.com', private_key: privateKey }));
    const p = await openProject({ projectDir: dir, logger: new MemoryLogger(), builtins: builtinAdapters, env: { HOME: dir } });
    try {
      expect(redact(`key: ${privateKey}`)).toBe('key: *****');
      // the key is not an enumerable part of the config: spreading or logging it leaves it out
      expect(JSON.stringify((p.adapter as unknown as { config: unknown }).config)).not.toContain('PRIVATE KEY');
      expect(p.factory.describe!(p.target, { projectDir: dir, threads: 1 })).toBe('bigquery project acme, dataset analytics, location US, service account tform@acme.iam.gserviceaccount.com');
    } finally {
      await p.adapter?.close();
    }
  });

  it('registers keyfile_json as a secret field', () => {
    expect(bigqueryAdapterFactory.secretFields).toContain('keyfile_json');
  });
});

describe('BigQuery model and seed config errors', () => {
  it('an unknown partition_by.data_type is an error at the config() line of the model file, with a hint', async () => {
    const dir = project(['project: acme', 'dataset: analytics'], {
      'models/m.sql': "-- events by day\n{{ config(materialized='table', partition_by={'field': 'ts', 'data_type': 'timestmp'}) }}\nselect current_timestamp() as ts\n",
    });
    const e = await openError(dir);
    expect(e.code).toBe('CONFIG_INVALID');
    expect(e.message).toBe("m: unknown partition_by.data_type 'timestmp'");
    expect([e.file, e.line]).toEqual(['models/m.sql', 2]);
    expect(e.hint).toBe("did you mean 'timestamp'? use one of: date, timestamp, datetime, int64");
  });

  it('partition_by in schema YAML, cluster_by with five columns, a seed type BigQuery lacks: each at its place', async () => {
    const bad = async (files: Record<string, string>, re: RegExp, file: string) => {
      const e = await openError(project(['project: acme', 'dataset: analytics'], files));
      expect(e.message).toMatch(re);
      expect(e.file).toBe(file);
      expect(e.line).toBeGreaterThan(0);
      expect(e.hint).toBeTruthy();
    };
    await bad({ 'models/schema.yml': "version: 2\nmodels:\n  - name: m\n    config:\n      partition_by: {field: d, granularity: hourly}\n" }, /unknown partition_by.granularity 'hourly'/, 'models/schema.yml');
    await bad({ 'models/m.sql': "{{ config(materialized='table', partition_by={'field': 'd', 'data_type': 'date', 'granularity': 'hour'}) }}\nselect current_date() as d\n" }, /a date column cannot be partitioned by hour/, 'models/m.sql');
    await bad({ 'models/m.sql': "{{ config(materialized='table', cluster_by=['a', 'b', 'c', 'd', 'e']) }}\nselect 1 as a\n" }, /at most 4 columns, got 5/, 'models/m.sql');
    await bad({ 'models/m.sql': "{{ config(materialized='table', partition_by={'field': 'b', 'data_type': 'int64'}) }}\nselect 1 as b\n" }, /needs 'range'/, 'models/m.sql');
    await bad({ 'seeds/s.csv': 'a\n1\n', 'seeds/schema.yml': 'version: 2\nseeds:\n  - name: s\n    config:\n      column_types: {a: hugeint}\n' }, /column_types gives a the type 'hugeint', which BigQuery does not have/, 'seeds/schema.yml');
  });

  it('through the CLI: printed as path:line and the hint, exit code 2, before anything connects', async () => {
    const dir = project(['project: acme', 'dataset: analytics'], {
      'models/m.sql': "{{ config(materialized='table', partition_by={'field': 'ts', 'data_type': 'timestmp'}) }}\nselect current_timestamp() as ts\n",
    });
    const r = await runCli(['compile', '--project-dir', dir, '--profiles-dir', dir], { cwd: dir, env: { METADATA_SERVER_DETECTION: 'none', HOME: dir } });
    expect(r.code).toBe(2);
    expect(r.output).toContain("models/m.sql:1  m: unknown partition_by.data_type 'timestmp'");
    expect(r.output).toContain("hint: did you mean 'timestamp'?");
  });
});

describe('loading the Google client', () => {
  it('a DuckDB command never loads @google-cloud/bigquery; creating a BigQuery adapter does not load it either', async () => {
    const dir = makeProject({ 'tform_project.yml': 'name: proj\nprofile: proj\n', 'profiles.yml': 'proj:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: w.duckdb\n      schema: main\n', 'models/m.sql': 'select 1 as id\n' });
    const script = `
      const { builtinAdapters } = await import('@tform/adapters');
      const { openProject, MemoryLogger } = await import('@tform/core');
      const { createRequire } = await import('node:module');
      const loaded = () => Object.keys(createRequire(import.meta.url).cache).some((k) => k.includes('@google-cloud${path.sep}bigquery'));
      const p = await openProject({ projectDir: ${JSON.stringify(dir)}, logger: new MemoryLogger(), builtins: builtinAdapters, env: { HOME: ${JSON.stringify(dir)} } });
      await p.adapter.query('select 1');
      await p.adapter.close();
      const afterDuckdb = loaded();
      const bq = await (await builtinAdapters.bigquery()).create({ name: 'dev', type: 'bigquery', schema: 'a', project: 'acme' }, { projectDir: ${JSON.stringify(dir)}, threads: 1 });
      const afterCreate = loaded();
      await import('@google-cloud/bigquery');
      console.log(JSON.stringify({ afterDuckdb, afterCreate, bqDialect: bq.dialect.name, afterImport: loaded() }));
    `;
    const { execFileSync } = await import('node:child_process');
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: path.join(import.meta.dirname, '..'), encoding: 'utf8', env: { ...process.env, METADATA_SERVER_DETECTION: 'none' } });
    // (afterImport: the check does see the library once it is loaded)
    expect(JSON.parse(out.trim().split('\n').at(-1)!)).toEqual({ afterDuckdb: false, afterCreate: false, bqDialect: 'bigquery', afterImport: true });
  });
});
