/**
 * User errors through the CLI: each exits 2, prints `path:line` where a file applies and a hint,
 * prints no stack trace, and writes nothing to the warehouse (the DuckDB file does not exist
 * afterwards, or has no user relations in it).
 */
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, type CliResult } from './helpers/cli.js';
import { DB_FILE, cleanupProjects, makeProject, profilesYml, projectYml } from './helpers/fixture.js';
import { userRelations } from './helpers/duckdb.js';

// Tests run concurrently (each spawns the CLI); fixtures are removed once the file is done.
afterAll(cleanupProjects);

interface Case {
  name: string;
  files: Record<string, string>;
  /** tform_project.yml text; default: name/profile proj. */
  project?: string;
  /** profiles.yml text; null: no profiles.yml at all. */
  profiles?: string | null;
  args?: string[];
  env?: NodeJS.ProcessEnv;
  /** `path:line` expected at the start of the message (a column may follow); undefined: no file applies. */
  location?: string | RegExp;
  message: RegExp;
  hint: RegExp;
  /** Extra checks on the output. */
  also?: (r: CliResult) => void;
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const TWO_TARGETS = `proj:
  target: dev
  outputs:
    dev:
      type: duckdb
      path: ${DB_FILE}
      schema: main
    prod:
      type: duckdb
      path: ${DB_FILE}
      schema: prod
`;

const CASES: Case[] = [
  {
    name: 'unknown ref (hint names the closest model, line of the ref)',
    files: { 'models/orders.sql': 'select 1 as id\n', 'models/b.sql': "-- b\nselect *\nfrom {{ ref('orderz') }}\n" },
    location: 'models/b.sql:3',
    message: /ref\('orderz'\) does not match any model or seed/,
    hint: /did you mean ref\('orders'\)\?/,
  },
  {
    name: 'unknown source',
    files: {
      'models/sources.yml': 'version: 2\nsources:\n  - name: raw\n    tables:\n      - name: orders\n',
      'models/b.sql': "select *\n\nfrom {{ source('raw', 'ordrs') }}\n",
    },
    location: 'models/b.sql:3',
    message: /source\('raw', 'ordrs'\) is not declared/,
    hint: /did you mean source\('raw', 'orders'\)\?/,
  },
  {
    name: 'cycle (every edge with the file:line of its ref)',
    files: {
      'models/a.sql': "select * from {{ ref('b') }}\n",
      'models/b.sql': "-- b\nselect * from {{ ref('c') }}\n",
      'models/c.sql': "-- c\n-- c\nselect * from {{ ref('a') }}\n",
    },
    location: 'models/a.sql:1',
    message: /dependency cycle: a -> b -> c -> a/,
    hint: /remove one of these refs/,
    also: (r) => {
      expect(r.output).toMatch(/models\/a\.sql:1\s+a refs b/);
      expect(r.output).toMatch(/models\/b\.sql:2\s+b refs c/);
      expect(r.output).toMatch(/models\/c\.sql:3\s+c refs a/);
    },
  },
  {
    name: 'duplicate model name (both files named)',
    files: { 'models/x/orders.sql': 'select 1\n', 'models/y/orders.sql': 'select 2\n' },
    location: 'models/y/orders.sql',
    message: /two resources are named 'orders'/,
    hint: /rename one/,
    also: (r) => {
      expect(r.output).toContain('models/x/orders.sql');
      expect(r.output).toMatch(/orders'.*models\/y\/orders\.sql/);
    },
  },
  {
    name: 'YAML syntax error in a schema file (its line)',
    files: {
      'models/a.sql': 'select 1\n',
      'models/schema.yml': 'version: 2\nmodels:\n  - name: a\n    description: ok\n   config: {}\n',
    },
    location: 'models/schema.yml:5',
    message: /YAML syntax error/,
    hint: /indentation/,
  },
  {
    name: 'YAML syntax error in tform_project.yml',
    files: { 'models/a.sql': 'select 1\n' },
    project: 'name: proj\nprofile: proj\nvars:\n  a: 1\n   b: 2\n',
    location: 'tform_project.yml:5',
    message: /YAML syntax error/,
    hint: /indentation/,
  },
  {
    name: 'missing profiles.yml',
    files: { 'models/a.sql': 'select 1\n' },
    profiles: null,
    message: /no profiles\.yml found/,
    hint: /create profiles\.yml in the project directory, or pass --profiles-dir/,
    also: (r) => expect(r.output).toMatch(/looked in .* \(project directory\)/),
  },
  {
    name: 'unknown profile name',
    files: { 'models/a.sql': 'select 1\n' },
    project: 'name: proj\nprofile: nope\n',
    // The value to fix is `profile:` on line 2 of the project file (or the profiles.yml it is looked up in).
    location: /(tform_project\.yml:2|profiles\.yml:\d+)/,
    message: /profile 'nope' is not in profiles\.yml/,
    hint: /profiles there: proj/,
  },
  {
    name: 'missing target (--target nope; hint lists the targets)',
    files: { 'models/a.sql': 'select 1\n' },
    profiles: TWO_TARGETS,
    args: ['--target', 'nope'],
    location: 'profiles.yml:2',
    message: /target 'nope' is not defined in profile 'proj'/,
    hint: /targets defined: dev, prod/,
  },
  {
    name: "missing env var in a model (env_var('NOPE') without default)",
    files: { 'models/a.sql': "select 1 as a,\n  2 as b,\n  {{ env_var('NOPE') }} as c\n" },
    location: 'models/a.sql:3',
    message: /environment variable 'NOPE' is not set/,
    hint: /export NOPE=/,
  },
  {
    name: 'missing env var in profiles.yml',
    files: { 'models/a.sql': 'select 1\n' },
    profiles: `proj:
  target: dev
  outputs:
    dev:
      type: duckdb
      path: "{{ env_var('NOPE_DB_PATH') }}"
      schema: main
`,
    location: 'profiles.yml:6',
    message: /environment variable 'NOPE_DB_PATH' is not set/,
    hint: /export NOPE_DB_PATH=/,
  },
  {
    name: 'missing var in a model (var() without default)',
    files: { 'models/a.sql': "select 1 as a,\n  2 as b,\n  {{ var('start_date') }} as c\n" },
    location: 'models/a.sql:3',
    message: /var 'start_date' is not set/,
    hint: /--vars/,
  },
  {
    name: "template syntax error ({{ ref('a' }} on line 3)",
    files: { 'models/a.sql': 'select 1\n', 'models/b.sql': "select\n  1 as a\nfrom {{ ref('a' }}\n" },
    location: 'models/b.sql:3',
    message: /template syntax error/,
    hint: /closed/,
  },
  {
    name: 'malformed --vars',
    files: { 'models/a.sql': 'select 1\n' },
    args: ['--vars', '{a: [1'],
    message: /--vars is not valid YAML or JSON/,
    hint: /--vars '\{start_date: 2024-01-01\}'/,
  },
  {
    name: '--vars that is not a mapping',
    files: { 'models/a.sql': 'select 1\n' },
    args: ['--vars', '[1, 2]'],
    message: /--vars must be a mapping/,
    hint: /--vars '\{/,
  },
  {
    name: 'unknown materialization in {{ config() }}',
    files: { 'models/a.sql': "-- a\n{{ config(materialized='tabel') }}\nselect 1\n" },
    location: 'models/a.sql:2',
    message: /model a has unknown materialization 'tabel'/,
    hint: /did you mean 'table'\? materializations: view, table, ephemeral/,
  },
  {
    name: 'unknown materialization in schema YAML',
    files: {
      'models/a.sql': 'select 1\n',
      'models/schema.yml': 'version: 2\nmodels:\n  - name: a\n    config:\n      materialized: incremntal\n',
    },
    location: /models\/schema\.yml:[3-5]/,
    message: /unknown materialization 'incremntal'/,
    hint: /materializations: view, table, ephemeral/,
  },
  {
    name: 'unknown materialization in the project tree',
    files: { 'models/a.sql': 'select 1\n' },
    project: 'name: proj\nprofile: proj\nmodels:\n  +materialized: snapshot\n',
    location: 'tform_project.yml:4',
    message: /unknown materialization 'snapshot'/,
    hint: /materializations: view, table, ephemeral/,
  },
  {
    name: 'unknown adapter type (hint lists the built-ins)',
    files: { 'models/a.sql': 'select 1\n' },
    profiles: `proj:\n  target: dev\n  outputs:\n    dev:\n      type: postgress\n      path: ${DB_FILE}\n      schema: main\n`,
    location: 'profiles.yml:5',
    message: /no adapter for type 'postgress'/,
    hint: /did you mean 'postgres'\? built-in: bigquery, duckdb, postgres/,
  },
];

describe.concurrent('user errors exit 2 with path:line and a hint, no stack trace, nothing written', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const files: Record<string, string> = { 'tform_project.yml': c.project ?? projectYml(), ...c.files };
    if (c.profiles !== null) files['profiles.yml'] = c.profiles ?? profilesYml();
    const root = makeProject(files);
    // HOME inside the fixture: no ~/.tform/profiles.yml of the machine can be found.
    const r = await runCli(['build', ...(c.args ?? [])], { cwd: root, env: { HOME: root, ...c.env } });

    expect(r.code, r.output).toBe(2);
    expect(r.output).toMatch(c.message);
    expect(r.output).toMatch(/^\d\d:\d\d:\d\d\s+hint: /m);
    expect(r.output).toMatch(c.hint);
    if (c.location !== undefined) {
      // `<path>:<line>[:<col>]  <message>` at the start of the error line (after the timestamp).
      const loc = typeof c.location === 'string' ? escapeRe(c.location) : c.location.source;
      expect(r.output).toMatch(new RegExp(`^\\d\\d:\\d\\d:\\d\\d  (${loc})(:\\d+)?  \\S`, 'm'));
    }
    expect(r.output).not.toMatch(/^\s+at .+[:(]\d+:\d+\)?$/m);
    expect(r.output).not.toContain('Internal error');
    expect(r.output).not.toContain('TformError');
    c.also?.(r);
    expect(await userRelations(path.join(root, DB_FILE), true)).toEqual([]);
  });

