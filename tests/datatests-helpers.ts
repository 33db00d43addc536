/**
 * Helpers of the datatests-*.test.ts suites: an in-memory DuckDB, and TestNodes built from schema
 * YAML text the way the runner will build them.
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { parseYaml, readSchemaFile, declaredTests, type DeclareContext, type TestNode } from '@tform/core';
import { DuckDBDialect } from '@tform/adapters/duckdb';

export const dialect = new DuckDBDialect();
export const PROJECT = 'shop';

export type Rows = Record<string, unknown>[];

/** An in-memory DuckDB; `query` returns plain rows (BIGINT stays bigint, as the adapter returns it). */
export async function memoryDb(): Promise<{ conn: DuckDBConnection; query: (sql: string) => Promise<Rows>; run: (sql: string) => Promise<void>; close: () => void }> {
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  return {
    conn,
    query: async (sql) => (await conn.runAndReadAll(sql)).getRowObjectsJS() as Rows,
    run: async (sql) => {
      await conn.run(sql);
    },
    close: () => {
      conn.disconnectSync();
      instance.closeSync();
    },
  };
}

/** `"main"."<name>"` in the DuckDB dialect. */
export function rel(name: string, schema = 'main'): string {
  return dialect.relation({ schema, identifier: name });
}

/** A declaration context for the `shop` project: models orders, customers, payments; seed countries; source raw.events. */
export function context(extra: Partial<DeclareContext> = {}): DeclareContext {
  return {
    projectName: PROJECT,
    refs: new Map([
      ['orders', `model.${PROJECT}.orders`],
      ['customers', `model.${PROJECT}.customers`],
      ['payments', `model.${PROJECT}.payments`],
      ['countries', `seed.${PROJECT}.countries`],
    ]),
    disabledRefs: new Set(['legacy_orders']),
    sources: new Map([['raw.events', `source.${PROJECT}.raw.events`]]),
    ...extra,
  };
}

/** TestNodes declared by one schema YAML text (file `models/schema.yml` unless given). */
export function testsFromYaml(text: string, o: { file?: string; ctx?: Partial<DeclareContext> } = {}): TestNode[] {
  const file = o.file ?? 'models/schema.yml';
  const content = readSchemaFile(parseYaml(text, file), file, text);
  return declaredTests({ models: content.models, seeds: content.seeds, sources: content.sources }, context(o.ctx));
}

/** The error thrown by `fn` (fails the test when nothing is thrown). */
export function thrown(fn: () => unknown): Error & { code?: string; file?: string; line?: number; hint?: string } {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}

/** A BIGINT/number/text cell as a number. */
export function n(v: unknown): number {
  return Number(v);
}
