/**
 * Built-in generic data tests: their SQL run on in-memory DuckDB proves dbt's failure counts on
 * good and on bad data (with where / limit / thresholds / severity), fused scans equal the
 * unfused counts, and schema YAML declarations parse in both dbt forms with every error at its
 * file:line.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  TemplateEngine,
  TformError,
  fuseTests,
  fusedOutcomes,
  judgeTest,
  loadGenericTests,
  outcomeFor,
  renderTestSql,
  singularTest,
  testQueries,
  translateTestBlocks,
  type TestNode,
} from '@tform/core';
import { PROJECT, context, dialect, memoryDb, n, rel, testsFromYaml, thrown, type Rows } from './datatests-helpers.js';

const NOW = new Date('2024-03-10T12:00:00Z');

let db: Awaited<ReturnType<typeof memoryDb>>;

/**
 * orders (bad): ids 4 and 5 duplicated (5 three times), two NULL ids; statuses 'bogus' (twice) and
 * 'weird' unexpected, one NULL status; customer 9 (twice) has no customer; one amount negative,
 * one NULL. orders_good: the same shape, all clean.
 */
const ORDERS = `create table orders as select * from (values
  (1, 1, 'placed', 10.0),
  (2, 1, 'shipped', 20.0),
  (3, 2, 'shipped', -5.0),
  (4, null, 'returned', 0.0),
  (4, 3, 'bogus', null),
  (5, 9, 'bogus', 7.0),
  (5, 9, 'weird', 8.0),
  (5, 2, null, 9.0),
  (null, 2, 'placed', 1.0),
  (null, 2, 'placed', 1.0)
) t(id, customer_id, status, amount)`;
const ORDERS_GOOD = `create table orders_good as select * from (values
  (1, 1, 'placed', 10.0),
  (2, 1, 'shipped', 20.0),
  (3, 2, 'returned', 0.0),
  (4, null, 'placed', null)
) t(id, customer_id, status, amount)`;
const CUSTOMERS = `create table customers as select * from (values (1), (2), (3), (3)) t(id)`;

beforeAll(async () => {
  db = await memoryDb();
  await db.run(ORDERS);
  await db.run(ORDERS_GOOD);
  await db.run(CUSTOMERS);
});
afterAll(() => db.close());

/** The tests of `columns:`/`data_tests:` YAML for model orders. */
function ordersTests(body: string): TestNode[] {
  return testsFromYaml(`models:\n  - name: orders\n${body}`);
}

function env(relation: string) {
  return { dialect, relation, relationOf: (id: string) => rel(id.split('.').pop()!), now: NOW };
}

/** Run a test against `table`: its outcome, and the rows of its sample query. */
async function runTest(test: TestNode, table: string): Promise<{ status: string; failures: number; sample: Rows; raw: number }> {
  const q = testQueries(test, env(rel(table)));
  const rows = await db.query(q.sql);
  const out = judgeTest(test, rows, NOW);
  const sample = q.sampleSql ? await db.query(q.sampleSql) : [];
  return { status: out.status, failures: out.failures, sample, raw: n(rows[0]!.failures) };
}

