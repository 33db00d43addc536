/**
 * Schema YAML version 2 as dbt has it (models, columns, descriptions, tests:/data_tests:, sources,
 * seeds with column_types), `{% docs %}` blocks and `{{ doc() }}` in descriptions, resolved into
 * the manifest, and the dbt constructs tform does not have.
 */
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseDocBlocks, parseYaml, readSchemaFile } from '@tform/core';
import { runCli } from './helpers/cli.js';
import { cleanupProjects, readJson } from './helpers/fixture.js';
import { dbtProject } from './helpers/dbt.js';
import { withProject } from './helpers/inprocess.js';

afterAll(cleanupProjects);

const yaml = (text: string, file = 'models/schema.yml') => readSchemaFile(parseYaml(text, file), file, text);

describe('schema YAML version 2', () => {
  it('version may be left out (as dbt >= 1.5); any other version than 2 is an error at its line', () => {
    expect(yaml('models:\n  - name: m\n').models.map((m) => m.name)).toEqual(['m']);
    expect(yaml("version: '2'\nmodels:\n  - name: m\n").models).toHaveLength(1);
    let err: any;
    try {
      yaml('# props\nversion: 1\nmodels: []\n');
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: 'CONFIG_INVALID', file: 'models/schema.yml', line: 2 });
    expect(err.message).toMatch(/invalid version: 1; only version: 2 is supported/);
  });

  it('unknown keys of entries warn with file:line and a did-you-mean; dbt keys tform does not use do not', () => {
    const c = yaml(
      [
        'version: 2',
        'models:',
        '  - name: m',
        '    descripton: typo',
        '    access: public',
        '    latest_version: 1',
        '    columns:',
        '      - name: id',
        '        quote: true',
        '        data_typ: int',
        'sources:',
        '  - name: raw',
        '    loader: fivetran',
        '    tables:',
        '      - name: t',
        '        identifer: T',
        'exposures:',
        '  - name: dash',
        '',
      ].join('\n'),
    );
    expect(c.warnings).toEqual([
      'models/schema.yml:17: exposures are not supported by tform and are ignored',
      "models/schema.yml:4: unknown key 'descripton' in model m (ignored); did you mean 'description'?",
      "models/schema.yml:10: unknown key 'data_typ' in column id of model m (ignored); did you mean 'data_type'?",
      "models/schema.yml:16: unknown key 'identifer' in source table raw.t (ignored); did you mean 'identifier'?",
    ]);
  });

  it('models, columns, descriptions, tests: and data_tests:, sources and seeds with column_types build as dbt builds them', async () => {
    const dir = dbtProject({
      'seeds/raw_customers.csv': 'id,name,signed_up\n1,Ann,2024-01-01\n2,Bob,2024-01-02\n',
      'models/stg_customers.sql': "select id as customer_id, name, signed_up from {{ source('shop_raw', 'customers') }}\n",
      'models/sources.yml': [
        'version: 2',
        'sources:',
        '  - name: shop_raw',
        '    description: Raw tables.',
        '    schema: main',
        '    tables:',
        '      - name: customers',
        '        identifier: raw_customers',
        '        columns:',
        '          - name: id',
        '            tests: [not_null]',
        '',
      ].join('\n'),
      'models/schema.yml': [
        'version: 2',
        'models:',
        '  - name: stg_customers',
        '    description: Customers.',
        '    config:',
        '      materialized: table',
        '      tags: [core]',
        '    columns:',
        '      - name: customer_id',
        '        description: The key.',
        '        data_tests:',
        '          - unique',
        '          - not_null:',
        '              config:',
        '                severity: warn',
        '      - name: name',
        '        tests:',
        '          - accepted_values:',
        "              values: ['Ann', 'Bob']",
        'seeds:',
        '  - name: raw_customers',
        '    description: Seeded customers.',
        '    config:',
        '      column_types:',
        '        signed_up: date',
        '        id: smallint',
        '',
      ].join('\n'),
    });
    const r = await runCli(['build'], { cwd: dir });
    expect(r.code, r.output).toBe(0);
    expect(r.output).toMatch(/PASS=6 WARN=0 ERROR=0 SKIP=0 TOTAL=6/);
    const m = readJson(path.join(dir, 'target/manifest.json'));
    const stg = m.nodes['model.shop.stg_customers'];
    expect(stg).toMatchObject({ description: 'Customers.', materialized: 'table', tags: ['core'] });
    expect(stg.columns.map((c: { name: string; description: string }) => `${c.name}:${c.description}`)).toEqual(['customer_id:The key.', 'name:']);
    expect(m.nodes['seed.shop.raw_customers']).toMatchObject({ description: 'Seeded customers.', config: { column_types: { signed_up: 'date', id: 'smallint' } } });
    expect(m.sources['source.shop.shop_raw.customers']).toMatchObject({ description: 'Raw tables.', identifier: 'raw_customers' });
    expect(Object.values(m.tests).map((t: any) => `${t.name}:${t.config.severity}`).sort()).toEqual([
      'accepted_values_stg_customers_name__Ann__Bob:error',
      'not_null_stg_customers_customer_id:warn',
      'source_not_null_shop_raw_customers_id:error',
      'unique_stg_customers_customer_id:error',
    ]);
  });
});

