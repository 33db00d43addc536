/**
 * The Jinja engine's own behaviour beyond output text: where errors point (model file and line,
 * and the macros they passed through), log()/exceptions.warn() through the engine's logger,
 * return() values through callMacro, and rendering that does not slow down for plain models.
 */
import { describe, expect, it } from 'vitest';
import { MemoryLogger, Relation, TemplateEngine, TformError } from '@tform/core';
import { newScope } from '../packages/core/src/compile/scope.js';

function scope(raw: string, file = 'models/m.sql', type = 'duckdb') {
  return newScope({
    mode: 'compile',
    file,
    raw,
    resolveRef: (name: string) => new Relation({ schema: 's', identifier: name }, null, `"s"."${name}"`),
    resolveSource: (s: string, t: string) => `"${s}"."${t}"`,
    context: { target: { name: 'dev', type, schema: 'main' } },
  });
}

function failure(fn: () => unknown): TformError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(TformError);
    return e as TformError;
  }
  throw new Error('expected an error');
}

describe('errors', () => {
  it('raise_compiler_error names the model file and line', () => {
    const e = new TemplateEngine({ vars: {} });
    const raw = "select 1\nfrom t\n{{ exceptions.raise_compiler_error('bad config: ' ~ 42) }}";
    const err = failure(() => e.render(raw, 'models/m.sql', scope(raw)));
    expect(err.code).toBe('TEMPLATE_RENDER');
    expect(err.message).toBe('bad config: 42');
    expect(err.file).toBe('models/m.sql');
    expect(err.line).toBe(3);
  });

  it('an error inside a macro from a file points at the model call and names the macro file and line', () => {
    const e = new TemplateEngine({ vars: {} });
    e.loadMacros([{ path: 'macros/check.sql', source: "{% macro check(n) %}\n{% if n > 2 %}\n{% do exceptions.raise_compiler_error('too big: ' ~ n) %}\n{% endif %}\n{% endmacro %}" }]);
    const raw = 'select 1\n{{ check(1) }}\n{{ check(3) }}';
    const err = failure(() => e.render(raw, 'models/m.sql', scope(raw)));
    expect(err.message).toBe('too big: 3');
    expect(err.file).toBe('models/m.sql');
    expect(err.line).toBe(3);
    expect(err.details).toEqual(['in macro check (macros/check.sql:3)']);
  });

  it('a runtime error two macros deep lists both macros, innermost first', () => {
    const e = new TemplateEngine({ vars: {} });
    e.loadMacros([
      { path: 'macros/outer.sql', source: '{% macro outer() %}\n{{ inner() }}\n{% endmacro %}' },
      { path: 'macros/inner.sql', source: '{% macro inner() %}\n\n{{ no_such_function() }}\n{% endmacro %}' },
    ]);
    const raw = '{{ outer() }}';
    const err = failure(() => e.render(raw, 'models/m.sql', scope(raw)));
    expect(err.message).toMatch(/no_such_function/);
    expect(err.file).toBe('models/m.sql');
    expect(err.line).toBe(1);
    expect(err.details).toEqual(['in macro inner (macros/inner.sql:3)', 'in macro outer (macros/outer.sql:2)']);
  });

  it('a syntax error in a macro file names that file and line', () => {
    const e = new TemplateEngine({ vars: {} });
    const err = failure(() => e.loadMacros([{ path: 'macros/bad.sql', source: '{% macro m() %}\nok\n{{ x( }}\n{% endmacro %}' }]));
    expect(err.code).toBe('TEMPLATE_SYNTAX');
    expect(err.file).toBe('macros/bad.sql');
    expect(err.line).toBe(3);
  });

  it('a macro called from code (naming, tests) fails at its own file and line', () => {
    const e = new TemplateEngine({ vars: {} });
    e.loadMacros([{ path: 'macros/generate_schema_name.sql', source: "{% macro generate_schema_name(custom, node) %}\n{{ exceptions.raise_compiler_error('no schema for ' ~ node.name) }}\n{% endmacro %}" }]);
    const err = failure(() => e.callMacro('generate_schema_name', [null, { name: 'orders' }], scope('', 'macros/generate_schema_name.sql')));
    expect(err.message).toBe('no schema for orders');
    expect(err.file).toBe('macros/generate_schema_name.sql');
    expect(err.line).toBe(2);
  });

  it('return() outside a macro is an error', () => {
    const e = new TemplateEngine({ vars: {} });
    const raw = 'select {{ return(1) }}';
    expect(failure(() => e.render(raw, 'models/m.sql', scope(raw))).message).toMatch(/return\(\) can only be used inside a macro/);
  });

  it('a dispatch with no implementation says which macros it looked for', () => {
    const e = new TemplateEngine({ vars: {} });
    const raw = "{{ adapter.dispatch('my_thing', 'proj')() }}";
    const err = failure(() => e.render(raw, 'models/m.sql', scope(raw, 'models/m.sql', 'postgres')));
    expect(err.message).toMatch(/'postgres__my_thing', 'default__my_thing'/);
    expect(err.hint).toMatch(/postgres__my_thing or default__my_thing/);
  });

  it('Python errors of operators are template errors at the line', () => {
    const e = new TemplateEngine({ vars: {} });
    const raw = "select 1\n{{ 'a' + 1 }}";
    const err = failure(() => e.render(raw, 'models/m.sql', scope(raw)));
    expect(err.code).toBe('TEMPLATE_RENDER');
    expect(err.message).toMatch(/can only concatenate str/);
  });
});

