/**
 * serveDocs: raw request targets (sent over a plain socket, so no client normalises them) can
 * never reach a file outside the site folder; files are served with their content types; the
 * server binds 127.0.0.1 by default. And isLoopbackHost, which the CLI uses to warn.
 */
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_HOST, DEFAULT_PORT, isLoopbackHost, requestPath, serveDocs, writeSite, type DocsServer } from '@tform/docs';
import { gamingDocs } from './helpers/docsData.js';

const ROOT = join(import.meta.dirname, '.tmp', 'docs-site-server');
const SITE = join(ROOT, 'site');
const SECRET = 'TOP-SECRET-CONTENT';

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Send one raw HTTP/1.1 request line exactly as given. */
function raw(url: string, target: string, method = 'GET'): Promise<RawResponse> {
  const { hostname, port } = new URL(url);
  return new Promise((ok, fail) => {
    const sock = connect(Number(port), hostname, () => sock.write(`${method} ${target} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nConnection: close\r\n\r\n`));
    const chunks: Buffer[] = [];
    sock.on('data', (c) => chunks.push(c));
    sock.on('error', fail);
    sock.on('end', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const [head, ...rest] = text.split('\r\n\r\n');
      const [statusLine, ...lines] = head!.split('\r\n');
      const headers: Record<string, string> = {};
      for (const l of lines) {
        const i = l.indexOf(':');
        headers[l.slice(0, i).toLowerCase()] = l.slice(i + 1).trim();
      }
      ok({ status: Number(statusLine!.split(' ')[1]), headers, body: rest.join('\r\n\r\n') });
    });
  });
}

describe('serveDocs', () => {
  let server: DocsServer;

  beforeAll(async () => {
    rmSync(ROOT, { recursive: true, force: true });
    mkdirSync(ROOT, { recursive: true });
    writeSite(SITE, gamingDocs());
    writeFileSync(join(ROOT, 'secret.txt'), SECRET);
    mkdirSync(join(SITE, 'sub'));
    writeFileSync(join(SITE, 'sub', 'note.txt'), 'inside');
    symlinkSync(join(ROOT, 'secret.txt'), join(SITE, 'link.txt'));
    server = await serveDocs({ dir: SITE, port: 0 });
  });

  afterAll(async () => {
    await server?.close();
  });

  it('binds 127.0.0.1 by default (port 8080 unless told)', () => {
    expect(DEFAULT_HOST).toBe('127.0.0.1');
    expect(DEFAULT_PORT).toBe(8080);
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
  });

  it.each([
    ['/index.html', 'text/html; charset=utf-8'],
    ['/', 'text/html; charset=utf-8'],
    ['/app.js', 'text/javascript; charset=utf-8'],
    ['/data.js', 'text/javascript; charset=utf-8'],
    ['/app.css', 'text/css; charset=utf-8'],
    ['/sub/note.txt', 'text/plain; charset=utf-8'],
    ['/app.js?v=1#x', 'text/javascript; charset=utf-8'],
  ])('serves %s as %s', async (target, type) => {
    const r = await raw(server.url, target);
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe(type);
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(Number(r.headers['content-length'])).toBe(Buffer.byteLength(r.body, 'latin1'));
    if (type.startsWith('text/html')) {
      expect(r.body).toContain('<div class="layout">');
      expect(r.headers['content-security-policy']).toContain("script-src 'self'");
    }
  });

  it('answers HEAD without a body and refuses other methods', async () => {
    const head = await raw(server.url, '/app.css', 'HEAD');
    expect(head.status).toBe(200);
    expect(Number(head.headers['content-length'])).toBeGreaterThan(100);
    expect(head.body).toBe('');
    const post = await raw(server.url, '/index.html', 'POST');
    expect(post.status).toBe(405);
    expect(post.headers['allow']).toBe('GET, HEAD');
    expect((await raw(server.url, '/index.html', 'DELETE')).status).toBe(405);
  });

  it.each([
    '/../secret.txt',
    '/sub/../../secret.txt',
    '/%2e%2e/secret.txt',
    '/%2e%2e%2fsecret.txt',
    '/%2E%2E%2Fsecret.txt',
    '/..%2fsecret.txt',
    '/sub/..%2f..%2fsecret.txt',
    '/.%2e/secret.txt',
    '/..\\secret.txt',
    '/..%5csecret.txt',
    '/%5c..%5csecret.txt',
    '/index.html%00.txt',
    '/%00',
    '//etc/passwd',
    '/%2fetc%2fpasswd',
    `/${ROOT}/secret.txt`.replace('//', '/'),
    `${join(ROOT, 'secret.txt')}`,
    'http://127.0.0.1/../secret.txt',
    'file:///etc/passwd',
    '/C:/Windows/win.ini',
    '/link.txt',
    '/%',
    '/.index.html.123.tmp',
  ])('never serves a file outside the site: %s', async (target) => {
    const r = await raw(server.url, target);
    expect([400, 403, 404]).toContain(r.status);
    expect(r.body).not.toContain(SECRET);
    expect(r.body).not.toContain('root:');
  });

  it('refuses with the right status', async () => {
    expect((await raw(server.url, '/../secret.txt')).status).toBe(403);
    expect((await raw(server.url, '/%2e%2e%2fsecret.txt')).status).toBe(403);
    expect((await raw(server.url, '/..%2fsecret.txt')).status).toBe(403);
    expect((await raw(server.url, '/..%5csecret.txt')).status).toBe(400);
    expect((await raw(server.url, '/%00')).status).toBe(400);
    expect((await raw(server.url, '//etc/passwd')).status).toBe(400);
    expect((await raw(server.url, 'http://127.0.0.1/index.html')).status).toBe(400);
    expect((await raw(server.url, '/link.txt')).status).toBe(403);
    expect((await raw(server.url, '/sub')).status).toBe(404);
    expect((await raw(server.url, '/missing.js')).status).toBe(404);
  });

  it('checks request paths before touching the disk', () => {
    expect(requestPath('/')).toEqual({ ok: true, path: 'index.html' });
    expect(requestPath('/sub/./note.txt?x=1')).toEqual({ ok: true, path: 'sub/note.txt' });
    expect(requestPath('/a%20b.txt')).toEqual({ ok: true, path: 'a b.txt' });
    expect(requestPath('/%2e%2e/x')).toMatchObject({ ok: false, status: 403 });
    expect(requestPath('/%E0%A4%A')).toMatchObject({ ok: false, status: 400 });
  });

  it('rejects a folder that does not exist, and a port in use', async () => {
    await expect(serveDocs({ dir: join(ROOT, 'nope'), port: 0 })).rejects.toThrow(/no docs site folder/);
    const port = Number(new URL(server.url).port);
    await expect(serveDocs({ dir: SITE, port })).rejects.toThrow(/EADDRINUSE/);
  });
});

describe('isLoopbackHost', () => {
  it.each(['127.0.0.1', '127.1.2.3', 'localhost', 'LOCALHOST', 'app.localhost', '::1', '[::1]', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1'])('%s is loopback', (h) => {
    expect(isLoopbackHost(h)).toBe(true);
  });
  it.each(['0.0.0.0', '::', '192.168.1.10', '10.0.0.1', 'example.com', '128.0.0.1', '::ffff:10.0.0.1', '::2', ''])('%s is not', (h) => {
    expect(isLoopbackHost(h)).toBe(false);
  });
});
