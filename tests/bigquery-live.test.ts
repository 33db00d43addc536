/**
 * The BigQuery adapter against real BigQuery. Runs only when TFORM_BQ_PROJECT names a project
 * and credentials are there: TFORM_BQ_KEYFILE (a service account key; method service-account),
 * else GOOGLE_APPLICATION_CREDENTIALS or gcloud's application default credentials (method
 * oauth). TFORM_BQ_LOCATION sets the location (default US). Every dataset it creates is named
 * `tform_live_<run>_…` and dropped at the end; the project's `tform_state` dataset (run lock and
 * state) is kept.
 *
 *   TFORM_BQ_PROJECT=my-project TFORM_BQ_KEYFILE=~/sa.json npx vitest run tests/bigquery-live.test.ts
 *
 * It runs the shared conformance suite, leaving out the cases whose SQL is not GoogleSQL (`values
 * (…) as t(…)`, double-quoted identifiers, varchar) or whose check BigQuery cannot meet by design
 * (a post-hook failing after the copy job that published), each with its reason; and a build of
 * BigQuery SQL that checks what the stand-in tests cannot: query results.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runConformance } from '@tform/core/conformance';
import { MemoryLogger, executeBuild, openProject, type Adapter } from '@tform/core';
import { bigqueryAdapterFactory } from '@tform/adapters/bigquery';

const project = process.env.TFORM_BQ_PROJECT;
const keyfile = process.env.TFORM_BQ_KEYFILE;
const adc = process.env.GOOGLE_APPLICATION_CREDENTIALS ?? join(process.env.CLOUDSDK_CONFIG ?? join(homedir(), '.config', 'gcloud'), 'application_default_credentials.json');
const credentials = keyfile ? existsSync(keyfile) : existsSync(adc);
const location = process.env.TFORM_BQ_LOCATION ?? 'US';
const run = `tform_live_${randomBytes(4).toString('hex')}`;
const datasets = new Set<string>();

const connection = { type: 'bigquery', project, location, threads: 4, ...(keyfile ? { method: 'service-account', keyfile } : { method: 'oauth' }) };

async function adapter(dataset: string): Promise<Adapter> {
  return bigqueryAdapterFactory.create({ name: 'dev', schema: dataset, ...connection } as never, { projectDir: tmpdir(), threads: 4 });
}

/** Drop `dataset` and the custom-schema datasets derived from it (`<dataset>_marts`, …). */
async function dropDatasets(dataset: string): Promise<void> {
  const a = await adapter(dataset);
  try {
    const found = await a.query<{ schema_name: string }>(
      `select schema_name from \`${project}\`.\`region-${location.toLowerCase()}\`.INFORMATION_SCHEMA.SCHEMATA where schema_name = ${a.dialect.stringLiteral(dataset)} or starts_with(schema_name, ${a.dialect.stringLiteral(`${dataset}_`)})`,
    );
    for (const s of found) await a.execute(`drop schema if exists ${a.dialect.quoteIdent(project!)}.${a.dialect.quoteIdent(s.schema_name)} cascade`);
  } finally {
    await a.close();
  }
}