describe('log and warn go through the engine', () => {
  it('log(msg, info=True) logs at info, log(msg) at debug, exceptions.warn warns; all print nothing', () => {
    const logger = new MemoryLogger({ debug: true, now: () => new Date('2024-01-01T10:00:00Z') });
    const e = new TemplateEngine({ vars: {}, logger });
    const raw = "a{{ log('hello ' ~ target.name, info=True) }}b{{ log('quiet') }}c{% do exceptions.warn('careful') %}";
    expect(e.render(raw, 'models/m.sql', scope(raw))).toBe('abc');
    expect(logger.lines.map((l) => l.slice(10))).toEqual(['hello dev', 'quiet', '[WARNING]: careful']);
  });

  it('without a logger they are silent', () => {
    const e = new TemplateEngine({ vars: {} });
    const raw = "{{ log('x', info=true) }}{% do exceptions.warn('y') %}ok";
    expect(e.render(raw, 'models/m.sql', scope(raw))).toBe('ok');
  });
});

describe('return() values', () => {
  it('callMacro prints a returned value as Jinja would', () => {
    const e = new TemplateEngine({ vars: {} });
    e.loadMacros([{ path: 'macros/n.sql', source: "{% macro generate_schema_name(custom, node) %}{{ return(custom ~ '_' ~ node.name if custom else 'main') }}{% endmacro %}" }]);
    expect(e.callMacro('generate_schema_name', ['gold', { name: 'x' }], scope(''))).toBe('gold_x');
    expect(e.callMacro('generate_schema_name', [null, { name: 'x' }], scope(''))).toBe('main');
  });

  it('macros keep counting as used when reached through dispatch', () => {
    const e = new TemplateEngine({ vars: {} });
    e.loadMacros([{ path: 'macros/d.sql', source: "{% macro default__thing() %}{{ return('t') }}{% endmacro %}" }]);
    const raw = "{{ adapter.dispatch('thing')() }}";
    const s = scope(raw);
    expect(e.render(raw, 'models/m.sql', s)).toBe('t');
    expect([...s.macros]).toEqual(['default__thing']);
  });
});

describe('scoping', () => {
  it('a set inside a loop stays in the loop in parse mode too, and config() still records', () => {
    const e = new TemplateEngine({ vars: {} });
    const raw = "{% set x = 'outer' %}{% for i in [1] %}{% set x = 'inner' %}{{ config(tags=[x]) }}{% endfor %}{{ config(alias=x) }}";
    const s = { ...scope(raw), mode: 'parse' as const };
    e.render(raw, 'models/m.sql', s);
    expect(s.config).toEqual({ tags: ['inner'], alias: 'outer' });
  });
});

describe('plain models', () => {
  it('render through the same path, and a template is compiled once', () => {
    const e = new TemplateEngine({ vars: {} });
    const raw = "{{ config(materialized='table') }}\nselect * from {{ ref('a') }} join {{ source('raw', 'ev') }} using (id)\n";
    const first = e.render(raw, 'models/m.sql', scope(raw));
    expect(first).toBe('\nselect * from "s"."a" join "raw"."ev" using (id)\n');
    expect(e.template(raw, 'models/m.sql')).toBe(e.template(raw, 'models/m.sql'));
  });
});
