import * as fs from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, expect, it } from 'vitest';
import { loadSources, TformError, type LoadOutcome } from '@tform/core';
import { cleanupProjects, makeProject, writeFiles } from './fixture.js';
import { runCli } from './cli.js';
import { withProject } from './inprocess.js';

/**
 * `tform load` cases shared by the DuckDB and Postgres test files. Each case is a project of its
 * own (project `p<n>`, sources in schema `raw_<n>`), so that cases sharing one Postgres database
 * never see each other's tables or state.
 */

export type Row = Record<string, unknown>;

export interface LoadEnv {
  /** profiles.yml text for profile `name`. */
  profiles(name: string): string;
  /** Run `sql` on the project's warehouse (after every adapter of it is closed); [] when there is no warehouse yet. */
  query(dir: string, sql: string): Promise<Row[]>;
}

let counter = 0;

export interface Case {
  dir: string;
  project: string;
  schema: string;
  /** Load in-process (MemoryLogger); returns the outcome and the printed text. */
  load(select?: string[]): Promise<LoadOutcome & { text: string }>;
  /** Rows of `sql` with `{schema}` replaced. */
  q(sql: string): Promise<Row[]>;
  write(files: Record<string, string | Buffer>): void;
}

export function jsonl(rows: Record<string, unknown>[]): string {
  return rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
}

export const gz = (text: string) => gzipSync(Buffer.from(text, 'utf8'));

/** 1-based line of the first line of `text` containing `needle` (after line `after`). */
export function lineOf(text: string, needle: string, after = 0): number {
  const i = text.split('\n').findIndex((l, n) => n + 1 > after && l.includes(needle));
  if (i < 0) throw new Error(`'${needle}' not in the text`);
  return i + 1;
}

export const EVENTS_COLUMNS = `        columns:
          - name: event_id
            data_type: varchar
          - name: event_time
            data_type: timestamp
          - name: amount
            data_type: integer
`;

export function sourcesYml(schema: string, tables: string): string {
  return `version: 2\nsources:\n  - name: raw\n    schema: ${schema}\n    tables:\n${tables}`;
}

export function eventsTable(location = 'data/events/**/*.jsonl.gz', extra = ''): string {
  return `      - name: events\n        external:\n          location: "${location}"\n${extra}${EVENTS_COLUMNS}`;
}

