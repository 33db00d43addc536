/**
 * The parse cache (target/tform_cache.json): a warm compile reuses what the previous one parsed
 * and rendered only when none of its inputs changed. Checked two ways: targeted edits (a model,
 * a macro it calls, a var it reads, an env var, a YAML file, the project file, the profile, the
 * tform version) each invalidate what they should; and random edit sequences, after each of which
 * the warm compile's output equals a cold compile's byte for byte.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryLogger, executeCompile } from '@tform/core';
import { mulberry32 } from '../bench/generate-project.mjs';
import { cleanupProjects, comparableManifest, fileTree, makeProject, profilesYml, writeFiles } from './helpers/fixture.js';
import { open } from './helpers/inprocess.js';
import type { CacheStats } from '../packages/core/src/compile/cache.js';

afterAll(cleanupProjects);

type Stats = CacheStats;

/** Compile in-process; returns the cache statistics of the run. */
async function compile(dir: string, o: { cold?: boolean; targetPath?: string; vars?: string; env?: Record<string, string> } = {}): Promise<Stats> {
  const logger = new MemoryLogger({ format: 'json', debug: true });
  const p = await open(dir, { logger, partialParse: !o.cold, ...(o.targetPath ? { targetPath: o.targetPath } : {}), vars: o.vars, env: { HOME: dir, ...(o.env ?? {}) } });
  try {
    await executeCompile(p, {});
  } finally {
    await p.adapter?.close();
  }
  const ev = logger.lines.map((l) => JSON.parse(l)).find((e) => e.event === 'parse_cache');
  return ev.data as Stats;
}

/** The warm compile (target/) and a cold one (cold/) give the same files and manifest. */
async function expectWarmEqualsCold(dir: string, o: { vars?: string; env?: Record<string, string> } = {}): Promise<Stats> {
  const warm = await compile(dir, o);
  fs.rmSync(path.join(dir, 'cold'), { recursive: true, force: true });
  await compile(dir, { ...o, cold: true, targetPath: 'cold' });
  expect(fileTree(path.join(dir, 'target', 'compiled'))).toEqual(fileTree(path.join(dir, 'cold', 'compiled')));
  expect(comparableManifest(dir, 'target')).toEqual(comparableManifest(dir, 'cold'));
  return warm;
}

const BASE: Record<string, string> = {
  'tform_project.yml': 'name: proj\nprofile: proj\nvars:\n  scale: 2\n  region: eu\n',
  'profiles.yml': profilesYml(),
  'macros/money.sql': '{% macro money(col) %}round({{ col }} * {{ var("scale") }}, 2){% endmacro %}\n',
  'macros/other.sql': "{% macro other() %}'other'{% endmacro %}\n",
  'models/a.sql': 'select 1 as id, 10 as amount\n',
  'models/b.sql': "select id, {{ money('amount') }} as amount from {{ ref('a') }}\n",
  'models/c.sql': "select id, '{{ var(\"region\") }}' as region from {{ ref('b') }}\n",
  'models/d.sql': "select id, '{{ env_var(\"SHOP_TIER\", \"free\") }}' as tier from {{ ref('a') }}\n",
  'models/schema.yml': 'version: 2\nmodels:\n  - name: a\n    columns:\n      - name: id\n        data_tests: [unique]\n',
};