describe('built-in tests: dbt failure counts on good and bad data', () => {
  const cases: { what: string; yaml: string; bad: number; sampleRows?: number }[] = [
    { what: 'not_null counts NULL rows', yaml: '    columns:\n      - name: id\n        data_tests: [not_null]', bad: 2 },
    { what: 'unique counts duplicated VALUES (4 and 5), not rows; NULLs are not duplicates', yaml: '    columns:\n      - name: id\n        data_tests: [unique]', bad: 2 },
    {
      what: 'accepted_values counts DISTINCT unexpected non-NULL values (bogus twice, weird)',
      yaml: '    columns:\n      - name: status\n        data_tests:\n          - accepted_values: {values: [placed, shipped, returned]}',
      bad: 2,
    },
    {
      what: 'relationships counts child rows with a non-NULL key and no parent (customer 9, twice)',
      yaml: "    columns:\n      - name: customer_id\n        data_tests:\n          - relationships: {to: ref('customers'), field: id}",
      bad: 2,
    },
    { what: 'expression counts rows where it is false; NULL is not counted', yaml: "    data_tests:\n      - expression: {expression: 'amount >= 0'}", bad: 1 },
    { what: 'expression on a column is `<column> <expression>`', yaml: "    columns:\n      - name: amount\n        data_tests:\n          - expression: {expression: '>= 0'}", bad: 1 },
    { what: 'row_count above max fails with 1', yaml: '    data_tests:\n      - row_count: {min: 1, max: 5}', bad: 1, sampleRows: 1 },
  ];
  for (const c of cases) {
    it(c.what, async () => {
      const [t] = ordersTests(c.yaml);
      const bad = await runTest(t!, 'orders');
      expect(bad.failures).toBe(c.bad);
      expect(bad.status).toBe('fail');
      expect(bad.sample.length).toBe(c.sampleRows ?? Math.min(c.bad, 5));
      const good = await runTest(t!, 'orders_good');
      expect(good).toMatchObject({ failures: 0, status: 'pass' });
    });
  }

  it('the unique sample shows each duplicated value with its row count', async () => {
    const [t] = ordersTests('    columns:\n      - name: id\n        data_tests: [unique]');
    const { sample } = await runTest(t!, 'orders');
    expect(sample.map((r) => [n(r.unique_field), n(r.n_records)]).sort()).toEqual([
      [4, 2],
      [5, 3],
    ]);
  });

  it('row_count below min fails; the sample row shows the count', async () => {
    const [t] = ordersTests('    data_tests:\n      - row_count: {min: 11}');
    const r = await runTest(t!, 'orders');
    expect(r.failures).toBe(1);
    expect(r.sample.map((x) => n(x.row_count))).toEqual([10]);
    const [ok] = ordersTests('    data_tests:\n      - row_count: {min: 10, max: 10}');
    expect((await runTest(ok!, 'orders')).failures).toBe(0);
  });

  it('accepted_values with quote: false compares SQL values', async () => {
    const [t] = ordersTests('    columns:\n      - name: customer_id\n        data_tests:\n          - accepted_values: {values: [1, 2, 3], quote: false}');
    expect((await runTest(t!, 'orders')).failures).toBe(1); // 9; NULL is never unexpected
  });

  it('relationships to a source reads the parent through relationOf', async () => {
    const [t] = ordersTests(`    columns:\n      - name: customer_id\n        data_tests:\n          - relationships: {to: "source('raw', 'events')", field: id}`);
    expect(t!.dependsOn.nodes).toEqual([`model.${PROJECT}.orders`, `source.${PROJECT}.raw.events`]);
    const q = testQueries(t!, { ...env(rel('orders')), relationOf: () => rel('customers') });
    expect(n((await db.query(q.sql))[0]!.failures)).toBe(2);
  });
});

