import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryLogger, TformError, openProject, resolveAdapterFactory, executeBuild, type AdapterFactory } from '@tform/core';
import { runConformance } from '@tform/core/conformance';
import { builtinAdapters } from '@tform/adapters';

// The fixture package is installed into a project's node_modules the way npm would link it.
const fixture = resolve(import.meta.dirname, 'fixtures/tform-adapter-quack');
const root = mkdtempSync(join(tmpdir(), 'tform-3p-'));
const projectDir = join(root, 'proj');
mkdirSync(join(projectDir, 'node_modules'), { recursive: true });
symlinkSync(fixture, join(projectDir, 'node_modules', 'tform-adapter-quack'), 'dir');
writeFileSync(join(projectDir, 'package.json'), '{"name":"proj","private":true}');
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('plug-in adapters', () => {
  it('loads an adapter package by type from the project directory', async () => {
    const f = await resolveAdapterFactory('quack', { projectDir, builtins: builtinAdapters });
    expect(f.type).toBe('quack');
  });

  it('does not find it from a directory without the package, and lists what is available', async () => {
    const other = mkdtempSync(join(root, 'other-'));
    const err = await resolveAdapterFactory('quack', { projectDir: other, builtins: builtinAdapters }).catch((e) => e);
    expect(err).toBeInstanceOf(TformError);
    expect(err.message).toContain("no adapter for type 'quack'");
    expect(err.hint).toContain('duckdb');
    expect(err.hint).toContain('npm install @tform/adapter-quack');
  });

  it('names installed plug-ins in the hint of an unknown type', async () => {
    const err = await resolveAdapterFactory('nosuch', { projectDir, builtins: builtinAdapters }).catch((e) => e);
    expect(err.hint).toContain('installed: tform-adapter-quack');
  });

  it('builds a project whose profile says type: quack', async () => {
    writeFileSync(join(projectDir, 'tform_project.yml'), 'name: p\nprofile: p\n');
    writeFileSync(join(projectDir, 'profiles.yml'), 'p:\n  target: dev\n  outputs:\n    dev:\n      type: quack\n      schema: main\n      path: target/q.duckdb\n');
    mkdirSync(join(projectDir, 'models'), { recursive: true });
    writeFileSync(join(projectDir, 'models', 'm.sql'), 'select 41 + 1 as answer');
    const logger = new MemoryLogger();
    const p = await openProject({ projectDir, logger, builtins: builtinAdapters, env: { ...process.env, TFORM_PROFILES_DIR: '' } });
    try {
      expect(p.factory.type).toBe('quack');
      const r = await executeBuild(p, { command: 'run' });
      expect(r.exitCode, logger.text).toBe(0);
      expect(await p.adapter!.query('select answer from main.m')).toEqual([{ answer: 42 }]);
    } finally {
      await p.adapter!.close();
    }
  });
});

// The same conformance suite the built-in adapters pass, run against the plug-in as loaded by type.
const factory: AdapterFactory = await resolveAdapterFactory('quack', { projectDir, builtins: builtinAdapters });
let n = 0;
runConformance({ describe, it, afterAll }, {
  factory,
  target: async () => ({ profile: { type: 'quack', schema: 'main', path: join(root, `case${++n}.duckdb`) } }),
});
