/**
 * The pure parts of `tform load`: strptime-style formats, the `external:` block of a source
 * table, and finding files by glob. No database.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkDateTimeFormat, findFiles, hashFile, isoDate, isoTimestamp, loadSources, parseDateTime, TformError } from '@tform/core';
import { cleanupProjects, makeProject, profilesYml } from './helpers/fixture.js';
import { withProject } from './helpers/inprocess.js';

afterAll(cleanupProjects);

describe('parseDateTime', () => {
  const date = (v: string, f: string) => {
    const p = parseDateTime(v, f);
    return p && isoDate(p);
  };
  const ts = (v: string, f: string, zoned = false) => {
    const p = parseDateTime(v, f);
    return p && isoTimestamp(p, zoned);
  };

  it('reads day-first dates, with or without zero padding', () => {
    expect(date('01/02/2024', '%d/%m/%Y')).toBe('2024-02-01');
    expect(date('1/2/2024', '%-d/%-m/%Y')).toBe('2024-02-01');
    expect(date('1/2/2024', '%d/%m/%Y')).toBe('2024-02-01');
    expect(date('29/02/2024', '%d/%m/%Y')).toBe('2024-02-29');
    expect(date('20240315', '%Y%m%d')).toBe('2024-03-15');
    expect(date('15-Mar-24', '%d-%b-%y')).toBe('2024-03-15');
    expect(date('Friday, March 15, 1999', '%A, %B %d, %Y')).toBe('1999-03-15');
    expect(date('2024-060', '%Y-%j')).toBe('2024-02-29');
  });

  it('refuses values that do not match or name impossible dates', () => {
    expect(date('99/99/2024', '%d/%m/%Y')).toBeUndefined();
    expect(date('29/02/2023', '%d/%m/%Y')).toBeUndefined();
    expect(date('2024-02-01', '%d/%m/%Y')).toBeUndefined();
    expect(date('01/02/2024 extra', '%d/%m/%Y')).toBeUndefined();
    expect(ts('2024-01-01 24:00', '%Y-%m-%d %H:%M')).toBeUndefined();
  });

  it('reads times: 12-hour clocks, fractions, offsets (converted to UTC)', () => {
    expect(ts('2024-01-01 03:04:05', '%Y-%m-%d %H:%M:%S')).toBe('2024-01-01 03:04:05');
    expect(ts('01/02/2024 1:05 PM', '%d/%m/%Y %I:%M %p')).toBe('2024-02-01 13:05:00');
    expect(ts('01/02/2024 12:05 am', '%d/%m/%Y %I:%M %p')).toBe('2024-02-01 00:05:00');
    expect(ts('2024-01-01T03:04:05.25', '%Y-%m-%dT%H:%M:%S.%f')).toBe('2024-01-01 03:04:05.250000');
    expect(ts('2024-01-01T00:30:00+02:00', '%Y-%m-%dT%H:%M:%S%z')).toBe('2023-12-31 22:30:00');
    expect(ts('2024-01-01T00:30:00Z', '%Y-%m-%dT%H:%M:%S%z', true)).toBe('2024-01-01 00:30:00+00:00');
    expect(ts('2024-01-01 100%', '%Y-%m-%d 100%%')).toBe('2024-01-01 00:00:00');
  });

  it('rejects formats it cannot read', () => {
    expect(() => checkDateTimeFormat('%Y-%W')).toThrow(/%W/);
    expect(() => checkDateTimeFormat('%Y-%')).toThrow(/lone/);
    expect(() => checkDateTimeFormat('%d/%m/%Y %H:%M:%S.%f%z')).not.toThrow();
  });
});

describe('findFiles', () => {
  it('matches globs in sorted path order, never hidden files, and hashes the stored bytes', async () => {
    const dir = makeProject({
      'data/e/2024-01-02/hour=00/a.jsonl.gz': 'x',
      'data/e/2024-01-01/hour=10/a.jsonl.gz': 'y',
      'data/e/2024-01-01/hour=09/a.jsonl.gz': 'z',
      'data/e/2024-01-01/hour=09/.a.jsonl.gz.tmp': 'partial',
      'data/e/2024-01-01/hour=09/notes.txt': 'n',
      'data/e/.hidden/x.jsonl.gz': 'h',
      'data/e/top.jsonl.gz': 't',
    });
    expect(findFiles(dir, 'data/e/**/*.jsonl.gz').map((f) => f.relPath)).toEqual([
      'data/e/2024-01-01/hour=09/a.jsonl.gz',
      'data/e/2024-01-01/hour=10/a.jsonl.gz',
      'data/e/2024-01-02/hour=00/a.jsonl.gz',
      'data/e/top.jsonl.gz',
    ]);
    expect(findFiles(dir, 'data/e/*/hour=0?/*.jsonl.gz').map((f) => f.relPath)).toEqual(['data/e/2024-01-01/hour=09/a.jsonl.gz', 'data/e/2024-01-02/hour=00/a.jsonl.gz']);
    expect(findFiles(dir, path.join(dir, 'data/e/top.jsonl.gz'))).toEqual([{ absPath: path.join(dir, 'data/e/top.jsonl.gz'), relPath: 'data/e/top.jsonl.gz' }]);
    expect(findFiles(dir, 'data/nowhere/*.csv')).toEqual([]);
    const h = await hashFile(path.join(dir, 'data/e/top.jsonl.gz'));
    expect(h).toEqual({ hash: 'e3b98a4da31a127d4bde6e43033f66ba274cab0eb7eb1c70ec41402bf6273dd8', size: 1 });
  });
});