if (!project || !credentials) {
  describe('BigQuery live', () => {
    it.skip(`needs TFORM_BQ_PROJECT and credentials (TFORM_BQ_KEYFILE, GOOGLE_APPLICATION_CREDENTIALS or ${adc}); see README "BigQuery"`, () => {});
  });
} else {
  afterAll(async () => {
    for (const d of datasets) await dropDatasets(d).catch(() => {});
  }, 600_000);

  const NOT_GOOGLESQL = 'its SQL is not GoogleSQL: `values (…) as t(…)`, double-quoted identifiers or varchar/json casts';
  let n = 0;
  runConformance(
    { describe, it, afterAll },
    {
      factory: bigqueryAdapterFactory,
      target: async () => {
        const dataset = `${run}_c${++n}`;
        datasets.add(dataset);
        return { profile: { ...connection, schema: dataset }, cleanup: () => dropDatasets(dataset) };
      },
      skip: {
        hooks: `${NOT_GOOGLESQL} (varchar in the hook's create table)`,
        'atomic publish': 'a post-hook runs after the copy job that published the table; BigQuery cannot roll that job back (README "BigQuery")',
        'odd identifiers': NOT_GOOGLESQL,
        'type round-trip and NULLs': NOT_GOOGLESQL,
        'data tests: counts on good and bad data': NOT_GOOGLESQL,
        'data tests gate publication': NOT_GOOGLESQL,
        'data tests: freshness, percent_change, custom generic and singular': NOT_GOOGLESQL,
        'incremental strategies': NOT_GOOGLESQL,
        'microbatch models and panels': NOT_GOOGLESQL,
      },
    },
    { timeoutMs: 600_000 },
  );

  describe('BigQuery live: a build in GoogleSQL', () => {
    const dataset = `${run}_build`;
    datasets.add(dataset);
    const dir = mkdtempSync(join(tmpdir(), 'tform-bq-live-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const write = (files: Record<string, string>) => {
      for (const [rel, text] of Object.entries(files)) {
        mkdirSync(dirname(join(dir, rel)), { recursive: true });
        writeFileSync(join(dir, rel), text);
      }
    };
    const profiles = `live:\n  target: dev\n  outputs:\n    dev:\n${Object.entries({ ...connection, dataset }).map(([k, v]) => `      ${k}: ${JSON.stringify(v)}`).join('\n')}\n`;
    write({
      'tform_project.yml': 'name: live\nprofile: live\n',
      'profiles.yml': profiles,
      'seeds/players.csv': 'id,name,score\n1,Ann,1.5\n2,"O\'Brien, Bo",\n',
      'models/events.sql': "{{ config(materialized='table', event_time='ts', partition_by={'field': 'ts', 'data_type': 'timestamp'}) }}\nselect * from unnest([struct(1 as id, 1 as user_id, timestamp '2024-01-01 10:00:00' as ts, 2.0 as amount), (2, 1, timestamp '2024-01-02 11:00:00', 3.0), (3, 2, timestamp '2024-01-02 09:00:00', 1.0)])\n",
      'models/mb.sql': "{{ config(materialized='incremental', incremental_strategy='microbatch', event_time='ts', batch_size='day', begin='2024-01-01', lookback=0, partition_by={'field': 'ts', 'data_type': 'timestamp'}) }}\nselect id, user_id, ts, amount from {{ ref('events') }}\n",
      'models/totals.sql': "{{ config(materialized='incremental', unique_key='user_id', incremental_strategy='merge') }}\nselect user_id, sum(amount) as amount from {{ ref('events') }} group by user_id\n",
      'models/v.sql': "select count(*) as n from {{ ref('players') }}\n",
      'models/schema.yml': 'version: 2\nmodels:\n  - name: totals\n    columns:\n      - name: user_id\n        data_tests: [unique, not_null]\n',
    });
    const build = async (o: { now?: string; dryRun?: boolean } = {}) => {
      const logger = new MemoryLogger();
      const p = await openProject({ projectDir: dir, logger, builtins: { bigquery: async () => bigqueryAdapterFactory }, env: { ...process.env, TFORM_PROFILES_DIR: '' }, now: o.now ?? '2024-01-03T01:00:00Z' });
      try {
        const r = await executeBuild(p, { command: 'build', dryRun: o.dryRun });
        return { r, log: logger.text };
      } finally {
        await p.adapter?.close();
      }
    };
    const rows = async (sql: string) => {
      const a = await adapter(dataset);
      try {
        return await a.query(sql);
      } finally {
        await a.close();
      }
    };
    const rel = (t: string) => `\`${project}\`.\`${dataset}\`.\`${t}\``;

    it('builds, rebuilds incrementally, and a failing test keeps the published table', async () => {
      const first = await build();
      expect(first.r.exitCode, first.log).toBe(0);
      expect(await rows(`select id, name, score from ${rel('players')} order by id`)).toEqual([
        { id: 1, name: 'Ann', score: 1.5 },
        { id: 2, name: "O'Brien, Bo", score: null },
      ]);
      expect(await rows(`select id from ${rel('mb')} order by id`)).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }]);
      expect(await rows(`select user_id, amount from ${rel('totals')} order by user_id`)).toEqual([
        { user_id: 1, amount: 5 },
        { user_id: 2, amount: 1 },
      ]);

      // A second run merges (same rows: nothing changes) and the microbatch redoes the open day only.
      const second = await build({ now: '2024-01-03T02:00:00Z' });
      expect(second.r.exitCode, second.log).toBe(0);
      expect(await rows(`select count(*) as n from ${rel('mb')}`)).toEqual([{ n: 3 }]);

      // Duplicate keys fail the unique test on the tmp table: the published totals stay.
      write({ 'models/totals.sql': "{{ config(materialized='table') }}\nselect 1 as user_id, 1.0 as amount union all select 1, 2.0\n" });
      const third = await build();
      expect(third.r.exitCode).toBe(1);
      expect(await rows(`select user_id, amount from ${rel('totals')} order by user_id`)).toEqual([
        { user_id: 1, amount: 5 },
        { user_id: 2, amount: 1 },
      ]);
      const a = await adapter(dataset);
      try {
        expect((await a.listRelations(dataset)).some((t) => t.identifier.endsWith('__tform_tmp'))).toBe(false);
      } finally {
        await a.close();
      }
    }, 900_000);

    it('--dry-run prints the bytes each model would process', async () => {
      const { r, log } = await build({ dryRun: true });
      expect(r.exitCode).toBe(0);
      expect(log).toContain('-- Bytes each model would process (dry run):');
      expect(log).toMatch(/Dry run total: .* would be processed/);
    }, 300_000);
  });
}
