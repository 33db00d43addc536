/**
 * profiles.yml found as dbt finds it (--profiles-dir, $DBT_PROFILES_DIR, the project dir, ~/.dbt;
 * tform's $TFORM_PROFILES_DIR and ~/.tform too), rendered as dbt renders it, and the dbt keys of
 * the duckdb and postgres targets.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { profileDirs, type TargetProfile } from '@tform/core';
import { resolvePostgresConfig } from '@tform/adapters/postgres';
import { runCli } from './helpers/cli.js';
import { DB_FILE, cleanupProjects, makeProject } from './helpers/fixture.js';
import { dbtProfilesYml, dbtProject } from './helpers/dbt.js';
import { pgAvailable } from './helpers/pg.js';

afterAll(cleanupProjects);

/** A profiles.yml whose `dev` target writes to an absolute DuckDB path, so where it is read from shows in `tform debug`. */
const profileAt = (dbPath: string, schema = 'main') => `shop:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: ${dbPath}\n      schema: ${schema}\n`;

describe.concurrent('where profiles.yml is found', () => {
  it('the search order: --profiles-dir, TFORM_PROFILES_DIR, DBT_PROFILES_DIR, project, cwd, ~/.tform and ~/.dbt (~/.dbt first for dbt projects)', () => {
    const env = { HOME: '/home/u', TFORM_PROFILES_DIR: '/t', DBT_PROFILES_DIR: '/d' };
    expect(profileDirs({ projectDir: '/p', env, cwd: '/c' }).map((d) => d.dir)).toEqual(['/t', '/d', '/p', '/c', '/home/u/.tform', '/home/u/.dbt']);
    expect(profileDirs({ projectDir: '/p', env, cwd: '/p', flavor: 'dbt' }).map((d) => d.dir)).toEqual(['/t', '/d', '/p', '/home/u/.dbt', '/home/u/.tform']);
    expect(profileDirs({ projectDir: '/p', env, profilesDir: '/flag' }).map((d) => d.dir)).toEqual(['/flag']);
  });

  it('DBT_PROFILES_DIR is read (and --profiles-dir beats it, TFORM_PROFILES_DIR too)', async () => {
    const dir = dbtProject({ 'models/m.sql': 'select 1 as id\n' }, { profiles: null });
    const viaDbt = makeProject({ 'profiles.yml': profileAt(path.join(dir, 'dbt.duckdb'), 'from_dbt_env') });
    const viaFlag = makeProject({ 'profiles.yml': profileAt(path.join(dir, 'flag.duckdb'), 'from_flag') });
    const viaTform = makeProject({ 'profiles.yml': profileAt(path.join(dir, 'tform.duckdb'), 'from_tform_env') });
    const home = makeProject({});
    const a = await runCli(['debug'], { cwd: dir, env: { DBT_PROFILES_DIR: viaDbt, HOME: home } });
    expect(a.code, a.output).toBe(0);
    expect(a.output).toMatch(/schema: from_dbt_env/);
    const b = await runCli(['debug', '--profiles-dir', viaFlag], { cwd: dir, env: { DBT_PROFILES_DIR: viaDbt, HOME: home } });
    expect(b.output).toMatch(/schema: from_flag/);
    const c = await runCli(['debug'], { cwd: dir, env: { DBT_PROFILES_DIR: viaDbt, TFORM_PROFILES_DIR: viaTform, HOME: home } });
    expect(c.output).toMatch(/schema: from_tform_env/);
    const d = await runCli(['debug', '--config-dir'], { cwd: dir, env: { DBT_PROFILES_DIR: viaDbt, HOME: home } });
    expect(d.code, d.output).toBe(0);
    expect(d.stdout.trim()).toBe(viaDbt);
  });

  it('~/.dbt/profiles.yml is read when no other place has one (HOME set to a temp dir)', async () => {
    const dir = dbtProject({ 'models/m.sql': 'select 1 as id\n' }, { profiles: null });
    const home = makeProject({ '.dbt/profiles.yml': profileAt(path.join(dir, DB_FILE), 'from_home') });
    const r = await runCli(['run'], { cwd: dir, env: { HOME: home } });
    expect(r.code, r.output).toBe(0);
    expect(r.output).toMatch(/main\.m|from_home\.m/);
    const dbg = await runCli(['debug'], { cwd: dir, env: { HOME: home } });
    expect(dbg.output).toMatch(new RegExp(`profiles\\.yml file \\[OK found and valid\\] \\(${home.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/\\.dbt/profiles\\.yml`));
    expect(dbg.output).toMatch(/schema: from_home/);
  });

  it('no profiles.yml anywhere: the error lists every place looked in', async () => {
    const dir = dbtProject({ 'models/m.sql': 'select 1\n' }, { profiles: null });
    const home = makeProject({});
    const r = await runCli(['compile'], { cwd: dir, env: { HOME: home, DBT_PROFILES_DIR: path.join(home, 'nope') } });
    expect(r.code).toBe(2);
    expect(r.output).toMatch(/no profiles\.yml found/);
    for (const why of ['DBT_PROFILES_DIR', 'project directory', '~/.dbt', '~/.tform']) expect(r.output).toContain(`(${why})`);
  });
});