export function loadSuite(env: LoadEnv): void {
  afterAll(cleanupProjects);

  function newCase(files: (schema: string) => Record<string, string | Buffer>): Case {
    const n = ++counter;
    const project = `p${n}_${process.pid}`;
    const schema = `raw_${n}`;
    const dir = makeProject({ 'tform_project.yml': `name: ${project}\nprofile: ${project}\n`, 'profiles.yml': env.profiles(project) });
    const c: Case = {
      dir,
      project,
      schema,
      write(f) {
        for (const [rel, content] of Object.entries(f)) {
          const abs = path.join(dir, rel);
          fs.mkdirSync(path.dirname(abs), { recursive: true });
          fs.writeFileSync(abs, content);
        }
      },
      async load(select) {
        return withProject(dir, async (p) => {
          const out = await loadSources(p, { select, logger: p.logger });
          return { ...out, text: p.logger.text };
        });
      },
      q: (sql) => env.query(dir, sql.replace(/\{schema\}/g, schema)),
    };
    c.write(files(schema));
    return c;
  }

  const count = async (c: Case, where = '') => Number((await c.q(`select cast(count(*) as integer) as n from {schema}.events ${where}`))[0]!.n);
  const stateFiles = async (c: Case) =>
    (
      await c.q(
        `select path, cast(rows_loaded as integer) as rows_loaded, content_hash from tform_state.files where source_id = 'source.${c.project}.raw.events' order by path`,
      )
    ).map((r) => ({ path: r.path, rows: Number(r.rows_loaded), hash: r.content_hash }));

  const hour = (h: number, rows: number, start = 0) =>
    gz(jsonl(Array.from({ length: rows }, (_x, i) => ({ event_id: `h${h}-${start + i}`, event_time: `2024-01-01 ${String(h).padStart(2, '0')}:0${i % 10}:00`, amount: i + 1 }))));

  it('loads gzipped JSON-lines files once: a second load loads nothing', async () => {
    const c = newCase((s) => ({
      'models/sources.yml': sourcesYml(s, eventsTable()),
      'data/events/2024-01-01/hour=03/part-0.jsonl.gz': hour(3, 2),
      'data/events/2024-01-01/hour=04/part-0.jsonl.gz': hour(4, 3),
    }));
    const first = await c.load();
    expect(first.exitCode, first.text).toBe(0);
    expect(first.tables[0]).toMatchObject({ name: 'raw.events', found: 2, loaded: 2, reloaded: 0, unchanged: 0, errors: 0, rows: 5 });
    // Sorted path order: hour=03 before hour=04.
    expect(first.tables[0]!.files.map((f) => f.path)).toEqual(['data/events/2024-01-01/hour=03/part-0.jsonl.gz', 'data/events/2024-01-01/hour=04/part-0.jsonl.gz']);
    expect(first.text).toMatch(/1 of 2 OK loaded raw\.events from data\/events\/2024-01-01\/hour=03\/part-0\.jsonl\.gz \.+ \[INSERT 2 in/);
    expect(await count(c)).toBe(5);
    const rows = await c.q(`select event_id, cast(event_time as varchar) as t, amount, _tform_file from {schema}.events order by event_id`);
    expect(rows[0]).toEqual({ event_id: 'h3-0', t: '2024-01-01 03:00:00', amount: 1, _tform_file: 'data/events/2024-01-01/hour=03/part-0.jsonl.gz' });
    const types = await c.q(`select column_name, lower(data_type) as t from information_schema.columns where table_schema = '{schema}' and table_name = 'events' order by ordinal_position`);
    expect(types.map((r) => r.column_name)).toEqual(['event_id', 'event_time', 'amount', '_tform_file']);
    expect(String(types[1]!.t)).toMatch(/^timestamp/);
    expect(await stateFiles(c)).toEqual([
      { path: 'data/events/2024-01-01/hour=03/part-0.jsonl.gz', rows: 2, hash: expect.stringMatching(/^[0-9a-f]{64}$/) },
      { path: 'data/events/2024-01-01/hour=04/part-0.jsonl.gz', rows: 3, hash: expect.stringMatching(/^[0-9a-f]{64}$/) },
    ]);

    const second = await c.load();
    expect(second.exitCode).toBe(0);
    expect(second.tables[0]).toMatchObject({ found: 2, loaded: 0, reloaded: 0, unchanged: 2, rows: 0 });
    expect(second.text).toContain('LOADED=0 RELOADED=0 UNCHANGED=2 ERROR=0 TOTAL=2');
    expect(await count(c)).toBe(5);
  });

  it('loads header-less CSV with a custom date format, typed', async () => {
    const c = newCase((s) => ({
      'models/sources.yml': sourcesYml(
        s,
        `      - name: sales
        external:
          location: data/sales/*.csv
          format: csv
          header: false
          delimiter: ";"
          date_format: "%d/%m/%Y"
          timestamp_format: "%d/%m/%Y %H:%M"
        columns:
          - name: sale_id
            data_type: integer
          - name: sold_on
            data_type: date
          - name: sold_at
            data_type: timestamp
          - name: note
            data_type: varchar
`,
      ),
      'data/sales/2024-02.csv': '1;01/02/2024;01/02/2024 13:45;"a; b"\n2;29/02/2024;29/02/2024 07:05;\n3;15/02/2024;15/02/2024 00:00;"say ""hi"""\n',
    }));
    const out = await c.load();
    expect(out.exitCode, out.text).toBe(0);
    expect(out.tables[0]).toMatchObject({ name: 'raw.sales', loaded: 1, rows: 3 });
    const rows = await c.q(`select sale_id, cast(sold_on as varchar) as d, cast(sold_at as varchar) as t, note from {schema}.sales order by sale_id`);
    expect(rows).toEqual([
      { sale_id: 1, d: '2024-02-01', t: '2024-02-01 13:45:00', note: 'a; b' },
      { sale_id: 2, d: '2024-02-29', t: '2024-02-29 07:05:00', note: null },
      { sale_id: 3, d: '2024-02-15', t: '2024-02-15 00:00:00', note: 'say "hi"' },
    ]);
    const types = await c.q(`select column_name, lower(data_type) as t from information_schema.columns where table_schema = '{schema}' and table_name = 'sales' order by ordinal_position`);
    expect(types.map((r) => r.t)).toEqual([expect.stringMatching(/^int/), 'date', expect.stringMatching(/^timestamp/), expect.stringMatching(/^(varchar|character varying|text)$/), expect.stringMatching(/^(varchar|character varying|text)$/)]);
    // Dates are dates: date arithmetic works on them.
    const span = await c.q(`select cast(max(sold_on) - min(sold_on) as integer) as days from {schema}.sales`);
    expect(span[0]!.days).toBe(28);
  });

  it('reloads a changed file: its old rows are replaced, not duplicated', async () => {
    const c = newCase((s) => ({
      'models/sources.yml': sourcesYml(s, eventsTable()),
      'data/events/2024-01-01/hour=03/part-0.jsonl.gz': hour(3, 2),
      'data/events/2024-01-01/hour=04/part-0.jsonl.gz': hour(4, 2),
    }));
    expect((await c.load()).exitCode).toBe(0);
    const before = await stateFiles(c);
    // Same path, new content: 3 rows instead of 2, other ids.
    c.write({ 'data/events/2024-01-01/hour=03/part-0.jsonl.gz': hour(3, 3, 10) });
    const out = await c.load();
    expect(out.exitCode, out.text).toBe(0);
    expect(out.tables[0]).toMatchObject({ loaded: 0, reloaded: 1, unchanged: 1, rows: 3 });
    expect(out.text).toMatch(/OK reloaded raw\.events from data\/events\/2024-01-01\/hour=03\/part-0\.jsonl\.gz \.+ \[REPLACE 3 in/);
    expect(await count(c)).toBe(5);
    const ids = await c.q(`select event_id from {schema}.events where _tform_file like '%hour=03%' order by event_id`);
    expect(ids.map((r) => r.event_id)).toEqual(['h3-10', 'h3-11', 'h3-12']);
    const dupes = await c.q(`select event_id from {schema}.events group by event_id having count(*) > 1`);
    expect(dupes).toEqual([]);
    const after = await stateFiles(c);
    expect(after[0]!.rows).toBe(3);
    expect(after[0]!.hash).not.toBe(before[0]!.hash);
    expect(after[1]).toEqual(before[1]);
  });

  it('picks up a new hourly file on the next load, and only that file', async () => {
    const c = newCase((s) => ({
      'models/sources.yml': sourcesYml(s, eventsTable()),
      'data/events/2024-01-01/hour=03/part-0.jsonl.gz': hour(3, 2),
    }));
    expect((await c.load()).exitCode).toBe(0);
    c.write({ 'data/events/2024-01-01/hour=04/part-0.jsonl.gz': hour(4, 4), 'data/events/2024-01-01/hour=04/.part-1.jsonl.gz.tmp': 'partial upload' });
    const out = await c.load(['source:raw.events']);
    expect(out.exitCode, out.text).toBe(0);
    expect(out.tables[0]).toMatchObject({ found: 2, loaded: 1, unchanged: 1, rows: 4 });
    expect(out.tables[0]!.files.filter((f) => f.status === 'loaded').map((f) => f.path)).toEqual(['data/events/2024-01-01/hour=04/part-0.jsonl.gz']);
    expect(await count(c)).toBe(6);
    expect((await stateFiles(c)).map((f) => f.path)).toEqual(['data/events/2024-01-01/hour=03/part-0.jsonl.gz', 'data/events/2024-01-01/hour=04/part-0.jsonl.gz']);
  });

  it('empty files (plain and gzipped, CSV and JSON lines) load no rows and count as loaded', async () => {
    const c = newCase((s) => ({
      'models/sources.yml': sourcesYml(s, eventsTable('data/events/*', '          format: jsonl\n') + `      - name: sales\n        external:\n          location: data/sales/*\n          format: csv\n${EVENTS_COLUMNS}`),
      'data/events/a.jsonl': '',
      'data/events/b.jsonl.gz': gz(''),
      'data/events/c.jsonl.gz': gz(jsonl([{ event_id: 'c', event_time: '2024-01-01 00:00:00', amount: 1 }])),
      'data/sales/a.csv': '',
      'data/sales/b.csv.gz': gz('\n'),
      'data/sales/c.csv': 'event_id,event_time,amount\n',
    }));
    const out = await c.load();
    expect(out.exitCode, out.text).toBe(0);
    expect(out.tables.map((t) => [t.name, t.loaded, t.rows])).toEqual([
      ['raw.events', 3, 1],
      ['raw.sales', 3, 0],
    ]);
    expect((await c.load()).tables.map((t) => t.unchanged)).toEqual([3, 3]);
  });

  it('a selection of another source loads nothing of this one', async () => {
    const c = newCase((s) => ({
      'models/sources.yml': sourcesYml(s, eventsTable()) + `  - name: other\n    tables:\n      - name: t\n`,
      'data/events/2024-01-01/hour=03/part-0.jsonl.gz': hour(3, 2),
    }));
    const out = await c.load(['source:other']);
    expect(out.exitCode).toBe(0);
    expect(out.tables).toEqual([]);
    expect(out.text).toContain('source other.t has no external location');
    expect(await c.q(`select table_name from information_schema.tables where table_schema = '{schema}'`)).toEqual([]);
  });

  it('a file with a bad row fails (exit 1, naming the file); the others load and the failed one is left as it was', async () => {
    const good = (id: string) => jsonl([{ event_id: id, event_time: '2024-01-01 05:00:00', amount: 1 }]);
    const c = newCase((s) => ({
      'models/sources.yml': sourcesYml(s, eventsTable('data/events/*.jsonl')),
      'data/events/a.jsonl': good('a'),
      'data/events/b.jsonl': good('b1') + jsonl([{ event_id: 'b2', event_time: 'not a time', amount: 2 }]),
      'data/events/c.jsonl': good('c'),
    }));
    const r = await runCli(['load'], { cwd: c.dir });
    expect(r.code, r.output).toBe(1);
    expect(r.output).toMatch(/ERROR loading raw\.events from data\/events\/b\.jsonl/);
    expect(r.output).toMatch(/Failure loading data\/events\/b\.jsonl(:2)? into source raw\.events/);
    expect(r.output).toMatch(/not a time/);
    expect(r.output).toContain('LOADED=2 RELOADED=0 UNCHANGED=0 ERROR=1 TOTAL=3');
    const rows = await c.q(`select event_id from {schema}.events order by event_id`);
    expect(rows.map((x) => x.event_id)).toEqual(['a', 'c']);
    expect((await stateFiles(c)).map((f) => f.path)).toEqual(['data/events/a.jsonl', 'data/events/c.jsonl']);

    // Fixed: the next load loads it (and only it).
    c.write({ 'data/events/b.jsonl': good('b1') + good('b2') });
    const fixed = await c.load();
    expect(fixed.exitCode, fixed.text).toBe(0);
    expect(fixed.tables[0]).toMatchObject({ loaded: 1, unchanged: 2, rows: 2 });

    // Changed into a bad file: the reload fails and the old rows stay (delete rolled back).
    c.write({ 'data/events/a.jsonl': good('a2') + '{"event_id": "a3", "event_time": \n' });
    const broken = await c.load();
    expect(broken.exitCode).toBe(1);
    const failed = broken.tables[0]!.files.find((f) => f.status === 'error')!;
    expect(failed.path).toBe('data/events/a.jsonl');
    expect(failed.line).toBe(2);
    expect(failed.message).toMatch(/JSON/i);
    expect((await c.q(`select event_id from {schema}.events order by event_id`)).map((x) => x.event_id)).toEqual(['a', 'b1', 'b2', 'c']);
    expect((await stateFiles(c)).find((f) => f.path === 'data/events/a.jsonl')!.rows).toBe(1);
  });

  it('a CSV value of the wrong type fails with the file and line', async () => {
    const c = newCase((s) => ({
      'models/sources.yml': sourcesYml(
        s,
        `      - name: events
        external:
          location: data/*.csv.gz
        columns:
          - name: event_id
            data_type: varchar
          - name: amount
            data_type: integer
`,
      ),
      'data/a.csv.gz': gz('event_id,amount\nx,1\ny,2\n'),
      'data/b.csv.gz': gz('amount,event_id\n1,z\nlots,w\n'),
    }));
    const out = await c.load();
    expect(out.exitCode).toBe(1);
    expect(out.tables[0]).toMatchObject({ loaded: 1, errors: 1 });
    const failed = out.tables[0]!.files.find((f) => f.status === 'error')!;
    expect(failed).toMatchObject({ path: 'data/b.csv.gz', line: 3 });
    expect(failed.message).toContain('lots');
    expect(out.text).toContain('Failure loading data/b.csv.gz:3 into source raw.events');
    // A header maps columns by name, whatever their order in the file.
    expect(await c.q(`select event_id, amount from {schema}.events order by event_id`)).toEqual([
      { event_id: 'x', amount: 1 },
      { event_id: 'y', amount: 2 },
    ]);
  });

  it('streams a large file in batches, and maps a bad row far into it to its line', async () => {
    const N = 25_000;
    const BAD = 23_456;
    const body = (bad: boolean) => Array.from({ length: N }, (_x, i) => `${i + 1},${bad && i + 1 === BAD ? 'oops' : i % 7}\n`).join('');
    const c = newCase((s) => ({
      'models/sources.yml': sourcesYml(
        s,
        `      - name: big
        external:
          location: data/big/*.csv.gz
          header: false
        columns:
          - name: id
            data_type: integer
          - name: v
            data_type: integer
`,
      ),
      'data/big/a.csv.gz': gz(body(false)),
      'data/big/b.csv.gz': gz(body(true)),
    }));
    const out = await c.load();
    expect(out.exitCode).toBe(1);
    expect(out.tables[0]).toMatchObject({ loaded: 1, errors: 1, rows: N });
    expect(out.tables[0]!.files.find((f) => f.status === 'error')).toMatchObject({ path: 'data/big/b.csv.gz', line: BAD });
    expect(await c.q(`select cast(count(*) as integer) as n, cast(sum(id) as bigint) as s, cast(count(distinct _tform_file) as integer) as f from {schema}.big`)).toEqual([
      { n: N, s: expect.anything(), f: 1 },
    ]);
    const sum = await c.q(`select cast(sum(id) as varchar) as s from {schema}.big`);
    expect(sum[0]!.s).toBe(String((N * (N + 1)) / 2));
  });

  it('config errors exit 2 at the schema YAML line and write nothing', async () => {
    // A column without data_type.
    const c = newCase((s) => ({
      'models/sources.yml': sourcesYml(s, eventsTable().replace('          - name: amount\n            data_type: integer\n', '          - name: amount\n')),
      'data/events/2024-01-01/hour=03/part-0.jsonl.gz': hour(3, 2),
    }));
    const yml = fs.readFileSync(path.join(c.dir, 'models/sources.yml'), 'utf8');
    const r = await runCli(['load'], { cwd: c.dir });
    expect(r.code, r.output).toBe(2);
    expect(r.output).toContain(`models/sources.yml:${lineOf(yml, '- name: amount')}`);
    expect(r.output).toContain('column amount needs a data_type');
    expect(r.output).toMatch(/hint: /);

    // An unknown format, in another source file of the same project.
    writeFiles(c.dir, { 'models/sources.yml': sourcesYml(c.schema, eventsTable('data/events/**/*.jsonl.gz', '          format: parquet\n')) });
    const yml2 = fs.readFileSync(path.join(c.dir, 'models/sources.yml'), 'utf8');
    const r2 = await runCli(['load'], { cwd: c.dir });
    expect(r2.code, r2.output).toBe(2);
    expect(r2.output).toContain(`models/sources.yml:${lineOf(yml2, 'format: parquet')}`);
    expect(r2.output).toContain("unknown external.format 'parquet'");

    // No location, and an unknown key.
    writeFiles(c.dir, { 'models/sources.yml': sourcesYml(c.schema, eventsTable().replace(/          location: .*\n/, '          header_row: true\n')) });
    const yml3 = fs.readFileSync(path.join(c.dir, 'models/sources.yml'), 'utf8');
    const e3 = await withProject(c.dir, () => 'opened').catch((e: unknown) => e);
    expect(e3).toBeInstanceOf(TformError);
    expect(e3).toMatchObject({ code: 'CONFIG_INVALID', file: 'models/sources.yml', line: lineOf(yml3, 'header_row') });
    expect((e3 as TformError).message).toContain("unknown key 'header_row' under external");

    expect(await c.q(`select table_name from information_schema.tables where table_schema = '{schema}'`)).toEqual([]);
    const hasState = (await c.q(`select table_name from information_schema.tables where table_schema = 'tform_state' and table_name = 'files'`)).length > 0;
    if (hasState) expect(await stateFiles(c)).toEqual([]);
  });
}