describe('where, limit, thresholds and severity', () => {
  it('where filters the tested relation first', async () => {
    const [placed, other] = ordersTests(`    columns:
      - name: id
        data_tests:
          - not_null: {config: {where: "status = 'placed'"}}
          - not_null: {config: {where: "status <> 'placed'"}}`);
    expect((await runTest(placed!, 'orders')).failures).toBe(2);
    expect((await runTest(other!, 'orders')).failures).toBe(0);
    const [u] = ordersTests('    columns:\n      - name: id\n        data_tests:\n          - unique: {config: {where: "id = 5"}}');
    expect((await runTest(u!, 'orders')).failures).toBe(1);
    const [rc] = ordersTests(`    data_tests:\n      - row_count: {max: 3, config: {where: "status = 'shipped'"}}`);
    expect((await runTest(rc!, 'orders')).failures).toBe(0);
  });

  it('where on relationships filters the child only', async () => {
    const [t] = ordersTests(`    columns:
      - name: customer_id
        data_tests:
          - relationships: {to: ref('customers'), field: id, config: {where: "status = 'weird'"}}`);
    expect((await runTest(t!, 'orders')).failures).toBe(1);
  });

  it('limit caps the failure count (dbt reads at most `limit` failing rows) and the sample', async () => {
    const [t] = ordersTests('    columns:\n      - name: id\n        data_tests:\n          - unique: {config: {limit: 1}}');
    const r = await runTest(t!, 'orders');
    expect(r.raw).toBe(2);
    expect(r.failures).toBe(1);
    expect(r.sample.length).toBe(1);
  });

  it('warn_if / error_if / severity decide the status like dbt', async () => {
    const yaml = (config: string) => ordersTests(`    columns:\n      - name: id\n        data_tests:\n          - not_null: {config: ${config}}`)[0]!;
    // not_null(id) has 2 failures
    expect((await runTest(yaml('{error_if: ">2"}'), 'orders')).status).toBe('warn'); // warn_if default != 0
    expect((await runTest(yaml('{error_if: ">=2"}'), 'orders')).status).toBe('fail');
    expect((await runTest(yaml('{warn_if: ">5", error_if: ">5"}'), 'orders')).status).toBe('pass');
    expect((await runTest(yaml('{severity: warn}'), 'orders')).status).toBe('warn');
    expect((await runTest(yaml('{severity: WARN, warn_if: ">2"}'), 'orders')).status).toBe('pass');
    expect((await runTest(yaml('{severity: warn, error_if: ">0"}'), 'orders')).status).toBe('warn'); // error_if ignored
  });

  it('outcomeFor follows the dbt decision table', () => {
    const cfg = (severity: 'error' | 'warn', warnIf: string, errorIf: string) =>
      ({ uniqueId: 't', config: { severity, warnIf: { op: warnIf[0] as '>', value: Number(warnIf.slice(1)) }, errorIf: { op: errorIf[0] as '>', value: Number(errorIf.slice(1)) }, storeFailures: false, tags: [], enabled: true, meta: {} } });
    expect(outcomeFor(cfg('error', '>0', '>10'), 11).status).toBe('fail');
    expect(outcomeFor(cfg('error', '>0', '>10'), 10).status).toBe('warn');
    expect(outcomeFor(cfg('error', '>0', '>10'), 0).status).toBe('pass');
    expect(outcomeFor(cfg('warn', '>0', '>10'), 11).status).toBe('warn');
    expect(outcomeFor(cfg('warn', '>20', '>10'), 11).status).toBe('pass');
    expect(outcomeFor(cfg('error', '>20', '>10'), 11).message).toContain('error_if >10');
  });
});

describe('fused scans', () => {
  const yaml = `    data_tests:
      - row_count: {min: 1, max: 5}
      - expression: {expression: 'amount >= 0'}
      - row_count: {max: 3, config: {where: "status = 'shipped'"}}
    columns:
      - name: id
        data_tests:
          - not_null
          - unique
          - unique: {config: {where: "id = 5", limit: 1}}
          - not_null: {config: {where: "status = 'placed'"}}
      - name: status
        data_tests:
          - accepted_values: {values: [placed, shipped, returned]}
          - accepted_values: {values: [placed], config: {where: "amount > 5"}}
          - not_null
      - name: customer_id
        data_tests:
          - unique
          - relationships: {to: ref('customers'), field: id}
      - name: amount
        data_tests:
          - expression: {expression: '< 9', config: {where: 'customer_id = 9'}}`;

  for (const table of ['orders', 'orders_good']) {
    it(`one statement gives every test's own count (${table})`, async () => {
      const tests = ordersTests(yaml);
      const fused = fuseTests(tests, rel(table), dialect);
      expect(fused.rest.map((t) => t.testName)).toEqual(['relationships']);
      expect(fused.columns).toHaveLength(tests.length - 1);
      const [row] = await db.query(fused.sql!);
      const outcomes = fusedOutcomes(fused, row!);
      for (const [i, { test }] of fused.columns.entries()) {
        const alone = await runTest(test, table);
        expect({ test: test.name, failures: outcomes[i]!.failures, status: outcomes[i]!.status }).toEqual({ test: test.name, failures: alone.failures, status: alone.status });
      }
      if (table === 'orders') expect(outcomes.map((o) => o.failures)).toEqual([1, 1, 0, 2, 2, 1, 2, 2, 3, 1, 3, 0]);
    });
  }

  it('fewer than two fusable tests: nothing fused', () => {
    const tests = ordersTests('    columns:\n      - name: id\n        data_tests: [not_null]');
    expect(fuseTests(tests, rel('orders'), dialect)).toEqual({ columns: [], rest: tests });
  });
});

