import { describe, expect, it } from 'vitest';
import { Relation, TemplateEngine, TformError, configFromTree, injectCtes, mergeConfig } from '@tform/core';
import { newScope } from '../packages/core/src/compile/scope.js';

function scope(raw: string, extra: Record<string, unknown> = {}) {
  return newScope({
    mode: 'compile',
    file: 'models/m.sql',
    raw,
    resolveRef: (name: string) => new Relation({ schema: 's', identifier: name }, null, `"s"."${name}"`),
    resolveSource: (s: string, t: string) => `"${s}"."${t}"`,
    context: { target: { name: 'dev', type: 'duckdb', schema: 'main' }, ...extra },
  });
}

describe('templating', () => {
  it('keeps quotes unescaped (autoescape off) and resolves ref/source/var', () => {
    const e = new TemplateEngine({ vars: { who: "O'Brien" } });
    const raw = "select '{{ var('who') }}' as n from {{ ref('a') }} join {{ source('raw', 'ev') }}";
    expect(e.render(raw, 'models/m.sql', scope(raw))).toBe(`select 'O'Brien' as n from "s"."a" join "raw"."ev"`);
  });

  it('var default, missing var error with hint', () => {
    const e = new TemplateEngine({ vars: {} });
    const ok = "{{ var('x', 3) }}";
    expect(e.render(ok, 'models/m.sql', scope(ok))).toBe('3');
    const bad = "select 1\n{{ var('nope') }}";
    const err = (() => {
      try {
        e.render(bad, 'models/m.sql', scope(bad));
      } catch (x) {
        return x as TformError;
      }
    })()!;
    expect(err).toBeInstanceOf(TformError);
    expect(err.code).toBe('VAR_MISSING');
    expect(err.line).toBe(2);
    expect(err.hint).toContain('--vars');
  });

  it('env_var with and without default', () => {
    const e = new TemplateEngine({ vars: {}, env: { HAVE: 'yes' } });
    const raw = "{{ env_var('HAVE') }}-{{ env_var('MISSING', 'dflt') }}";
    expect(e.render(raw, 'models/m.sql', scope(raw))).toBe('yes-dflt');
    const bad = "{{ env_var('MISSING') }}";
    expect(() => e.render(bad, 'models/m.sql', scope(bad))).toThrow(/MISSING.*not set/);
  });

  it('macros are callable from every template and see the rendering scope', () => {
    const e = new TemplateEngine({ vars: {} });
    e.loadMacros([{ path: 'macros/m.sql', source: "{% macro cents(col) %}({{ col }} * 100){% endmacro %}{% macro tbl() %}{{ ref('base') }} in {{ target.schema }}{% endmacro %}" }]);
    const raw = "select {{ cents('price') }} from {{ tbl() }}";
    const s = scope(raw);
    expect(e.render(raw, 'models/m.sql', s)).toBe('select (price * 100) from "s"."base" in main');
    expect([...s.macros].sort()).toEqual(['cents', 'tbl']);
  });

  it('a macro defined twice is an error naming both files, at the line of the second definition', () => {
    const e = new TemplateEngine({ vars: {} });
    let err: (Error & { file?: string; line?: number }) | undefined;
    try {
      e.loadMacros([
        { path: 'macros/a.sql', source: '{% macro x() %}1{% endmacro %}' },
        { path: 'macros/b.sql', source: '{# helpers #}\n\n{% macro y() %}0{% endmacro %}\n{%- macro  x() %}2{% endmacro %}' },
      ]);
    } catch (x) {
      err = x as Error;
    }
    expect(err?.message).toMatch(/macros\/a\.sql and macros\/b\.sql/);
    expect([err?.file, err?.line]).toEqual(['macros/b.sql', 4]);
  });

  it('whitespace control, comments, set/for/if and filters work as in Jinja', () => {
    const e = new TemplateEngine({ vars: {} });
    const raw = "{# note #}{%- set cols = ['a', 'b'] -%}\nselect {% for c in cols %}{{ c | upper }}{% if not loop.last %}, {% endif %}{% endfor %}";
    expect(e.render(raw, 'models/m.sql', scope(raw))).toBe('select A, B');
  });

  it('template syntax errors carry the line', () => {
    const e = new TemplateEngine({ vars: {} });
    const raw = "select 1\nfrom x\nwhere {{ ref('a' }}";
    try {
      e.render(raw, 'models/m.sql', scope(raw));
      expect.unreachable();
    } catch (x) {
      const err = x as TformError;
      expect(err.code).toBe('TEMPLATE_SYNTAX');
      expect(err.file).toBe('models/m.sql');
      expect(err.line).toBe(3);
    }
  });

  it('config() records keyword and dict arguments in parse mode; config.get reads resolved config', () => {
    const e = new TemplateEngine({ vars: {} });
    const raw = "{{ config(materialized='table', tags=['x']) }}{{ config({'alias': 'y'}) }}select '{{ config.get('materialized') }}'";
    const s = { ...scope(raw), mode: 'parse' as const };
    e.render(raw, 'models/m.sql', s);
    expect(s.config).toEqual({ materialized: 'table', tags: ['x'], alias: 'y' });
    const c = { ...scope(raw), resolvedConfig: { materialized: 'view' } };
    expect(e.render(raw, 'models/m.sql', c)).toBe("select 'view'");
  });
});

describe('config tree and merging', () => {
  const tree = {
    '+materialized': 'view',
    game: { silver: { '+schema': 'silver', '+tags': ['s'], marts: { '+materialized': 'table', '+tags': ['m'] } } },
  };
  it('reads trees keyed by project name, with + keys, tags accumulating', () => {
    expect(configFromTree(tree, 'game', ['silver', 'marts'], 'x')).toEqual({ materialized: 'table', schema: 'silver', tags: ['s', 'm'] });
    expect(configFromTree(tree, 'game', [], 'x')).toEqual({ materialized: 'view' });
  });
  it('reads trees keyed directly by folder and bare config keys', () => {
    expect(configFromTree({ gold: { materialized: 'table', schema: 'gold' } }, 'game', ['gold'], 'x')).toEqual({ materialized: 'table', schema: 'gold' });
  });
  it('merges meta and adds hooks', () => {
    expect(mergeConfig({ meta: { a: 1 }, 'pre-hook': 'x' }, { meta: { b: 2 }, pre_hook: ['y'] })).toEqual({ meta: { a: 1, b: 2 }, pre_hook: ['x', 'y'] });
  });
});

describe('ephemeral CTE injection', () => {
  const ctes = [{ name: '__tform_cte__e', sql: 'select 1 as id' }];
  it('adds a WITH clause', () => {
    expect(injectCtes('select * from __tform_cte__e', ctes)).toBe('with __tform_cte__e as (\nselect 1 as id\n)\nselect * from __tform_cte__e');
  });
  it('joins an existing WITH, after leading comments', () => {
    expect(injectCtes('-- c\nWITH x as (select 2) select * from x, __tform_cte__e', ctes)).toBe(
      '-- c\nWITH __tform_cte__e as (\nselect 1 as id\n),\nx as (select 2) select * from x, __tform_cte__e',
    );
  });
});