describe('what each edit invalidates', () => {
  it('a second compile with nothing changed reuses every parse, render and compiled file', async () => {
    const dir = makeProject(BASE);
    const cold = await compile(dir);
    expect(cold).toMatchObject({ parsedReused: 0, parsedTotal: 4, bodiesReused: 0 });
    const warm = await expectWarmEqualsCold(dir);
    expect(warm).toMatchObject({ yamlReused: 1, yamlTotal: 1, parsedReused: 4, parsedTotal: 4, bodiesReused: 4, bodiesTotal: 4 });
  });

  const edits: [string, (dir: string) => void, { parsed: number; bodies: number } | 'discarded', { vars?: string; env?: Record<string, string> }?][] = [
    ['a model changes: only that model', (d) => writeFiles(d, { 'models/c.sql': "select id, 'x' as region from {{ ref('b') }}\n" }), { parsed: 3, bodies: 3 }],
    ['a macro it calls changes: only the models that call it', (d) => writeFiles(d, { 'macros/money.sql': '{% macro money(col) %}round({{ col }} * {{ var("scale") }}, 4){% endmacro %}\n' }), { parsed: 3, bodies: 3 }],
    ['a macro nobody calls changes: nothing', (d) => writeFiles(d, { 'macros/other.sql': "{% macro other() %}'changed'{% endmacro %}\n" }), { parsed: 4, bodies: 4 }],
    ['a var it reads changes (--vars): the whole cache, as --vars is part of its key', () => {}, 'discarded', { vars: '{region: us}' }],
    ['an env var it reads changes: only that model', () => {}, { parsed: 3, bodies: 3 }, { env: { SHOP_TIER: 'gold' } }],
    ['a YAML file changes a config: the renders of that model only', (d) => writeFiles(d, { 'models/schema.yml': 'version: 2\nmodels:\n  - name: b\n    config:\n      alias: b_renamed\n' }), { parsed: 4, bodies: 2 }],
    ['the project file changes: everything', (d) => writeFiles(d, { 'tform_project.yml': 'name: proj\nprofile: proj\nvars:\n  scale: 3\n  region: eu\n' }), 'discarded'],
    ['the profile changes: everything', (d) => writeFiles(d, { 'profiles.yml': profilesYml({ schema: 'analytics' }) }), 'discarded'],
    ['a macro is added: everything (it may shadow a function)', (d) => writeFiles(d, { 'macros/new.sql': '{% macro brand_new() %}1{% endmacro %}\n' }), 'discarded'],
  ];
  for (const [name, edit, expected, opts] of edits) {
    it(name, async () => {
      const dir = makeProject(BASE);
      await compile(dir);
      edit(dir);
      const s = await expectWarmEqualsCold(dir, opts ?? {});
      // a schema file is reparsed exactly when its text changed
      const yamlChanged = name.startsWith('a YAML file');
      expect(s.yamlReused).toBe(yamlChanged ? 0 : 1);
      if (expected === 'discarded') {
        expect(s.discarded).toBeDefined();
        expect(s.parsedReused).toBe(0);
      } else {
        expect(s.discarded).toBeUndefined();
        expect({ parsed: s.parsedReused, bodies: s.bodiesReused }).toEqual(expected);
      }
    });
  }

  it('the tform version changes: everything', async () => {
    const dir = makeProject(BASE);
    await compile(dir);
    const file = path.join(dir, 'target', 'tform_cache.json');
    const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
    doc.tformVersion = '0.0.1-older';
    fs.writeFileSync(file, JSON.stringify(doc));
    const s = await expectWarmEqualsCold(dir);
    expect(s.discarded).toMatch(/another tform version \(0\.0\.1-older\)/);
    expect(s.parsedReused).toBe(0);
  });

  it('a file that reads run_started_at is never cached; a corrupt cache file is a cold compile', async () => {
    const dir = makeProject({ ...BASE, 'models/e.sql': "select '{{ run_started_at }}' as at\n" });
    await compile(dir);
    const s = await compile(dir);
    expect(s.parsedReused).toBe(4);
    expect(s.parsedTotal).toBe(5);
    fs.writeFileSync(path.join(dir, 'target', 'tform_cache.json'), '{ not json');
    expect(await compile(dir)).toMatchObject({ parsedReused: 0, parsedTotal: 5 });
  });

  it('a compiled file rewritten by another command is written again by a warm compile', async () => {
    const dir = makeProject(BASE);
    await compile(dir);
    const f = path.join(dir, 'target', 'compiled', 'proj', 'models', 'b.sql');
    const before = fs.readFileSync(f, 'utf8');
    fs.writeFileSync(f, before.replace(/./, 'X'));
    await compile(dir);
    expect(fs.readFileSync(f, 'utf8')).toBe(before);
  });

  it('a deleted compiled file is written again on a warm compile', async () => {
    const dir = makeProject(BASE);
    await compile(dir);
    const f = path.join(dir, 'target', 'compiled', 'proj', 'models', 'b.sql');
    const before = fs.readFileSync(f, 'utf8');
    fs.rmSync(f);
    expect(await compile(dir)).toMatchObject({ bodiesReused: 4 });
    expect(fs.readFileSync(f, 'utf8')).toBe(before);
  });

  it('config values JSON would change (a tuple) are not cached, so warm output keeps them as they are', async () => {
    const dir = makeProject({ ...BASE, 'models/t.sql': "{{ config(grain=('a', 'b')) }}\nselect '{{ config.get(\"grain\") }}' as g from {{ ref('a') }}\n" });
    await compile(dir);
    writeFiles(dir, { 'models/schema.yml': 'version: 2\nmodels:\n  - name: a\n    config:\n      alias: a_renamed\n' });
    const s = await expectWarmEqualsCold(dir);
    expect(s.parsedReused).toBe(4); // every model but t
    expect(fs.readFileSync(path.join(dir, 'target', 'compiled', 'proj', 'models', 't.sql'), 'utf8')).toContain("('a', 'b')");
  });

  it('--target-path spelled another way (./target) uses the same cache and leaves every compiled file in place', async () => {
    const dir = makeProject(BASE);
    await compile(dir);
    const s = await compile(dir, { targetPath: './target' });
    expect(s).toMatchObject({ parsedReused: 4, bodiesReused: 4 });
    expect(Object.keys(fileTree(path.join(dir, 'target', 'compiled'))).sort()).toEqual(['proj/models/a.sql', 'proj/models/b.sql', 'proj/models/c.sql', 'proj/models/d.sql', 'proj/tests/unique_a_id.sql']);
  });
});

