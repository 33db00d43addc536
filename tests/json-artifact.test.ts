/**
 * Large artifacts (the manifest) are written entry by entry: the bytes must be exactly
 * JSON.stringify's, secrets masked, and a failed write must leave no half file behind.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { registerSecret } from '../packages/core/src/log/secrets.js';
import { writeJsonAtomic } from '../packages/core/src/artifacts/write.js';
import { cleanupProjects, makeProject } from './helpers/fixture.js';

afterAll(cleanupProjects);

describe('writeJsonAtomic', () => {
  it('writes the same bytes as JSON.stringify (plus a newline), large maps included', () => {
    const dir = makeProject({});
    const value = {
      metadata: { a: 1, skipped: undefined, when: new Date(0) },
      nodes: Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`model.p.m${i}`, { name: `m${i}`, sql: `select '${'x'.repeat(i % 700)}"\\\n' as q`, gone: undefined, list: [1, undefined, null] }])),
      empty: {},
      tests: {},
      dropped: undefined,
      fn: () => 1,
      arr: [{ b: 2 }],
      '10': 'numeric key',
    };
    const f = path.join(dir, 'target', 'manifest.json');
    writeJsonAtomic(f, value as unknown as Record<string, unknown>, ['nodes', 'tests', 'empty']);
    expect(fs.readFileSync(f, 'utf8')).toBe(JSON.stringify(value) + '\n');
    expect(fs.readdirSync(path.dirname(f))).toEqual(['manifest.json']);
  });

  it('bigints are written as numbers, and registered secrets are masked in every piece', () => {
    const dir = makeProject({});
    registerSecret('hunter2-artifact-secret');
    const f = path.join(dir, 'm.json');
    writeJsonAtomic(f, { nodes: Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`n${i}`, { rows: BigInt(i), note: i % 1000 === 0 ? 'pw hunter2-artifact-secret' : 'x'.repeat(300) }])) }, ['nodes']);
    const text = fs.readFileSync(f, 'utf8');
    expect(text).not.toContain('hunter2-artifact-secret');
    const back = JSON.parse(text) as { nodes: Record<string, { rows: number; note: string }> };
    expect(back.nodes.n4999!.rows).toBe(4999);
    expect(back.nodes.n1000!.note).toBe('pw *****');
  });

  it('a value that cannot be written leaves no file and no temporary file', () => {
    const dir = makeProject({});
    const f = path.join(dir, 'm.json');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => writeJsonAtomic(f, { nodes: { a: { ok: 1 }, b: cyclic } }, ['nodes'])).toThrow();
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});
