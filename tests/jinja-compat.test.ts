/**
 * dbt project compatibility: every template here is rendered by tform's engine and by real Jinja2
 * (python3, tests/helpers/jinja_render.py) with dbt's context stubbed the same way on both sides,
 * and the outputs (and log/warn calls) must be identical.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { haveJinja2, renderJinja, renderTform, type JinjaCase, type RenderResult } from './helpers/jinjaCompare.js';

const PG = { name: 'prod', type: 'postgres', schema: 'analytics', database: 'db', threads: 8 };

const groups: Record<string, JinjaCase[]> = {
  set: [
    { name: 'plain set', template: "{% set x = 'a' %}{% set n = 3 %}{{ x }}{{ n }}" },
    { name: 'block set', template: '{% set sql %}select {{ 1 + 1 }} as two\nfrom t{% endset %}[{{ sql }}]' },
    { name: 'block set trimmed', template: '{%- set x -%}\n  inner {{ "v" }}\n{%- endset -%}\n[{{ x }}]' },
    { name: 'reassign', template: '{% set x = 1 %}{% set x = x + 1 %}{{ x }}' },
    { name: 'set from filters', template: "{% set cols = ['a', 'b'] | map('upper') | list %}{{ cols }}" },
    { name: 'print values', template: "{{ [1, 'a', none, true, false, 2.5, -3] }} {{ none }} {{ true }} {{ 0.1 }} {{ 12345678901234 }}" },
    { name: 'print dict', template: "{% set d = {'a': 1, 'b': [1, 'x'], 'c': {'q': none}} %}{{ d }}" },
    { name: 'print quotes in lists', template: `{{ ["O'Brien", 'say "hi"', 'both \\' and "', 'back\\\\slash'] }}` },
    { name: 'tuple', template: "{% set t = (1, 'a') %}{{ t }} {{ t[0] }} {{ t | length }} {{ (1,) if false else ('x', 'y') }}" },
    { name: 'constants', template: '{{ True }} {{ False }} {{ None }} {{ true is sameas True }}' },
    { name: 'dict key from a variable', template: "{% set k = 'name' %}{% set d = {k: 1, 'lit': 2} %}{{ d }}" },
    { name: 'nested dicts close inside the tag', template: "{% set d = {'a': {'b': {'c': 1}}} %}{{ d['a']['b'] }} {{ {'x': {'y': 2}} }}" },
    { name: 'unpacking set', template: "{% set a, b = 1, 'x' %}{% set t = 1, 2 %}{% set p, q = ['l', 'r'] %}{{ a }}{{ b }} {{ t }} {{ p }}{{ q }}" },
    { name: 'trailing commas', template: "{{ [1, 2,] }} {{ {'a': 1,} }} {{ (1,) }} {{ () }}" },
    { name: 'string escapes', template: `{{ 'a\\nb' }}|{{ 'tab\\there' }}|{{ '\\d+\\.\\w' }}|{{ 'it\\'s' }}|{{ "q\\"q" }}|{{ '\\u00e9\\x41' }}|{{ 'back\\\\slash' }}` },
    { name: 'mutating an outer list inside a loop', template: '{% set acc = [] %}{% for i in range(3) %}{% do acc.append(i * 2) %}{% endfor %}{{ acc }}' },
  ],
  for: [
    {
      name: 'loop variables',
      template: "{% for c in ['a', 'b', 'c'] %}{{ loop.index }}{{ loop.index0 }}{{ loop.first }}{{ loop.last }}{{ loop.length }}{{ loop.revindex }}{{ loop.revindex0 }}{{ c }};{% endfor %}",
    },
    { name: 'else', template: "{% for c in [] %}x{% else %}empty{% endfor %}|{% for c in ['a'] %}{{ c }}{% else %}empty{% endfor %}" },
    { name: 'set inside a loop does not change the outer variable', template: '{% set x = 1 %}{% for i in [1, 2] %}[{{ x }}]{% set x = i + 10 %}{{ x }}{% endfor %}{{ x }}' },
    { name: 'set inside a loop does not leak a new name', template: '{% for i in [1, 2] %}{% set y = i %}{% endfor %}[{{ y }}][{{ y is defined }}]' },
    { name: 'each iteration starts fresh', template: '{% for i in [1, 2, 3] %}({{ y }}){% set y = i %}{% endfor %}' },
    { name: 'set inside if inside loop', template: "{% set found = false %}{% for c in ['a', 'b'] %}{% if c == 'b' %}{% set found = true %}{% endif %}{{ found }}{% endfor %}{{ found }}" },
    { name: 'nested loops', template: '{% for a in [1, 2] %}{% set outer = a %}{% for b in [3, 4] %}{% set outer = b %}{{ a }}{{ b }}{{ outer }} {% endfor %}{{ outer }}|{% endfor %}' },
    { name: 'set in a loop inside a macro', template: '{% macro m() %}{% set t = 0 %}{% for i in [1, 2] %}{% set t = t + i %}{% endfor %}{{ t }}{% endmacro %}{{ m() }}' },
    { name: 'loop variable shadows and comes back', template: "{% set c = 'outer' %}{% for c in [1, 2] %}{{ c }}{% endfor %}{{ c }}" },
    { name: 'loop filter', template: '{% for x in [1, 2, 3, 4, 5] if x is odd %}{{ loop.index }}:{{ x }}/{{ loop.length }} {% endfor %}' },
    { name: 'dict walks keys', template: "{% for k in {'b': 1, 'a': 2} %}{{ k }}{% endfor %}" },
    { name: 'items', template: "{% for k, v in {'a': 1, 'b': [2]}.items() %}{{ k }}={{ v }};{% endfor %}" },
    {
      name: 'tuple unpacking',
      template: "{% for name, type in [('id', 'int'), ('name', 'text')] %}{{ name }} {{ type }}{{ ',' if not loop.last }}\n{% endfor %}",
    },
    { name: 'string', template: "{% for ch in 'abc' %}{{ ch }}-{% endfor %}" },
    { name: 'cycle, previtem, nextitem', template: "{% for x in [1, 2, 3] %}{{ loop.cycle('odd', 'even') }}{{ loop.previtem }}{{ loop.nextitem }} {% endfor %}" },
    { name: 'undefined walks nothing', template: '{% for x in nothing %}x{% else %}none{% endfor %}' },
    { name: 'range', template: '{% for i in range(3) %}{{ i }}{% endfor %} {% for i in range(1, 10, 3) %}{{ i }}{% endfor %} {{ range(3) | list }}' },
    { name: 'loop in a loop with loop.index', template: '{% for a in [1, 2] %}{% for b in [1, 2] %}{{ loop.index }}{% endfor %}{{ loop.index }}|{% endfor %}' },
  ],
  if: [
    { name: 'if elif else', template: "{% for v in [1, 2, 3] %}{% if v == 1 %}one{% elif v == 2 %}two{% else %}many{% endif %} {% endfor %}" },
    { name: 'python truthiness', template: "{% for v in [[], {}, '', 0, none, [0], {'a': 1}, 'x', 1] %}{{ 'T' if v else 'F' }}{% endfor %}" },
    { name: 'and/or return operands', template: "{{ none or 'dflt' }} {{ 'a' and 'b' }} {{ [] or [1] }} {{ 0 and 1 }} {{ '' or none }}" },
    { name: 'not', template: '{{ not [] }} {{ not [1] }} {{ not none }}' },
    { name: 'inline if without else', template: "[{{ 'x' if false }}] {% set v = 'x' if false %}{{ v is defined }}" },
    { name: 'defined and', template: "{% if missing is defined and missing %}yes{% else %}no{% endif %}" },
  ],
  macros: [
    { name: 'arguments and defaults', template: "{% macro m(a, b=2, c='z') %}{{ a }}-{{ b }}-{{ c }}{% endmacro %}{{ m(1) }} {{ m(1, 3) }} {{ m(1, c='y') }} {{ m(a=5, b=6) }}" },
    { name: 'caller', template: "{% macro wrap(tag) %}<{{ tag }}>{{ caller() }}</{{ tag }}>{% endmacro %}{% call wrap('b') %}inside {{ 1 + 1 }}{% endcall %}" },
    { name: 'kwargs', template: "{% macro m(a) %}{{ a }} {{ kwargs }}{% endmacro %}{{ m(1, extra='e') }}" },
    {
      name: 'macro from a file, calling another file',
      template: "select {{ money('price') }}",
      macros: [
        { path: 'macros/a.sql', source: "{% macro money(col) %}{{ cents(col) }} / 100.0{% endmacro %}" },
        { path: 'macros/b.sql', source: '{% macro cents(col) %}({{ col }} * 100){% endmacro %}' },
      ],
    },
    {
      name: 'return a list, loop over it',
      template: "{% set cols = get_cols() %}{% for c in cols %}{{ c | upper }}{{ ', ' if not loop.last }}{% endfor %} {{ cols | length }}",
      macros: [{ path: 'macros/cols.sql', source: "{% macro get_cols() %}ignored text{{ return(['id', 'name', 'amount']) }}{% endmacro %}" }],
    },
    {
      name: 'return dict, number, boolean, none',
      template: "{{ d()['a'] }} {{ n() + 1 }} {{ b() }} {{ nn() is none }} {{ d() }}",
      macros: [
        {
          path: 'macros/r.sql',
          source: "{% macro d() %}{{ return({'a': 1, 'b': [true]}) }}{% endmacro %}{% macro n() %}{{ return(41) }}{% endmacro %}{% macro b() %}{{ return(false) }}{% endmacro %}{% macro nn() %}{{ return(none) }}{% endmacro %}",
        },
      ],
    },
    {
      name: 'return through another macro',
      template: '{% for c in outer() %}{{ c }};{% endfor %}',
      macros: [
        { path: 'macros/o.sql', source: "{% macro outer() %}{% set base = inner() %}{% do base.append('extra') %}{{ return(base) }}{% endmacro %}" },
        { path: 'macros/i.sql', source: "{% macro inner() %}{{ return(['a', 'b']) }}{% endmacro %}" },
      ],
    },
    {
      name: 'return from inside a loop',
      template: "{{ first_big([1, 5, 20, 30]) }}",
      macros: [{ path: 'macros/f.sql', source: '{% macro first_big(xs) %}{% for x in xs %}{% if x > 10 %}{{ return(x) }}{% endif %}{% endfor %}{{ return(none) }}{% endmacro %}' }],
    },
    {
      name: 'do return',
      template: "{{ m() | length }}",
      macros: [{ path: 'macros/d.sql', source: "{% macro m() %}{% do return([1, 2, 3]) %}{% endmacro %}" }],
    },
    { name: 'macro output and truthiness', template: "{% macro e() %}{% endmacro %}{% macro s() %}  x  {% endmacro %}[{{ 'T' if e() else 'F' }}][{{ s() | trim }}][{{ s().strip() }}]" },
    { name: 'macro in the model file returns', template: "{% macro two() %}{{ return(2) }}{% endmacro %}{{ two() * 3 }}" },
    { name: 'recursion', template: '{% macro fact(n) %}{% if n <= 1 %}{{ return(1) }}{% endif %}{{ return(n * fact(n - 1)) }}{% endmacro %}{{ fact(5) }}' },
    { name: 'call with arguments', template: "{% macro each(xs) %}{% for x in xs %}{{ caller(x) }}{% endfor %}{% endmacro %}{% call(item) each(['a', 'b']) %}<{{ item }}>{% endcall %}" },
    {
      name: 'a dbt-style helper project',
      template:
        "{%- set cols = star_except(['b']) -%}\nselect\n  {{ cols | join(',\n  ') }}\nfrom {{ ref('src') }}\n{%- if is_incremental() %}\nwhere ts > (select max(ts) from {{ this }})\n{%- endif %}\n",
      isIncremental: true,
      macros: [
        {
          path: 'macros/star.sql',
          source:
            "{% macro star_except(except) -%}\n  {%- set ns = namespace(out=[]) -%}\n  {%- for c in ['a', 'b', 'c'] -%}\n    {%- if c not in except -%}{%- do ns.out.append(adapter.quote(c)) -%}{%- endif -%}\n  {%- endfor -%}\n  {{ return(ns.out) }}\n{%- endmacro %}",
        },
      ],
    },
  ],
  whitespace: [
    { name: 'block trim', template: "select\n  {%- for c in ['a', 'b'] %}\n  {{ c }}{% if not loop.last %},{% endif %}\n  {%- endfor %}\nfrom t\n" },
    { name: 'expression trim', template: 'a   {{- "b" -}}   c\n' },
    { name: 'comment trim', template: 'a  \n  {#- note -#}  \n  b' },
    { name: 'mixed', template: "{%- set x = 1 -%}\n\n  value: {{ x }}  \n{%- if x %}\n  yes\n{%- endif %}\n" },
    { name: 'comments', template: 'select 1 {# a comment with {{ braces }} #}as x\n{# multi\nline #}' },
    { name: 'raw', template: '{% raw %}{{ not rendered }}{% endraw %}' },
  ],
  do: [
    { name: 'list append and extend', template: "{% set l = [] %}{% do l.append(1) %}{% do l.extend([2, 3]) %}{{ l }}" },
    { name: 'dict update', template: "{% set d = {'a': 1} %}{% do d.update({'b': 2}) %}{% do d.update(c=3) %}{{ d }}" },
    { name: 'append prints None', template: '{% set l = [] %}{{ l.append(1) }} {{ l }}' },
    { name: 'set _ = append', template: "{% set l = [] %}{% for c in ['a', 'b'] %}{% set _ = l.append(c ~ '!') %}{% endfor %}{{ l | join(',') }}" },
  ],
  namespace: [
    { name: 'found flag', template: "{% set ns = namespace(found=false) %}{% for c in ['a', 'b'] %}{% if c == 'b' %}{% set ns.found = true %}{% endif %}{% endfor %}{{ ns.found }}" },
    { name: 'counter and list', template: '{% set ns = namespace(n=0, items=[]) %}{% for i in range(4) %}{% set ns.n = ns.n + i %}{% do ns.items.append(i) %}{% endfor %}{{ ns.n }} {{ ns.items }}' },
  ],
  strings: [
    { name: 'case', template: "{{ 'Ab c'.upper() }} {{ 'Ab C'.lower() }} {{ 'hello world of sql'.title() }} {{ 'hELLO wORLD'.capitalize() }} {{ \"they're 1st\".title() }}" },
    { name: 'strip', template: "[{{ '  x  '.strip() }}][{{ '  x  '.lstrip() }}][{{ '  x  '.rstrip() }}][{{ '--x--'.strip('-') }}][{{ 'xxaxx'.lstrip('x') }}]" },
    { name: 'startswith endswith', template: "{{ 'stg_orders'.startswith('stg_') }} {{ 'a.sql'.endswith('.csv') }} {{ 'int_x'.startswith(('stg_', 'int_')) }}" },
    { name: 'replace every occurrence', template: "{{ 'a.b.c'.replace('.', '_') }} {{ 'aaa'.replace('a', 'b', 2) }}" },
    { name: 'split', template: "{{ 'a,b,,c'.split(',') }} {{ '  a  b '.split() }} {{ 'a.b.c'.split('.', 1) }} {{ 'a.b.c'.rsplit('.', 1) }} {{ ''.split(',') }}" },
    { name: 'format', template: "{{ '{} is {}'.format('x', 1) }} {{ '{0}{1}{0}'.format('a', 'b') }} {{ '{name}!'.format(name='n') }} {{ '{:>6}|{:<4}|{:^5}|'.format('r', 'l', 'c') }} {{ '{:.2f} {:,} {:05d}'.format(3.14159, 1234567, 42) }} {{ '{!r}'.format('q') }}" },
    { name: 'join find count', template: "{{ ', '.join(['a', 'b']) }} {{ 'abcb'.find('b') }} {{ 'abcb'.count('b') }} {{ 'abc'.find('z') }}" },
    { name: 'predicates', template: "{{ '123'.isdigit() }} {{ 'abc'.isalpha() }} {{ 'ABC'.isupper() }} {{ 'abc'.islower() }} {{ ' '.isspace() }}" },
    { name: 'misc', template: "{{ '5'.zfill(3) }} {{ 'ab'.ljust(4, '.') }}| {{ 'ab'.rjust(4) }} {{ 'a-b-c'.partition('-') }} {{ 'stg_x'.removeprefix('stg_') }}" },
    { name: 'index and slice', template: "{{ 'abcdef'[0] }} {{ 'abcdef'[-1] }} {{ 'abcdef'[1:3] }} {{ 'abcdef'[:-2] }} {{ 'abcdef'[::2] }} {{ 'abc'[::-1] }}" },
    { name: 'percent formatting', template: "{{ '%s-%d' % ('a', 3) }} {{ '%05.1f' % 3.14159 }} {{ '%(x)s!' % {'x': 'y'} }} {{ '%s' % none }} {{ '100%%' % () }}" },
  ],
  lists_and_dicts: [
    { name: 'list methods', template: "{% set l = [3, 1, 2] %}{% do l.insert(0, 9) %}{{ l.pop() }} {{ l.index(1) }} {{ l.count(3) }} {% do l.remove(9) %}{% do l.sort() %}{{ l }} {% do l.reverse() %}{{ l }}" },
    { name: 'list index and slice', template: '{% set l = [1, 2, 3, 4] %}{{ l[0] }} {{ l[-1] }} {{ l[1:] }} {{ l[:-1] }} {{ l[::-1] }} {{ l[5] is defined }}' },
    { name: 'dict methods', template: "{% set d = {'a': 1, 'b': 2} %}{{ d.keys() | list }} {{ d.values() | list }} {{ d.items() | list }} {{ d.get('a') }} {{ d.get('z') }} {{ d.get('z', 0) }}" },
    { name: 'dict views print', template: "{% set d = {'a': 1} %}{{ d.keys() }} {{ d.values() }} {{ d.items() }}" },
    { name: 'dict pop setdefault', template: "{% set d = {'a': 1} %}{{ d.pop('a') }} {{ d.setdefault('b', 5) }} {{ d }} {{ d['b'] }} {{ d.b }}" },
    { name: 'membership', template: "{{ 'a' in ['a', 'b'] }} {{ 'z' not in ['a'] }} {{ 'k' in {'k': 1} }} {{ 'bc' in 'abcd' }} {{ 1 in [1.0] }}" },
  ],
  operators: [
    { name: 'plus', template: "{{ [1] + [2, 3] }} {{ 'a' + 'b' }} {{ 1 + 2 }} {{ (1, 2) + (3,) }}" },
    { name: 'tilde', template: "{{ 'a' ~ 1 ~ none ~ [1] ~ true }}" },
    { name: 'multiply and divide', template: "{{ '-' * 3 }} {{ [0] * 2 }} {{ 7 // 2 }} {{ -7 // 2 }} {{ 7 % 3 }} {{ -7 % 3 }} {{ 2 ** 10 }} {{ 7 / 2 }}" },
    { name: 'equality', template: "{{ [1, 2] == [1, 2] }} {{ '1' == 1 }} {{ 1 == 1.0 }} {{ {'a': 1} == {'a': 1} }} {{ none == false }} {{ 0 == false }} {{ 'a' != 'b' }}" },
    { name: 'comparison chain', template: '{{ 1 < 2 < 3 }} {{ 3 > 2 > 2 }} {{ 1 <= 1 }}' },
    { name: 'precedence', template: "{{ -2 ** 2 }} {{ 'a' ~ 'b' + 'c' }} {{ not 1 == 2 }} {{ 2 * 3 + 4 }} {{ 10 - 2 - 3 }} {{ 10 * 3 % 4 }} {{ 2 * 7 // 2 }} {{ 2 ** 3 ** 2 }} {{ [1] | length > 0 }} {{ 1 + 2 * 3 - 4 }}" },
    { name: 'tilde binds tighter than plus', template: "{{ 'a' ~ 1 + 2 }}", error: 'can only concatenate str' },
    { name: 'tuple membership', template: "{{ 'a' in ('a', 'b') }} {% if target.type in ('duckdb', 'postgres') %}ok{% endif %}" },
  ],
  filters: [
    { name: 'tojson', template: `{{ {'b': 1, 'a': [1, 'x', none, true]} | tojson }} {{ "O'Brien <x> & y" | tojson }} {{ 'é' | tojson }} {{ {'k': {'z': 1, 'y': 2}} | tojson(indent=2) }}` },
    { name: 'map attribute', template: "{% set cols = [{'name': 'id'}, {'name': 'amt'}, {'other': 1}] %}{{ cols | map(attribute='name') | list }} {{ cols | map(attribute='name', default='?') | join(',') }}" },
    { name: 'map filter name', template: "{{ ['a', 'b'] | map('upper') | join(',') }} {{ ['a.b', 'c'] | map('replace', '.', '_') | list }} {{ ['1', '2'] | map('int') | sum }}" },
    { name: 'join', template: "{{ [1, 2, 3] | join(', ') }} {{ [{'n': 'a'}, {'n': 'b'}] | join('|', attribute='n') }} {{ ['a', none] | join }}" },
    { name: 'default and d', template: "{{ missing | default('dflt') }} {{ none | default('dflt') }} {{ '' | default('dflt', true) }} {{ missing | d('x') }} {{ 0 | d(5, boolean=true) }}" },
    { name: 'lower upper replace trim', template: "{{ 'AbC' | lower }} {{ 'AbC' | upper }} {{ 'a.b.c' | replace('.', '/') }} {{ 'aaa' | replace('a', 'b', 1) }} [{{ '  x  ' | trim }}] {{ '..x..' | trim('.') }}" },
    { name: 'length', template: "{{ 'abc' | length }} {{ [1, 2] | length }} {{ {'a': 1} | length }} {{ missing | length }} {{ [1] | count }}" },
    { name: 'list', template: "{{ 'ab' | list }} {{ {'a': 1, 'b': 2} | list }} {{ (1, 2) | list }}" },
    { name: 'first last', template: "{{ [1, 2, 3] | first }} {{ [1, 2, 3] | last }} {{ 'abc' | first }} {{ 'abc' | last }} {{ [] | first is defined }}" },
    { name: 'sort', template: "{{ [3, 1, 2] | sort }} {{ ['b', 'A', 'c'] | sort }} {{ ['b', 'A', 'c'] | sort(case_sensitive=true) }} {{ [3, 1, 2] | sort(reverse=true) }} {{ [{'n': 2}, {'n': 1}] | sort(attribute='n') | map(attribute='n') | list }}" },
    { name: 'unique', template: "{{ ['a', 'A', 'b', 'a'] | unique | list }} {{ ['a', 'A'] | unique(case_sensitive=true) | list }} {{ [1, 2, 1] | unique | list }}" },
    { name: 'select reject', template: "{{ [1, 0, 2, none, ''] | select | list }} {{ [1, 2, 3, 4] | select('odd') | list }} {{ [1, 2, 3] | reject('equalto', 2) | list }} {{ ['a', 'b', 'c'] | select('in', ['a', 'c']) | list }} {{ [1, none] | reject('none') | list }}" },
    { name: 'selectattr', template: "{% set cs = [{'n': 'a', 'pk': true}, {'n': 'b', 'pk': false}] %}{{ cs | selectattr('pk') | map(attribute='n') | list }} {{ cs | rejectattr('pk') | map(attribute='n') | list }} {{ cs | selectattr('n', 'equalto', 'b') | list | length }}" },
    { name: 'int', template: "{{ '42' | int }} {{ '3.7' | int }} {{ 3.7 | int }} {{ 'abc' | int }} {{ '12abc' | int }} {{ none | int }} {{ 'x' | int(5) }} {{ ' 7 ' | int }} {{ 'ff' | int(base=16) }} {{ true | int }}" },
    { name: 'float', template: "{{ '3.5' | float }} {{ 'x' | float(1.5) }} {{ '1e-7' | float }}" },
    { name: 'string', template: "{{ 1 | string }} {{ none | string }} {{ [1, 'a'] | string }} {{ (1 | string) ~ 'x' }}" },
    { name: 'round', template: "{{ 2.567 | round(2) }} {{ 2.5 | round(1) }} {{ 0.125 | round(2) }} {{ 1.2345 | round(2, 'floor') }} {{ 1.2345 | round(1, 'ceil') }} {{ 3 | round }}" },
    { name: 'numbers', template: "{{ [1, 2, 3] | sum }} {{ [{'v': 1}, {'v': 2}] | sum(attribute='v') }} {{ [3, 1, 2] | min }} {{ [3, 1, 2] | max }} {{ -3 | abs }} {{ ['b', 'A'] | max }}" },
    { name: 'items dictsort', template: "{{ {'b': 1, 'a': 2} | items | list }} {{ {'b': 1, 'a': 2} | dictsort }} {{ {'b': 1, 'a': 2} | dictsort(by='value') }}" },
    { name: 'text filters', template: "{{ 'hello wORLD-x' | title }} {{ 'hello World' | capitalize }} [{{ 'ab' | center(6) }}] {{ '%s=%s' | format('a', 1) }} {{ 'one two  three' | wordcount }} {{ 'abc' | reverse }} {{ [1, 2] | reverse | list }}" },
    { name: 'indent', template: "{{ 'a\nb\n\nc' | indent(2) }}|{{ 'a\nb' | indent(2, first=true) }}|{{ 'x\n\ny' | indent(1, blank=true) }}" },
    { name: 'truncate', template: "{{ 'the quick brown fox jumps' | truncate(12) }} {{ 'the quick brown fox jumps' | truncate(12, true) }} {{ 'short' | truncate(12) }}" },
    { name: 'groupby', template: "{% for g in [{'t': 'a', 'v': 1}, {'t': 'b', 'v': 2}, {'t': 'a', 'v': 3}] | groupby('t') %}{{ g.grouper }}:{{ g.list | map(attribute='v') | list }};{% endfor %}" },
    { name: 'batch', template: '{{ [1, 2, 3] | batch(2) | list }}' },
    { name: 'batch and escape', template: "{{ 'a<b & \"c\"' | e }} {{ [1, 2] | first | string | length }}" },
  ],
  tests: [
    { name: 'defined', template: "{% set x = 1 %}{{ x is defined }} {{ y is defined }} {{ y is not defined }} {{ none is defined }} {{ x is undefined }}" },
    { name: 'none', template: "{{ none is none }} {{ 0 is none }} {{ missing is none }} {{ 1 is not none }}" },
    { name: 'types', template: "{{ 'a' is string }} {{ 1 is string }} {{ 1 is number }} {{ 1.5 is number }} {{ true is number }} {{ '1' is number }} {{ {} is mapping }} {{ [] is mapping }} {{ true is boolean }} {{ 1 is integer }} {{ 1.5 is float }}" },
    { name: 'iterable', template: "{{ [] is iterable }} {{ 'a' is iterable }} {{ {} is iterable }} {{ 1 is iterable }} {{ none is iterable }} {{ missing is iterable }} {{ 'a' is sequence }} {{ 1 is sequence }}" },
    { name: 'numbers', template: '{{ 3 is odd }} {{ 4 is even }} {{ 9 is divisibleby(3) }} {{ 9 is divisibleby 4 }}' },
    { name: 'comparisons', template: "{{ 2 is eq(2) }} {{ 2 is equalto 3 }} {{ 'a' is in(['a']) }} {{ 3 is gt(2) }} {{ 'abc' is lower }} {{ 'ABC' is upper }} {{ 1 is sameas 1 }}" },
    { name: 'callable', template: "{{ ref is callable }} {{ 'a' is callable }}" },
  ],
  dbt_context: [
    { name: 'target', template: '{{ target.name }} {{ target.type }} {{ target.schema }} {{ target.database }} {{ target.threads }}', target: PG },
    { name: 'this', template: '{{ this }} {{ this.identifier }} {{ this.schema }} {{ this.name }}', this: { database: 'db', schema: 'silver', identifier: 'orders' } },
    { name: 'ref and source', template: "select * from {{ ref('orders') }} join {{ source('raw', 'events') }} on {{ ref('orders').identifier }} = '{{ source('raw', 'events').schema }}'" },
    { name: 'var', template: "{{ var('a') }} {{ var('missing', 'dflt') }} {{ var('list') | join('+') }} {{ var('n') + 1 }}", vars: { a: 'x', list: ['p', 'q'], n: 2 } },
    { name: 'env_var', template: "{{ env_var('HAVE') }} {{ env_var('MISSING', 'dflt') }}", env: { HAVE: 'yes' } },
    { name: 'config.get', template: "{{ config.get('materialized') }} {{ config.get('missing', 'd') }} {{ config.get('missing') }} {{ config(materialized='table') }}", config: { materialized: 'view' } },
    { name: 'is_incremental', template: '{% if is_incremental() %}where ts > (select max(ts) from {{ this }}){% else %}full{% endif %}', isIncremental: true },
    { name: 'autoescape off', template: "select '{{ var('who') }}' as n, '{{ \"<b>&\" }}'", vars: { who: "O'Brien" } },
    { name: 'log', template: "a{{ log('compiling ' ~ this, info=True) }}b{{ log('debug only') }}c" },
    { name: 'exceptions.warn', template: "{% do exceptions.warn('careful: ' ~ 1) %}ok" },
    { name: 'raise_compiler_error', template: "{% if true %}{{ exceptions.raise_compiler_error('bad config: ' ~ 42) }}{% endif %}", error: 'bad config: 42' },
    { name: 'raise_compiler_error in a macro', template: '{{ check(3) }}', macros: [{ path: 'macros/c.sql', source: "{% macro check(n) %}{% if n > 2 %}{% do exceptions.raise_compiler_error('too big: ' ~ n) %}{% endif %}{% endmacro %}" }], error: 'too big: 3' },
    { name: 'dbt tojson fromjson', template: "{{ tojson({'b': 1, 'a': 'é'}) }} {{ tojson({'b': 1, 'a': 2}, sort_keys=true) }} {{ fromjson('{\"x\": [1, 2]}').x }}" },
    { name: 'zip dict md5', template: "{{ zip(['a', 'b'], [1, 2]) | list }} {{ dict(a=1, b=[2]) }} {{ local_md5('abc') }}" },
    { name: 'run_started_at', template: "{{ run_started_at }} {{ run_started_at.strftime('%Y-%m-%d %H:%M:%S') }} {{ run_started_at.isoformat() }} {{ run_started_at.year }}", runStartedAt: '2024-03-05T07:08:09.120Z' },
    { name: 'api.Column', template: "{{ api.Column.translate_type('string') }} {{ api.Column.translate_type('varchar(3)') }} {{ api.Column.numeric_type('numeric', 10, 2) }}" },
  ],
  dispatch: [
    {
      name: 'adapter type first, then default',
      template: "{{ adapter.dispatch('fmt', 'my_project')('x') }}|{{ adapter.dispatch('other', 'my_project')('y') }}",
      macros: [
        {
          path: 'macros/fmt.sql',
          source: "{% macro duckdb__fmt(v) %}duck({{ v }}){% endmacro %}{% macro default__fmt(v) %}default({{ v }}){% endmacro %}{% macro default__other(v) %}other({{ v }}){% endmacro %}",
        },
      ],
    },
    {
      name: 'postgres target uses default',
      template: "{{ adapter.dispatch('fmt', 'my_project')('x') }}",
      target: PG,
      macros: [{ path: 'macros/fmt.sql', source: "{% macro duckdb__fmt(v) %}duck({{ v }}){% endmacro %}{% macro default__fmt(v) %}default({{ v }}){% endmacro %}" }],
    },
    {
      name: 'the dbt pattern: wrapper macro returning the dispatched one',
      template: "{{ my_concat(['a', 'b']) }} {% set t = my_type() %}{{ t }}",
      target: PG,
      macros: [
        {
          path: 'macros/w.sql',
          source:
            "{% macro my_concat(fields) %}{{ return(adapter.dispatch('my_concat', 'proj')(fields)) }}{% endmacro %}" +
            "{% macro default__my_concat(fields) %}{{ fields | join(' || ') }}{% endmacro %}" +
            "{% macro postgres__my_concat(fields) %}concat({{ fields | join(', ') }}){% endmacro %}" +
            "{% macro my_type() %}{{ return(adapter.dispatch('my_type', 'proj')()) }}{% endmacro %}" +
            "{% macro default__my_type() %}{{ return('text') }}{% endmacro %}",
        },
      ],
    },
    { name: 'dispatch to dbt built-ins', template: "{{ adapter.dispatch('dateadd', 'dbt')('day', 1, 'ts') }} {{ adapter.dispatch('type_string', 'dbt')() }}" },
    {
      name: 'project override of a dbt macro',
      template: "{{ dbt.dateadd('day', 1, 'ts') }} {{ dateadd('day', 2, 'ts') }}",
      macros: [{ path: 'macros/o.sql', source: '{% macro duckdb__dateadd(datepart, interval, from_date_or_timestamp) %}my_dateadd({{ datepart }}, {{ interval }}, {{ from_date_or_timestamp }}){% endmacro %}' }],
    },
    { name: 'missing dispatch target', template: "{{ adapter.dispatch('nope', 'proj')() }}", error: "No macro named 'nope'" },
    { name: 'adapter.type and quote', template: "{{ adapter.type() }} {{ adapter.quote('my col') }}", target: PG },
  ],
};

/** dbt's cross-database macros, rendered for duckdb and for postgres. */
const CROSS_DB_TEMPLATE = `
{{ dbt.current_timestamp() }}
{{ dbt.type_string() }} {{ dbt.type_timestamp() }} {{ dbt.type_int() }} {{ dbt.type_bigint() }} {{ dbt.type_float() }} {{ dbt.type_numeric() }} {{ dbt.type_boolean() }}
{{ dbt.safe_cast('amount', dbt.type_numeric()) }}
{{ dbt.concat(['first_name', "' '", 'last_name']) }}
{{ dbt.dateadd('day', 7, 'created_at') }} {{ dbt.dateadd(datepart='month', interval=-1, from_date_or_timestamp="'2024-01-31'") }}
{{ dbt.datediff('a', 'b', 'day') }}
{{ dbt.datediff('a', 'b', 'month') }}
{{ dbt.datediff('a', 'b', 'week') }}
{{ dbt.datediff('a', 'b', 'second') }}
{{ dbt.date_trunc('day', 'ts') }} {{ date_trunc('month', 'ts') }}
{{ dbt.hash('id') }} {{ hash("coalesce(a, '')") }}
{{ dbt.split_part('path', "'/'", 2) }} {{ dbt.split_part('path', "'/'", -1) }}
{{ dbt.listagg('name') }}
{{ dbt.listagg('name', "', '", 'order by name', 3) }}
{{ dbt.listagg('name', "'|'", order_by_clause='order by id') }}
{{ dbt.any_value('x') }} {{ dbt.bool_or('flag') }} {{ dbt.cast_bool_to_text('flag') }}
{{ dbt.last_day('d', 'month') }}
{{ dbt.last_day('d', 'quarter') }}
{{ dbt.position("'a'", 'col') }} {{ dbt.length('col') }} {{ dbt.replace('col', "'a'", "'b'") }} {{ dbt.right('col', 2) }}
{{ dbt.escape_single_quotes("it's") }} {{ dbt.string_literal('x') }} {{ dbt.except() }} {{ dbt.intersect() }}
{{ type_string() }} {{ current_timestamp() }} {{ safe_cast('x', 'int') }} {{ concat(['a', 'b']) }} {{ datediff('a', 'b', 'year') }} {{ split_part('s', "','", 1) }} {{ listagg('n') }} {{ any_value('v') }}
{% set t = dbt.type_string() %}{{ t is string }} {{ dbt.default__type_string() }} {{ dbt.default__any_value('v') }}
`;

