/**
 * Debian's Chromium through playwright-core, for the docs site tests (never a browser
 * downloaded through npm). requireChromium() follows requirePostgres(): without
 * /usr/bin/chromium the tests are skipped with a reason, except with CI=true where they fail.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { it } from 'vitest';
import { inkPixels as sharedInkPixels, pngPixels } from '../../bench/lib/png-pixels.mjs';

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

/** Pixels of a PNG (a screenshot) that differ from its most common colour. */
export const inkPixels: (browser: Browser, png: Buffer) => Promise<number> = sharedInkPixels;

/** Collect console errors and CSP violations of a page. */
export function pageProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  return problems;
}

/** Centre of the pixels of a PNG close to an RGB colour, or null when none are. */
export async function findColour(browser: Browser, png: Buffer, rgb: [number, number, number], tolerance = 12): Promise<{ x: number; y: number; count: number } | null> {
  const { width, data } = await pngPixels(browser, png);
  let sx = 0;
  let sy = 0;
  let count = 0;
  for (let i = 0; i < data.length; i += 4) {
    if (Math.abs(data[i]! - rgb[0]) <= tolerance && Math.abs(data[i + 1]! - rgb[1]) <= tolerance && Math.abs(data[i + 2]! - rgb[2]) <= tolerance) {
      const p = i / 4;
      sx += p % width;
      sy += Math.floor(p / width);
      count++;
    }
  }
  return count ? { x: sx / count, y: sy / count, count } : null;
}
