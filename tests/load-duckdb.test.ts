/**
 * `tform load` on DuckDB: raw files (gzipped JSON lines, CSV) loaded into source tables once,
 * changed files reloaded, bad files failing alone. The cases are in tests/helpers/load.ts.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { executeCompile } from '@tform/core';
import { DB_FILE, makeProject, profilesYml, readJson, repoRoot } from './helpers/fixture.js';
import { queryDuckDB } from './helpers/duckdb.js';
import { withProject } from './helpers/inprocess.js';
import { eventsTable, loadSuite, sourcesYml } from './helpers/load.js';

describe('tform load on DuckDB', () => {
  loadSuite({
    profiles: (name) => profilesYml({ profile: name }),
    async query(dir, sql) {
      const db = path.join(dir, DB_FILE);
      if (!fs.existsSync(db)) return [];
      return queryDuckDB(db, sql);
    },
  });
});

describe('external sources in the manifest', () => {
  it('manifest.json carries the external block and matches its JSON Schema', async () => {
    const dir = makeProject({
      'tform_project.yml': 'name: proj\nprofile: proj\nvars:\n  landing: data/landing\n',
      'profiles.yml': profilesYml(),
      'models/sources.yml': sourcesYml('raw', eventsTable("{{ var('landing') }}/**/*.csv", '          header: false\n          delimiter: "|"\n          timestamp_format: "%Y%m%d %H%M%S"\n')),
      'models/stg_events.sql': "select event_id from {{ source('raw', 'events') }}",
    });
    await withProject(dir, (p) => executeCompile(p, {}));
    const manifest = readJson(path.join(dir, 'target/manifest.json'));
    expect(manifest.sources['source.proj.raw.events'].external).toEqual({
      location: 'data/landing/**/*.csv',
      format: 'csv',
      compression: 'auto',
      header: false,
      delimiter: '|',
      timestampFormat: '%Y%m%d %H%M%S',
    });
    expect(manifest.sources['source.proj.raw.events'].columns.map((c: { dataType: string }) => c.dataType)).toEqual(['varchar', 'timestamp', 'integer']);
    const ajv = new Ajv2020.default({ allErrors: true, strict: false });
    const validate = ajv.compile(readJson(path.join(repoRoot, 'schemas/manifest.schema.json')));
    expect(validate(manifest), ajv.errorsText(validate.errors)).toBe(true);
  });
});
