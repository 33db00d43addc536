/**
 * Relation naming as dbt users expect it: target schema by default, `<target_schema>_<custom>`
 * for a custom schema from the project tree, schema YAML `config:` or `{{ config() }}` (file wins
 * over YAML, YAML over the tree), `alias`, and project macros generate_schema_name /
 * generate_alias_name overriding the defaults.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ExecNode, ModelNode } from '@tform/core';
import { runCli } from './helpers/cli.js';
import { DB_FILE, basicProject, cleanupProjects } from './helpers/fixture.js';
import { planWith, withProject } from './helpers/inprocess.js';
import { userRelations } from './helpers/duckdb.js';

afterEach(cleanupProjects);

type Names = Record<string, { schema: string; alias: string; relationName: string }>;

async function namesOf(root: string): Promise<{ names: Names; nodes: Record<string, ExecNode> }> {
  return withProject(root, (p) => {
    const names: Names = {};
    const nodes: Record<string, ExecNode> = {};
    for (const n of Object.values(p.session.manifest.nodes)) {
      names[n.name] = { schema: n.schema, alias: n.alias, relationName: n.relationName };
      nodes[n.name] = n;
    }
    return { names, nodes };
  });
}

/** Tables and views of the DuckDB file as `schema.name`, sorted (system schemas and tform's run log left out). */
const relationsIn = (dbPath: string) => userRelations(dbPath);

/** A project exercising every source of a custom schema, an alias and a seed. */
const PRECEDENCE_PROJECT = `models:
  proj:
    staging:
      +schema: stg
    marts:
      +schema: tree_marts
      +materialized: table
seeds:
  +schema: raw
`;

const PRECEDENCE_FILES: Record<string, string> = {
  'models/plain.sql': 'select 1 as id\n',
  'models/staging/stg_orders.sql': 'select 1 as order_id\n',
  'models/marts/tree_only.sql': 'select 1 as id\n',
  'models/marts/yaml_wins.sql': 'select 1 as id\n',
  'models/marts/file_wins.sql': "{{ config(schema='from_file') }}\nselect 1 as id\n",
  'models/marts/schema.yml': `version: 2
models:
  - name: yaml_wins
    config:
      schema: from_yaml
  - name: file_wins
    config:
      schema: from_yaml
`,
  'models/aliased.sql': "{{ config(alias='orders_v2') }}\nselect 1 as id\n",
  'models/uses_alias.sql': "select * from {{ ref('aliased') }}\n",
  'seeds/countries.csv': 'code,name\nDE,Germany\n',
};

