/**
 * The background file sink writes compiled files on a worker thread: every write is on disk when
 * close() resolves, and a failed write makes close() reject with the file's error.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
// the built module: its worker is a separate built file
import { fileSink, type WriteRecord } from '../packages/core/dist/artifacts/fileSink.js';
import { cleanupProjects, makeProject } from './helpers/fixture.js';

afterAll(cleanupProjects);

describe('file sinks', () => {
  it('the background sink (many files) writes every file, creating folders, before close() resolves', async () => {
    const dir = makeProject({});
    const sink = fileSink(1000);
    for (let i = 0; i < 1000; i++) sink.write(path.join(dir, `d${i % 7}`, `f${i}.sql`), `select ${i}\n`);
    await sink.close();
    for (let i = 0; i < 1000; i++) expect(fs.readFileSync(path.join(dir, `d${i % 7}`, `f${i}.sql`), 'utf8')).toBe(`select ${i}\n`);
  });

  it('with the records of an earlier write, an untouched file with the same text is not written again', async () => {
    const dir = makeProject({});
    const records = new Map<string, WriteRecord>();
    const recs = { get: (abs: string) => records.get(abs), set: (abs: string, r: WriteRecord) => void records.set(abs, r) };
    const a = path.join(dir, 'm', 'a.sql');
    const b = path.join(dir, 'm', 'b.sql');
    let sink = fileSink(1000, recs);
    sink.write(a, 'select 1\n');
    sink.write(b, 'select 2\n');
    await sink.close();
    expect(records.size).toBe(2);
    const old = new Date('2020-01-01T00:00:00Z');
    fs.utimesSync(a, old, old);
    fs.utimesSync(b, old, old);
    records.set(a, [records.get(a)![0], fs.statSync(a).size, fs.statSync(a).mtimeMs]);
    records.set(b, [records.get(b)![0], fs.statSync(b).size, fs.statSync(b).mtimeMs]);
    // a: same text, untouched since its record: left alone; b: new text: rewritten
    sink = fileSink(1000, recs);
    sink.write(a, 'select 1\n');
    sink.write(b, 'select 3\n');
    await sink.close();
    expect(fs.statSync(a).mtime.getTime()).toBe(old.getTime());
    expect(fs.readFileSync(b, 'utf8')).toBe('select 3\n');
    // something else rewrites a (same size, new content): its modification time gives it away
    fs.writeFileSync(a, 'select 9\n');
    sink = fileSink(1000, recs);
    sink.write(a, 'select 1\n');
    await sink.close();
    expect(fs.readFileSync(a, 'utf8')).toBe('select 1\n');
  });

  it('a failed write rejects close() with the error and the path', async () => {
    const dir = makeProject({ 'blocker': 'a file, not a folder' });
    const sink = fileSink(1000);
    sink.write(path.join(dir, 'ok.sql'), 'select 1\n');
    sink.write(path.join(dir, 'blocker', 'x.sql'), 'select 2\n');
    await expect(sink.close()).rejects.toMatchObject({ code: expect.stringMatching(/ENOTDIR|EEXIST/) });
  });

  it('few files are written at once, on this thread', async () => {
    const dir = makeProject({});
    const sink = fileSink(3);
    sink.write(path.join(dir, 'a', 'x.sql'), 'select 1\n');
    expect(fs.readFileSync(path.join(dir, 'a', 'x.sql'), 'utf8')).toBe('select 1\n');
    await sink.close();
  });
});
