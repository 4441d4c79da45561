/**
 * Serves the portal's built front end (web/, bundled by Vite into dist/web) from memory.
 *
 * The bundle is a few hundred kilobytes, so it is read once at start (with a gzip copy of each text file) and only
 * files that exist in it are ever answered: no path from the request reaches the file system. Routes are explicit:
 * hashed assets under /assets/ (cached for a year, immutable), the bundle's top-level files (an hour), and the
 * portal's page routes, which all answer index.html (revalidated each time) so that the front end's router takes
 * over. Everything else, /ngsi-ld/…, /iot/…, /mimosa/… included, is never touched by this module.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { raise } from '../core/problem.js';

/** The front end's page routes (web/src/routes.ts): each answers index.html. */
const PAGE_ROUTES = ['/', '/explore', '/entity/*', '/catalogue', '/api-reference', '/operator/*'];

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json',
};
const TEXT = /^(text\/|application\/json|image\/svg)/;
const YEAR = 'public, max-age=31536000, immutable';
const HOUR = 'public, max-age=3600';

interface Asset {
  body: Buffer;
  gzip: Buffer | undefined;
  type: string;
  etag: string;
}

function readAsset(path: string): Asset {
  const body = readFileSync(path);
  const type = TYPES[extname(path)] ?? 'application/octet-stream';
  // Compressing once at start costs ~50 ms for the whole bundle; small files are not worth a second copy.
  const gzip = TEXT.test(type) && body.length > 1024 ? gzipSync(body) : undefined;
  return { body, gzip, type, etag: `"${createHash('sha1').update(body).digest('base64url').slice(0, 20)}"` };
}

/**
 * Every file under dir, by URL path ('/assets/index-3f2a.js'), each read when first asked for: applications
 * built by tests that never open the portal do not pay for reading and compressing it.
 */
function readBundle(dir: string): Map<string, () => Asset> {
  const files = new Map<string, () => Asset>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) {
        walk(p);
        continue;
      }
      let asset: Asset | undefined;
      files.set(`/${relative(dir, p).split(sep).join('/')}`, () => (asset ??= readAsset(p)));
    }
  };
  walk(dir);
  return files;
}

function send(req: FastifyRequest, reply: FastifyReply, a: Asset, cache: string): FastifyReply {
  reply.header('Cache-Control', cache).header('ETag', a.etag).header('Vary', 'Accept-Encoding').type(a.type);
  reply.header('X-Content-Type-Options', 'nosniff');
  if (req.headers['if-none-match'] === a.etag) return reply.code(304).send();
  if (a.gzip && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''))) return reply.header('Content-Encoding', 'gzip').send(a.gzip);
  return reply.send(a.body);
}

/**
 * Registers the portal's static routes over the bundle in `dir`. A missing bundle (`npm run dev` before
 * `npm run build:web`) leaves the page routes answering a 503 that says how to build it.
 */
export function serveBundle(app: FastifyInstance, dir: string): void {
  if (!existsSync(join(dir, 'index.html'))) {
    for (const route of PAGE_ROUTES) {
      app.get(route, async () => raise('ServiceUnavailable', `The portal is not built; run npm run build:web (looked in ${dir})`));
    }
    return;
  }
  const files = readBundle(dir);
  const index = files.get('/index.html')!;
  for (const route of PAGE_ROUTES) {
    app.get(route, async (req, reply) => send(req, reply, index(), 'no-cache'));
  }
  app.get('/assets/*', async (req, reply) => {
    const a = files.get(req.url.split('?')[0]);
    if (!a) raise('ResourceNotFound', `No portal asset at ${req.url.split('?')[0].slice(0, 200)}`);
    return send(req, reply, a(), YEAR);
  });
  for (const [path, a] of files) {
    if (path.startsWith('/assets/') || path === '/index.html') continue;
    app.get(path, async (req, reply) => send(req, reply, a(), HOUR));
  }
}
