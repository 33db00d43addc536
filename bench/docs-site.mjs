#!/usr/bin/env node
// The docs site at scale: `tform docs generate` on a generated project of 5,000 models, opened in
// headless Chromium (Debian's, through playwright-core), timed per run in a fresh browser context.
//
//   import { runDocsSite } from './docs-site.mjs';
//   const result = await runDocsSite({ workDir, nodes: 5000, runs: 5, log });
//   node bench/docs-site.mjs [--nodes 5000] [--runs 5]      # prints the result as JSON
//
// (a) load: ms from navigation start (the page's performance.timeOrigin) until
//     `__tformDocsState.ready && drawnNodes === nodes`, read in the page on animation frames; then
//     the graph element is screenshotted and must not be blank (pixels other than the background),
//     else the time is when it first is not.
// (b) interaction: type a model's name in the search box, press Enter (opens the first hit: the
//     model), wait until the graph highlights exactly the model and its parents and children —
//     ms from the first keystroke's keydown event to that frame, both on the page's clock.
// Plus the total bytes of the files docs generate wrote. Needs `npm run build` first (the site bundle).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { readDataScript } from '@tform/docs';
import { generateProject } from './generate-project.mjs';
import { inkPixels } from './lib/png-pixels.mjs';

export const DOCS_SITE_TARGETS = { loadMs: 2000, interactionMs: 500, bytes: 10 * 1024 * 1024 };

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const TFORM = join(dirname(BENCH_DIR), 'packages', 'cli', 'bin', 'tform.js');
const SITE_FILES = ['data.js', 'app.css', 'app.js', 'index.html'];
const CHROMIUM = process.env.TFORM_CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'];

// ---------------------------------------------------------------------------------------------

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  return { median: round(median), min: round(s[0]), max: round(s[s.length - 1]), runs: xs.map(round) };
};
const round = (v) => Math.round(v * 10) / 10;


/** A silver model with parents and children, and what focusing it must highlight. */
function target(data) {
  const models = data.nodes.filter((n) => n.resourceType === 'model' && n.layer === 'silver' && n.parents.length >= 2 && n.children.length >= 2);
  const t = models[Math.floor(models.length / 2)] ?? data.nodes.find((n) => n.resourceType === 'model');
  return { name: t.name, expected: [...new Set([t.uniqueId, ...t.parents, ...t.children])].sort() };
}

/**
 * The site under test: a project of `nodes` models from bench/generate-project.mjs, through
 * `tform docs generate` as a whole process (the catalog is read from its empty DuckDB file;
 * lineage is traced by DuckDB's parser).
 */
function buildSite(workDir, nodes, log) {
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
export async function runDocsSite({ workDir = join(BENCH_DIR, '.work'), nodes = 5000, runs = 5, log = () => {} } = {}) {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM} (apt-get install chromium)`);
  const site = buildSite(workDir, nodes, log);
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
  const result = await runDocsSite({ nodes: arg('nodes', 5000), runs: arg('runs', 5), log: (m) => console.error(m) });
  console.log(JSON.stringify(result, null, 2));
}
