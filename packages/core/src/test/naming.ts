import { createHash } from 'node:crypto';
import { shortHash } from '../adapter/dialect.js';
import { TformError } from '../errors/index.js';
import type { TestNode } from './types.js';

/** Names of 64 characters or more are shortened, like dbt (they become file names and aliases). */
const MAX_NAME = 64;

function flat(v: unknown): string[] {
  if (Array.isArray(v)) return v.map(text);
  if (v !== null && typeof v === 'object') return Object.values(v).map(text);
  return [text(v)];
}

/** As dbt (Python) prints a value: True, False, None. */
function text(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/**
 * dbt's generated test name: `<test>_<target>_<args…>` where the args (column_name included,
 * sorted by argument name) are flattened, every run of characters other than letters, digits and
 * `_` becomes `_`, and they are joined with `__`. So `not_null_orders_id`,
 * `accepted_values_orders_status__placed__shipped`,
 * `relationships_orders_customer_id__id__ref_customers_`. A name of 64 characters or more becomes
 * its first 30 characters of `<test>_<target>` + `_` + the md5 of the full name.
 *
 * `target` is the model or seed name, or `<source>_<table>` for a source table (whose test names
 * are prefixed `source_` by the caller, as dbt does).
 */
export function generatedTestName(testName: string, target: string, args: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const k of Object.keys(args).sort()) {
    if (k === 'model') continue;
    parts.push(...flat(args[k]));
  }
  const unique = parts.map((p) => p.replace(/[^0-9a-zA-Z_]+/g, '_')).join('__');
  const identifier = `${testName}_${target}`;
  const full = unique ? `${identifier}_${unique}` : identifier;
  if (full.length < MAX_NAME) return full;
  return `${identifier.slice(0, 30)}_${createHash('md5').update(full).digest('hex')}`;
}

/** What makes two tests the same test (same name is fine when this differs). */
function identity(t: TestNode): string {
  return JSON.stringify([t.testName ?? null, t.attachedNode ?? null, t.columnName ?? null, t.kwargs, t.config, t.testType === 'singular' ? t.path : null]);
}

/**
 * Make unique ids unique across the project. Tests that share a name get `_<hash>` appended (a hash of
 * what they test and how, so the suffix is stable when other tests are added); two declarations
 * identical in every respect are an error at the second one.
 */
export function dedupeTests(tests: TestNode[], projectName: string): TestNode[] {
  const byName = new Map<string, TestNode[]>();
  for (const t of tests) {
    const list = byName.get(t.name) ?? [];
    list.push(t);
    byName.set(t.name, list);
  }
  const renamed = new Map<TestNode, string>();
  for (const [name, list] of byName) {
    if (list.length < 2) continue;
    const seen = new Map<string, TestNode>();
    for (const t of list) {
      const id = identity(t);
      const prev = seen.get(id);
      if (prev) {
        throw new TformError('DUPLICATE_NAME', `test '${name}' is declared twice (${prev.path}${prev.line ? `:${prev.line}` : ''} and here)`, {
          file: t.path,
          line: t.line,
          hint: 'remove one of them, or give one a different `name:`',
        });
      }
      seen.set(id, t);
      renamed.set(t, `${name}_${shortHash(id)}`);
    }
  }
  // In place: a test's `line` is a lazy getter that a copy would either lose or evaluate.
  for (const [t, name] of renamed) {
    t.name = name;
    t.uniqueId = `test.${projectName}.${name}`;
  }
  return tests;
}