groups.cross_db = [
  { name: 'duckdb', template: CROSS_DB_TEMPLATE, target: { name: 'dev', type: 'duckdb', schema: 'main', threads: 1 } },
  { name: 'postgres', template: CROSS_DB_TEMPLATE, target: PG },
  { name: 'unsupported datediff part', template: "{{ dbt.datediff('a', 'b', 'decade') }}", error: "Unsupported datepart for macro datediff in postgres: 'decade'" },
  { name: 'current_timestamp on another adapter', template: '{{ dbt.current_timestamp() }}', target: { name: 'x', type: 'snowflake', schema: 's' }, error: 'current_timestamp macro not implemented for adapter snowflake' },
];

const all: JinjaCase[] = Object.entries(groups).flatMap(([g, cases]) => cases.map((c) => ({ ...c, name: `${g}: ${c.name}` })));
const available = haveJinja2();
let jinja: RenderResult[] = [];

beforeAll(() => {
  if (available) jinja = renderJinja(all);
});

describe.skipIf(!available)('tform renders like Jinja2', () => {
  it('runs every case (batch sanity)', () => {
    expect(jinja).toHaveLength(all.length);
  });

  all.forEach((c, i) => {
    it(c.name, () => {
      const ours = renderTform(c);
      const theirs = jinja[i]!;
      if (c.error !== undefined) {
        expect(theirs.error, 'Jinja2 must fail too').toContain(c.error);
        expect(ours.error, 'tform must fail').toContain(c.error);
        return;
      }
      expect(theirs.error, 'Jinja2 failed').toBeUndefined();
      expect(ours.error, 'tform failed').toBeUndefined();
      expect(ours.output).toBe(theirs.output);
      expect(ours.logs).toEqual(theirs.logs);
    });
  });
});

