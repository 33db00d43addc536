/**
 * The static fast path renders files that only call ref/source/config with literal arguments
 * without the template compiler. It must give byte-identical output to the full engine: checked
 * here on near-misses, on randomly assembled templates, and on whole projects (the example
 * project, both dbt fixtures and a generated project) compiled with and without it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Relation, TemplateEngine, TformError } from '@tform/core';
import { newScope, type RenderScope } from '../packages/core/src/compile/scope.js';
import { runCli } from './helpers/cli.js';
import { copyFixture } from './helpers/dbtFixtures.js';
import { cleanupProjects, comparableManifest, fileTree, makeProject, repoRoot } from './helpers/fixture.js';
import { dbtProfilesYml } from './helpers/dbt.js';
import { mulberry32 } from '../bench/generate-project.mjs';

afterAll(cleanupProjects);

type Mode = 'parse' | 'compile';

function engine(fast: boolean, macros: { path: string; source: string }[] = []): TemplateEngine {
  const e = new TemplateEngine({ vars: {}, env: {}, staticFastPath: fast });
  e.loadMacros(macros);
  return e;
}

function scope(raw: string, mode: Mode): RenderScope {
  return newScope({
    mode,
    file: 'models/m.sql',
    raw,
    resolveRef: (name: string, pkg?: string) => new Relation({ schema: pkg ?? 's', identifier: name }, null, `"${pkg ?? 's'}"."${name}"`),
    resolveSource: (s: string, t: string) => new Relation({ schema: s, identifier: t }, null, `"${s}"."${t}"`),
    context: { target: { name: 'dev', type: 'duckdb', schema: 'main' } },
  });
}

/** Output (or error), plus what parse mode recorded. */
function outcome(e: TemplateEngine, raw: string, mode: Mode) {
  const s = scope(raw, mode);
  try {
    const out = e.render(raw, 'models/m.sql', s);
    return { out, refs: s.refs, sources: s.sources, config: s.config };
  } catch (err) {
    const t = err as TformError;
    return { error: `${t.code ?? ''} ${t.message} @${t.line ?? ''}` };
  }
}

function expectSame(raw: string, macros: { path: string; source: string }[] = []) {
  for (const mode of ['parse', 'compile'] as Mode[]) {
    expect(outcome(engine(true, macros), raw, mode), `${mode}: ${JSON.stringify(raw)}`).toEqual(outcome(engine(false, macros), raw, mode));
  }
}

describe('near-misses', () => {
  const cases: [string, string, boolean][] = [
    ['plain refs', "select * from {{ ref('a') }} join {{ ref(\"b\") }} using (id)\n", true],
    ['whitespace control on both sides', "select *\nfrom   \n  {{- ref('a') -}}  \n  where 1 = 1\n", true],
    ['a ref inside a SQL comment still counts', "-- old: {{ ref('a') }}\nselect 1\n", true],
    ['a ref inside a string literal still counts', "select '{{ ref('a') }}' as t\n", true],
    ['a two-argument ref and a source', "select * from {{ ref('pkg', 'a') }}, {{ source('raw', 'events') }}\n", true],
    ['config with literal kwargs', "{{ config(materialized='table', tags=['a', \"b\"], enabled=true, full_refresh=False, n=3, x=none) }}\nselect 1\n", true],
    ['comments, trimmed and not', "{# note #}\nselect {#- trim -#}  1 {# {{ ref('x') }} #}\n", true],
    ['no tags at all', 'select 1 as a, 2 as b\n', true],
    ['braces that are not tags', "select '{' as a, '}}' as b, '{ {' as c, '%}' as d\n", true],
    ['a stray comment end (an error of the template engine)', "select '#}' as d\n", false],
    ['concatenated ref argument', "select * from {{ ref('a' ~ 'b') }}\n", false],
    ['raw block', "{% raw %}{{ ref('a') }}{% endraw %}\nselect 1\n", false],
    ['an if block', "select * from {{ ref('a') }}\n{% if true %}where 1 = 1{% endif %}\n", false],
    ['var()', "select {{ var('x', 1) }}\n", false],
    ['this', 'select * from {{ this }}\n', false],
    ['a ref in a filter', "select * from {{ ref('a') | string }}\n", false],
    ['attribute of a ref', "select * from {{ ref('a').identifier }}\n", false],
    ['escaped quote in a string', "select * from {{ ref('it\\'s') }}\n", false],
    ['keyword argument to ref', "select * from {{ ref('a', v=2) }}\n", false],
    ['a trailing comma in a call (the engine rejects it)', "select * from {{ ref('a',) }}\n", false],
    ['a trailing comma in config (the engine rejects it)', "{{ config(materialized='table',) }}\nselect 1\n", false],
    ['config with a dict', "{{ config(meta={'a': 1}) }}\nselect 1\n", false],
    ['unterminated tag', "select * from {{ ref('a') \n", false],
    ['unterminated comment', 'select 1 {# oops\n', false],
    ['an unknown ref', "select * from {{ ref('nope') }}\n", true],
  ];
  for (const [name, raw, isStatic] of cases) {
    it(`${name}: ${isStatic ? 'static' : 'full engine'}, same output`, () => {
      expect(engine(true).staticPieces(raw) !== undefined).toBe(isStatic);
      expectSame(raw);
    });
  }

  it('a project macro named like a built-in (ref) turns the fast path off for files that call it', () => {
    const macros = [{ path: 'macros/ref.sql', source: "{% macro ref(name) %}{{ return(builtins.ref(name).include(schema=false)) }}{% endmacro %}" }];
    const raw = "select * from {{ ref('a') }}\n";
    expect(engine(true, macros).staticPieces(raw)).toBeUndefined();
    expect(engine(true, macros).staticPieces("select * from {{ source('raw', 'e') }}\n")).toBeDefined();
    expectSame(raw, macros);
  });
});

