import { createReadStream, realpathSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { isIPv6, type AddressInfo } from 'node:net';
import { extname, join, resolve, sep } from 'node:path';
import { CONTENT_SECURITY_POLICY } from './html.js';
import { requestPath } from './requestPath.js';

/** Options of serveDocs. */
export interface ServeOptions {
  /** The folder writeSite wrote. */
  dir: string;
  /** Address to listen on; default 127.0.0.1 (see isLoopbackHost before widening it). */
  host?: string;
  /** Port; default 8080; 0 picks a free one. */
  port?: number;
}

/** A running docs server. */
export interface DocsServer {
  /** `http://host:port/` it answers on. */
  url: string;
  /** Stop listening and close open connections. */
  close(): Promise<void>;
}

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 8080;

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

/**
 * Serve a written docs site over HTTP (node:http): GET and HEAD of the files inside `dir` only.
 * Request paths are decoded and checked (requestPath.ts); a path that resolves outside `dir`,
 * through a symlink too, is refused. Resolves once listening.
 */
export async function serveDocs(o: ServeOptions): Promise<DocsServer> {
  const host = o.host ?? DEFAULT_HOST;
  const port = o.port ?? DEFAULT_PORT;
  let root: string;
  try {
    root = realpathSync(resolve(o.dir));
    if (!statSync(root).isDirectory()) throw new Error('not a folder');
  } catch {
    throw new Error(`no docs site folder at ${o.dir}: run \`tform docs generate\` first`);
  }
  const server = createServer((req, res) => handle(root, req, res));
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => {
      server.off('error', fail);
      ok();
    });
  });
  const addr = server.address() as AddressInfo;
  const shown = isIPv6(host) ? `[${host}]` : host;
  return {
    url: `http://${shown}:${addr.port}/`,
    close: () =>
      new Promise<void>((ok, fail) => {
        server.close((e) => (e ? fail(e) : ok()));
        server.closeAllConnections();
      }),
  };
}

function send(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': String(Buffer.byteLength(text)), 'X-Content-Type-Options': 'nosniff', ...headers });
  res.end(res.req.method === 'HEAD' ? undefined : text);
}

function handle(root: string, req: IncomingMessage, res: ServerResponse): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'method not allowed\n', { Allow: 'GET, HEAD' });
  const target = requestPath(req.url ?? '');
  if (!target.ok) return send(res, target.status, `${target.status === 404 ? 'not found' : 'refused'}: ${target.reason}\n`);
  const file = join(root, ...target.path.split('/'));
  let real: string;
  try {
    real = realpathSync(file);
  } catch {
    return send(res, 404, 'not found\n');
  }
  if (!real.startsWith(root + sep)) return send(res, 403, 'refused: outside the site\n');
  let size: number;
  try {
    const st = statSync(real);
    if (!st.isFile()) return send(res, 404, 'not found\n');
    size = st.size;
  } catch {
    return send(res, 404, 'not found\n');
  }
  const type = CONTENT_TYPES[extname(real).toLowerCase()] ?? 'application/octet-stream';
  const headers: Record<string, string> = {
    'Content-Type': type,
    'Content-Length': String(size),
    'Cache-Control': 'no-cache',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
  };
  if (type.startsWith('text/html')) headers['Content-Security-Policy'] = CONTENT_SECURITY_POLICY;
  res.writeHead(200, headers);
  if (req.method === 'HEAD') return void res.end();
  const stream = createReadStream(real);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}
