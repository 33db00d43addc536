/**
 * Golden SQL of every data test type in the DuckDB dialect: tests/golden/datatests/<type>.sql.
 * UPDATE_GOLDEN=1 npx vitest run tests/datatests-golden.test.ts rewrites them; read the diff.
 */
import * as path from 'node:path';
import { describe, it } from 'vitest';
import { TemplateEngine, fuseTests, loadGenericTests, renderTestSql, testQueries, type TestNode } from '@tform/core';
import { expectGolden } from './helpers/golden.js';
import { dialect, rel, testsFromYaml } from './datatests-helpers.js';

const GOLDEN = path.join(import.meta.dirname, 'golden', 'datatests');
const NOW = new Date('2024-03-10T06:30:00Z');
const env = { dialect, relation: rel('orders__tform_tmp'), relationOf: (id: string) => rel(id.split('.').pop()!), now: NOW };

function text(test: TestNode, rendered?: string): string {
  const q = testQueries(test, { ...env, rendered });
  return [`-- ${test.name} (${q.kind})`, `${q.sql};`, ...(q.sampleSql ? ['', '-- failing rows', `${q.sampleSql};`] : [])].join('\n') + '\n';
}

const YAML = `models:
  - name: orders
    data_tests:
      - expression: {expression: "amount >= 0", config: {where: "status <> 'test'"}}
      - row_count: {min: 1, max: 1000000}
      - freshness: {loaded_at_field: _loaded_at, warn_after: {count: 6, period: hour}, error_after: {count: 1, period: day}}
      - percent_change: {metric: "sum(amount)", time_column: ordered_at, compare_to: average, periods: 7, threshold_percent: 30, direction: down, min_rows: 100}
      - percent_change: {time_column: ordered_at, grain: hour, threshold_percent: 50, periods_checked: 3}
    columns:
      - name: id
        data_tests: [not_null, unique]
      - name: status
        data_tests:
          - accepted_values: {values: [placed, "it's shipped"], config: {limit: 20}}
      - name: customer_id
        data_tests:
          - relationships: {to: "ref('customers')", field: id, config: {where: "ordered_at > '2024-01-01'"}}
`;

describe('golden data test SQL (DuckDB)', () => {
  const tests = testsFromYaml(YAML);
  const byType = (t: string) => tests.filter((x) => x.testName === t);
  for (const type of ['not_null', 'unique', 'accepted_values', 'relationships', 'expression', 'row_count', 'freshness', 'percent_change']) {
    it(type, () => expectGolden(path.join(GOLDEN, `${type}.sql`), byType(type).map((t) => text(t)).join('\n')));
  }

  it('fused scan', () => {
    const fused = fuseTests(tests, env.relation, dialect);
    const head = fused.columns.map((c) => `-- ${c.column}: ${c.test.name}`).join('\n');
    expectGolden(path.join(GOLDEN, 'fused.sql'), `${head}\n-- not fused: ${fused.rest.map((t) => t.name).join(', ')}\n${fused.sql};\n`);
  });

  it('custom generic and singular tests (failing-rows SQL wrapped)', () => {
    const engine = new TemplateEngine({ vars: {} });
    const generics = loadGenericTests(engine, [
      { path: 'tests/generic/is_positive.sql', source: '{% test is_positive(model, column_name) %}\nselect * from {{ model }} where {{ column_name }} <= 0\n{% endtest %}\n' },
    ]);
    const [custom] = testsFromYaml('models:\n  - name: orders\n    columns:\n      - name: amount\n        data_tests:\n          - is_positive: {config: {where: "status = \'paid\'"}}\n', { ctx: { generics } });
    const rendered = renderTestSql(engine, custom!, { relation: env.relation, resolveRef: (n) => rel(n), resolveSource: (s, t) => rel(t, s) });
    const singular: TestNode = { ...custom!, uniqueId: 'test.shop.assert_x', name: 'assert_x', testType: 'singular', testName: undefined, rawCode: 'x' };
    expectGolden(path.join(GOLDEN, 'custom_and_singular.sql'), [text(custom!, rendered), text(singular, 'select * from "main"."orders" where amount < 0;\n')].join('\n'));
  });
});