/**
 * Where tform does not (yet) render as Jinja does: each entry pins both sides, so a change on
 * either shows up here. None of these changes SQL a template valid in dbt produces, except
 * integral floats (`2.0` prints `2`) and integers beyond 2^53.
 */
const differences: (JinjaCase & { jinja: string | RegExp; tform: string | RegExp })[] = [
  { name: 'a float with an integral value prints without .0', template: "{{ 4 / 2 }} {{ '3' | float }} {{ 3.7 | round }} {{ 1.0 }} {{ 10 // 3.0 }}", jinja: '2.0 3.0 4.0 1.0 3.0', tform: '2 3 4 1 3' },
  { name: 'integers beyond 2^53 lose precision', template: '{{ 9007199254740993 }}', jinja: '9007199254740993', tform: '9007199254740992' },
  { name: 'an attribute of an undefined name is undefined, not an error', template: '[{{ missing.attr }}]', jinja: /UndefinedError: 'missing' is undefined/, tform: '[]' },
  { name: 'a macro ignores keyword arguments it does not declare (they are in kwargs)', template: '{% macro m(a) %}{{ a }}{% endmacro %}{{ m(1, b=2) }}', jinja: /takes no keyword argument 'b'/, tform: '1' },
  { name: 'varargs is not provided', template: '{% macro m() %}[{{ varargs }}]{% endmacro %}{{ m(1, 2) }}', jinja: '[(1, 2)]', tform: '[]' },
  { name: 'non-string dict keys become text', template: "{{ {1: 'a'} }}", jinja: "{1: 'a'}", tform: "{'1': 'a'}" },
  { name: 'for k, v over a dict walks its pairs (Jinja unpacks each key)', template: "{% for k, v in {'ab': 1} %}{{ k }}{{ v }}{% endfor %}", jinja: 'ab', tform: 'ab1' },
  { name: 'map/select/reject/unique return lists, not generators', template: "{{ [1] | map('string') }}", jinja: /^<generator object/, tform: "['1']" },
];

let jinjaDiff: RenderResult[] = [];
beforeAll(() => {
  if (available) jinjaDiff = renderJinja(differences);
});

describe.skipIf(!available)('documented differences from Jinja2', () => {
  differences.forEach((c, i) => {
    it(c.name, () => {
      const theirs = jinjaDiff[i]!;
      const ours = renderTform(c);
      const text = (r: RenderResult) => r.output ?? r.error ?? '';
      if (typeof c.jinja === 'string') expect(theirs.output).toBe(c.jinja);
      else expect(text(theirs)).toMatch(c.jinja);
      if (typeof c.tform === 'string') expect(ours.output).toBe(c.tform);
      else expect(text(ours)).toMatch(c.tform);
    });
  });
});
