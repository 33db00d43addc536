#!/usr/bin/env node
// The docs site at scale: a synthetic project of 5,000 models written with writeSite, opened in
// headless Chromium (Debian's, through playwright-core), timed per run in a fresh browser context.
//
//   import { runDocsSite } from './docs-site.mjs';
//   const result = await runDocsSite({ workDir, nodes: 5000, runs: 5, log });
//   node bench/docs-site.mjs [--nodes 5000] [--runs 5] [--synthetic]   # prints the result as JSON
//
// (a) load: ms from navigation start (the page's performance.timeOrigin) until
//     `__tformDocsState.ready && drawnNodes === nodes`, read in the page on animation frames; then
//     the graph element is screenshotted and must not be blank (pixels other than the background),
//     else the time is when it first is not.
// (b) interaction: type a model's name in the search box, press Enter (opens the first hit: the
//     model), wait until the graph highlights exactly the model and its parents and children —
//     ms from the first keystroke's keydown event to that frame, both on the page's clock.
// Plus the total bytes of the files writeSite wrote. Needs `npm run build` first (the site bundle).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { readDataScript, writeSite } from '@tform/docs';
import { generateProject } from './generate-project.mjs';

export const DOCS_SITE_TARGETS = { loadMs: 2000, interactionMs: 500, bytes: 10 * 1024 * 1024 };

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const TFORM = join(dirname(BENCH_DIR), 'packages', 'cli', 'bin', 'tform.js');
const SITE_FILES = ['data.js', 'app.css', 'app.js', 'index.html'];
const CHROMIUM = process.env.TFORM_CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'];

// ---------------------------------------------------------------------------------------------
// Synthetic DocsData: the same algorithm as syntheticDocs() in tests/helpers/docsData.ts (checked
// equal by tests/docs-site-layout.test.ts); kept here because the benchmark runs without TypeScript.

const DOMAINS = ['events', 'users', 'purchases', 'sessions', 'matches', 'items', 'ads', 'quests'];
const METRICS = ['revenue_usd', 'sessions', 'matches', 'coins', 'items', 'ad_views', 'quest_steps', 'playtime_s'];

function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function node(n) {
  return { packageName: 'game', path: '', fqn: ['game', n.name], tags: [], config: {}, dependsOn: { nodes: n.parents ?? [], macros: [] }, description: '', columns: [], parents: [], children: [], tests: [], show: true, ...n };
}