describe('random templates', () => {
  const texts = ['select ', 'a', ' ', '  ', '\n', '\n\n', '\t', ' \n ', '{', '}', '}}', '#', '-', '%', "'", ',', '(', ')', '{ {', 'x-}', '#}'];
  const calls = ["ref('a')", 'ref("b_1")', "ref('p', 'c')", "source('raw', 'events')", "config(materialized='view')", "config(tags=['x', 'y'], n=1)", "ref ( 'a' )", "ref('a' ~ 'b')", 'this', "var('v', 2)"];
  it('fast and full paths agree on 600 random templates of text, calls, comments and whitespace control', () => {
    const rnd = mulberry32(20261123);
    const pick = <T>(xs: T[]) => xs[Math.floor(rnd() * xs.length)]!;
    let staticCount = 0;
    for (let k = 0; k < 600; k++) {
      let raw = '';
      const n = 1 + Math.floor(rnd() * 8);
      for (let j = 0; j < n; j++) {
        const r = rnd();
        if (r < 0.45) raw += pick(texts);
        else if (r < 0.85) raw += `{{${pick(['', '-'])}${pick(['', ' ', '  ', '\n'])}${pick(calls)}${pick(['', ' ', '\n'])}${pick(['', '-'])}}}`;
        else raw += `{#${pick(['', '-'])}${pick([' c ', '', "{{ ref('z') }}", '\n'])}${pick(['', '-'])}#}`;
      }
      if (engine(true).staticPieces(raw)) staticCount++;
      expectSame(raw);
    }
    expect(staticCount).toBeGreaterThan(100); // the generator exercises the fast path, not only the fallback
  });
});

async function compileBothWays(dir: string, env: NodeJS.ProcessEnv = {}) {
  const fast = await runCli(['compile', '--target-path', 'out_fast', '--now', '2024-01-01T00:00:00Z'], { cwd: dir, env, timeoutMs: 120_000 });
  expect(fast.code, fast.output).toBe(0);
  const full = await runCli(['compile', '--no-static-parser', '--target-path', 'out_full', '--now', '2024-01-01T00:00:00Z'], { cwd: dir, env, timeoutMs: 120_000 });
  expect(full.code, full.output).toBe(0);
  const a = fileTree(path.join(dir, 'out_fast', 'compiled'));
  const b = fileTree(path.join(dir, 'out_full', 'compiled'));
  expect(Object.keys(a).length).toBeGreaterThan(0);
  expect(a).toEqual(b);
  expect(comparableManifest(dir, 'out_fast')).toEqual(comparableManifest(dir, 'out_full'));
}

describe('whole projects compile to the same bytes with and without the fast path', () => {
  it('the example project', async () => {
    const dir = makeProject({});
    fs.cpSync(path.join(repoRoot, 'project'), dir, { recursive: true, filter: (src) => !/[/\\](target|logs)$|\.duckdb/.test(src) });
    await compileBothWays(dir);
  });

  it('the dbt fixtures', async () => {
    const store = copyFixture('dbt-game-store');
    fs.writeFileSync(path.join(store, 'profiles.yml'), dbtProfilesYml({ name: 'game_store', path: 'store.duckdb' }));
    await compileBothWays(store);
    await compileBothWays(copyFixture('dbt-live-ops'));
  });

  it('a generated project (300 models, a quarter of them templated)', async () => {
    const { generateProject } = await import('../bench/generate-project.mjs');
    const dir = makeProject({});
    generateProject({ out: path.join(dir, 'p'), models: 300, seed: 7 });
    await compileBothWays(path.join(dir, 'p'));
  });
});
