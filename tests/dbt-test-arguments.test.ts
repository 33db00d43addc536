/**
 * Jinja in test arguments and test config, rendered natively as dbt renders them: a string that is
 * one `{{ expression }}` gives the expression's value (a list stays a list), a bare `var(...)` /
 * `env_var(...)` is read as if it were in `{{ }}`, other text becomes a number, boolean, list or
 * dict when it reads as a Python literal (Python's ast.literal_eval is the reference), and stays
 * text otherwise.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Relation, TemplateEngine } from '@tform/core';
import { newScope } from '../packages/core/src/compile/scope.js';
import { pyLiteralEval } from '../packages/core/src/compile/jinja/pyliteral.js';
import { PyTuple } from '../packages/core/src/compile/jinja/pyvalues.js';
import { runCli } from './helpers/cli.js';
import { dbtProject } from './helpers/dbt.js';
import { DB_FILE, cleanupProjects, readJson } from './helpers/fixture.js';
import { queryDuckDB } from './helpers/duckdb.js';

afterAll(cleanupProjects);

const python = spawnSync('python3', ['-c', 'import ast, json'], { encoding: 'utf8' }).status === 0;

const LITERALS = [
  '1', '-2', '+3', '1.5', '.5', '1e3', '1_000', "'a'", '"b"', "'it''s'", "'a' 'b'", "'esc\\'aped'", 'True', 'False', 'None',
  "['gems', 'gold']", '[1, 2, 3,]', '(1, 2)', '()', "{'a': 1, 'b': [True, None]}", '{}', '[]', ' [ 1 ] ',
  'gems', 'a b', '1 + 2', '[1, 2', "'unterminated", 'none', 'true', 'status in (1, 2)', "x = 'a'", '2026-06-08', '',
];

describe('pyLiteralEval', () => {
  it.skipIf(!python)('agrees with Python ast.literal_eval on literals and non-literals', () => {
    const script = `
import ast, json, sys
out = []
for s in json.load(sys.stdin):
    try:
        v = ast.literal_eval(s)
        out.append({"ok": True, "value": list(v) if isinstance(v, tuple) else v})
    except Exception:
        out.append({"ok": False})
print(json.dumps(out))`;
    const r = spawnSync('python3', ['-c', script], { input: JSON.stringify(LITERALS), encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const py = JSON.parse(r.stdout) as { ok: boolean; value?: unknown }[];
    const ours = LITERALS.map((s) => {
      const v = pyLiteralEval(s);
      return v.ok ? { ok: true, value: v.value instanceof PyTuple ? [...v.value] : v.value } : { ok: false };
    });
    expect(ours.map((o, i) => [LITERALS[i], o])).toEqual(py.map((o, i) => [LITERALS[i], o]));
  });

  it('tuples are tuples', () => {
    const v = pyLiteralEval('(1, 2)');
    expect(v.ok && v.value instanceof PyTuple).toBe(true);
  });
});

describe('TemplateEngine.renderNative', () => {
  const engine = new TemplateEngine({ vars: { statuses: ['placed', 'shipped'], n: 3, cfg: { a: 1 } }, env: { SEV: 'warn' } });
  const render = (text: string) =>
    engine.renderNative(text, 'models/schema.yml', newScope({ mode: 'compile', file: 'models/schema.yml', raw: text, resolveRef: (n) => new Relation({ schema: 's', identifier: n }, null, `"s"."${n}"`), resolveSource: () => '' }));

  it('one expression gives its value', () => {
    expect(render("{{ var('statuses') }}")).toEqual(['placed', 'shipped']);
    expect(render("{{ var('n') }}")).toBe(3);
    expect(render("{{ var('cfg') }}")).toEqual({ a: 1 });
    expect(render("{{- var('statuses') | length -}}")).toBe(2);
    expect(render("{{ env_var('SEV') }}")).toBe('warn');
  });

  it('other text renders, then reads as a Python literal when it is one', () => {
    expect(render("[{% for s in var('statuses') %}'{{ s }}',{% endfor %}]")).toEqual(['placed', 'shipped']);
    expect(render("{{ var('n') }}0")).toBe(30);
    expect(render("created_at >= '{{ var('n') }}'")).toBe("created_at >= '3'");
    // a quoted string stays as written, quotes included (dbt keeps the raw text when the literal is a str)
    expect(render("'{{ var('n') }}'")).toBe("'3'");
  });
});

describe('test arguments and config in schema YAML', () => {
  const files = {
    'seeds/orders.csv': 'id,status,amount\n1,placed,5\n2,shipped,7\n3,lost,9\n',
    'models/stg.sql': "select * from {{ ref('orders') }}\n",
  };

  it('a list from var(), in both spellings, reaches accepted_values; where and severity render too', async () => {
    const dir = dbtProject(
      {
        ...files,
        'models/schema.yml': [
          'version: 2',
          'models:',
          '  - name: stg',
          '    columns:',
          '      - name: status',
          '        data_tests:',
          '          - accepted_values:',
          '              name: status_known_braces',
          '              values: "{{ var(\'statuses\') }}"',
          '          - accepted_values:',
          '              name: status_known_bare',
          '              arguments:',
          "                values: var('statuses')",
          '              config:',
          "                where: \"amount < {{ var('max_amount') }}\"",
          '          - accepted_values:',
          '              name: status_known_warn',
          "              values: \"{{ var('statuses') }}\"",
          '              config:',
          "                severity: \"{{ env_var('STATUS_SEVERITY', 'error') }}\"",
          '',
        ].join('\n'),
      },
      { project: "vars:\n  statuses: ['placed', 'shipped']\n  max_amount: 9\n" },
    );
    const r = await runCli(['build'], { cwd: dir, env: { STATUS_SEVERITY: 'warn' } });
    expect(r.code, r.output).toBe(1);
    const results = readJson(path.join(dir, 'target', 'run_results.json')) as { results: { uniqueId: string; status: string; failures: number | null }[] };
    const by = Object.fromEntries(results.results.map((x) => [x.uniqueId, x]));
    expect(by['test.shop.status_known_braces']).toMatchObject({ status: 'fail', failures: 1 }); // 'lost'
    expect(by['test.shop.status_known_bare']).toMatchObject({ status: 'pass', failures: 0 }); // where amount < 9 leaves 'lost' out
    expect(by['test.shop.status_known_warn']).toMatchObject({ status: 'warn', failures: 1 });
    const m = readJson(path.join(dir, 'target', 'manifest.json')) as { tests: Record<string, { kwargs: Record<string, unknown>; config: Record<string, unknown> }> };
    expect(m.tests['test.shop.status_known_bare']!.kwargs.values).toEqual(['placed', 'shipped']);
    expect(m.tests['test.shop.status_known_bare']!.config.where).toBe('amount < 9');
    // the error-severity failure kept stg from being published
    expect(await queryDuckDB(path.join(dir, DB_FILE), "select count(*) as n from information_schema.tables where table_name = 'stg'")).toEqual([{ n: 0 }]);
  });

  it('a var that is not set is an error at the argument’s YAML line, and nothing is built', async () => {
    const dir = dbtProject({
      ...files,
      'models/schema.yml': ['version: 2', 'models:', '  - name: stg', '    columns:', '      - name: status', '        data_tests:', '          - accepted_values:', "              values: \"{{ var('nope') }}\"", ''].join('\n'),
    });
    const r = await runCli(['build'], { cwd: dir });
    expect(r.code, r.output).toBe(2);
    expect(r.output).toMatch(/models\/schema\.yml:8/);
    expect(r.output).toMatch(/nope/);
  });
});
