/**
 * `tform docs generate` end to end through the CLI, on DuckDB and on Postgres: the site's data
 * (catalog types, column lineage, chart rows, last test results), what it must never contain
 * (secrets, raw `<`), and the user errors of `docs generate` and `docs serve`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DocsData, DocsNode } from '@tform/core';
import { readDataScript } from '@tform/docs';
import { runCli } from './helpers/cli.js';
import { cleanupProjects, makeProject, profilesYml, projectYml, writeFiles } from './helpers/fixture.js';
import { pgProfilesYml, requirePostgres, withTempDatabase, type TempDatabase } from './helpers/pg.js';

afterAll(cleanupProjects);

const SECRET = 's3cr3t-value-1234';

const SCHEMA_YML = `version: 2
seeds:
  - name: raw_events
    description: Events as the game client sends them.
models:
  - name: stg_events
    description: "Typed events. <script>window.__pwned = 1</script>"
    columns:
      - name: event_id
        description: The client's event id.
        data_tests: [not_null, unique]
      - name: revenue_usd
        data_type: decimal(10,2)
  - name: daily_revenue
    description: DAU and revenue per day.
    docs:
      chart: {type: bar, x: event_date, y: [dau, revenue_usd], title: Revenue per day}
    columns:
      - name: event_date
        data_tests: [unique]
`;

function projectFiles(profiles: string): Record<string, string> {
  return {
    'tform_project.yml': projectYml(),
    'profiles.yml': profiles,
    'seeds/raw_events.csv': 'event_id,user_id,event_date,revenue\n1,10,2024-03-01,0.99\n2,11,2024-03-01,0\n3,10,2024-03-02,4.99\n',
    'models/bronze/brz_events.sql': "select * from {{ ref('raw_events') }}",
    'models/silver/stg_events.sql': [
      'select',
      '    e.event_id,',
      '    e.user_id,',
      '    cast(e.event_date as date) as event_date,',
      '    cast(e.revenue as decimal(10, 2)) as revenue_usd',
      "from {{ ref('brz_events') }} as e",
    ].join('\n'),
    'models/gold/daily_revenue.sql': [
      "{{ config(materialized='table') }}",
      'select event_date, count(distinct user_id) as dau, sum(revenue_usd) as revenue_usd',
      "from {{ ref('stg_events') }}",
      'group by event_date',
    ].join('\n'),
    'models/gold/token_check.sql': `select '{{ env_var("TFORM_ENV_SECRET_TOKEN") }}' as token, 1 as one`,
    'models/schema.yml': SCHEMA_YML,
  };
}

/** The site's data, read back from data.js as the browser would evaluate it. */
function siteData(dir: string): { data: DocsData; text: string } {
  const data = readDataScript(readFileSync(join(dir, 'target', 'docs', 'data.js'), 'utf8'));
  return { data, text: JSON.stringify(data) };
}

const node = (d: DocsData, id: string): DocsNode => {
  const n = d.nodes.find((x) => x.uniqueId === id);
  if (!n) throw new Error(`no node ${id}`);
  return n;
};
const column = (n: DocsNode, name: string) => n.columns.find((c) => c.name.toLowerCase() === name)!;

const env = { TFORM_ENV_SECRET_TOKEN: SECRET };

