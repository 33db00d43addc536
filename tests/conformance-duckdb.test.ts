import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, it } from 'vitest';
import { runConformance } from '@tform/core/conformance';
import { duckdbAdapterFactory } from '@tform/adapters/duckdb';

const root = mkdtempSync(join(tmpdir(), 'tform-conf-duckdb-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let n = 0;
runConformance({ describe, it, afterAll }, {
  factory: duckdbAdapterFactory,
  target: async () => ({ profile: { type: 'duckdb', schema: 'main', path: join(root, `case${++n}.duckdb`), threads: 4 } }),
});