/** N models in three layers with 1–3 parents, columns with upstream columns, SQL and tests. */
export function syntheticDocs({ models: total = 5000, seed = 1 } = {}) {
  const rnd = prng(seed);
  const pick = (xs) => xs[Math.floor(rnd() * xs.length)];
  const bronzeEnd = Math.max(1, Math.round(total * 0.15));
  const silverEnd = Math.max(bronzeEnd, Math.round(total * 0.65));
  const layerOf = (i) => (i < bronzeEnd ? 'bronze' : i < silverEnd ? 'silver' : 'gold');
  const prefix = { bronze: 'brz', silver: 'stg', gold: 'fct' };
  const models = [];
  const tests = [];
  for (let i = 0; i < total; i++) {
    const layer = layerOf(i);
    const domain = DOMAINS[i % DOMAINS.length];
    const name = `${prefix[layer]}_${domain}_${String(i).padStart(5, '0')}`;
    const uniqueId = `model.bench.${name}`;
    let parents = [];
    if (layer !== 'bronze') {
      const lo = layer === 'silver' ? 0 : bronzeEnd;
      const want = 1 + Math.floor(rnd() * 3);
      const set = new Set();
      for (let k = 0; k < want * 3 && set.size < want; k++) {
        const span = rnd() < 0.7 ? Math.min(i - lo, 200) : i - lo;
        set.add(i - 1 - Math.floor(rnd() * span));
      }
      parents = [...set].filter((p) => p >= lo && p < i).sort((a, b) => a - b);
    }
    const parentNodes = parents.map((p) => models[p]);
    const ncols = 4 + Math.floor(rnd() * 5);
    const columns = [];
    for (let c = 0; c < ncols; c++) {
      const cname = c === 0 ? 'user_id' : c === 1 ? 'event_date' : `${METRICS[(i + c) % METRICS.length]}_${c}`;
      let upstream;
      if (layer === 'bronze') upstream = [];
      else {
        const src = parentNodes.length ? pick(parentNodes) : undefined;
        const up = src ? src.columns.find((x) => x.name === cname) ?? pick(src.columns) : undefined;
        upstream = up && src ? [{ node: src.uniqueId, column: up.name }] : [];
        if (src && c > 1 && rnd() < 0.3) {
          const other = pick(parentNodes);
          const oc = pick(other.columns);
          if (!(other.uniqueId === src.uniqueId && oc.name === up.name)) upstream.push({ node: other.uniqueId, column: oc.name });
        }
      }
      columns.push({ name: cname, description: c === 0 ? 'The player.' : `${cname.replace(/_/g, ' ')} per player and day.`, type: c === 0 ? 'BIGINT' : c === 1 ? 'DATE' : 'DOUBLE', tests: [], upstream });
    }
    const from = parentNodes.length ? parentNodes.map((p, k) => `{{ ref('${p.name}') }} as p${k}`).join('\n  join ') : `raw.${domain}_${i}`;
    const select = columns.map((c) => `  ${c.upstream?.[0] ? `p0.${c.upstream[0].column}` : c.name} as ${c.name}`).join(',\n');
    const rawCode = `select\n${select}\nfrom ${from}${parentNodes.length > 1 ? '\n  using (user_id, event_date)' : ''}\nwhere event_date >= '2024-01-01'\n`;
    const compiledCode = rawCode.replace(/\{\{ ref\('([^']+)'\) \}\}/g, '"main"."main"."$1"');
    const n = node({
      uniqueId, resourceType: 'model', name, packageName: 'bench', path: `models/${layer}/${domain}/${name}.sql`, fqn: ['bench', layer, domain, name], layer,
      tags: i % 5 === 0 ? ['daily'] : [], materialized: layer === 'bronze' ? 'view' : 'table', config: { materialized: layer === 'bronze' ? 'view' : 'table' },
      description: `The ${domain} ${layer} model number ${i}: one row per player and day.`, relationName: `"main"."main"."${name}"`,
      rawCode, compiledCode, columns, dependsOn: { nodes: parentNodes.map((p) => p.uniqueId), macros: [] }, parents: parentNodes.map((p) => p.uniqueId),
      result: { status: 'success', executionTime: Math.round(rnd() * 1000) / 1000 },
    });
    for (const p of parentNodes) p.children.push(uniqueId);
    if (i % 2 === 0) {
      const tid = `test.bench.not_null_${name}_user_id`;
      const fail = rnd() < 0.05;
      tests.push(node({
        uniqueId: tid, resourceType: 'test', name: `not_null_${name}_user_id`, packageName: 'bench', testName: 'not_null', testType: 'generic', attachedNode: uniqueId, columnName: 'user_id',
        severity: 'error', path: `models/${layer}/${domain}/schema.yml`, dependsOn: { nodes: [uniqueId], macros: [] }, config: { severity: 'error' },
        result: { status: fail ? 'fail' : 'pass', failures: fail ? 1 + Math.floor(rnd() * 9) : 0 },
      }));
      n.tests.push(tid);
      columns[0].tests.push(tid);
    }
    models.push(n);
  }
  const nodes = [...models, ...tests].sort((a, b) => (a.uniqueId < b.uniqueId ? -1 : 1));
  return {
    version: 1,
    generatedAt: '2024-03-15T09:00:00Z',
    tformVersion: '0.1.0',
    project: { name: 'bench_docs', adapterType: 'duckdb', targetName: 'dev', overview: `# Synthetic project\n\n${total} models in three layers.` },
    nodes,
    catalog: { available: true },
    lineage: { models: total, withLineage: total, parser: 'synthetic' },
  };
}

// ---------------------------------------------------------------------------------------------

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  return { median: round(median), min: round(s[0]), max: round(s[s.length - 1]), runs: xs.map(round) };
};
const round = (v) => Math.round(v * 10) / 10;

/** Pixels of a PNG that differ from its most common colour (decoded in a blank page). */
async function inkPixels(browser, png) {
  const page = await browser.newPage();
  try {
    return await page.evaluate(async (b64) => {
      const img = new Image();
      img.src = `data:image/png;base64,${b64}`;
      await img.decode();
      const c = document.createElement('canvas');
      c.width = img.naturalWidth;
      c.height = img.naturalHeight;
      const ctx = c.getContext('2d');
      ctx.drawImage(img, 0, 0);
      const px = ctx.getImageData(0, 0, c.width, c.height).data;
      const counts = new Map();
      for (let i = 0; i < px.length; i += 4) {
        const k = (px[i] << 16) | (px[i + 1] << 8) | px[i + 2];
        counts.set(k, (counts.get(k) ?? 0) + 1);
      }
      return px.length / 4 - Math.max(...counts.values());
    }, png.toString('base64'));
  } finally {
    await page.close();
  }
}

/** A silver model with parents and children, and what focusing it must highlight. */
function target(data) {
  const models = data.nodes.filter((n) => n.resourceType === 'model' && n.layer === 'silver' && n.parents.length >= 2 && n.children.length >= 2);
  const t = models[Math.floor(models.length / 2)] ?? data.nodes.find((n) => n.resourceType === 'model');
  return { name: t.name, expected: [...new Set([t.uniqueId, ...t.parents, ...t.children])].sort() };
}

/**
 * The site under test. `project` (the default): a project of `nodes` models from
 * bench/generate-project.mjs, through `tform docs generate` as a whole process (the catalog is read
 * from its empty DuckDB file; lineage is traced by DuckDB's parser). `synthetic`: syntheticDocs()
 * written directly with writeSite.
 */
function buildSite(workDir, nodes, source, log) {
  if (source === 'synthetic') {
    const dir = join(workDir, 'docs-site');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const data = syntheticDocs({ models: nodes });
    const t0 = performance.now();
    const written = writeSite(dir, data);
    return { dir, data, bytes: written.bytes, generateMs: performance.now() - t0, command: 'writeSite(syntheticDocs)' };
  }
  const project = join(workDir, 'docs-project');
  generateProject({ out: project, models: nodes, seed: 1 });
  const t0 = performance.now();
  const out = execFileSync(process.execPath, [TFORM, 'docs', 'generate', '--project-dir', project, '--log-format', 'json'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const generateMs = performance.now() - t0;
  const lineage = out.split('\n').filter(Boolean).map((l) => JSON.parse(l)).find((e) => e.event === 'docs_lineage')?.data;
  const dir = join(project, 'target', 'docs');
  const data = readDataScript(readFileSync(join(dir, 'data.js'), 'utf8'));
  const bytes = SITE_FILES.reduce((a, f) => a + statSync(join(dir, f)).size, 0);
  log(`docs-site: tform docs generate on ${nodes} models took ${(generateMs / 1000).toFixed(2)} s (lineage for ${lineage?.withLineage} of ${lineage?.models})`);
  return { dir, data, bytes, generateMs, lineage, command: `tform docs generate (bench/generate-project.mjs --models ${nodes} --seed 1)` };
}

/** Run the benchmark; returns plain data (milliseconds, bytes, targets and whether each is met). */
export async function runDocsSite({ workDir = join(BENCH_DIR, '.work'), nodes = 5000, runs = 5, source = 'project', log = () => {} } = {}) {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM} (apt-get install chromium)`);
  const site = buildSite(workDir, nodes, source, log);
  const { dir, data } = site;
  const written = { bytes: site.bytes, files: SITE_FILES.map((f) => join(dir, f)) };
  const writeMs = site.generateMs;
  log(`docs-site: ${written.files.length} files, ${(written.bytes / 1048576).toFixed(2)} MiB`);
  const url = pathToFileURL(join(dir, 'index.html')).href;
  const { name, expected } = target(data);
  const drawable = data.nodes.filter((n) => n.resourceType !== 'test' && n.show !== false).length;

  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const load = [];
  const interaction = [];
  let drawnEdges = 0;
  try {
    for (let r = 0; r < runs; r++) {
      const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
      const page = await context.newPage();
      const errors = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(url, { waitUntil: 'commit' });
      const ready = await page.waitForFunction(
        (n) => { const s = window.__tformDocsState; return s && s.ready && s.drawnNodes === n ? performance.now() : false; },
        drawable, { polling: 'raf', timeout: 60_000 },
      );
      let loadMs = await ready.jsonValue();
      const graph = page.locator('#graph');
      for (let tries = 0; (await inkPixels(browser, await graph.screenshot())) < 200; tries++) {
        if (tries > 50) throw new Error('the lineage graph stayed blank');
        await page.waitForTimeout(20);
        loadMs = await page.evaluate(() => performance.now());
      }
      drawnEdges = await page.evaluate(() => window.__tformDocsState.drawnEdges);
      load.push(loadMs);

      await page.evaluate(() => {
        window.__firstKeyAt = undefined;
        window.addEventListener('keydown', (e) => { window.__firstKeyAt ??= e.timeStamp; }, { capture: true });
      });
      await page.locator('#search-input').focus();
      await page.keyboard.type(name);
      await page.keyboard.press('Enter');
      const done = await page.waitForFunction(
        (want) => {
          const h = window.__tformDocsState.highlighted;
          return h.length === want.length && h.every((id, i) => id === want[i]) ? performance.now() - window.__firstKeyAt : false;
        },
        expected, { polling: 'raf', timeout: 30_000 },
      );
      const heading = await page.locator('#content h1').textContent();
      if (heading !== name) throw new Error(`opened ${heading}, expected ${name}`);
      interaction.push(await done.jsonValue());
      if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);
      log(`docs-site: run ${r + 1}/${runs}: load ${loadMs.toFixed(0)} ms, search → open → highlight ${interaction.at(-1).toFixed(0)} ms`);
      await context.close();
    }
  } finally {
    await browser.close();
  }
  const a = stats(load);
  const b = stats(interaction);
  return {
    nodes,
    source,
    site: site.command,
    ...(site.lineage ? { lineage: site.lineage } : {}),
    drawnNodes: drawable,
    drawnEdges,
    runs,
    bytes: written.bytes,
    files: written.files.map((f) => f.slice(dir.length + 1)),
    generateMs: round(writeMs),
    loadMs: a,
    interactionMs: b,
    searched: name,
    highlighted: expected.length,
    targets: DOCS_SITE_TARGETS,
    meets: { loadMs: a.median <= DOCS_SITE_TARGETS.loadMs, interactionMs: b.median <= DOCS_SITE_TARGETS.interactionMs, bytes: written.bytes <= DOCS_SITE_TARGETS.bytes },
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const arg = (k, d) => {
    const i = process.argv.indexOf(`--${k}`);
    return i > 0 ? Number(process.argv[i + 1]) : d;
  };
  const source = process.argv.includes('--synthetic') ? 'synthetic' : 'project';
  const result = await runDocsSite({ nodes: arg('nodes', 5000), runs: arg('runs', 5), source, log: (m) => console.error(m) });
  console.log(JSON.stringify(result, null, 2));
}
