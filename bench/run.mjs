#!/usr/bin/env node
// `npm run bench`: generate the synthetic project, time `tform compile` as a whole process, and
// write BENCHMARKS.md and bench/results.json.
//
//   node bench/run.mjs [--only compile|fused|incremental|dbt|docs] [--models 10000] [--runs 5] [--seed 1] [--warmup 0]
//                      [--timeout 1800] [--rss-method auto|time|node] [--fused-runs 5] [--fused-rows 10000000]
//
// By default both parts run: the compile benchmark below and the fused-tests benchmark
// (bench/fused-tests.mjs: ten data tests of a 10,000,000-row DuckDB table, one fused statement
// against ten single queries). With --only, the other part's figures are carried over from the
// previous bench/results.json (and marked with their own date on the page).
//
// Every compile run is a fresh process on a project whose target/ was removed first (cold: nothing
// from a previous run is reused). Wall time is measured in this process with performance.now()
// from just before spawn to the child's exit. Peak RSS comes from GNU time (`/usr/bin/time -f %M`)
// when it is installed, otherwise from a tiny module loaded with `node --import` that writes
// process.resourceUsage().maxRSS on exit (bench/lib/maxrss-reporter.mjs).
import { spawn, execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { generateProject } from './generate-project.mjs';
import { FUSED_TARGETS, runFusedTests } from './fused-tests.mjs';
import { INCREMENTAL_TARGETS, runIncremental } from './incremental.mjs';
import { runDbtFixture } from './dbt-fixture.mjs';
import { runDocsSite } from './docs-site.mjs';
import { DATAFORM_CLI_VERSION, DATAFORM_CORE_VERSION, dataformCompile, generateDataformProject, installDataform } from './dataform.mjs';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const ROOT = dirname(BENCH_DIR);
const WORK = join(BENCH_DIR, '.work');
const PROJECT = join(WORK, 'project');
const TFORM = join(ROOT, 'packages', 'cli', 'bin', 'tform.js');
const CLI_DIST = join(ROOT, 'packages', 'cli', 'dist', 'main.js');
const REPORTER = join(BENCH_DIR, 'lib', 'maxrss-reporter.mjs');
const GNU_TIME = '/usr/bin/time';
const MD_FILE = join(ROOT, 'BENCHMARKS.md');
const JSON_FILE = join(BENCH_DIR, 'results.json');
const DEFAULT_MODELS = 10_000;
const MARKER = '<!-- Everything below this line is rewritten by `npm run bench` (bench/run.mjs). Edit the introduction above it. -->';
const DEFAULT_FUSED_ROWS = 10_000_000;
/** The compiler-at-scale targets, on this machine, for the 10,000-model project. */
const COMPILE_TARGETS = { coldS: 1.5, warmEditS: 0.5, rssMiB: 300 };
const TARGET_NOTE = `cold ≤ ${COMPILE_TARGETS.coldS} s, warm after editing one model ≤ ${COMPILE_TARGETS.warmEditS} s, peak RSS ≤ ${COMPILE_TARGETS.rssMiB} MB (whole process, 10,000 models, this machine).`;

const DEFAULT_INTRO = `# Benchmarks

How fast tform is, measured. Run \`npm run bench\` from the repository root (build first with
\`npx tsc -b\`). It writes a synthetic project of 10,000 models into \`bench/.work/\` (ignored by git)
with \`bench/generate-project.mjs\` and runs \`tform compile\` on it as a whole process several times:
cold, again with nothing changed, and after editing one model. Then it rewrites the rest of this
page and \`bench/results.json\`.

It also measures:
- the data tests: ten column tests of a 10,000,000-row DuckDB table, run as tform's one fused
  statement and as ten single queries (\`bench/fused-tests.mjs\`; the database file under
  \`bench/.work/\` is deleted afterwards);
- incremental runs: one new day of synthetic game events at 30 and at 365 days of history, and a
  full refresh (\`bench/incremental.mjs\`; DuckDB files under \`bench/.work/\`, deleted afterwards);
- a whole \`tform build\` of the game-store dbt fixture (\`bench/dbt-fixture.mjs\`).
- the docs site: \`tform docs generate\` on a generated 5,000-model project, the site opened in
  headless Chromium, timed until the whole graph is drawn and through a search-open-highlight
  interaction (\`bench/docs-site.mjs\`).

For a quick check, pass flags through npm: \`npm run bench -- --models 2000 --runs 3\`.
\`--only compile\`, \`--only fused\`, \`--only incremental\`, \`--only dbt\` or \`--only docs\` runs one part and keeps the
other parts' figures from the previous run.

\`npm run bench -- --vs dataform\` is run separately: Dataform needs minutes per compile at this
size. It installs Dataform's CLI from npm into \`bench/.work/\` and compiles the same generated shape
with it and with tform, side by side (\`bench/dataform.mjs\`).

Every figure below was measured on the machine named in the "Machine" section of this file, on the
date given there. Figures from another machine are not comparable: rerun the benchmark there.

On this machine, creating the ~30,000 compiled files of a cold compile costs anywhere from about
1.5 s to 15 s of system time between runs of the same code, depending on the state of the disk
and memory of the virtual machine. Wall times of cold compiles are therefore noisy; user CPU
time is the stable figure for comparing code.
`;

// ---------------------------------------------------------------------------------------------
// Arguments

function parseArgs(argv) {
  const o = { models: DEFAULT_MODELS, runs: 5, seed: 1, warmup: 0, timeout: 1800, rssMethod: 'auto', only: null, fusedRuns: 5, fusedRows: DEFAULT_FUSED_ROWS, vs: null, vsRuns: 3 };
  const num = (flag, v, min) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new Error(`${flag} must be an integer ≥ ${min}, got ${v}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const val = () => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--models': o.models = num(flag, val(), 10); break;
      case '--runs': o.runs = num(flag, val(), 1); break;
      case '--seed': o.seed = num(flag, val(), 0); break;
      case '--warmup': o.warmup = num(flag, val(), 0); break;
      case '--timeout': o.timeout = num(flag, val(), 1); break;
      case '--only': {
        const v = val();
        if (!['compile', 'fused', 'incremental', 'dbt', 'docs'].includes(v)) throw new Error(`--only must be compile, fused, incremental, dbt or docs, got ${v}`);
        o.only = v;
        break;
      }
      case '--fused-runs': o.fusedRuns = num(flag, val(), 3); break;
      case '--vs': {
        const v = val();
        if (v !== 'dataform') throw new Error(`--vs takes dataform, got ${v}`);
        o.vs = v;
        break;
      }
      case '--vs-runs': o.vsRuns = num(flag, val(), 1); break;
      case '--fused-rows': o.fusedRows = num(flag, val(), 1000); break;
      case '--rss-method': {
        const v = val();
        if (!['auto', 'time', 'node'].includes(v)) throw new Error(`--rss-method must be auto, time or node, got ${v}`);
        o.rssMethod = v;
        break;
      }
      case '--help': case '-h':
        process.stdout.write('usage: node bench/run.mjs [--only compile|fused|incremental|dbt|docs | --vs dataform [--vs-runs 3]] [--models 10000] [--runs 5] [--seed 1] [--warmup 0] [--timeout 1800] [--rss-method auto|time|node] [--fused-runs 5] [--fused-rows 10000000]\n');
        process.exit(0);
        break;
      default: throw new Error(`unknown argument ${a}`);
    }
  }
  return o;
}

// ---------------------------------------------------------------------------------------------
// Measuring one process

/**
 * Run `node <nodeArgs>` once; returns wall time (ms, performance.now() around spawn → exit), peak
 * RSS (KiB), exit code and output.
 */
function measure(nodeArgs, { rssMethod, timeoutS, cwd }) {
  const tmp = mkdtempSync(join(os.tmpdir(), 'tform-bench-'));
  const rssFile = join(tmp, 'maxrss');
  let cmd, args;
  const env = { ...process.env, NO_COLOR: '1' };
  if (rssMethod === 'time') {
    cmd = GNU_TIME;
    args = ['-f', '%M %U %S', '-o', rssFile, process.execPath, ...nodeArgs];
  } else {
    cmd = process.execPath;
    args = ['--import', pathToFileURL(REPORTER).href, ...nodeArgs];
    env.TFORM_BENCH_MAXRSS_FILE = rssFile;
  }
  return new Promise((resolvePromise, reject) => {
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const t0 = performance.now();
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutS * 1000);
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    let wallMs;
    child.on('exit', () => {
      wallMs = performance.now() - t0;
    });
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      let rssKiB = null;
      let userMs = null;
      let sysMs = null;
      try {
        // One line "maxRSS(KiB) user(s) sys(s)"; GNU time writes "Command exited with non-zero
        // status N" before it on failure.
        const lines = readFileSync(rssFile, 'utf8').trim().split('\n');
        const [rss, user, sys] = lines[lines.length - 1].trim().split(/\s+/).map(Number);
        if (Number.isFinite(rss) && rss > 0) rssKiB = rss;
        if (Number.isFinite(user)) userMs = user * 1000;
        if (Number.isFinite(sys)) sysMs = sys * 1000;
      } catch {
        // no figure: reported as missing
      }
      rmSync(tmp, { recursive: true, force: true });
      resolvePromise({ wallMs, rssKiB, userMs, sysMs, code, signal, timedOut, stdout, stderr });
    });
  });
}

/**
 * Make the next compile cold: move target/ aside (deleted by emptyTrash() after the last measured
 * run), then flush. Deleting tens of thousands of files leaves work the filesystem does later
 * (journal commits, discards) that lands on whichever process writes next: deleted right before a
 * run, it showed up as 10+ s of system time in the compile itself.
 */
const trash = [];
function clearTarget() {
  const target = join(PROJECT, 'target');
  if (existsSync(target)) {
    const to = join(WORK, `trash-${process.pid}-${trash.length}`);
    renameSync(target, to);
    trash.push(to);
  }
  flushDisk();
}

function emptyTrash() {
  for (const t of trash.splice(0)) rmSync(t, { recursive: true, force: true });
}

/**
 * Flush dirty pages (the previous run's output and its deletion) to disk before a measured run, so
 * one run's write-back does not land in the next run's wall time. Best effort: skipped without `sync`.
 */
function flushDisk() {
  try {
    execFileSync('sync', [], { stdio: 'ignore' });
  } catch {
    // not available: runs may be a little noisier
  }
}

// ---------------------------------------------------------------------------------------------
// Statistics and formatting

function stats(values) {
  const v = values.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const mid = Math.floor(v.length / 2);
  const median = v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
  return { median, min: v[0], max: v[v.length - 1], runs: v.length, values };
}

const fmtS = (ms) => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${(ms / 1000).toFixed(2)} s`);
const fmtMs = (ms) => `${ms.toFixed(0)} ms`;
const fmtMiB = (kib) => `${(kib / 1024).toFixed(0)} MiB`;
const fmtGiB = (bytes) => `${(bytes / 1024 ** 3).toFixed(1)} GiB`;

function machineFacts() {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model?.trim() ?? 'unknown',
    cores: cpus.length,
    availableParallelism: typeof os.availableParallelism === 'function' ? os.availableParallelism() : cpus.length,
    totalMemoryBytes: os.totalmem(),
    node: process.version,
    os: `${os.type()} ${os.release()} (${os.platform()}/${os.arch()})`,
    osVersion: os.version(),
  };
}

function gitFacts() {
  try {
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'packages'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() !== '';
    return { commit, packagesDirty: dirty };
  } catch {
    return { commit: null, packagesDirty: null };
  }
}

function row(label, s, fmt) {
  if (!s) return `| ${label} | n/a | n/a | n/a | 0 |`;
  return `| ${label} | ${fmt(s.median)} | ${fmt(s.min)} | ${fmt(s.max)} | ${s.runs} |`;
}

/** When runs disagree, say which part of the time moved (user CPU is the code, system CPU mostly file I/O). */
function spreadNote(c) {
  const spread = (st) => (st && st.median > 0 ? (st.max - st.min) / st.median : null);
  const wall = spread(c.wallMs);
  if (wall === null || wall <= 0.1) return [];
  const pct = (x) => (x === null ? 'n/a' : `${Math.round(x * 100)}%`);
  return [
    '',
    `Runs spread by ${pct(wall)} of the median wall time (max − min); user CPU time spread by ${pct(spread(c.userCpuMs))}, ` +
      `system CPU time by ${pct(spread(c.systemCpuMs))}. Compare user CPU time across runs of this page when wall times are noisy.`,
  ];
}

function renderMarkdown(intro, r) {
  const m = r.machine;
  const lines = [
    intro.trimEnd(),
    '',
    MARKER,
    '',
    '## Machine',
    '',
    `- CPU: ${m.cpuModel}, ${m.cores} logical cores (available parallelism ${m.availableParallelism})`,
    `- Memory: ${fmtGiB(m.totalMemoryBytes)}`,
    `- OS: ${m.os}, ${m.osVersion}`,
    `- Node: ${m.node}`,
    `- Date: ${r.date}`,
    `- Code: commit ${r.git.commit ?? 'unknown'}${r.git.packagesDirty ? ' with uncommitted changes under packages/' : ''}`,
    ...(r.loadAverage ? [`- Load average (1/5/15 min) at start ${r.loadAverage.start.map((x) => x.toFixed(2)).join(' / ')}, at end ${r.loadAverage.end.map((x) => x.toFixed(2)).join(' / ')}${r.benchWallMs ? `; the whole \`npm run bench\` took ${fmtS(r.benchWallMs)}` : ''}`] : []),
    '',
    ...(r.compile ? renderCompile(r) : ['## Compile', '', 'Not measured yet: run `npm run bench` (or `npm run bench -- --only compile`).', '']),
    ...(r.fusedTests ? renderFused(r.fusedTests) : ['## Fused tests', '', 'Not measured yet: run `npm run bench` (or `npm run bench -- --only fused`).', '']),
    ...(r.incremental ? renderIncremental(r.incremental) : ['## Incremental runs', '', 'Not measured yet: run `npm run bench` (or `npm run bench -- --only incremental`).', '']),
    ...(r.dbtFixture ? renderDbtFixture(r.dbtFixture) : ['## dbt project build', '', 'Not measured yet: run `npm run bench` (or `npm run bench -- --only dbt`).', '']),
    ...(r.docsSite ? renderDocsSite(r.docsSite) : ['## Docs site', '', 'Not measured yet: run `npm run bench` (or `npm run bench -- --only docs`).', '']),
    ...(r.versus ? renderVersus(r.versus) : ['## Versus Dataform', '', 'Not measured yet: run `npm run bench -- --vs dataform` (outside the normal benchmark: Dataform takes minutes per compile at this size).', '']),
  ];
  return lines.join('\n');
}

function renderVersus(v) {
  const row = (label, x) => `| ${label} | ${fmtS(x.median)} | ${fmtS(x.min)} | ${fmtS(x.max)} | ${x.runs} |`;
  return [
    '## Versus Dataform',
    '',
    `\`npm run bench -- --vs dataform\`, measured on ${v.date} (same machine): \`tform compile\` and Dataform's CLI (\`@dataform/cli@${v.dataform.cli}\` with \`@dataform/core@${v.dataform.core}\`, installed from npm into \`bench/.work/\`) compiling the same generated shape, ` +
      `${v.models.toLocaleString('en-US')} models (${v.templated.toLocaleString('en-US')} templated), runs alternating, each a fresh process. The Dataform project is written by \`bench/dataform.mjs\` from the same plan: SQLX files with \`\${ref()}\`, ` +
      'the templated models as `${}` JavaScript expressions (loops, vars, functions from includes/, refs computed in loops and in an include), the two column tests as assertions. ' +
      `Dataform compiled ${v.dataform.tables.toLocaleString('en-US')} tables and ${v.dataform.assertions.toLocaleString('en-US')} assertions (\`dataform compile <dir> --json\`: the compiled graph goes to a pipe, no files are written). tform compiles cold, with target/ moved aside before each run, and writes what it always writes: one compiled file per model and per test (30,000 here) and the manifest.`,
    ...carriedNote(v.carriedFrom),
    '',
    '| measure | median | min | max | runs |',
    '|---|---|---|---|---|',
    row('`tform compile`, cold', v.tform.wallMs),
    row('`dataform compile`', v.dataform.wallMs),
    '',
    `Ratio, Dataform ÷ tform (medians): ${v.ratio.toFixed(1)}.`,
    '',
  ];
}

function renderDbtFixture(d) {
  const row = (label, x) => `| ${label} | ${fmtS(x.medianMs)} | ${fmtS(x.minMs)} | ${fmtS(x.maxMs)} |`;
  return [
    '## dbt project build',
    '',
    `A whole \`tform build\` of \`${d.fixture}\` (an unmodified dbt project: 3 seeds, 3 staging views, 2 mart tables, 21 data tests; ${d.nodes} nodes run) on DuckDB, ` +
      'timed from process start to exit as a user runs it (`bench/dbt-fixture.mjs`). "Cold" removes target/ and the database file first, so every seed is loaded and every relation created; ' +
      '"again" builds over the database the previous build left. Node startup (`node -e \'\'`) and `tform --version` are measured in the same run as baselines. ' +
      `${d.runs} runs of each, interleaved, after one unmeasured build.`,
    ...carriedNote(d.carriedFrom),
    '',
    '| measure | median | min | max |',
    '|---|---|---|---|',
    row('node startup', d.nodeStartup),
    row('`tform --version`', d.cliVersion),
    row('`tform build`, cold', d.buildCold),
    row('`tform build`, again', d.buildAgain),
    '',
    '| ratio | value |',
    '|---|---|',
    `| cold build ÷ node startup | ${d.ratios.coldOverStartup.toFixed(1)} |`,
    `| cold build ÷ \`tform --version\` | ${d.ratios.coldOverVersion.toFixed(1)} |`,
    '',
    `Target: cold build under ${d.target.buildS} s — ${d.target.holds ? 'holds' : 'missed'} (median ${fmtS(d.buildCold.medianMs)}).`,
    '',
  ];
}

function renderDocsSite(d) {
  const big = d.large;
  const small = d.small;
  const row = (label, x) => `| ${label} | ${fmtMs(x.median)} | ${fmtMs(x.min)} | ${fmtMs(x.max)} |`;
  const verdict = (ok) => (ok ? 'holds' : 'missed');
  return [
    '## Docs site',
    '',
    `The site \`tform docs generate\` writes for a generated project of ${big.nodes.toLocaleString('en-US')} models (\`bench/generate-project.mjs --models ${big.nodes} --seed 1\`; ` +
      `column lineage for ${big.lineage?.withLineage?.toLocaleString('en-US') ?? '?'} of ${big.lineage?.models?.toLocaleString('en-US') ?? '?'} models), opened from file:// in Debian's headless Chromium through playwright-core ` +
      `(\`bench/docs-site.mjs\`), ${big.runs} runs, each in a fresh browser context. ` +
      '"Load" is from navigation start to the frame where the site reports every node drawn (`__tformDocsState.drawnNodes`) and a screenshot of the graph is not blank. ' +
      '"Interaction" is from the first keystroke of typing a model name in search, through Enter (opening it), to the frame where the graph highlights exactly that model, its parents and its children. ' +
      `The same measurements on a ${small.nodes}-model project in the same run are the baseline.`,
    ...carriedNote(d.carriedFrom),
    '',
    '| measure | median | min | max |',
    '|---|---|---|---|',
    row(`load, ${big.nodes.toLocaleString('en-US')} models (${big.drawnNodes.toLocaleString('en-US')} nodes, ${big.drawnEdges.toLocaleString('en-US')} edges drawn)`, big.loadMs),
    row(`interaction, ${big.nodes.toLocaleString('en-US')} models (searched ${big.searched})`, big.interactionMs),
    row(`load, ${small.nodes} models (baseline)`, small.loadMs),
    row(`interaction, ${small.nodes} models (baseline)`, small.interactionMs),
    '',
    `Generated files at ${big.nodes.toLocaleString('en-US')} models: ${(big.bytes / 1048576).toFixed(2)} MiB (${big.bytes.toLocaleString('en-US')} bytes: ${big.files.join(', ')}); \`tform docs generate\` took ${fmtS(big.generateMs)} as a whole process.`,
    '',
    '| ratio | value |',
    '|---|---|',
    `| load, ${big.nodes} ÷ ${small.nodes} models | ${(big.loadMs.median / small.loadMs.median).toFixed(1)} |`,
    `| interaction, ${big.nodes} ÷ ${small.nodes} models | ${(big.interactionMs.median / small.interactionMs.median).toFixed(1)} |`,
    '',
    '| Target | Measured (median) | |',
    '| --- | ---: | --- |',
    `| load ≤ ${big.targets.loadMs} ms | ${fmtMs(big.loadMs.median)} | ${verdict(big.meets.loadMs)} |`,
    `| interaction ≤ ${big.targets.interactionMs} ms | ${fmtMs(big.interactionMs.median)} | ${verdict(big.meets.interactionMs)} |`,
    `| files ≤ ${(big.targets.bytes / 1048576).toFixed(0)} MiB | ${(big.bytes / 1048576).toFixed(2)} MiB | ${verdict(big.meets.bytes)} |`,
    '',
  ];
}

function renderIncremental(inc) {
  const w = inc.workload;
  const [a, b] = inc.histories;
  const s = (x) => fmtS(x * 1000);
  const ratio = (x, op) => `${x.value.toFixed(2)} | ${op} ${x.target} | ${x.holds ? 'holds' : 'missed'}`;
  const models = (m) => w.models.map((k) => `${k} ${s(m[k])}`).join(', ');
  return [
    '## Incremental runs',
    '',
    `What one new day of events costs at ${a.history} and at ${b.history} days of history, and what a full refresh costs (the incremental issue's figure). ` +
      `Synthetic game events generated by \`bench/incremental.mjs\` into DuckDB: ${w.eventsPerDay.toLocaleString('en-US')} events a day over ${w.users.toLocaleString('en-US')} players ` +
      `(sessions, matches, purchases with revenue, coins) → bronze view → microbatch \`stg_events\` (day batches, lookback ${w.lookback}) → panel \`daily_user_panel\` → lifetime panel \`user_panel\` (folds). ` +
      `Each history is built with \`tform run --full-refresh\` at the start of the next day (${w.refreshRuns} runs), then ${w.newDays} times one new day of events is inserted and \`tform run\` runs at 00:05 the day after ` +
      '(it processes the lookback day, the new day and the open day, and folds the new day into the lifetime panel). ' +
      'Times are the sums of the three models\' timings in target/run_results.json (the warehouse work, without process start and compile), medians.',
    ...carriedNote(inc.carriedFrom),
    '',
    '| measure | median | per model |',
    '|---|---|---|',
    `| one new day at ${a.history} days (${a.counts.stgEvents.toLocaleString('en-US')} events, ${a.counts.dailyPanelRows.toLocaleString('en-US')} panel rows) | ${s(a.newDay.medianS)} | ${models(a.newDay.byModelMedianS)} |`,
    `| one new day at ${b.history} days (${b.counts.stgEvents.toLocaleString('en-US')} events, ${b.counts.dailyPanelRows.toLocaleString('en-US')} panel rows) | ${s(b.newDay.medianS)} | ${models(b.newDay.byModelMedianS)} |`,
    `| full refresh at ${a.history} days | ${s(a.fullRefresh.medianS)} | ${models(a.fullRefresh.byModelMedianS)} |`,
    `| full refresh at ${b.history} days | ${s(b.fullRefresh.medianS)} | ${models(b.fullRefresh.byModelMedianS)} |`,
    '',
    '| ratio | value | target | |',
    '|---|---|---|---|',
    `| new day at ${b.history} d ÷ new day at ${a.history} d | ${ratio(inc.ratios.historyRatio, '≤')} |`,
    `| full refresh at ${b.history} d ÷ new day at ${b.history} d | ${ratio(inc.ratios.refreshRatio, '≥')} |`,
    '',
    `Every new-day run, in order (s): at ${a.history} days ${a.newDay.runsS.map((x) => x.toFixed(2)).join(', ')}; at ${b.history} days ${b.newDay.runsS.map((x) => x.toFixed(2)).join(', ')}. ` +
      'Runs under 1.5 s are sensitive to other load on a 2-core machine: compare the spread before reading the ratio (see the load average under Machine).',
    '',
    `Batches of the last new-day run at ${b.history} days: ${b.newDay.batches.join('; ')}.`,
    '',
  ];
}

/** A note when a section was carried over from an earlier run (`--only` the other part). */
function carriedNote(carriedFrom) {
  return carriedFrom ? ['', `These figures are from an earlier run, on ${carriedFrom} (this run measured only the other part, with \`--only\`; same machine assumed).`] : [];
}

function renderCompile(r) {
  const w = r.workload;
  const c = r.compile;
  const f = r.nodeStartupFloor;
  const rel = (p) => relative(ROOT, p) || '.';
  return [
    '## Workload',
    '',
    `A synthetic project from \`bench/generate-project.mjs --models ${w.models} --seed ${w.seed}\`: ` +
      `${w.models.toLocaleString('en-US')} models in bronze/silver/gold folders (${w.folders} folders, one schema YAML file each, ` +
      `2 column tests per model), ${w.edges.toLocaleString('en-US')} ref/source edges, ${w.sources} sources, ${w.macroFiles} macro files; ` +
      `${w.templated.toLocaleString('en-US')} models (${(w.templatedShare * 100).toFixed(0)}%) need the full template engine ` +
      `(set, for, if, var(), macro calls, refs computed in loops and macros), the others are plain SQL with literal \`ref()\`s.`,
    '',
    `Measured command: \`node packages/cli/bin/tform.js compile --project-dir ${rel(w.projectDir)} --log-format json\`, ` +
      `a fresh process per run; before each cold run the project's \`target/\` is moved aside and \`sync\` run; the old ones are deleted after the last measured run, since the filesystem's deferred work from deleting ~30,000 files lands on the next process that writes (cold: no artifacts or caches from an earlier run; the OS file cache is warm, since the project was just written). Warm runs follow the cold ones without clearing anything. ` +
      `${r.method.warmupRuns ? `${r.method.warmupRuns} warm-up run(s) not counted. ` : ''}` +
      `Wall time is taken by the parent with \`performance.now()\` from just before spawn to the child's exit; ` +
      `peak RSS and CPU time ${r.method.rss === 'time' ? 'by `/usr/bin/time -f "%M %U %S"` (the child\'s maximum resident set size, user and system CPU time)' : 'by `process.resourceUsage()` in the child, written on exit by `bench/lib/maxrss-reporter.mjs` loaded with `node --import`'}.`,
    '',
    '## Compile',
    '',
    '| Figure | Median | Min | Max | Runs |',
    '| --- | ---: | ---: | ---: | ---: |',
    row(`Wall time of \`tform compile\`, ${w.models.toLocaleString('en-US')} models (process start to exit)`, c.wallMs, fmtS),
    row('Peak RSS of `tform compile`', c.peakRssKiB, fmtMiB),
    row('Compile time tform reports itself (in-process, after start-up and module loading)', c.reportedMs, fmtS),
    row('CPU time of `tform compile`, user', c.userCpuMs, fmtS),
    row('CPU time of `tform compile`, system (kernel: mostly file I/O)', c.systemCpuMs, fmtS),
    ...(c.warmUnchanged ? [
      row('Warm: `tform compile` again, nothing changed (parse cache and compiled files of the previous run in target/)', c.warmUnchanged.wallMs, fmtS),
      row('Warm: `tform compile` after editing one model', c.warmEdit.wallMs, fmtS),
      row('Peak RSS, warm after editing one model', c.warmEdit.peakRssKiB, fmtMiB),
    ] : []),
    row('Floor: Node start-up alone, `node -e 0`, wall time', f.wallMs, fmtMs),
    row('Floor: Node start-up alone, `node -e 0`, peak RSS', f.peakRssKiB, fmtMiB),
    '',
    ...(c.fastPath ? [`Static fast path: ${c.fastPath.staticModels.toLocaleString('en-US')} of ${c.fastPath.models.toLocaleString('en-US')} models (${((100 * c.fastPath.staticModels) / c.fastPath.models).toFixed(1)}%) were rendered without the template engine; the rest went through it.`, ''] : []),
    ...(c.warmEdit?.cache ? [`After one edit the cache reused ${c.warmEdit.cache.parsedReused.toLocaleString('en-US')} of ${c.warmEdit.cache.parsedTotal.toLocaleString('en-US')} parses, ${c.warmEdit.cache.bodiesReused.toLocaleString('en-US')} of ${c.warmEdit.cache.bodiesTotal.toLocaleString('en-US')} renders${c.warmEdit.cache.yamlTotal !== undefined ? `, and ${c.warmEdit.cache.yamlReused.toLocaleString('en-US')} of ${c.warmEdit.cache.yamlTotal.toLocaleString('en-US')} parsed schema files` : ''}.`, ''] : []),
    ...(c.targets && c.warmEdit ? [
      '| Target | Measured (median) | |',
      '| --- | ---: | --- |',
      `| cold ≤ ${c.targets.coldS} s | ${fmtS(c.wallMs.median)} | ${c.wallMs.median <= c.targets.coldS * 1000 ? 'holds' : 'missed'} |`,
      `| warm after one edit ≤ ${c.targets.warmEditS} s | ${fmtS(c.warmEdit.wallMs.median)} | ${c.warmEdit.wallMs.median <= c.targets.warmEditS * 1000 ? 'holds' : 'missed'} |`,
      `| peak RSS ≤ ${c.targets.rssMiB} MB | ${c.peakRssKiB ? fmtMiB(Math.max(c.peakRssKiB.median, c.warmEdit.peakRssKiB?.median ?? 0)) : 'n/a'} | ${c.peakRssKiB && Math.max(c.peakRssKiB.median, c.warmEdit.peakRssKiB?.median ?? 0) / 1024 <= c.targets.rssMiB ? 'holds' : 'missed'} |`,
      '',
    ] : [`Target: ${TARGET_NOTE}`, '']),
    'The Node start-up rows are a floor: what any Node process costs on this machine before it does any work. ' +
      'No tform figure can go below it; it is not a baseline the other figures are divided by.',
    '',
    `Every run, in order: ${c.wallMs.values.map((v) => fmtS(v)).join(', ')} wall; ${c.peakRssKiB ? c.peakRssKiB.values.map(fmtMiB).join(', ') : 'n/a'} peak RSS.`,
    ...spreadNote(c),
    ...carriedNote(c.carriedFrom),
    '',
  ];
}

const fmtQ = (ms) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : ms >= 10 ? `${ms.toFixed(0)} ms` : `${ms.toFixed(1)} ms`);
const fmtN = (n) => Number(n).toLocaleString('en-US');

function renderFused(ft) {
  const w = ft.workload;
  const p = w.profile;
  const label = (s) => (s.column ? `${s.testName}(${s.column})` : s.testName);
  const unique = ft.singles.find((s) => s.testName === 'unique');
  const fromStats = ft.singles.filter((s) => s.emptyResultPlan);
  const scanned = ft.singles.filter((s) => !s.emptyResultPlan);
  const nonUniqueAlone = ft.singles.filter((s) => s.testName !== 'unique').reduce((a, s) => a + s.ms.median, 0);
  const sumAlone = ft.singles.reduce((a, s) => a + s.ms.median, 0);
  const ratio = (x) => `${x.value.toFixed(2)} | ≤ ${x.target} | ${x.holds ? 'holds' : 'missed'}`;
  const failing = ft.counts.filter((c) => c.single !== 0);
  const tenM = w.rows === 10_000_000;
  const partsSum = ft.scanOnlyMs.median + unique.ms.median;
  const cmp = (a, b) => (a > b * 1.05 ? 'more than' : a < b * 0.95 ? 'less than' : 'about the same as');
  return [
    '## Fused tests',
    '',
    `Ten data tests of one table, run as tform's one fused statement against the same ten tests run as single queries (the "Fused tests" figure of the data-tests issue).`,
    '',
    `Workload: a DuckDB table \`${w.table}\` of ${fmtN(w.rows)} rows in a database file (\`bench/.work/fused-tests.duckdb\`, ${(w.databaseBytes / 1024 ** 2).toFixed(0)} MiB; ` +
      `created in ${fmtS(w.createMs)} by \`create table … as select … from range(${w.rows})\` in \`bench/fused-tests.mjs\`, deleted after the run), ` +
      `DuckDB ${w.duckdbVersion} through \`@duckdb/node-api\`, ${w.threads} threads. Columns: ` +
      `\`id\` bigint, unique, 1…${fmtN(w.rows)} in insertion order; \`user_id\` bigint, ${fmtN(p.distinct_user_id)} distinct; ` +
      `\`status\` text, ${p.distinct_status} values, skewed; \`country\` text, ${p.distinct_country} ISO codes, skewed; ` +
      `\`amount\` decimal(12,2), ${p.min_amount}–${p.max_amount}, ${fmtN(p.null_amount)} NULLs; \`created_at\` timestamp, ${String(p.min_created_at).slice(0, 10)} to ${String(p.max_created_at).slice(0, 10)} in id order; ` +
      `\`is_payer\` boolean, ${(p.payer_share * 100).toFixed(0)}% true; \`level\` int, ${p.min_level}–${p.max_level}.`,
    '',
    'Tests, declared in schema YAML and turned into SQL by tform\'s own functions from `@tform/core` ' +
      '(`readSchemaFile` + `declaredTests`; `fuseTests` for the fused statement, `testQueries` for the single queries, DuckDB dialect): ' +
      '`row_count` {min: 1}; `not_null` on id, user_id, status and amount; `unique` on id; `accepted_values` on status (5 values) and country (50 values); ' +
      '`expression` `amount >= 0` and `level between 1 and 100`. ' +
      `The fused statement and the single queries return the same failure count for every test (checked each run; ` +
      `${failing.length ? failing.map((c) => `${c.test}: ${fmtN(c.single)}`).join(', ') + ', all others 0' : 'all 0'}).`,
    '',
    `Method: one DuckDB connection in the benchmark process; query time only, \`performance.now()\` immediately around \`runAndReadAll(sql)\`. ` +
      `Every statement runs once as a warm-up first (not counted), so the columns are in DuckDB's buffer pool: warm, not cold from disk. ` +
      `${ft.method.runs} measured rounds of: the fused statement, its scan part alone, the ten single queries one after another (their sum is one figure per round); ` +
      `then each single query alone, one warm-up and ${ft.method.runs} runs back to back. Medians are reported.`,
    '',
    '| Figure | Median | Min | Max | Runs |',
    '| --- | ---: | ---: | ---: | ---: |',
    row('Fused statement, 10 tests (`fuseTests`)', ft.fusedMs, fmtQ),
    row('10 single queries (`testQueries`) one after another, sum per round', ft.sumOfSinglesMs, fmtQ),
    row(`Slowest single query alone: ${label(ft.singles.find((s) => s.test === ft.slowestSingle.test))}`, ft.slowestSingle.ms, fmtQ),
    row('For the explanation: the fused statement without unique (the one-scan part: 9 tests)', ft.scanOnlyMs, fmtQ),
    '',
    '| Ratio | Measured | Target | |',
    '| --- | ---: | ---: | --- |',
    `| Fused ÷ sum of the 10 single queries | ${ratio(ft.ratios.fusedOverSum)} |`,
    `| Fused ÷ slowest single query alone | ${ratio(ft.ratios.fusedOverSlowest)} |`,
    ...(tenM ? [] : ['', `The targets are set for 10,000,000 rows; this run used ${fmtN(w.rows)} (\`--fused-rows\`), so the ratios are not the figure.`]),
    '',
    'Each single query (median; "alone" = run back to back on its own, "in sequence" = within the ten, after other statements):',
    '',
    '| Single query | Test name | Alone | In sequence | Planned as EMPTY_RESULT (no table read) |',
    '| --- | --- | ---: | ---: | --- |',
    ...ft.singles.map((s) => `| ${label(s)} | ${s.test} | ${fmtQ(s.ms.median)} | ${fmtQ(s.inSequenceMs.median)} | ${s.emptyResultPlan ? 'yes' : 'no'} |`),
    '',
    'Why, from these figures:',
    '',
    `- ${fromStats.length} of the 10 single queries (${fromStats.map(label).join(', ')}) read no data at all: ` +
      `DuckDB's planner proves from the column statistics it keeps for the table (min/max, whether NULLs occur) that no row can fail, and plans an empty result (\`EXPLAIN\` shows EMPTY_RESULT); ` +
      `they take ${fmtQ(Math.max(...fromStats.map((s) => s.ms.median)))} or less. ` +
      `Only ${scanned.length} read the table (${scanned.map((s) => `${label(s)} ${fmtQ(s.ms.median)}`).join(', ')}), each only its own column. ` +
      'Fusing can only save scans that happen; the fused statement reads every column its tests name in one pass over all rows.',
    `- unique's GROUP BY over ${fmtN(p.distinct_id)} distinct ids takes ${fmtQ(unique.ms.median)} alone (${Math.round((unique.ms.median / sumAlone) * 100)}% of the ${fmtQ(sumAlone)} the ten take alone together). ` +
      'It cannot share a scan with the others; the fused statement runs it as its own subquery, so it is a floor under the fused time. ' +
      'The same floor is in the sum of the single queries, which is why fused ÷ sum cannot go far below unique ÷ sum on this table: ' +
      'the ≤ 0.35 target would need the fused statement to cost less than a third of what unique alone costs.',
    `- The scan part of the fused statement (the other nine tests in one aggregate) takes ${fmtQ(ft.scanOnlyMs.median)}, ${cmp(ft.scanOnlyMs.median, nonUniqueAlone)} the ${fmtQ(nonUniqueAlone)} its nine single queries take alone together; ` +
      `the two accepted_values tests in it (alone: ${ft.singles.filter((s) => s.testName === 'accepted_values').map((s) => `${label(s)} ${fmtQ(s.ms.median)}`).join(', ')}) ` +
      'collect the distinct values of their column once (`list(distinct …)` on DuckDB) and check only those against the accepted list, instead of checking every row.',
    `- Scan part + unique alone = ${fmtQ(partsSum)}, against ${fmtQ(ft.fusedMs.median)} measured for the fused statement: ` +
      (ft.fusedMs.median >= partsSum * 0.9
        ? `the two parts of the cross join cost what they cost apart (no overlap on ${w.threads} threads)${ft.fusedMs.median > partsSum * 1.1 ? ', and more' : ''}.`
        : `the two parts of the cross join overlap in part on ${w.threads} threads.`),
    `- The ten single queries take ${fmtQ(ft.sumOfSinglesMs.median)} in sequence (median of the per-round sums) and ${fmtQ(sumAlone)} as the sum of their medians alone; ` +
      'the first ratio uses the sequence, as a runner would run them. ' +
      `Fused runs, in order: ${ft.fusedMs.values.map(fmtQ).join(', ')}; sums in sequence: ${ft.sumOfSinglesMs.values.map(fmtQ).join(', ')}.`,
    ...carriedNote(ft.carriedFrom),
    '',
  ];
}

function readIntro() {
  if (!existsSync(MD_FILE)) return DEFAULT_INTRO;
  const text = readFileSync(MD_FILE, 'utf8');
  const at = text.indexOf(MARKER);
  return at < 0 ? DEFAULT_INTRO : text.slice(0, at);
}

// ---------------------------------------------------------------------------------------------

/** The compile benchmark: the `workload`, `method`, `compile` and `nodeStartupFloor` parts of results.json. */
async function runCompile(o, log) {
  const rssMethod = o.rssMethod === 'auto' ? (existsSync(GNU_TIME) ? 'time' : 'node') : o.rssMethod;
  if (rssMethod === 'time' && !existsSync(GNU_TIME)) throw new Error(`${GNU_TIME} is not installed; use --rss-method node`);

  const tg = performance.now();
  const gen = generateProject({ out: PROJECT, models: o.models, seed: o.seed });
  log(`generated ${gen.models} models (${gen.templated} templated) in ${fmtMs(performance.now() - tg)} → ${relative(ROOT, PROJECT)}`);

  const floorRuns = Math.max(o.runs, 5);
  const floor = [];
  for (let i = 0; i < floorRuns; i++) {
    const r = await measure(['-e', '0'], { rssMethod, timeoutS: 60, cwd: ROOT });
    if (r.code !== 0) throw new Error(`node -e 0 exited with ${r.code}: ${r.stderr}`);
    floor.push(r);
  }
  log(`node start-up floor: ${floor.map((r) => fmtMs(r.wallMs)).join(', ')}`);

  const compileArgs = [TFORM, 'compile', '--project-dir', PROJECT, '--log-format', 'json'];
  const runs = [];
  let lastCompiled;
  for (let i = 0; i < o.warmup + o.runs; i++) {
    const warm = i < o.warmup;
    clearTarget();
    if (process.stdout.isTTY) process.stdout.write(`${warm ? 'warm-up' : `run ${i - o.warmup + 1}/${o.runs}`}: tform compile …\r`);
    const r = await measure(compileArgs, { rssMethod, timeoutS: o.timeout, cwd: ROOT });
    if (r.timedOut) throw new Error(`tform compile did not finish within ${o.timeout} s (raise --timeout)`);
    if (r.code !== 0) {
      throw new Error(`tform compile exited with ${r.code ?? r.signal}:\n${(r.stdout + r.stderr).trim().split('\n').slice(-20).join('\n')}`);
    }
    const events = r.stdout.split('\n').filter(Boolean).flatMap((l) => {
      try {
        return [JSON.parse(l)];
      } catch {
        return [];
      }
    });
    const done = events.find((e) => e.event === 'compiled');
    lastCompiled = done?.data;
    const compiled = done?.data?.models;
    if (compiled !== gen.models) throw new Error(`tform compile reported ${compiled} models, expected ${gen.models}:\n${r.stdout}\n${r.stderr}`);
    const reported = done && /in ([\d.]+)s/.exec(done.msg);
    const warnings = events.filter((e) => e.level === 'warn').length;
    const run = { wallMs: r.wallMs, rssKiB: r.rssKiB, userMs: r.userMs, sysMs: r.sysMs, reportedMs: reported ? Number(reported[1]) * 1000 : null, warnings };
    log(`${warm ? 'warm-up' : `run ${i - o.warmup + 1}/${o.runs}`}: ${fmtS(r.wallMs)} wall (${r.userMs === null ? 'n/a' : fmtS(r.userMs)} user, ${r.sysMs === null ? 'n/a' : fmtS(r.sysMs)} sys), ${r.rssKiB ? fmtMiB(r.rssKiB) : 'n/a'} peak RSS, tform says ${run.reportedMs === null ? 'n/a' : fmtS(run.reportedMs)}${warnings ? `, ${warnings} warnings` : ''}`);
    if (!warm) runs.push(run);
  }

  const fastPath = lastCompiled ? { staticModels: lastCompiled.staticModels, models: lastCompiled.models } : null;

  // Warm: the parse cache and compiled files of the previous compile are in target/.
  const warmRun = async (label) => {
    const r = await measure(compileArgs, { rssMethod, timeoutS: o.timeout, cwd: ROOT });
    if (r.code !== 0) throw new Error(`tform compile (${label}) exited with ${r.code ?? r.signal}:\n${(r.stdout + r.stderr).trim().split('\n').slice(-20).join('\n')}`);
    const done = r.stdout.split('\n').filter(Boolean).map((l) => { try { return JSON.parse(l); } catch { return {}; } }).find((e) => e.event === 'compiled');
    log(`${label}: ${fmtS(r.wallMs)} wall, ${r.rssKiB ? fmtMiB(r.rssKiB) : 'n/a'} peak RSS, reused ${done?.data?.cache?.parsedReused ?? '?'} parses and ${done?.data?.cache?.bodiesReused ?? '?'} renders`);
    return { wallMs: r.wallMs, rssKiB: r.rssKiB, userMs: r.userMs, sysMs: r.sysMs, cache: done?.data?.cache ?? null };
  };
  const unchanged = [];
  for (let i = 0; i < o.runs; i++) unchanged.push(await warmRun(`warm run ${i + 1}/${o.runs}, nothing changed`));
  // Each edit appends a comment line to a different plain model (the first files of silver/part_01).
  const editDir = join(PROJECT, 'models', 'silver', 'part_01');
  const editable = readdirSync(editDir).filter((f) => f.endsWith('.sql')).sort().filter((f) => !readFileSync(join(editDir, f), 'utf8').includes('{%')).slice(0, o.runs);
  const edited = [];
  for (let i = 0; i < editable.length; i++) {
    appendFileSync(join(editDir, editable[i]), `-- edited by the benchmark (${i + 1})\n`);
    edited.push(await warmRun(`warm run ${i + 1}/${editable.length}, one model edited`));
  }

  emptyTrash();

  const c = {
    workload: {
      generator: 'bench/generate-project.mjs',
      models: gen.models,
      seed: gen.seed,
      templated: gen.templated,
      templatedShare: gen.templatedShare,
      variants: gen.variants,
      folders: gen.folders,
      schemaFiles: gen.schemaFiles,
      edges: gen.edges,
      sources: gen.sources,
      macroFiles: gen.macroFiles,
      projectDir: PROJECT,
      command: `node packages/cli/bin/tform.js ${compileArgs.slice(1).map((a) => (a === PROJECT ? relative(ROOT, PROJECT) : a)).join(' ')}`,
    },
    method: {
      wall: 'performance.now() in the parent, from just before spawn to the child exit event',
      rss: rssMethod,
      rssDetail: rssMethod === 'time' ? '/usr/bin/time -f "%M %U %S" (KiB, s, s)' : 'process.resourceUsage() maxRSS, userCPUTime, systemCPUTime via node --import bench/lib/maxrss-reporter.mjs',
      cold: 'target/ moved aside (deleted after the last measured run) and `sync` run before every cold run',
      warmupRuns: o.warmup,
    },
    compile: {
      wallMs: stats(runs.map((r) => r.wallMs)),
      peakRssKiB: stats(runs.map((r) => r.rssKiB)),
      reportedMs: stats(runs.map((r) => r.reportedMs)),
      userCpuMs: stats(runs.map((r) => r.userMs)),
      systemCpuMs: stats(runs.map((r) => r.sysMs)),
      warnings: runs[0]?.warnings ?? 0,
      target: null,
      targetNote: TARGET_NOTE,
      targets: COMPILE_TARGETS,
      fastPath,
      warmUnchanged: { wallMs: stats(unchanged.map((r) => r.wallMs)), peakRssKiB: stats(unchanged.map((r) => r.rssKiB)), userCpuMs: stats(unchanged.map((r) => r.userMs)), cache: unchanged[0]?.cache ?? null },
      warmEdit: { wallMs: stats(edited.map((r) => r.wallMs)), peakRssKiB: stats(edited.map((r) => r.rssKiB)), userCpuMs: stats(edited.map((r) => r.userMs)), cache: edited[0]?.cache ?? null },
      measuredAt: new Date().toISOString(),
    },
    nodeStartupFloor: {
      command: 'node -e 0',
      note: 'a floor, not a ratio baseline',
      wallMs: stats(floor.map((r) => r.wallMs)),
      peakRssKiB: stats(floor.map((r) => r.rssKiB)),
    },
  };
  log(`compile ${gen.models} models: median ${fmtS(c.compile.wallMs.median)} (min ${fmtS(c.compile.wallMs.min)}, max ${fmtS(c.compile.wallMs.max)}), peak RSS median ${c.compile.peakRssKiB ? fmtMiB(c.compile.peakRssKiB.median) : 'n/a'}`);
  return c;
}

/** `--vs dataform`: both tools on the same generated shape, alternating runs. */
async function runVersusDataform(o, log) {
  const cli = installDataform(join(WORK, 'dataform-cli'), log);
  const gen = generateProject({ out: PROJECT, models: o.models, seed: o.seed });
  const dfProject = join(WORK, 'dataform-project');
  const dfGen = generateDataformProject({ out: dfProject, models: o.models, seed: o.seed, coreModules: join(WORK, 'dataform-cli', 'node_modules') });
  if (dfGen.models !== gen.models || dfGen.templated !== gen.templated) throw new Error(`the two projects differ: ${JSON.stringify(dfGen)} vs ${gen.models}/${gen.templated}`);
  log(`generated ${gen.models} models for tform and for Dataform (${gen.templated} templated)`);
  const tform = [];
  const dataform = [];
  let shape;
  for (let i = 0; i < o.vsRuns; i++) {
    clearTarget();
    const t = await measure([TFORM, 'compile', '--project-dir', PROJECT, '--log-format', 'json'], { rssMethod: 'node', timeoutS: o.timeout, cwd: ROOT });
    if (t.code !== 0) throw new Error(`tform compile exited with ${t.code}: ${t.stderr.slice(-2000)}`);
    tform.push(t.wallMs);
    flushDisk();
    const d = dataformCompile(cli, dfProject, o.timeout);
    dataform.push(d.wallMs);
    shape = d;
    log(`run ${i + 1}/${o.vsRuns}: tform ${fmtS(t.wallMs)}, dataform ${fmtS(d.wallMs)} (${d.tables} tables, ${d.assertions} assertions)`);
  }
  emptyTrash();
  const ts = stats(tform);
  const ds = stats(dataform);
  return {
    date: new Date().toISOString(),
    models: gen.models,
    templated: gen.templated,
    tform: { wallMs: ts },
    dataform: { cli: DATAFORM_CLI_VERSION, core: DATAFORM_CORE_VERSION, wallMs: ds, tables: shape.tables, assertions: shape.assertions },
    ratio: ds.median / ts.median,
  };
}

/** The previous results.json, for the part `--only` leaves out (null when there is none). */
function previousResults() {
  try {
    return JSON.parse(readFileSync(JSON_FILE, 'utf8'));
  } catch {
    return null;
  }
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  if (!existsSync(CLI_DIST)) throw new Error('tform is not built: run `npx tsc -b` in the repository root first');
  const log = (s) => process.stdout.write(s + '\n');
  const t0 = performance.now();
  const loadBefore = os.loadavg();
  const prev = o.only || o.vs ? previousResults() : null;
  if (o.vs) {
    // Outside the normal budget: only the side-by-side runs; every other figure is carried over.
    const versus = await runVersusDataform(o, log);
    const results = { ...prev, versus, date: prev?.date ?? new Date().toISOString() };
    writeFileSync(JSON_FILE, JSON.stringify(results, null, 2) + '\n');
    writeFileSync(MD_FILE, renderMarkdown(readIntro(), results));
    log(`wrote ${relative(ROOT, MD_FILE)} and ${relative(ROOT, JSON_FILE)}`);
    return;
  }

  let compilePart = null;
  if (!o.only || o.only === 'compile') {
    compilePart = await runCompile(o, log);
  } else if (prev?.compile) {
    compilePart = {
      workload: prev.workload,
      method: prev.method,
      compile: { ...prev.compile, measuredAt: prev.compile.measuredAt ?? prev.date, carriedFrom: prev.compile.measuredAt ?? prev.date },
      nodeStartupFloor: prev.nodeStartupFloor,
    };
  }

  let fusedTests = null;
  if (!o.only || o.only === 'fused') {
    fusedTests = await runFusedTests({ workDir: WORK, runs: o.fusedRuns, rows: o.fusedRows, log });
    const f = fusedTests;
    log(`fused tests: fused ${fmtMs(f.fusedMs.median)}, ten singles ${fmtMs(f.sumOfSinglesMs.median)}, slowest single alone ${fmtMs(f.slowestSingle.ms.median)} (${f.slowestSingle.test}); ` +
      `fused ÷ sum ${f.ratios.fusedOverSum.value.toFixed(2)} (target ≤ ${FUSED_TARGETS.fusedOverSum}: ${f.ratios.fusedOverSum.holds ? 'holds' : 'missed'}), ` +
      `fused ÷ slowest ${f.ratios.fusedOverSlowest.value.toFixed(2)} (target ≤ ${FUSED_TARGETS.fusedOverSlowest}: ${f.ratios.fusedOverSlowest.holds ? 'holds' : 'missed'})`);
  } else if (prev?.fusedTests) {
    fusedTests = { ...prev.fusedTests, carriedFrom: prev.fusedTests.date };
  }

  let incremental = null;
  if (!o.only || o.only === 'incremental') {
    incremental = await runIncremental({ workDir: WORK, log });
    const [a, b] = incremental.histories;
    log(`incremental: one new day ${fmtS(a.newDay.medianS * 1000)} at ${a.history} days, ${fmtS(b.newDay.medianS * 1000)} at ${b.history} days (ratio ${incremental.ratios.historyRatio.value.toFixed(2)}, target ≤ ${INCREMENTAL_TARGETS.historyRatio}: ${incremental.ratios.historyRatio.holds ? 'holds' : 'missed'}); ` +
      `full refresh at ${b.history} days ${fmtS(b.fullRefresh.medianS * 1000)} (÷ new day ${incremental.ratios.refreshRatio.value.toFixed(1)}, target ≥ ${INCREMENTAL_TARGETS.refreshRatio}: ${incremental.ratios.refreshRatio.holds ? 'holds' : 'missed'})`);
  } else if (prev?.incremental) {
    incremental = { ...prev.incremental, carriedFrom: prev.incremental.date };
  }

  let dbtFixture = null;
  if (!o.only || o.only === 'dbt') {
    dbtFixture = await runDbtFixture({ workDir: WORK, runs: 10, log });
  } else if (prev?.dbtFixture) {
    dbtFixture = { ...prev.dbtFixture, carriedFrom: prev.dbtFixture.date };
  }

  let docsSite = null;
  if (!o.only || o.only === 'docs') {
    const large = await runDocsSite({ workDir: WORK, nodes: 5000, runs: 5, log });
    const small = await runDocsSite({ workDir: WORK, nodes: 10, runs: 5, log });
    docsSite = { date: new Date().toISOString(), large, small };
    rmSync(join(WORK, 'docs-project'), { recursive: true, force: true });
  } else if (prev?.docsSite) {
    docsSite = { ...prev.docsSite, carriedFrom: prev.docsSite.date };
  }

  const results = {
    schemaVersion: 1,
    date: new Date().toISOString(),
    machine: machineFacts(),
    git: gitFacts(),
    ...(compilePart ?? {}),
    fusedTests,
    incremental,
    dbtFixture,
    docsSite,
    ...(prev?.versus ? { versus: { ...prev.versus, carriedFrom: prev.versus.date } } : {}),
    benchWallMs: performance.now() - t0,
    loadAverage: { note: '1/5/15-minute load averages at start and end: other processes on the machine add noise', start: loadBefore, end: os.loadavg() },
  };

  writeFileSync(JSON_FILE, JSON.stringify(results, null, 2) + '\n');
  writeFileSync(MD_FILE, renderMarkdown(readIntro(), results));
  log(`wrote ${relative(ROOT, MD_FILE)} and ${relative(ROOT, JSON_FILE)} (bench took ${fmtS(results.benchWallMs)})`);
}

main().catch((e) => {
  process.stderr.write(`bench: ${e.message}\n`);
  process.exit(1);
});
