/**
 * The docs site in real Chromium (Debian's, headless, software WebGL), opened from file:// and
 * through serveDocs: search, node pages, lineage focus, column upstream, charts, the selector
 * filter, and that nothing in user text runs. Skipped without /usr/bin/chromium (fails with CI=true).
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveDocs, writeSite, type DocsServer } from '@tform/docs';
import { findColour, inkPixels, launchChromium, pageProblems, requireChromium } from './helpers/browser.js';
import { GAMING, gamingDocs } from './helpers/docsData.js';

const TMP = join(import.meta.dirname, '.tmp');
const SITE = join(TMP, 'docs-site');
const { id } = GAMING;

const hasChromium = requireChromium();

/** Console messages the injection attempts cause: the CSP blocking the inline script and handler (the test's own, and those DOMPurify parses before removing them), the missing image `x`. */
const EXPECTED_NOISE = [/inline script violates the following Content Security Policy/, /inline event handler violates the following Content Security Policy/, /ERR_FILE_NOT_FOUND|404 \(Not Found\)/, /GPU stall due to ReadPixels/];

describe.runIf(hasChromium)('docs site in Chromium', () => {
  let browser: Browser;
  let server: DocsServer;

  beforeAll(async () => {
    rmSync(SITE, { recursive: true, force: true });
    mkdirSync(TMP, { recursive: true });
    writeSite(SITE, gamingDocs());
    browser = await launchChromium();
    server = await serveDocs({ dir: SITE, port: 0 });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const modes = [
    ['file://', () => pathToFileURL(join(SITE, 'index.html')).href],
    ['http (serveDocs)', () => server.url],
  ] as const;

  describe.each(modes)('opened from %s', (mode, base) => {
    let page: Page;
    let problems: string[];
    const state = async <T>(fn: (s: Window['__tformDocsState']) => T): Promise<T> => fn(await page.evaluate(() => window.__tformDocsState));
    const waitState = (fn: string, arg?: unknown) => page.waitForFunction(fn, arg, { timeout: 15_000 });
    const go = async (hash: string) => {
      await page.evaluate((h) => (location.hash = h), hash);
      await page.waitForFunction((h) => window.__tformDocsState.route === h, hash);
    };

    beforeAll(async () => {
      page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
      problems = pageProblems(page);
      await page.goto(base());
      await waitState('window.__tformDocsState && window.__tformDocsState.ready');
    });

    afterAll(async () => {
      await page?.close();
    });

    it('draws the whole lineage graph on the home page', async () => {
      const s = await state((s) => s);
      expect(s.graphError).toBeUndefined();
      expect(s.drawnNodes).toBe(GAMING.drawn.length);
      expect(s.drawnEdges).toBe(10);
      expect(s.highlighted).toEqual([]);
      expect(await inkPixels(browser, await page.locator('#graph').screenshot())).toBeGreaterThan(500);
      expect(await page.locator('.home-page > h1').textContent()).toBe('game_analytics');
      expect(await page.locator('.overview h1').textContent()).toBe('Game analytics');
    });

    it('opens a node clicked in the graph', async () => {
      // revenue_by_country has its own colour (docs.node_color #c2185b): find it on screen and click it.
      const graph = page.locator('#graph');
      const at = await findColour(browser, await graph.screenshot(), [0xc2, 0x18, 0x5b]);
      expect(at, 'the node coloured #c2185b is drawn').not.toBeNull();
      const box = (await graph.boundingBox())!;
      await page.mouse.click(box.x + at!.x, box.y + at!.y);
      await page.waitForFunction((id) => window.__tformDocsState.route === `#/node/${encodeURIComponent(id)}`, id.byCountry);
      expect(await page.locator('.node-page h1').textContent()).toBe('revenue_by_country');
      await go('#/');
    });

    it('lists nodes by layer and resource type, without hidden ones', async () => {
      const layers = await page.locator('#sidebar .nav-layer').allTextContents();
      expect(layers).toEqual(['bronze', 'silver', 'gold', 'No layer', 'Tests']);
      const silver = await page.locator('#sidebar .nav-group[aria-label="silver"] a').allTextContents();
      expect(silver).toEqual(['stg_events', 'stg_users']);
      const bronzeTypes = await page.locator('#sidebar .nav-group[aria-label="bronze"] summary').allTextContents();
      expect(bronzeTypes.map((t) => t.replace(/\s*\d+$/, ''))).toEqual(['Models', 'Sources', 'Seeds']);
      expect(await page.locator(`#sidebar a[href$="${encodeURIComponent(id.hidden)}"]`).count()).toBe(0);
    });

    it('searches, navigates the results with the keyboard and opens a model with its lineage highlighted', async () => {
      const input = page.locator('#search-input');
      await input.fill('');
      await input.pressSequentially('stg_ev');
      await expect.poll(() => page.locator('#search-results .search-hit').count()).toBeGreaterThan(1);
      const first = page.locator('#search-results .search-hit').first();
      expect(await first.locator('.hit-name').textContent()).toBe('stg_events');
      expect(await first.getAttribute('aria-selected')).toBe('true');
      await input.press('ArrowDown');
      expect(await page.locator('#search-results .search-hit').nth(1).getAttribute('aria-selected')).toBe('true');
      expect(await input.getAttribute('aria-activedescendant')).toBe('search-hit-1');
      await input.press('ArrowUp');
      await input.press('Enter');
      await page.waitForFunction((want) => JSON.stringify(window.__tformDocsState.highlighted) === JSON.stringify(want), GAMING.stgEventsNeighbourhood);
      expect(await page.locator('.node-page h1').textContent()).toBe('stg_events');
      expect(await page.locator('#search-results').isHidden()).toBe(true);
      expect(await state((s) => s.highlighted)).toEqual(GAMING.stgEventsNeighbourhood);
      expect(await page.locator('.upstream-nodes a').evaluateAll((as) => as.map((a) => a.getAttribute('data-node')))).toEqual([id.brz]);
      expect(await page.locator('.downstream-nodes a').evaluateAll((as) => as.map((a) => a.getAttribute('data-node')))).toEqual([id.panel]);
      expect(await page.locator('#sidebar a[aria-current="page"]').textContent()).toBe('stg_events');
      // Tests with their last result.
      const rows = await page.locator('.tests-section tbody tr').evaluateAll((trs) => trs.map((tr) => [tr.getAttribute('data-test'), tr.querySelector('.badge')!.textContent, tr.querySelector('.num')!.textContent]));
      expect(rows).toEqual([[id.tNotNull, 'pass', '0'], [id.tUnique, 'fail', '3'], [id.tAccepted, 'warn', '1']]);
      await page.screenshot({ path: join(TMP, `docs-site-${mode.startsWith('file') ? 'file' : 'http'}.png`), fullPage: true });
    });

    it('runs nothing from user text', async () => {
      // On stg_events' page, whose description carries <script>, onerror= and a javascript: link.
      expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
      const desc = page.locator('.description');
      expect(await desc.locator('strong').textContent()).toBe('Bold');
      expect(await desc.locator('script').count()).toBe(0);
      expect(await page.locator('#content script, #content [onerror], #content [style]').count()).toBe(0);
      expect(await page.locator('a[href^="javascript:"]').count()).toBe(0);
      expect(await page.evaluate(() => [...document.scripts].map((s) => s.getAttribute('src')))).toEqual(['data.js', 'app.js']);
      expect(await page.locator('.description a[href="https://example.com/docs"]').getAttribute('rel')).toBe('noopener noreferrer');
      // The Content-Security-Policy is in force: an injected inline script does not run.
      const inline = await page.evaluate(() => {
        const s = document.createElement('script');
        s.textContent = 'window.__inline = 1';
        document.head.appendChild(s);
        s.remove();
        return (window as unknown as { __inline?: number }).__inline;
      });
      expect(inline).toBeUndefined();
    });

    it('shows a column’s upstream columns and a note when lineage is unknown', async () => {
      await go(`#/node/${encodeURIComponent(id.kpis)}/column/arpdau`);
      const row = page.locator('tr[data-column="arpdau"]');
      expect(await row.getAttribute('class')).toContain('target');
      const upstream = await row.locator('.col-upstream a').evaluateAll((as) => as.map((a) => `${a.getAttribute('data-node')}.${a.getAttribute('data-column')}`));
      expect(upstream.sort()).toEqual(GAMING.arpdauUpstream);
      expect(await page.locator('tr[data-column="computed_at"] .col-upstream').textContent()).toBe('none (computed)');
      await go(`#/node/${encodeURIComponent(id.lifetime)}`);
      expect(await page.locator('.lineage-note').textContent()).toContain('a panel_of model has no SQL to trace');
      expect(await page.locator('.col-upstream .lineage-unknown').count()).toBe(3);
      expect(await page.locator('.chart-error').textContent()).toContain('does not exist yet');
    });

    it('renders charts with ECharts', async () => {
      const before = await state((s) => s.chartsRendered);
      await go(`#/node/${encodeURIComponent(id.kpis)}`);
      await page.waitForFunction((n) => window.__tformDocsState.chartsRendered > n, before);
      const ink = () =>
        page.locator('.chart canvas').first().evaluate((c: HTMLCanvasElement) => {
          const px = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
          let n = 0;
          for (let i = 3; i < px.length; i += 4) if (px[i]! > 0) n++;
          return n;
        });
      expect(await page.locator('.chart canvas').count()).toBeGreaterThan(0);
      expect(await ink()).toBeGreaterThan(1000);
      // A bar chart split into one series per country.
      await go(`#/node/${encodeURIComponent(id.byCountry)}`);
      await page.waitForFunction((n) => window.__tformDocsState.chartsRendered > n + 1, before);
      expect(await ink()).toBeGreaterThan(1000);
    });

    it('focuses with upstream and downstream depths', async () => {
      await go(`#/node/${encodeURIComponent(id.stg)}`);
      await page.waitForFunction((want) => JSON.stringify(window.__tformDocsState.highlighted) === JSON.stringify(want), GAMING.stgEventsNeighbourhood);
      await page.selectOption('#focus-up', 'Infinity');
      expect(await state((s) => s.highlighted)).toEqual([id.source, id.brz, id.stg, id.panel].sort());
      await page.selectOption('#focus-down', 'Infinity');
      expect(await state((s) => s.highlighted)).toEqual([id.source, id.brz, id.stg, id.panel, id.kpis, id.lifetime, id.byCountry, id.analysis].sort());
      await page.selectOption('#focus-up', '0');
      await page.selectOption('#focus-down', '0');
      expect(await state((s) => s.highlighted)).toEqual([id.stg]);
      await page.click('#focus-clear');
      expect(await state((s) => s.highlighted)).toEqual([]);
      await page.selectOption('#focus-up', '1');
      await page.selectOption('#focus-down', '1');
    });

    it('filters the graph with the CLI selector grammar', async () => {
      const filter = async (text: string) => {
        await page.fill('#filter-input', text);
        await page.press('#filter-input', 'Enter');
        return page.locator('#filter-status').textContent();
      };
      const drawn = () => state((s) => s.drawnNodes);
      expect(await filter('stg_events+')).toContain(`${GAMING.stgEventsPlus.length} of ${GAMING.drawn.length} nodes`);
      await expect.poll(drawn).toBe(GAMING.stgEventsPlus.length);
      await filter('layer:gold');
      await expect.poll(drawn).toBe(GAMING.gold.length);
      await filter('+daily_kpis');
      await expect.poll(drawn).toBe(7); // daily_kpis, daily_user_panel, stg_events, stg_users, brz_events, the source, the seed
      await filter('tag:daily,layer:silver path:seeds');
      await expect.poll(drawn).toBe(2);
      await filter('resource_type:source');
      await expect.poll(drawn).toBe(1);
      await filter('result:fail+');
      await expect.poll(drawn).toBe(0); // a failing test has no drawn descendants (it is not drawn itself)
      const bad = await filter('stg_events++');
      expect(bad).toContain("'++' is not a graph operator");
      expect(await page.locator('#filter-status').getAttribute('class')).toContain('error');
      expect(await filter('state:modified')).toContain('docs site does not have');
      expect(await filter('colour:red')).toContain("unknown selector method 'colour'");
      await page.click('#filter-clear');
      await expect.poll(drawn).toBe(GAMING.drawn.length);
      expect(await page.locator('#filter-status').textContent()).toBe(`${GAMING.drawn.length} nodes`);
    });

    it('finds hidden nodes and columns by search', async () => {
      const input = page.locator('#search-input');
      await input.fill('tmp_scratch');
      await expect.poll(() => page.locator('#search-results .hit-name').first().textContent()).toBe('tmp_scratch');
      await input.fill('arpdau');
      await expect.poll(() => page.locator('#search-results .hit-kind').first().textContent()).toBe('column of daily_kpis');
      await input.press('Enter');
      await page.waitForFunction(() => window.__tformDocsState.route.endsWith('/column/arpdau'));
      expect(await page.locator('tr.target').getAttribute('data-column')).toBe('arpdau');
      await input.fill('no such thing at all');
      await expect.poll(() => page.locator('#search-results .search-empty').textContent()).toBe('No match');
      await input.press('Escape');
      expect(await page.locator('#search-results').isHidden()).toBe(true);
    });

    it('had no errors beyond the blocked injection attempts', () => {
      const unexpected = problems.filter((p) => !EXPECTED_NOISE.some((re) => re.test(p)));
      expect(unexpected).toEqual([]);
    });
  });
});
