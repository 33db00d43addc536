/** Prefix of the CTE an ephemeral model is inlined as. */
export const EPHEMERAL_PREFIX = '__tform_cte__';

export function cteName(model: string): string {
  return EPHEMERAL_PREFIX + model;
}

/** Skip whitespace and SQL comments from `i`. */
function skipTrivia(sql: string, i: number): number {
  for (;;) {
    while (i < sql.length && /\s/.test(sql[i]!)) i++;
    if (sql.startsWith('--', i)) {
      const nl = sql.indexOf('\n', i);
      i = nl < 0 ? sql.length : nl + 1;
    } else if (sql.startsWith('/*', i)) {
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? sql.length : end + 2;
    } else return i;
  }
}

/**
 * Put `ctes` (name → body, in dependency order) in front of `sql`. When the query already opens
 * with WITH, the CTEs join its list; otherwise a WITH clause is added.
 */
export function injectCtes(sql: string, ctes: { name: string; sql: string }[]): string {
  if (ctes.length === 0) return sql;
  const list = ctes.map((c) => `${c.name} as (\n${c.sql.trim().replace(/;\s*$/, '')}\n)`).join(',\n');
  const start = skipTrivia(sql, 0);
  const m = /^with(\s+recursive)?\b/i.exec(sql.slice(start));
  if (m) {
    const at = start + m[0].length;
    return `${sql.slice(0, at)} ${list},\n${sql.slice(at).replace(/^\s+/, '')}`;
  }
  return `${sql.slice(0, start)}with ${list}\n${sql.slice(start)}`;
}
