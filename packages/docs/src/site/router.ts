/**
 * Hash routes, so the site works from file:// without a server:
 *
 *   #/                                  the project overview
 *   #/node/<uniqueId>                   a node's page
 *   #/node/<uniqueId>/column/<name>     a node's page, scrolled to one column
 *
 * Ids and column names are percent-encoded.
 */
export type Route = { kind: 'home' } | { kind: 'node'; id: string; column?: string } | { kind: 'unknown'; hash: string };

/** The link to a node's page (or one of its columns). */
export function nodeHash(id: string, column?: string): string {
  return `#/node/${encodeURIComponent(id)}` + (column === undefined ? '' : `/column/${encodeURIComponent(column)}`);
}

/** Read a location hash. */
export function parseHash(hash: string): Route {
  const h = hash.replace(/^#/, '');
  if (h === '' || h === '/') return { kind: 'home' };
  const m = /^\/node\/([^/]+)(?:\/column\/([^/]+))?$/.exec(h);
  if (!m) return { kind: 'unknown', hash };
  try {
    return { kind: 'node', id: decodeURIComponent(m[1]!), column: m[2] === undefined ? undefined : decodeURIComponent(m[2]) };
  } catch {
    return { kind: 'unknown', hash };
  }
}
