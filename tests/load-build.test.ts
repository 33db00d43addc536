import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { DB_FILE, basicProject, cleanupProjects } from './helpers/fixture.js';
import { runCli } from './helpers/cli.js';
import { queryDuckDB } from './helpers/duckdb.js';

// `tform build` loads the new raw files of the external sources its models read, then builds.
const SOURCES = `version: 2
sources:
  - name: raw
    schema: raw
    tables:
      - name: events
        external:
          location: "data/**/*.jsonl.gz"
        columns:
          - { name: id, data_type: integer }
          - { name: user_id, data_type: varchar }
`;

function hourFile(dir: string, hour: string, rows: { id: number; user_id: string }[]): void {
  mkdirSync(join(dir, 'data', '2024-01-01'), { recursive: true });
  writeFileSync(join(dir, 'data', '2024-01-01', `${hour}.jsonl.gz`), gzipSync(rows.map((r) => JSON.stringify(r)).join('\n') + '\n'));
}

describe('tform build with external sources', () => {
  afterAll(cleanupProjects);

  it('loads new files before building the models that read them; run does not load', async () => {
    const dir = basicProject({ 'models/sources.yml': SOURCES, 'models/n_events.sql': "{{ config(materialized='table') }}\nselect count(*) as n from {{ source('raw', 'events') }}" });
    hourFile(dir, 'h00', [{ id: 1, user_id: 'a' }, { id: 2, user_id: 'b' }]);
    const first = await runCli(['build'], { cwd: dir });
    expect(first.code, first.output).toBe(0);
    expect(first.output).toMatch(/loaded raw\.events from data\/2024-01-01\/h00\.jsonl\.gz/);
    expect(await queryDuckDB(join(dir, DB_FILE), 'select n from n_events')).toEqual([{ n: 2 }]);

    hourFile(dir, 'h01', [{ id: 3, user_id: 'c' }]);
    const run = await runCli(['run'], { cwd: dir });
    expect(run.code, run.output).toBe(0);
    expect(await queryDuckDB(join(dir, DB_FILE), 'select n from n_events')).toEqual([{ n: 2 }]);

    const second = await runCli(['build'], { cwd: dir });
    expect(second.code, second.output).toBe(0);
    expect(second.output).toMatch(/1 loaded, 0 reloaded, 1 unchanged/);
    expect(await queryDuckDB(join(dir, DB_FILE), 'select n from n_events')).toEqual([{ n: 3 }]);
  });

  it('a file that fails to load makes the build exit 1 while the models still build from what is loaded', async () => {
    const dir = basicProject({ 'models/sources.yml': SOURCES, 'models/n_events.sql': "{{ config(materialized='table') }}\nselect count(*) as n from {{ source('raw', 'events') }}" });
    hourFile(dir, 'h00', [{ id: 1, user_id: 'a' }]);
    writeFileSync(join(dir, 'data', '2024-01-01', 'h01.jsonl.gz'), gzipSync('{"id": "not a number", "user_id": "x"}\n'));
    const r = await runCli(['build'], { cwd: dir });
    expect(r.code, r.output).toBe(1);
    expect(r.output).toMatch(/h01\.jsonl\.gz/);
    expect(await queryDuckDB(join(dir, DB_FILE), 'select n from n_events')).toEqual([{ n: 1 }]);
  });
});
