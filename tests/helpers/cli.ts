import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { repoRoot } from './fixture.js';

export const CLI = path.join(repoRoot, 'packages', 'cli', 'bin', 'tform.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout + stderr (the CLI prints errors on stdout, usage errors on stderr). */
  output: string;
}

/** The parent's environment without tform/dbt settings that would change a run, plus NO_COLOR=1. */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(TFORM_|DBT_)/.test(k) || k === 'FORCE_COLOR' || k === 'NODE_OPTIONS' || k.startsWith('VITEST') || k === 'NODE_ENV') continue;
    env[k] = v;
  }
  return { ...env, NO_COLOR: '1', ...extra };
}

/** Spawn `node packages/cli/bin/tform.js ...args` and collect its output and exit code. */
export function runCli(args: string[], o: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { cwd: o.cwd, env: cleanEnv(o.env), timeout: o.timeoutMs ?? 30_000, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        // A number is the exit code; a string code means the process could not be run at all.
        const e = err as (Error & { code?: number | string; signal?: string | null }) | null;
        if (e && typeof e.code === 'string') return reject(e);
        const code = !e ? 0 : typeof e.code === 'number' ? e.code : -1; // -1: killed (timeout or signal)
        resolve({ code, stdout, stderr, output: stdout + stderr });
      },
    );
  });
}
