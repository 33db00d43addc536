// The "dbt project build" figure: a whole `tform build` of the game-store dbt fixture
// (tests/fixtures/dbt-game-store: 3 seeds, 3 staging views, 2 mart tables, 21 data tests) on
// DuckDB, from process start to exit, as a user runs it.
//
//   import { runDbtFixture } from './dbt-fixture.mjs';
//   const result = await runDbtFixture({ workDir, runs: 10, log });
//
// The fixture is copied to workDir (unmodified) with a profiles.yml beside it in its own folder
// (found through DBT_PROFILES_DIR). Measured in the same run, each as a fresh process, wall time
// with performance.now() around spawnSync:
//   - node startup: `node -e ''` — the floor any Node CLI pays;
//   - `tform --version`: loading the CLI;
//   - `tform build` cold: target/ and the database file removed first (seeds loaded, every
//     relation created, every test run);
//   - `tform build` again on the database the previous build left (relations replaced).
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

export const DBT_FIXTURE_TARGETS = {
  /** cold `tform build` of the fixture, median wall time in seconds: under */
  buildS: 1,
};

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const TFORM = join(ROOT, 'packages', 'cli', 'bin', 'tform.js');
const FIXTURE = join(ROOT, 'tests', 'fixtures', 'dbt-game-store');

function median(xs) {
  const v = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

function summary(ms) {
  return { medianMs: median(ms), minMs: Math.min(...ms), maxMs: Math.max(...ms), runsMs: ms };
}

/** Wall time (ms) of one `node args…` process in `cwd`; throws when it exits non-zero. */
function timed(args, cwd, env) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { cwd, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited with ${r.status}:\n${r.stdout}${r.stderr}`);
  return { ms, stdout: r.stdout };
}

export async function runDbtFixture({ workDir, runs = 10, log = () => {} }) {
  const base = join(workDir, 'dbt-fixture');
  rmSync(base, { recursive: true, force: true });
  const project = join(base, 'dbt-game-store');
  const profiles = join(base, 'profiles');
  cpSync(FIXTURE, project, { recursive: true });
  mkdirSync(profiles, { recursive: true });
  writeFileSync(join(profiles, 'profiles.yml'), 'game_store:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: store.duckdb\n      threads: 4\n');
  const env = { ...process.env, NO_COLOR: '1', DBT_PROFILES_DIR: profiles };
  const clean = () => {
    for (const f of ['target', 'store.duckdb', 'store.duckdb.wal', 'store.duckdb.tform.lock']) rmSync(join(project, f), { recursive: true, force: true });
  };
  try {
    // one unmeasured build: the fixture must pass, and file caches are warm for every variant alike
    clean();
    const first = timed([TFORM, 'build'], project, env);
    const done = /Done\. PASS=(\d+) WARN=(\d+) ERROR=(\d+) SKIP=(\d+) TOTAL=(\d+)/.exec(first.stdout);
    if (!done || done[3] !== '0') throw new Error(`the fixture build did not pass:\n${first.stdout}`);
    const nodes = Number(done[5]);

    const startup = [];
    const version = [];
    const cold = [];
    const again = [];
    for (let i = 0; i < runs; i++) {
      startup.push(timed(['-e', ''], project, env).ms);
      version.push(timed([TFORM, '--version'], project, env).ms);
      clean();
      cold.push(timed([TFORM, 'build'], project, env).ms);
      again.push(timed([TFORM, 'build'], project, env).ms);
    }
    const result = {
      date: new Date().toISOString(),
      fixture: 'tests/fixtures/dbt-game-store',
      nodes,
      runs,
      nodeStartup: summary(startup),
      cliVersion: summary(version),
      buildCold: summary(cold),
      buildAgain: summary(again),
    };
    result.ratios = {
      coldOverStartup: result.buildCold.medianMs / result.nodeStartup.medianMs,
      coldOverVersion: result.buildCold.medianMs / result.cliVersion.medianMs,
    };
    result.target = { buildS: DBT_FIXTURE_TARGETS.buildS, holds: result.buildCold.medianMs < DBT_FIXTURE_TARGETS.buildS * 1000 };
    log(`dbt fixture build: cold ${(result.buildCold.medianMs / 1000).toFixed(2)} s, again ${(result.buildAgain.medianMs / 1000).toFixed(2)} s, node startup ${result.nodeStartup.medianMs.toFixed(0)} ms (target < ${DBT_FIXTURE_TARGETS.buildS} s: ${result.target.holds ? 'holds' : 'missed'})`);
    return result;
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}
