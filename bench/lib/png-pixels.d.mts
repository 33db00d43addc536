import type { Browser } from 'playwright-core';

export function pngPixels(browser: Browser, png: Buffer): Promise<{ width: number; height: number; data: Uint8Array }>;
export function inkPixels(browser: Browser, png: Buffer): Promise<number>;
