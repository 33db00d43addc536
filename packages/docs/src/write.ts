import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { siteAssets } from './assets.js';
import { dataScript } from './dataScript.js';
import { indexHtml } from './html.js';
import { layeredLayout } from './layout.js';
import type { DocsData, SiteData } from './siteTypes.js';

/** What writeSite wrote. */
export interface WrittenSite {
  /** Absolute paths of the files, in the order written (index.html last). */
  files: string[];
  /** Their total size in bytes. */
  bytes: number;
}

/**
 * Write the static site for `data` into `outDir` (created if needed): index.html, app.css,
 * app.js and data.js, which carries the DocsData unchanged plus the graph layout. Each file is
 * written beside its final name and renamed over it, index.html last, so a reader never sees a
 * half-written file. Works opened from file:// as well as served (serveDocs).
 */
export function writeSite(outDir: string, data: DocsData): WrittenSite {
  const dir = resolve(outDir);
  mkdirSync(dir, { recursive: true });
  const assets = siteAssets();
  const site: SiteData = { ...data, layout: layeredLayout(data.nodes) };
  const contents: [string, string][] = [
    ['data.js', dataScript(site)],
    ['app.css', assets.css],
    ['app.js', assets.js],
    ['index.html', indexHtml(data.project.name)],
  ];
  const files: string[] = [];
  let bytes = 0;
  for (const [name, text] of contents) {
    const file = join(dir, name);
    const tmp = join(dir, `.${name}.${process.pid}.tmp`);
    try {
      writeFileSync(tmp, text);
      renameSync(tmp, file);
    } catch (e) {
      rmSync(tmp, { force: true });
      throw e;
    }
    files.push(file);
    bytes += Buffer.byteLength(text);
  }
  return { files, bytes };
}
