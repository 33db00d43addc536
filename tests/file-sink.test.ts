/**
 * The background file sink writes compiled files on a worker thread: every write is on disk when
 * close() resolves, and a failed write makes close() reject with the file's error.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
// the built module: its worker is a separate built file
import { fileSink } from '../packages/core/dist/artifacts/fileSink.js';
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

  it('a file already holding the same text is left as it is; a changed one is rewritten', async () => {
    const dir = makeProject({ 'same.sql': 'select 1\n', 'changed.sql': 'select 2\n' });
    const old = new Date('2020-01-01T00:00:00Z');
    for (const f of ['same.sql', 'changed.sql']) fs.utimesSync(path.join(dir, f), old, old);
    const sink = fileSink(1000);
    sink.write(path.join(dir, 'same.sql'), 'select 1\n');
    sink.write(path.join(dir, 'changed.sql'), 'select 3\n');
    await sink.close();
    expect(fs.statSync(path.join(dir, 'same.sql')).mtime.getTime()).toBe(old.getTime());
    expect(fs.readFileSync(path.join(dir, 'changed.sql'), 'utf8')).toBe('select 3\n');
    expect(fs.statSync(path.join(dir, 'changed.sql')).mtime.getTime()).toBeGreaterThan(old.getTime());
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