describe('custom generic and singular tests', () => {
  const GENERIC = `{# a custom generic test #}
{% test is_even(model, column_name, remainder=0) %}
select *
from {{ model }}
where {{ column_name }} % 2 <> {{ remainder }}
{% endtest %}

{%- test has_parent(model, column_name, parent) -%}
select * from {{ model }} m where not exists (select 1 from {{ parent }} p where p.id = m.{{ column_name }})
{%- endtest %}
`;

  it('translates {% test %} blocks into macros without moving a line', () => {
    const out = translateTestBlocks(GENERIC);
    expect(out.split('\n').length).toBe(GENERIC.split('\n').length);
    expect(out).toContain('{% macro test_is_even(model, column_name, remainder=0) %}');
    expect(out).toContain('{%- macro test_has_parent(model, column_name, parent) -%}');
    expect(out).toContain('{%- endmacro %}');
    expect(out).not.toMatch(/endtest/);
  });

  it('renders with model bound to the tested relation (filtered by where) and kwargs passed', async () => {
    const engine = new TemplateEngine({ vars: {} });
    const generics = loadGenericTests(engine, [{ path: 'tests/generic/checks.sql', source: GENERIC }]);
    expect([...generics.values()].map((g) => [g.name, g.line, g.args, g.required])).toEqual([
      ['is_even', 2, ['remainder'], []],
      ['has_parent', 8, ['parent'], ['parent']],
    ]);
    const tests = testsFromYaml(
      `models:
  - name: orders
    columns:
      - name: id
        data_tests:
          - is_even
          - is_even: {remainder: 1, config: {where: "status = 'bogus'"}}
      - name: customer_id
        data_tests:
          - has_parent: {parent: "ref('customers')"}`,
      { ctx: { generics } },
    );
    expect(tests.map((t) => t.name)).toEqual(['is_even_orders_id', 'is_even_orders_id__1', 'has_parent_orders_customer_id__ref_customers_']);
    expect(tests[2]!.dependsOn).toEqual({ nodes: [`model.${PROJECT}.orders`, `model.${PROJECT}.customers`], macros: [`macro.${PROJECT}.test_has_parent`] });
    const renderEnv = { relation: rel('orders'), resolveRef: (name: string) => rel(name), resolveSource: (s: string, t: string) => rel(t, s) };
    const counts: number[] = [];
    for (const t of tests) {
      const rendered = renderTestSql(engine, t, renderEnv);
      const q = testQueries(t, { ...env(rel('orders')), rendered });
      counts.push(judgeTest(t, await db.query(q.sql), NOW).failures);
    }
    // odd ids: 1, 3, 5, 5, 5; ids with status bogus are 4 and 5, 4 is even; customer 9 twice and
    // the NULL customer (this custom test's own `not exists` counts NULL keys, unlike relationships)
    expect(counts).toEqual([5, 1, 3]);
  });

  it('an error in a custom test body points at its line in the file', () => {
    const engine = new TemplateEngine({ vars: {} });
    const src = "{% test broken(model) %}\nselect 1\n{{ nope( }}\n{% endtest %}\n";
    const e = thrown(() => loadGenericTests(engine, [{ path: 'tests/generic/broken.sql', source: src }]));
    expect(e).toBeInstanceOf(TformError);
    expect([e.file, e.line]).toEqual(['tests/generic/broken.sql', 3]);
  });

  it('a singular test is rendered like a model, with its config() and deps', async () => {
    const engine = new TemplateEngine({ vars: {} });
    const raw = "{{ config(severity='warn') }}\nselect *\nfrom {{ ref('orders') }}\nwhere amount < 0;\n";
    const file = { path: 'tests/assert_no_negative.sql', abs: '/x', folders: [], stem: 'assert_no_negative', raw, checksum: '' };
    const t = singularTest(file, engine, {}, context())!;
    expect(t).toMatchObject({ uniqueId: `test.${PROJECT}.assert_no_negative`, testType: 'singular', dependsOn: { nodes: [`model.${PROJECT}.orders`] } });
    expect(t.config.severity).toBe('warn');
    const rendered = renderTestSql(engine, t, { resolveRef: (name) => rel(name), resolveSource: (s, x) => rel(x, s) });
    const q = testQueries(t, { ...env(''), rendered });
    const out = judgeTest(t, await db.query(q.sql), NOW);
    expect([out.status, out.failures]).toEqual(['warn', 1]);
    expect(await db.query(q.sampleSql!)).toHaveLength(1);
  });

  it('a singular test with an unknown ref is an error at its line', () => {
    const engine = new TemplateEngine({ vars: {} });
    const raw = "select *\nfrom {{ ref('order') }}\n";
    const e = thrown(() => singularTest({ path: 'tests/x.sql', abs: '/x', folders: [], stem: 'x', raw, checksum: '' }, engine, {}, context()));
    expect(e).toMatchObject({ code: 'REF_UNKNOWN', file: 'tests/x.sql', line: 2, hint: "did you mean ref('orders')?" });
  });
});

