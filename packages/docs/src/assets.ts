import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The bundled browser app (dist/site/app.js and app.css, written by scripts/bundle.mjs). */
export interface SiteAssets {
  js: string;
  css: string;
}

/** Folders that may hold the bundle: beside the compiled index.js, or dist/site from the sources. */
const CANDIDATES = ['./site/', '../dist/site/'];

let cached: SiteAssets | undefined;

/** Read the bundled app; throws with what to run when it has not been built. */
export function siteAssets(): SiteAssets {
  if (cached) return cached;
  for (const rel of CANDIDATES) {
    const dir = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(dir + 'app.js') && existsSync(dir + 'app.css')) {
      cached = { js: readFileSync(dir + 'app.js', 'utf8'), css: readFileSync(dir + 'app.css', 'utf8') };
      return cached;
    }
  }
  throw new Error('the docs site bundle (app.js, app.css) is missing from @tform/docs: build it with `npm run build`');
}
