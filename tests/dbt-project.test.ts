/**
 * An unmodified dbt project: dbt_project.yml read with dbt's rules (paths, vars scoped by project
 * name, config trees with and without `+`, docs config, hooks, quoting, dispatch, unknown keys),
 * Jinja in the project file, analyses compiled and never run, and `tform clean`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isTformError, parseProjectConfig, type ModelNode } from '@tform/core';
import { runCli } from './helpers/cli.js';
import { DB_FILE, cleanupProjects, makeProject, profilesYml, readJson, writeFiles } from './helpers/fixture.js';
import { dbtProfilesYml, dbtProject, dbtProjectYml } from './helpers/dbt.js';
import { open, withProject } from './helpers/inprocess.js';
import { queryDuckDB } from './helpers/duckdb.js';

afterAll(cleanupProjects);

const thrown = (fn: () => unknown): Error & { code?: string; file?: string; line?: number; hint?: string } => {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
};

const model = (p: { session: { manifest: { nodes: Record<string, unknown> } } }, name: string, project = 'shop') => p.session.manifest.nodes[`model.${project}.${name}`] as ModelNode;

describe('dbt_project.yml', () => {
  it('reads name, profile, paths, target-path, clean-targets and the dbt defaults', () => {
    const c = parseProjectConfig(
      dbtProjectYml(`model-paths: ["transform"]\nseed-paths: ["data"]\nanalysis-paths: ["analysis"]\ntarget-path: "build"\nclean-targets: ["build", "logs"]\nrequire-dbt-version: ">=1.5.0"\n`),
      'dbt_project.yml',
    );
    expect(c.flavor).toBe('dbt');
    expect(c).toMatchObject({ name: 'shop', profile: 'shop', modelPaths: ['transform'], seedPaths: ['data'], analysisPaths: ['analysis'], macroPaths: ['macros'], testPaths: ['tests'], snapshotPaths: ['snapshots'], targetPath: 'build', cleanTargets: ['build', 'logs'], requireDbtVersion: ['>=1.5.0'], configVersion: 2 });
    // docs-paths default: every resource path
    expect(c.docsPaths.sort()).toEqual(['analysis', 'data', 'macros', 'snapshots', 'tests', 'transform']);
    expect(c.warnings).toEqual([]);
    const d = parseProjectConfig("name: shop\n", 'dbt_project.yml');
    expect(d.cleanTargets).toEqual(['target', 'dbt_packages']);
    expect(d.analysisPaths).toEqual(['analyses']);
  });

  it('vars: global ones, overlaid by the ones scoped to the project name; --vars win', async () => {
    const dir = dbtProject(
      { 'models/m.sql': "select {{ var('a') }} as a, {{ var('b') }} as b, '{{ var('other_pkg')['x'] }}' as c\n" },
      { project: 'vars:\n  a: 1\n  b: 1\n  shop:\n    b: 2\n  other_pkg:\n    x: kept\n' },
    );
    await withProject(dir, (p) => {
      expect(p.session.manifest.vars).toMatchObject({ a: 1, b: 2 });
    }, { cwd: dir });
    const r = await runCli(['compile', '--vars', '{a: 3}'], { cwd: dir });
    expect(r.code, r.output).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'target/compiled/shop/models/m.sql'), 'utf8')).toMatch(/select 3 as a, 2 as b, 'kept' as c/);
  });

  it("config trees: under the project name, '+' optional for plain keys and required for mappings", async () => {
    const dir = dbtProject(
      {
        'models/staging/stg.sql': 'select 1 as id\n',
        'models/marts/docs/m.sql': "select * from {{ ref('stg') }}\n",
        'models/marts/other.sql': 'select 1 as id\n',
        'seeds/s.csv': 'id\n1\n',
      },
      {
        project: [
          'models:',
          '  +tags: [all]',
          '  shop:',
          '    staging:',
          '      materialized: table', // bare plain key: config
          '      tags: [stg]',
          '      +docs: {show: false}',
          '    marts:',
          '      +materialized: table',
          '      +meta: {owner: bi}',
          '      docs:', // bare mapping: a folder named docs, as dbt reads it
          '        +materialized: view',
          '        +docs: {node_color: "#cd7f32"}',
          '  other_package:',
          '    +materialized: incremental',
          'seeds:',
          '  shop:',
          '    +schema: raw',
          '',
        ].join('\n'),
      },
    );
    await withProject(dir, (p) => {
      const stg = model(p, 'stg');
      expect(stg.materialized).toBe('table');
      expect(stg.tags.sort()).toEqual(['all', 'stg']);
      expect(stg.docs).toEqual({ show: false });
      const m = model(p, 'm');
      expect(m.materialized).toBe('view');
      expect(m.meta).toEqual({ owner: 'bi' });
      expect(m.docs).toEqual({ show: true, node_color: '#cd7f32' });
      expect(m.config.docs).toEqual({ node_color: '#cd7f32' });
      expect(model(p, 'other').materialized).toBe('table');
      expect(p.session.manifest.nodes['seed.shop.s']!.schema).toBe('main_raw');
      // the other package's path configures nothing here: dbt's "unused configuration paths" warning
      expect(p.session.warnings.join('\n')).toMatch(/dbt_project\.yml:18: configuration paths exist in dbt_project\.yml that do not apply to any resource \(1\): models\.other_package/);
    }, { cwd: dir });
  });

  it('unknown keys warn with file:line and a did-you-mean; require-dbt-version, query-comment, flags do not', async () => {
    const dir = dbtProject(
      { 'models/m.sql': 'select 1 as id\n' },
      { project: 'require-dbt-version: [">=1.5.0", "<2.0.0"]\nquery-comment: "run by {{ target.name }}"\nflags:\n  send_anonymous_usage_stats: false\nmodel-path: [models]\nmy-own-key: 1\n' },
    );
    const r = await runCli(['compile'], { cwd: dir });
    expect(r.code, r.output).toBe(0);
    expect(r.output).toMatch(/\[WARNING\]: dbt_project\.yml:9: unknown key 'model-path' in dbt_project\.yml \(ignored\); did you mean 'model-paths'\?/);
    expect(r.output).toMatch(/\[WARNING\]: dbt_project\.yml:10: unknown key 'my-own-key'/);
    expect(r.output).not.toMatch(/require-dbt-version|query-comment|flags/);
    const dbg = await runCli(['debug'], { cwd: dir });
    expect(dbg.code, dbg.output).toBe(0);
    expect(dbg.output).toMatch(/dbt_project\.yml file \[OK found and valid\] \(shop, read as a dbt project\)/);
    expect(dbg.output).toMatch(/require-dbt-version: >=1\.5\.0, <2\.0\.0 \(noted; tform does not check it\)/);
  });

  it("config-version other than 2 is an error at its line; dbt 0.x path names are read under their new name", async () => {
    const e = thrown(() => parseProjectConfig("name: shop\nconfig-version: 1\n", 'dbt_project.yml'));
    expect(isTformError(e)).toBe(true);
    expect(e).toMatchObject({ file: 'dbt_project.yml', line: 2 });
    expect(e.message).toMatch(/config-version: 1 is not supported/);
    const c = parseProjectConfig("name: shop\nsource-paths: [transform]\ndata-paths: [data]\n", 'dbt_project.yml');
    expect(c.modelPaths).toEqual(['transform']);
    expect(c.seedPaths).toEqual(['data']);
    expect(c.warnings[0]).toMatch(/^dbt_project\.yml:2: 'source-paths' was renamed 'model-paths' in dbt 1\.0/);
  });

  it('quoting, dispatch and hooks are read; a quoting: false warns that tform always quotes', async () => {
    const c = parseProjectConfig(
      "name: shop\nquoting:\n  database: true\n  identifier: false\ndispatch:\n  - macro_namespace: dbt_utils\n    search_order: ['shop', 'dbt_utils']\non-run-start: \"create schema if not exists x\"\non-run-end:\n  - \"select 1\"\n",
      'dbt_project.yml',
    );
    expect(c.quoting).toEqual({ database: true, identifier: false });
    expect(c.dispatch).toEqual([{ macroNamespace: 'dbt_utils', searchOrder: ['shop', 'dbt_utils'] }]);
    expect(c.onRunStart).toEqual(['create schema if not exists x']);
    expect(c.onRunEnd).toEqual(['select 1']);
    expect(c.warnings).toEqual([expect.stringMatching(/^dbt_project\.yml:4: quoting\.identifier: false is not applied: tform always quotes relation names/)]);
    const e = thrown(() => parseProjectConfig('name: shop\ndispatch:\n  - macro_namespace: dbt_utils\n', 'dbt_project.yml'));
    expect(e).toMatchObject({ file: 'dbt_project.yml', line: 3 });
    expect(e.message).toMatch(/'dispatch' must be a list of \{ macro_namespace, search_order \} entries/);
  });

  it('hooks run in a dbt project', async () => {
    const dir = dbtProject(
      { 'models/m.sql': 'select 1 as id\n' },
      { project: "on-run-start:\n  - \"create table if not exists {{ target.schema }}.hook_log (phase varchar)\"\non-run-end: \"insert into {{ target.schema }}.hook_log values ('end')\"\n" },
    );
    const r = await runCli(['run'], { cwd: dir });
    expect(r.code, r.output).toBe(0);
    expect(await queryDuckDB(path.join(dir, DB_FILE), 'select phase from main.hook_log')).toEqual([{ phase: 'end' }]);
  });

  it('Jinja in the project file: env_var(), --vars and target in values; hooks stay unrendered until they run', async () => {
    const dir = dbtProject(
      { 'models/marts/m.sql': 'select 1 as id\n' },
      {
        project: [
          "target-path: \"{{ env_var('SHOP_TARGET', 'target') }}\"",
          'models:',
          '  shop:',
          '    marts:',
          "      +schema: \"{{ env_var('MARTS', 'marts') }}_{{ target.name }}\"",
          "      +tags: [\"{{ var('tag', 'untagged') }}\"]",
          "      +post-hook: \"select '{{ this }}'\"",
          '',
        ].join('\n'),
      },
    );
    const r = await runCli(['compile', '--vars', '{tag: nightly}'], { cwd: dir, env: { SHOP_TARGET: 'out', MARTS: 'bi' } });
    expect(r.code, r.output).toBe(0);
    const m = readJson(path.join(dir, 'out/manifest.json')).nodes['model.shop.m'];
    expect(m.schema).toBe('main_bi_dev');
    expect(m.tags).toEqual(['nightly']);
    expect(m.config.post_hook).toEqual(["select '{{ this }}'"]);
  });

  it('tform_project.yml wins over dbt_project.yml, with a note', async () => {
    const dir = makeProject({
      'tform_project.yml': 'name: proj\nprofile: proj\n',
      'dbt_project.yml': 'name: other\nprofile: other\n',
      'profiles.yml': profilesYml(),
      'models/m.sql': 'select 1 as id\n',
    });
    const p = await open(dir);
    try {
      expect(p.project.config.file).toBe('tform_project.yml');
      expect(p.project.config.name).toBe('proj');
      expect(p.logger.text).toMatch(/both tform_project\.yml and dbt_project\.yml are present; reading tform_project\.yml/);
    } finally {
      await p.adapter?.close();
    }
  });

  it('no project file at all names both', async () => {
    const r = await runCli(['compile'], { cwd: makeProject({ 'profiles.yml': profilesYml() }) });
    expect(r.code).toBe(2);
    expect(r.output).toMatch(/no tform_project\.yml or dbt_project\.yml in /);
  });
});

describe('analyses', () => {
  it('are compiled by tform compile (refs, ephemeral CTEs) into target/compiled and the manifest, and never run', async () => {
    const dir = dbtProject({
      'models/orders.sql': "{{ config(materialized='table') }}\nselect 1 as id, 10 as amount\n",
      'models/eph.sql': "{{ config(materialized='ephemeral') }}\nselect id from {{ ref('orders') }}\n",
      'analyses/top.sql': "select * from {{ ref('orders') }} join {{ ref('eph') }} using (id)\n",
    });
    const c = await runCli(['compile'], { cwd: dir });
    expect(c.code, c.output).toBe(0);
    const sql = fs.readFileSync(path.join(dir, 'target/compiled/shop/analyses/top.sql'), 'utf8');
    expect(sql).toMatch(/__tform_cte__eph as \(/);
    expect(sql).toMatch(/from "main"\."orders" join __tform_cte__eph using \(id\)/);
    const m = readJson(path.join(dir, 'target/manifest.json'));
    expect(m.analyses['analysis.shop.top']).toMatchObject({ resourceType: 'analysis', path: 'analyses/top.sql', compiledPath: 'target/compiled/shop/analyses/top.sql', dependsOn: { nodes: ['model.shop.eph', 'model.shop.orders'] } });
    expect(Object.keys(m.nodes)).not.toContain('analysis.shop.top');

    const r = await runCli(['build'], { cwd: dir });
    expect(r.code, r.output).toBe(0);
    expect(r.output).not.toMatch(/\btop\b/);
    expect(readJson(path.join(dir, 'target/run_results.json')).results.map((x: { name: string }) => x.name)).toEqual(['orders']);
  });

  it("a ref to an unknown model in an analysis is an error at the analysis's line", async () => {
    const dir = dbtProject({ 'models/orders.sql': 'select 1 as id\n', 'analyses/a.sql': "-- x\nselect * from {{ ref('order') }}\n" });
    const r = await runCli(['compile'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.output).toMatch(/analyses\/a\.sql:2\s+ref\('order'\) does not match any model or seed/);
    expect(r.output).toMatch(/did you mean ref\('orders'\)\?/);
  });
});

describe('tform clean', () => {
  it('removes the clean-targets (default target/ and dbt_packages/), keeping DuckDB files', async () => {
    const dir = dbtProject({ 'models/m.sql': 'select 1 as id\n' }, { project: 'clean-targets: [target, dbt_packages, logs]\n' });
    writeFiles(dir, { 'target/manifest.json': '{}', 'target/compiled/x.sql': 'select 1', 'target/dev.duckdb': 'db', 'dbt_packages/dbt_utils/x.sql': '', 'logs/dbt.log': '' });
    const r = await runCli(['clean'], { cwd: dir });
    expect(r.code, r.output).toBe(0);
    expect(r.output).toMatch(/Cleaned target\/\*/);
    expect(r.output).toMatch(/Kept target\/dev\.duckdb \(a database file\)/);
    expect(r.output).toMatch(/Finished cleaning all paths\./);
    expect(fs.readdirSync(path.join(dir, 'target'))).toEqual(['dev.duckdb']);
    expect(fs.existsSync(path.join(dir, 'dbt_packages'))).toBe(false);
    expect(fs.existsSync(path.join(dir, 'logs'))).toBe(false);
    expect(fs.existsSync(path.join(dir, 'models/m.sql'))).toBe(true);
    // a tform project: target/ by default too
    const t = makeProject({ 'tform_project.yml': 'name: proj\n', 'target/manifest.json': '{}' });
    expect((await runCli(['clean', '--project-dir', t], { cwd: dir })).code).toBe(0);
    expect(fs.existsSync(path.join(t, 'target'))).toBe(false);
  });

  it('refuses a path outside the project, the project itself or one holding models, before removing anything', async () => {
    const outside = makeProject({ 'keep.txt': 'x' });
    for (const [targets, message] of [
      [`[target, "${outside}"]`, /clean-target '.*' is outside the project directory/],
      ['[target, "../x"]', /clean-target '\.\.\/x' is outside the project directory/],
      ['[target, "."]', /clean-target '\.' is the project directory itself/],
      ['[target, models]', /clean-target 'models' holds project files \(models\)/],
    ] as const) {
      const dir = dbtProject({ 'models/m.sql': 'select 1\n', 'target/x': '' }, { project: `clean-targets: ${targets}\n` });
      const r = await runCli(['clean'], { cwd: dir });
      expect(r.code, r.output).toBe(2);
      expect(r.output).toMatch(/dbt_project\.yml:5\s/);
      expect(r.output).toMatch(message);
      expect(fs.existsSync(path.join(dir, 'target/x'))).toBe(true);
    }
    expect(fs.existsSync(path.join(outside, 'keep.txt'))).toBe(true);
  });
});

