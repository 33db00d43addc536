/**
 * `*` and `t.*` in a select list, with DuckDB's `EXCLUDE`, `REPLACE` and `RENAME` (and BigQuery's
 * `EXCEPT`/`REPLACE`): the columns come from the relations' known columns, or from the outputs of
 * the CTE or subquery they name. A relation whose columns are unknown cannot be expanded: that
 * fails, saying which relation.
 */
import { findColumn, sameName, type Lineage, type OutColumn } from './columns.js';
import { fail } from './errors.js';
import type { Expr, SelectItem } from './ir.js';
import { expandFrom, expandRelation, qualifies, type Expanded, type Scope } from './scope.js';

type StarItem = Extract<SelectItem, { kind: 'star' }>;

/** The output columns of one star item. `resolve` gives the lineage of a REPLACE expression. */
export function expandStar(item: StarItem, scope: Scope, resolve: (e: Expr) => Lineage): OutColumn[] {
  let cols: Expanded[];
  if (item.qualifier) {
    const rel = scope.findRelation(item.qualifier);
    if (!rel) return fail(`${item.qualifier.join('.')}.* names no relation of the FROM clause`);
    cols = expandRelation(rel);
  } else {
    if (!scope.from) return fail('* in a SELECT without FROM');
    cols = expandFrom(scope.from);
  }
  cols = cols.filter(
    (e) => !item.exclude.some((x) => sameName(x.column, e.column.name) && (!x.qualifier || (e.rel !== undefined && qualifies(e.rel, x.qualifier)))),
  );
  for (const r of item.replace) {
    if (!findColumn(cols.map((e) => e.column), r.name)) return fail(`* REPLACE names ${r.name}, which * does not yield`);
  }
  return cols.map((e) => {
    const replaced = item.replace.find((r) => sameName(r.name, e.column.name));
    const renamed = item.rename.find(
      (r) => sameName(r.from.column, e.column.name) && (!r.from.qualifier || (e.rel !== undefined && qualifies(e.rel, r.from.qualifier))),
    );
    return {
      name: renamed ? renamed.to : e.column.name,
      lineage: replaced ? resolve(replaced.expr) : e.column.lineage,
    };
  });
}
