/**
 * dbt constructs tform does not have: each is one clear error (exit 2) naming the construct and
 * the file:line, before anything is written; ignored YAML sections are warnings.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';
import { DB_FILE, cleanupProjects } from './helpers/fixture.js';
import { dbtProject } from './helpers/dbt.js';

afterAll(cleanupProjects);

const MODEL = { 'models/orders.sql': 'select 1 as id\n' };

interface Case {
  name: string;
  files: Record<string, string>;
  project?: string;
  location: string;
  message: RegExp;
  hint?: RegExp;
}

const CASES: Case[] = [
  {
    name: 'packages.yml with a dbt Hub package',
    files: { 'packages.yml': '# deps\npackages:\n  - package: dbt-labs/dbt_utils\n    version: [">=1.0.0", "<2.0.0"]\n' },
    location: 'packages.yml:3',
    message: /tform does not install dbt packages: packages\.yml lists package dbt-labs\/dbt_utils \(dbt Hub\)/,
    hint: /copy the macros you use into macros\//,
  },
  {
    name: 'packages.yml with a git package',
    files: { 'packages.yml': 'packages:\n  - git: "https://github.com/org/pkg.git"\n    revision: main\n' },
    location: 'packages.yml:2',
    message: /packages\.yml lists package https:\/\/github\.com\/org\/pkg\.git \(git\)/,
  },
  {
    name: 'dependencies.yml with a package',
    files: { 'dependencies.yml': 'packages:\n  - package: calogica/dbt_expectations\n    version: 0.10.0\n' },
    location: 'dependencies.yml:2',
    message: /dependencies\.yml lists package calogica\/dbt_expectations \(dbt Hub\)/,
  },
  {
    name: 'dependencies.yml with a cross-project dependency',
    files: { 'dependencies.yml': 'projects:\n  - name: core_platform\n' },
    location: 'dependencies.yml:2',
    message: /dependencies\.yml lists project core_platform \(cross-project ref\)/,
  },
  {
    name: 'a Python model',
    files: { 'models/py/scores.py': 'import pandas\n\n\ndef model(dbt, session):\n    return dbt.ref("orders")\n' },
    location: 'models/py/scores.py:4',
    message: /Python models are not supported: models\/py\/scores\.py/,
  },
  {
    name: 'a snapshot',
    files: { 'snapshots/orders_snapshot.sql': "-- history\n{% snapshot orders_snapshot %}\n{{ config(target_schema='snapshots', unique_key='id', strategy='check', check_cols='all') }}\nselect * from {{ ref('orders') }}\n{% endsnapshot %}\n" },
    location: 'snapshots/orders_snapshot.sql:2',
    message: /snapshots are not supported yet/,
  },
  {
    name: 'snapshots declared in YAML (dbt 1.9)',
    files: { 'snapshots/snap.yml': 'version: 2\nsnapshots:\n  - name: s\n    relation: ref("orders")\n' },
    location: 'snapshots/snap.yml:2',
    message: /snapshots are not supported yet/,
  },
  {
    name: 'ref to a package that is not part of the project',
    files: { 'models/uses.sql': "select *\nfrom {{ ref('dbt_utils', 'orders') }}\n" },
    location: 'models/uses.sql:2',
    message: /ref\('dbt_utils', 'orders'\): package 'dbt_utils' is not part of this project/,
    hint: /use ref\('orders'\)/,
  },
  {
    name: 'model versions',
    files: { 'models/schema.yml': 'version: 2\nmodels:\n  - name: orders\n    latest_version: 2\n    versions:\n      - v: 1\n      - v: 2\n' },
    location: 'models/schema.yml:5',
    message: /model versions are not supported \(versions: of model orders\)/,
  },
];

describe.concurrent('unsupported dbt constructs', () => {
  for (const c of CASES) {
    it(`${c.name}: exit 2 at ${c.location}`, async () => {
      const dir = dbtProject({ ...MODEL, ...c.files }, { project: c.project });
      const r = await runCli(['build'], { cwd: dir });
      expect(r.code, r.output).toBe(2);
      expect(r.output).toMatch(new RegExp(`${c.location.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s+`));
      expect(r.output).toMatch(c.message);
      if (c.hint) expect(r.output).toMatch(c.hint);
      expect(r.output).not.toMatch(/\n\s+at /);
      expect(fs.existsSync(path.join(dir, DB_FILE))).toBe(false);
    });
  }

  it('an empty packages.yml, and ref() naming the project itself, are fine', async () => {
    const dir = dbtProject({ ...MODEL, 'packages.yml': 'packages: []\n', 'dependencies.yml': '# none yet\n', 'models/uses.sql': "select * from {{ ref('shop', 'orders') }}\n" });
    const r = await runCli(['build'], { cwd: dir });
    expect(r.code, r.output).toBe(0);
  });

  it('semantic models, metrics, saved queries and unit tests are ignored with a warning', async () => {
    const dir = dbtProject(
      {
        ...MODEL,
        'models/semantic.yml': [
          'version: 2',
          'semantic_models:',
          '  - name: orders',
          '    model: ref("orders")',
          'metrics:',
          '  - name: order_count',
          '    type: simple',
          'saved_queries:',
          '  - name: q',
          'unit_tests:',
          '  - name: t',
          '',
        ].join('\n'),
      },
      { project: 'metrics:\n  shop:\n    +enabled: true\n' },
    );
    const r = await runCli(['build'], { cwd: dir });
    expect(r.code, r.output).toBe(0);
    expect(r.output).toMatch(/\[WARNING\]: models\/semantic\.yml:2: semantic models are not supported by tform and are ignored/);
    expect(r.output).toMatch(/\[WARNING\]: models\/semantic\.yml:5: metrics are not supported by tform and are ignored/);
    expect(r.output).toMatch(/\[WARNING\]: models\/semantic\.yml:8: saved queries are not supported/);
    expect(r.output).toMatch(/\[WARNING\]: models\/semantic\.yml:10: unit tests are not supported/);
    expect(r.output).toMatch(/\[WARNING\]: dbt_project\.yml:5: metrics are not supported by tform and are ignored/);
  });
});