describe('YAML declarations', () => {
  it('reads both dbt forms, the string form, test_name form and custom names', () => {
    const tests = testsFromYaml(`version: 2
models:
  - name: orders
    data_tests:
      - row_count: {min: 1}
    columns:
      - name: status
        data_tests:
          - not_null
          - accepted_values:
              values: [placed, shipped]
              quote: true
              severity: warn
              config: {where: "amount > 0", warn_if: ">10", tags: [nightly]}
          - accepted_values:
              name: status_known
              arguments:
                values: [placed, shipped, returned]
              config: {severity: warn, error_if: ">=1", limit: 10, store_failures: true, meta: {owner: ops}}
          - name: status_is_placed
            test_name: accepted_values
            values: [placed]
            config: {enabled: true}
          - accepted_values: {values: [a], config: {enabled: false}}
seeds:
  - name: countries
    columns:
      - name: code
        tests: [unique]
`);
    expect(tests.map((t) => t.name)).toEqual([
      'row_count_orders_1',
      'not_null_orders_status',
      'accepted_values_orders_status__True__placed__shipped',
      'status_known',
      'status_is_placed',
      'unique_countries_code',
    ]);
    const [, , inline, args, tn, seed] = tests;
    expect(inline).toMatchObject({
      uniqueId: `test.${PROJECT}.accepted_values_orders_status__True__placed__shipped`,
      testName: 'accepted_values',
      attachedNode: `model.${PROJECT}.orders`,
      columnName: 'status',
      kwargs: { values: ['placed', 'shipped'], quote: true },
      config: { severity: 'warn', where: 'amount > 0', warnIf: { op: '>', value: 10 }, errorIf: { op: '!=', value: 0 }, tags: ['nightly'], storeFailures: false },
      tags: ['nightly'],
      path: 'models/schema.yml',
    });
    expect(args).toMatchObject({ kwargs: { values: ['placed', 'shipped', 'returned'] }, config: { severity: 'warn', errorIf: { op: '>=', value: 1 }, limit: 10, storeFailures: true, meta: { owner: 'ops' } } });
    expect(tn).toMatchObject({ testName: 'accepted_values', kwargs: { values: ['placed'] } });
    expect(seed).toMatchObject({ attachedNode: `seed.${PROJECT}.countries`, testName: 'unique' });
    // lines are there when asked for, but not part of the data (computing one parses YAML positions)
    expect(inline!.line).toBe(10);
    expect(Object.keys(inline!)).not.toContain('line');
  });

  it('names like dbt: relationships, source tests, and a hash for long names', () => {
    const tests = testsFromYaml(`models:
  - name: orders
    columns:
      - name: customer_id
        data_tests:
          - relationships: {to: ref('customers'), field: id}
      - name: status
        data_tests:
          - accepted_values: {values: [placed, shipped, completed, returned, return_pending, cancelled]}
sources:
  - name: raw
    tables:
      - name: events
        columns:
          - name: id
            data_tests: [not_null]
`);
    expect(tests.map((t) => t.name)).toEqual([
      'relationships_orders_customer_id__id__ref_customers_',
      expect.stringMatching(/^accepted_values_orders_[0-9a-f]{32}$/), // first 30 chars of <test>_<model>, md5 of the full name
      'source_not_null_raw_events_id',
    ]);
    expect(tests[2]!.attachedNode).toBe(`source.${PROJECT}.raw.events`);
  });

  it('same name, different tests: both get a stable hash suffix', () => {
    const tests = testsFromYaml(`models:
  - name: orders
    columns:
      - name: id
        data_tests:
          - not_null
          - not_null: {config: {where: "status = 'placed'"}}
`);
    expect(tests.map((t) => t.name)).toEqual([expect.stringMatching(/^not_null_orders_id_[0-9a-f]{8}$/), expect.stringMatching(/^not_null_orders_id_[0-9a-f]{8}$/)]);
    expect(new Set(tests.map((t) => t.uniqueId)).size).toBe(2);
  });

  it('project-level data_tests config applies under the test config', () => {
    const tests = testsFromYaml('models:\n  - name: orders\n    columns:\n      - name: id\n        data_tests: [not_null, {unique: {config: {severity: error}}}]', {
      ctx: { projectConfig: { tree: { shop: { '+severity': 'warn', '+tags': ['dq'] } }, file: 'tform_project.yml' } },
    });
    expect(tests.map((t) => [t.config.severity, t.tags])).toEqual([
      ['warn', ['dq']],
      ['error', ['dq']],
    ]);
  });

  const errors: { what: string; yaml: string; code?: string; line: number; message: RegExp; hint?: RegExp }[] = [
    { what: 'unknown severity', yaml: '        data_tests:\n          - not_null:\n              config:\n                severity: fatal', line: 8, message: /severity.*'error' or 'warn'/ },
    { what: 'values not a list', yaml: '        data_tests:\n          - accepted_values:\n              values: placed', line: 7, message: /'values' must be a list/ },
    { what: 'empty values', yaml: '        data_tests:\n          - accepted_values: {values: []}', line: 6, message: /'values' is empty/ },
    { what: 'threshold that does not parse', yaml: '        data_tests:\n          - not_null:\n              config:\n                warn_if: "more than 10"', line: 8, message: /warn_if.*comparison/, hint: />10/ },
    { what: 'missing values', yaml: '        data_tests:\n          - accepted_values:\n              quote: false', line: 6, message: /missing required argument 'values'/ },
    { what: 'relationships without field', yaml: "        data_tests:\n          - relationships:\n              to: ref('customers')", line: 6, message: /missing required argument 'field'/ },
    { what: 'unknown test', yaml: '        data_tests:\n          - not_nul', line: 6, message: /unknown test 'not_nul'/, hint: /did you mean 'not_null'/ },
    { what: 'unknown argument', yaml: '        data_tests:\n          - accepted_values:\n              valuse: [a]', line: 7, message: /unknown argument 'valuse'/, hint: /did you mean 'values'/ },
    { what: 'unknown config key', yaml: '        data_tests:\n          - not_null:\n              config:\n                severty: warn', line: 8, message: /'severty' is not a test config key/, hint: /did you mean 'severity'/ },
    { what: 'two names in one entry', yaml: '        data_tests:\n          - not_null:\n            unique:', line: 6, message: /one name with its arguments/ },
    { what: 'arguments not a mapping', yaml: '        data_tests:\n          - accepted_values: [a, b]', line: 6, message: /must be a mapping/ },
    { what: 'unknown ref', yaml: "        data_tests:\n          - relationships:\n              field: id\n              to: ref('customer')", code: 'REF_UNKNOWN', line: 8, message: /ref\('customer'\) does not match/, hint: /did you mean ref\('customers'\)/ },
    { what: 'disabled ref', yaml: "        data_tests:\n          - relationships: {to: ref('legacy_orders'), field: id}", code: 'REF_UNKNOWN', line: 6, message: /disabled/ },
    { what: 'unknown source', yaml: "        data_tests:\n          - relationships: {to: \"source('raw', 'event')\", field: id}", code: 'SOURCE_UNKNOWN', line: 6, message: /source\('raw', 'event'\)/, hint: /source\('raw', 'events'\)/ },
    { what: 'to not a ref', yaml: '        data_tests:\n          - relationships: {to: customers, field: id}', line: 6, message: /must be ref/ },
    { what: 'model-level test under a column', yaml: '        data_tests:\n          - row_count: {min: 1}\n          - freshness: {loaded_at_field: x, warn_after: {count: 1, period: day}}', line: 7, message: /tests a whole model/ },
    { what: 'tests not a list', yaml: '        data_tests: not_null', line: 5, message: /'data_tests' must be a list/ },
    { what: 'arguments beside arguments:', yaml: '        data_tests:\n          - accepted_values:\n              arguments: {values: [a]}\n              quote: false', line: 8, message: /'quote' must go under 'arguments:'/ },
  ];
  for (const c of errors) {
    it(`error: ${c.what}, at file:line`, () => {
      const e = thrown(() => ordersTests(`    columns:\n      - name: status\n${c.yaml}\n`));
      expect(e).toBeInstanceOf(TformError);
      expect(e.code).toBe(c.code ?? 'CONFIG_INVALID');
      expect(e.message).toMatch(c.message);
      expect([e.file, e.line]).toEqual(['models/schema.yml', c.line]);
      expect(e.hint).toBeTruthy();
      if (c.hint) expect(e.hint).toMatch(c.hint);
    });
  }

  it('error: model-level test without a column, and identical declarations twice', () => {
    const e = thrown(() => ordersTests('    data_tests:\n      - not_null'));
    expect(e).toMatchObject({ code: 'CONFIG_INVALID', file: 'models/schema.yml', line: 4 });
    expect(e.message).toMatch(/not_null tests a column/);
    const d = thrown(() => ordersTests('    columns:\n      - name: id\n        data_tests: [not_null, not_null]'));
    expect(d).toMatchObject({ code: 'DUPLICATE_NAME', file: 'models/schema.yml', line: 5 });
  });

  it('error: unknown argument of a custom generic test, with its signature in the hint', () => {
    const engine = new TemplateEngine({ vars: {} });
    const generics = loadGenericTests(engine, [{ path: 'tests/generic/is_even.sql', source: '{% test is_even(model, column_name, remainder=0) %}select 1{% endtest %}' }]);
    const e = thrown(() => testsFromYaml('models:\n  - name: orders\n    columns:\n      - name: id\n        data_tests:\n          - is_even: {remaindr: 1}', { ctx: { generics } }));
    expect(e).toMatchObject({ code: 'CONFIG_INVALID', line: 6, hint: expect.stringMatching(/did you mean 'remainder'.*tests\/generic\/is_even.sql:1/) });
  });
});