describe('default naming', () => {
  it('uses the target schema, <target>_<custom> for custom schemas, with file > YAML > project tree', async () => {
    const root = basicProject(PRECEDENCE_FILES, { project: PRECEDENCE_PROJECT, profile: { schema: 'analytics' } });
    const { names } = await namesOf(root);
    expect(names.plain).toEqual({ schema: 'analytics', alias: 'plain', relationName: '"analytics"."plain"' });
    expect(names.stg_orders!.schema).toBe('analytics_stg');
    expect(names.tree_only!.schema).toBe('analytics_tree_marts');
    expect(names.yaml_wins!.schema).toBe('analytics_from_yaml');
    expect(names.file_wins!.schema).toBe('analytics_from_file');
    expect(names.countries).toEqual({ schema: 'analytics_raw', alias: 'countries', relationName: '"analytics_raw"."countries"' });
  });

  it('alias renames the relation; ref() to the model resolves to the alias', async () => {
    const root = basicProject(PRECEDENCE_FILES, { project: PRECEDENCE_PROJECT });
    const compiled = await withProject(root, (p) => {
      planWith(p);
      return (Object.values(p.session.manifest.nodes).find((n) => n.name === 'uses_alias') as ModelNode).compiledCode;
    });
    const { names } = await namesOf(root);
    expect(names.aliased).toEqual({ schema: 'main', alias: 'orders_v2', relationName: '"main"."orders_v2"' });
    expect(compiled).toBe('select * from "main"."orders_v2"\n');
  });

  it('reads a project tree keyed by folder directly (without the project name) as well', async () => {
    const root = basicProject(
      { 'models/staging/stg_a.sql': 'select 1\n', 'models/b.sql': 'select 1\n' },
      { project: 'models:\n  staging:\n    +schema: stg\n' },
    );
    const { names } = await namesOf(root);
    expect(names.stg_a!.schema).toBe('main_stg');
    expect(names.b!.schema).toBe('main');
  });

  it('a deeper folder overrides the schema of its parent folder', async () => {
    const root = basicProject(
      { 'models/marts/finance/revenue.sql': 'select 1\n', 'models/marts/users.sql': 'select 1\n' },
      { project: 'models:\n  proj:\n    marts:\n      +schema: marts\n      finance:\n        +schema: finance\n' },
    );
    const { names } = await namesOf(root);
    expect(names.users!.schema).toBe('main_marts');
    expect(names.revenue!.schema).toBe('main_finance');
  });

  it('end to end: tform build creates every relation in the expected schema', async () => {
    const root = basicProject(PRECEDENCE_FILES, { project: PRECEDENCE_PROJECT });
    const r = await runCli(['build', '--threads', '1'], { cwd: root });
    expect(r.code, r.output).toBe(0);
    expect(await relationsIn(path.join(root, DB_FILE))).toEqual([
      'main.orders_v2',
      'main.plain',
      'main.uses_alias',
      'main_from_file.file_wins',
      'main_from_yaml.yaml_wins',
      'main_raw.countries',
      'main_stg.stg_orders',
      'main_tree_marts.tree_only',
    ]);
  });
});

/** The override dbt documents: use the custom schema as-is, else the target schema. */
const GENERATE_SCHEMA_NAME = `{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- set default_schema = target.schema -%}
    {%- if custom_schema_name is none -%}
        {{ default_schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
`;

/** The same override without Jinja's `is none` test. */
const GENERATE_SCHEMA_NAME_PORTABLE = `{% macro generate_schema_name(custom_schema_name, node) -%}
  {%- if custom_schema_name -%}{{ custom_schema_name | trim }}{%- else -%}{{ target.schema }}{%- endif -%}
{%- endmacro %}
`;

const GENERATE_ALIAS_NAME = `{% macro generate_alias_name(custom_alias_name, node) -%}
  {%- if custom_alias_name -%}{{ custom_alias_name | trim }}{%- else -%}{{ node.resource_type }}_{{ node.name }}{%- endif -%}
{%- endmacro %}
`;

