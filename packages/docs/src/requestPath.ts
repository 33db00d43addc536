/**
 * Turning a request target into a file of the site, refusing anything that could reach outside
 * it. The checks run on the raw target and again after percent-decoding, so encoded forms
 * (`%2e%2e%2f`, `%5c`, `%00`) are refused like their plain ones.
 */

/** A file under the site's folder (posix, no leading slash), or why the request is refused. */
export type RequestPath = { ok: true; path: string } | { ok: false; status: 400 | 403 | 404; reason: string };

/** Resolve a raw request target (`req.url`) to a site-relative path; `/` is index.html. */
export function requestPath(rawTarget: string): RequestPath {
  // Only origin-form targets: an absolute URL, `*` or anything else not starting with one '/'.
  if (!rawTarget.startsWith('/')) return { ok: false, status: 400, reason: 'not a path' };
  const raw = rawTarget.replace(/[?#].*$/s, '');
  if (raw.startsWith('//')) return { ok: false, status: 400, reason: 'absolute path' };
  if (raw.includes('\\') || /%5c/i.test(raw)) return { ok: false, status: 400, reason: 'backslash in path' };
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    return { ok: false, status: 400, reason: 'malformed percent-encoding' };
  }
  if (decoded.includes('\0')) return { ok: false, status: 400, reason: 'NUL in path' };
  if (decoded.includes('\\')) return { ok: false, status: 400, reason: 'backslash in path' };
  if (decoded.startsWith('//')) return { ok: false, status: 400, reason: 'absolute path' };
  const segments = decoded.split('/').slice(1);
  if (segments.some((s) => s === '..')) return { ok: false, status: 403, reason: 'parent folder segment' };
  if (segments.some((s) => s.includes(':'))) return { ok: false, status: 403, reason: 'drive or scheme in path' };
  const parts = segments.filter((s) => s !== '' && s !== '.');
  // Hidden files (the writer's temporary files among them) are not part of the site.
  if (parts.some((s) => s.startsWith('.'))) return { ok: false, status: 404, reason: 'hidden file' };
  return { ok: true, path: parts.length ? parts.join('/') : 'index.html' };
}
