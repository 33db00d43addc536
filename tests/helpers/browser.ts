/**
 * Debian's Chromium through playwright-core, for the docs site tests (never a browser
 * downloaded through npm). requireChromium() follows requirePostgres(): without
 * /usr/bin/chromium the tests are skipped with a reason, except with CI=true where they fail.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { it } from 'vitest';

export const CHROMIUM_PATH = process.env.TFORM_CHROMIUM ?? '/usr/bin/chromium';

/** Headless, software WebGL (SwiftShader), nothing talking to the network on its own. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];

/** Launch Chromium. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

/**
 * Call at the top level of a test file: true when Chromium is installed. Otherwise, with
 * CI=true, registers a failing test; elsewhere a skipped one, and prints why.
 */
export function requireChromium(): boolean {
  if (existsSync(CHROMIUM_PATH)) return true;
  const reason = `no Chromium at ${CHROMIUM_PATH} (apt-get install chromium)`;
  if (process.env.CI === 'true') {
    it('Chromium is installed (required when CI=true)', () => {
      throw new Error(reason);
    });
  } else {
    console.warn(`[docs site browser tests skipped] ${reason}`);
    it.skip(`docs site browser tests (skipped: ${reason})`, () => {});
  }
  return false;
}

/**
 * Count the pixels of a PNG (a screenshot) that differ from its most common colour, by decoding
 * it in a blank page of the same browser (no PNG decoder needed in Node).
 */
export async function inkPixels(browser: Browser, png: Buffer): Promise<number> {
  const page = await browser.newPage();
  try {
    return await page.evaluate(async (b64) => {
      const img = new Image();
      img.src = `data:image/png;base64,${b64}`;
      await img.decode();
      const c = document.createElement('canvas');
      c.width = img.naturalWidth;
      c.height = img.naturalHeight;
      const ctx = c.getContext('2d')!;
      ctx.drawImage(img, 0, 0);
      const px = ctx.getImageData(0, 0, c.width, c.height).data;
      const counts = new Map<number, number>();
      for (let i = 0; i < px.length; i += 4) {
        const k = (px[i]! << 16) | (px[i + 1]! << 8) | px[i + 2]!;
        counts.set(k, (counts.get(k) ?? 0) + 1);
      }
      let bg = 0;
      let most = -1;
      for (const [k, n] of counts) if (n > most) [bg, most] = [k, n];
      return px.length / 4 - most;
    }, png.toString('base64'));
  } finally {
    await page.close();
  }
}

/** Collect console errors and CSP violations of a page. */
export function pageProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  return problems;
}

/** Centre of the pixels of a PNG close to an RGB colour (decoded in a blank page), or null when none are. */
export async function findColour(browser: Browser, png: Buffer, rgb: [number, number, number], tolerance = 12): Promise<{ x: number; y: number; count: number } | null> {
  const page = await browser.newPage();
  try {
    return await page.evaluate(
      async ({ b64, rgb, tolerance }) => {
        const img = new Image();
        img.src = `data:image/png;base64,${b64}`;
        await img.decode();
        const c = document.createElement('canvas');
        c.width = img.naturalWidth;
        c.height = img.naturalHeight;
        const ctx = c.getContext('2d')!;
        ctx.drawImage(img, 0, 0);
        const px = ctx.getImageData(0, 0, c.width, c.height).data;
        let sx = 0;
        let sy = 0;
        let count = 0;
        for (let i = 0; i < px.length; i += 4) {
          if (Math.abs(px[i]! - rgb[0]) <= tolerance && Math.abs(px[i + 1]! - rgb[1]) <= tolerance && Math.abs(px[i + 2]! - rgb[2]) <= tolerance) {
            const p = i / 4;
            sx += p % c.width;
            sy += Math.floor(p / c.width);
            count++;
          }
        }
        return count ? { x: sx / count, y: sy / count, count } : null;
      },
      { b64: png.toString('base64'), rgb, tolerance },
    );
  } finally {
    await page.close();
  }
}