describe('compiled files of a larger project (written by the background writer)', () => {
  it('a warm compile leaves untouched files alone and rewrites one another command changed', async () => {
    const { generateProject } = await import('../bench/generate-project.mjs');
    const dir = path.join(makeProject({}), 'p');
    generateProject({ out: dir, models: 200, seed: 3 });
    await compile(dir);
    const files = Object.keys(fileTree(path.join(dir, 'target', 'compiled')));
    expect(files.length).toBeGreaterThanOrEqual(600);
    const abs = (f: string) => path.join(dir, 'target', 'compiled', f);
    const old = new Date('2020-01-01T00:00:00Z');
    const [first, second] = files.filter((f) => f.endsWith('.sql'));
    fs.utimesSync(abs(first!), old, old);
    const before = fs.readFileSync(abs(second!), 'utf8');
    fs.writeFileSync(abs(second!), before.replace(/s/, 'S'));
    // both changed behind the cache's back (a time, a content): the next compile rewrites them
    await compile(dir);
    expect(fs.readFileSync(abs(second!), 'utf8')).toBe(before);
    const mtime = fs.statSync(abs(first!)).mtimeMs;
    expect(mtime).toBeGreaterThan(old.getTime());
    // and the one after that leaves every untouched file alone
    await expectWarmEqualsCold(dir);
    expect(fs.statSync(abs(first!)).mtimeMs).toBe(mtime);
  });
});

describe('random edit sequences', () => {
  it('after every edit of 25 sequences of 6, the warm compile equals a cold one', async () => {
    const rnd = mulberry32(4242);
    const pick = <T>(xs: T[]) => xs[Math.floor(rnd() * xs.length)]!;
    const bodies = (i: number): string[] => {
      const parent = i > 0 ? `{{ ref('m${Math.floor(rnd() * i)}') }}` : "(select 1 as id, 5 as amount)";
      return [
        `select * from ${parent}\n`,
        `select id, {{ money('amount') }} as amount from ${parent}\n`,
        `select id, amount * {{ var('scale') }} as amount from ${parent}\n`,
        `{{ config(materialized='table') }}\nselect id, amount from ${parent}\n`,
        `select id, amount, '{{ env_var('TIER', 'free') }}' as tier from ${parent}\n`,
        `{% set cols = ['id', 'amount'] %}select {% for c in cols %}{{ c }}{{ ',' if not loop.last }} {% endfor %}from ${parent}\n`,
        `select id, amount, {{ other() }} as o from ${parent}\n`,
        `select id, amount, '{{ config.get("materialized") }}' as m, '{{ this }}' as me from ${parent}\n`,
      ];
    };
    for (let seq = 0; seq < 25; seq++) {
      const files: Record<string, string> = { ...BASE };
      delete files['models/a.sql'];
      delete files['models/b.sql'];
      delete files['models/c.sql'];
      delete files['models/d.sql'];
      for (let i = 0; i < 6; i++) files[`models/m${i}.sql`] = pick(bodies(i));
      files['models/schema.yml'] = 'version: 2\nmodels: []\n';
      const dir = makeProject(files);
      let vars: string | undefined;
      let env: Record<string, string> = {};
      await compile(dir, { vars, env });
      for (let step = 0; step < 6; step++) {
        const kind = pick(['model', 'model', 'macro', 'var', 'env', 'yaml', 'project', 'profile', 'cli-vars', 'nothing']);
        if (kind === 'model') {
          const i = Math.floor(rnd() * 6);
          writeFiles(dir, { [`models/m${i}.sql`]: pick(bodies(i)) });
        } else if (kind === 'macro') {
          writeFiles(dir, pick([
            { 'macros/money.sql': '{% macro money(col) %}round({{ col }} * {{ var("scale") }}, 2){% endmacro %}\n' },
            { 'macros/money.sql': '{% macro money(col) %}({{ col }} + {{ var("scale") }}){% endmacro %}\n' },
            { 'macros/other.sql': "{% macro other() %}'other'{% endmacro %}\n" },
            { 'macros/other.sql': "{% macro other() %}'{{ var(\"region\") }}'{% endmacro %}\n" },
          ]));
        } else if (kind === 'var' || kind === 'project') {
          writeFiles(dir, { 'tform_project.yml': `name: proj\nprofile: proj\nvars:\n  scale: ${1 + Math.floor(rnd() * 3)}\n  region: ${pick(['eu', 'us'])}\n` });
        } else if (kind === 'env') {
          env = rnd() < 0.5 ? {} : { TIER: pick(['gold', 'silver']) };
        } else if (kind === 'yaml') {
          const m = `m${Math.floor(rnd() * 6)}`;
          writeFiles(dir, { 'models/schema.yml': pick([
            'version: 2\nmodels: []\n',
            `version: 2\nmodels:\n  - name: ${m}\n    config:\n      materialized: table\n`,
            `version: 2\nmodels:\n  - name: ${m}\n    config:\n      alias: ${m}_x\n    columns:\n      - name: id\n        data_tests: [not_null]\n`,
          ]) });
        } else if (kind === 'profile') {
          writeFiles(dir, { 'profiles.yml': profilesYml({ schema: pick(['main', 'analytics']) }) });
        } else if (kind === 'cli-vars') {
          vars = pick([undefined, '{scale: 7}', '{region: apac}']);
        }
        await expectWarmEqualsCold(dir, { vars, env });
      }
    }
  }, 120_000);
});