describe('naming macros', () => {
  it('generate_schema_name(custom_schema_name, node) overrides the default (custom schema as-is)', async () => {
    const root = basicProject(
      { ...PRECEDENCE_FILES, 'macros/generate_schema_name.sql': GENERATE_SCHEMA_NAME_PORTABLE },
      { project: PRECEDENCE_PROJECT },
    );
    const { names } = await namesOf(root);
    expect(names.plain!.schema).toBe('main');
    expect(names.stg_orders!.schema).toBe('stg');
    expect(names.tree_only!.schema).toBe('tree_marts');
    expect(names.yaml_wins!.schema).toBe('from_yaml');
    expect(names.file_wins!.schema).toBe('from_file');
    expect(names.countries!.schema).toBe('raw');
    expect(names.stg_orders!.relationName).toBe('"stg"."stg_orders"');
  });

  it('generate_schema_name overrides the default even when it does not read target (custom schema as-is, else a fixed one)', async () => {
    const root = basicProject(
      {
        ...PRECEDENCE_FILES,
        'macros/generate_schema_name.sql': `{% macro generate_schema_name(custom_schema_name, node) -%}
  {%- if custom_schema_name -%}{{ custom_schema_name | trim }}{%- else -%}base{%- endif -%}
{%- endmacro %}
`,
      },
      { project: PRECEDENCE_PROJECT },
    );
    const { names } = await namesOf(root);
    expect(names.plain!.schema).toBe('base');
    expect(names.stg_orders!.schema).toBe('stg');
    expect(names.yaml_wins!.schema).toBe('from_yaml');
    expect(names.file_wins!.schema).toBe('from_file');
    expect(names.countries!.schema).toBe('raw');
  });

  it("generate_schema_name as written in dbt's docs (`is none`) works", async () => {
    const root = basicProject(
      { 'models/staging/stg_orders.sql': 'select 1\n', 'models/plain.sql': 'select 1\n', 'macros/generate_schema_name.sql': GENERATE_SCHEMA_NAME },
      { project: 'models:\n  staging:\n    +schema: stg\n' },
    );
    const { names } = await namesOf(root);
    expect(names.plain!.schema).toBe('main');
    expect(names.stg_orders!.schema).toBe('stg');
  });

  it('the macro sees the node (name, fqn, resource_type, path) and the target', async () => {
    const root = basicProject(
      {
        'models/staging/stg_orders.sql': 'select 1\n',
        'macros/naming.sql': `{% macro generate_schema_name(custom_schema_name, node) -%}
{{ target.schema }}_{{ node.fqn[1] if node.fqn | length > 2 else 'root' }}_{{ node.resource_type }}
{%- endmacro %}
`,
      },
      { profile: { schema: 'dev' } },
    );
    const { names } = await namesOf(root);
    expect(names.stg_orders!.schema).toBe('dev_staging_model');
  });

  it('generate_alias_name(custom_alias_name, node) overrides the alias; ref() follows it', async () => {
    const root = basicProject(
      { ...PRECEDENCE_FILES, 'macros/generate_alias_name.sql': GENERATE_ALIAS_NAME },
      { project: PRECEDENCE_PROJECT },
    );
    const { names } = await namesOf(root);
    expect(names.plain!.alias).toBe('model_plain');
    expect(names.aliased!.alias).toBe('orders_v2');
    expect(names.countries!.alias).toBe('seed_countries');
    expect(names.uses_alias!.relationName).toBe('"main"."model_uses_alias"');
  });

  it('end to end: relations land in the schemas the macros name', async () => {
    const root = basicProject(
      {
        ...PRECEDENCE_FILES,
        'macros/generate_schema_name.sql': GENERATE_SCHEMA_NAME_PORTABLE,
        'macros/generate_alias_name.sql': GENERATE_ALIAS_NAME,
      },
      { project: PRECEDENCE_PROJECT },
    );
    const r = await runCli(['build', '--threads', '1'], { cwd: root });
    expect(r.code, r.output).toBe(0);
    expect(await relationsIn(path.join(root, DB_FILE))).toEqual([
      'from_file.model_file_wins',
      'from_yaml.model_yaml_wins',
      'main.model_plain',
      'main.model_uses_alias',
      'main.orders_v2',
      'raw.seed_countries',
      'stg.model_stg_orders',
      'tree_marts.model_tree_only',
    ]);
    const compiled = fs.readFileSync(path.join(root, 'target/compiled/proj/models/uses_alias.sql'), 'utf8');
    expect(compiled).toBe('select * from "main"."orders_v2"\n');
  });
});

describe('macro context (root cause of the naming macro failures above)', () => {
  it('a project macro sees target, this and project_name like the model calling it', async () => {
    const root = basicProject({
      'macros/who.sql': "{% macro who() %}'{{ target.schema }}|{{ this }}|{{ project_name }}'{% endmacro %}\n",
      'models/a.sql': "select {{ who() }} as via_macro, '{{ target.schema }}|{{ this }}|{{ project_name }}' as direct\n",
    });
    const compiled = await withProject(root, (p) => {
      planWith(p);
      return (p.session.manifest.nodes['model.proj.a'] as ModelNode).compiledCode;
    });
    expect(compiled).toBe(`select 'main|"main"."a"|proj' as via_macro, 'main|"main"."a"|proj' as direct\n`);
  });
});