describe('an unmodified dbt project end to end', () => {
  it('seeds, models, tests, docs, sources and analyses build with tform build', async () => {
    const dir = dbtProject(
      {
        'seeds/raw_orders.csv': 'id,customer_id,amount,ordered_at\n1,1,10,2024-01-01\n2,1,20,2024-01-02\n3,2,5,2024-01-02\n',
        'models/staging/stg_orders.sql': "select id as order_id, customer_id, amount from {{ ref('raw_orders') }}\nwhere amount >= {{ var('min_amount') }}\n",
        'models/marts/customers.sql': "select customer_id, sum(amount) as total from {{ ref('stg_orders') }} group by 1\n",
        'models/schema.yml': [
          'version: 2',
          'models:',
          '  - name: stg_orders',
          "    description: '{{ doc(\"orders\") }}'",
          '    columns:',
          '      - name: order_id',
          '        data_tests: [unique, not_null]',
          '  - name: customers',
          '    columns:',
          '      - name: customer_id',
          '        tests:',
          '          - unique',
          '          - relationships:',
          "              to: ref('stg_orders')",
          '              field: customer_id',
          'seeds:',
          '  - name: raw_orders',
          '    config:',
          '      column_types: {ordered_at: date}',
          '',
        ].join('\n'),
        'models/docs.md': '{% docs orders %}\nOne row per order.\n{% enddocs %}\n',
        'analyses/biggest.sql': "select * from {{ ref('customers') }} order by total desc\n",
        'macros/cents.sql': '{% macro cents(col) %}({{ col }} * 100){% endmacro %}\n',
        'models/marts/cents.sql': "select customer_id, {{ cents('total') }} as cents from {{ ref('customers') }}\n",
      },
      { project: 'vars:\n  min_amount: 0\nmodels:\n  shop:\n    marts:\n      +materialized: table\n' },
    );
    const r = await runCli(['build'], { cwd: dir });
    expect(r.code, r.output).toBe(0);
    expect(r.output).toMatch(/Done\. PASS=8 WARN=0 ERROR=0 SKIP=0 TOTAL=8/);
    expect(await queryDuckDB(path.join(dir, DB_FILE), 'select customer_id, cents from main.cents order by 1')).toEqual([
      { customer_id: 1, cents: 3000 },
      { customer_id: 2, cents: 500 },
    ]);
    const types = await queryDuckDB(path.join(dir, DB_FILE), "select data_type from information_schema.columns where table_name = 'raw_orders' and column_name = 'ordered_at'");
    expect(types).toEqual([{ data_type: 'DATE' }]);
    const m = readJson(path.join(dir, 'target/manifest.json'));
    expect(m.nodes['model.shop.stg_orders'].description).toBe('One row per order.');
  });
});

describe('profiles for a dbt project', () => {
  it('a DuckDB path is opened from the directory tform runs in (as dbt-duckdb), not the project dir', async () => {
    const cwd = makeProject({});
    const dir = dbtProject({ 'models/m.sql': 'select 1 as id\n' }, { profiles: dbtProfilesYml({ path: 'dbs/dev.duckdb' }) });
    const r = await runCli(['run', '--project-dir', dir], { cwd });
    expect(r.code, r.output).toBe(0);
    expect(fs.existsSync(path.join(cwd, 'dbs/dev.duckdb'))).toBe(true);
    expect(fs.existsSync(path.join(dir, 'dbs'))).toBe(false);
    expect(await queryDuckDB(path.join(cwd, 'dbs/dev.duckdb'), 'select id from main.m')).toEqual([{ id: 1 }]);
  });
});