describe.concurrent('rendering and dbt keys', () => {
  it("target: and values render env_var(), dbt-duckdb's schema defaults to main", async () => {
    const dir = dbtProject(
      { 'models/m.sql': 'select 1 as id\n' },
      {
        profiles: [
          'shop:',
          "  target: \"{{ env_var('DBT_TARGET', 'dev') }}\"",
          '  outputs:',
          '    dev:',
          '      type: duckdb',
          `      path: ${DB_FILE}`,
          '    ci:',
          '      type: duckdb',
          `      path: ci.duckdb`,
          "      schema: \"{{ env_var('CI_SCHEMA') }}\"",
          "      threads: \"{{ env_var('CI_THREADS', '3') }}\"",
          '',
        ].join('\n'),
      },
    );
    const dev = await runCli(['debug'], { cwd: dir });
    expect(dev.code, dev.output).toBe(0);
    expect(dev.output).toMatch(/target dev\)/);
    expect(dev.output).toMatch(/schema: main, threads: 4/);
    const ci = await runCli(['debug'], { cwd: dir, env: { DBT_TARGET: 'ci', CI_SCHEMA: 'ci_run' } });
    expect(ci.code, ci.output).toBe(0);
    expect(ci.output).toMatch(/schema: ci_run, threads: 3/);
    const t = await runCli(['debug', '-t', 'ci'], { cwd: dir });
    expect(t.code).toBe(2);
    expect(t.output).toMatch(/profiles\.yml:10\s+environment variable 'CI_SCHEMA' is not set/);
  });

  it("postgres: dbt-postgres' keys (pass, dbname/database, port, keepalives_idle, connect_timeout, sslmode, search_path, role)", () => {
    const ctx = { projectDir: '/p', threads: 2 };
    const base: TargetProfile = { name: 'dev', type: 'postgres', schema: 'analytics', host: 'db', user: 'u', port: 5433, dbname: 'wh' };
    const c = resolvePostgresConfig({ ...base, pass: 's3cret', keepalives_idle: 30, connect_timeout: 5, sslmode: 'disable', search_path: 'analytics,public', role: 'transformer' }, ctx);
    expect(c).toMatchObject({ host: 'db', port: 5433, user: 'u', database: 'wh', connectTimeoutSeconds: 5, sslmode: 'disable', searchPath: 'analytics,public', role: 'transformer', keepalivesIdleSeconds: 30 });
    expect(c.password).toBe('s3cret');
    expect(JSON.stringify(c)).not.toContain('s3cret');
    expect(resolvePostgresConfig({ ...base, dbname: undefined, database: 'other', password: 'p' }, ctx)).toMatchObject({ database: 'other', password: 'p' });
    expect(() => resolvePostgresConfig({ ...base, password: 'a', pass: 'b' }, ctx)).toThrow(/`password` and `pass` disagree/);
    expect(() => resolvePostgresConfig({ ...base, keepalives_idle: -1 }, ctx)).toThrow(/keepalives_idle/);
  });

  it('postgres: role is the current user of every connection', async (t) => {
    const pg = await pgAvailable();
    if (!pg.ok) {
      if (process.env.CI === 'true') throw new Error(pg.reason);
      return t.skip(pg.reason);
    }
    const { postgresAdapterFactory } = await import('@tform/adapters/postgres');
    const { PG_SERVER } = await import('./helpers/pg.js');
    const a = await postgresAdapterFactory.create({ name: 'dev', type: 'postgres', schema: 'public', host: PG_SERVER.host, port: PG_SERVER.port, user: PG_SERVER.user, pass: PG_SERVER.password, dbname: 'postgres', role: 'pg_read_all_data' }, { projectDir: '/tmp', threads: 1 });
    try {
      expect(await a.query('select current_user as u, session_user as s')).toEqual([{ u: 'pg_read_all_data', s: PG_SERVER.user }]);
    } finally {
      await a.close();
    }
  });

  it('profiles.yml secrets given as pass: never reach the output', async () => {
    const dir = dbtProject(
      { 'models/m.sql': 'select 1 as id\n' },
      { profiles: "shop:\n  target: pg\n  outputs:\n    pg:\n      type: postgres\n      host: 127.0.0.1\n      port: 1\n      user: u\n      pass: \"{{ env_var('SHOP_PG_PASS') }}\"\n      dbname: nowhere\n      schema: s\n      connect_timeout: 1\n" },
    );
    const r = await runCli(['debug'], { cwd: dir, env: { SHOP_PG_PASS: 'hunter2-very-secret' } });
    expect(r.output).not.toContain('hunter2-very-secret');
    expect(fs.existsSync(path.join(dir, 'target'))).toBe(false);
  });
});

describe('dbt_project.yml profile name', () => {
  it('may come from env_var(); --profile overrides it', async () => {
    const dir = dbtProject({ 'models/m.sql': 'select 1 as id\n' }, { profiles: dbtProfilesYml({ name: 'warehouse' }) });
    fs.writeFileSync(path.join(dir, 'dbt_project.yml'), "name: shop\nprofile: \"{{ env_var('DBT_PROFILE', 'warehouse') }}\"\n");
    const r = await runCli(['debug'], { cwd: dir });
    expect(r.code, r.output).toBe(0);
    expect(r.output).toMatch(/profile warehouse, target dev/);
    const bad = await runCli(['debug'], { cwd: dir, env: { DBT_PROFILE: 'nope' } });
    expect(bad.code).toBe(2);
    expect(bad.output).toMatch(/dbt_project\.yml:2\s+profile 'nope' is not in profiles\.yml/);
    const flag = await runCli(['debug', '--profile', 'warehouse'], { cwd: dir, env: { DBT_PROFILE: 'nope' } });
    expect(flag.code, flag.output).toBe(0);
    expect(flag.output).toMatch(/profile warehouse, target dev/);
  });
});