describe('docs blocks', () => {
  it('parses {% docs %} blocks (whitespace control too), trimmed, with their lines', () => {
    expect(parseDocBlocks('intro\n{% docs a %}\n  A text\n{% enddocs %}\n\n{%- docs b -%}B{%- enddocs -%}\n', 'models/d.md')).toEqual([
      { name: 'a', path: 'models/d.md', line: 2, contents: 'A text' },
      { name: 'b', path: 'models/d.md', line: 6, contents: 'B' },
    ]);
    expect(() => parseDocBlocks('{% docs a %}\nno end\n', 'models/d.md')).toThrow(/docs block 'a' has no \{% enddocs %\}/);
  });

  it("{{ doc('name') }} resolves in model, column, source, source table and seed descriptions; blocks and __overview__ are kept in the manifest", async () => {
    const dir = dbtProject({
      'models/m.sql': "select 1 as id from {{ source('raw', 't') }}\n",
      'seeds/s.csv': 'id\n1\n',
      'models/docs/blocks.md': [
        '{% docs __overview__ %}',
        '# The shop',
        '{% enddocs %}',
        '',
        '{% docs m_desc %}',
        'Model **m**.',
        '{% enddocs %}',
        '{% docs id_desc %}The key.{% enddocs %}',
        '{% docs raw_desc %}Raw data.{% enddocs %}',
        '',
      ].join('\n'),
      'seeds/seed_docs.md': '{% docs s_desc %}A seed.{% enddocs %}\n',
      'models/schema.yml': [
        'version: 2',
        'models:',
        '  - name: m',
        "    description: '{{ doc(\"m_desc\") }}'",
        '    columns:',
        '      - name: id',
        "        description: \"Key: {{ doc('id_desc') }} ({{ var('note', 'none') }})\"",
        'seeds:',
        '  - name: s',
        "    description: \"{{ doc('s_desc') }}\"",
        'sources:',
        '  - name: raw',
        "    description: \"{{ doc('raw_desc') }}\"",
        '    tables:',
        '      - name: t',
        '        columns:',
        '          - name: id',
        "            description: \"{{ doc('id_desc') }}\"",
        '',
      ].join('\n'),
    });
    const r = await runCli(['compile'], { cwd: dir });
    expect(r.code, r.output).toBe(0);
    const m = readJson(path.join(dir, 'target/manifest.json'));
    expect(m.nodes['model.shop.m'].description).toBe('Model **m**.');
    expect(m.nodes['model.shop.m'].columns[0].description).toBe('Key: The key. (none)');
    expect(m.nodes['seed.shop.s'].description).toBe('A seed.');
    expect(m.sources['source.shop.raw.t'].description).toBe('Raw data.');
    expect(m.sources['source.shop.raw.t'].columns[0].description).toBe('The key.');
    expect(m.docs['doc.shop.__overview__']).toEqual({ uniqueId: 'doc.shop.__overview__', name: '__overview__', packageName: 'shop', path: 'models/docs/blocks.md', line: 1, blockContents: '# The shop' });
    expect(m.docs['doc.shop.s_desc'].path).toBe('seeds/seed_docs.md');
    expect(Object.keys(m.docs).sort()).toEqual(['doc.shop.__overview__', 'doc.shop.id_desc', 'doc.shop.m_desc', 'doc.shop.raw_desc', 'doc.shop.s_desc']);
  });

  it('docs-paths, when set, is the only place blocks are read from', async () => {
    const dir = dbtProject(
      {
        'models/m.sql': 'select 1 as id\n',
        'models/ignored.md': '{% docs in_models %}x{% enddocs %}\n',
        'docs/blocks.md': '{% docs in_docs %}y{% enddocs %}\n',
        'models/schema.yml': "version: 2\nmodels:\n  - name: m\n    description: \"{{ doc('in_docs') }}\"\n",
      },
      { project: 'docs-paths: [docs]\n' },
    );
    await withProject(dir, (p) => {
      expect(Object.keys(p.session.manifest.docs!)).toEqual(['doc.shop.in_docs']);
      expect(p.session.manifest.nodes['model.shop.m']!.description).toBe('y');
    }, { cwd: dir });
  });

  it('a doc() naming no block is an error at the YAML line, with a did-you-mean', async () => {
    const dir = dbtProject({
      'models/m.sql': 'select 1 as id\n',
      'models/d.md': '{% docs order_status %}Status.{% enddocs %}\n',
      'models/schema.yml': "version: 2\nmodels:\n  - name: m\n    columns:\n      - name: id\n        description: \"{{ doc('order_statuses') }}\"\n",
    });
    const r = await runCli(['compile'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.output).toMatch(/models\/schema\.yml:6\s+doc\('order_statuses'\) does not match any docs block/);
    expect(r.output).toMatch(/hint: did you mean doc\('order_status'\)\?/);
    expect(r.output).not.toMatch(/\n\s+at /);
  });

  it("a docs block defined twice, and doc('other_package', ...) are errors", async () => {
    const twice = dbtProject({ 'models/m.sql': 'select 1\n', 'models/a.md': '{% docs x %}1{% enddocs %}\n', 'models/b.md': '\n\n{% docs x %}2{% enddocs %}\n' });
    const a = await runCli(['compile'], { cwd: twice });
    expect(a.code).toBe(2);
    expect(a.output).toMatch(/models\/b\.md:3\s+docs block 'x' is defined twice: models\/a\.md:1 and models\/b\.md:3/);
    const pkg = dbtProject({
      'models/m.sql': 'select 1\n',
      'models/a.md': '{% docs x %}1{% enddocs %}\n',
      'models/schema.yml': "version: 2\nmodels:\n  - name: m\n    description: \"{{ doc('dbt_utils', 'x') }}\"\n",
    });
    const b = await runCli(['compile'], { cwd: pkg });
    expect(b.code).toBe(2);
    expect(b.output).toMatch(/models\/schema\.yml:4\s+doc\('dbt_utils', 'x'\): package 'dbt_utils' is not part of this project/);
  });
});
