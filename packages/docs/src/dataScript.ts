import { gunzipSync, gzipSync } from 'node:zlib';
import type { SiteData } from './siteTypes.js';

/** The name of the global data.js defines: the site's data as base64 of gzip-compressed JSON. */
export const DATA_GLOBAL = '__TFORM_DOCS_GZ__';

/**
 * data.js: `window.__TFORM_DOCS_GZ__ = "<base64 of gzip(JSON)>";`. Compressed because a large
 * project's data is mostly repeated names and SQL (5,000 models: about 14 MB of JSON, 3 MB
 * compressed); the site inflates it with the browser's DecompressionStream, which works from
 * file:// as well (no fetch). Base64 holds no `<`, quote or line separator, so nothing in the
 * data can end the script.
 */
export function dataScript(data: SiteData): string {
  const packed = gzipSync(Buffer.from(JSON.stringify(data), 'utf8'), { level: 6 }).toString('base64');
  return `window.${DATA_GLOBAL} = "${packed}";\n`;
}

/** The data a data.js written by dataScript carries (for tools and tests reading a generated site). */
export function readDataScript(text: string): SiteData {
  const m = /^window\.__TFORM_DOCS_GZ__ = "([A-Za-z0-9+/=]*)";\s*$/.exec(text);
  if (!m) throw new Error('not a data.js written by tform docs generate');
  return JSON.parse(gunzipSync(Buffer.from(m[1]!, 'base64')).toString('utf8')) as SiteData;
}