describe('tform docs generate on DuckDB', () => {
  let dir: string;
  beforeAll(() => {
    dir = makeProject(projectFiles(profilesYml()));
  });

  it('before anything is built: writes the site, the chart says why it has no rows', async () => {
    const r = await runCli(['docs', 'generate'], { cwd: dir, env });
    expect(r.code, r.output).toBe(0);
    for (const f of ['index.html', 'app.js', 'app.css', 'data.js']) expect(existsSync(join(dir, 'target', 'docs', f)), f).toBe(true);
    expect(r.output).toMatch(/Column lineage for \d+ of 4 models/);
    const { data } = siteData(dir);
    const chart = node(data, 'model.proj.daily_revenue').chart!;
    expect(chart.rows).toEqual([]);
    expect(chart.error).toMatch(/does not exist yet.*tform build/);
    // the seed's columns are not known before it is loaded, so `select *` over it cannot be traced
    expect(node(data, 'model.proj.brz_events').lineageNote).toMatch(/\*|star/i);
    expect(existsSync(join(dir, 'target', 'manifest.json'))).toBe(true);
  });

  it('after a build: catalog types, column lineage of every model, chart rows and test results', async () => {
    const b = await runCli(['build'], { cwd: dir, env });
    expect(b.code, b.output).toBe(0);
    const r = await runCli(['docs', 'generate'], { cwd: dir, env });
    expect(r.code, r.output).toBe(0);
    expect(r.output).toContain('Column lineage for 4 of 4 models');
    expect(existsSync(join(dir, 'target', 'catalog.json'))).toBe(true);
    const { data, text } = siteData(dir);
    expect(data.catalog.available).toBe(true);
    expect(data.lineage).toMatchObject({ models: 4, withLineage: 4 });

    const stg = node(data, 'model.proj.stg_events');
    expect(stg.layer).toBe('silver');
    expect(stg.parents).toEqual(['model.proj.brz_events']);
    expect(stg.children).toEqual(['model.proj.daily_revenue']);
    expect(stg.columns.map((c) => c.name.toLowerCase())).toEqual(['event_id', 'user_id', 'event_date', 'revenue_usd']);
    expect(column(stg, 'revenue_usd')).toMatchObject({ type: 'DECIMAL(10,2)', declaredType: 'decimal(10,2)', upstream: [{ node: 'model.proj.brz_events', column: 'revenue' }] });
    expect(column(stg, 'event_id').description).toBe("The client's event id.");
    expect(column(stg, 'event_id').tests).toHaveLength(2);

    const gold = node(data, 'model.proj.daily_revenue');
    expect(column(gold, 'dau').upstream).toEqual([{ node: 'model.proj.stg_events', column: 'user_id' }]);
    expect(column(gold, 'revenue_usd').upstream).toEqual([{ node: 'model.proj.stg_events', column: 'revenue_usd' }]);
    // select * over the seed: expanded from the catalog
    const brz = node(data, 'model.proj.brz_events');
    expect(column(brz, 'user_id').upstream).toEqual([{ node: 'seed.proj.raw_events', column: 'user_id' }]);
    expect(node(data, 'model.proj.token_check').columns.find((c) => c.name === 'one')!.upstream).toEqual([]);

    expect(gold.chart!.error).toBeUndefined();
    expect(gold.chart!.rows).toEqual([
      { event_date: '2024-03-01', dau: 2, revenue_usd: 0.99 },
      { event_date: '2024-03-02', dau: 1, revenue_usd: 4.99 },
    ]);

    const unique = data.nodes.find((n) => n.resourceType === 'test' && n.testName === 'unique' && n.attachedNode === 'model.proj.stg_events')!;
    expect(unique.result).toMatchObject({ status: 'pass', failures: 0 });
    expect(unique.columnName).toBe('event_id');
    expect(data.runResults?.command).toBe('build');

    // what the site must never carry: a secret (the compiled SQL has it)
    expect(text).not.toContain(SECRET);
    expect(readFileSync(join(dir, 'target', 'catalog.json'), 'utf8')).not.toContain(SECRET);
    expect(readFileSync(join(dir, 'target', 'docs', 'data.js'), 'utf8')).not.toContain('<');
    expect(stg.description).toContain('<script>');
  });

  it('--empty-catalog reads no column types and no chart rows', async () => {
    const r = await runCli(['docs', 'generate', '--empty-catalog'], { cwd: dir, env });
    expect(r.code, r.output).toBe(0);
    const { data } = siteData(dir);
    expect(data.catalog).toMatchObject({ available: false, note: expect.stringContaining('--empty-catalog') });
    expect(column(node(data, 'model.proj.stg_events'), 'revenue_usd').type).toBeUndefined();
    expect(node(data, 'model.proj.daily_revenue').chart!.error).toMatch(/--empty-catalog/);
  });

  it('a bad chart config is a user error at its file and line, exit 2', async () => {
    const bad = makeProject(projectFiles(profilesYml()));
    writeFiles(bad, { 'models/schema.yml': SCHEMA_YML.replace('type: bar', 'type: pie') });
    const r = await runCli(['docs', 'generate'], { cwd: bad, env });
    expect(r.code, r.output).toBe(2);
    expect(r.output).toMatch(/models\/schema\.yml:\d+/);
    expect(r.output).toMatch(/docs\.chart type must be line or bar, got "pie"/);
    expect(r.output).not.toMatch(/\n\s+at /);
    expect(existsSync(join(bad, 'target', 'docs'))).toBe(false);
  });

  it('docs serve without a generated site says to generate it, exit 2', async () => {
    const empty = makeProject({ 'tform_project.yml': projectYml(), 'profiles.yml': profilesYml() });
    const r = await runCli(['docs', 'serve', '--port', '0'], { cwd: empty });
    expect(r.code, r.output).toBe(2);
    expect(r.output).toMatch(/no docs site at .*target\/docs/);
    expect(r.output).toMatch(/tform docs generate/);
  });
});

const hasPg = await requirePostgres();

describe.runIf(hasPg)('tform docs generate on Postgres', () => {
  let db: TempDatabase;
  let dir: string;
  beforeAll(async () => {
    db = await withTempDatabase();
    dir = makeProject(projectFiles(pgProfilesYml({ dbname: db.name, schema: 'docs' })));
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('catalog from information_schema, lineage through node-sql-parser', async () => {
    const b = await runCli(['build'], { cwd: dir, env });
    expect(b.code, b.output).toBe(0);
    const r = await runCli(['docs', 'generate'], { cwd: dir, env });
    expect(r.code, r.output).toBe(0);
    const { data, text } = siteData(dir);
    expect(data.lineage.parser).toMatch(/node-sql-parser/);
    expect(data.lineage).toMatchObject({ models: 4, withLineage: 4 });
    const stg = node(data, 'model.proj.stg_events');
    expect(column(stg, 'revenue_usd')).toMatchObject({ type: 'numeric(10,2)', upstream: [{ node: 'model.proj.brz_events', column: 'revenue' }] });
    expect(column(node(data, 'model.proj.daily_revenue'), 'dau').upstream).toEqual([{ node: 'model.proj.stg_events', column: 'user_id' }]);
    expect(node(data, 'model.proj.daily_revenue').chart!.rows).toHaveLength(2);
    expect(text).not.toContain(SECRET);
  });
});