describe('the external: block', () => {
  const project = (table: string) =>
    makeProject({
      'tform_project.yml': 'name: proj\nprofile: proj\n',
      'profiles.yml': profilesYml(),
      'models/sources.yml': `version: 2\nsources:\n  - name: raw\n    tables:\n${table}`,
    });
  const externalOf = async (table: string) => withProject(project(table), (p) => p.session.manifest.sources['source.proj.raw.t']!.external);
  const errorOf = async (table: string) => {
    const e = await withProject(project(table), () => undefined).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(TformError);
    return e as TformError;
  };
  const cols = '        columns:\n          - name: a\n            data_type: varchar\n';

  it('infers the format from the extension, tab-delimited for .tsv', async () => {
    expect(await externalOf(`      - name: t\n        external:\n          location: d/*.tsv.gz\n${cols}`)).toEqual({ location: 'd/*.tsv.gz', format: 'csv', compression: 'auto', header: true, delimiter: '\t' });
    expect(await externalOf(`      - name: t\n        external:\n          location: d/*.ndjson\n          compression: none\n${cols}`)).toMatchObject({ format: 'jsonl', compression: 'none' });
  });

  it('reports problems at their line with a hint', async () => {
    const noFormat = await errorOf(`      - name: t\n        external:\n          location: d/*\n${cols}`);
    expect(noFormat).toMatchObject({ code: 'CONFIG_INVALID', file: 'models/sources.yml', line: 7 });
    expect(noFormat.message).toContain("cannot tell the format of 'd/*'");
    expect(noFormat.hint).toContain('format: jsonl or csv');
    const noCols = await errorOf(`      - name: t\n        external:\n          location: d/*.csv\n`);
    expect(noCols.message).toContain('needs columns');
    expect((await errorOf(`      - name: t\n        external:\n          location: d/*.jsonl\n          header: false\n${cols}`)).message).toContain('applies to csv files only');
    expect((await errorOf(`      - name: t\n        external:\n          location: d/*.csv\n          delimiter: ",,"\n${cols}`)).line).toBe(8);
    const badFmt = await errorOf(`      - name: t\n        external:\n          location: d/*.csv\n          date_format: "%d.%m.%Y %U"\n${cols}`);
    expect(badFmt).toMatchObject({ line: 8 });
    expect(badFmt.message).toContain('%U');
    const reserved = await errorOf(`      - name: t\n        external:\n          location: d/*.csv\n        columns:\n          - name: _tform_file\n            data_type: varchar\n`);
    expect(reserved.message).toContain('reserved');
    const typo = await errorOf(`      - name: t\n        external:\n          location: d/*.csv\n          delimeter: ";"\n${cols}`);
    expect(typo.hint).toBe("did you mean 'delimiter'?");
  });
});

describe('an adapter that cannot load files', () => {
  it('is a user error before anything is written', async () => {
    const dir = makeProject({
      'tform_project.yml': 'name: proj\nprofile: proj\n',
      'profiles.yml': profilesYml(),
      'models/sources.yml': 'version: 2\nsources:\n  - name: raw\n    tables:\n      - name: t\n        external:\n          location: d/*.csv\n        columns:\n          - name: a\n            data_type: varchar\n',
      'd/a.csv': 'a\nx\n',
    });
    const e = await withProject(dir, (p) => {
      Object.assign(p.adapter!, { capabilities: { ...p.adapter!.capabilities, loadFiles: false } });
      return loadSources(p);
    }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(TformError);
    expect(e).toMatchObject({ code: 'ADAPTER_UNSUPPORTED' });
    expect(fs.existsSync(path.join(dir, 'warehouse.duckdb'))).toBe(false);
  });
});
