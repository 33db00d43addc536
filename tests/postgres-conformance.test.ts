import { afterAll, beforeAll, describe, it } from 'vitest';
import { runConformance } from '@tform/core/conformance';
import { postgresAdapterFactory } from '@tform/adapters/postgres';
import { requirePostgres, withTempDatabase, type TempDatabase } from './helpers/pg.js';

/** The adapter conformance suite on a real Postgres: one database for the file, a schema per case. */
const available = await requirePostgres();

if (available) {
  let db: TempDatabase | undefined;
  beforeAll(async () => {
    db = await withTempDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  let n = 0;
  runConformance({ describe, it, afterAll }, {
    factory: postgresAdapterFactory,
    target: async () => {
      const { name: _name, ...profile } = db!.profile({ schema: `case_${++n}`, threads: 4 });
      return { profile };
    },
  });
}
