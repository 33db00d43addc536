/**
 * The adapter conformance suite: every adapter, built-in or third-party, runs the same cases
 * through the real workflow. Import from `@tform/core/conformance`; it pulls in no driver and no
 * test framework — pass your runner's describe/it/afterAll.
 *
 *   import { describe, it, afterAll } from 'vitest';
 *   import { runConformance } from '@tform/core/conformance';
 *   runConformance({ describe, it, afterAll }, { factory, target: async (name) => ({ profile: {...} }) });
 */
import { CASES } from './cases.js';
import { CaseProject, type ConformanceTarget, type TestApi } from './harness.js';

export { CASES, type ConformanceCase } from './cases.js';
export { CaseProject, num, type ConformanceTarget, type TestApi } from './harness.js';

export function runConformance(api: TestApi, t: ConformanceTarget, o: { timeoutMs?: number } = {}): void {
  api.describe(`adapter conformance: ${t.factory.type}`, () => {
    for (const c of CASES) {
      const skip = t.skip?.[c.name];
      api.it(
        skip ? `${c.name} (skipped: ${skip})` : c.name,
        async () => {
          if (skip) return;
          const { profile, cleanup } = await t.target(c.name);
          const p = new CaseProject(t, profile, c.files);
          try {
            await c.check(p, String(profile.schema));
          } finally {
            p.dispose();
            await cleanup?.();
          }
        },
        o.timeoutMs ?? 60_000,
      );
    }
  });
}
