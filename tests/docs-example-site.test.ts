/**
 * The example project's docs site, end to end: `tform build`, `tform docs generate`, then
 * `tform docs serve` as a user runs them, and the site in Debian's Chromium: search a model, open
 * it, its lineage neighbours, a column's upstream columns, the chart; and the server refusing a
 * path outside the site. Skipped without /usr/bin/chromium (fails with CI=true).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, cleanEnv, runCli } from './helpers/cli.js';
import { repoRoot } from './helpers/fixture.js';
import { inkPixels, launchChromium, requireChromium } from './helpers/browser.js';

const hasChromium = requireChromium();
const TMP = join(import.meta.dirname, '.tmp');
const id = (name: string) => `model.game_analytics.${name}`;

/** `tform docs serve --port 0`, resolved with its URL once it says it is serving. */
function serve(dir: string): Promise<{ url: string; proc: ChildProcess }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [CLI, 'docs', 'serve', '--port', '0', '--log-format', 'json'], { cwd: dir, env: cleanEnv() });
    let out = '';
    proc.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /"url":"(http:\/\/127\.0\.0\.1:\d+\/?)"/.exec(out);
      if (m) resolve({ url: m[1]!.replace(/\/?$/, '/'), proc });
    });
    proc.on('exit', (code) => reject(new Error(`docs serve exited with ${code}: ${out}`)));
  });
}

/** A raw GET whose path the client does not normalise. */
function rawGet(url: string, path: string): Promise<number> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path, method: 'GET' }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

describe.runIf(hasChromium)('the example project docs site', () => {
  let dir: string;
  let server: { url: string; proc: ChildProcess };
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tform-docs-example-'));
    cpSync(join(repoRoot, 'project'), dir, { recursive: true, filter: (src) => !src.includes(`${join(repoRoot, 'project')}/target`) });
    const b = await runCli(['build'], { cwd: dir, timeoutMs: 120_000 });
    expect(b.code, b.output).toBe(0);
    const g = await runCli(['docs', 'generate'], { cwd: dir });
    expect(g.code, g.output).toBe(0);
    expect(g.output).toContain('Column lineage for 5 of 5 models');
    expect(g.output).toContain('Charts: 1 with rows, 0 without');
    server = await serve(dir);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(server.url);
    await page.waitForFunction(() => window.__tformDocsState?.ready, null, { timeout: 15_000 });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    server?.proc.kill();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('draws every model, seed and source of the project', async () => {
    const s = await page.evaluate(() => window.__tformDocsState);
    expect(s.graphError).toBeUndefined();
    expect(s.drawnNodes).toBe(8); // 6 models, the seed and the source
    expect(await inkPixels(browser, await page.locator('#graph').screenshot())).toBeGreaterThan(500);
  });

  it('searches daily_kpis, opens it and highlights its lineage neighbours', async () => {
    const input = page.locator('#search-input');
    await input.pressSequentially('daily_kpis');
    await expect.poll(() => page.locator('#search-results .search-hit .hit-name').first().textContent()).toBe('daily_kpis');
    await input.press('Enter');
    const want = [id('daily_kpis'), id('daily_user_panel')];
    await page.waitForFunction((w) => JSON.stringify(window.__tformDocsState.highlighted) === JSON.stringify(w), want);
    expect(await page.locator('.node-page h1').textContent()).toBe('daily_kpis');
    expect(await page.locator('.upstream-nodes a').evaluateAll((as) => as.map((a) => a.getAttribute('data-node')))).toEqual([id('daily_user_panel')]);
  });

  it('renders the declared chart from the built table', async () => {
    await page.waitForFunction(() => window.__tformDocsState.chartsRendered >= 1);
    const ink = await page.locator('.chart canvas').first().evaluate((c: HTMLCanvasElement) => {
      const px = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 3; i < px.length; i += 4) if (px[i]! > 0) n++;
      return n;
    });
    expect(ink).toBeGreaterThan(1000);
    mkdirSync(TMP, { recursive: true });
    await page.screenshot({ path: join(TMP, 'docs-example-daily_kpis.png') });
  });

  it("shows a column's upstream columns, traced from the compiled SQL", async () => {
    const upstreamOf = async (model: string, column: string) => {
      await page.evaluate((h) => (location.hash = h), `#/node/${encodeURIComponent(id(model))}/column/${column}`);
      const row = page.locator(`tr[data-column="${column}"]`);
      await row.waitFor();
      return (await row.locator('.col-upstream a').evaluateAll((as) => as.map((a) => `${a.getAttribute('data-node')}.${a.getAttribute('data-column')}`))).sort();
    };
    expect(await upstreamOf('daily_kpis', 'arpdau_usd')).toEqual([`${id('daily_user_panel')}.revenue_usd`, `${id('daily_user_panel')}.user_id`]);
    // through the ephemeral stg_purchases, inlined as a CTE
    expect(await upstreamOf('daily_user_panel', 'revenue_usd')).toEqual([`${id('brz_events')}.revenue_usd`]);
    // a source and a seed name the same table; the model reads the source
    expect(await upstreamOf('brz_events', 'user_id')).toEqual(['source.game_analytics.game.raw_events.user_id']);
  });

  it('tform docs serve refuses paths outside the site', async () => {
    expect(await rawGet(server.url, '/index.html')).toBe(200);
    for (const bad of ['/../tform_project.yml', '/%2e%2e/tform_project.yml', '/..%2f..%2fprofiles.yml']) {
      expect([400, 403, 404], bad).toContain(await rawGet(server.url, bad));
    }
  });
});
