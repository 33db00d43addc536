import type { Dialect } from '../adapter/dialect.js';
import { acceptedValuesArgs, expressionArg, relationshipsArgs, rowCountArgs } from './builtinArgs.js';
import type { TestNode } from './types.js';

/**
 * SQL of the built-in generic tests that count failures. Each test gives a query returning one row
 * with a `failures` column, and a query returning failing rows (for display and store_failures).
 * The failure count follows dbt's tests exactly:
 *
 * | test            | failures counts                                                          |
 * |-----------------|--------------------------------------------------------------------------|
 * | not_null        | rows where the column is NULL                                            |
 * | unique          | duplicated VALUES: non-NULL values occurring on more than one row        |
 * |                 | (1, 1, 1, 2, 2, 3 → 2), not rows                                         |
 * | accepted_values | DISTINCT non-NULL values not in `values` (x, x, y → 2); NULL never fails |
 * | relationships   | child rows with a non-NULL key and no parent row with that key in `field`|
 * | expression      | rows where the expression is FALSE; NULL is not counted (dbt_utils'     |
 * |                 | expression_is_true: `where not (expr)`). On a column: `<column> <expr>`. |
 * | row_count       | 1 when the row count is below `min` or above `max`, else 0               |
 *
 * `where` (config) filters the tested relation first (the child, for relationships). The column is
 * written as given (dbt semantics: it may be an expression; quote it yourself when it needs it).
 * A `limit` (config) caps the failure count in judgeTest (dbt counts at most `limit` failing rows)
 * and sets how many rows the sample query returns (5 when unset).
 */

export interface BuiltinSqlEnv {
  dialect: Dialect;
  /** Relation text of the tested node (the published relation, or the `__tform_tmp` one). */
  relation: string;
  /** Relation text of another node by uniqueId (the parent of a relationships test). */
  relationOf(uniqueId: string): string;
}

export interface CountQueries {
  /** One row with a `failures` column. */
  sql: string;
  /** Up to `limit` failing rows. */
  sampleSql: string;
}

/** Rows the sample query returns when the test sets no `limit`. */
export const DEFAULT_SAMPLE_LIMIT = 5;

export function sampleLimit(test: Pick<TestNode, 'config'>): number {
  return test.config.limit ?? DEFAULT_SAMPLE_LIMIT;
}

/** The tested relation with the test's `where` applied (dbt: `(select * from R where W) dbt_subquery`). */
export function filteredRelation(relation: string, where: string | undefined): string {
  return where ? `(select * from ${relation} where ${where}) tform_where` : relation;
}

/** Values of accepted_values as SQL: string literals unless `quote: false`. */
export function acceptedValuesList(dialect: Dialect, values: unknown[], quote: boolean): string {
  return values.map((v) => (quote ? dialect.stringLiteral(String(v)) : String(v))).join(', ');
}

/** The expression an `expression` test checks: `<column> <expr>` on a column, like dbt_utils. */
export function testedExpression(test: Pick<TestNode, 'columnName' | 'kwargs'>): string {
  const e = expressionArg(test.kwargs);
  return test.columnName ? `${test.columnName} ${e}` : e;
}

/** `count(*) < min or count(*) > max` (either side may be absent). */
export function rowCountOutside(test: Pick<TestNode, 'kwargs'>, count = 'count(*)'): string {
  const { min, max } = rowCountArgs(test.kwargs);
  const parts: string[] = [];
  if (min !== undefined) parts.push(`${count} < ${min}`);
  if (max !== undefined) parts.push(`${count} > ${max}`);
  return parts.join(' or ');
}

function column(test: TestNode): string {
  if (!test.columnName) throw new Error(`${test.testName} test ${test.name} has no column`);
  return test.columnName;
}

/** Queries of a built-in counting test (not freshness or percent_change). */
export function builtinCountQueries(test: TestNode, env: BuiltinSqlEnv): CountQueries {
  const { dialect } = env;
  const rel = filteredRelation(env.relation, test.config.where);
  const n = sampleLimit(test);
  switch (test.testName) {
    case 'not_null': {
      const c = column(test);
      return {
        sql: `select count(*) as failures\nfrom ${rel}\nwhere ${c} is null`,
        sampleSql: dialect.limitRows(`select *\nfrom ${rel}\nwhere ${c} is null`, n),
      };
    }
    case 'unique': {
      const c = column(test);
      const dup = `select ${c} as unique_field, count(*) as n_records\nfrom ${rel}\nwhere ${c} is not null\ngroup by ${c}\nhaving count(*) > 1`;
      return {
        sql: `select count(*) as failures\nfrom (\n${dup}\n) tform_test`,
        sampleSql: dialect.limitRows(dup, n),
      };
    }
    case 'accepted_values': {
      const c = column(test);
      const { values, quote } = acceptedValuesArgs(test.kwargs);
      const list = acceptedValuesList(dialect, values, quote);
      return {
        sql: `select ${dialect.countDistinctNotIn(c, list)} as failures\nfrom ${rel}`,
        sampleSql: dialect.limitRows(`select ${c} as value_field, count(*) as n_records\nfrom ${rel}\nwhere ${c} not in (${list})\ngroup by ${c}`, n),
      };
    }
    case 'relationships': {
      const c = column(test);
      const { field } = relationshipsArgs(test.kwargs);
      const parentId = test.dependsOn.nodes[1];
      if (!parentId) throw new Error(`relationships test ${test.name} has no parent node`);
      const orphans =
        `with child as (\n  select ${c} as from_field\n  from ${rel}\n  where ${c} is not null\n),\n` +
        `parent as (\n  select ${field} as to_field\n  from ${env.relationOf(parentId)}\n)\n` +
        `select %s\nfrom child\nleft join parent on child.from_field = parent.to_field\nwhere parent.to_field is null`;
      return {
        sql: orphans.replace('%s', 'count(*) as failures'),
        sampleSql: dialect.limitRows(orphans.replace('%s', 'child.from_field'), n),
      };
    }
    case 'expression': {
      const e = testedExpression(test);
      return {
        sql: `select count(*) as failures\nfrom ${rel}\nwhere not (${e})`,
        sampleSql: dialect.limitRows(`select *\nfrom ${rel}\nwhere not (${e})`, n),
      };
    }
    case 'row_count': {
      const outside = rowCountOutside(test);
      return {
        sql: `select case when ${outside} then 1 else 0 end as failures\nfrom ${rel}`,
        sampleSql: `select count(*) as row_count\nfrom ${rel}\nhaving ${outside}`,
      };
    }
    default:
      throw new Error(`${test.testName} is not a counting built-in test`);
  }
}

/** Queries of a test given as failing-rows SQL (singular tests, custom generic tests): dbt's wrapping. */
export function failingRowsQueries(sql: string, test: Pick<TestNode, 'config'>, dialect: Dialect): CountQueries {
  const body = sql.replace(/[\s;]+$/, '');
  return {
    sql: `select count(*) as failures\nfrom (\n${body}\n) tform_test`,
    sampleSql: dialect.limitRows(`select *\nfrom (\n${body}\n) tform_test`, sampleLimit(test)),
  };
}