  it('--log-format json reports the error code, file, line and hint as data', async () => {
    const root = makeProject({
      'tform_project.yml': projectYml(),
      'profiles.yml': profilesYml(),
      'models/orders.sql': 'select 1 as id\n',
      'models/b.sql': "-- b\nselect *\nfrom {{ ref('orderz') }}\n",
    });
    const r = await runCli(['run', '--log-format', 'json'], { cwd: root, env: { HOME: root } });
    expect(r.code).toBe(2);
    const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    const err = events.find((e) => e.event === 'user_error');
    expect(err).toMatchObject({ level: 'error', data: { code: 'REF_UNKNOWN', file: 'models/b.sql', line: 3, hint: "did you mean ref('orders')?" } });
  });

  it("a missing env var in a model keeps its own error code and hint (json)", async () => {
    const root = makeProject({
      'tform_project.yml': projectYml(),
      'profiles.yml': profilesYml(),
      'models/a.sql': "select 1 as a,\n  2 as b,\n  {{ env_var('NOPE') }} as c\n",
    });
    const r = await runCli(['compile', '--log-format', 'json'], { cwd: root, env: { HOME: root } });
    expect(r.code).toBe(2);
    const err = r.stdout.trim().split('\n').map((l) => JSON.parse(l)).find((e) => e.event === 'user_error');
    expect(err.data).toMatchObject({ code: 'ENV_VAR_MISSING', file: 'models/a.sql', line: 3 });
    expect(err.data.hint).toMatch(/export NOPE=/);
  });
});
