/**
 * The tform CLI end to end: help, init + build, ls, compile, JSON logs, --vars, env_var defaults,
 * debug, --select, and secrets never reaching stdout or target/.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';
import { DB_FILE, basicProject, cleanupProjects, listFiles, makeProject, readJson } from './helpers/fixture.js';
import { queryDuckDB, userRelations } from './helpers/duckdb.js';

// Tests run concurrently (each spawns the CLI); fixtures are removed once the file is done.
afterAll(cleanupProjects);

/** a -> b -> c, and d on its own. */
const CHAIN: Record<string, string> = {
  'models/a.sql': 'select 1 as id\n',
  'models/b.sql': "select id + 1 as id from {{ ref('a') }}\n",
  'models/c.sql': "select id + 1 as id from {{ ref('b') }}\n",
  'models/d.sql': 'select 4 as id\n',
};

describe.concurrent('tform CLI', () => {
  it('--help exits 0 and lists the commands', async () => {
    const r = await runCli(['--help'], { cwd: makeProject({}) });
    expect(r.code).toBe(0);
    for (const c of ['init', 'compile', 'seed', 'run', 'build', 'ls', 'debug']) expect(r.stdout).toMatch(new RegExp(`tform ${c}\\b`));
  });

  it('no command is a usage error (exit 2)', async () => {
    const r = await runCli([], { cwd: makeProject({}) });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Pick a command/);
  });

  it('init demo, then build --project-dir demo succeeds and writes manifest, run_results and compiled SQL', async () => {
    const cwd = makeProject({});
    const init = await runCli(['init', 'demo'], { cwd });
    expect(init.code, init.output).toBe(0);
    expect(fs.existsSync(path.join(cwd, 'demo', 'tform_project.yml'))).toBe(true);

    const build = await runCli(['build', '--project-dir', 'demo'], { cwd });
    expect(build.code, build.output).toBe(0);
    expect(build.stdout).toMatch(/Completed successfully/);
    expect(build.stdout).toMatch(/Done\. PASS=4 WARN=0 ERROR=0 SKIP=0 TOTAL=4/);

    const target = path.join(cwd, 'demo', 'target');
    const manifest = readJson(path.join(target, 'manifest.json'));
    expect(Object.keys(manifest.nodes).sort()).toEqual(['model.demo.brz_orders', 'model.demo.daily_revenue', 'model.demo.slv_orders', 'seed.demo.raw_orders']);
    const results = readJson(path.join(target, 'run_results.json'));
    expect(results.results.map((r: { status: string }) => r.status)).toEqual(['success', 'success', 'success', 'success']);
    const compiled = listFiles(path.join(target, 'compiled'));
    expect(compiled).toEqual(['demo/models/bronze/brz_orders.sql', 'demo/models/gold/daily_revenue.sql', 'demo/models/silver/slv_orders.sql']);
    const rows = await queryDuckDB(path.join(target, 'demo.duckdb'), 'select orders, revenue from main.daily_revenue order by day');
    expect(rows).toEqual([
      { orders: 2, revenue: 14.98 },
      { orders: 2, revenue: 20.98 },
    ]);
  });

  it('init refuses a folder that is not empty (exit 2)', async () => {
    const cwd = makeProject({ 'demo/file.txt': 'x' });
    const r = await runCli(['init', 'demo'], { cwd });
    expect(r.code).toBe(2);
    expect(r.output).toMatch(/exists and is not empty/);
  });

  it('ls lists the nodes (selector, name and json outputs)', async () => {
    const root = basicProject({ ...CHAIN, 'models/sub/e.sql': 'select 5 as id\n', 'seeds/s.csv': 'x\n1\n' });
    const sel = await runCli(['ls'], { cwd: root });
    expect(sel.code, sel.output).toBe(0);
    expect(sel.stdout.trim().split('\n').sort()).toEqual(['proj.a', 'proj.b', 'proj.c', 'proj.d', 'proj.s', 'proj.sub.e']);

    const names = await runCli(['ls', '--output', 'name', '--select', 'b+'], { cwd: root });
    expect(names.stdout.trim().split('\n').sort()).toEqual(['b', 'c']);

    const json = await runCli(['ls', '--output', 'json', '--resource-type', 'model', '--select', 'a'], { cwd: root });
    expect(JSON.parse(json.stdout.trim())).toMatchObject({ unique_id: 'model.proj.a', resource_type: 'model', path: 'models/a.sql', materialized: 'view', relation: '"main"."a"' });
    // Listing never opens the warehouse.
    expect(fs.existsSync(path.join(root, DB_FILE))).toBe(false);
  });

  it('compile writes compiled SQL with refs resolved to quoted relations, and touches no warehouse', async () => {
    const root = basicProject({
      ...CHAIN,
      'models/sources.yml': 'version: 2\nsources:\n  - name: raw\n    schema: landing\n    tables:\n      - name: events\n',
      'models/e.sql': "select * from {{ source('raw', 'events') }} join {{ ref('d') }} using (id)\n",
    });
    const r = await runCli(['compile'], { cwd: root });
    expect(r.code, r.output).toBe(0);
    expect(r.stdout).toMatch(/Compiled 5 models/);
    const read = (m: string) => fs.readFileSync(path.join(root, 'target/compiled/proj/models', `${m}.sql`), 'utf8');
    expect(read('b')).toBe('select id + 1 as id from "main"."a"\n');
    expect(read('e')).toBe('select * from "landing"."events" join "main"."d" using (id)\n');
    const manifest = readJson(path.join(root, 'target/manifest.json'));
    expect(manifest.nodes['model.proj.c'].compiledCode).toBe('select id + 1 as id from "main"."b"\n');
    expect(manifest.parentMap['model.proj.e'].sort()).toEqual(['model.proj.d', 'source.proj.raw.events']);
    expect(fs.existsSync(path.join(root, DB_FILE))).toBe(false);
  });

  it('--log-format json prints one JSON object per line', async () => {
    const root = basicProject(CHAIN);
    const r = await runCli(['run', '--log-format', 'json'], { cwd: root });
    expect(r.code, r.output).toBe(0);
    const lines = r.stdout.split('\n').filter((l) => l.length > 0);
    expect(lines.length).toBeGreaterThan(5);
    const events = lines.map((l) => {
      const e = JSON.parse(l);
      expect(e).toEqual(expect.objectContaining({ ts: expect.any(String), level: expect.any(String), event: expect.any(String), msg: expect.any(String) }));
      return e;
    });
    expect(events.filter((e) => e.event === 'node_start')).toHaveLength(4);
    expect(events.filter((e) => e.event === 'node_finished').map((e) => e.data.status)).toEqual(['success', 'success', 'success', 'success']);
    expect(events.find((e) => e.event === 'run_summary').data).toMatchObject({ pass: 4, error: 0, skip: 0, total: 4 });
    // No colour codes or text-format timestamps sneak in.
    expect(r.stdout).not.toMatch(/\u001b\[/);
  });

  it('--vars overrides a project var; env_var() falls back to its default and reads the environment', async () => {
    const root = basicProject(
      {
        'models/v.sql': "select {{ var('min_amount') }} as min_amount, '{{ var('label') }}' as label, '{{ env_var('TFORM_TEST_REGION', 'eu') }}' as region, '{{ env_var('TFORM_TEST_SET') }}' as set_var\n",
      },
      { project: "vars:\n  min_amount: 0\n  label: from_project\n" },
    );
    const r = await runCli(['run', '--vars', '{min_amount: 5}'], { cwd: root, env: { TFORM_TEST_SET: 'from_env' } });
    expect(r.code, r.output).toBe(0);
    const compiled = fs.readFileSync(path.join(root, 'target/compiled/proj/models/v.sql'), 'utf8');
    expect(compiled).toBe("select 5 as min_amount, 'from_project' as label, 'eu' as region, 'from_env' as set_var\n");
    expect(await queryDuckDB(path.join(root, DB_FILE), 'select * from main.v')).toEqual([{ min_amount: 5, label: 'from_project', region: 'eu', set_var: 'from_env' }]);

    const json = await runCli(['compile', '--vars', '{"min_amount": 7, "label": "cli"}'], { cwd: root, env: { TFORM_TEST_SET: 'x', TFORM_TEST_REGION: 'us' } });
    expect(json.code, json.output).toBe(0);
    expect(fs.readFileSync(path.join(root, 'target/compiled/proj/models/v.sql'), 'utf8')).toBe("select 7 as min_amount, 'cli' as label, 'us' as region, 'x' as set_var\n");
  });

  it('debug checks the project, the profile and the connection', async () => {
    const root = basicProject(CHAIN);
    const r = await runCli(['debug'], { cwd: root });
    expect(r.code, r.output).toBe(0);
    expect(r.stdout).toMatch(/tform_project\.yml file \[OK found and valid\] \(proj\)/);
    expect(r.stdout).toMatch(/profiles\.yml file \[OK found and valid\] \(profiles\.yml, profile proj, target dev\)/);
    expect(r.stdout).toMatch(/Connection test: \[OK connection ok\]/);
    expect(r.stdout).toMatch(/All checks passed!/);
    // It connects, but creates nothing.
    expect(await userRelations(path.join(root, DB_FILE))).toEqual([]);
  });

  it('--select name+ limits the run to the model and its descendants', async () => {
    const root = basicProject(CHAIN);
    const names = () => readJson(path.join(root, 'target/run_results.json')).results.map((r: { name: string }) => r.name);

    const first = await runCli(['run', '--select', 'a+'], { cwd: root });
    expect(first.code, first.output).toBe(0);
    expect(names()).toEqual(['a', 'b', 'c']);
    expect(readJson(path.join(root, 'target/run_results.json')).args.select).toEqual(['a+']);
    expect(await userRelations(path.join(root, DB_FILE))).toEqual(['main.a', 'main.b', 'main.c']);

    const second = await runCli(['run', '--select', 'b+'], { cwd: root });
    expect(second.code, second.output).toBe(0);
    expect(names()).toEqual(['b', 'c']);

    const plus = await runCli(['run', '--select', '+b', '--exclude', 'a'], { cwd: root });
    expect(plus.code, plus.output).toBe(0);
    expect(names()).toEqual(['b']);

    const none = await runCli(['run', '--select', 'nothing_like_this'], { cwd: root });
    expect(none.code).toBe(0);
    expect(none.stdout).toMatch(/did not match any nodes/);
    expect(await userRelations(path.join(root, DB_FILE))).toEqual(['main.a', 'main.b', 'main.c']);
  });

  it('a secret from TFORM_ENV_SECRET_* used through env_var() in profiles.yml never reaches stdout or target/', async () => {
    const secret = 'hunter2-Sup3rS3cret-value';
    const plain = 'plain-Db-Pa55word-value';
    const setting = 'setting-S3cret-tmpdir-value';
    const root = basicProject(
      {
        'models/a.sql': 'select 1 as id\n',
        // A model that (unwisely) selects the secret: the compiled SQL on disk and the logs must mask it.
        'models/leaky.sql': "select '{{ env_var('TFORM_ENV_SECRET_X') }}' as token, '{{ target.password }}' as pw, '{{ target.name }}' as t, '{{ target.settings | dump }}' as settings\n",
      },
      {
        profile: {
          path: 'db/warehouse.duckdb',
          extra: [
            `password: "{{ env_var('TFORM_ENV_SECRET_X') }}"`,
            `api_token: "{{ env_var('PLAIN_DB_PASS') }}"`,
            // A DuckDB setting that accepts any string and does nothing until it spills to disk.
            'settings:',
            `  temp_directory: "db/{{ env_var('TFORM_ENV_SECRET_Y') }}"`,
          ],
        },
      },
    );
    const env = { TFORM_ENV_SECRET_X: secret, PLAIN_DB_PASS: plain, TFORM_ENV_SECRET_Y: setting };
    const outputs: string[] = [];
    for (const args of [['debug'], ['build', '--debug'], ['build', '--log-format', 'json']]) {
      const r = await runCli(args, { cwd: root, env });
      expect(r.code, `${args.join(' ')}: ${r.output}`).toBe(0);
      outputs.push(r.output);
    }
    for (const out of outputs) {
      expect(out).not.toContain(secret);
      expect(out).not.toContain(plain);
      expect(out).not.toContain(setting);
    }
    const targetFiles = listFiles(path.join(root, 'target'));
    expect(targetFiles).toContain('manifest.json');
    expect(targetFiles).toContain('run_results.json');
    for (const f of targetFiles) {
      const text = fs.readFileSync(path.join(root, 'target', f), 'utf8');
      expect(text, f).not.toContain(secret);
      expect(text, f).not.toContain(plain);
      expect(text, f).not.toContain(setting);
    }
    expect(fs.readFileSync(path.join(root, 'target/compiled/proj/models/leaky.sql'), 'utf8')).toBe(
      `select '*****' as token, '' as pw, 'dev' as t, '{"temp_directory":"db/*****"}' as settings\n`,
    );
  });
});
