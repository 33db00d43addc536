import { createRequire } from 'node:module';
import type { TargetProfile } from '../adapter/types.js';

/** The version of @tform/core, from its package.json. */
export const TFORM_VERSION: string = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
/** Target fields visible in templates: never credentials. */
export function targetContext(t: TargetProfile): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(t)) {
    if (/pass|secret|token|key|credential/i.test(k)) continue;
    out[k] = v;
  }
  out.name = t.name;
  out.type = t.type;
  out.schema = t.schema;
  out.threads = t.threads ?? 4;
  return out;
}

/** Variables every template sees (macros too, through the render scope). */
export function baseContext(o: { target: TargetProfile; projectName: string; now: Date; invocationId: string }): Record<string, unknown> {
  return {
    target: targetContext(o.target),
    project_name: o.projectName,
    run_started_at: o.now,
    invocation_id: o.invocationId,
    tform_version: TFORM_VERSION,
    execute: true,
  };
}
